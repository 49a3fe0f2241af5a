"""validate + score without full copies of the frame (issue 22): shared columns stay independent."""

from __future__ import annotations

import importlib.util
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.instruments.model import Instrument
from deliberval.scoring import score
from deliberval.validation import validate

# the generator of the validation_scoring bench case, loaded by path (``benchmarks`` is not an
# installed package and tests/benchmarks would shadow it)
_SPEC = importlib.util.spec_from_file_location(
    "_bench_validation_throughput",
    Path(__file__).resolve().parents[2] / "benchmarks" / "validation_throughput.py",
)
assert _SPEC is not None
assert _SPEC.loader is not None
_GEN = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_GEN)
simulate = _GEN.simulate


def instrument() -> Instrument:
    """The bench instrument with six 10-item mean scales (as benchmarks/cases/validation_scoring)."""
    spec = _GEN._instrument().model_dump()
    scales = [(f"likert_{s}", [f"lk_{i:02d}" for i in range(10 * s, 10 * s + 10)]) for s in range(4)]
    scales += [(f"numeric_{s}", [f"nm_{i:02d}" for i in range(10 * s, 10 * s + 10)]) for s in range(2)]
    reversed_items = {f"lk_{i:02d}" for s in range(4) for i in (10 * s + 3, 10 * s + 7)}
    for item in spec["items"]:
        item["reverse"] = item["id"] in reversed_items
    spec["scales"] = [
        {"id": sid, "construct": "bench", "items": items, "scoring": {"method": "mean", "min_valid": 6}}
        for sid, items in scales
    ]
    return Instrument.model_validate(spec)


@pytest.fixture(scope="module")
def bench() -> tuple[pd.DataFrame, object]:
    return simulate(20_000), instrument()


def test_outputs_and_input_are_independent(bench: tuple[pd.DataFrame, object]) -> None:
    """Unchanged columns are shared under copy-on-write: writing into the valid table, the
    scored table or the input changes none of the others."""
    df, ins = bench
    clean = validate(df, ins).valid  # codes recoded, nothing quarantined in a second pass
    before = clean.copy()
    v = validate(clean, ins)
    assert len(v.quarantined) == 0
    s = score(v.valid, ins)
    pd.testing.assert_frame_equal(v.valid, before)
    v.valid.iloc[0, v.valid.columns.get_loc("lk_01")] = 123.0
    s.data.iloc[0, s.data.columns.get_loc("lk_02")] = 321.0
    s.data.loc[s.data.index[1], "respondent_id"] = "zz"
    pd.testing.assert_frame_equal(clean, before)
    clean.iloc[2, clean.columns.get_loc("nm_00")] = -5.0
    assert v.valid["nm_00"].iloc[2] == before["nm_00"].iloc[2]
    assert s.data["nm_00"].iloc[2] == before["nm_00"].iloc[2]


def test_peak_memory_on_top_of_the_frame(bench: tuple[pd.DataFrame, object]) -> None:
    """Python/numpy allocations of validate + score stay within 1.5x the frame on top of it
    (1.30x at 20,000 x 60; validate alone peaked at 3.1x at 200,000 x 60 before the rows were
    taken in place and the tables left unconsolidated). tracemalloc counts numpy buffers exactly; Arrow string buffers are not
    traced (the bench's peak RSS includes them)."""
    df, ins = bench
    validate(df.head(100), ins)
    frame = df.memory_usage(deep=True, index=True).sum()
    tracemalloc.start()
    try:
        v = validate(df, ins)
        s = score(v.valid, ins)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(v.quarantined) == 20  # 0.1% corrupted rows of the generator
    assert np.isfinite(s.data["likert_0"]).sum() > 19_000
    assert peak / frame < 1.5, peak / frame
