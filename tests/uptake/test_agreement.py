"""Inter-coder agreement against R psych 2.2.9 and hand-coded Fleiss / Krippendorff formulas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.agreement import agreement, cohen_kappa_table
from deliberval.errors import AnalysisInputError
from deliberval.instruments.coding import load_scheme

REF = Path(__file__).resolve().parents[1] / "reference" / "uptake"
TOL = 1e-9
SCHEME = load_scheme()  # the uptake statuses' order, passed in: agreement reads no file


@pytest.fixture(scope="module")
def codes() -> pd.DataFrame:
    return pd.read_csv(REF / "agreement_codes.csv")


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(REF / "agreement_golden.csv")


def _golden(golden: pd.DataFrame, case: str) -> pd.DataFrame:
    return golden[golden["case"] == case].set_index("statistic")


def _status(codes: pd.DataFrame, coders: list[str]) -> pd.DataFrame:
    sub = codes[(codes["dimension"] == "response_status") & codes["coder"].isin(coders)]
    return sub.drop(columns="dimension")


def test_two_coders_match_psych(codes: pd.DataFrame, golden: pd.DataFrame) -> None:
    res = agreement(_status(codes, ["ana", "ben"]), scheme=SCHEME, variance="psych")
    got = res.table.set_index("statistic")
    ref = _golden(golden, "status_two_coders")
    for stat in ("cohen_kappa", "cohen_kappa_weighted", "fleiss_kappa", "krippendorff_alpha"):
        assert got.loc[stat, "estimate"] == pytest.approx(ref.loc[stat, "estimate"], abs=TOL), stat
        assert got.loc[stat, "n_items"] == ref.loc[stat, "n_items"]
    for stat in ("cohen_kappa", "cohen_kappa_weighted"):  # psych's confidence boundaries
        assert got.loc[stat, "ci_low"] == pytest.approx(ref.loc[stat, "ci_low"], abs=TOL)
        assert got.loc[stat, "ci_high"] == pytest.approx(ref.loc[stat, "ci_high"], abs=TOL)
    assert got.loc["percent_agreement", "estimate"] == pytest.approx(27 / 60)
    assert set(got["n_coders"]) == {2}
    assert got.loc["krippendorff_alpha", "method"].endswith("ordinal")
    # the long pairwise table repeats the two-coder kappas, interval included
    pair = res.pairwise.set_index("statistic")
    assert list(res.pairwise.columns) == ["coder_1", "coder_2", "statistic", "estimate", "se",
                                          "ci_low", "ci_high", "confidence_level", "n_items",
                                          "method"]
    for stat in ("cohen_kappa", "cohen_kappa_weighted"):
        assert pair.loc[stat, "estimate"] == got.loc[stat, "estimate"]
        assert pair.loc[stat, "ci_low"] == got.loc[stat, "ci_low"]
        assert pair.loc[stat, "se"] == got.loc[stat, "se"] > 0
    assert set(res.tables()) == {"table", "disagreements", "pairwise"}


def test_codes_are_nominal_without_scheme_or_order(codes: pd.DataFrame) -> None:
    got = agreement(_status(codes, ["ana", "ben"])).table.set_index("statistic")
    assert "cohen_kappa_weighted" not in got.index
    assert got.loc["krippendorff_alpha", "method"].endswith("nominal")


def test_linear_weights_match_psych(codes: pd.DataFrame, golden: pd.DataFrame) -> None:
    got = agreement(_status(codes, ["ana", "ben"]), weights="linear",
                    scheme=SCHEME, variance="psych").table.set_index("statistic")
    ref = _golden(golden, "status_two_coders_linear").loc["cohen_kappa_weighted"]
    row = got.loc["cohen_kappa_weighted"]
    assert row["estimate"] == pytest.approx(ref["estimate"], abs=TOL)
    assert row["ci_low"] == pytest.approx(ref["ci_low"], abs=TOL)
    assert row["ci_high"] == pytest.approx(ref["ci_high"], abs=TOL)


def test_three_coders_light_kappa_fleiss_krippendorff(codes: pd.DataFrame, golden: pd.DataFrame) -> None:
    res = agreement(_status(codes, ["ana", "ben", "chloe"]), scheme=SCHEME)
    got = res.table.set_index("statistic")
    ref = _golden(golden, "status_three_coders")
    for stat in ("cohen_kappa", "cohen_kappa_weighted", "fleiss_kappa", "krippendorff_alpha"):
        assert got.loc[stat, "estimate"] == pytest.approx(ref.loc[stat, "estimate"], abs=TOL), stat
    assert got.loc["fleiss_kappa", "n_items"] == 53  # chloe skipped 7 events
    assert np.isnan(got.loc["cohen_kappa", "ci_low"])  # no interval for Light's kappa
    assert len(res.pairwise) == 12  # 3 pairs x (kappa, weighted kappa, AC1, AC2)
    assert got.loc["gwet_ac1", "n_items"] == 60  # multi-rater AC1 over every coded item
    kappas = res.pairwise.loc[res.pairwise["statistic"] == "cohen_kappa"]
    assert len(kappas) == 3
    assert kappas["estimate"].mean() == pytest.approx(got.loc["cohen_kappa", "estimate"])


def test_nominal_when_no_order(codes: pd.DataFrame, golden: pd.DataFrame) -> None:
    fid = codes[codes["dimension"] == "fidelity"]
    got = agreement(fid, scheme=SCHEME).table.set_index("statistic")
    ref = _golden(golden, "fidelity_two_coders")
    assert "cohen_kappa_weighted" not in got.index  # nominal codes: no weighted kappa
    assert got.loc["cohen_kappa", "estimate"] == pytest.approx(ref.loc["cohen_kappa", "estimate"], abs=TOL)
    assert got.loc["cohen_kappa", "ci_low"] == pytest.approx(ref.loc["cohen_kappa", "ci_low"], abs=TOL)
    assert got.loc["krippendorff_alpha", "estimate"] == pytest.approx(
        ref.loc["krippendorff_alpha", "estimate"], abs=TOL)


def test_krippendorff_published_example(golden: pd.DataFrame) -> None:
    """Krippendorff (2011), 4 coders x 12 units: nominal 0.743, ordinal 0.815 (published)."""
    data = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    }
    long = pd.DataFrame([{"item": u, "coder": c, "code": v}
                         for c, vals in data.items() for u, v in enumerate(vals)])
    long["code"] = long["code"].map(lambda v: None if pd.isna(v) else f"v{int(v)}")
    nominal = agreement(long, weights=None).table.set_index("statistic")
    ordinal = agreement(long, ordinal_order=["v1", "v2", "v3", "v4", "v5"]).table.set_index("statistic")
    assert round(nominal.loc["krippendorff_alpha", "estimate"], 3) == 0.743
    assert round(ordinal.loc["krippendorff_alpha", "estimate"], 3) == 0.815
    assert nominal.loc["krippendorff_alpha", "estimate"] == pytest.approx(
        _golden(golden, "krippendorff_2011").loc["krippendorff_alpha", "estimate"], abs=TOL)
    assert ordinal.loc["krippendorff_alpha", "estimate"] == pytest.approx(
        _golden(golden, "krippendorff_2011_ordinal").loc["krippendorff_alpha", "estimate"], abs=TOL)
    assert nominal.loc["krippendorff_alpha", "n_items"] == 11  # unit 12 has one value only


def test_hand_computed_kappa() -> None:
    # po = 0.7, pc = 0.5*0.6 + 0.5*0.4 = 0.5 -> kappa = 0.4
    res = cohen_kappa_table(np.array([[20, 5], [10, 15]])).set_index("statistic")
    assert res.loc["cohen_kappa", "estimate"] == pytest.approx(0.4)
    # two categories: weights are the identity
    assert res.loc["cohen_kappa_weighted", "estimate"] == pytest.approx(0.4)
    assert res.loc["cohen_kappa", "n"] == 50
    assert res.loc["cohen_kappa", "confidence_level"] == 0.95
    with pytest.raises(AnalysisInputError, match="square"):
        cohen_kappa_table(np.array([[1, 2, 3]]))


def test_disagreements_listed() -> None:
    long = pd.DataFrame({
        "item": ["a", "a", "b", "b", "c", "c"],
        "coder": ["x", "y"] * 3,
        "code": ["implemented", "acknowledged", "no_response", "no_response", "implemented",
                 "partially_implemented"],
    })
    res = agreement(long, scheme=SCHEME)
    d = res.disagreements
    assert d["item"].tolist() == ["a", "a", "c", "c"]
    assert d.loc[d["item"] == "a", "rank_spread"].iloc[0] == 6  # acknowledged (1) .. implemented (7)
    assert d.loc[d["item"] == "c", "rank_spread"].iloc[0] == 1
    assert set(d.columns) == {"item", "coder", "code", "n_distinct", "rank_spread"}


def test_errors_are_clear() -> None:
    long = pd.DataFrame({"item": ["a", "a", "a"], "coder": ["x", "y", "x"],
                         "code": ["implemented", "implemented", "acknowledged"]})
    with pytest.raises(AnalysisInputError, match=r"duplicated rows.*row 0: 'a' by 'x'"):
        agreement(long)
    with pytest.raises(AnalysisInputError, match="at least two coders"):
        agreement(long[long["coder"] == "x"].iloc[:1])
    ok = long.iloc[:2]
    with pytest.raises(AnalysisInputError, match=r"\['implemented'\] are not in ordinal_order"):
        agreement(ok, ordinal_order=["low", "high"])
    with pytest.raises(AnalysisInputError, match="no column"):
        agreement(ok, code="status")
    split = pd.DataFrame({"item": ["a", "b"], "coder": ["x", "y"], "code": ["u", "v"]})
    with pytest.raises(AnalysisInputError, match="no item was coded by two"):
        agreement(split)


def test_single_code_gives_undefined_kappas_not_a_crash() -> None:
    df = pd.DataFrame({"item": ["i1", "i1", "i2", "i2"], "coder": ["a", "b"] * 2,
                       "code": ["x"] * 4})
    got = agreement(df).table.set_index("statistic")
    for stat in ("cohen_kappa", "fleiss_kappa", "krippendorff_alpha"):
        assert np.isnan(got.loc[stat, "estimate"])
    assert got.loc["percent_agreement", "estimate"] == 1.0
    res = cohen_kappa_table(np.array([[5.0]]), np.array([[1.0]]))
    assert res["estimate"].isna().all()
