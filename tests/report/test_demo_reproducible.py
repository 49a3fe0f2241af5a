"""Re-running the demo changes no file: HTML, XLSX (report and register) and PDF are byte-identical (issue 18)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deliberval.demo import demo_tasks
from deliberval.report.render import pdf_available

TASKS = ("instrument political_efficacy", "report gentofte_ptc")


def _run(out: Path) -> dict[str, bytes]:
    for task in demo_tasks(out, pdf=pdf_available()):
        if task.description in TASKS:
            task.run()
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_two_demo_runs_write_byte_identical_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = _run(tmp_path / "a")
    time.sleep(2.1)  # past the two-second resolution of zip times and the second of font stamps
    second = _run(tmp_path / "b")
    assert sorted(first) == sorted(second)
    suffixes = {Path(name).suffix for name in first}
    assert {".html", ".xlsx"} <= suffixes
    assert "data/gentofte_ptc/register.xlsx" in first
    assert "reports/gentofte_ptc.xlsx" in first
    assert "instruments/political_efficacy.xlsform.xlsx" in first
    if pdf_available():
        assert "reports/gentofte_ptc.pdf" in first
    changed = [name for name in first if first[name] != second[name]]
    assert changed == []
