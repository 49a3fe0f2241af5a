"""The report on the evaluator's own settings (issue 15 #3): outcomes, thresholds with their sources,
weights, and "About this evaluation" from the process configuration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from deliberval.analysis.change import prepost
from deliberval.errors import DataInputError
from deliberval.indicators import EvaluationSettings, ExtraOutcome, Threshold, evaluate_process
from deliberval.instruments import load_instrument
from deliberval.io.config import load_config
from deliberval.report import ReportSettings, build_report, render_html
from deliberval.report.markdown import markdown_html
from deliberval.validation.process import process_data

DATA = Path(__file__).resolve().parents[1] / "data"
OWN = Path(__file__).resolve().parents[1] / "pipeline" / "data" / "own_instrument"

INSTRUMENT = """id: dp_sample_rc
version: 1.0.0
title: {en: "Sample.sav questions"}
languages: {en: {status: source, source: "Sample.sav variable labels"}}
licence: MIT
response_scales:
  - id: well_0_10
    type: numeric
    min: 0
    max: 10
items:
  - id: democracy_works
    construct: satisfaction_with_democracy
    text: {en: "How well does democracy function?"}
    scale: well_0_10
    waves: [pre, post]
    respondents: [citizen]
    source: {citation: "Sample.sav (Stanford DDL DeliberativePolling, MIT)", wording: verbatim}
"""


def _config(folder: Path, body: str) -> Path:
    path = folder / "report.yaml"
    path.write_text("process_id: p\nexample: gentofte_ptc\n" + body, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ configuration keys
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("evaluatr: me\n", "report.yaml: evaluatr: Extra inputs are not permitted"),
        (
            "outcomes: [{measur: a}]\n",
            "report.yaml: outcomes.0.measur: Extra inputs are not permitted",
        ),
        (
            "thresholds: {respect: {value: 0.7}}\n",
            "report.yaml: thresholds.respect.source: Field required",
        ),
        (
            "thresholds: {respect: {value: 0.7, source: x, sorce: y}}\n",
            "report.yaml: thresholds.respect.sorce: Extra inputs are not permitted",
        ),
        (
            "data_sources: [survey]\n",
            "report.yaml: data_sources.0: Input should be 'member_survey', "
            "'organiser_questionnaire', 'observation', 'interviews' or 'document_review'",
        ),
        (
            "independence: {level: very}\n",
            "report.yaml: independence.level: Input should be 'independent', 'partly_independent' or 'internal'",
        ),
    ],
)
def test_a_bad_key_is_a_one_line_error_naming_it(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(DataInputError) as exc:
        load_config(_config(tmp_path, body))
    text = str(exc.value)
    assert "\n" not in text
    assert text.endswith(message)


def test_an_unknown_indicator_threshold_is_a_one_line_error(tmp_path: Path) -> None:
    cfg = load_config(_config(tmp_path, "thresholds: {respekt: {value: 0.7, source: plan}}\n"))
    with pytest.raises(DataInputError) as exc:
        EvaluationSettings.from_config(cfg)
    assert str(exc.value) == (
        "thresholds: catalogue deliberval_indicators 1.2.0 has no indicator 'respekt'; "
        "did you mean 'respect'?"
    )


def test_the_keys_reach_the_settings(tmp_path: Path) -> None:
    body = """outcomes:
  - vertrauen
  - {measure: einfluss, label: {en: Influence, fr: Influence perçue}, roles: [citizen]}
