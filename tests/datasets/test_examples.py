"""The SYNTHETIC example processes: designs, codes, seeds, and recovery of the true effects.

Scale scores are computed here from the raw codes with a few lines of pandas, independently of
the simulator's closed-form expectations, so the recovery tests check one against the other.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from deliberval.datasets import (
    Example,
    list_examples,
    load_example,
    simulate_climate_assembly,
    simulate_cofoe_panel,
    simulate_gentofte_ptc,
    simulate_wallonia_committee,
)
from deliberval.datasets._items import DEMOGRAPHICS, ITEM_BY_ID, ITEMS, SCALE_BY_ID
from deliberval.errors import DataInputError, DelibervalError

NAMES = ["gentofte_ptc", "wallonia_committee", "climate_assembly", "cofoe_panel", "ostbelgien_dialogue",
         "brussels_committee"]
KEYS = ["respondent_id", "process_id", "wave", "group", "role", "language"]
STAGES = ["invited", "volunteered", "selected", "attended_all", "answered_post"]


@cache
def example(name: str) -> Example:
    return load_example(name)


def scale_score(df: pd.DataFrame, scale_id: str) -> pd.Series:
    """Mean of the valid (non-missing-code) items, reverse-keyed items reversed, min_valid."""
    spec = SCALE_BY_ID[scale_id]
    cols = []
    for item_id in spec.items:
        it = ITEM_BY_ID[item_id]
        x = df[item_id].astype("Float64")
        x = x.where((x >= it.low) & (x <= it.high))
        cols.append(it.low + it.high - x if it.reverse else x)
    m = pd.concat(cols, axis=1)
    return m.mean(axis=1).where(m.notna().sum(axis=1) >= spec.min_valid).astype("float64")


def paired_change(responses: pd.DataFrame, scale_id: str, group: str, wave: str = "post") -> pd.Series:
    d = responses[responses["group"] == group]
    d = d.assign(score=scale_score(d, scale_id))
    wide = d.pivot(index="respondent_id", columns="wave", values="score")
    both = wide[["pre", wave]].dropna()
    return both[wave] - both["pre"]


def cronbach_alpha(items: pd.DataFrame) -> float:
    m = items.dropna().to_numpy(float)
    k = m.shape[1]
    return k / (k - 1) * (1 - m.var(axis=0, ddof=1).sum() / m.sum(axis=1).var(ddof=1))


# ---- catalogue ------------------------------------------------------------------------------------
def test_list_examples_is_tidy_and_names_every_example() -> None:
    table = list_examples()
    assert table["name"].tolist() == NAMES
    assert table.columns.tolist() == [
        "name", "title", "model", "n_units", "design", "waves", "languages", "simulator", "synthetic"
    ]
    assert table["n_units"].tolist() == [3, 1, 1, 4, 3, 1]
    assert table["synthetic"].all()
    for name in NAMES:
        ex = example(name)
        row = table.set_index("name").loc[name]
        assert ex.process_ids == [name]
        assert ex.process["model"].item() == row["model"]
        if "unit" in ex.members:
            assert ex.members["unit"].nunique() == row["n_units"]
        assert set(ex.responses["wave"]) == set(row["waves"].split(","))
        assert set(ex.responses["language"]) == set(row["languages"].split(","))


# ---- designs ----------------------------------------------------------------------------------
def test_gentofte_ptc_design() -> None:
    ex = example("gentofte_ptc")
    assert ex.process[["members_citizen", "members_politician"]].to_numpy().tolist() == [[30, 15]]
    sel = ex.members[ex.members["selected"]]
    assert sel.groupby(["unit", "role"]).size().tolist() == [10, 5] * 3
    pre = ex.responses[ex.responses["wave"] == "pre"].merge(
        ex.members[["person_id", "unit"]], left_on="respondent_id", right_on="person_id")
    assert pre.groupby(["unit", "role"]).size().tolist() == [10, 5] * 3
    assert set(ex.responses["role"]) == set(ex.members["role"]) == {"citizen", "politician"}
    assert set(ex.responses["wave"]) == {"pre", "post"}
    assert set(ex.responses["language"]) == {"da", "en"}
    assert set(ex.responses.loc[ex.responses["role"] == "politician", "language"]) == {"da"}
    # hybrid-body items: answered by politicians, never by citizens
    hybrid = ex.responses["hybrid_citizen_competence"].notna()
    assert set(ex.responses.loc[hybrid, "role"]) == {"politician"}
    assert hybrid[ex.responses["role"] == "politician"].all()
    # the members table lists applicants (open call) and councillors
    assert ex.members.groupby("role").size().to_dict() == {"citizen": 90, "politician": 15}
    assert ex.members[["invited", "volunteered"]].all().all()


def test_wallonia_committee_design() -> None:
    ex = example("wallonia_committee")
    sel = ex.members[ex.members["selected"]]
    assert sel.groupby("role").size().to_dict() == {"citizen": 30, "politician": 10}
    assert ex.members[STAGES[:3]].sum().tolist() == [3010, 310, 40]
    assert set(ex.responses["wave"]) == {"pre", "post", "follow_up"}
    assert set(ex.responses["language"]) == {"fr"}
    assert ex.responses.loc[ex.responses["wave"] == "pre", "role"].value_counts().to_dict() == {
        "citizen": 30, "politician": 10
    }
    # the effects at follow-up are follow_up_retention times the effects at post
    truth = ex.truth["expected_change"].set_index(["role", "scale", "wave"])["latent_effect"]
    assert truth[("citizen", "external_efficacy", "post")] == pytest.approx(0.4)
    assert truth[("citizen", "external_efficacy", "follow_up")] == pytest.approx(0.2)
    assert truth[("politician", "hybrid_openness", "post")] == pytest.approx(0.3)


def test_climate_assembly_funnel_control_and_population() -> None:
    ex = example("climate_assembly")
    m = ex.members
    assert len(m) == 20_000
    assert m[STAGES[:3]].sum().tolist() == [20_000, 1_000, 100]
    groups = ex.responses.groupby(["group", "wave"])["respondent_id"].nunique()
    assert groups[("participant", "pre")] == 100
    assert {"control", "participant", "population"} == set(ex.responses["group"])
    assert groups[("control", "pre")] > groups[("control", "post")] > 300
    assert ("population", "post") not in groups.index
    # control = volunteers not selected; their ids are in the funnel
    control_ids = set(ex.responses.loc[ex.responses["group"] == "control", "respondent_id"])
    funnel = m.set_index("person_id")
    assert funnel.loc[sorted(control_ids), "volunteered"].all()
    assert not funnel.loc[sorted(control_ids), "selected"].any()
    # controls are asked only the control questionnaire
    control = ex.responses[ex.responses["group"] == "control"]
    assert control["influence_perceived"].isna().all()
    assert control["dx_respect"].isna().all()
    assert control["efficacy_ext_care"].notna().all()
    assert ex.questionnaires == {
        "participant": "participant_standard", "control": "control_standard", "population": "control_standard"
    }
    # benchmarks for the selection check
    b = ex.benchmarks
    assert b is not None
    assert b.columns.tolist() == ["variable", "value", "source", "year"]
    assert b["variable"].tolist() == [
        "trust_political_institutions", "internal_efficacy", "external_efficacy", "influence_have_say"
    ]
    assert b["source"].str.contains("synthetic").all()
    assert set(ex.targets["dimension"]) == {"demo_gender", "demo_age_band", "demo_education", "demo_region"}


def test_cofoe_panel_design() -> None:
    ex = example("cofoe_panel")
    sel = ex.members[ex.members["selected"]]
    assert sel.groupby("unit").size().to_dict() == {f"panel_{p}": 200 for p in range(1, 5)}
    assert ex.members.loc[~ex.members["selected"], "unit"].isna().all()
    assert ex.process["members_citizen"].item() == 800
    assert (ex.responses["wave"] == "pre").sum() == 800
    assert set(ex.responses["language"]) == {"en", "fr", "de", "nl"}
    assert set(ex.responses["role"]) == {"citizen"}
    # the latent effect of the process is the mean of the panels' effects, weighted by completers
    effects = ex.truth["panel_effects"]
    assert len(effects) == 4
    assert len(set(effects.values())) == 4
    truth = ex.truth["expected_change"].query("scale == 'external_efficacy'")["latent_effect"].item()
    assert min(effects.values()) < truth < max(effects.values())


# ---- codes and tables, every example ---------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_codes_are_allowed_values_or_missing_codes(name: str) -> None:
    r = example(name).responses
    assert r.columns.tolist() == KEYS + [it.id for it in ITEMS] + list(DEMOGRAPHICS)
    for it in ITEMS:
        assert r[it.id].dtype == np.float64
        found = set(r[it.id].dropna().astype(int))
        assert found <= it.allowed_codes(), it.id
        asked = r["wave"].isin(it.waves) & r["role"].isin(it.respondents)
        assert r.loc[~asked, it.id].isna().all(), it.id
    for dim, cats in DEMOGRAPHICS.items():
        values = r[dim].dropna()
        assert set(values) <= set(cats) | {"refused"}, dim
        assert (r.loc[values.index, "wave"] == "pre").all()
    assert not r.duplicated(["respondent_id", "wave"]).any()
    assert r["wave"].isin(["pre", "post", "follow_up"]).all()
    # every respondent answered pre; none is in post without pre
    first = r.groupby("respondent_id")["wave"].first()
    assert (first == "pre").all()


def test_missing_codes_occur_at_small_rates() -> None:
    r = example("climate_assembly").responses
    trust = r["trust_parliament"].dropna()
    eff = r["efficacy_ext_care"].dropna()
    assert 0.005 < trust.isin([77, 88]).mean() < 0.06
    assert 0.003 < eff.isin([8, 9]).mean() < 0.05
    assert (trust == 88).sum() > (trust == 77).sum()


@pytest.mark.parametrize("name", NAMES)
def test_members_funnel_is_nested_and_matches_responses(name: str) -> None:
    ex = example(name)
    m = ex.members
    assert m.columns.tolist()[:9] == ["person_id", "process_id", "role", *STAGES, "funnel_stage"]
    assert not m["person_id"].duplicated().any()
    flags = m[STAGES].to_numpy()
    assert (flags[:, 1:] <= flags[:, :-1]).all(), "stages must be nested"
    assert (m["funnel_stage"] == np.array(STAGES)[flags.sum(axis=1) - 1]).all()
    for dim, cats in DEMOGRAPHICS.items():
        assert set(m[dim]) <= set(cats)
    # participants' ids and post answers agree with the funnel
    part = ex.responses[ex.responses["group"] == "participant"]
    assert set(part["respondent_id"]) == set(m.loc[m["selected"], "person_id"])
    assert set(part.loc[part["wave"] == "post", "respondent_id"]) == set(m.loc[m["answered_post"], "person_id"])
    # demographics in the survey are the funnel's (unless refused)
    pre = part[(part["wave"] == "pre") & (part["role"] == "citizen")].set_index("respondent_id")
    for dim in DEMOGRAPHICS:
        answered = pre[dim][pre[dim] != "refused"]
        assert (answered == m.set_index("person_id").loc[answered.index, dim]).all()


@pytest.mark.parametrize("name", NAMES)
def test_targets_shares_sum_to_one_and_cover_members(name: str) -> None:
    ex = example(name)
    t = ex.targets
    assert t.columns.tolist() == ["population_id", "dimension", "category", "share", "source", "year"]
    assert t.groupby("dimension")["share"].sum().to_numpy() == pytest.approx(1.0, abs=1e-12)
    assert t["source"].str.startswith("synthetic").all()
    for dim, cats in t.groupby("dimension")["category"]:
        assert list(cats) == list(DEMOGRAPHICS[str(dim)])


@pytest.mark.parametrize("name", NAMES)
def test_everything_is_labelled_synthetic(name: str) -> None:
    ex = example(name)
    assert ex.synthetic
    assert ex.description.startswith("SYNTHETIC")
    assert "SYNTHETIC" in repr(ex)
    assert ex.process["name"].str.contains("SYNTHETIC").all()
    assert ex.process["remit"].str.startswith("SYNTHETIC").all()
    for table in (ex.process, ex.responses, ex.targets, ex.members):
        assert table.attrs["synthetic"] is True
        assert table.attrs["example"] == name
    # the permanent dialogue states its parliament's duties in the process table too
    duties = ["response_deadline_days", "justification_required", "privacy_policy"]
    assert ex.process.columns.tolist() == [
        "process_id", "name", "model", "country", "level_of_government", "commissioner", "start_date",
        "end_date", "n_sessions", "members_citizen", "members_politician", "remit", "languages",
        *(duties if name == "ostbelgien_dialogue" else []),
    ]
    assert (ex.process["end_date"] > ex.process["start_date"]).all()
    assert ex.recommendations is None
    assert ex.response_events is None


def test_with_registers_hook_returns_a_copy() -> None:
    ex = example("wallonia_committee")
    recs = pd.DataFrame({"process_id": ["wallonia_committee"], "rec_id": ["R1"]})
    filled = ex.with_registers(recs, None)
    assert filled.recommendations is recs
    assert ex.recommendations is None
    assert filled.responses is ex.responses


@pytest.mark.parametrize("name", NAMES)
def test_registers_belong_to_the_process_and_follow_its_end(name: str) -> None:
    ex = load_example(name, registers=True)
    recs, events = ex.recommendations, ex.response_events
    assert recs is not None
    assert events is not None
    assert set(recs["process_id"]) == {name}
    start, end = ex.process["start_date"].item(), ex.process["end_date"].item()
    if ex.process["model"].item() == "permanent_dialogue":
        # successive assemblies hand their recommendations over while the dialogue goes on
        assert recs["submitted"].between(start, end).all()
        assert recs["submitted"].nunique() == 2
    else:
        assert (recs["submitted"] >= end).all()
    handed = pd.to_datetime(events["rec_id"].map(recs.set_index("rec_id")["submitted"]))
    assert (pd.to_datetime(events["date"]) >= handed).all()
    assert set(events["rec_id"]) <= set(recs["rec_id"])
    pd.testing.assert_frame_equal(ex.responses, example(name).responses)


# ---- determinism ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_other_seed_other_data(name: str) -> None:
    a, b = load_example(name, seed=7), load_example(name, seed=7)
    for field in ("process", "responses", "targets", "members"):
        pd.testing.assert_frame_equal(getattr(a, field), getattr(b, field))
    pd.testing.assert_frame_equal(a.truth["expected_change"], b.truth["expected_change"])
    assert a.seed == 7
    c = load_example(name, seed=8)
    assert not a.responses.equals(c.responses)
    # the default seed is fixed, so load_example(name) is the same everywhere
    pd.testing.assert_frame_equal(load_example(name).responses, example(name).responses)


# ---- measurement model and true effects ----------------------------------------------------------
@pytest.fixture(scope="module")
def big_assembly() -> Example:
    return simulate_climate_assembly(
        n_invited=60_000, n_volunteers=12_000, n_members=6_000, n_population=6_000, seed=11
    )


def test_scales_have_realistic_reliability(big_assembly: Example) -> None:
    r = big_assembly.responses
    pre = r[(r["wave"] == "pre") & (r["group"] == "participant")]
    post = r[(r["wave"] == "post") & (r["group"] == "participant")]
    for scale_id, frame in [("trust_political_institutions", pre), ("internal_efficacy", pre),
                            ("external_efficacy", pre), ("deliberative_quality", post)]:
        items = []
        for item_id in SCALE_BY_ID[scale_id].items:
            it = ITEM_BY_ID[item_id]
            x = frame[item_id].astype("Float64")
            x = x.where(x <= it.high)
            items.append(it.low + it.high - x if it.reverse else x)
        alpha = cronbach_alpha(pd.concat(items, axis=1))
        assert 0.7 <= alpha <= 0.92, (scale_id, alpha)
    # reverse-keyed items correlate negatively with the other items of their scale
    both = pre[["efficacy_ext_care", "efficacy_ext_no_say"]].astype("Float64")
    both = both.where(both <= 5).dropna().astype(float)
    assert both.corr().iloc[0, 1] < -0.3


def test_external_efficacy_effect_is_recovered(big_assembly: Example) -> None:
    ex = big_assembly
    truth = ex.truth["expected_change"].set_index(["group", "scale"])
    for group in ("participant", "control"):
        diff = paired_change(ex.responses, "external_efficacy", group)
        expected = truth.loc[(group, "external_efficacy")]
        se = diff.std() / np.sqrt(len(diff))
        # n counts everyone who answered both waves; a few lack a score (missing codes)
        assert 0.98 * expected["n"] < len(diff) <= expected["n"]
        assert abs(diff.mean() - expected["expected_change"]) < 4 * se, group
    # participants change by about the true effect; in SD units of the pre scores it is the
    # latent +0.4 SD attenuated by measurement error (reliability ~ .75-.8)
    part = paired_change(ex.responses, "external_efficacy", "participant")
    pre_sd = scale_score(ex.responses[(ex.responses["group"] == "participant") & (ex.responses["wave"] == "pre")],
                         "external_efficacy").std()
    assert truth.loc[("participant", "external_efficacy"), "latent_effect"] == pytest.approx(0.4)
    assert 0.3 < part.mean() / pre_sd < 0.4
    assert abs(paired_change(ex.responses, "external_efficacy", "control").mean() / pre_sd) < 0.03
    # trust has no effect
    trust = paired_change(ex.responses, "trust_political_institutions", "participant")
    assert abs(trust.mean()) < 4 * trust.std() / np.sqrt(len(trust))


def test_no_effect_when_effect_is_zero() -> None:
    ex = simulate_climate_assembly(n_invited=30_000, n_volunteers=6_000, n_members=3_000, n_population=0,
                                   effect_external_efficacy=0.0, seed=3)
    diff = paired_change(ex.responses, "external_efficacy", "participant")
    assert ex.truth["expected_change"].query("group == 'participant' and scale == 'external_efficacy'")[
        "expected_change"].item() == 0.0
    assert abs(diff.mean()) < 4 * diff.std() / np.sqrt(len(diff))


def test_trend_moves_controls_and_participants_alike() -> None:
    ex = simulate_climate_assembly(n_invited=30_000, n_volunteers=6_000, n_members=3_000, n_population=0,
                                   effect_external_efficacy=0.0, trend=-0.3, seed=4)
    for group in ("participant", "control"):
        diff = paired_change(ex.responses, "external_efficacy", group)
        expected = ex.truth["expected_change"].query(f"group == '{group}' and scale == 'external_efficacy'")
        assert expected["expected_effect"].item() == 0.0
        assert expected["expected_change"].item() < -0.15
        assert abs(diff.mean() - expected["expected_change"].item()) < 4 * diff.std() / np.sqrt(len(diff))


def test_members_are_more_trusting_than_the_population(big_assembly: Example) -> None:
    ex = big_assembly
    r = ex.responses
    bench = ex.benchmarks.set_index("variable")["value"]
    pop = r[r["group"] == "population"]
    part = r[(r["group"] == "participant") & (r["wave"] == "pre")]
    for scale_id in ("trust_political_institutions", "external_efficacy"):
        pop_scores = scale_score(pop, scale_id).dropna()
        # the benchmark is the population's expected mean: the population survey agrees with it
        assert abs(pop_scores.mean() - bench[scale_id]) < 4 * pop_scores.std() / np.sqrt(len(pop_scores))
        gap = scale_score(part, scale_id).mean() - bench[scale_id]
        assert gap == pytest.approx(ex.truth[f"baseline_gap_{scale_id}"], abs=0.06)
    assert ex.truth["baseline_latent_gap_trust"] > 0.2
    assert ex.truth["baseline_gap_trust_political_institutions"] > 0.3
    # volunteering is biased towards the educated and earlier participants
    m = ex.members
    vol = m[m["volunteered"]]
    assert (vol["demo_education"] == "isced_5_8").mean() > (m["demo_education"] == "isced_5_8").mean() + 0.05
    assert (vol["demo_prior_participation"] == "yes").mean() > (m["demo_prior_participation"] == "yes").mean() + 0.05


def test_stratified_selection_moves_the_panel_back_towards_the_targets(big_assembly: Example) -> None:
    m = big_assembly.members
    target = big_assembly.targets.query("dimension == 'demo_education' and category == 'isced_5_8'")["share"].item()
    vol = (m.loc[m["volunteered"], "demo_education"] == "isced_5_8").mean()
    sel = (m.loc[m["selected"], "demo_education"] == "isced_5_8").mean()
    assert abs(sel - target) < abs(vol - target) / 2


def test_hybrid_openness_of_politicians_rises() -> None:
    ex = simulate_gentofte_ptc(n_committees=2, n_politicians=2_000, n_citizens=50, n_applicants=100, seed=5)
    r = ex.responses.assign(group=ex.responses["role"])  # pair by role
    diff = paired_change(r, "hybrid_openness", "politician")
    expected = ex.truth["expected_change"].query("role == 'politician' and scale == 'hybrid_openness'")
    n = expected["n"].sum()
    mean = (expected["expected_change"] * expected["n"]).sum() / n
    assert 0.98 * n < len(diff) <= n
    assert abs(diff.mean() - mean) < 4 * diff.std() / np.sqrt(len(diff))
    assert mean > 0.1


# ---- bad input ---------------------------------------------------------------------------------------
def test_unknown_example_and_parameter_give_clear_errors() -> None:
    with pytest.raises(DataInputError, match=r"unknown example 'climate'; known examples: gentofte_ptc, "):
        load_example("climate")
    with pytest.raises(DataInputError, match=r"takes no parameter\(s\) 'n_panels'"):
        load_example("climate_assembly", n_panels=3)


@pytest.mark.parametrize(
    ("func", "kwargs", "message"),
    [
        (simulate_climate_assembly, {"n_members": 2_000}, r"n_members \(2000\) cannot exceed n_volunteers \(1000\)"),
        (simulate_climate_assembly, {"n_invited": 0}, r"n_invited must be an int >= 1, got 0"),
        (simulate_climate_assembly, {"attrition": 1.0}, r"attrition must lie in \[0, 1\), got 1.0"),
        (simulate_climate_assembly, {"effect_external_efficacy": float("nan")}, "must be a finite number"),
        (simulate_climate_assembly, {"seed": -1}, "seed must be a non-negative int"),
        (simulate_gentofte_ptc, {"n_citizens": 40}, r"n_citizens \(40\) cannot exceed n_applicants \(30\)"),
        (simulate_wallonia_committee, {"follow_up_retention": 1.5}, r"follow_up_retention must lie in \[0, 1\]"),
        (simulate_cofoe_panel, {"panel_size": 500}, r"n_panels \* panel_size \(2000\) cannot exceed"),
        (simulate_cofoe_panel, {"effect_between_panels_sd": -0.1}, "must be >= 0"),
        (simulate_cofoe_panel, {"n_panels": 2.5}, "n_panels must be an int"),
    ],
)
def test_bad_parameters_are_rejected(func, kwargs, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DelibervalError, match=message):
        func(**{"seed": 1, **kwargs})


def test_generator_seed_is_accepted() -> None:
    ex = simulate_wallonia_committee(seed=np.random.default_rng(3))
    assert ex.seed is None
    assert len(ex.responses) > 40
