"""prob_meets_threshold and the probability verdict rule in the indicator table (issue 20)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.meta import REFERENCE_PRIORS, threshold_probability
from deliberval.datasets import load_example
from deliberval.errors import AnalysisInputError
from deliberval.indicators.catalogue import load_catalogue
from deliberval.indicators.evaluate import (
    INDICATOR_COLUMNS,
    POOLING_COLUMNS,
    EvaluationSettings,
    evaluate_process,
    probability_verdict,
    verdict,
)


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    return load_example("gentofte_ptc").process_data()


_EVALUATED: dict[tuple[object, ...], object] = {}


def _evaluate(data, **kw):  # type: ignore[no-untyped-def]
    """The evaluation with these settings; the same settings of scalars are evaluated once per
    module (the tests only read the evaluation)."""
    key = (id(data), *sorted(kw.items())) if all(isinstance(v, str | int | float) for v in kw.values()) else None
    if key is not None and key in _EVALUATED:
        return _EVALUATED[key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = evaluate_process(data, EvaluationSettings(**kw))
    if key is not None:
        _EVALUATED[key] = ev
    return ev


def test_settings_are_checked() -> None:
    with pytest.raises(AnalysisInputError, match="pooling must be one of"):
        EvaluationSettings(pooling="frequentist")
    with pytest.raises(AnalysisInputError, match="verdict_rule must be one of"):
        EvaluationSettings(pooling="bayesian", verdict_rule="vote")
    with pytest.raises(AnalysisInputError, match="needs pooling 'bayesian'"):
        EvaluationSettings(verdict_rule="probability")


def test_without_pooling_the_table_is_unchanged(data) -> None:  # type: ignore[no-untyped-def]
    assert list(_evaluate(data).indicators.columns) == INDICATOR_COLUMNS


def test_probabilities_come_from_the_evaluation_s_own_numbers(data) -> None:  # type: ignore[no-untyped-def]
    ev = _evaluate(data, pooling="bayesian")
    tab = ev.indicators.set_index("indicator_id")
    at = INDICATOR_COLUMNS.index("verdict") + 1
    assert list(ev.indicators.columns) == [*INDICATOR_COLUMNS[:at], *POOLING_COLUMNS, *INDICATOR_COLUMNS[at:]]
    # a share: count of n citizens agreeing, uniform prior
    row = tab.loc["facilitation_neutral"]
    exp = ev.experience.set_index(["item", "role"])
    item = next(i for i, r in exp.index if np.isclose(exp.loc[(i, r), "estimate"], row["estimate"]) and r == "citizen")
    e = exp.loc[(item, "citizen")]
    want = threshold_probability("share", row["threshold"], count=float(e["count"]), n=float(e["n"]))
    assert row["prob_meets_threshold"] == pytest.approx(want, abs=1e-12)
    assert row["prob_meets_threshold"] == pytest.approx(0.8668, abs=1e-4)
    assert row["prior"] == REFERENCE_PRIORS["share"]
    # a scale mean: Jeffreys prior, the t probability from the same responses
    assert tab.loc["deliberative_quality_scale", "prob_meets_threshold"] > 0.999
    assert tab.loc["deliberative_quality_scale", "prior"] == REFERENCE_PRIORS["mean"]
    # no Bayesian model (representativeness): no probability, the interval rule decides
    assert math.isnan(tab.loc["representativeness_max_gap", "prob_meets_threshold"])
    assert tab.loc["representativeness_max_gap", "verdict_rule"] == "interval"
    # no threshold: no probability and no rule
    assert math.isnan(tab.loc["change_external_efficacy", "prob_meets_threshold"])
    assert pd.isna(tab.loc["change_external_efficacy", "verdict_rule"])
    # the interval rule stays the verdict by default
    base = _evaluate(data).indicators
    assert base["verdict"].fillna("").tolist() == ev.indicators["verdict"].fillna("").tolist()


def test_probability_rule(data) -> None:  # type: ignore[no-untyped-def]
    tab = _evaluate(data, pooling="bayesian", verdict_rule="probability").indicators
    for _, r in tab.iterrows():
        p = r["prob_meets_threshold"]
        if np.isfinite(p):
            assert r["verdict_rule"] == "probability"
            assert r["verdict"] == probability_verdict(p)
        elif not pd.isna(r["verdict"]):
            assert r["verdict_rule"] == "interval"
            thr = None if pd.isna(r["threshold"]) else float(r["threshold"])
            assert r["verdict"] == verdict(r["estimate"], r["ci_low"], r["ci_high"], thr, r["direction"],
                                           unit=r["unit"])
    t = tab.set_index("indicator_id")
    assert t.loc["time_enough", "verdict"] == "misses"  # 10 of 21, P = 0.014 against 70 %
    assert t.loc["facilitation_neutral", "verdict"] == "inconclusive"  # P = 0.87


def test_ceilings_are_direction_aware(data) -> None:  # type: ignore[no-untyped-def]
    cat = load_catalogue()
    specs = [s.model_copy(update={"direction": "lower_is_better", "threshold": 0.8})
             if s.id == "facilitation_neutral" else s for s in cat.indicators]
    ev = _evaluate(data, pooling="bayesian", catalogue=cat.model_copy(update={"indicators": specs}))
    up = _evaluate(data, pooling="bayesian").indicators.set_index("indicator_id")
    down = ev.indicators.set_index("indicator_id")
    p_up = up.loc["facilitation_neutral", "prob_meets_threshold"]
    assert down.loc["facilitation_neutral", "prob_meets_threshold"] == pytest.approx(1 - p_up, abs=1e-12)


def test_probability_verdict_cutoffs() -> None:
    assert probability_verdict(0.95) == "meets"
    assert probability_verdict(0.05) == "misses"
    assert probability_verdict(0.9499) == "inconclusive"
    assert probability_verdict(float("nan")) is None


def test_report_states_rule_and_prior_and_hides_suppressed_probabilities(data) -> None:  # type: ignore[no-untyped-def]
    from deliberval.report import build_report
    from deliberval.report.build import ReportSettings

    ev = _evaluate(data, pooling="bayesian", verdict_rule="probability", min_cell_size=21)
    rep = build_report(ev, ReportSettings(language="en"))
    notices = next(s for s in rep.sections if s.key == "about").notices
    assert any(n.startswith("Verdict rule: probability") for n in notices)
    # only the priors of published probabilities: every share is suppressed at 21, the scale mean is not
    prior_note = next(n for n in notices if n.startswith("P(meets)"))
    assert "Jeffreys prior" in prior_note
    assert "Beta" not in prior_note
    pub = rep.indicators
    assert pub.loc[pub["status"] != "measured", "prob_meets_threshold"].isna().all()
    # facilitation_neutral (22 citizens) is measured in the evaluation, hidden in the published copy
    # (its complement is below 21 people): its probability is hidden with it
    assert np.isfinite(ev.indicators.set_index("indicator_id").loc["facilitation_neutral", "prob_meets_threshold"])
    row = pub.set_index("indicator_id").loc["facilitation_neutral"]
    assert row["status"] == "suppressed"
    assert math.isnan(row["prob_meets_threshold"])
    rep0 = build_report(_evaluate(data, pooling="bayesian"), ReportSettings(language="fr"))
    notes = next(s for s in rep0.sections if s.key == "about").notices
    assert any(n.startswith("Règle de verdict : intervalle") for n in notes)
    assert any("Beta(1, 1)" in n and "Jeffreys" in n for n in notes)


def test_config_keys() -> None:
    from deliberval.io.config import ProcessConfig

    cfg = ProcessConfig(process_id="x", example="gentofte_ptc", pooling="bayesian", verdict_rule="probability")
    s = EvaluationSettings.from_config(cfg)
    assert (s.pooling, s.verdict_rule) == ("bayesian", "probability")
    assert EvaluationSettings.from_config(ProcessConfig(process_id="x", example="gentofte_ptc")).pooling == "none"


def test_dashboard_words_follow_the_probability_rule(data) -> None:  # type: ignore[no-untyped-def]
    from deliberval.report import build_report
    from deliberval.report.build import ReportSettings
    from deliberval.report.render import render_html

    ev = _evaluate(data, pooling="bayesian", verdict_rule="probability")
    html = render_html(build_report(ev, ReportSettings(language="en")))
    # respect: 15 of 22 agree, P(meets 80 %) = 0.07: inconclusive by the probability rule, whose own
    # words the card uses (not "within the CI")
    assert "? inconclusive (P(meets) 0.07, threshold 80%)" in html
    assert "within the CI" not in html
    assert "gets a verdict by the probability rule" in html
    assert "P(meets) between 0.05 and 0.95" in html
    assert "Verdict rule: probability" in html
    base = render_html(build_report(_evaluate(data), ReportSettings(language="en")))
    assert "P(meets)" not in base
