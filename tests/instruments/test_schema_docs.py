"""The JSON Schemas committed in docs/ are the ones the pydantic models generate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deliberval.instruments import json_schemas

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("name", ["instrument.schema.json", "questionnaire.schema.json"])
def test_committed_schema_is_current(name: str) -> None:
    committed = json.loads((DOCS / name).read_text(encoding="utf-8"))
    assert committed == json_schemas()[name], (
        f"docs/{name} is stale: run `deliberval instruments schema -o docs`"
    )


def test_schema_describes_the_yaml_keys() -> None:
    schema = json_schemas()["instrument.schema.json"]
    item = schema["$defs"]["Item"]
    assert set(item["required"]) == {"id", "construct", "text", "scale", "waves", "respondents", "source"}
    assert item["properties"]["waves"]["items"]["enum"] == ["pre", "post", "follow_up"]
    assert schema["additionalProperties"] is False
