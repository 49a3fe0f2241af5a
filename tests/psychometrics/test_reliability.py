"""reliability(), item_statistics(), omega() against R psych 2.2.9 golden values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from deliberval.analysis.psychometrics import (
    _batched_cov,
    _bootstrap_covs,
    _cross_products,
    item_statistics,
    omega,
    reliability,
)
from deliberval.errors import AnalysisInputError
from support.psychometrics_golden import ALPHA_SETS, read_ref, reversed_data

ALPHA = read_ref("alpha.csv").set_index("dataset")
ITEMS = read_ref("alpha_items.csv")
OMEGA = read_ref("omega.csv")


def _point(res: pd.DataFrame, statistic: str) -> float:
    return float(res.loc[res["statistic"] == statistic, "estimate"].iloc[0])


@pytest.mark.parametrize("name", [n for n in ALPHA_SETS if n != "example_efficacy"])
def test_alpha_matches_psych_alpha_with_keys(name: str) -> None:
    file, items, rev = ALPHA_SETS[name]
    res = reliability(read_ref(file), items, reverse=rev, n_resamples=0)
    gold = ALPHA.loc[name]
    assert _point(res, "cronbach_alpha") == pytest.approx(gold["raw_alpha"], abs=1e-6)
    assert _point(res, "cronbach_alpha_std") == pytest.approx(gold["std_alpha"], abs=1e-6)
    assert _point(res, "guttman_lambda6") == pytest.approx(gold["g6"], abs=1e-6)
    assert _point(res, "average_r") == pytest.approx(gold["average_r"], abs=1e-6)
    assert set(res["n"]) == {gold["n"]}


def test_forgotten_reversal_lowers_alpha_and_keys_restore_it() -> None:
    file, items, _ = ALPHA_SETS["bfi_agreeableness"]
    df = read_ref(file)
    without = _point(reliability(df, items, n_resamples=0), "cronbach_alpha")
    keyed = _point(reliability(df, items, reverse=["A1"], n_resamples=0), "cronbach_alpha")
    assert without < keyed
    assert keyed == pytest.approx(0.703755894374836, abs=1e-9)
    # reversing by hand with the scale's 1..6 range gives the same result
    df2 = df.assign(A1=7 - df["A1"])
    assert _point(reliability(df2, items, n_resamples=0), "cronbach_alpha") == pytest.approx(
        keyed, abs=1e-12
    )


@pytest.mark.parametrize("name", [n for n in ALPHA_SETS if n != "example_efficacy"])
def test_item_statistics_match_psych(name: str) -> None:
    file, items, rev = ALPHA_SETS[name]
    res = item_statistics(read_ref(file), items, reverse=rev)
    gold = ITEMS[ITEMS["dataset"] == name].reset_index(drop=True)
    assert res["item"].tolist() == gold["item"].tolist()
    assert res["reversed"].tolist() == [i in rev for i in items]
    for ours, theirs in [
        ("n", "n"),
        ("mean", "mean"),
        ("sd", "sd"),
        ("item_total_r", "raw_r"),
        ("item_rest_r", "r_drop"),
        ("alpha_if_deleted", "raw_alpha_drop"),
        ("alpha_std_if_deleted", "std_alpha_drop"),
    ]:
        np.testing.assert_allclose(res[ours], gold[theirs], atol=1e-6, rtol=0, err_msg=ours)
    assert (res["n_missing"] == 0).all()


def test_item_statistics_count_missing_before_listwise_deletion() -> None:
    df = pd.DataFrame(
        {"a": [1, 2, 3, 4, np.nan, 2], "b": [2, 2, 3, 5, 4, np.nan], "c": [1, 3, 3, 4, 5, 1]}
    )
    res = item_statistics(df, ["a", "b", "c"])
    assert res["n_missing"].tolist() == [1, 1, 0]
    assert res["n"].tolist() == [4, 4, 4]


@pytest.mark.parametrize(
    "row", OMEGA.to_dict("records"), ids=lambda r: f"{r['dataset']}-{r['n_factors']}"
)
def test_omega_matches_psych_omega(row: dict[str, object], holzinger: pd.DataFrame) -> None:
    if row["dataset"] == "holzinger_swineford":
        df, items = holzinger, [f"x{i}" for i in range(1, 10)]
    else:
        df, items = reversed_data(str(row["dataset"]))
    res = omega(df, items, n_factors=int(row["n_factors"]))  # type: ignore[call-overload]
    assert _point(res, "omega_total") == pytest.approx(row["omega_total"], abs=1e-6)
    # psych's oblimin stops at GPArotation's eps = 1e-5, so omega_h of the 3-factor
    # Schmid-Leiman solution agrees to ~2e-6 only
    tol = 1e-6 if row["n_factors"] == 1 else 1e-5
    assert _point(res, "omega_hierarchical") == pytest.approx(row["omega_hierarchical"], abs=tol)


def test_reliability_reports_omega_hierarchical_for_bifactor(holzinger: pd.DataFrame) -> None:
    gold = OMEGA[OMEGA["dataset"] == "holzinger_swineford"].iloc[0]
    res = reliability(holzinger, [f"x{i}" for i in range(1, 10)], n_factors=3, n_resamples=0)
    assert _point(res, "omega_total") == pytest.approx(gold["omega_total"], abs=1e-6)
    assert _point(res, "omega_hierarchical") == pytest.approx(gold["omega_hierarchical"], abs=1e-5)
    assert res.loc[res["statistic"] != "cronbach_alpha", "method"].eq("point").all()


def test_feldt_interval_follows_formula_and_pingouin() -> None:
    pingouin = pytest.importorskip("pingouin")
    file, items, _ = ALPHA_SETS["holzinger_visual"]
    df = read_ref(file)
    res = reliability(df, items, n_resamples=0, confidence_level=0.9)
    row = res[res["method"] == "feldt"].iloc[0]
    a, n, k = row["estimate"], 301, 3
    lo = 1 - (1 - a) * stats.f.ppf(0.95, n - 1, (n - 1) * (k - 1))
    hi = 1 - (1 - a) * stats.f.ppf(0.05, n - 1, (n - 1) * (k - 1))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), abs=1e-12)
    pg_alpha, pg_ci = pingouin.cronbach_alpha(df[items], ci=0.9)
    assert pg_alpha == pytest.approx(a, abs=1e-12)
    np.testing.assert_allclose(
        [row["ci_low"], row["ci_high"]], pg_ci, atol=5e-4
    )  # pingouin rounds to 3
    assert row["confidence_level"] == 0.9


def test_bootstrap_is_seeded_and_brackets_estimate() -> None:
    file, items, rev = ALPHA_SETS["simulated_likert"]
    df = read_ref(file)
    a = reliability(df, items, reverse=rev, n_resamples=60, seed=11)
    b = reliability(df, items, reverse=rev, n_resamples=60, seed=11)
    c = reliability(df, items, reverse=rev, n_resamples=60, seed=12)
    pd.testing.assert_frame_equal(a, b)
    boot = a[a["method"] == "bootstrap_percentile"]
    assert not np.allclose(boot["ci_low"], c[c["method"] == "bootstrap_percentile"]["ci_low"])
    assert set(boot["statistic"]) == {
        "cronbach_alpha",
        "cronbach_alpha_std",
        "omega_total",
        "guttman_lambda6",
        "average_r",
    }
    assert ((boot["ci_low"] < boot["estimate"]) & (boot["estimate"] < boot["ci_high"])).all()
    assert list(a.columns) == [
        "statistic",
        "estimate",
        "ci_low",
        "ci_high",
        "confidence_level",
        "n",
        "method",
    ]


def test_batched_bootstrap_covariance_equals_resampled_rows() -> None:
    x = np.random.default_rng(0).normal(size=(50, 4))
    counts = np.random.default_rng(1).multinomial(50, np.full(50, 1 / 50), size=3).astype(float)
    batched = _batched_cov(_cross_products(x), counts, 4)
    for b in range(3):
        rows = np.repeat(np.arange(50), counts[b].astype(int))
        np.testing.assert_allclose(batched[b], np.cov(x[rows], rowvar=False), atol=1e-12)


@pytest.mark.parametrize("chunk_cells", [50, 120, 2**22])
def test_bootstrap_covs_are_covariances_of_seeded_index_resamples(chunk_cells: int) -> None:
    # one resample = n row indices from gen.integers, drawn in order; chunking (here 1, 2 and
    # all 7 resamples per chunk) must not change the stream, so a seed gives one result
    x = np.random.default_rng(0).normal(size=(50, 4))
    covs = _bootstrap_covs(x, np.random.default_rng(9), 7, chunk_cells=chunk_cells)
    gen = np.random.default_rng(9)
    for b in range(7):
        expected = np.cov(x[gen.integers(0, 50, size=50)], rowvar=False)
        np.testing.assert_allclose(covs[b], expected, atol=1e-12)


def test_ordinal_alpha_matches_alpha_of_psych_polychoric() -> None:
    df, items = reversed_data("simulated_likert")
    gold = read_ref("polychoric.csv")
    gold = gold[gold["dataset"] == "simulated_likert"]["ordinal_alpha"].iloc[0]
    res = reliability(df, items, n_resamples=0, ordinal=True)
    assert _point(res, "ordinal_alpha") == pytest.approx(gold, abs=1e-4)
    assert _point(res, "ordinal_omega_total") > _point(res, "omega_total")


@pytest.mark.parametrize(
    ("data", "items", "message"),
    [
        ({"a": [1, 2, 3]}, ["a"], "at least 2 items"),
        ({"a": [1, 2, 3, 4], "b": [2, 2, 2, 2]}, ["a", "b"], "'b' are constant"),
        ({"a": [1, 2, 3, 4], "b": [np.nan] * 4}, ["a", "b"], "'b' have no answers"),
        ({"a": [1, 2, 3, 4], "b": ["x", "y", "z", "w"]}, ["a", "b"], "'b' is not numeric"),
        ({"a": [1, 2, np.nan, 4], "b": [1, np.nan, 3, 2]}, ["a", "b"], "only 2 respondent"),
        ({"a": [1, 2, 3]}, ["a", "zz"], "no column"),
        ({"a": [1, 2, 3]}, "a", "single string"),
    ],
)
def test_bad_input_is_a_clear_error(
    data: dict[str, list[object]], items: list[str], message: str
) -> None:
    with pytest.raises(AnalysisInputError, match=message):
        reliability(pd.DataFrame(data), items, n_resamples=0)


def test_bad_arguments() -> None:
    df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 1, 3, 4], "c": [1, 1, 3, 4]})
    with pytest.raises(AnalysisInputError, match="reverse lists 'd'"):
        reliability(df, ["a", "b", "c"], reverse=["d"])
    with pytest.raises(AnalysisInputError, match="confidence_level"):
        reliability(df, ["a", "b", "c"], confidence_level=95)
    with pytest.raises(AnalysisInputError, match="n_resamples"):
        reliability(df, ["a", "b", "c"], n_resamples=-1)
    with pytest.raises(AnalysisInputError, match="needs at least 6 items"):
        omega(df, ["a", "b", "c"], n_factors=2)
    with pytest.raises(AnalysisInputError, match="at least 3 items"):
        item_statistics(df, ["a", "b"])


def test_batched_bootstrap_omega_equals_one_at_a_time() -> None:
    from deliberval.analysis.psychometrics import _omega_from_corr, _omega_total_batch

    df, items = reversed_data("bfi_agreeableness")
    x = df[items].to_numpy(dtype=float)
    gen = np.random.default_rng(3)
    corrs = np.array(
        [np.corrcoef(x[gen.integers(0, len(x), len(x))], rowvar=False) for _ in range(4)]
    )
    expected = [_omega_from_corr(c, 1)[0] for c in corrs]
    np.testing.assert_allclose(_omega_total_batch(corrs), expected, atol=1e-9)


@settings(max_examples=10, deadline=None)
@given(
    shift=st.floats(-5, 5),
    scale=st.floats(0.2, 5),
    order=st.permutations(range(5)),
)
def test_alpha_is_invariant_to_item_order_and_linear_rescaling(
    shift: float, scale: float, order: list[int]
) -> None:
    file, items, _ = ALPHA_SETS["bfi_neuroticism"]
    df = read_ref(file).head(300)
    base = reliability(df, items, n_resamples=0)
    moved = df[items] * scale + shift
    res = reliability(moved, [items[i] for i in order], n_resamples=0)
    np.testing.assert_allclose(res["estimate"], base["estimate"], atol=1e-9)


def test_omega_false_leaves_out_only_the_omega_rows() -> None:
    """omega=False (issue 22: omega only when asked) skips the factor analyses; every other row,
    bootstrap intervals included, is identical (same seeded resamples)."""
    g = np.random.default_rng(1).normal(size=(300, 1))
    df = pd.DataFrame(np.round(3 + g + np.random.default_rng(2).normal(size=(300, 4))), columns=list("abcd"))
    full = reliability(df, list("abcd"), n_resamples=300, seed=4)
    lean = reliability(df, list("abcd"), n_resamples=300, seed=4, omega=False)
    assert "omega_total" in set(full["statistic"])
    assert not lean["statistic"].str.startswith("omega").any()
    kept = full[~full["statistic"].str.startswith("omega")].reset_index(drop=True)
    pd.testing.assert_frame_equal(lean, kept, check_exact=True)


def test_uint32_index_draws_equal_int64_draws() -> None:
    """_bootstrap_covs draws indices as uint32: the same numbers as int64 draws of one seed."""
    a = np.random.default_rng(3).integers(0, 19_564, size=(5, 19_564))
    b = np.random.default_rng(3).integers(0, 19_564, size=(5, 19_564), dtype=np.uint32)
    np.testing.assert_array_equal(a, b)


def test_float32_product_of_integer_items_is_exact() -> None:
    """Integer items (sums of products below 2^24) are multiplied in float32: the covariances
    are bit-identical to the float64 product of the same resample counts."""
    x = np.clip(np.round(3 + np.random.default_rng(5).normal(size=(3_000, 6))), 1, 5)
    covs = _bootstrap_covs(x, np.random.default_rng(8), 40)
    gen = np.random.default_rng(8)
    idx = gen.integers(0, 3_000, size=(40, 3_000))
    counts = np.array([np.bincount(row, minlength=3_000) for row in idx], dtype=float)
    expected = _batched_cov(_cross_products(x), counts, 6)
    np.testing.assert_array_equal(covs, expected)
