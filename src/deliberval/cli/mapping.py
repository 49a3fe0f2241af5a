"""``deliberval map suggest``: propose a mapping file for a data source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deliberval.cli._common import console, user_errors

__all__ = ["register"]

map_app = typer.Typer(help="Mapping files: source columns and codes -> canonical names.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Attach the ``map`` group to the main app."""
    app.add_typer(map_app, name="map")


@map_app.command("suggest")
def suggest(
    file: Annotated[Path, typer.Argument(help="Data file to map.")],
    instrument: Annotated[str, typer.Option("--instrument", "-i", help="Instrument or questionnaire id.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the YAML here instead of printing it.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Force a format (csv, excel, spss, ...).")] = None,
    surveys: Annotated[list[Path] | None, typer.Option("--surveys", help="Extra instrument folder (repeatable).")] = None,
) -> None:
    """Propose a mapping YAML for FILE; review it before use with ``deliberval validate --map``."""
    from deliberval.instruments import load_instrument
    from deliberval.io import read_table, suggest_mapping

    with user_errors():
        ins = load_instrument(instrument, surveys)
        raw = read_table(file, fmt)
        mapping = suggest_mapping(raw, ins)
    text = f"# mapping proposed by deliberval for {file.name}; review before use\n" + mapping.to_yaml()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"mapping written to {out}", highlight=False)
