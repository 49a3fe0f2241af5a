"""Helpers for the instrument tests: a minimal valid instrument and a CLI runner."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from deliberval.cli import app

MINIMAL: dict[str, Any] = {
    "id": "my_module",
    "version": "1.0.0",
    "title": {"en": "My module"},
    "languages": {"en": {"status": "source"}},
    "licence": "CC BY 4.0",
    "response_scales": [
        {
            "id": "agree_5",
            "type": "likert",
            "min": 1,
            "max": 5,
            "values": [{"value": v, "labels": {"en": f"label {v}"}} for v in range(1, 6)],
            "missing_codes": [{"code": 9, "meaning": "refused", "labels": {"en": "Refusal"}}],
        },
        {
            "id": "colour",
            "type": "categorical",
            "values": [{"value": "red", "labels": {"en": "Red"}}, {"value": "blue", "labels": {"en": "Blue"}}],
        },
    ],
    "items": [
        {
            "id": "my_item_a",
            "construct": "satisfaction",
            "text": {"en": "I am satisfied."},
            "scale": "agree_5",
            "waves": ["post"],
            "respondents": ["citizen"],
            "source": {"citation": "test", "wording": "new"},
        },
        {
            "id": "my_item_b",
            "construct": "satisfaction",
            "text": {"en": "I am not satisfied."},
            "scale": "agree_5",
            "reverse": True,
            "waves": ["post"],
            "respondents": ["citizen"],
            "source": {"citation": "test", "wording": "new"},
        },
    ],
    "scales": [
        {
            "id": "my_scale",
            "construct": "satisfaction",
            "items": ["my_item_a", "my_item_b"],
            "scoring": {"method": "mean", "min_valid": 2},
        }
    ],
}


def minimal(**changes: Any) -> dict[str, Any]:
    """A deep copy of the minimal valid instrument with top-level keys replaced."""
    doc = copy.deepcopy(MINIMAL)
    doc.update(changes)
    return doc


def write_yaml(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner: CliRunner):  # type: ignore[no-untyped-def]
    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args))

    return invoke


@pytest.fixture(autouse=True)
def _no_user_surveys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the shipped library unless they set DELIBERVAL_SURVEYS themselves."""
    monkeypatch.delenv("DELIBERVAL_SURVEYS", raising=False)
