"""``deliberval demo``: every instrument's codebooks, XLSForm and Table Schema."""

from __future__ import annotations

from pathlib import Path

from deliberval.demo import demo_tasks, write_demo
from deliberval.instruments import list_instruments


def test_write_demo_files_and_progress(tmp_path: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    files = write_demo(tmp_path / "out", progress=lambda d, t, s: calls.append((d, t, s)))
    ids = list(list_instruments()["id"])
    names = {p.name for p in files}
    for i in ids:
        for suffix in (".codebook.md", ".codebook.html", ".xlsform.xlsx", ".schema.json"):
            assert f"{i}{suffix}" in names
    assert len(files) == 4 * len(ids) + 1
    assert all(p.is_file() and p.stat().st_size > 0 for p in files)
    index = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "- [instruments/political_efficacy.xlsform.xlsx](instruments/political_efficacy.xlsform.xlsx)" in index
    assert calls[0] == (0, len(ids), f"instrument {ids[0]}")
    assert calls[-1] == (len(ids), len(ids), "done")
    assert [t.description for t in demo_tasks(tmp_path)] == [f"instrument {i}" for i in ids]


def test_demo_command(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "deliberval-demo"
    result = cli("demo", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "instruments" / "participant_standard.codebook.html").is_file()
    assert "wrote 33 files" in result.stdout
