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
    assert tab.loc["time_enough", "status_reason"] == "item 'dx_time_enough' is not in the responses"
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
