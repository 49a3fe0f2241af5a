"""Agreement between the coders of a register, per field, and of a model-assisted coder with each
manual one (issue 21, deliverable 3)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from deliberval.analysis.agreement import agreement
from deliberval.analysis.register_agreement import REGISTER_AGREEMENT_COLUMNS, register_agreement
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.instruments import load_instrument
from deliberval.report import ReportSettings, build_report
from deliberval.validation.process import process_data
from deliberval.validation.register import validate_register

STATUS = {  # rec -> codes of ann, bob, model (one response each, dated 2025-04-01)
    "r1": ("implemented", "implemented", "implemented"),
    "r2": ("acknowledged", "acknowledged", "acknowledged"),
    "r3": ("implemented", "acknowledged", "acknowledged"),
    "r4": ("rejected_with_reasons", "rejected_with_reasons", "implemented"),
}


def _tables():
    recs = pd.DataFrame({"process_id": "p", "rec_id": list(STATUS), "title": list(STATUS),
                         "submitted": "2025-01-15", "prior_agenda": ["yes", "no", "no", "yes"]})
    ev = pd.DataFrame([{"rec_id": r, "date": "2025-04-01", "response_status": code, "coder": who,
                        "fidelity": "unchanged" if code == "implemented" else None}
                       for r, codes in STATUS.items() for who, code in zip(("ann", "bob", "model"), codes, strict=True)])
    evi = pd.DataFrame({"rec_id": ["r1", "r1", "r2", "r2"], "field": "prior_agenda",
                        "code": ["yes", "no", "no", "no"], "coder": ["ann", "bob", "ann", "bob"],
                        "document": "agreement.txt", "passage": ["p1", "p2", "p3", "p4"]})
    return recs, ev, evi


def test_per_field_and_model_against_each_coder():
    recs, ev, evi = _tables()
    checked = validate_register(recs, ev, evidence=evi)
    assert checked.all_valid  # bob's other prior agenda of r1 is a warning, kept
    out = register_agreement(checked.register)
    assert list(out.columns) == list(REGISTER_AGREEMENT_COLUMNS)
    status = out[out["field"] == "response_status"]
    # all three coders: the same numbers as deliberval.agreement on the long table (validated against R)
    long = pd.DataFrame({"item": ev["rec_id"], "coder": ev["coder"], "code": ev["response_status"]})
    ref = agreement(long, weights=None).table.set_index("statistic")
    every = status[status["comparison"] == "all coders"].set_index("statistic")
    for stat in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "gwet_ac1"):
        assert every.loc[stat, "estimate"] == pytest.approx(ref.loc[stat, "estimate"], abs=1e-15)
    assert every.loc["percent_agreement", "estimate"] == pytest.approx(2 / 4)
    # model vs ann: agree on r1, r2 (2 of 4); by hand p_o = 1/2, p_e = sum of the products of the margins
    m_ann = status[(status["comparison"] == "model") & (status["coder_2"] == "ann")].set_index("statistic")
    ann = ["implemented", "acknowledged", "implemented", "rejected_with_reasons"]
    mod = ["implemented", "acknowledged", "acknowledged", "implemented"]
    cats = sorted(set(ann) | set(mod))
    p_e = sum(ann.count(c) / 4 * mod.count(c) / 4 for c in cats)
    assert m_ann.loc["cohen_kappa", "estimate"] == pytest.approx((0.5 - p_e) / (1 - p_e), abs=1e-12)
    pi = [(ann.count(c) + mod.count(c)) / 8 for c in cats]
    p_e_gwet = sum(p * (1 - p) for p in pi) / (len(cats) - 1)
    assert m_ann.loc["gwet_ac1", "estimate"] == pytest.approx((0.5 - p_e_gwet) / (1 - p_e_gwet), abs=1e-12)
    assert m_ann.loc["cohen_kappa", "n"] == 4
    assert m_ann.loc["cohen_kappa", "ci_low"] < m_ann.loc["cohen_kappa", "estimate"] < m_ann.loc["cohen_kappa", "ci_high"]
    # model vs bob: agree on 3 of 4
    m_bob = status[(status["comparison"] == "model") & (status["coder_2"] == "bob")].set_index("statistic")
    assert m_bob.loc["percent_agreement", "estimate"] == pytest.approx(3 / 4)
    # fidelity: only implemented events carry one; prior agenda from the coders' evidence (ann, bob; 1 of 2 agree)
    prior = out[out["field"] == "prior_agenda"].set_index("statistic")
    assert prior.loc["percent_agreement", "estimate"] == pytest.approx(0.5)
    assert prior.loc["percent_agreement", "n"] == 2
    assert set(out["field"]) == {"response_status", "fidelity", "prior_agenda"}


def test_one_coder_no_rows_and_the_report(tmp_path):
    recs, ev, evi = _tables()
    one = ev[ev["coder"] == "ann"]
    assert register_agreement(validate_register(recs, one).register).empty
    data = process_data(load_instrument("participant_standard"), recommendations=recs, events=ev, evidence=evi)
    evaluation = evaluate_process(data, EvaluationSettings(as_of=dt.date(2025, 12, 31)))
    report = build_report(evaluation, ReportSettings())
    tab = next(t for s in report.sections for t in s.tables if t.key == "uptake_agreement")
    text = tab.data.to_string()
    assert "ann" not in text
    assert "bob" not in text  # coders are numbered, not named
    assert "model-assisted coder vs coder 1" in set(tab.data["coder_pair"])
    assert set(tab.data["evidence_field"]) == {"response status", "fidelity", "already on the agenda"}
