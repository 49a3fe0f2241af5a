"""The shipped library: contract ids, loading, questionnaires and user folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from deliberval.errors import InstrumentError
from deliberval.instruments import (
    Instrument,
    list_instruments,
    load_instrument,
    load_questionnaire,
)
from deliberval.instruments.library import library_dirs, shipped_surveys_dir

from .conftest import minimal, write_yaml

LANGS5 = ["en", "fr", "nl", "de", "da"]

# The shared id contract other parts of deliberval rely on.
CONTRACT: dict[str, list[str]] = {
    "institutional_trust": [
        "trust_parliament", "trust_legal_system", "trust_police", "trust_politicians",
        "trust_parties", "trust_european_parliament", "trust_united_nations",
        "trust_national_government", "trust_local_government", "trust_civil_service",
    ],
    "political_efficacy": [
        "efficacy_int_understand", "efficacy_int_confidence", "efficacy_int_complicated",
        "efficacy_ext_care", "efficacy_ext_contact", "efficacy_ext_no_say",
    ],
    "perceived_influence": [
        "influence_expected", "influence_perceived", "influence_confidence_response",
        "influence_have_say",
    ],
    "deliberative_experience": [
        "dx_facilitation_neutral", "dx_equal_opportunity", "dx_respect", "dx_mutual_understanding",
        "dx_evidence_balanced", "dx_evidence_sufficient", "dx_time_enough", "dx_free_decision",
        "dx_ownership_wording",
    ],
    "hybrid_body": ["hybrid_citizen_competence", "hybrid_share_agenda", "hybrid_usefulness"],
    "demographics": [
        "demo_gender", "demo_age_band", "demo_education", "demo_region", "demo_employment",
        "demo_migration", "demo_prior_participation",
    ],
}


def test_list_instruments_has_every_module_and_questionnaire() -> None:
    table = list_instruments()
    assert list(table.columns) == [
        "id", "kind", "version", "title", "languages", "n_items", "constructs", "path",
    ]
    kinds = dict(zip(table["id"], table["kind"], strict=True))
    for module in CONTRACT:
        assert kinds[module] == "instrument"
    assert kinds["participant_standard"] == "questionnaire"
    assert kinds["control_standard"] == "questionnaire"
    row = table.set_index("id").loc["institutional_trust"]
    assert row["n_items"] == 10
    assert row["languages"] == "en,fr,nl,de,da"
    assert row["constructs"] == "institutional_trust"


@pytest.mark.parametrize("module", sorted(CONTRACT))
def test_contract_item_ids(module: str) -> None:
    ins = load_instrument(module)
    ids = ins.item_ids()
    for item_id in CONTRACT[module]:
        assert item_id in ids


def test_trust_battery_contract() -> None:
    ins = load_instrument("institutional_trust")
    rs = ins.response_scale("trust_0_10")
    assert (rs.type, rs.min, rs.max) == ("numeric", 0, 10)
    assert {m.code: m.meaning for m in rs.missing_codes} == {77: "refused", 88: "dont_know"}
    sc = ins.scale("trust_political_institutions")
    assert sc.items == [
        "trust_parliament", "trust_politicians", "trust_parties",
        "trust_national_government", "trust_local_government",
    ]
    assert (sc.scoring.method, sc.scoring.min_valid) == ("mean", 3)
    assert all(it.scale == "trust_0_10" for it in ins.items)
    assert list(ins.languages) == LANGS5


def test_efficacy_contract() -> None:
    ins = load_instrument("political_efficacy")
    rs = ins.response_scale("agree_5")
    assert [v.value for v in rs.values] == [1, 2, 3, 4, 5]
    assert rs.agree_values == [4, 5]
    assert {m.code: m.meaning for m in rs.missing_codes} == {8: "dont_know", 9: "refused"}
    assert [it.id for it in ins.items if it.reverse] == ["efficacy_int_complicated", "efficacy_ext_no_say"]
    assert ins.scale("internal_efficacy").items == [
        "efficacy_int_understand", "efficacy_int_confidence", "efficacy_int_complicated",
    ]
    assert ins.scale("external_efficacy").items == [
        "efficacy_ext_care", "efficacy_ext_contact", "efficacy_ext_no_say",
    ]
    assert ins.scale("internal_efficacy").scoring.min_valid == 2
    assert ins.scale("internal_efficacy").validation, "PESS evidence is cited"


def test_influence_waves_and_scales() -> None:
    ins = load_instrument("perceived_influence")
    assert ins.item("influence_expected").waves == ["pre"]
    assert ins.item("influence_perceived").waves == ["post", "follow_up"]
    assert ins.item("influence_confidence_response").waves == ["pre", "post", "follow_up"]
    have_say = ins.item("influence_have_say")
    assert have_say.scale == "say_0_10"
    assert have_say.waves == ["pre", "post", "follow_up"]
    assert list(ins.languages) == LANGS5


def test_deliberative_experience_contract() -> None:
    ins = load_instrument("deliberative_experience")
    sc = ins.scale("deliberative_quality")
    assert sc.items == CONTRACT["deliberative_experience"]
    assert sc.scoring.min_valid == 6
    assert all(ins.item(i).waves == ["post"] for i in sc.items)
    both = [it.id for it in ins.items if set(it.waves) >= {"pre", "post"}]
    assert both == ["dx_topic_informed", "dx_remit_clear"]
    assert ins.item("dx_comments").free_text


def test_hybrid_body_contract() -> None:
    ins = load_instrument("hybrid_body")
    for it in ins.items:
        assert it.respondents == ["politician", "civil_servant"]
        assert it.waves == ["pre", "post"]
    sc = ins.scale("hybrid_openness")
    assert (len(sc.items), sc.scoring.min_valid) == (3, 2)


def test_demographic_codes() -> None:
    ins = load_instrument("demographics")
    codes = {it.id: [v.value for v in ins.response_scale(it.scale).values] for it in ins.items}
    assert codes["demo_gender"] == ["woman", "man", "other"]
    assert codes["demo_age_band"] == ["16_24", "25_34", "35_44", "45_54", "55_64", "65_plus"]
    assert codes["demo_education"] == ["isced_0_2", "isced_3_4", "isced_5_8"]
    assert codes["demo_region"] == [f"region_{i}" for i in range(1, 6)]
    assert codes["demo_employment"] == ["employed", "unemployed", "student", "retired", "other_inactive"]
    assert codes["demo_migration"] == ["none", "first_generation", "second_generation"]
    assert codes["demo_prior_participation"] == ["yes", "no"]
    assert all(it.waves == ["pre"] for it in ins.items)
    assert all(ins.response_scale(it.scale).type == "categorical" for it in ins.items)


def test_every_item_has_a_source_and_translations_are_marked() -> None:
    for module in CONTRACT:
        ins = load_instrument(module)
        assert ins.languages["en"].status == "source"
        for lang, info in ins.languages.items():
            if lang != "en":
                assert info.status in ("official", "unofficial")
                assert info.source, f"{module}: translation {lang} has no source note"
        for it in ins.items:
            assert it.source.citation
            assert it.source.wording in ("verbatim", "adapted", "new")
            assert set(it.text) == set(ins.languages)


def test_item_ids_unique_across_library() -> None:
    seen: dict[str, str] = {}
    for module in CONTRACT:
        for item_id in load_instrument(module).item_ids():
            assert item_id not in seen, f"{item_id} in {module} and {seen.get(item_id)}"
            seen[item_id] = module


def test_participant_questionnaire_resolves_all_modules() -> None:
    q = load_questionnaire("participant_standard")
    assert isinstance(q, Instrument)
    expected = [i for module in CONTRACT for i in load_instrument(module).item_ids()]
    assert q.item_ids() == expected
    assert {s.id for s in q.scales} == {
        "trust_political_institutions", "internal_efficacy", "external_efficacy",
        "deliberative_quality", "hybrid_openness",
    }
    assert sorted(rs.id for rs in q.response_scales)[:3] == ["age_band_6", "agree_5", "employment_5"]
    assert q.item("influence_expected").waves == ["pre"]
    assert list(q.languages) == LANGS5


def test_control_questionnaire_content() -> None:
    q = load_questionnaire("control_standard")
    ids = q.item_ids()
    assert ids == CONTRACT["institutional_trust"] + CONTRACT["political_efficacy"] + [
        "influence_have_say"
    ] + CONTRACT["demographics"]
    assert list(q.languages) == LANGS5
    assert "say_0_10" in {rs.id for rs in q.response_scales}
    assert "agree_5" in {rs.id for rs in q.response_scales}


def test_load_instrument_returns_questionnaires_resolved() -> None:
    assert load_instrument("control_standard").item_ids() == load_questionnaire("control_standard").item_ids()


def test_unknown_ids_are_clear_errors() -> None:
    with pytest.raises(InstrumentError, match="unknown instrument 'nope'; known: control_standard"):
        load_instrument("nope")
    with pytest.raises(InstrumentError, match="unknown questionnaire 'institutional_trust'"):
        load_questionnaire("institutional_trust")


def test_missing_codes_lookup() -> None:
    ins = load_instrument("institutional_trust")
    assert [m.code for m in ins.missing_codes("trust_police")] == [77, 88]
    with pytest.raises(KeyError, match="has no item 'nope'"):
        ins.item("nope")


def test_user_folder_by_argument(tmp_path: Path) -> None:
    write_yaml(tmp_path / "my_module.yaml", minimal())
    table = list_instruments([tmp_path])
    assert "my_module" in set(table["id"])
    assert "institutional_trust" in set(table["id"])
    ins = load_instrument("my_module", [tmp_path])
    assert ins.item_ids() == ["my_item_a", "my_item_b"]
    assert library_dirs([tmp_path])[0] == tmp_path.resolve()
    assert library_dirs([tmp_path])[-1] == shipped_surveys_dir().resolve()


def test_user_folder_by_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_yaml(tmp_path / "my_module.yaml", minimal())
    monkeypatch.setenv("DELIBERVAL_SURVEYS", str(tmp_path))
    assert load_instrument("my_module").item("my_item_b").reverse is True


def test_user_questionnaire_composing_shipped_and_own_modules(tmp_path: Path) -> None:
    write_yaml(tmp_path / "my_module.yaml", minimal())
    write_yaml(
        tmp_path / "my_questionnaire.yaml",
        {
            "kind": "questionnaire", "id": "my_questionnaire", "version": "0.1.0",
            "title": {"en": "Mine"}, "languages": {"en": {"status": "source"}}, "licence": "x",
            "modules": [
                {"instrument": "institutional_trust", "items": ["trust_parliament"], "waves": ["pre"]},
                {"instrument": "my_module"},
            ],
        },
    )
    q = load_questionnaire("my_questionnaire", [tmp_path])
    assert q.item_ids() == ["trust_parliament", "my_item_a", "my_item_b"]
    assert q.item("trust_parliament").waves == ["pre"]
    assert [s.id for s in q.scales] == ["my_scale"]


def test_user_item_clashing_with_shipped_id(tmp_path: Path) -> None:
    doc = minimal()
    doc["items"][0]["id"] = "trust_parliament"
    doc["scales"][0]["items"] = ["trust_parliament", "my_item_b"]
    write_yaml(tmp_path / "my_module.yaml", doc)
    with pytest.raises(InstrumentError) as info:
        load_instrument("my_module", [tmp_path])
    messages = [str(p) for p in info.value.problems]
    assert any(
        "my_module.yaml" in m and "item 'trust_parliament'" in m and "field 'id'" in m
        and "already used by instrument 'institutional_trust'" in m
        for m in messages
    ), messages


def test_user_instrument_id_clashing_with_shipped_id(tmp_path: Path) -> None:
    write_yaml(tmp_path / "trust.yaml", minimal(id="institutional_trust"))
    with pytest.raises(InstrumentError, match="id 'institutional_trust' is also defined in"):
        list_instruments([tmp_path])


def test_missing_user_folder(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="surveys folder does not exist"):
        list_instruments([tmp_path / "nowhere"])


def test_questionnaire_language_not_covered_by_module(tmp_path: Path) -> None:
    write_yaml(
        tmp_path / "q.yaml",
        {
            "kind": "questionnaire", "id": "my_q", "version": "0.1.0", "title": {"en": "Q"},
            "languages": {"en": {"status": "source"}, "es": {"status": "unofficial"}},
            "licence": "x", "modules": [{"instrument": "hybrid_body"}],
        },
    )
    with pytest.raises(InstrumentError) as info:
        load_questionnaire("my_q", [tmp_path])
    (problem,) = info.value.problems
    assert problem.location == "module 'hybrid_body'"
    assert problem.field == "languages"
    assert "declares 'es' but instrument 'hybrid_body' has no such translation" in problem.message