thresholds: {respect: {value: 0.75, source: "commissioner's target"}, time_enough: {value: null, source: plan}}
weight: none
evaluator: Ann Evaluator
commissioner: City council
evaluation_scope: "The *whole* process"
independence: {level: internal, statement: organiser staff}
data_sources: [observation, member_survey]
limitations: few members
findings: good
"""
    cfg = load_config(_config(tmp_path, body))
    ev = EvaluationSettings.from_config(cfg)
    assert ev.extra_outcomes == (
        ExtraOutcome("vertrauen"),  # roles None: the catalogue's or citizens
        ExtraOutcome("einfluss", {"en": "Influence", "fr": "Influence perçue"}, ("citizen",)),
    )
    assert ev.thresholds == {
        "respect": Threshold(0.75, "commissioner's target"),
        "time_enough": Threshold(None, "plan"),
    }
    assert ev.weight == "none"
    rs = ReportSettings.from_config(cfg)
    assert (rs.evaluator, rs.commissioner, rs.evaluation_scope, rs.limitations, rs.findings) == (
        "Ann Evaluator",
        "City council",
        "The *whole* process",
        "few members",
        "good",
    )
    assert rs.independence.level == "internal"
    assert rs.data_sources == ("observation", "member_survey")


def test_surveys_dirs_are_relative_to_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "surveys").mkdir()
    cfg = load_config(_config(tmp_path, "surveys_dirs: [surveys]\n"))
    assert cfg.surveys_dirs == [tmp_path.resolve() / "surveys"]


# ------------------------------------------------------------------------------ outcomes
@pytest.fixture(scope="module")
def own() -> tuple:
    """The user's own instrument of tests/pipeline and 14 synthetic pre/post pairs answering it."""
    rng = np.random.default_rng(7)
    n = 14
    pre = pd.DataFrame({"respondent_id": [f"r{i:02d}" for i in range(n)], "wave": "pre"})
    df = pd.concat([pre, pre.assign(wave="post")], ignore_index=True)
    df["process_id"], df["group"], df["role"] = "mein_rat", "participant", "citizen"
    for item in ("vertrauen_landtag", "vertrauen_regierung", "vertrauen_parteien"):
        base = rng.integers(1, 5, n)
        df[item] = np.concatenate([base, np.minimum(base + rng.integers(0, 2, n), 5)]).astype(float)
    df["moderation_neutral"] = np.where(df["wave"] == "post", rng.integers(2, 6, 2 * n), np.nan)
    df["einfluss"] = np.where(df["wave"] == "post", rng.integers(1, 6, 2 * n), np.nan)
    return load_instrument("mein_buergerrat", [OWN]), df


def test_an_unknown_or_free_text_outcome_is_a_one_line_error(own) -> None:
    ins, df = own
    data = process_data(ins, responses=df)
    with pytest.raises(DataInputError) as exc:
        evaluate_process(data, EvaluationSettings(extra_outcomes=(ExtraOutcome("vertraun"),)))
    assert str(exc.value) == (
        "outcomes: 'vertraun' is not a scale or item of instrument 'mein_buergerrat'; give one of its scales "
        "(vertrauen) or items (vertrauen_landtag, vertrauen_regierung, vertrauen_parteien, moderation_neutral, "
        "einfluss)"
    )


def test_an_outcome_label_replaces_the_catalogue_label_of_the_same_measure(own) -> None:
    ins, df = own
    settings = EvaluationSettings(
        extra_outcomes=(ExtraOutcome("vertrauen", {"en": "Trust in Land institutions"}),)
    )
    ev = evaluate_process(process_data(ins, responses=df), settings)
    # no second row: the catalogue outcome keeps its id (its indicator still finds it)
    assert (ev.outcomes["column"] == "vertrauen").sum() == 1
    assert (
        ev.indicators.set_index("indicator_id").loc["change_institutional_trust", "status"]
        == "measured"
    )
    change = next(s for s in build_report(ev).sections if s.key == "change").tables[0].data
    assert change["outcome"].tolist() == ["Trust in Land institutions (1-5)"]


def test_an_outcome_nobody_answered_after_is_named_with_its_reason(own) -> None:
    ins, df = own
    ev = evaluate_process(
        process_data(ins, responses=df),
        EvaluationSettings(extra_outcomes=(ExtraOutcome("moderation_neutral"),)),
    )
    assert (
        ev.reasons["change:moderation_neutral"]
        == "'moderation_neutral' was not answered in the pre survey"
    )
    notices = next(s for s in build_report(ev).sections if s.key == "change").notices
    assert (
        "Not assessed: change in The facilitation was neutral. (1-5) (citizens): "
        "'moderation_neutral' was not answered in the pre survey"
    ) in notices
    fr = next(
        s for s in build_report(ev, ReportSettings(language="fr")).sections if s.key == "change"
    ).notices
    assert (
        "Non évalué : évolution de la mesure « The facilitation was neutral. (1-5) » (citoyens) : "
        "« moderation_neutral » sans réponse dans l'enquête avant"
    ) in fr


