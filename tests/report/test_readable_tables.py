"""Readable report tables (issue 18, deliverable 4).

Rows of scales nobody was asked (a before-wave deliberative-quality scale, politicians' openness in
an assembly without politicians) are left out with one line saying why; the XLSX workbook shows
labels with each machine id in its own column, and typed, formatted cells.
"""

from __future__ import annotations

from html import unescape
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from deliberval.indicators import load_catalogue
from deliberval.report import ReportSettings, build_report, render_html
from deliberval.report.build import Table
from deliberval.report.render import write_xlsx
from support.evaluations import example_evaluation


@pytest.fixture(scope="module")
def climate():  # type: ignore[no-untyped-def]
    """An assembly of citizens only, whose before survey did not ask the deliberative experience."""
    return example_evaluation("climate_assembly")


@pytest.fixture(scope="module")
def gentofte():  # type: ignore[no-untyped-def]
    """A hybrid committee: citizens and politicians."""
    return example_evaluation("gentofte_ptc")


def _section(rep, key):  # type: ignore[no-untyped-def]
    return next(s for s in rep.sections if s.key == key)


def _table(rep, key):  # type: ignore[no-untyped-def]
    return next(t for s in rep.sections for t in s.tables if t.key == key)


def test_unasked_scales_are_left_out_with_one_line_each(climate) -> None:  # type: ignore[no-untyped-def]
    # the evaluation keeps every row (not estimated: no answers) ...
    sc = climate.scales
    assert set(sc.loc[sc["status"] == "not_estimated", "scale"]) == {"deliberative_quality", "hybrid_openness"}
    rep = build_report(climate)
    tab = _table(rep, "psychometrics").data
    # ... the report leaves them out: 10 rows less the 3 nobody answered
    assert len(tab) == 7
    assert "not_estimated" not in set(tab["status"])
    assert set(tab["scale_id"]) == {"trust_political_institutions", "internal_efficacy", "external_efficacy",
                                    "deliberative_quality"}
    assert list(tab.loc[tab["scale_id"] == "deliberative_quality", "wave"]) == ["after"]
    notices = _section(rep, "psychometrics").notices
    assert notices == [
        "Deliberative quality (1-5): no row for the before survey: nobody answered its items there "
        "(it was not asked).",
        "Openness to citizens' input (1-5): left out: the process has no politicians/civil servants, "
        "the only respondents it is asked of.",
    ]
    # the change section says why politicians' openness has no change: no such role, not a missed survey
    change = _section(rep, "change").notices
    assert ("Not assessed: change in Openness to citizens' input (1-5) (politicians/civil servants): "
            "the process has no politicians/civil servants") in change
    assert not any("was not answered in the pre and post survey" in n for n in change)


def test_a_role_the_process_has_keeps_its_rows(gentofte) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(gentofte)
    tab = _table(rep, "psychometrics").data
    # politicians answered openness before and after: both rows stay; only the before-wave
    # deliberative quality (not asked) goes
    assert list(tab.loc[tab["scale_id"] == "hybrid_openness", "wave"]) == ["before", "after"]
    assert list(tab.loc[tab["scale_id"] == "deliberative_quality", "wave"]) == ["after"]
    assert len(tab) == 9
    assert _section(rep, "psychometrics").notices == [
        "Deliberative quality (1-5): no row for the before survey: nobody answered its items there "
        "(it was not asked)."]


def test_left_out_lines_are_translated(climate) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(climate, ReportSettings(language="fr"))
    notices = _section(rep, "psychometrics").notices
    assert len(notices) == 2
    assert "« avant »" in notices[0]
    assert "le processus ne compte pas de élus/fonctionnaires" in notices[1]


def test_html_shows_labels_not_ids(climate) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(climate)
    html = unescape(render_html(rep, timestamp="2026-01-01 00:00:00 UTC"))
    psy = html.split('id="psychometrics"')[1].split("</section>")[0]
    assert "scale_id" not in psy
    assert "scale id" not in psy
    assert "internal_efficacy" not in psy
    assert "Internal political efficacy (1-5)" in psy
    assert "no row for the before survey" in psy


def test_xlsx_indicator_sheet_has_labels_and_ids(gentofte, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(gentofte)
    out = write_xlsx(rep.tables(), tmp_path / "r.xlsx", provenance=rep.provenance)
    sheet = pd.read_excel(out, sheet_name="indicators")
    assert list(sheet.columns[:6]) == ["label", "indicator_id", "stage", "oecd_stage", "criterion", "criterion_id"]
    cat = load_catalogue()
    first = sheet.iloc[0]
    assert first["stage"] == cat.stage_label(first["oecd_stage"], "en") != first["oecd_stage"]
    assert first["criterion"] == cat.criterion_label(first["criterion_id"], "en") != first["criterion_id"]
    assert set(sheet["oecd_stage"]) == {"design_integrity", "deliberative_experience", "pathways_to_impact"}
    # the labels follow the report language
    fr = build_report(gentofte, ReportSettings(language="fr"))
    ind_fr = next(t for t in fr.tables() if t.key == "indicators").data
    assert ind_fr["stage"].iloc[0] == cat.stage_label(ind_fr["oecd_stage"].iloc[0], "fr")
    # the psychometrics sheet keeps the scale id next to its label
    psy = pd.read_excel(out, sheet_name="psychometrics")
    assert list(psy.columns[:2]) == ["scale", "scale_id"]
    assert psy.loc[psy["scale_id"] == "internal_efficacy", "scale"].iloc[0] == "Internal political efficacy (1-5)"


def test_xlsx_dates_are_dates(tmp_path: Path) -> None:
    data = pd.DataFrame({
        "day": pd.to_datetime(["2025-03-01", "2025-04-15"]),
        "at": pd.to_datetime(["2025-03-01 10:30", "2025-04-15 00:00"]).tz_localize("Europe/Copenhagen"),
        "n": [12, 30],
    })
    out = write_xlsx([Table("events", "events", data)], tmp_path / "d.xlsx")
    ws = openpyxl.load_workbook(out)["events"]
    assert [c.value for c in ws[1]] == ["day", "at (UTC)", "n"]
    assert ws["A2"].number_format == "yyyy-mm-dd"
    assert ws["A2"].value.isoformat() == "2025-03-01T00:00:00"
    assert ws["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["B2"].value.isoformat() == "2025-03-01T09:30:00"  # 10:30 in Copenhagen (CET) is 09:30 UTC
    assert ws["C2"].number_format == "#,##0"
