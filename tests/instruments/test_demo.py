"""``deliberval demo``: the instrument part (codebooks, XLSForm and Table Schema of each instrument).

The report stage adds its own demo tasks and tests; these tests run only the instrument tasks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import deliberval.demo
from deliberval.demo import DemoTask, demo_tasks
from deliberval.instruments import list_instruments

SUFFIXES = (".codebook.md", ".codebook.html", ".xlsform.xlsx", ".schema.json")


def _instrument_tasks(out: Path, **options: object) -> list[DemoTask]:
    return [t for t in demo_tasks(out) if t.description.startswith("instrument ")]


def test_instrument_tasks_write_every_export(tmp_path: Path) -> None:
    ids = list(list_instruments()["id"])
    tasks = _instrument_tasks(tmp_path)
    assert [t.description for t in tasks] == [f"instrument {i}" for i in ids]
    for instrument_id, task in zip(ids, tasks, strict=True):
        files = task.run()
        assert [p.name for p in files] == [f"{instrument_id}{s}" for s in SUFFIXES]
        assert all(p.parent == tmp_path / "instruments" for p in files)
        assert all(p.stat().st_size > 0 for p in files)


def test_demo_command_with_progress(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(deliberval.demo, "demo_tasks", _instrument_tasks)
    out = tmp_path / "deliberval-demo"
    result = cli("demo", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "instruments" / "participant_standard.codebook.html").is_file()
    assert (out / "instruments" / "control_standard.xlsform.xlsx").is_file()
    assert "wrote" in result.stdout


def test_demo_help_names_everything_it_writes(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("demo", "--help")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.replace("│", " ").split())
    for words in ("codebook", "XLSForm", "example process's input data", "reports (HTML and XLSX; PDF too with",
                  "--pdf, which needs WeasyPrint)", "comparison", "parallel worker processes"):
        assert words in text, words
