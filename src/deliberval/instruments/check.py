"""Checking instrument YAML files: every problem, named by file, item and field.

``pydantic`` checks the structure; the rules here need the whole instrument (references
between items and scales, unique ids, English text, ...). Both kinds of problem are
collected, so a user sees the full list in one run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from deliberval.errors import Problem
from deliberval.instruments.model import (
    Instrument,
    Item,
    Questionnaire,
    ResponseScale,
    is_language_code,
    is_snake_case,
)

__all__ = ["RESERVED_COLUMNS", "check_definition", "parse_file"]

#: Columns of the canonical responses table that no item id may take.
RESERVED_COLUMNS: frozenset[str] = frozenset(
    {"respondent_id", "process_id", "wave", "group", "role", "language", "weight"}
)

# libyaml's safe loader when available (about ten times faster), else the pure-Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_file(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Read a YAML file into a mapping, or return the problem that prevents it."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [Problem(file, "", "", f"cannot read file: {exc.strerror or exc}")]
    except UnicodeDecodeError as exc:
        return None, [Problem(file, f"byte {exc.start}", "", "file is not UTF-8 encoded")]
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(file, where, "", f"invalid YAML: {reason}")]
    if not isinstance(data, dict):
        return None, [
            Problem(file, "", "", "expected a YAML mapping with keys id, version, items, ...")
        ]
    return data, []


def _location(data: dict[str, Any], loc: tuple[int | str, ...]) -> tuple[str, str]:
    """Turn a pydantic error location into (human location, field)."""
    if len(loc) >= 2 and loc[0] in ("items", "response_scales", "scales", "modules"):
        index = loc[1]
        entries = data.get(str(loc[0]))
        label = f"{loc[0]}[{index}]"
        if isinstance(index, int) and isinstance(entries, list) and index < len(entries):
            entry = entries[index]
            if isinstance(entry, dict) and "id" in entry:
                kind = {"items": "item", "response_scales": "response scale", "scales": "scale"}
                label = f"{kind.get(str(loc[0]), 'entry')} {entry['id']!r}"
            elif isinstance(entry, dict) and "instrument" in entry:
                label = f"module {entry['instrument']!r}"
        field = ".".join(str(p) for p in loc[2:]) or str(loc[0])
        return label, field
    return "", ".".join(str(p) for p in loc)


def _structure_problems(
    file: str, data: dict[str, Any], exc: ValidationError
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        where, field = _location(data, tuple(err["loc"]))
        msg = err["msg"]
        if err["type"] == "literal_error":
            msg = f"value {err.get('input')!r} is not allowed: {msg}"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field (check its spelling)"
        problems.append(Problem(file, where, field, msg))
    return problems


def _is_choice_list(rs: ResponseScale) -> bool:
    """Whether items on this scale are answered by choosing from a list (as the XLSForm export asks them)."""
    if rs.type in ("likert", "categorical"):
        return True
    if rs.type != "numeric" or rs.min is None or rs.max is None:
        return False
    lo, hi = float(rs.min), float(rs.max)
    return lo.is_integer() and hi.is_integer() and hi - lo + 1 <= 21


def _semantic_problems(file: str, ins: Instrument) -> list[Problem]:
    out: list[Problem] = []
    p = out.append
    if not is_snake_case(ins.id):
        p(Problem(file, "", "id", f"instrument id {ins.id!r} must be snake_case"))
    if "en" not in ins.languages:
        p(Problem(file, "", "languages", "English ('en') is required in every instrument"))
    for lang in ins.languages:
        if not is_language_code(lang):
            p(Problem(file, "", "languages", f"{lang!r} is not a two-letter ISO 639-1 code"))
    if "en" not in ins.title:
        p(Problem(file, "", "title", "title has no English ('en') text"))

    scales: dict[str, ResponseScale] = {}
    for rs in ins.response_scales:
        where = f"response scale {rs.id!r}"
        if rs.id in scales:
            p(Problem(file, where, "id", "duplicate response scale id"))
        scales[rs.id] = rs
        if rs.type in ("likert", "categorical") and not rs.values:
            p(Problem(file, where, "values", f"a {rs.type} scale needs a list of values"))
        if rs.type == "numeric" and (rs.min is None or rs.max is None):
            p(Problem(file, where, "min/max", "a numeric scale needs min and max"))
        if rs.min is not None and rs.max is not None and rs.min > rs.max:
            p(Problem(file, where, "min/max", f"min {rs.min} is greater than max {rs.max}"))
        values = [v.value for v in rs.values]
        if len(values) != len(set(values)):
            p(Problem(file, where, "values", "duplicate response values"))
        for v in rs.values:
            if "en" not in v.labels:
                p(Problem(file, where, "values", f"value {v.value!r} has no English label"))
            for lang in sorted(set(ins.languages) - set(v.labels) - {"en"}):
                p(Problem(file, where, f"values.labels.{lang}", f"value {v.value!r} has no {lang!r} label, but the instrument declares language {lang!r}"))
        for m in rs.missing_codes:
            for lang in sorted(set(ins.languages) - set(m.labels)):
                p(Problem(file, where, f"missing_codes.labels.{lang}", f"missing code {m.code!r} has no {lang!r} label, but the instrument declares language {lang!r}"))
        codes = {m.code for m in rs.missing_codes}
        clash = codes & set(values)
        if clash:
            p(Problem(file, where, "missing_codes", f"codes {sorted(map(str, clash))} are also answer values"))
        for a in rs.agree_values:
            if a not in values:
                p(Problem(file, where, "agree_values", f"{a!r} is not one of the scale's values"))

    seen: set[str] = set()
    for it in ins.items:
        where = f"item {it.id!r}"
        if not is_snake_case(it.id):
            p(Problem(file, where, "id", "item ids must be snake_case"))
        if it.id in RESERVED_COLUMNS:
            p(Problem(file, where, "id", f"{it.id!r} is a column of the canonical responses table; choose another item id"))
        if it.id in seen:
            p(Problem(file, where, "id", "duplicate item id"))
        seen.add(it.id)
        if "en" not in it.text:
            p(Problem(file, where, "text", "missing English ('en') text"))
        for lang in sorted(set(ins.languages) - set(it.text) - {"en"}):
            p(Problem(file, where, f"text.{lang}", f"missing {lang!r} text, but the instrument declares language {lang!r}"))
        for m in it.missing_codes or []:
            for lang in sorted(set(ins.languages) - set(m.labels)):
                p(Problem(file, where, f"missing_codes.labels.{lang}", f"missing code {m.code!r} has no {lang!r} label"))
        for lang in it.translations:
            if lang not in ins.languages:
                p(Problem(file, where, f"translations.{lang}", f"language {lang!r} is not among the instrument's languages"))
        for lang in it.text:
            if lang not in ins.languages:
                p(Problem(file, where, f"text.{lang}", f"language {lang!r} is not among the instrument's languages"))
        item_scale = scales.get(it.scale)
        if item_scale is None:
            known = ", ".join(sorted(scales)) or "none defined"
            p(Problem(file, where, "scale", f"unknown response scale {it.scale!r} (known: {known})"))
        elif it.reverse and item_scale.type not in ("likert", "numeric"):
            p(Problem(file, where, "reverse", f"cannot reverse-key an item on a {item_scale.type} scale"))
        if item_scale is not None and item_scale.type == "text" and not it.free_text:
            p(Problem(file, where, "free_text", "items on a text scale must set free_text: true"))
        if not it.waves:
            p(Problem(file, where, "waves", "an item must be asked in at least one wave"))
        if item_scale is not None and (it.randomize if it.randomize is not None else item_scale.randomize) \
                and not _is_choice_list(item_scale):
            p(Problem(file, where, "randomize",
                      f"answer options can only be randomised on a list of options; {it.scale!r} is a "
                      f"{item_scale.type} scale" + (" with more than 21 points" if item_scale.type == "numeric" else "")))
        if it.process_field is not None and not is_snake_case(it.process_field):
            p(Problem(file, where, "process_field", f"{it.process_field!r} is not a snake_case column name"))
        if not it.respondents:
            p(Problem(file, where, "respondents", "an item needs at least one respondent role"))

    items: dict[str, Item] = {it.id: it for it in ins.items}
    scale_ids: set[str] = set()
    for sc in ins.scales:
        where = f"scale {sc.id!r}"
        if sc.id in scale_ids:
            p(Problem(file, where, "id", "duplicate scale id"))
        scale_ids.add(sc.id)
        if sc.id in items:
            p(Problem(file, where, "id", "a scale cannot share its id with an item"))
        for item_id in sc.items:
            member = items.get(item_id)
            if member is None:
                p(Problem(file, where, "items", f"unknown item {item_id!r}"))
                continue
            member_scale = scales.get(member.scale)
            if member_scale is not None and member_scale.type not in ("likert", "numeric"):
                p(Problem(file, where, "items", f"item {item_id!r} is {member_scale.type}; only likert or numeric items can be scored"))
        if len(sc.items) < 2:
            p(Problem(file, where, "items", "a scale needs at least two items"))
        if sc.scoring.min_valid > len(sc.items):
            p(Problem(file, where, "scoring.min_valid", f"{sc.scoring.min_valid} exceeds the number of items ({len(sc.items)})"))
    return out


def check_definition(
    data: dict[str, Any], file: str
) -> tuple[Instrument | Questionnaire | None, list[Problem]]:
    """Validate one parsed YAML mapping as an instrument or a questionnaire.

    Returns the model (``None`` when the structure is invalid) and every problem found.
    """
    if data.get("kind") == "questionnaire":
        try:
            q = Questionnaire.model_validate(data)
        except ValidationError as exc:
            return None, _structure_problems(file, data, exc)
        problems = []
        if "en" not in q.languages:
            problems.append(Problem(file, "", "languages", "English ('en') is required"))
        if not is_snake_case(q.id):
            problems.append(Problem(file, "", "id", f"questionnaire id {q.id!r} must be snake_case"))
        return q, problems
    try:
        ins = Instrument.model_validate(data)
    except ValidationError as exc:
        return None, _structure_problems(file, data, exc)
    return ins, _semantic_problems(file, ins)