# ------------------------------------------------------------------------------ thresholds
def test_a_threshold_of_the_report_is_used_and_shown_with_its_source(own) -> None:
    ins, df = own
    catalogue_ev = evaluate_process(process_data(ins, responses=df))
    base = catalogue_ev.indicators.set_index("indicator_id").loc["facilitation_neutral"]
    assert base["threshold"] == 0.8
    assert base["threshold_source"] == (
        "deliberval catalogue 1.2.0 default (a convention of this package, "
        "not a published standard)"
    )
    estimate = float(base["estimate"])
    own_thr = Threshold(round(estimate - 0.05, 2), "evaluation plan, p. 4")
    settings = EvaluationSettings(
        thresholds={"facilitation_neutral": own_thr, "time_enough": Threshold(None, "none")}
    )
    ev = evaluate_process(process_data(ins, responses=df), settings)
    row = ev.indicators.set_index("indicator_id").loc["facilitation_neutral"]
    assert (row["threshold"], row["threshold_source"], bool(row["meets_threshold"])) == (
        own_thr.value,
        "evaluation plan, p. 4",
        True,
    )
    dropped = ev.indicators.set_index("indicator_id").loc["time_enough"]
    assert pd.isna(dropped["threshold"])
    assert dropped["threshold_source"] == ""
    rep = build_report(ev)
    table = rep.sections[0].tables[0].data.set_index("indicator")
    assert (
        table.loc["Members who found facilitation neutral", "threshold_source"]
        == "evaluation plan, p. 4"
    )
    assert (
        table.loc["Members who found facilitation neutral", "threshold"]
        == f"≥ {100 * own_thr.value:g}%"
    )
    assert "Members who agree there was enough time" not in table.index
    assert "evaluation plan, p. 4" in render_html(rep, timestamp="t")


# ------------------------------------------------------------------------------ weights
@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """Stanford DDL's Sample.sav as canonical responses, with its Weight1 column as ``weight``."""
    folder = tmp_path_factory.mktemp("dp")
    (folder / "dp_sample_rc.yaml").write_text(INSTRUMENT, encoding="utf-8")
    raw, _ = pyreadstat.read_sav(DATA / "deliberative-polling" / "Sample.sav")
    df = pd.DataFrame(
        {
            "respondent_id": raw["ID"].astype(int).astype(str),
            "process_id": "dp",
            "wave": raw["Time"].map({"T1": "pre", "T2": "post"}),
            "group": raw["Group"].map({"Treatment": "participant", "Control": "control"}),
            "role": "citizen",
            "weight": raw["Weight1"],
            "democracy_works": raw["Question1"],
        }
    )
    return load_instrument("dp_sample_rc", [folder]), df


def _change_row(ev) -> pd.Series:
    ch = ev.change
    return ch.loc[(ch["outcome"] == "democracy_works") & (ch["role"] == "citizen")].iloc[0]


def test_weights_are_used_for_the_change_and_the_report_says_what_is_unweighted(sample) -> None:
    ins, df = sample
    data = process_data(ins, responses=df)
    ev = evaluate_process(
        data, EvaluationSettings(extra_outcomes=(ExtraOutcome("democracy_works"),))
    )
    part = ev.scored.data.loc[ev.scored.data["group"] == "participant"]
    expected = prepost(part, "democracy_works", weight="weight", by="role")
    expected = expected.loc[expected["role"] == "citizen"].iloc[0]
    got = _change_row(ev)
    assert got["n"] == 7
    for col in ("mean_pre", "mean_post", "estimate", "se", "ci_low", "ci_high", "p_value"):
        assert got[col] == pytest.approx(expected[col], abs=1e-12), col
    unweighted = prepost(part, "democracy_works").iloc[0]
    assert abs(got["estimate"] - unweighted["estimate"]) > 1e-3  # the weights change the estimate
    assert ev.weighting.set_index("analysis")["weighted"].to_dict() == {
        "change": True,
        "did": False,
        "experience": False,
        "scale_means": False,
        "scales": False,
    }
    rep = build_report(ev)
    notice = (
        "Changes before and after are weighted by the responses' column 'weight' (the weight of the "
        "post-survey row; linearised standard errors; effect sizes without interval; no Wilcoxon test). "
        "Shares agreeing, scale means, difference-in-differences and scale diagnostics are unweighted: "
        "deliberval has no weighted version of these analyses."
    )
    assert notice in next(s for s in rep.sections if s.key == "change").notices
    assert notice in rep.sections[0].notices


