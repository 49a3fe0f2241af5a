"""The criteria registry (issue 17): unique, cited criteria whose every link exists, and the audit."""

from __future__ import annotations

import inspect
from pathlib import Path

import pandas as pd
import pytest
import yaml

from deliberval.errors import DataInputError
from deliberval.indicators import EvaluationSettings, evaluate, load_catalogue
from deliberval.indicators.criteria import (
    COVERAGE_COLUMNS,
    COVERAGE_STATUSES,
    LANGUAGES,
    criteria_coverage,
    load_criteria,
)
from deliberval.instruments import list_instruments, load_instrument
from deliberval.schemas import process_schema

REG = load_criteria()
CAT = load_catalogue()


def _library_items() -> set[str]:
    ids: set[str] = set()
    for _, row in list_instruments().iterrows():
        if row["kind"] == "instrument":
            ids |= set(load_instrument(row["id"]).item_ids())
    return ids


def test_ids_unique_and_every_criterion_cited() -> None:
    ids = [c.id for c in REG.criteria] + [p.id for p in REG.principles]
    assert len(ids) == len(set(ids))
    for c in (*REG.criteria, *REG.principles):
        src = REG.sources[c.source]
        assert src.citation.strip(), c.id
        assert src.url.startswith("https://"), c.id
        assert c.section.strip(), c.id
        assert c.wording in ("verified", "secondary", "paraphrased"), c.id
        if c.wording == "verified":  # read in the OECD's own text
            assert "oecd" in src.url, c.id
    for fw in REG.frameworks:
        assert fw.citation in REG.sources, fw.id


def test_every_stage_of_the_guidelines_has_criteria() -> None:
    stages = {c.stage for c in REG.criteria}
    assert stages == {"design_integrity", "deliberative_experience", "pathways_to_impact", "wider_impact"}
    names = {c.text("en") for c in REG.criteria}
    # the criteria the issue names as missing from the catalogue are all in the registry
    for expected in ("Clear and suitable purpose", "Clear and unbiased framing", "Procedural design involvement",
                     "Transparency and governance", "Public communication and learning"):
        assert expected in names
    assert any("online tools" in n for n in names)
    assert sum(c.stage == "wider_impact" for c in REG.criteria) == 5


def test_names_and_texts_in_five_languages() -> None:
    assert LANGUAGES == ("en", "fr", "nl", "de", "da")
    for c in REG.criteria:
        for lang in LANGUAGES:
            assert c.text(lang).strip(), (c.id, lang)
            assert c.evidence(lang).strip(), (c.id, lang)
    for fw in REG.frameworks:
        for e in fw.entries:
            assert all(e.text(lang).strip() for lang in LANGUAGES), (fw.id, e.id)


def test_every_link_points_to_an_existing_indicator_item_or_field() -> None:
    indicator_ids = {s.id for s in CAT.indicators}
    items = _library_items()
    schema_fields = set(process_schema().columns)
    needs = {n.split(":", 1)[1] for s in CAT.indicators for n in s.needs if n.startswith("process:")}
    evaluate_source = inspect.getsource(evaluate)
    for c in REG.criteria:
        assert set(c.indicators) <= indicator_ids, c.id
        assert set(c.items) <= items, (c.id, sorted(set(c.items) - items))
        assert set(c.process_fields) <= set(REG.process_fields), c.id
        assert set(c.catalogue_criteria) <= set(CAT.criteria), c.id
    for f in REG.process_fields.values():
        if f.defined_in == "process_schema":
            assert f.id in schema_fields, f.id
        elif f.defined_in == "catalogue":  # a catalogue indicator reads it
            assert f.id in needs or f'"{f.id}"' in evaluate_source, f.id
        else:
            assert f.defined_in == "registry", f.id
    for key in REG.catalogue_support:
        assert key in CAT.criteria


def test_catalogue_criteria_and_indicators_all_linked() -> None:
    for criterion in CAT.criteria:
        assert REG.for_catalogue_criterion(criterion), criterion
    linked = {i for c in REG.criteria for i in c.indicators}
    supported = {s.id for s in CAT.indicators if s.criterion in REG.catalogue_support}
    assert {s.id for s in CAT.indicators} - linked == supported == {"deliberative_quality_scale"}
    # an indicator is linked to the registry criteria its catalogue criterion maps to
    for spec in CAT.indicators:
        targets = set(REG.for_catalogue_criterion(spec.criterion))
        if spec.id in linked:
            assert targets & {c.id for c in REG.criteria if spec.id in c.indicators}, spec.id


