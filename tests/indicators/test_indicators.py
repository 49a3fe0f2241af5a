"""evaluate_process / indicator_table: values recomputed by hand, statuses, reasons and small-cell suppression."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from deliberval.analysis.did import did
from deliberval.analysis.uptake import uptake
from deliberval.datasets import load_example
from deliberval.errors import AnalysisInputError, DataInputError
from deliberval.indicators import (
    INDICATOR_COLUMNS,
    EvaluationSettings,
    evaluate_process,
    indicator_table,
    load_catalogue,
)
from deliberval.instruments import load_instrument
from deliberval.scoring import score
from deliberval.validation.process import process_data
from deliberval.validation.register import validate_register

INSTRUMENT = load_instrument("participant_standard")


def wilson(count: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval written out (R prop.test(correct = FALSE))."""
    z = stats.norm.ppf(0.5 + level / 2)
    p = count / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


@pytest.fixture(scope="module")
def gentofte() -> tuple[object, pd.DataFrame]:
    ex = load_example("gentofte_ptc", registers=True)
    ev = evaluate_process(ex.process_data(INSTRUMENT), EvaluationSettings(deadline_days=90, seed=3))
    return ex, ev.indicators.set_index("indicator_id")


def test_columns_and_one_row_per_catalogue_indicator(gentofte):
    _, tab = gentofte
    assert list(tab.reset_index().columns) == INDICATOR_COLUMNS
    assert list(tab.index) == [s.id for s in load_catalogue().indicators]
    assert set(tab["status"]) <= {"measured", "not_measured", "suppressed"}
    # a measured indicator states where it came from; a missing one says what is missing
    assert (tab.loc[tab["status"] == "measured", "method"] != "").all()
    assert (tab.loc[tab["status"] == "not_measured", "status_reason"] != "").all()


def test_share_agree_matches_a_hand_count_and_wilson(gentofte):
    ex, tab = gentofte
    r = ex.responses
    x = r.loc[(r["wave"] == "post") & (r["group"] == "participant") & (r["role"] == "citizen"),
              "dx_facilitation_neutral"]
    x = x[x.between(1, 5)]  # 8 and 9 are missing codes
    count, n = int(x.isin([4, 5]).sum()), len(x)
    row = tab.loc["facilitation_neutral"]
    assert row["n"] == n
    assert row["estimate"] == pytest.approx(count / n, abs=1e-12)
    lo, hi = wilson(count, n)
    assert row["ci_low"] == pytest.approx(lo, abs=1e-10)
    assert row["ci_high"] == pytest.approx(hi, abs=1e-10)
    assert row["meets_threshold"] == (count / n >= 0.80)


def test_scale_mean_and_paired_change_by_hand(gentofte):
    ex, tab = gentofte
    s = score(ex.responses, INSTRUMENT).data
    cit = s.loc[(s["group"] == "participant") & (s["role"] == "citizen")]
    post = cit.loc[cit["wave"] == "post", "deliberative_quality"].dropna()
    row = tab.loc["deliberative_quality_scale"]
    assert row["estimate"] == pytest.approx(post.mean(), abs=1e-12)
    half = stats.t.ppf(0.975, len(post) - 1) * post.std(ddof=1) / math.sqrt(len(post))
    assert row["ci_high"] - row["estimate"] == pytest.approx(half, abs=1e-10)
    wide = cit.pivot_table(index="respondent_id", columns="wave", values="external_efficacy")
    d = (wide["post"] - wide["pre"]).dropna()
    row = tab.loc["change_external_efficacy"]
    assert row["n"] == len(d)
    assert row["estimate"] == pytest.approx(d.mean() / d.std(ddof=1), abs=1e-10)
    assert row["ci_low"] < row["estimate"] < row["ci_high"]


def test_retention_and_representativeness(gentofte):
    ex, tab = gentofte
    m = ex.members
    sel = m.loc[(m["role"] == "citizen") & m["selected"]]
    row = tab.loc["retention_rate"]
    assert row["n"] == len(sel)
    assert row["estimate"] == pytest.approx(sel["attended_all"].mean(), abs=1e-12)
    # Duncan's index of gender by hand; the indicator averages it over the dimensions
    tg = ex.targets.loc[ex.targets["dimension"] == "demo_gender"].set_index("category")["share"]
    panel = sel["demo_gender"].value_counts(normalize=True).reindex(tg.index, fill_value=0)
    duncan_gender = 0.5 * float((panel - tg).abs().sum())
    assert 0 <= duncan_gender <= 1
    assert tab.loc["representativeness_dissimilarity", "n"] == len(sel)
    assert 0 < tab.loc["representativeness_dissimilarity", "estimate"] < 0.5


