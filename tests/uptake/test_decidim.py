"""Decidim accountability exports -> register -> snapshots and the say-do curve.

tests/data/decidim/ holds a SYNTHETIC legislature (19 actions, 2024-2029) written by
make_synthetic.py in the shapes of Decidim's results export (CSV and JSON) plus timeline entries.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from deliberval.analysis.uptake import uptake, uptake_snapshots
from deliberval.errors import DataInputError
from deliberval.io.decidim import DECIDIM_STATUS_MAP, read_decidim_results
from deliberval.io.readers import InputFile
from deliberval.plots.fate import plot_say_do_curve
from deliberval.validation.register import validate_register

DATA = Path(__file__).resolve().parents[1] / "data" / "decidim"
MAP = {"cancelled": "rejected_with_reasons"}


def _read(name: str, **kw):
    return read_decidim_results(DATA / name, process_id="legislature_2024",
                                timeline=DATA / "timeline.csv", status_map=MAP, **kw)


@pytest.fixture(scope="module")
def raw():
    return _read("results.csv")


@pytest.fixture(scope="module")
def register(raw):
    checked = validate_register(raw.recommendations, raw.events)
    assert checked.all_valid, checked.failures
    return checked.register


def test_csv_and_json_exports_give_the_same_register(raw) -> None:
    other = _read("results.json")
    pd.testing.assert_frame_equal(raw.recommendations, other.recommendations)
    pd.testing.assert_frame_equal(raw.events.drop(columns="source"), other.events.drop(columns="source"))
    rec = raw.recommendations.set_index("rec_id").loc["101"]
    assert rec["title"] == "Renovate public school buildings"
    assert rec["submitted"] == "2024-09-16"
    assert rec["text"] == "Renovate public school buildings (SYNTHETIC example action 1 of 19)."
    assert rec["linked_proposals"].count("proposals/") == 2
    assert rec["progress"] == "100"


def test_every_result_and_milestone_is_an_event(raw) -> None:
    results = json.loads((DATA / "results.json").read_text(encoding="utf-8"))
    timeline = pd.read_csv(DATA / "timeline.csv")
    assert len(raw.recommendations) == len(results) == 19
    # one commitment event and one current-status event per result, one per milestone
    assert len(raw.events) == 2 * 19 + len(timeline) == 79
    ev = raw.events[raw.events["rec_id"] == "101"]
    assert ev["date"].tolist() == ["2025-03-02", "2025-09-02", "2026-04-05", "2026-11-03",
                                   "2027-11-30", "2027-11-30"]
    assert ev["response_status"].tolist() == ["accepted_in_principle"] + [
        "partially_implemented"] * 3 + ["implemented", "implemented"]
    assert ev["note"].iloc[-1] == "status on export: Completed; progress 100 %"


def test_unmapped_status_keys_are_left_for_validation(tmp_path) -> None:
    raw = read_decidim_results(DATA / "results.csv", process_id="p", timeline=DATA / "timeline.csv")
    checked = validate_register(raw.recommendations, raw.events)
    assert len(checked.events.valid) + len(checked.events.quarantined) == len(raw.events)
    assert len(checked.events.quarantined) == 4  # two milestones and two statuses "cancelled"
    bad = checked.failures[checked.failures["column"] == "response_status"]
    assert set(bad["value"]) == {"cancelled"}
    assert "cancelled" not in DECIDIM_STATUS_MAP


def test_legislature_snapshots_and_say_do_curve(register) -> None:
    dates = [f"{y}-06-30" for y in range(2025, 2030)]
    snaps = uptake_snapshots(register, dates, say_do_days=365)
    res = json.loads((DATA / "results.json").read_text(encoding="utf-8"))
    end = pd.Timestamp("2029-06-30")
    # independent count from the export: completed results and commitments a year old or more
    done = {str(r["id"]) for r in res if r["status"]["key"] == "completed"
            and pd.Timestamp(r["updated_at"][:10]) <= end}
    due = {str(r["id"]) for r in res if pd.Timestamp(r["start_date"]) <= end - pd.Timedelta(days=365)}
    last = snaps[snaps["as_of"] == end].set_index("indicator")
    assert last.loc["implementation_rate", "count"] == len(done) == 7
    assert last.loc["say_do_gap", "n"] == len(due) == 19
    assert last.loc["say_do_gap", "count"] == len(due - done) == 12
    assert last.loc["say_do_gap", "estimate"] == pytest.approx(12 / 19)
    assert uptake(register, as_of=end).indicators.set_index("indicator").loc[
        "implementation_rate", "count"] == 7
    fig = plot_say_do_curve(snaps)
    ys = fig.axes[0].get_lines()[0].get_ydata()
    gap = snaps[(snaps["indicator"] == "say_do_gap") & snaps["estimate"].notna()]["estimate"]
    assert list(ys) == pytest.approx(gap.tolist())


def test_input_file_read_once_and_errors(tmp_path) -> None:
    f = InputFile.read(DATA / "results.json")
    raw = read_decidim_results(f, process_id="p", status_map=MAP)
    assert f.sha256[:12] in raw.events["source"].iloc[0]
    no_date = tmp_path / "old.json"
    no_date.write_text(json.dumps([{"id": 1, "title": {"en": "x"}, "status": {"key": "completed"},
                                    "created_at": "2024-01-01"}]))
    with pytest.raises(DataInputError, match="as_of"):
        read_decidim_results(no_date, process_id="p")
    old = read_decidim_results(no_date, process_id="p", as_of="2025-01-31")
    assert old.events["date"].tolist() == ["2024-01-01", "2025-01-31"]
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": 1,}]')
    with pytest.raises(DataInputError, match="line 1, column 11"):
        read_decidim_results(broken, process_id="p")
    short = tmp_path / "short.csv"
    short.write_text("id;title/en;updated_at\n1;a\n")
    with pytest.raises(DataInputError, match="line 2: 2 fields"):
        read_decidim_results(short, process_id="p")
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataInputError, match="no 'id' column"):
        read_decidim_results(tmp_path / "x.csv", process_id="p")
    with pytest.raises(DataInputError, match="unknown"):
        read_decidim_results(DATA / "make_synthetic.py", process_id="p")
