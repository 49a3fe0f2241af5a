"""Scale scores from raw answers: missing codes, reverse keying, scoring rules.

:func:`score` is the one step between a canonical responses table (raw codes, one column per
item id) and the analyses: it turns the instrument's missing codes into ``NA``, reverse-keys the
items marked ``reverse: true`` and computes every multi-item scale with its scoring rule
(``mean`` or ``sum``, ``min_valid`` answers needed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from deliberval.errors import DataInputError
from deliberval.instruments.model import Instrument, ResponseScale

__all__ = ["ID_COLUMNS", "ScoringResult", "item_range", "score"]

#: Columns of the canonical responses table that identify a row; kept in every output.
ID_COLUMNS: tuple[str, ...] = (
    "respondent_id",
    "process_id",
    "wave",
    "group",
    "role",
    "language",
    "weight",
)

_SUMMARY_COLUMNS = [
    "scale",
    "method",
    "min_valid",
    "n_items",
    "n_items_in_data",
    "n_rows",
    "n_scored",
    "n_not_scored",
    "too_few_valid_items",
    "items_not_in_data",
]


@dataclass(frozen=True)
class ScoringResult:
    """What :func:`score` returns.

    Attributes
    ----------
    scores : pandas.DataFrame
        The id columns present in the input, then one float column per scale (``NaN`` where the
        respondent was not scored).
    items : pandas.DataFrame
        The id columns, then one float column per instrument item found in the input, with
        missing codes set to ``NaN`` and reverse-keyed items already reversed. Use these columns
        for reliability and CFA.
    summary : pandas.DataFrame
        One row per scale: ``scale, method, min_valid, n_items, n_items_in_data, n_rows,
        n_scored, n_not_scored`` and the reasons for not scoring, as row counts:
        ``too_few_valid_items`` (some item columns present, fewer than ``min_valid`` answered)
        and ``items_not_in_data`` (the table holds fewer than ``min_valid`` of the scale's items,
        so no row can be scored).
    """

    scores: pd.DataFrame
    items: pd.DataFrame
    summary: pd.DataFrame


def item_range(scale: ResponseScale) -> tuple[float, float] | None:
    """Lowest and highest substantive value of a numeric or Likert response scale.

    Parameters
    ----------
    scale : ResponseScale
        A response scale of an instrument.

    Returns
    -------
    tuple of (float, float) or None
        The scale's ``min``/``max`` when given, else the smallest and largest numeric
        ``values``; ``None`` for categorical and text scales or when neither is known.

    Notes
    -----
    The range drives reverse keying in :func:`score`: a reverse-keyed answer ``x`` becomes
    ``low + high - x``.

    Examples
    --------
    >>> from deliberval.instruments.model import ResponseScale
    >>> item_range(ResponseScale(id="agree_5", type="likert", values=[{"value": v} for v in range(1, 6)]))
    (1.0, 5.0)
    """
    if scale.type not in ("likert", "numeric"):
        return None
    numeric = [float(v.value) for v in scale.values if isinstance(v.value, int | float)]
    low = scale.min if scale.min is not None else (min(numeric) if numeric else None)
    high = scale.max if scale.max is not None else (max(numeric) if numeric else None)
    if low is None or high is None:
        return None
    return float(low), float(high)


def _recode_column(col: pd.Series, item_id: str, codes: list[int | str]) -> np.ndarray:
    """Raw codes of one item as float with missing codes as NaN; raise on non-numeric answers."""
    raw = (
        col.to_numpy(dtype=object, na_value=None)
        if not pd.api.types.is_numeric_dtype(col)
        else None
    )
    if raw is None:
        values = np.array(col.to_numpy(dtype=float, na_value=np.nan), dtype=float, copy=True)
        for c in codes:
            if _is_number(c):
                values[values == float(c)] = np.nan
        return values
    # object or string column: match codes as text, then convert the rest to numbers
    text = pd.Series(raw, dtype="object").map(lambda v: None if v is None else str(v).strip())
    code_text = {str(c) for c in codes} | {_int_text(c) for c in codes if _is_number(c)}
    text = text.where(~text.isin(code_text), None)
    text = text.where(text != "", None)
    values_s = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & values_s.isna()
    if bad.any():
        examples = ", ".join(repr(v) for v in pd.unique(text[bad])[:3])
        raise DataInputError(
            f"item {item_id!r} has {int(bad.sum())} answer(s) that are neither numbers nor missing "
            f"codes (e.g. {examples}); expected numeric codes or one of the missing codes {codes}"
        )
    return values_s.to_numpy(dtype=float, na_value=np.nan)


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _int_text(v: int | str) -> str:
    return str(int(v)) if isinstance(v, int | float) and float(v).is_integer() else str(v)


def score(df: pd.DataFrame, instrument: Instrument) -> ScoringResult:
    """Score every multi-item scale of an instrument.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical responses table: id columns (``respondent_id, process_id, wave, group, role,
        language`` and optionally ``weight``) and one column per item id holding raw codes.
        Item columns absent from ``df`` are skipped; columns of other instruments are ignored.
    instrument : Instrument
        The instrument defining missing codes, reverse keying and scales.

    Returns
    -------
    ScoringResult
        ``scores`` (id columns + one column per scale), ``items`` (id columns + cleaned item
        columns) and ``summary`` (one row per scale with ``scale, method, min_valid, n_items,
        n_items_in_data, n_rows, n_scored, n_not_scored, too_few_valid_items,
        items_not_in_data``).

    Raises
    ------
    DataInputError
        If ``df`` is not a DataFrame, or an item holds a value that is neither a missing code
        nor within the response scale's range (the message names the item and gives examples).

    Notes
    -----
    * Missing codes (``instrument.missing_codes(item)``: the item's own, else its response
      scale's) become ``NaN``; so do empty cells.
    * A reverse-keyed item on a numeric or Likert scale with range ``[lo, hi]`` becomes
      ``lo + hi - x`` (e.g. 1..5: 5 becomes 1).
    * ``mean``: the mean of the answered items, if at least ``min_valid`` were answered.
    * ``sum``: prorated sum, ``mean of answered items * number of items`` when at least
      ``min_valid`` were answered, so respondents with a skipped item stay on the scale's full
      metric (equal to the plain sum when every item was answered). Otherwise ``NaN``.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.instruments.model import Instrument
    >>> inst = Instrument.model_validate({
    ...     "id": "demo", "version": "1.0.0", "title": {"en": "Demo"},
    ...     "languages": {"en": {"status": "source"}}, "licence": "CC-BY-4.0",
    ...     "response_scales": [{"id": "agree_5", "type": "likert", "min": 1, "max": 5,
    ...                          "missing_codes": [{"code": 9, "meaning": "refused"}]}],
    ...     "items": [{"id": i, "construct": "c", "text": {"en": i}, "scale": "agree_5",
    ...                "reverse": i == "c3", "waves": ["pre"], "respondents": ["citizen"],
    ...                "source": {"citation": "x", "wording": "new"}} for i in ("c1", "c2", "c3")],
    ...     "scales": [{"id": "c", "construct": "c", "items": ["c1", "c2", "c3"],
    ...                 "scoring": {"method": "mean", "min_valid": 2}}]})
    >>> df = pd.DataFrame({"respondent_id": ["a", "b", "c"], "c1": [4, 9, 2],
    ...                    "c2": [5, 9, 2], "c3": [1, 2, 4]})
    >>> res = score(df, inst)
    >>> res.scores
      respondent_id         c
    0             a  4.666667
    1             b       NaN
    2             c  2.000000
    >>> res.summary[["scale", "n_scored", "too_few_valid_items"]]
      scale  n_scored  too_few_valid_items
    0     c         2                    1
    """
    if not isinstance(df, pd.DataFrame):
        raise DataInputError(f"responses must be a pandas DataFrame, got {type(df).__name__}")
    id_cols = [c for c in ID_COLUMNS if c in df.columns]
    present = [it for it in instrument.items if it.id in df.columns]
    cleaned: dict[str, np.ndarray] = {}
    for it in present:
        codes = [m.code for m in instrument.missing_codes(it.id)]
        rscale = instrument.response_scale(it.scale)
        if rscale.type in ("categorical", "text"):
            continue
        values = _recode_column(df[it.id], it.id, codes)
        rng_ = item_range(rscale)
        if rng_ is not None:
            low, high = rng_
            if np.nanmin(values, initial=low) < low or np.nanmax(values, initial=high) > high:
                out = (values < low) | (values > high)
                examples = ", ".join(f"{v:g}" for v in np.unique(values[out])[:3])
                raise DataInputError(
                    f"item {it.id!r} has {int(out.sum())} value(s) outside {low:g}..{high:g} that "
                    f"are not missing codes (e.g. {examples}); declare them as missing codes or "
                    "fix the data (deliberval validate lists every such row)"
                )
            if it.reverse:
                values = low + high - values
        cleaned[it.id] = values

    n = len(df)
    ids = df[id_cols].reset_index(drop=True)
    score_cols: dict[str, np.ndarray] = {}
    rows = []
    for sc in instrument.scales:
        in_data = [i for i in sc.items if i in cleaned]
        rule = sc.scoring
        result = np.full(n, np.nan)
        too_few = 0
        not_in_data = 0
        if len(in_data) < rule.min_valid:
            not_in_data = n
        else:
            count = np.zeros(n, dtype=np.int64)
            total = np.zeros(n)
            for i in in_data:  # column by column: no (n, k) temporary copies
                col = cleaned[i]
                valid = ~np.isnan(col)
                count += valid
                total += np.where(valid, col, 0.0)
            ok = count >= rule.min_valid
            mean = np.divide(total, count, out=np.full(n, np.nan), where=ok)
            result = mean if rule.method == "mean" else mean * len(sc.items)
            too_few = int((~ok).sum())
        score_cols[sc.id] = result
        n_scored = int((~np.isnan(result)).sum())
        rows.append(
            {
                "scale": sc.id,
                "method": rule.method,
                "min_valid": rule.min_valid,
                "n_items": len(sc.items),
                "n_items_in_data": len(in_data),
                "n_rows": n,
                "n_scored": n_scored,
                "n_not_scored": n - n_scored,
                "too_few_valid_items": too_few,
                "items_not_in_data": not_in_data,
            }
        )
    scores = pd.concat([ids, pd.DataFrame(score_cols, index=ids.index)], axis=1)
    items = pd.concat([ids, pd.DataFrame(cleaned, index=ids.index)], axis=1)
    summary = pd.DataFrame(rows, columns=_SUMMARY_COLUMNS)
    if not rows:
        summary = summary.astype(dict.fromkeys(_SUMMARY_COLUMNS[2:], "int64"))
    return ScoringResult(scores=scores, items=items, summary=summary)