def test_organiser_questionnaire_fields_are_known() -> None:
    """Fields the organiser questionnaire (Annex D) fills are the ones the audit reads, where it reads them."""
    org = load_instrument("oecd_organiser_questionnaire")
    filled = {it.process_field for it in org.items if getattr(it, "process_field", None)}
    assert {"design_consultation", "materials_published", "member_payment", "online_deliberation",
            "commitment_to_respond", "purpose_published"} <= filled
    read = {f for c in REG.criteria for f in c.process_fields}
    assert read - filled <= {"implementation_monitoring", "online_tools_accessible", "results_published",
                             "lessons_learned_published"}


def test_frameworks_crosswalk() -> None:
    ids = REG.framework_ids
    assert ids[0] == "oecd_2021"
    assert len(ids) == 13  # OECD 2021, the eleven of Annex F (GPP 2020 among them), KNOCA
    annex_f = sorted(fw.annex_f for fw in REG.frameworks if fw.annex_f is not None)
    assert annex_f == list(range(1, 12))
    knoca = REG.framework("knoca_2024")
    assert len(knoca.entries) == 9
    assert {e.id.split(".")[0] for e in knoca.entries} == {"state_actors", "non_state_actors", "systems_structures"}
    for fw in REG.frameworks:
        if fw.annex_f not in (None, 2, 7):  # only the Annex F rows, marks unreadable: certainty unknown
            assert {e.certainty for e in fw.entries} == {"unknown"}, fw.id
    with pytest.raises(DataInputError, match="unknown framework 'nope'; known: oecd_2021"):
        REG.framework("nope")


def _table(statuses: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"indicator_id": list(statuses), "label": list(statuses), "status": list(statuses.values()),
                         "status_reason": ["no data" if s == "not_measured" else "" for s in statuses.values()]})


def test_audit_rules_on_a_hand_made_table() -> None:
    ind = _table({"facilitation_neutral": "measured", "equal_opportunity": "suppressed", "respect": "measured",
                  "free_decision": "measured", "ownership_wording": "not_measured",
                  "representativeness_dissimilarity": "measured", "representativeness_max_gap": "measured",
                  "selection_funnel_r_indicator": "measured", "retention_rate": "measured"})
    process = {"design_consultation": "no", "online_deliberation": "no", "member_payment": "yes",
               "care_and_access_support": "yes", "remit": "  "}
    raw = criteria_coverage(ind, None, process)
    assert list(raw.columns) == COVERAGE_COLUMNS
    cov = raw.set_index("criterion_id")
    assert len(cov) == len(REG.criteria)
    assert set(cov["status"]) <= set(COVERAGE_STATUSES)
    assert cov.loc["oecd_dx_facilitation", "status"] == "measured"
    assert cov.loc["oecd_dx_facilitation", "reason"] == ""
    assert cov.loc["oecd_dx_voice", "status"] == "partly_measured"  # computed but withheld
    assert "withheld" in cov.loc["oecd_dx_voice", "reason"]
    assert cov.loc["oecd_dx_respect", "status"] == "partly_measured"  # coverage partial
    assert cov.loc["oecd_dx_free_decision", "status"] == "partly_measured"
    assert "ownership_wording: no data" in cov.loc["oecd_dx_free_decision", "reason"]
    # every indicator and field documented: measured, the organiser's statements named
    assert cov.loc["oecd_di_representativeness", "status"] == "measured"
    assert "members paid for their time: yes" in cov.loc["oecd_di_representativeness", "reason"]
    # "no" is documented too (assessed, not met); a blank text field is not documented
    assert cov.loc["oecd_di_design_involvement", "status"] == "partly_measured"
    assert ": no" in cov.loc["oecd_di_design_involvement", "reason"]
    assert cov.loc["oecd_di_purpose", "status"] == "not_assessed"
    assert cov.loc["oecd_dx_online", "status"] == "not_applicable"
    assert cov.loc["oecd_wi_public", "status"] == "not_assessed"
    assert cov.loc["oecd_wi_public", "reason"].startswith("no deliberval indicator measures this criterion")
    for _, row in cov.iterrows():
        if row["status"] != "measured":
            assert row["reason"].strip()
        if row["status"] == "not_assessed":
            assert "evidence needed: " in row["reason"]


def test_audit_through_a_crosswalk_and_in_french() -> None:
    ind = _table({"facilitation_neutral": "measured", "equal_opportunity": "measured", "respect": "measured",
                  "free_decision": "measured", "ownership_wording": "measured"})
    cov = criteria_coverage(ind, None, None, framework="oecd_gpp_2020", language="fr").set_index("criterion_id")
    assert cov.loc["group_deliberation", "criterion"] == "Délibération de groupe"
    # facilitation, voice and free decision measured, respect only partly: partly measured
    assert cov.loc["group_deliberation", "status"] == "partly_measured"
    assert cov.loc["group_deliberation", "stage"] == "deliberative_experience"
    assert cov.loc["evaluation", "status"] == "not_assessed"
    assert cov.loc["evaluation", "reason"].startswith("un principe d'évaluation")
    assert cov.loc["accountability", "reason"].startswith("correspond à Réponse et suivi")
    knoca = criteria_coverage(ind, None, None, framework="knoca_2024")
    assert knoca["criterion"].iloc[0] == "State actors: instrumental impact"
    assert (knoca.loc[knoca["criterion_id"] == "systems_structures.capacity", "reason"]
            .str.startswith("no criterion of the OECD (2021) guidelines corresponds").all())


