"""``deliberval selection``: selection probabilities and fairness of a sortition lottery.

Two inputs, one output:

- a panels file (``PANELS``): one row per panel x member, columns ``panel`` and the id column,
  plus ``panel_probability`` for a distribution over panels (e.g. a LEXIMIN or maximin
  allocation); without it every panel is one run of a selection algorithm (Monte Carlo);
- or ``--pool`` with ``--quotas`` and ``--panel-size``: the panels are drawn by running
  ``sortition-algorithms`` (the optional, GPL ``selection`` extra) through
  :func:`deliberval.selection.run_selection`; ``--panels-output`` keeps them.

The per-person probabilities are :func:`deliberval.analysis.fairness.selection_probabilities`'
table (``--output``), the four fairness statistics
:func:`deliberval.analysis.fairness.selection_fairness`' (printed; both in ``--json``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from deliberval.cli._common import console, user_errors, write_table
from deliberval.cli._options import level_option, output_option
from deliberval.cli._privacy import (
    KeepOption,
    KeyFileOption,
    Protection,
    PseudonymiseOption,
    protect_rows,
)
from deliberval.errors import DataInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["register"]

T = TypeVar("T")

# the options of cli/_options.py, with the help texts of this command
FormatOpt = Annotated[str | None, typer.Option("--format", help="Force a format (csv, excel, ...).")]
LevelOpt = Annotated[float, level_option("Coverage of the Monte Carlo intervals.")]
OutputOpt = Annotated[
    Path | None, output_option("Write the per-person probabilities here: .csv or .xlsx (by the suffix).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print both tables as JSON records.")]


def register(app: typer.Typer) -> None:
    """Attach the ``selection`` command to the main app."""
    app.command("selection")(selection_command)


def _read(path: Path, fmt: str | None, what: str) -> pd.DataFrame:
    from deliberval.io import read_table

    table = read_table(path, fmt)
    if len(table) == 0:
        raise DataInputError(f"{path}: no data rows (the file has a header only); expected the {what}")
    return table


def _panels_from_file(
    path: Path, table: pd.DataFrame, respondent: str, panel: str, probability: str
) -> tuple[list[list[str]], list[float] | None]:
    """Panels (member lists, in panel order) and their probabilities (None: runs)."""
    import pandas as pd

    for col in (panel, respondent):
        if col not in table.columns:
            raise DataInputError(
                f"{path}: no column {col!r}; a panels file has one row per panel x member with the columns "
                f"{panel}, {respondent} (and {probability} for a distribution over panels); "
                "name them with --panel, --respondent, --probability"
            )
    if table[[panel, respondent]].isna().any().any():
        raise DataInputError(f"{path}: the {panel} or {respondent} column has empty cells")
    keys = table[panel].astype(str)
    order = list(dict.fromkeys(keys))
    groups = dict(list(table.groupby(keys, sort=False)))
    panels = [groups[k][respondent].astype(str).tolist() for k in order]
    if probability not in table.columns or table[probability].isna().all():  # empty: legacy runs
        return panels, None
    numbers = pd.to_numeric(table[probability], errors="coerce")
    if (table[probability].notna() & numbers.isna()).any():
        raise DataInputError(f"{path}: {probability} must hold numbers")
    if numbers.isna().any():
        raise DataInputError(f"{path}: {probability} is empty on some rows; give it on every row (or drop the column for runs)")
    probs = []
    for k in order:
        values = numbers[(keys == k).to_numpy()].unique()
        if len(values) != 1:
            raise DataInputError(f"{path}: panel {k} has different {probability} values on its rows")
        probs.append(float(values[0]))
    return panels, probs


def selection_command(
    panels_file: Annotated[
        Path | None,
        typer.Argument(help="Panels file: one row per panel x member (panel, id column, optional panel_probability). "
                       "Omit it to run a selection algorithm with --pool, --quotas and --panel-size.",
                       show_default=False),
    ] = None,
    pool_file: Annotated[
        Path | None,
        typer.Option("--pool", help="Pool file: one row per volunteer (id column and the quota columns). With a "
                     "panels file only the ids are used, so that never-selected members count with probability 0."),
    ] = None,
    quotas_file: Annotated[
        Path | None,
        typer.Option("--quotas", help="Quotas file: dimension, category, min, max (or feature, value, min, max): "
                     "run sortition-algorithms (pip install 'deliberval[selection]', GPL)."),
    ] = None,
    panel_size: Annotated[int | None, typer.Option("--panel-size", min=1, help="Panel size (with --quotas).")] = None,
    algorithm: Annotated[
        str, typer.Option("--algorithm", help="maximin, leximin (needs Gurobi), nash or legacy (with --quotas).")
    ] = "maximin",
    runs: Annotated[int | None, typer.Option("--runs", min=1, help="Runs of the legacy algorithm (default 1000).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=1, help="Seed of the selection (reproducible panels).")] = None,
    respondent: Annotated[str, typer.Option("--respondent", help="Id column of the pool and panels files.")] = "respondent_id",
    panel: Annotated[str, typer.Option("--panel", help="Panel (or run) number column of the panels file.")] = "panel",
    probability: Annotated[
        str, typer.Option("--probability", help="Panel probability column of the panels file (absent: the panels are runs).")
    ] = "panel_probability",
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0.0, max=1.0, help="share_below counts probabilities under this (default: panel size / pool size)."),
    ] = None,
    panels_output: Annotated[
        Path | None, typer.Option("--panels-output", help="Write the drawn panels (.csv or .xlsx), a panels file for later.")
    ] = None,
    confidence_level: LevelOpt = 0.95,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
    pseudonymise: PseudonymiseOption = False,
    key_file: KeyFileOption = None,
    keep_identifiers: KeepOption = False,
) -> None:
    """Selection probability of every pool member and the fairness of the lottery.

    Minimum probability, Gini coefficient, geometric mean and share below a threshold
    (Flanigan et al. 2021) of the probabilities from a panel distribution, from repeated runs
    (Monte Carlo, with standard errors) or from running sortition-algorithms. --output writes
    the per-person table of deliberval.selection_probabilities; --json prints
    {"probabilities": [...], "fairness": [...]}. The per-person outputs (--output, --json,
    --panels-output) hold the id column and computed columns only; an id column that looks like
    a direct identifier (e-mail addresses ...) stops the command unless --pseudonymise
    --key-file FILE (keyed pseudonyms) or --keep-identifiers.
    """
    from deliberval.cli.analyses import _col, _notes, _records
    from deliberval.cli.estimates import _flags_need

    notes: list[str] = []
    protection = Protection(pseudonymise, key_file, keep_identifiers)
    with user_errors():
        _flags_need(protection, output is not None or as_json or panels_output is not None, "--output")
        if quotas_file is None:
            given = [o for o, v in (("--panel-size", panel_size), ("--runs", runs), ("--seed", seed),
                                    ("--panels-output", panels_output)) if v is not None]
            if algorithm != "maximin":
                given.append("--algorithm")
            if given:
                raise DataInputError(f"{', '.join(given)} apply when running a selection algorithm (with --quotas)")
        from deliberval.analysis.fairness import selection_fairness, selection_probabilities

        if quotas_file is not None:
            if panels_file is not None:
                raise DataInputError("give either a panels file or --quotas (to run a selection algorithm), not both")
            if pool_file is None or panel_size is None:
                raise DataInputError("running a selection algorithm needs --pool, --quotas and --panel-size")
            from deliberval.selection import run_selection

            size, pool_path = panel_size, pool_file
            pool = _read(pool_path, fmt, "pool")
            quotas = _read(quotas_file, fmt, "quotas")
            run = _in_file(pool_path, lambda: run_selection(
                pool, quotas, size, algorithm=algorithm, runs=runs, seed=seed,  # type: ignore[arg-type]
                respondent=respondent,
            ))
            probs = _in_file(pool_path, lambda: run.selection_probabilities(confidence_level=confidence_level))
            source, where = f"{run.method}, from {pool_path.name}", pool_path
            if panels_output is not None:
                write_table(protect_rows(run.panel_table(), source=str(pool_path), command="selection --panels-output",
                                         protection=protection, id_columns=(respondent,),
                                         data_folders=[pool_path.parent, panels_output.parent]),
                            panels_output, sheet="panels")
        elif panels_file is not None:
            table = _read(panels_file, fmt, "panels")
            panels, panel_probs = _panels_from_file(panels_file, table, respondent, panel, probability)
            pool_ids = None
            if pool_file is not None:
                pool_table = _read(pool_file, fmt, "pool")
                if respondent not in pool_table.columns:
                    raise DataInputError(f"{pool_file}: no id column {respondent!r}; name it with --respondent")
                pool_ids = pool_table[respondent].astype(str).tolist()
            probs = _in_file(panels_file, lambda: selection_probabilities(
                panels, panel_probs, pool=pool_ids, respondent=respondent, confidence_level=confidence_level,
            ))
            source, where = f"{len(panels)} panels in {panels_file.name}", panels_file
            if panel_probs is None:
                notes.append(f"no {probability} column: each of the {len(panels)} panels counts as one "
                             "selection run (Monte Carlo estimates with standard errors)")
        else:
            raise DataInputError("give a panels file, or --pool, --quotas and --panel-size to run a selection algorithm")
        fairness = _in_file(where, lambda: selection_fairness(probs["estimate"], threshold=threshold))
        if output is not None or as_json:
            probs = protect_rows(probs, source=str(where), command="selection", protection=protection,
                                 id_columns=(respondent,),
                                 data_folders=[where.parent, *([output.parent] if output is not None else [])])
    if output is not None:
        with user_errors():
            write_table(probs, output, sheet="probabilities")
    if as_json:
        typer.echo(json.dumps({"probabilities": _records(probs), "fairness": _records(fairness)},
                              indent=2, ensure_ascii=False))
    else:
        from rich.table import Table

        shown = Table(title=f"Fairness of the selection ({source})")
        for name in ("statistic", "estimate", "threshold", "pool"):
            shown.add_column(name, justify="left" if name == "statistic" else "right")
        for row in fairness.to_dict("records"):
            shown.add_row(str(row["statistic"]), _col("estimate", 4)(row), _col("threshold", 4)(row), _col("n")(row))
        console.print(shown)
        low, high = probs["estimate"].min(), probs["estimate"].max()
        console.print(f"selection probabilities from {low:.4f} to {high:.4f}; they sum to {probs['estimate'].sum():.4f}",
                      highlight=False)
    _notes(notes)
    if not as_json:
        for path, what in ((output, "probabilities"), (panels_output, "panels")):
            if path is not None:
                console.print(f"{what} written to {path}", highlight=False)


def _in_file(path: Path | None, call: Callable[[], T]) -> T:
    """Run a stage; its input errors name the file."""
    from deliberval.errors import DelibervalError

    try:
        return call()
    except DataInputError:
        raise
    except DelibervalError as exc:
        raise DataInputError(f"{path}: {exc}") from None