def test_open_call_has_no_r_indicator(gentofte):
    _, tab = gentofte
    row = tab.loc["selection_funnel_r_indicator"]
    assert row["status"] == "not_measured"
    assert "open call" in row["status_reason"]


def test_uptake_indicators_equal_uptake(gentofte):
    ex, tab = gentofte
    register = validate_register(ex.recommendations, ex.response_events).register
    res = uptake(register,
                 as_of=pd.to_datetime(ex.response_events["date"]).max(), deadline_days=90)
    ind = res.indicators.set_index("indicator")
    for ours, theirs in [("response_any", "any_public_response"), ("uptake_rate", "uptake_rate"),
                         ("response_within_deadline", "answered_within_deadline"),
                         ("implementation_rate", "implementation_rate")]:
        assert tab.loc[ours, "estimate"] == pytest.approx(ind.loc[theirs, "estimate"], abs=1e-12)
        assert tab.loc[ours, "n"] == ind.loc[theirs, "n"]
        assert tab.loc[ours, "status"] == "measured"


def test_not_measured_names_the_missing_data(gentofte):
    _, tab = gentofte
    assert tab.loc["did_external_efficacy", "status_reason"] == (
        "no control group in the responses (group == 'control')")
    assert "privacy_policy" in tab.loc["member_privacy", "status_reason"]
    assert pd.isna(tab.loc["did_external_efficacy", "estimate"])
    assert pd.isna(tab.loc["did_external_efficacy", "meets_threshold"])


def test_nothing_given_means_nothing_measured():
    tab = indicator_table()
    assert (tab["status"] == "not_measured").all()
    assert tab["estimate"].isna().all()


def test_did_with_a_control_group():
    ex = load_example("climate_assembly")
    tab = indicator_table(ex.responses, INSTRUMENT, settings=EvaluationSettings(seed=1)).set_index("indicator_id")
    s = score(ex.responses, INSTRUMENT).data
    s = s.loc[s["role"] == "citizen"]
    s = s.loc[s["group"].isin(["participant", "control"]) & s["wave"].isin(["pre", "post"])]
    ref = did(s, "external_efficacy").set_index("model").loc["pooled_ols"]
    row = tab.loc["did_external_efficacy"]
    assert row["estimate"] == pytest.approx(ref["estimate"], abs=1e-12)
    assert row["ci_low"] == pytest.approx(ref["ci_low"], abs=1e-12)
    assert row["status"] == "measured"
    # the representativeness indicators need members and targets, which were not given
    assert tab.loc["representativeness_dissimilarity", "status"] == "not_measured"


def test_small_cells_are_suppressed_with_the_rule_stated(gentofte):
    ex, _ = gentofte
    tab = indicator_table(ex.responses, INSTRUMENT,
                          settings=EvaluationSettings(min_cell_size=20)).set_index("indicator_id")
    row = tab.loc["change_hybrid_openness"]  # 13 politicians answered both waves
    assert row["status"] == "suppressed"
    assert pd.isna(row["estimate"])
    assert pd.isna(row["ci_low"])
    assert pd.isna(row["n"])
    assert row["status_reason"] == "based on fewer than 20 respondents (disclosure control)"
    assert pd.isna(row["meets_threshold"])
    # 22 citizens answered the post survey: published
    assert tab.loc["facilitation_neutral", "status"] == "measured"
    # no published respondent-based indicator rests on fewer than 20 respondents
    measured = tab.loc[tab["status"] == "measured", "n"].dropna()
    assert (measured >= 20).all()


def test_threshold_direction():
    ex = load_example("gentofte_ptc", registers=True)
    tab = indicator_table(recommendations=ex.recommendations, events=ex.response_events,
                          settings=EvaluationSettings(deadline_days=90)).set_index("indicator_id")
    row = tab.loc["rejected_without_reasons"]  # lower is better, threshold 0
    assert row["direction"] == "lower_is_better"
    assert row["meets_threshold"] == (row["estimate"] <= 0)


