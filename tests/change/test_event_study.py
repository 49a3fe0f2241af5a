"""Covariate-adjusted DiD and the event study against R lm + clubSandwich (issue 19)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.did import DegenerateDIDWarning, did
from deliberval.analysis.event_study import EVENT_STUDY_COLUMNS, event_study
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "event_study"
R_TERMS = {"treated": "treated", "post": "wavepost", "followup": "wavefollowup", "age": "age",
           "gender=other": "genderother", "gender=woman": "genderwoman",
           "treated:post": "treated:wavepost", "treated:followup": "treated:wavefollowup"}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "event_study_data.csv")


@pytest.mark.parametrize("waves", [("pre", "post", "followup"), ("pre", "post")])
@pytest.mark.parametrize(("vcov", "r_vcov"), [("CR2", "CR2"), ("CR1", "CR1S")])
def test_matches_r_lm_and_clubsandwich(data: pd.DataFrame, waves: tuple[str, ...], vcov: str,
                                       r_vcov: str) -> None:
    got = event_study(data, "y", waves=waves, covariates=["age", "gender"], vcov=vcov)  # type: ignore[arg-type]
    ref = pd.read_csv(REF / "event_study_coefs.csv")
    ref = ref.loc[(ref["waves"] == "|".join(waves)) & (ref["vcov"] == r_vcov)].set_index("term")
    assert list(got.columns) == EVENT_STUDY_COLUMNS
    r = ref.loc[[R_TERMS[t] for t in got["term"]]]
    assert len(got) == len(ref) - 1  # every coefficient but the intercept
    for col in ["estimate", "se", "df", "p_value", "ci_low", "ci_high"]:
        np.testing.assert_allclose(got[col], r[col], rtol=1e-8, atol=1e-9, err_msg=col)
    assert (got["n_rows"] == r["n_rows"].to_numpy()).all()
    assert (got["n_clusters"] == r["n_clusters"].to_numpy()).all()
    in_waves = data["wave"].isin(waves)
    assert (got["n_excluded"] == int((in_waves & data["age"].isna()).sum())).all()
    assert got["model"].iloc[0] == "event_study"


def test_rows_are_accounted_for(data: pd.DataFrame) -> None:
    got = event_study(data, "y", waves=("pre", "post", "followup"), covariates=["age", "gender"])
    missing_age = int(data["age"].isna().sum())
    assert got["n_rows"].iloc[0] + got["n_excluded"].iloc[0] == len(data)
    assert got["n_excluded"].iloc[0] == missing_age
    assert set(got["wave"].dropna()) == {"pre", "post", "followup"}


def test_without_covariates_two_waves_equals_did(data: pd.DataFrame) -> None:
    es = event_study(data, "y", vcov="CR2")
    d = did(data, "y", vcov="CR2").set_index("model")
    row = es.loc[es["term"] == "treated:post"].iloc[0]
    for col in ["estimate", "se", "df", "ci_low", "ci_high"]:
        assert row[col] == pytest.approx(d.loc["pooled_ols", col], rel=1e-10)
    base = es.loc[es["term"] == "treated"].iloc[0]
    assert base["estimate"] == pytest.approx(d.loc["baseline_difference", "estimate"], rel=1e-10)


def test_auto_chooses_cr2_with_few_clusters(data: pd.DataFrame) -> None:
    got = event_study(data, "y", covariates="age")
    assert "CR2" in got["method"].iloc[0]  # 30 participants at most, 29 with age: fewer than 30


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"waves": ("pre",)}, "at least two"),
    ({"waves": ("pre", "later")}, "later"),
    ({"vcov": "HC3"}, "vcov"),
    ({"covariates": ["nope"]}, "nope"),
])
def test_bad_input_is_a_clear_error(data: pd.DataFrame, kwargs: dict, match: str) -> None:
    with pytest.raises(AnalysisInputError, match=match):
        event_study(data, "y", **kwargs)


def test_collinear_covariate_and_missing_group_wave(data: pd.DataFrame) -> None:
    with pytest.raises(AnalysisInputError, match="singular"):
        event_study(data.assign(k=1.0), "y", covariates="k")
    no_ctl_follow = data.loc[~((data["group"] == "control") & (data["wave"] == "followup"))]
    with pytest.raises(AnalysisInputError, match="followup"):
        event_study(no_ctl_follow, "y", waves=("pre", "post", "followup"))


def test_constant_outcome_warns_and_reports_nan(data: pd.DataFrame) -> None:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        got = event_study(data.assign(y=3.0), "y")
    assert any(issubclass(w.category, DegenerateDIDWarning) for w in rec)
    assert got["se"].isna().all()
    np.testing.assert_allclose(got["estimate"], 0.0, atol=1e-12)


@pytest.mark.parametrize(("vcov", "r_vcov"), [("CR1", "CR1S")])
def test_weighted_matches_r_lm_weights_and_clubsandwich(data: pd.DataFrame, vcov: str, r_vcov: str) -> None:
    df = data.assign(w=0.5 + (data["respondent_id"].str[1:].astype(int) % 5) / 4)
    got = event_study(df, "y", waves=("pre", "post", "followup"), covariates=["age", "gender"],
                      weight="w", vcov=vcov)  # type: ignore[arg-type]
    ref = pd.read_csv(REF / "event_study_coefs.csv")
    ref = ref.loc[(ref["waves"] == "weighted") & (ref["vcov"] == r_vcov)].set_index("term")
    r = ref.loc[[R_TERMS[t] for t in got["term"]]]
    for col in ["estimate", "se", "df", "p_value", "ci_low", "ci_high"]:
        np.testing.assert_allclose(got[col], r[col], rtol=1e-8, atol=1e-9, err_msg=col)
    assert got["method"].iloc[0].startswith("WLS (weights: w)")


def test_weights_must_be_non_negative_and_missing_ones_are_counted(data: pd.DataFrame) -> None:
    with pytest.raises(AnalysisInputError, match="non-negative"):
        event_study(data.assign(w=-1.0), "y", weight="w")
    w = pd.Series(1.0, index=data.index)
    w.iloc[:4] = np.nan
    got = event_study(data.assign(w=w), "y", waves=("pre", "post", "followup"), weight="w")
    assert got["n_rows"].iloc[0] + got["n_excluded"].iloc[0] == len(data)
    assert got["n_excluded"].iloc[0] == int((w.isna() | data["y"].isna()).sum())
    # equal weights: the same estimates and CR2 / CR1 results as unweighted (weighted CR2, issue 19)
    auto = event_study(data.assign(w=1.0), "y", weight="w")
    assert "CR2" in auto["method"].iloc[0]  # fewer than 30 participants: auto picks CR2 with weights too
    plain = event_study(data, "y")
    for col in ["estimate", "se", "df"]:
        np.testing.assert_allclose(auto[col], plain[col], rtol=1e-10, err_msg=col)
    cr1 = event_study(data.assign(w=2.0), "y", weight="w", vcov="CR1")
    np.testing.assert_allclose(cr1["estimate"], event_study(data, "y", vcov="CR1")["estimate"])
