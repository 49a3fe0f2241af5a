"""Scale scores from validated answers: missing codes, reverse keying, scoring rules.

:func:`score` is the one step between a *validated* responses table
(:attr:`deliberval.validation.ValidationResult.valid`) and the analyses: it turns the
instrument's missing codes into ``NA``, reverse-keys the items marked ``reverse: true`` for the
scale scores and computes every multi-item scale with its scoring rule (``mean`` or ``sum``,
``min_valid`` answers needed). The answer rules come from
:func:`deliberval.instruments.rules.item_rules`, the same rules validation checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from deliberval.canonical import ID_COLUMNS, as_code_strings
from deliberval.errors import DataInputError
from deliberval.instruments.model import Instrument
from deliberval.instruments.rules import ItemRule, isin_small, item_range, item_rules

__all__ = ["ScoredResponses", "item_range", "score"]

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
class ScoredResponses:
    """What :func:`score` returns.

    Attributes
    ----------
    data : pandas.DataFrame
        One frame with the input's index: the id columns present in the input
        (:data:`deliberval.canonical.ID_COLUMNS`), then every instrument item found in the
        input, cleaned (missing codes set to NA; numeric items as floats, categorical and text
        items as text; reverse keys *not* applied), then one float column per multi-item scale
        (``NaN`` where the respondent was not scored).
    summary : pandas.DataFrame
        One row per scale: ``scale, method, min_valid, n_items, n_items_in_data, n_rows,
        n_scored, n_not_scored`` and the reasons for not scoring, as row counts:
        ``too_few_valid_items`` (some item columns present, fewer than ``min_valid`` answered)
        and ``items_not_in_data`` (the table holds fewer than ``min_valid`` of the scale's items,
        so no row can be scored).
    id_columns, items, scales : tuple of str
        The column names of ``data`` by kind, in order.
    reverse : dict
        Item id -> ``(low, high)`` of every reverse-keyed numeric item in ``data``.
    """

    data: pd.DataFrame
    summary: pd.DataFrame
    id_columns: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    scales: tuple[str, ...] = ()
    reverse: dict[str, tuple[float, float]] | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name: ``data`` and ``summary``."""
        return {"data": self.data, "summary": self.summary}

    def keyed_items(self) -> pd.DataFrame:
        """The id columns and the numeric items with reverse-keyed items reversed (``low + high - x``).

        The input of reliability and factor analyses, where every item must point the same way.
        """
        numeric = [i for i in self.items if pd.api.types.is_float_dtype(self.data[i].dtype)]
        out = self.data.loc[:, [*self.id_columns, *numeric]].copy()
        for item, (low, high) in (self.reverse or {}).items():
            if item in out.columns:
                out[item] = low + high - out[item]
        return out


def _clean(col: pd.Series, rule: ItemRule) -> np.ndarray | pd.Series:
    """One item with missing codes as NA: floats for numeric items, text otherwise.

    Raises when a numeric item holds text that is neither a number nor a missing code (the
    responses were not validated).
    """
    if rule.kind != "numeric":
        text = as_code_strings(col)
        codes = rule.text_missing()
        return text.where(~text.isin(codes)) if codes else text
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        # a float64 column is read in place (a read-only view), copied only to recode codes
        values = col.to_numpy(dtype=float, na_value=np.nan)
    else:
        text = as_code_strings(col)
        codes = rule.text_missing()
        if codes:
            text = text.where(~text.isin(codes))
        num = pd.to_numeric(text, errors="coerce")
        bad = text.notna() & num.isna()
        if bad.any():
            examples = ", ".join(repr(v) for v in pd.unique(text[bad])[:3])
            raise DataInputError(
                f"item {rule.item_id!r} has {int(bad.sum())} answer(s) that are neither numbers nor "
                f"missing codes (e.g. {examples}); expected {rule.expected()}. Score validated "
                "responses (deliberval.validate(...).valid)"
            )
        values = np.array(num.to_numpy(dtype=float, na_value=np.nan), dtype=float, copy=True)
    miss = rule.numeric_missing()
    if miss.size:
        coded = isin_small(values, miss)
        if coded.any():
            if not values.flags.writeable:
                values = values.copy()
            values[coded] = np.nan
    if rule.min is not None and rule.max is not None:
        out = (values < rule.min) | (values > rule.max)
        if out.any():
            examples = ", ".join(f"{v:g}" for v in np.unique(values[out])[:3])
            raise DataInputError(
                f"item {rule.item_id!r} has {int(out.sum())} value(s) outside {rule.min:g}..{rule.max:g} "
                f"that are not missing codes (e.g. {examples}); expected {rule.expected()}. Score "
                "validated responses (deliberval.validate(...).valid lists and quarantines such rows)"
            )
    return values


