"""The criteria registry: every criterion of the OECD (2021) guidelines, and what measures it.

The shipped registry (``criteria.yaml`` next to this module) lists the criteria of the OECD (2021)
*Evaluation Guidelines for Representative Deliberative Processes* by stage (process design
integrity, deliberative experience, pathways to impact, and the wider impacts of chapter 3), each
with a stable id, its name (and how sure that name is: ``verified``, ``secondary`` or
``paraphrased``), the section it comes from, the catalogue indicators, library items and
process-table fields that measure it, and the evidence that would measure it when nothing does.
It also holds the guidelines' evaluation principles, the frameworks of their Annex F mapped onto
those criteria, and KNOCA's impact evaluation framework (areas x types of impact).

:func:`criteria_coverage` audits one evaluation against a framework: every criterion (or
framework entry) is ``measured``, ``partly_measured``, ``not_assessed`` or ``not_applicable``,
with the indicators behind it and a reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from deliberval.errors import DataInputError

__all__ = [
    "COVERAGE_COLUMNS",
    "COVERAGE_STATUSES",
    "CriteriaRegistry",
    "Criterion",
    "Framework",
    "FrameworkEntry",
    "Principle",
    "ProcessField",
    "criteria_coverage",
    "load_criteria",
]

#: Columns of :func:`criteria_coverage`.
COVERAGE_COLUMNS = ["framework", "criterion_id", "criterion", "stage", "status", "indicators", "reason"]
#: Values of its ``status`` column.
COVERAGE_STATUSES = ("measured", "partly_measured", "not_assessed", "not_applicable")
#: Languages every name and text of the registry is given in.
LANGUAGES = ("en", "fr", "nl", "de", "da")
WORDINGS = ("verified", "secondary", "paraphrased")
CERTAINTIES = ("high", "medium", "low", "unknown")
_STAGES = ("design_integrity", "deliberative_experience", "pathways_to_impact", "wider_impact")
_FIELD_KINDS = ("text", "yes_no", "count", "date")


def _pick(texts: Mapping[str, str], lang: str) -> str:
    return str(texts.get(lang, texts.get("en", "")))


@dataclass(frozen=True)
class Source:
    """A cited source: its citation and where it can be read."""

    id: str
    citation: str
    url: str


@dataclass(frozen=True)
class ProcessField:
    """A field of the process table the audit reads (document review, the organiser's answers).

    ``kind``: ``text`` (documented when not empty), ``yes_no``, ``count`` or ``date``;
    ``defined_in``: ``process_schema``, ``catalogue`` (a catalogue indicator needs it) or
    ``registry`` (defined by the registry for the audit).
    """

    id: str
    kind: str
    defined_in: str
    label: Mapping[str, str]

    def text(self, lang: str) -> str:
        """The field's label in ``lang``."""
        return _pick(self.label, lang)


@dataclass(frozen=True)
class Principle:
    """An evaluation principle of the guidelines and the report setting that states it."""

    id: str
    name: Mapping[str, str]
    wording: str
    source: str
    section: str
    report_setting: str

    def text(self, lang: str) -> str:
        """The principle's name in ``lang``."""
        return _pick(self.name, lang)


@dataclass(frozen=True)
class Criterion:
    """A criterion of the OECD (2021) guidelines and what measures it."""

    id: str
    stage: str
    name: Mapping[str, str]
    wording: str
    source: str
    section: str
    indicators: tuple[str, ...]
    items: tuple[str, ...]
    process_fields: tuple[str, ...]
    coverage: str
    evidence_needed: Mapping[str, str]
    catalogue_criteria: tuple[str, ...] = ()
    applies_when: str | None = None

    def text(self, lang: str) -> str:
        """The criterion's name in ``lang``."""
        return _pick(self.name, lang)

    def evidence(self, lang: str) -> str:
        """What would measure it, in ``lang``."""
        return _pick(self.evidence_needed, lang)


@dataclass(frozen=True)
class FrameworkEntry:
    """One criterion (entry) of another framework, mapped onto OECD (2021) criteria."""

    id: str
    name: Mapping[str, str]
    maps_to: tuple[str, ...]
    certainty: str
    principle: bool = False
    n_marked: int | None = None

    def text(self, lang: str) -> str:
        """The entry's name in ``lang``."""
        return _pick(self.name, lang)


@dataclass(frozen=True)
class Framework:
    """An evaluation framework; ``entries`` is empty for ``oecd_2021`` (its criteria are the registry's)."""

    id: str
    name: Mapping[str, str]
    citation: str
    basis: str
    annex_f: int | None
    entries: tuple[FrameworkEntry, ...]

    def text(self, lang: str) -> str:
        """The framework's name in ``lang``."""
        return _pick(self.name, lang)


@dataclass(frozen=True)
class CriteriaRegistry:
    """The whole registry (see the module docstring)."""

    id: str
    version: str
    reference: str
    sources: Mapping[str, Source]
    stages: Mapping[str, Mapping[str, str]]
    process_fields: Mapping[str, ProcessField]
    phrases: Mapping[str, Mapping[str, str]]
    certainty: Mapping[str, Mapping[str, str]]
    principles: tuple[Principle, ...]
    criteria: tuple[Criterion, ...]
    catalogue_support: Mapping[str, tuple[str, ...]]
    frameworks: tuple[Framework, ...]

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id."""
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(f"criteria registry {self.version} has no criterion {criterion_id!r}")

    def framework(self, framework_id: str) -> Framework:
        """The framework with this id (one clear error naming the known ones otherwise)."""
        for f in self.frameworks:
            if f.id == framework_id:
                return f
        known = ", ".join(f.id for f in self.frameworks)
        raise DataInputError(f"framework: unknown framework {framework_id!r}; known: {known}")

    @property
    def framework_ids(self) -> tuple[str, ...]:
        """Ids of every framework, ``oecd_2021`` first."""
        return tuple(f.id for f in self.frameworks)

    def stage_label(self, stage: str, lang: str) -> str:
        """Label of a stage in ``lang`` (the id when unknown, "" for no stage)."""
        return _pick(self.stages[stage], lang) if stage in self.stages else stage

    def phrase(self, key: str, lang: str, **values: str) -> str:
        """One phrase of the audit's reasons in ``lang``, placeholders filled."""
        return _pick(self.phrases[key], lang).format(**values)

    def for_catalogue_criterion(self, criterion: str) -> tuple[str, ...]:
        """Registry criteria a catalogue criterion measures (or supports)."""
        found = tuple(c.id for c in self.criteria if criterion in c.catalogue_criteria)
        return found or tuple(self.catalogue_support.get(criterion, ()))


# ------------------------------------------------------------------------------------ loading
def _texts(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: expected texts by language")
    missing = [lang for lang in LANGUAGES if not str(raw.get(lang, "")).strip()]
    if missing:
        raise ValueError(f"{where}: no text in {', '.join(missing)}")
    return {str(k): str(v) for k, v in raw.items()}


def _entries(raw: list[Mapping[str, Any]], where: str) -> tuple[FrameworkEntry, ...]:
    out = []
    for e in raw:
        out.append(FrameworkEntry(
            id=str(e["id"]), name=_texts(e["name"], f"{where}.{e['id']}.name"),
            maps_to=tuple(e.get("maps_to") or ()), certainty=str(e["certainty"]),
            principle=bool(e.get("principle", False)),
            n_marked=None if e.get("n_marked") is None else int(e["n_marked"])))
    return tuple(out)


def _framework(raw: Mapping[str, Any], rows: tuple[FrameworkEntry, ...]) -> Framework:
    fid = str(raw["id"])
    if raw.get("entries_from") == "annex_f_rows":
        entries = rows
    elif "cells" in raw:
        areas, types = raw["areas"], raw["types"]
        entries = tuple(
            FrameworkEntry(
                id=f"{cell['area']}.{cell['type']}",
                name={lang: f"{_pick(areas[cell['area']], lang)}: {_pick(types[cell['type']], lang)}"
                      for lang in LANGUAGES},
                maps_to=tuple(cell.get("maps_to") or ()), certainty=str(cell["certainty"]))
            for cell in raw["cells"])
    else:
        entries = _entries(raw.get("entries") or [], f"frameworks.{fid}")
    return Framework(id=fid, name=_texts(raw["name"], f"frameworks.{fid}.name"), citation=str(raw["citation"]),
                     basis=str(raw.get("basis", "")), annex_f=raw.get("annex_f"), entries=entries)


def _build(raw: Mapping[str, Any]) -> CriteriaRegistry:
    sources = {k: Source(k, str(v["citation"]), str(v.get("url", ""))) for k, v in raw["sources"].items()}
    stages = {k: _texts(v, f"stages.{k}") for k, v in raw["stages"].items()}
    fields = {k: ProcessField(k, str(v["kind"]), str(v["in"]), _texts(v["label"], f"process_fields.{k}.label"))
              for k, v in raw["process_fields"].items()}
    phrases = {k: _texts(v, f"phrases.{k}") for k, v in raw["phrases"].items()}
    certainty = {k: _texts(v, f"certainty.{k}") for k, v in raw["certainty"].items()}
    principles = tuple(
        Principle(str(p["id"]), _texts(p["name"], f"principles.{p['id']}.name"), str(p["wording"]),
                  str(p["source"]), str(p["section"]), str(p["report_setting"]))
        for p in raw["principles"])
    criteria = tuple(
        Criterion(
            id=str(c["id"]), stage=str(c["stage"]), name=_texts(c["name"], f"criteria.{c['id']}.name"),
            wording=str(c["wording"]), source=str(c["source"]), section=str(c["section"]),
            indicators=tuple(c.get("indicators") or ()), items=tuple(c.get("items") or ()),
            process_fields=tuple(c.get("process_fields") or ()), coverage=str(c["coverage"]),
            evidence_needed=_texts(c["evidence_needed"], f"criteria.{c['id']}.evidence_needed"),
            catalogue_criteria=tuple(c.get("catalogue_criteria") or ()), applies_when=c.get("applies_when"))
        for c in raw["criteria"])
    rows = _entries(raw.get("annex_f_rows") or [], "annex_f_rows")
    frameworks = tuple(_framework(f, rows) for f in raw["frameworks"])
    reg = CriteriaRegistry(
        id=str(raw["id"]), version=str(raw["version"]), reference=str(raw["reference"]).strip(), sources=sources,
        stages=stages, process_fields=fields, phrases=phrases, certainty=certainty, principles=principles,
        criteria=criteria, catalogue_support={k: tuple(v) for k, v in (raw.get("catalogue_support") or {}).items()},
        frameworks=frameworks)
    _check(reg)
    return reg


def _check(reg: CriteriaRegistry) -> None:
    """Internal consistency (links to the catalogue and the library are checked by the tests)."""
    ids = [c.id for c in reg.criteria] + [p.id for p in reg.principles]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ValueError(f"duplicated criterion or principle id(s): {dup}")
    for c in reg.criteria:
        if c.stage not in _STAGES or c.stage not in reg.stages:
            raise ValueError(f"criteria.{c.id}: unknown stage {c.stage!r}")
        if c.wording not in WORDINGS:
            raise ValueError(f"criteria.{c.id}: wording must be one of {WORDINGS}, got {c.wording!r}")
        if c.source not in reg.sources:
            raise ValueError(f"criteria.{c.id}: unknown source {c.source!r}")
        if c.coverage not in ("full", "partial"):
            raise ValueError(f"criteria.{c.id}: coverage must be full or partial, got {c.coverage!r}")
        unknown = [f for f in (*c.process_fields, *([c.applies_when] if c.applies_when else []))
                   if f not in reg.process_fields]
        if unknown:
            raise ValueError(f"criteria.{c.id}: undeclared process field(s) {unknown}")
        if not c.section.strip():
            raise ValueError(f"criteria.{c.id}: no section cited")
    for p in reg.principles:
        if p.wording not in WORDINGS or p.source not in reg.sources:
            raise ValueError(f"principles.{p.id}: wording or source unknown")
    for f in reg.process_fields.values():
        if f.kind not in _FIELD_KINDS:
            raise ValueError(f"process_fields.{f.id}: kind must be one of {_FIELD_KINDS}")
    known = {c.id for c in reg.criteria}
    fids = [f.id for f in reg.frameworks]
    if not fids or fids[0] != "oecd_2021" or len(set(fids)) != len(fids):
        raise ValueError("frameworks: oecd_2021 first, every id once")
    for fw in reg.frameworks:
        if fw.citation not in reg.sources:
            raise ValueError(f"frameworks.{fw.id}: unknown citation {fw.citation!r}")
        eids = [e.id for e in fw.entries]
        if len(set(eids)) != len(eids):
            raise ValueError(f"frameworks.{fw.id}: duplicated entry id")
        for e in fw.entries:
            bad = [m for m in e.maps_to if m not in known]
            if bad:
                raise ValueError(f"frameworks.{fw.id}.{e.id}: maps to unknown criteria {bad}")
            if e.certainty not in CERTAINTIES or e.certainty not in reg.certainty:
                raise ValueError(f"frameworks.{fw.id}.{e.id}: certainty must be one of {CERTAINTIES}")
    for key, targets in reg.catalogue_support.items():
        bad = [m for m in targets if m not in known]
        if bad:
            raise ValueError(f"catalogue_support.{key}: unknown criteria {bad}")


def _shipped() -> Path:
    return Path(str(resources.files("deliberval.indicators"))) / "criteria.yaml"


@cache
def _load_shipped() -> CriteriaRegistry:
    return _parse(_shipped())


def _parse(path: Path) -> CriteriaRegistry:
    if not path.exists():
        raise DataInputError(f"{path}: criteria registry not found")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise DataInputError(f"{path}: not valid YAML ({exc})") from None
    try:
        return _build(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataInputError(f"{path}: not a valid criteria registry ({exc})") from None


def load_criteria(path: str | os.PathLike[str] | None = None) -> CriteriaRegistry:
    """Load and check a criteria registry (the shipped one by default).

    Parameters
    ----------
    path : path-like, optional
        A registry YAML of your own, with the structure of the shipped one.

    Returns
    -------
    CriteriaRegistry

    Raises
    ------
    DataInputError
        Missing file, invalid YAML, or a registry breaking its rules (unique ids, known stages,
        sources and process fields, names in en, fr, nl, de and da, mappings onto known criteria).

    Examples
    --------
    >>> reg = load_criteria()
    >>> reg.version
    '1.0.0'
    >>> c = reg.criterion("oecd_di_design_involvement")
    >>> c.text("en"), c.wording, c.stage
    ('Procedural design involvement', 'verified', 'design_integrity')
    >>> len(reg.frameworks)
    13
    """
    if path is None:
        return _load_shipped()
    return _parse(Path(path))


# ------------------------------------------------------------------------------------ the audit
def _facts(process: pd.DataFrame | Mapping[str, Any] | None) -> dict[str, Any]:
    if process is None:
        return {}
    if isinstance(process, pd.DataFrame):
        return {} if process.empty else dict(process.iloc[0].to_dict())
    return dict(process)


def _yes_no(value: Any) -> bool | None:
    text = str(value).strip().lower()
    if text in ("yes", "true", "1", "oui", "ja", "1.0"):
        return True
    if text in ("no", "false", "0", "non", "nee", "nein", "nej", "0.0"):
        return False
    return None


def _documented(field: ProcessField, facts: Mapping[str, Any]) -> bool | str | None:
    """The documented value of a field (True / False for yes_no, "" for others) or None."""
    if field.id not in facts:
        return None
    value = facts[field.id]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if field.kind == "yes_no":
        return _yes_no(value)
    return "" if str(value).strip() else None


@dataclass(frozen=True)
class _Audit:
    status: str
    indicators: tuple[str, ...]
    reason: str


def _indicator_entries(table: pd.DataFrame) -> list[tuple[object, str, str, str]]:
    """Every row of the indicator table as ``(indicator_id, its text, status, status_reason)``,
    read once for all the criteria (blank reason when missing)."""
    ids = table["indicator_id"]
    reasons = table["status_reason"] if "status_reason" in table.columns else pd.Series("", index=table.index)
    return list(zip(ids.tolist(), ids.astype(str).tolist(), table["status"].astype(str).tolist(),
                    reasons.fillna("").astype(str).tolist(), strict=True))


def _audit(c: Criterion, reg: CriteriaRegistry, entries: list[tuple[object, str, str, str]],
           facts: Mapping[str, Any], item_ids: set[str] | None, lang: str, labels: Mapping[str, str],
           translate: Callable[[str], str]) -> _Audit:
    ph = reg.phrase
    if c.applies_when is not None:
        flag = _documented(reg.process_fields[c.applies_when], facts)
        if flag is False:
            return _Audit("not_applicable", (), ph("not_applicable", lang,
                                                   field=reg.process_fields[c.applies_when].text(lang)))
    wanted = set(c.indicators)
    rows = [e for e in entries if e[0] in wanted]  # the table's rows of the criterion's indicators, in order
    linked = tuple(str(e[0]) for e in rows)
    status_of = {e[1]: e[2] for e in rows}
    reason_of = {e[1]: e[3] for e in rows}
    measured = [i for i in linked if status_of[i] == "measured"]
    withheld = [i for i in linked if status_of[i] == "suppressed"]
    missing = [i for i in linked if status_of[i] not in ("measured", "suppressed")]
    fields = [reg.process_fields[f] for f in c.process_fields]
    values = {f.id: _documented(f, facts) for f in fields}
    documented = [f for f in fields if values[f.id] is not None]
    undocumented = [f for f in fields if values[f.id] is None]

    def shown(f: ProcessField) -> str:
        v = values[f.id]
        if isinstance(v, bool):
            return f"{f.text(lang)}: {ph('word_yes' if v else 'word_no', lang)}"
        return f.text(lang)

    parts: list[str] = []
    if linked and len(measured) == len(linked) and c.coverage == "full" and not undocumented:
        status = "measured"
    elif measured or withheld or documented:
        status = "partly_measured"
    else:
        status = "not_assessed"
    if not linked and not fields:
        parts.append(ph("no_link", lang))
    parts += [ph("not_measured", lang, indicator=labels.get(i, i), reason=translate(reason_of[i]))
              for i in missing]
    parts += [ph("suppressed", lang, indicator=labels.get(i, i)) for i in withheld]
    if documented:
        parts.append(ph("documented", lang, fields=", ".join(shown(f) for f in documented)))
    if undocumented and status != "measured":
        parts.append(ph("not_documented", lang, fields=", ".join(f.text(lang) for f in undocumented)))
    if status != "measured":
        if c.coverage == "partial" and (measured or withheld):
            parts.append(ph("partial", lang))
        if item_ids is not None and c.items and not (set(c.items) & item_ids) and not measured:
            parts.append(ph("no_items", lang))
        parts.append(ph("needed", lang, evidence=c.evidence(lang)))
    return _Audit(status, linked, "; ".join(p for p in parts if p))


def _combine(statuses: list[str]) -> str:
    applicable = [s for s in statuses if s != "not_applicable"]
    if not applicable:
        return "not_applicable"
    if all(s == "measured" for s in applicable):
        return "measured"
    if any(s in ("measured", "partly_measured") for s in applicable):
        return "partly_measured"
    return "not_assessed"


def criteria_coverage(
    indicators: pd.DataFrame,
    instrument: Any = None,
    process: pd.DataFrame | Mapping[str, Any] | None = None,
    *,
    framework: str = "oecd_2021",
    language: str = "en",
    registry: CriteriaRegistry | None = None,
    labels: Mapping[str, str] | None = None,
    translate: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """Audit an evaluation against a framework: every criterion measured, partly, or not assessed.

    Parameters
    ----------
    indicators : pandas.DataFrame
        The indicator table (:attr:`deliberval.indicators.ProcessEvaluation.indicators`):
        ``indicator_id, status, status_reason`` are read (``label`` too, without ``labels``).
    instrument : Instrument, optional
        The instrument the responses answer: a criterion whose member items it lacks says so.
    process : one-row DataFrame or mapping, optional
        The process table (document review, the organiser's answers): the fields the registry
        links to a criterion are read (yes / no fields count as documented either way).
    framework : str, default "oecd_2021"
        A framework of the registry (:attr:`CriteriaRegistry.framework_ids`); any other than
        ``oecd_2021`` is audited through its mapping onto the OECD (2021) criteria.
    language : str, default "en"
        Language of the criterion names, stage labels and reasons (en, fr, nl, de, da).
    registry : CriteriaRegistry, optional
        Default: the shipped registry.
    labels : mapping, optional
        Indicator id -> label used in the reasons (default: the table's ``label`` column).
    translate : callable, optional
        Applied to each indicator's ``status_reason`` quoted in a reason (default: unchanged).

    Returns
    -------
    pandas.DataFrame
        One row per criterion of the framework, in the registry's order: ``framework``,
        ``criterion_id``, ``criterion`` (its name in ``language``), ``stage`` (``design_integrity``,
        ``deliberative_experience``, ``pathways_to_impact``, ``wider_impact``; "" for a framework
        entry that corresponds to no OECD criterion), ``status`` (``measured``, ``partly_measured``,
        ``not_assessed``, ``not_applicable``), ``indicators`` (comma-separated ids of the catalogue
        indicators linked to it and present in the table) and ``reason`` ("" only for a measured
        criterion without documented fields; otherwise what was measured or documented, what was
        not and why, and the evidence that would measure it).

    Raises
    ------
    DataInputError
        An unknown framework (the known ones are named), or an indicator table without
        ``indicator_id`` and ``status``.

    Notes
    -----
    An OECD criterion is ``measured`` when its coverage is ``full``, every catalogue indicator
    linked to it is measured and every process field linked to it is documented;
    ``partly_measured`` when at least one linked indicator is measured (or computed but
    withheld by disclosure control) or one linked field is documented; ``not_assessed``
    otherwise; ``not_applicable`` when it applies only under a condition the process table
    documents as absent (online tools). Fields are the organiser's statements, reported as not
    verified by the evaluator. A framework entry takes ``measured`` when every applicable OECD
    criterion it maps to is measured, ``partly_measured`` when one is measured or partly
    measured, ``not_assessed`` otherwise (and always for entries mapped to no criterion); its
    reason names the criteria it corresponds to, the certainty of that mapping and their reasons.

    Examples
    --------
    >>> from deliberval.datasets import load_example
    >>> from deliberval.indicators import evaluate_process
    >>> ev = evaluate_process(load_example("gentofte_ptc").process_data())
    >>> cov = criteria_coverage(ev.indicators, ev.instrument, ev.data.process_facts())
    >>> cov.set_index("criterion_id").loc["oecd_dx_facilitation", ["status", "indicators"]].tolist()
    ['measured', 'facilitation_neutral']
    >>> cov.set_index("criterion_id").loc["oecd_di_design_involvement", "status"]
    'not_assessed'
    """
    reg = registry or load_criteria()
    fw = reg.framework(framework)
    missing = [c for c in ("indicator_id", "status") if c not in indicators.columns]
    if missing:
        raise DataInputError(f"criteria_coverage: the indicator table has no column(s) {missing}")
    facts = _facts(process)
    item_ids = None if instrument is None else set(instrument.item_ids())
    if labels is None:
        labels = (dict(zip(indicators["indicator_id"].astype(str), indicators["label"].astype(str), strict=True))
                  if "label" in indicators.columns else {})
    tr = translate or (lambda s: s)
    entries = _indicator_entries(indicators)
    audits = {c.id: _audit(c, reg, entries, facts, item_ids, language, labels, tr) for c in reg.criteria}
    rows: list[dict[str, Any]] = []
    linked: list[str]
    if not fw.entries:
        for c in reg.criteria:
            a = audits[c.id]
            rows.append({"framework": fw.id, "criterion_id": c.id, "criterion": c.text(language), "stage": c.stage,
                         "status": a.status, "indicators": ", ".join(a.indicators), "reason": a.reason})
        return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
    for e in fw.entries:
        mapped = [reg.criterion(m) for m in e.maps_to]
        if e.principle:
            status, linked, reason = "not_assessed", [], reg.phrase("principle", language)
        elif not mapped:
            status, linked, reason = "not_assessed", [], reg.phrase("unmapped", language)
        else:
            status = _combine([audits[m.id].status for m in mapped])
            linked = list(dict.fromkeys(i for m in mapped for i in audits[m.id].indicators))
            parts = [reg.phrase("mapped", language, criteria=", ".join(m.text(language) for m in mapped),
                                certainty=_pick(reg.certainty[e.certainty], language))]
            parts += [reg.phrase("not_measured", language, indicator=m.text(language), reason=audits[m.id].reason)
                      for m in mapped if audits[m.id].status != "measured" and audits[m.id].reason]
            reason = ". ".join(parts)
        rows.append({"framework": fw.id, "criterion_id": e.id, "criterion": e.text(language),
                     "stage": mapped[0].stage if mapped else "", "status": status,
                     "indicators": ", ".join(linked), "reason": reason})
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
