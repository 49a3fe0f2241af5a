"""Bayesian partial pooling against independent R computations (tests/reference/meta/generate_bayes.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.meta import bayesian_pooling, bayesian_share_pooling
from deliberval.errors import AnalysisInputError

REF = Path(__file__).parents[1] / "reference" / "meta"
TOL = 1e-4
COLS = ["estimate", "sd", "ci_low", "ci_high", "prob_meets_threshold"]
DATA = pd.concat([pd.read_csv(REF / "meta_data.csv"), pd.read_csv(REF / "bayes_committees.csv")])
CASES = pd.read_csv(REF / "bayes_cases.csv")
SHARES = pd.read_csv(REF / "bayes_shares.csv", dtype={"unit": str})


@pytest.mark.parametrize("row", range(len(CASES)))
def test_normal_normal_matches_r_quadrature(row: int) -> None:
    case = CASES.iloc[row]
    data = DATA.loc[DATA["dataset"] == case["dataset"]]
    res = bayesian_pooling(data, unit="unit", tau_prior=case["prior"], tau_scale=float(case["scale"]),
                           threshold=float(case["threshold"]), higher_is_better=bool(case["higher"]))
    exp = pd.read_csv(REF / "bayes_summary_expected.csv")
    exp = exp.loc[exp["dataset"] == case["dataset"]].set_index("parameter")
    got = res.summary.set_index("parameter")
    assert list(got.index) == ["mu", "tau", "new_unit"]
    scale = max(1.0, float(np.abs(data["estimate"]).max()))  # normand1999 is in days: 1e-4 relative
    for p in got.index:
        for c in COLS:
            if pd.isna(exp.loc[p, c]):
                assert pd.isna(got.loc[p, c])
            else:
                assert got.loc[p, c] == pytest.approx(exp.loc[p, c], abs=TOL * scale), (p, c)
    ue = pd.read_csv(REF / "bayes_units_expected.csv")
    ue = ue.loc[ue["dataset"] == case["dataset"]]
    assert list(res.units["unit"]) == list(ue["unit"])
    for c in COLS:
        np.testing.assert_allclose(res.units[c], ue[c], atol=TOL * scale, rtol=0, err_msg=c)


@pytest.mark.parametrize("dataset", ["panels", "bcg_treated4"])
def test_beta_binomial_matches_r_grid(dataset: str) -> None:
    data = SHARES.loc[SHARES["dataset"] == dataset]
    res = bayesian_share_pooling(data, unit="unit", threshold=float(data["threshold"].iloc[0]))
    exp = pd.read_csv(REF / "bayes_share_summary_expected.csv")
    exp = exp.loc[exp["dataset"] == dataset].set_index("parameter")
    got = res.summary.set_index("parameter")
    assert list(got.index) == ["mean_share", "icc", "new_unit"]
    for c in COLS:
        assert got.loc["new_unit", c] == pytest.approx(exp.loc["new_unit", c], abs=TOL), c
    for p in ["mean_share", "icc"]:
        for c in ["estimate", "sd"]:
            assert got.loc[p, c] == pytest.approx(exp.loc[p, c], abs=TOL), (p, c)
    # the mean share's quantiles and P(m >= threshold) come from a discretised marginal: the R grid
    # (1500 cells, step function) and deliberval's (300 cells, linear within a cell) agree to 2e-3
    for c in ["ci_low", "ci_high", "prob_meets_threshold"]:
        assert got.loc["mean_share", c] == pytest.approx(exp.loc["mean_share", c], abs=2e-3), c
    ue = pd.read_csv(REF / "bayes_share_units_expected.csv", dtype={"unit": str})
    ue = ue.loc[ue["dataset"] == dataset]
    for c in COLS:
        np.testing.assert_allclose(res.units[c], ue[c], atol=TOL, rtol=0, err_msg=c)
    np.testing.assert_allclose(res.units["observed_share"], data["count"] / data["n"])


def test_pooling_shrinks_towards_the_mean_and_rejects_bad_input() -> None:
    c = pd.read_csv(REF / "bayes_committees.csv")
    r = bayesian_pooling(c, unit="unit")
    assert r.units["estimate"].max() < c["estimate"].max()
    assert r.units["estimate"].min() > c["estimate"].min()
    assert r.units["prob_meets_threshold"].isna().all()
    assert set(r.tables()) == {"summary", "units"}
    with pytest.raises(AnalysisInputError, match="tau_prior"):
        bayesian_pooling(c, unit="unit", tau_prior="uniform")  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="tau_scale"):
        bayesian_pooling(c, unit="unit", tau_scale=0)
    bad = pd.DataFrame({"process": ["a", "b"], "count": [3, 9], "n": [5, 8]})
    with pytest.raises(AnalysisInputError, match="whole numbers"):
        bayesian_share_pooling(bad)