#: the identity columns every process table needs (validate_process)
PROCESS = {"process_id": "p1", "name": "A process", "model": "citizens_assembly"}


def test_process_facts_are_read():
    tab = indicator_table(process={**PROCESS, "privacy_policy": "yes", "aftercare": "no"}).set_index("indicator_id")
    assert tab.loc["member_privacy", "estimate"] == 1.0
    assert tab.loc["aftercare", "estimate"] == 0.0
    assert pd.isna(tab.loc["member_privacy", "n"])
    row = indicator_table(process={**PROCESS, "privacy_policy": "perhaps"}).set_index("indicator_id").loc[
        "member_privacy"]
    assert row["status"] == "not_measured"
    assert row["status_reason"] == (
        "could not be computed: process field 'privacy_policy' must be yes or no, got 'perhaps'")


def test_facts_of_a_quarantined_process_table_are_not_read_and_the_reason_says_so():
    # facts without process_id / name / model: the row is quarantined, a failure row names each column
    data = process_data(INSTRUMENT, process=pd.DataFrame([{"privacy_policy": "yes"}]))
    assert data.process.valid.empty
    assert len(data.process.quarantined) == 1
    assert sorted(data.process.failures["column"]) == ["model", "name", "process_id"]
    assert set(data.process.failures["check"]) == {"missing_column"}
    row = indicator_table(process={"privacy_policy": "yes"}).set_index("indicator_id").loc["member_privacy"]
    assert row["status"] == "not_measured"
    assert row["status_reason"].startswith("the process table was quarantined (")
    assert "the process table has no 'process_id' column" in row["status_reason"]


def test_bad_arguments():
    ex = load_example("gentofte_ptc")
    with pytest.raises(AnalysisInputError, match="without the instrument"):
        indicator_table(ex.responses)
    with pytest.raises(AnalysisInputError, match="min_cell_size"):
        EvaluationSettings(min_cell_size=0)


def test_a_process_table_of_two_rows_is_quarantined_whole():
    ex = load_example("gentofte_ptc")
    two = pd.concat([ex.process, ex.process], ignore_index=True)
    data = process_data(INSTRUMENT, process=two)
    assert data.process.valid.empty
    assert len(data.process.quarantined) == 2
    f = data.process.failures
    assert f["check"].tolist() == ["one_row", "one_row"]
    assert f["row"].tolist() == [0, 1]
    assert (f["message"] == "the process table has 2 rows; expected one row describing the process").all()
    assert data.process_facts() == {}
    assert data.response_deadline_days is None
    row = indicator_table(process=two).set_index("indicator_id").loc["member_privacy"]
    assert row["status"] == "not_measured"
    assert "expected one row" in row["status_reason"]


def test_labels_in_french():
    tab = indicator_table(settings=EvaluationSettings(language="fr")).set_index("indicator_id")
    assert tab.loc["facilitation_neutral", "label"] == "Membres jugeant l'animation neutre"


def test_catalogue_checks(tmp_path: Path):
    cat = load_catalogue()
    assert cat.version == "1.2.0"
    assert len({s.id for s in cat.indicators}) == len(cat.indicators)
    assert all("fr" in s.label for s in cat.indicators)
    assert cat.stage_label("pathways_to_impact", "fr").startswith("Recommandations")

    raw = yaml.safe_load((Path(__file__).parents[2] / "src/deliberval/indicators/catalogue.yaml").read_text())
    raw["indicators"].append(dict(raw["indicators"][0]))
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw))
    with pytest.raises(DataInputError, match="duplicated indicator id"):
        load_catalogue(bad)
    raw["indicators"].pop()
    raw["indicators"][0]["needs"] = ["telepathy"]
    bad.write_text(yaml.safe_dump(raw))
    with pytest.raises(DataInputError, match="unknown data need"):
        load_catalogue(bad)
    with pytest.raises(DataInputError, match="not found"):
        load_catalogue(tmp_path / "none.yaml")


def test_estimates_are_finite_when_measured(gentofte):
    _, tab = gentofte
    measured = tab.loc[tab["status"] == "measured", "estimate"].astype(float)
    assert np.isfinite(measured).all()


