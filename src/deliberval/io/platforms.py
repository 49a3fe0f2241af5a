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

import difflib
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from deliberval.instruments.model import Instrument
from deliberval.io._common import as_code_strings
from deliberval.schemas.responses import item_rules

__all__ = [
    "BRIEFCASE_META",
    "EXCLUSION_COLUMN",
    "KOBO_META",
    "LIMESURVEY_META",
    "QUALTRICS_META",
    "QUALTRICS_METADATA",
    "QUALTRICS_STATUS",
    "code_key",
    "decode_kobo",
    "decode_labels",
    "decode_limesurvey",
    "decode_qualtrics",
    "decode_with_labels",
    "fold_label",
    "honour_declared_missing",
    "label_codes",
    "limesurvey_answer_codes",
    "limesurvey_array_renames",
    "limesurvey_code",
    "limesurvey_exclusions",
    "parse_qualtrics",
    "qualtrics_exclusions",
    "qualtrics_variant",
    "read_lss",
    "read_qsf",
    "read_xform",
    "sniff_platform",
    "split_limesurvey_headings",
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

    ``token`` becomes ``respondent_id`` (``id`` is the per-submission response id and is
    dropped), array sub-question columns ``Q[SQ]`` are matched to items
    (:func:`limesurvey_array_renames`), and responses never submitted (empty ``submitdate``) get
    an :data:`EXCLUSION_COLUMN` reason.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"id": ["1"], "token": ["r1"], "startlanguage": ["en"]})
    >>> decode_limesurvey(raw, None).to_dict("list")
    {'respondent_id': ['r1'], 'language': ['en']}
    """
    flags = limesurvey_exclusions(raw)
    out = raw.drop(columns=[c for c in LIMESURVEY_DROP if c in raw.columns])
    rename = {k: v for k, v in LIMESURVEY_META.items() if k in out.columns and v not in out.columns}
    if instrument is not None:
        rename.update({k: v for k, v in limesurvey_array_renames(list(out.columns), instrument).items()
                       if v not in out.columns and v not in rename.values()})
        for item_id in instrument.item_ids():
            code = limesurvey_code(item_id)
            if code in out.columns and code != item_id and item_id not in out.columns:
                rename[code] = item_id
    out = out.rename(columns=rename)
    if "startlanguage" in rename and "language" in out.columns:  # de-informal, pt-BR -> de, pt
        out["language"] = as_code_strings(out["language"]).str.replace(r"-.*$", "", regex=True)
    if instrument is not None:
        for item_id, table in limesurvey_answer_codes(instrument).items():
            if item_id in out.columns:
                out[item_id] = _recode(out[item_id], {v: k for k, v in table.items()})
    if flags is not None and bool(flags.notna().any()) and EXCLUSION_COLUMN not in out.columns:
        out[EXCLUSION_COLUMN] = flags.to_numpy()
    return out


def decode_qualtrics(raw: pd.DataFrame) -> pd.DataFrame:
    """Drop Qualtrics metadata, flag responses not to analyse, rename duration and language.

    ``Status`` / ``Finished`` / ``Progress`` become the :data:`EXCLUSION_COLUMN` (previews,
    tests, spam and unfinished responses; see :func:`qualtrics_exclusions`) before the metadata
    of :data:`QUALTRICS_METADATA` (ids, IP address, e-mail, names, location, ...) are dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> decode_qualtrics(pd.DataFrame({"ResponseId": ["R_1", "R_2"], "UserLanguage": ["FR", "EN-GB"]})).to_dict("list")
    {'language': ['fr', 'en']}
    >>> decode_qualtrics(pd.DataFrame({"Status": ["1"], "IPAddress": ["10.0.0.1"], "q": ["3"]})).to_dict("list")
    {'q': ['3'], 'exclusion_reason': ["Qualtrics preview (Status 'Survey Preview')"]}
    """
    flags = qualtrics_exclusions(raw) if {"Status", "Finished", "Progress"} & set(raw.columns) else None
    out = raw.drop(columns=[c for c in QUALTRICS_METADATA if c in raw.columns])
    out = out.rename(columns={k: v for k, v in QUALTRICS_META.items() if k in out.columns and v not in out.columns})
    if "language" in out.columns:  # Qualtrics codes: EN, EN-GB, FR-CA, PT-BR, ZH-S -> en, en, fr, pt, zh
        out["language"] = as_code_strings(out["language"]).str.lower().str.replace(r"-.*$", "", regex=True)
    if flags is not None and bool(flags.notna().any()) and EXCLUSION_COLUMN not in out.columns:
        out[EXCLUSION_COLUMN] = flags.to_numpy()
    return out


def decode_kobo(raw: pd.DataFrame) -> pd.DataFrame:
    """Strip ``group/`` prefixes (when that leaves names unique) and drop Kobo / ODK metadata.

    ODK Briefcase exports join groups with ``-`` (``group-item``) and add ``SubmissionDate``,
    ``meta-instanceID``, ``KEY``, ``PARENT_KEY`` and ``SET-OF-<group>``: those are dropped too
    and the ``-`` prefixes stripped.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"start": ["x"], "trust/trust_police": [5], "_uuid": ["u"]})
    >>> list(decode_kobo(raw).columns)
    ['trust_police']
    >>> raw = pd.DataFrame({"SubmissionDate": ["x"], "g1-trust_police": [5], "meta-instanceID": ["u"], "KEY": ["u"]})
    >>> list(decode_kobo(raw).columns)
    ['trust_police']
    """
    cols = [str(c) for c in raw.columns]
    briefcase = "KEY" in cols and ({"SubmissionDate", "PARENT_KEY", "meta-instanceID"} & set(cols))
    pattern = r"[/:-]" if briefcase else r"[/:]"
    drop = [c for c in raw.columns if str(c) in BRIEFCASE_META or str(c).startswith("SET-OF-")] if briefcase else []
    out = raw.drop(columns=drop)
    short = {c: re.split(pattern, str(c))[-1] for c in out.columns}
    out = out.drop(columns=[c for c, s in short.items() if s in KOBO_META or c in KOBO_META])
    names = [short[c] for c in out.columns]
    rename = {c: short[c] for c in out.columns if names.count(short[c]) == 1}
    return out.rename(columns=rename)


# ---- metadata the platforms declare: missing values, statuses, header rows, labels ---------------

EXCLUSION_COLUMN = "exclusion_reason"
"""Column the readers add (only when some response has a reason) when the platform marks responses that must not be analysed (Qualtrics
previews, tests, spam and unfinished responses; LimeSurvey responses never submitted): the reason
as text, NA for the responses to analyse. :func:`deliberval.validation.validate` quarantines every
row with a reason, so these rows are kept apart and counted, never silently analysed."""

# Qualtrics ``Status`` ("Response Type"): numeric codes and their text in choice-text exports
# (codes as in Qualtrics' own SPSS exports: 0 IP Address, 1 Survey Preview, 2 Survey Test,
# 4 Imported, 8 Spam, 9 Survey Preview Spam, 12 Imported Spam, 16 Offline, 17 Offline Survey
# Preview, 32 EX, 40 EX Spam, 48 EX Offline).
QUALTRICS_STATUS: dict[str, tuple[str, str | None]] = {
    "0": ("IP Address", None),
    "1": ("Survey Preview", "preview"),
    "2": ("Survey Test", "test response"),
    "4": ("Imported", None),
    "8": ("Spam", "spam"),
    "9": ("Survey Preview Spam", "preview"),
    "12": ("Imported Spam", "spam"),
    "16": ("Offline", None),
    "17": ("Offline Survey Preview", "preview"),
    "32": ("EX", None),
    "40": ("EX Spam", "spam"),
    "48": ("EX Offline", None),
    "256": ("Synthetic", "synthetic response"),
}
"""Qualtrics ``Status`` code -> (its text in choice-text exports, why it is excluded or None)."""

QUALTRICS_METADATA: tuple[str, ...] = (
    # current (2017-) exports
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Finished", "RecordedDate",
    "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference",
    "LocationLatitude", "LocationLongitude", "DistributionChannel",
    # legacy and "insights" exports
    "ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "LocationAccuracy",
    # fraud and quality scores
    "Q_RecaptchaScore", "Q_RelevantIDDuplicate", "Q_RelevantIDDuplicateScore", "Q_RelevantIDFraudScore",
    "Q_RelevantIDLastStartDate", "Q_BallotBoxStuffing", "Q_DataPolicyViolations", "Q_TotalDuration",
    "Q_URL", "Q_CHL",
)
"""Qualtrics metadata columns dropped from responses (identifying or not evaluation data)."""

QUALTRICS_DROP = QUALTRICS_METADATA
"""Alias of :data:`QUALTRICS_METADATA` (the name :func:`deliberval.io.suggest_mapping` reads)."""

BRIEFCASE_META: tuple[str, ...] = ("SubmissionDate", "KEY", "PARENT_KEY", "meta-instanceID", "meta-instanceName")
"""ODK Briefcase metadata columns (besides ``SET-OF-<group>`` repeat links)."""

_IMPORT_ID = re.compile(r"""^\s*\{\s*(["'])ImportId\1\s*:\s*(["'])(.*?)\2""")
_LEGACY_V = re.compile(r"^V\d+$")
_LS_HEADING = re.compile(r"^([A-Za-z][A-Za-z0-9_]*(?:\[[^\]]*\])*)\.\s(.*)$", re.DOTALL)
_LS_ARRAY = re.compile(r"^([A-Za-z][A-Za-z0-9]*)\[([A-Za-z0-9_]+)\]$")


def qualtrics_variant(rows: list[list[str]]) -> str | None:
    """Which Qualtrics export the first parsed rows of a CSV are, if any.

    Parameters
    ----------
    rows : list of list of str
        The first three rows as parsed by :mod:`csv` (a header cell may hold line breaks).

    Returns
    -------
    str or None
        ``"current"`` (three header rows, ImportId JSON), ``"insights"`` (three header rows,
        ImportIds written as Python dicts with single quotes), ``"legacy"`` (two header rows,
        ``ResponseID``/``ResponseSet`` in the second) or None.

    Examples
    --------
    >>> qualtrics_variant([["StartDate", "Q1"], ["Start Date", "How?\\nTell us"],
    ...                    ['{"ImportId":"startDate"}', '{"ImportId":"QID1"}']])
    'current'
    >>> qualtrics_variant([["V1", "V2", "Q1"], ["ResponseID", "ResponseSet", "How?"], ["R_1", "Default", "2"]])
    'legacy'
    """
    if len(rows) >= 3:
        cells = [c for c in rows[2] if c.strip()]
        ids = [m for m in (_IMPORT_ID.match(c) for c in cells) if m is not None]
        if cells and len(ids) * 2 >= len(cells):
            return "current" if ids[0].group(1) == '"' else "insights"
    if len(rows) >= 2 and {"ResponseID", "ResponseSet"} <= set(rows[1]):
        return "legacy"
    return None


def sniff_platform(rows: list[list[str]]) -> str | None:
    """The survey platform that wrote a CSV, from its first parsed rows (None: a plain table).

    Examples
    --------
    >>> sniff_platform([["id", "token", "submitdate", "lastpage", "q1[SQ001]"]])
    'limesurvey'
    >>> sniff_platform([["SubmissionDate", "g-q1", "meta-instanceID", "KEY"]])
    'kobo'
    >>> sniff_platform([["respondent_id", "wave"]]) is None
    True
    """
    if qualtrics_variant(rows) is not None:
        return "qualtrics"
    header = [h.strip() for h in rows[0]] if rows else []
    names = set(header)
    if "submitdate" in names and ({"lastpage", "startlanguage", "token"} & names):
        return "limesurvey"
    named = [h for h in header if h]
    headings = sum(_LS_HEADING.match(h) is not None for h in named)
    arrays = sum(_LS_ARRAY.match(h) is not None for h in named)
    if named and (headings * 2 >= len(named) or (arrays >= 2 and "token" in names)):
        return "limesurvey"
    if {"_uuid", "_submission_time", "_index"} & names:
        return "kobo"
    if {"KEY", "SubmissionDate"} <= names or {"KEY", "PARENT_KEY"} <= names or "meta-instanceID" in names:
        return "kobo"
    return None


def parse_qualtrics(rows: list[list[str]], lines: list[int]) -> tuple[list[str], list[list[str]], dict[str, Any]]:
    """Split a parsed Qualtrics CSV into column names, data rows and metadata.

    Parameters
    ----------
    rows : list of list of str
        Every row of the file as parsed by :mod:`csv` (blank lines removed).
    lines : list of int
        The file line each row starts on.

    Returns
    -------
    (names, data, attrs)
        ``names``: export tags (row 1; the names of row 2 for a legacy ``V1``..``V10`` column),
        duplicates made unique with their ImportId (``other [QID25_8]``) or a counter;
        ``data``: the data rows (a legacy trailing empty column removed); ``attrs``:
        ``qualtrics_variant``, ``column_labels`` (row 2: question texts), ``first_line`` and
        ``lines`` (file line of each data row).

    Examples
    --------
    >>> names, data, attrs = parse_qualtrics(
    ...     [["Status", "Q1"], ["Response Type", "Trust?\\n(0-10)"], ['{"ImportId":"status"}', '{"ImportId":"QID1"}'],
    ...      ["0", "7"]], [1, 2, 4, 5])
    >>> names, data, attrs["first_line"], attrs["column_labels"]["Q1"]
    (['Status', 'Q1'], [['0', '7']], 5, 'Trust?\\n(0-10)')
    """
    variant = qualtrics_variant(rows[:3])
    if variant is None:
        raise ValueError("not a Qualtrics export")
    n_head = 2 if variant == "legacy" else 3
    tags, texts = list(rows[0]), list(rows[1])
    width = len(tags)
    texts += [""] * (width - len(texts))
    names = [
        texts[i].strip() if variant == "legacy" and _LEGACY_V.match(t) and texts[i].strip() else t.strip()
        for i, t in enumerate(tags)
    ]
    import_ids = [""] * width
    if n_head == 3:
        for i, cell in enumerate(rows[2][:width]):
            m = _IMPORT_ID.match(cell)
            if m is not None:
                choice = re.search(r"""["']choiceId["']\s*:\s*["']([^"']*)""", cell)
                import_ids[i] = m.group(3) + (f"_{choice.group(1)}" if choice else "")
    data = rows[n_head:]
    data_lines = lines[n_head:]
    if width and names[-1] == "" and all(len(r) < width or not r[-1].strip() for r in data):
        names, texts, import_ids, width = names[:-1], texts[:-1], import_ids[:-1], width - 1  # trailing comma
        data = [r[:width] if len(r) == width + 1 else r for r in data]
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    seen: set[str] = set()
    unique = []
    for i, n in enumerate(names):
        new = n
        if counts[n] > 1:
            new = f"{n} [{import_ids[i]}]" if import_ids[i] else n
            k = 2
            while new in seen or (new == n and n in seen):
                new = f"{n}.{k}"
                k += 1
        seen.add(new)
        unique.append(new)
    attrs: dict[str, Any] = {
        "qualtrics_variant": variant,
        "column_labels": {u: texts[i] for i, u in enumerate(unique) if texts[i] and texts[i] != u},
        "first_line": data_lines[0] if data_lines else (lines[n_head - 1] + 1 if len(lines) >= n_head else n_head + 1),
        "lines": data_lines,
    }
    return unique, data, attrs


def _status_reasons(df: pd.DataFrame) -> list[pd.Series]:
    """One Series of reasons (NA: none) per rule, vectorised over the distinct values."""
    parts: list[pd.Series] = []
    if "Status" in df.columns:
        status = as_code_strings(df["Status"])
        text_codes = {v[0].casefold(): k for k, v in QUALTRICS_STATUS.items()}
        table: dict[str, str] = {}
        for value in status.dropna().unique():
            code = value if value in QUALTRICS_STATUS else text_codes.get(str(value).casefold())
            if code is None:
                table[value] = f"unknown Qualtrics Status {value!r}"
            elif QUALTRICS_STATUS[code][1] is not None:
                table[value] = f"Qualtrics {QUALTRICS_STATUS[code][1]} (Status {QUALTRICS_STATUS[code][0]!r})"
        parts.append(status.map(table).astype("str"))
    progress = as_code_strings(pd.to_numeric(as_code_strings(df["Progress"]), errors="coerce")) \
        if "Progress" in df.columns else None
    shown = ("; Progress " + progress + "%").fillna("") if progress is not None else ""
    if "Finished" in df.columns:
        finished = as_code_strings(df["Finished"])
        unfinished = finished.str.casefold().isin(["0", "false"])
        msg = "unfinished response (Finished " + finished.fillna("") + shown + ")"
    elif progress is not None:
        unfinished = pd.to_numeric(progress, errors="coerce").lt(100)
        msg = "unfinished response (Finished absent" + shown + ")"
    else:
        return parts
    parts.append(msg.where(unfinished).astype("str"))
    return parts


def qualtrics_exclusions(df: pd.DataFrame) -> pd.Series:
    """Why each Qualtrics response must not be analysed (NA: analyse it), from Status / Finished / Progress.

    Previews, test responses, spam and synthetic responses (by ``Status``, as a code or as its
    text) and unfinished responses (``Finished`` 0 / False; ``Progress`` below 100 when there is
    no ``Finished``) get a reason.

    Examples
    --------
    >>> import pandas as pd
    >>> qualtrics_exclusions(pd.DataFrame({"Status": ["0", "1", "Spam", "0"], "Finished": ["1", "1", "1", "0"],
    ...                                    "Progress": ["100", "100", "100", "40"]})).tolist()
    [nan, "Qualtrics preview (Status 'Survey Preview')", "Qualtrics spam (Status 'Spam')", 'unfinished response (Finished 0; Progress 40%)']
    """
    cols = [c for c in ("Status", "Finished", "Progress") if c in df.columns]
    if not cols or not len(df):
        return pd.Series(pd.NA, index=df.index, dtype="str", name=EXCLUSION_COLUMN)
    # the reasons of each distinct (Status, Finished, Progress): a handful, however many rows
    frame = df[cols].reset_index(drop=True)
    group = frame.groupby(cols, dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(frame))).groupby(group).first().sort_index().to_numpy()
    distinct = frame.iloc[first].reset_index(drop=True)
    distinct = pd.DataFrame({c: as_code_strings(distinct[c]) for c in cols})
    reason = pd.Series(pd.NA, index=distinct.index, dtype="str")
    for part in _status_reasons(distinct):
        reason = reason.where(part.isna(), (reason + "; ").fillna("") + part)
    values = reason.to_numpy(dtype=object, na_value=None)[group]
    return pd.Series(values, index=df.index, dtype="str", name=EXCLUSION_COLUMN)


def limesurvey_exclusions(df: pd.DataFrame) -> pd.Series | None:
    """Responses of a LimeSurvey export never submitted (empty ``submitdate``), or None without that column.

    Examples
    --------
    >>> import pandas as pd
    >>> limesurvey_exclusions(pd.DataFrame({"submitdate": ["2024-01-02 10:00:00", None]})).tolist()
    [nan, 'LimeSurvey response not submitted (submitdate empty; lastpage absent)']
    """
    if "submitdate" not in df.columns:
        return None
    empty = as_code_strings(df["submitdate"]).isna()
    last = as_code_strings(df["lastpage"]) if "lastpage" in df.columns else pd.Series("absent", index=df.index, dtype="str")
    msg = "LimeSurvey response not submitted (submitdate empty; lastpage " + last.fillna("empty").astype(str) + ")"
    return msg.where(empty).astype("str").rename(EXCLUSION_COLUMN)


def split_limesurvey_headings(columns: list[str]) -> tuple[list[str], dict[str, str]]:
    """Turn "question code & question text" headings into codes and texts.

    Examples
    --------
    >>> split_limesurvey_headings(["id", "rse3[SQ001]. Who uses the code? []", "q2. Age?"])
    (['id', 'rse3[SQ001]', 'q2'], {'rse3[SQ001]': 'Who uses the code? []', 'q2': 'Age?'})
    """
    names, texts = [], {}
    for c in columns:
        m = _LS_HEADING.match(str(c))
        if m is None:
            names.append(str(c))
            continue
        names.append(m.group(1))
        texts[m.group(1)] = m.group(2).strip()
    if len(set(names)) < len(names):  # codes alone would clash: keep the headings
        return [str(c) for c in columns], {}
    return names, texts


def limesurvey_array_renames(columns: list[str], instrument: Instrument) -> dict[str, str]:
    """Array sub-question columns ``Q[SQ]`` -> the instrument item they answer.

    ``Q[SQ]`` answers item ``Q_SQ``, or the item whose LimeSurvey code is ``Q`` + ``SQ``
    (camelCase) or ``SQ``.

    Examples
    --------
    >>> from deliberval.instruments import load_instrument
    >>> limesurvey_array_renames(["trust[parliament]", "trust[Police]", "x[y]"], load_instrument("institutional_trust"))
    {'trust[parliament]': 'trust_parliament', 'trust[Police]': 'trust_police'}
    """
    keys: dict[str, str] = {}
    for item_id in instrument.item_ids():
        keys[item_id.lower()] = item_id
        keys[limesurvey_code(item_id).lower()] = item_id
    out = {}
    for c in columns:
        m = _LS_ARRAY.match(str(c))
        if m is None:
            continue
        q, sq = m.group(1), m.group(2)
        for cand in (f"{q}_{sq}", q + sq, sq):
            if cand.lower() in keys:
                out[c] = keys[cand.lower()]
                break
    return out


def fold_label(text: object) -> str:
    """A label folded for matching: accents and case removed, apostrophes and whitespace unified.

    Examples
    --------
    >>> fold_label("  Plutôt  d’accord ") == fold_label("plutot d'accord")
    True
    """
    t = unicodedata.normalize("NFKD", str(text))
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'").replace("\u00b4", "'")
    return " ".join(t.casefold().split())


def label_codes(instrument: Instrument) -> dict[str, tuple[dict[str, Any], dict[str, str]]]:
    """Item id -> (folded label -> code, folded label -> label as written), every language.

    Labels of the response scale's values and of the item's missing codes count; a label that
    folds to the same text as a label of another code of the same item is ambiguous and left out.

    Examples
    --------
    >>> from deliberval.instruments import load_instrument
    >>> table, shown = label_codes(load_instrument("political_efficacy"))["efficacy_int_understand"]
    >>> table[fold_label("Plutôt d'accord")], table["helt enig"], table["weiss nicht"]
    (4, 5, 8)
    """
    out: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}
    for it in instrument.items:
        rs = instrument.response_scale(it.scale)
        if rs.type == "text":
            continue
        pairs = [(v.value, v.labels) for v in rs.values] + [(m.code, m.labels) for m in instrument.missing_codes(it.id)]
        table: dict[str, Any] = {}
        shown: dict[str, str] = {}
        clash: set[str] = set()
        for code, labels in pairs:
            for label in labels.values():
                key = fold_label(label)
                if key in table and table[key] != code:
                    clash.add(key)
                table[key] = code
                shown.setdefault(key, label)
        out[it.id] = ({k: v for k, v in table.items() if k not in clash}, {k: v for k, v in shown.items() if k not in clash})
    return out


def decode_labels(df: pd.DataFrame, instrument: Instrument) -> tuple[pd.DataFrame, list[dict[str, Any]], list[dict[str, Any]]]:
    """Decode label texts in item columns to the instrument's codes (label-text exports).

    Qualtrics "choice text", Kobo "labels" and LimeSurvey "full answers" exports write the
    answer's label ("Strongly agree", "Plutôt d'accord") instead of its code. Each cell of an
    item column that is not already a code and whose text matches a label of the item's response
    scale or missing codes in any of the instrument's languages (case-, accent- and
    whitespace-tolerant, :func:`fold_label`) becomes that code. Other text with letters is left
    as it is, so validation quarantines it, and listed with the closest labels (text without
    letters, such as ``2,5``, is no label: validation reports it as not a number).

    Parameters
    ----------
    df : pandas.DataFrame
        Responses with canonical column names.
    instrument : Instrument

    Returns
    -------
    (df, decoded, unknown)
        The table (a copy when something was decoded); ``decoded``: one record per column and
        label with ``column, label, code, n``; ``unknown``: one record per column and text left
        undecoded with ``column, value, n, suggestions`` (closest labels, up to three).

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.instruments import load_instrument
    >>> ins = load_instrument("political_efficacy")
    >>> df = pd.DataFrame({"efficacy_int_understand": ["Strongly agree", "PLUTOT D'ACCORD", "2", "Agre", "2,5"]})
    >>> out, decoded, unknown = decode_labels(df, ins)
    >>> out["efficacy_int_understand"].tolist()
    ['5', '4', '2', 'Agre', '2,5']
    >>> [(d["label"], d["code"], d["n"]) for d in decoded]
    [('Strongly agree', '5', 1), ("PLUTOT D'ACCORD", '4', 1)]
    >>> unknown[0]["suggestions"][:1]
    ['Agree']
    """
    from deliberval.instruments.rules import item_rules

    rules = item_rules(instrument)
    tables = label_codes(instrument)
    decoded: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    out = df
    for item_id, (table, shown) in tables.items():
        if item_id not in df.columns or not table:
            continue
        rule = rules[item_id]
        text = as_code_strings(df[item_id])
        if rule.kind == "numeric":
            is_label = text.notna() & pd.to_numeric(text, errors="coerce").isna()
        else:
            codes = {str(v) for v in rule.values} | {str(c) for c in rule.missing}
            is_label = text.notna() & ~text.isin(list(codes))
        if not bool(is_label.any()):
            continue
        new = text.copy()
        for value, n in text[is_label].value_counts(sort=False).items():
            key = fold_label(value)
            if key in table:
                code = table[key]
                code_text = str(int(code)) if isinstance(code, float) and code.is_integer() else str(code)
                new[text == value] = code_text
                decoded.append({"column": item_id, "label": str(value), "code": code_text, "n": int(n)})
            elif re.search(r"[^\W\d_]", str(value)):  # text without letters (2,5) is no label
                close = difflib.get_close_matches(key, list(table), n=3, cutoff=0.5)
                unknown.append({"column": item_id, "value": str(value), "n": int(n),
                                "suggestions": [shown[c] for c in close]})
        if out is df:
            out = df.copy()
        out[item_id] = new if bool(new.ne(text).fillna(False).any()) else df[item_id]
    return out, decoded, unknown


def honour_declared_missing(
    df: pd.DataFrame, declared: dict[str, list[Any]], value_labels: dict[str, dict[Any, str]],
    keep: dict[str, set[Any]] | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Set the missing values an SPSS or Stata file declares to NA, counting each reason.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read (``read_table``): declared codes still present.
    declared : dict
        Column -> declared missing values: SPSS user-missing values and ``(low, high)`` ranges,
        Stata extended missing values as ``".a"`` ... ``".z"`` (``attrs["user_missing"]``).
    value_labels : dict
        Column -> {code: label} (``attrs["value_labels"]``): the reason shown for a code.
    keep : dict, optional
        Column -> codes left in place because the instrument declares them as missing codes of
        the item (validation counts them with the instrument's meaning and scoring drops them).

    Returns
    -------
    (df, counts)
        The table with those cells NA (numbers where a column then holds only numbers) and one
        record per column and code found: ``column, code, label, declared, n, action``
        (``"set to NA"`` or ``"kept: a missing code of the instrument"``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"q": [3.0, 9.0, 2500.0, 9.0]})
    >>> out, counts = honour_declared_missing(df, {"q": [9.0, (2000.0, 3000.0)]}, {"q": {9.0: "don't know"}})
    >>> out["q"].tolist()
    [3.0, nan, nan, nan]
    >>> [(c["code"], c["label"], c["n"]) for c in counts]
    [('9', "don't know", 2), ('2500', '', 1)]
    """
    keep = keep or {}
    counts: list[dict[str, Any]] = []
    out = df
    for col, values in declared.items():
        if col not in df.columns or not values:
            continue
        s = df[col]
        codes = as_code_strings(s)
        num = pd.to_numeric(codes, errors="coerce")
        mask = pd.Series(False, index=s.index)
        labels = {code_key(k): v for k, v in (value_labels.get(col) or {}).items()}
        kept = {code_key(k) for k in keep.get(col, set())}
        for v in values:
            if isinstance(v, tuple):
                lo, hi = v
                hit = (num >= lo) & (num <= hi) if not isinstance(lo, str) else codes.between(lo, hi)
                what = f"user-missing range {code_key(lo)} to {code_key(hi)}"
            else:
                key = code_key(v)
                hit = codes == key
                what = ("Stata extended missing value" if key.startswith(".") else "user-missing value")
            hit = hit.fillna(False).astype(bool)
            for key, n in codes[hit].value_counts(sort=False).items():
                action = "kept: a missing code of the instrument" if key in kept else "set to NA"
                counts.append({"column": col, "code": str(key), "label": labels.get(str(key), ""),
                               "declared": what, "n": int(n), "action": action})
                if key not in kept:
                    mask |= codes == key
        if bool(mask.any()):
            if out is df:
                out = df.copy()
            col_out = s.mask(mask)
            if col_out.dtype == object or pd.api.types.is_string_dtype(col_out.dtype):
                rest = pd.to_numeric(as_code_strings(col_out), errors="coerce")
                if bool((as_code_strings(col_out).notna() == rest.notna()).all()):
                    col_out = rest.astype(float)
            out[col] = col_out
    return out, counts


def code_key(v: object) -> str:
    """A declared code as text: ``9.0 -> "9"``, ``"a" -> "a"``."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


_LS_BUILTIN_ANSWERS: dict[str, dict[str, str]] = {
    "Y": {"Y": "Yes", "N": "No"},
    "G": {"F": "Female", "M": "Male"},
    "C": {"Y": "Yes", "N": "No", "U": "Uncertain"},
    "E": {"I": "Increase", "S": "Same", "D": "Decrease"},
}


def _plain_text(html: str) -> str:
    import html as html_lib

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def read_lss(content: bytes, *, file: str = "", language: str | None = None) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Question texts and answer labels of a LimeSurvey survey structure (``.lss`` XML).

    Parameters
    ----------
    content : bytes
        The ``.lss`` file's bytes.
    file : str, optional
        Name used in error messages.
    language : str, optional
        Language of the texts (default: the survey's first).

    Returns
    -------
    (column_labels, value_labels)
        Export column (``code``, or ``code[SQ]`` for an array sub-question) -> question text
        (HTML removed; sub-questions ``question [sub-question]``), and export column ->
        {answer code: label} (the question's answer options, or the fixed codes of yes/no and
        gender questions).

    Raises
    ------
    DataInputError
        When the file is not LimeSurvey survey XML.

    Examples
    --------
    >>> lss = (b"<document><languages><language>en</language></languages>"
    ...        b"<questions><rows><row><qid>1</qid><parent_qid>0</parent_qid><type>F</type><title>trust</title>"
    ...        b"<question>&lt;p&gt;How much do you trust...&lt;/p&gt;</question><language>en</language></row>"
    ...        b"</rows></questions><subquestions><rows><row><qid>2</qid><parent_qid>1</parent_qid>"
    ...        b"<title>parliament</title><question>Parliament</question><language>en</language></row></rows>"
    ...        b"</subquestions><answers><rows><row><qid>1</qid><code>A1</code><answer>Not at all</answer>"
    ...        b"<language>en</language><scale_id>0</scale_id></row></rows></answers></document>")
    >>> read_lss(lss)
    ({'trust': 'How much do you trust...', 'trust[parliament]': 'How much do you trust... [Parliament]'}, {'trust': {'A1': 'Not at all'}, 'trust[parliament]': {'A1': 'Not at all'}})
    """
    import xml.etree.ElementTree as ET

    from deliberval.errors import DataInputError

    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise DataInputError(f"{file}: not a LimeSurvey survey structure (.lss XML): {exc}") from None

    def rows(section: str) -> list[dict[str, str]]:
        node = root.find(section)
        body = node.find("rows") if node is not None else None
        return [{c.tag: (c.text or "") for c in r} for r in body] if body is not None else []

    questions = rows("questions")
    if root.tag != "document" or not questions:
        raise DataInputError(f"{file}: not a LimeSurvey survey structure (.lss XML with questions)")
    langs = [n.text or "" for n in root.findall("./languages/language")]
    lang = language or (langs[0] if langs else questions[0].get("language", ""))

    def mine(r: dict[str, str]) -> bool:
        return r.get("language", lang) in (lang, "")

    by_qid = {q["qid"]: q for q in questions if mine(q)}
    answers: dict[str, dict[str, str]] = {}
    for a in rows("answers"):
        if mine(a) and a.get("scale_id", "0") in ("0", ""):
            answers.setdefault(a["qid"], {})[a["code"]] = _plain_text(a.get("answer", ""))
    column_labels: dict[str, str] = {}
    value_labels: dict[str, dict[str, str]] = {}
    for qid, q in by_qid.items():
        code = q["title"]
        column_labels[code] = _plain_text(q.get("question", ""))
        options = answers.get(qid) or _LS_BUILTIN_ANSWERS.get(q.get("type", ""), {})
        if options:
            value_labels[code] = dict(options)
    for s in rows("subquestions"):
        parent = by_qid.get(s.get("parent_qid", ""))
        if parent is None or not mine(s):
            continue
        col = f"{parent['title']}[{s['title']}]"
        column_labels[col] = f"{column_labels[parent['title']]} [{_plain_text(s.get('question', ''))}]"
        if parent["title"] in value_labels:
            value_labels[col] = value_labels[parent["title"]]
    return column_labels, value_labels


def decode_with_labels(df: pd.DataFrame, value_labels: dict[str, dict[str, str]]) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Full-answer (label) cells -> their answer codes, from a survey structure's answer labels.

    Examples
    --------
    >>> import pandas as pd
    >>> out, n = decode_with_labels(pd.DataFrame({"q": ["Yes", " no ", "Y", "Maybe"]}), {"q": {"Y": "Yes", "N": "No"}})
    >>> out["q"].tolist(), [(r["label"], r["code"], r["n"]) for r in n]
    (['Y', 'N', 'Y', 'Maybe'], [('Yes', 'Y', 1), (' no ', 'N', 1)])
    """
    decoded: list[dict[str, Any]] = []
    out = df
    for col, labels in value_labels.items():
        if col not in df.columns or not labels:
            continue
        table = {fold_label(v): k for k, v in labels.items()}
        text = as_code_strings(df[col])
        raw = df[col].astype("str").where(df[col].notna())
        new = text.copy()
        for value in raw.dropna().unique():
            if str(value).strip() in labels:
                continue  # already a code
            key = fold_label(value)
            if key in table:
                hit = raw == value
                new[hit] = table[key]
                decoded.append({"column": col, "label": str(value), "code": table[key], "n": int(hit.sum())})
        if bool(new.ne(text).fillna(False).any()):
            if out is df:
                out = df.copy()
            out[col] = new
    return out, decoded


_QSF_SINGLE = ("SAVR", "SAHR", "SACOL", "DL", "SB")


def read_qsf(content: bytes, columns: list[str], *, file: str = "") -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Question texts and answer labels of a Qualtrics survey definition (``.qsf``) for an export's columns.

    Single-answer multiple-choice questions (column = export tag) and single-answer Likert
    matrices (one column per statement: its choice export tag, ``tag_tag`` or ``tag_choice``, as
    the exporter named it) get value labels {value as exported (recode value): choice text};
    other question types get their text only.

    Parameters
    ----------
    content : bytes
        The ``.qsf`` file's bytes (JSON).
    columns : list of str
        The export's column names; labels are returned for these only.
    file : str, optional
        Name used in error messages.

    Returns
    -------
    (column_labels, value_labels)

    Raises
    ------
    DataInputError
        When the file is not a Qualtrics survey definition.

    Examples
    --------
    >>> import json
    >>> qsf = {"SurveyElements": [{"Element": "SQ", "Payload": {
    ...     "DataExportTag": "trust", "QuestionType": "Matrix", "Selector": "Likert", "SubSelector": "SingleAnswer",
    ...     "QuestionText": "<b>Trust</b> in ...", "Choices": {"1": {"Display": "Parliament"}},
    ...     "ChoiceDataExportTags": {"1": "trust_parl"}, "Answers": {"1": {"Display": "None"}, "2": {"Display": "Full"}},
    ...     "RecodeValues": {"1": "0", "2": "10"}}}]}
    >>> read_qsf(json.dumps(qsf).encode(), ["trust_parl"])
    ({'trust_parl': 'Trust in ... - Parliament'}, {'trust_parl': {'0': 'None', '10': 'Full'}})
    """
    import json

    from deliberval.errors import DataInputError

    try:
        doc = json.loads(content.decode("utf-8-sig"))
        elements = doc["SurveyElements"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataInputError(f"{file}: not a Qualtrics survey definition (.qsf JSON with SurveyElements): {exc}") from None
    present = set(columns)
    column_labels: dict[str, str] = {}
    value_labels: dict[str, dict[str, str]] = {}
    for el in elements:
        p = el.get("Payload") if isinstance(el, dict) and el.get("Element") == "SQ" else None
        if not isinstance(p, dict) or not p.get("DataExportTag"):
            continue
        tag = str(p["DataExportTag"])
        text = _plain_text(str(p.get("QuestionText") or ""))
        choices = {str(k): _plain_text(str((v or {}).get("Display", ""))) for k, v in (p.get("Choices") or {}).items()}
        recode = {str(k): str(v) for k, v in (p.get("RecodeValues") or {}).items()}
        qtype, selector, sub = p.get("QuestionType"), p.get("Selector"), p.get("SubSelector")
        if qtype == "MC" and selector in _QSF_SINGLE:
            if tag in present:
                column_labels[tag] = text
                value_labels[tag] = {recode.get(k, k): v for k, v in choices.items()}
        elif qtype == "Matrix" and selector == "Likert" and sub in ("SingleAnswer", "DL"):
            answers = {str(k): _plain_text(str((v or {}).get("Display", ""))) for k, v in (p.get("Answers") or {}).items()}
            tags = p.get("ChoiceDataExportTags") or {}
            labels = {recode.get(k, k): v for k, v in answers.items()}
            for cid, statement in choices.items():
                own = str(tags.get(cid, "")) if isinstance(tags, dict) else ""
                for col in (own, f"{tag}_{own}" if own else "", f"{tag}_{cid}"):
                    if col and col in present:
                        column_labels[col] = f"{text} - {statement}"
                        value_labels[col] = labels
                        break
        elif tag in present:
            column_labels[tag] = text
    return column_labels, value_labels


def read_xform(content: bytes, columns: list[str], *, file: str = "", language: str | None = None,
               ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Question labels and choice labels of an ODK / KoboToolbox XForm (``.xml``) for an export's columns.

    A control bound to ``/data/group/name`` is the export's column ``group/name`` (Kobo),
    ``group-name`` (ODK Briefcase) or ``name``; ``select1`` and ``select`` controls get value
    labels {choice value: label}. Labels given through ``itext`` take the first translation (or
    ``language``).

    Parameters
    ----------
    content : bytes
        The XForm's bytes.
    columns : list of str
        The export's column names; labels are returned for these only.
    file : str, optional
        Name used in error messages.
    language : str, optional
        The itext translation to use (its ``lang`` attribute).

    Returns
    -------
    (column_labels, value_labels)

    Raises
    ------
    DataInputError
        When the file is not an XForm.

    Examples
    --------
    >>> xml = (b'<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">'
    ...        b'<h:body><group><select1 ref="/data/g/trust"><label>Trust?</label>'
    ...        b'<item><value>1</value><label>Low</label></item></select1></group></h:body></h:html>')
    >>> read_xform(xml, ["g-trust"])
    ({'g-trust': 'Trust?'}, {'g-trust': {'1': 'Low'}})
    """
    import xml.etree.ElementTree as ET

    from deliberval.errors import DataInputError

    xf, h = "{http://www.w3.org/2002/xforms}", "{http://www.w3.org/1999/xhtml}"
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise DataInputError(f"{file}: not an XForm (XML): {exc}") from None
    body = root.find(f"{h}body")
    if body is None:
        raise DataInputError(f"{file}: not an XForm (no h:body with the form's controls)")
    translations = root.findall(f"{h}head/{xf}model/{xf}itext/{xf}translation")
    chosen = next((tr for tr in translations if language is None or tr.get("lang") == language), None)
    itext = {}
    if chosen is not None:
        for node in chosen.findall(f"{xf}text"):
            value = node.find(f"{xf}value")
            itext[node.get("id", "")] = _plain_text("".join(value.itertext())) if value is not None else ""

    def label_of(node: ET.Element) -> str:
        lab = node.find(f"{xf}label")
        if lab is None:
            return ""
        ref = lab.get("ref", "")
        m = re.match(r"jr:itext\('([^']*)'\)", ref)
        if m:
            return itext.get(m.group(1), "")
        return _plain_text("".join(lab.itertext()))

    present = set(columns)
    column_labels: dict[str, str] = {}
    value_labels: dict[str, dict[str, str]] = {}
    for node in body.iter():
        ref = node.get("ref") or node.get("nodeset")
        tag = node.tag.removeprefix(xf)
        if not ref or tag not in ("input", "select", "select1", "range", "upload", "trigger"):
            continue
        parts = [p for p in ref.split("/") if p][1:]
        col = next((c for c in ("/".join(parts), "-".join(parts), parts[-1] if parts else "") if c in present), None)
        if col is None:
            continue
        text = label_of(node)
        if text:
            column_labels[col] = text
        if tag in ("select", "select1"):
            items = {}
            for item in node.findall(f"{xf}item"):
                value = item.find(f"{xf}value")
                if value is not None and value.text:
                    items[value.text.strip()] = label_of(item)
            if items:
                value_labels[col] = items
    return column_labels, value_labels
