"""Helpers shared by readers, writers and mapping: canonical column order and types.

``as_code_strings`` and ``NA_STRINGS`` live in :mod:`deliberval.canonical`; they are re-exported
here for the io modules that import them from this module.
"""

from __future__ import annotations

import pandas as pd

from deliberval.canonical import ID_COLUMNS, NA_STRINGS, as_code_strings
from deliberval.instruments.model import Instrument
from deliberval.instruments.rules import item_rules

__all__ = ["NA_STRINGS", "as_code_strings", "canonicalise", "numeric_if_lossless"]

_TEXT_IDS = tuple(c for c in ID_COLUMNS if c != "weight")


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
    order += [c for c in rules if c in df.columns]
    order += [c for c in df.columns if c not in order]
    for col in order:
        s = df[col].reset_index(drop=True)
        rule = rules.get(col)
        if col in _TEXT_IDS or (rule is not None and rule.kind != "numeric"):
            out[col] = as_code_strings(s)
        else:
            out[col] = numeric_if_lossless(s)
    return pd.DataFrame(out, columns=order)
