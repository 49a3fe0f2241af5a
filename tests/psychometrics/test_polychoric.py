"""polychoric() against psych::polychoric (psych 2.2.9, default global thresholds)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from deliberval.analysis.psychometrics import _bvn_cdf, _thresholds, polychoric
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "psychometrics"

# dataset name -> (csv file, items, items psych::alpha reversed with keys)
ALPHA_SETS: dict[str, tuple[str, list[str], list[str]]] = {
    "bfi_agreeableness": ("bfi_agreeableness.csv", [f"A{i}" for i in range(1, 6)], ["A1"]),
    "bfi_neuroticism": ("bfi_neuroticism.csv", [f"N{i}" for i in range(1, 6)], []),
    "holzinger_visual": ("holzinger_swineford.csv", ["x1", "x2", "x3"], []),
    "simulated_likert": ("simulated_likert.csv", [f"q{i}" for i in range(1, 7)], ["q6"]),
    # deliberval's SYNTHETIC climate-assembly example, scored by deliberval.score
    "example_trust": (
        "example_climate_assembly.csv",
        [
            "trust_parliament",
            "trust_politicians",
            "trust_parties",
            "trust_national_government",
            "trust_local_government",
        ],
        [],
    ),
    "example_internal_efficacy": (
        "example_climate_assembly.csv",
        ["efficacy_int_understand", "efficacy_int_confidence", "efficacy_int_complicated"],
        [],
    ),
    "example_efficacy": (
        "example_climate_assembly.csv",
        [
            "efficacy_int_understand",
            "efficacy_int_confidence",
            "efficacy_int_complicated",
            "efficacy_ext_care",
            "efficacy_ext_contact",
            "efficacy_ext_no_say",
        ],
        [],
    ),
}


def read_ref(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name)


def reversed_data(name: str) -> tuple[pd.DataFrame, list[str]]:
    """Data with psych's keyed items already reversed (as the R script does for omega / lavaan)."""
    file, items, rev = ALPHA_SETS[name]
    df = read_ref(file)
    top = {"bfi_agreeableness": 7, "simulated_likert": 6}
    for r in rev:
        df[r] = top[name] - df[r]
    return df, items


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
