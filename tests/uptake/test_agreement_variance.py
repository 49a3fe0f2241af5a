"""Agreement intervals (issue 19): textbook kappa variance (vcd), Gwet's AC1/AC2 (irrCAC),
psych parity behind a flag, seeded bootstrap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.agreement import (
    _weight_matrix,
    agreement,
    cohen_kappa_table,
    gwet_ac_table,
)
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "uptake"
CASES = ["sexual_fun", "ms_winnipeg", "ms_new_orleans", "skewed_3", "skewed_2"]
COLS = ["estimate", "se", "ci_low", "ci_high"]


@pytest.fixture(scope="module")
def tables() -> dict[str, np.ndarray]:
    long = pd.read_csv(REF / "agreement_tables.csv")
    out = {}
    for case, g in long.groupby("case", sort=False):
        k = int(g["row"].max())
        x = np.zeros((k, k))
        x[g["row"] - 1, g["col"] - 1] = g["count"]
        out[str(case)] = x
    return out


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(REF / "agreement_variance_golden.csv")


def _ref(golden: pd.DataFrame, case: str, statistic: str, weights: str) -> pd.Series:
    sel = golden[
        (golden["case"] == case)
        & (golden["statistic"] == statistic)
        & (golden["weights"] == weights)
    ]
    assert len(sel) == 1
    return sel.iloc[0]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_kappa_large_sample_interval_matches_vcd(
    tables: dict[str, np.ndarray], golden: pd.DataFrame, case: str, weights: str
) -> None:
    x = tables[case]
    got = cohen_kappa_table(x, _weight_matrix(len(x), weights)).set_index("statistic")
    for stat, w in (("cohen_kappa", "none"), ("cohen_kappa_weighted", weights)):
        ref = _ref(golden, case, stat, w)
        for col in COLS:
            assert got.loc[stat, col] == pytest.approx(ref[col], abs=1e-12), (stat, col)
        assert got.loc[stat, "n"] == ref["n"]
    assert got.loc["cohen_kappa_weighted", "method"].endswith(
        "Fleiss-Cohen-Everitt (1969) large-sample interval"
    )


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_gwet_matches_irrcac(
    tables: dict[str, np.ndarray], golden: pd.DataFrame, case: str, weights: str
) -> None:
    x = tables[case]
    got = gwet_ac_table(x, _weight_matrix(len(x), weights)).set_index("statistic")
    for stat, w in (("gwet_ac1", "none"), ("gwet_ac2", weights)):
        ref = _ref(golden, case, stat, w)
        for col in COLS:
            assert got.loc[stat, col] == pytest.approx(ref[col], abs=1e-12), (stat, col)


def test_psych_parity_is_a_flag_and_its_zero_width_interval_is_gone(
    tables: dict[str, np.ndarray], golden: pd.DataFrame
) -> None:
    for case in ["sexual_fun", "ms_winnipeg", "ms_new_orleans", "skewed_3"]:
        ref = _ref(golden, case, "cohen_kappa_weighted", "psych")
        got = cohen_kappa_table(tables[case], variance="psych").set_index("statistic")
        for col in COLS:
            assert got.loc["cohen_kappa_weighted", col] == pytest.approx(ref[col], abs=1e-9)
    # skewed 3 x 3 (80 items, nearly all one code): psych's interval has zero width ...
    psych = cohen_kappa_table(tables["skewed_3"], variance="psych").iloc[1]
    assert psych["ci_low"] == psych["ci_high"] == pytest.approx(0.8148148148, abs=1e-9)
    # ... the textbook one does not (vcd: 0.6604 - 0.9692)
    text = cohen_kappa_table(tables["skewed_3"]).iloc[1]
    assert text["ci_low"] == pytest.approx(0.66042620688790366, abs=1e-12)
    assert text["ci_high"] == pytest.approx(0.96920342274172522, abs=1e-12)


def _long(x: np.ndarray, labels: list[str]) -> pd.DataFrame:
    rows, item = [], 0
    for i in range(len(x)):
        for j in range(len(x)):
            for _ in range(int(x[i, j])):
                rows += [
                    {"item": f"u{item}", "coder": "a", "code": labels[i]},
                    {"item": f"u{item}", "coder": "b", "code": labels[j]},
                ]
                item += 1
    return pd.DataFrame(rows)


def test_agreement_reports_the_textbook_interval_and_gwet_by_default(
    tables: dict[str, np.ndarray], golden: pd.DataFrame
) -> None:
    labels = ["certain", "probable", "possible", "doubtful"]
    long = _long(tables["ms_winnipeg"], labels)
    res = agreement(long, ordinal_order=labels)
    got = res.table.set_index("statistic")
    for stat, w in (
        ("cohen_kappa", "none"),
        ("cohen_kappa_weighted", "quadratic"),
        ("gwet_ac1", "none"),
        ("gwet_ac2", "quadratic"),
    ):
        ref = _ref(golden, "ms_winnipeg", stat, w)
        for col in COLS:
            assert got.loc[stat, col] == pytest.approx(ref[col], abs=1e-12), (stat, col)
        assert got.loc[stat, "n_items"] == 149
    assert got.loc["gwet_ac1", "method"].endswith("t interval with n - 1 df (as irrCAC)")
    linear = agreement(long, ordinal_order=labels, weights="linear").table.set_index("statistic")
    ref = _ref(golden, "ms_winnipeg", "gwet_ac2", "linear")
    assert linear.loc["gwet_ac2", "estimate"] == pytest.approx(ref["estimate"], abs=1e-12)
    nominal = agreement(long).table.set_index("statistic")  # no order: AC1 only
    assert "gwet_ac2" not in nominal.index
    ref = _ref(golden, "ms_winnipeg", "gwet_ac1", "none")
    assert nominal.loc["gwet_ac1", "se"] == pytest.approx(ref["se"], abs=1e-12)


def test_bootstrap_is_seeded_and_agrees_with_the_large_sample_se(
    tables: dict[str, np.ndarray],
) -> None:
    x = tables["ms_winnipeg"]  # 149 items
    a = cohen_kappa_table(x, variance="bootstrap", n_resamples=4000, seed=1)
    b = cohen_kappa_table(x, variance="bootstrap", n_resamples=4000, seed=1)
    pd.testing.assert_frame_equal(a, b)
    large = cohen_kappa_table(x)
    np.testing.assert_allclose(a["estimate"], large["estimate"], atol=1e-15)
    # bootstrap and delta-method SEs agree within 10 % at n = 149
    np.testing.assert_allclose(a["se"], large["se"], rtol=0.10)
    assert (a["ci_low"] < a["estimate"]).all()
    assert (a["estimate"] < a["ci_high"]).all()
    assert a["method"].str.contains("percentile bootstrap interval, 4000 resamples").all()
    g = gwet_ac_table(x, variance="bootstrap", n_resamples=4000, seed=2)
    np.testing.assert_allclose(g["se"], gwet_ac_table(x)["se"], rtol=0.10)
    labels = ["certain", "probable", "possible", "doubtful"]
    res = agreement(
        _long(x, labels), ordinal_order=labels, variance="bootstrap", n_resamples=500, seed=3
    )
    boot = res.table.set_index("statistic")
    assert boot.loc["cohen_kappa", "method"].endswith("500 resamples of the coded items")
    assert boot.loc["gwet_ac2", "ci_low"] < boot.loc["gwet_ac2", "estimate"]


def test_variance_arguments_are_checked(tables: dict[str, np.ndarray]) -> None:
    x = tables["sexual_fun"]
    with pytest.raises(AnalysisInputError, match="variance must be"):
        cohen_kappa_table(x, variance="exact")  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="variance must be 'large_sample' or"):
        gwet_ac_table(x, variance="psych")  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="n_resamples"):
        cohen_kappa_table(x, variance="bootstrap", n_resamples=1)
    with pytest.raises(AnalysisInputError, match="whole counts"):
        cohen_kappa_table(x + np.eye(4) * [0.5, 0, 0, 0], variance="bootstrap")
    with pytest.raises(AnalysisInputError, match="weights must have the table's shape"):
        gwet_ac_table(x, np.eye(3))


def test_disagreement_weights_give_the_same_kappa_and_interval() -> None:
    x = np.array([[20.0, 5, 1], [4, 15, 3], [2, 2, 12]])
    agree = cohen_kappa_table(x, _weight_matrix(3, "linear"))
    disagree = cohen_kappa_table(x, 1 - _weight_matrix(3, "linear"))
    pd.testing.assert_frame_equal(agree.drop(columns="method"), disagree.drop(columns="method"))


def _krippendorff_long() -> pd.DataFrame:
    data = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    }
    long = pd.DataFrame(
        [{"item": u, "coder": c, "code": v} for c, vals in data.items() for u, v in enumerate(vals)]
    )
    long["code"] = long["code"].map(lambda v: None if pd.isna(v) else f"v{int(v)}")
    return long


def test_gwet_several_coders_match_irrcac_raw(golden: pd.DataFrame) -> None:
    """Krippendorff's (2011) 4 coders x 12 units with gaps: AC1 0.7754 (Gwet's handbook value)."""
    long = _krippendorff_long()
    order = ["v1", "v2", "v3", "v4", "v5"]
    for weights in ("linear", "quadratic"):
        got = agreement(long, ordinal_order=order, weights=weights).table.set_index("statistic")
        for stat, w in (("gwet_ac1", "none"), ("gwet_ac2", weights)):
            ref = _ref(golden, "krippendorff_2011", stat, w)
            assert got.loc[stat, "estimate"] == pytest.approx(ref["estimate"], abs=1e-12)
            assert got.loc[stat, "se"] == pytest.approx(ref["se"], abs=5e-6)  # irrCAC rounds
            assert got.loc[stat, "n_items"] == 12
            assert got.loc[stat, "n_coders"] == 4
            t = 2.2009851600916388  # R: qt(0.975, 11)
            assert got.loc[stat, "ci_low"] == pytest.approx(
                got.loc[stat, "estimate"] - t * got.loc[stat, "se"], abs=1e-12
            )
    assert round(got.loc["gwet_ac1", "estimate"], 4) == 0.7754
    boot = agreement(long, variance="bootstrap", n_resamples=300, seed=4).table
    row = boot.set_index("statistic").loc["gwet_ac1"]
    assert row["ci_low"] < row["estimate"] <= row["ci_high"]
    assert row["method"].endswith("300 resamples of the items")
