"""R-indicator bootstrap and partial R-indicators against base R glm on apistrat (issue 19)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.funnel import (
    _logit_fitted,
    _propensity_inputs,
    _r_bootstrap,
    partial_r_indicators,
    r_indicator,
)
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "representativeness"
DIMS = ["stype", "comp.imp"]


@pytest.fixture(scope="module")
def api() -> pd.DataFrame:
    df = pd.read_csv(REF / "apistrat.csv")
    df["yes"] = df["sch.wide"] == "Yes"
    return df


@pytest.mark.parametrize(("weight", "column"), [(None, "unweighted"), ("pw", "weighted")])
def test_bootstrap_r_indicators_match_r_glm_on_the_same_resamples(
    api: pd.DataFrame, weight: str | None, column: str
) -> None:
    counts = pd.read_csv(REF / "r_indicator_boot_counts.csv").to_numpy(dtype=float)
    ref = pd.read_csv(REF / "r_indicator_boot.csv")[column].to_numpy()
    _, y, x, d = _propensity_inputs(api, "yes", DIMS, weight)
    got = _r_bootstrap(x.to_numpy(), y, d, counts)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-8)


def test_own_logistic_fit_equals_statsmodels(api: pd.DataFrame) -> None:
    _, y, x, d = _propensity_inputs(api, "yes", DIMS, "pw")
    import statsmodels.api as sm

    sm_fit = sm.GLM(y, x.to_numpy(), family=sm.families.Binomial(), var_weights=d).fit()
    np.testing.assert_allclose(
        _logit_fitted(x.to_numpy(), y, d), sm_fit.fittedvalues, rtol=0, atol=1e-10
    )


def test_r_indicator_interval_is_seeded_and_brackets_the_estimate(api: pd.DataFrame) -> None:
    a = r_indicator(api, "yes", DIMS, n_resamples=400, seed=5).iloc[0]
    b = r_indicator(api, "yes", DIMS, n_resamples=400, seed=5).iloc[0]
    assert a["se"] == b["se"]
    assert a["estimate"] == pytest.approx(0.456105729978310, abs=1e-8)  # R, r_indicator.json
    assert a["ci_low"] < a["estimate"] < a["ci_high"]
    assert 0.02 < a["se"] < 0.08  # bootstrap SE of R at n = 200
    assert a["n_resamples"] == 400
    assert a["confidence_level"] == 0.95
    assert a["method"].endswith("percentile bootstrap interval, 400 resamples")
    point = r_indicator(api, "yes", DIMS).iloc[0]
    assert np.isnan(point["se"])
    assert np.isnan(point["ci_low"])
    assert point["n_resamples"] == 0
    assert list(r_indicator(api, "yes", DIMS).columns) == [
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "confidence_level",
        "sd_propensity",
        "mean_propensity",
        "n",
        "n_resamples",
        "method",
    ]
    with pytest.raises(AnalysisInputError, match="n_resamples"):
        r_indicator(api, "yes", DIMS, n_resamples=1)


@pytest.mark.parametrize(("weight", "label"), [(None, "unweighted"), ("pw", "weighted")])
def test_partial_r_indicators_match_r(api: pd.DataFrame, weight: str | None, label: str) -> None:
    ref = pd.read_csv(REF / "partial_r_indicators.csv")
    ref = ref[ref["weights"] == label].reset_index(drop=True)
    got = partial_r_indicators(api, "yes", DIMS, weight=weight)
    assert got["dimension"].tolist() == ref["dimension"].tolist()
    assert got["category"].fillna("").tolist() == ref["category"].fillna("").tolist()
    np.testing.assert_allclose(got["estimate"], ref["estimate"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(got["mean_propensity"], ref["mean_propensity"], rtol=0, atol=1e-8)
    variable = got[got["level"] == "variable"]
    assert variable["count"].tolist() == [200, 200]
    cats = got[got["level"] == "category"]
    assert cats.groupby("dimension")["count"].sum().tolist() == [200, 200]
    # the category rows square-sum to the variable row
    for dim in DIMS:
        part = cats.loc[cats["dimension"] == dim, "estimate"]
        row = variable.loc[variable["dimension"] == dim, "estimate"].iloc[0]
        assert np.sqrt((part**2).sum()) == pytest.approx(row, abs=1e-12)
