"""representativeness, funnel, r_indicator and margins_of_error against R golden values."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.benchmarks import margins_of_error
from deliberval.analysis.funnel import FunnelResult, funnel, r_indicator
from deliberval.analysis.representativeness import (
    RepresentativenessResult,
    TargetsWarning,
    exact_multinomial_test,
    representativeness,
)
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "representativeness"
GOF = pd.read_csv(REF / "gof.csv")
CI = pd.read_csv(REF / "binomial_ci.csv")


def _case(row: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    counts = [int(c) for c in row["counts"].split(";")]
    shares = [float(s) for s in row["shares"].split(";")]
    cats = [f"c{i}" for i in range(len(counts))]
    members = pd.DataFrame({"dim": np.repeat(cats, counts)})
    targets = pd.DataFrame(
        {
            "population_id": "pop",
            "dimension": "dim",
            "category": cats,
            "share": shares,
            "source": "test",
            "year": 2024,
        }
    )
    return members, targets


@pytest.mark.parametrize("case", GOF["case"].tolist())
def test_goodness_of_fit_matches_r(case: str) -> None:
    ref = GOF.set_index("case").loc[case]
    members, targets = _case(ref)
    res = representativeness(members, targets)
    dim = res.dimensions.iloc[0]
    assert dim["chisq"] == pytest.approx(ref["chisq"], abs=1e-6)
    assert dim["chisq_df"] == ref["chisq_df"]
    assert dim["chisq_p_value"] == pytest.approx(ref["chisq_p_value"], abs=1e-6)
    assert dim["g"] == pytest.approx(ref["g"], abs=1e-6)
    assert dim["g_p_value"] == pytest.approx(ref["g_p_value"], abs=1e-6)
    assert dim["exact_p_value"] == pytest.approx(ref["exact_p_value"], abs=1e-6)
    assert dim["exact_method"] == "exact enumeration"
    assert dim["method"].startswith("Pearson chi-square")
    alone = exact_multinomial_test(
        [int(c) for c in ref["counts"].split(";")], [float(s) for s in ref["shares"].split(";")]
    )
    assert alone["p_value"].iloc[0] == pytest.approx(ref["exact_p_value"], abs=1e-6)


def test_monte_carlo_exact_test_is_seeded_and_close() -> None:
    ref = GOF.set_index("case").loc["education_30"]
    counts = [4, 10, 16]
    r1 = exact_multinomial_test(counts, [0.25, 0.4, 0.35], max_outcomes=10, seed=3)
    r2 = exact_multinomial_test(counts, [0.25, 0.4, 0.35], max_outcomes=10, seed=3)
    assert list(r1.columns) == ["p_value", "n", "n_categories", "method"]
    assert r1["method"].iloc[0] == "monte carlo (100000 draws)"
    pd.testing.assert_frame_equal(r1, r2)
    p1 = r1["p_value"].iloc[0]
    assert p1 == pytest.approx(ref["exact_p_value"], abs=0.005)  # MC error sd ~ 0.001
    few = exact_multinomial_test(counts, [0.25, 0.4, 0.35], max_outcomes=10, n_resamples=99)
    assert few["method"].iloc[0] == "monte carlo (99 draws)"
    with pytest.raises(AnalysisInputError, match="n_resamples"):
        exact_multinomial_test(counts, [0.25, 0.4, 0.35], n_resamples=0)


@pytest.mark.parametrize("method", ["wilson", "exact"])
def test_category_intervals_match_r(method: str) -> None:
    for row in CI.itertuples():
        members = pd.DataFrame({"d": ["a"] * row.x + ["b"] * (row.n - row.x)})
        targets = pd.DataFrame({"dimension": "d", "category": ["a", "b"], "share": [0.3, 0.7]})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TargetsWarning)  # x = 0 or n: an empty category
            cat = representativeness(members, targets, ci_method=method).categories.iloc[0]
        low = row.wilson_low if method == "wilson" else row.exact_low
        high = row.wilson_high if method == "wilson" else row.exact_high
        assert cat["ci_low"] == pytest.approx(low - 0.3, abs=1e-6)
        assert cat["ci_high"] == pytest.approx(high - 0.3, abs=1e-6)
        assert cat["estimate"] == pytest.approx(row.x / row.n - 0.3)
        assert cat["share"] == pytest.approx(row.x / row.n)
        assert cat["count"] == row.x
        assert cat["ratio"] == pytest.approx(row.x / row.n / 0.3)


def _panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    members = pd.DataFrame(
        {
            "demo_gender": ["woman"] * 6 + ["man"] * 9 + ["other"] * 1,
            "demo_age_band": (["16_24"] * 2 + ["65_plus"] * 4)
            + (["16_24"] * 3 + ["65_plus"] * 6)
            + ["16_24"],
        }
    )
    targets = pd.DataFrame(
        {
            "population_id": "dk",
            "dimension": ["demo_gender"] * 3 + ["demo_age_band"] * 2,
            "category": ["woman", "man", "other", "16_24", "65_plus"],
            "share": [0.50, 0.49, 0.01, 0.4, 0.6],
            "source": "census",
            "year": 2024,
        }
    )
    return members, targets


def test_duncan_mad_intersections_and_quotas() -> None:
    members, targets = _panel()
    inter = pd.DataFrame(
        {
            "dimension_1": "demo_gender",
            "category_1": ["woman", "woman", "man", "man", "other", "other"],
            "dimension_2": "demo_age_band",
            "category_2": ["16_24", "65_plus"] * 3,
            "share": [0.2, 0.3, 0.2, 0.29, 0.005, 0.005],
        }
    )
    quotas = pd.DataFrame(
        {"dimension": "demo_gender", "category": ["woman", "man"], "min": [7, 7], "max": [9, 9]}
    )
    res = representativeness(members, targets, intersection_targets=inter, quotas=quotas)
    dims = res.dimensions.set_index("dimension")
    # gender: 6/16, 9/16, 1/16 vs .50, .49, .01
    d_gender = 0.5 * (abs(6 / 16 - 0.5) + abs(9 / 16 - 0.49) + abs(1 / 16 - 0.01))
    assert dims.loc["demo_gender", "duncan"] == pytest.approx(d_gender)
    assert dims.loc["demo_age_band", "duncan"] == pytest.approx(abs(6 / 16 - 0.4))
    diffs = [6 / 16 - 0.5, 9 / 16 - 0.49, 1 / 16 - 0.01, 6 / 16 - 0.4, 10 / 16 - 0.6]
    overall = res.overall.set_index("statistic")["estimate"]
    assert overall["mean_absolute_deviation"] == pytest.approx(np.mean(np.abs(diffs)))
    assert overall["max_absolute_difference"] == pytest.approx(np.max(np.abs(diffs)))
    assert overall["n"] == 16
    cells = np.array([2, 4, 3, 6, 1, 0]) / 16
    mse = np.mean((cells - inter["share"].to_numpy()) ** 2)
    assert overall["intersectional_mse"] == pytest.approx(mse)
    assert res.intersections["count"].tolist() == [2, 4, 3, 6, 1, 0]
    np.testing.assert_allclose(res.intersections["estimate"], cells - inter["share"])
    assert res.quotas["count"].tolist() == [6, 9]
    assert res.quotas["within"].tolist() == [False, True]


def test_bad_targets_raise_or_warn() -> None:
    members, targets = _panel()
    off = targets.assign(share=[0.5, 0.4, 0.01, 0.4, 0.6])
    with pytest.raises(AnalysisInputError, match=r"'demo_gender' sum to 0\.91, not 1"):
        representativeness(members, off)
    slightly = targets.assign(share=[0.5, 0.495, 0.01, 0.4, 0.6])
    with pytest.warns(TargetsWarning, match="sum to 1.005; they are divided"):
        res = representativeness(members, slightly)
    assert res.categories["target_share"].iloc[:3].sum() == pytest.approx(1)
    no_other = targets.loc[targets["category"] != "other"].assign(share=[0.51, 0.49, 0.4, 0.6])
    with pytest.raises(AnalysisInputError, match=r"categories \['other'\] with no target"):
        representativeness(members, no_other)
    extra = pd.concat(
        [targets.assign(share=[0.5, 0.48, 0.01, 0.4, 0.6]),
         pd.DataFrame({"dimension": ["demo_gender"], "category": ["x"], "share": [0.01]})],
        ignore_index=True,
    )  # fmt: skip
    with pytest.warns(TargetsWarning, match=r"no members in 'demo_gender' categories \['x'\]"):
        representativeness(members, extra)
    two = pd.concat([targets, targets.assign(population_id="se")], ignore_index=True)
    with pytest.raises(AnalysisInputError, match="several populations"):
        representativeness(members, two)
    assert representativeness(members, two, population_id="se").overall.shape[0] == 4
    with pytest.raises(AnalysisInputError, match="no column"):
        representativeness(members.drop(columns="demo_gender"), targets)
    with pytest.raises(AnalysisInputError, match="ci_method"):
        representativeness(members, targets, ci_method="wald")


def test_r_indicator_matches_r() -> None:
    ref = json.loads((REF / "r_indicator.json").read_text())
    df = pd.read_csv(REF / "apistrat.csv")
    df["yes"] = df["sch.wide"] == "Yes"
    out = r_indicator(df, "yes", ["stype", "comp.imp"]).iloc[0]
    assert out["estimate"] == pytest.approx(ref["r_indicator"], abs=1e-8)
    assert out["sd_propensity"] == pytest.approx(ref["sd_rho"], abs=1e-8)
    assert out["n"] == ref["n"]


def test_funnel_locates_the_distortion() -> None:
    rng = np.random.default_rng(7)
    n = 2000
    edu = rng.choice(["isced_0_2", "isced_3_4", "isced_5_8"], size=n, p=[0.3, 0.4, 0.3])
    gender = rng.choice(["woman", "man"], size=n)
    # volunteering depends on education only; selection and attendance are random
    vol = rng.random(n) < np.select([edu == "isced_0_2", edu == "isced_3_4"], [0.05, 0.1], 0.25)
    sel = vol & (rng.random(n) < 0.5)
    att = sel & (rng.random(n) < 0.9)
    ans = att & (rng.random(n) < 0.9)
    members = pd.DataFrame(
        {
            "demo_education": edu,
            "demo_gender": gender,
            "invited": True,
            "volunteered": vol,
            "selected": sel,
            "attended_all": att,
            "answered_post": ans,
        }
    )
    targets = pd.DataFrame(
        {
            "dimension": ["demo_education"] * 3 + ["demo_gender"] * 2,
            "category": ["isced_0_2", "isced_3_4", "isced_5_8", "woman", "man"],
            "share": [0.3, 0.4, 0.3, 0.5, 0.5],
        }
    )
    res = funnel(members, targets, seed=1)
    assert res.funnel_stages["funnel_stage"].tolist() == [
        "invited", "volunteered", "selected", "attended_all", "answered_post"
    ]  # fmt: skip
    assert res.funnel_stages["n"].tolist() == [n, vol.sum(), sel.sum(), att.sum(), ans.sum()]
    dist = res.distortion.set_index("dimension")
    assert dist.loc["demo_education", "funnel_stage"] == "volunteered"
    assert dist.loc["demo_education", "change_in_duncan"] > 0.15
    r_ind = res.r_indicator.iloc[0]
    assert 0.5 < r_ind["estimate"] < 0.9
    assert r_ind["n"] == n
    stage_two = res.categories.query(
        "funnel_stage == 'volunteered' and dimension == 'demo_education'"
    )
    expected = pd.Series(edu[vol]).value_counts(normalize=True)
    assert stage_two.set_index("category")["share"].to_dict() == pytest.approx(
        expected.to_dict()
    )
    assert (stage_two["confidence_level"] == 0.95).all()
    assert (stage_two["method"] == "wilson").all()
    assert {"ci_low", "ci_high", "count", "n"} <= set(stage_two.columns)
    assert {"chisq_p_value", "exact_p_value", "method"} <= set(res.dimensions.columns)
    assert set(res.tables()) == {
        "funnel_stages", "dimensions", "categories", "distortion", "r_indicator"
    }  # fmt: skip


def test_margins_of_error_values() -> None:
    out = margins_of_error([15, 40, 150], population_size=1000)
    se15 = np.sqrt(0.25 / 15) * np.sqrt(985 / 999)
    assert out.loc[0, "margin_of_error"] == pytest.approx(1.959963985 * se15)
    assert out.loc[0, "mdd_proportion"] == pytest.approx((1.959963985 + 0.841621234) * se15)
    # R power.t.test(type = "one.sample", strict = TRUE)$delta
    ref = pd.read_csv(REF / "mdd_ttest.csv")
    np.testing.assert_allclose(out["mdd_standardised"], ref["delta"], atol=1e-6)
    assert list(out.columns) == [
        "n", "proportion", "margin_of_error", "mdd_proportion", "mdd_standardised",
        "confidence_level", "power", "method",
    ]  # fmt: skip
    with pytest.raises(AnalysisInputError, match="at least 2"):
        margins_of_error([1])


def test_r_indicator_weights_equal_replication_and_constant_response() -> None:
    df = pd.DataFrame(
        {
            "age": ["young", "young", "old", "old", "mid", "mid"],
            "v": [True, False, True, True, False, True],
            "d": [3, 1, 2, 1, 1, 4],
        }
    )
    weighted = r_indicator(df, "v", ["age"], weight="d").iloc[0]
    replicated = df.loc[df.index.repeat(df["d"])]
    plain = r_indicator(replicated, "v", ["age"]).iloc[0]
    assert weighted["estimate"] == pytest.approx(plain["estimate"], abs=1e-8)
    assert weighted["mean_propensity"] == pytest.approx(10 / 12)
    everybody = r_indicator(df.assign(v=True), "v", ["age"]).iloc[0]
    assert everybody["estimate"] == 1.0
    assert everybody["method"].startswith("constant response")


def test_canonical_intersection_rows_and_example_data() -> None:
    from deliberval.datasets import examples

    ex = examples.simulate_climate_assembly(seed=3)
    members = ex.members.loc[ex.members["selected"]]
    cross = (
        ex.members.groupby(["demo_gender", "demo_education"]).size() / len(ex.members)
    ).reset_index(name="share")
    two_way = pd.DataFrame(
        {
            "population_id": ex.targets["population_id"].iloc[0],
            "dimension": "demo_gender*demo_education",
            "category": cross["demo_gender"] + "*" + cross["demo_education"],
            "share": cross["share"],
        }
    )
    targets = pd.concat([ex.targets, two_way], ignore_index=True)
    with pytest.warns(TargetsWarning, match=r"no members in 'demo_gender' categories \['other'\]"):
        res = representativeness(members, targets, seed=0)
    assert "demo_gender*demo_education" not in set(res.dimensions["dimension"])
    inter = res.intersections
    assert len(inter) == len(cross)
    assert inter["count"].sum() == len(members)
    panel = members.groupby(["demo_gender", "demo_education"]).size() / len(members)
    expected = np.mean(
        [
            (panel.get((a, b), 0.0) - t) ** 2
            for a, b, t in zip(
                cross["demo_gender"], cross["demo_education"], cross["share"], strict=True
            )
        ]
    )
    overall = res.overall.set_index("statistic")["estimate"]
    assert overall["intersectional_mse"] == pytest.approx(expected)
    # the simulated volunteers are selective; the funnel finds it at volunteering
    fun = funnel(ex.members, ex.targets, seed=0)
    assert fun.funnel_stages["n"].iloc[0] == len(ex.members)
    assert fun.funnel_stages["change_in_mean_duncan"].idxmax() == 1


def test_intersection_targets_checked_like_margins() -> None:
    members, targets = _panel()
    inter = pd.DataFrame(
        {
            "dimension_1": "demo_gender",
            "category_1": ["woman", "woman", "man", "man", "other", "other"],
            "dimension_2": "demo_age_band",
            "category_2": ["16_24", "65_plus"] * 3,
            "share": [0.2, 0.3, 0.2, 0.29, 0.005, 0.01],
        }
    )
    with pytest.warns(TargetsWarning, match="sum to 1.005; they are divided"):
        res = representativeness(members, targets, intersection_targets=inter)
    assert res.intersections["target_share"].sum() == pytest.approx(1)
    with pytest.raises(AnalysisInputError, match=r"sum to 0\.8"):
        representativeness(
            members, targets, intersection_targets=inter.assign(share=inter["share"] * 0.8 / 1.005)
        )
    with pytest.raises(AnalysisInputError, match="with no intersection target"):
        representativeness(
            members, targets, intersection_targets=inter.drop(index=4).assign(share=0.2)
        )


def test_result_tables_and_columns() -> None:
    members, targets = _panel()
    res = representativeness(members, targets)
    assert isinstance(res, RepresentativenessResult)
    tables = res.tables()
    assert list(tables) == ["categories", "dimensions", "overall", "intersections", "quotas"]
    assert list(res.categories.columns) == [
        "dimension", "category", "count", "share", "target_share", "estimate", "ci_low",
        "ci_high", "ratio", "confidence_level", "n", "method",
    ]  # fmt: skip
    assert list(res.intersections.columns) == [
        "dimension_1", "category_1", "dimension_2", "category_2", "count", "share",
        "target_share", "estimate", "method",
    ]  # fmt: skip
    assert list(res.overall.columns) == ["statistic", "estimate", "method"]
    assert list(res.quotas.columns) == ["dimension", "category", "count", "min", "max", "within"]
    assert res.overall["statistic"].tolist() == [
        "n", "mean_absolute_deviation", "max_absolute_difference", "mean_duncan"
    ]  # fmt: skip
    assert not any(c.endswith("_pp") for t in tables.values() for c in t.columns)
    with pytest.raises(AnalysisInputError, match="n_resamples"):
        representativeness(members, targets, n_resamples=0)
    fun = funnel(members.assign(invited=True), targets, funnel_stages=["invited"])
    assert isinstance(fun, FunnelResult)
    assert fun.r_indicator.empty
    assert list(fun.r_indicator.columns) == [
        "estimate", "se", "ci_low", "ci_high", "confidence_level", "sd_propensity",
        "mean_propensity", "n", "n_resamples", "method"
    ]  # fmt: skip
