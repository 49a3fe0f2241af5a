"""The demo's example reports in worker processes: the same bytes as in one process (issue 22).

``write_demo`` runs the example reports in a process pool (fork on Linux, spawn elsewhere). Its
files, README.md's list included, must not depend on that: two examples are written once in this
process, once by forked workers and once by spawned ones (spawn imports everything afresh, so it
also shows that a job needs nothing but its arguments), and every file is compared byte for byte.
(In a checkout being edited while the test runs, the spawned workers may import newer code.)
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import deliberval.demo
from deliberval.demo import PDF_HINT, write_demo
from deliberval.errors import DataInputError

EXAMPLES = ("ostbelgien_dialogue", "gentofte_ptc")


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_parallel_demo_writes_the_same_bytes_as_the_sequential_one(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deliberval.demo, "DEMO_EXAMPLES", EXAMPLES)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    messages: list[tuple[int, int, str]] = []
    # spawned workers import the package afresh: run them first, nearest to this process's imports
    spawned = write_demo(tmp_path / "spawn", workers=2, start_method="spawn")
    sequential = write_demo(tmp_path / "one", workers=1)
    time.sleep(2.1)  # past the two-second resolution of zip times
    forked = write_demo(tmp_path / "fork", workers=2, start_method="fork",
                        progress=lambda done, total, message: messages.append((done, total, message)))
    one, fork, spawn = _files(tmp_path / "one"), _files(tmp_path / "fork"), _files(tmp_path / "spawn")
    for name in ("reports/gentofte_ptc.html", "reports/ostbelgien_dialogue.xlsx", "data/gentofte_ptc/register.xlsx",
                 "reports/comparison.html", "instruments/political_efficacy.xlsform.xlsx"):
        assert name in one, name
    assert PDF_HINT in one["README.md"].decode()
    # progress: a first line saying what is coming, one line per step naming what it wrote, then "done"
    total = messages[0][1]
    assert messages[0][0] == 0
    assert "2 SYNTHETIC example processes" in messages[0][2]
    assert "2 worker processes" in messages[0][2]
    assert [m[0] for m in messages[1:-1]] == list(range(1, total + 1))
    assert messages[-1] == (total, total, "done")
    for name in EXAMPLES:
        (line,) = [m for _, _, m in messages if m.startswith(f"report {name}: ")]
        for words in (f"data/{name}/", "HTML and XLSX report", "8 files"):
            assert words in line, (words, line)
    # the same files in the same (task) order, whichever worker finished first, and the same bytes
    assert [p.relative_to(tmp_path / "one") for p in sequential] == [p.relative_to(tmp_path / "fork") for p in forked]
    assert [p.relative_to(tmp_path / "one") for p in sequential] == [p.relative_to(tmp_path / "spawn") for p in spawned]
    assert sorted(one) == sorted(fork) == sorted(spawn)
    assert [name for name in one if one[name] != fork[name]] == []
    assert [name for name in one if one[name] != spawn[name]] == []


def test_pdf_without_weasyprint_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import deliberval.report

    monkeypatch.setattr(deliberval.report, "pdf_available", lambda: False)
    with pytest.raises(DataInputError, match="--pdf needs WeasyPrint"):
        write_demo(tmp_path, pdf=True)
    assert not any(tmp_path.iterdir())  # checked before anything is written
