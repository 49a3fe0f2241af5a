"""``deliberval validate``: split a data file into valid and quarantined rows with a failure list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from deliberval.cli._common import console, user_errors
from deliberval.cli._privacy import (
    KeepOption,
    KeyFileOption,
    Protection,
    PseudonymiseOption,
    protect_frame,
)
from deliberval.errors import DataInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Attach the ``validate`` command to the main app."""
    app.command("validate")(validate_command)


def _parquet_safe(df: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if pd.isna(v) else str(v)).astype("str")
    return out


def validate_command(
    data: Annotated[Path, typer.Argument(help="Data file (CSV, TSV, Excel, SPSS, Stata, LimeSurvey, Qualtrics, Kobo).")],
    instrument: Annotated[str, typer.Option("--instrument", "-i", help="Instrument or questionnaire id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for valid/quarantined rows and failures.csv.")],
    map_file: Annotated[Path | None, typer.Option("--map", help="Mapping YAML for source names and codes.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Force a format (csv, excel, spss, ...).")] = None,
    surveys: Annotated[list[Path] | None, typer.Option("--surveys", help="Extra instrument folder (repeatable).")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Excel only: the sheet to read, by name (default: the first).")] = None,
    pseudonymise: PseudonymiseOption = False,
    key_file: KeyFileOption = None,
    keep_identifiers: KeepOption = False,
) -> None:
    """Validate DATA against an instrument; exit 0 all valid, 1 some rows quarantined, 2 unusable input.

    Columns that look like direct identifiers (names, e-mail, phone, address, IP address,
    geolocation ..., by name in en / fr / nl / de / da or by content) or free text are never
    written without --pseudonymise --key-file FILE (left out, respondent ids replaced by keyed
    pseudonyms) or --keep-identifiers: without either the command stops (exit 2).
    """
    from rich.table import Table

    from deliberval.instruments import load_instrument
    from deliberval.io import read_responses
    from deliberval.validation import validate as run_validate

    with user_errors():
        ins = load_instrument(instrument, surveys)
        if out.exists() and not out.is_dir():
            raise DataInputError(f"{out}: is a file; -o names the folder to write valid/quarantined rows "
                                 "and failures into (created when missing)")
        df = read_responses(data, ins, map_file, fmt, **({"sheet": sheet} if sheet is not None else {}))
        if len(df) == 0:
            raise DataInputError(f"{data}: no data rows (the file has a header only); nothing to validate")
        df = protect_frame(df, source=str(data), command="validate", instrument=ins,
                           protection=Protection(pseudonymise, key_file, keep_identifiers),
                           data_folders=[data.parent, out])
        result = run_validate(df, ins)
        try:
            out.mkdir(parents=True, exist_ok=True)
            for name, table in (("valid", result.valid), ("quarantined", result.quarantined)):
                table.to_csv(out / f"{name}.csv", index=False)
                _parquet_safe(table).to_parquet(out / f"{name}.parquet", index=False)
            result.failures.to_csv(out / "failures.csv", index=False)
            result.summary.to_csv(out / "summary.csv", index=False)
        except OSError as exc:
            raise DataInputError(f"{out}: cannot write results ({exc.strerror})") from None
    table = Table(title=f"{data.name} against {ins.id} {ins.version}")
    for col in ("check", "severity", "column", "reason", "n"):
        table.add_column(col, justify="right" if col == "n" else "left")
    table.add_row("rows read", "", "", "", str(result.n_rows))
    table.add_row("valid", "", "", "", str(len(result.valid)))
    table.add_row("quarantined", "error" if len(result.quarantined) else "", "", "", str(len(result.quarantined)))
    for r in result.summary.itertuples(index=False):
        table.add_row(str(r.check), str(r.severity), str(r.column), str(r.reason), str(r.n))
    console.print(table)
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    console.print(f"written to {out}: valid.csv/.parquet, quarantined.csv/.parquet, failures.csv, summary.csv", highlight=False)
    raise typer.Exit(0 if result.all_valid else 1)
