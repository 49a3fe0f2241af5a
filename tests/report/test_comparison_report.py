"""The comparison report (issue 18, deliverable 5): grouped by OECD stage, intervals and n, verdicts,
forest plots, a legend, translated, and only the published (suppressed) copy of each process."""

from __future__ import annotations

import itertools
import re
from html import unescape

import pandas as pd
import pytest

from deliberval.indicators import load_catalogue
from deliberval.indicators.compare import compare_evaluations, summarise_evaluation
from deliberval.plots.forest import VERDICT_STYLES, plot_indicator_forest
from deliberval.report.compare import STAGES, build_comparison, forest_table, render_comparison
from deliberval.report.i18n import LANGUAGES
from support.evaluations import example_evaluation

PROCESSES = ("gentofte_ptc", "wallonia_committee", "climate_assembly")


@pytest.fixture(scope="module")
def comparison():  # type: ignore[no-untyped-def]
    return compare_evaluations([summarise_evaluation(example_evaluation(name))
                                for name in PROCESSES])


@pytest.fixture(scope="module")
def report(comparison):  # type: ignore[no-untyped-def]
    return build_comparison(comparison)


@pytest.fixture(scope="module")
def page(report) -> str:  # type: ignore[no-untyped-def]
    # the cells keep their parts whole with no-break spaces and word joiners (a narrow cell wraps
    # between the parts)
    return unescape(render_comparison(report, timestamp="t")).replace("\u00a0", " ").replace("\u2060", "")


