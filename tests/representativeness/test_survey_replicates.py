"""Replicate-weight designs against R survey 4.1.1 (issue 19).

Goldens: tests/reference/survey_estimates/generate_replicate.R (as.svrepdesign, svrepdesign,
svymean, svytotal, svyratio, svyby, svyquantile, degf).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.survey import (
    ReplicateDesign,
    replicate_weights,
    survey_mean,
    survey_quantile,
    survey_ratio,
    survey_total,
)
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "survey_estimates"
REP = Path(__file__).resolve().parents[1] / "reference" / "representativeness"
DESIGNS = pd.read_csv(REF / "replicate_designs.csv").set_index("design")
RSCALES = pd.read_csv(REF / "replicate_rscales.csv")["rscales"].to_numpy()
ESTIMATES = pd.read_csv(REF / "replicate_estimates.csv", keep_default_na=False)
QUANTILES = pd.read_csv(REF / "replicate_quantiles.csv")
DATA = {"jk1_clus1": "apiclus1", "jkn_strat": "apistrat", "jkn_strat_mse": "apistrat", "jk1_clus2": "apiclus2",
        "boot_strat": "apistrat", "boot_default": "apistrat", "subboot_clus1": "apiclus1",
        "brr_pairs": "apiclus2", "fay_pairs": "apiclus2", "sdr_strat": "apistrat"}
# designs made by as.svrepdesign: R's sampling weight is 1 / (1 / pw), which can differ from pw in
# the last bit; quantile rules test cumulative weights for equality, so the tests use R's value
AS_SVREP = {"jk1_clus1", "jkn_strat", "jkn_strat_mse", "jk1_clus2", "boot_strat", "subboot_clus1"}


def _data(name: str) -> pd.DataFrame:
    if name == "apiclus1":
        return pd.read_csv(REF / "apiclus1_missing.csv")
    return pd.read_csv(REP / f"{name}.csv")


def _design(name: str) -> tuple[pd.DataFrame, ReplicateDesign]:
    df = _data(DATA[name])
    source = {"jkn_strat_mse": "jkn_strat", "boot_default": "boot_strat"}.get(name, name)
    factors = pd.read_csv(REF / f"replicate_factors_{source}.csv")
    df = df.join(factors)
    if name in AS_SVREP:
        df["pw"] = 1 / (1 / df["pw"])
    d = DESIGNS.loc[name]
    cols = tuple(factors.columns)
    if name == "boot_default":  # svrepdesign(type = "bootstrap"): its default scale 1 / (R - 1)
        return df, ReplicateDesign(cols, "bootstrap", combined_weights=False)
    kw: dict[str, object] = {}
    if d["type"] in ("JK1", "bootstrap", "subbootstrap"):
        kw["scale"] = float(d["scale"])
    if d["type"] == "JKn":
        kw["rscales"] = tuple(RSCALES)
    if d["type"] == "Fay":
        kw["rho"] = 0.3
    return df, ReplicateDesign(cols, str(d["type"]), mse=bool(d["mse"]), combined_weights=False, **kw)  # type: ignore[arg-type]


def _close(got: float, exp: float, scale: float) -> None:
    # relative 1e-8; a standard error that is 0 in R (a stratum total) is compared with the estimate's scale
    assert got == pytest.approx(exp, rel=1e-8, abs=1e-9 * max(abs(scale), 1.0))


@pytest.mark.parametrize("name", list(DESIGNS.index))
def test_scale_matches_svrepdesign(name: str) -> None:
    _, rd = _design(name)
    scale, rscales = rd.resolved()
    assert scale == pytest.approx(DESIGNS.loc[name, "scale"], rel=1e-14)
    assert bool((rscales == 1).all()) == bool(DESIGNS.loc[name, "rscales_all_one"])


@pytest.mark.parametrize("name", list(DESIGNS.index))
def test_means_totals_ratios_domains_match_survey(name: str) -> None:
    df, rd = _design(name)
    ref = ESTIMATES.loc[ESTIMATES["design"] == name]
    assert len(ref) == 14  # (api00, enroll) x (mean, total), 3 stype categories x 2, 2 ratios, 2 domains
    for _, r in ref.iterrows():
        if r["statistic"] == "ratio":
            got = survey_ratio(df, r["variable"], r["denominator"], weight="pw", replicates=rd).iloc[0]
        elif r["domain"]:
            dom = survey_mean(df, "api00", weight="pw", by="sch.wide", replicates=rd)
            got = dom.loc[dom["sch.wide"] == r["domain"]].iloc[0]
        else:
            fn = survey_mean if r["statistic"] == "mean" else survey_total
            out = fn(df, r["variable"], weight="pw", replicates=rd)
            if r["category"]:
                out = out.loc[out["category"] == r["category"]]
            got = out.iloc[0]
        for col in ["estimate", "se", "ci_low", "ci_high"]:
            _close(float(got[col]), float(r[col]), float(r["estimate"]))
        assert "replicate weights" in got["method"]


@pytest.mark.parametrize("name", list(DESIGNS.index))
def test_quantiles_match_svyquantile(name: str) -> None:
    df, rd = _design(name)
    ref = QUANTILES.loc[QUANTILES["design"] == name]
    for (var, interval), r in ref.groupby(["variable", "interval"]):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = survey_quantile(df, str(var), r["quantile"].tolist(), weight="pw", replicates=rd,
                                  interval="woodruff" if interval == "mean" else "replicate")
        assert (got["df"].to_numpy() == r["df"].to_numpy()).all()  # degf: rank of the weights - 1
        for col in ["estimate", "se", "ci_low", "ci_high"]:
            np.testing.assert_allclose(got[col], r[col], rtol=1e-8, err_msg=f"{var} {interval} {col}")
        assert got["n"].iloc[0] == df[var].notna().sum()


def test_degf_of_the_full_designs() -> None:
    for name in DESIGNS.index:
        df, rd = _design(name)
        got = survey_quantile(df, "api00", 0.5, weight="pw", replicates=rd)  # api00 has no gaps
        assert got["df"].iloc[0] == DESIGNS.loc[name, "degf"], name


@pytest.mark.parametrize(("name", "kind", "design"), [
    ("jk1_clus1", "JK1", {"weight": "pw", "cluster": "dnum", "fpc": "fpc"}),
    ("jk1_clus2", "JK1", {"weight": "pw", "cluster": "dnum"}),
    ("jkn_strat", "JKn", {"weight": "pw", "strata": "stype", "fpc": "fpc"}),
])
def test_jackknife_weights_match_as_svrepdesign(name: str, kind: str, design: dict[str, str]) -> None:
    df = _data(DATA[name])
    rw = replicate_weights(df, kind, **design)  # type: ignore[arg-type]
    factors = pd.read_csv(REF / f"replicate_factors_{name}.csv").to_numpy()
    np.testing.assert_allclose(rw.weights.to_numpy(), factors * df["pw"].to_numpy()[:, None], rtol=1e-13)
    scale, rscales = rw.design.resolved()
    assert scale == pytest.approx(DESIGNS.loc[name, "scale"], rel=1e-14)
    if kind == "JKn":
        np.testing.assert_allclose(rscales, RSCALES, rtol=1e-14)
    # and the estimates of R's design
    got = survey_mean(df.join(rw.weights), "api00", weight="pw", replicates=rw.design).iloc[0]
    ref = ESTIMATES.loc[(ESTIMATES["design"] == name) & (ESTIMATES["variable"] == "api00")
                        & (ESTIMATES["statistic"] == "mean") & (ESTIMATES["domain"] == "")].iloc[0]
    assert got["se"] == pytest.approx(ref["se"], rel=1e-9)
    assert rw.method.startswith("delete-one" if kind == "JK1" else "stratified")


@pytest.mark.parametrize("kind", ["bootstrap", "subbootstrap"])
def test_bootstrap_weights_have_survey_structure(kind: str) -> None:
    df = _data("apistrat")
    rw = replicate_weights(df, kind, weight="pw", strata="stype", replicates=30, seed=5)
    f = rw.weights.to_numpy() / df["pw"].to_numpy()[:, None]
    n_h = df.groupby("stype").size()
    for h, size in n_h.items():
        rows = (df["stype"] == h).to_numpy()
        # each replicate redraws n_h units (n_h - 1 rescaled by n_h / (n_h - 1)) within the stratum
        np.testing.assert_allclose(f[rows].sum(axis=0), size, rtol=1e-12)
        if kind == "bootstrap":
            assert np.allclose(f[rows], np.round(f[rows]))  # counts
        else:
            np.testing.assert_allclose(np.round(f[rows] * (size - 1) / size, 9) % 1, 0)
    scale, _ = rw.design.resolved()
    r = 30
    if kind == "bootstrap":
        m = 1 / np.mean(1 / n_h.to_numpy())
        assert scale == pytest.approx(m / ((m - 1) * (r - 1)), rel=1e-14)
    else:
        assert scale == pytest.approx(1 / (r - 1), rel=1e-14)
    again = replicate_weights(df, kind, weight="pw", strata="stype", replicates=30, seed=5)
    pd.testing.assert_frame_equal(rw.weights, again.weights)
    # factors are constant within a cluster (first-stage units)
    cl = _data("apiclus1")
    rc = replicate_weights(cl, kind, weight="pw", cluster="dnum", replicates=10, seed=1)
    assert (rc.weights.groupby(cl["dnum"]).nunique() == 1).all().all()


def test_bootstrap_with_fpc_draws_without_replacement_from_the_population() -> None:
    df = _data("apistrat")
    rw = replicate_weights(df, "bootstrap", weight="pw", strata="stype", fpc="fpc", replicates=20, seed=2)
    f = rw.weights.to_numpy() / df["pw"].to_numpy()[:, None]
    for h, size in df.groupby("stype").size().items():
        rows = (df["stype"] == h).to_numpy()
        np.testing.assert_allclose(f[rows].sum(axis=0), size)
    assert "with fpc" in rw.method


def test_bootstrap_se_is_close_to_the_linearised_se() -> None:
    df = _data("apistrat")
    rw = replicate_weights(df, "bootstrap", weight="pw", strata="stype", replicates=400, seed=11)
    boot = survey_mean(df.join(rw.weights), "api00", weight="pw", replicates=rw.design).iloc[0]
    lin = survey_mean(df, "api00", weight="pw", strata="stype").iloc[0]
    assert boot["estimate"] == pytest.approx(lin["estimate"], rel=1e-12)
    assert boot["se"] == pytest.approx(lin["se"], rel=0.12)


def test_inputs_are_checked() -> None:
    df = _data("apistrat")
    with pytest.raises(AnalysisInputError, match="JKn"):
        replicate_weights(df, "JK1", strata="stype")
    with pytest.raises(AnalysisInputError, match="needs strata"):
        replicate_weights(df, "JKn")
    with pytest.raises(AnalysisInputError, match="subbootstrap"):
        replicate_weights(df, "subbootstrap", fpc="fpc")
    with pytest.raises(AnalysisInputError, match="builds type"):
        replicate_weights(df, "BRR")
    with pytest.raises(AnalysisInputError, match="rscales"):
        ReplicateDesign(("a", "b"), "JKn")
    with pytest.raises(AnalysisInputError, match="rho"):
        ReplicateDesign(("a", "b"), "Fay")
    with pytest.raises(AnalysisInputError, match="fixes the scale"):
        ReplicateDesign(("a", "b"), "BRR", scale=2.0)
    with pytest.raises(AnalysisInputError, match="fixes rscales"):
        ReplicateDesign(("a", "b"), "successive-difference", rscales=(1.0, 1.0))
    with pytest.raises(AnalysisInputError, match="one non-negative number per replicate"):
        ReplicateDesign(("a", "b", "c"), "JK1", rscales=(1.0, 1.0))
    with pytest.raises(AnalysisInputError, match="replicate type"):
        ReplicateDesign(("a", "b"), "JK2")
    rw = replicate_weights(df, "JKn", weight="pw", strata="stype")
    data = df.join(rw.weights)
    with pytest.raises(AnalysisInputError, match="leave out strata"):
        survey_mean(data, "api00", weight="pw", strata="stype", replicates=rw.design)
    with pytest.raises(AnalysisInputError, match="needs replicates"):
        survey_quantile(df, "api00", interval="replicate")
    with pytest.raises(AnalysisInputError, match="missing"):
        survey_total(data.assign(repw1=np.nan), "api00", weight="pw", replicates=rw.design)
    with pytest.raises(AnalysisInputError, match="prefix"):
        replicate_weights(data, "JKn", weight="pw", strata="stype")


def test_a_replicate_without_weight_in_a_domain_is_dropped_with_a_warning() -> None:
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "g": ["a", "a", "b", "b", "b", "b"],
                       "psu": [1, 1, 2, 3, 4, 5]})
    rw = replicate_weights(df, "JK1", cluster="psu")
    with pytest.warns(UserWarning, match="1 replicate"):
        out = survey_mean(df.join(rw.weights), "y", by="g", replicates=rw.design)
    assert out["estimate"].tolist() == [1.5, 4.5]
