"""``deliberval instruments``: list, show, check, export and import survey instruments."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from deliberval.cli._common import console, err_console, output_file, output_folder, user_errors
from deliberval.errors import DelibervalError

__all__ = ["register"]

instruments_app = typer.Typer(help="The survey instrument library.", no_args_is_help=True)

SurveysOption = Annotated[
    list[Path] | None,
    typer.Option("--surveys", help="Extra folder of your own instrument YAML files (repeatable)."),
]


def register(app: typer.Typer) -> None:
    """Attach the ``instruments`` group to the main app."""
    app.add_typer(instruments_app, name="instruments")


@instruments_app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    surveys: SurveysOption = None,
) -> None:
    """List every instrument and questionnaire with version, languages, items and constructs."""
    import json

    from rich.table import Table

    from deliberval.instruments import list_instruments

    with user_errors():
        table = list_instruments(surveys)
    if as_json:
        records = [
            {
                "id": r.id,
                "kind": r.kind,
                "version": r.version,
                "title": r.title,
                "languages": r.languages.split(","),
                "n_items": int(r.n_items),
                "constructs": r.constructs.split(",") if r.constructs else [],
            }
            for r in table.itertuples()
        ]
        typer.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    out = Table(title="deliberval instrument library")
    for col in ("id", "kind", "version", "languages", "items", "constructs"):
        out.add_column(col)
    for r in table.itertuples():
        out.add_row(str(r.id), str(r.kind), str(r.version), str(r.languages), str(r.n_items), str(r.constructs))
    console.print(out)


@instruments_app.command("show")
def show(
    instrument_id: Annotated[str, typer.Argument(help="Instrument or questionnaire id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    lang: Annotated[str, typer.Option(help="Language of the item texts shown.")] = "en",
    surveys: SurveysOption = None,
) -> None:
    """Show an instrument's items: id, scale, values, missing codes, reverse flag and waves."""
    import json

    from rich.table import Table

    from deliberval.instruments import load_instrument

    with user_errors():
        ins = load_instrument(instrument_id, surveys)
    items: list[dict[str, Any]] = []
    for it in ins.items:
        rs = ins.response_scale(it.scale)
        items.append(
            {
                "id": it.id,
                "construct": it.construct,
                "text": it.text.get(lang, it.text.get("en", "")),
                "scale": rs.id,
                "scale_type": rs.type,
                "min": rs.min,
                "max": rs.max,
                "values": [v.value for v in rs.values],
                "missing_codes": {str(m.code): m.meaning for m in ins.missing_codes(it.id)},
                "reverse": it.reverse,
                "waves": list(it.waves),
                "respondents": list(it.respondents),
            }
        )
    if as_json:
        doc = {
            "id": ins.id,
            "version": ins.version,
            "title": ins.title,
            "languages": list(ins.languages),
            "items": items,
            "scales": [s.model_dump() for s in ins.scales],
        }
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    out = Table(title=f"{ins.id} {ins.version}: {ins.title.get(lang, ins.title['en'])}")
    for col in ("id", "construct", "scale", "reverse", "waves", "text"):
        out.add_column(col, overflow="fold")
    for row in items:
        out.add_row(row["id"], row["construct"], row["scale"], "yes" if row["reverse"] else "",
                    ",".join(row["waves"]), str(row["text"]))
    console.print(out)


