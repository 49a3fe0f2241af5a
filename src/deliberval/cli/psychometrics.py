"""``deliberval psychometrics``: reliability and factor structure of every scale, with flags."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from deliberval.cli._common import console, output_file, user_errors
from deliberval.cli._privacy import (
    KeepOption,
    KeyFileOption,
    Protection,
    PseudonymiseOption,
    protect_frame,
)
from deliberval.errors import DataInputError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Attach the ``psychometrics`` command to the main app."""
    app.command("psychometrics")(psychometrics_command)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) == "<NA>"


def _fmt(value: object, digits: int = 2) -> str:
    if _missing(value):
        return ""
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def psychometrics_command(
    data: Annotated[
        Path, typer.Argument(help="Responses file (CSV, Excel, SPSS, Stata, Parquet, ...).")
    ],
    instrument: Annotated[
        str, typer.Option("--instrument", "-i", help="Instrument or questionnaire id.")
    ],
    by: Annotated[
        str | None,
        typer.Option("--by", help="Analyse each level of this column (e.g. wave) separately."),
    ] = None,
    invariance_across: Annotated[
        str | None,
        typer.Option(
            "--invariance-across",
            help=(
                "Test measurement invariance across the levels of this column (e.g. language, "
                "wave). When a respondent (respondent_id) answers in several levels, e.g. the "
                "same people in every wave, the test is longitudinal (residuals of an item "
                "correlated across levels); otherwise multi-group. The output names the form."
            ),
        ),
    ] = None,
    ordered: Annotated[
        bool,
        typer.Option(
            "--ordered",
            help=(
                "With --invariance-across: treat the items as ordinal (Likert, 3-10 categories, "
                "every category used in every group; WLSMV). Multi-group only."
            ),
        ),
    ] = False,
    estimator: Annotated[
        str,
        typer.Option(
            "--estimator",
            help="With --invariance-across: ML (default) or MLR (robust, Yuan-Bentler scaled).",
            case_sensitive=False,
        ),
    ] = "ML",
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Mapping YAML for source names and codes.")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="Force a format (csv, excel, spss, ...).")
    ] = None,
    surveys: Annotated[
        list[Path] | None, typer.Option("--surveys", help="Extra instrument folder (repeatable).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the table as CSV.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    pseudonymise: PseudonymiseOption = False,
    key_file: KeyFileOption = None,
    keep_identifiers: KeepOption = False,
) -> None:
    """Alpha, omega and one-factor CFA for every scale of INSTRUMENT in DATA; flags weak scales.

    Data holding columns that look like direct identifiers are refused (exit 2) unless
    --pseudonymise --key-file FILE or --keep-identifiers; free-text columns are left out.
    """
    from deliberval.indicators.scales import scale_diagnostics
    from deliberval.instruments import load_instrument
    from deliberval.io import read_responses
    from deliberval.scoring import score

    with user_errors():
        est = estimator.upper()
        if est not in ("ML", "MLR"):
            raise DataInputError(f"--estimator must be ML or MLR, got {estimator!r}")
        if (ordered or est != "ML") and invariance_across is None:
            raise DataInputError("--ordered and --estimator need --invariance-across COLUMN")
        if ordered and est != "ML":
            raise DataInputError("--ordered uses WLSMV; it cannot be combined with --estimator MLR")
        ins = load_instrument(instrument, surveys)
        if data.suffix.lower() == ".parquet":
            import pandas as pd

            try:
                df = pd.read_parquet(data)
            except (OSError, ValueError) as exc:
                raise DataInputError(f"{data}: cannot read Parquet file ({exc})") from None
        else:
            df = read_responses(data, ins, map_file, fmt)
        if len(df) == 0:
            raise DataInputError(f"{data}: no data rows (the file has a header only); nothing to analyse")
        df = protect_frame(df, source=str(data), command="psychometrics", instrument=ins,
                           protection=Protection(pseudonymise, key_file, keep_identifiers),
                           free_text="drop", data_folders=[data.parent])
        scored = score(df, ins).data
        rep = scale_diagnostics(scored, ins, by=by, invariance_across=invariance_across,
                                ordered=ordered, estimator=est)
        if output is not None:
            output_file(output, example="psychometrics.csv")
            try:
                rep.to_csv(output, index=False)
            except OSError as exc:
                raise DataInputError(f"{output}: cannot write ({exc.strerror})") from None
    if as_json:
        typer.echo(
            json.dumps(json.loads(rep.to_json(orient="records")), indent=2, ensure_ascii=False)
        )
        return
    table = Table(title=f"Psychometrics of {ins.id} {ins.version} in {data.name}")
    numeric = {"n", "alpha", "omega", "CFI", "RMSEA", "min load"}
    cols = ["scale", *([by] if by else []), "n", "alpha", "95% CI", "omega", "CFI", "RMSEA"]
    cols += ["min load", "status"]
    for col in cols:
        table.add_column(col, justify="right" if col in numeric else "left")
    records = rep.to_dict("records")
    for r in records:
        ci = (
            ""
            if _missing(r["alpha_ci_low"])
            else f"{r['alpha_ci_low']:.2f}-{r['alpha_ci_high']:.2f}"
        )
        status = {"ok": "[green]ok[/]", "check": "[yellow]check[/]"}.get(
            str(r["status"]), f"[red]{r['status']}[/]"
        )
        table.add_row(
            str(r["scale"]),
            *([str(r[by])] if by else []),
            _fmt(r["n"]),
            _fmt(r["alpha"]),
            ci,
            _fmt(r["omega_total"]),
            _fmt(r["cfi"], 3),
            _fmt(r["rmsea"], 3),
            _fmt(r["min_std_loading"]),
            status,
        )
    console.print(table)
    for r in records:
        if r["flags"]:
            where = f" ({r[by]})" if by else ""
            console.print(f"[bold]{r['scale']}[/]{where}: {r['flags']}", highlight=False)
    verdicts = rep.loc[
        rep["invariance"].astype(str) != "", ["scale", "invariance"]
    ].drop_duplicates()
    for r in verdicts.to_dict("records"):
        console.print(f"{r['scale']}: {r['invariance']}", highlight=False)
    if any(" invariance " in str(v) for v in verdicts["invariance"]):
        console.print(
            "[dim]invariance: a step fails when delta CFI < -0.01 and the chi-square "
            "difference p < 0.025 (0.05 over the two steps: metric and scalar, or with "
            "--ordered thresholds and loadings); "
            "see docs/methods/psychometrics.md[/]",
            highlight=False,
        )
