"""The example tables pass deliberval's own schemas and validation unchanged."""

from __future__ import annotations

from functools import cache

import pytest

from deliberval.datasets import Example, load_example
from deliberval.datasets._items import ITEMS
from deliberval.instruments import load_questionnaire
from deliberval.schemas.responses import responses_schema
from deliberval.schemas.tables import process_schema, targets_schema
from deliberval.validation import validate

NAMES = ["gentofte_ptc", "wallonia_committee", "climate_assembly", "cofoe_panel"]


@cache
def example(name: str) -> Example:
    return load_example(name)


@pytest.mark.parametrize("name", NAMES)
def test_tables_pass_the_canonical_schemas(name: str) -> None:
    ex = example(name)
    schema = responses_schema(load_questionnaire("participant_standard"))
    assert len(schema.validate(ex.responses, lazy=True)) == len(ex.responses)
    assert len(process_schema().validate(ex.process, lazy=True)) == 1
    assert len(targets_schema(tolerance=1e-9).validate(ex.targets, lazy=True)) == len(ex.targets)


@pytest.mark.parametrize("name", NAMES)
def test_validation_keeps_every_row_and_counts_the_missing_codes(name: str) -> None:
    ex = example(name)
    result = validate(ex.responses, "participant_standard")
    assert len(result.valid) == len(ex.responses)
    assert len(result.quarantined) == 0
    assert set(result.failures["check"]) <= {"straightlining"}  # warnings only, never errors
    summary = result.summary
    counted = summary.loc[summary["check"] == "missing_code", "n"].sum()
    expected = sum(
        int(ex.responses[it.id].isin([code for code, _, _ in it.missing_codes]).sum()) for it in ITEMS
    )
    expected += int(sum((ex.responses[c] == "refused").sum() for c in ex.responses.columns if c.startswith("demo_")))
    assert counted == expected
