"""Mapping files: how a source's columns and codes become canonical columns, item ids and values.

A mapping is a small YAML file::

    instrument: participant_standard      # optional, informational
    columns:                              # source column -> canonical column or item id
      ID: respondent_id
      Time: wave
      Q1: trust_parliament
    values:                               # canonical column -> {source code: canonical code}
      wave: {T1: pre, T2: post}
    constants:                            # canonical columns that the source lacks
      process_id: dp_sample
      role: citizen
    drop: [email]                         # source columns to leave out

Source columns that the mapping does not name keep their names. Codes that a ``values`` map
does not name keep their value, so validation can still report them.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from deliberval.errors import DataInputError
from deliberval.instruments.model import Instrument
from deliberval.instruments.rules import item_rules
from deliberval.io import platforms
from deliberval.io._common import as_code_strings
from deliberval.io._yaml import load_yaml
from deliberval.schemas.responses import GROUPS, ID_COLUMNS, ROLES, WAVES

if TYPE_CHECKING:
    from deliberval.io.readers import InputFile

__all__ = ["PLACEHOLDER", "Mapping", "apply_mapping", "is_placeholder", "load_mapping", "suggest_mapping"]

_KEYS = {"instrument", "source", "columns", "values", "constants", "drop"}

_COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "respondent_id": ("id", "respondentid", "respondent", "participantid", "pid", "pnum",
                      "responseid", "token", "caseid", "idnr", "serial", "personid", "uuid"),
    "process_id": ("processid", "process", "assembly", "forum", "case"),
    "wave": ("wave", "time", "stage", "round", "period", "phase", "timepoint"),
    "group": ("group", "condition", "arm", "treatment", "sample", "grp"),
    "role": ("role", "respondenttype", "membertype"),
    "language": ("language", "lang", "startlanguage", "userlanguage", "locale"),
    "weight": ("weight", "weight1", "wt", "weights", "designweight", "pweight"),
}

_VALUE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "wave": {
        "pre": ("pre", "t1", "1", "w1", "wave1", "baseline", "before", "predelib", "predeliberation", "t0"),
        "post": ("post", "t2", "2", "w2", "wave2", "after", "postdelib", "postdeliberation", "end"),
        "follow_up": ("followup", "t3", "3", "w3", "wave3", "later", "fu"),
    },
    "group": {
        "participant": ("participant", "participants", "treatment", "treated", "deliberator",
                        "deliberators", "member", "members", "experimental", "assembly"),
        "control": ("control", "controls", "comparison", "notselected"),
        "pool": ("pool", "volunteer", "volunteers", "lottery"),
        "population": ("population", "general", "generalpopulation", "public"),
    },
    "role": {
        "citizen": ("citizen", "citizens", "resident", "layperson"),
        "politician": ("politician", "politicians", "mp", "councillor", "councilor", "mayor", "member of parliament"),
        "civil_servant": ("civilservant", "official", "administrator", "staff"),
        "organiser": ("organiser", "organizer", "facilitator", "staffer"),
        "stakeholder": ("stakeholder", "expert", "witness"),
    },
}
_ALLOWED = {"wave": WAVES, "group": GROUPS, "role": ROLES}


def _norm(name: object) -> str:
    text = str(name).rsplit("/", 1)[-1]
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _key(code: object) -> str:
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code).strip()


@dataclass
class Mapping:
    """A parsed mapping file (see the module docstring for the YAML layout).

    Attributes
    ----------
    columns : dict
        Source column -> canonical column or item id.
    values : dict
        Canonical column -> {source code: canonical code}.
    constants : dict
        Canonical column -> value for every row (e.g. ``process_id``).
    drop : list
        Source columns left out.
    instrument : str or None
        Instrument the mapping was written for.
    unmatched : list
        Source columns :func:`suggest_mapping` could not place (not written as mapping entries).
    value_labels : dict
        Canonical column -> {source code: the source's label of that code}: why
        :func:`suggest_mapping` proposed a code (written as comments, not read back).
    notes : list
        Remarks of :func:`suggest_mapping` for the reviewer (written as comments).
    path : str or None
        The file the mapping was read from (named in errors), if any.
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[Any, Any]] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    drop: list[str] = field(default_factory=list)
    instrument: str | None = None
    unmatched: list[str] = field(default_factory=list)
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    path: str | None = None

    def to_yaml(self) -> str:
        """The mapping as YAML text.

        Each proposed code carries the source's value label as a comment, constants still to be
        filled in are written as ``"<fill in: ...>"`` placeholders (which :func:`apply_mapping`
        refuses), and notes and unmatched source columns follow as comments.

        Examples
        --------
        >>> m = Mapping(columns={"Time": "wave"}, values={"wave": {1: "pre"}},
        ...             value_labels={"wave": {1: "Before"}}, unmatched=["x"])
        >>> print(m.to_yaml(), end="")
        columns:
          Time: wave
        values:
          wave:
            1: pre  # Before
        # not matched (map or drop them): x
        """
        lines: list[str] = []
        if self.instrument:
            lines.append(f"instrument: {_scalar(self.instrument)}")
        if self.columns:
            lines.append("columns:")
            lines += [f"  {_scalar(k)}: {_scalar(v)}" for k, v in self.columns.items()]
        if self.values:
            lines.append("values:")
            for target, codes in self.values.items():
                lines.append(f"  {_scalar(target)}:")
                labels = self.value_labels.get(target, {})
                for code, value in codes.items():
                    label = labels.get(code)
                    note = "  # " + " ".join(str(label).split()) if label not in (None, "") else ""
                    lines.append(f"    {_scalar(code)}: {_scalar(value)}{note}")
        if self.constants:
            if any(is_placeholder(v) for v in self.constants.values()):
                lines.append('# constants: replace every "<fill in ...>" with the value of this file, or delete the'
                             " line; validation stops until you do")
            lines.append("constants:")
            lines += [f"  {_scalar(k)}: {_scalar(v)}" for k, v in self.constants.items()]
        if self.drop:
            lines.append("drop:")
            lines += [f"  - {_scalar(c)}" for c in self.drop]
        lines += [f"# note: {n}" for n in self.notes]
        if self.unmatched:
            lines.append("# not matched (map or drop them): " + ", ".join(self.unmatched))
        return "".join(line + "\n" for line in lines)


