"""``deliberval instruments import FILE.docx``: a Word questionnaire -> instrument YAML, errors in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from deliberval.cli import app

docx = pytest.importorskip("docx")

runner = CliRunner()


def _questionnaire(path: Path) -> Path:
    d = docx.Document()
    d.add_heading("Organiser questionnaire", level=0)
    d.add_paragraph("Please answer every question.")
    d.add_paragraph("1. Were the members paid for their time?")
    for option in ("Yes", "No", "Don't know"):
        d.add_paragraph(option, style="List Bullet")
    d.add_paragraph("2. I understand the remit. X2")
    for option in ("Disagree", "Agree"):
        d.add_paragraph(option, style="List Bullet")
    d.save(path)
    return path


def _one_error(result: object) -> str:
    output = result.output  # type: ignore[attr-defined]
    lines = [line for line in output.splitlines() if line.strip()]
    assert result.exit_code == 2, (result.exit_code, output)  # type: ignore[attr-defined]
    assert "Traceback" not in output
    assert len(lines) == 1, output
    assert lines[0].startswith("error: ")
    return lines[0]


def test_import_writes_a_checked_instrument(tmp_path: Path) -> None:
    source = _questionnaire(tmp_path / "annex_d.docx")
    out = tmp_path / "out" / "organiser.yaml"
    result = runner.invoke(app, ["instruments", "import", str(source), "-o", str(out),
                                 "--id", "my_organiser", "--respondent", "organiser"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout
    assert "2 items, 2 notes" in " ".join(result.stdout.split())
    notes = [line for line in " ".join(result.stderr.split()).split("note: ") if line]
    assert notes == ["paragraph 2: not a question, option or note, left out: 'Please answer every question.' ",
                     "2 items have construct 'unassigned' (no heading above them): name what each measures"]
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert [i["id"] for i in doc["items"]] == ["my_organiser_q1", "my_organiser_q2"]
    assert doc["items"][0]["respondents"] == ["organiser"]
    assert doc["items"][1]["waves"] == ["pre", "post"]
    check = runner.invoke(app, ["instruments", "check", str(out)])
    assert check.exit_code == 0, check.output


def test_import_prints_yaml_without_output(tmp_path: Path) -> None:
    source = _questionnaire(tmp_path / "q.docx")
    result = runner.invoke(app, ["instruments", "import", str(source)])
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(result.stdout)
    assert doc["id"] == "q"
    assert doc["items"][0]["source"] == {"citation": "q.docx, question 1", "wording": "verbatim"}


@pytest.mark.parametrize(("content", "name", "expected"), [
    (b"", "empty.docx", "not a readable Word .docx file"),
    (b"just text", "text.docx", "not a readable Word .docx file"),
    (b"%PDF-1.7", "annex.pdf", "expected a Word .docx file, got '.pdf'"),
])
def test_bad_input_is_one_line_exit_2(tmp_path: Path, content: bytes, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    line = _one_error(runner.invoke(app, ["instruments", "import", str(path)]))
    assert expected in line


def test_empty_document_and_bad_options_are_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.docx"
    docx.Document().save(empty)
    assert "no question found" in _one_error(runner.invoke(app, ["instruments", "import", str(empty)]))
    source = _questionnaire(tmp_path / "q.docx")
    line = _one_error(runner.invoke(app, ["instruments", "import", str(source), "--respondent", "mayor"]))
    assert "--respondent 'mayor': expected one of citizen" in line
    line = _one_error(runner.invoke(app, ["instruments", "import", str(source), "-o", str(tmp_path / "x.json")]))
    assert "an instrument is written as .yaml" in line
    line = _one_error(runner.invoke(app, ["instruments", "import", str(source), "--wave", "later"]))
    assert "wave 'later': expected pre, post or follow_up" in line
    assert "file not found" in _one_error(runner.invoke(app, ["instruments", "import", str(tmp_path / "no.docx")]))
