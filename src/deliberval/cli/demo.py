"""``deliberval demo``: write the example outputs, one line per step and a progress bar."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from deliberval.cli._common import console, get_console, output_folder, user_errors

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Attach the ``demo`` command to the main app."""
    app.command("demo")(demo)


def demo(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write into.")] = Path(
        "deliberval-demo"
    ),
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print each example's report to PDF (needs the pdf "
                                      "extra: WeasyPrint; about 25 s of CPU per report).")] = False,
    workers: Annotated[int | None, typer.Option("--workers", "-j", min=1, help="Worker processes for the "
                                                "example reports (default: the CPUs, at most 4).")] = None,
) -> None:
    """Write the demo into a folder: instrument exports, example data, reports and a comparison.

    Every instrument's codebook (Markdown, HTML), XLSForm and Table Schema; each synthetic
    example process's input data and report.yaml; its reports (HTML and XLSX; PDF too with
    --pdf, which needs WeasyPrint); a comparison of the examples (comparison.html); and a
    README.md listing every file. The example reports are written in parallel worker processes.
    """
    import os
    import sys

    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if "numpy" not in sys.modules:  # the worker processes are the parallelism: one BLAS thread each
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, "1")
    from deliberval.demo import PDF_HINT, write_demo

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with user_errors():
        output_folder(output)  # a file there is a one-line error, not a bug report
    started = time.perf_counter()
    with user_errors(), Progress(*columns, console=get_console(), transient=True) as bar:
        task = bar.add_task("deliberval demo", total=None)

        def step(done: int, total: int, message: str) -> None:
            if done == 0:
                bar.console.print(f"deliberval demo: {escape(message)}", highlight=False, soft_wrap=True)
                # no refresh thread while the worker processes are forked (a lock it held would stay
                # held in them); the bar comes back with the first finished step
                bar.stop()
            elif not bar.live.is_started:
                bar.start()
            if done > 0 and message != "done":
                bar.console.print(f"[{done:>2}/{total}] {time.perf_counter() - started:5.1f} s  {escape(message)}",
                                  highlight=False, soft_wrap=True)
            left = total - done
            description = "done" if left == 0 else f"{left} step{'' if left == 1 else 's'} left"
            bar.update(task, completed=done, total=total, description=description)

        files = write_demo(output, progress=step, pdf=pdf, workers=workers)
    console.print(f"[green]wrote[/] {len(files)} files into {output} in {time.perf_counter() - started:.1f} s"
                  f" (index: {output / 'README.md'})", highlight=False, soft_wrap=True)
    if not pdf:
        console.print(escape(PDF_HINT) + ".", highlight=False, soft_wrap=True)
