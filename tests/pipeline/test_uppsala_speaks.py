"""Acceptance (issue 15): a .sav of real pre/post data, the evaluator's own instrument and
``outcomes:`` give a report whose change table equals base R ``t.test(paired = TRUE)`` to 1e-6.

Data: deliberr's ``human_data.csv`` (MIT), forum "Activate" (Uppsala Speaks): 26 participants who
rated consideration statements 1-7 before and after deliberating. ``make_sav.py`` writes them as
``uppsala_speaks.sav``; ``report.yaml`` names the instrument, the mapping and three outcomes of
the instrument (a four-item scale and two single items) that no catalogue outcome covers. Golden
values: ``tests/reference/report/generate_report_change.R`` (R version in ``versions.txt``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.io.config import load_config
from deliberval.report import ReportSettings, build_report, render_html
from deliberval.validation.process import load_process

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "data" / "deliberr" / "uppsala_speaks"
GOLDEN = ROOT / "reference" / "report" / "report_change_expected.csv"
LABELS = {
    "responsibility": "Felt responsibility to help begging EU citizens (mean of 4 statements) (1-7)",
    "c25": "There are too many beggars on the streets of Uppsala. (1-7)",
    "c38": "We should take in more refugees (1-7)",
}


@pytest.fixture(scope="module")
def report():
    cfg = load_config(FOLDER / "report.yaml")
    evaluation = evaluate_process(load_process(cfg), EvaluationSettings.from_config(cfg))
    return build_report(evaluation, ReportSettings.from_config(cfg))


def test_the_sav_holds_the_real_rows_unchanged() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_sav", FOLDER / "make_sav.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sav, meta = pyreadstat.read_sav(FOLDER / "uppsala_speaks.sav")
    pd.testing.assert_frame_equal(sav, module.uppsala_speaks(), check_dtype=False)
    assert meta.variable_value_labels["stage_id"] == {1.0: "Pre-Delib", 2.0: "Post-Delib"}
    raw = pd.read_csv(ROOT / "data" / "deliberr" / "human_data.csv")
    assert len(sav) == int((raw["case"] == "Activate").sum()) == 52


def test_every_row_is_read_and_valid(report) -> None:
    v = report.evaluation.data.responses
    assert (v.n_rows, len(v.valid), len(v.quarantined)) == (52, 52, 0)


def test_change_table_equals_r_paired_t_test(report) -> None:
    expected = pd.read_csv(GOLDEN)
    change = next(s for s in report.sections if s.key == "change")
    tab = change.tables[0].data.set_index("outcome")
    assert list(tab.index) == [LABELS[o] for o in expected["outcome"]]
    assert not tab["suppressed"].any()
    for _, r in expected.iterrows():
        got = tab.loc[LABELS[r["outcome"]]]
        assert int(got["n"]) == int(r["n"])
        for mine, theirs in (
            ("mean_pre", "mean_pre"),
            ("mean_post", "mean_post"),
            ("change", "estimate"),
            ("ci_low", "ci_low"),
            ("ci_high", "ci_high"),
            ("d_z", "d_z"),
            ("holm_p_value", "holm_p_value"),
        ):
            assert float(got[mine]) == pytest.approx(float(r[theirs]), abs=1e-6), (
                r["outcome"],
                mine,
            )
    # the evaluation behind the table: the test itself, unadjusted
    ev = report.evaluation.change.set_index("outcome")
    ev = ev.loc[ev["role"] == "citizen"]
    for _, r in expected.iterrows():
        row = ev.loc[r["outcome"]]
        for col in ("statistic", "df", "p_value"):
            assert float(row[col]) == pytest.approx(float(r[col]), abs=1e-6), (r["outcome"], col)


def test_the_report_shows_the_settings_and_says_nothing_false(report) -> None:
    html = render_html(report, timestamp="t")
    about = report.sections[0]
    assert about.key == "about"
    assert dict(about.facts)["Evaluator"] == "deliberval test suite (illustration)"
    assert dict(about.facts)["Data sources used"] == "member survey"
    assert "&lt;b&gt;Raw HTML is shown as text&lt;/b&gt;" in html
    assert "<b>Raw HTML" not in html
    thresholds = about.tables[0].data.set_index("indicator")
    own = thresholds.loc["Change in external political efficacy (d_z, pre to post)"]
    assert (own["threshold"], own["threshold_source"]) == (
        "≥ 0.2",
        "evaluation plan agreed with the commissioner (test)",
    )
    for label in LABELS.values():
        assert label in html
    # nothing the data contradict: 26 members answered both surveys; no control group; the
    # instrument has no item of the catalogue's experience constructs
    assert "no respondent answered both the pre and the post survey" not in html
    notices = {s.key: s.notices for s in report.sections}
    assert notices["experience"] == [
        "Not assessed: the instrument has no item of the catalogue's deliberative experience constructs"
    ]
    assert notices["change"][-1] == "Not assessed: no control group in the responses (DiD)"
    ind = report.indicators.set_index("indicator_id")
    assert ind.loc["change_external_efficacy", "status_reason"] == (
        "the instrument has no scale or item of construct 'external_efficacy'"
    )
    # no weight column in these responses: nothing to say about weights
    assert not any("weight" in n for n in notices["change"])


def test_the_french_report_translates_what_it_did_not_assess(report) -> None:
    fr = build_report(report.evaluation, ReportSettings(language="fr"))
    notices = {s.key: s.notices for s in fr.sections}
    assert notices["experience"] == [
        "Non évalué : l'instrument n'a aucun item des construits d'expérience délibérative du catalogue"
    ]
    assert notices["change"][-1] == "Non évalué : pas de groupe témoin dans les réponses (DiD)"
