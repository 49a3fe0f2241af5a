"""Key shares of a process per unit (committee, panel), computed once for its evaluation.

A process may sit in several bodies at once (committees of a council, panels of a conference).
:func:`unit_breakdown` gives, for every measured share-agreeing indicator of the catalogue, each
unit's share with its Wilson interval and n, exactly as the process-wide indicator is computed
(post survey, participant citizens) but split by the respondents' unit. The report presents it
(section ``units``); pooling across units is :mod:`deliberval.indicators.pooling`'s.

A unit is named in the data by its id (``committee_1``); :func:`unit_names` gives the name the report
shows instead: the configuration's label (``units: labels:``), else the data's ``unit_label``
column, else the id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from deliberval.indicators.catalogue import resolve_measure

if TYPE_CHECKING:
    from deliberval.indicators.catalogue import Catalogue
    from deliberval.instruments.model import Instrument

__all__ = ["UNIT_BREAKDOWN_COLUMNS", "UNIT_LABEL_COLUMN", "unit_breakdown", "unit_names"]

#: A column of the members (or responses) table naming each row's unit in words, beside ``unit``.
UNIT_LABEL_COLUMN = "unit_label"

#: Columns of :attr:`deliberval.indicators.evaluate.ProcessEvaluation.units`.
UNIT_BREAKDOWN_COLUMNS = ["indicator_id", "item", "unit", "n", "count", "estimate", "ci_low", "ci_high",
                          "confidence_level", "method"]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=UNIT_BREAKDOWN_COLUMNS)


def unit_breakdown(scored: pd.DataFrame | None, members: pd.DataFrame | None, instrument: Instrument,
                   catalogue: Catalogue, indicators: pd.DataFrame, *, confidence_level: float,
                   reasons: dict[str, str]) -> pd.DataFrame:
    """Each measured share-agreeing indicator per unit: share, Wilson interval, count and n.

    Parameters
    ----------
    scored : DataFrame or None
        Scored responses; each respondent's unit is the responses' ``unit`` column, else the
        members' ``unit`` by ``person_id`` (as :mod:`deliberval.indicators.pooling` reads it).
    members : DataFrame or None
        The valid members table.
    instrument, catalogue, indicators
        The evaluation's (only indicators measured process-wide are split).
    confidence_level : float
    reasons : dict
        Why the table is empty is written under ``units``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNIT_BREAKDOWN_COLUMNS`, one row per indicator and unit (units in sorted
        order): ``item`` (the instrument's item), ``n`` (post-survey answers of participant
        citizens of the unit), ``count`` (agreeing), ``estimate`` (``count / n``, 0-1),
        ``ci_low``, ``ci_high`` (Wilson score interval), ``confidence_level``, ``method``.
        Empty without a unit column or with fewer than two units.

    Notes
    -----
    The share of each unit is :func:`deliberval.analysis.change.likert_shares` summed over the
    response scale's agree values, with the Wilson interval
    (:func:`deliberval.analysis._common.wilson_interval`, as R ``prop.test(correct = FALSE)``),
    the same computation as the process-wide indicator: the units' counts and n add up to the
    indicator's when every respondent has a unit.
    """
    from deliberval.indicators.evaluate import _experience, _participants
    from deliberval.indicators.pooling import UNIT_COLUMN, _units_of

    if scored is None:
        reasons["units"] = "no responses table"
        return _empty()
    units = _units_of(scored, members)
    if units is None:
        reasons["units"] = "no unit column (responses' or members' 'unit') names the committees or panels"
        return _empty()
    part = _participants(scored.assign(**{UNIT_COLUMN: units}))
    if "role" in part.columns:
        part = part.loc[part["role"] == "citizen"]
    part = part.loc[part[UNIT_COLUMN].notna()]
    n_units = int(part[UNIT_COLUMN].nunique())
    if n_units < 2:
        reasons["units"] = f"the participants sit in {n_units} unit(s); a breakdown needs at least 2"
        return _empty()
    tab = indicators.set_index("indicator_id")
    wanted: dict[str, str] = {}
    for spec in catalogue.indicators:
        if spec.function != "deliberval.likert_shares" or not spec.items:
            continue
        if spec.id not in tab.index or tab.loc[spec.id, "status"] != "measured":
            continue
        col = resolve_measure(instrument, spec.items[0], spec.construct)
        if col is not None and col in part.columns:
            wanted[spec.id] = col
    if not wanted:
        reasons["units"] = "no share-agreeing indicator is measured"
        return _empty()
    # the unit takes the place of the role: one likert_shares block per unit, as per role
    by_unit = part.assign(role=part[UNIT_COLUMN].astype(str))
    shares = _experience(by_unit, instrument, list(dict.fromkeys(wanted.values())), confidence_level, {})
    rows = []
    for indicator_id, col in wanted.items():
        got = shares.loc[shares["item"] == col].sort_values("role", kind="stable")
        for _, r in got.iterrows():
            rows.append({"indicator_id": indicator_id, "item": col, "unit": r["role"], "n": int(r["n"]),
                         "count": int(r["count"]), "estimate": float(r["estimate"]), "ci_low": float(r["ci_low"]),
                         "ci_high": float(r["ci_high"]), "confidence_level": confidence_level,
                         "method": f"responses: {col} (post, participant citizens of the unit); Wilson interval"})
    out = pd.DataFrame(rows, columns=UNIT_BREAKDOWN_COLUMNS)
    out["n"] = out["n"].astype("Int64")
    out["count"] = out["count"].astype("Int64")
    return out


def _data_labels(tables: Iterable[pd.DataFrame | None]) -> dict[str, str]:
    """``unit -> unit_label`` of the first table that pairs them (the first label given per unit)."""
    from deliberval.indicators.pooling import UNIT_COLUMN

    out: dict[str, str] = {}
    for df in tables:
        if df is None or not {UNIT_COLUMN, UNIT_LABEL_COLUMN} <= set(df.columns):
            continue
        pairs = df[[UNIT_COLUMN, UNIT_LABEL_COLUMN]].dropna()
        for unit, label in zip(pairs[UNIT_COLUMN].astype(str), pairs[UNIT_LABEL_COLUMN].astype(str), strict=True):
            if label.strip():
                out.setdefault(unit, label.strip())
    return out


def unit_names(units: Iterable[Any], lang: str, *, labels: Mapping[str, Mapping[str, str]] | None = None,
               members: pd.DataFrame | None = None, responses: pd.DataFrame | None = None) -> dict[str, str]:
    """The name each unit id is shown by in ``lang``.

    Parameters
    ----------
    units : iterable
        Unit ids (values of the ``unit`` column).
    lang : str
        The report's language.
    labels : mapping, optional
        Unit id -> ``{language: label}`` (the configuration's ``units: labels:``,
        :attr:`deliberval.indicators.EvaluationSettings.unit_labels`).
    members, responses : DataFrame, optional
        Tables whose ``unit_label`` column names their ``unit`` (members first).

    Returns
    -------
    dict
        Unit id -> name: the configured label in ``lang``, else its English one, else its first;
        else the data's ``unit_label`` (the first given for the unit); else the id itself. A name
        given to several units is followed by each one's id in parentheses.

    Examples
    --------
    >>> import pandas as pd
    >>> members = pd.DataFrame({"unit": ["c1", "c2", "c2"], "unit_label": [None, "Housing", "Housing"]})
    >>> unit_names(["c1", "c2", "c3"], "fr", labels={"c1": {"en": "Mobility", "fr": "Mobilité"}},
    ...            members=members)
    {'c1': 'Mobilité', 'c2': 'Housing', 'c3': 'c3'}
    """
    data = _data_labels([members, responses])
    out: dict[str, str] = {}
    for unit in units:
        key = str(unit)
        given = {k: str(v) for k, v in (labels or {}).get(key, {}).items() if str(v).strip()}
        if given:
            out[key] = given.get(lang) or given.get("en") or next(iter(given.values()))
        else:
            out[key] = data.get(key, key)
    shown = list(out.values())
    # two units given one name stay apart: each with its id
    return {k: f"{v} ({k})" if shown.count(v) > 1 and v != k else v for k, v in out.items()}
