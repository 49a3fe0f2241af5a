"""Fate of recommendations against R: geepack, lme4 (nAGQ 1 and 9), cmprsk::cuminc, prop.test.

Inputs and goldens are written by tests/reference/uptake/generate_fate.R (a seeded register-like
data set: 30 processes, 500 recommendations, 561 dated events).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from deliberval.analysis.fate import (
    FATE_COVARIATES,
    FATE_LEVELS,
    FateModelResult,
    cumulative_incidence,
    fate_data,
    fate_model,
)
from deliberval.analysis.uptake import INDICATORS, say_do_gap, uptake_snapshots
from deliberval.errors import AnalysisInputError
from deliberval.plots.fate import plot_cumulative_incidence, plot_say_do_curve
from deliberval.validation.register import validate_register

REF = Path(__file__).resolve().parents[1] / "reference" / "uptake"
AS_OF = "2025-12-31"
R_TERMS = {"(Intercept)": "(Intercept)", "vote_share": "vote_share",
           "cost_classmedium": "cost_class[medium]", "cost_classhigh": "cost_class[high]",
           "challenges_policyyes": "challenges_policy[yes]", "prior_agendayes": "prior_agenda[yes]"}
CAUSES = {1: "implementation", 2: "rejection", 3: "other_response", 0: "censored"}


@pytest.fixture(scope="module")
def register():
    checked = validate_register(pd.read_csv(REF / "fate_recommendations.csv"),
                                pd.read_csv(REF / "fate_events.csv"))
    assert checked.all_valid, checked.failures
    return checked.register


@pytest.fixture(scope="module")
def data(register):
    return fate_data(register, as_of=AS_OF)


@pytest.fixture(scope="module")
def golden():
    return pd.read_csv(REF / "fate_models_golden.csv")


def _ref(golden: pd.DataFrame, model: str) -> pd.DataFrame:
    g = golden[(golden["model"] == model) & golden["term"].isin(list(R_TERMS))].copy()
    g["term"] = g["term"].map(R_TERMS)
    return g.set_index("term")


def test_fate_data_matches_the_r_derivation(data) -> None:
    ref = pd.read_csv(REF / "fate_derived_golden.csv").set_index("rec_id").loc[data["rec_id"]]
    assert len(data) == 500
    np.testing.assert_array_equal(data["taken_up"].to_numpy(), ref["taken_up"].to_numpy())
    np.testing.assert_array_equal(data["time"].to_numpy(), ref["ftime"].to_numpy(dtype=float))
    np.testing.assert_array_equal(data["event"].to_numpy(), ref["fstatus"].map(CAUSES).to_numpy())
    assert int(data["taken_up"].sum()) == int(ref["taken_up"].sum()) == 166
    assert list(data.columns[:6]) == ["process_id", "rec_id", *FATE_COVARIATES]


def test_gee_matches_geepack(data, golden) -> None:
    res = fate_model(data, method="gee")
    assert isinstance(res, FateModelResult)
    ref = _ref(golden, "gee")
    coef = res.coefficients.set_index("term").loc[ref.index]
    np.testing.assert_allclose(coef["estimate"], ref["estimate"], atol=1e-8)
    np.testing.assert_allclose(coef["se"], ref["se"], atol=1e-8)
    alpha = golden.query("model == 'gee' and term == 'alpha'")["estimate"].item()
    params = res.parameters.set_index("parameter")["estimate"]
    assert params["alpha"] == pytest.approx(alpha, abs=1e-8)
    assert params["n_processes"] == 30
    assert (res.coefficients["n"] == 500).all()
    z = 1.959963984540054
    np.testing.assert_allclose(res.coefficients["ci_low"], res.coefficients["estimate"]
                               - z * res.coefficients["se"], rtol=1e-12)
    assert set(res.tables()) == {"coefficients", "parameters", "dropped"}
    assert list(res.coefficients.columns) == ["term", "estimate", "se", "ci_low", "ci_high",
                                              "statistic", "p_value", "confidence_level", "n",
                                              "method"]


@pytest.mark.parametrize(("n_agq", "se_tol"), [(1, 3e-6), (9, 1e-7)])
def test_random_intercept_logit_matches_glmer(data, golden, n_agq, se_tol) -> None:
    res = fate_model(data, method="glmm", n_agq=n_agq)
    model = f"glmer_nagq{n_agq}"
    ref = _ref(golden, model)
    coef = res.coefficients.set_index("term").loc[ref.index]
    np.testing.assert_allclose(coef["estimate"], ref["estimate"], atol=1e-6)
    # golden standard errors: inverse Hessian of lme4's deviance function (numDeriv); at
    # nAGQ = 1 numDeriv itself moves by ~1e-7 with its step and lme4's PIRLS tolerance
    np.testing.assert_allclose(coef["se"], ref["se"], atol=se_tol)
    params = res.parameters.set_index("parameter")["estimate"]
    g = golden[golden["model"] == model].set_index("term")["estimate"]
    assert params["sd_process"] == pytest.approx(g["sd_(Intercept)"], abs=1e-6)
    assert params["deviance"] == pytest.approx(g["deviance"], abs=1e-6)
    assert "glmer" in res.coefficients["method"].iloc[0]


def test_rows_with_unknown_covariates_are_dropped_and_listed(data) -> None:
    df = data.copy()
    df.loc[[0, 1], "cost_class"] = "unknown"
    df.loc[2, "vote_share"] = np.nan
    res = fate_model(df, method="gee")
    assert (res.coefficients["n"] == 497).all()
    assert res.dropped["rec_id"].tolist() == df["rec_id"].iloc[:3].tolist()
    assert res.dropped["reason"].tolist() == ["cost_class missing or unknown"] * 2 + [
        "vote_share missing or unknown"]


def test_fate_model_rejects_bad_input(data) -> None:
    with pytest.raises(AnalysisInputError, match="0/1"):
        fate_model(data.assign(taken_up=2))
    with pytest.raises(AnalysisInputError, match="two processes"):
        fate_model(data.assign(process_id="p"))
    with pytest.raises(AnalysisInputError, match="n_agq"):
        fate_model(data, method="glmm", n_agq=0)
    with pytest.raises(AnalysisInputError, match="do not vary"):
        fate_model(data.assign(prior_agenda="yes"))


def test_cumulative_incidence_matches_cuminc(data) -> None:
    ref = pd.read_csv(REF / "fate_cuminc_golden.csv")
    ref["cause"] = ref["cause"].map(CAUSES)
    overall = cumulative_incidence(data)
    m = ref[ref["by"].isna()].merge(overall, on=["cause", "time"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all()
    assert len(m) == 357
    np.testing.assert_allclose(m["estimate_x"], m["estimate_y"], atol=1e-12)
    np.testing.assert_allclose(m["variance"], m["se"] ** 2, atol=1e-12)
    by = cumulative_incidence(data, by="prior_agenda")
    r = ref[ref["by"] == "prior_agenda"].rename(columns={"group": "prior_agenda"})
    m = r.merge(by, on=["prior_agenda", "cause", "time"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all()
    assert len(m) == 402
    np.testing.assert_allclose(m["estimate_x"], m["estimate_y"], atol=1e-12)
    np.testing.assert_allclose(m["variance"], m["se"] ** 2, atol=1e-12)
    # every event is counted once; the three curves and the survivors add up to one
    last = overall.groupby("cause")["estimate"].max()
    assert overall["n_events"].sum() == int((data["event"] != "censored").sum())
    assert (overall["ci_low"] <= overall["estimate"]).all()
    assert (overall["ci_high"] >= overall["estimate"]).all()
    assert last.sum() < 1


def test_say_do_gap_matches_prop_test(register) -> None:
    ref = pd.read_csv(REF / "fate_say_do_golden.csv")
    for (as_of, days), r in ref.groupby(["as_of", "days"]):
        got = say_do_gap(register, as_of=as_of, days=int(days)) if as_of >= "2025" else None
        snaps = uptake_snapshots(register, [as_of], say_do_days=int(days))
        s = snaps[snaps["indicator"] == "say_do_gap"].set_index("process_id").loc[r["process_id"]]
        np.testing.assert_array_equal(s["n"].to_numpy(), r["n"].to_numpy())
        np.testing.assert_array_equal(s["count"].to_numpy(), r["count"].to_numpy(dtype=float))
        np.testing.assert_allclose(s["estimate"], r["estimate"], atol=1e-12)
        np.testing.assert_allclose(s["ci_low"], r["ci_low"], atol=1e-9)
        np.testing.assert_allclose(s["ci_high"], r["ci_high"], atol=1e-9)
        if got is not None:
            pd.testing.assert_frame_equal(
                got.reset_index(drop=True),
                s.reset_index()[got.columns].reset_index(drop=True), check_dtype=False)


def test_snapshots_count_only_submitted_recommendations(register) -> None:
    snaps = uptake_snapshots(register, ["2020-01-01", "2022-12-31", AS_OF], say_do_days=365)
    assert sorted(snaps["as_of"].dt.strftime("%Y-%m-%d").unique()) == ["2022-12-31", AS_OF]
    recs = register.recommendations
    early = snaps[(snaps["as_of"] == "2022-12-31") & (snaps["indicator"] == "uptake_rate")]
    submitted = recs[recs["submitted"] <= "2022-12-31"].groupby("process_id").size()
    assert early.set_index("process_id")["n"].to_dict() == submitted.to_dict()
    assert set(snaps["indicator"]) == {*INDICATORS} - {"answered_within_deadline"} | {"say_do_gap"}
    with pytest.raises(AnalysisInputError, match="days"):
        say_do_gap(register, as_of=AS_OF, days=-1)
    with pytest.raises(AnalysisInputError, match="dates"):
        uptake_snapshots(register, ["not a date"])


def test_figures_draw_the_tables(data, register) -> None:
    cif = cumulative_incidence(data)
    fig = plot_cumulative_incidence(cif)
    assert isinstance(fig, Figure)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 3
    impl = cif[cif["cause"] == "implementation"]
    np.testing.assert_allclose(lines[0].get_ydata()[1:], impl["estimate"].to_numpy())
    snaps = uptake_snapshots(register, ["2023-12-31", "2024-12-31", AS_OF], say_do_days=365)
    fig = plot_say_do_curve(snaps.query("process_id in ['p01', 'p04']"))
    assert len(fig.axes[0].get_legend().get_texts()) == 2
    with pytest.raises(AnalysisInputError):
        plot_say_do_curve(cif)


@pytest.mark.parametrize("n_agq", [1, 9])
def test_ordered_fate_matches_clmm(data, golden, n_agq) -> None:
    ref = pd.read_csv(REF / "fate_derived_golden.csv").set_index("rec_id").loc[data["rec_id"]]
    np.testing.assert_array_equal(data["fate"].to_numpy(), ref["fate"].to_numpy())
    res = fate_model(data, "fate", method="glmm", n_agq=n_agq, levels=FATE_LEVELS)
    g = golden[golden["model"] == f"clmm_nagq{n_agq}"].set_index("term")
    names = {"not_taken_up|transformed": "threshold[not_taken_up|transformed]",
             "transformed|accepted": "threshold[transformed|accepted]", **R_TERMS}
    r = g.loc[[t for t in g.index if t in names]].rename(index=names)
    coef = res.coefficients.set_index("term")
    assert list(coef.index) == list(r.index)
    # clmm stops with gradients of about 3e-5 (its deviance equals ours to 1e-8): 2e-5
    np.testing.assert_allclose(coef["estimate"], r["estimate"], atol=2e-5)
    params = res.parameters.set_index("parameter")["estimate"]
    assert params["deviance"] == pytest.approx(g.loc["deviance", "estimate"], abs=1e-6)
    assert params["sd_process"] == pytest.approx(g.loc["sd_(Intercept)", "estimate"], abs=1e-5)
    if n_agq == 9:
        np.testing.assert_allclose(coef["se"], r["se"], atol=2e-5)
    # at nAGQ = 1 clmm's own standard errors move by 5e-3 between its optimizers (nlminb,
    # ucminf), so they are no reference; the binary Laplace SEs are checked against lme4 above
    with pytest.raises(AnalysisInputError, match="glmm"):
        fate_model(data, "fate", levels=FATE_LEVELS)
    with pytest.raises(AnalysisInputError, match="not in levels"):
        fate_model(data, "fate", method="glmm", levels=["not_taken_up", "accepted", "other"])


def test_laplace_standard_errors_match_the_exact_laplace_deviance(data, golden) -> None:
    """Against numDeriv on the Laplace deviance written out in R with exact conditional modes
    (lme4's own deviance function carries noise from its PIRLS tolerance)."""
    res = fate_model(data, method="glmm", n_agq=1)
    ref = _ref(golden, "laplace_exact")
    coef = res.coefficients.set_index("term").loc[ref.index]
    np.testing.assert_allclose(coef["se"], ref["se"], atol=2e-7)
    check = golden.query("model == 'laplace_exact' and term == 'deviance_check'")
    # the written-out deviance equals lme4's at lme4's optimum (up to lme4's inner tolerance)
    assert check["estimate"].item() == pytest.approx(check["se"].item(), abs=1e-6)
    params = res.parameters.set_index("parameter")["estimate"]
    assert params["deviance"] == pytest.approx(check["estimate"].item(), abs=1e-8)
