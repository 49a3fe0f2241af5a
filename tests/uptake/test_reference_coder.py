"""A register coded by several coders: the uptake figures come from the reference coder of the
configuration (``uptake: reference_coder``), the agreement from every coder; the say-do window is a
setting (``uptake: say_do_window_days``). Issue 21 follow-ups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from deliberval.analysis.register_agreement import register_agreement
from deliberval.analysis.uptake import uptake, uptake_snapshots
from deliberval.errors import AnalysisInputError, DataInputError
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.instruments import load_instrument
from deliberval.io.config import load_config
from deliberval.io.decidim import read_decidim_results
from deliberval.report import ReportSettings, build_report
from deliberval.report.i18n import LANGUAGES, t
from deliberval.validation.process import process_data
from deliberval.validation.register import validate_register

ROOT = Path(__file__).parents[2]
STATUS = {  # rec -> codes of ann, bob, model (one response each, dated 2025-04-01)
    "r1": ("implemented", "implemented", "implemented"),
    "r2": ("acknowledged", "acknowledged", "acknowledged"),
    "r3": ("implemented", "acknowledged", "acknowledged"),
    "r4": ("rejected_with_reasons", "rejected_with_reasons", "implemented"),
}
CONSENSUS = {"r1": "implemented", "r2": "acknowledged", "r3": "accepted_in_principle", "r4": "rejected_with_reasons"}


def _tables(consensus: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    recs = pd.DataFrame({"process_id": "p", "rec_id": list(STATUS), "title": list(STATUS),
                         "submitted": "2025-01-15", "prior_agenda": ["yes", "no", "no", "yes"]})
    rows = [{"rec_id": r, "date": "2025-04-01", "response_status": code, "coder": who}
            for r, codes in STATUS.items() for who, code in zip(("ann", "bob", "model"), codes, strict=True)]
    if consensus:
        rows += [{"rec_id": r, "date": "2025-04-01", "response_status": c, "coder": "consensus"}
                 for r, c in CONSENSUS.items()]
    return recs, pd.DataFrame(rows)


def _evaluate(consensus: bool = False, **settings: object):  # type: ignore[no-untyped-def]
    recs, ev = _tables(consensus)
    data = process_data(load_instrument("participant_standard"), recommendations=recs, events=ev)
    assert data.register.all_valid
    return evaluate_process(data, EvaluationSettings(as_of=dt.date(2025, 12, 31), **settings))  # type: ignore[arg-type]


def _estimates(res) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return dict(zip(res.indicators["indicator"], res.indicators["estimate"], strict=True))


def _table(report, key):  # type: ignore[no-untyped-def]
    return next(t for s in report.sections for t in s.tables if t.key == key)


def test_without_reference_coder_no_figures_and_the_reason_names_the_setting():
    ev = _evaluate()
    assert ev.uptake is None
    assert ev.uptake_coder is None
    assert "'uptake: reference_coder'" in ev.reasons["uptake"]
    assert ev.reasons["uptake"].startswith("the register's events are coded by 3 coders;")
    assert ev.uptake_agreement is not None  # the agreement needs no reference
    for lang in LANGUAGES:
        sec = next(s for s in build_report(ev, ReportSettings(language=lang)).sections if s.key == "uptake")
        notice = " ".join(sec.notices)
        assert "uptake: reference_coder" in notice
        for name in ("ann", "bob"):
            assert name not in notice  # coders are never named in the report
        assert any(tab.key == "uptake_agreement" for tab in sec.tables)
    fr = next(s for s in build_report(ev, ReportSettings(language="fr")).sections if s.key == "uptake")
    assert "codés par 3 codeurs" in " ".join(fr.notices)


@pytest.mark.parametrize(("coder", "uptake_rate"), [("ann", 2 / 4), ("bob", 1 / 4), ("model", 2 / 4)])
def test_figures_use_the_reference_coder(coder, uptake_rate):
    ev = _evaluate(reference_coder=coder)
    assert ev.uptake_coder == coder
    direct = uptake(ev.data.register.register, as_of="2025-12-31", coder=coder)
    pd.testing.assert_frame_equal(ev.uptake.indicators, direct.indicators)
    got = _estimates(ev.uptake)
    # by hand: ann codes r1 and r3 implemented, bob r1 only, the model r1 and r4
    assert got["uptake_rate"] == pytest.approx(uptake_rate, abs=1e-15)
    assert got["implementation_rate"] == pytest.approx(uptake_rate, abs=1e-15)
    assert got["any_public_response"] == 1.0
    assert int(ev.uptake.indicators["n"].iloc[0]) == 4  # each recommendation once, not once per coder
    # the agreement still compares every coder
    every = ev.uptake_agreement[(ev.uptake_agreement["comparison"] == "all coders")
                                & (ev.uptake_agreement["field"] == "response_status")]
    assert set(every["n_coders"]) == {3}


def test_report_states_whose_codes_in_every_language():
    ev = _evaluate(reference_coder="bob")
    for lang in LANGUAGES:
        note = _table(build_report(ev, ReportSettings(language=lang)), "uptake").note
        assert note.endswith(t(lang, "uptake_reference_coder", i=2, n=3))  # bob: the second manual coder
        assert "bob" not in note
    en = _table(build_report(ev, ReportSettings()), "uptake").note
    assert "codes of coder 2" in en
    assert "all 3 codings" in en
    # the same number as in the agreement table's model comparisons
    agree = _table(build_report(ev, ReportSettings()), "uptake_agreement").data
    assert "model-assisted coder vs coder 2" in set(agree["coder_pair"])
    model = _table(build_report(_evaluate(reference_coder="model"), ReportSettings(language="de")), "uptake").note
    assert model.endswith(t("de", "uptake_reference_model", n=3))


def test_consensus_is_the_reference_and_not_a_coder_in_the_agreement():
    ev = _evaluate(consensus=True, reference_coder="consensus")
    assert ev.uptake_coder == "consensus"
    got = _estimates(ev.uptake)
    assert got["uptake_rate"] == pytest.approx(2 / 4, abs=1e-15)  # r1 implemented, r3 accepted in principle
    assert got["implementation_rate"] == pytest.approx(1 / 4, abs=1e-15)
    # the agreement is the one of the three independent codings, as if the consensus were absent
    recs, ev3 = _tables()
    alone = register_agreement(validate_register(recs, ev3).register)
    pd.testing.assert_frame_equal(ev.uptake_agreement.reset_index(drop=True), alone.reset_index(drop=True))
    note = _table(build_report(ev, ReportSettings()), "uptake").note
    assert note.endswith(t("en", "uptake_reference_consensus", n=3))
    assert "the 3 independent codings, not the consensus" in note


def test_unknown_reference_coder_is_a_reason_not_figures():
    ev = _evaluate(reference_coder="carol")
    assert ev.uptake is None
    assert ev.reasons["uptake"] == ("the reference coder of the configuration (uptake: reference_coder) coded no "
                                    "event of the register, whose events name 3 coder(s) in the coder column")
    sec = next(s for s in build_report(ev, ReportSettings(language="nl")).sections if s.key == "uptake")
    assert "heeft geen enkele gebeurtenis van het register gecodeerd" in " ".join(sec.notices)


def test_one_coder_register_unchanged_by_the_setting():
    recs, ev = _tables()
    one = ev[ev["coder"] == "ann"].assign(coder=None)
    data = process_data(load_instrument("participant_standard"), recommendations=recs, events=one)
    plain = evaluate_process(data, EvaluationSettings(as_of=dt.date(2025, 12, 31)))
    named = evaluate_process(data, EvaluationSettings(as_of=dt.date(2025, 12, 31), reference_coder="ann"))
    assert named.uptake is None  # the register names no coder: ann coded nothing
    assert plain.uptake is not None
    assert plain.uptake_coder is None
    assert _estimates(plain.uptake)["uptake_rate"] == pytest.approx(0.5, abs=1e-15)
    assert "uptake_reference" not in _table(build_report(plain, ReportSettings()), "uptake").note


def test_config_keys(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("process_id: x\nexample: gentofte_ptc\nuptake:\n  reference_coder: consensus\n"
                   "  say_do_window_days: 180\n", encoding="utf-8")
    settings = EvaluationSettings.from_config(load_config(cfg))
    assert settings.reference_coder == "consensus"
    assert settings.say_do_window_days == 180
    plain = tmp_path / "p.yaml"
    plain.write_text("process_id: x\nexample: gentofte_ptc\n", encoding="utf-8")
    default = EvaluationSettings.from_config(load_config(plain))
    assert default.reference_coder is None
    assert default.say_do_window_days == 365
    for bad, word in (("0", "greater than or equal to 1"), ("30.5", "valid integer"), ("'a'", "valid integer"),
                      ("true", "valid integer")):
        cfg.write_text(f"process_id: x\nexample: gentofte_ptc\nuptake:\n  say_do_window_days: {bad}\n",
                       encoding="utf-8")
        with pytest.raises(DataInputError, match=f"uptake.say_do_window_days: .*{word}") as exc:
            load_config(cfg)
        assert "\n" not in str(exc.value)
    cfg.write_text("process_id: x\nexample: gentofte_ptc\nuptake:\n  reference_codr: ann\n", encoding="utf-8")
    with pytest.raises(DataInputError, match=r"uptake\.reference_codr"):
        load_config(cfg)
    for days in (0, -1, 2.5, True):
        with pytest.raises(AnalysisInputError, match="say_do_window_days must be a whole number"):
            EvaluationSettings(say_do_window_days=days)  # type: ignore[arg-type]


def test_say_do_window_from_the_settings():
    raw = read_decidim_results(ROOT / "tests" / "data" / "decidim" / "results.csv", process_id="legislature",
                               timeline=ROOT / "tests" / "data" / "decidim" / "timeline.csv",
                               status_map={"cancelled": "rejected_with_reasons"})
    data = process_data(load_instrument("participant_standard"), recommendations=raw.recommendations,
                        events=raw.events)
    default = evaluate_process(data, EvaluationSettings(as_of=dt.date(2029, 6, 30)))
    short = evaluate_process(data, EvaluationSettings(as_of=dt.date(2029, 6, 30), say_do_window_days=180))
    dates = pd.to_datetime(sorted(short.uptake_snapshots["as_of"].unique()))
    direct = uptake_snapshots(data.register.register, dates, say_do_days=180)
    pd.testing.assert_frame_equal(short.uptake_snapshots.reset_index(drop=True), direct.reset_index(drop=True))
    gap = short.uptake_snapshots[short.uptake_snapshots["indicator"] == "say_do_gap"]
    gap365 = default.uptake_snapshots[default.uptake_snapshots["indicator"] == "say_do_gap"]
    assert int(gap["n"].iloc[-1]) >= int(gap365["n"].iloc[-1]) == 19  # a shorter window closes on more
    for lang, text in (("en", "at least 180 days"), ("fr", "au moins 180 jours"), ("nl", "minstens 180 dagen"),
                       ("de", "mindestens 180 Tage"), ("da", "mindst 180 dage")):
        note = _table(build_report(short, ReportSettings(language=lang)), "uptake_say_do").note
        assert text in note
    assert "365 days" in _table(build_report(default, ReportSettings()), "uptake_say_do").note
