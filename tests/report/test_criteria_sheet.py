"""Criteria coverage in every report (issue 17, deliverable 2): the section and the XLSX ``criteria`` sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from deliberval.demo import DEMO_EXAMPLES, write_example_data
from deliberval.errors import DataInputError
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.indicators.criteria import COVERAGE_COLUMNS, load_criteria
from deliberval.io.config import load_config
from deliberval.report import ReportSettings, build_report, render_html, write_xlsx
from deliberval.report.i18n import LANGUAGES, t
from deliberval.validation.process import load_process
from support.demo_reports import demo_report

REG = load_criteria()
OECD_IDS = [c.id for c in REG.criteria]


def _report(name: str, folder: Path, **settings: object):  # type: ignore[no-untyped-def]
    cfg = load_config(write_example_data(name, folder))
    if settings:
        cfg = cfg.model_copy(update=settings)
    ev = evaluate_process(load_process(cfg), EvaluationSettings.from_config(cfg))
    return ev, build_report(ev, ReportSettings.from_config(cfg))


@pytest.mark.slow
@pytest.mark.parametrize("name", DEMO_EXAMPLES)
def test_every_demo_report_has_every_oecd_criterion_with_a_status(
        name: str, tmp_path: Path, demo_evaluations: dict[str, tuple[Any, Any]]) -> None:
    # the demo's evaluation and report (what _report(name, ...) builds), built once per session
    ev, cfg = demo_evaluations[name]
    rep, _ = demo_report(name, ev, cfg)
    lang = rep.lang
    out = write_xlsx(rep.tables(), tmp_path / f"{name}.xlsx", provenance=rep.provenance,
                     min_cell_size=rep.min_cell_size)
    sheet = pd.read_excel(out, sheet_name="criteria", keep_default_na=False, dtype=str)
    assert list(sheet.columns[: len(COVERAGE_COLUMNS)]) == COVERAGE_COLUMNS
    assert sheet["criterion_id"].tolist() == OECD_IDS
    assert (sheet["framework"] == "oecd_2021").all()
    words = {s: t(lang, f"criteria_{s}") for s in ("measured", "partly_measured", "not_assessed", "not_applicable")}
    assert set(sheet["status"]) <= set(words.values())
    not_assessed = sheet.loc[sheet["status"] == words["not_assessed"]]
    assert len(not_assessed) > 0  # no example documents e.g. transparency, civil society or the wider public
    assert (not_assessed["reason"].str.strip() != "").all()
    for _, row in sheet.iterrows():
        if row["status"] != words["measured"]:
            assert row["reason"].strip(), row["criterion_id"]
    # the report's statuses are the evaluation's, except where the published indicator table withholds an
    # indicator the evaluation measured (disclosure control): then partly measured, and the reason says so
    codes = {v: k for k, v in words.items()}
    withheld = REG.phrase("suppressed", lang, indicator="").lstrip(" :")
    for got, (_, row), reason in zip(sheet["status"], ev.criteria.iterrows(), sheet["reason"], strict=True):
        if codes[got] != row["status"]:
            assert (row["status"], codes[got]) == ("measured", "partly_measured"), row["criterion_id"]
            assert withheld in reason
    assert t(lang, "criteria_coverage") in render_html(rep, timestamp="2026-01-01 00:00:00 UTC")


@pytest.mark.slow
def test_climate_assembly_statuses_and_reasons(demo_evaluations: dict[str, tuple[Any, Any]]) -> None:
    rep, _ = demo_report("climate_assembly", *demo_evaluations["climate_assembly"])  # = _report(...)
    tab = next(tb for tb in rep.tables() if tb.key == "criteria").data.set_index("criterion_id")
    assert tab.loc["oecd_dx_facilitation", "status"] == "measured"
    assert tab.loc["oecd_dx_facilitation", "indicators"] == "facilitation_neutral"
    assert tab.loc["oecd_di_transparency", "status"] == "not assessed"
    assert tab.loc["oecd_di_transparency", "reason"].startswith("not documented in the process table: agenda and")
    assert "evidence needed: a document review of what was published" in tab.loc["oecd_di_transparency", "reason"]
    assert tab.loc["oecd_wi_civil_society", "stage"] == "Wider impacts"
    # the guidelines' evaluation principles, each with what the report states of it
    pr = next(tb for tb in rep.tables() if tb.key == "principles").data
    assert pr["principle"].tolist() == [p.text("en") for p in REG.principles]
    assert (pr["statement"].str.len() > 0).all()


@pytest.mark.slow
@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_the_section_speaks_the_report_language(lang: str, tmp_path: Path) -> None:
    _, rep = _report("wallonia_committee", tmp_path, language=lang)
    sec = next(s for s in rep.sections if s.key == "criteria")
    assert sec.title == t(lang, "criteria_coverage")
    tab = sec.tables[0].data
    assert set(tab["status"]) <= {t(lang, f"criteria_{s}") for s in
                                  ("measured", "partly_measured", "not_assessed", "not_applicable")}
    assert tab["criterion"].tolist() == [c.text(lang) for c in REG.criteria]
    assert not tab["reason"].str.contains("evidence needed|not documented|no deliberval indicator").any()


@pytest.mark.slow
def test_a_framework_of_the_crosswalk(tmp_path: Path) -> None:
    _, rep = _report("gentofte_ptc", tmp_path, framework="knoca_2024")
    sec = next(s for s in rep.sections if s.key == "criteria")
    assert sec.notices == [t(rep.lang, "criteria_crosswalk_note")]
    tab = sec.tables[0].data
    assert (tab["framework"] == "knoca_2024").all()
    assert len(tab) == 9
    assert tab["reason"].str.len().gt(0).all()
    with pytest.raises(DataInputError, match="framework: unknown framework 'knoca'"):
        _report("gentofte_ptc", tmp_path / "bad", framework="knoca")