def load_mapping(path: str | os.PathLike[str] | InputFile) -> Mapping:
    """Read and check a mapping YAML file.

    Parameters
    ----------
    path : path or InputFile
        The YAML file (an :class:`~deliberval.io.InputFile` already read is parsed from its bytes).

    Returns
    -------
    Mapping

    Raises
    ------
    DataInputError
        Naming the file and the key when the file is missing, not YAML, or malformed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "map.yaml"
    >>> _ = f.write_text("columns: {Time: wave}\\nvalues: {wave: {T1: pre}}\\n")
    >>> load_mapping(f).values
    {'wave': {'T1': 'pre'}}
    """
    content = getattr(path, "content", None)
    p = Path(path.path) if content is not None else Path(path)  # type: ignore[union-attr, arg-type]
    try:
        text = content.decode("utf-8") if content is not None else p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataInputError(f"{p}: mapping file does not exist") from None
    except IsADirectoryError:
        raise DataInputError(f"{p}: is a folder, expected a mapping file (YAML)") from None
    except UnicodeDecodeError as exc:
        raise DataInputError(f"{p}: mapping file is not UTF-8 text (byte {exc.start})") from None
    # YAML 1.2: codes such as 01 or no stay the text written; deep nesting refused
    data = load_yaml(text, where=str(p), what="mapping file (YAML)")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DataInputError(f"{p}: a mapping file must be a YAML mapping with keys {sorted(_KEYS)}")
    unknown = set(data) - _KEYS
    if unknown:
        raise DataInputError(f"{p}: unknown key(s) {sorted(map(str, unknown))}; expected some of {sorted(_KEYS)}")
    for key, kind in (("columns", dict), ("values", dict), ("constants", dict), ("drop", list)):
        if key in data and not isinstance(data[key], kind):
            raise DataInputError(f"{p}: key {key!r} must be a {'mapping' if kind is dict else 'list'}")
    values = data.get("values") or {}
    for target, codes in values.items():
        if not isinstance(codes, dict):
            raise DataInputError(f"{p}: values.{target} must map source codes to canonical codes")
    columns = {str(k): str(v) for k, v in (data.get("columns") or {}).items()}
    targets = list(columns.values())
    dupes = sorted({t for t in targets if targets.count(t) > 1})
    if dupes:
        raise DataInputError(f"{p}: several source columns map to {dupes}; each target needs one source")
    return Mapping(
        columns=columns,
        values={str(k): dict(v) for k, v in values.items()},
        constants={str(k): v for k, v in (data.get("constants") or {}).items()},
        drop=[str(c) for c in data.get("drop") or []],
        instrument=data.get("instrument"),
        path=str(p),
    )


