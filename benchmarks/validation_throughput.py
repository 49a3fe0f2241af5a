"""Validation throughput: 1,000,000 rows x 60 items (``python -m benchmarks.validation_throughput``).

Builds a synthetic instrument (40 five-point Likert items with missing codes 8/9 and 20 numeric
0-10 items with 77/88), simulates 500,000 respondents x pre/post with 2% missing codes and about
0.1% corrupted cells (out of range, not a number, unknown wave label, duplicates), runs
:func:`deliberval.validation.validate` and records rows per second to
``benchmarks/results/validation.json`` (wall-clock and process CPU time, with the machine's
load average, since wall time on a shared machine says little). Not a unit test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

import deliberval
from deliberval.instruments.model import Instrument
from deliberval.validation import validate

RESULTS = Path(__file__).parent / "results" / "validation.json"


def _instrument(n_likert: int = 40, n_numeric: int = 20) -> Instrument:
    src = {"citation": "synthetic benchmark", "wording": "new"}
    items = [
        {"id": f"lk_{i:02d}", "construct": "bench", "text": {"en": f"Likert {i}"}, "scale": "agree_5",
         "waves": ["pre", "post"], "respondents": ["citizen"], "source": src}
        for i in range(n_likert)
    ] + [
        {"id": f"nm_{i:02d}", "construct": "bench", "text": {"en": f"Numeric {i}"}, "scale": "score_0_10",
         "waves": ["pre", "post"], "respondents": ["citizen"], "source": src}
        for i in range(n_numeric)
    ]
    return Instrument.model_validate({
        "id": "bench", "version": "1.0.0", "title": {"en": "benchmark"}, "languages": {"en": {"status": "source"}},
        "licence": "CC0",
        "response_scales": [
            {"id": "agree_5", "type": "likert", "min": 1, "max": 5,
             "values": [{"value": v, "labels": {"en": str(v)}} for v in range(1, 6)],
             "missing_codes": [{"code": 8, "meaning": "dont_know"}, {"code": 9, "meaning": "refused"}]},
            {"id": "score_0_10", "type": "numeric", "min": 0, "max": 10,
             "missing_codes": [{"code": 77, "meaning": "refused"}, {"code": 88, "meaning": "dont_know"}]},
        ],
        "items": items,
    })


def simulate(n_rows: int, seed: int = 1) -> pd.DataFrame:
    """A canonical responses table with a few corrupted cells."""
    rng = np.random.default_rng(seed)
    half = n_rows // 2
    ids = np.tile(np.arange(half).astype(str), 2)
    cols: dict[str, object] = {
        "respondent_id": pd.array(ids, dtype="str"),
        "process_id": "bench",
        "wave": pd.array(np.repeat(["pre", "post"], half), dtype="str"),
        "group": "participant", "role": "citizen", "language": "en",
        "weight": rng.uniform(0.5, 2.0, 2 * half),
    }
    for i in range(40):
        x = rng.integers(1, 6, 2 * half).astype(float)
        x[rng.random(2 * half) < 0.02] = 8.0
        cols[f"lk_{i:02d}"] = x
    for i in range(20):
        x = rng.integers(0, 11, 2 * half).astype(float)
        x[rng.random(2 * half) < 0.02] = 88.0
        cols[f"nm_{i:02d}"] = x
    df = pd.DataFrame(cols)
    bad = rng.choice(2 * half, size=max(1, n_rows // 1000), replace=False)
    df.loc[bad[0::3], "lk_00"] = 6.0
    df.loc[bad[1::3], "nm_00"] = 11.0
    df.loc[bad[2::3], "wave"] = "Post-delib"
    return df


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    ins = _instrument()
    df = simulate(args.rows)
    times, cpu = [], []
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        res = validate(df, ins)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    best = min(times)
    record = {
        "benchmark": "validation_throughput",
        "rows": len(df), "items": 60, "seconds_best": round(best, 3), "seconds_all": [round(t, 3) for t in times],
        "rows_per_second": round(len(df) / best),
        "cpu_seconds_best": round(min(cpu), 3),
        "rows_per_cpu_second": round(len(df) / min(cpu)),
        "n_valid": len(res.valid), "n_quarantined": len(res.quarantined), "n_failures": len(res.failures),
        "deliberval": deliberval.__version__, "pandas": pd.__version__, "numpy": np.__version__,
        "python": platform.python_version(), "machine": platform.machine(), "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
