"""Both sides of a hybrid body in the report (issue 17, deliverable 5): shares, differences, small cells."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.sides import share_difference
from deliberval.datasets import load_example
from deliberval.indicators import evaluate_process
from deliberval.report import ReportSettings, build_report
from support.evaluations import example_evaluation

K = 5


def _sides(report):  # type: ignore[no-untyped-def]
    sec = next(s for s in report.sections if s.key == "experience")
    tab = next((t for t in sec.tables if t.key == "experience_sides"), None)
    return sec, tab


@pytest.fixture(scope="module")
def brussels():  # type: ignore[no-untyped-def]
    return example_evaluation("brussels_committee")


@pytest.fixture(scope="module")
def gentofte():  # type: ignore[no-untyped-def]
    return example_evaluation("gentofte_ptc")


def test_politicians_answer_the_experience_items(gentofte) -> None:  # type: ignore[no-untyped-def]
    exp = gentofte.experience
    items = {"dx_facilitation_neutral", "dx_equal_opportunity", "dx_respect", "dx_evidence_balanced",
             "dx_free_decision"}
    asked = set(exp.loc[exp["role"] == "politician", "item"])
    assert items <= asked
    # the other experience items stay citizens' only, so the deliberative-quality scale is citizens'
    assert "dx_time_enough" not in asked
    sides = gentofte.experience_sides.set_index("item")
    row = sides.loc["dx_facilitation_neutral"]
    assert (row["count"], row["n"], row["reference_count"], row["reference_n"]) == (12, 13, 20, 22)


def test_the_report_compares_both_sides_with_intervals(brussels) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(brussels, ReportSettings())
    _sec, tab = _sides(rep)
    assert tab is not None
    assert tab.rule is not None
    data = tab.data
    assert list(data.columns[:10]) == ["item", "role", "n", "share_agree", "ci_low", "ci_high", "difference_pp",
                                       "ci_low_pp", "ci_high_pp", "p_value"]
    sides = brussels.experience_sides.set_index("item")
    ins = brussels.instrument
    shown = data.loc[(data["role"] == "politicians") & ~data["suppressed"]]
    assert len(shown) >= 3
    for _, r in shown.iterrows():
        item = next(i for i in sides.index if ins.item(i).text["en"] == r["item"])
        truth = sides.loc[item]
        assert r["n"] == truth["n"]
        assert r["share_agree"] == pytest.approx(truth["share"])
        assert r["ci_low"] == pytest.approx(truth["share_ci_low"])
        assert r["difference_pp"] == pytest.approx(100 * truth["estimate"])
        assert r["ci_low_pp"] == pytest.approx(100 * truth["ci_low"])
        assert r["ci_high_pp"] == pytest.approx(100 * truth["ci_high"])
        assert r["p_value"] == pytest.approx(truth["exact_p_value"])
        assert min(truth["count"], truth["n"] - truth["count"]) >= K
    # the facilitation item: MPs 7 of 14 against citizens 30 of 38, a difference below zero
    fac = sides.loc["dx_facilitation_neutral"]
    assert (fac["count"], fac["n"], fac["reference_count"], fac["reference_n"]) == (7, 14, 30, 38)
    assert fac["ci_high"] < 0
    citizens = data.loc[data["role"] == "citizens"]
    assert citizens["difference_pp"].isna().all()
    assert "Newcombe" in tab.note
    assert tab.title == "Both sides of the body: citizens, politicians"  # only the sides present


def test_french_report_names_the_sides_in_french(brussels) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(brussels, ReportSettings(language="fr"))
    _, tab = _sides(rep)
    assert set(tab.data["role"]) == {"citoyens", "élus"}
    assert "Newcombe" in tab.note
    assert tab.title == "Les deux côtés de l'instance : citoyens, élus"


def test_small_sides_are_suppressed_with_the_reason(gentofte) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(gentofte, ReportSettings())
    sec, tab = _sides(rep)
    pol = tab.data.loc[tab.data["role"] == "politicians"]
    # 12 of 13 politicians agree on facilitation: the complement (1) is below 5, so the row is hidden
    assert pol["suppressed"].all()
    assert pol[["n", "share_agree", "ci_low", "ci_high", "difference_pp", "ci_low_pp", "p_value"]].isna().all().all()
    assert any(n.startswith("Politicians: 5 row(s) not shown: fewer than 5") for n in sec.notices)


def _crafted(ev, counts: pd.DataFrame):  # type: ignore[no-untyped-def]
    return replace(ev, experience_sides=share_difference(counts, by="item"))


def test_a_hidden_citizens_share_withholds_the_difference(gentofte) -> None:  # type: ignore[no-untyped-def]
    counts = pd.DataFrame({"item": ["dx_respect", "dx_respect", "dx_free_decision", "dx_free_decision"],
                           "role": ["citizen", "politician", "citizen", "politician"],
                           "count": [20, 7, 12, 3], "n": [20, 14, 20, 3]})
    rep = build_report(_crafted(gentofte, counts), ReportSettings())
    sec, tab = _sides(rep)
    d = tab.data
    # dx_respect: every citizen agrees (complement 0 < 5): hidden; the MPs' share is shown, but the
    # difference, its interval and the test would give the citizens' share back: withheld
    cit, pol = d.iloc[0], d.iloc[1]
    assert bool(cit["suppressed"])
    assert cit["suppression"] == "complement"
    assert not bool(pol["suppressed"])
    assert pol["share_agree"] == pytest.approx(0.5)
    assert np.isnan(pol[["difference_pp", "ci_low_pp", "ci_high_pp", "p_value"]].astype(float)).all()
    assert pol["suppression"] == "secondary:difference_pp,ci_low_pp,ci_high_pp,p_value"
    # dx_free_decision: 3 politicians (primary), citizens shown
    cit2, pol2 = d.iloc[2], d.iloc[3]
    assert not bool(cit2["suppressed"])
    assert bool(pol2["suppressed"])
    assert pol2["suppression"] == "primary"
    assert pd.isna(pol2["n"])
    assert any("1 difference(s) withheld" in n for n in sec.notices)
    assert any(n.startswith("Politicians: 1 row(s) not shown") for n in sec.notices)
    assert any(n.startswith("Citizens: 1 row(s) not shown") for n in sec.notices)


def test_no_sides_table_without_a_second_side() -> None:
    ev = evaluate_process(load_example("climate_assembly", n_invited=2_000, n_volunteers=200,
                                       n_population=0).process_data())
    assert ev.experience_sides.empty
    _, tab = _sides(build_report(ev, ReportSettings()))
    assert tab is None
