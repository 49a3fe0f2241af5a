"""One vocabulary, checked on the tables every public analysis returns (ARCHITECTURE.md, naming table).

Each public analysis is run once on real or example data; every table it returns must follow the
convention: no retired column name, p-values end in ``p_value``, a table with an interval carries
``confidence_level``, a table of statistics carries ``method``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import deliberval as dv

DATA = Path(__file__).resolve().parents[1] / "data"

#: names the one-vocabulary step retired (issue 14)
RETIRED = {
    "p", "p_t", "p_wilcoxon", "p_holm", "p_bh", "p_diff", "chisq_p", "g_p", "exact_p", "mean_diff",
    "difference", "delta", "observed", "std_error", "n_obs", "z", "t", "dri_ind", "panel_n",
    "panel_share", "difference_pp", "ci_low_pp", "ci_high_pp", "cronbach_alpha", "subgroup",
    "n_permutations", "n_boot", "nfactors", "missing", "stage", "participant_1", "participant_2",
    "std_difference", "p_response", "median_days", "diff_ci_low", "diff_ci_high", "or_ci_low",
    "or_ci_high", "mdd_standardized", "margin_of_error_pp", "mdd_proportion_pp",
}


def _tables(result: object) -> Iterator[tuple[str, pd.DataFrame]]:
    if isinstance(result, pd.DataFrame):
        yield "", result
    else:
        yield from result.tables().items()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    ex = dv.load_example("climate_assembly", registers=True)
    ins = dv.instruments.load_instrument("participant_standard")
    scored = dv.score(dv.validate(ex.responses, ins).valid, ins).data
    part = scored.loc[scored["group"] == "participant"]
    cit = scored.loc[scored["group"].isin(["participant", "control"]) & scored["wave"].isin(["pre", "post"])]
    items = ["efficacy_ext_care", "efficacy_ext_contact", "efficacy_ext_no_say"]
    members = ex.members.loc[ex.members["selected"]]
    dims = ["demo_gender", "demo_region"]
    targets = ex.targets.loc[ex.targets["dimension"].isin(dims)]
    human = pd.read_csv(DATA / "deliberr" / "human_data.csv")
    forum = human.loc[human["case"] == "FNQCJ"]
    cons = [c for c in forum.columns if c.startswith("C") and forum[c].notna().any()]
    prefs = [c for c in forum.columns if c.startswith("P") and forum[c].notna().any()]
    reg = dv.validate_register(ex.recommendations, ex.response_events).register
    rng = np.random.default_rng(1)
    codes = pd.DataFrame({"item": np.repeat(np.arange(40), 2), "coder": ["a", "b"] * 40,
                          "code": rng.choice(["acknowledged", "implemented", "no_response"], 80)})
    changes = pd.DataFrame({"process_id": np.repeat(list("abcde"), 20), "change": rng.normal(size=100)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "prepost": dv.prepost(part, ["external_efficacy", "internal_efficacy"], by="role"),
            "did": dv.did(cit, "external_efficacy"),
            "event_study": dv.event_study(cit, "external_efficacy"),
            "did_wild_bootstrap": dv.did_wild_bootstrap(cit, "external_efficacy", weights="webb", n_resamples=199),
            "group_means": dv.group_means(cit, "external_efficacy"),
            "likert_shares": dv.likert_shares(part, items, waves=["post"]),
            "share_difference": dv.share_difference(
                pd.DataFrame({"item": ["x", "x"], "role": ["citizen", "politician"], "count": [15, 10],
                              "n": [20, 13]}), by="item"),
            "attrition": dv.attrition(part, ["external_efficacy"]),
            "response_weights": dv.response_weights(part, ["external_efficacy"]),
            "propensity_weights": dv.propensity_weights(
                cit.loc[cit["wave"] == "pre"], "group", ["external_efficacy"], treated="participant"),
            "selection_check": dv.selection_check(part.loc[part["wave"] == "pre"], "external_efficacy",
                                                  benchmark=dv.Benchmark(value=3.0, se=0.05)),
            "margins_of_error": dv.margins_of_error(),
            "representativeness": dv.representativeness(members, targets, dimensions=dims, seed=1),
            "funnel": dv.funnel(ex.members, targets, dimensions=dims, seed=1),
            "reliability": dv.reliability(part, items, n_resamples=200, seed=1),
            "omega": dv.omega(part, items),
            "item_statistics": dv.item_statistics(part, items),
            "cfa": dv.cfa(part, {"f": items}),
            "invariance": dv.invariance(part, items, across="wave"),
            "survey_mean": dv.survey_mean(part, ["external_efficacy"]),
            "survey_total": dv.survey_total(part, ["external_efficacy"]),
            "survey_ratio": dv.survey_ratio(part, "external_efficacy", "internal_efficacy"),
            "survey_quantile": dv.survey_quantile(part, ["external_efficacy"], [0.25, 0.5]),
            "rake": dv.rake(members, targets),
            "selection_fairness": dv.selection_fairness(np.full(100, 0.05)),
            "uptake": dv.uptake(reg, as_of=pd.Timestamp("2024-12-31")),
            "kaplan_meier": dv.kaplan_meier([1, 2, 3, 4], [1, 0, 1, 1]),
            "agreement": dv.agreement(codes),
            "register_agreement": dv.register_agreement(reg),
            "compare_processes": dv.compare_processes(changes, "change"),
            "dri": dv.dri(forum, cons, prefs, by="stage_id"),
            "dri_individual": dv.dri_individual(forum, cons, prefs, by="stage_id"),
            "dri_pairs": dv.dri_pairs(forum, cons, prefs, by="stage_id"),
            "dri_change": dv.dri_change(forum, cons, prefs, by=None),
            "dri_permutation_test": dv.dri_permutation_test(forum, cons, prefs, by="stage_id",
                                                            n_resamples=199, seed=1),
            "rank_passages": dv.rank_passages(
                pd.DataFrame({"rec_id": ["r1"], "title": ["Insulate homes"]}),
                pd.DataFrame({"passage_id": ["d#1", "d#2"], "text": ["Grants to insulate homes.", "Roads."]})),
            "retrieval_scores": dv.retrieval_scores(
                pd.DataFrame({"rec_id": ["r1", "r1"], "rank": [1, 2], "passage_id": ["d#1", "d#2"],
                              "method": "bm25"}),
                pd.DataFrame({"rec_id": ["r1"], "passage_id": ["d#1"]})),
        }


def test_every_table_follows_the_vocabulary(results: dict[str, object]) -> None:
    problems = []
    for name, result in results.items():
        for key, table in _tables(result):
            where = f"{name}.{key}" if key else name
            cols = set(map(str, table.columns))
            if name != "dri_individual" and name != "dri_pairs":  # q, r, d are the DRI's own words
                bad = cols & RETIRED
                if bad:
                    problems.append(f"{where}: retired names {sorted(bad)}")
            bad_p = [c for c in cols if (c.endswith("_p") or c.startswith("p_")) and c != "p_value"]
            if bad_p:
                problems.append(f"{where}: p-values not ending in p_value {bad_p}")
            if "ci_low" in cols and "confidence_level" not in cols:
                problems.append(f"{where}: an interval without confidence_level")
            if "estimate" in cols and "method" not in cols:
                problems.append(f"{where}: statistics without method")
    assert problems == []


def test_shares_are_proportions(results: dict[str, object]) -> None:
    rep = results["representativeness"]
    cats = rep.categories  # type: ignore[attr-defined]
    assert cats["share"].between(0, 1).all()
    assert (cats["estimate"].abs() <= 1).all()
    assert results["likert_shares"]["estimate"].between(0, 1).all()  # type: ignore[index]
