"""``deliberval demo``: write the example outputs with a progress bar."""

from __future__ import annotations

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
) -> None:
    """Write the demo into a folder: instrument exports, example data, reports and a comparison.

    Every instrument's codebook (Markdown, HTML), XLSForm and Table Schema; each synthetic
    example process's input data and report.yaml; its reports (HTML, XLSX, and PDF when
    WeasyPrint is installed); a comparison of the examples (comparison.html); and a README.md
    listing every file.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from deliberval.demo import write_demo

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with user_errors():
        output_folder(output)  # a file there is a one-line error, not a bug report
    with user_errors(), Progress(*columns, console=get_console(), transient=False) as bar:
        task = bar.add_task("deliberval demo", total=None)

        def step(done: int, total: int, description: str) -> None:
            bar.update(task, completed=done, total=total, description=description)

        files = write_demo(output, progress=step)
    console.print(f"[green]wrote[/] {len(files)} files into {output}", highlight=False)
