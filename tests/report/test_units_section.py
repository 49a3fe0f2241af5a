"""Results per unit (issue 18, deliverable 7): when the respondents carry a unit (committee,
panel), the evaluation splits each share-agreeing indicator by unit once and the report presents
it with n and intervals, small units withheld."""

from __future__ import annotations

from html import unescape

import pandas as pd
import pytest
from scipy.stats import binomtest

from deliberval.datasets import load_example
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.report import ReportSettings, build_report, render_html
from deliberval.report.i18n import t
from support.evaluations import example_evaluation


@pytest.fixture(scope="module")
def cofoe():  # type: ignore[no-untyped-def]
    """Four panels of about 200 members (the members table names each one's panel)."""
    return example_evaluation("cofoe_panel")


def test_each_unit_share_adds_up_to_the_indicator(cofoe) -> None:  # type: ignore[no-untyped-def]
    u = cofoe.units
    ind = cofoe.indicators.set_index("indicator_id")
    assert set(u["unit"]) == {"panel_1", "panel_2", "panel_3", "panel_4"}
    for indicator_id, g in u.groupby("indicator_id"):
        assert ind.loc[indicator_id, "status"] == "measured"
        # every respondent has a panel: the panels' answers are the indicator's
        assert int(g["n"].sum()) == int(ind.loc[indicator_id, "n"])
        assert g["count"].sum() / g["n"].sum() == pytest.approx(ind.loc[indicator_id, "estimate"], rel=1e-12)
    assert len(u) == 4 * u["indicator_id"].nunique()


def test_unit_intervals_are_wilson(cofoe) -> None:  # type: ignore[no-untyped-def]
    u = cofoe.units
    for _, r in u.iterrows():
        ci = binomtest(int(r["count"]), int(r["n"])).proportion_ci(confidence_level=0.95, method="wilson")
        assert r["estimate"] == pytest.approx(int(r["count"]) / int(r["n"]), rel=1e-12)
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
    # pinned: panel_2's share agreeing that there was enough time
    row = u.loc[(u["indicator_id"] == "time_enough") & (u["unit"] == "panel_2")].iloc[0]
    assert (int(row["count"]), int(row["n"])) == (61, 167)


def test_the_report_presents_units(cofoe) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(cofoe)
    keys = [s.key for s in rep.sections]
    assert keys.index("units") == keys.index("experience") + 1
    tab = next(s for s in rep.sections if s.key == "units").tables[0]
    assert not tab.data["suppressed"].any()
    assert tab.ids == ("indicator_id", "unit_id")
    html = unescape(render_html(rep, timestamp="t"))
    part = html.split('<section id="units">')[1].split("</section>")[0]
    assert "Results per unit" in part
    assert "Members who agree there was enough time" in part
    assert "indicator_id" not in part
    assert "time_enough" not in part
    cells = part.replace(' class=""', "").replace(' class="num"', "")
    assert "<td>panel_2</td><td>167</td><td>37%</td><td>30%</td><td>44%</td>" in cells
    # one forest plot of the published shares (one panel per indicator, one row per unit)
    (fig,) = next(s for s in rep.sections if s.key == "units").figures
    assert fig.key == "units"
    assert fig.png.startswith(b"\x89PNG")
    fr = build_report(cofoe, ReportSettings(language="fr"))
    assert next(s for s in fr.sections if s.key == "units").title == t("fr", "units")


def test_small_units_are_withheld() -> None:
    # Gentofte's committees hold about 7 respondents each: shares of fewer than 5 people on
    # either side are withheld, and nothing below 5 is published
    ev = example_evaluation("gentofte_ptc")
    assert not ev.units.empty
    rep = build_report(ev)
    tab = next(s for s in rep.sections if s.key == "units").tables[0].data
    shown = tab.loc[~tab["suppressed"]]
    assert (shown["n"] >= 5).all()
    assert tab.loc[tab["suppressed"], ["n", "share_agree", "ci_low", "ci_high"]].isna().all().all()
    # a shown share's count and its complement are both at least 5
    counts = (shown["share_agree"] * shown["n"]).round()
    assert ((counts >= 5) & (shown["n"] - counts >= 5)).all()
    html = unescape(render_html(rep, timestamp="t"))
    part = html.split('<section id="units">')[1].split("</section>")[0]
    assert "row(s) suppressed" in part
    # every unit withheld: nothing to draw
    if tab["suppressed"].all():
        assert next(s for s in rep.sections if s.key == "units").figures == []


def test_no_units_no_section() -> None:
    ev = example_evaluation("climate_assembly")
    assert ev.units.empty
    assert ev.reasons["units"].startswith("no unit column")
    assert "units" not in [s.key for s in build_report(ev).sections]


def test_pooled_columns_with_pooling(cofoe) -> None:  # type: ignore[no-untyped-def]
    ev = evaluate_process(load_example("cofoe_panel").process_data(), EvaluationSettings(pooling="bayesian"))
    pooled = getattr(ev, "unit_pooling", None)
    if not isinstance(pooled, pd.DataFrame) or pooled.empty:
        pytest.skip("no per-unit pooling in this evaluation")
    rep = build_report(ev)
    tab = next(s for s in rep.sections if s.key == "units").tables[0].data
    b = pooled.loc[(pooled["model"] == "bayesian") & (pooled["level"] == "unit")]
    row = tab.loc[(tab["indicator_id"] == "time_enough") & (tab["unit"] == "panel_2")].iloc[0]
    ref = b.loc[(b["indicator_id"] == "time_enough") & (b["unit"] == "panel_2")].iloc[0]
    assert row["pooled_estimate"] == ref["estimate"]
    assert row["prob_meets_threshold"] == ref["prob_meets_threshold"]
    # the unit's own share is unchanged by pooling
    own = cofoe.units.loc[(cofoe.units["indicator_id"] == "time_enough") & (cofoe.units["unit"] == "panel_2")]
    assert row["share_agree"] == own["estimate"].iloc[0]
