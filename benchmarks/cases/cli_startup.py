"""Start-up cost of the command line: ``deliberval --help`` against ``python -c "import typer, rich"``.

Issue 14 ("A light front door"): ``deliberval --help`` must cost at most 2x the CPU of importing
typer and rich, i.e. the command line may not import pandas, the analyses or the report before a
command runs. Each run is a fresh interpreter; its CPU (user + system, from ``getrusage`` of the
finished child) is what is compared, since wall time on a shared 2-core machine also counts the
waiting. Reported: the best CPU of k runs of each (``seconds``), every run (``seconds_all``), the
ratio ``reference / deliberval`` like every case (0.5 = deliberval costs 2x the reference), and
in ``checks`` the target as ``deliberval / reference`` against 2, plus the wall times and which
heavy modules the command loaded (none expected).

One size, no R. ``deliberval --help`` is run through the installed console script when it sits
beside the interpreter, else as ``python -c "from deliberval.cli import main; main()" --help``
(the same two lines the script runs).

The children run without ``PYTHONDONTWRITEBYTECODE``, so the warm-up run writes deliberval's
bytecode caches as an installed package has them (typer's and rich's come with their install);
with the variable set, every run of ``deliberval --help`` compiled deliberval's modules again.
``checks`` also lists the command modules (``deliberval.cli.*``) that ``--help`` imported: none,
since the command tree is lazy (deliberval.cli.COMMANDS).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.cases._util import reference

NAME = "cli_startup"
TITLE = "deliberval --help vs import typer, rich (CPU of a fresh process)"
SIZE_LABEL = "run"

#: target of issue 14: deliberval --help at most this many times the CPU of the reference
TARGET = 2.0
HEAVY = ("jinja2", "matplotlib", "numpy", "openpyxl", "pandas", "pandera", "pyarrow", "pydantic",
         "pyreadstat", "scipy", "statsmodels", "weasyprint", "yaml")
#: the children's environment: bytecode caches written and read, as for an installed package
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def sizes(quick: bool) -> list[int]:
    return [1]


def _help_command() -> list[str]:
    script = Path(sys.executable).with_name("deliberval")
    if script.is_file():
        return [str(script), "--help"]
    return [sys.executable, "-c", "from deliberval.cli import main; main()", "--help"]


def _cpu_of(cmd: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system) and wall seconds of one run of ``cmd`` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, env=_ENV)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}: {proc.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _timing(cmd: list[str], repeats: int) -> dict[str, Any]:
    cpu: list[float] = []
    wall: list[float] = []
    for _ in range(repeats):
        c, w = _cpu_of(cmd)
        cpu.append(c)
        wall.append(w)
    return {
        "seconds": min(cpu),
        "seconds_all": [round(c, 4) for c in cpu],
        "median_seconds": statistics.median(cpu),
        "wall_seconds_all": [round(w, 4) for w in wall],
        "repeats": repeats,
        "peak_rss_mb": None,
        "start_rss_mb": None,
        "memory_method": "not measured (CPU of a child process)",
        "clock": "CPU user + system of the child (getrusage RUSAGE_CHILDREN)",
    }


def _loaded_by_help() -> tuple[list[str], list[str]]:
    """The heavy modules and the command modules that ``deliberval --help`` imported."""
    code = (
        "import sys\nsys.argv = ['deliberval', '--help']\nfrom deliberval.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(__import__('json').dumps([sorted(m for m in {HEAVY!r} if m in sys.modules), sorted(m for m in "
        "sys.modules if m.startswith('deliberval.cli.') and not m.startswith('deliberval.cli._'))]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                          env=_ENV)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return ["(failed to run)"], ["(failed to run)"]
    heavy, commands = json.loads(lines[-1])
    return heavy, commands


def run(size: int, quick: bool, use_r: bool) -> dict[str, Any]:
    repeats = 3 if quick else 15
    ref_cmd = [sys.executable, "-c", "import typer, rich"]
    # warm the file cache and the bytecode caches once, then interleave nothing: best of k each
    _cpu_of(ref_cmd)
    _cpu_of(_help_command())
    mine = _timing(_help_command(), repeats)
    ref = _timing(ref_cmd, repeats)
    factor = mine["seconds"] / ref["seconds"] if ref["seconds"] > 0 else None
    factor_median = mine["median_seconds"] / ref["median_seconds"] if ref["median_seconds"] > 0 else None
    heavy, command_modules = _loaded_by_help()
    return {
        "size": size,
        "deliberval": mine,
        "references": [reference("python -c 'import typer, rich'", "floor", ref,
                                 note="the command line's own libraries, nothing of deliberval")],
        "checks": {
            "command": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(_help_command())),
            "cpu_times_reference": round(factor, 3) if factor is not None else None,
            "cpu_times_reference_median": round(factor_median, 3) if factor_median is not None else None,
            "target_times_reference": TARGET,
            "target_met": None if quick or factor is None else factor <= TARGET,
            "heavy_modules_loaded_by_help": heavy,
            "command_modules_loaded_by_help": command_modules,
            "bytecode_caches": "written by the warm-up run (children run without PYTHONDONTWRITEBYTECODE)",
        },
    }
