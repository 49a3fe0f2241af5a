"""CR2 + Satterthwaite df of weighted (WLS) models against R clubSandwich (issue 19).

Goldens: tests/reference/meta/generate_cr2_weighted.R (clubSandwich 0.5.8, ``lm(..., weights =)``,
identity working model).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis._cr2 import ols_cr2
from deliberval.analysis.did import did
from deliberval.analysis.event_study import event_study
from deliberval.errors import AnalysisInputError

REF = Path(__file__).parents[1] / "reference"
DATA = pd.read_csv(REF / "meta" / "cr2_weighted_data.csv")
EXP = pd.read_csv(REF / "meta" / "cr2_weighted_expected.csv")
COLS = ["estimate", "se", "df", "p_value", "ci_low", "ci_high"]


@pytest.mark.parametrize(("vcov", "r_vcov"), [("CR2", "CR2"), ("CR1", "CR1S")])
@pytest.mark.parametrize(("dataset", "cluster"), [("a", "respondent_id"), ("b", "respondent_id"),
                                                   ("c", "respondent_id"), ("c", "site")])
def test_weighted_did_matches_clubsandwich(dataset: str, cluster: str, vcov: str, r_vcov: str) -> None:
    data = DATA.loc[DATA["dataset"] == dataset]
    got = did(data, "y", cluster=None if cluster == "respondent_id" else cluster, weight="w",
              vcov=vcov).set_index("model")  # type: ignore[arg-type]
    exp = EXP.loc[(EXP["dataset"] == dataset) & (EXP["cluster"] == cluster)
                  & (EXP["vcov"] == r_vcov)].set_index("model")
    assert len(exp) == 3
    for model in exp.index:
        for col in COLS:
            assert got.loc[model, col] == pytest.approx(exp.loc[model, col], rel=1e-8, abs=1e-10), (model, col)
        assert ("CR2 Bell-McCaffrey" if vcov == "CR2" else "CR1") in got.loc[model, "method"]
    assert got.loc["pooled_ols", "method"].startswith("WLS (weights: w)")
    assert "weighted" in got.loc["individual_fe", "method"]


def test_weighted_did_differs_from_unweighted_and_equal_weights_do_not() -> None:
    data = DATA.loc[DATA["dataset"] == "b"]  # weights differ between the waves
    weighted = did(data, "y", weight="w", vcov="CR2").set_index("model")
    plain = did(data, "y", vcov="CR2").set_index("model")
    assert abs(weighted.loc["pooled_ols", "estimate"] - plain.loc["pooled_ols", "estimate"]) > 1e-3
    assert plain.loc["pooled_ols", "method"].startswith("OLS y ~")
    equal = did(data.assign(w=3.0), "y", weight="w", vcov="CR2").set_index("model")
    for col in COLS:
        np.testing.assert_allclose(equal[col], plain[col], rtol=1e-10, err_msg=col)
    # CR1 with weights: the sqrt(w)-transformed sandwich; same estimate as CR2, t on G - 1 df
    cr1 = did(data, "y", weight="w", vcov="CR1").set_index("model")
    np.testing.assert_allclose(cr1["estimate"], weighted["estimate"], rtol=1e-12)
    assert cr1.loc["pooled_ols", "df"] == data["respondent_id"].nunique() - 1
    assert cr1.loc["individual_fe", "df"] == cr1.loc["individual_fe", "n_clusters"] - 1


def test_zero_and_missing_weights_leave_rows_out_and_negative_ones_fail() -> None:
    data = DATA.loc[DATA["dataset"] == "a"].reset_index(drop=True)
    w = data["w"].copy()
    w.iloc[0] = 0.0
    w.iloc[1] = np.nan
    got = did(data.assign(w=w), "y", weight="w", vcov="CR2").set_index("model")
    assert got.loc["pooled_ols", "n_rows"] == len(data) - 2
    assert got.loc["pooled_ols", "estimate"] == pytest.approx(
        did(data.iloc[2:], "y", weight="w", vcov="CR2").set_index("model").loc["pooled_ols", "estimate"])
    with pytest.raises(AnalysisInputError, match="non-negative"):
        did(data.assign(w=-1.0), "y", weight="w")
    with pytest.raises(AnalysisInputError, match="wgt"):
        did(data, "y", weight="wgt")


def test_weighted_event_study_cr2_matches_clubsandwich() -> None:
    data = pd.read_csv(REF / "event_study" / "event_study_data.csv")
    data = data.assign(w=0.5 + (data["respondent_id"].str[1:].astype(int) % 5) / 4)
    got = event_study(data, "y", waves=("pre", "post", "followup"), covariates=["age", "gender"],
                      weight="w", vcov="CR2")
    ref = pd.read_csv(REF / "meta" / "cr2_weighted_event_study.csv").set_index("term")
    names = {"treated:post": "treated:wavepost", "treated:followup": "treated:wavefollowup",
             "treated": "treated", "post": "wavepost", "followup": "wavefollowup", "age": "age",
             "gender=other": "genderother", "gender=woman": "genderwoman"}
    r = ref.loc[[names[t] for t in got["term"]]]
    for col in COLS:
        np.testing.assert_allclose(got[col], r[col], rtol=1e-8, atol=1e-10, err_msg=col)
    assert (got["n_rows"] == r["n_rows"].to_numpy()).all()
    assert "CR2 Bell-McCaffrey" in got["method"].iloc[0]


def test_ols_cr2_weights_are_scale_free_and_validated() -> None:
    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(40), rng.normal(size=40)])
    y = x @ [1.0, 0.5] + rng.normal(size=40)
    cl = np.repeat(np.arange(10), 4)
    w = rng.uniform(0.5, 2.0, 40)
    a, b = ols_cr2(y, x, cl, w), ols_cr2(y, x, cl, 7.0 * w)
    np.testing.assert_allclose(a.cov, b.cov, rtol=1e-10)
    np.testing.assert_allclose(a.df, b.df, rtol=1e-10)
    ones = ols_cr2(y, x, cl, np.ones(40))
    plain = ols_cr2(y, x, cl)
    np.testing.assert_allclose(ones.cov, plain.cov, rtol=1e-10)
    np.testing.assert_allclose(ones.df, plain.df, rtol=1e-10)
    with pytest.raises(ValueError, match="positive"):
        ols_cr2(y, x, cl, np.zeros(40))
