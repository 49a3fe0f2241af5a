"""``deliberval balance``, ``event-study``, ``survey-estimate``, ``replicate-weights``: thin faces.

Each reads one data file as ``deliberval prepost`` does (optionally validated and scored against
``--instrument``), calls one function of :mod:`deliberval.analysis` and prints its key columns;
``--output`` writes the function's whole tidy table, unrounded (CSV or XLSX by the suffix),
``--json`` prints it. The same data through the Python function gives the same table:

- ``balance``: :func:`deliberval.analysis.propensity.propensity_weights` (ASMD before and after
  weighting, effective n; ``--plot`` draws :func:`deliberval.plots.balance.plot_balance`);
- ``event-study``: :func:`deliberval.analysis.event_study.event_study`, one table per outcome;
- ``survey-estimate``: :func:`deliberval.analysis.survey.survey_mean`, ``survey_total``,
  ``survey_ratio`` or ``survey_quantile`` (``--replicates``: a
  :class:`~deliberval.analysis.survey.ReplicateDesign` as ``replicates=``);
- ``replicate-weights``: :func:`deliberval.analysis.survey.replicate_weights`, written after the
  id column.

Per-person outputs (``balance --weights-output``, ``replicate-weights``) hold the id column and
computed columns only and pass :func:`deliberval.cli._privacy.protect_rows` (``--pseudonymise
--key-file``, ``--keep-identifiers``).

The tables are for the analyst, not disclosure-controlled. Heavy modules are imported inside
the commands, so ``deliberval --help`` stays light.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from deliberval.cli._common import console, user_errors, write_table
from deliberval.cli._options import (
    INSTRUMENT_HELP,
    ClusterOpt,
    ControlOpt,
    DataArg,
    FormatOpt,
    GroupOpt,
    JsonOpt,
    LevelOpt,
    MapOpt,
    OutcomesArg,
    OutputOpt,
    RespondentOpt,
    SurveysOpt,
    TreatedOpt,
    WaveOpt,
    instrument_option,
)
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

STATISTICS = ("mean", "total", "ratio", "quantile")

# prepost's --instrument help goes on to say what becomes of a missing-value code
InstrumentOpt = Annotated[str | None, instrument_option(INSTRUMENT_HELP + ".")]


def register(app: typer.Typer) -> None:
    """Attach the ``balance``, ``event-study`` and ``survey-estimate`` commands to the main app."""
    app.command("balance")(balance_command)
    app.command("event-study")(event_study_command)
    app.command("survey-estimate")(survey_estimate_command)
    app.command("replicate-weights")(replicate_weights_command)


def _value_as_in(table: pd.DataFrame, column: str, value: str | None) -> Any:
    """A value typed at the command line as the column holds it (text from a CSV, numbers)."""
    if value is None or column not in table.columns:
        return value
    for v in table[column].dropna().unique():
        if str(v) == value or (isinstance(v, float) and v.is_integer() and str(int(v)) == value):
            return v
    return value


# --------------------------------------------------------------------------- balance


def balance_command(
    data: DataArg,
    covariates: Annotated[
        list[str],
        typer.Argument(help="Covariate columns of the propensity model (comma-separated or several).", show_default=False),
    ],
    instrument: InstrumentOpt = None,
    group: Annotated[str, typer.Option("--group", help="Two-valued column: participants (or completers) against controls (or drop-outs).")] = "group",
    treated: Annotated[
        str | None,
        typer.Option("--treated", help="Value of --group marking participants / completers (default: 'participant', True or 1)."),
    ] = None,
    target: Annotated[
        str, typer.Option("--target", help="treated: make controls resemble participants (ATT); all: both resemble everybody (ATE, attrition).")
    ] = "treated",
    trim: Annotated[
        float | None, typer.Option("--trim", min=0.0, max=0.4999, help="Clip propensity scores to [trim, 1 - trim] (e.g. 0.05).")
    ] = None,
    wave: Annotated[str, typer.Option("--wave", help="Wave column (used with --baseline).")] = "wave",
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Use only the rows of this wave (one row per person), e.g. pre."),
    ] = None,
    weights_output: Annotated[
        Path | None,
        typer.Option("--weights-output", help="Write the per-row weights (.csv or .xlsx): the id column if present, treated, propensity, weight, included."),
    ] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw the balance plot (ASMD before and after) to this PNG file.")] = None,
    respondent: Annotated[str, typer.Option("--respondent", help="Id column copied into --weights-output.")] = "respondent_id",
    map_file: MapOpt = None,
    fmt: FormatOpt = None,
    surveys: SurveysOpt = None,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
    pseudonymise: PseudonymiseOption = False,
    key_file: KeyFileOption = None,
    keep_identifiers: KeepOption = False,
) -> None:
    """Propensity-score weights and covariate balance: ASMD before and after, effective n.

    The tables are deliberval.propensity_weights' (balance: one row per covariate or category;
    summary: one row per group). --output writes the balance table, --weights-output the weight
    of every row (join it to the responses for a weighted event-study), --json prints
    {"balance": [...], "summary": [...]}. Not disclosure-controlled. --weights-output holds one
    row per person: an id column that looks like a direct identifier (e-mail addresses ...)
    stops the command unless --pseudonymise --key-file FILE (keyed pseudonyms, as validate
    --pseudonymise writes with the same key) or --keep-identifiers; no other input column is
    copied into it.
    """
    from deliberval.analysis.propensity import propensity_weights
    from deliberval.cli.analyses import _analyse, _col, _column_list, _notes, _records, load_table

    notes: list[str] = []
    covs = _column_list(covariates) or []
    protection = Protection(pseudonymise, key_file, keep_identifiers)
    with user_errors():
        _flags_need(protection, weights_output is not None, "--weights-output")
        if target not in ("treated", "all"):
            raise DataInputError(f"--target must be 'treated' or 'all', got {target!r}")
        if plot is not None and plot.suffix.lower() != ".png":
            raise DataInputError(f"{plot}: --plot writes a PNG file; give a name ending in .png")
        table, _ = load_table(
            data, instrument=instrument, map_file=map_file, fmt=fmt, surveys=surveys,
            keep=(group, respondent, wave, *covs), notes=notes,
        )
        if baseline is not None:
            if wave not in table.columns:
                raise DataInputError(f"{data}: no wave column {wave!r} to pick the --baseline rows")
            value = _value_as_in(table, wave, baseline)
            table = table.loc[table[wave] == value]
            if len(table) == 0:
                raise DataInputError(f"{data}: no row has {wave} = {baseline!r}")
        elif wave in table.columns and table[wave].nunique() > 1:
            waves_seen = ", ".join(map(str, sorted(table[wave].dropna().astype(str).unique())[:5]))
            raise DataInputError(
                f"{data}: the rows belong to several waves ({waves_seen}); give --baseline WAVE so that each person counts once"
            )
        if group not in table.columns:
            raise DataInputError(f"{data}: no group column {group!r}; name it with --group")
        present = sorted(map(str, table[group].dropna().unique()))
        if len(present) != 2:
            listed = ", ".join(present[:5]) + (", ..." if len(present) > 5 else "")
            raise DataInputError(
                f"{data}: the group column {group!r} holds {len(present)} value(s) ({listed}); it must hold two "
                "(participants and controls, or completers and drop-outs)"
            )
        treated_value: Any = _value_as_in(table, group, treated)
        if treated is None:
            if "participant" in present:
                treated_value = _value_as_in(table, group, "participant")
            elif not (set(present) <= {"0", "1", "0.0", "1.0", "True", "False"}):
                raise DataInputError(
                    f"{data}: give --treated VALUE: which of {', '.join(present)} in {group!r} marks the participants"
                )
        elif treated_value is treated and treated not in present:
            raise DataInputError(f"{data}: --treated {treated!r} is not a value of {group!r} ({', '.join(present)})")
        result = _analyse(data, lambda: propensity_weights(
            table, group, covs, target=target, treated=treated_value, trim=trim,  # type: ignore[arg-type]
        ), notes)
        if weights_output is not None:
            weights = result.weights.copy()
            if respondent in table.columns:
                weights.insert(0, respondent, _id_values(table[respondent]))
            weights = protect_rows(weights, source=str(data), command="balance --weights-output",
                                   protection=protection, id_columns=(respondent,),
                                   data_folders=[data.parent, weights_output.parent])
            write_table(weights, weights_output, sheet="weights")
        if plot is not None:
            from deliberval.plots.balance import plot_balance

            fig = plot_balance(result)
            try:
                plot.parent.mkdir(parents=True, exist_ok=True)
                fig.savefig(plot, format="png", dpi=150, metadata={"Software": None})
            except OSError as exc:
                raise DataInputError(f"{plot}: cannot write ({exc.strerror or exc})") from None
    if output is not None:
        with user_errors():
            write_table(result.balance, output, sheet="balance")
    if as_json:
        typer.echo(json.dumps({"balance": _records(result.balance), "summary": _records(result.summary)},
                              indent=2, ensure_ascii=False))
    else:
        from rich.table import Table

        shown = Table(title=f"Covariate balance in {data.name} (target {target})")
        for name in ("covariate", "ASMD before", "ASMD after"):
            shown.add_column(name, justify="left" if name == "covariate" else "right")
        for row in result.balance.to_dict("records"):
            shown.add_row(str(row["covariate"]), _col("asmd_before", 3)(row), _col("asmd_after", 3)(row))
        console.print(shown)
        groups = Table(title="Groups")
        for name in ("group", "n", "trimmed", "effective n before", "effective n after", "max weight"):
            groups.add_column(name, justify="left" if name == "group" else "right")
        for row in result.summary.to_dict("records"):
            groups.add_row(str(row["group"]), _col("n")(row), _col("n_trimmed")(row),
                           _col("effective_n_before", 1)(row), _col("effective_n_after", 1)(row),
                           _col("max_weight", 2)(row))
        console.print(groups)
    _notes(notes)
    if not as_json:
        above = int((result.balance["asmd_after"] >= 0.1).sum())
        console.print(
            f"{above} of {len(result.balance)} covariate rows keep an ASMD of 0.1 or more after weighting "
            "(0.1: Stuart 2010; Austin 2011)", highlight=False)
        for path, what in ((output, "balance table"), (weights_output, "weights"), (plot, "balance plot")):
            if path is not None:
                console.print(f"{what} written to {path}", highlight=False)


def _id_values(ids: pd.Series) -> pd.Series:
    """An id column as written: whole numbers read as floats (1.0) written (and pseudonymised) as 1."""
    if ids.dtype.kind == "f" and bool((ids.dropna() % 1 == 0).all()):
        return ids.astype("Int64")
    return ids


def _flags_need(protection: Protection, writes_rows: bool, option: str) -> None:
    """--pseudonymise, --key-file and --keep-identifiers act on per-person output only."""
    given = [f for f, v in (("--pseudonymise", protection.pseudonymise), ("--key-file", protection.key_file),
                            ("--keep-identifiers", protection.keep)) if v]
    if given and not writes_rows:
        raise DataInputError(f"{', '.join(given)} apply to the per-person output; add {option} FILE or leave them out")
    protection.check()


# --------------------------------------------------------------------------- event study


def event_study_command(
    data: DataArg,
    outcomes: OutcomesArg = None,
    waves: Annotated[
        str, typer.Option("--waves", help="The waves in order, comma-separated; the first is the reference.")
    ] = "pre,post",
    covariates: Annotated[
        list[str] | None,
        typer.Option("--covariates", help="Covariate columns adjusted for (comma-separated or repeated), taken from each row."),
    ] = None,
    weight: Annotated[
        str | None, typer.Option("--weight", help="Weight column (e.g. propensity weights joined to every wave): WLS with CR1 SEs.")
    ] = None,
    instrument: InstrumentOpt = None,
    respondent: RespondentOpt = "respondent_id",
    wave: WaveOpt = "wave",
    group: GroupOpt = "group",
    treated: TreatedOpt = "participant",
    control: ControlOpt = "control",
    cluster: ClusterOpt = None,
    vcov: Annotated[str, typer.Option("--vcov", help="auto, CR1 or CR2 (as deliberval did).")] = "auto",
    confidence_level: LevelOpt = 0.95,
    map_file: MapOpt = None,
    fmt: FormatOpt = None,
    surveys: SurveysOpt = None,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Difference-in-differences per wave against the first (event-study form), with covariates.

    One deliberval.event_study table per outcome, stacked with ``outcome`` in front. With two
    waves and --covariates it is the covariate-adjusted difference-in-differences. Not
    disclosure-controlled: publish through deliberval report.
    """
    import pandas as pd

    from deliberval.analysis.event_study import event_study
    from deliberval.cli.analyses import (
        _analyse,
        _ci,
        _col,
        _column_list,
        _finish,
        _outcomes,
        _p,
        _pct,
        load_table,
    )

    notes: list[str] = []
    wave_list = [w.strip() for w in waves.split(",") if w.strip()]
    covs = _column_list(covariates)
    with user_errors():
        if len(set(wave_list)) < 2:
            raise DataInputError(f"--waves must name at least two different waves, comma-separated; got {waves!r}")
        table, scales = load_table(
            data, instrument=instrument, map_file=map_file, fmt=fmt, surveys=surveys,
            keep=(respondent, wave, group, *(covs or []), *([weight] if weight else []), *([cluster] if cluster else [])),
            notes=notes,
        )
        outs = _outcomes(data, outcomes, scales, table)
        wave_values = [_value_as_in(table, wave, w) for w in wave_list]
        blocks = []
        for o in outs:
            block = _analyse(data, lambda o=o: event_study(  # type: ignore[misc]
                table, o, waves=wave_values, covariates=covs, weight=weight, respondent=respondent,
                wave=wave, group=group, treated=treated, control=control, cluster=cluster,
                vcov=vcov, confidence_level=confidence_level,  # type: ignore[arg-type]
            ), notes)
            block.insert(0, "outcome", o)
            blocks.append(block)
        result = pd.concat(blocks, ignore_index=True)
        result["wave"] = result["wave"].astype("string")
    columns = [  # model, rows and clusters are in --output / --json
        ("outcome", _col("outcome")),
        ("term", _col("term")),
        ("estimate", _col("estimate")),
        (_pct(confidence_level), _ci),
        ("p", _p("p_value")),
        ("n", _col("n")),
    ]
    _finish(f"Event study in {data.name}", result, columns, notes, output, as_json, "event_study")


