"""Validation plus scoring of a canonical responses table: rows x 60 items.

Data: :func:`benchmarks.validation_throughput.simulate` (40 five-point Likert items with missing
codes 8/9, 20 numeric 0-10 items with 77/88, 2% missing codes, 0.1% corrupted cells and wave
labels), scored on six 10-item scales (two reversed items per Likert scale, mean, min_valid 6).

* deliberval: ``score(validate(df, instrument).valid, instrument)``.
* numpy floor: one float matrix of the same 60 item cells, the same missing-code, range and
  integer checks, row quarantine, wave-label check, missing-code recoding, reverse keying and
  mean scoring with ``min_valid``, all vectorised. The floor does not check identifiers,
  duplicates, speeding or straight-lining, keeps no failure log and builds no tidy tables, so
  the ratio is an upper bound on deliberval's overhead.
"""

from __future__ import annotations

import tracemalloc
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.cases._util import best_of, reference
from benchmarks.validation_throughput import _instrument, simulate
from deliberval.instruments.model import Instrument
from deliberval.scoring import score
from deliberval.validation import validate

NAME = "validation_scoring"
TITLE = "validate + score, rows x 60 items"
SIZE_LABEL = "rows"
SCALES = [(f"likert_{s}", [f"lk_{i:02d}" for i in range(10 * s, 10 * s + 10)]) for s in range(4)]
SCALES += [(f"numeric_{s}", [f"nm_{i:02d}" for i in range(10 * s, 10 * s + 10)]) for s in range(2)]
REVERSED = [f"lk_{i:02d}" for s in range(4) for i in (10 * s + 3, 10 * s + 7)]
MIN_VALID = 6


def sizes(quick: bool) -> list[int]:
    return [500, 2_000] if quick else [10_000, 100_000, 1_000_000]


def instrument() -> Instrument:
    """The benchmark instrument of ``validation_throughput`` with six scales added."""
    spec = _instrument().model_dump()
    for item in spec["items"]:
        item["reverse"] = item["id"] in REVERSED
    spec["scales"] = [
        {"id": sid, "construct": "bench", "items": items, "scoring": {"method": "mean", "min_valid": MIN_VALID}}
        for sid, items in SCALES
    ]
    return Instrument.model_validate(spec)


def numpy_floor(df: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Quarantine mask and scale scores of the kept rows, by bare numpy on the item cells."""
    cols = [c for _, items in SCALES for c in items]
    x = df[cols].to_numpy(dtype=float)  # one (n, 60) copy
    likert = np.array([c.startswith("lk_") for c in cols])
    lo = np.where(likert, 1.0, 0.0)
    hi = np.where(likert, 5.0, 10.0)
    code_a = np.where(likert, 8.0, 77.0)
    code_b = np.where(likert, 9.0, 88.0)
    missing = (x == code_a) | (x == code_b)
    bad = ~missing & ~np.isnan(x) & ((x < lo) | (x > hi) | (x != np.floor(x)))
    bad_wave = ~np.isin(df["wave"].to_numpy(dtype=object), np.array(["pre", "post"], dtype=object))
    quarantine = bad.any(axis=1) | bad_wave
    keep = ~quarantine
    xv = x[keep]
    xv[missing[keep]] = np.nan
    rev = np.isin(cols, REVERSED)
    xv[:, rev] = (lo + hi)[rev] - xv[:, rev]
    scores: dict[str, np.ndarray] = {}
    for s, (sid, _) in enumerate(SCALES):
        block = xv[:, 10 * s : 10 * s + 10]
        count = np.count_nonzero(~np.isnan(block), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(block, axis=1) / count
        mean[count < MIN_VALID] = np.nan
        scores[sid] = mean
    return quarantine, scores


def run(size: int, quick: bool, use_r: bool) -> dict[str, Any]:
    ins = instrument()
    df = simulate(size)
    validate(df.head(200), ins)  # warm imports and caches outside the timing

    def pipeline() -> tuple[Any, Any]:
        v = validate(df, ins)
        return v, score(v.valid, ins)

    timing, (v, s) = best_of(pipeline, repeats=3, budget=150.0)
    floor_timing, (quarantine, floor_scores) = best_of(lambda: numpy_floor(df), repeats=5)
    scores = s.data
    same_rows = len(scores) == int((~quarantine).sum())
    max_diff = None
    if same_rows:
        max_diff = float(
            max(
                np.nanmax(np.abs(scores[sid].to_numpy(dtype=float, na_value=np.nan) - floor_scores[sid]))
                for sid, _ in SCALES
            )
        )
        nan_agree = all(
            np.array_equal(scores[sid].isna().to_numpy(), np.isnan(floor_scores[sid])) for sid, _ in SCALES
        )
    else:
        nan_agree = False
    # memory on top of the frame (issue 22: at most 1.5x): tracemalloc counts every numpy
    # buffer of one more pipeline run exactly (Arrow string buffers are not traced; the peak
    # RSS of the timed block includes them, the interpreter and the frame itself)
    n_quarantined = len(v.quarantined)
    del v, s, scores
    frame_bytes = int(df.memory_usage(deep=True, index=True).sum())
    tracemalloc.start()
    try:
        pipeline()
        traced_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return {
        "size": size,
        "deliberval": timing,
        "references": [
            reference(
                "numpy floor (same cells, range checks, mean scoring)",
                "floor",
                floor_timing,
                note="item cells only: no id, duplicate, speeding or straight-lining checks, no failure log",
            )
        ],
        "checks": {
            "rows": size,
            "items": 60,
            "quarantined_deliberval": n_quarantined,
            "quarantined_floor": int(quarantine.sum()),
            "scores_max_abs_difference": max_diff,
            "scores_missing_pattern_identical": nan_agree,
            "frame_mb": round(frame_bytes / 1e6, 1),
            "tracemalloc_peak_on_top_mb": round(traced_peak / 1e6, 1),
            "peak_on_top_over_frame": round(traced_peak / frame_bytes, 3),
        },
    }
