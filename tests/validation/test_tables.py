"""validate_members, validate_targets, validate_process: coercion, quarantine and failure rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deliberval.datasets import load_example
from deliberval.errors import DataInputError
from deliberval.io import InputFile, read_table
from deliberval.validation import (
    FAILURE_COLUMNS,
    ValidationResult,
    validate_members,
    validate_process,
    validate_targets,
)


def _invariant(res: ValidationResult, df: pd.DataFrame) -> None:
    assert len(res.valid) + len(res.quarantined) == res.n_rows == len(df)
    assert list(res.failures.columns) == list(FAILURE_COLUMNS)
    assert set(res.tables()) == {"valid", "quarantined", "failures", "summary"}
    assert sorted([*res.valid.index, *res.quarantined.index]) == sorted(df.index)


@pytest.fixture(scope="module")
def example():
    return load_example("climate_assembly")


def test_example_tables_are_valid(example):
    for validator, table in ((validate_members, example.members), (validate_targets, example.targets),
                             (validate_process, example.process)):
        res = validator(table)
        _invariant(res, table)
        assert res.all_valid, res.failures
        assert len(res.failures) == 0


def test_members_from_csv_text_become_booleans(example, tmp_path):
    path = tmp_path / "members.csv"
    example.members.to_csv(path, index=False)
    df = read_table(InputFile.read(path))
    res = validate_members(df, source=str(path))
    assert res.all_valid
    for flag in ("invited", "volunteered", "selected", "attended_all", "answered_post"):
        assert res.valid[flag].dtype == bool
        assert res.valid[flag].tolist() == example.members[flag].tolist()


def test_member_flag_maybe_quarantines_that_row_with_a_clear_failure(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("person_id,process_id,invited,volunteered,selected\n"
                    "a,p,yes,YES,1\nb,p,true,no,0\nc,p,maybe,0,\nd,p,1,0,false\n")
    res = validate_members(read_table(path), source="members.csv")
    _invariant(res, read_table(path))
    assert res.quarantined["person_id"].tolist() == ["c"]
    assert res.valid["invited"].tolist() == [True, True, True]
    assert res.valid["selected"].tolist() == [True, False, False]
    f = res.failures.iloc[0].to_dict()
    assert len(res.failures) == 1
    assert {k: f[k] for k in ("source", "row", "line", "id", "column", "value", "check", "severity")} == {
        "source": "members.csv", "row": 2, "line": 4, "id": "c", "column": "invited", "value": "maybe",
        "check": "not_boolean", "severity": "error"}
    assert "true or false" in f["expected"]
    assert "'maybe'" in f["message"]


def test_members_funnel_and_duplicates():
    df = pd.DataFrame({"person_id": ["a", "b", "b", "c", None], "process_id": "p",
                       "invited": [True, True, True, False, True], "volunteered": [False, True, True, True, False],
                       "selected": [True, False, False, False, False], "role": ["citizen"] * 4 + ["mayor"]},
                      index=[10, 11, 12, 13, 14])
    res = validate_members(df)
    _invariant(res, df)
    assert res.valid.index.tolist() == []
    got = res.failures[["row", "column", "check"]].values.tolist()
    assert got == [
        [0, "selected", "selected_implies_volunteered"],
        [1, "person_id", "unique_person"],
        [2, "person_id", "unique_person"],
        [3, "volunteered", "volunteered_implies_invited"],
        [4, "person_id", "missing_value"],
        [4, "role", "isin"],
    ]
    assert (res.failures["source"] == "members").all()


def test_targets_shares_and_sums(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("dimension,category,share\n"
                    "gender,woman,0.51\ngender,man,0.49\n"
                    "age,young,0.5\nage,old,0.6\n"
                    "edu,low,half\nedu,high,0.5\n"
                    "region,north,1.5\nregion,south,-0.5\n")
    df = read_table(path)
    res = validate_targets(df, source="targets.csv")
    _invariant(res, df)
    assert res.valid["share"].tolist() == [0.51, 0.49]
    assert res.valid["share"].dtype == float
    f = res.failures
    sums = f[f["check"] == "shares_sum_to_one"]
    # age sums to 1.1; edu cannot sum to 1 with a share that is not a number (its other row)
    assert sums["line"].tolist() == [4, 5, 7]
    assert (sums["severity"] == "error").all()
    assert f.loc[f["check"] == "not_a_number", ["line", "value"]].values.tolist() == [[6, "half"]]
    assert f.loc[f["check"] == "in_range", "line"].tolist() == [8, 9]


def test_targets_within_tolerance_and_missing_columns():
    df = pd.DataFrame({"dimension": ["g", "g"], "category": ["w", "m"], "share": [0.505, 0.5]})
    assert validate_targets(df).all_valid
    assert not validate_targets(df, tolerance=0.001).all_valid
    with pytest.raises(DataInputError, match="share"):
        validate_targets(df.drop(columns="share"))


def test_process_one_row_coerced(example, tmp_path):
    path = tmp_path / "process.csv"
    example.process.to_csv(path, index=False, date_format="%Y-%m-%d")
    df = read_table(path)
    res = validate_process(df, source="process.csv")
    assert res.all_valid, res.failures
    assert pd.api.types.is_datetime64_any_dtype(res.valid["start_date"])
    assert res.valid.loc[0, "n_sessions"] == example.process.loc[0, "n_sessions"]


def test_process_with_two_rows_is_quarantined_whole(example):
    df = pd.concat([example.process, example.process], ignore_index=True)
    res = validate_process(df)
    _invariant(res, df)
    assert len(res.quarantined) == 2
    assert res.valid.empty
    assert set(res.failures["check"]) == {"one_row"}
    assert "2 rows" in res.failures.loc[0, "message"]


def test_process_bad_values(example):
    df = example.process.astype({"start_date": "str", "end_date": "str"}).assign(
        model=["town_hall"], start_date=["2024-05-01"], end_date=["2024-01-01"])
    res = validate_process(df)
    _invariant(res, df)
    assert not res.all_valid
    assert set(res.failures["check"]) >= {"isin", "end_not_before_start"}
    res = validate_process(df.drop(columns=["name"]).assign(model="citizens_assembly", end_date="2024-06-01"))
    assert res.failures["check"].tolist() == ["missing_column"]
    res = validate_process(df.assign(model="citizens_assembly", start_date="soon", end_date="2024-06-01"))
    assert res.failures[["column", "check", "value"]].values.tolist() == [["start_date", "not_a_date", "soon"]]


def test_not_a_dataframe():
    for validator in (validate_members, validate_targets, validate_process):
        with pytest.raises(DataInputError, match="DataFrame"):
            validator(np.zeros(3))  # type: ignore[arg-type]