def apply_mapping(df: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """Rename columns, recode values and add constants as a mapping says. Rows are never dropped.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read from the source.
    mapping : Mapping

    Returns
    -------
    pandas.DataFrame
        A new table with as many rows as ``df``.

    Raises
    ------
    DataInputError
        When a constant is still a ``"<fill in ...>"`` placeholder of :func:`suggest_mapping`, a
        mapped source column is absent, or a renamed column or constant would clash with a
        column already present.

    Examples
    --------
    >>> import pandas as pd
    >>> m = Mapping(columns={"Time": "wave"}, values={"wave": {"T1": "pre"}},
    ...             constants={"role": "citizen"})
    >>> apply_mapping(pd.DataFrame({"Time": ["T1", "T9"]}), m).to_dict("list")
    {'wave': ['pre', 'T9'], 'role': ['citizen', 'citizen']}
    """
    unfilled = [k for k, v in mapping.constants.items() if is_placeholder(v)]
    if unfilled:
        raise DataInputError(
            f"{mapping.path or 'mapping'}: constants {', '.join(unfilled)} still hold the placeholder that map suggest wrote "
            f"({mapping.constants[unfilled[0]]!r}); write the value of this file or delete the line")
    absent = [c for c in mapping.columns if c not in df.columns]
    if absent:
        shown = ", ".join(map(repr, list(df.columns)[:30]))
        raise DataInputError(f"mapping names source column(s) {absent} that the data lack; columns present: {shown}")
    out = df.drop(columns=[c for c in mapping.drop if c in df.columns])
    renamed = {k: v for k, v in mapping.columns.items() if k in out.columns}
    clash = [v for k, v in renamed.items() if v in out.columns and v not in renamed and k != v]
    if clash:
        raise DataInputError(f"mapping renames a column to {clash}, which the data already have")
    out = out.rename(columns=renamed)
    for target, codes in mapping.values.items():
        if target not in out.columns:
            continue
        keymap = {_key(k): v for k, v in codes.items()}
        col = out[target]
        as_text = as_code_strings(col)
        hit = as_text.isin(list(keymap)).to_numpy()
        if hit.any():
            new = col.astype(object).copy()
            new[hit] = as_text[hit].map(keymap).to_numpy()
            out[target] = new
    for target, value in mapping.constants.items():
        if target in out.columns:
            raise DataInputError(f"mapping sets constant {target!r} but the data already have that column")
        out[target] = value
    return out


PLACEHOLDER = "<fill in"
"""How every value that :func:`suggest_mapping` could not know starts (refused by :func:`apply_mapping`)."""


def is_placeholder(value: object) -> bool:
    """Whether a mapping value is a ``"<fill in ...>"`` placeholder of :func:`suggest_mapping`.

    Examples
    --------
    >>> is_placeholder("<fill in: an id for your process>"), is_placeholder("dp_2024")
    (True, False)
    """
    return isinstance(value, str) and value.strip().lower().startswith(PLACEHOLDER)


def _scalar(value: object) -> str:
    """One YAML scalar (quoted when YAML would read it otherwise), for hand-written YAML lines."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
    return text.split("\n...")[0].strip()


def _plain(text: object) -> str:
    """Text compared case-, accent-, punctuation- and whitespace-tolerantly."""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"['\u2019`]", "", s)
    return " ".join(re.sub(r"[^0-9a-z\u00c0-\uffff]+", " ", s).split())


# LimeSurvey "question code & question text" headings: ``code[SQ]. Question text [Sub-question]``
_LS_HEADING = re.compile(r"^(?P<code>[A-Za-z][A-Za-z0-9_]*(?:\[[^\]]*\])*)\.\s+(?P<text>.*)$", re.S)

# respondent ids by platform: a panel id pairs the waves, a submission id names one questionnaire
_PANEL_IDS: dict[str, tuple[str, ...]] = {
    "limesurvey": ("token",),
    "qualtrics": ("ExternalReference", "ExternalDataReference"),
}
_SUBMISSION_IDS: dict[str, tuple[str, ...]] = {
    "limesurvey": ("id",),
    "qualtrics": ("ResponseId", "ResponseID", "V1"),
    "kobo": ("_id", "_uuid", "KEY", "instanceID", "meta/instanceID", "meta-instanceID", "_index"),
}
# source columns that the reading of a platform turns into canonical columns itself
_PLATFORM_PROVIDES: dict[str, dict[str, str]] = {
    "limesurvey": {"token": "respondent_id", "startlanguage": "language", "processId": "process_id",
                   "processid": "process_id"},
    "qualtrics": {"UserLanguage": "language", "Q_Language": "language"},
}

# labels of education levels -> ISCED 2011 groups (ordered: "no high school" before "high school")
_ISCED_WORDS: tuple[tuple[str, str], ...] = (
    ("no high school", "isced_0_2"), ("less than high school", "isced_0_2"), ("primary", "isced_0_2"),
    ("lower secondary", "isced_0_2"), ("no diploma", "isced_0_2"), ("no formal", "isced_0_2"),
    ("none", "isced_0_2"), ("high school", "isced_3_4"), ("upper secondary", "isced_3_4"),
    ("secondary", "isced_3_4"), ("vocational", "isced_3_4"), ("bachelor", "isced_5_8"),
    ("master", "isced_5_8"), ("graduate", "isced_5_8"), ("doctor", "isced_5_8"), ("phd", "isced_5_8"),
    ("degree", "isced_5_8"), ("university", "isced_5_8"), ("tertiary", "isced_5_8"), ("college", "isced_5_8"),
)


# answer labels that name a code of the library in other words
_LABEL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "male": ("man",), "female": ("woman",), "men": ("man",), "women": ("woman",), "diverse": ("other",),
    "self employed": ("employed",), "pensioner": ("retired",), "pupil": ("student",),
}


def _resemblance(a: str, b: str) -> float:
    """Similarity of two plain texts: 1 equal, 0.9 one starts with the other (as words), else difflib."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 4 and long_.startswith(short + " "):
        return 0.9
    return difflib.SequenceMatcher(None, a, b).ratio()


def _best(text: str, options: list[tuple[Any, list[str]]], cutoff: float) -> Any:
    """The option whose texts resemble ``text`` most (at least ``cutoff``, and no tie)."""
    plain = _plain(text)
    scored = sorted(((max((_resemblance(plain, _plain(t)) for t in texts), default=0.0), i)
                     for i, (_, texts) in enumerate(options)), reverse=True)
    if not scored or scored[0][0] < cutoff:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0] and options[scored[1][1]][0] != options[scored[0][1]][0]:
        return None
    return options[scored[0][1]][0]


