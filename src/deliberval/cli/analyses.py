"""``deliberval prepost``, ``deliberval did``, ``deliberval dri``: the analyses without Python.

Each command reads one data file, optionally validates and scores it against an instrument
(``--instrument``), calls the analysis of :mod:`deliberval.analysis` with the column roles given
(``--respondent``, ``--wave``, ``--group``, ``--by``, ``--weight``) and prints the key columns;
``--output`` writes the analysis' whole tidy table, unrounded, as CSV or XLSX (by the suffix),
``--json`` prints it as JSON. The tables are the analysis functions' own output: the same data
through :func:`deliberval.prepost` (or ``did``, ``dri``) gives the same table.

The tables are for the analyst: they are not disclosure-controlled (a ``--by`` level can rest on a
handful of people). Publish through ``deliberval report``, which suppresses small cells.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from deliberval.cli._common import console, err_console, user_errors, write_table
from deliberval.cli._options import (
    ByOpt,
    ClusterOpt,
    ControlOpt,
    DataArg,
    FormatOpt,
    GroupOpt,
    InstrumentOpt,
    JsonOpt,
    LevelOpt,
    MapOpt,
    OutcomesArg,
    OutputOpt,
    RespondentOpt,
    SurveysOpt,
    TreatedOpt,
    WaveOpt,
)
from deliberval.errors import DataInputError, DelibervalError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_table", "register"]


def register(app: typer.Typer) -> None:
    """Attach the ``prepost``, ``did`` and ``dri`` commands to the main app."""
    app.command("prepost")(prepost_command)
    app.command("did")(did_command)
    app.command("dri")(dri_command)


# --------------------------------------------------------------------------- reading


def _read(data: Path, instrument: Any, map_file: Path | None, fmt: str | None) -> pd.DataFrame:
    if data.suffix.lower() == ".parquet" and fmt is None:
        import pandas as pd

        if not data.is_file():
            raise DataInputError(f"{data}: file does not exist")
        try:
            df = pd.read_parquet(data)
        except (OSError, ValueError) as exc:
            raise DataInputError(f"{data}: cannot read Parquet file ({exc})") from None
        df.attrs["file"] = str(data)
        return df
    from deliberval.io import read_responses

    return read_responses(data, instrument, map_file, fmt)


def load_table(
    data: Path,
    *,
    instrument: str | None = None,
    map_file: Path | None = None,
    fmt: str | None = None,
    surveys: list[Path] | None = None,
    keep: tuple[str, ...] = (),
    notes: list[str] | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The table an analysis command analyses, and the scales scored in it.

    Without ``instrument``: the file as :func:`deliberval.io.read_responses` reads it (canonical
    column names, values as written). With it: read against the instrument, validated
    (quarantined rows left out, counted in ``notes``) and scored
    (:func:`deliberval.scoring.score`: missing codes to NA, one column per scale); the columns of
    ``keep`` that scoring does not carry (a ``--by`` column that is not an item) are taken from the
    valid rows.

    Raises
    ------
    DataInputError
        The file has no data rows, or no valid row.
    """
    notes = [] if notes is None else notes
    if instrument is None:
        df = _read(data, None, map_file, fmt)
        if len(df) == 0:
            raise DataInputError(f"{data}: no data rows (the file has a header only); nothing to analyse")
        return df, ()
    from deliberval.instruments import load_instrument
    from deliberval.scoring import score
    from deliberval.validation import validate

    ins = load_instrument(instrument, surveys)
    df = _read(data, ins, map_file, fmt)
    if len(df) == 0:
        raise DataInputError(f"{data}: no data rows (the file has a header only); nothing to analyse")
    checked = validate(df, ins)
    n_q = len(checked.quarantined)
    if len(checked.valid) == 0:
        raise DataInputError(
            f"{data}: no valid row to analyse ({checked.n_rows} read, {n_q} quarantined against "
            f"{ins.id}); run deliberval validate to see why"
        )
    if n_q:
        notes.append(
            f"{n_q} of {checked.n_rows} rows quarantined against {ins.id} and left out; "
            f"{len(checked.valid)} analysed (deliberval validate lists why)"
        )
    scored = score(checked.valid, ins)
    table = scored.data
    extra = [c for c in dict.fromkeys(keep) if c and c not in table.columns and c in checked.valid.columns]
    if extra:
        table = table.join(checked.valid[extra])
    return table, scored.scales


# --------------------------------------------------------------------------- running and output


