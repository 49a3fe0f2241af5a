"""Bad input: one clear message per problem naming file, item and field; exit code 2, no traceback."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from deliberval.errors import Problem
from deliberval.instruments import check_path

from .conftest import minimal, write_yaml


def _item(doc: dict[str, Any], index: int) -> dict[str, Any]:
    item: dict[str, Any] = doc["items"][index]
    return item


def _unknown_scale(doc: dict[str, Any]) -> None:
    _item(doc, 0)["scale"] = "agree_7"


def _duplicate_id(doc: dict[str, Any]) -> None:
    twin = copy.deepcopy(_item(doc, 0))
    doc["items"].append(twin)


def _no_english(doc: dict[str, Any]) -> None:
    _item(doc, 1)["text"] = {"fr": "Je ne suis pas satisfait."}
    doc["languages"]["fr"] = {"status": "unofficial"}
    _item(doc, 0)["text"]["fr"] = "Je suis satisfait."
    for rs in doc["response_scales"]:
        for v in rs["values"]:
            v["labels"]["fr"] = v["labels"]["en"]
        for m in rs.get("missing_codes", []):
            m["labels"]["fr"] = "Refus"


def _reverse_categorical(doc: dict[str, Any]) -> None:
    doc["items"].append(
        {
            "id": "my_colour", "construct": "taste", "text": {"en": "Favourite colour?"},
            "scale": "colour", "reverse": True, "waves": ["pre"], "respondents": ["citizen"],
            "source": {"citation": "test", "wording": "new"},
        }
    )


def _unknown_wave(doc: dict[str, Any]) -> None:
    _item(doc, 1)["waves"] = ["post", "during"]


def _missing_translation(doc: dict[str, Any]) -> None:
    doc["languages"]["de"] = {"status": "unofficial"}
    for it in doc["items"]:
        it["text"]["de"] = "Text"
    del _item(doc, 1)["text"]["de"]
    for rs in doc["response_scales"]:
        for v in rs["values"]:
            v["labels"]["de"] = "x"
        for m in rs.get("missing_codes", []):
            m["labels"]["de"] = "Verweigert"


def _reserved_id(doc: dict[str, Any]) -> None:
    _item(doc, 1)["id"] = "wave"
    doc["scales"][0]["items"] = ["my_item_a", "wave"]


def _unknown_scale_item(doc: dict[str, Any]) -> None:
    doc["scales"][0]["items"] = ["my_item_a", "my_item_z"]


# (mutation, location, field, words in the message)
CASES = {
    "unknown scale": (_unknown_scale, "item 'my_item_a'", "scale",
                      "unknown response scale 'agree_7' (known: agree_5, colour)"),
    "duplicate item id": (_duplicate_id, "item 'my_item_a'", "id", "duplicate item id"),
    "missing English text": (_no_english, "item 'my_item_b'", "text", "missing English ('en') text"),
    "reverse on categorical": (_reverse_categorical, "item 'my_colour'", "reverse",
                               "cannot reverse-key an item on a categorical scale"),
    "unknown wave": (_unknown_wave, "item 'my_item_b'", "waves.1",
                     "value 'during' is not allowed: Input should be 'pre', 'post' or 'follow_up'"),
    "missing translation": (_missing_translation, "item 'my_item_b'", "text.de",
                            "missing 'de' text, but the instrument declares language 'de'"),
    "item id is a responses column": (_reserved_id, "item 'wave'", "id",
                                      "'wave' is a column of the canonical responses table; choose another item id"),
    "unknown item in scale": (_unknown_scale_item, "scale 'my_scale'", "items", "unknown item 'my_item_z'"),
}


def test_minimal_instrument_is_valid(tmp_path: Path) -> None:
    assert check_path(write_yaml(tmp_path / "ok.yaml", minimal())) == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_problem_is_named(case: str, tmp_path: Path) -> None:
    mutate, location, field, message = CASES[case]
    doc = minimal()
    mutate(doc)
    path = write_yaml(tmp_path / "bad.yaml", doc)
    problems = check_path(path)
    assert problems == [Problem(str(path), location, field, message)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_check_exit_code_2_without_traceback(case: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    mutate, location, field, message = CASES[case]
    doc = minimal()
    mutate(doc)
    path = write_yaml(tmp_path / "bad.yaml", doc)
    result = cli("instruments", "check", str(path))
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"error: {Problem(str(path), location, field, message)}"]


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    doc = minimal()
    for mutate in (_unknown_scale, _reverse_categorical, _unknown_scale_item):
        mutate(doc)
    problems = check_path(write_yaml(tmp_path / "bad.yaml", doc))
    assert [(p.location, p.field) for p in problems] == [
        ("item 'my_item_a'", "scale"),
        ("item 'my_colour'", "reverse"),
        ("scale 'my_scale'", "items"),
    ]


def test_bad_yaml_names_line_and_column(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nitems: [a, b\nversion: 1.0.0\n", encoding="utf-8")
    (problem,) = check_path(path)
    assert problem.file == str(path)
    assert problem.location.startswith("line 3, column")
    assert problem.message.startswith("invalid YAML: ")
    result = cli("instruments", "check", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.startswith(f"error: {path}, line 3")


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    assert check_path(path) == [
        Problem(str(path), "", "", "expected a YAML mapping with keys id, version, items, ...")
    ]


def test_misspelt_field_and_bad_version(tmp_path: Path) -> None:
    doc = minimal(version="1.0")
    _item(doc, 0)["revers"] = True
    path = write_yaml(tmp_path / "bad.yaml", doc)
    problems = check_path(path)
    assert Problem(str(path), "item 'my_item_a'", "revers", "unknown field (check its spelling)") in problems
    assert any(p.field == "version" and "'1.0' is not a semantic version" in p.message for p in problems)


def test_user_file_item_clash_with_shipped_library(tmp_path: Path) -> None:
    doc = minimal()
    _item(doc, 0)["id"] = "trust_police"
    doc["scales"][0]["items"] = ["trust_police", "my_item_b"]
    path = write_yaml(tmp_path / "mine.yaml", doc)
    assert check_path(path) == [
        Problem(str(path), "item 'trust_police'", "id",
                "item id is already used by instrument 'institutional_trust'")
    ]


def test_missing_file_and_empty_folder(tmp_path: Path) -> None:
    assert check_path(tmp_path / "nope.yaml")[0].message == "file does not exist"
    assert check_path(tmp_path)[0].message == "no .yaml files in this folder"


def test_shipped_library_passes_check(cli) -> None:  # type: ignore[no-untyped-def]
    from deliberval.instruments.library import shipped_surveys_dir

    folder = shipped_surveys_dir()
    assert check_path(folder) == []
    for path in sorted(folder.glob("*.yaml")):
        assert check_path(path) == [], path.name
        result = cli("instruments", "check", str(path))
        assert result.exit_code == 0, result.output
    result = cli("instruments", "check")
    assert result.exit_code == 0
    assert "is a valid instrument definition" in result.stdout


def test_questionnaire_module_references_are_checked(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    write_yaml(tmp_path / "mine.yaml", minimal())
    path = write_yaml(
        tmp_path / "q.yaml",
        {
            "kind": "questionnaire", "id": "my_q", "version": "0.1.0", "title": {"en": "Q"},
            "languages": {"en": {"status": "source"}}, "licence": "x",
            "modules": [
                {"instrument": "my_module"},
                {"instrument": "political_efficacy", "items": ["efficacy_int_understand", "efficacy_typo"]},
                {"instrument": "no_such_module"},
            ],
        },
    )
    assert check_path(tmp_path) == [
        Problem(str(path), "module 'political_efficacy'", "items", "instrument has no item 'efficacy_typo'"),
        Problem(str(path), "module 'no_such_module'", "instrument", "no instrument with this id in the library"),
    ]
    result = cli("instruments", "check", str(tmp_path))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 2
