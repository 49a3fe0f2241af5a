"""The one result type of validation, and the failure accumulator every validator uses.

Every canonical table (responses, members, targets, process, DRI survey, register) is checked
into a :class:`ValidationResult`: the valid rows, the quarantined rows (never silently dropped:
``len(valid) + len(quarantined) == n_rows``), one tidy row per problem in ``failures`` and the
counts in ``summary``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from deliberval.canonical import as_code_strings

__all__ = ["FAILURE_COLUMNS", "SUMMARY_COLUMNS", "ValidationResult"]

FAILURE_COLUMNS: tuple[str, ...] = (
    "source", "row", "line", "id", "column", "value", "check", "severity", "expected", "message",
)
"""Columns of :attr:`ValidationResult.failures`."""

SUMMARY_COLUMNS: tuple[str, ...] = ("check", "severity", "column", "reason", "n")
"""Columns of :attr:`ValidationResult.summary`."""

_INT_COLUMNS = ("row", "line")


@dataclass(frozen=True)
class ValidationResult:
    """What a validator found in one table.

    Attributes
    ----------
    valid : pandas.DataFrame
        Rows without errors (original index kept), values coerced to the canonical types where
        the validator says so (numbers, booleans); missing-value codes of responses recoded to NA
        when asked.
    quarantined : pandas.DataFrame
        Rows with at least one error, exactly as given (original index kept).
    failures : pandas.DataFrame
        One row per problem: ``source`` (the file or table name), ``row`` (0-based position in
        the input table), ``line`` (the row's line in the file: the header is line 1 of a CSV,
        so the first data row is line 2; the case number for SPSS and Stata files), ``id`` (the
        row's identifier where the table has one: ``respondent_id`` of responses, ``person_id``
        of members, ``pnum`` of DRI surveys, else empty), ``column``, ``value`` (as found, text),
        ``check``, ``severity`` (``error`` or ``warning``), ``expected`` (what a valid value
        looks like) and ``message`` (what was found and what was expected, in one sentence).
    summary : pandas.DataFrame
        Counts: ``check, severity, column, reason, n``; missing-value codes of responses appear
        with check ``missing_code``, severity ``info`` and the code's meaning as ``reason``.
    n_rows : int
        Rows read; always ``len(valid) + len(quarantined)``.
    notes : list of str
        Table-level remarks (item columns absent, columns unknown to the instrument).
    """

    valid: pd.DataFrame
    quarantined: pd.DataFrame
    failures: pd.DataFrame
    summary: pd.DataFrame
    n_rows: int
    notes: list[str] = field(default_factory=list)

    @property
    def all_valid(self) -> bool:
        """True when no row was quarantined."""
        return len(self.quarantined) == 0

    def tables(self) -> dict[str, pd.DataFrame]:
        """The four tables by name: ``valid``, ``quarantined``, ``failures``, ``summary``."""
        return {"valid": self.valid, "quarantined": self.quarantined,
                "failures": self.failures, "summary": self.summary}


def first_line(df: pd.DataFrame) -> int:
    """Line of the first data row in the file ``df`` was read from (2 when unknown: a CSV header)."""
    value = df.attrs.get("first_line", 2)
    return int(value) if isinstance(value, int | np.integer) else 2


def row_lines(df: pd.DataFrame) -> int | np.ndarray:
    """The file line of every row of ``df``: ``attrs["lines"]`` when the reader recorded them
    (blank lines, cells spanning lines), else :func:`first_line` (rows follow one another)."""
    lines = df.attrs.get("lines")
    if lines is not None and len(lines) == len(df):
        return np.asarray(lines, dtype=np.int64)
    return first_line(df)


def na_written(df: pd.DataFrame, column: str) -> dict[int, str]:
    """Rows whose ``column`` cell was an NA-like text (``NA``, ``null`` ...) the reader read as
    missing, with the text as written (``attrs["na_text"]``); empty when unknown."""
    texts = (df.attrs.get("na_text") or {}).get(column) or {}
    return {int(k): str(v) for k, v in texts.items() if 0 <= int(k) < len(df)}


def missing_messages(df: pd.DataFrame, column: str, empty_message: str) -> tuple[pd.Series | None, np.ndarray | str]:
    """Values and messages for the missing cells of ``column``: an NA-like text is reported as
    "'NA' was read as missing (an NA-like text)" with the text as its value, a blank cell with
    ``empty_message``. Returns ``(values or None, messages)`` for :meth:`Failures.add`."""
    written = na_written(df, column)
    if not written:
        return None, empty_message
    n = len(df)
    values = pd.Series([written.get(i, "") for i in range(n)], dtype="str")
    what = empty_message.split(";", 1)[1].strip() if ";" in empty_message else ""
    msgs = np.array([f"{column} {written[i]!r} was read as missing (an NA-like text)" + (f"; {what}" if what else "")
                     if i in written else empty_message for i in range(n)], dtype=object)
    return values, msgs


def add_read_problems(acc: Failures, df: pd.DataFrame) -> None:
    """Record the problems the reader found in the file's structure (``attrs["read_problems"]``:
    records with too few or too many fields, Excel error cells) as errors, so that the rows are
    quarantined with the line and the value as written."""
    n = len(df)
    for q in df.attrs.get("read_problems", ()):
        row = int(q["row"])
        if not 0 <= row < n:
            continue
        mask = np.zeros(n, dtype=bool)
        mask[row] = True
        value = pd.Series([str(q.get("value", ""))] * n, dtype="str")
        acc.add(mask, str(q.get("column", "")), value, str(q["check"]), "error", str(q["message"]),
                str(q.get("expected", "")))


class Failures:
    """Collects failures as column arrays (fast even when there are many)."""

    def __init__(self, ids: np.ndarray, *, source: str, first_line: int | np.ndarray = 2) -> None:
        self.ids = ids
        self.source = source
        self.first_line = first_line  # one int (rows follow it) or each row's line (row_lines)
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: np.ndarray | pd.Series, column: str, raw: pd.Series | None, check: str,
            severity: str, message: str | pd.Series | np.ndarray, expected: str = "") -> None:
        """Record one failure per True in ``mask`` (a boolean array over the table's rows)."""
        m = np.asarray(mask, dtype=bool)
        rows = np.flatnonzero(m)
        if rows.size == 0:
            return
        if raw is None:
            values = np.full(rows.size, "", dtype=object)
        else:
            picked = raw.iloc[rows]
            values = as_code_strings(picked).fillna("").to_numpy(dtype=object) if len(picked) else np.array([], dtype=object)
        if isinstance(message, str):
            msgs = np.full(rows.size, message, dtype=object)
        else:
            msgs = np.asarray(message, dtype=object)
            msgs = msgs[rows] if msgs.size == m.size else msgs
        self.parts.append(pd.DataFrame({
            "source": self.source, "row": rows.astype(np.int64),
            "line": (np.asarray(self.first_line, dtype=np.int64)[rows]
                     if isinstance(self.first_line, np.ndarray) else rows.astype(np.int64) + self.first_line),
            "id": self.ids[rows], "column": column,
            "value": values, "check": check, "severity": severity, "expected": expected, "message": msgs,
        }))

    def frame(self) -> pd.DataFrame:
        """The failures table, sorted by row, severity and column."""
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c in _INT_COLUMNS else "str") for c in FAILURE_COLUMNS})
        out = pd.concat(self.parts, ignore_index=True)
        out = out.sort_values(["row", "severity", "column"], kind="stable", ignore_index=True)
        for c in FAILURE_COLUMNS:
            if c not in _INT_COLUMNS:
                out[c] = out[c].astype("str")
        return out[list(FAILURE_COLUMNS)]


