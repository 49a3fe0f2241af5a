"""``deliberval compare --published FILE``: published results (with citations) join the comparison's
meta-analysis; a bad row is left out with one warning line, a file without a valid row is an error
(exit 2, no traceback). Issue 20 follow-up."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.cli import app
from deliberval.datasets import load_example
from deliberval.indicators import evaluate_process
from deliberval.indicators.compare import compare_evaluations, summarise_evaluation
from deliberval.io.published import read_published
from deliberval.report.render import format_value
from deliberval.validation.published import validate_published

runner = CliRunner()
CITE = "SYNTHETIC test row: not a real publication (deliberval tests, 2026)"
ROWS = f"""process,outcome,estimate,se,n,citation,url,doi,year
SYNTHETIC jury A,trust_political_institutions,0.21,0.09,48,"{CITE}",,,2026
SYNTHETIC panel B,trust_political_institutions,0.35,0.12,30,"{CITE}",https://example.org/synthetic-b,,2026
SYNTHETIC assembly C,trust_political_institutions,0.08,0.07,96,"{CITE}",,10.0000/synthetic.c,2025
SYNTHETIC assembly C,external_efficacy,0.02,0.06,96,"{CITE}",,10.0000/synthetic.c,2025
SYNTHETIC forum D,trust_political_institutions,0.40,0.15,25,,,,2024
SYNTHETIC forum E,trust_political_institutions,0.15,0,25,"{CITE}",,,2024
"""


def _config(tmp_path: Path) -> Path:
    cfg = tmp_path / "gentofte.yaml"
    cfg.write_text("process_id: gentofte_ptc\nexample: gentofte_ptc\n", encoding="utf-8")
    return cfg


def _lines(res) -> list[str]:  # type: ignore[no-untyped-def]
    assert "Traceback" not in res.output
    return [line for line in res.output.splitlines() if line.strip()]


def test_one_process_among_published_ones(tmp_path: Path) -> None:
    pub = tmp_path / "published.csv"
    pub.write_text(ROWS, encoding="utf-8")
    out, book = tmp_path / "comparison.html", tmp_path / "comparison.xlsx"
    res = runner.invoke(app, ["compare", str(_config(tmp_path)), "--published", str(pub), "-o", str(out),
                              "--xlsx", str(book)])
    assert res.exit_code == 0, res.output
    lines = _lines(res)
    warnings = [line for line in lines if line.startswith("warning:")]
    assert warnings == ["warning: published.csv: line 6: citation is empty (no number without its source) "
                        "(row left out)",
                        "warning: published.csv: line 7: se must be a positive number (got 0) (row left out)"]
    assert lines[-1].startswith("wrote ")
    assert lines[-1].endswith("(1 process, 4 published result(s))")
    # the page: the same meta-analysis as the API's, each published row marked and cited
    summary = summarise_evaluation(evaluate_process(load_example("gentofte_ptc").process_data()))
    valid = validate_published(read_published(pub)).valid
    comp = compare_evaluations([summary], published=valid)
    page = unescape(out.read_text(encoding="utf-8"))
    model = page.split('<section id="model">')[1].split("</section>")[0]
    pooled = format_value(float(comp.meta.summary["estimate"].iloc[0]), "num3", "en")
    assert re.search(rf"<td[^>]*>Pooled[^<]*</td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>{re.escape(pooled)}</td>", model)
    for i, name in enumerate(("SYNTHETIC jury A", "SYNTHETIC panel B", "SYNTHETIC assembly C"), start=1):
        assert f"{name} [{i}]" in model
    assert f"[1] {CITE}" in model
    assert f"[2] {CITE} https://example.org/synthetic-b" in model
    assert f"[3] {CITE} https://doi.org/10.0000/synthetic.c" in model
    assert "1 published result of another outcome than the meta-analysis's was left out." in model
    assert "SYNTHETIC forum D" not in page
    assert "SYNTHETIC forum E" not in page
    # the workbook keeps each published row's citation next to its numbers
    wb = openpyxl.load_workbook(book, read_only=True)
    sheet = next(ws for ws in wb.worksheets if ws.title.startswith("meta_analysis_processes"))
    rows = list(sheet.iter_rows(values_only=True))
    head = next(r for r in rows if r and "process_id" in r)
    table = pd.DataFrame([r for r in rows[rows.index(head) + 1:] if r and r[0]], columns=list(head))
    cited = table.loc[table["source"] == "published"]
    assert cited["process_id"].tolist() == ["SYNTHETIC jury A", "SYNTHETIC panel B", "SYNTHETIC assembly C"]
    assert set(cited["citation"]) == {CITE}


def test_no_valid_row_is_an_error(tmp_path: Path) -> None:
    pub = tmp_path / "bad.csv"
    bad = ROWS.splitlines()
    pub.write_text("\n".join([bad[0], bad[5], bad[6]]) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["compare", str(_config(tmp_path)), "--published", str(pub),
                              "-o", str(tmp_path / "c.html")])
    assert res.exit_code == 2
    lines = _lines(res)
    assert [line.split(":")[0] for line in lines] == ["warning", "warning", "error"]
    assert lines[0].startswith("warning: bad.csv: line 2: citation is empty")
    assert lines[1].startswith("warning: bad.csv: line 3: se must be a positive number")
    assert lines[-1] == f"error: --published {pub}: no valid row of published results (2 bad row(s), each named above)"
    assert not (tmp_path / "c.html").exists()


@pytest.mark.parametrize("case", ["missing", "folder", "empty", "no_citation_column"])
def test_unreadable_published_file_is_one_line(tmp_path: Path, case: str) -> None:
    pub = tmp_path / "published.csv"
    if case == "folder":
        pub.mkdir()
    elif case == "empty":
        pub.write_text(ROWS.splitlines()[0] + "\n", encoding="utf-8")
    elif case == "no_citation_column":
        pub.write_text("process,outcome,estimate,se\nA,trust_political_institutions,0.2,0.1\n", encoding="utf-8")
    res = runner.invoke(app, ["compare", str(_config(tmp_path)), "--published", str(pub)])
    assert res.exit_code == 2
    (line,) = _lines(res)
    assert line.startswith("error:")
    want = {"missing": "file not found", "folder": "a folder", "empty": "(the table is empty)",
            "no_citation_column": "citation"}[case]
    assert want in line


def test_one_process_without_published_results_is_refused(tmp_path: Path) -> None:
    res = runner.invoke(app, ["compare", str(_config(tmp_path))])
    assert res.exit_code == 2
    (line,) = _lines(res)
    assert "at least two process configurations (or one and --published results), got 1" in line
