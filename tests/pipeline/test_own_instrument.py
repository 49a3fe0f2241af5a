"""A user's own instrument gets the indicators of the constructs it declares, and true reasons for the rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.indicators import evaluate_process
from deliberval.instruments import load_instrument
from deliberval.report import build_report, render_html
from deliberval.validation.process import process_data

HERE = Path(__file__).parent / "data" / "own_instrument"


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 14
    pre = pd.DataFrame({"respondent_id": [f"r{i:02d}" for i in range(n)], "wave": "pre"})
    post = pre.assign(wave="post")
    df = pd.concat([pre, post], ignore_index=True)
    df["process_id"] = "mein_rat"
    df["group"] = "participant"
    df["role"] = "citizen"
    for item in ("vertrauen_landtag", "vertrauen_regierung", "vertrauen_parteien"):
        base = rng.integers(1, 5, n)
        df[item] = np.concatenate([base, np.minimum(base + rng.integers(0, 2, n), 5)]).astype(float)
    df["moderation_neutral"] = np.where(df["wave"] == "post", rng.integers(2, 6, 2 * n), np.nan)
    df["einfluss"] = np.where(df["wave"] == "post", rng.integers(1, 6, 2 * n), np.nan)
    df.loc[3, "vertrauen_parteien"] = 9  # a declared "don't know"
    return df


def test_own_instrument_gets_its_constructs_indicators(responses: pd.DataFrame) -> None:
    ins = load_instrument("mein_buergerrat", [HERE])
    ev = evaluate_process(process_data(ins, responses=responses))
    tab = ev.indicators.set_index("indicator_id")
    assert tab.loc["change_institutional_trust", "status"] == "measured"
    assert tab.loc["change_institutional_trust", "n"] == 14
    assert "vertrauen" in tab.loc["change_institutional_trust", "method"]
    assert tab.loc["facilitation_neutral", "status"] == "measured"
    post = responses.loc[responses["wave"] == "post", "moderation_neutral"]
    assert tab.loc["facilitation_neutral", "estimate"] == pytest.approx(float(post.isin([4, 5]).mean()))
    assert tab.loc["perceived_influence", "status"] == "measured"
    # the rest is not measured, each with a reason that is true of these data
    assert tab.loc["change_external_efficacy", "status"] == "not_measured"
    assert tab.loc["did_institutional_trust", "status_reason"] == "no control group in the responses (group == 'control')"
    assert tab.loc["time_enough", "status_reason"] == (
        "the instrument has no item 'dx_time_enough' nor an item of construct 'sufficient_time'")
    assert tab.loc["change_external_efficacy", "status_reason"] == (
        "the instrument has no scale or item of construct 'external_efficacy'")
    assert set(ev.outcomes.loc[ev.outcomes["column"].notna(), "outcome"]) == {"trust_political_institutions"}


def test_own_instrument_report_shows_its_change_and_no_false_statement(responses: pd.DataFrame) -> None:
    ins = load_instrument("mein_buergerrat", [HERE])
    rep = build_report(evaluate_process(process_data(ins, responses=responses)))
    change = next(s for s in rep.sections if s.key == "change")
    tab = change.tables[0].data
    assert tab["outcome"].tolist() == ["Trust in political institutions (1-5)"]
    assert tab["n"].tolist() == [14]
    html = render_html(rep, timestamp="t")
    assert "no respondent answered both the pre and the post survey" not in html
    experience = next(s for s in rep.sections if s.key == "experience")
    assert experience.tables[0].data["item"].tolist() == ["The facilitation was neutral."]


def test_own_outcome_single_item_is_reported_with_its_text(responses: pd.DataFrame) -> None:
    """An item of the user's instrument named in extra_outcomes gets a change row labelled with its text."""
    from deliberval.indicators import EvaluationSettings, ExtraOutcome

    ins = load_instrument("mein_buergerrat", [HERE])
    df = responses.copy()
    pre = df["wave"] == "pre"
    df.loc[pre, "einfluss"] = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4]  # asked at both waves here
    settings = EvaluationSettings(extra_outcomes=(ExtraOutcome("einfluss"),))
    ev = evaluate_process(process_data(ins, responses=df), settings)
    row = ev.change.loc[(ev.change["outcome"] == "einfluss") & (ev.change["role"] == "citizen")].iloc[0]
    post = df.loc[~pre, "einfluss"].to_numpy(dtype=float)
    before = df.loc[pre, "einfluss"].to_numpy(dtype=float)
    assert row["n"] == 14
    assert row["estimate"] == pytest.approx(float((post - before).mean()), abs=1e-12)
    # one prepost call: Holm adjusts across the two outcomes (trust scale and einfluss)
    ps = ev.change.loc[ev.change["role"] == "citizen", "p_value"].sort_values().to_numpy()
    holm = ev.change.loc[ev.change["role"] == "citizen"].sort_values("p_value")["holm_p_value"].to_numpy()
    assert holm[0] == pytest.approx(min(1.0, 2 * ps[0]), abs=1e-12)
    rep = build_report(ev)
    change = next(s for s in rep.sections if s.key == "change").tables[0].data
    assert "Our recommendations influenced the decisions. (1-5)" in change["outcome"].tolist()


