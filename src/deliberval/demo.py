"""The demo behind ``make demo``: every shipped instrument's codebook, XLSForm and Table Schema.

The demo is a list of :class:`DemoTask` objects so that later stages (example reports) can add
their own tasks to :func:`demo_tasks` without touching the command line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deliberval.instruments import (
    list_instruments,
    load_instrument,
    to_codebook,
    to_frictionless,
    to_xlsform,
)

__all__ = ["DemoTask", "demo_tasks", "write_demo"]

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class DemoTask:
    """One step of the demo: a description for the progress bar and a function writing files."""

    description: str
    run: Callable[[], list[Path]]


def _instrument_task(instrument_id: str, folder: Path) -> DemoTask:
    def run() -> list[Path]:
        ins = load_instrument(instrument_id)
        return [
            to_codebook(ins, folder / f"{instrument_id}.codebook.md", format="markdown"),
            to_codebook(ins, folder / f"{instrument_id}.codebook.html", format="html"),
            to_xlsform(ins, folder / f"{instrument_id}.xlsform.xlsx"),
            to_frictionless(ins, folder / f"{instrument_id}.schema.json"),
        ]

    return DemoTask(f"instrument {instrument_id}", run)


def demo_tasks(out_dir: str | os.PathLike[str]) -> list[DemoTask]:
    """The steps of the demo, in order, writing into ``out_dir``.

    Examples
    --------
    >>> tasks = demo_tasks("deliberval-demo")
    >>> tasks[0].description
    'instrument deliberative_experience'
    """
    folder = Path(out_dir) / "instruments"
    return [_instrument_task(str(i), folder) for i in list_instruments()["id"]]


def write_demo(out_dir: str | os.PathLike[str], *, progress: Progress | None = None) -> list[Path]:
    """Write the demo outputs into ``out_dir`` and return the files written.

    For every instrument and questionnaire of the shipped library, ``out_dir/instruments/``
    receives a Markdown and an HTML codebook, an XLSForm and a Frictionless Table Schema.
    ``out_dir/README.md`` lists everything written.

    Parameters
    ----------
    out_dir : path-like
        Folder to write into (created when missing; existing files are overwritten).
    progress : callable, optional
        Called as ``progress(done, total, description)`` before each step and once at the end.

    Returns
    -------
    list of pathlib.Path
        Every file written, the index last.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_demo(tmp)
    ...     names = sorted(p.name for p in files)
    >>> "political_efficacy.xlsform.xlsx" in names, "README.md" in names
    (True, True)
    """
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    tasks = demo_tasks(root)
    written: list[Path] = []
    for done, task in enumerate(tasks):
        if progress is not None:
            progress(done, len(tasks), task.description)
        written += task.run()
    index = root / "README.md"
    lines = [
        "# deliberval demo",
        "",
        "Files written by `deliberval demo` (codebooks, XLSForms for ODK / KoboToolbox and",
        "Frictionless Table Schemas of the canonical responses table).",
        "",
        *[f"- [{p.relative_to(root).as_posix()}]({p.relative_to(root).as_posix()})" for p in written],
        "",
    ]
    index.write_text("\n".join(lines), encoding="utf-8")
    written.append(index)
    if progress is not None:
        progress(len(tasks), len(tasks), "done")
    return written
