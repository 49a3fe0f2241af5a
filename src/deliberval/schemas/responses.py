"""The canonical *responses* table and the pandera schema generated from an instrument.

One row per respondent and wave. Fixed columns come first (:data:`ID_COLUMNS`), then an optional
``weight``, then one column per item named by item id holding the raw answer code. Missing-value
codes stay codes in this table; :func:`deliberval.validation.validate` turns them into NA through
the instrument and counts them per reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from deliberval.instruments.model import ROLES, WAVES, Instrument

__all__ = [
    "GROUPS",
    "ID_COLUMNS",
    "ROLES",
    "WAVES",
    "ItemRule",
    "isin_small",
    "item_rules",
    "responses_schema",
]

GROUPS: tuple[str, ...] = ("participant", "control", "pool", "population")
"""Allowed values of ``group``: deliberators, a comparison group, the volunteer pool, a population sample."""

ID_COLUMNS: tuple[str, ...] = ("respondent_id", "process_id", "wave", "group", "role", "language")
"""The fixed leading columns of the canonical responses table, in order."""


@dataclass(frozen=True)
class ItemRule:
    """What a valid answer to one item looks like, derived from the instrument.

    Attributes
    ----------
    item_id : str
        Column name in the responses table.
    kind : {"numeric", "categorical", "text"}
        ``numeric`` for Likert and numeric scales (answers are numbers), ``categorical`` for
        string codes, ``text`` for free text.
    values : tuple
        Allowed substantive answers; empty means "any value in ``min``..``max``".
    min, max : float or None
        Range of numeric answers.
    integer : bool
        Whether numeric answers must be whole numbers (Likert scales).
    missing : dict
        Missing-value code -> meaning (``dont_know``, ``refused``, ...).
    waves, respondents : tuple of str
        Waves the item is asked in and roles it is asked of.
    free_text : bool
        Answers may identify people.
    """

    item_id: str
    kind: str
    values: tuple[float | str, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = False
    missing: dict[float | str, str] = field(default_factory=dict)
    waves: tuple[str, ...] = WAVES
    respondents: tuple[str, ...] = ROLES
    free_text: bool = False

    def expected(self) -> str:
        """Human-readable description of the allowed answers, used in failure messages."""
        codes = ", ".join(_fmt(c) for c in self.missing)
        miss = f"; missing codes {codes}" if codes else ""
        if self.kind == "text":
            return "free text"
        if self.values:
            return "one of " + ", ".join(_fmt(v) for v in self.values) + miss
        lo = _fmt(self.min) if self.min is not None else "-inf"
        hi = _fmt(self.max) if self.max is not None else "inf"
        whole = "a whole number " if self.integer else "a number "
        return f"{whole}from {lo} to {hi}{miss}"

    def allowed_numbers(self) -> np.ndarray:
        """Substantive allowed values plus numeric missing codes (numeric items)."""
        miss = [float(c) for c in self.missing if not isinstance(c, str)]
        return np.asarray([float(v) for v in self.values] + miss, dtype=float)


def _fmt(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def item_rules(instrument: Instrument) -> dict[str, ItemRule]:
    """Derive an :class:`ItemRule` for every item of an instrument.

    Parameters
    ----------
    instrument : Instrument
        A loaded instrument or questionnaire.

    Returns
    -------
    dict
        Item id -> :class:`ItemRule`, in questionnaire order.

    Examples
    --------
    >>> from deliberval.instruments import load_instrument
    >>> rule = item_rules(load_instrument("institutional_trust"))["trust_parliament"]
    >>> rule.kind, rule.min, rule.max, rule.missing
    ('numeric', 0.0, 10.0, {77: 'refused', 88: 'dont_know'})
    """
    rules: dict[str, ItemRule] = {}
    for it in instrument.items:
        rs = instrument.response_scale(it.scale)
        missing = {m.code: m.meaning for m in instrument.missing_codes(it.id)}
        common = {
            "missing": missing,
            "waves": tuple(it.waves),
            "respondents": tuple(it.respondents),
            "free_text": it.free_text or rs.type == "text",
        }
        if rs.type == "text":
            rules[it.id] = ItemRule(it.id, "text", **common)  # type: ignore[arg-type]
        elif rs.type == "categorical":
            values = tuple(str(v.value) for v in rs.values)
            rules[it.id] = ItemRule(it.id, "categorical", values, **common)  # type: ignore[arg-type]
        else:
            lo = float(rs.min) if rs.min is not None else None
            hi = float(rs.max) if rs.max is not None else None
            listed = tuple(float(v.value) for v in rs.values)
            if rs.type == "likert":
                if not listed and lo is not None and hi is not None:
                    listed = tuple(float(v) for v in range(int(lo), int(hi) + 1))
                rules[it.id] = ItemRule(it.id, "numeric", listed, lo, hi, True, **common)  # type: ignore[arg-type]
            else:
                # numeric scales label only some points (e.g. the ends of 0-10): check the range
                if lo is None and listed:
                    lo = min(listed)
                if hi is None and listed:
                    hi = max(listed)
                rules[it.id] = ItemRule(it.id, "numeric", (), lo, hi, False, **common)  # type: ignore[arg-type]
    return rules


def isin_small(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.isin`` for a handful of codes: one vectorised comparison per code (much faster)."""
    out = np.zeros(x.shape, dtype=bool)
    for v in np.asarray(values, dtype=float).ravel():
        out |= x == v
    return out


