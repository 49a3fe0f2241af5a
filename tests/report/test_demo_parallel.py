"""The demo's example reports in worker processes: the same bytes as in one process (issue 22).

``write_demo`` runs the example reports, and the comparison's forest figures once every example
has sent its summary, in a process pool (fork on Linux, spawn elsewhere). Its files, README.md's
list included, must not depend on that: the shared runs (``demo_runs`` in conftest.py) write two
examples once in this process and once by forked workers, compared byte for byte here; a spawned
worker (which imports everything afresh, so it also shows that a job needs nothing but its
arguments) writes one of the examples once more. (In a checkout being edited while the test runs,
the spawned worker may import newer code.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import deliberval.demo
from deliberval.demo import PDF_HINT, write_demo
from deliberval.errors import DataInputError


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_parallel_demo_writes_the_same_bytes_as_the_sequential_one(demo_runs: dict[str, Any]) -> None:
    (one_root, sequential), (fork_root, forked) = demo_runs["one"], demo_runs["fork"]
    messages, examples = demo_runs["messages"], demo_runs["examples"]
    one, fork = _files(one_root), _files(fork_root)
    for name in ("reports/gentofte_ptc.html", "reports/ostbelgien_dialogue.xlsx", "data/gentofte_ptc/register.xlsx",
                 "reports/comparison.html", "instruments/political_efficacy.xlsform.xlsx"):
        assert name in one, name
    assert one["reports/comparison.html"].count(b'src="data:image/png;base64,') >= 3  # forest figures, drawn by jobs
    assert PDF_HINT in one["README.md"].decode()
    # progress: a first line saying what is coming, one line per step naming what it wrote, then "done"
    total = messages[0][1]
    assert messages[0][0] == 0
    assert "2 SYNTHETIC example processes" in messages[0][2]
    assert "2 worker processes" in messages[0][2]
    assert [m[0] for m in messages[1:-1]] == list(range(1, total + 1))
    assert messages[-1] == (total, total, "done")
    for name in examples:
        (line,) = [m for _, _, m in messages if m.startswith(f"report {name}: ")]
        for words in (f"data/{name}/", "HTML and XLSX report", "8 files, ", " s, CPU "):
            assert words in line, (words, line)
    # the comparison: its figures' jobs and this process's part, more than nothing
    (line,) = [m for _, _, m in messages if m.startswith("comparison report: ")]
    assert float(line.rsplit("CPU ", 1)[1].removesuffix(" s)")) > 0.1, line
    # the same files in the same (task) order, whichever worker finished first, and the same bytes
    assert [p.relative_to(one_root) for p in sequential] == [p.relative_to(fork_root) for p in forked]
    assert sorted(one) == sorted(fork)
    assert [name for name in one if one[name] != fork[name]] == []


def test_a_spawned_worker_writes_the_same_bytes(demo_runs: dict[str, Any], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    one_root, _ = demo_runs["one"]
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    # one example's job, as write_demo hands it to a worker (spawn: a fresh interpreter)
    with ProcessPoolExecutor(1, mp_context=context, initializer=deliberval.demo._init_worker,
                             initargs=(messages,)) as pool:
        files, summary = pool.submit(deliberval.demo._build_example, "gentofte_ptc", str(tmp_path)).result()
    key, sent = messages.get(timeout=60)  # the summary, sent before the report was built
    messages.close()
    assert key == "gentofte_ptc"
    assert pickle.dumps(sent) == pickle.dumps(summary)
    assert summary.process_id == "gentofte_ptc"
    one = _files(one_root)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in files)
    assert written == sorted(name for name in one if name.startswith(("data/gentofte_ptc/", "reports/gentofte_ptc.")))
    assert len(written) == 8
    assert [name for name in written if (tmp_path / name).read_bytes() != one[name]] == []


def test_pdf_without_weasyprint_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import deliberval.report

    monkeypatch.setattr(deliberval.report, "pdf_available", lambda: False)
    with pytest.raises(DataInputError, match="--pdf needs WeasyPrint"):
        write_demo(tmp_path, pdf=True)
    assert not any(tmp_path.iterdir())  # checked before anything is written
