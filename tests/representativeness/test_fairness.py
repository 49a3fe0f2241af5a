"""selection_fairness against hand-computed values (Flanigan et al. 2021 definitions)."""

from __future__ import annotations

import numpy as np
import pytest

from deliberval.analysis.fairness import selection_fairness
from deliberval.errors import AnalysisInputError


def test_hand_computed_example() -> None:
    # pool of 5, panel of 2: probabilities sum to 2, equal share 0.4
    p = [0.2, 0.4, 0.4, 0.5, 0.5]
    out = selection_fairness(p).set_index("statistic")["estimate"]
    # |differences| over ordered pairs: 2 * (0.2+0.2+0.3+0.3 + 0+0.1+0.1 + 0.1+0.1 + 0) = 2.8
    assert out["gini"] == pytest.approx(2.8 / (2 * 5 * 2.0))
    assert out["min_probability"] == pytest.approx(0.2)
    assert out["geometric_mean"] == pytest.approx((0.2 * 0.4 * 0.4 * 0.5 * 0.5) ** (1 / 5))
    assert out["share_below"] == pytest.approx(1 / 5)  # only 0.2 < 0.4; the 0.4s are not below
    table = selection_fairness(p)
    assert list(table.columns) == ["statistic", "estimate", "threshold", "n", "method"]
    assert table["method"].str.contains("Flanigan et al. 2021").all()


def test_equal_lottery_and_extremes() -> None:
    equal = selection_fairness(np.full(1000, 0.1) + 1e-17).set_index("statistic")["estimate"]
    assert equal["gini"] == pytest.approx(0, abs=1e-12)
    assert equal["share_below"] == 0
    assert equal["geometric_mean"] == pytest.approx(0.1)
    unfair = selection_fairness([0, 0, 0, 1]).set_index("statistic")
    assert unfair.loc["gini", "estimate"] == pytest.approx(0.75)
    assert unfair.loc["geometric_mean", "estimate"] == 0
    assert unfair.loc["share_below", "threshold"] == pytest.approx(0.25)
    custom = selection_fairness([0.1, 0.2, 0.3], threshold=0.25).set_index("statistic")
    assert custom.loc["share_below", "estimate"] == pytest.approx(2 / 3)


def test_gini_matches_pairwise_definition() -> None:
    p = np.random.default_rng(1).uniform(0, 0.3, 200)
    brute = np.abs(p[:, None] - p[None, :]).sum() / (2 * p.size * p.sum())
    got = selection_fairness(p).set_index("statistic").loc["gini", "estimate"]
    assert got == pytest.approx(brute, rel=1e-12)


def test_bad_probabilities() -> None:
    with pytest.raises(AnalysisInputError, match=r"\[0, 1\]"):
        selection_fairness([0.5, 1.2])
    with pytest.raises(AnalysisInputError, match="non-empty"):
        selection_fairness([])
    with pytest.raises(AnalysisInputError, match="missing"):
        selection_fairness([0.5, np.nan])
