"""polychoric() against psych::polychoric (psych 2.2.9, default global thresholds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from deliberval.analysis.psychometrics import _bvn_cdf, _thresholds, polychoric
from deliberval.errors import AnalysisInputError
from support.psychometrics_golden import read_ref, reversed_data

GOLD = read_ref("polychoric.csv")


@pytest.mark.parametrize("name", ["bfi_agreeableness", "simulated_likert", "example_efficacy"])
def test_polychoric_matches_psych(name: str) -> None:
    df, items = reversed_data(name)
    res = polychoric(df, items)
    gold = GOLD[GOLD["dataset"] == name]
    ours = [res.loc[a, b] for a, b in zip(gold["item_1"], gold["item_2"], strict=True)]
    # psych maximises with optimize(), whose default tolerance is about 1e-4
    np.testing.assert_allclose(ours, gold["rho"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(res.to_numpy(), res.to_numpy().T)
    assert np.all(np.diag(res.to_numpy()) == 1)


@pytest.mark.parametrize("name", ["bfi_agreeableness", "simulated_likert", "example_efficacy"])
def test_thresholds_match_psych_tau(name: str) -> None:
    df, items = reversed_data(name)
    tau = read_ref(f"polychoric_tau_{name}.csv").set_index("item")
    for it in items:
        _, codes = np.unique(df[it], return_inverse=True)
        np.testing.assert_allclose(
            _thresholds(codes, codes.max() + 1), tau.loc[it].to_numpy(), atol=1e-10
        )


def test_bivariate_normal_cdf_matches_scipy() -> None:
    h = np.array([-1.2, 0.0, 0.4, 2.0, -0.3])
    k = np.array([0.5, -0.7, 0.4, -1.0, -0.2])
    for rho in (-0.6, 0.0, 0.35, 0.9):
        ref = stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]]).cdf(np.column_stack([h, k]))
        np.testing.assert_allclose(_bvn_cdf(h, k, rho), ref, atol=1e-6)


def test_too_many_categories_is_refused() -> None:
    df = pd.DataFrame({"a": np.arange(30) % 15, "b": np.arange(30) % 3})
    with pytest.raises(AnalysisInputError, match="15 distinct values"):
        polychoric(df, ["a", "b"])
