"""``suggest_mapping`` / ``map suggest``: value labels, placeholders, platform id rules, question texts.

Real data: Stanford DDL's Sample.sav (tests/data/deliberative-polling/, MIT) with the instrument a
user would write for its items (tests/data/deliberative-polling/surveys/ddl_sample.yaml) and with
the library's demographics instrument.
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.cli import app
from deliberval.errors import DataInputError
from deliberval.instruments import load_instrument
from deliberval.io import (
    Mapping,
    apply_mapping,
    load_mapping,
    read_responses,
    read_table,
    suggest_mapping,
)
from deliberval.io.mapping import is_placeholder
from deliberval.validation import validate

from .conftest import SURVEYS


@pytest.fixture(scope="module")
def dp_dir(data_dir):
    return data_dir / "deliberative-polling"


@pytest.fixture(scope="module")
def ddl(dp_dir):
    return load_instrument("ddl_sample", [dp_dir / "surveys"])


def test_sample_sav_value_labels_become_value_maps(dp_dir, ddl):
    raw = read_table(dp_dir / "Sample.sav")
    m = suggest_mapping(raw, ddl)
    assert m.columns == {
        "ID": "respondent_id", "Group": "group", "Time": "wave", "Weight1": "weight",
        "Question1": "democracy_functioning", "Knowledge1": "knowledge_principle",
        "Evaluation1": "deliberation_good", "Employment": "employment_status", "Education": "education_level",
    }
    assert m.values == {
        "wave": {"T1": "pre", "T2": "post"},
        "group": {"Treatment": "participant", "Control": "control"},
        "employment_status": {1: "employed", 2: "unemployed", 3: "student", 4: "other"},
        "education_level": {1: "no_high_school", 2: "high_school", 3: "bachelor", 4: "graduate"},
    }
    # codes the instrument already allows (0-10, knowledge 1-4, agreement 1-5) are left alone
    assert m.value_labels["education_level"][3] == "Bachelor's Degree"
    assert m.unmatched == []
    assert m.notes == []
    assert sorted(m.constants) == ["language", "process_id", "role"]
    assert all(is_placeholder(v) for v in m.constants.values())
    assert "this instrument asks citizen" in m.constants["role"]
    text = m.to_yaml()
    assert "    3: bachelor  # Bachelor's Degree\n" in text
    assert "    4: other  # Other\n" in text


def test_labels_resembling_library_codes_demographics(dp_dir):
    raw = read_table(dp_dir / "Sample.sav")
    m = suggest_mapping(raw, load_instrument("demographics"))
    assert m.columns["Employment"] == "demo_employment"
    assert m.columns["Education"] == "demo_education"
    assert m.values["demo_employment"] == {1: "employed", 2: "unemployed", 3: "student", 4: "other_inactive"}
    assert m.values["demo_education"] == {1: "isced_0_2", 2: "isced_3_4", 3: "isced_5_8", 4: "isced_5_8"}
    assert m.unmatched == ["Question1", "Knowledge1", "Evaluation1"]  # not demographics items


def test_placeholders_stop_validation_until_filled(tmp_path, dp_dir, ddl):
    raw = read_table(dp_dir / "Sample.sav")
    f = tmp_path / "map.yaml"
    f.write_text(suggest_mapping(raw, ddl).to_yaml(), encoding="utf-8")
    with pytest.raises(DataInputError, match=r"constants process_id, role, language still hold the placeholder"):
        read_responses(dp_dir / "Sample.sav", ddl, f)
    filled = f.read_text(encoding="utf-8")
    for key, value in (("process_id", "ddl_sample_poll"), ("role", "citizen"), ("language", "en")):
        start = filled.index(f"  {key}: ")
        end = filled.index("\n", start)
        filled = filled[:start] + f"  {key}: {value}" + filled[end:]
    f.write_text(filled, encoding="utf-8")
    loaded = load_mapping(f)
    assert loaded.constants == {"process_id": "ddl_sample_poll", "role": "citizen", "language": "en"}
    df = read_responses(dp_dir / "Sample.sav", ddl, f)
    result = validate(df, ddl)
    # the mapping leaves no false problem: every one of the 30 rows is valid
    assert (result.n_rows, len(result.valid), len(result.quarantined)) == (30, 30, 0)
    assert sorted(result.valid["employment_status"].unique()) == ["employed", "other", "student", "unemployed"]
    assert result.valid.groupby(["group", "wave"]).size().to_dict() == {
        ("control", "post"): 8, ("control", "pre"): 7, ("participant", "post"): 7, ("participant", "pre"): 8}


def test_deleting_a_placeholder_line_is_a_choice_not_an_error():
    m = Mapping(constants={"process_id": "p1"})
    assert apply_mapping(pd.DataFrame({"a": [1]}), m).to_dict("list") == {"a": [1], "process_id": ["p1"]}
    with pytest.raises(DataInputError, match="constants role still hold the placeholder"):
        apply_mapping(pd.DataFrame({"a": [1]}), Mapping(constants={"role": "<fill in: who answered>"}))


def test_to_yaml_round_trips_through_load_mapping(tmp_path, dp_dir, ddl):
    m = suggest_mapping(read_table(dp_dir / "Sample.sav"), ddl)
    m.constants = {"process_id": "0123", "role": "citizen", "language": "en"}
    f = tmp_path / "m.yaml"
    f.write_text(m.to_yaml(), encoding="utf-8")
    back = load_mapping(f)
    assert back.columns == m.columns
    assert back.constants == m.constants  # "0123" stays a string
    assert {t: {str(k): v for k, v in c.items()} for t, c in back.values.items()} == \
        {t: {str(k): v for k, v in c.items()} for t, c in m.values.items()}


def test_wave_placeholder_when_a_file_holds_one_wave(fixture_instrument):
    raw = pd.DataFrame({"pnum": ["a", "b"], "fx_trust": [3, 7]})
    m = suggest_mapping(raw, fixture_instrument)
    assert m.columns == {"pnum": "respondent_id"}
    assert sorted(m.constants) == ["language", "process_id", "role", "wave"]
    assert m.constants["wave"].startswith("<fill in: the wave of this file")


def test_code_labels_reach_missing_codes():
    trust = load_instrument("institutional_trust")
    raw = pd.DataFrame({"pid": [1.0, 2.0, 3.0], "trust_parliament": [3.0, 99.0, 98.0]})
    raw.attrs["value_labels"] = {"trust_parliament": {99.0: "Don't know", 98.0: "Refusal"}}
    m = suggest_mapping(raw, trust)
    assert m.values == {"trust_parliament": {99: 88, 98: 77}}  # the instrument's dont_know / refused codes
    raw.attrs["value_labels"] = {"trust_parliament": {99.0: "Weet niet", 98.0: "Möchte ich nicht sagen"}}
    dutch_german = suggest_mapping(raw, trust).values["trust_parliament"]
    assert dutch_german[99] == 88  # the instrument's Dutch label of "don't know"
    plain = pd.DataFrame({"pid": [1.0, 2.0], "trust_parliament": [3.0, 4.0]})
    assert suggest_mapping(plain, trust).values == {}  # codes already allowed, no labels: nothing to recode


def test_limesurvey_pairs_waves_by_token_not_by_submission_id(fixture_instrument):
    raw = pd.DataFrame({"id": ["1", "2"], "token": ["t1", "t2"], "startlanguage": ["da", "da"],
                        "submitdate": ["2024-01-01", "2024-01-02"], "fxTrust": ["3", "7"]})
    raw.attrs["format"] = "limesurvey"
    m = suggest_mapping(raw, fixture_instrument)
    assert "respondent_id" not in m.columns.values()  # the reading renames token itself
    assert "id" not in m.columns
    assert "token" not in m.columns
    assert m.columns == {"fxTrust": "fx_trust"}
    assert "language" not in m.constants  # startlanguage gives it
    assert m.unmatched == []
    no_token = raw.drop(columns="token")
    m2 = suggest_mapping(no_token, fixture_instrument)
    assert m2.columns["id"] == "respondent_id"
    assert "names one submitted questionnaire" in m2.notes[0]
    assert "# note: id names one submitted questionnaire" in m2.to_yaml()


def test_limesurvey_headings_and_array_sub_questions():
    trust = load_instrument("institutional_trust")
    text = trust.item("trust_police").text["en"]
    raw = pd.DataFrame({
        "token": ["t1"],
        "trust[trustParliament]. How much do you trust... [the parliament]": ["5"],
        f"q7. {text}": ["6"],
    })
    raw.attrs["format"] = "limesurvey"
    m = suggest_mapping(raw, trust)
    assert m.columns == {"trust[trustParliament]. How much do you trust... [the parliament]": "trust_parliament",
                         f"q7. {text}": "trust_police"}


def test_qualtrics_panel_id_before_response_id_and_question_texts(fixture_instrument):
    ins = load_instrument("political_efficacy")
    understand = ins.item("efficacy_int_understand").text
    raw = pd.DataFrame({"ResponseId": ["R_1"], "ExternalReference": ["p1"], "Q1_1": ["4"], "Q5": ["2"],
                        "IPAddress": ["1.2.3.4"]})
    raw.attrs["format"] = "qualtrics"
    raw.attrs["column_labels"] = {
        "Q1_1": "Please say how far you agree - " + understand["en"],
        "Q5": ins.item("efficacy_int_confidence").text["fr"][:60] + "...",  # truncated by Qualtrics, French
    }
    m = suggest_mapping(raw, ins)
    assert m.columns == {"ExternalReference": "respondent_id", "Q1_1": "efficacy_int_understand",
                         "Q5": "efficacy_int_confidence"}
    assert m.unmatched == []  # ResponseId and IPAddress are the platform's metadata
    m2 = suggest_mapping(raw.drop(columns="ExternalReference"), ins)
    assert m2.columns["ResponseId"] == "respondent_id"
    assert "ExternalReference" in m2.notes[0]


def test_map_suggest_cli_shows_labels_and_placeholders(dp_dir):
    res = CliRunner().invoke(app, ["map", "suggest", str(dp_dir / "Sample.sav"), "--instrument", "ddl_sample",
                                   "--surveys", str(dp_dir / "surveys")])
    assert res.exit_code == 0, res.output
    assert "    1: employed  # Employed\n" in res.output
    assert "  process_id: '<fill in: an id for your process" in res.output
    fixture = CliRunner().invoke(app, ["map", "suggest", str(dp_dir / "Sample.sav"), "--instrument", "dp_sample",
                                       "--surveys", str(SURVEYS)])
    assert fixture.exit_code == 0
    assert "  Question1: dp_democracy\n" in fixture.output


def test_string_value_labels_of_a_real_spss_file(data_dir):
    # haven's labelled-str.sav (SPSS 24, MIT): a string variable `gender` with value labels F = Female, M = Male
    path = data_dir / "platform-exports" / "spss_stata" / "haven__labelled-str.sav"
    raw = read_table(path)
    assert raw.attrs["value_labels"] == {"gender": {"F": "Female", "M": "Male"}}
    m = suggest_mapping(raw, load_instrument("demographics"))
    assert m.columns == {"gender": "demo_gender"}
    assert m.values == {"demo_gender": {"F": "woman", "M": "man"}}
    assert m.value_labels == {"demo_gender": {"F": "Female", "M": "Male"}}
    assert sorted(m.constants) == ["language", "process_id", "role", "wave"]
    assert m.notes == ["no respondent id column found: map the column that identifies a person to respondent_id"]


def test_kobo_submission_ids_only_as_a_last_resort(fixture_instrument):
    raw = pd.DataFrame({"_id": [11, 12], "_uuid": ["u1", "u2"], "grp/participant_id": ["p1", "p2"],
                        "grp/fx_trust": ["3", "7"]})
    raw.attrs["format"] = "kobo"
    m = suggest_mapping(raw, fixture_instrument)
    assert m.columns == {"grp/participant_id": "respondent_id", "grp/fx_trust": "fx_trust"}
    assert m.notes == []
    assert m.unmatched == []  # _id and _uuid are Kobo's metadata
    m2 = suggest_mapping(raw.drop(columns="grp/participant_id"), fixture_instrument)
    assert m2.columns["_id"] == "respondent_id"
    assert m2.notes[0].startswith("_id names one submitted questionnaire, not a person")