def _numeric_check(rule: ItemRule) -> pa.Check:
    missing = np.asarray([float(c) for c in rule.missing if not isinstance(c, str)], dtype=float)
    if rule.values:
        allowed = rule.allowed_numbers()
        return pa.Check(
            lambda s: pd.Series(isin_small(s.to_numpy(dtype=float), allowed), index=s.index),
            element_wise=False, name="allowed_values", error=f"expected {rule.expected()}",
        )
    lo = -np.inf if rule.min is None else rule.min
    hi = np.inf if rule.max is None else rule.max

    def _within_range(s: pd.Series) -> pd.Series:
        x = s.to_numpy(dtype=float)
        miss = isin_small(x, missing)
        ok = ((x >= lo) & (x <= hi)) | miss
        if rule.integer:
            ok &= (np.mod(x, 1) == 0) | miss
        return pd.Series(ok, index=s.index)

    return pa.Check(_within_range, name="range", error=f"expected {rule.expected()}")


def responses_schema(instrument: Instrument, *, require_items: bool = False) -> pa.DataFrameSchema:
    """Pandera schema of the canonical responses table for one instrument.

    Item columns are checked on their *coded* values: numeric items must already be numbers
    (NaN for no answer) and categorical items strings. :func:`deliberval.validation.validate`
    coerces raw data first and reports what cannot be coerced, so prefer it for user data.

    Parameters
    ----------
    instrument : Instrument
        Instrument or questionnaire whose items become columns.
    require_items : bool, default False
        Whether every item must be present as a column (questionnaires often leave some out).

    Returns
    -------
    pandera.pandas.DataFrameSchema

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.instruments import load_instrument
    >>> schema = responses_schema(load_instrument("institutional_trust"))
    >>> df = pd.DataFrame({"respondent_id": ["a"], "process_id": ["p"], "wave": ["pre"],
    ...                    "group": ["participant"], "role": ["citizen"], "language": ["en"],
    ...                    "trust_parliament": [77.0]})
    >>> len(schema.validate(df))
    1
    """
    cols: dict[str, pa.Column] = {
        "respondent_id": pa.Column(None, nullable=False, required=True),
        "process_id": pa.Column(None, nullable=False, required=False),
        "wave": pa.Column(None, pa.Check.isin(list(WAVES), name="wave_label"), nullable=False),
        "group": pa.Column(None, pa.Check.isin(list(GROUPS), name="group_label"), nullable=False, required=False),
        "role": pa.Column(None, pa.Check.isin(list(ROLES), name="role_label"), nullable=False, required=False),
        "language": pa.Column(
            None, pa.Check.str_matches(r"^[a-z]{2}$", name="language_code"), nullable=False, required=False
        ),
        "weight": pa.Column(float, pa.Check.ge(0, name="weight_range"), nullable=True, required=False),
    }
    for item_id, rule in item_rules(instrument).items():
        if rule.kind == "numeric":
            cols[item_id] = pa.Column(float, _numeric_check(rule), nullable=True, required=require_items)
        elif rule.kind == "categorical":
            allowed = list(rule.values) + [str(c) for c in rule.missing]
            cols[item_id] = pa.Column(
                None, pa.Check.isin(allowed, name="allowed_values", error=f"expected {rule.expected()}"),
                nullable=True, required=require_items,
            )
        else:
            cols[item_id] = pa.Column(None, nullable=True, required=require_items)
    return pa.DataFrameSchema(cols, name=f"responses[{instrument.id}]", strict=False, ordered=False)
