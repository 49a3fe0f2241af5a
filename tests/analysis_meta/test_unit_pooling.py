"""Indicators pooled across the committees of one process (ProcessEvaluation.unit_pooling, issue 20)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.meta import bayesian_pooling, bayesian_share_pooling, meta_analysis
from deliberval.datasets import load_example
from deliberval.indicators.evaluate import EvaluationSettings, evaluate_process
from deliberval.indicators.pooling import TAU_SCALE, UNIT_POOLING_COLUMNS


@pytest.fixture(scope="module")
def ev():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evaluate_process(load_example("gentofte_ptc").process_data(), EvaluationSettings(pooling="bayesian"))


def _block(ev, indicator: str, model: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    u = ev.unit_pooling
    return u.loc[(u["indicator_id"] == indicator) & (u["model"] == model)].reset_index(drop=True)


def test_columns_and_units(ev) -> None:  # type: ignore[no-untyped-def]
    u = ev.unit_pooling
    assert list(u.columns) == UNIT_POOLING_COLUMNS
    assert set(u["unit"]) == {"committee_1", "committee_2", "committee_3", "all"}
    assert set(u["model"]) == {"bayesian", "meta_analysis"}
    assert "unit_pooling" in ev.tables()
    # every pooled indicator is measured in the process's own table
    measured = set(ev.indicators.loc[ev.indicators["status"] == "measured", "indicator_id"])
    assert set(u["indicator_id"]) <= measured


def test_retention_is_pooled_from_the_members_counts(ev) -> None:  # type: ignore[no-untyped-def]
    m = ev.data.members.valid
    sel = m.loc[m["selected"].astype(bool) & (m["role"] == "citizen")]
    counts = sel.groupby("unit")["attended_all"].agg(lambda s: int(s.astype(bool).sum()))
    sizes = sel.groupby("unit").size()
    table = pd.DataFrame({"unit": counts.index, "count": counts.to_numpy(), "n": sizes.to_numpy()})
    assert table["count"].tolist() == [5, 10, 8]
    want = bayesian_share_pooling(table, unit="unit", threshold=0.85)
    got = _block(ev, "retention_rate", "bayesian")
    assert got["count"].iloc[:3].tolist() == [5, 10, 8]
    np.testing.assert_allclose(got["estimate"].iloc[:3], want.units["estimate"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["prob_meets_threshold"].iloc[:3], want.units["prob_meets_threshold"], atol=1e-12)
    mean = want.summary.set_index("parameter").loc["mean_share"]
    assert got["estimate"].iloc[3] == pytest.approx(mean["estimate"], abs=1e-12)
    assert got["prob_meets_threshold"].iloc[3] == pytest.approx(mean["prob_meets_threshold"], abs=1e-12)
    # committee 2 retained all 10: its binomial SE is 0, so no meta-analysis, and the table says why
    meta = _block(ev, "retention_rate", "meta_analysis")
    assert (meta["status"] == "not_measured").all()
    assert meta["method"].str.contains("share is 0 or 1").all()


def test_scale_mean_is_pooled_from_the_responses(ev) -> None:  # type: ignore[no-untyped-def]
    s = ev.scored.data
    m = ev.data.members.valid.set_index("person_id")["unit"]
    post = s.loc[(s["group"] == "participant") & (s["role"] == "citizen") & (s["wave"] == "post")]
    scale = ev.indicators.set_index("indicator_id").loc["deliberative_quality_scale", "method"].split("scale ")[1]
    scale = scale.split(" ")[0]
    g = post[scale].groupby(post["respondent_id"].map(m))
    table = pd.DataFrame({"unit": g.mean().index, "estimate": g.mean().to_numpy(),
                          "se": (g.std(ddof=1) / np.sqrt(g.count())).to_numpy(), "n": g.count().to_numpy()})
    bayes = bayesian_pooling(table, unit="unit", tau_scale=TAU_SCALE, threshold=3.5)
    meta = meta_analysis(table, unit="unit")
    got_b = _block(ev, "deliberative_quality_scale", "bayesian")
    got_m = _block(ev, "deliberative_quality_scale", "meta_analysis")
    np.testing.assert_allclose(got_b["observed_estimate"].iloc[:3], table["estimate"], atol=1e-12)
    np.testing.assert_allclose(got_b["estimate"].iloc[:3], bayes.units["estimate"], atol=1e-12)
    np.testing.assert_allclose(got_b["ci_low"].iloc[:3], bayes.units["ci_low"], atol=1e-12)
    np.testing.assert_allclose(got_m["estimate"].iloc[:3], meta.units["pooled_estimate"], atol=1e-12)
    s0 = meta.summary.iloc[0]
    assert got_m.loc[3, ["estimate", "ci_low", "ci_high", "pi_low", "pi_high"]].tolist() == pytest.approx(
        [s0["estimate"], s0["ci_low"], s0["ci_high"], s0["pi_low"], s0["pi_high"]], abs=1e-12)
    assert got_m.loc[3, "n"] == table["n"].sum()
    assert int(got_b.loc[3, "n"]) == 22


def test_small_units_are_suppressed_with_a_secondary(ev) -> None:  # type: ignore[no-untyped-def]
    # equal_opportunity: committee_1 has 4 answers (< 5); the next smallest unit is hidden with it
    b = _block(ev, "equal_opportunity", "bayesian").set_index("unit")
    assert b.loc["committee_1", "status"] == "suppressed"
    assert b.loc["committee_1", "method"].startswith("based on fewer than 5")
    hidden = b.loc[["committee_2", "committee_3"], "status"].tolist()
    assert hidden.count("suppressed") == 1
    assert b.loc[b["status"] == "suppressed", ["estimate", "observed_estimate", "prob_meets_threshold"]].isna().all().all()
    assert b.loc[b["status"] == "suppressed", "n"].isna().all()
    assert b.loc["all", "status"] == "measured"


def test_without_pooling_or_units_the_table_is_empty_with_a_reason() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = evaluate_process(load_example("gentofte_ptc").process_data())
        single = evaluate_process(load_example("climate_assembly").process_data(),
                                  EvaluationSettings(pooling="bayesian"))
    assert plain.unit_pooling.empty
    assert "pooling not requested" in plain.reasons["unit_pooling"]
    assert single.unit_pooling.empty
    assert "unit" in single.reasons["unit_pooling"]