def test_instrument_without_the_items_is_named() -> None:
    ind = _table({"facilitation_neutral": "not_measured"})
    cov = criteria_coverage(ind, load_instrument("institutional_trust"), None).set_index("criterion_id")
    assert "the instrument asks none of the member items on this criterion" in cov.loc["oecd_dx_facilitation", "reason"]


@pytest.mark.slow
def test_evaluate_process_carries_the_coverage_of_its_framework() -> None:
    from deliberval.datasets import load_example

    data = load_example("climate_assembly").process_data()
    ev = evaluate.evaluate_process(data)
    assert list(ev.criteria.columns) == COVERAGE_COLUMNS
    assert ev.criteria["criterion_id"].tolist() == [c.id for c in REG.criteria]
    assert ev.tables()["criteria"] is ev.criteria
    got = ev.criteria.set_index("criterion_id")["status"]
    assert got["oecd_dx_facilitation"] == "measured"
    assert got["oecd_di_transparency"] == "not_assessed"
    ev_k = evaluate.evaluate_process(data, EvaluationSettings(framework="knoca_2024", language="de"))
    assert (ev_k.criteria["framework"] == "knoca_2024").all()
    assert len(ev_k.criteria) == 9
    with pytest.raises(DataInputError, match="framework: unknown framework"):
        EvaluationSettings(framework="oecd_2022")


def test_registry_file_is_the_shipped_one_and_a_broken_copy_is_one_clear_error(tmp_path: Path) -> None:
    shipped = Path(evaluate.__file__).with_name("criteria.yaml")
    raw = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    assert raw["version"] == REG.version == "1.0.0"
    raw["criteria"][1]["id"] = raw["criteria"][0]["id"]
    bad = tmp_path / "criteria.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataInputError, match="duplicated criterion or principle id"):
        load_criteria(bad)
    raw = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    raw["frameworks"][1]["entries"][0]["maps_to"] = ["oecd_no_such"]
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataInputError, match="maps to unknown criteria"):
        load_criteria(bad)


def test_methods_page_lists_every_process_field_and_framework() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "methods" / "criteria.md").read_text(encoding="utf-8")
    for field in REG.process_fields:
        assert f"| `{field}` |" in page, field
    for fw in ("oecd_2021", "oecd_gpp_2020", "involve_2021", "knoca_2024"):
        assert fw in page


def test_a_table_without_status_is_one_clear_error() -> None:
    with pytest.raises(DataInputError, match=r"no column\(s\) \['status'\]"):
        criteria_coverage(pd.DataFrame({"indicator_id": ["respect"]}))
    cov = criteria_coverage(pd.DataFrame({"indicator_id": ["respect"], "status": ["not_measured"]}))
    assert cov.set_index("criterion_id").loc["oecd_dx_respect", "status"] == "not_assessed"


def test_the_oecd_questionnaires_feed_the_audit() -> None:
    """Annex C member answers and Annex D organiser fields: criteria measured, documented, not applicable."""
    import numpy as np

    from deliberval.validation.process import process_data

    ins = load_instrument("oecd_member_questionnaire")
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(30)], "process_id": "p", "wave": "post",
                       "group": "participant", "role": "citizen"})
    for it in ins.items:
        if it.scale == "oecd_agree_5" and "post" in it.waves:
            df[it.id] = rng.integers(2, 6, len(df))
    process = pd.DataFrame([{"process_id": "p", "name": "Test", "model": "citizens_assembly",
                             "design_consultation": "yes", "selection_method_published": "no",
                             "online_deliberation": "no", "privacy_policy": "yes", "aftercare": "no"}])
    ev = evaluate.evaluate_process(process_data(ins, process_id="p", responses=df, process=process))
    got = ev.criteria.set_index("criterion_id")
    assert got.loc["oecd_dx_facilitation", "status"] == "measured"  # oecdm_facilitation_neutral, by construct
    assert got.loc["oecd_dx_privacy_aftercare", "status"] == "measured"  # aftercare "no" is documented too
    assert got.loc["oecd_di_design_involvement", "status"] == "partly_measured"
    assert "interested parties consulted on the process design: yes" in got.loc["oecd_di_design_involvement", "reason"]
    assert got.loc["oecd_di_transparency", "status"] == "partly_measured"
    assert "selection method published: no" in got.loc["oecd_di_transparency", "reason"]
    assert got.loc["oecd_dx_online", "status"] == "not_applicable"
    assert got.loc["oecd_pi_response", "status"] == "not_assessed"
