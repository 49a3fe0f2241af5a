"""validate(): every check, the invariant, summaries and the DRI data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.errors import DataInputError
from deliberval.instruments import load_instrument
from deliberval.io import canonicalise, read_table
from deliberval.validation import FAILURE_COLUMNS, validate, validate_dri

SURVEYS = Path(__file__).parents[1] / "io" / "fixtures" / "surveys"


@pytest.fixture(scope="module")
def ins():
    return load_instrument("fixture_survey", [SURVEYS])


def _base(n: int = 4) -> pd.DataFrame:
    rows = []
    for i in range(n):
        for wave in ("pre", "post"):
            rows.append({"respondent_id": f"r{i}", "process_id": "p", "wave": wave, "group": "participant",
                         "role": "citizen", "language": "en", "weight": 1.0, "fx_trust": 5.0,
                         "fx_eff_1": 4.0, "fx_eff_2": 2.0, "fx_eff_3": 3.0, "fx_eff_4": 4.0, "fx_eff_5": 5.0,
                         "fx_gender": "woman" if wave == "pre" else None,
                         "fx_age_band": "25_44" if wave == "pre" else None})
    return pd.DataFrame(rows)


def test_clean_data_are_all_valid(ins):
    res = validate(_base(), ins)
    assert res.all_valid
    assert len(res.valid) == 8
    assert len(res.failures) == 0
    assert list(res.failures.columns) == list(FAILURE_COLUMNS)


def test_each_error_is_reported_and_quarantines_its_row(ins):
    df = _base()
    df.loc[0, "fx_trust"] = 11.0          # out of range
    df.loc[1, "fx_eff_1"] = 3.5           # not a Likert value
    df.loc[2, "fx_gender"] = "female"     # not an allowed category
    df.loc[3, "wave"] = "Post-delib"      # unknown wave label
    df.loc[4, "group"] = "Treatment"      # unknown group label
    df.loc[5, "language"] = "EN"          # not ISO 639-1 lower case
    df.loc[6, "weight"] = -1.0            # negative weight
    res = validate(df, ins)
    got = res.failures[res.failures.severity == "error"][["row", "column", "value", "check"]]
    assert got.values.tolist() == [
        [0, "fx_trust", "11", "out_of_range"],
        [1, "fx_eff_1", "3.5", "not_allowed"],
        [2, "fx_gender", "female", "not_allowed"],
        [3, "wave", "Post-delib", "wave_label"],
        [4, "group", "Treatment", "group_label"],
        [5, "language", "EN", "language_code"],
        [6, "weight", "-1", "weight"],
    ]
    msgs = res.failures.set_index("row")["message"]
    assert msgs[3].endswith("did you mean 'post'?")
    assert msgs[4].endswith("did you mean 'participant'?")
    assert msgs[5].endswith("did you mean 'en'?")
    assert "expected a number from 0 to 10; missing codes 77, 88" in msgs[0]
    assert res.quarantined.index.tolist() == [0, 1, 2, 3, 4, 5, 6]
    pd.testing.assert_frame_equal(res.quarantined, df.iloc[:7])  # unchanged
    assert len(res.valid) + len(res.quarantined) == res.n_rows == 8


def test_wrong_types_are_errors_not_silent_na(ins):
    df = _base().astype({"fx_trust": object})
    df.loc[2, "fx_trust"] = "seven"
    res = validate(df, ins)
    f = res.failures
    assert f[["row", "column", "value", "check"]].values.tolist() == [[2, "fx_trust", "seven", "type"]]
    assert f.loc[0, "message"].startswith("not a number; expected a number from 0 to 10")


def test_missing_codes_become_na_only_through_the_instrument_and_are_counted(ins):
    df = _base()
    df.loc[[0, 1, 2], "fx_trust"] = [77.0, 88.0, 88.0]
    df.loc[0, "fx_gender"] = "dk"
    df.loc[3, "fx_eff_2"] = -99.0  # not a missing code of this instrument: an error, not NA
    res = validate(df, ins)
    assert res.valid.loc[[0, 1, 2], "fx_trust"].isna().all()
    assert pd.isna(res.valid.loc[0, "fx_gender"])
    assert 3 in res.quarantined.index
    miss = res.summary[res.summary.check == "missing_code"].set_index(["column", "reason"])["n"].to_dict()
    assert miss == {("fx_trust", "refused (77)"): 1, ("fx_trust", "dont_know (88)"): 2, ("fx_gender", "dont_know (dk)"): 1}
    kept = validate(df, ins, recode_missing=False)
    assert kept.valid.loc[1, "fx_trust"] == 88.0


def test_duplicates_are_all_quarantined(ins):
    df = pd.concat([_base(), _base().iloc[[0]]], ignore_index=True)
    res = validate(df, ins)
    dup = res.failures[res.failures.check == "duplicate"]
    assert dup["row"].tolist() == [0, 8]
    assert dup["message"].iloc[0] == "respondent r0 has 2 rows for wave pre; expected one"
    assert len(res.valid) == 7


def test_post_without_pre_is_flagged_not_dropped(ins):
    df = _base().drop(index=0).reset_index(drop=True)  # r0 has only a post row
    res = validate(df, ins)
    w = res.failures[res.failures.check == "no_pre"]
    assert w[["row", "id", "severity"]].values.tolist() == [[0, "r0", "warning"]]
    assert res.all_valid


def test_straightlining_and_speeding_are_warnings(ins):
    df = _base()
    df.loc[0, ["fx_eff_1", "fx_eff_2", "fx_eff_3", "fx_eff_4", "fx_eff_5"]] = 4.0
    df["duration_seconds"] = [600, 620, 30, 580, 610, 590, 600, 605]
    res = validate(df, ins)
    assert res.failures[["row", "check", "severity"]].values.tolist() == [
        [0, "straightlining", "warning"], [2, "speeding", "warning"],
    ]
    assert res.all_valid


def test_item_answered_in_a_wave_it_is_not_asked_in(ins):
    df = _base()
    df.loc[1, "fx_gender"] = "man"  # gender is asked pre only
    res = validate(df, ins)
    assert res.failures[["row", "check", "severity"]].values.tolist() == [[1, "not_asked_in_wave", "warning"]]


def test_table_level_problems(ins):
    with pytest.raises(DataInputError, match="data lack column\\(s\\) 'wave'"):
        validate(pd.DataFrame({"respondent_id": ["a"]}), ins)
    with pytest.raises(DataInputError, match="must be a pandas DataFrame"):
        validate([1, 2], ins)
    res = validate(_base().drop(columns=["fx_eff_5"]).assign(extra=1), ins)
    assert res.notes == [
        "2 item(s) of 'fixture_survey' have no column: fx_eff_5, fx_comment",
        "column(s) not in instrument 'fixture_survey' kept unchecked: extra",
    ]


def test_original_index_is_kept(ins):
    df = _base().set_axis(range(100, 108))
    df.loc[101, "fx_trust"] = 12.0
    res = validate(df, ins)
    assert res.quarantined.index.tolist() == [101]
    assert res.valid.index.tolist() == [100, 102, 103, 104, 105, 106, 107]


def test_sample_sav_validates_after_mapping(data_dir):
    from deliberval.io import read_spss

    ins = load_instrument("dp_sample", [SURVEYS])
    df = read_spss(data_dir / "deliberative-polling" / "Sample.sav", ins,
                   SURVEYS.parent / "mappings" / "sample_sav_map.yaml")
    res = validate(df, ins)
    assert res.all_valid
    no_pre = res.failures[res.failures.check == "no_pre"]
    assert no_pre["id"].tolist() == ["16"]


def test_human_data_validates_against_the_dri_schema_with_label_warnings(data_dir):
    df = read_table(data_dir / "deliberr" / "human_data.csv")
    res = validate_dri(df)
    assert len(res.valid) == 1052
    assert len(res.quarantined) == 0
    warn = res.failures[res.failures.check == "inconsistent_label"]
    assert len(warn) == 63
    assert set(warn["value"]) == {"Post-delib"}
    assert warn["message"].iloc[0] == (
        "stage label 'Post-delib' (63 rows) differs from 'Post-Delib' (463 rows) used for stage_id 2; "
        "did you mean 'Post-Delib' (wave 'post')? Labels are not merged."
    )
    assert res.valid["stage"].value_counts().to_dict() == {"Pre-Delib": 526, "Post-Delib": 463, "Post-delib": 63}


def test_dri_errors(data_dir):
    df = read_table(data_dir / "deliberr" / "human_data.csv").iloc[:4].copy()
    df.loc[0, "C1"] = "12"
    df.loc[1, "stage_id"] = "3"
    df.loc[2, "P1"] = "x"
    res = validate_dri(df)
    errors = res.failures[res.failures.severity == "error"][["row", "column", "check"]].values.tolist()
    assert errors == [[0, "C1", "rating_range"], [1, "stage_id", "stage_id"], [2, "P1", "type"]]
    assert len(res.valid) + len(res.quarantined) == 4


def test_canonicalised_fixture_validates(ins):
    from tests_io_conftest import make_canonical  # type: ignore[import-not-found]

    res = validate(canonicalise(make_canonical(), ins), ins)
    assert res.all_valid


@pytest.fixture(autouse=True, scope="module")
def _io_conftest_on_path():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("tests_io_conftest", Path(__file__).parents[1] / "io" / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    sys.modules["tests_io_conftest"] = mod
    yield
    sys.modules.pop("tests_io_conftest", None)


def test_large_table_is_fast_enough(ins):
    rng = np.random.default_rng(0)
    n = 20_000
    df = pd.DataFrame({"respondent_id": np.arange(n).astype(str), "wave": "pre", "fx_trust": rng.integers(0, 11, n).astype(float)})
    df.loc[17, "fx_trust"] = 99.0
    res = validate(df, ins)
    assert res.quarantined.index.tolist() == [17]


def test_failures_name_the_file_and_its_line(ins, tmp_path):
    from deliberval.io import InputFile, read_responses

    path = tmp_path / "responses.csv"
    _base(2).assign(fx_trust=[5.0, 11.0, 5.0, 5.0]).to_csv(path, index=False)
    df = read_responses(InputFile.read(path), ins)
    res = validate(df, ins, recode_missing=False)
    f = res.failures.iloc[0]
    assert (f["source"], f["row"], f["line"], f["id"], f["column"], f["value"]) == (str(path), 1, 3, "r0", "fx_trust", "11")
    assert f["expected"].startswith("a number from 0 to 10")
    assert validate(df, ins, source="r.csv").failures["source"].tolist() == ["r.csv"]
    assert set(res.tables()) == {"valid", "quarantined", "failures", "summary"}


def test_validated_responses_keep_missing_codes_when_asked_and_score(ins):
    from deliberval.scoring import score

    df = _base()
    df.loc[0, "fx_trust"] = 88.0
    res = validate(df, ins, recode_missing=False)
    assert res.valid.loc[0, "fx_trust"] == 88.0
    assert np.isnan(score(res.valid, ins).data.loc[0, "fx_trust"])
