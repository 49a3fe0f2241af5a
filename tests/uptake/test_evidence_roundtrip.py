"""Register round trip with evidence (issue 21): template -> filled in -> read -> report, nothing lost.

The template is filled in as a user would (openpyxl, cell by cell, dates as Excel dates, a page
typed as a number), read back, validated against the documents the evidence quotes, evaluated and
reported: every evidence row reaches the report's uptake section with its passage, document and
page, and a passage absent from the documents stops the chain with one clear error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from deliberval.errors import DataInputError
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.instruments import load_instrument
from deliberval.io.config import DataFiles, ProcessConfig
from deliberval.io.documents import passage_hash, read_documents
from deliberval.io.register import read_register, write_register_template
from deliberval.report import ReportSettings, build_report, render_html
from deliberval.validation.process import load_process, process_data

RESPONSE = (
    "Response of the Regional Government to the citizens' assembly\n\n"
    "Recommendation 1. The Government accepts the recommendation to insulate every school "
    "building and will table a decree before the summer.\n\n"
    "Recommendation 2. The Government does not retain the proposal for a frequent-flyer levy: "
    "aviation taxes are a federal competence.\n\n"
    "Insulating schools was already part of the 2023 coalition agreement.")
DECREE = "Decree of 12 March 2026 on the renovation of school buildings.\n\nArticle 1. Every school building is insulated by 2029."

RECS = [("assembly", "r1", "Insulate schools", dt.date(2025, 1, 15), "yes"),
        ("assembly", "r2", "Frequent-flyer levy", dt.date(2025, 1, 15), "no")]
EVENTS = [("r1", dt.date(2025, 4, 1), "accepted_in_principle", None, "ann"),
          ("r1", dt.date(2026, 3, 12), "implemented", "unchanged", "ann"),
          ("r2", dt.date(2025, 4, 1), "rejected_with_reasons", None, "ann")]
EVIDENCE = [
    ("r1", "response_status", "accepted_in_principle", "response.txt", None,
     "The Government accepts the recommendation to insulate every school building", "ann", dt.date(2025, 5, 2)),
    ("r1", "response_status", "implemented", "decree.txt", None,
     "Article 1. Every school building is insulated by 2029.", "ann", dt.date(2026, 4, 1)),
    ("r1", "fidelity", "unchanged", "decree.txt", None,
     "Every school building is insulated by 2029.", "bob", None),
    ("r1", "prior_agenda", "yes", "response.txt", 1,
     "Insulating schools was already part of the 2023 coalition agreement.", "ann", None),
    ("r2", "response_status", "rejected_with_reasons", "response.txt", None,
     "does not retain the proposal for a frequent-flyer levy: aviation taxes are a federal competence.",
     "ann", dt.date(2025, 5, 2)),
]


def _fill(template: Path, evidence: list[tuple]) -> None:
    wb = load_workbook(template)
    for sheet, rows in (("recommendations", RECS), ("events", EVENTS), ("evidence", evidence)):
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        cols = {"recommendations": ["process_id", "rec_id", "title", "submitted", "prior_agenda"],
                "events": ["rec_id", "date", "response_status", "fidelity", "coder"],
                "evidence": ["rec_id", "field", "code", "document", "page", "passage", "coder", "coded_on"]}[sheet]
        for i, row in enumerate(rows, start=2):
            for name, value in zip(cols, row, strict=True):
                if value is not None:
                    ws.cell(row=i, column=header.index(name) + 1, value=value)
    wb.save(template)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, list[Path]]:
    (tmp_path / "response.txt").write_text(RESPONSE, encoding="utf-8")
    (tmp_path / "decree.txt").write_text(DECREE, encoding="utf-8")
    reg = write_register_template(tmp_path / "register.xlsx")
    return reg, [tmp_path / "response.txt", tmp_path / "decree.txt"]


def _report(data):  # type: ignore[no-untyped-def]
    ev = evaluate_process(data, EvaluationSettings(as_of=dt.date(2026, 6, 30)))
    return build_report(ev, ReportSettings())


def _table(report, key):  # type: ignore[no-untyped-def]
    return next(t for s in report.sections for t in s.tables if t.key == key)


def test_template_filled_read_reported_nothing_lost(files):
    reg, docs = files
    # the prior-agenda passage sits in a text document (no pages): the page typed is not checked
    _fill(reg, EVIDENCE)
    raw = read_register(reg)
    assert raw.evidence is not None
    assert len(raw.evidence) == len(EVIDENCE)
    data = process_data(load_instrument("participant_standard"), recommendations=raw.recommendations,
                        events=raw.events, evidence=raw.evidence, documents=read_documents(docs))
    checked = data.register
    assert checked.all_valid, checked.failures[["table", "line", "column", "message"]].to_string()
    evi = checked.register.evidence
    assert len(evi) == len(EVIDENCE)
    assert evi["passage"].tolist() == [e[5] for e in EVIDENCE]
    assert evi["passage_sha256"].tolist() == [passage_hash(e[5]) for e in EVIDENCE]
    assert evi["page"].tolist()[3] == 1
    assert evi["coded_on"].iloc[0] == pd.Timestamp("2025-05-02")
    assert evi["coder"].tolist() == [e[6] for e in EVIDENCE]

    report = _report(data)
    table = _table(report, "uptake_evidence")
    got = table.data
    assert len(got) == len(EVIDENCE)  # nothing lost
    assert got["passage"].tolist() == [e[5] for e in EVIDENCE]
    assert got["document"].tolist() == [e[3] for e in EVIDENCE]
    assert got["page"].tolist() == ["", "", "", "1", ""]
    assert got["recommendation"].tolist()[:1] == ["r1: Insulate schools"]
    assert got["evidence_field"].tolist() == ["response status", "response status", "fidelity",
                                              "already on the agenda", "response status"]
    assert got["evidence_code"].tolist() == ["accepted in principle", "implemented", "unchanged", "yes",
                                             "rejected with reasons"]
    assert "2 of 2 coded recommendations have quoted evidence" in table.note
    assert "coder" not in got.columns  # coders' names are not published
    html = render_html(report)
    for e in EVIDENCE:
        assert e[5].replace("'", "&#39;") in html


def test_a_passage_absent_from_the_documents_stops_the_chain(files):
    reg, docs = files
    bad = list(EVIDENCE)
    bad[1] = (*bad[1][:5], "Article 1. Every school building is insulated by 2027.", *bad[1][6:])
    _fill(reg, bad)
    raw = read_register(reg)
    data = process_data(load_instrument("participant_standard"), recommendations=raw.recommendations,
                        events=raw.events, evidence=raw.evidence, documents=read_documents(docs))
    with pytest.raises(DataInputError) as exc:
        data.register.require_valid(source=str(reg))
    assert str(exc.value) == (
        f"{reg}: 1 problem(s) in the uptake register:\n"
        "  - evidence line 3 (rec_id 'r1'): the passage 'Article 1. Every school building is insulated by 2027.' "
        "is not in document 'decree.txt'; expected text quoted from that document (copy it from the document, "
        "or from the candidates of 'deliberval uptake trace')")
    # the report quotes only what was checked: the bad row is quarantined, the other four are quoted
    table = _table(_report(data), "uptake_evidence")
    assert len(table.data) == len(EVIDENCE) - 1


def test_the_configuration_route_carries_the_evidence(files):
    reg, _ = files
    _fill(reg, EVIDENCE)
    cfg = ProcessConfig(process_id="assembly", instrument="participant_standard", data=DataFiles(register=reg))
    data = load_process(cfg)
    assert data.register is not None
    assert len(data.register.register.evidence) == len(EVIDENCE)
    assert len(_table(_report(data), "uptake_evidence").data) == len(EVIDENCE)


def test_a_register_without_evidence_says_so(files):
    reg, _ = files
    _fill(reg, [])
    raw = read_register(reg)
    data = process_data(load_instrument("participant_standard"), recommendations=raw.recommendations,
                        events=raw.events, evidence=raw.evidence)
    report = _report(data)
    sec = next(s for s in report.sections if s.key == "uptake")
    assert not any(t.key == "uptake_evidence" for t in sec.tables)
    assert any("No coded recommendation has quoted evidence" in n for n in sec.notices)


def test_the_configuration_names_the_documents(files):
    reg, docs = files
    bad = list(EVIDENCE)
    bad[4] = (*bad[4][:5], "The Government rejects the levy.", *bad[4][6:])
    _fill(reg, bad)
    cfg = ProcessConfig(process_id="assembly", instrument="participant_standard",
                        data=DataFiles(register=reg, documents=[Path(d.name) for d in docs]),
                        base_dir=reg.parent)
    data = load_process(cfg)
    f = data.register.failures
    assert f[["table", "line", "check"]].values.tolist() == [["evidence", 6, "passage_not_found"]]
    assert len(data.register.register.evidence) == len(EVIDENCE) - 1
    files_read = data.files.set_index("file")
    assert files_read.loc["decree.txt", "key"] == "documents"
    assert files_read.loc["response.txt", "rows"] == 4  # passages
    with pytest.raises(DataInputError, match="give the register too"):
        load_process(ProcessConfig(process_id="assembly", instrument="participant_standard",
                                   data=DataFiles(responses=reg, documents=[docs[0]])))
