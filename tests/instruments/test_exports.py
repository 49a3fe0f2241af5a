"""Exports: XLSForm (converted by pyxform in every language), codebook, Frictionless Table Schema."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from deliberval.errors import InstrumentError
from deliberval.instruments import (
    list_instruments,
    load_instrument,
    table_schema,
    to_codebook,
    to_frictionless,
    to_xlsform,
)
from deliberval.instruments.export._common import language_label

from .conftest import minimal, write_yaml

ALL_IDS = list(list_instruments()["id"])
XF = "{http://www.w3.org/2002/xforms}"


def _sheet(path: Path, name: str) -> list[dict[str, Any]]:
    rows = list(load_workbook(path)[name].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def _translations(xform: str) -> dict[str, dict[str, str]]:
    """{language name: {itext id: text}} of a converted XForm."""
    root = ET.fromstring(xform)
    out: dict[str, dict[str, str]] = {}
    for tr in root.iter(f"{XF}translation"):
        texts = {}
        for text in tr.iter(f"{XF}text"):
            value = text.find(f"{XF}value")
            texts[text.attrib["id"]] = "".join(value.itertext()) if value is not None else ""
        out[tr.attrib["lang"]] = texts
    return out


# ---- XLSForm ------------------------------------------------------------------------------


@pytest.mark.parametrize("instrument_id", ALL_IDS)
def test_xlsform_converts_in_every_language(instrument_id: str, tmp_path: Path) -> None:
    ins = load_instrument(instrument_id)
    path = to_xlsform(ins, tmp_path / f"{instrument_id}.xlsx")
    warnings: list[str] = []
    result = convert(str(path), warnings=warnings)
    assert warnings == []
    translations = _translations(result.xform)
    assert set(translations) == {language_label(lang) for lang in ins.languages}
    for lang in ins.languages:
        texts = translations[language_label(lang)]
        for it in ins.items:
            assert texts[f"/data/{it.id}:label"] == it.text[lang]


@pytest.mark.parametrize("lang", ["fr", "nl", "de", "da"])
def test_xlsform_single_language_form(lang: str, tmp_path: Path) -> None:
    # participant_standard holds every module, so this covers every item in each language alone.
    ins = load_instrument("participant_standard")
    path = to_xlsform(ins, tmp_path / "form.xlsx", languages=[lang])
    warnings: list[str] = []
    result = convert(str(path), warnings=warnings)
    assert warnings == []
    assert set(_translations(result.xform)) == {language_label(lang)}
    settings = _sheet(path, "settings")[0]
    assert settings["default_language"] == language_label(lang)


def test_xlsform_sheets_and_choices(tmp_path: Path) -> None:
    ins = load_instrument("control_standard")
    path = to_xlsform(ins, tmp_path / "control.xlsx", languages=["en", "fr"])
    survey = _sheet(path, "survey")
    assert [r["name"] for r in survey[:2]] == ["respondent_id", "wave"]
    assert "role" not in [r["name"] for r in survey]  # every control item is asked of citizens
    assert [r["name"] for r in survey[2:]] == ins.item_ids()
    by_name = {r["name"]: r for r in survey}
    assert by_name["trust_parliament"]["type"] == "select_one trust_0_10"
    assert by_name["trust_parliament"]["required"] == "yes"
    assert by_name["trust_parliament"]["relevant"] in (None, "")
    assert by_name["demo_gender"]["relevant"] == "selected(${wave}, 'pre')"
    assert by_name["efficacy_int_understand"]["label::Français (fr)"].startswith("Je suis capable")
    choices = _sheet(path, "choices")
    trust = [c for c in choices if c["list_name"] == "trust_0_10"]
    assert [c["name"] for c in trust] == [str(i) for i in range(11)] + ["77", "88"]
    assert trust[0]["label::English (en)"] == "0 (No trust at all)"
    assert trust[5]["label::English (en)"] == "5"
    assert trust[-1]["label::Français (fr)"] == "Ne sait pas"
    agree = [c for c in choices if c["list_name"] == "agree_5"]
    assert [c["name"] for c in agree] == ["1", "2", "3", "4", "5", "8", "9"]
    gender = [c["name"] for c in choices if c["list_name"] == "gender_3"]
    assert gender == ["woman", "man", "other", "refused"]
    settings = _sheet(path, "settings")[0]
    assert settings == {
        "form_title": "Standard control-group questionnaire (pre, post, follow-up)",
        "form_id": "control_standard",
        "version": "1.0.0",
        "default_language": "English (en)",
    }


def test_xlsform_roles_and_waves_relevance(tmp_path: Path) -> None:
    path = to_xlsform(load_instrument("participant_standard"), tmp_path / "p.xlsx")
    by_name = {r["name"]: r for r in _sheet(path, "survey")}
    assert by_name["role"]["type"] == "select_one dv_role"
    assert by_name["hybrid_usefulness"]["relevant"] == (
        "(selected(${wave}, 'pre') or selected(${wave}, 'post')) and "
        "(selected(${role}, 'politician') or selected(${role}, 'civil_servant'))"
    )
    assert by_name["dx_comments"]["type"] == "text"
    assert by_name["dx_comments"]["required"] in (None, "")


def test_xlsform_one_wave(tmp_path: Path) -> None:
    ins = load_instrument("perceived_influence")
    path = to_xlsform(ins, tmp_path / "post.xlsx", wave="post")
    survey = _sheet(path, "survey")
    assert [r["name"] for r in survey] == [
        "respondent_id", "wave", "role",
        "influence_perceived", "influence_confidence_response", "influence_have_say",
    ]
    assert survey[1]["type"] == "calculate"
    assert survey[1]["calculation"] == "'post'"
    assert convert(str(path)).xform
    with pytest.raises(InstrumentError, match="no item is asked in wave 'follow_up'"):
        to_xlsform(load_instrument("hybrid_body"), tmp_path / "x.xlsx", wave="follow_up")


def test_xlsform_wide_numeric_scale_uses_constraint(tmp_path: Path) -> None:
    doc = minimal()
    doc["response_scales"].append(
        {"id": "thermo", "type": "numeric", "min": 0, "max": 100,
         "missing_codes": [{"code": 999, "meaning": "dont_know", "labels": {"en": "Don't know"}}]}
    )
    doc["items"].append(
        {"id": "my_thermometer", "construct": "feeling", "text": {"en": "How warm do you feel?"},
         "scale": "thermo", "waves": ["pre"], "respondents": ["citizen"],
         "source": {"citation": "test", "wording": "new"}}
    )
    write_yaml(tmp_path / "lib" / "mine.yaml", doc)
    ins = load_instrument("my_module", [tmp_path / "lib"])
    path = to_xlsform(ins, tmp_path / "mine.xlsx")
    row = {r["name"]: r for r in _sheet(path, "survey")}["my_thermometer"]
    assert row["type"] == "integer"
    assert row["constraint"] == "(. >= 0 and . <= 100) or . = 999"
    assert row["hint::English (en)"] == "999 = Don't know"
    warnings: list[str] = []
    assert "my_thermometer" in convert(str(path), warnings=warnings).xform
    assert warnings == []


def test_xlsform_unknown_language(tmp_path: Path) -> None:
    with pytest.raises(
        InstrumentError, match="cannot export 'es'; the instrument is available in: en, fr, nl, de, da"
    ):
        to_xlsform(load_instrument("hybrid_body"), tmp_path / "x.xlsx", languages=["en", "es"])


# ---- codebook -----------------------------------------------------------------------------


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("instrument_id", ALL_IDS)
def test_codebook_markdown_and_html(instrument_id: str, tmp_path: Path) -> None:
    ins = load_instrument(instrument_id)
    md = to_codebook(ins, tmp_path / "c.md").read_text(encoding="utf-8")
    html = to_codebook(ins, tmp_path / "c.html", format="html").read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(html)
    html_text = "".join(parser.text)
    for it in ins.items:
        assert f"### `{it.id}`" in md
        for text in it.text.values():
            assert text in md
            assert text in html_text
        assert f"| Waves | {', '.join(it.waves)} |" in md
    for rs in ins.response_scales:
        for m in rs.missing_codes:
            assert f"| {m.code} | {m.meaning} |" in md
    for sc in ins.scales:
        assert f"### `{sc.id}`" in md
        assert f"at least {sc.scoring.min_valid} items" in md
    assert "</html>" in html
    assert "script" not in parser.tags


def test_codebook_details(tmp_path: Path) -> None:
    md = to_codebook(load_instrument("political_efficacy"), tmp_path / "e.md").read_text(encoding="utf-8")
    assert "| 8 | dont_know | Don't know | Ne sait pas | Weet niet | Weiß nicht | Ved ikke |" in md
    assert "| Reverse-keyed | yes |" in md
    assert "efficacy_int_complicated (R)" in md
    assert "- **Deutsch (de)** (unofficial): Wichtige politische Fragen kann ich gut verstehen und einschätzen." in md
    assert "| Wording | verbatim: ANES asks agree/disagree; 5-point labels used here |" in md
    assert "score = scale minimum + scale maximum - answer" in md
    assert "Values counted as agreement: 4, 5." in md


def test_codebook_escapes_user_text(tmp_path: Path) -> None:
    doc = minimal()
    doc["items"][0]["text"]["en"] = "Is <script>alert(1)</script> a | pipe?"
    write_yaml(tmp_path / "lib" / "mine.yaml", doc)
    ins = load_instrument("my_module", [tmp_path / "lib"])
    html = to_codebook(ins, tmp_path / "c.html", format="html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    md = to_codebook(ins, tmp_path / "c.md").read_text(encoding="utf-8")
    assert "No published validation evidence" in md
    with pytest.raises(InstrumentError, match="unknown codebook format 'pdf'"):
        to_codebook(ins, tmp_path / "c.pdf", format="pdf")  # type: ignore[arg-type]


# ---- Frictionless Table Schema ------------------------------------------------------------

TYPES = {"string", "number", "integer", "boolean", "object", "array", "date", "time",
         "datetime", "year", "yearmonth", "duration", "geopoint", "geojson", "list", "any"}
CONSTRAINTS = {"required", "unique", "minLength", "maxLength", "minimum", "maximum",
               "exclusiveMinimum", "exclusiveMaximum", "pattern", "enum", "jsonSchema"}


def _check_table_schema(schema: dict[str, Any]) -> None:
    """Structural rules of Frictionless Table Schema (v2) without the frictionless package."""
    assert isinstance(schema["fields"], list)
    assert schema["fields"]
    names = [f["name"] for f in schema["fields"]]
    assert len(names) == len(set(names)), "field names are unique"
    assert all(isinstance(v, str) for v in schema["missingValues"])
    assert set(schema["primaryKey"]) <= set(names)
    for field in schema["fields"]:
        assert isinstance(field["name"], str)
        assert field["name"]
        assert field["type"] in TYPES
        constraints = field.get("constraints", {})
        assert set(constraints) <= CONSTRAINTS, field["name"]
        py = {"integer": int, "number": (int, float), "string": str}[field["type"]]
        for v in constraints.get("enum", []):
            assert isinstance(v, py), (field["name"], v)
            assert not isinstance(v, bool), (field["name"], v)
        for key in ("minimum", "maximum"):
            if key in constraints:
                assert isinstance(constraints[key], py)
        if "minimum" in constraints and "maximum" in constraints:
            assert constraints["minimum"] <= constraints["maximum"]
        if "pattern" in constraints:
            re.compile(constraints["pattern"])
        if "missingValues" in field:
            assert all(isinstance(v, str) for v in field["missingValues"])
        for cat in field.get("categories", []):
            assert set(cat) == {"value", "label"}
            assert cat["value"] in constraints["enum"]


def _cell_ok(field: dict[str, Any], cell: str) -> bool:
    """Whether one CSV cell satisfies a field (missing values first, then type and constraints)."""
    missing = field.get("missingValues", [""])
    constraints = field.get("constraints", {})
    if cell in missing:
        return not constraints.get("required", False)
    value: Any = cell
    try:
        if field["type"] == "integer":
            value = int(cell)
        elif field["type"] == "number":
            value = float(cell)
    except ValueError:
        return False
    if "enum" in constraints and value not in constraints["enum"]:
        return False
    if "minimum" in constraints and value < constraints["minimum"]:
        return False
    if "maximum" in constraints and value > constraints["maximum"]:
        return False
    return not ("pattern" in constraints and not re.fullmatch(constraints["pattern"], cell))


@pytest.mark.parametrize("instrument_id", ALL_IDS)
def test_frictionless_structure(instrument_id: str, tmp_path: Path) -> None:
    ins = load_instrument(instrument_id)
    path = to_frictionless(ins, tmp_path / "schema.json")
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema == table_schema(ins)
    _check_table_schema(schema)
    names = [f["name"] for f in schema["fields"]]
    assert names == ["respondent_id", "process_id", "wave", "group", "role", "language", "weight",
                     *ins.item_ids()]
    fields = {f["name"]: f for f in schema["fields"]}
    for it in ins.items:
        codes = [str(m.code) for m in ins.missing_codes(it.id)]
        assert fields[it.id]["missingValues"] == ["", *codes]


def test_frictionless_fields_accept_and_reject_cells() -> None:
    fields = {f["name"]: f for f in table_schema(load_instrument("participant_standard"))["fields"]}
    accept = {
        "trust_parliament": ["0", "10", "77", "88", ""],
        "efficacy_ext_no_say": ["1", "5", "8", "9"],
        "influence_have_say": ["3"],
        "demo_gender": ["woman", "refused"],
        "wave": ["pre", "follow_up"],
        "group": ["pool"],
        "role": ["civil_servant"],
        "language": ["nl"],
        "weight": ["1.25", ""],
        "dx_comments": ["anything at all", ""],
    }
    reject = {
        "trust_parliament": ["11", "-1", "99", "5.5", "a lot"],
        "efficacy_ext_no_say": ["0", "6", "7"],
        "demo_gender": ["female", "77"],
        "wave": ["during", ""],
        "respondent_id": [""],
        "language": ["eng", "EN"],
        "weight": ["-0.5"],
    }
    for name, cells in accept.items():
        for cell in cells:
            assert _cell_ok(fields[name], cell), (name, cell)
    for name, cells in reject.items():
        for cell in cells:
            assert not _cell_ok(fields[name], cell), (name, cell)
    assert fields["efficacy_ext_no_say"]["type"] == "integer"
    assert fields["demo_gender"]["categories"][0] == {"value": "woman", "label": "Woman"}
    assert "reverse-keyed" in fields["efficacy_ext_no_say"]["description"]
