"""The two examples of issue 17 (deliverable 6): they load, validate, evaluate and render a report.

``ostbelgien_dialogue`` (a standing citizens' council of 24 commissioning successive assemblies;
the parliament answers each recommendation and justifies every rejection) and
``brussels_committee`` (45 citizens and 15 MPs, French and Dutch). The oracle of
``tests/pipeline/test_oracle.py`` was written by the pre-redesign API for the first four examples
only, so their key values are pinned here instead (seed 2021, the oracle's settings).
"""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from deliberval.datasets import list_examples, load_example
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.instruments import load_instrument
from deliberval.report import ReportSettings, build_report, render_html

NEW = ("ostbelgien_dialogue", "brussels_committee")

#: indicator_id -> (estimate, n) at seed 2021
KEY_VALUES = {
    "ostbelgien_dialogue": {
        "representativeness_dissimilarity": (0.05746621621621621, 74),
        "retention_rate": (0.9324324324324325, 74),
        "facilitation_neutral": (0.7727272727272727, 66),
        "equal_opportunity": (0.803030303030303, 66),
        "deliberative_quality_scale": (3.9796849087893866, 67),
        "response_any": (1.0, 18),
        "response_within_deadline": (0.7777777777777778, 18),
        "rejected_without_reasons": (0.0, 18),
        "uptake_rate": (0.5555555555555556, 18),
        "change_external_efficacy": (0.27821810327581764, 66),
    },
    "brussels_committee": {
        "representativeness_dissimilarity": (0.07263888888888889, 45),
        "retention_rate": (0.9333333333333333, 45),
        "facilitation_neutral": (0.7894736842105263, 38),
        "equal_opportunity": (0.717948717948718, 39),
        "deliberative_quality_scale": (3.965506715506717, 39),
        "response_any": (0.7916666666666666, 24),
        "response_within_deadline": (0.7083333333333334, 24),
        "rejected_without_reasons": (0.041666666666666664, 24),
        "uptake_rate": (0.20833333333333334, 24),
        "change_external_efficacy": (0.4614385348416443, 39),
        "change_hybrid_openness": (1.2005153380009352, 14),
    },
}


@functools.cache
def _evaluate(name: str):  # type: ignore[no-untyped-def]
    data = load_example(name, seed=2021, registers=True).process_data(load_instrument("participant_standard"))
    return name, data, evaluate_process(data, EvaluationSettings(seed=2021))


@pytest.fixture(scope="module", params=NEW)
def evaluated(request):  # type: ignore[no-untyped-def]
    return _evaluate(request.param)


def test_listed_and_labelled_synthetic() -> None:
    table = list_examples().set_index("name")
    assert set(NEW) <= set(table.index)
    assert table.loc["ostbelgien_dialogue", "model"] == "permanent_dialogue"
    assert table.loc["brussels_committee", "languages"] == "fr,nl"
    for name in NEW:
        ex = load_example(name)
        assert ex.description.startswith("SYNTHETIC")
        assert "SYNTHETIC" in ex.process["name"].item()


def test_nothing_is_quarantined_and_every_row_is_accounted_for(evaluated) -> None:  # type: ignore[no-untyped-def]
    name, data, _ = evaluated
    ex = load_example(name, seed=2021, registers=True)
    results = data.validations()
    assert {k: len(v.quarantined) for k, v in results.items()} == dict.fromkeys(results, 0)
    assert results["responses"].n_rows == len(ex.responses)
    assert results["members"].n_rows == len(ex.members)
    assert results["recommendations"].n_rows == len(ex.recommendations)


def test_key_values(evaluated) -> None:  # type: ignore[no-untyped-def]
    name, _, ev = evaluated
    tab = ev.indicators.set_index("indicator_id")
    for indicator, (estimate, n) in KEY_VALUES[name].items():
        assert tab.loc[indicator, "status"] == "measured", indicator
        assert float(tab.loc[indicator, "estimate"]) == pytest.approx(estimate, rel=1e-12, abs=0), indicator
        assert int(tab.loc[indicator, "n"]) == n, indicator


def test_ostbelgien_design() -> None:
    name, data, ev = _evaluate("ostbelgien_dialogue")
    ex = load_example(name, registers=True)
    sat = ex.members.loc[ex.members["selected"]]
    assert sat.groupby("unit").size().to_dict() == {"assembly_1": 25, "assembly_2": 25, "citizens_council": 24}
    assert (sat.loc[sat["unit"] == "citizens_council", "demo_prior_participation"] == "yes").all()
    # the parliament answers every recommendation and justifies every rejection, within a deadline
    assert data.response_deadline_days == 120
    assert ex.process[["response_deadline_days", "justification_required"]].iloc[0].tolist() == [120, "yes"]
    assert set(ex.response_events["rec_id"]) == set(ex.recommendations["rec_id"])
    assert not (ex.response_events["response_status"] == "rejected_without_reasons").any()
    assert sorted(ex.recommendations["submitted"].dt.strftime("%Y-%m-%d").unique()) == ["2020-02-15", "2021-03-27"]
    assert set(ex.responses["language"]) == {"de"}
    assert ev.experience_sides.empty  # citizens only: no second side


def test_brussels_design() -> None:
    name, _, ev = _evaluate("brussels_committee")
    ex = load_example(name)
    assert ex.members.loc[ex.members["selected"]].groupby("role").size().to_dict() == {"citizen": 45,
                                                                                       "politician": 15}
    langs = ex.responses.groupby("role")["language"].agg(lambda s: sorted(set(s))).to_dict()
    assert langs == {"citizen": ["fr", "nl"], "politician": ["fr", "nl"]}
    pre_mps = ex.responses.loc[(ex.responses["role"] == "politician") & (ex.responses["wave"] == "pre")]
    assert pre_mps["language"].value_counts().to_dict() == {"fr": 12, "nl": 3}
    sides = ev.experience_sides.set_index("item")
    assert set(sides["role"]) == {"politician"}
    assert sides.loc["dx_free_decision", "estimate"] < 0  # the MPs rate the deliberation lower


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_reports_render(evaluated, lang: str) -> None:  # type: ignore[no-untyped-def]
    name, _, ev = evaluated
    rep = build_report(ev, ReportSettings(language=lang))
    html = render_html(rep, timestamp="t")
    assert "SYNTHETIC" in html
    keys = [t.key for s in rep.sections for t in s.tables]
    assert ("experience_sides" in keys) == (name == "brussels_committee")
    if name == "brussels_committee":  # the process table's "fr,nl" is read as a list
        assert "<dd>fr, nl</dd>" in html or ">fr, nl<" in html
    assert isinstance(rep.indicators, pd.DataFrame)