# --------------------------------------------------------------------------- survey estimates


def survey_estimate_command(
    data: DataArg,
    variables: Annotated[
        list[str],
        typer.Argument(help="Variables to estimate (for --statistic ratio: the numerator).", show_default=False),
    ],
    statistic: Annotated[str, typer.Option("--statistic", help="mean (and proportions), total, ratio or quantile.")] = "mean",
    weight: Annotated[str | None, typer.Option("--weight", help="Sampling (or raked) weight column.")] = None,
    strata: Annotated[str | None, typer.Option("--strata", help="First-stage strata column.")] = None,
    cluster: Annotated[
        list[str] | None, typer.Option("--cluster", help="Sampling-unit column per stage (repeat for several stages).")
    ] = None,
    fpc: Annotated[
        list[str] | None, typer.Option("--fpc", help="Population size (or sampling fraction) column per stage (repeatable).")
    ] = None,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="Domain column(s): one mean per domain (--statistic mean only).")
    ] = None,
    denominator: Annotated[
        str | None, typer.Option("--denominator", help="Denominator column of --statistic ratio.")
    ] = None,
    quantiles: Annotated[
        str, typer.Option("--quantiles", help="Probabilities of --statistic quantile, comma-separated.")
    ] = "0.5",
    replicates: Annotated[
        str | None,
        typer.Option("--replicates", help="Replicate-weight columns: a pattern such as 'rep_*' (in file order) or a "
                     "comma-separated list. The replicates then carry the design: leave out --strata, --cluster, --fpc."),
    ] = None,
    replicate_type: Annotated[
        str | None,
        typer.Option("--replicate-type", help="How the replicates were made (with --replicates): JK1, JKn, bootstrap, "
                     "subbootstrap, BRR, Fay, successive-difference or other; sets the default --scale."),
    ] = None,
    scale: Annotated[
        float | None, typer.Option("--scale", help="Variance multiplier of the replicates (default: the type's, as R svrepdesign).")
    ] = None,
    rscales: Annotated[
        str | None,
        typer.Option("--rscales", help="One multiplier per replicate (needed for JKn): comma-separated numbers, or a CSV "
                     "file with an rscales column (as deliberval replicate-weights writes) or one number per line."),
    ] = None,
    rho: Annotated[float | None, typer.Option("--rho", help="Fay's coefficient (--replicate-type Fay).")] = None,
    mse: Annotated[
        bool, typer.Option("--mse", help="Centre the replicates on the full-sample estimate, not on their mean.")
    ] = False,
    replicate_factors: Annotated[
        bool, typer.Option("--replicate-factors", help="The replicate columns hold replication factors (multiplied by "
                           "--weight), not analysis weights.")
    ] = False,
    interval: Annotated[
        str, typer.Option("--interval", help="--statistic quantile with --replicates: woodruff, or replicate (the "
                          "quantile recomputed with each replicate; not for jackknives).")
    ] = "woodruff",
    instrument: InstrumentOpt = None,
    confidence_level: LevelOpt = 0.95,
    map_file: MapOpt = None,
    fmt: FormatOpt = None,
    surveys: SurveysOpt = None,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Design-based means, proportions, totals, ratios or quantiles with their standard errors.

    The table is deliberval.survey_mean's (or survey_total's, survey_ratio's,
    survey_quantile's): Taylor-linearisation standard errors for stratified, clustered
    (multi-stage) designs, as R's survey package, or, with --replicates, replicate-weight
    standard errors (deliberval.ReplicateDesign, as R svrepdesign; deliberval
    replicate-weights makes such columns). Not disclosure-controlled.
    """
    from deliberval.analysis import survey
    from deliberval.cli.analyses import _analyse, _ci, _col, _column_list, _finish, _pct, load_table

    notes: list[str] = []
    stages = _column_list(cluster)
    fpcs = _column_list(fpc)
    by_cols = _column_list(by)
    cols = _column_list(variables) or []
    with user_errors():
        if replicates is None:
            given = [o for o, v in (("--replicate-type", replicate_type), ("--scale", scale), ("--rscales", rscales),
                                    ("--rho", rho)) if v is not None]
            given += [o for o, v in (("--mse", mse), ("--replicate-factors", replicate_factors)) if v]
            if given:
                raise DataInputError(f"{', '.join(given)} apply to replicate weights; add --replicates COLUMNS")
        else:
            if replicate_type is None:
                raise DataInputError(f"--replicates needs --replicate-type ({', '.join(survey.REPLICATE_TYPES)})")
            if replicate_type not in survey.REPLICATE_TYPES:
                raise DataInputError(
                    f"--replicate-type must be one of {', '.join(survey.REPLICATE_TYPES)}; got {replicate_type!r}")
            given = [o for o, v in (("--strata", strata), ("--cluster", stages), ("--fpc", fpcs)) if v]
            if given:
                raise DataInputError(f"--replicates carries the design; leave out {', '.join(given)}")
            if replicate_type == "JKn" and rscales is None:
                raise DataInputError("--replicate-type JKn needs --rscales: (n_h - 1) / n_h of each replicate's stratum "
                                     "(the _rscales.csv file deliberval replicate-weights --type JKn writes)")
            if replicate_type == "Fay" and rho is None:
                raise DataInputError("--replicate-type Fay needs --rho (Fay's coefficient, in [0, 1))")
            if rho is not None and replicate_type != "Fay":
                raise DataInputError("--rho applies to --replicate-type Fay only")
        if interval not in ("woodruff", "replicate"):
            raise DataInputError(f"--interval must be woodruff or replicate; got {interval!r}")
        if interval != "woodruff" and (statistic != "quantile" or replicates is None):
            raise DataInputError("--interval replicate applies to --statistic quantile with --replicates")
        if statistic not in STATISTICS:
            raise DataInputError(f"--statistic must be one of {', '.join(STATISTICS)}; got {statistic!r}")
        if by_cols and statistic != "mean":
            raise DataInputError("--by (domains) applies to --statistic mean only")
        if statistic == "ratio" and (denominator is None or len(cols) != 1):
            raise DataInputError("--statistic ratio needs one numerator variable and --denominator COLUMN")
        if statistic != "ratio" and denominator is not None:
            raise DataInputError("--denominator applies to --statistic ratio only")
        probs: list[float] = []
        if statistic == "quantile":
            try:
                probs = [float(q) for q in quantiles.split(",") if q.strip()]
            except ValueError:
                raise DataInputError(f"--quantiles must be numbers separated by commas, got {quantiles!r}") from None
        design: dict[str, Any] = {"weight": weight, "strata": strata, "cluster": stages, "fpc": fpcs,
                                  "confidence_level": confidence_level}
        rep_cols: list[str] = []
        if replicates is not None:
            from deliberval.cli.analyses import _read

            header = _read(data, None, map_file, fmt) if instrument is not None and _is_pattern(replicates) else None
            rep_cols = _replicate_columns(data, replicates, header)
        keep = (*cols, *([denominator] if denominator else []), *([weight] if weight else []),
                *([strata] if strata else []), *(stages or []), *(fpcs or []), *(by_cols or []), *rep_cols)
        table, _ = load_table(data, instrument=instrument, map_file=map_file, fmt=fmt, surveys=surveys,
                              keep=keep, notes=notes)
        if replicates is not None:
            if not rep_cols:
                rep_cols = _replicate_columns(data, replicates, table)
            missing = [c for c in rep_cols if c not in table.columns]
            if missing:
                raise DataInputError(f"{data}: no replicate-weight column {missing[0]!r}")
            design = {"weight": weight, "confidence_level": confidence_level,
                      "replicates": survey.ReplicateDesign(
                          tuple(rep_cols), str(replicate_type), scale=scale,
                          rscales=None if rscales is None else _rscales(rscales, len(rep_cols)),
                          rho=rho, mse=mse, combined_weights=not replicate_factors)}
            if statistic == "quantile":
                design["interval"] = interval
        if statistic == "mean":
            result = _analyse(data, lambda: survey.survey_mean(table, cols, by=by_cols, **design), notes)
        elif statistic == "total":
            result = _analyse(data, lambda: survey.survey_total(table, cols, **design), notes)
        elif statistic == "ratio":
            result = _analyse(data, lambda: survey.survey_ratio(table, cols[0], str(denominator), **design), notes)
        else:
            result = _analyse(data, lambda: survey.survey_quantile(table, cols, probs, **design), notes)
    if weight is None and "weight" in table.columns and table["weight"].notna().any():
        notes.append("unweighted: the data have a 'weight' column; give --weight weight to use it")
    first: list[tuple[str, Any]]
    if statistic == "ratio":
        first = [("numerator", _col("numerator")), ("denominator", _col("denominator"))]
    elif statistic == "quantile":
        first = [("variable", _col("variable")), ("quantile", _col("quantile"))]
    else:
        first = [*((b, _col(b)) for b in by_cols or []), ("variable", _col("variable")), ("category", _col("category"))]
    digits = 4 if statistic in ("mean", "ratio") else 2
    columns = [
        *first,
        ("estimate", _col("estimate", digits)),
        ("se", _col("se", digits)),
        (_pct(confidence_level), lambda r: _ci(r) if digits == 2 else _ci4(r)),
        ("n", _col("n")),
    ]
    _finish(f"Survey {statistic} in {data.name}", result, columns, notes, output, as_json, f"survey_{statistic}")


def _is_pattern(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _replicate_columns(data: Path, given: str, table: pd.DataFrame | None) -> list[str]:
    """The columns --replicates names: a pattern matched in file order, or a comma list."""
    import fnmatch

    if not _is_pattern(given):
        cols = [c.strip() for c in given.split(",") if c.strip()]
        if len(cols) < 2:
            raise DataInputError(f"--replicates must name at least two replicate-weight columns; got {given!r}")
        return cols
    if table is None:
        return []
    patterns = [p.strip() for p in given.split(",") if p.strip()]
    cols = [str(c) for c in table.columns if any(fnmatch.fnmatchcase(str(c), p) for p in patterns)]
    if len(cols) < 2:
        raise DataInputError(
            f"{data}: --replicates {given!r} matches {len(cols)} column(s) ({', '.join(cols) or 'none'}); "
            "a replicate design needs at least two")
    return cols


def _rscales(given: str, n: int) -> tuple[float, ...]:
    """--rscales: comma-separated numbers, or a file (rscales column, or one number per line)."""
    path = Path(given)
    if path.suffix.lower() in (".csv", ".tsv", ".txt") or path.is_file():
        if not path.is_file():
            raise DataInputError(f"--rscales {given}: no such file")
        import pandas as pd

        try:
            sep = "\t" if path.suffix.lower() == ".tsv" else ","
            frame = pd.read_csv(path, sep=sep)
            if "rscales" in frame.columns:
                values = frame["rscales"]
            else:
                values = pd.read_csv(path, sep=sep, header=None).iloc[:, -1]
            numbers = pd.to_numeric(values, errors="coerce")
        except (OSError, ValueError, IndexError) as exc:
            raise DataInputError(f"--rscales {given}: cannot read ({exc})") from None
        if numbers.isna().any() or len(numbers) == 0:
            raise DataInputError(f"--rscales {given}: expected one number per line or an rscales column of numbers")
        out = tuple(float(v) for v in numbers)
    else:
        try:
            out = tuple(float(v) for v in given.split(",") if v.strip())
        except ValueError:
            raise DataInputError(f"--rscales must be numbers separated by commas or a file; got {given!r}") from None
    if len(out) != n:
        raise DataInputError(f"--rscales holds {len(out)} number(s); the {n} replicate columns need one each")
    return out


def _ci4(row: dict[str, Any]) -> str:
    from deliberval.cli.analyses import _col

    a, b = _col("ci_low", 4)(row), _col("ci_high", 4)(row)
    return f"{a} to {b}" if a and b else ""


# --------------------------------------------------------------------------- replicate weights


def replicate_weights_command(
    data: DataArg,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="File to write (.csv or .xlsx): the id column and one weight column per replicate."),
    ],
    replicate_type: Annotated[
        str, typer.Option("--type", help="JK1 (unstratified jackknife), JKn (jackknife within strata), bootstrap or subbootstrap.")
    ] = "JK1",
    weight: Annotated[str | None, typer.Option("--weight", help="Sampling weight column (default: equal weights).")] = None,
    strata: Annotated[str | None, typer.Option("--strata", help="First-stage strata column (JKn; refused for JK1).")] = None,
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="First-stage sampling-unit column (default: every row is a unit).")
    ] = None,
    fpc: Annotated[
        str | None, typer.Option("--fpc", help="Population number of first-stage units (or sampling fraction) column.")
    ] = None,
    n_replicates: Annotated[
        int, typer.Option("--replicates", help="Number of bootstrap replicates (a jackknife has one per unit).")
    ] = 50,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Seed of the bootstrap draws (reproducible weights).")] = None,
    prefix: Annotated[str, typer.Option("--prefix", help="Replicate columns are named PREFIX1, PREFIX2, ...")] = "repw",
    respondent: Annotated[str, typer.Option("--respondent", help="Id column written in front of the weights.")] = "respondent_id",
    map_file: MapOpt = None,
    fmt: FormatOpt = None,
    pseudonymise: PseudonymiseOption = False,
    key_file: KeyFileOption = None,
    keep_identifiers: KeepOption = False,
) -> None:
    """Replicate weights of a (stratified, clustered) design, as R survey::as.svrepdesign.

    Writes deliberval.replicate_weights' columns (sampling weight x replication factor) after
    the id column; join them to the data by the id and give them to deliberval survey-estimate
    --replicates with the --replicate-type and --scale printed (and, for JKn, --rscales FILE:
    the multipliers are written next to the output as <name>_rscales.csv). One row per person:
    an id column that looks like a direct identifier stops the command unless --pseudonymise
    --key-file FILE or --keep-identifiers; no other input column is copied.
    """
    import pandas as pd

    from deliberval.analysis.survey import replicate_weights
    from deliberval.cli.analyses import _analyse, _notes, _read

    notes: list[str] = []
    protection = Protection(pseudonymise, key_file, keep_identifiers)
    with user_errors():
        protection.check()
        if replicate_type not in ("JK1", "JKn", "bootstrap", "subbootstrap"):
            raise DataInputError(f"--type must be JK1, JKn, bootstrap or subbootstrap; got {replicate_type!r}")
        if output.suffix.lower() not in (".csv", ".xlsx"):
            raise DataInputError(f"{output}: give a file name ending in .csv or .xlsx")
        if seed is not None and replicate_type not in ("bootstrap", "subbootstrap"):
            raise DataInputError(f"--seed applies to bootstrap replicates; a {replicate_type} jackknife draws nothing")
        table = _read(data, None, map_file, fmt)
        if len(table) == 0:
            raise DataInputError(f"{data}: no data rows (the file has a header only)")
        table = table.reset_index(drop=True)
        rw = _analyse(data, lambda: replicate_weights(
            table, replicate_type, weight=weight, strata=strata, cluster=cluster, fpc=fpc,
            replicates=n_replicates, seed=seed, prefix=prefix,
        ), notes)
        weights: pd.DataFrame = rw.weights.copy()
        if respondent in table.columns:
            weights.insert(0, respondent, _id_values(table[respondent]))
        else:
            notes.append(f"no id column {respondent!r} (name it with --respondent): the rows are in the data's "
                         "order, to be joined by position")
        weights = protect_rows(weights, source=str(data), command="replicate-weights", protection=protection,
                               id_columns=(respondent,), data_folders=[data.parent, output.parent])
        write_table(weights, output, sheet="replicate_weights")
        design = rw.design
        scale_value, rscales_values = design.resolved()
        rscales_file = None
        if not bool((rscales_values == 1).all()):
            rscales_file = output.with_name(f"{output.stem}_rscales.csv")
            write_table(pd.DataFrame({"replicate": list(design.columns), "rscales": rscales_values}), rscales_file)
    _notes(notes)
    flags = f"--replicates '{prefix}*' --replicate-type {design.type} --scale {scale_value!r}"
    if weight is not None:
        flags = f"--weight {weight} " + flags
    if rscales_file is not None:
        flags += f" --rscales {rscales_file}"
    console.print(f"{rw.method}: {len(design.columns)} replicate weight columns for {len(weights)} rows "
                  f"written to {output}" + (f", their rscales to {rscales_file}" if rscales_file else ""),
                  highlight=False, soft_wrap=True)
    console.print(f"estimate with: deliberval survey-estimate DATA VARIABLES {flags}", highlight=False, soft_wrap=True)