def test_a_tiny_control_group_suppresses_the_did():
    ex = load_example("climate_assembly")
    r = ex.responses
    keep = sorted(r.loc[(r["group"] == "control") & (r["wave"] == "post"), "respondent_id"].unique())[:3]
    r = r.loc[(r["group"] == "participant") | r["respondent_id"].isin(keep)]
    tab = indicator_table(r, INSTRUMENT).set_index("indicator_id")
    row = tab.loc["did_external_efficacy"]
    assert row["status"] == "suppressed"
    assert pd.isna(row["estimate"])
    assert tab.loc["change_external_efficacy", "status"] == "measured"


def test_every_catalogue_function_exists():
    import deliberval

    for spec in load_catalogue().indicators:
        if spec.function is not None:
            assert callable(getattr(deliberval, spec.function.split(".", 1)[1])), spec.function


def _post_citizens(r: pd.DataFrame) -> pd.Index:
    return r.index[(r["wave"] == "post") & (r["group"] == "participant") & (r["role"] == "citizen")]


def test_missing_codes_are_out_of_the_share_agreeing_denominator():
    r = load_example("gentofte_ptc").responses.copy()
    post = _post_citizens(r)
    answered = post[r.loc[post, "dx_facilitation_neutral"].notna().to_numpy()]
    r.loc[answered[:3], "dx_facilitation_neutral"] = 8.0  # don't know
    r.loc[answered[3:4], "dx_facilitation_neutral"] = 9.0  # refused
    x = r.loc[post, "dx_facilitation_neutral"]
    valid = x[x.between(1, 5)]
    count, n = int(valid.isin([4, 5]).sum()), len(valid)
    assert n == 18  # 22 answers, 4 of them missing codes
    row = indicator_table(r, INSTRUMENT).set_index("indicator_id").loc["facilitation_neutral"]
    assert row["status"] == "measured"
    assert row["n"] == n
    assert row["estimate"] == pytest.approx(count / n, abs=1e-12)
    lo, hi = wilson(count, n)
    assert row["ci_low"] == pytest.approx(lo, abs=1e-12)
    assert row["ci_high"] == pytest.approx(hi, abs=1e-12)


def test_answers_that_are_not_scale_codes_are_never_silently_dropped():
    # an answer that is not a response code quarantines its row, with a failure row naming it;
    # the indicator rests on the valid rows only
    r = load_example("gentofte_ptc").responses.copy()
    post = _post_citizens(r)
    answered = post[r.loc[post, "dx_facilitation_neutral"].notna().to_numpy()]
    r.loc[answered[:2], "dx_facilitation_neutral"] = 2.5  # inside 1..5 but not a code
    data = process_data(INSTRUMENT, responses=r)
    assert sorted(data.responses.quarantined.index) == sorted(answered[:2])
    bad = data.responses.failures.loc[data.responses.failures["column"] == "dx_facilitation_neutral"]
    assert len(bad) == 2
    assert (bad["severity"] == "error").all()
    assert bad["value"].astype(float).tolist() == [2.5, 2.5]
    assert bad["message"].str.startswith("outside the response scale").all()
    rest = r.loc[answered[2:], "dx_facilitation_neutral"]
    count, n = int(rest.isin([4, 5]).sum()), len(rest)
    assert n == 20  # 22 answers, 2 of them quarantined
    row = indicator_table(r, INSTRUMENT).set_index("indicator_id").loc["facilitation_neutral"]
    assert row["status"] == "measured"
    assert row["n"] == n
    assert row["estimate"] == pytest.approx(count / n, abs=1e-12)
    # a text answer is quarantined too (scoring never sees it)
    r = load_example("gentofte_ptc").responses.copy()
    r["dx_facilitation_neutral"] = r["dx_facilitation_neutral"].astype(object)
    r.loc[answered[:1], "dx_facilitation_neutral"] = "agree"
    data = process_data(INSTRUMENT, responses=r)
    assert list(data.responses.quarantined.index) == list(answered[:1])
    bad = data.responses.failures.loc[data.responses.failures["column"] == "dx_facilitation_neutral"]
    assert bad[["value", "check"]].to_dict("records") == [{"value": "agree", "check": "type"}]
    assert bad["message"].iloc[0].startswith("not a number")
    row = indicator_table(r, INSTRUMENT).set_index("indicator_id").loc["facilitation_neutral"]
    assert row["status"] == "measured"
    assert row["n"] == 21
