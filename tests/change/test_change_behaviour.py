"""Behaviour of the change analyses: bad input, options, edge cases, hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis._common import wilson_interval
from deliberval.analysis.attrition import ATTRITION_COLUMNS, attrition, response_weights
from deliberval.analysis.benchmarks import SELECTION_CHECK_COLUMNS, Benchmark, selection_check
from deliberval.analysis.change import (
    GROUP_MEANS_COLUMNS,
    LIKERT_SHARES_COLUMNS,
    PREPOST_COLUMNS,
    group_means,
    likert_shares,
    prepost,
)
from deliberval.analysis.comparison import compare_processes
from deliberval.analysis.did import DID_COLUMNS, did
from deliberval.errors import AnalysisInputError, DelibervalError


def _panel(n: int = 12, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = [f"r{i}" for i in range(n)]
    pre = rng.normal(5, 1, n)
    post = pre + rng.normal(0.5, 1, n)
    roles = ["citizen"] * (n - 4) + ["politician"] * 4
    return pd.DataFrame(
        {
            "respondent_id": ids * 2,
            "wave": ["pre"] * n + ["post"] * n,
            "role": roles * 2,
            "group": (["participant"] * (n // 2) + ["control"] * (n - n // 2)) * 2,
            "trust": np.r_[pre, post],
            "likert": np.r_[rng.integers(1, 6, n), rng.integers(1, 6, n)].astype(float),
        }
    )


def test_prepost_columns_and_hand_values() -> None:
    df = _panel()
    r = prepost(df, ["trust", "likert"], agree_values=[4, 5])
    assert list(r.columns) == PREPOST_COLUMNS
    d = (
        df.loc[df["wave"] == "post", "trust"].to_numpy()
        - df.loc[df["wave"] == "pre", "trust"].to_numpy()
    )
    row = r.iloc[0]
    assert row["estimate"] == pytest.approx(d.mean())
    assert row["d_z"] == pytest.approx(d.mean() / d.std(ddof=1))
    assert row["d_z_ci_low"] < row["d_z"] < row["d_z_ci_high"]
    assert row["g_av_ci_low"] < row["g_av"] < row["g_av_ci_high"]
    # Holm over 2 outcomes: min p doubled
    p = r["p_value"].to_numpy()
    assert r["holm_p_value"].iloc[int(np.argmin(p))] == pytest.approx(min(1, 2 * p.min()))
    assert r["top2_diff"].notna().all()
    # top-two-box shares are proportions in 0-1
    assert r[["top2_pre", "top2_post"]].stack().between(0, 1).all()
    assert (r["top2_diff_ci_low"] <= r["top2_diff"]).all()
    assert (r["top2_diff"] <= r["top2_diff_ci_high"]).all()


def test_prepost_by_role_adds_pooled_level() -> None:
    r = prepost(_panel(), "trust", by="role")
    assert r["role"].tolist() == ["citizen", "politician", "all"]
    assert r["n"].tolist() == [8, 4, 12]
    # adjustment is within each by level: a single outcome is unadjusted
    np.testing.assert_allclose(r["holm_p_value"], r["p_value"])


def test_prepost_agree_values_mapping_limits_to_named_outcomes() -> None:
    r = prepost(_panel(), ["trust", "likert"], agree_values={"likert": [4, 5]}).set_index("outcome")
    assert np.isnan(r.loc["trust", "top2_diff"])
    assert not np.isnan(r.loc["likert", "top2_diff"])
    with pytest.raises(AnalysisInputError, match="not analysed"):
        prepost(_panel(), "trust", agree_values={"nope": [4, 5]})


def test_prepost_one_wave_only() -> None:
    df = _panel()
    with pytest.raises(
        AnalysisInputError, match=r"no rows for wave\(s\) 'post'.*waves found: 'pre'"
    ):
        prepost(df.loc[df["wave"] == "pre"], "trust")


def test_prepost_no_pairs() -> None:
    df = _panel()
    df.loc[df["wave"] == "post", "respondent_id"] += "_x"
    with pytest.raises(AnalysisInputError, match="nothing can be paired"):
        prepost(df, "trust")


def test_prepost_missing_column_and_text_outcome() -> None:
    with pytest.raises(AnalysisInputError, match=r"no column.*'efficacy'"):
        prepost(_panel(), "efficacy")
    df = _panel().astype({"trust": object})
    df.loc[0, "trust"] = "high"
    with pytest.raises(AnalysisInputError, match=r"must be numeric.*'high'"):
        prepost(df, "trust")


def test_prepost_duplicate_rows_are_refused() -> None:
    df = _panel()
    with pytest.raises(AnalysisInputError, match="one row per respondent and wave"):
        prepost(pd.concat([df, df.iloc[[0]]]), "trust")


def test_prepost_respondent_column_is_keyword() -> None:
    df = _panel().rename(columns={"respondent_id": "pid"})
    r = prepost(df, "trust", respondent="pid")
    assert r["n"].iloc[0] == 12
    with pytest.raises(AnalysisInputError, match="'respondent_id'"):
        prepost(df, "trust")


def test_prepost_other_waves_and_error_class_for_cli() -> None:
    df = _panel().replace({"wave": {"post": "follow_up"}})
    r = prepost(df, "trust", post="follow_up")
    assert r["n"].iloc[0] == 12
    with pytest.raises(DelibervalError):
        prepost(df, "trust")


def test_prepost_constant_change_has_no_test() -> None:
    df = pd.DataFrame(
        {
            "respondent_id": [1, 2, 3] * 2,
            "wave": ["pre"] * 3 + ["post"] * 3,
            "y": [1, 2, 3, 2, 3, 4],
        }
    )
    r = prepost(df, "y").iloc[0]
    assert r["estimate"] == 1
    assert (r["ci_low"], r["ci_high"]) == (1, 1)
    assert np.isnan(r["p_value"])
    assert np.isnan(r["d_z"])


def test_prepost_bad_confidence_level() -> None:
    with pytest.raises(AnalysisInputError, match="confidence_level"):
        prepost(_panel(), "trust", confidence_level=95)


def test_attrition_categorical_and_rate() -> None:
    df = _panel()
    df = df.loc[~((df["wave"] == "post") & df["respondent_id"].isin(["r0", "r1", "r2"]))]
    r = attrition(df, ["trust", "role"])
    assert list(r.columns) == ATTRITION_COLUMNS
    assert r.loc[r["variable"] == "trust", "n_dropouts"].item() == 3
    assert (r["n"] == 12).all()
    cat = r.loc[r["variable"] == "role"].set_index("level")
    # drop-outs r0-r2 are all citizens
    assert cat.loc["citizen", "dropouts_value"] == 1.0
    assert cat.loc["politician", "completers_value"] == pytest.approx(4 / 9)
    assert cat.loc["politician", "estimate"] == pytest.approx(4 / 9)


def test_response_weights_need_both_outcomes() -> None:
    with pytest.raises(AnalysisInputError, match="everybody answered"):
        response_weights(_panel(), "trust")


def test_response_weights_columns_and_respondent_keyword() -> None:
    df = _panel(40, seed=2).rename(columns={"respondent_id": "pid"})
    df = df.loc[~((df["wave"] == "post") & df["pid"].isin(["r1", "r5", "r9", "r20", "r33"]))]
    w = response_weights(df, "trust", respondent="pid")
    assert list(w.columns) == ["pid", "completed", "response_propensity", "weight", "method"]
    assert w["response_propensity"].between(0, 1).all()
    assert int((~w["completed"]).sum()) == 5


def test_did_recovers_difference_of_mean_changes() -> None:
    df = _panel(40, seed=5)
    r = did(df, "trust").set_index("model")
    assert list(r.reset_index().columns) == DID_COLUMNS
    # n: the smaller group (20 participants, 20 controls); n_rows: respondent x wave rows
    assert (r["n"] == 20).all()
    assert r.loc["pooled_ols", "n_rows"] == 80
    wide = df.pivot(index="respondent_id", columns="wave", values="trust")
    grp = df.drop_duplicates("respondent_id").set_index("respondent_id")["group"]
    ch = (wide["post"] - wide["pre"]).groupby(grp).mean()
    assert r.loc["pooled_ols", "estimate"] == pytest.approx(ch["participant"] - ch["control"])
    assert r.loc["individual_fe", "estimate"] == pytest.approx(ch["participant"] - ch["control"])
    base = wide["pre"].groupby(grp).mean()
    assert r.loc["baseline_difference", "estimate"] == pytest.approx(
        base["participant"] - base["control"]
    )
    assert (r["ci_low"] < r["estimate"]).all()
    assert (r["estimate"] < r["ci_high"]).all()


def test_did_control_without_baseline() -> None:
    df = _panel()
    df = df.loc[~((df["group"] == "control") & (df["wave"] == "pre"))]
    with pytest.raises(AnalysisInputError, match="'control' has no baseline observations"):
        did(df, "trust")


def test_did_n_is_the_smaller_group_with_the_outcome_observed() -> None:
    df = _panel(20, seed=6)
    # 10 participants, 10 controls; 3 controls lose the outcome at both waves, 1 at one wave
    gone = df["respondent_id"].isin(["r10", "r11", "r12"]) | (
        (df["respondent_id"] == "r13") & (df["wave"] == "post")
    )
    df.loc[gone, "trust"] = np.nan
    r = did(df.rename(columns={"respondent_id": "pid"}), "trust", respondent="pid")
    answered = df.loc[df["trust"].notna()]
    expected = answered.groupby("group")["respondent_id"].nunique().min()
    assert expected == 7
    assert (r["n"] == expected).all()
    assert r.loc[r["model"] == "pooled_ols", "n_rows"].item() == 40 - 7


def test_did_missing_group_column() -> None:
    with pytest.raises(AnalysisInputError, match="'arm'"):
        did(_panel(), "trust", group="arm")


def test_selection_check_needs_exactly_one_benchmark() -> None:
    s = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    with pytest.raises(TypeError, match="benchmark"):
        selection_check(s, "x")  # type: ignore[call-arg]
    with pytest.raises(AnalysisInputError, match="exactly one benchmark"):
        selection_check(s, "x", benchmark=Benchmark())
    with pytest.raises(AnalysisInputError, match="exactly one benchmark"):
        selection_check(s, "x", benchmark=Benchmark(value=1.0, sample=s))
    with pytest.raises(AnalysisInputError, match=r"Benchmark\(sample=\.\.\.\)"):
        selection_check(s, "x", benchmark=s)  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="unknown field"):
        selection_check(s, "x", benchmark={"value": 1.0, "sd": 0.1})
    with pytest.raises(AnalysisInputError, match="se belongs to a published value"):
        Benchmark(sample=s, se=0.1)
    with pytest.raises(AnalysisInputError, match="describe a benchmark sample"):
        Benchmark(value=1.0, weight="w")
    with pytest.raises(AnalysisInputError, match="must be a number"):
        Benchmark(value="high")  # type: ignore[arg-type]
    r = selection_check(s, "x", benchmark={"value": 1.0, "source": "census", "year": 2021})
    assert list(r.columns) == SELECTION_CHECK_COLUMNS
    assert (r.loc[0, "benchmark_source"], r.loc[0, "benchmark_year"]) == ("census", 2021)


def test_selection_check_benchmark_se_widens_interval() -> None:
    s = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    a = selection_check(s, "x", benchmark=Benchmark(value=2.0, se=0.0)).iloc[0]
    b = selection_check(s, "x", benchmark=Benchmark(value=2.0, se=0.5)).iloc[0]
    assert a["se"] == pytest.approx(np.sqrt(2.5 / 5))
    assert b["se"] == pytest.approx(np.sqrt(2.5 / 5 + 0.25))


def test_group_means_and_likert_shares() -> None:
    df = _panel()
    g = group_means(df, "trust")
    assert list(g.columns) == GROUP_MEANS_COLUMNS
    assert g[["group", "wave"]].apply(tuple, axis=1).tolist() == [
        ("control", "pre"),
        ("control", "post"),
        ("participant", "pre"),
        ("participant", "post"),
    ]
    x = df.loc[(df["group"] == "control") & (df["wave"] == "pre"), "trust"]
    assert g["se"].iloc[0] == pytest.approx(x.std(ddof=1) / np.sqrt(x.size))
    sh = likert_shares(df, "likert", waves=["pre", "post"])
    assert list(sh.columns) == LIKERT_SHARES_COLUMNS
    assert sh.groupby("wave")["estimate"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_likert_shares_wilson_intervals_and_by() -> None:
    df = _panel(30, seed=8)
    df.loc[3, "likert"] = np.nan
    sh = likert_shares(df, "likert", by="role", waves=["pre"], confidence_level=0.9)
    assert list(sh.columns) == ["role", *LIKERT_SHARES_COLUMNS]
    assert sh["role"].drop_duplicates().tolist() == ["citizen", "politician"]
    assert len(sh) == 2 * 5
    for _, row in sh.iterrows():
        lo, hi = wilson_interval(row["count"], row["n"], 0.9)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), abs=1e-12)
    citizens = df.loc[(df["role"] == "citizen") & (df["wave"] == "pre"), "likert"].dropna()
    assert (sh.loc[sh["role"] == "citizen", "n"] == citizens.size).all()
    assert (sh["confidence_level"] == 0.9).all()
    # a wave without answers gives n = 0 and NaN shares, not a division warning
    empty = likert_shares(df.assign(likert=np.nan), "likert", waves=["pre"])
    assert (empty["n"] == 0).all()
    assert empty[["estimate", "ci_low", "ci_high"]].isna().all().all()


def test_compare_processes_errors() -> None:
    df = pd.DataFrame({"process_id": ["a", "a", "b", "b"], "y": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(AnalysisInputError, match="at least 3 processes"):
        compare_processes(df, "y")
    df = pd.DataFrame(
        {"process_id": list("aabbcc"), "y": [1.0, 2, 3, 4, 5, 6], "s": [1, 1, 1, 1, 1, 1]}
    )
    with pytest.raises(AnalysisInputError, match="collinear"):
        compare_processes(df, "y", features=["s"])


def test_dz_interval_is_mirrored_for_decreases() -> None:
    up = _panel(40, seed=9)
    down = up.assign(trust=-up["trust"])
    a = prepost(up, "trust").iloc[0]
    b = prepost(down, "trust").iloc[0]
    assert b["d_z"] == pytest.approx(-a["d_z"])
    assert b["d_z_ci_low"] == pytest.approx(-a["d_z_ci_high"], abs=1e-9)
    assert b["g_av_ci_high"] == pytest.approx(-a["g_av_ci_low"], abs=1e-9)


def test_dz_interval_large_t_and_df() -> None:
    # large negative t with many pairs used to push scipy's noncentral t into NaN
    n = 600
    df = pd.DataFrame(
        {
            "respondent_id": list(range(n)) * 2,
            "wave": ["pre"] * n + ["post"] * n,
            "y": np.r_[np.zeros(n), -0.15 + np.sin(np.arange(n))],
        }
    )
    r = prepost(df, "y").iloc[0]
    assert r["statistic"] < -5
    assert r["d_z_ci_low"] < r["d_z"] < r["d_z_ci_high"]


def test_holm_matches_statsmodels_with_ties() -> None:
    from statsmodels.stats.multitest import multipletests

    from deliberval.analysis._common import holm as _holm

    p = np.array([0.01, 0.04, 0.03, 0.04, 0.5, 0.001, 0.2])
    np.testing.assert_allclose(_holm(p), multipletests(p, method="holm")[1], atol=1e-15)


def test_attrition_nullable_dtypes_and_no_dropouts_among_answered() -> None:
    df = pd.DataFrame(
        {
            "respondent_id": [1, 2, 3, 1, 2],
            "wave": ["pre"] * 3 + ["post"] * 2,
            "q": pd.array([1, 2, None, 3, 4], dtype="Int64"),
            "g": pd.array(["a", "b", None, "a", "b"], dtype="string"),
        }
    )
    r = attrition(df, ["q", "g"])
    assert r["n_dropouts"].tolist() == [0, 0, 0]
    assert r["completers_value"].tolist() == [1.5, 0.5, 0.5]
    assert r["p_value"].isna().all()


def test_compare_processes_at_zero_process_variance() -> None:
    # identical process means: the REML process variance sits on the boundary at 0;
    # optimiser warnings are collected instead of escaping
    gen = np.random.default_rng(4)
    e = gen.normal(0, 1, (6, 20))
    y = (e - e.mean(axis=1, keepdims=True)).ravel()
    df = pd.DataFrame(
        {
            "process_id": np.repeat([f"p{i}" for i in range(6)], 20),
            "paid": np.repeat([True, False] * 3, 20),
            "y": y,
        }
    )
    res = compare_processes(df, "y", features=["paid"])
    assert res.icc == pytest.approx(0.0, abs=1e-6)
    assert res.coefficients["term"].tolist() == ["(Intercept)", "paid"]
    assert res.coefficients["estimate"].abs().max() < 1e-6
    # with tau^2 = 0 the SEs are those of OLS
    ols_se = np.sqrt(y.var(ddof=2) * 2 / 60)
    assert res.coefficients["se"].iloc[1] == pytest.approx(ols_se, rel=1e-3)
    assert isinstance(res.warnings, tuple)


def test_selection_check_constant_samples_give_no_test_instead_of_crashing() -> None:
    a = pd.DataFrame({"x": [3.0, 3.0, 3.0]})
    b = pd.DataFrame({"x": [2.0, 2.0]})
    r = selection_check(a, "x", benchmark=Benchmark(sample=b)).iloc[0]
    assert r["estimate"] == 1.0
    assert (r["ci_low"], r["ci_high"]) == (1.0, 1.0)
    assert np.isnan(r["p_value"])
    assert np.isnan(r["statistic"])
    assert np.isnan(r["df"])


def test_attrition_without_variables_is_an_input_error() -> None:
    df = pd.DataFrame({"respondent_id": [1, 2], "wave": ["pre", "pre"]})
    with pytest.raises(AnalysisInputError, match="variables is empty"):
        attrition(df, [])


def test_compare_processes_coefficients_carry_n() -> None:
    rng = np.random.default_rng(4)
    proc = np.repeat(np.arange(5), 10)
    df = pd.DataFrame({"process_id": proc, "y": rng.normal(size=50) + proc * 0.1})
    df.loc[3, "y"] = np.nan
    res = compare_processes(df, "y")
    assert res.coefficients["n"].tolist() == [49]
    assert res.n == 49
    assert set(res.variance_components["n"]) == {49}
    assert res.variance_components["method"].str.startswith("linear mixed model").all()
    assert list(res.coefficients.columns) == ["term", "estimate", "se", "ci_low", "ci_high",
                                              "statistic", "p_value", "confidence_level", "n",
                                              "method"]
    assert set(res.tables()) == {"coefficients", "variance_components"}


def test_did_with_as_many_observations_as_coefficients_is_an_input_error() -> None:
    df = pd.DataFrame(
        {
            "respondent_id": [1, 2, 1, 2],
            "wave": ["pre", "pre", "post", "post"],
            "group": ["participant", "control"] * 2,
            "y": [1.0, 2.0, 2.0, 2.5],
        }
    )
    with pytest.raises(AnalysisInputError, match="4 coefficients"):
        did(df, "y")