@instruments_app.command("check")
def check(
    path: Annotated[
        Path | None, typer.Argument(help="A YAML file or a folder of them (default: the shipped library).")
    ] = None,
) -> None:
    """Check instrument YAML files against the format; exit 2 if any problem is found."""
    from deliberval.instruments import check_path
    from deliberval.instruments.library import shipped_surveys_dir

    target = path or shipped_surveys_dir()
    problems = check_path(target)
    if problems:
        for p in problems:
            err_console.print(f"[bold red]error:[/] {p}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    console.print(f"[green]ok[/]: {target} is a valid instrument definition")


class ExportFormat(StrEnum):
    """Formats of ``instruments export``."""

    xlsform = "xlsform"
    codebook = "codebook"
    frictionless = "frictionless"


@instruments_app.command("export")
def export(
    instrument_id: Annotated[str, typer.Argument(help="Instrument or questionnaire id.")],
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="xlsform, codebook or frictionless.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    lang: Annotated[
        list[str] | None,
        typer.Option("--lang", help="XLSForm only: language to include (repeatable; default all)."),
    ] = None,
    wave: Annotated[
        str | None, typer.Option(help="XLSForm only: a form for this wave (pre, post, follow_up).")
    ] = None,
    surveys: SurveysOption = None,
) -> None:
    """Export an instrument as an XLSForm (.xlsx), a codebook (.md or .html) or a Table Schema (.json)."""
    from deliberval.instruments import load_instrument, to_codebook, to_frictionless, to_xlsform

    with user_errors():
        ins = load_instrument(instrument_id, surveys)
        output_file(output, example={ExportFormat.xlsform: "form.xlsx", ExportFormat.codebook: "codebook.md"}
                    .get(format, "schema.json"))
        if format is ExportFormat.xlsform:
            if output.suffix.lower() != ".xlsx":
                raise DelibervalError(f"{output}: an XLSForm is written as .xlsx, got {output.suffix or 'no suffix'!r}")
            written = to_xlsform(ins, output, languages=lang, wave=wave)
        elif format is ExportFormat.codebook:
            kinds = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
            kind = kinds.get(output.suffix.lower())
            if kind is None:
                raise DelibervalError(f"{output}: a codebook is written as .md or .html, got {output.suffix or 'no suffix'!r}")
            written = to_codebook(ins, output, format="html" if kind == "html" else "markdown")
        else:
            written = to_frictionless(ins, output)
    console.print(f"[green]wrote[/] {written}", highlight=False)


@instruments_app.command("schema")
def schema(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the schemas into.")] = Path("docs"),
) -> None:
    """Write the JSON Schemas of the instrument and questionnaire YAML formats."""
    import json

    from deliberval.instruments import json_schemas

    with user_errors():
        output_folder(output)
    for name, doc in json_schemas().items():
        target = output / name
        target.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"[green]wrote[/] {target}", highlight=False)


@instruments_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A questionnaire in a Word file (.docx), e.g. the OECD's Annex C.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Instrument YAML to write (default: print it).")
    ] = None,
    instrument_id: Annotated[
        str | None, typer.Option("--id", help="Instrument id (snake_case; default: from the file name).")
    ] = None,
    respondent: Annotated[
        list[str] | None,
        typer.Option("--respondent", help="Who answers (repeatable; default citizen): citizen, politician, "
                     "civil_servant, organiser, stakeholder."),
    ] = None,
    wave: Annotated[str, typer.Option(help="When it is answered: pre, post or follow_up (X2 items: pre and post).")]
    = "post",
    lang: Annotated[str, typer.Option("--lang", help="Language of the file (ISO 639-1, default en).")] = "en",
) -> None:
    """Turn a questionnaire in a Word file into an instrument YAML to check and edit.

    Reads numbered questions, response options (lists or table rows), grids, "X2" marks (asked
    before and after) and "randomise" notes; the wording is kept as written (verbatim). Each
    part not understood is reported on one line.
    """
    from deliberval.errors import DataInputError
    from deliberval.instruments.check import check_definition
    from deliberval.instruments.model import ROLES
    from deliberval.io.questionnaire_docx import read_questionnaire_docx

    with user_errors():
        roles = tuple(dict.fromkeys(respondent or ["citizen"]))
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise DataInputError(f"--respondent {unknown[0]!r}: expected one of {', '.join(ROLES)}")
        if output is not None:
            output_file(output, example="instrument.yaml")
            if output.suffix.lower() not in (".yaml", ".yml"):
                raise DataInputError(f"{output}: an instrument is written as .yaml, got {output.suffix or 'no suffix'!r}")
        result = read_questionnaire_docx(file, instrument_id=instrument_id, respondents=roles, wave=wave,
                                         language=lang)
    from rich.markup import escape

    for note in result.notes:
        err_console.print(f"[yellow]note:[/] {escape(note)}", highlight=False, soft_wrap=True)
    _, problems = check_definition(result.instrument, str(output or file))
    for problem in problems:
        err_console.print(f"[yellow]to fix before use:[/] {escape(str(problem))}", highlight=False, soft_wrap=True)
    text = result.yaml()
    n_items = len(result.instrument["items"])
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"[green]wrote[/] {output}: {n_items} items, {len(result.notes)} notes; check it with "
                  f"deliberval instruments check {output}", highlight=False, soft_wrap=True)
