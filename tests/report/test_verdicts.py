"""Verdicts that respect uncertainty (issue 17, deliverable 4): meets, misses or inconclusive.

The rule: ``inconclusive`` when the closed confidence interval contains the threshold (an
interval touching it included); otherwise the point estimate decides (it then lies on the same
side as the whole interval); without an interval the point estimate decides; NA without a
threshold or an estimate (not measured, suppressed). A lower-is-better indicator is judged
against a ceiling and never said to be "below" it.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from html import unescape

import pandas as pd
import pytest

from deliberval.datasets import load_example
from deliberval.disclosure import protect_indicator_table
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.indicators.compare import compare_evaluations, summarise_evaluation
from deliberval.indicators.evaluate import VERDICTS, Threshold, verdict
from deliberval.instruments import load_instrument
from deliberval.report import ReportSettings, build_report, render_html
from deliberval.report.compare import build_comparison, render_comparison
from deliberval.report.render import verdict_label

NAN = math.nan


# ------------------------------------------------------------------------------ the rule
@pytest.mark.parametrize(
    ("estimate", "low", "high", "threshold", "direction", "expected"),
    [
        # the example: 78 % (68-85 %) against 80 % is not a verdict
        (0.78, 0.68, 0.85, 0.80, "higher_is_better", "inconclusive"),
        # an interval touching the threshold is inconclusive (closed interval), at either end
        (0.90, 0.80, 0.96, 0.80, "higher_is_better", "inconclusive"),
        (0.70, 0.60, 0.80, 0.80, "higher_is_better", "inconclusive"),
        (0.05, 0.00, 0.10, 0.00, "lower_is_better", "inconclusive"),
        (0.05, 0.01, 0.10, 0.10, "lower_is_better", "inconclusive"),
        # the whole interval on one side
        (0.90, 0.81, 0.96, 0.80, "higher_is_better", "meets"),
        (0.70, 0.60, 0.79, 0.80, "higher_is_better", "misses"),
        # lower is better: above the ceiling misses, below it meets
        (0.22, 0.15, 0.32, 0.00, "lower_is_better", "misses"),
        (0.05, 0.01, 0.09, 0.10, "lower_is_better", "meets"),
        # no interval: the point estimate decides, equality meets (>= a floor, <= a ceiling)
        (7.0, NAN, NAN, 10.0, "lower_is_better", "meets"),
        (27.3, NAN, NAN, 10.0, "lower_is_better", "misses"),
        (10.0, NAN, NAN, 10.0, "lower_is_better", "meets"),
        (0.80, NAN, NAN, 0.80, "higher_is_better", "meets"),
        (0.79, NAN, NAN, 0.80, "higher_is_better", "misses"),
        # no threshold, no estimate: no verdict
        (0.80, 0.70, 0.90, None, "higher_is_better", None),
        (0.80, 0.70, 0.90, NAN, "higher_is_better", None),
        (NAN, NAN, NAN, 0.80, "higher_is_better", None),
    ],
)
def test_verdict_rule(estimate, low, high, threshold, direction, expected) -> None:
    assert verdict(estimate, low, high, threshold, direction) == expected


@pytest.mark.parametrize(
    ("estimate", "low", "high", "threshold", "direction", "expected"),
    [
        # a requirement of every one (floor 100 %) or none (ceiling 0 %) is met only by the count itself:
        # 12 of 12 answered (Wilson 76-100 %) meets it, where the interval rule says inconclusive for ever
        (1.0, 0.76, 1.0, 1.0, "higher_is_better", "meets"),
        (11 / 12, 0.65, 0.99, 1.0, "higher_is_better", "misses"),
        (0.0, 0.0, 0.18, 0.0, "lower_is_better", "meets"),
        (0.05, 0.0, 0.24, 0.0, "lower_is_better", "misses"),
        # a threshold inside (0, 1) keeps the interval rule
        (0.90, 0.80, 0.96, 0.80, "higher_is_better", "inconclusive"),
    ],
)
def test_a_proportion_against_its_bound_is_judged_on_the_count(estimate, low, high, threshold, direction,
                                                                expected) -> None:
    assert verdict(estimate, low, high, threshold, direction, unit="proportion") == expected
    if threshold in (0.0, 1.0) and low <= threshold <= high:  # other units keep the interval rule
        assert verdict(estimate, low, high, threshold, direction, unit="mean") == "inconclusive"


# ------------------------------------------------------------------------------ the indicator table
@pytest.fixture(scope="module")
def climate():
    data = load_example("climate_assembly", seed=2021, registers=True).process_data(
        load_instrument("participant_standard")
    )
    return data, evaluate_process(data, EvaluationSettings(seed=2021))


def test_every_verdict_of_an_example_follows_the_rule(climate) -> None:
    _, ev = climate
    t = ev.indicators
    assert list(t.columns).index("verdict") == list(t.columns).index("meets_threshold") + 1
    assert set(t["verdict"].dropna()) <= set(VERDICTS)
    got = t.set_index("indicator_id")["verdict"]
    # real values of the example (seed 2021)
    assert got["facilitation_neutral"] == "inconclusive"  # 77.6 % (67.7-85.2 %) against 80 %
    assert got["respect"] == "inconclusive"  # 86.6 % (77.6-92.3 %): meets on the point, not a verdict
    assert got["time_enough"] == "misses"  # 39.3 % (29.5-50.0 %) against 70 %
    assert got["deliberative_quality_scale"] == "meets"  # 3.92 (3.78-4.06) against 3.5
    assert got["rejected_without_reasons"] == "misses"  # 22.2 % against a ceiling of 0 %
    assert got["representativeness_max_gap"] == "meets"  # 7.0 pp, no interval, ceiling 10 pp
    assert got["cherry_picking_gap"] == "misses"  # 27.3 pp, no interval, ceiling 10 pp
    assert pd.isna(got["uptake_rate"])  # no threshold
    assert pd.isna(got["member_privacy"])  # not measured
    # the point-estimate column is kept beside it
    point = t.set_index("indicator_id")["meets_threshold"]
    assert bool(point["respect"]) is True
    assert bool(point["facilitation_neutral"]) is False
    for _, r in t.iterrows():
        expected = verdict(float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]),
                           None if pd.isna(r["threshold"]) else float(r["threshold"]), str(r["direction"]),
                           unit=str(r["unit"]))
        assert (pd.isna(r["verdict"]) and expected is None) or r["verdict"] == expected, r["indicator_id"]


def test_thresholds_of_the_report_at_the_interval_ends(climate) -> None:
    data, ev = climate
    row = ev.indicators.set_index("indicator_id")
    fac, rej = row.loc["facilitation_neutral"], row.loc["rejected_without_reasons"]
    thresholds = {
        # touching: a threshold equal to a bound of the interval is inside it
        "facilitation_neutral": Threshold(float(fac["ci_high"]), "test: upper bound"),
        "equal_opportunity": Threshold(float(row.loc["equal_opportunity", "ci_low"]), "test: lower bound"),
        "respect": Threshold(float(row.loc["respect", "ci_low"]) - 1e-9, "test: just below"),
        "time_enough": Threshold(float(row.loc["time_enough", "ci_high"]) + 1e-9, "test: just above"),
        # lower is better: a ceiling at the upper bound, and one above the whole interval
        "rejected_without_reasons": Threshold(float(rej["ci_high"]), "test: ceiling at the bound"),
        "response_within_deadline": Threshold(None, "no threshold"),
    }
    got = evaluate_process(data, EvaluationSettings(seed=2021, thresholds=thresholds)).indicators
    v = got.set_index("indicator_id")["verdict"]
    assert v["facilitation_neutral"] == "inconclusive"
    assert v["equal_opportunity"] == "inconclusive"
    assert v["respect"] == "meets"
    assert v["time_enough"] == "misses"
    assert v["rejected_without_reasons"] == "inconclusive"
    assert pd.isna(v["response_within_deadline"])
    above = {"rejected_without_reasons": Threshold(float(rej["ci_high"]) + 1e-9, "test: ceiling above")}
    got = evaluate_process(data, EvaluationSettings(seed=2021, thresholds=above)).indicators
    assert got.set_index("indicator_id").loc["rejected_without_reasons", "verdict"] == "meets"


def test_suppressed_rows_have_no_verdict(climate) -> None:
    data, _ = climate
    # every people-based indicator below 1000 respondents is suppressed in the evaluation itself
    t = evaluate_process(data, EvaluationSettings(seed=2021, min_cell_size=1000)).indicators
    hidden = t.loc[t["status"] == "suppressed"]
    assert len(hidden) >= 8
    assert hidden["verdict"].isna().all()
    assert hidden["meets_threshold"].isna().all()
    # the published copy: a share hidden by the complement rule loses its verdict too
    table = pd.DataFrame({"indicator_id": ["respect"], "estimate": [1.0], "ci_low": [0.6], "ci_high": [1.0],
                          "n": [6], "unit": ["proportion"], "meets_threshold": [True], "verdict": ["inconclusive"],
                          "status": ["measured"], "status_reason": [""], "method": ["responses"]})
    out = protect_indicator_table(table, 5, people={"respect": True}, shares={"respect"})
    assert out.loc[0, "status"] == "suppressed"
    assert pd.isna(out.loc[0, "verdict"])
    assert pd.isna(out.loc[0, "meets_threshold"])


# ------------------------------------------------------------------------------ the dashboard
def test_verdict_words() -> None:
    assert verdict_label("misses", "lower_is_better", "0 %", "en") == "✗ misses (ceiling 0 %)"
    assert verdict_label("misses", "higher_is_better", "80 %", "en") == "✗ misses (threshold 80 %)"
    assert verdict_label("meets", "higher_is_better", "3.50", "en") == "✓ meets (threshold 3.50)"
    assert verdict_label("inconclusive", "lower_is_better", "10.0 pp", "en") == (
        "? inconclusive (ceiling 10.0 pp within the CI)")
    assert verdict_label("misses", "lower_is_better", "0 %", "fr") == "✗ non atteint (plafond 0 %)"
    assert verdict_label("inconclusive", "higher_is_better", "80 %", "fr") == (
        "? non concluant (seuil 80 % dans l'IC)")


def _cards(html: str) -> dict[str, tuple[str, str]]:
    """label -> (card class, badge text) of the dashboard."""
    pattern = re.compile(r'<div class="card ([a-z_]+)">\s*<div class="label">([^<]+)</div>'
                         r'(?:\s*<div class="row">(?:<span class="value">[^<]*</span>)?'
                         r'<span class="badge [a-z_]+">([^<]*)</span>)?')
    return {unescape(m.group(2)): (m.group(1), unescape(m.group(3) or "")) for m in pattern.finditer(html)}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_dashboard_shows_three_states(climate, lang) -> None:
    _, ev = climate
    html = render_html(build_report(ev, ReportSettings(language=lang)), timestamp="t")
    cards = _cards(html)
    labels = ev.catalogue

    def card(iid: str) -> tuple[str, str]:
        return cards[labels.get(iid).text(lang)]
    if lang == "en":
        assert card("facilitation_neutral") == ("inconclusive", "? inconclusive (threshold 80% within the CI)")
        assert card("time_enough") == ("misses", "✗ misses (threshold 70%)")
        assert card("rejected_without_reasons") == ("misses", "✗ misses (ceiling 0%)")
        assert card("cherry_picking_gap") == ("misses", "✗ misses (ceiling 10.0\u00a0pp)")  # a no-break space
        assert card("deliberative_quality_scale") == ("meets", "✓ meets (threshold 3.50)")
        assert card("representativeness_max_gap") == ("suppressed", "suppressed")  # a small category
        assert card("uptake_rate") == ("measured", "no threshold")
        # the legend names the three states, with the symbol and the word
        assert '<span class="badge inconclusive">? inconclusive' in html
        assert "below the threshold" not in html
    else:
        assert card("facilitation_neutral") == ("inconclusive", "? non concluant (seuil 80\u00a0% dans l'IC)")
        assert card("rejected_without_reasons") == ("misses", "✗ non atteint (plafond 0\u00a0%)")
        assert "sous le seuil" not in html
    # three classes, each with its own style (not colour alone: symbol, word, solid or dashed edge)
    for state in VERDICTS:
        assert f".card.{state}" in html
        assert f".badge.{state}" in html
    assert "dashed" in html.split(".card.inconclusive")[1].split("}")[0]
    states = {c for c, _ in cards.values()}
    assert set(VERDICTS) <= states


def test_the_comparison_marks_the_three_states(climate) -> None:
    _, ev = climate
    one = summarise_evaluation(ev)
    other = replace(one, process_id="copy", name="A copy", changes=one.changes.assign(process_id="copy"), seed=1)
    page = render_comparison(build_comparison(compare_evaluations([one, other])), timestamp="t")
    # a cell's parts are kept whole by no-break spaces and a word joiner after the interval's dash
    page = page.replace("\u00a0", " ").replace("\u2060", "")
    cell = '<td class="num">{}</td>'
    assert ('<td class="">Members who found facilitation neutral</td>' + 2 * cell.format("78% ? · [68% – 85%] · n = 85")) in page
    assert ('<td class="">Rejections without a justification</td>' + 2 * cell.format("22% ✗ · [15% – 32%] · n = 81")) in page
    assert ('<td class="">Deliberative quality scale (mean, 1-5)</td>' + 2 * cell.format("3.92 ✓ · [3.78 – 4.06] · n = 85")) in page
    assert "? inconclusive: the confidence interval contains it." in page
