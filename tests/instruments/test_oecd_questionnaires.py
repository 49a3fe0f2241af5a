"""The OECD (2021) questionnaires as instruments, randomised answer order, organiser -> process table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from deliberval.errors import DataInputError, InstrumentError
from deliberval.instruments import (
    check_path,
    list_instruments,
    load_instrument,
    to_codebook,
    to_xlsform,
)
from deliberval.instruments.export._common import language_label
from deliberval.io.organiser import process_fields, process_table
from deliberval.validation.tables import validate_process

from .conftest import minimal, write_yaml

MEMBER = "oecd_member_questionnaire"
ORGANISER = "oecd_organiser_questionnaire"
SURVEYS = Path(__file__).resolve().parents[2] / "surveys"


def _survey_rows(path: Path) -> list[dict[str, Any]]:
    rows = list(load_workbook(path)["survey"].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _randomised_lists(xform: str) -> set[str]:
    return set(re.findall(r"randomize\(instance\('([^']+)'\)/root/item\)", xform))


# ---- randomised answer order in the model, the check, the XLSForm and the codebook --------


def test_item_randomize_overrides_its_scale() -> None:
    ins = load_instrument(MEMBER)
    assert ins.response_scale("oecd_reason").randomize is True
    assert ins.randomized("oecdm_main_reason")
    assert ins.randomized("oecdm_most_influence")
    assert not ins.randomized("oecdm_respect")  # agreement scales keep their order
    doc = minimal()
    doc["response_scales"][1]["randomize"] = True
    doc["items"].append({"id": "my_colour", "construct": "c", "text": {"en": "Colour?"}, "scale": "colour",
                         "waves": ["post"], "respondents": ["citizen"], "randomize": False,
                         "source": {"citation": "t", "wording": "new"}})
    doc["items"].append({"id": "my_colour_b", "construct": "c", "text": {"en": "Colour again?"}, "scale": "colour",
                         "waves": ["post"], "respondents": ["citizen"],
                         "source": {"citation": "t", "wording": "new"}})
    doc["items"][0]["randomize"] = True
    from deliberval.instruments.model import Instrument

    mine = Instrument.model_validate(doc)
    assert [mine.randomized(i) for i in ("my_item_a", "my_item_b", "my_colour", "my_colour_b")] == [
        True, False, False, True]


@pytest.mark.parametrize(("scale", "message"), [
    ({"id": "open", "type": "text"}, "'open' is a text scale"),
    ({"id": "big", "type": "numeric", "min": 0, "max": 100}, "'big' is a numeric scale with more than 21 points"),
])
def test_randomize_only_on_a_list_of_options(tmp_path: Path, scale: dict[str, Any], message: str) -> None:
    doc = minimal()
    doc["response_scales"].append(scale)
    doc["items"].append({"id": "my_other", "construct": "c", "text": {"en": "?"}, "scale": scale["id"],
                         "randomize": True, "free_text": True, "waves": ["post"], "respondents": ["citizen"],
                         "source": {"citation": "t", "wording": "new"}})
    problems = check_path(write_yaml(tmp_path / "mine.yaml", doc))
    assert [(p.location, p.field) for p in problems] == [("item 'my_other'", "randomize")]
    assert message in problems[0].message


def test_xlsform_randomize_parameter_only_where_asked(tmp_path: Path) -> None:
    ins = load_instrument(MEMBER)
    path = to_xlsform(ins, tmp_path / "member.xlsx")
    rows = {r["name"]: r for r in _survey_rows(path)}
    assert {n for n, r in rows.items() if r["parameters"]} == {"oecdm_main_reason", "oecdm_most_influence"}
    assert rows["oecdm_main_reason"]["parameters"] == "randomize=true"
    warnings: list[str] = []
    xform = convert(str(path), warnings=warnings).xform
    assert warnings == []
    assert _randomised_lists(xform) == {"oecd_reason", "oecd_influence_source"}
    # forms without a shuffled item keep their columns (no parameters column)
    other = to_xlsform(load_instrument("political_efficacy"), tmp_path / "efficacy.xlsx")
    assert "parameters" not in _survey_rows(other)[0]


def test_codebook_says_which_items_are_randomised(tmp_path: Path) -> None:
    text = to_codebook(load_instrument(MEMBER), tmp_path / "member.md").read_text(encoding="utf-8")
    blocks = text.split("\n### `")
    shuffled = {b.split("`", 1)[0] for b in blocks if "| Answer order | randomised for each respondent" in b}
    assert shuffled == {"oecdm_main_reason", "oecdm_most_influence"}
    html = to_codebook(load_instrument(ORGANISER), tmp_path / "org.html", format="html").read_text(encoding="utf-8")
    assert "<th>Fills process-table field</th><td><code>privacy_policy</code></td>" in html


# ---- Annex C: the member questionnaire ------------------------------------------------------


def test_member_questionnaire_structure() -> None:
    ins = load_instrument(MEMBER)
    assert list(ins.languages) == ["en", "fr", "nl", "de", "da"]
    # a few demographic questions first
    assert [it.construct for it in ins.items[:3]] == ["gender", "age", "education"]
    # the X2 items: asked at the start and at the end
    x2 = [it.id for it in ins.items if it.waves == ["pre", "post"]]
    assert x2 == ["oecdm_purpose_clear", "oecdm_remit_clear", "oecdm_remit_unbiased", "oecdm_informed",
                  "oecdm_expect_response"]
    assert all(it.waves == ["post"] for it in ins.items if it.id not in x2)
    # every criterion of the deliberative experience has an item; the construct the indicator
    # catalogue looks for is carried by exactly one item, so an evaluation finds it unambiguously
    counts = pd.Series([it.construct for it in ins.items]).value_counts()
    for construct in ("neutral_inclusive_facilitation", "equal_opportunity_to_speak", "respect_mutual_understanding",
                      "quality_of_evidence", "sufficient_time", "free_decision", "ownership_of_recommendations",
                      "perceived_knowledge", "clear_unbiased_framing", "clear_suitable_purpose",
                      "accessible_online_tools", "member_privacy"):
        assert counts[construct] == 1, construct


def test_oecd_items_are_not_claimed_verbatim() -> None:
    # The Annex C / D question texts could not be read: every shipped OECD item is new wording,
    # and the file says so.
    for instrument_id in (MEMBER, ORGANISER):
        ins = load_instrument(instrument_id)
        assert {it.source.wording for it in ins.items} == {"new"}
        header = (SURVEYS / f"{instrument_id}.yaml").read_text(encoding="utf-8").split("\nid:")[0]
        assert "Wording and licence basis" in header
        assert "deliberval instruments import" in header


def test_no_shipped_item_claims_verbatim_without_a_source_text() -> None:
    # verbatim only where the item cites the published questionnaire it copies word for word:
    # never deliberval's own wording, never the OECD 2021 annexes (their questions were not read)
    verbatim = {}
    for instrument_id in list_instruments().query("kind == 'instrument'")["id"]:
        for it in load_instrument(str(instrument_id)).items:
            if it.source.wording == "verbatim":
                verbatim[it.id] = it.source.citation
    assert {"influence_have_say", "efficacy_int_complicated", "efficacy_ext_no_say"} <= set(verbatim)
    for item_id, citation in verbatim.items():
        assert not citation.startswith("deliberval"), item_id
        assert "Evaluation Guidelines" not in citation, item_id


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de", "da"])
def test_member_xlsform_valid_in_each_language(lang: str, tmp_path: Path) -> None:
    ins = load_instrument(MEMBER)
    path = to_xlsform(ins, tmp_path / f"member_{lang}.xlsx", languages=[lang])
    warnings: list[str] = []
    xform = convert(str(path), warnings=warnings).xform
    assert warnings == []
    assert _randomised_lists(xform) == {"oecd_reason", "oecd_influence_source"}
    assert f'lang="{language_label(lang)}"' in xform
    assert ins.item("oecdm_respect").text[lang] in xform


def test_member_xlsform_all_languages_and_pre_wave(tmp_path: Path) -> None:
    ins = load_instrument(MEMBER)
    for wave, expected in (("pre", 5), ("post", len(ins.items))):
        path = to_xlsform(ins, tmp_path / f"member_{wave}.xlsx", wave=wave)
        warnings: list[str] = []
        xform = convert(str(path), warnings=warnings).xform
        assert warnings == []
        items = [r["name"] for r in _survey_rows(path) if str(r["name"]).startswith("oecdm_")]
        assert len(items) == expected
        for lang in ins.languages:
            assert f'lang="{language_label(lang)}"' in xform


# ---- Annex D: the organiser questionnaire fills the process table --------------------------


def _organiser_answers() -> dict[str, object]:
    return {
        "respondent_id": "org1", "wave": "post", "process_id": "ca_2025",
        "oecdo_name": "Citizens' assembly on climate", "oecdo_model": "citizens_assembly",
        "oecdo_level": "regional", "oecdo_commissioner": "Regional parliament",
        "oecdo_remit": "How can the region halve its emissions by 2035?",
        "oecdo_start_date": "2025-01-18", "oecdo_end_date": "2025-05-24", "oecdo_n_sessions": 6.0,
        "oecdo_members_citizen": 60.0, "oecdo_members_politician": 0.0, "oecdo_languages": "fr,nl",
        "oecdo_purpose_published": "yes", "oecdo_design_consultation": "no",
        "oecdo_selection_method_published": "yes", "oecdo_materials_published": "yes",
        "oecdo_funding_disclosed": "dont_know", "oecdo_oversight_body": "yes", "oecdo_member_payment": "yes",
        "oecdo_care_and_access_support": "refused", "oecdo_online_tools": "no", "oecdo_privacy_policy": "yes",
        "oecdo_aftercare": "no", "oecdo_commitment_to_respond": "yes", "oecdo_response_deadline_days": 90.0,
        "oecdo_communication_strategy": "", "oecdo_comments": "The venue was too small.",
        "meta_instance_id": "uuid:1234",
    }


def test_every_organiser_item_but_the_comment_fills_a_field() -> None:
    ins = load_instrument(ORGANISER)
    fields = process_fields(ins)
    assert set(fields) == set(ins.item_ids()) - {"oecdo_comments"}
    assert len(set(fields.values())) == len(fields)
    assert {"name", "model", "level", "commissioner", "remit", "start_date", "end_date", "n_sessions",
            "members_citizen", "languages", "privacy_policy", "aftercare",
            "response_deadline_days"} <= set(fields.values())


def test_organiser_response_becomes_a_valid_process_table() -> None:
    ins = load_instrument(ORGANISER)
    table = process_table(pd.DataFrame([_organiser_answers()]), ins)
    assert len(table) == 1
    row = table.iloc[0].to_dict()
    assert row == {
        "process_id": "ca_2025", "name": "Citizens' assembly on climate", "model": "citizens_assembly",
        "level": "regional", "commissioner": "Regional parliament",
        "remit": "How can the region halve its emissions by 2035?", "start_date": "2025-01-18",
        "end_date": "2025-05-24", "n_sessions": 6, "members_citizen": 60, "members_politician": 0,
        "languages": "fr,nl", "purpose_published": "yes", "design_consultation": "no",
        "selection_method_published": "yes", "materials_published": "yes", "oversight_body": "yes",
        "member_payment": "yes", "online_deliberation": "no", "privacy_policy": "yes", "aftercare": "no",
        "commitment_to_respond": "yes", "response_deadline_days": 90,
    }
    # don't know, prefer not to answer and an empty answer leave the field out; the comment and
    # platform metadata are not process facts
    for absent in ("funding_disclosed", "care_and_access_support", "communication_strategy", "meta_instance_id"):
        assert absent not in table.columns
    result = validate_process(table)
    assert result.all_valid
    assert result.valid.loc[0, "n_sessions"] == 6
    assert result.valid.loc[0, "end_date"] == pd.Timestamp("2025-05-24")


def test_no_deadline_code_leaves_the_deadline_out() -> None:
    answers = {**_organiser_answers(), "oecdo_response_deadline_days": -7.0}
    table = process_table(answers, load_instrument(ORGANISER))
    assert "response_deadline_days" not in table.columns


def test_organiser_response_with_a_bad_date_is_quarantined_by_validation_not_by_io() -> None:
    table = process_table({**_organiser_answers(), "oecdo_end_date": "2024-01-01"}, load_instrument(ORGANISER))
    assert table.loc[0, "end_date"] == "2024-01-01"
    result = validate_process(table)
    assert not result.all_valid
    assert "end_date" in set(result.failures["column"])


def test_choosing_one_of_several_organiser_responses() -> None:
    ins = load_instrument(ORGANISER)
    two = pd.DataFrame([_organiser_answers(), {**_organiser_answers(), "respondent_id": "org2",
                                               "oecdo_n_sessions": 7.0}])
    with pytest.raises(DataInputError, match=r"2 responses; .*respondent_id="):
        process_table(two, ins)
    assert process_table(two, ins, respondent_id="org2").loc[0, "n_sessions"] == 7
    with pytest.raises(DataInputError, match="no response of respondent 'org3'"):
        process_table(two, ins, respondent_id="org3")
    with pytest.raises(DataInputError, match="no response;"):
        process_table(two.iloc[0:0], ins)


def test_process_id_from_the_argument_or_an_error() -> None:
    ins = load_instrument(ORGANISER)
    answers = {k: v for k, v in _organiser_answers().items() if k != "process_id"}
    assert process_table(answers, ins, process_id="p9").loc[0, "process_id"] == "p9"
    with pytest.raises(DataInputError, match="no process id"):
        process_table(answers, ins)


def test_instrument_without_process_fields_is_refused() -> None:
    with pytest.raises(InstrumentError, match="process_field"):
        process_table({"my_item_a": 3}, load_instrument(MEMBER), process_id="p")


def test_organiser_questionnaire_fills_every_field_the_criteria_registry_reads() -> None:
    import yaml

    registry = Path(__file__).resolve().parents[2] / "src" / "deliberval" / "indicators" / "criteria.yaml"
    if not registry.is_file():
        pytest.skip("no criteria registry")
    declared = set(yaml.safe_load(registry.read_text(encoding="utf-8"))["process_fields"])
    assert declared <= set(process_fields(load_instrument(ORGANISER)).values())


def test_an_evaluation_on_the_member_questionnaire_finds_its_indicators() -> None:
    import numpy as np

    from deliberval.indicators.evaluate import EvaluationSettings, evaluate_process
    from deliberval.validation.process import process_data

    ins = load_instrument(MEMBER)
    rng = np.random.default_rng(17)
    rows = []
    for i in range(30):
        for wave in ("pre", "post"):
            row: dict[str, object] = {"respondent_id": f"m{i}", "wave": wave}
            for it in ins.items:
                scale = ins.response_scale(it.scale)
                if wave in it.waves and scale.type == "likert":
                    row[it.id] = int(rng.choice([1, 2, 3, 4, 5, 8]))
                elif wave in it.waves and scale.type == "categorical":
                    row[it.id] = str(scale.values[int(rng.integers(len(scale.values)))].value)
            rows.append(row)
    responses = pd.DataFrame(rows)
    process = process_table({"oecdo_name": "Test assembly", "oecdo_model": "citizens_assembly",
                             "oecdo_privacy_policy": "yes", "oecdo_n_sessions": 4}, load_instrument(ORGANISER),
                            process_id="p1")
    evaluation = evaluate_process(process_data(ins, process_id="p1", responses=responses, process=process),
                                  EvaluationSettings())
    table = evaluation.indicators.set_index("indicator_id")
    post = responses.loc[responses["wave"] == "post"]
    for indicator, item in (("facilitation_neutral", "oecdm_facilitation_neutral"),
                            ("equal_opportunity", "oecdm_speak_opportunity"), ("respect", "oecdm_respect"),
                            ("evidence_balanced", "oecdm_evidence_diverse"), ("remit_clear", "oecdm_remit_unbiased"),
                            ("time_enough", "oecdm_time_enough"), ("free_decision", "oecdm_free_decision"),
                            ("ownership_wording", "oecdm_final_wording")):
        answers = post[item]
        valid = answers[answers != 8]
        assert table.loc[indicator, "status"] == "measured", (indicator, table.loc[indicator, "status_reason"])
        assert table.loc[indicator, "n"] == len(valid)
        assert table.loc[indicator, "estimate"] == pytest.approx(float((valid >= 4).mean()), abs=1e-12)
    assert table.loc["member_privacy", "estimate"] == 1.0
