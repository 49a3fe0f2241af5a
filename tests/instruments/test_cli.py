"""The ``deliberval instruments`` commands: list, show, export, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deliberval.instruments import list_instruments

from .conftest import minimal, write_yaml


def test_list_json_content(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("instruments", "list", "--json")
    assert result.exit_code == 0
    records = {r["id"]: r for r in json.loads(result.stdout)}
    assert set(records) == set(list_instruments()["id"])
    trust = records["institutional_trust"]
    assert trust == {
        "id": "institutional_trust",
        "kind": "instrument",
        "version": "1.0.1",
        "title": "Institutional trust",
        "languages": ["en", "fr", "nl", "de", "da"],
        "n_items": 10,
        "constructs": ["institutional_trust"],
    }
    assert records["political_efficacy"]["constructs"] == ["internal_efficacy", "external_efficacy"]
    assert records["control_standard"]["kind"] == "questionnaire"
    assert records["control_standard"]["n_items"] == 10 + 6 + 1 + 7
    assert records["participant_standard"]["n_items"] == 10 + 6 + 4 + 12 + 3 + 7


def test_list_table_and_user_folder(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_yaml(tmp_path / "mine.yaml", minimal())
    result = cli("instruments", "list", "--surveys", str(tmp_path), "--json")
    assert result.exit_code == 0
    assert "my_module" in {r["id"] for r in json.loads(result.stdout)}
    assert cli("instruments", "list").exit_code == 0


def test_show_json(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("instruments", "show", "political_efficacy", "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    item = {i["id"]: i for i in doc["items"]}["efficacy_ext_no_say"]
    assert item["scale"] == "agree_5"
    assert item["values"] == [1, 2, 3, 4, 5]
    assert item["missing_codes"] == {"8": "dont_know", "9": "refused"}
    assert item["reverse"] is True
    assert item["waves"] == ["pre", "post", "follow_up"]
    assert [s["id"] for s in doc["scales"]] == ["internal_efficacy", "external_efficacy"]


def test_show_language(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("instruments", "show", "political_efficacy", "--json", "--lang", "de")
    texts = {i["id"]: i["text"] for i in json.loads(result.stdout)["items"]}
    assert texts["efficacy_ext_contact"] == "Politiker bemühen sich um engen Kontakt zur Bevölkerung."


def test_show_unknown_id_exit_2(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("instruments", "show", "nope")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "unknown instrument 'nope'" in result.stderr


@pytest.mark.parametrize(
    ("fmt", "name", "start"),
    [
        ("xlsform", "x.xlsx", b"PK"),
        ("codebook", "x.md", b"# Perceived influence"),
        ("codebook", "x.html", b"<!DOCTYPE html>"),
        ("frictionless", "x.json", b"{"),
    ],
)
def test_export_formats(cli, tmp_path: Path, fmt: str, name: str, start: bytes) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "sub" / name
    result = cli("instruments", "export", "perceived_influence", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(start)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "codebook", "-o", "x.txt"], "a codebook is written as .md or .html, got '.txt'"),
        (["--format", "xlsform", "-o", "x.xls"], "an XLSForm is written as .xlsx, got '.xls'"),
        (["--format", "xlsform", "-o", "x.xlsx", "--lang", "es"], "cannot export 'es'"),
        (["--format", "xlsform", "-o", "x.xlsx", "--wave", "later"], "unknown wave 'later'"),
    ],
)
def test_export_bad_arguments(cli, tmp_path: Path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    result = cli("instruments", "export", "political_efficacy", *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert message in result.stderr


def test_schema_command(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("instruments", "schema", "-o", str(tmp_path))
    assert result.exit_code == 0
    schema = json.loads((tmp_path / "instrument.schema.json").read_text(encoding="utf-8"))
    assert schema["title"] == "Instrument"
    assert (tmp_path / "questionnaire.schema.json").is_file()
