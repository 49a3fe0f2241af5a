"""Deliberative Reason Index against deliberr 0.1.0 and base R, plus input handling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import deliberval.analysis.dri as dri_module
from deliberval.analysis.dri import (
    DRIWarning,
    _forums,
    _permuted_dris,
    _wilcoxon_greater,
    dri,
    dri_change,
    dri_individual,
    dri_pairs,
    dri_permutation_test,
)
from deliberval.errors import AnalysisInputError

C = [f"C{i}" for i in range(1, 51)]
P = [f"P{i}" for i in range(1, 11)]


@pytest.fixture(scope="module")
def human(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_dir / "deliberr" / "human_data.csv")


@pytest.fixture(scope="module")
def golden(reference_dir: Path) -> dict[str, pd.DataFrame]:
    folder = reference_dir / "dri"
    return {
        name: pd.read_csv(folder / f"{name}.csv")
        for name in ("dri_forums", "dri_individual", "dri_change", "wilcoxon_cases")
    }


def _random_forum(
    n: int, n_c: int = 40, n_p: int = 7, seed: int = 0, linked: bool = False
) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    c = gen.integers(1, 8, (n, n_c)).astype(float)
    if linked:  # preferences follow the first n_p considerations, plus a little noise
        p = stats.rankdata(-(c[:, :n_p] + gen.random((n, n_p))), axis=1)
    else:
        p = np.argsort(gen.random((n, n_p)), axis=1) + 1.0
    df = pd.DataFrame(np.hstack([c, p]), columns=C[:n_c] + P[:n_p])
    df.insert(0, "pnum", np.arange(100, 100 + n))
    return df


# ---------------------------------------------------------------- deliberr 0.1.0 reference


@pytest.mark.parametrize("adjusted", [False, True])
def test_matches_deliberr_reference(human: pd.DataFrame, data_dir: Path, adjusted: bool) -> None:
    ref = pd.read_csv(data_dir / "deliberr" / "dri_reference_dev.csv")
    ref = ref[ref["adjusted"] == adjusted].set_index("case")
    assert len(ref) == 5
    got = dri_change(human[human["case"].isin(ref.index)], adjusted=adjusted).set_index("case")
    got = got.loc[ref.index]
    np.testing.assert_allclose(got["dri_pre"], ref["pre"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got["dri_post"], ref["post"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got["estimate"], ref["delta"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got["p_value"], ref["p_value"], rtol=0, atol=1e-6)
    # the p-values are tiny, so hold them to a relative tolerance too
    np.testing.assert_allclose(got["p_value"], ref["p_value"], rtol=1e-9)
    assert got["n"].tolist() == ref["n"].tolist()
    assert got["adjusted"].eq(adjusted).all()


def test_reference_p_values_use_the_test_R_chose(human: pd.DataFrame) -> None:
    got = dri_change(human[human["case"].isin(["FNQCJ", "Bellinzona", "Zukunft"])])
    got = got.set_index("case")
    assert got.loc["FNQCJ", "p_value"] == pytest.approx(2.0**-11, rel=1e-12)  # exact, all up
    assert got.loc["Bellinzona", "p_value"] == pytest.approx(5 / 256, rel=1e-12)
    assert got.loc["FNQCJ", "method"].endswith("exact")
    assert got.loc["Zukunft", "method"].endswith("continuity correction")  # n = 63 >= 50


# ---------------------------------------------------------------- all 24 forums vs base R


@pytest.mark.parametrize("adjusted", [False, True])
def test_every_forum_and_stage_matches_base_r(
    human: pd.DataFrame, golden: dict[str, pd.DataFrame], adjusted: bool
) -> None:
    got = dri(human, by=["case", "stage_id"], adjusted=adjusted)
    assert len(got) == 48
    assert got["case"].nunique() == 24
    assert set(got["stage_id"]) == {1, 2}
    ref = golden["dri_forums"]
    ref = ref[ref["adjusted"] == adjusted]
    merged = got.merge(ref, on=["case", "stage_id"], suffixes=("", "_r"), validate="1:1")
    assert len(merged) == 48
    np.testing.assert_allclose(merged["estimate"], merged["estimate_r"], rtol=0, atol=1e-12)
    for col in ("n", "n_pairs", "n_considerations", "n_preferences"):
        assert merged[col].tolist() == merged[f"{col}_r"].tolist(), col
    assert np.isfinite(got["estimate"]).all()
    assert got["estimate"].between(-0.2, 0.8).all()  # observed range; the DRI can go down to -3
    assert (got["n_pairs"] == got["n"] * (got["n"] - 1) // 2).all()
    assert got["n"].between(8, 63).all()
    assert got["n_preferences"].between(4, 9).all()
    assert got["n_considerations"].between(16, 49).all()
    assert got["method"].str.contains("adjusted" if adjusted else "original").all()


@pytest.mark.parametrize("adjusted", [False, True])
def test_every_individual_dri_matches_base_r(
    human: pd.DataFrame, golden: dict[str, pd.DataFrame], adjusted: bool
) -> None:
    got = dri_individual(human, by=["case", "stage_id"], adjusted=adjusted)
    ref = golden["dri_individual"]
    ref = ref[ref["adjusted"] == adjusted]
    assert len(got) == len(human) == len(ref)
    merged = got.merge(ref, on=["case", "stage_id", "pnum"], suffixes=("", "_r"), validate="1:1")
    np.testing.assert_allclose(merged["estimate"], merged["estimate_r"], rtol=0, atol=1e-12)
    assert np.isfinite(got["estimate"]).all()
    assert got["estimate"].between(-3, 1).all()  # d <= sqrt(2), so the DRI lies in [-3, 1]
    assert got["estimate"].median() == pytest.approx(0.35, abs=0.05)


@pytest.mark.parametrize("adjusted", [False, True])
def test_every_case_change_matches_base_r(
    human: pd.DataFrame, golden: dict[str, pd.DataFrame], adjusted: bool
) -> None:
    got = dri_change(human, adjusted=adjusted)
    ref = golden["dri_change"]
    ref = ref[ref["adjusted"] == adjusted]
    merged = got.merge(ref, on="case", suffixes=("", "_r"), validate="1:1")
    assert len(merged) == 24
    for col in ("dri_pre", "dri_post", "estimate"):
        np.testing.assert_allclose(merged[col], merged[f"{col}_r"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(merged["p_value"], merged["p_value_r"], rtol=1e-10, atol=0)
    assert merged["n"].tolist() == merged["n_r"].tolist()
    assert got["p_value"].between(0, 1).all()


def test_stage_labels_are_not_used_only_stage_id(human: pd.DataFrame) -> None:
    # "Post-Delib" vs "Post-delib": the label column has three values, stage_id has two
    assert human["stage"].nunique() == 3
    with pytest.raises(AnalysisInputError, match="3 distinct value"):
        dri_change(human, wave="stage")
    with pytest.raises(AnalysisInputError, match="case='Zukunft' has no rows with stage"):
        dri_change(human, wave="stage", pre="Pre-Delib", post="Post-Delib")
    by_label = dri_change(
        human[human["case"] != "Zukunft"], wave="stage", pre="Pre-Delib", post="Post-Delib"
    )
    by_id = dri_change(human[human["case"] != "Zukunft"])
    pd.testing.assert_frame_equal(by_label, by_id)


# ---------------------------------------------------------------- Wilcoxon as R


def test_wilcoxon_matches_r_on_ties_zeros_and_the_n50_boundary(
    golden: dict[str, pd.DataFrame],
) -> None:
    cases = golden["wilcoxon_cases"].set_index("name")
    assert len(cases) == 7
    for name, row in cases.iterrows():
        x = np.array(row["x"].split(";"), dtype=float)
        y = np.array(row["y"].split(";"), dtype=float)
        p, method = _wilcoxon_greater(x, y)
        assert p == pytest.approx(row["p_value"], rel=1e-10, abs=1e-15), name
        if name in {"ties", "zeros", "n50", "n60", "exact_small"}:
            assert "normal approximation" in method, name
        else:
            assert method.endswith("exact"), name


def test_wilcoxon_all_zero_differences_gives_one_like_r() -> None:
    x = np.array([1.0, 2.0, 3.0])
    assert _wilcoxon_greater(x, x)[0] == 1.0
    assert np.isnan(_wilcoxon_greater(np.array([np.nan]), np.array([1.0]))[0])


# ---------------------------------------------------------------- properties


def test_individual_dris_average_to_the_group_dri_for_the_original_formula() -> None:
    df = _random_forum(15, seed=4)
    ind = dri_individual(df)
    assert ind["pnum"].tolist() == df["pnum"].tolist()
    assert ind["estimate"].mean() == pytest.approx(dri(df)["estimate"].iloc[0], abs=1e-12)


def test_row_order_and_column_order_do_not_matter() -> None:
    df = _random_forum(12, seed=5)
    shuffled = df.sample(frac=1, random_state=1)[["pnum", *reversed(df.columns[1:])]]
    for adjusted in (False, True):
        a = dri(df, adjusted=adjusted)["estimate"].iloc[0]
        b = dri(shuffled, adjusted=adjusted)["estimate"].iloc[0]
        assert a == pytest.approx(b, abs=1e-12)


def test_pairs_are_spearman_correlations() -> None:
    df = _random_forum(6, n_c=10, n_p=5, seed=6)
    pairs = dri_pairs(df)
    assert len(pairs) == 15
    first = pairs.iloc[0]
    a, b = df.iloc[0], df.iloc[1]
    assert (first["respondent_1"], first["respondent_2"]) == (100, 101)
    assert first["q"] == pytest.approx(stats.spearmanr(a[C[:10]], b[C[:10]]).statistic)
    assert first["r"] == pytest.approx(stats.spearmanr(a[P[:5]], b[P[:5]]).statistic)
    np.testing.assert_allclose(pairs["d"], np.abs(pairs["q"] - pairs["r"]) / np.sqrt(2))


def test_perfect_consistency_gives_one_and_adjusted_weights_weak_pairs() -> None:
    df = _random_forum(10, n_c=6, n_p=6, seed=7)
    df[P[:6]] = df[C[:6]].to_numpy()  # preferences identical to considerations: q == r
    assert dri(df)["estimate"].iloc[0] == pytest.approx(1.0, abs=1e-12)
    # adjusted: weak pairs (max |q|, |r| <= 0.2) count less, so the DRI cannot exceed 1
    pairs = dri_pairs(df)
    weak = np.maximum(pairs["q"].abs(), pairs["r"].abs())
    expected = 1 - 2 * np.sqrt(2) * (1 - np.mean(np.where(weak <= 0.2, weak / 0.2, 1.0)))
    assert dri(df, adjusted=True)["estimate"].iloc[0] == pytest.approx(expected, abs=1e-12)


def test_by_accepts_a_single_column_name(human: pd.DataFrame) -> None:
    one = human[human["case"] == "Bellinzona"]
    got = dri(one, by="stage_id")
    assert got.columns.tolist() == [
        "stage_id",
        "estimate",
        "n",
        "n_pairs",
        "n_considerations",
        "n_preferences",
        "adjusted",
        "method",
    ]
    assert got["n"].tolist() == [8, 8]


# ---------------------------------------------------------------- permutation test


@pytest.mark.parametrize("adjusted", [False, True])
def test_vectorised_permutations_equal_recomputing_correlations(
    adjusted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    df = _random_forum(9, n_c=12, n_p=5, seed=8)
    ((_, forum),) = _forums(df, None, None, None, "pnum", "drop")
    n_perm = 24
    # 36 pairs per permutation: batches of 7 permutations, the last one partial
    monkeypatch.setattr(dri_module, "_BATCH_ELEMENTS", 7 * 36)
    observed, null = _permuted_dris(forum, n_perm, np.random.default_rng(11), adjusted)
    assert observed == dri(df, adjusted=adjusted)["estimate"].iloc[0]
    gen = np.random.default_rng(11)
    perms = np.vstack(
        [gen.permuted(np.broadcast_to(np.arange(9), (size, 9)), axis=1) for size in (7, 7, 7, 3)]
    )
    c, p = df[C[:12]].to_numpy(), df[P[:5]].to_numpy()
    naive = []
    for perm in perms:  # recompute every correlation, as deliberr's permute_dri does
        q = stats.spearmanr(c, axis=1).statistic
        r = stats.spearmanr(p[perm], axis=1).statistic
        iu, ju = np.triu_indices(9, k=1)
        d = np.abs(q[iu, ju] - r[iu, ju]) / np.sqrt(2)
        if adjusted:
            s = np.maximum(np.abs(q[iu, ju]), np.abs(r[iu, ju]))
            dist = 1 - np.mean((1 - d) * np.where(s <= 0.2, s / 0.2, 1.0))
        else:
            dist = np.mean(d)
        naive.append(1 - 2 * np.sqrt(2) * dist)
    np.testing.assert_allclose(null, naive, rtol=0, atol=1e-12)


def test_random_data_give_a_positive_dri_that_is_not_significant() -> None:
    df = _random_forum(30, seed=9)
    res = dri_permutation_test(df, n_resamples=2000, seed=1).iloc[0]
    assert res["estimate"] > 0.15  # positive by chance alone
    assert res["null_mean"] > 0.15
    assert res["p_value"] > 0.05
    assert res["null_ci_low"] < res["estimate"] < res["null_ci_high"]
    assert res["n_resamples"] == 2000
    assert res["confidence_level"] == 0.95
    assert res["n"] == 30


def test_linked_preferences_are_significant() -> None:
    df = _random_forum(30, n_c=12, n_p=5, seed=10, linked=True)
    res = dri_permutation_test(df, n_resamples=1000, seed=2, adjusted=True).iloc[0]
    assert res["estimate"] > res["null_ci_high"]
    assert res["p_value"] == 1 / 1001  # no permutation reaches it: (0 + 1) / (1000 + 1)
    assert res["adjusted"]


def test_permutation_test_is_reproducible_and_grouped(human: pd.DataFrame) -> None:
    two = human[human["case"].isin(["Bellinzona", "FNQCJ"])]
    a = dri_permutation_test(two, by=["case", "stage_id"], n_resamples=500, seed=3)
    b = dri_permutation_test(two, by=["case", "stage_id"], n_resamples=500, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 4
    obs = dri(two, by=["case", "stage_id"])
    np.testing.assert_allclose(a["estimate"], obs["estimate"], atol=1e-15)
    assert a["p_value"].between(0, 1).all()
    assert (a["null_ci_low"] <= a["null_mean"]).all()
    assert (a["null_mean"] <= a["null_ci_high"]).all()


def test_large_forum_uses_several_batches() -> None:
    df = _random_forum(63, seed=12)
    res = dri_permutation_test(df, n_resamples=2_000, seed=4).iloc[0]  # 8 batches
    assert res["n_resamples"] == 2_000
    assert res["estimate"] == pytest.approx(dri(df)["estimate"].iloc[0], abs=1e-15)
    assert 0.05 < res["p_value"] < 1
    assert res["null_ci_low"] < res["null_mean"] < res["null_ci_high"]


# ---------------------------------------------------------------- input handling


def test_all_equal_participant_is_dropped_with_a_warning() -> None:
    df = _random_forum(10, n_c=8, n_p=4, seed=13)
    df.loc[3, C[:8]] = 4.0
    with pytest.warns(DRIWarning, match=r"1 participant\(s\).*103 \(all-equal considerations\)"):
        got = dri(df)
    expected = dri(df.drop(index=3))
    assert got["n"].iloc[0] == 9
    assert got["estimate"].iloc[0] == expected["estimate"].iloc[0]


def test_undefined_propagate_reproduces_deliberr_nan() -> None:
    df = _random_forum(10, n_c=8, n_p=4, seed=14)
    df.loc[2, "P2"] = np.nan
    with pytest.warns(DRIWarning, match="missing preferences.*propagate"):
        got = dri(df, undefined="propagate")
    assert np.isnan(got["estimate"].iloc[0])
    assert got["n"].iloc[0] == 10
    with pytest.warns(DRIWarning):
        ind = dri_individual(df, undefined="propagate")
    assert ind["estimate"].isna().all()  # every participant has a pair with participant 102
    with pytest.warns(DRIWarning):
        res = dri_permutation_test(df, n_resamples=10, seed=1, undefined="propagate")
    assert np.isnan(res["p_value"].iloc[0])


def test_columns_empty_for_everyone_are_dropped() -> None:
    df = _random_forum(8, n_c=6, n_p=4, seed=15)
    df["C7"] = np.nan
    df["P5"] = np.nan
    got = dri(df)
    assert got[["n_considerations", "n_preferences"]].iloc[0].tolist() == [6, 4]
    assert got["estimate"].iloc[0] == dri(df.drop(columns=["C7", "P5"]))["estimate"].iloc[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.drop(columns=C[:6]), "no consideration columns found"),
        (lambda d: d.drop(columns=P[:4]), "no preference columns found"),
        (lambda d: d.assign(**dict.fromkeys(C[:6], np.nan)), "0 usable consideration"),
        (lambda d: d.assign(**dict.fromkeys(P[1:4], np.nan)), "1 usable preference"),
        (lambda d: d.assign(C1=["a"] * 8), "not numeric"),
        (lambda d: d.assign(pnum=[1, 1, 2, 3, 4, 5, 6, 7]), "appear more than once"),
        (lambda d: d.drop(columns="pnum"), "no column.*'pnum'"),
        (lambda d: d.iloc[:0], "no rows"),
    ],
)
def test_bad_input_raises_clear_errors(change: object, message: str) -> None:
    df = _random_forum(8, n_c=6, n_p=4, seed=16)
    with pytest.raises(AnalysisInputError, match=message):
        dri(change(df))  # type: ignore[operator]


def test_too_few_usable_participants() -> None:
    df = _random_forum(3, n_c=6, n_p=4, seed=17)
    df.loc[[0, 1], C[:6]] = 2.0
    with pytest.warns(DRIWarning), pytest.raises(AnalysisInputError, match="1 participant"):
        dri(df)


def test_argument_errors() -> None:
    df = _random_forum(8, n_c=6, n_p=4, seed=18)
    with pytest.raises(AnalysisInputError, match="undefined must be"):
        dri(df, undefined="ignore")  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="at least 1"):
        dri_permutation_test(df, n_resamples=0)
    with pytest.raises(AnalysisInputError, match="integer"):
        dri_permutation_test(df, n_resamples=10.5)  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="confidence_level"):
        dri_permutation_test(df, n_resamples=10, confidence_level=95)
    with pytest.raises(AnalysisInputError, match="no column"):
        dri(df, considerations=["C1", "C99"])
    with pytest.raises(AnalysisInputError, match="'C1' as both consideration and preference"):
        dri(df, considerations=C[:6], preferences=["C1", "P1", "P2"])
    with pytest.raises(AnalysisInputError, match="'C2' are listed more than once"):
        dri(df, considerations=["C1", "C2", "C2", "C3"])


def test_change_needs_both_stages_and_warns_about_unpaired(human: pd.DataFrame) -> None:
    one = human[human["case"] == "Activate"]
    with pytest.raises(AnalysisInputError, match="1 distinct value"):
        dri_change(one[one["stage_id"] == 1])
    with pytest.raises(AnalysisInputError, match="no rows with stage_id == 2"):
        dri_change(pd.concat([one, human[human["case"] == "FNQCJ"].query("stage_id == 1")]))
    dropped = one.drop(index=one.index[one["stage_id"] == 2][:2])
    with pytest.warns(
        DRIWarning,
        match=r"case='Activate': 2 participant\(s\) have an individual DRI in only one wave",
    ):
        got = dri_change(dropped).iloc[0]
    assert got["n"] == 24
    assert got["dri_pre"] == pytest.approx(0.392723425354211, abs=1e-12)  # pre untouched


def test_custom_column_names_carry_through(human: pd.DataFrame) -> None:
    two = human[human["case"].isin(["Bellinzona", "FNQCJ"])].rename(
        columns={"case": "forum", "stage_id": "wave", "pnum": "person"}
    )
    got = dri_change(two, by="forum", wave="wave", respondent="person")
    assert got.columns.tolist()[:2] == ["forum", "dri_pre"]
    assert got["forum"].tolist() == ["FNQCJ", "Bellinzona"]  # order of appearance
    pairs = dri_pairs(two, by=["forum", "wave"], respondent="person")
    assert pairs.columns.tolist() == [
        "forum",
        "wave",
        "respondent_1",
        "respondent_2",
        "q",
        "r",
        "d",
        "method",
    ]
    assert len(pairs) == 2 * (55 + 28)
    with pytest.raises(AnalysisInputError, match=r"^forum='FNQCJ': participant id\(s\) 1, 2"):
        dri(two, respondent="person", by="forum")  # both waves in one forum: ids repeat


def test_column_lists_must_be_names() -> None:
    df = _random_forum(6, n_c=6, n_p=4, seed=19)
    with pytest.raises(AnalysisInputError, match="considerations must be a list of column names"):
        dri(df, 10_000)  # type: ignore[arg-type]
    got = dri(df, considerations=pd.Index(C[:6]), preferences=np.array(P[:4]))
    assert got["n_considerations"].iloc[0] == 6


# ---------------------------------------------------------------- the vocabulary (issue 14)


def test_output_columns_follow_the_package_vocabulary(human: pd.DataFrame) -> None:
    one = human[human["case"] == "Bellinzona"]
    by = ["case", "stage_id"]
    assert dri_individual(one, by=by).columns.tolist() == [
        "case",
        "stage_id",
        "pnum",
        "estimate",
        "adjusted",
        "method",
    ]
    assert dri_pairs(one, by=by).columns.tolist() == [
        "case",
        "stage_id",
        "respondent_1",
        "respondent_2",
        "q",
        "r",
        "d",
        "method",
    ]
    assert dri_change(one).columns.tolist() == [
        "case",
        "dri_pre",
        "dri_post",
        "estimate",
        "p_value",
        "n",
        "adjusted",
        "method",
    ]
    perm = dri_permutation_test(one, by=by, n_resamples=20, seed=1)
    assert perm.columns.tolist() == [
        "case",
        "stage_id",
        "estimate",
        "p_value",
        "null_mean",
        "null_ci_low",
        "null_ci_high",
        "n_resamples",
        "confidence_level",
        "n",
        "adjusted",
        "method",
    ]
    assert dri_individual(one, by=by, adjusted=True)["method"].str.contains("adjusted").all()


def test_column_roles_are_keyword_only() -> None:
    df = _random_forum(6, n_c=6, n_p=4, seed=20)
    for fn in (dri, dri_individual, dri_pairs, dri_permutation_test, dri_change):
        with pytest.raises(TypeError, match="positional argument"):
            fn(df, C[:6], P[:4], "case")  # type: ignore[call-arg]


def test_change_by_none_one_forum_and_by_two_columns(human: pd.DataFrame) -> None:
    two = human[human["case"].isin(["Bellinzona", "FNQCJ"])]
    per_case = dri_change(two)
    one = dri_change(two[two["case"] == "FNQCJ"], by=None)
    assert one.columns.tolist()[0] == "dri_pre"
    pd.testing.assert_frame_equal(
        one, per_case[per_case["case"] == "FNQCJ"].drop(columns="case").reset_index(drop=True)
    )
    both = dri_change(two, by=["study", "case"])
    assert both.columns.tolist()[:3] == ["study", "case", "dri_pre"]
    pd.testing.assert_frame_equal(both.drop(columns="study"), per_case)
    with pytest.raises(AnalysisInputError, match="both the wave and a by column"):
        dri_change(two, by=["case", "stage_id"])
    with pytest.raises(AnalysisInputError, match="column 'case' has 1 missing value"):
        dri_change(two.assign(case=[None, *two["case"].iloc[1:]]))
