"""Design-based totals, ratios and quantiles against R survey 4.1.1 (issue 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.survey import survey_quantile, survey_ratio, survey_total
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "survey_estimates"
REP = Path(__file__).resolve().parents[1] / "reference" / "representativeness"


def _design(name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    if name == "apistrat":
        return pd.read_csv(REP / "apistrat.csv"), {"weight": "pw", "strata": "stype", "fpc": "fpc"}
    if name == "apiclus2":
        return pd.read_csv(REP / "apiclus2.csv"), {"cluster": ["dnum", "snum"], "fpc": ["fpc1", "fpc2"]}
    df = pd.read_csv(REF / "apiclus1_missing.csv")
    if name == "apiclus1":
        return df, {"weight": "pw", "cluster": "dnum", "fpc": "fpc"}
    raked = pd.read_csv(REP / "rake_apiclus1_weights.csv")
    df = df.merge(raked, on="cds", validate="one_to_one")
    return df, {"weight": "weight", "cluster": "dnum", "fpc": "fpc", "calibrated_on": ["stype", "sch.wide"]}


DESIGNS = ["apistrat", "apiclus1", "apiclus2", "apiclus1_raked"]


@pytest.mark.parametrize("name", DESIGNS)
def test_totals_match_svytotal(name: str) -> None:
    df, design = _design(name)
    got = survey_total(df, ["api00", "enroll", "stype"], **design)
    ref = pd.read_csv(REF / "svytotal.csv", keep_default_na=False)
    ref = ref.loc[ref["design"] == name]
    assert len(got) == len(ref)
    np.testing.assert_allclose(got["estimate"], ref["estimate"].astype(float), rtol=1e-9)
    np.testing.assert_allclose(got["se"], ref["se"].astype(float), rtol=1e-8, atol=1e-6)
    np.testing.assert_allclose(got["ci_low"], ref["ci_low"].astype(float), rtol=1e-9)
    cats = got["category"].fillna("").tolist()
    assert cats == ref["category"].tolist()
    assert got.loc[got["variable"] == "enroll", "n"].iloc[0] == df["enroll"].notna().sum()


@pytest.mark.parametrize("name", DESIGNS)
def test_ratios_match_svyratio(name: str) -> None:
    df, design = _design(name)
    ref = pd.read_csv(REF / "svyratio.csv")
    ref = ref.loc[ref["design"] == name]
    for _, r in ref.iterrows():
        got = survey_ratio(df, r["numerator"], r["denominator"], **design).iloc[0]
        assert got["estimate"] == pytest.approx(r["estimate"], rel=1e-10)
        assert got["se"] == pytest.approx(r["se"], rel=1e-8)
        assert got["ci_low"] == pytest.approx(r["ci_low"], rel=1e-9)
        assert got["ci_high"] == pytest.approx(r["ci_high"], rel=1e-9)


@pytest.mark.parametrize("name", DESIGNS)
def test_quantiles_match_svyquantile(name: str) -> None:
    df, design = _design(name)
    ref = pd.read_csv(REF / "svyquantile.csv")
    ref = ref.loc[ref["design"] == name].reset_index(drop=True)
    got = survey_quantile(df, ["api00", "enroll"], [0.1, 0.25, 0.5, 0.9], **design)
    assert got["variable"].tolist() == ref["variable"].tolist()
    np.testing.assert_allclose(got["quantile"], ref["quantile"])
    for col in ["estimate", "ci_low", "ci_high"]:
        np.testing.assert_array_equal(got[col], ref[col], err_msg=col)
    np.testing.assert_allclose(got["se"], ref["se"], rtol=1e-8)
    np.testing.assert_allclose(got["df"], ref["df"])


def test_bad_input_is_a_clear_error() -> None:
    df, design = _design("apistrat")
    with pytest.raises(AnalysisInputError, match="between 0 and 1"):
        survey_quantile(df, "api00", 1.0, **design)
    with pytest.raises(AnalysisInputError, match="not numeric"):
        survey_quantile(df, "stype", 0.5, **design)
    with pytest.raises(AnalysisInputError, match="undefined"):
        survey_ratio(df.assign(zero=0.0), "api00", "zero", **design)
    with pytest.raises(AnalysisInputError, match="empty"):
        survey_total(df, [], **design)
