"""Re-running the demo changes no file: HTML, XLSX (report and register) and PDF are byte-identical (issue 18).

The two runs are the shared ``demo_runs`` (conftest.py): the same examples written 2.1 s apart
(past the two-second resolution of zip times and the second of font stamps). The PDFs are two
prints of one of the demo's HTML pages (a report's PDF is the same ``write_pdf``; the demo writes
PDFs only with ``--pdf``, 25 s of CPU each).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from deliberval.report.render import pdf_available, write_pdf


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_demo_runs_write_byte_identical_files(demo_runs: dict[str, Any]) -> None:
    first, second = _files(demo_runs["one"][0]), _files(demo_runs["fork"][0])
    assert sorted(first) == sorted(second)
    suffixes = {Path(name).suffix for name in first}
    assert {".html", ".xlsx", ".json", ".md", ".csv"} <= suffixes
    assert "data/gentofte_ptc/register.xlsx" in first
    assert "reports/gentofte_ptc.xlsx" in first
    assert "instruments/political_efficacy.xlsform.xlsx" in first
    changed = [name for name in first if first[name] != second[name]]
    assert changed == []


@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint is not installed")
def test_two_pdf_prints_of_a_demo_page_are_byte_identical(demo_runs: dict[str, Any], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    html = (demo_runs["one"][0] / "instruments" / "political_efficacy.codebook.html").read_text(encoding="utf-8")
    first = write_pdf(html, tmp_path / "a.pdf").read_bytes()
    time.sleep(1.1)  # past the second of font stamps
    assert first.startswith(b"%PDF")
    assert write_pdf(html, tmp_path / "b.pdf").read_bytes() == first
