"""item_statistics with intervals and pairwise deletion against R psych::alpha (issue 19)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.psychometrics import item_statistics
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "item_statistics"
ITEMS = ["q1", "q2", "q3", "q4", "q5"]
COLS = ["n", "mean", "sd", "mean_ci_low", "mean_ci_high", "item_total_r", "item_rest_r", "n_pairs",
        "item_rest_r_ci_low", "item_rest_r_ci_high", "alpha_if_deleted", "alpha_std_if_deleted"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "items_missing.csv")


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
def test_matches_psych_alpha_and_hand_intervals(data: pd.DataFrame, missing: str) -> None:
    got = item_statistics(data, ITEMS, missing=missing)
    ref = pd.read_csv(REF / "item_statistics_missing.csv")
    ref = ref.loc[ref["missing"] == missing].reset_index(drop=True)
    assert got["item"].tolist() == ref["item"].tolist()
    for col in COLS:
        np.testing.assert_allclose(got[col].astype(float), ref[col], rtol=1e-8, atol=1e-10, err_msg=col)
    assert (got["confidence_level"] == 0.95).all()
    assert got["n_missing"].tolist() == data[ITEMS].isna().sum().tolist()


def test_pairwise_and_listwise_differ_with_missing_answers(data: pd.DataFrame) -> None:
    pw = item_statistics(data, ITEMS, missing="pairwise")
    lw = item_statistics(data, ITEMS)
    assert (pw["n"] > lw["n"]).all()
    assert not np.allclose(pw["alpha_if_deleted"], lw["alpha_if_deleted"])
    assert "pairwise" in pw["method"].iloc[0]
    assert "listwise" in lw["method"].iloc[0]


def test_both_agree_on_complete_data(data: pd.DataFrame) -> None:
    cc = data.dropna()
    pw = item_statistics(cc, ITEMS, missing="pairwise")
    lw = item_statistics(cc, ITEMS)
    np.testing.assert_allclose(pw[COLS].astype(float), lw[COLS].astype(float), rtol=1e-10)


def test_intervals_narrow_with_confidence_level(data: pd.DataFrame) -> None:
    a = item_statistics(data, ITEMS, confidence_level=0.9)
    b = item_statistics(data, ITEMS, confidence_level=0.99)
    assert ((a["mean_ci_high"] - a["mean_ci_low"]) < (b["mean_ci_high"] - b["mean_ci_low"])).all()
    assert (a["item_rest_r_ci_low"] < a["item_rest_r"]).all()
    assert (a["item_rest_r"] < a["item_rest_r_ci_high"]).all()


def test_bad_missing_option_and_too_few_pairs(data: pd.DataFrame) -> None:
    with pytest.raises(AnalysisInputError, match="missing"):
        item_statistics(data, ITEMS, missing="available")
    sparse = data.copy()
    sparse.loc[2:, "q5"] = np.nan
    with pytest.raises(AnalysisInputError, match="answered both"):
        item_statistics(sparse, ITEMS, missing="pairwise")


def test_reliability_pairwise_matches_psych_default(data: pd.DataFrame) -> None:
    from deliberval.analysis.psychometrics import reliability

    ref = pd.read_csv(REF / "item_statistics_missing.csv").iloc[0]
    res = reliability(data, ITEMS, missing="pairwise", n_resamples=0).set_index("statistic")
    for stat, col in [("cronbach_alpha", "alpha"), ("cronbach_alpha_std", "alpha_std"),
                      ("guttman_lambda6", "lambda6"), ("average_r", "average_r")]:
        assert res.loc[stat, "estimate"] == pytest.approx(ref[col], abs=1e-10), stat
    feldt = pd.read_csv(REF / "alpha_feldt.csv").iloc[0]
    assert res.loc["cronbach_alpha", "ci_low"] == pytest.approx(feldt["ci_low"], abs=1e-10)
    assert res.loc["cronbach_alpha", "ci_high"] == pytest.approx(feldt["ci_high"], abs=1e-10)
    assert (res["n"] == feldt["n"]).all()
    listwise = reliability(data, ITEMS, n_resamples=0).set_index("statistic")
    assert listwise.loc["cronbach_alpha", "estimate"] != pytest.approx(ref["alpha"], abs=1e-4)


def test_reliability_pairwise_bootstrap_is_seeded(data: pd.DataFrame) -> None:
    from deliberval.analysis.psychometrics import reliability

    a = reliability(data, ITEMS, missing="pairwise", n_resamples=200, seed=3)
    b = reliability(data, ITEMS, missing="pairwise", n_resamples=200, seed=3)
    pd.testing.assert_frame_equal(a, b)
    boot = a.loc[a["method"] == "bootstrap_percentile"]
    assert set(boot["statistic"]) == {"cronbach_alpha", "cronbach_alpha_std", "guttman_lambda6", "average_r"}
    assert ((boot["ci_low"] < boot["estimate"]) & (boot["estimate"] < boot["ci_high"])).all()
    with pytest.raises(AnalysisInputError, match="pairwise"):
        reliability(data, ITEMS, missing="pairwise", ordinal=True)
