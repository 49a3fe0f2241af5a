"""The canonical words of deliberval, defined once.

Every reader, schema, validator, scorer and analysis default takes its column names and labels
from here: the id columns of the responses table, the waves, roles and groups, the stage flags of
the members (selection funnel) table and the strings that mean "no value" in a text file. The
module imports nothing from deliberval except :mod:`deliberval.errors`, so any floor may use it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "FALSE_STRINGS",
    "FUNNEL_STAGES",
    "GROUPS",
    "ID_COLUMNS",
    "NA_STRINGS",
    "ROLES",
    "TRUE_STRINGS",
    "WAVES",
    "as_code_strings",
    "code_of",
]

ID_COLUMNS: tuple[str, ...] = ("respondent_id", "process_id", "wave", "group", "role", "language", "weight")
"""Columns of the canonical responses table that identify and weight a row, in order.

Everything else in a responses table is an item column named by item id (or a ``demo_*`` or
paradata column such as ``duration_seconds``)."""

WAVES: tuple[str, ...] = ("pre", "post", "follow_up")
"""Allowed values of ``wave``: before deliberation, right after it, some months later."""

ROLES: tuple[str, ...] = ("citizen", "politician", "civil_servant", "organiser", "stakeholder")
"""Allowed values of ``role``: who a respondent is in the process."""

GROUPS: tuple[str, ...] = ("participant", "control", "pool", "population")
"""Allowed values of ``group``: deliberators, a comparison group, the volunteer pool, a population
sample. The ``group=`` argument of the analyses contrasts the first two."""

FUNNEL_STAGES: tuple[str, ...] = ("invited", "volunteered", "selected", "attended_all", "answered_post")
"""The boolean stage flags of the members table, in funnel order (``funnel_stage`` names the
furthest one a person reached)."""

NA_STRINGS: tuple[str, ...] = ("", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "#N/A")
"""Cell texts read as "no value" from CSV and Excel files (nothing else is)."""

TRUE_STRINGS: tuple[str, ...] = ("true", "t", "yes", "y", "1", "1.0")
"""Texts (compared case-insensitively) read as ``True`` in a boolean column such as a stage flag."""

FALSE_STRINGS: tuple[str, ...] = ("false", "f", "no", "n", "0", "0.0")
"""Texts (compared case-insensitively) read as ``False`` in a boolean column; empty cells too."""


def code_of(v: object) -> str:
    """One value as a code string: whole floats without ``.0``, other values as text, stripped.

    Examples
    --------
    >>> code_of(3.0), code_of(2.5), code_of(" pre "), code_of(True)
    ('3', '2.5', 'pre', 'True')
    """
    if isinstance(v, float | np.floating) and float(v).is_integer() and abs(float(v)) < 2**53:
        return str(int(v))
    if isinstance(v, bool | np.bool_):
        return str(v)
    return str(v).strip()


_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # the "str" dtype
_ARROW_STR = pd.arrays.ArrowStringArray


def _stripped_or_na(text: pd.Series) -> pd.Series:
    """``text`` ("str" dtype, Arrow storage) stripped, blanks missing, in one pass over its Arrow
    array: the same values as ``text.str.strip()`` (which calls ``utf8_trim_whitespace`` too)
    masked where blank, without pandas' per-step copies."""
    import pyarrow.compute as pc

    trimmed = pc.utf8_trim_whitespace(text.array._pa_array)
    kept = pc.if_else(pc.equal(trimmed, ""), None, trimmed)
    return pd.Series(_ARROW_STR(kept, dtype=text.dtype), index=text.index, name=text.name,
                     copy=False).__finalize__(text)


def as_code_strings(s: pd.Series) -> pd.Series:
    """Codes as strings without losing anything: ``1.0 -> "1"``, NA stays NA, blanks become NA.

    Parameters
    ----------
    s : pandas.Series
        Any column: numbers, strings, booleans or a mix (Excel cells).

    Returns
    -------
    pandas.Series
        Same index and name, ``str`` dtype, NA where ``s`` is NA or blank.

    Examples
    --------
    >>> import pandas as pd
    >>> as_code_strings(pd.Series([1.0, 2.5, None])).tolist()
    ['1', '2.5', nan]
    >>> as_code_strings(pd.Series([" a", "", 3], dtype=object)).tolist()
    ['a', nan, '3']
    """
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("str").where(s.notna())
    if pd.api.types.is_numeric_dtype(s.dtype):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        out = np.empty(len(values), dtype=object)
        finite = np.isfinite(values)
        whole = finite & (np.mod(values, 1, where=finite, out=np.ones_like(values)) == 0)
        whole &= np.abs(values) < 2**53
        out[whole] = values[whole].astype(np.int64).astype(str)
        other = ~whole & ~np.isnan(values)
        out[other] = values[other].astype(str)
        out[np.isnan(values)] = None
        return pd.Series(out, index=s.index, dtype="str", name=s.name)
    if len(s) > 1000:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        if len(uniques) * 4 < len(s):  # few distinct labels (wave, group, ...): work on those
            done = as_code_strings(pd.Series(uniques, dtype=object))
            table = np.empty(len(done) + 1, dtype=object)  # code -1 (NA) -> None
            table[:-1] = done.to_numpy(dtype=object)
            return pd.Series(table[codes], index=s.index, dtype="str", name=s.name)
    kind = pd.api.types.infer_dtype(s, skipna=True) if s.dtype == object else "string"
    if kind in ("string", "empty"):
        text = s if s.dtype == _STR else s.astype("str")
        if text.dtype == _STR and isinstance(text.array, _ARROW_STR) and (
                text is s or np.array_equal(s.isna().to_numpy(), text.isna().to_numpy())):
            return _stripped_or_na(text)
        text = text.str.strip()
    else:  # mixed numbers and text (e.g. Excel cells): format each number like a code
        text = s.map(code_of, na_action="ignore").astype("str")
    text = text.where(s.notna() & (text != ""))
    return text
