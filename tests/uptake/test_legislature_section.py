"""The report's legislature part of the uptake section (issue 21, deliverable 6): a register that
tracks progress (the SYNTHETIC Decidim legislature of tests/data/decidim) gets the say-do gap at
each year end and on the evaluation date (table and curve) and each action's latest progress and
milestones; the example configuration examples/legislature/ runs end to end."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from deliberval.analysis.uptake import uptake_snapshots
from deliberval.cli import app
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.indicators.evaluate import SAY_DO_DAYS
from deliberval.instruments import load_instrument
from deliberval.io.config import ProcessConfig, load_config
from deliberval.io.decidim import read_decidim_results
from deliberval.report import ReportSettings, build_report
from deliberval.validation.process import load_process, process_data

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data" / "decidim"
MAP = {"cancelled": "rejected_with_reasons"}


@pytest.fixture(scope="module")
def evaluation():
    raw = read_decidim_results(DATA / "results.csv", process_id="legislature", timeline=DATA / "timeline.csv",
                               status_map=MAP)
    data = process_data(load_instrument("participant_standard"), recommendations=raw.recommendations,
                        events=raw.events)
    assert data.register.all_valid
    return evaluate_process(data, EvaluationSettings(as_of=dt.date(2029, 6, 30)))


def _table(report, key):  # type: ignore[no-untyped-def]
    return next(t for s in report.sections for t in s.tables if t.key == key)


def test_say_do_snapshots_are_the_analysis(evaluation):
    snaps = evaluation.uptake_snapshots
    dates = sorted(pd.to_datetime(snaps["as_of"]).dt.strftime("%Y-%m-%d").unique())
    assert dates == ["2024-12-31", "2025-12-31", "2026-12-31", "2027-12-31", "2028-12-31", "2029-06-30"]
    direct = uptake_snapshots(evaluation.data.register.register, pd.to_datetime(dates), say_do_days=SAY_DO_DAYS)
    pd.testing.assert_frame_equal(snaps.reset_index(drop=True), direct.reset_index(drop=True))
    report = build_report(evaluation, ReportSettings())
    gap = _table(report, "uptake_say_do").data
    assert gap["as_of"].tolist()[-1] == "Jun 30, 2029"
    # 19 actions, 12 accepted for over a year and not implemented on 30 June 2029
    assert gap[["n", "count"]].iloc[-1].tolist() == [19, 12]
    assert gap["estimate"].iloc[-1] == pytest.approx(12 / 19, abs=1e-15)
    assert any(f.key == "uptake_say_do" for s in report.sections for f in s.figures)


def test_progress_and_milestones(evaluation):
    prog = _table(build_report(evaluation, ReportSettings(language="fr")), "uptake_progress").data
    assert len(prog) == 19  # every action, with or without a progress report
    timeline = pd.read_csv(DATA / "timeline.csv", dtype={"result_id": str})
    timeline = timeline[timeline["entry_date"] <= "2029-06-30"]
    row = prog.set_index("rec_id").loc["108"]
    assert row["milestones"] == (timeline["result_id"] == "108").sum() == 1
    assert row["progress"] == 25.0
    assert row["progress_date"] == "11 avr. 2025"
    assert prog.set_index("rec_id").loc["101", "progress"] == 100.0


def test_no_progress_no_legislature_part(tmp_path):
    from deliberval.datasets.registers import simulate_register

    reg = simulate_register("climate_assembly", seed=1)
    data = process_data(load_instrument("participant_standard"), recommendations=reg.recommendations,
                        events=reg.events)
    ev = evaluate_process(data, EvaluationSettings())
    assert ev.uptake_snapshots is None
    assert "no progress" in ev.reasons["uptake_snapshots"]
    keys = {t.key for s in build_report(ev, ReportSettings()).sections for t in s.tables}
    assert not keys & {"uptake_say_do", "uptake_progress"}


def test_example_configuration_runs(tmp_path):
    cfg_file = ROOT / "examples" / "legislature" / "legislature_2024.yaml"
    cfg = ProcessConfig.model_validate(yaml.safe_load(cfg_file.read_text(encoding="utf-8")))
    assert "SYNTHETIC" in cfg.title
    shutil.copy(cfg_file, tmp_path / cfg_file.name)
    res = CliRunner().invoke(app, ["uptake", "import-decidim", str(DATA / "results.csv"), "--timeline",
                                   str(DATA / "timeline.csv"), "--process-id", cfg.process_id, "--status-map",
                                   "cancelled=rejected_with_reasons", "-o", str(tmp_path / "register.xlsx")])
    assert res.exit_code == 0, res.output
    config = load_config(tmp_path / cfg_file.name)
    ev = evaluate_process(load_process(config), EvaluationSettings.from_config(config))
    keys = {t.key for s in build_report(ev, ReportSettings.from_config(config)).sections for t in s.tables}
    assert {"uptake_say_do", "uptake_progress"} <= keys