@contextmanager
def _noted_warnings(notes: list[str]) -> Iterator[None]:
    """Collect the warnings of a stage as one-line notes (no Python warning text on screen)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        text = " ".join(str(w.message).split())
        if text not in notes:
            notes.append(text)


def _analyse(data: Path, call: Callable[[], pd.DataFrame], notes: list[str]) -> pd.DataFrame:
    """Run an analysis; its input errors name the file."""
    try:
        with _noted_warnings(notes):
            return call()
    except DataInputError:
        raise
    except DelibervalError as exc:
        raise DataInputError(f"{data}: {exc}") from None


def _outcomes(data: Path, given: list[str] | None, scales: tuple[str, ...], table: pd.DataFrame) -> list[str]:
    if given:
        return list(given)
    found = [s for s in scales if s in table.columns and table[s].notna().any()]
    if found:
        return found
    if scales:
        raise DataInputError(
            f"{data}: no scale of the instrument could be scored in the data; name the outcome column(s) after DATA"
        )
    raise DataInputError(
        f"{data}: name the outcome column(s) after DATA, or give --instrument to analyse every scale it scores"
    )


def _fmt(value: object, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    text = str(value)
    return "" if text == "<NA>" else text


def _p(name: str) -> Callable[[dict[str, Any]], str]:
    def get(row: dict[str, Any]) -> str:
        value = row.get(name)
        if isinstance(value, float) and not math.isnan(value) and value < 0.001:
            return "<0.001"
        return _fmt(value, 3)

    return get


def _ci(row: dict[str, Any], low: str = "ci_low", high: str = "ci_high") -> str:
    a, b = _fmt(row.get(low)), _fmt(row.get(high))
    return f"{a} to {b}" if a and b else ""


def _finish(
    title: str,
    table: pd.DataFrame,
    columns: list[tuple[str, Callable[[dict[str, Any]], str]]],
    notes: list[str],
    output: Path | None,
    as_json: bool,
    sheet: str,
) -> None:
    """Write the file, then print the JSON or the table, then the notes."""
    if output is not None:
        with user_errors():
            write_table(table, output, sheet=sheet)
    if as_json:
        typer.echo(json.dumps(_records(table), indent=2, ensure_ascii=False))
    else:
        from rich.table import Table

        shown = Table(title=title)
        for name, _ in columns:
            shown.add_column(name, justify="left" if name in ("outcome", "model", "term") else "right")
        for row in table.to_dict("records"):
            shown.add_row(*(get(row) for _, get in columns))
        console.print(shown)
    _notes(notes)
    if output is not None and not as_json:
        console.print(f"written to {output} ({len(table)} rows, every column, unrounded)", highlight=False)


def _notes(notes: list[str]) -> None:
    """The notes of a command on stderr, one line each, after its table."""
    from rich.markup import escape

    for note in notes:
        err_console.print(f"[yellow]note:[/] {escape(note)}", highlight=False, soft_wrap=True)


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as JSON-ready dicts: numbers exact (shortest round-trip form), missing as null."""
    out = []
    for row in table.to_dict("records"):
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if hasattr(value, "item"):  # numpy scalar
                value = value.item()
            if value is None or (isinstance(value, float) and math.isnan(value)) or str(value) == "<NA>":
                value = None
            clean[str(key)] = value
        out.append(clean)
    return out


def _by_columns(by: list[str] | None) -> list[tuple[str, Callable[[dict[str, Any]], str]]]:
    return [(b, _col(b)) for b in by or []]


def _col(name: str, digits: int = 2) -> Callable[[dict[str, Any]], str]:
    return lambda row: _fmt(row.get(name), digits)


def _pct(level: float) -> str:
    return f"{level * 100:g}% CI"


# --------------------------------------------------------------------------- prepost


