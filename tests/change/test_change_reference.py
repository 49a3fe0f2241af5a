"""Change analysis against golden values from R (tests/reference/change/generate_change.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.attrition import attrition, response_weights
from deliberval.analysis.benchmarks import Benchmark, selection_check
from deliberval.analysis.change import prepost
from deliberval.analysis.comparison import compare_processes
from deliberval.analysis.did import did

REF = Path(__file__).resolve().parents[1] / "reference" / "change"
TOL = 1e-6


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name)


@pytest.fixture(scope="module")
def prepost_data() -> pd.DataFrame:
    return _read("prepost_data.csv")


PREPOST_COLUMNS = [
    "n",
    "mean_pre",
    "mean_post",
    "estimate",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
    "wilcoxon_statistic",
    "wilcoxon_p_value",
    "d_z",
    "d_z_ci_low",
    "d_z_ci_high",
    "g_av",
    "g_av_ci_low",
    "g_av_ci_high",
    "top2_pre",
    "top2_post",
    "top2_diff",
    "top2_diff_ci_low",
    "top2_diff_ci_high",
    "holm_p_value",
    "bh_p_value",
]


def test_prepost_matches_r_by_group_and_pooled(prepost_data: pd.DataFrame) -> None:
    got = prepost(prepost_data, ["y1", "y2", "y3", "y4"], by="group", agree_values={"y2": [4, 5]})
    exp = _read("prepost_expected.csv")
    assert list(got["group"]) == ["control"] * 4 + ["participant"] * 4 + ["all"] * 4
    merged = got.merge(exp, on=["group", "outcome"], suffixes=("", "_r"), validate="1:1")
    assert len(merged) == 12
    for col in PREPOST_COLUMNS:
        np.testing.assert_allclose(
            merged[col].astype(float),
            merged[f"{col}_r"].astype(float),
            rtol=0,
            atol=TOL,
            err_msg=col,
        )
    exact = merged["wilcoxon_method"] == "exact"
    assert exact.tolist() == merged["wilcoxon_exact"].tolist()
    # continuous outcomes within groups (n < 50, no ties) are exact; pooled (n >= 50) and
    # Likert outcomes (ties, zeros) use the normal approximation
    assert exact.sum() == 4
    assert set(merged.loc[~exact, "wilcoxon_method"]) == {
        "normal approximation with continuity correction"
    }


def test_prepost_missing_values_drop_pairs(prepost_data: pd.DataFrame) -> None:
    got = prepost(prepost_data, ["y1", "y3"])
    # 58 baseline rows, 52 post rows, 50 pairs; y3 loses pairs with a missing value
    assert got.set_index("outcome")["n"].to_dict() == {"y1": 50, "y3": 45}


def test_prepost_weighted_matches_survey(prepost_data: pd.DataFrame) -> None:
    got = prepost(prepost_data, ["y1", "y4"], weight="weight").set_index("outcome")
    exp = _read("prepost_weighted_expected.csv").set_index("outcome")
    for col in ["n", "estimate", "se", "ci_low", "ci_high", "p_value"]:
        np.testing.assert_allclose(got[col].astype(float), exp[col], rtol=0, atol=TOL, err_msg=col)
    assert got["wilcoxon_p_value"].isna().all()
    assert got["d_z_ci_low"].isna().all()
    assert got["method"].str.contains("linearised").all()


def test_wilcoxon_exact_and_zero_cases() -> None:
    small = _read("wilcoxon_small.csv")
    exp = _read("wilcoxon_small_expected.csv").set_index("case")
    long = pd.DataFrame(
        {
            "respondent_id": list(range(8)) * 2,
            "wave": ["pre"] * 8 + ["post"] * 8,
            "y": [*small["pre"], *small["post"]],
        }
    )
    r = prepost(long, "y").iloc[0]
    assert r["wilcoxon_method"] == "exact"
    assert r["wilcoxon_statistic"] == exp.loc["exact", "v"]
    assert r["wilcoxon_p_value"] == pytest.approx(exp.loc["exact", "p"], abs=TOL)

    with_zero = long.copy()
    with_zero.loc[(with_zero["wave"] == "post") & (with_zero["respondent_id"] == 2), "y"] = small[
        "pre"
    ][2]
    r = prepost(with_zero, "y").iloc[0]
    assert r["wilcoxon_method"] == "normal approximation with continuity correction"
    assert r["wilcoxon_statistic"] == exp.loc["zero", "v"]
    assert r["wilcoxon_p_value"] == pytest.approx(exp.loc["zero", "p"], abs=TOL)


def test_attrition_matches_r(prepost_data: pd.DataFrame) -> None:
    got = attrition(prepost_data, ["y1", "education"])
    exp = _read("attrition_expected.csv").set_index("variable")
    num = got.loc[got["variable"] == "y1"].iloc[0]
    assert (num["n"], num["n_completers"], num["n_dropouts"]) == (58, 50, 8)
    assert num["test"] == "welch_t"
    for col in ["statistic", "df", "p_value"]:
        assert num[col] == pytest.approx(exp.loc["y1", col], abs=TOL)
    assert num["estimate"] == pytest.approx(num["completers_value"] - num["dropouts_value"])
    cat = got.loc[got["variable"] == "education"]
    assert len(cat) == 3
    assert cat["completers_value"].sum() == pytest.approx(1.0)
    assert cat["dropouts_value"].sum() == pytest.approx(1.0)
    for col in ["statistic", "df", "p_value"]:
        assert cat[col].iloc[0] == pytest.approx(exp.loc["education", col], abs=TOL)
    # standardised difference of the numeric variable
    base = prepost_data.loc[prepost_data["wave"] == "pre"]
    done = base["respondent_id"].isin(
        prepost_data.loc[prepost_data["wave"] == "post", "respondent_id"]
    )
    a, b = base.loc[done, "y1"], base.loc[~done, "y1"]
    smd = (a.mean() - b.mean()) / np.sqrt((a.var() + b.var()) / 2)
    assert num["standardised_difference"] == pytest.approx(smd, abs=1e-12)


def test_response_weights_match_glm(prepost_data: pd.DataFrame) -> None:
    got = response_weights(prepost_data, ["y1", "education"])
    exp = _read("response_weights_expected.csv")
    merged = got.merge(exp, on="respondent_id", suffixes=("", "_r"), validate="1:1")
    assert len(merged) == 58
    np.testing.assert_allclose(
        merged["response_propensity"], merged["response_propensity_r"], atol=TOL
    )
    done = merged["completed"]
    np.testing.assert_allclose(
        merged.loc[done, "weight"], 1 / merged.loc[done, "response_propensity"]
    )
    assert (merged.loc[~done, "weight"] == 0).all()


def test_selection_check_matches_t_tests(prepost_data: pd.DataFrame) -> None:
    base = prepost_data.loc[prepost_data["wave"] == "pre"]
    part = base.loc[base["group"] == "participant"]
    ctrl = base.loc[base["group"] == "control"]
    exp = _read("selection_expected.csv").set_index("case")
    r = selection_check(
        part, "y1", benchmark=Benchmark(value=4.6, source="test value", year=2024)
    ).iloc[0]
    for col in ["estimate", "ci_low", "ci_high", "df", "p_value"]:
        assert r[col] == pytest.approx(exp.loc["value", col], abs=TOL)
    assert (r["benchmark_source"], r["benchmark_year"], r["n"]) == ("test value", 2024, 29)
    assert r["estimate"] == pytest.approx(r["sample_value"] - r["benchmark_value"])
    r = selection_check(part, "y1", benchmark=Benchmark(sample=ctrl)).iloc[0]
    for col in ["estimate", "ci_low", "ci_high", "df", "p_value"]:
        assert r[col] == pytest.approx(exp.loc["sample", col], abs=TOL)
    assert r["n_benchmark"] == 29


def test_selection_check_weighted_share() -> None:
    sample = pd.DataFrame(
        {"edu": ["isced_5_8", "isced_3_4", "isced_5_8", "isced_0_2"], "w": [1.0, 2.0, 1.0, 4.0]}
    )
    r = selection_check(sample, "edu", level="isced_5_8", weight="w", benchmark=0.3).iloc[0]
    assert r["sample_value"] == pytest.approx(2 / 8)
    assert r["estimate"] == pytest.approx(2 / 8 - 0.3)
    # linearised SE by hand: sqrt(n/(n-1) sum (w (x - m))^2) / sum w
    x = np.array([1, 0, 1, 0.0])
    w = sample["w"].to_numpy()
    se = np.sqrt(4 / 3 * np.sum((w * (x - 0.25)) ** 2)) / w.sum()
    assert r["se"] == pytest.approx(se, abs=1e-12)
    assert np.isinf(r["df"])


@pytest.mark.parametrize("cluster", ["respondent_id", "site"])
def test_did_matches_lm_vcovcl(cluster: str) -> None:
    data = _read("did_data.csv")
    exp = _read("did_expected.csv")
    exp = exp.loc[exp["cluster"] == cluster].set_index("model")
    # the CR1 goldens (15 sites: vcov="auto" would choose CR2, tested in tests/analysis_meta)
    got = did(data, "y", cluster=None if cluster == "respondent_id" else cluster, vcov="CR1").set_index("model")
    assert list(got.index) == ["pooled_ols", "individual_fe", "baseline_difference"]
    for model in got.index:
        for col in ["estimate", "se", "p_value", "ci_low", "ci_high"]:
            assert got.loc[model, col] == pytest.approx(exp.loc[model, col], abs=TOL), (model, col)
        assert got.loc[model, "n_clusters"] == exp.loc[model, "n_clusters"]
    assert got.loc["pooled_ols", "n_rows"] == 173
    assert got.loc["individual_fe", "n_rows"] == 166
    # n: respondents of the smaller group with the outcome observed (40 participants, 50 controls)
    assert (got["n"] == 40).all()


def test_compare_processes_matches_lmer() -> None:
    data = _read("mixed_data.csv")
    res = compare_processes(data, "y", features=["sessions", "politician_share", "remuneration"])
    exp = _read("mixed_fixed_expected.csv")
    got = res.coefficients.set_index("term")
    assert list(got.index) == ["(Intercept)", "sessions", "politician_share", "remunerationunpaid"]
    np.testing.assert_allclose(got.loc[exp["term"], "estimate"], exp["estimate"], atol=1e-4)
    np.testing.assert_allclose(got.loc[exp["term"], "se"], exp["se"], atol=1e-4)
    vexp = pd.read_csv(REF / "mixed_variance_expected.csv", keep_default_na=False)
    merged = res.variance_components.merge(vexp, on=["model", "component"], suffixes=("", "_r"))
    assert len(merged) == 4
    np.testing.assert_allclose(merged["variance"], merged["variance_r"], atol=1e-4)
    null = vexp.loc[vexp["model"] == "null", "variance"].to_numpy()
    assert res.icc == pytest.approx(null[0] / null.sum(), abs=1e-4)
    assert (res.n, res.n_processes) == (len(data), 12)
    z = got["estimate"] / got["se"]
    np.testing.assert_allclose(got["statistic"], z)
