"""selection_fairness against hand-computed values (Flanigan et al. 2021 definitions)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.fairness import selection_fairness, selection_probabilities
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


# ---------------------------------------------------------------- rounding and probabilities

REF = Path(__file__).resolve().parents[1] / "reference" / "representativeness"


def test_lp_rounding_is_clipped_larger_violations_named() -> None:
    """LEXIMIN allocations come out of an LP: 1.0000000000000002 and -1e-17 are rounding."""
    p = [1.0000000000000002, 0.5, -1e-17, 0.4999999999]
    got = selection_fairness(p).set_index("statistic")["estimate"]
    assert got["min_probability"] == 0.0
    assert got["geometric_mean"] == 0.0
    # Gini of the clipped values [1, 0.5, 0, 0.4999999999]
    clipped = np.array([1.0, 0.5, 0.0, 0.4999999999])
    brute = np.abs(clipped[:, None] - clipped[None, :]).sum() / (2 * 4 * clipped.sum())
    assert got["gini"] == pytest.approx(brute, rel=1e-12)
    with pytest.raises(AnalysisInputError, match=r"found 1\.000001"):
        selection_fairness([1.000001, 0.5])
    with pytest.raises(AnalysisInputError, match=r"found -2e-09"):
        selection_fairness([-2e-9, 0.5])


@pytest.fixture(scope="module")
def selection_golden() -> pd.DataFrame:
    return pd.read_csv(REF / "selection_expected.csv")


def test_panel_distribution_matches_r(selection_golden: pd.DataFrame) -> None:
    panels = pd.read_csv(REF / "selection_panels.csv")
    grouped = panels.groupby("panel", sort=True)
    members = [g["respondent_id"].tolist() for _, g in grouped]
    probs = grouped["probability"].first().to_numpy()
    pool = [f"p{i:02d}" for i in range(1, 9)]
    got = selection_probabilities(members, probs, pool=pool)
    ref = selection_golden[selection_golden["source"] == "distribution"]
    assert got["respondent_id"].tolist() == ref["respondent_id"].tolist()
    for col in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(got[col], ref[col], rtol=0, atol=1e-12)
    assert got["count"].tolist() == ref["count"].tolist()
    assert (got["n"] == 6).all()
    assert got["estimate"].sum() == pytest.approx(3)  # expected panel size
    assert got["method"].str.contains("exact").all()
    fair = selection_fairness(got["estimate"]).set_index("statistic")["estimate"]
    assert fair["min_probability"] == 0.0  # p08 is on no panel


def test_repeated_selections_match_r(selection_golden: pd.DataFrame) -> None:
    runs = pd.read_csv(REF / "selection_runs.csv")
    panels = [g["respondent_id"].tolist() for _, g in runs.groupby("run", sort=True)]
    got = selection_probabilities(panels, pool=[f"q{i:02d}" for i in range(1, 11)])
    ref = selection_golden[selection_golden["source"] == "runs"]
    assert got["respondent_id"].tolist() == ref["respondent_id"].tolist()
    for col in ("estimate", "se", "ci_low", "ci_high"):  # R prop.test(correct = FALSE)
        np.testing.assert_allclose(got[col], ref[col], rtol=0, atol=1e-9)
    assert got["count"].tolist() == ref["count"].tolist()
    assert (got["n"] == 400).all()
    assert list(got.columns) == [
        "respondent_id",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "confidence_level",
        "n",
        "count",
        "method",
    ]
    # the true probabilities of the quota lottery (1/4 and 1/3) lie in the intervals
    truth = np.r_[np.full(4, 1 / 4), np.full(6, 1 / 3)]
    assert ((got["ci_low"] <= truth) & (truth <= got["ci_high"])).all()


def test_selection_probability_errors() -> None:
    with pytest.raises(AnalysisInputError, match="non-empty"):
        selection_probabilities([])
    with pytest.raises(AnalysisInputError, match="lists member 'a' twice"):
        selection_probabilities([["a", "a"]])
    with pytest.raises(AnalysisInputError, match="one value per panel"):
        selection_probabilities([["a"], ["b"]], [1.0])
    with pytest.raises(AnalysisInputError, match="sum to 1"):
        selection_probabilities([["a"], ["b"]], [0.5, 0.6])
    with pytest.raises(AnalysisInputError, match=r"not in pool"):
        selection_probabilities([["a"], ["b"]], pool=["a"])
    with pytest.raises(AnalysisInputError, match="string 'ab'"):
        selection_probabilities(["ab"])
    # LP rounding in panel probabilities is tolerated
    got = selection_probabilities([["a"], ["b"]], [1.0000000000000002, -1e-17])
    assert got["estimate"].tolist() == [1.0, 0.0]
