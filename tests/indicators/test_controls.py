"""evaluate_process with a self-selected control group: propensity weights, adjusted DiD, event study.

Data: the SYNTHETIC climate_assembly example (all 100 members and the first 200 volunteers not
selected, who answered the control questionnaire), with a follow-up wave made of the post rows
of a seeded 80 % of them. Every number the evaluation keeps must equal the analysis called
directly on a baseline frame built here, independently of :mod:`deliberval.indicators.controls`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.event_study import event_study
from deliberval.analysis.propensity import propensity_weights
from deliberval.datasets import load_example
from deliberval.errors import AnalysisInputError, DataInputError
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.instruments import load_instrument
from deliberval.validation.process import process_data

COVS = ("demo_gender", "demo_age_band", "demo_education")


def _responses(follow_up: bool) -> pd.DataFrame:
    r = load_example("climate_assembly", seed=2021).responses
    controls = r.loc[r["group"] == "control", "respondent_id"].drop_duplicates().iloc[:200]
    keep = set(r.loc[r["group"] == "participant", "respondent_id"]) | set(controls)
    sub = r.loc[r["respondent_id"].isin(keep) & r["group"].isin(["participant", "control"])]
    if not follow_up:
        return sub.reset_index(drop=True)
    post = sub.loc[sub["wave"] == "post"]
    fu = post.loc[np.random.default_rng(19).random(len(post)) < 0.8].assign(wave="follow_up")
    return pd.concat([sub, fu], ignore_index=True)


@pytest.fixture(scope="module")
def data() -> object:
    return process_data(load_instrument("participant_standard"), responses=_responses(True), synthetic=True)


@pytest.fixture(scope="module")
def ev(data: object) -> object:
    return evaluate_process(data, EvaluationSettings(covariates=COVS, trim=0.02))


def _baseline(ev: object) -> pd.DataFrame:
    """One row per citizen: group and the covariates of the pre row (where the example has them)."""
    s = ev.scored.data
    pre = s.loc[(s["wave"] == "pre") & s["group"].isin(["participant", "control"])]
    return pre.set_index("respondent_id")[["group", *COVS]]


def test_balance_is_propensity_weights_called_directly(ev: object) -> None:
    direct = propensity_weights(_baseline(ev), "group", list(COVS), treated="participant", trim=0.02)
    got = ev.balance
    assert got is not None
    assert "balance" not in ev.reasons
    pd.testing.assert_frame_equal(got.balance, direct.balance, check_exact=False, rtol=1e-12, atol=1e-14)
    pd.testing.assert_frame_equal(got.summary, direct.summary, check_exact=False, rtol=1e-12, atol=1e-14)
    # real values: the members are older and more educated than the volunteers not selected
    row = direct.balance.set_index("covariate")
    assert row.loc["demo_education=isced_5_8", "asmd_before"] > 0.1 > row.loc["demo_education=isced_5_8", "asmd_after"]
    assert (direct.balance["asmd_after"] < direct.balance["asmd_before"]).sum() >= 9
    assert list(direct.summary["n"]) == [98, 197]  # 2 participants and 3 controls refused a covariate
    cats = ev.balance_categories
    assert int(cats.set_index("covariate").loc["demo_gender=other", "count_participant"]) == 1
    for _, per in cats.groupby("column"):  # each covariate's categories hold everyone in the model
        assert per[["count_participant", "count_control"]].sum().tolist() == [98, 197]


def test_adjusted_did_is_event_study_called_directly(ev: object) -> None:
    s = ev.scored.data
    w = propensity_weights(_baseline(ev), "group", list(COVS), treated="participant", trim=0.02).weights["weight"]
    base = _baseline(ev)[list(COVS)].assign(pw=w)
    rows = s.loc[s["wave"].isin(["pre", "post"])].drop(columns=list(COVS)).join(base, on="respondent_id")
    adj = ev.did_adjusted.set_index("outcome")
    assert set(adj["adjustment"]) == {"propensity_weighted"}
    for outcome, col in (("external_efficacy", "external_efficacy"), ("internal_efficacy", "internal_efficacy")):
        direct = event_study(rows, col, waves=["pre", "post"], covariates=list(COVS), weight="pw")
        d = direct.loc[direct["model"] == "event_study"].iloc[0]
        for c in ("estimate", "se", "ci_low", "ci_high", "p_value", "df"):
            assert adj.loc[outcome, c] == pytest.approx(float(d[c]), rel=1e-12), c
        assert int(adj.loc[outcome, "n"]) == int(d["n"])
        used = rows.loc[rows[col].notna() & rows[list(COVS)].notna().all(axis=1) & (rows["pw"] > 0)]
        n = used.groupby("group")["respondent_id"].nunique()
        assert int(adj.loc[outcome, "n_participant"]) == n["participant"]
        assert int(adj.loc[outcome, "n_control"]) == n["control"]
    # beside, unchanged, the unadjusted DiD
    assert set(ev.did["model"]) == {"pooled_ols", "individual_fe", "baseline_difference"}


def test_event_study_over_the_follow_up(ev: object) -> None:
    es = ev.event_study
    featured = {i.scale for i in ev.catalogue.indicators if i.function == "deliberval.did"}
    assert set(es["outcome"]) == featured & set(ev.did["outcome"])
    assert len(set(es["outcome"])) == 2
    s = ev.scored.data
    w = propensity_weights(_baseline(ev), "group", list(COVS), treated="participant", trim=0.02).weights["weight"]
    rows = s.drop(columns=list(COVS)).join(_baseline(ev)[list(COVS)].assign(pw=w), on="respondent_id")
    for outcome in featured & set(ev.did["outcome"]):
        got = es.loc[es["outcome"] == outcome].reset_index(drop=True)
        assert got["wave"].tolist() == ["post", "follow_up"]
        direct = event_study(rows, outcome, waves=["pre", "post", "follow_up"], covariates=list(COVS), weight="pw")
        direct = direct.loc[direct["model"] == "event_study"].reset_index(drop=True)
        for c in ("estimate", "se", "ci_low", "ci_high", "p_value"):
            np.testing.assert_allclose(got[c].to_numpy(dtype=float), direct[c].to_numpy(dtype=float), rtol=1e-12)
    # the example's true effect on external efficacy is +0.4 SD, and the follow-up copies post answers
    assert (es.loc[es["outcome"] == "external_efficacy", "estimate"] > 0.2).all()


def test_adjustment_none_adjusts_for_the_covariates_only(data: object) -> None:
    ev = evaluate_process(data, EvaluationSettings(covariates=COVS, adjustment="none"))
    s = ev.scored.data
    base = s.loc[s["wave"] == "pre"].set_index("respondent_id")[list(COVS)]
    rows = s.loc[s["wave"].isin(["pre", "post"])].drop(columns=list(COVS)).join(base, on="respondent_id")
    direct = event_study(rows, "external_efficacy", waves=["pre", "post"], covariates=list(COVS))
    got = ev.did_adjusted.set_index("outcome").loc["external_efficacy"]
    assert got["adjustment"] == "covariate_adjusted"
    assert got["estimate"] == pytest.approx(float(direct.loc[0, "estimate"]), rel=1e-12)
    assert got["se"] == pytest.approx(float(direct.loc[0, "se"]), rel=1e-12)
    assert "WLS" not in got["method"]
    assert ev.balance is not None  # the balance table still says what the weights would achieve


def test_reasons_without_covariates_or_control_group() -> None:
    ins = load_instrument("participant_standard")
    two_waves = process_data(ins, responses=_responses(False), synthetic=True)
    ev = evaluate_process(two_waves)
    assert ev.balance is None
    assert ev.did_adjusted.empty
    assert ev.event_study.empty
    assert ev.reasons["balance"] == "no covariates given for the control group (controls: covariates)"
    assert ev.reasons["event_study"].startswith("the responses of participants and controls have no wave after post")
    only = _responses(False)
    only = only.loc[only["group"] == "participant"]
    ev2 = evaluate_process(process_data(ins, responses=only, synthetic=True), EvaluationSettings(covariates=COVS))
    assert ev2.balance is None
    assert ev2.reasons["balance"] == "no control group in the responses (group == 'control')"


def test_an_empty_category_is_a_reason_not_a_crash() -> None:
    r = _responses(False)
    # every control who said 'other' now refuses: the category has participants only (separation)
    r.loc[(r["group"] == "control") & (r["demo_gender"] == "other"), "demo_gender"] = "refused"
    r.loc[(r["group"] == "participant") & (r["wave"] == "pre"), "demo_gender"] = r.loc[
        (r["group"] == "participant") & (r["wave"] == "pre"), "demo_gender"].replace({"refused": "other"})
    ev = evaluate_process(process_data(load_instrument("participant_standard"), responses=r, synthetic=True),
                          EvaluationSettings(covariates=COVS))
    if (r.loc[r["group"] == "control", "demo_gender"] == "other").any():  # pragma: no cover - data guard
        pytest.fail("the test data still have a control in category 'other'")
    assert ev.balance is None
    assert ev.reasons["balance"] == ("category 'other' of covariate 'demo_gender' has no controls: the propensity "
                                     "model cannot be fitted; merge it with another category")
    assert ev.did_adjusted.empty
    assert ev.reasons["did_adjusted"].startswith("no propensity weights: category 'other'")
    assert not ev.did.empty  # the unadjusted comparison stands
    from deliberval.report import ReportSettings, build_report

    sec = next(s for s in build_report(ev, ReportSettings()).sections if s.key == "change")
    assert ("Comparison group balance not assessed: category 'Other / I describe myself differently' of covariate "
            "'Gender' has no controls: the propensity model cannot be fitted; merge it with another category") \
        in sec.notices
    assert "balance" not in {t.key for t in sec.tables}


def test_settings_and_configuration(tmp_path: object) -> None:
    from pathlib import Path

    from deliberval.io.config import load_config

    folder = Path(str(tmp_path))
    (folder / "r.yaml").write_text("process_id: p\nexample: climate_assembly\ncontrols:\n  covariates: [demo_gender]\n"
                                   "  adjustment: none\n  trim: 0.05\n", encoding="utf-8")
    s = EvaluationSettings.from_config(load_config(folder / "r.yaml"))
    assert (s.covariates, s.adjustment, s.trim) == (("demo_gender",), "none", 0.05)
    assert EvaluationSettings.from_config(load_config(folder / "r.yaml").model_copy(update={"controls": None})
                                          ).covariates == ()
    (folder / "bad.yaml").write_text("process_id: p\nexample: climate_assembly\ncontrols:\n  covariates: [a]\n"
                                     "  adjustment: matching\n", encoding="utf-8")
    with pytest.raises(DataInputError, match=r"controls\.adjustment"):
        load_config(folder / "bad.yaml")
    with pytest.raises(AnalysisInputError, match="adjustment"):
        EvaluationSettings(adjustment="matching")
    with pytest.raises(AnalysisInputError, match="trim"):
        EvaluationSettings(trim=0.5)


def test_an_unknown_covariate_is_one_clear_error(data: object) -> None:
    with pytest.raises(DataInputError, match="covariate 'demo_shoe_size' is a column of neither"):
        evaluate_process(data, EvaluationSettings(covariates=("demo_shoe_size",)))


def test_the_report_shows_the_event_study(ev: object) -> None:
    from deliberval.report import ReportSettings, build_report

    sec = next(s for s in build_report(ev, ReportSettings(language="fr")).sections if s.key == "change")
    tab = {t.key: t for t in sec.tables}["event_study"]
    assert tab.title == "Étude d'événement : l'effet à chaque vague"
    np.testing.assert_allclose(tab.data["estimate"].to_numpy(dtype=float),
                               ev.event_study["estimate"].to_numpy(dtype=float), rtol=0, atol=0)
    assert tab.data["wave"].tolist()[:2] == ["avant → après", "avant → suivi"]
    assert set(tab.data["model"]) == {"ajusté : pondéré par le score de propension, covariables"}
    assert not tab.data["suppressed"].any()
