"""Re-running the demo changes no file (issue 18): its PDFs.

Two runs of the demo, 2.1 s apart, writing byte-identical HTML, XLSX (reports, registers,
XLSForms), CSV, JSON and Markdown: ``test_demo_parallel.py`` (its runs, in one process and in
forked workers, serve both checks). Here: two prints of one of the demo's HTML pages to PDF are
byte-identical (a report's PDF is the same ``write_pdf``; the demo writes PDFs only with
``--pdf``, 25 s of CPU each, so no report is printed here).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deliberval.demo import demo_tasks
from deliberval.report.render import pdf_available, write_pdf


@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint is not installed")
def test_two_pdf_prints_of_a_demo_page_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (task,) = [task for task in demo_tasks(tmp_path / "demo") if task.description == "instrument political_efficacy"]
    (page,) = [p for p in task.run() if p.name.endswith(".codebook.html")]
    html = page.read_text(encoding="utf-8")
    first = write_pdf(html, tmp_path / "a.pdf").read_bytes()
    time.sleep(1.1)  # past the second of font stamps
    assert first.startswith(b"%PDF")
    assert write_pdf(html, tmp_path / "b.pdf").read_bytes() == first
