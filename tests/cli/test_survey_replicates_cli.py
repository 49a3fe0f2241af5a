"""``survey-estimate --replicates`` and ``replicate-weights`` at the command line.

The table the CLI writes is the Python function's on the same file (exactly), and both match the
R survey 4.1.1 goldens of tests/reference/survey_estimates/generate_replicate.R (svrepdesign,
as.svrepdesign, svymean, svytotal, svyratio, svyby, svyquantile) to 1e-8, the designs built as
tests/representativeness/test_survey_replicates.py builds them. Bad input is one line, exit 2.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.analysis.survey import (
    ReplicateDesign,
    replicate_weights,
    survey_mean,
    survey_quantile,
    survey_ratio,
    survey_total,
)
from deliberval.cli import app
from support.cli import fails, run

REF = Path(__file__).resolve().parents[1] / "reference" / "survey_estimates"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "representativeness"))
try:
    from test_survey_replicates import DESIGNS, ESTIMATES, QUANTILES, RSCALES, _data, _design
finally:
    sys.path.pop(0)

runner = CliRunner()
NUMBERS = ["estimate", "se", "ci_low", "ci_high"]


def _flags(name: str, rd: ReplicateDesign, tmp_path: Path) -> list[str]:
    """The command-line spelling of the design ``_design`` builds."""
    flags = ["--weight", "pw", "--replicates", "r[0-9]*", "--replicate-type", rd.type, "--replicate-factors"]
    if rd.scale is not None:
        flags += ["--scale", repr(rd.scale)]
    if rd.rscales is not None:
        path = tmp_path / "rscales.csv"
        pd.DataFrame({"rscales": rd.rscales}).to_csv(path, index=False)
        flags += ["--rscales", str(path)]
    if rd.rho is not None:
        flags += ["--rho", repr(rd.rho)]
    if rd.mse:
        flags.append("--mse")
    return flags


def _exact(got: pd.DataFrame, api: pd.DataFrame) -> None:
    assert list(got.columns) == list(api.columns)
    for col in api.columns:
        if pd.api.types.is_numeric_dtype(api[col]):
            np.testing.assert_array_equal(got[col].to_numpy(dtype=float), api[col].to_numpy(dtype=float), err_msg=col)
        else:
            assert _text(got[col]) == _text(api[col]), col


def _text(values: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else str(v) for v in values]


def _r_close(got: pd.Series, ref: pd.Series) -> float:
    """Largest relative difference over estimate, se, ci_low, ci_high (1e-8 asserted)."""
    worst = 0.0
    for col in NUMBERS:
        g, r = float(got[col]), float(ref[col])
        scale = max(abs(r), 1e-9 * max(abs(float(ref["estimate"])), 1.0))  # R's se 0 of a stratum total
        assert g == pytest.approx(r, rel=1e-8, abs=1e-9 * max(abs(float(ref["estimate"])), 1.0)), col
        worst = max(worst, abs(g - r) / scale if scale else abs(g - r))
    return worst


@pytest.mark.parametrize("name", list(DESIGNS.index))
def test_survey_estimate_replicates_equal_the_functions_and_survey(tmp_path: Path, name: str) -> None:
    df, rd = _design(name)
    path = tmp_path / f"{name}.csv"
    df.to_csv(path, index=False)
    data = pd.read_csv(path)
    rd_file = ReplicateDesign(rd.columns, rd.type, scale=rd.scale, rscales=rd.rscales, rho=rd.rho, mse=rd.mse,
                              combined_weights=False)
    flags = _flags(name, rd, tmp_path)
    ref = ESTIMATES.loc[ESTIMATES["design"] == name]
    out = tmp_path / "out.csv"
    # means and totals of numbers and of stype's categories
    for statistic, fn in (("mean", survey_mean), ("total", survey_total)):
        run("survey-estimate", path, "api00", "enroll", "stype", "--statistic", statistic, *flags, "-o", out)
        got = pd.read_csv(out, keep_default_na=False, na_values=[""])
        _exact(got, fn(data, ["api00", "enroll", "stype"], weight="pw", replicates=rd_file))
        for _, r in ref.loc[(ref["statistic"] == statistic) & (ref["domain"] == "")].iterrows():
            row = got.loc[(got["variable"] == r["variable"])
                          & (pd.Series(_text(got["category"]), index=got.index) == r["category"])].iloc[0]
            _r_close(row, r)
    # ratios
    for num, den in (("api00", "api99"), ("enroll", "api00")):
        run("survey-estimate", path, num, "--statistic", "ratio", "--denominator", den, *flags, "-o", out)
        got = pd.read_csv(out)
        _exact(got, survey_ratio(data, num, den, weight="pw", replicates=rd_file))
        r = ref.loc[(ref["statistic"] == "ratio") & (ref["variable"] == num)].iloc[0]
        _r_close(got.iloc[0], r)
    # domain means
    run("survey-estimate", path, "api00", "--by", "sch.wide", *flags, "-o", out)
    got = pd.read_csv(out)
    _exact(got, survey_mean(data, "api00", by="sch.wide", weight="pw", replicates=rd_file))
    for _, r in ref.loc[ref["domain"] != ""].iterrows():
        _r_close(got.loc[got["sch.wide"] == r["domain"]].iloc[0], r)


@pytest.mark.parametrize("name", ["jk1_clus1", "jkn_strat", "boot_strat", "fay_pairs", "sdr_strat"])
def test_survey_estimate_replicate_quantiles_equal_svyquantile(tmp_path: Path, name: str) -> None:
    df, rd = _design(name)
    path = tmp_path / f"{name}.csv"
    df.to_csv(path, index=False)
    flags = _flags(name, rd, tmp_path)
    out = tmp_path / "q.csv"
    for (var, interval), r in QUANTILES.loc[QUANTILES["design"] == name].groupby(["variable", "interval"]):
        kind = "woodruff" if interval == "mean" else "replicate"
        probs = ",".join(repr(float(q)) for q in r["quantile"])
        run("survey-estimate", path, var, "--statistic", "quantile", "--quantiles", probs, "--interval", kind,
             *flags, "-o", out)
        got = pd.read_csv(out)
        _exact(got, survey_quantile(pd.read_csv(path), str(var), r["quantile"].tolist(), weight="pw",
                                    replicates=rd, interval=kind))  # type: ignore[arg-type]
        for col in NUMBERS:
            np.testing.assert_allclose(got[col], r[col], rtol=1e-8, err_msg=f"{var} {interval} {col}")
        assert got["df"].tolist() == r["df"].tolist()


def test_a_comma_list_and_combined_weights_give_the_same_table(tmp_path: Path) -> None:
    """Analysis weights (factor x pw) given as a comma list: the factor design's estimates (1e-12)."""
    df, rd = _design("jk1_clus2")
    combined = df.drop(columns=list(rd.columns)).join(df[list(rd.columns)].mul(df["pw"], axis=0))
    path = tmp_path / "combined.csv"
    combined.to_csv(path, index=False)
    out = tmp_path / "o.csv"
    run("survey-estimate", path, "api00", "--weight", "pw", "--replicates", ",".join(rd.columns),
         "--replicate-type", "JK1", "--scale", repr(rd.scale), "-o", out)
    got = pd.read_csv(out).iloc[0]
    ref = ESTIMATES.loc[(ESTIMATES["design"] == "jk1_clus2") & (ESTIMATES["statistic"] == "mean")
                        & (ESTIMATES["variable"] == "api00") & (ESTIMATES["domain"] == "")].iloc[0]
    _r_close(got, ref)
    assert "replicate weights (JK1, 40 replicates" in got["method"]


