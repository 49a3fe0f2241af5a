"""threshold_probability against R (tests/reference/meta/generate_threshold.R): pbeta, pt, integrate."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from deliberval.analysis.meta import threshold_probability
from deliberval.errors import AnalysisInputError

REF = Path(__file__).parents[1] / "reference" / "meta"
CASES = pd.read_csv(REF / "threshold_expected.csv")


def _num(v: object) -> float:
    return math.nan if pd.isna(v) else float(v)  # type: ignore[arg-type]


@pytest.mark.parametrize("i", range(len(CASES)))
def test_matches_r(i: int) -> None:
    r = CASES.iloc[i]
    got = threshold_probability(r["model"], float(r["threshold"]), higher_is_better=bool(r["higher"]),
                                estimate=_num(r["estimate"]), sd=_num(r["sd"]), se=_num(r["se"]),
                                df=_num(r["df"]) if not pd.isna(r["df"]) else math.inf,
                                count=_num(r["count"]), n=_num(r["n"]))
    assert got == pytest.approx(float(r["prob_meets_threshold"]), abs=1e-8), r["case"]


def test_zero_threshold_change_is_the_t_probability() -> None:
    # P(delta >= 0) = P(mu >= 0): the standardised change and the mean agree at threshold 0
    d = threshold_probability("standardised_change", 0.0, estimate=0.31, n=8)
    m = threshold_probability("mean", 0.0, estimate=0.31, sd=1.0, n=8)
    assert d == pytest.approx(m, abs=1e-9)


def test_undefined_inputs_give_nan() -> None:
    assert math.isnan(threshold_probability("share", 1.0, count=20, n=20))  # a boundary threshold
    assert math.isnan(threshold_probability("share", 0.0, count=0, n=20, higher_is_better=False))
    assert math.isnan(threshold_probability("mean", 3.0, estimate=3.2, sd=0.5, n=1))
    assert math.isnan(threshold_probability("normal", 0.0, estimate=0.2, se=0.0))
    assert math.isnan(threshold_probability("normal", math.nan, estimate=0.2, se=0.1))
    with pytest.raises(AnalysisInputError):
        threshold_probability("ratio", 0.5, estimate=1.0)  # type: ignore[arg-type]


def test_direction_is_the_complement() -> None:
    up = threshold_probability("share", 0.3, count=5, n=20)
    down = threshold_probability("share", 0.3, count=5, n=20, higher_is_better=False)
    assert up + down == pytest.approx(1.0, abs=1e-15)
    assert up == pytest.approx(0.36271191, abs=1e-8)  # scipy.stats.beta.sf(0.3, 6, 16)
