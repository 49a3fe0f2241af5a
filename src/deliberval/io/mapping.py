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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from deliberval.errors import DataInputError
from deliberval.instruments.model import Instrument
from deliberval.io._common import as_code_strings
from deliberval.schemas.responses import GROUPS, ID_COLUMNS, ROLES, WAVES

if TYPE_CHECKING:
    from deliberval.io.readers import InputFile

__all__ = ["Mapping", "apply_mapping", "load_mapping", "suggest_mapping"]

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
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[Any, Any]] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    drop: list[str] = field(default_factory=list)
    instrument: str | None = None
    unmatched: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        """The mapping as YAML text, unmatched source columns listed in a comment."""
        doc: dict[str, Any] = {}
        if self.instrument:
            doc["instrument"] = self.instrument
        for key in ("columns", "values", "constants", "drop"):
            value = getattr(self, key)
            if value:
                doc[key] = value
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True) if doc else ""
        if self.unmatched:
            text += "# not matched (map or drop them): " + ", ".join(self.unmatched) + "\n"
        return text


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
        data = yaml.safe_load(text)
    except FileNotFoundError:
        raise DataInputError(f"{p}: mapping file does not exist") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataInputError(f"{p}: mapping file is not valid UTF-8 YAML: {exc}") from None
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
        When a mapped source column is absent, or a renamed column or constant would clash with
        a column already present.

    Examples
    --------
    >>> import pandas as pd
    >>> m = Mapping(columns={"Time": "wave"}, values={"wave": {"T1": "pre"}},
    ...             constants={"role": "citizen"})
    >>> apply_mapping(pd.DataFrame({"Time": ["T1", "T9"]}), m).to_dict("list")
    {'wave': ['pre', 'T9'], 'role': ['citizen', 'citizen']}
    """
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


def suggest_mapping(df: pd.DataFrame, instrument: Instrument | None = None) -> Mapping:
    """Propose a mapping from a source table's columns and codes to the canonical table.

    Columns are matched on normalised names (case, punctuation and ``group/`` prefixes
    ignored), then on common synonyms (``ID``, ``Time``, ``condition`` ...), then by string
    similarity to item ids (:func:`difflib.get_close_matches`, cutoff 0.8), then by the
    similarity of SPSS / Stata variable labels to English item texts (cutoff 0.9). Codes of ``wave``,
    ``group`` and ``role`` that are not canonical get a proposed translation. Always review the
    proposal before use.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read from the source (see :func:`deliberval.io.read_table`).
    instrument : Instrument, optional
        Instrument whose item ids are the targets.

    Returns
    -------
    Mapping
        With ``unmatched`` listing columns that found no target.

    Examples
    --------
    >>> import pandas as pd
    >>> src = pd.DataFrame({"ID": [1, 1], "Time": ["T1", "T2"], "Group": ["Treatment"] * 2})
    >>> m = suggest_mapping(src)
    >>> m.columns
    {'ID': 'respondent_id', 'Time': 'wave', 'Group': 'group'}
    >>> m.values
    {'wave': {'T1': 'pre', 'T2': 'post'}, 'group': {'Treatment': 'participant'}}
    """
    items = instrument.item_ids() if instrument is not None else []
    by_norm = {_norm(t): t for t in [*ID_COLUMNS, "weight", *items]}
    columns: dict[str, str] = {}
    unmatched: list[str] = []
    taken: set[str] = set()
    for col in map(str, df.columns):
        n = _norm(col)
        target = by_norm.get(n)
        if target is None:
            target = next((c for c, words in _COLUMN_SYNONYMS.items() if n in words), None)
        if target is None and items:
            close = difflib.get_close_matches(n, [_norm(i) for i in items], n=1, cutoff=0.8)
            target = by_norm[close[0]] if close else None
        if target is None and items and instrument is not None:
            label = str(df.attrs.get("column_labels", {}).get(col) or "").strip().lower()
            texts = {it.text.get("en", "").strip().lower(): it.id for it in instrument.items}
            close = difflib.get_close_matches(label, list(texts), n=1, cutoff=0.9) if label else []
            target = texts[close[0]] if close else None
        if target is None or target in taken:
            if col not in ID_COLUMNS and col != "weight" and col not in items:
                unmatched.append(col)
            continue
        taken.add(target)
        if target != col:
            columns[col] = target
    values: dict[str, dict[Any, Any]] = {}
    source_of = {v: k for k, v in columns.items()}
    for target in ("wave", "group", "role"):
        src = source_of.get(target, target if target in df.columns else None)
        if src is None:
            continue
        proposals = {}
        for raw in as_code_strings(df[src]).dropna().unique():
            if raw in _ALLOWED[target]:
                continue
            guess = _suggest_value(target, str(raw))
            if guess is not None:
                proposals[str(raw)] = guess
        if proposals:
            values[target] = proposals
    return Mapping(columns=columns, values=values, unmatched=unmatched,
                   instrument=instrument.id if instrument is not None else None)
