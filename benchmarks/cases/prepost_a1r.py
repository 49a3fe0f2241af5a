"""Pre/post tables on America in One Room-like data, written to XLSX, against Stanford's DeliberativePolling.

Data (SYNTHETIC, the shape of America in One Room, A1R): 523 participants answering 48
five-point items before (T1) and after (T2), a party variable (3 labelled categories), 4%
missing answers, in an SPSS ``.sav`` file with value labels and measurement levels as
DeliberativePolling requires (ID, Group, Time; nominal party; ordinal items).

* deliberval: read the ``.sav`` (pyreadstat, the reader DeliberativePolling uses too),
  ``prepost(df, items, by="party", agree_values=[4, 5])`` (per party and pooled: t interval,
  Wilcoxon as R, d_z and g_av with noncentral-t intervals, top-two-box change with interval,
  Holm and BH) and the table written to XLSX as ``deliberval prepost -o table.xlsx`` writes it
  (``cli._common.write_table``: fixed dates, byte-identical).
* DeliberativePolling 1.4.2 (Stanford Deliberative Democracy Lab): ``outputs(file, fast=True)``
  (no Word files): per party and overall, each item's distribution at T1 and T2, means, paired
  t-tests, prose summaries, written to its XLSX tables and reports. It is run in a separate
  Python when the environment variable ``DELIBERVAL_BENCH_DP_PYTHON`` names one that imports
  ``DeliberativePolling`` (it needs the ``docx`` distribution, which clashes with python-docx, so
  it is not installed in deliberval's environment); otherwise the reference is skipped and says
  so. Its time is measured inside that process around ``outputs()`` (imports excluded). Under
  pandas 3 ``DataFrame.applymap`` (removed there) is aliased to ``DataFrame.map``, its renamed
  equivalent.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.cases._util import best_of, reference

NAME = "prepost_a1r"
TITLE = "prepost on A1R-like data (523 x 48 items), XLSX written"
SIZE_LABEL = "respondents"
K = 48
PARTIES = {1.0: "Democrat", 2.0: "Republican", 3.0: "Independent"}
SCALE = {1.0: "Strongly disagree", 2.0: "Disagree", 3.0: "Neither", 4.0: "Agree", 5.0: "Strongly agree"}


def sizes(quick: bool) -> list[int]:
    return [60] if quick else [523]


def simulate(n: int, seed: int = 11) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    base = gen.normal(3, 1, (n, K))
    pre = np.clip(np.round(base + gen.normal(0, 0.7, (n, K))), 1, 5)
    post = np.clip(np.round(base + 0.15 + gen.normal(0, 0.7, (n, K))), 1, 5)
    x = np.vstack([pre, post])
    x[gen.random(x.shape) < 0.04] = np.nan
    df = pd.DataFrame(x, columns=[f"Q{j + 1:02d}" for j in range(K)])
    party = gen.choice([1.0, 2.0, 3.0], n, p=[0.4, 0.35, 0.25])
    df.insert(0, "Party", np.tile(party, 2))
    df.insert(0, "Time", np.repeat([1.0, 2.0], n))
    df.insert(0, "Group", 1.0)
    df.insert(0, "ID", np.tile(np.arange(1.0, n + 1), 2))
    return df


def write_sav(df: pd.DataFrame, path: Path) -> None:
    import pyreadstat

    items = [c for c in df.columns if c.startswith("Q")]
    labels = {"Group": {1.0: "Participants"}, "Time": {1.0: "T1", 2.0: "T2"}, "Party": PARTIES}
    labels.update(dict.fromkeys(items, SCALE))
    measure = {"ID": "scale", "Group": "nominal", "Time": "nominal", "Party": "nominal"}
    measure.update(dict.fromkeys(items, "ordinal"))
    pyreadstat.write_sav(
        df, str(path), column_labels=[f"label of {c}" for c in df.columns],
        variable_value_labels=labels, variable_measure=measure,
    )


def deliberval_tables(sav: Path, out: Path) -> pd.DataFrame:
    import pyreadstat

    from deliberval.analysis.change import prepost
    from deliberval.cli._common import write_table

    raw, _meta = pyreadstat.read_sav(str(sav))
    df = raw.rename(columns={"ID": "respondent_id", "Time": "wave"})
    df["wave"] = df["wave"].map({1.0: "pre", 2.0: "post"})
    df["party"] = df["Party"].map(PARTIES)
    items = [c for c in df.columns if c.startswith("Q")]
    res = prepost(df, items, by="party", agree_values=[4, 5])
    write_table(res, out)
    return res


_DP_SCRIPT = """
import json, os, sys, time, io, contextlib
import pandas as pd
if not hasattr(pd.DataFrame, "applymap"):  # removed in pandas 3; DeliberativePolling 1.4.2 calls it
    pd.DataFrame.applymap = pd.DataFrame.map