@pytest.mark.parametrize(("name", "kind", "design"), [
    ("jk1_clus1", "JK1", ["--weight", "pw", "--cluster", "dnum", "--fpc", "fpc"]),
    ("jk1_clus2", "JK1", ["--weight", "pw", "--cluster", "dnum"]),
    ("jkn_strat", "JKn", ["--weight", "pw", "--strata", "stype", "--fpc", "fpc"]),
])
def test_replicate_weights_equal_as_svrepdesign_and_estimate_through_the_cli(
    tmp_path: Path, name: str, kind: str, design: list[str]
) -> None:
    source = {"jk1_clus1": REF / "apiclus1_missing.csv"}.get(
        name, REF.parent / "representativeness" / f"{'apiclus2' if name == 'jk1_clus2' else 'apistrat'}.csv")
    out = tmp_path / "rw.csv"
    printed = run("replicate-weights", source, "--type", kind, *design, "--respondent", "snum", "-o", out)
    got = pd.read_csv(out)
    data = pd.read_csv(source)
    kw = dict(zip([d.lstrip("-") for d in design[::2]], design[1::2], strict=True))
    api = replicate_weights(data, kind, **kw)  # type: ignore[arg-type]
    assert list(got.columns) == ["snum", *api.weights.columns]
    assert got["snum"].tolist() == data["snum"].tolist()
    np.testing.assert_array_equal(got[list(api.weights.columns)].to_numpy(), api.weights.to_numpy())
    factors = pd.read_csv(REF / f"replicate_factors_{name}.csv").to_numpy()
    np.testing.assert_allclose(got.iloc[:, 1:].to_numpy(), factors * data["pw"].to_numpy()[:, None], rtol=1e-13)
    scale = float(re.search(r"--scale (\S+)", printed).group(1))  # type: ignore[union-attr]
    assert scale == pytest.approx(DESIGNS.loc[name, "scale"], rel=1e-14)
    rscales = tmp_path / "rw_rscales.csv"
    assert rscales.exists() == (kind == "JKn")
    if kind == "JKn":
        np.testing.assert_allclose(pd.read_csv(rscales)["rscales"], RSCALES, rtol=1e-14)
        assert f"--rscales {rscales}" in printed
    # the printed flags, on the data joined to the weights, give R's estimates
    joined = tmp_path / "joined.csv"
    data.merge(got, on="snum").to_csv(joined, index=False)
    flags = printed.split("VARIABLES ", 1)[1].split()
    est = tmp_path / "est.csv"
    run("survey-estimate", joined, "api00", *[f.strip("'") for f in flags], "-o", est)
    ref = ESTIMATES.loc[(ESTIMATES["design"] == name) & (ESTIMATES["statistic"] == "mean")
                        & (ESTIMATES["variable"] == "api00") & (ESTIMATES["domain"] == "")].iloc[0]
    _r_close(pd.read_csv(est).iloc[0], ref)


