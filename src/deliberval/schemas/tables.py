"""Pandera schemas of the canonical *process*, *population targets* and *members* tables."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from deliberval.canonical import FUNNEL_STAGES, ROLES

__all__ = [
    "FUNNEL_STAGES",
    "LEVELS",
    "PROCESS_MODELS",
    "members_schema",
    "process_schema",
    "targets_schema",
]

PROCESS_MODELS: tuple[str, ...] = (
    "political_task_committee",
    "deliberative_committee",
    "citizens_assembly",
    "citizens_jury",
    "deliberative_poll",
    "permanent_dialogue",
    "planning_cell",
    "consensus_conference",
    "other",
)
"""Allowed values of ``process.model``."""

LEVELS: tuple[str, ...] = ("local", "regional", "national", "transnational")
"""Allowed values of ``process.level`` (level of government)."""

_is_datetime = pa.Check(
    lambda s: pd.Series(pd.api.types.is_datetime64_any_dtype(s.dtype), index=s.index),
    name="is_datetime", error="expected a datetime column (pandas.to_datetime)",
)


def process_schema() -> pa.DataFrameSchema:
    """Schema of the *process* table: one row per democratic innovation.

    Columns: ``process_id`` (unique), ``name``, ``model`` (one of :data:`PROCESS_MODELS`),
    ``country`` (ISO 3166-1 alpha-2), ``level`` or ``level_of_government`` (one of
    :data:`LEVELS`), ``commissioner``,
    ``start_date`` and ``end_date`` (end not before start), ``n_sessions`` (>= 1),
    ``members_<role>`` counts (optional, >= 0), ``remit`` and ``languages`` (comma-separated
    ISO 639-1 codes, e.g. ``"fr,nl"``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"process_id": ["p1"], "name": ["Climate assembly"],
    ...     "model": ["citizens_assembly"], "country": ["BE"], "level": ["regional"],
    ...     "commissioner": ["Parliament"], "start_date": pd.to_datetime(["2024-01-10"]),
    ...     "end_date": pd.to_datetime(["2024-05-01"]), "n_sessions": [6],
    ...     "remit": ["How to cut emissions?"], "languages": ["fr,nl"]})
    >>> len(process_schema().validate(df))
    1
    """
    return pa.DataFrameSchema(
        {
            "process_id": pa.Column(str, unique=True),
            "name": pa.Column(str),
            "model": pa.Column(str, pa.Check.isin(list(PROCESS_MODELS))),
            "country": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}$"), required=False),
            "level": pa.Column(str, pa.Check.isin(list(LEVELS)), required=False),
            "level_of_government": pa.Column(str, pa.Check.isin(list(LEVELS)), required=False),
            "commissioner": pa.Column(str, nullable=True, required=False),
            "start_date": pa.Column(None, _is_datetime, nullable=True, required=False),
            "end_date": pa.Column(None, _is_datetime, nullable=True, required=False),
            "n_sessions": pa.Column(int, pa.Check.ge(1), required=False, coerce=True),
            r"members_\w+": pa.Column(int, pa.Check.ge(0), regex=True, required=False, coerce=True),
            "remit": pa.Column(str, nullable=True, required=False),
            "languages": pa.Column(
                str, pa.Check.str_matches(r"^[a-z]{2}(,[a-z]{2})*$"), required=False
            ),
        },
        checks=[
            pa.Check(
                lambda df: ~(df["end_date"] < df["start_date"])
                if {"start_date", "end_date"} <= set(df.columns)
                else pd.Series(True, index=df.index),
                name="end_not_before_start",
            )
        ],
        name="process",
    )


def targets_schema(tolerance: float = 0.01) -> pa.DataFrameSchema:
    """Schema of the *population targets* table: census shares per dimension and category.

    Columns ``dimension, category, share`` and optionally ``population_id, source, year``.
    Shares lie in [0, 1] and sum to 1 within ``tolerance`` for each population (when given) and
    dimension. Two-way intersections
    use a dimension such as ``"demo_gender*demo_age_band"`` with categories ``"woman*16_24"``.

    Parameters
    ----------
    tolerance : float, default 0.01
        Allowed absolute deviation of each dimension's total from 1 (published tables round).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"population_id": ["be"] * 2, "dimension": ["demo_gender"] * 2,
    ...     "category": ["woman", "man"], "share": [0.51, 0.49], "source": ["Statbel"] * 2,
    ...     "year": [2023, 2023]})
    >>> len(targets_schema().validate(df))
    2
    """

    def sums_to_one(df: pd.DataFrame) -> pd.Series:
        keys = [c for c in ("population_id", "dimension") if c in df.columns]
        total = df.groupby(keys, dropna=False)["share"].transform("sum")
        return (total - 1.0).abs() <= tolerance

    return pa.DataFrameSchema(
        {
            "population_id": pa.Column(str, required=False),
            "dimension": pa.Column(str),
            "category": pa.Column(str),
            "share": pa.Column(float, pa.Check.in_range(0.0, 1.0), coerce=True),
            "source": pa.Column(str, required=False),
            "year": pa.Column(int, pa.Check.in_range(1800, 2200), required=False, coerce=True),
        },
        checks=[
            pa.Check(sums_to_one, name="shares_sum_to_one", error=f"shares of a dimension must sum to 1 +/- {tolerance}"),
            pa.Check(
                lambda df: ~df.duplicated([c for c in ("population_id", "dimension", "category") if c in df.columns],
                                          keep=False),
                name="unique_category", error="each category appears once per dimension",
            ),
        ],
        name="population_targets",
    )


def members_schema() -> pa.DataFrameSchema:
    """Schema of the *members / selection funnel* table: one row per person ever invited.

    Columns ``person_id`` (unique within ``process_id``), an optional ``process_id``, the
    boolean stage flags :data:`~deliberval.canonical.FUNNEL_STAGES` (``invited, volunteered,
    selected, attended_all, answered_post``; each optional), an optional ``funnel_stage``
    (furthest stage reached, one of the flags; ``stage`` is read the same way for older tables),
    ``role`` and any ``demo_*`` demographic columns. The funnel must be monotone: volunteered
    implies invited, selected implies volunteered, attended_all implies selected (answering is
    free: controls answer too). Flags must already be booleans: :func:`deliberval.validation.
    validate_members` converts ``true/false/yes/no/1/0`` text first and quarantines the rest.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"person_id": ["a", "b"], "process_id": ["p", "p"],
    ...     "invited": [True, True], "volunteered": [True, False], "selected": [True, False],
    ...     "attended_all": [True, False], "answered_post": [True, True],
    ...     "demo_gender": ["woman", "man"]})
    >>> len(members_schema().validate(df))
    2
    """

    def implies(a: str, b: str) -> pa.Check:
        def check(df: pd.DataFrame) -> pd.Series:
            if a not in df.columns or b not in df.columns:
                return pd.Series(True, index=df.index)
            return ~df[a].astype(bool) | df[b].astype(bool)

        return pa.Check(check, name=f"{a}_implies_{b}")

    def unique_person(df: pd.DataFrame) -> pd.Series:
        keys = [c for c in ("process_id", "person_id") if c in df.columns]
        return ~df.duplicated(keys, keep=False)

    checks = [
        implies("volunteered", "invited"),
        implies("selected", "volunteered"),
        implies("attended_all", "selected"),
        pa.Check(unique_person, name="unique_person", error="person_id appears more than once in a process"),
    ]
    columns = {
        "person_id": pa.Column(str),
        "process_id": pa.Column(str, required=False),
        **{c: pa.Column(bool, required=False) for c in FUNNEL_STAGES},
        "funnel_stage": pa.Column(str, pa.Check.isin(list(FUNNEL_STAGES)), required=False, nullable=True),
        "stage": pa.Column(str, pa.Check.isin(list(FUNNEL_STAGES)), required=False, nullable=True),
        "role": pa.Column(str, pa.Check.isin(list(ROLES)), required=False),
        r"demo_\w+": pa.Column(str, regex=True, nullable=True, required=False),
    }
    return pa.DataFrameSchema(columns, checks=checks, name="members")