def _suggest_value(column: str, value: str) -> str | None:
    nv = _norm(value)
    for canon, words in _VALUE_SYNONYMS[column].items():
        if nv in words:
            return canon
    for canon, words in _VALUE_SYNONYMS[column].items():
        if any(nv.startswith(w) for w in words if len(w) > 2):
            return canon
    close = difflib.get_close_matches(value.lower(), _ALLOWED[column], n=1, cutoff=0.6)
    return close[0] if close else None


def _distinct_codes(s: pd.Series) -> list[str]:
    """The distinct codes of a column as code strings (computed on its distinct values: fast)."""
    uniques = pd.Series(s.dropna().unique(), dtype=s.dtype if s.dtype != object else object)
    return [str(c) for c in as_code_strings(uniques).dropna().unique()]


def _source_texts(df: pd.DataFrame) -> dict[str, list[str]]:
    """Source column -> its question texts: SPSS / Stata variable labels, a Qualtrics export's
    question-text row (``attrs["column_labels"]``) or a LimeSurvey heading's text, with the parts
    a platform joins into one text (``Question - Statement``, ``Question [Sub-question]``)."""
    labels = df.attrs.get("column_labels") or {}
    out: dict[str, list[str]] = {}
    for col in map(str, df.columns):
        text = str(labels.get(col) or "")
        if not text:
            m = _LS_HEADING.match(col)
            text = m.group("text") if m else ""
        text = " ".join(text.split())
        if not text:
            continue
        parts = [text, re.sub(r"\[[^\]]*\]", " ", text)]
        parts += re.findall(r"\[([^\]]+)\]", text)
        parts += [p for p in re.split(r"\s+-\s+", text) if p]
        parts = [p.strip().rstrip(".").removesuffix("...").strip() for p in parts]
        out[col] = list(dict.fromkeys(p for p in parts if len(_plain(p)) >= 4))
    return out


