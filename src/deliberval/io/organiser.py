"""Organiser questionnaire -> process table: the answers of one organiser become the process's facts.

An organiser questionnaire (for example the shipped ``oecd_organiser_questionnaire``) names, for
each item, the column of the process table its answer fills (``process_field``). This module
copies the answers into that one-row table; it never judges them: dates, counts and codes are
checked afterwards by :func:`deliberval.validation.validate_process`, like a process table read
from a file.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from deliberval.errors import DataInputError, InstrumentError, Problem
from deliberval.instruments.model import Instrument
from deliberval.instruments.rules import item_rules

__all__ = ["process_fields", "process_table"]


def process_fields(instrument: Instrument) -> dict[str, str]:
    """Item id -> process-table column, for every item of an instrument that fills one.

    Parameters
    ----------
    instrument : Instrument
        An organiser questionnaire whose items name a ``process_field``.

    Returns
    -------
    dict
        ``{item id: process-table column}`` in the instrument's order (empty when no item
        fills a column).

    Raises
    ------
    InstrumentError
        When two items fill the same column (which answer counts could not be told).

    Examples
    --------
    >>> from deliberval.instruments import load_instrument
    >>> fields = process_fields(load_instrument("oecd_organiser_questionnaire"))
    >>> fields["oecdo_model"], fields["oecdo_privacy_policy"]
    ('model', 'privacy_policy')
    """
    out: dict[str, str] = {}
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for it in instrument.items:
        if it.process_field is None:
            continue
        if it.process_field in owner:
            problems.append(Problem("", f"item {it.id!r}", "process_field",
                                    f"column {it.process_field!r} is also filled by item {owner[it.process_field]!r}"))
            continue
        owner[it.process_field] = it.id
        out[it.id] = it.process_field
    if problems:
        raise InstrumentError(problems)
    return out


def _blank(value: object) -> bool:
    if value is None:
        return True
    try:
        if bool(pd.isna(value)):
            return True
    except (TypeError, ValueError):
        return False
    return isinstance(value, str) and not value.strip()


def process_table(
    responses: pd.DataFrame | Mapping[str, object],
    instrument: Instrument,
    *,
    process_id: str | None = None,
    respondent_id: str | None = None,
    respondent: str = "respondent_id",
) -> pd.DataFrame:
    """Turn one organiser's answers into the one-row process table.

    Parameters
    ----------
    responses : pandas.DataFrame or mapping
        The organiser questionnaire's responses (item ids as columns, as exported by ODK /
        KoboToolbox from :func:`~deliberval.instruments.to_xlsform`), or one response as a
        mapping. Columns that are not items filling a process field (bookkeeping such as
        ``wave``, platform metadata, the free-text comment) are not copied.
    instrument : Instrument
        The organiser questionnaire: its items' ``process_field`` say which column each answer
        fills, its missing-value codes which answers leave the field empty.
    process_id : str, optional
        The process's id. Default: the responses' ``process_id`` column.
    respondent_id : str, optional
        Which response to use when several organisers answered.
    respondent : str, default "respondent_id"
        Name of the respondent id column (used with ``respondent_id``).

    Returns
    -------
    pandas.DataFrame
        One row: ``process_id`` and one column per answered item's process field, in the
        instrument's order. An answer that is empty or a missing-value code ("don't know",
        "prefer not to answer", "no deadline was set") leaves its column out, so the
        evaluation reports that fact as not documented instead of guessing it. Values are
        copied as given (text); :func:`deliberval.validation.validate_process` checks them.

    Raises
    ------
    DataInputError
        When no response or more than one response is left to use, ``respondent_id`` is not
        found, or no process id is given.
    InstrumentError
        When the instrument fills no process field, or two items fill the same one.

    Examples
    --------
    >>> from deliberval.instruments import load_instrument
    >>> ins = load_instrument("oecd_organiser_questionnaire")
    >>> row = process_table({"oecdo_name": "Climate assembly", "oecdo_model": "citizens_assembly",
    ...                      "oecdo_n_sessions": 6, "oecdo_privacy_policy": "yes",
    ...                      "oecdo_aftercare": "dont_know"}, ins, process_id="ca_2024")
    >>> row.iloc[0].to_dict()
    {'process_id': 'ca_2024', 'name': 'Climate assembly', 'model': 'citizens_assembly', 'n_sessions': 6, 'privacy_policy': 'yes'}
    """
    fields = process_fields(instrument)
    if not fields:
        raise InstrumentError([Problem("", f"instrument {instrument.id!r}", "process_field",
                                       "no item names the process-table column it fills (process_field)")])
    df = pd.DataFrame([dict(responses)]) if isinstance(responses, Mapping) else responses
    if not isinstance(df, pd.DataFrame):
        raise DataInputError(f"organiser responses: expected a table or a mapping, got {type(responses).__name__}")
    if respondent_id is not None:
        if respondent not in df.columns:
            raise DataInputError(f"organiser responses: no {respondent!r} column to find respondent {respondent_id!r} in")
        df = df.loc[df[respondent].astype(str) == str(respondent_id)]
        if df.empty:
            raise DataInputError(f"organiser responses: no response of respondent {respondent_id!r}")
    if len(df) != 1:
        what = "no response" if df.empty else f"{len(df)} responses"
        raise DataInputError(
            f"organiser responses: {what}; one organiser's response fills the one-row process table"
            + (f" (choose one with respondent_id=, from the {respondent!r} column)" if len(df) > 1 else "")
        )
    answer = df.iloc[0]
    if process_id is None:
        value = answer.get("process_id")
        if _blank(value):
            raise DataInputError("organiser responses: no process id (give process_id=, or a process_id column)")
        process_id = str(value)
    rules = item_rules(instrument)
    row: dict[str, object] = {"process_id": process_id}
    for item_id, column in fields.items():
        if item_id not in answer.index:
            continue
        value = answer[item_id]
        if _blank(value):
            continue
        if str(value).strip() in rules[item_id].text_missing():
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        row[column] = value.strip() if isinstance(value, str) else value
    return pd.DataFrame([row])
