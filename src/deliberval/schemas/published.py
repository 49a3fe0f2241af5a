"""Pandera schema of the *published results* table: summary statistics with their sources (issue 20).

Evaluators place a process among others that published only summary figures (a mean change and
its standard error). Each row is one published estimate and must carry its citation: no number
without its source.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

__all__ = ["PUBLISHED_COLUMNS", "PUBLISHED_REQUIRED", "published_schema"]

#: Columns of the published results table, in order.
PUBLISHED_COLUMNS = ("process", "outcome", "estimate", "se", "n", "citation", "url", "doi", "year")
#: Columns every row must fill.
PUBLISHED_REQUIRED = ("process", "outcome", "estimate", "se", "citation")


def _filled(s: pd.Series) -> pd.Series:
    return s.notna() & (s.astype("string").str.strip() != "")


def published_schema() -> pa.DataFrameSchema:
    """Schema of the published results table (after :func:`deliberval.validation.published.validate_published` coerces it).

    Columns: ``process`` (the published process's name or id), ``outcome`` (the catalogue
    indicator or outcome id the estimate measures, e.g. ``external_efficacy``), ``estimate``
    (finite number), ``se`` (its standard error, > 0), ``n`` (optional, whole number >= 1),
    ``citation`` (required: author, year, title), ``url`` and ``doi`` (optional), ``year``
    (optional, whole number 1900-2100). ``process`` and ``outcome`` together are unique.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"process": ["A"], "outcome": ["external_efficacy"], "estimate": [0.3],
    ...                    "se": [0.1], "n": [40], "citation": ["Doe (2020)"], "url": [""],
    ...                    "doi": [""], "year": [2020]})
    >>> len(published_schema().validate(df))
    1
    """
    return pa.DataFrameSchema(
        {
            "process": pa.Column(None, pa.Check(_filled, error="a process name")),
            "outcome": pa.Column(None, pa.Check(_filled, error="an indicator or outcome id")),
            "estimate": pa.Column(None, pa.Check(lambda s: s.abs() < float("inf"), error="a finite number")),
            "se": pa.Column(None, pa.Check.gt(0)),
            "n": pa.Column(None, [pa.Check.ge(1), pa.Check(lambda s: s % 1 == 0, error="a whole number")],
                           nullable=True, required=False),
            "citation": pa.Column(None, pa.Check(_filled, error="a citation (no number without its source)")),
            "url": pa.Column(None, nullable=True, required=False),
            "doi": pa.Column(None, nullable=True, required=False),
            "year": pa.Column(None, [pa.Check.in_range(1900, 2100), pa.Check(lambda s: s % 1 == 0)],
                              nullable=True, required=False),
        },
        unique=["process", "outcome"],
        strict=False,
        coerce=False,
    )