def _match_text(texts: list[str], items: dict[str, list[str]]) -> str | None:
    """The item whose text (any language) the source's question text names, if one clearly does."""
    best: tuple[float, str | None] = (0.0, None)
    tie = False
    for item_id, item_texts in items.items():
        score = 0.0
        for t in texts:
            pt = _plain(t)
            for it in item_texts:
                if pt == it:
                    score = 1.0
                elif len(pt) >= 20 and (it.startswith(pt) or pt.endswith(it) or pt.startswith(it)) \
                        and len(it) >= 20:
                    score = max(score, 0.95)  # truncated (Qualtrics "...") or prefixed by a block text
                else:
                    sm = difflib.SequenceMatcher(None, pt, it)
                    if sm.real_quick_ratio() >= 0.85 and sm.quick_ratio() >= 0.85:
                        score = max(score, sm.ratio())
        if score > best[0]:
            best, tie = (score, item_id), False
        elif score == best[0] and score > 0:
            tie = True
    return best[1] if best[0] >= 0.88 and not tie else None


def _code_options(instrument: Instrument, item_id: str) -> list[tuple[Any, list[str]]]:
    """Allowed answers and missing codes of an item with every text that may name them."""
    it = instrument.item(item_id)
    rs = instrument.response_scale(it.scale)
    options: list[tuple[Any, list[str]]] = []
    for v in rs.values:
        texts = [*v.labels.values()]
        if isinstance(v.value, str):
            texts.append(v.value.replace("_", " "))
        options.append((v.value, texts))
    for m in instrument.missing_codes(item_id):
        options.append((m.code, [*m.labels.values(), m.meaning.replace("_", " ")]))
    return options


def _is_allowed(code: str, rule: Any) -> bool:
    if code in {_key(c) for c in rule.missing}:
        return True
    if rule.kind == "categorical":
        return code in {str(v) for v in rule.values}
    if rule.kind != "numeric":
        return True
    try:
        x = float(code)
    except ValueError:
        return False
    if rule.values:
        return x in rule.values
    return (rule.min is None or x >= rule.min) and (rule.max is None or x <= rule.max)


def _education_code(label: str, allowed: set[str]) -> str | None:
    plain = f" {_plain(label)} "
    for words, code in _ISCED_WORDS:
        if f" {words} " in plain and code in allowed:
            return code
    return None


def _item_values(src: pd.Series, labels: dict[Any, Any], instrument: Instrument, item_id: str,
                 rule: Any) -> tuple[dict[Any, Any], dict[Any, str]]:
    """Proposed {source code: instrument code} of one item column, from the codes' labels."""
    codes = {_key(k): k for k in labels}
    for raw in _distinct_codes(src):
        codes.setdefault(raw, raw)
    label_of = {_key(k): str(v) for k, v in labels.items()}
    options = _code_options(instrument, item_id)
    allowed = {str(v) for v, _ in options}
    proposal: dict[Any, Any] = {}
    why: dict[Any, str] = {}
    for code, raw in codes.items():
        if _is_allowed(code, rule):
            continue
        text = label_of.get(code, code)
        guess = None
        for candidate in (text, *_LABEL_SYNONYMS.get(_plain(text), ())):
            guess = _best(candidate, options, cutoff=0.8)
            if guess is not None:
                break
        if guess is None:
            guess = _education_code(text, allowed)
        if guess is None:
            continue
        numeric = pd.api.types.is_numeric_dtype(src.dtype)
        key = int(float(raw)) if numeric and re.fullmatch(r"-?\d+(\.0+)?", str(raw)) else raw
        proposal[key] = guess
        if code in label_of:
            why[key] = label_of[code]
    return proposal, why


def _respondent_id(columns: list[str], df: pd.DataFrame, platform: str) -> tuple[str | None, str | None]:
    """The source column to use as ``respondent_id`` by the platform's rules, and a note if any."""
    def filled(c: str) -> bool:  # checked on the few candidate columns only (exports can be wide)
        return bool(_distinct_codes(df[c]))

    explicit = [c for c in columns if _norm(c) == "respondentid"]
    if explicit:
        return explicit[0], None
    panel = [c for c in _PANEL_IDS.get(platform, ()) if c in columns and filled(c)]
    if panel:
        return panel[0], None
    submission = set(_SUBMISSION_IDS.get(platform, ()))
    words = [w for w in _COLUMN_SYNONYMS["respondent_id"] if w not in {_norm(s) for s in submission}]
    for w in words:
        hit = [c for c in columns if _norm(c) == w and c not in submission and filled(c)]
        if hit:
            return hit[0], None
    last = [c for c in _SUBMISSION_IDS.get(platform, ()) if c in columns and filled(c)]
    if last:
        return last[0], (f"{last[0]} names one submitted questionnaire, not a person: answers of the "
                         f"same person in different waves will not pair; map a panel id "
                         f"({' or '.join(_PANEL_IDS.get(platform, ('a participant id column',)))}) "
                         "to respondent_id if the export has one")
    return None, "no respondent id column found: map the column that identifies a person to respondent_id"