def _text(html: str) -> str:
    html = re.sub(r"data:image/png;base64,[^\"]+", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_rows_are_grouped_by_oecd_stage(report, page: str) -> None:  # type: ignore[no-untyped-def]
    cat = load_catalogue()
    heads = re.findall(r'<tr class="stagehead"><th colspan="4" scope="colgroup">([^<]+)</th></tr>', page)
    assert heads == [cat.stage_label(s, "en") for s in STAGES]
    # each indicator sits under its own stage
    table = page.split('<tr class="stagehead">')
    for i, stage in enumerate(STAGES, start=1):
        for spec in cat.indicators:
            label = spec.text("en")
            if spec.stage == stage:
                assert f'<td class="">{label}</td>' in table[i], label


def test_each_value_carries_its_interval_n_and_verdict(report, page: str) -> None:  # type: ignore[no-untyped-def]
    ind = report.indicators.set_index(["process_id", "indicator_id"])
    # Gentofte's time_enough: 48% (28-68%), n = 21, misses its 70% threshold
    r = ind.loc[("gentofte_ptc", "time_enough")]
    assert (round(r["estimate"], 2), int(r["n"]), r["verdict"]) == (0.48, 21, "misses")
    assert "48% ✗ · [28% – 68%] · n = 21" in page
    # the climate assembly's retention: inconclusive (the interval contains the threshold)
    r = ind.loc[("climate_assembly", "retention_rate")]
    assert r["verdict"] == "inconclusive"
    assert "89% ? · [81% – 94%] · n = 100" in page
    # the legend explains the marks and the cells
    assert "✓ meets its threshold" in page
    assert "Each cell: the estimate, its verdict mark, its 95% confidence interval [low – high] and n" in page


def test_suppressed_values_say_why_and_are_never_drawn(report, page: str) -> None:  # type: ignore[no-untyped-def]
    ind = report.indicators.set_index(["process_id", "indicator_id"])
    small = ind.loc[("wallonia_committee", "retention_rate")]
    assert small["status"] == "suppressed"
    assert pd.isna(small["estimate"])
    assert pd.isna(small["n"])
    # the reasons get letters, listed under the table and the plots
    assert "(a) withheld in the comparison: its categories cannot be checked for cells below 5 people" in page
    assert "(b) a share whose numerator or complement is below 5 people (disclosure control)" in page
    forest = forest_table(report, "design_integrity")
    row = forest.loc[(forest["process_id"] == "wallonia_committee") & (forest["indicator_id"] == "retention_rate")]
    assert row["note"].tolist() == ["suppressed (b)"]
    assert row["estimate"].isna().all()
    # the plot draws the published copy only: every drawn estimate is one the table publishes
    for stage in STAGES:
        tab = forest_table(report, stage)
        drawn = tab.dropna(subset=["estimate"])
        for _, r in drawn.iterrows():
            pub = ind.loc[(r["process_id"], r["indicator_id"])]
            assert r["estimate"] == pub["estimate"]
            assert pd.isna(pub["n"]) or pub["n"] >= 5


def test_one_forest_plot_per_stage(report, page: str) -> None:  # type: ignore[no-untyped-def]
    assert page.count('<img src="data:image/png;base64,') == 3
    # indicators no process measured are not drawn (the table says "not measured")
    tab = forest_table(report, "pathways_to_impact")
    assert "uptake_rate" not in set(tab["indicator_id"])
    assert "change_institutional_trust" in set(tab["indicator_id"])
    assert len(tab.loc[tab["indicator_id"] == "change_institutional_trust"]) == 3
    assert "Recommendations accepted in principle or better not measured not measured not measured" in _text(page)


def test_forest_plot_draws_points_intervals_n_and_threshold() -> None:
    tab = pd.DataFrame({
        "indicator": ["Retention"] * 3 + ["Trust change"] * 3,
        "process": ["Alpha", "Beta", "Gamma"] * 2,
        "estimate": [0.9, 0.7, float("nan"), 0.3, -0.1, 0.2],
        "ci_low": [0.85, 0.55, float("nan"), 0.1, -0.3, 0.05],
        "ci_high": [0.95, 0.82, float("nan"), 0.5, 0.1, 0.35],
        "n": [120, 40, pd.NA, 120, 40, 60],
        "unit": ["proportion"] * 3 + ["effect_size"] * 3,
        "threshold": [0.8] * 3 + [float("nan")] * 3,
        "verdict": ["meets", "inconclusive", pd.NA, pd.NA, pd.NA, pd.NA],
        "note": ["", "", "suppressed (a)", "", "", ""],
    })
    fig = plot_indicator_forest(tab, title="Stage")
    a, b = fig.axes
    assert [t.get_text() for t in a.get_yticklabels()] == ["Alpha", "Beta", "Gamma"]
    texts = [t.get_text() for t in a.texts]
    assert texts == ["n = 120", "n = 40", "suppressed (a)"]
    # the threshold is a dashed vertical line at 80 %
    (line,) = [ln for ln in a.get_lines() if ln.get_linestyle() == "--"]
    assert list(line.get_xdata()) == [0.8, 0.8]
    # one marker per drawn estimate, coloured by verdict (meets blue, inconclusive hollow grey)
    points = [coll for coll in a.collections if type(coll).__name__ == "PathCollection"]
    edges = [tuple(round(float(c), 3) for c in coll.get_edgecolor()[0][:3]) for coll in points]
    assert edges == [(0.0, 0.447, 0.698), (0.42, 0.42, 0.42)]
    assert [float(coll.get_facecolor()[0][0]) for coll in points] == [0.0, 1.0]  # the inconclusive one is hollow
    assert VERDICT_STYLES["inconclusive"][2] is False
    # percent ticks on the proportion panel, plain numbers on the effect-size panel
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    assert all(t.get_text().endswith("%") for t in a.get_xticklabels() if t.get_text())
    assert not any(t.get_text().endswith("%") for t in b.get_xticklabels() if t.get_text())
    # the legend lists the verdicts drawn, then the threshold
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["meets", "inconclusive: the interval contains the threshold", "no threshold",
                      "threshold (ceiling where lower is better)"]
    # the process names on the y axis never overlap
    renderer = canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in a.get_yticklabels()]
    for upper, lower in itertools.pairwise(boxes):
        assert not upper.overlaps(lower)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_translated(comparison, lang: str) -> None:  # type: ignore[no-untyped-def]
    from deliberval.report.i18n import t

    page = unescape(render_comparison(build_comparison(comparison, lang=lang), timestamp="t"))
    text = _text(page)
    for english in ("Each cell: the estimate", "withheld in the comparison", "not measured", "Pooled",
                    "ci low", "One plot per OECD stage"):
        assert english not in text, english
    assert t(lang, "forest_title") in text
    assert t(lang, "not_measured") in text
    cat = load_catalogue()
    assert cat.stage_label("design_integrity", lang) in text


def test_workbook_indicators_have_labels_and_ids(report) -> None:  # type: ignore[no-untyped-def]
    sheet = report.tables()[0]
    assert sheet.key == "indicators"
    assert list(sheet.data.columns[:7]) == ["process_id", "label", "indicator_id", "stage", "oecd_stage", "criterion",
                                            "criterion_id"]
    assert sheet.ids == ("indicator_id", "oecd_stage", "criterion_id")
    cat = load_catalogue()
    row = sheet.data.iloc[0]
    assert row["stage"] == cat.stage_label(row["oecd_stage"], "en")
    assert row["criterion"] == cat.criterion_label(row["criterion_id"], "en")
    assert len(sheet.data) == len(report.indicators)
