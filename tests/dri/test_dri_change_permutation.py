"""Paired permutation null of the change in the DRI: R enumeration, brute force, Monte Carlo."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.dri import (
    DRIWarning,
    dri,
    dri_change,
    dri_change_permutation_test,
    dri_permutation_test,
)
from deliberval.errors import AnalysisInputError

CASES = ["Bellinzona", "Forest Lay Citizen", "WA Citizens", "FNQCJ"]


@pytest.fixture(scope="module")
def human(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_dir / "deliberr" / "human_data.csv")


@pytest.fixture(scope="module")
def golden(reference_dir: Path) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "dri" / "dri_change_permutation.csv")


@pytest.mark.parametrize("adjusted", [False, True])
def test_exact_enumeration_matches_r_on_human_data(
    human: pd.DataFrame, golden: pd.DataFrame, adjusted: bool
) -> None:
    """R recomputes every Spearman correlation for each of the 2^n swaps (n = 8 to 11)."""
    ref = golden[golden["adjusted"] == adjusted].set_index("case")
    data = human[human["case"].isin(CASES)]
    for alternative, col in (
        ("greater", "greater_p_value"),
        ("less", "less_p_value"),
        ("two-sided", "two_sided_p_value"),
    ):
        got = (
            dri_change_permutation_test(
                data, alternative=alternative, adjusted=adjusted, exact=True
            )
            .set_index("case")
            .loc[CASES]
        )
        np.testing.assert_allclose(got["p_value"], ref.loc[CASES, col], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["dri_pre"], ref.loc[CASES, "dri_pre"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["dri_post"], ref.loc[CASES, "dri_post"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["estimate"], ref.loc[CASES, "estimate"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["null_mean"], 0, atol=1e-12)  # symmetric about 0
    assert got["n"].tolist() == ref.loc[CASES, "n"].tolist()
    assert got["n_resamples"].tolist() == ref.loc[CASES, "n_resamples"].tolist()
    assert got["method"].str.contains("exact enumeration of all 2\\*\\*").all()
    # everybody is paired in these forums: the DRIs are dri_change's
    change = dri_change(data, adjusted=adjusted).set_index("case").loc[CASES]
    np.testing.assert_allclose(got["estimate"], change["estimate"], atol=1e-12)


def _tiny() -> pd.DataFrame:
    gen = np.random.default_rng(5)
    pre = pd.DataFrame(gen.integers(1, 6, (5, 6)), columns=[f"C{i}" for i in range(1, 7)])
    pre[["P1", "P2", "P3"]] = np.argsort(gen.random((5, 3)), axis=1) + 1
    post = pre.copy()
    post[["P1", "P2", "P3"]] = (
        np.argsort(-(pre[["C1", "C2", "C3"]].to_numpy() + gen.random((5, 3))), axis=1) + 1
    )
    post[["C4", "C5"]] = gen.integers(1, 6, (5, 2))
    return pd.concat(
        [pre.assign(stage_id=1, pnum=range(5)), post.assign(stage_id=2, pnum=range(5))],
        ignore_index=True,
    )


@pytest.mark.parametrize("adjusted", [False, True])
def test_exact_p_equals_a_brute_force_enumeration_through_dri(adjusted: bool) -> None:
    """Tiny forum (5 people, 32 swaps): every swapped data set rebuilt and scored by dri()."""
    data = _tiny()
    changes = []
    for s in itertools.product([0, 1], repeat=5):
        d = data.copy()
        for i, flip in enumerate(s):
            if flip:
                rows = d.index[d["pnum"] == i]
                d.loc[rows, "stage_id"] = 3 - d.loc[rows, "stage_id"]
        g = dri(d, by="stage_id", adjusted=adjusted).set_index("stage_id")["estimate"]
        changes.append(g[2] - g[1])
    changes_arr = np.array(changes)
    obs = changes_arr[0]
    res = dri_change_permutation_test(data, by=None, adjusted=adjusted).iloc[0]
    assert res["n_resamples"] == 32  # 2**5 <= 10,000: exact by default
    assert res["estimate"] == pytest.approx(obs, abs=1e-12)
    assert res["p_value"] == pytest.approx(np.mean(changes_arr >= obs - 1e-12), abs=1e-15)
    two = dri_change_permutation_test(
        data, by=None, adjusted=adjusted, alternative="two-sided"
    ).iloc[0]
    assert two["p_value"] == pytest.approx(np.mean(np.abs(changes_arr) >= abs(obs) - 1e-12))
    assert res["null_mean"] == pytest.approx(np.mean(changes_arr), abs=1e-12)


def test_monte_carlo_p_is_plus_one_and_close_to_exact(human: pd.DataFrame) -> None:
    data = human[human["case"] == "FNQCJ"]
    exact = dri_change_permutation_test(data).iloc[0]
    mc = dri_change_permutation_test(data, exact=False, n_resamples=4000, seed=3).iloc[0]
    assert exact["p_value"] == pytest.approx(0.0205078125, abs=1e-12)  # 42 / 2048
    assert mc["n_resamples"] == 4000
    assert mc["p_value"] * 4001 == pytest.approx(round(mc["p_value"] * 4001))  # (b + 1) / (m + 1)
    assert abs(mc["p_value"] - exact["p_value"]) < 0.01  # 3 binomial SEs at m = 4000
    assert "p = (b + 1) / (m + 1)" in mc["method"]
    again = dri_change_permutation_test(data, exact=False, n_resamples=4000, seed=3)
    assert again["p_value"].iloc[0] == mc["p_value"]


def test_large_forum_goes_monte_carlo_and_p_is_never_zero(human: pd.DataFrame) -> None:
    zuk = human[human["case"] == "Zukunft"]  # 63 paired participants
    res = dri_change_permutation_test(zuk, n_resamples=500, seed=1, alternative="less").iloc[0]
    assert res["n"] == 63
    assert res["n_resamples"] == 500
    assert 0 < res["p_value"] <= 1
    assert res["p_value"] >= 1 / 501
    assert res["null_ci_low"] < 0 < res["null_ci_high"]
    with pytest.raises(AnalysisInputError, match="limited to 20"):
        dri_change_permutation_test(zuk, exact=True)


def test_permutation_p_of_the_dri_is_never_zero() -> None:
    """Linked preferences beat every permutation: p = 1 / (m + 1), not 0 (Phipson & Smyth)."""
    gen = np.random.default_rng(10)
    c = gen.integers(1, 8, (30, 12)).astype(float)
    from scipy import stats

    p = stats.rankdata(-(c[:, :5] + gen.random((30, 5))), axis=1)
    df = pd.DataFrame(
        np.hstack([c, p]), columns=[f"C{i}" for i in range(1, 13)] + [f"P{i}" for i in range(1, 6)]
    )
    df["pnum"] = range(30)
    res = dri_permutation_test(df, n_resamples=999, seed=2).iloc[0]
    assert res["p_value"] == 1 / 1000


def test_participants_in_one_wave_are_left_out_with_a_warning(human: pd.DataFrame) -> None:
    data = human[human["case"] == "Bellinzona"]
    data = data[~((data["stage_id"] == 2) & (data["pnum"] == data["pnum"].iloc[0]))]
    with pytest.warns(DRIWarning, match="only one wave"):
        dri_change(data)
    with pytest.warns(DRIWarning, match="left out of both group DRIs"):
        res = dri_change_permutation_test(data).iloc[0]
    assert res["n"] == 7
    assert res["n_resamples"] == 128


def test_errors_are_clear(human: pd.DataFrame) -> None:
    data = _tiny()
    with pytest.raises(AnalysisInputError, match="alternative must be"):
        dri_change_permutation_test(data, by=None, alternative="up")  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="n_resamples must be at least 1"):
        dri_change_permutation_test(data, by=None, n_resamples=0)
    other = data.copy()
    other.loc[other["stage_id"] == 2, "C6"] = np.nan  # C6 answered before only
    with pytest.raises(AnalysisInputError, match=r"different consideration columns.*C6"):
        dri_change_permutation_test(other, by=None)
    one = data[(data["stage_id"] == 1) | (data["pnum"] == 0)]
    with pytest.raises(AnalysisInputError, match="1 participant"):
        dri_change_permutation_test(one, by=None)


def test_the_methods_page_numbers(human: pd.DataFrame) -> None:
    """docs/methods/dri.md quotes these: permutation vs Wilcoxon on human_data."""
    small = dri_change_permutation_test(human[human["case"].isin(CASES)]).set_index("case")
    assert small.loc[CASES, "p_value"].round(3).tolist() == [0.215, 0.094, 0.160, 0.021]
    wilcoxon = dri_change(human[human["case"].isin(CASES)]).set_index("case")
    assert wilcoxon.loc[CASES, "p_value"].round(4).tolist() == [0.0195, 0.0273, 0.0039, 0.0005]
    zuk = human[human["case"] == "Zukunft"]
    assert round(dri_change_permutation_test(zuk, seed=1)["p_value"].iloc[0], 3) == 0.030
    assert round(dri_change(zuk)["p_value"].iloc[0], 7) == 1.3e-6
