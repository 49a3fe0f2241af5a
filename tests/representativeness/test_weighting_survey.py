"""Raking, weight diagnostics and survey means against R survey 4.1.1 golden values."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.survey import survey_mean
from deliberval.analysis.weighting import (
    RakingConvergenceWarning,
    design_effect,
    effective_n,
    rake,
    trim_weights,
)
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "representativeness"
MARGINS = {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}}


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(REF / "svymean.csv").set_index(["design", "variable"])


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(REF / "apiclus1.csv")


def _check(out: pd.DataFrame, golden: pd.DataFrame, design: str) -> None:
    for row in out.itertuples():
        ref = golden.loc[(design, row.variable)]
        assert row.estimate == pytest.approx(ref["estimate"], abs=1e-6)
        assert row.se == pytest.approx(ref["se"], rel=1e-3)


def test_rake_matches_r_survey_weights(apiclus1: pd.DataFrame) -> None:
    res = rake(apiclus1, MARGINS, weight="pw")
    ref = pd.read_csv(REF / "rake_apiclus1_weights.csv")
    assert (ref["cds"].to_numpy() == apiclus1["cds"].to_numpy()).all()
    np.testing.assert_allclose(res.weights.to_numpy(), ref["weight"].to_numpy(), atol=1e-6, rtol=0)
    diag = res.diagnostics.iloc[0]
    assert bool(diag["converged"])
    assert 1 < diag["iterations"] < 100
    assert diag["max_margin_error"] < 1e-6
    assert res.dimensions == ("stype", "sch.wide")
    assert list(res.margins.columns) == ["dimension", "category", "target", "initial", "achieved",
                                         "error"]
    achieved = res.margins.set_index(["dimension", "category"])["achieved"]
    assert achieved[("stype", "H")] == pytest.approx(755, abs=1e-6)
    assert diag["effective_n"] == pytest.approx(183 / diag["design_effect"])
    assert diag["method"].startswith("raking")
    assert set(res.tables()) == {"weights", "margins", "diagnostics"}
    assert res.tables()["weights"].columns.tolist() == ["weight"]


def _canonical(margins: Mapping[str, Mapping[str, float]], population_id: str = "ca") -> pd.DataFrame:
    """The margins as the canonical targets table (shares), as targets_schema describes it."""
    rows = [
        {"population_id": population_id, "dimension": dim, "category": cat,
         "share": total / sum(cats.values()), "source": "survey::api", "year": 2000}
        for dim, cats in margins.items()
        for cat, total in cats.items()
    ]
    return pd.DataFrame(rows)


def test_rake_takes_the_canonical_targets_table(apiclus1: pd.DataFrame) -> None:
    ref = pd.read_csv(REF / "rake_apiclus1_weights.csv")["weight"].to_numpy()
    targets = _canonical(MARGINS)
    res = rake(apiclus1, targets, weight="pw")
    population = sum(MARGINS["stype"].values())
    np.testing.assert_allclose(res.weights.to_numpy() * population, ref, atol=1e-6, rtol=0)
    assert res.weights.sum() == pytest.approx(1)
    assert res.dimensions == ("stype", "sch.wide")
    # several populations: choose one; intersections are not raked on by default
    other = _canonical(MARGINS, "elsewhere").assign(share=lambda t: t["share"] * 0 + 0.5)
    cross = pd.DataFrame({"population_id": ["ca"], "dimension": ["stype*sch.wide"],
                          "category": ["E*Yes"], "share": [1.0]})
    both = pd.concat([targets, other, cross], ignore_index=True)
    with pytest.raises(AnalysisInputError, match="several populations"):
        rake(apiclus1, both, weight="pw")
    chosen = rake(apiclus1, both, weight="pw", population_id="ca")
    np.testing.assert_allclose(chosen.weights, res.weights, rtol=1e-12)
    one = rake(apiclus1, targets, weight="pw", dimensions=["stype"])
    assert one.dimensions == ("stype",)
    # published shares round: within the tolerance they are rescaled to sum to 1
    rounded = targets.assign(share=targets["share"].round(2))
    assert rounded.groupby("dimension")["share"].sum().sub(1).abs().max() > 1e-9
    near = rake(apiclus1, rounded, weight="pw")
    assert near.margins.groupby("dimension")["target"].sum().tolist() == pytest.approx([1, 1])
    with pytest.raises(AnalysisInputError, match=r"sum to 0\.9"):
        rake(apiclus1, targets.assign(share=targets["share"] * 0.9))
    old = targets.rename(columns={"dimension": "variable", "share": "target"})
    with pytest.raises(AnalysisInputError, match="rename the old column variable to dimension"):
        rake(apiclus1, old)
    with pytest.raises(AnalysisInputError, match="no dimension"):
        rake(apiclus1, targets, dimensions=["region"])


def test_raked_mean_and_se_match_svymean(apiclus1: pd.DataFrame, golden: pd.DataFrame) -> None:
    res = rake(apiclus1, MARGINS, weight="pw")
    df = apiclus1.assign(raked=res.weights)
    out = survey_mean(
        df,
        ["api00", "api99", "enroll"],
        weight="raked",
        cluster="dnum",
        fpc="fpc",
        calibrated_on=res.dimensions,
    )
    assert out.loc[0, "estimate"] == pytest.approx(641.23032092682, abs=1e-6)
    _check(out, golden, "apiclus1_raked")
    assert "raking residuals" in out.loc[0, "method"]
    # ignoring the raking in the SE misses the golden value by more than the tolerance
    naive = survey_mean(df, "api00", weight="raked", cluster="dnum", fpc="fpc")
    assert abs(naive.loc[0, "se"] / golden.loc[("apiclus1_raked", "api00"), "se"] - 1) > 3e-3


def test_cluster_design_matches_svymean(apiclus1: pd.DataFrame, golden: pd.DataFrame) -> None:
    out = survey_mean(apiclus1, ["api00", "enroll"], weight="pw", cluster="dnum", fpc="fpc")
    _check(out, golden, "apiclus1")


def test_stratified_design_matches_svymean(golden: pd.DataFrame) -> None:
    df = pd.read_csv(REF / "apistrat.csv")
    df["sch_wide_yes"] = df["sch.wide"] == "Yes"
    out = survey_mean(
        df, ["api00", "api99", "enroll", "sch_wide_yes"], weight="pw", strata="stype", fpc="fpc"
    )
    _check(out, golden, "apistrat")
    assert list(out.columns) == [
        "variable",
        "category",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "confidence_level",
        "n",
        "method",
    ]
    row = out.iloc[0]
    assert row["ci_high"] - row["estimate"] == pytest.approx(1.959963985 * row["se"])
    assert row["n"] == 200
    nofpc = survey_mean(df, "api00", weight="pw", strata="stype")
    _check(nofpc, golden, "apistrat_nofpc")
    # a text column gives one proportion per category, same SE as the 0/1 column
    cats = survey_mean(df, "sch.wide", weight="pw", strata="stype", fpc="fpc")
    assert cats["category"].tolist() == ["No", "Yes"]
    assert cats.loc[1, "estimate"] == pytest.approx(0.827948011415823, abs=1e-9)
    assert cats.loc[0, "se"] == pytest.approx(0.0243447801130748, rel=1e-6)


def test_two_stage_design_matches_svymean(golden: pd.DataFrame) -> None:
    df = pd.read_csv(REF / "apiclus2.csv")
    full = survey_mean(df, ["api00", "api99"], cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    _check(full, golden, "apiclus2")
    assert "2-stage" in full.loc[0, "method"]
    ultimate = survey_mean(df, ["api00", "api99"], weight="pw", cluster="dnum")
    _check(ultimate, golden, "apiclus2_wr")


def test_missing_values_are_outside_the_domain() -> None:
    df = pd.DataFrame({"y": [1.0, np.nan, 3.0, 5.0], "w": [1.0, 9.0, 1.0, 2.0]})
    out = survey_mean(df, "y", weight="w")
    assert out.loc[0, "estimate"] == pytest.approx((1 + 3 + 10) / 4)
    assert out.loc[0, "n"] == 3


def test_survey_mean_bad_input() -> None:
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "s": ["a", "a", "b"], "f": [10, 10, 10]})
    with pytest.raises(AnalysisInputError, match="only one sampling unit"):
        survey_mean(df, "y", strata="s")
    with pytest.raises(AnalysisInputError, match="no column"):
        survey_mean(df, "nope")
    with pytest.raises(AnalysisInputError, match="one fpc column per cluster stage"):
        survey_mean(df, "y", cluster=["s", "y"], fpc="f")
    with pytest.raises(AnalysisInputError, match="confidence_level"):
        survey_mean(df, "y", confidence_level=95)


def test_rake_errors_and_warnings(apiclus1: pd.DataFrame) -> None:
    bad = {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5000}}
    with pytest.raises(AnalysisInputError, match="inconsistent"):
        rake(apiclus1, bad)
    with pytest.raises(AnalysisInputError, match=r"categories \['M'\] with no margin"):
        rake(apiclus1, {"stype": {"E": 5000, "H": 1194}})
    empty = {"stype": {"E": 4000, "H": 700, "M": 1000, "K": 494}}
    with pytest.raises(AnalysisInputError, match=r"\['K'\] have a positive population total"):
        rake(apiclus1, empty)
    with pytest.warns(RakingConvergenceWarning, match="did not converge"):
        rake(apiclus1, MARGINS, weight="pw", max_iter=1)


def test_weight_diagnostics_and_trimming() -> None:
    w = [1.0, 1.0, 2.0, 4.0]
    assert design_effect(w) == pytest.approx(4 * 22 / 64)
    assert effective_n(w) == pytest.approx(64 / 22)
    trimmed = trim_weights(pd.Series([1.0, 1, 1, 1, 16], index=list("abcde")), upper=2)
    assert trimmed.index.tolist() == list("abcde")
    assert trimmed.sum() == pytest.approx(20)
    assert trimmed.max() <= 8 + 1e-12
    with pytest.raises(AnalysisInputError, match="caps cannot hold"):
        trim_weights([1, 2, 3], upper=0.5)
    with pytest.raises(AnalysisInputError, match="non-negative"):
        design_effect([1, -1])
