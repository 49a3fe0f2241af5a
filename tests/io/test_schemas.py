"""Schemas of the canonical tables: what passes and what each check rejects."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest

from deliberval.schemas import (
    dri_survey_schema,
    item_rules,
    members_schema,
    process_schema,
    responses_schema,
    targets_schema,
)


def _failed_checks(schema, df) -> set[str]:
    with pytest.raises(pa.errors.SchemaErrors) as info:
        schema.validate(df, lazy=True)
    return set(info.value.failure_cases["check"].astype(str))


def test_item_rules_from_the_fixture_instrument(fixture_instrument):
    rules = item_rules(fixture_instrument)
    assert rules["fx_eff_1"].values == (1.0, 2.0, 3.0, 4.0, 5.0)
    assert rules["fx_eff_1"].missing == {8: "dont_know", 9: "refused"}
    assert rules["fx_gender"].kind == "categorical"
    assert rules["fx_gender"].missing == {"dk": "dont_know"}
    assert rules["fx_comment"].free_text
    assert rules["fx_trust"].expected() == "a number from 0 to 10; missing codes 77, 88"


def test_responses_schema_rejects_out_of_scale_codes(fixture_instrument):
    schema = responses_schema(fixture_instrument)
    ok = pd.DataFrame({"respondent_id": ["a"], "wave": ["pre"], "fx_eff_1": [9.0], "fx_gender": ["dk"]})
    assert len(schema.validate(ok)) == 1
    bad = ok.assign(fx_eff_1=[6.0], wave=["Pre"])
    checks = _failed_checks(schema, bad)
    assert "isin(['pre', 'post', 'follow_up'])" in checks
    assert any("expected one of 1, 2, 3, 4, 5; missing codes 8, 9" in c for c in checks)


def test_targets_must_sum_to_one_per_dimension():
    df = pd.DataFrame({"population_id": ["be"] * 3, "dimension": ["demo_gender"] * 2 + ["demo_region"],
                       "category": ["woman", "man", "region_1"], "share": [0.5, 0.45, 1.0],
                       "source": ["census"] * 3, "year": [2023] * 3})
    assert _failed_checks(targets_schema(), df) == {"shares of a dimension must sum to 1 +/- 0.01"}
    assert len(targets_schema(tolerance=0.06).validate(df)) == 3


def test_members_funnel_must_be_monotone():
    df = pd.DataFrame({"person_id": ["a", "b"], "process_id": ["p", "p"], "invited": [True, True],
                       "volunteered": [False, True], "selected": [True, True], "attended_all": [False, True],
                       "answered_post": [True, True]})
    assert _failed_checks(members_schema(), df) == {"selected_implies_volunteered"}


def test_process_dates_and_model():
    df = pd.DataFrame({"process_id": ["p"], "name": ["x"], "model": ["town_hall"],
                       "start_date": pd.to_datetime(["2024-05-01"]), "end_date": pd.to_datetime(["2024-01-01"])})
    checks = _failed_checks(process_schema(), df)
    assert "end_not_before_start" in checks
    assert any(c.startswith("isin") for c in checks)


def test_example_tables_fit_the_schemas():
    from deliberval.datasets import load_example

    ex = load_example("climate_assembly")
    for schema, table in ((process_schema(), ex.process), (targets_schema(), ex.targets), (members_schema(), ex.members)):
        if table is None:
            continue
        try:
            schema.validate(table, lazy=True)
        except pa.errors.SchemaErrors as exc:  # pragma: no cover - shows what differs
            pytest.fail(f"{schema.name}: {exc.failure_cases.head(10).to_dict('records')}")


def test_dri_schema_on_the_real_data(data_dir):
    df = pd.read_csv(data_dir / "deliberr" / "human_data.csv")
    assert len(dri_survey_schema().validate(df)) == 1052