def score(df: pd.DataFrame, instrument: Instrument) -> ScoredResponses:
    """Score every multi-item scale of an instrument on validated responses.

    Parameters
    ----------
    df : pandas.DataFrame
        A *validated* canonical responses table (``validate(...).valid``, with missing codes
        recoded or still as codes): id columns and one column per item id. Item columns absent
        from ``df`` are skipped; columns that are neither id columns nor items of the instrument
        are left out of the result.
    instrument : Instrument
        The instrument defining missing codes, reverse keying and scales (through
        :func:`deliberval.instruments.rules.item_rules`).

    Returns
    -------
    ScoredResponses
        ``data``: one frame with the input's index holding the id columns, the cleaned items
        (missing codes as NA, reverse keys not applied) and one column per scale; ``summary``:
        one row per scale with ``scale, method, min_valid, n_items, n_items_in_data, n_rows,
        n_scored, n_not_scored, too_few_valid_items, items_not_in_data``.
        :meth:`ScoredResponses.keyed_items` gives the numeric items with reverse keys applied.

    Raises
    ------
    DataInputError
        If ``df`` is not a DataFrame, a scale id is already a column of ``df``, or an item holds
        a value its rules cannot map: text that is neither a number nor a missing code, or a
        number outside the response scale that is not a missing code. Validation quarantines
        such rows, so validated responses never raise.

    Notes
    -----
    * Missing codes (the item's own, else its response scale's) become ``NaN``; so do empty
      cells.
    * A reverse-keyed item on a numeric or Likert scale with range ``[lo, hi]`` counts as
      ``lo + hi - x`` in the scale score (e.g. 1..5: 5 becomes 1).
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
    ...                    "c2": [5, 9, 2], "c3": [1, 2, 4]}, index=[10, 11, 12])
    >>> res = score(df, inst)
    >>> res.data
       respondent_id   c1   c2   c3         c
    10             a  4.0  5.0  1.0  4.666667
    11             b  NaN  NaN  2.0       NaN
    12             c  2.0  2.0  4.0  2.000000
    >>> res.summary[["scale", "n_scored", "too_few_valid_items"]]
      scale  n_scored  too_few_valid_items
    0     c         2                    1
    """
    if not isinstance(df, pd.DataFrame):
        raise DataInputError(f"responses must be a pandas DataFrame, got {type(df).__name__}")
    rules = item_rules(instrument)
    id_cols = [c for c in ID_COLUMNS if c in df.columns]
    clash = [sc.id for sc in instrument.scales if sc.id in df.columns]
    if clash:
        raise DataInputError(
            f"column(s) {clash} of the responses have the name of a scale of {instrument.id!r}; "
            "rename them so the scale scores do not overwrite them"
        )
    cleaned: dict[str, np.ndarray | pd.Series] = {}
    unchanged: set[str] = set()
    numeric: dict[str, np.ndarray] = {}
    reverse: dict[str, tuple[float, float]] = {}
    for item_id, rule in rules.items():
        if item_id not in df.columns:
            continue
        values = _clean(df[item_id], rule)
        cleaned[item_id] = values.to_numpy() if isinstance(values, pd.Series) else values
        if isinstance(values, np.ndarray) and not values.flags.writeable:
            unchanged.add(item_id)  # the input's own float64 values: shared, not copied
        if isinstance(values, np.ndarray):
            if rule.reverse and rule.min is not None and rule.max is not None:
                reverse[item_id] = (rule.min, rule.max)
                values = rule.min + rule.max - values
            numeric[item_id] = values

    n = len(df)
    score_cols: dict[str, np.ndarray] = {}
    rows = []
    for sc in instrument.scales:
        in_data = [i for i in sc.items if i in numeric]
        method = sc.scoring
        result = np.full(n, np.nan)
        too_few = 0
        not_in_data = 0
        if len(in_data) < method.min_valid:
            not_in_data = n
        else:
            count = np.zeros(n, dtype=np.int64)
            total = np.zeros(n)
            for i in in_data:  # column by column: no (n, k) temporary copies
                col = numeric[i]
                answered = ~np.isnan(col)
                count += answered
                total += np.where(answered, col, 0.0)
            ok = count >= method.min_valid
            mean = np.divide(total, count, out=np.full(n, np.nan), where=ok)
            result = mean if method.method == "mean" else mean * len(sc.items)
            too_few = int((~ok).sum())
        score_cols[sc.id] = result
        n_scored = int((~np.isnan(result)).sum())
        rows.append(
            {
                "scale": sc.id,
                "method": method.method,
                "min_valid": method.min_valid,
                "n_items": len(sc.items),
                "n_items_in_data": len(in_data),
                "n_rows": n,
                "n_scored": n_scored,
                "n_not_scored": n - n_scored,
                "too_few_valid_items": too_few,
                "items_not_in_data": not_in_data,
            }
        )
    columns: dict[str, object] = {c: df[c] for c in id_cols}
    for item_id, values in cleaned.items():
        if item_id in unchanged:
            columns[item_id] = df[item_id]
        else:
            columns[item_id] = pd.array(values, dtype="str") if values.dtype == object else values
    columns.update(score_cols)
    # columns are not consolidated into one block (a copy of every item); unchanged input
    # columns are shared with ``df`` under copy-on-write
    data = pd.DataFrame(columns, index=df.index, copy=False)
    summary = pd.DataFrame(rows, columns=_SUMMARY_COLUMNS)
    if not rows:
        summary = summary.astype(dict.fromkeys(_SUMMARY_COLUMNS[2:], "int64"))
    return ScoredResponses(
        data=data, summary=summary, id_columns=tuple(id_cols), items=tuple(cleaned),
        scales=tuple(score_cols), reverse=reverse,
    )
