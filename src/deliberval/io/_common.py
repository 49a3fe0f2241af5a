"""Helpers shared by readers, writers and mapping: code strings and canonical column types."""

from __future__ import annotations

import numpy as np
import pandas as pd

from deliberval.instruments.model import Instrument
from deliberval.schemas.responses import ID_COLUMNS, item_rules

__all__ = ["as_code_strings", "canonicalise", "numeric_if_lossless"]

NA_STRINGS = ("", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "#N/A")


def _code_of(v: object) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer() and abs(float(v)) < 2**53:
        return str(int(v))
    if isinstance(v, bool | np.bool_):
        return str(v)
    return str(v).strip()


def as_code_strings(s: pd.Series) -> pd.Series:
    """Codes as strings without losing anything: ``1.0 -> "1"``, NA stays NA, blanks become NA."""
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
        text = s.astype("str").str.strip()
    else:  # mixed numbers and text (e.g. Excel cells): format each number like a code
        text = s.map(_code_of, na_action="ignore").astype("str")
    text = text.where(s.notna() & (text != ""))
    return text


def numeric_if_lossless(s: pd.Series) -> pd.Series:
    """Floats when every non-missing value parses as a number, else the values as code strings."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(float)
    text = as_code_strings(s)
    num = pd.to_numeric(text, errors="coerce")
    if bool((text.notna() & num.isna()).any()):
        return text
    return num.astype(float)


def canonicalise(df: pd.DataFrame, instrument: Instrument | None = None) -> pd.DataFrame:
    """Give a responses table canonical column order and types, never changing a value.

    Id columns (``respondent_id, process_id, wave, group, role, language``) become strings;
    ``weight`` a float; numeric items floats when every value is a number (else left as read so
    that validation can report the offending values); categorical and text items strings.

    Parameters
    ----------
    df : pandas.DataFrame
        A responses table with canonical column names.
    instrument : Instrument, optional
        Tells which columns are items and of which kind.

    Returns
    -------
    pandas.DataFrame
        A new table with a fresh ``RangeIndex``.

    Examples
    --------
    >>> import pandas as pd
    >>> canonicalise(pd.DataFrame({"trust": ["7", "77"], "respondent_id": [1.0, 2.0]})).to_dict("list")
    {'respondent_id': ['1', '2'], 'trust': [7.0, 77.0]}
    """
    rules = item_rules(instrument) if instrument is not None else {}
    out: dict[str, pd.Series] = {}
    order = [c for c in ID_COLUMNS if c in df.columns]
    order += [c for c in ("weight",) if c in df.columns]
    order += [c for c in rules if c in df.columns]
    order += [c for c in df.columns if c not in order]
    for col in order:
        s = df[col].reset_index(drop=True)
        rule = rules.get(col)
        if col in ID_COLUMNS or (rule is not None and rule.kind != "numeric"):
            out[col] = as_code_strings(s)
        else:
            out[col] = numeric_if_lossless(s)
    return pd.DataFrame(out, columns=order)
