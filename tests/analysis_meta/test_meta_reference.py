"""meta_analysis against R metafor (tests/reference/meta/generate_meta.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.meta import meta_analysis
from deliberval.errors import AnalysisInputError

REF = Path(__file__).parents[1] / "reference" / "meta"
TOL = 1e-6
DATA = pd.read_csv(REF / "meta_data.csv")
SUMMARY = pd.read_csv(REF / "meta_summary_expected.csv")
UNITS = pd.read_csv(REF / "meta_units_expected.csv")
LOO = pd.read_csv(REF / "meta_leave1out_expected.csv")
CASES = [(d, m, t) for d in ["bcg", "normand1999", "hackshaw1998", "bcg3"] for m in ["REML", "DL", "PM"]
         for t in ["knha", "z", "adhoc"]]
KH = {"knha": True, "z": False, "adhoc": "adhoc"}  # metafor's test = ... -> knapp_hartung=


@pytest.mark.parametrize(("dataset", "method", "test"), CASES)
def test_meta_analysis_matches_metafor(dataset: str, method: str, test: str) -> None:
    data = DATA.loc[DATA["dataset"] == dataset]
    kh = KH[test]
    res = meta_analysis(data, unit="unit", method=method, knapp_hartung=kh)  # type: ignore[arg-type]
    sel = (SUMMARY["dataset"] == dataset) & (SUMMARY["method"] == method) & (SUMMARY["test"] == test)
    exp = SUMMARY.loc[sel].iloc[0]
    got = res.summary.iloc[0]
    for col in ["estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high", "statistic", "p_value", "tau2", "i2",
                "h2", "q", "q_p_value"]:
        assert got[col] == pytest.approx(exp[col], abs=TOL, rel=TOL), col
    assert got["n_units"] == exp["n_units"] == len(data)
    assert got["df"] == (len(data) - 1 if kh else np.inf)
    ue = UNITS.loc[(UNITS["dataset"] == dataset) & (UNITS["method"] == method) & (UNITS["test"] == test)]
    u = res.units
    assert list(u["unit"]) == list(ue["unit"])
    for col in ["weight", "pooled_estimate", "pooled_se", "pooled_ci_low", "pooled_ci_high"]:
        np.testing.assert_allclose(u[col], ue[col], atol=TOL, rtol=TOL, err_msg=col)
    np.testing.assert_allclose(u["estimate"], data["estimate"], rtol=0, atol=0)
    le = LOO.loc[(LOO["dataset"] == dataset) & (LOO["method"] == method) & (LOO["test"] == test)]
    lo = res.leave_one_out
    assert list(lo["unit"]) == list(le["unit"])
    for col in ["estimate", "se", "ci_low", "ci_high", "statistic", "p_value", "tau2", "i2", "q", "q_p_value"]:
        np.testing.assert_allclose(lo[col], le[col], atol=TOL, rtol=TOL, err_msg=col)


def test_bcg_reml_knha_figures() -> None:
    # the figures metafor prints for rma(yi, vi, data = dat.bcg, test = "knha") (metafor docs)
    res = meta_analysis(DATA.loc[DATA["dataset"] == "bcg"], unit="unit")
    s = res.summary.iloc[0]
    assert round(s["estimate"], 4) == -0.7145
    assert round(s["tau2"], 4) == 0.3132
    assert round(s["i2"], 2) == 92.22
    assert set(res.tables()) == {"summary", "units", "leave_one_out"}
    assert res.units["weight"].sum() == pytest.approx(1.0)


def test_meta_analysis_rejects_bad_input() -> None:
    one = pd.DataFrame({"process": ["a"], "estimate": [0.1], "se": [0.1]})
    with pytest.raises(AnalysisInputError, match="at least 2"):
        meta_analysis(one)
    zero = pd.DataFrame({"process": ["a", "b"], "estimate": [0.1, 0.2], "se": [0.1, 0.0]})
    with pytest.raises(AnalysisInputError, match="finite positive"):
        meta_analysis(zero)
    dup = pd.DataFrame({"process": ["a", "a"], "estimate": [0.1, 0.2], "se": [0.1, 0.1]})
    with pytest.raises(AnalysisInputError, match="more than once"):
        meta_analysis(dup)
    with pytest.raises(AnalysisInputError, match="method"):
        meta_analysis(dup.assign(process=["a", "b"]), method="ML")  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="no column"):
        meta_analysis(dup, unit="panel")


def test_units_observed_interval_and_forest_plot() -> None:
    from scipy import stats

    from deliberval.plots.meta import plot_meta

    data = DATA.loc[DATA["dataset"] == "bcg"]
    res = meta_analysis(data, unit="unit")
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(res.units["ci_low"], data["estimate"] - z * data["se"], rtol=1e-12)
    np.testing.assert_allclose(res.units["ci_high"], data["estimate"] + z * data["se"], rtol=1e-12)
    fig = plot_meta(res)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[:13] == list(data["unit"])
    assert labels[-2:] == ["pooled", "prediction"]
    # the diamond spans the pooled interval exactly
    diamond = ax.patches[0].get_xy()
    s = res.summary.iloc[0]
    assert diamond[:, 0].min() == pytest.approx(s["ci_low"])
    assert diamond[:, 0].max() == pytest.approx(s["ci_high"])
    with pytest.raises(AnalysisInputError, match="no column"):
        plot_meta(type(res)(res.summary, res.units.drop(columns="weight"), res.leave_one_out))


def test_from_a_prepost_table_by_unit() -> None:
    from deliberval.analysis.change import prepost

    d = pd.read_csv(Path(__file__).parents[1] / "reference" / "change" / "prepost_data.csv")
    level = d.loc[d["wave"] == "pre"].set_index("respondent_id")["education"]
    d["education"] = d["respondent_id"].map(level)
    table = prepost(d, "y1", by="education")
    with pytest.raises(AnalysisInputError, match="row 'all'"):
        meta_analysis(table, unit="education")
    parts = table.loc[table["education"] != "all"]
    res = meta_analysis(parts, unit="education")
    assert res.units["education"].tolist() == ["isced_0_2", "isced_3_4", "isced_5_8"]
    np.testing.assert_allclose(res.units["se"], parts["se"], rtol=1e-15)
    assert res.summary["n_units"].iloc[0] == 3


def test_equal_estimates_have_no_knapp_hartung_interval() -> None:
    same = pd.DataFrame({"process": ["a", "b", "c"], "estimate": [0.2, 0.2, 0.2], "se": [0.1, 0.2, 0.1]})
    s = meta_analysis(same).summary.iloc[0]
    assert s["estimate"] == pytest.approx(0.2)
    assert np.isnan([s["se"], s["ci_low"], s["ci_high"], s["p_value"], s["pi_low"]]).all()
    assert "the Knapp-Hartung SE is 0" in s["method"]
    adhoc = meta_analysis(same, knapp_hartung="adhoc").summary.iloc[0]
    assert adhoc["se"] == pytest.approx(1 / np.sqrt(100 + 25 + 100))  # the Wald SE, tau2 = 0
    with pytest.raises(AnalysisInputError, match="knapp_hartung"):
        meta_analysis(same, knapp_hartung="yes")  # type: ignore[arg-type]
