"""``deliberval balance``, ``event-study`` and ``survey-estimate``: the written table is the function's.

Each command runs on golden data simulated in R (tests/reference/propensity, event_study) or on
R's ``api`` data (tests/reference/representativeness, survey_estimates); its CSV / XLSX / JSON
output is compared with the Python function's table on the same data and with the R golden
values (glm + hand formulas; lm + clubSandwich; survey 4.1.1). Bad input is one line, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.cli import app
from support.cli import fails, run

REF = Path(__file__).resolve().parents[1] / "reference"
PROPENSITY = REF / "propensity"
EVENTS = REF / "event_study"
API = REF / "representativeness"
SURVEY = REF / "survey_estimates"
R_TERMS = {"treated": "treated", "post": "wavepost", "followup": "wavefollowup", "age": "age",
           "gender=other": "genderother", "gender=woman": "genderwoman",
           "treated:post": "treated:wavepost", "treated:followup": "treated:wavefollowup"}

runner = CliRunner()


# --------------------------------------------------------------------------- balance


@pytest.mark.parametrize(("target", "trim"), [("treated", 0.0), ("all", 0.1)])
def test_balance_tables_equal_the_function_and_r(tmp_path: Path, target: str, trim: float) -> None:
    from deliberval.analysis.propensity import propensity_weights

    out, weights = tmp_path / "balance.csv", tmp_path / "weights.csv"
    args = ["balance", PROPENSITY / "propensity_data.csv", "age,gender", "edu", "--group", "treated",
            "--target", target, "-o", out, "--weights-output", weights, "--respondent", "id"]
    if trim:
        args += ["--trim", trim]
    printed = run(*args)
    data = pd.read_csv(PROPENSITY / "propensity_data.csv")
    api = propensity_weights(data, "treated", ["age", "gender", "edu"], target=target,  # type: ignore[arg-type]
                             trim=trim or None)
    got = pd.read_csv(out)
    pd.testing.assert_frame_equal(got, api.balance, check_dtype=False, rtol=0)
    ref = pd.read_csv(PROPENSITY / "propensity_balance.csv")
    ref = ref.loc[(ref["target"] == target) & (ref["trim"] == trim)].set_index("covariate")
    r = ref.loc[got["covariate"]]
    for col in ["asmd_before", "asmd_after", "treated_mean_after", "control_mean_after", "sd_denominator"]:
        np.testing.assert_allclose(got[col], r[col], rtol=1e-8, atol=1e-10, err_msg=col)
    w = pd.read_csv(weights)
    assert list(w.columns) == ["id", "treated", "propensity", "weight", "included"]
    ref_w = pd.read_csv(PROPENSITY / "propensity_weights.csv")
    ref_w = ref_w.loc[(ref_w["target"] == target) & (ref_w["trim"] == trim)]
    kept = w.loc[w["included"]]
    assert kept["id"].tolist() == ref_w["id"].tolist()
    np.testing.assert_allclose(kept["weight"], ref_w["weight"], rtol=1e-8)
    assert "ASMD of 0.1 or more after weighting" in printed


def test_balance_json_holds_both_tables_and_the_effective_n_of_r() -> None:
    from deliberval.analysis.propensity import propensity_weights

    res = runner.invoke(app, ["balance", str(PROPENSITY / "propensity_data.csv"), "age", "gender", "edu",
                              "--group", "treated", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc) == {"balance", "summary"}
    api = propensity_weights(pd.read_csv(PROPENSITY / "propensity_data.csv"), "treated", ["age", "gender", "edu"])
    summary = pd.DataFrame(doc["summary"])
    np.testing.assert_array_equal(summary["effective_n_after"], api.summary["effective_n_after"])
    ref = pd.read_csv(PROPENSITY / "propensity_ess.csv")
    ref = ref.loc[(ref["target"] == "treated") & (ref["trim"] == 0)]
    np.testing.assert_allclose(summary["effective_n_after"], ref["effective_n"], rtol=1e-8)
    assert summary["n"].tolist() == ref["n"].tolist()
    np.testing.assert_array_equal(pd.DataFrame(doc["balance"])["asmd_after"], api.balance["asmd_after"])


def test_balance_plot_is_a_png(tmp_path: Path) -> None:
    png = tmp_path / "figs" / "balance.png"
    run("balance", PROPENSITY / "propensity_data.csv", "age", "edu", "--group", "treated", "--plot", png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_balance_uses_the_baseline_rows_of_long_data(tmp_path: Path) -> None:
    """One row per person and wave: --baseline pre keeps the pre rows (each person once)."""
    from deliberval.analysis.propensity import propensity_weights

    data = pd.read_csv(EVENTS / "event_study_data.csv")
    out = tmp_path / "b.csv"
    run("balance", EVENTS / "event_study_data.csv", "age", "gender", "--baseline", "pre", "-o", out)
    pre = data.loc[data["wave"] == "pre"]
    api = propensity_weights(pre, "group", ["age", "gender"], treated="participant")
    pd.testing.assert_frame_equal(pd.read_csv(out), api.balance, check_dtype=False, rtol=0)
    line = fails("balance", EVENTS / "event_study_data.csv", "age", "gender")
    assert "the rows belong to several waves (followup, post, pre); give --baseline WAVE" in line
    relabelled = pre.assign(group=pre["group"].map({"participant": "member", "control": "invited"}))
    path = tmp_path / "relabelled.csv"
    relabelled.to_csv(path, index=False)
    line = fails("balance", path, "age")
    assert "give --treated VALUE: which of invited, member in 'group' marks the participants" in line
    run("balance", path, "age", "--treated", "member")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--group", "nope"], "no group column 'nope'"),
        (["--group", "treated", "--target", "att"], "--target must be 'treated' or 'all'"),
        (["--group", "treated", "--plot", "b.pdf"], "--plot writes a PNG file"),
        (["--group", "id"], "the group column 'id' holds 300 value(s) (1.0, 10.0, 100.0, 101.0, 102.0, ...); it must hold two"),
        (["--group", "treated", "--treated", "yes"], "--treated 'yes' is not a value of 'treated' (0.0, 1.0)"),
    ],
)
def test_balance_bad_input_is_one_line(extra: list[str], message: str) -> None:
    assert message in fails("balance", PROPENSITY / "propensity_data.csv", "age", *extra)


# --------------------------------------------------------------------------- event study


@pytest.mark.parametrize("waves", ["pre,post,followup", "pre,post"])
def test_event_study_equals_the_function_and_r(tmp_path: Path, waves: str) -> None:
    from deliberval.analysis.event_study import event_study

    out = tmp_path / "es.csv"
    run("event-study", EVENTS / "event_study_data.csv", "y", "--waves", waves, "--covariates", "age,gender",
         "--vcov", "CR2", "-o", out)
    got = pd.read_csv(out, dtype={"wave": "string"})
    api = event_study(pd.read_csv(EVENTS / "event_study_data.csv"), "y", waves=waves.split(","),
                      covariates=["age", "gender"], vcov="CR2")
    assert list(got.columns) == ["outcome", *api.columns]
    assert (got["outcome"] == "y").all()
    pd.testing.assert_frame_equal(got.drop(columns="outcome"), api, check_dtype=False, rtol=0)
    ref = pd.read_csv(EVENTS / "event_study_coefs.csv")
    ref = ref.loc[(ref["waves"] == waves.replace(",", "|")) & (ref["vcov"] == "CR2")].set_index("term")
    r = ref.loc[[R_TERMS[t] for t in got["term"]]]
    for col in ["estimate", "se", "df", "p_value", "ci_low", "ci_high"]:
        np.testing.assert_allclose(got[col], r[col], rtol=1e-8, atol=1e-9, err_msg=col)


def test_event_study_json_equals_the_function() -> None:
    from deliberval.analysis.event_study import event_study

    res = runner.invoke(app, ["event-study", str(EVENTS / "event_study_data.csv"), "y", "--waves",
                              "pre,post,followup", "--json"])
    assert res.exit_code == 0, res.output
    got = pd.DataFrame(json.loads(res.stdout))
    api = event_study(pd.read_csv(EVENTS / "event_study_data.csv"), "y", waves=["pre", "post", "followup"])
    np.testing.assert_array_equal(got["estimate"], api["estimate"])
    np.testing.assert_array_equal(got["se"], api["se"])
    assert got["term"].tolist() == api["term"].tolist()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--waves", "pre"], "--waves must name at least two different waves"),
        (["--waves", "pre,later"], "event_study_data.csv: "),
        (["--covariates", "height"], "height"),
        (["--vcov", "HC3"], "vcov must be 'auto', 'CR1' or 'CR2'"),
    ],
)
def test_event_study_bad_input_is_one_line(extra: list[str], message: str) -> None:
    assert message in fails("event-study", EVENTS / "event_study_data.csv", "y", *extra)


# --------------------------------------------------------------------------- survey estimates

DESIGN = ["--weight", "pw", "--strata", "stype", "--fpc", "fpc"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_survey_total_equals_the_function_and_r(tmp_path: Path, suffix: str) -> None:
    from deliberval.analysis.survey import survey_total

    out = tmp_path / f"total{suffix}"
    run("survey-estimate", API / "apistrat.csv", "api00", "enroll", "stype", "--statistic", "total", *DESIGN, "-o", out)
    data = pd.read_csv(API / "apistrat.csv")
    api = survey_total(data, ["api00", "enroll", "stype"], weight="pw", strata="stype", fpc="fpc")
    got = pd.read_csv(out, dtype={"category": "string"}) if suffix == ".csv" else pd.read_excel(
        out, dtype={"category": "string"})
    pd.testing.assert_frame_equal(got, api, check_dtype=False, rtol=0 if suffix == ".csv" else 1e-15)
    ref = pd.read_csv(SURVEY / "svytotal.csv", dtype={"category": "string"})
    ref = ref.loc[ref["design"] == "apistrat"].fillna({"category": ""})
    key = got["variable"] + ":" + got["category"].fillna("")
    r = ref.set_index(ref["variable"] + ":" + ref["category"]).loc[key]
    for col in ["estimate", "se", "ci_low", "ci_high"]:
        np.testing.assert_allclose(got[col], r[col], rtol=1e-8, atol=1e-9, err_msg=col)


def test_survey_mean_by_domain_equals_the_function(tmp_path: Path) -> None:
    from deliberval.analysis.survey import survey_mean

    out = tmp_path / "mean.csv"
    run("survey-estimate", API / "apistrat.csv", "api00", "--by", "awards", *DESIGN, "-o", out)
    api = survey_mean(pd.read_csv(API / "apistrat.csv"), "api00", by="awards", weight="pw", strata="stype", fpc="fpc")
    got = pd.read_csv(out, dtype={"category": "string", "awards": "string"})
    pd.testing.assert_frame_equal(got, api, check_dtype=False, rtol=0)


def test_survey_ratio_and_quantile_equal_r() -> None:
    res = runner.invoke(app, ["survey-estimate", str(API / "apistrat.csv"), "api00", "--statistic", "ratio",
                              "--denominator", "api99", *DESIGN, "--json"])
    assert res.exit_code == 0, res.output
    got = pd.DataFrame(json.loads(res.stdout)).iloc[0]
    ref = pd.read_csv(SURVEY / "svyratio.csv")
    r = ref.loc[(ref["design"] == "apistrat") & (ref["numerator"] == "api00")].iloc[0]
    for col in ["estimate", "se", "ci_low", "ci_high"]:
        assert got[col] == pytest.approx(r[col], rel=1e-8), col
    res = runner.invoke(app, ["survey-estimate", str(API / "apistrat.csv"), "api00", "--statistic", "quantile",
                              "--quantiles", "0.1,0.25,0.5,0.9", *DESIGN, "--json"])
    assert res.exit_code == 0, res.output
    got_q = pd.DataFrame(json.loads(res.stdout))
    ref_q = pd.read_csv(SURVEY / "svyquantile.csv")
    ref_q = ref_q.loc[(ref_q["design"] == "apistrat") & (ref_q["variable"] == "api00")]
    np.testing.assert_allclose(got_q["quantile"], ref_q["quantile"], rtol=1e-12)
    np.testing.assert_array_equal(got_q["estimate"], ref_q["estimate"])
    np.testing.assert_array_equal(got_q["ci_low"], ref_q["ci_low"])
    np.testing.assert_allclose(got_q["se"], ref_q["se"], rtol=1e-8)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--statistic", "median"], "--statistic must be one of mean, total, ratio, quantile"),
        (["--statistic", "ratio"], "--statistic ratio needs one numerator variable and --denominator COLUMN"),
        (["--denominator", "api99"], "--denominator applies to --statistic ratio only"),
        (["--statistic", "total", "--by", "stype"], "--by (domains) applies to --statistic mean only"),
        (["--statistic", "quantile", "--quantiles", "half"], "--quantiles must be numbers separated by commas"),
        (["--statistic", "quantile", "--quantiles", "1.5"], "quantiles must lie strictly between 0 and 1"),
        (["--weight", "nope"], "nope"),
    ],
)
def test_survey_estimate_bad_input_is_one_line(extra: list[str], message: str) -> None:
    assert message in fails("survey-estimate", API / "apistrat.csv", "api00", *extra)


def test_the_commands_are_in_the_help() -> None:
    out = run("--help")
    for command in ("balance", "event-study", "survey-estimate", "selection"):
        assert command in out