def prepost_command(
    data: DataArg,
    outcomes: Annotated[
        list[str] | None,
        typer.Argument(help="Outcome columns (items or scales); default every scale the instrument scores.", show_default=False),
    ] = None,
    instrument: InstrumentOpt = None,
    respondent: Annotated[str, typer.Option("--respondent", help="Respondent id column (pairs the waves).")] = "respondent_id",
    wave: WaveOpt = "wave",
    pre: Annotated[str, typer.Option("--pre", help="Value of the wave column before deliberation.")] = "pre",
    post: Annotated[str, typer.Option("--post", help="Value of the wave column after it (change = post - pre).")] = "post",
    by: ByOpt = None,
    weight: Annotated[
        str | None, typer.Option("--weight", help="Weight column (taken from the post row): weighted means and SEs.")
    ] = None,
    agree: Annotated[
        str | None,
        typer.Option("--agree", help="Codes counted as agreeing for the top-two-box shares, comma-separated (e.g. 4,5)."),
    ] = None,
    confidence_level: LevelOpt = 0.95,
    map_file: MapOpt = None,
    fmt: FormatOpt = None,
    surveys: SurveysOpt = None,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Paired pre/post change of each outcome: mean change, t and Wilcoxon tests, effect sizes.

    The table is deliberval.prepost's (see its documentation for every column). It is for the
    analyst, not disclosure-controlled: publish through deliberval report.
    """
    from deliberval.analysis.change import prepost

    notes: list[str] = []
    with user_errors():
        agree_values = None
        if agree is not None:
            try:
                agree_values = [float(v) for v in agree.split(",") if v.strip()]
            except ValueError:
                raise DataInputError(f"--agree must be numbers separated by commas, got {agree!r}") from None
        table, scales = load_table(
            data, instrument=instrument, map_file=map_file, fmt=fmt, surveys=surveys,
            keep=(respondent, wave, *(by or []), *([weight] if weight else [])), notes=notes,
        )
        outs = _outcomes(data, outcomes, scales, table)
        result = _analyse(data, lambda: prepost(
            table, outs, respondent=respondent, wave=wave, pre=pre, post=post, by=by or None,
            weight=weight, confidence_level=confidence_level, agree_values=agree_values,
        ), notes)
    groups = sorted(map(str, table["group"].dropna().unique())) if "group" in table.columns else []
    if len(groups) > 1 and "group" not in (by or []):
        notes.append(f"the groups {', '.join(groups)} are pooled; add --by group to analyse each apart")
    if weight:
        notes.append(f"weighted by {weight!r}: no Wilcoxon test and no effect-size intervals")
    elif "weight" in table.columns and table["weight"].notna().any():
        notes.append("unweighted: the data have a 'weight' column; give --weight weight to use it")
    columns = [
        *_by_columns(by),
        ("outcome", _col("outcome")),
        ("n", _col("n")),
        (f"mean {pre}", _col("mean_pre")),
        (f"mean {post}", _col("mean_post")),
        ("change", _col("estimate")),
        (_pct(confidence_level), _ci),
        ("p", _p("p_value")),
        ("Holm p", _p("holm_p_value")),
        ("d_z", _col("d_z")),
    ]
    _finish(f"Pre/post change in {data.name}", result, columns, notes, output, as_json, "prepost")


# --------------------------------------------------------------------------- did


def did_command(
    data: DataArg,
    outcomes: OutcomesArg = None,
    instrument: InstrumentOpt = None,
    respondent: RespondentOpt = "respondent_id",
    wave: WaveOpt = "wave",
    group: GroupOpt = "group",
    treated: TreatedOpt = "participant",
    control: ControlOpt = "control",
    pre: Annotated[str, typer.Option("--pre", help="Wave before deliberation.")] = "pre",
    post: Annotated[str, typer.Option("--post", help="Wave after it.")] = "post",
    cluster: ClusterOpt = None,
    vcov: Annotated[
        str, typer.Option("--vcov", help="Cluster-robust variance: auto (CR2 with Satterthwaite df when the "
                          "smaller group has fewer than 30 clusters, else CR1), CR1 or CR2.")
    ] = "auto",
    by: ByOpt = None,
    confidence_level: LevelOpt = 0.95,
    map_file: MapOpt = None,
    fmt: FormatOpt = None,
    surveys: SurveysOpt = None,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Difference-in-differences of each outcome between participants and a control group.

    One deliberval.did table per outcome (and per --by level, taken from each respondent's pre
    row as in prepost, then all levels pooled as "all"), stacked with the by columns and
    ``outcome`` in front. The estimator has no survey weights, so
    there is no --weight option. Not disclosure-controlled: publish through deliberval report.
    """
    import pandas as pd

    from deliberval.analysis.did import did

    notes: list[str] = []
    by_cols = list(by or [])
    with user_errors():
        table, scales = load_table(
            data, instrument=instrument, map_file=map_file, fmt=fmt, surveys=surveys,
            keep=(respondent, wave, group, *by_cols, *([cluster] if cluster else [])), notes=notes,
        )
        outs = _outcomes(data, outcomes, scales, table)
        missing = [b for b in by_cols if b not in table.columns]
        if missing:
            raise DataInputError(f"{data}: no column(s) {', '.join(map(repr, missing))} to split --by")
        if by_cols:  # a respondent's level is the one of their pre row, as in prepost
            table = _levels_from_pre(table, by_cols, respondent, wave, pre)
        levels: list[tuple[tuple[Any, ...], pd.DataFrame]] = []
        if by_cols:
            for key, part in table.groupby(by_cols, sort=True, dropna=True):
                levels.append((key if isinstance(key, tuple) else (key,), part))
            levels.append((("all",) * len(by_cols), table))
        else:
            levels.append(((), table))
        blocks = []
        for key, part in levels:
            for o in outs:
                where = ", ".join(f"{b} = {k!r}" for b, k in zip(by_cols, key, strict=True))
                try:
                    block = _analyse(data, functools.partial(
                        did, part, o, respondent=respondent, wave=wave, group=group, treated=treated,
                        control=control, pre=pre, post=post, cluster=cluster, vcov=vcov,  # type: ignore[arg-type]
                        confidence_level=confidence_level,
                    ), notes)
                except DataInputError as exc:
                    if not where:
                        raise
                    raise DataInputError(f"{exc} (in the rows where {where})") from None
                block.insert(0, "outcome", o)
                for i, b in enumerate(by_cols):
                    block.insert(i, b, str(key[i]))
                blocks.append(block)
        result = pd.concat(blocks, ignore_index=True)
        if "weight" in table.columns and table["weight"].notna().any():
            notes.append("unweighted: the difference-in-differences models do not use the data's 'weight' column")
        for b in by_cols:
            result[b] = result[b].astype("string")
    columns = [
        *_by_columns(by_cols),
        ("outcome", _col("outcome")),
        ("model", _col("model")),
        ("estimate", _col("estimate")),
        (_pct(confidence_level), _ci),
        ("p", _p("p_value")),
        ("n", _col("n")),
        ("rows", _col("n_rows")),
        ("clusters", _col("n_clusters")),
    ]
    _finish(f"Difference-in-differences in {data.name}", result, columns, notes, output, as_json, "did")


def _levels_from_pre(table: pd.DataFrame, by: list[str], respondent: str, wave: str, pre: str) -> pd.DataFrame:
    """Every row of a respondent gets the ``by`` values of their ``pre`` row (as prepost takes them)."""
    if respondent not in table.columns or wave not in table.columns:
        return table  # did() names the missing column
    first = table.loc[table[wave] == pre].drop_duplicates(respondent).set_index(respondent)
    out = table.copy()
    for b in by:
        out[b] = out[respondent].map(first[b])
    return out


# --------------------------------------------------------------------------- dri


def _column_list(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def dri_command(
    data: DataArg,
    considerations: Annotated[
        list[str] | None,
        typer.Option("--considerations", help="Consideration-rating columns (comma-separated or repeated); default every C<number> column."),
    ] = None,
    preferences: Annotated[
        list[str] | None,
        typer.Option("--preferences", help="Preference-ranking columns; default every P<number> column."),
    ] = None,
    respondent: Annotated[str, typer.Option("--respondent", help="Participant id column (deliberr's pnum by default).")] = "pnum",
    by: ByOpt = None,
    wave: Annotated[
        str | None,
        typer.Option("--wave", help="Wave column (e.g. stage_id): give it for the pre/post change of the DRI with its Wilcoxon test."),
    ] = None,
    pre: Annotated[str | None, typer.Option("--pre", help="Wave value before deliberation (default: the lower of the two).")] = None,
    post: Annotated[str | None, typer.Option("--post", help="Wave value after it (default: the higher).")] = None,
    adjusted: Annotated[bool, typer.Option("--adjusted", help="The adjusted DRI formula (down-weights weak pairs).")] = False,
    permutations: Annotated[
        int | None,
        typer.Option("--permutations", min=1, help="Also test each DRI against this many permutations of the preferences."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the permutations (reproducible p-values).")] = None,
    confidence_level: LevelOpt = 0.95,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Deliberative Reason Index of each forum (--by), or its pre/post change (--wave).

    The table is deliberval.dri's (or dri_change's with --wave, dri_permutation_test's with
    --permutations). A table in deliberr's layout (study, survey, case, stage_id, pnum, ...) is
    validated first and its quarantined rows left out. The DRI has no weights and no instrument
    scoring: the C and P columns are analysed as they are. Not disclosure-controlled: publish
    through deliberval report.
    """
    from deliberval.analysis.dri import dri, dri_change, dri_permutation_test

    notes: list[str] = []
    cons, prefs = _column_list(considerations), _column_list(preferences)
    with user_errors():
        if wave is not None and permutations is not None:
            raise DataInputError("--permutations tests a DRI against its null; it does not combine with --wave")
        if wave is None and (pre is not None or post is not None):
            raise DataInputError("--pre and --post name values of the --wave column; give --wave too")
        table = _dri_table(data, fmt, notes, [*(cons or []), *(prefs or [])])
        if wave is not None:
            pre_v, post_v = _wave_value(table, wave, pre), _wave_value(table, wave, post)
            result = _analyse(data, lambda: dri_change(
                table, cons, prefs, by=by or None, wave=wave, respondent=respondent, adjusted=adjusted,
                pre=pre_v, post=post_v,
            ), notes)
        elif permutations is not None:
            result = _analyse(data, lambda: dri_permutation_test(
                table, cons, prefs, by=by or None, respondent=respondent, n_resamples=permutations,
                seed=seed, adjusted=adjusted, confidence_level=confidence_level,
            ), notes)
        else:
            result = _analyse(data, lambda: dri(
                table, cons, prefs, by=by or None, respondent=respondent, adjusted=adjusted,
            ), notes)
    columns = _by_columns(by)
    if wave is not None:
        columns += [("DRI pre", _col("dri_pre", 3)), ("DRI post", _col("dri_post", 3)),
                    ("change", _col("estimate", 3)), ("p (post > pre)", _p("p_value")), ("n", _col("n"))]
    else:
        columns += [("DRI", _col("estimate", 3)), ("n", _col("n"))]
        if permutations is not None:
            columns += [("null mean", _col("null_mean", 3)),
                        (f"null {_pct(confidence_level)}", lambda r: _ci(r, "null_ci_low", "null_ci_high")),
                        ("p", _p("p_value"))]
        else:
            columns += [("pairs", _col("n_pairs")), ("considerations", _col("n_considerations")),
                        ("preferences", _col("n_preferences"))]
    _finish(f"Deliberative Reason Index in {data.name}", result, columns, notes, output, as_json, "dri")


def _dri_table(data: Path, fmt: str | None, notes: list[str], columns: list[str]) -> pd.DataFrame:
    """The DRI survey table: read as it is; validated when it has deliberr's id columns."""
    if data.suffix.lower() == ".parquet" and fmt is None:
        table = _read(data, None, None, None)
    else:
        from deliberval.io import read_table

        table = read_table(data, fmt)
    if len(table) == 0:
        raise DataInputError(f"{data}: no data rows (the file has a header only); nothing to analyse")
    from deliberval.schemas.dri import DRI_ID_COLUMNS

    if all(c in table.columns for c in DRI_ID_COLUMNS):
        from deliberval.validation.dri import validate_dri

        checked = validate_dri(table, source=str(data))
        n_q = len(checked.quarantined)
        if len(checked.valid) == 0:
            raise DataInputError(f"{data}: no valid row to analyse ({checked.n_rows} read, {n_q} quarantined)")
        if n_q:
            notes.append(f"{n_q} of {checked.n_rows} rows quarantined and left out; {len(checked.valid)} analysed")
        table = checked.valid
    return _numeric_ratings(data, table, columns)


def _numeric_ratings(data: Path, table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Rating and ranking columns as numbers (a text file holds them as text); text is an error."""
    import re

    import pandas as pd

    out = table.copy()
    for col in [c for c in out.columns if c in columns or (not columns and re.fullmatch(r"[CP]\d+", str(c)))]:
        if pd.api.types.is_numeric_dtype(out[col].dtype):
            continue
        number = pd.to_numeric(out[col], errors="coerce")
        bad = out[col].notna() & number.isna()
        if bad.any():
            row = int(bad.to_numpy().argmax())
            line = row + int(table.attrs.get("first_line", 2))
            raise DataInputError(
                f"{data}: line {line}, column {col!r}: {out[col][bad].iloc[0]!r} is not a number; "
                "expected a numeric rating or ranking"
            )
        out[col] = number.astype("float64")
    return out


def _wave_value(table: pd.DataFrame, wave: str, value: str | None) -> Any:
    """``--pre`` / ``--post`` as the wave column holds it (text from a CSV, numbers from Parquet)."""
    if value is None or wave not in table.columns:
        return value
    present = list(table[wave].dropna().unique())
    for v in present:
        if str(v) == value:
            return v
    return value
