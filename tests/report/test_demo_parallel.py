"""The demo's example reports in worker processes: the same bytes as in one process (issue 22),
and the same bytes again on a second run (issue 18).

``write_demo`` runs the example reports, and the comparison's forest figures once every example
has sent its summary, in a process pool (fork on Linux, spawn elsewhere). Its files, README.md's
list included, must not depend on that. One test, so that its demo runs are made once even when
the suite is spread over several processes: two examples written in this process, then (2.1 s
later, past the two-second resolution of zip times and the second of font stamps) by forked
workers, every file compared byte for byte; then one example's job in a spawned worker (which
imports everything afresh, so it also shows that a job needs nothing but its arguments),
compared with the same files. (In a checkout being edited while the test runs, the spawned
worker may import newer code.)
"""

from __future__ import annotations

import multiprocessing
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import deliberval.demo
from deliberval.demo import PDF_HINT, write_demo
from deliberval.errors import DataInputError

EXAMPLES = ("ostbelgien_dialogue", "gentofte_ptc")


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_demo_in_workers_and_again_writes_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deliberval.demo, "DEMO_EXAMPLES", EXAMPLES)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    messages: list[tuple[int, int, str]] = []
    sequential = write_demo(tmp_path / "one", workers=1)
    time.sleep(2.1)
    forked = write_demo(tmp_path / "fork", workers=2, start_method="fork",
                        progress=lambda done, total, message: messages.append((done, total, message)))
    one, fork = _files(tmp_path / "one"), _files(tmp_path / "fork")
    for name in ("reports/gentofte_ptc.html", "reports/ostbelgien_dialogue.xlsx", "data/gentofte_ptc/register.xlsx",
                 "reports/gentofte_ptc.xlsx", "reports/comparison.html", "instruments/political_efficacy.xlsform.xlsx"):
        assert name in one, name
    assert {".html", ".xlsx", ".json", ".md", ".csv", ".yaml"} <= {Path(name).suffix for name in one}
    assert one["reports/comparison.html"].count(b'src="data:image/png;base64,') >= 3  # forest figures, drawn by jobs
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
        for words in (f"data/{name}/", "HTML and XLSX report", "8 files, ", " s, CPU "):
            assert words in line, (words, line)
    # the comparison: its figures' jobs and this process's part, more than nothing
    (line,) = [m for _, _, m in messages if m.startswith("comparison report: ")]
    assert float(line.rsplit("CPU ", 1)[1].removesuffix(" s)")) > 0.1, line
    # the same files in the same (task) order, whichever worker finished first, and the same bytes
    assert [p.relative_to(tmp_path / "one") for p in sequential] == [p.relative_to(tmp_path / "fork") for p in forked]
    assert sorted(one) == sorted(fork)
    assert [name for name in one if one[name] != fork[name]] == []

    # one example's job, as write_demo hands it to a worker, in a spawned one (a fresh interpreter)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    with ProcessPoolExecutor(1, mp_context=context, initializer=deliberval.demo._init_worker,
                             initargs=(queue,)) as pool:
        files, summary = pool.submit(deliberval.demo._build_example, "gentofte_ptc", str(tmp_path / "spawn")).result()
    key, sent = queue.get(timeout=60)  # the summary, sent before the report was built
    queue.close()
    assert key == "gentofte_ptc"
    assert summary.process_id == "gentofte_ptc"
    assert pickle.dumps(sent) == pickle.dumps(summary)
    written = sorted(p.relative_to(tmp_path / "spawn").as_posix() for p in files)
    assert len(written) == 8
    assert written == sorted(name for name in one if name.startswith(("data/gentofte_ptc/", "reports/gentofte_ptc.")))
    assert [name for name in written if (tmp_path / "spawn" / name).read_bytes() != one[name]] == []


def test_pdf_without_weasyprint_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import deliberval.report

    monkeypatch.setattr(deliberval.report, "pdf_available", lambda: False)
    with pytest.raises(DataInputError, match="--pdf needs WeasyPrint"):
        write_demo(tmp_path, pdf=True)
    assert not any(tmp_path.iterdir())  # checked before anything is written
