"""The one derivation of answer rules from an instrument.

:func:`item_rules` turns an instrument (or questionnaire) into one :class:`ItemRule` per item:
which answers are allowed, which codes mean "missing" (and why), the numeric range and whether
the item is reverse-keyed. The pandera schema of the responses table
(:func:`deliberval.schemas.responses_schema`), validation (:func:`deliberval.validation.validate`,
which quarantines rows breaking a rule) and scoring (:func:`deliberval.scoring.score`, which
recodes missing codes and reverse-keys) all read these rules and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from deliberval.canonical import ROLES, WAVES
from deliberval.instruments.model import Instrument, ResponseScale

__all__ = ["ItemRule", "isin_small", "item_range", "item_rules"]


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
        Range of numeric answers (:func:`item_range` of the response scale).
    integer : bool
        Whether numeric answers must be whole numbers (Likert scales).
    missing : dict
        Missing-value code -> meaning (``dont_know``, ``refused``, ...): the item's own codes,
        else its response scale's.
    waves, respondents : tuple of str
        Waves the item is asked in and roles it is asked of.
    free_text : bool
        Answers may identify people.
    reverse : bool
        Reverse-keyed: :func:`deliberval.scoring.score` scores ``min + max - x``.
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
    reverse: bool = False

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

    def numeric_missing(self) -> np.ndarray:
        """The numeric missing codes as floats."""
        return np.asarray([float(c) for c in self.missing if _is_number(c)], dtype=float)

    def text_missing(self) -> set[str]:
        """Every missing code as text (``8`` also as ``"8"`` and ``"8.0"``), for text columns."""
        out: set[str] = set()
        for c in self.missing:
            out.add(str(c))
            if _is_number(c):
                out.add(_fmt(float(c)))
                out.add(str(float(c)))
        return out


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _fmt(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


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
    The range drives the range check of validation and reverse keying in scoring: a
    reverse-keyed answer ``x`` becomes ``low + high - x``.

    Examples
    --------
    >>> from deliberval.instruments.model import ResponseScale
    >>> item_range(ResponseScale(id="agree_5", type="likert", values=[{"value": v} for v in range(1, 6)]))
    (1.0, 5.0)
    """
    if scale.type not in ("likert", "numeric"):
        return None
    numeric = [float(v.value) for v in scale.values if _is_number(v.value)]
    low = scale.min if scale.min is not None else (min(numeric) if numeric else None)
    high = scale.max if scale.max is not None else (max(numeric) if numeric else None)
    if low is None or high is None:
        return None
    return float(low), float(high)


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

    Notes
    -----
    Likert items allow their listed values (or every whole number from ``min`` to ``max`` when
    none are listed); numeric items allow any number in :func:`item_range` (numeric scales label
    only some points, e.g. the ends of 0-10); categorical items allow their listed codes as
    text; text items allow anything. Missing codes are allowed on top in every kind.

    Examples
    --------
    >>> from deliberval.instruments import load_instrument
    >>> rule = item_rules(load_instrument("institutional_trust"))["trust_parliament"]
    >>> rule.kind, rule.min, rule.max, rule.missing, rule.reverse
    ('numeric', 0.0, 10.0, {77: 'refused', 88: 'dont_know'}, False)
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
            "reverse": bool(it.reverse),
        }
        if rs.type == "text":
            rules[it.id] = ItemRule(it.id, "text", **common)  # type: ignore[arg-type]
        elif rs.type == "categorical":
            values = tuple(str(v.value) for v in rs.values)
            rules[it.id] = ItemRule(it.id, "categorical", values, **common)  # type: ignore[arg-type]
        else:
            bounds = item_range(rs)
            lo, hi = bounds if bounds is not None else (None, None)
            listed = tuple(float(v.value) for v in rs.values)
            if rs.type == "likert":
                if not listed and lo is not None and hi is not None:
                    listed = tuple(float(v) for v in range(int(lo), int(hi) + 1))
                rules[it.id] = ItemRule(it.id, "numeric", listed, lo, hi, True, **common)  # type: ignore[arg-type]
            else:
                rules[it.id] = ItemRule(it.id, "numeric", (), lo, hi, False, **common)  # type: ignore[arg-type]
    return rules


def isin_small(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.isin`` for a handful of codes: one vectorised comparison per code (much faster).

    Examples
    --------
    >>> import numpy as np
    >>> isin_small(np.array([1.0, 8.0, np.nan]), np.array([8.0, 9.0])).tolist()
    [False, True, False]
    """
    out = np.zeros(x.shape, dtype=bool)
    for v in np.asarray(values, dtype=float).ravel():
        out |= x == v
    return out
