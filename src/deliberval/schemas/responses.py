"""The canonical *responses* table and the pandera schema generated from an instrument.

One row per respondent and wave. The id columns come first
(:data:`deliberval.canonical.ID_COLUMNS`, ``weight`` last and optional), then one column per item
named by item id holding the raw answer code. The answer rules come from
:func:`deliberval.instruments.rules.item_rules`, the only derivation of them. Missing-value
codes stay codes in this table; :func:`deliberval.validation.validate` turns them into NA through
the instrument and counts them per reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from deliberval.canonical import GROUPS, ID_COLUMNS, ROLES, WAVES
from deliberval.instruments.model import Instrument
from deliberval.instruments.rules import ItemRule, isin_small, item_rules

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