def _placeholders(instrument: Instrument | None, missing: list[str]) -> dict[str, str]:
    roles = sorted({r for it in instrument.items for r in it.respondents}) if instrument is not None else []
    languages = list(instrument.languages) if instrument is not None else []
    text = {
        "process_id": "<fill in: an id for your process (letters, digits, _ . -)>",
        "wave": f"<fill in: the wave of this file, one of {', '.join(WAVES)}>",
        "role": (f"<fill in: who answered, one of {', '.join(ROLES)}"
                 + (f"; this instrument asks {', '.join(roles)}" if roles else "") + ">"),
        "language": ("<fill in: the two-letter code of the language of the questionnaire"
                     + (f", one of {', '.join(languages)}" if languages else "") + ">"),
    }
    return {k: text[k] for k in ("process_id", "wave", "role", "language") if k in missing}


def suggest_mapping(df: pd.DataFrame, instrument: Instrument | None = None) -> Mapping:
    """Propose a mapping from a source table's columns and codes to the canonical table.

    The respondent id is chosen by the platform's rules (``df.attrs["format"]``): LimeSurvey's
    participant ``token``, never its per-submission ``id``; Qualtrics' panel id
    (``ExternalReference``) before its per-response ``ResponseId``; elsewhere a column named like
    an id (``ID``, ``pnum``, ``participant_id`` ...). Other columns are matched on normalised
    names (case, punctuation and ``group/`` prefixes ignored; a LimeSurvey array's sub-question
    code too), then on common synonyms (``Time``, ``condition`` ...), then by string similarity
    to item ids (:func:`difflib.get_close_matches`, cutoff 0.8), then by their question text
    (SPSS / Stata variable labels, a Qualtrics export's question-text row, a LimeSurvey
    heading's text) against the item texts in every language of the instrument (accents, case
    and punctuation ignored; a text truncated by the platform counts).

    Codes are proposed from the source's value labels (``df.attrs["value_labels"]``) or the
    codes themselves: for ``wave``, ``group`` and ``role`` (``T1`` -> ``pre``, ``Treatment`` ->
    ``participant``), and for item columns whose codes the instrument does not allow, by the
    resemblance of each code's label to the instrument's codes and answer labels (``1 =
    Employed`` -> ``employed``; education levels to ISCED groups). Canonical columns the file
    lacks (``process_id``, ``role``, ``language``, and ``wave`` for a file of one wave) are
    proposed as ``constants`` holding a ``"<fill in: ...>"`` placeholder, which
    :func:`apply_mapping` refuses until it is replaced. Always review the proposal before use.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read from the source (see :func:`deliberval.io.read_table`).
    instrument : Instrument, optional
        Instrument whose item ids are the targets.

    Returns
    -------
    Mapping
        With ``value_labels`` (the labels behind proposed codes), ``notes`` for the reviewer
        and ``unmatched`` listing columns that found no target.

    Examples
    --------
    >>> import pandas as pd
    >>> src = pd.DataFrame({"ID": [1, 1], "Time": ["T1", "T2"], "Group": ["Treatment"] * 2})
    >>> m = suggest_mapping(src)
    >>> m.columns
    {'ID': 'respondent_id', 'Time': 'wave', 'Group': 'group'}
    >>> m.values
    {'wave': {'T1': 'pre', 'T2': 'post'}, 'group': {'Treatment': 'participant'}}
    >>> sorted(m.constants)
    ['language', 'process_id', 'role']
    """
    platform = str(df.attrs.get("format") or "")
    all_cols = list(map(str, df.columns))
    provides = {c: t for c, t in _PLATFORM_PROVIDES.get(platform, {}).items() if c in all_cols}
    provided = set(provides.values())
    handled = set(_SUBMISSION_IDS.get(platform, ())) | set(provides)
    # metadata columns that the platform's reading drops (named in io.platforms)
    for name in {"limesurvey": ("LIMESURVEY_DROP", "LIMESURVEY_META"),
                 "qualtrics": ("QUALTRICS_DROP", "QUALTRICS_META"), "kobo": ("KOBO_META",)}.get(platform, ()):
        handled |= set(getattr(platforms, name, ()))
    items = instrument.item_ids() if instrument is not None else []
    by_norm = {_norm(t): t for t in [*ID_COLUMNS, "weight", *items]}
    for item_id in items:  # a demographic column named without the library's prefix: gender -> demo_gender
        if item_id.startswith("demo_"):
            by_norm.setdefault(_norm(item_id.removeprefix("demo_")), item_id)
    columns: dict[str, str] = {}
    unmatched: list[str] = []
    notes: list[str] = []
    taken: set[str] = set(provided)
    rid, note = (None, None) if "respondent_id" in all_cols else _respondent_id(
        [c for c in all_cols if c not in provides or provides[c] == "respondent_id"], df, platform)
    if "respondent_id" in provided:
        rid, note = None, None
    if note:
        notes.append(note)
    if rid is not None:
        taken.add("respondent_id")
        if rid not in provides:
            columns[rid] = "respondent_id"
    texts = _source_texts(df)
    item_texts = {it.id: list(dict.fromkeys(_plain(t) for t in it.text.values() if t))
                  for it in (instrument.items if instrument is not None else [])}
    for col in all_cols:
        if col == rid or col in handled:
            continue
        m = _LS_HEADING.match(col)
        code = m.group("code") if m else col
        names = [_norm(code)]
        sub = re.search(r"\[([^\]]+)\]$", code)
        if sub:
            names.append(_norm(sub.group(1)))
        target = next((by_norm[n] for n in names if n in by_norm), None)
        if target is None:
            target = next((c for c, words in _COLUMN_SYNONYMS.items()
                           if c != "respondent_id" and names[0] in words), None)
        if target is None and items:
            close = difflib.get_close_matches(names[0], [_norm(i) for i in items], n=1, cutoff=0.8)
            target = by_norm[close[0]] if close else None
        if target is None and col in texts and item_texts:
            target = _match_text(texts[col], item_texts)
        if target is None or target in taken:
            if col not in ID_COLUMNS and col != "weight" and col not in items:
                unmatched.append(col)
            continue
        taken.add(target)
        if target != col:
            columns[col] = target
    values: dict[str, dict[Any, Any]] = {}
    why: dict[str, dict[Any, str]] = {}
    value_labels = df.attrs.get("value_labels") or {}
    source_of = {v: k for k, v in columns.items()}
    for target in ("wave", "group", "role"):
        src = source_of.get(target, target if target in all_cols else None)
        if src is None:
            continue
        labels = {_key(k): str(v) for k, v in (value_labels.get(src) or {}).items()}
        proposals: dict[Any, Any] = {}
        for raw in _distinct_codes(df[src]):
            if raw in _ALLOWED[target]:
                continue
            label = labels.get(str(raw))
            guess = (_suggest_value(target, label) if label else None) or _suggest_value(target, str(raw))
            if guess is not None:
                numeric = pd.api.types.is_numeric_dtype(df[src].dtype)
                key: Any = int(raw) if numeric and re.fullmatch(r"-?\d+", str(raw)) else str(raw)
                proposals[key] = guess
                if label:
                    why.setdefault(target, {})[key] = label
        if proposals:
            values[target] = proposals
    if instrument is not None:
        rules = item_rules(instrument)
        for item_id in items:
            src = source_of.get(item_id, item_id if item_id in all_cols else None)
            if src is None or rules[item_id].kind == "text":
                continue
            proposal, labels_used = _item_values(df[src], value_labels.get(src) or {}, instrument, item_id,
                                                 rules[item_id])
            if proposal:
                values[item_id] = proposal
                if labels_used:
                    why[item_id] = labels_used
    present = set(columns.values()) | set(all_cols) | provided
    constants = _placeholders(instrument, [c for c in ("process_id", "wave", "role", "language")
                                           if c not in present])
    return Mapping(columns=columns, values=values, constants=dict(constants), unmatched=unmatched,
                   instrument=instrument.id if instrument is not None else None,
                   value_labels=why, notes=notes)
