"""Naming conventions of survey platforms, for deliberval's own exports and their re-import.

* **LimeSurvey** forbids underscores in question codes, so item ``trust_parliament`` is asked as
  question ``trustParliament`` (:func:`limesurvey_code`); categorical answers get answer codes
  ``A1, A2, ...`` in the order of the response scale, string missing codes ``M1, M2, ...``,
  numbers keep their value. The respondent id travels as the participant ``token``.
* **Qualtrics** CSV exports have three header rows (export tag, question text, ``ImportId``
  JSON). Canonical id columns travel as embedded data; ``UserLanguage`` carries the language.
* **KoboToolbox / ODK** exports prefix grouped questions with their group (``grp/item``) and
  add metadata columns (``start``, ``_uuid``, ...). deliberval groups items by construct.

Real exports from other questionnaires need a mapping file (:mod:`deliberval.io.mapping`).
"""

from __future__ import annotations

import re

import pandas as pd

from deliberval.instruments.model import Instrument
from deliberval.io._common import as_code_strings
from deliberval.schemas.responses import item_rules

__all__ = [
    "KOBO_META",
    "LIMESURVEY_META",
    "QUALTRICS_META",
    "decode_kobo",
    "decode_limesurvey",
    "decode_qualtrics",
    "limesurvey_answer_codes",
    "limesurvey_code",
]

LIMESURVEY_META = {
    "token": "respondent_id",
    "startlanguage": "language",
    "processId": "process_id",
    "processid": "process_id",
    "interviewtime": "duration_seconds",
}
LIMESURVEY_DROP = ("id", "submitdate", "lastpage", "seed", "startdate", "datestamp", "refurl", "ipaddr")

QUALTRICS_META = {"Duration (in seconds)": "duration_seconds", "UserLanguage": "language"}
QUALTRICS_DROP = (
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Finished", "RecordedDate",
    "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
    "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel",
)

KOBO_META = (
    "start", "end", "today", "deviceid", "username", "phonenumber", "simserial", "subscriberid",
    "audit", "instanceID", "uuid", "_id", "_uuid", "_submission_time", "_validation_status",
    "_notes", "_status", "_submitted_by", "__version__", "_tags", "_index", "_version_",
)


def limesurvey_code(item_id: str) -> str:
    """LimeSurvey question code of an item id: camelCase, letters and digits only.

    Examples
    --------
    >>> limesurvey_code("trust_parliament"), limesurvey_code("process_id")
    ('trustParliament', 'processId')
    """
    head, *rest = item_id.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def limesurvey_answer_codes(instrument: Instrument) -> dict[str, dict[str, str]]:
    """Item id -> {canonical code: LimeSurvey answer code} for items whose codes change.

    Examples
    --------
    >>> from deliberval.instruments import load_instrument
    >>> limesurvey_answer_codes(load_instrument("institutional_trust"))
    {}
    """
    out: dict[str, dict[str, str]] = {}
    for item_id, rule in item_rules(instrument).items():
        codes: dict[str, str] = {}
        if rule.kind == "categorical":
            codes.update({str(v): f"A{i + 1}" for i, v in enumerate(rule.values)})
        strings = [c for c in rule.missing if isinstance(c, str)]
        codes.update({c: f"M{i + 1}" for i, c in enumerate(strings)})
        if codes:
            out[item_id] = codes
    return out


def _recode(s: pd.Series, table: dict[str, str]) -> pd.Series:
    text = as_code_strings(s)
    return text.map(lambda v: table.get(v, v), na_action="ignore").astype("str").where(text.notna())


def decode_limesurvey(raw: pd.DataFrame, instrument: Instrument | None) -> pd.DataFrame:
    """Rename LimeSurvey columns and answer codes to canonical ones (see module docstring).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"id": ["1"], "token": ["r1"], "startlanguage": ["en"]})
    >>> decode_limesurvey(raw, None).to_dict("list")
    {'respondent_id': ['r1'], 'language': ['en']}
    """
    out = raw.drop(columns=[c for c in LIMESURVEY_DROP if c in raw.columns])
    rename = {k: v for k, v in LIMESURVEY_META.items() if k in out.columns and v not in out.columns}
    if instrument is not None:
        for item_id in instrument.item_ids():
            code = limesurvey_code(item_id)
            if code in out.columns and code != item_id and item_id not in out.columns:
                rename[code] = item_id
    out = out.rename(columns=rename)
    if instrument is not None:
        for item_id, table in limesurvey_answer_codes(instrument).items():
            if item_id in out.columns:
                out[item_id] = _recode(out[item_id], {v: k for k, v in table.items()})
    return out


def decode_qualtrics(raw: pd.DataFrame) -> pd.DataFrame:
    """Drop Qualtrics metadata, rename duration and language (lower-cased).

    Examples
    --------
    >>> import pandas as pd
    >>> decode_qualtrics(pd.DataFrame({"ResponseId": ["R_1"], "UserLanguage": ["FR"]})).to_dict("list")
    {'language': ['fr']}
    """
    out = raw.drop(columns=[c for c in QUALTRICS_DROP if c in raw.columns])
    out = out.rename(columns={k: v for k, v in QUALTRICS_META.items() if k in out.columns and v not in out.columns})
    if "language" in out.columns:
        out["language"] = as_code_strings(out["language"]).str.lower()
    return out


def decode_kobo(raw: pd.DataFrame) -> pd.DataFrame:
    """Strip ``group/`` prefixes (when that leaves names unique) and drop Kobo metadata.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"start": ["x"], "trust/trust_police": [5], "_uuid": ["u"]})
    >>> list(decode_kobo(raw).columns)
    ['trust_police']
    """
    short = {c: re.split(r"[/:]", str(c))[-1] for c in raw.columns}
    out = raw.drop(columns=[c for c, s in short.items() if s in KOBO_META or c in KOBO_META])
    names = [short[c] for c in out.columns]
    rename = {c: short[c] for c in out.columns if names.count(short[c]) == 1}
    return out.rename(columns=rename)
