"""``deliberval map suggest``: propose a mapping file for a data source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deliberval.cli._common import console, err_console, output_file, user_errors

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
    """Propose a mapping YAML for FILE; review it before use with ``deliberval validate --map``.

    Codes come from the file's value labels (written next to each code); what the file cannot say
    (process, role, language, a one-wave file's wave) is written as ``"<fill in: ...>"``, which
    validation refuses until you replace it or delete the line. What to do next is printed on
    standard error, so that ``> map.yaml`` keeps only the YAML.
    """
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
        with user_errors():
            output_file(out, example="mapping.yaml")
            out.write_text(text, encoding="utf-8")
        console.print(f"mapping written to {out}", highlight=False)
    from deliberval.io.mapping import is_placeholder

    todo = [k for k, v in mapping.constants.items() if is_placeholder(v)]
    if todo:
        err_console.print(f"next: fill in constants {', '.join(todo)} (the \"<fill in: ...>\" lines) of the mapping; "
                          "validation stops until you do", highlight=False, soft_wrap=True)
    if mapping.unmatched:
        err_console.print(f"next: map or drop {len(mapping.unmatched)} unmatched column(s) listed at the end",
                          highlight=False, soft_wrap=True)
