"""One standard report (HTML only) of the climate_assembly example against the import floor.

Issue 22: ``deliberval report examples/builtin_climate_assembly.yaml -o report.html`` (the
built-in SYNTHETIC example: generated, validated, scored, evaluated, 6 figures drawn, HTML
written) should cost at most 1.6x the CPU of merely importing what a report needs: ``python -c
"import pandas, numpy, scipy.stats, statsmodels.api, matplotlib.figure,
matplotlib.backends.backend_agg, jinja2, openpyxl"`` (the statsmodels and matplotlib modules
deliberval imports). Each run is a fresh interpreter; its CPU (user + system of the finished
child) is compared, as in ``cli_startup``, since wall time on a shared machine counts the
waiting too. Children run with ``OPENBLAS_NUM_THREADS=1`` unless the variable is set: on a
loaded 2-core machine OpenBLAS' spinning worker threads otherwise multiply the CPU of small
least-squares fits (measured: 3.4 s of lstsq in the propensity GLM under load vs 0.05 s on one
thread).

One size, no R. ``checks`` holds ``cpu_times_floor`` (report / floor, target 1.6).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.cases._util import reference
from benchmarks.cases.cli_startup import _timing

NAME = "report"
TITLE = "one HTML report of climate_assembly vs importing its libraries (CPU of a fresh process)"
SIZE_LABEL = "run"
TARGET = 1.6
ROOT = Path(__file__).resolve().parents[2]
FLOOR = ("import pandas, numpy, scipy.stats, statsmodels.api, matplotlib.figure, "
         "matplotlib.backends.backend_agg, jinja2, openpyxl")


def sizes(quick: bool) -> list[int]:
    return [1]


def run(size: int, quick: bool, use_r: bool) -> dict[str, Any]:
    if quick:
        return {"size": size, "skipped": "not run with --quick (one report takes seconds of CPU)"}
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    repeats = 5
    config = ROOT / "examples" / "builtin_climate_assembly.yaml"
    script = Path(sys.executable).with_name("deliberval")
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "report.html")
        cmd = ([str(script)] if script.is_file()
               else [sys.executable, "-c", "from deliberval.cli import main; main()"])
        cmd += ["report", str(config), "-o", out]
        floor_cmd = [sys.executable, "-c", FLOOR]
        _timing(floor_cmd, 1)  # warm the file and bytecode caches
        mine = _timing(cmd, repeats)
        ref = _timing(floor_cmd, repeats)
    factor = mine["seconds"] / ref["seconds"] if ref["seconds"] > 0 else None
    return {
        "size": size,
        "deliberval": mine,
        "references": [reference("import floor: " + FLOOR.removeprefix("import "), "floor", ref,
                                 note="the libraries a report needs, nothing of deliberval")],
        "checks": {
            "command": "deliberval report examples/builtin_climate_assembly.yaml -o report.html",
            "cpu_times_floor": round(factor, 3) if factor is not None else None,
            "target_times_floor": TARGET,
            "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        },
    }