@pytest.mark.parametrize("kind", ["bootstrap", "subbootstrap"])
def test_bootstrap_weights_equal_the_function_with_the_seed(tmp_path: Path, kind: str) -> None:
    source = REF.parent / "representativeness" / "apistrat.csv"
    out = tmp_path / "boot.xlsx"
    printed = run("replicate-weights", source, "--type", kind, "--weight", "pw", "--strata", "stype",
                   "--replicates", 20, "--seed", 3, "--prefix", "b", "--respondent", "snum", "-o", out)
    api = replicate_weights(pd.read_csv(source), kind, weight="pw", strata="stype", replicates=20, seed=3, prefix="b")
    got = pd.read_excel(out)
    np.testing.assert_array_equal(got[list(api.weights.columns)].to_numpy(), api.weights.to_numpy())
    scale, _ = api.design.resolved()
    assert f"--replicate-type {kind} --scale {scale!r}" in printed
    assert "20 replicate weight columns for 200 rows" in printed


def test_without_an_id_column_the_rows_keep_the_data_order(tmp_path: Path) -> None:
    out = tmp_path / "rw.csv"
    res = runner.invoke(app, ["replicate-weights", str(REF / "apiclus1_missing.csv"), "--cluster", "dnum", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "no id column 'respondent_id'" in res.output
    api = replicate_weights(_data("apiclus1"), "JK1", cluster="dnum")
    np.testing.assert_array_equal(pd.read_csv(out).to_numpy(), api.weights.to_numpy())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--replicates", "r*"], "--replicates needs --replicate-type (JK1, JKn"),
        (["--replicates", "r*", "--replicate-type", "JK2"], "--replicate-type must be one of JK1, JKn"),
        (["--replicates", "zz*", "--replicate-type", "JK1"], "--replicates 'zz*' matches 0 column(s) (none)"),
        (["--replicates", "r1", "--replicate-type", "JK1"], "--replicates must name at least two"),
        (["--replicates", "r1,nope", "--replicate-type", "JK1"], "no replicate-weight column 'nope'"),
        (["--replicates", "r*", "--replicate-type", "JKn"], "--replicate-type JKn needs --rscales"),
        (["--replicates", "r*", "--replicate-type", "JKn", "--rscales", "1,2"],
         "--rscales holds 2 number(s); the 15 replicate columns need one each"),
        (["--replicates", "r*", "--replicate-type", "JKn", "--rscales", "missing.csv"], "--rscales missing.csv: no such file"),
        (["--replicates", "r*", "--replicate-type", "JK1", "--rscales", "a,b"], "--rscales must be numbers"),
        (["--replicates", "r*", "--replicate-type", "Fay"], "--replicate-type Fay needs --rho"),
        (["--replicates", "r*", "--replicate-type", "JK1", "--rho", "0.5"], "--rho applies to --replicate-type Fay only"),
        (["--replicates", "r*", "--replicate-type", "BRR", "--scale", "2"], "type 'BRR' fixes the scale"),
        (["--replicates", "r*", "--replicate-type", "JK1", "--cluster", "dnum"], "--replicates carries the design; leave out --cluster"),
        (["--replicate-type", "JK1", "--mse"], "--replicate-type, --mse apply to replicate weights; add --replicates"),
        (["--interval", "replicate"], "--interval replicate applies to --statistic quantile with --replicates"),
        (["--replicates", "r*", "--replicate-type", "JK1", "--replicate-factors"], "replicate-weight columns must hold"),
    ],
)
def test_survey_estimate_bad_replicate_input_is_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    df, _ = _design("jk1_clus1")
    path = tmp_path / "d.csv"
    df.assign(r3=df["r3"].where(df.index > 0)).to_csv(path, index=False)  # a gap, for the last case
    assert message in fails("survey-estimate", path, "api00", "--weight", "pw", *args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "BRR"], "--type must be JK1, JKn, bootstrap or subbootstrap; got 'BRR'"),
        (["--type", "JK1", "--strata", "stype"], "type 'JK1' is for unstratified designs"),
        (["--type", "JKn"], "type 'JKn' needs strata"),
        (["--type", "JK1", "--seed", "1"], "--seed applies to bootstrap replicates"),
        (["--type", "JK1", "--cluster", "nope"], "nope"),
        (["--type", "bootstrap", "--replicates", "1"], "replicates must be an integer of at least 2, got 1"),
        (["-o", "rw.parquet"], "give a file name ending in .csv or .xlsx"),
        (["--keep-identifiers", "--pseudonymise"], "contradict each other"),
    ],
)
def test_replicate_weights_bad_input_is_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    out = ["-o", str(tmp_path / "rw.csv")] if "-o" not in args else []
    line = fails("replicate-weights", REF / "apiclus1_missing.csv", *args, *out)
    assert message in line