def summarise(failures: pd.DataFrame, counts: list[dict[str, object]] | None = None) -> pd.DataFrame:
    """Counts of failures per check, severity and column, plus extra count rows (missing codes)."""
    parts = []
    if len(failures):
        g = failures.groupby(["check", "severity", "column"], sort=True).size().rename("n").reset_index()
        g["reason"] = ""
        parts.append(g[list(SUMMARY_COLUMNS)])
    if counts:
        parts.append(pd.DataFrame(counts, columns=list(SUMMARY_COLUMNS)))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "n" else "str") for c in SUMMARY_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    out["n"] = out["n"].astype("int64")
    return out


def error_rows(failures: pd.DataFrame, n: int) -> np.ndarray:
    """Boolean mask over ``n`` rows: True where a row has at least one error."""
    bad = np.zeros(n, dtype=bool)
    err = failures["severity"].eq("error").to_numpy()
    bad[failures["row"].to_numpy()[err]] = True
    return bad


def split(df: pd.DataFrame, valid: pd.DataFrame | None, failures: pd.DataFrame,
          counts: list[dict[str, object]] | None = None,
          notes: list[str] | None = None) -> ValidationResult:
    """Build the result: rows of ``df`` with an error are quarantined as given, the others kept.

    ``valid`` is the (coerced) table with the same rows as ``df`` in the same order, or None to
    keep the rows of ``df`` unchanged.
    """
    n = len(df)
    bad = error_rows(failures, n)
    source = df if valid is None else valid
    kept = source.iloc[np.flatnonzero(~bad)]
    quarantined = df.iloc[np.flatnonzero(bad)]
    assert len(kept) + len(quarantined) == n, "validation must account for every row"
    return ValidationResult(kept, quarantined, failures, summarise(failures, counts), n, list(notes or []))
