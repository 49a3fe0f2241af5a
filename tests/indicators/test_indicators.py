"""indicators(): values recomputed by hand, statuses, reasons and small-cell suppression."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from deliberval.analysis.change import did
from deliberval.analysis.uptake import uptake
from deliberval.datasets import load_example
from deliberval.errors import AnalysisInputError, DataInputError
from deliberval.indicators import INDICATOR_COLUMNS, evaluate_process, indicators, load_catalogue
from deliberval.instruments import load_instrument
from deliberval.scoring import score

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
    run = evaluate_process(ex.responses, INSTRUMENT, members=ex.members, targets=ex.targets,
                           recommendations=ex.recommendations, events=ex.response_events,
                           process=ex.process, deadline_days=90, seed=3)
    return ex, run.table.set_index("indicator_id")


def test_columns_and_one_row_per_catalogue_indicator(gentofte):
    _, tab = gentofte
    assert list(tab.reset_index().columns) == INDICATOR_COLUMNS
    assert list(tab.index) == [s.id for s in load_catalogue().indicators]
    assert set(tab["status"]) <= {"measured", "not_measured", "suppressed"}
    # a measured indicator states where it came from; a missing one says what is missing
    assert (tab.loc[tab["status"] == "measured", "data_source"] != "").all()
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
    s = score(ex.responses, INSTRUMENT).scores
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
    res = uptake(ex.recommendations, ex.response_events,
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
    tab = indicators()
    assert (tab["status"] == "not_measured").all()
    assert tab["estimate"].isna().all()


def test_did_with_a_control_group():
    ex = load_example("climate_assembly")
    tab = indicators(ex.responses, INSTRUMENT, seed=1).set_index("indicator_id")
    s = score(ex.responses, INSTRUMENT).scores
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
    tab = indicators(ex.responses, INSTRUMENT, min_cell_size=20).set_index("indicator_id")
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
    tab = indicators(recommendations=ex.recommendations, events=ex.response_events,
                     deadline_days=90).set_index("indicator_id")
    row = tab.loc["rejected_without_reasons"]  # lower is better, threshold 0
    assert row["direction"] == "lower_is_better"
    assert row["meets_threshold"] == (row["estimate"] <= 0)


def test_process_facts_are_read():
    tab = indicators(process={"privacy_policy": "yes", "aftercare": "no"}).set_index("indicator_id")
    assert tab.loc["member_privacy", "estimate"] == 1.0
    assert tab.loc["aftercare", "estimate"] == 0.0
    assert pd.isna(tab.loc["member_privacy", "n"])
    row = indicators(process={"privacy_policy": "perhaps"}).set_index("indicator_id").loc["member_privacy"]
    assert row["status"] == "not_measured"
    assert row["status_reason"] == (
        "could not be computed: process field 'privacy_policy' must be yes or no, got 'perhaps'")


def test_bad_arguments():
    ex = load_example("gentofte_ptc")
    with pytest.raises(AnalysisInputError, match="without the instrument"):
        indicators(ex.responses)
    with pytest.raises(AnalysisInputError, match="min_cell_size"):
        indicators(min_cell_size=0)
    with pytest.raises(AnalysisInputError, match="one row"):
        indicators(process=pd.concat([ex.process, ex.process]))


def test_labels_in_french():
    tab = indicators(lang="fr").set_index("indicator_id")
    assert tab.loc["facilitation_neutral", "label"] == "Membres jugeant l'animation neutre"


def test_catalogue_checks(tmp_path: Path):
    cat = load_catalogue()
    assert cat.version == "1.1.0"
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
    tab = indicators(r, INSTRUMENT).set_index("indicator_id")
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
    row = indicators(r, INSTRUMENT).set_index("indicator_id").loc["facilitation_neutral"]
    assert row["status"] == "measured"
    assert row["n"] == n
    assert row["estimate"] == pytest.approx(count / n, abs=1e-12)
    lo, hi = wilson(count, n)
    assert row["ci_low"] == pytest.approx(lo, abs=1e-12)
    assert row["ci_high"] == pytest.approx(hi, abs=1e-12)


def test_answers_that_are_not_scale_codes_are_never_silently_dropped():
    r = load_example("gentofte_ptc").responses.copy()
    post = _post_citizens(r)
    answered = post[r.loc[post, "dx_facilitation_neutral"].notna().to_numpy()]
    r.loc[answered[:2], "dx_facilitation_neutral"] = 2.5  # inside 1..5 but not a code
    row = indicators(r, INSTRUMENT).set_index("indicator_id").loc["facilitation_neutral"]
    assert row["status"] == "not_measured"
    assert "2 answer(s) that are not response codes 1..5 (e.g. 2.5)" in row["status_reason"]
    # a text answer is caught by scoring with a clear error
    r = load_example("gentofte_ptc").responses.copy()
    r["dx_facilitation_neutral"] = r["dx_facilitation_neutral"].astype(object)
    r.loc[answered[:1], "dx_facilitation_neutral"] = "agree"
    with pytest.raises(DataInputError, match="neither numbers nor missing codes"):
        indicators(r, INSTRUMENT)


def test_column_helper_refuses_non_numeric_values():
    from deliberval.indicators.compute import _column

    with pytest.raises(AnalysisInputError, match=r"1 non-numeric value\(s\) after scoring \(e.g. 'x'\)"):
        _column(pd.DataFrame({"q": ["1", "x", None]}), "q", "item")
    assert _column(pd.DataFrame({"q": [1.0, None, 3.0]}), "q", "item").tolist() == [1.0, 3.0]