def test_own_instrument_notices_are_true(responses: pd.DataFrame) -> None:
    """Change, DiD and experience notices say which outcome is absent and why, and nothing false."""
    ins = load_instrument("mein_buergerrat", [HERE])
    rep = build_report(evaluate_process(process_data(ins, responses=responses)))
    notices = {s.key: s.notices for s in rep.sections}
    change = notices["change"]
    # the catalogue outcomes the instrument lacks are named, with the true reason
    assert change[0] == (
        "Not assessed: the catalogue's outcomes Internal political efficacy; External political efficacy; "
        "People like me have a say; Confident the authority will respond; Openness to citizens' input: "
        "the instrument has no scale or item of their constructs.")
    assert change[1] == "Not assessed: no control group in the responses (DiD)"
    assert len(change) == 2
    assert notices["experience"] == []  # the facilitation item is shown
    html = render_html(rep, timestamp="t")
    for false in ("no respondent answered both the pre and the post survey",
                  "no post-survey answers of participants on the items asked",
                  "Change in trust, efficacy and perceived influence"):
        assert false not in html


def test_an_outcome_measured_twice_or_ambiguously_is_not_called_missing(tmp_path: Path) -> None:
    """A catalogue outcome whose construct's measure another outcome reports, or whose construct has
    several items and no scale, gets that reason, not "the instrument has no ... of construct"."""
    text = (HERE / "mein_buergerrat.yaml").read_text(encoding="utf-8").replace("id: mein_buergerrat", "id: mein_zweiter")
    extra_items = "".join(
        f"""  - id: {i}
    construct: {c}
    text: {{de: "{i}", en: "{i}"}}
    scale: zustimmung_5
    waves: [pre, post]
    respondents: [citizen]
    source: {{citation: "test", wording: new}}
""" for i, c in (("wirk_a", "external_efficacy"), ("wirk_b", "external_efficacy"),
                 ("intern_a", "internal_efficacy"), ("intern_b", "internal_efficacy")))
    text = text.replace("\nscales:\n", "\n" + extra_items + "scales:\n")
    text += """  - id: wirksamkeit
    construct: external_efficacy
    items: [wirk_a, wirk_b]
    scoring: {method: mean, min_valid: 1}
"""
    (tmp_path / "mein_zweiter.yaml").write_text(text, encoding="utf-8")
    ins = load_instrument("mein_zweiter", [tmp_path])
    df = pd.DataFrame({"respondent_id": ["a", "b", "a", "b"], "wave": ["pre", "pre", "post", "post"],
                       "process_id": "p", "group": "participant", "role": "citizen",
                       "wirk_a": [1, 2, 3, 4], "wirk_b": [2, 2, 3, 3]})
    ev = evaluate_process(process_data(ins, responses=df))
    assert ev.reasons["change:influence_have_say"] == (
        "its construct's measure 'wirksamkeit' is already reported as outcome 'external_efficacy'")
    assert ev.reasons["change:internal_efficacy"] == (
        "the instrument has 2 items of construct 'internal_efficacy' (intern_a, intern_b) and no scale of "
        "them: which one is meant is ambiguous")
    notices = next(s for s in build_report(ev).sections if s.key == "change").notices
    assert any("People like me have a say" in n and "already reported" in n for n in notices)
