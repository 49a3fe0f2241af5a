"""Export the canonical responses table of an instrument as a Frictionless Table Schema."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from deliberval.instruments.export._common import format_value
from deliberval.instruments.model import ROLES, WAVES, Instrument, Item

__all__ = ["GROUPS", "TABLE_SCHEMA_PROFILE", "table_schema", "to_frictionless"]

#: Profile URL of Frictionless Table Schema v2, written as ``$schema``.
TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
#: Allowed values of the ``group`` column of the canonical responses table.
GROUPS: tuple[str, ...] = ("participant", "control", "pool", "population")


def _number_type(*values: object) -> str:
    nums = [v for v in values if v is not None]
    ok = all(isinstance(v, int | float) and float(v).is_integer() for v in nums)
    return "integer" if ok else "number"


def _typed(value: object, type_: str) -> object:
    if type_ == "integer" and isinstance(value, int | float):
        return int(value)
    return value


def _item_field(ins: Instrument, it: Item) -> dict[str, Any]:
    scale = ins.response_scale(it.scale)
    codes = ins.missing_codes(it.id)
    field: dict[str, Any] = {"name": it.id, "title": it.id, "description": it.text["en"]}
    constraints: dict[str, Any] = {}
    if scale.type == "text":
        field["type"] = "string"
    elif scale.type == "numeric":
        field["type"] = _number_type(scale.min, scale.max)
        constraints["minimum"] = _typed(scale.min, field["type"])
        constraints["maximum"] = _typed(scale.max, field["type"])
    else:
        values = [v.value for v in scale.values]
        field["type"] = (
            "string" if any(isinstance(v, str) for v in values) else _number_type(*values)
        )
        constraints["enum"] = [_typed(v, field["type"]) for v in values]
        field["categories"] = [
            {"value": _typed(v.value, field["type"]), "label": v.labels["en"]} for v in scale.values
        ]
    if constraints:
        field["constraints"] = constraints
    field["missingValues"] = ["", *[format_value(m.code) for m in codes]]
    notes = [f"response scale {scale.id} ({scale.type})", f"construct {it.construct}"]
    if it.reverse:
        notes.append("reverse-keyed")
    if codes:
        notes.append("missing codes: " + ", ".join(f"{format_value(m.code)} = {m.meaning}" for m in codes))
    notes.append("waves: " + ", ".join(it.waves))
    field["description"] += " [" + "; ".join(notes) + "]"
    return field


def table_schema(instrument: Instrument) -> dict[str, Any]:
    """The Frictionless Table Schema of the canonical responses table of an instrument.

    One row per respondent and wave: ``respondent_id, process_id, wave, group, role,
    language``, an optional ``weight`` and one field per item holding the raw answer code.

    Parameters
    ----------
    instrument : Instrument
        An instrument or a resolved questionnaire.

    Returns
    -------
    dict
        A Table Schema (v2) as plain JSON-ready data: ``fields``, ``missingValues``,
        ``primaryKey`` and ``$schema``. Item fields carry ``constraints`` (``enum`` for
        Likert and categorical items, ``minimum``/``maximum`` for numeric ones),
        ``categories`` with the English value labels, and a field-level ``missingValues``
        list of the item's missing-value codes (plus the empty string).

    Examples
    --------
    >>> from deliberval.instruments import load_instrument
    >>> schema = table_schema(load_instrument("institutional_trust"))
    >>> [f["name"] for f in schema["fields"]][:8]
    ['respondent_id', 'process_id', 'wave', 'group', 'role', 'language', 'weight', 'trust_parliament']
    >>> trust = schema["fields"][7]
    >>> trust["type"], trust["constraints"], trust["missingValues"]
    ('integer', {'minimum': 0, 'maximum': 10}, ['', '77', '88'])
    """
    fields: list[dict[str, Any]] = [
        {"name": "respondent_id", "type": "string", "constraints": {"required": True},
         "description": "Pseudonymous respondent identifier, stable across waves."},
        {"name": "process_id", "type": "string", "constraints": {"required": True},
         "description": "Identifier of the deliberative process."},
        {"name": "wave", "type": "string", "constraints": {"required": True, "enum": list(WAVES)},
         "description": "Survey wave."},
        {"name": "group", "type": "string", "constraints": {"required": True, "enum": list(GROUPS)},
         "description": "participant (member), control, pool (invited but not selected) or population sample."},
        {"name": "role", "type": "string", "constraints": {"required": True, "enum": list(ROLES)},
         "description": "Role of the respondent in the process."},
        {"name": "language", "type": "string",
         "constraints": {"required": True, "pattern": "^[a-z]{2}$"},
         "description": "Language of the questionnaire answered (ISO 639-1)."},
        {"name": "weight", "type": "number", "constraints": {"minimum": 0},
         "description": "Optional survey weight (empty when unweighted)."},
    ]
    fields += [_item_field(instrument, it) for it in instrument.items]
    return {
        "$schema": TABLE_SCHEMA_PROFILE,
        "title": f"{instrument.title.get('en', instrument.id)} ({instrument.id} {instrument.version})",
        "fields": fields,
        "missingValues": [""],
        "primaryKey": ["process_id", "respondent_id", "wave"],
    }


def to_frictionless(instrument: Instrument, path: str | os.PathLike[str]) -> Path:
    """Write :func:`table_schema` of an instrument as a JSON file.

    Parameters
    ----------
    instrument : Instrument
        An instrument or a resolved questionnaire.
    path : path-like
        The ``.json`` file to write (parent folders are created).

    Returns
    -------
    pathlib.Path
        The file written (UTF-8, indented, non-ASCII kept).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from deliberval.instruments import load_questionnaire
    >>> from deliberval.instruments.export import to_frictionless
    >>> q = load_questionnaire("control_standard")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = to_frictionless(q, pathlib.Path(tmp) / "control.schema.json")
    ...     schema = json.loads(out.read_text(encoding="utf-8"))
    >>> len(schema["fields"]) == 7 + len(q.items)
    True
    >>> schema["primaryKey"]
    ['process_id', 'respondent_id', 'wave']
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(table_schema(instrument), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return out