def test_weight_none_is_unweighted_and_said_plainly(sample) -> None:
    ins, df = sample
    data = process_data(ins, responses=df)
    ev = evaluate_process(
        data, EvaluationSettings(extra_outcomes=(ExtraOutcome("democracy_works"),), weight="none")
    )
    part = ev.scored.data.loc[ev.scored.data["group"] == "participant"]
    expected = prepost(part, "democracy_works").iloc[0]
    assert _change_row(ev)["estimate"] == pytest.approx(expected["estimate"], abs=1e-12)
    assert not ev.weighting["weighted"].any()
    notices = next(s for s in build_report(ev).sections if s.key == "change").notices
    assert (
        "The responses carry a weight column, but every estimate of this report is unweighted "
        "(the configuration sets weight: none)."
    ) in notices


def test_a_missing_weight_column_is_a_one_line_error(sample) -> None:
    ins, df = sample
    with pytest.raises(DataInputError, match=r"^weight: the responses have no column 'wt'$"):
        evaluate_process(process_data(ins, responses=df), EvaluationSettings(weight="wt"))


# ------------------------------------------------------------------------------ about this evaluation
def test_about_says_what_is_not_stated(own) -> None:
    ins, df = own
    rep = build_report(evaluate_process(process_data(ins, responses=df)))
    about = rep.sections[0]
    assert about.title == "About this evaluation"
    assert about.facts == [
        ("Evaluator", "not stated in the configuration"),
        ("Commissioner", "not stated in the configuration"),
        ("Independence of the evaluator", "not stated in the configuration"),
        (
            "Data sources used",
            "not stated in the configuration; the figures of this report rest on the tables: "
            "responses",
        ),
    ]
    assert about.markdown == []


def test_about_in_french_with_the_evaluators_text(own) -> None:
    ins, df = own
    settings = ReportSettings(
        language="fr",
        evaluator="Équipe X",
        data_sources=("interviews", "document_review"),
        findings="Les membres **ont** délibéré.\n\n<img src=x onerror=alert(1)>",
    )
    rep = build_report(evaluate_process(process_data(ins, responses=df)), settings)
    about = rep.sections[0]
    assert dict(about.facts)["Sources de données utilisées"] == "entretiens, analyse documentaire"
    sources = set(about.tables[0].data["threshold_source"])
    assert sources == {
        "valeur par défaut du catalogue deliberval 1.2.0 (une convention de ce paquet, non une norme publiée)"
    }
    html = render_html(rep, timestamp="t")
    assert "<h2>À propos de cette évaluation</h2>" in html
    assert "<p>Les membres <strong>ont</strong> délibéré.</p>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert html.index('<section id="about">') < html.index('<section id="summary">')


def test_markdown_escapes_raw_html_and_loads_nothing() -> None:
    html = markdown_html(
        "## Findings\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) ![p](http://t/p.png)"
    )
    assert html == (
        "<h5>Findings</h5>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        '<p>[x](javascript:alert(1)) !<a href="http://t/p.png">p</a></p>\n'
    )


def test_the_workbook_carries_about_and_thresholds(own, tmp_path: Path) -> None:
    from deliberval.report import write_xlsx

    ins, df = own
    settings = ReportSettings(evaluator="Ann", limitations="- *few* members")
    rep = build_report(evaluate_process(process_data(ins, responses=df)), settings)
    keys = [tab.key for tab in rep.tables()]
    assert keys[:3] == ["indicators", "about", "thresholds"]
    out = write_xlsx(rep.tables(), tmp_path / "r.xlsx", provenance=rep.provenance)
    about = pd.read_excel(out, sheet_name="about")
    assert about.loc[about["item"] == "Evaluator", "text"].tolist() == ["Ann"]
    assert about.loc[about["item"] == "Limitations", "text"].tolist() == ["- *few* members"]


def test_an_outcome_the_control_group_did_not_answer_is_named(sample) -> None:
    """With a control group, an outcome it did not answer has no DiD row and a notice naming it."""
    ins, df = sample
    df = df.assign(democracy_works_b=df["democracy_works"].where(df["group"] == "participant"))
    item = ins.item("democracy_works").model_copy(update={"id": "democracy_works_b"})
    ins2 = ins.model_copy(update={"items": [*ins.items, item]})
    settings = EvaluationSettings(
        extra_outcomes=(ExtraOutcome("democracy_works"), ExtraOutcome("democracy_works_b"))
    )
    ev = evaluate_process(process_data(ins2, responses=df), settings)
    assert set(ev.did["outcome"]) == {"democracy_works"}
    reason = ev.reasons["did:democracy_works_b"]
    assert "control" in reason
    notices = next(s for s in build_report(ev).sections if s.key == "change").notices
    assert (
        "Not assessed: difference-in-differences of How well does democracy function? (0-10): "
        + reason
    ) in notices
