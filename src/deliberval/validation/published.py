"""Validation of a published results table (summary statistics with citations, issue 20).

Each row is one published estimate: ``process, outcome, estimate, se`` and its ``citation``
(required: no number without its source), optionally ``n``, ``url``, ``doi``, ``year``. Bad rows
are quarantined, never raised, with ONE failure per bad row whose message lists every problem of
that row and its file line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from deliberval.canonical import as_code_strings
from deliberval.errors import DataInputError
from deliberval.schemas.published import PUBLISHED_COLUMNS, PUBLISHED_REQUIRED, published_schema
from deliberval.validation.result import (
    Failures,
    ValidationResult,
    add_read_problems,
    row_lines,
    split,
)

__all__ = ["validate_published"]

_NUMBERS = ("estimate", "se", "n", "year")


def validate_published(df: pd.DataFrame, *, source: str = "published") -> ValidationResult:
    """Check a published results table; quarantine every row that breaks it, one message per row.

    Parameters
    ----------
    df : pandas.DataFrame
        The raw table (:func:`deliberval.io.published.read_published`), columns
        :data:`deliberval.schemas.published.PUBLISHED_COLUMNS` (``n, url, doi, year`` optional).
    source : str
        File or table name written into ``failures``.

    Returns
    -------
    ValidationResult
        ``valid``: the rows without error, ``estimate, se, n, year`` as numbers, text columns as
        strings (missing optional columns added empty), in the order of ``PUBLISHED_COLUMNS``.
        ``failures``: one row per bad row (check ``published_row``; ``column`` lists the columns
        at fault; ``message``: ``line L: problem; problem``). A row without a citation is
        invalid. ``n_rows == len(valid) + len(quarantined)``.

    Raises
    ------
    DataInputError
        When ``df`` is not a table, a required column is absent, or a column name repeats.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"process": ["A", "B"], "outcome": ["external_efficacy"] * 2,
    ...                    "estimate": ["0.3", "0.2"], "se": ["0.1", "0.08"],
    ...                    "citation": ["Doe (2020). Title. Journal.", ""]})
    >>> res = validate_published(df)
    >>> len(res.valid), res.failures["message"].iloc[0]
    (1, 'line 3: citation is empty (no number without its source)')
    """
    if not isinstance(df, pd.DataFrame):
        raise DataInputError(f"published results must be a pandas DataFrame, got {type(df).__name__}")
    if df.columns.duplicated().any():
        raise DataInputError(f"published results: duplicate column names {sorted(set(df.columns[df.columns.duplicated()]))}")
    missing = [c for c in PUBLISHED_REQUIRED if c not in df.columns]
    if missing:
        raise DataInputError(f"published results: no column(s) {', '.join(missing)}; expected "
                             f"{', '.join(PUBLISHED_COLUMNS)} (n, url, doi, year optional)")
    data = df.reset_index(drop=True)
    n_rows = len(data)
    where = row_lines(df)  # each row's file line, or the first row's when the rows follow it
    lines = np.asarray(where, dtype=np.int64) if isinstance(where, np.ndarray) else where + np.arange(n_rows)
    problems: list[list[tuple[str, str]]] = [[] for _ in range(n_rows)]
    out: dict[str, pd.Series] = {}
    for col in PUBLISHED_COLUMNS:
        raw = data[col] if col in data.columns else pd.Series([pd.NA] * n_rows, dtype="object")
        text = as_code_strings(raw).str.strip()
        text = text.where(text != "", pd.NA)
        if col in _NUMBERS:
            num = pd.to_numeric(text, errors="coerce")
            for i in np.flatnonzero((text.notna() & num.isna()).to_numpy()):
                problems[i].append((col, f"{col} {text.iloc[i]!r} is not a number"))
            out[col] = num.astype(float)
        else:
            out[col] = text.astype("object")
    valid = pd.DataFrame(out, columns=list(PUBLISHED_COLUMNS))
    for col in PUBLISHED_REQUIRED:
        empty = data[col].isna() | (as_code_strings(data[col]).str.strip().fillna("") == "")
        why = " (no number without its source)" if col == "citation" else ""
        for i in np.flatnonzero(empty.to_numpy()):
            if not any(c == col for c, _ in problems[i]):
                problems[i].append((col, f"{col} is empty{why}"))
    checks = [
        ("estimate", valid["estimate"].notna() & ~np.isfinite(valid["estimate"].fillna(0.0)), "estimate is not finite"),
        ("se", valid["se"].notna() & ~(valid["se"] > 0) | ~np.isfinite(valid["se"].fillna(1.0)),
         "se must be a positive number"),
        ("n", valid["n"].notna() & ((valid["n"] < 1) | (valid["n"] % 1 != 0)), "n must be a whole number >= 1"),
        ("year", valid["year"].notna() & ((valid["year"] < 1900) | (valid["year"] > 2100) | (valid["year"] % 1 != 0)),
         "year must be a whole year between 1900 and 2100"),
    ]
    for col, bad, message in checks:
        for i in np.flatnonzero(bad.to_numpy()):
            problems[i].append((col, f"{message} (got {valid.at[i, col]:g})"))
    key = (valid["process"].astype("string").str.casefold() + "\x1f"
           + valid["outcome"].astype("string").str.casefold()).fillna("")
    dup = (key != "") & key.duplicated(keep="first")
    for i in np.flatnonzero(dup.to_numpy()):
        first = int(np.flatnonzero((key == key.iloc[i]).to_numpy(dtype=bool))[0])
        problems[i].append(("process", f"process {valid.at[i, 'process']!r} and outcome {valid.at[i, 'outcome']!r} "
                                       f"repeat line {int(lines[first])}"))
    acc = Failures(as_code_strings(valid["process"]).fillna("").to_numpy(dtype=object), source=source,
                   first_line=row_lines(df))
    add_read_problems(acc, df)
    for r, found in enumerate(problems):
        if not found:
            continue
        mask = np.zeros(n_rows, dtype=bool)
        mask[r] = True
        cols = ", ".join(dict.fromkeys(c for c, _ in found))
        acc.add(mask, cols, None, "published_row", "error",
                f"line {int(lines[r])}: " + "; ".join(m for _, m in found),
                "process, outcome, a finite estimate, a positive se and a citation")
    failures = acc.frame()
    result = split(df, valid.set_axis(df.index), failures)
    if len(result.valid):
        published_schema().validate(result.valid)  # the schema states the same rules
    return result
