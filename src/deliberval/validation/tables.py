"""Validation of the members, population targets and process tables.

Each validator coerces the table's columns to their canonical types (stage flags to booleans,
shares to numbers, dates to datetimes), runs the table's pandera schema from
:mod:`deliberval.schemas.tables` and returns the same :class:`~deliberval.validation.ValidationResult`
as responses: rows with an error are quarantined as given, never raised; every problem is a
failure row naming the source, row, line, column, value and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa

from deliberval.canonical import FALSE_STRINGS, FUNNEL_STAGES, TRUE_STRINGS, as_code_strings
from deliberval.errors import DataInputError
from deliberval.schemas.tables import members_schema, process_schema, targets_schema
from deliberval.validation.result import (
    Failures,
    ValidationResult,
    add_read_problems,
    missing_messages,
    row_lines,
    split,
)

__all__ = ["validate_members", "validate_process", "validate_targets"]

_BOOL_EXPECTED = "true or false (also yes/no, 1/0; empty means false)"


def _frame(df: object, what: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise DataInputError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    if df.columns.duplicated().any():
        raise DataInputError(f"{what} table has duplicate column names {sorted(set(df.columns[df.columns.duplicated()]))}")
    return df.reset_index(drop=True)


def _ids(data: pd.DataFrame, column: str | None) -> np.ndarray:
    if column is None or column not in data.columns:
        return np.full(len(data), "", dtype=object)
    return as_code_strings(data[column]).fillna("").to_numpy(dtype=object)


def _as_bool(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Booleans from true/false, yes/no, 1/0 (any case; empty is False), and the bad cells."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.fillna(False).astype(bool), np.zeros(len(raw), dtype=bool)
    text = as_code_strings(raw).str.lower()
    true = text.isin(TRUE_STRINGS).to_numpy()
    false = text.isin(FALSE_STRINGS).to_numpy() | text.isna().to_numpy()
    return pd.Series(true, index=raw.index, dtype=bool), ~(true | false)


def _as_number(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Floats, and the cells that hold something other than a number."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype(float), np.zeros(len(raw), dtype=bool)
    text = as_code_strings(raw)
    num = pd.to_numeric(text, errors="coerce").astype(float)
    return num, (text.notna() & num.isna()).to_numpy()


def _as_date(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Datetimes from ISO dates (or datetimes already), and the cells that are not dates."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return raw, np.zeros(len(raw), dtype=bool)
    text = as_code_strings(raw)
    dates = pd.to_datetime(text, errors="coerce", format="ISO8601")
    return dates, (text.notna() & dates.isna()).to_numpy()


def _schema_failures(
    schema: pa.DataFrameSchema,
    frame: pd.DataFrame,
    raw: pd.DataFrame,
    acc: Failures,
    flagged: set[tuple[int, str]],
    table_checks: Mapping[str, tuple[str, str, str]],
) -> None:
    """Run ``schema`` on the coerced ``frame`` and add one failure per failing row and check.

    ``table_checks`` maps the name of a table-wide check to the column it is reported on, the
    message and the expected value. Cells already reported (``flagged``: row, column) are not
    reported again.
    """
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    else:
        return
    fc = fc[fc["index"].notna()]
    for (context, column, check, number), part in fc.groupby(
            ["schema_context", "column", "check", "check_number"], sort=False, dropna=False):
        rows = np.unique(part["index"].astype(np.int64).to_numpy())
        if context == "DataFrameSchema":
            name = str(schema.checks[int(number)].name) if pd.notna(number) else str(check)
            if name not in table_checks:
                continue
            col, message, expected = table_checks[name]
        else:
            col = str(column)
            checks = schema.columns[col].checks if col in schema.columns else []
            if pd.notna(number) and int(number) < len(checks):
                name = str(checks[int(number)].name)
                err = checks[int(number)].error
                expected = str(err) if err else str(check)
            else:
                name = "missing_value" if str(check) == "not_nullable" else str(check).split("(")[0]
                expected = "a value" if name == "missing_value" else str(check)
            message = f"{col}: failed check {name}; expected {expected}"
        rows = np.asarray([r for r in rows if (int(r), col) not in flagged], dtype=np.int64)
        if rows.size == 0:
            continue
        flagged.update((int(r), col) for r in rows)
        mask = np.zeros(len(frame), dtype=bool)
        mask[rows] = True
        acc.add(mask, col, raw[col] if col in raw.columns else None, name, "error", message, expected)


def _coerce(data: pd.DataFrame, out: dict[str, pd.Series], col: str, kind: str, acc: Failures,
            flagged: set[tuple[int, str]]) -> None:
    raw = data[col]
    if kind == "bool":
        value, bad = _as_bool(raw)
        check, expected = "not_boolean", _BOOL_EXPECTED
    elif kind == "number":
        value, bad = _as_number(raw)
        check, expected = "not_a_number", "a number"
    elif kind == "date":
        value, bad = _as_date(raw)
        check, expected = "not_a_date", "a date such as 2024-05-31"
    else:
        out[col] = as_code_strings(raw)
        return
    out[col] = value
    if bad.any():
        text = as_code_strings(raw)
        msg = np.asarray([f"{col} is {v!r}; expected {expected}" for v in text.fillna("")], dtype=object)
        acc.add(bad, col, raw, check, "error", msg, expected)
        flagged.update((int(r), col) for r in np.flatnonzero(bad))


def _empty(data: pd.DataFrame, col: str, acc: Failures, flagged: set[tuple[int, str]], what: str) -> None:
    if col not in data.columns:
        return
    empty = as_code_strings(data[col]).isna().to_numpy()
    written, msgs = missing_messages(data, col, f"{col} is empty; every row needs {what}")  # NA said as NA
    acc.add(empty, col, data[col] if written is None else written, "missing_value", "error", msgs, what)
    flagged.update((int(r), col) for r in np.flatnonzero(empty))


def validate_members(df: pd.DataFrame, *, source: str = "members") -> ValidationResult:
    """Check a members (selection funnel) table; quarantine rows that break it.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per person ever invited: ``person_id``, ``process_id``, the stage flags
        ``invited, volunteered, selected, attended_all, answered_post`` (each optional), an
        optional ``funnel_stage`` (or ``stage``), ``role`` and ``demo_*`` columns, as read by
        :func:`deliberval.io.read_table` (text) or already typed.
    source : str, default "members"
        File or table name written into the ``source`` column of ``failures``.

    Returns
    -------
    ValidationResult
        ``valid`` holds the stage flags as booleans (``true/false``, ``yes/no``, ``1/0`` in any
        case; empty cells are ``False``) and the id, role, stage and ``demo_*`` columns as
        text; other columns unchanged. ``len(valid) + len(quarantined) == len(df)``.

    Raises
    ------
    DataInputError
        When ``df`` is not a table or has duplicate column names (nothing can be checked).

    Notes
    -----
    Errors (row quarantined): a stage flag that is not a boolean, an empty ``person_id``, a
    person listed twice in a process, a funnel that is not monotone (volunteered without being
    invited, selected without volunteering, attending without being selected), a ``role`` or
    ``funnel_stage`` outside the canonical labels. The checks after coercion are those of
    :func:`deliberval.schemas.members_schema`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"person_id": ["a", "b", "c"], "invited": ["yes", "TRUE", "maybe"],
    ...                    "volunteered": ["1", "0", "0"]})
    >>> res = validate_members(df, source="members.csv")
    >>> res.valid["invited"].tolist(), len(res.quarantined)
    ([True, True], 1)
    >>> print(res.failures[["source", "line", "column", "value", "check"]].to_string(index=False))
         source  line  column value       check
    members.csv     4 invited maybe not_boolean
    """
    data = _frame(df, "members")
    acc = Failures(_ids(data, "person_id"), source=source, first_line=row_lines(df))
    add_read_problems(acc, df)
    flagged: set[tuple[int, str]] = set()
    out: dict[str, pd.Series] = {}
    for col in data.columns:
        name = str(col)
        if name in FUNNEL_STAGES:
            _coerce(data, out, name, "bool", acc, flagged)
        elif name in ("person_id", "process_id", "role", "funnel_stage", "stage") or name.startswith("demo_"):
            _coerce(data, out, name, "text", acc, flagged)
        else:
            out[name] = data[col]
    valid = pd.DataFrame(out, columns=data.columns)
    _empty(data, "person_id", acc, flagged, "a person id")
    _schema_failures(members_schema(), valid, data, acc, flagged, {
        "volunteered_implies_invited": ("volunteered", "volunteered but not invited", "volunteered only if invited"),
        "selected_implies_volunteered": ("selected", "selected but did not volunteer", "selected only if volunteered"),
        "attended_all_implies_selected": ("attended_all", "attended but not selected", "attended_all only if selected"),
        "unique_person": ("person_id", "person_id appears more than once in the process", "one row per person"),
    })
    valid.index = df.index
    return split(df, valid, acc.frame())


def validate_targets(df: pd.DataFrame, *, source: str = "targets", tolerance: float = 0.01) -> ValidationResult:
    """Check a population targets table; quarantine rows that break it.

    Parameters
    ----------
    df : pandas.DataFrame
        Census shares: ``dimension, category, share`` and optionally ``population_id, source,
        year``.
    source : str, default "targets"
        File or table name written into the ``source`` column of ``failures``.
    tolerance : float, default 0.01
        Allowed absolute deviation of a dimension's shares from a total of 1.

    Returns
    -------
    ValidationResult
        ``valid`` holds ``share`` as a float and the text columns as text.

    Raises
    ------
    DataInputError
        When ``df`` is not a table or lacks ``dimension``, ``category`` or ``share``.

    Notes
    -----
    Errors (row quarantined): an empty dimension or category, a share that is not a number or
    lies outside [0, 1], a category listed twice in a dimension, and the shares of a dimension
    not summing to 1 within ``tolerance`` (every row of that dimension). The checks after
    coercion are those of :func:`deliberval.schemas.targets_schema`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"dimension": ["gender", "gender", "age", "age"],
    ...                    "category": ["woman", "man", "young", "old"],
    ...                    "share": ["0.51", "0.49", "0.5", "0.6"]})
    >>> res = validate_targets(df)
    >>> res.valid["share"].tolist(), res.failures["line"].tolist()
    ([0.51, 0.49], [4, 5])
    """
    data = _frame(df, "targets")
    missing = [c for c in ("dimension", "category", "share") if c not in data.columns]
    if missing:
        raise DataInputError(f"{source}: targets lack column(s) {', '.join(missing)}; expected dimension, category, share")
    ids = (as_code_strings(data["dimension"]).fillna("") + "=" + as_code_strings(data["category"]).fillna("")).to_numpy(dtype=object)
    acc = Failures(ids, source=source, first_line=row_lines(df))
    add_read_problems(acc, df)
    flagged: set[tuple[int, str]] = set()
    out: dict[str, pd.Series] = {}
    for col in data.columns:
        name = str(col)
        kind = {"share": "number", "year": "number"}.get(name, "text" if name in ("population_id", "dimension", "category", "source") else "")
        if kind:
            _coerce(data, out, name, kind, acc, flagged)
        else:
            out[name] = data[col]
    valid = pd.DataFrame(out, columns=data.columns)
    for col in ("dimension", "category", "share"):
        _empty(data, col, acc, flagged, f"a {col}")
    check = valid.drop(columns=["year"]) if "year" in valid.columns else valid
    if "year" in valid.columns:
        year = valid["year"]
        bad = (year.notna() & ((year % 1 != 0) | (year < 1800) | (year > 2200))).to_numpy()
        bad = bad & np.asarray([(int(r), "year") not in flagged for r in range(len(year))], dtype=bool)
        acc.add(bad, "year", data["year"], "year", "error", "year is not a year from 1800 to 2200", "a year from 1800 to 2200")
    _schema_failures(targets_schema(tolerance), check, data, acc, flagged, {
        "shares_sum_to_one": ("share", f"the shares of this dimension do not sum to 1 (+/- {tolerance:g})",
                              f"shares of a dimension summing to 1 +/- {tolerance:g}"),
        "unique_category": ("category", "category listed more than once in its dimension", "each category once per dimension"),
    })
    valid.index = df.index
    return split(df, valid, acc.frame())


def validate_process(df: pd.DataFrame, *, source: str = "process") -> ValidationResult:
    """Check the process table (one row describing the democratic innovation).

    Parameters
    ----------
    df : pandas.DataFrame
        ``process_id, name, model`` and optionally ``country, level`` (or
        ``level_of_government``), ``commissioner, start_date, end_date, n_sessions,
        members_<role>, remit, languages`` and any documentation fields.
    source : str, default "process"
        File or table name written into the ``source`` column of ``failures``.

    Returns
    -------
    ValidationResult
        ``valid`` holds the dates as datetimes and ``n_sessions`` / ``members_*`` as numbers.
        A table with more than one row is quarantined whole (which row describes the process
        cannot be guessed).

    Raises
    ------
    DataInputError
        When ``df`` is not a table or has duplicate column names.

    Notes
    -----
    The checks after coercion are those of :func:`deliberval.schemas.process_schema`: a known
    ``model`` and ``level``, a two-letter ``country``, ``end_date`` not before ``start_date``,
    at least one session. A missing ``process_id``, ``name`` or ``model`` column is an error.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"process_id": ["p1"], "name": ["Climate assembly"],
    ...                    "model": ["citizens_assembly"], "start_date": ["2024-01-10"],
    ...                    "end_date": ["2024-05-01"], "n_sessions": ["6"]})
    >>> res = validate_process(df)
    >>> res.all_valid, res.valid.loc[0, "n_sessions"]
    (True, np.int64(6))
    """
    data = _frame(df, "process")
    n = len(data)
    acc = Failures(_ids(data, "process_id"), source=source, first_line=row_lines(df))
    add_read_problems(acc, df)
    flagged: set[tuple[int, str]] = set()
    if n > 1:
        acc.add(np.ones(n, dtype=bool), "", None, "one_row", "error",
                f"the process table has {n} rows; expected one row describing the process", "one row")
        return split(df, None, acc.frame())
    out: dict[str, pd.Series] = {}
    for col in data.columns:
        name = str(col)
        if name in ("start_date", "end_date"):
            _coerce(data, out, name, "date", acc, flagged)
        elif name == "n_sessions" or name.startswith("members_"):
            _coerce(data, out, name, "number", acc, flagged)
        elif name in ("process_id", "name", "model", "country", "level", "level_of_government", "languages"):
            _coerce(data, out, name, "text", acc, flagged)
        else:
            out[name] = data[col]
    for name in ("process_id", "name", "model"):
        if name not in data.columns:
            acc.add(np.ones(n, dtype=bool), name, None, "missing_column", "error",
                    f"the process table has no {name!r} column", f"a {name} column")
            flagged.add((0, name))
    for name in ("process_id", "name", "model"):
        if name in data.columns:
            _empty(data, name, acc, flagged, f"a {name}")
    valid = pd.DataFrame(out, columns=data.columns)
    check = valid.drop(columns=[c for c in valid.columns if (0, str(c)) in flagged])
    for col in list(check.columns):
        if str(col) == "n_sessions" or str(col).startswith("members_"):
            x = check[col]
            if x.isna().all():  # empty: not given
                check = check.drop(columns=[col])
            elif (x % 1 != 0).any():
                acc.add((x % 1 != 0).to_numpy(), str(col), data[col], "not_whole_number", "error",
                        f"{col} is not a whole number", "a whole number")
                check = check.drop(columns=[col])
            else:
                check[col] = x.astype("int64")
                valid[col] = valid[col].astype("int64")
    _schema_failures(process_schema(), check, data, acc, flagged, {
        "end_not_before_start": ("end_date", "end_date is before start_date", "an end_date on or after start_date"),
    })
    valid.index = df.index
    return split(df, valid, acc.frame())