import DeliberativePolling as dp
os.chdir(sys.argv[2])
times = []
for r in range(int(sys.argv[3])):
    t0 = time.perf_counter(); c0 = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        dp.outputs(sys.argv[1], fast=True)
    times.append((time.perf_counter() - t0, time.process_time() - c0))
files = [os.path.join(d, f) for d, _, fs in os.walk("Outputs") for f in fs]
print(json.dumps({"seconds": [t for t, _ in times], "cpu": [c for _, c in times], "files": len(files)}))
"""


def run(size: int, quick: bool, use_r: bool) -> dict[str, Any]:
    import time

    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        sav = tmpd / "a1r.sav"
        write_sav(simulate(size), sav)
        out = tmpd / "table.xlsx"
        deliberval_tables(sav, out)  # warm-up (imports)
        timing, res = best_of(lambda: deliberval_tables(sav, out), repeats=7, budget=30.0)
        cpu = []
        for _ in range(1 if quick else 7):
            c0 = time.process_time()
            deliberval_tables(sav, out)
            cpu.append(time.process_time() - c0)
        first = out.read_bytes()
        deliberval_tables(sav, out)
        checks: dict[str, Any] = {
            "items": K, "rows": len(res), "cpu_seconds": min(cpu),
            "xlsx_byte_identical_rewrite": out.read_bytes() == first,
        }
        dp_python = os.environ.get("DELIBERVAL_BENCH_DP_PYTHON", "")
        refs: list[dict[str, Any]] = []
        name = "DeliberativePolling 1.4.2 outputs(fast=True) (Stanford DDL)"
        if not dp_python:
            refs.append(reference(name, "peer", None,
                                  skipped="DELIBERVAL_BENCH_DP_PYTHON not set (see the case docstring)"))
        else:
            work = tmpd / "dp"
            work.mkdir()
            proc = subprocess.run([dp_python, "-c", _DP_SCRIPT, str(sav), str(work), "1" if quick else "2"],
                                  capture_output=True, text=True, timeout=900)
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
            if proc.returncode != 0 or not lines:
                tail = " | ".join(proc.stderr.strip().splitlines()[-2:])
                refs.append(reference(name, "peer", None, skipped=f"failed (exit {proc.returncode}): {tail}"))
            else:
                got = json.loads(lines[-1])
                secs = [float(s) for s in got["seconds"]]
                refs.append(reference(name, "peer", {"seconds": min(secs), "seconds_all": secs, "repeats": len(secs),
                                                     "peak_rss_mb": None, "start_rss_mb": None,
                                                     "memory_method": "not measured (separate process)"},
                                      note="per party and overall: distributions, means, paired t, prose; XLSX"))
                checks["dp_files_written"] = got["files"]
                checks["dp_cpu_seconds"] = min(float(c) for c in got["cpu"])
                checks["cpu_ratio_dp"] = checks["dp_cpu_seconds"] / max(min(cpu), 1e-9)
    return {"size": size, "deliberval": timing, "references": refs, "checks": checks}
