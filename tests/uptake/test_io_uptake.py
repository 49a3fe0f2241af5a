"""Register files: XLSX template with drop-down lists and CSV folders read back without loss."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from deliberval.coding import load_scheme
from deliberval.datasets.registers import simulate_register
from deliberval.errors import DataInputError
from deliberval.io.uptake import (
    read_register,
    template_validations,
    write_register,
    write_register_template,
)


@pytest.fixture(scope="module")
def register():
    return simulate_register("wallonia_committee", seed=11, n_coders=2)


def test_xlsx_round_trip_is_lossless(register, tmp_path: Path) -> None:
    path = write_register(register, tmp_path / "register.xlsx")
    back = read_register(path)
    pd.testing.assert_frame_equal(back.recommendations, register.recommendations)
    pd.testing.assert_frame_equal(back.events, register.events)
    assert back.scheme.version == register.scheme.version


def test_csv_folder_round_trip_is_lossless(register, tmp_path: Path) -> None:
    folder = write_register(register, tmp_path / "reg")
    back = read_register(folder)
    pd.testing.assert_frame_equal(back.recommendations, register.recommendations)
    pd.testing.assert_frame_equal(back.events, register.events)
    again = read_register(folder / "recommendations.csv", folder / "events.csv")
    pd.testing.assert_frame_equal(again.events, register.events)


def test_template_has_drop_down_lists_of_the_scheme(tmp_path: Path) -> None:
    path = write_register_template(tmp_path / "template.xlsx")
    dv = template_validations(path)
    assert set(dv["events"]) == {"response_status", "fidelity", "impact_type"}
    assert set(dv["recommendations"]) == {"prior_agenda", "challenges_policy", "cost_class"}
    wb = load_workbook(path)
    codes = wb["codes"]
    formula = dv["events"]["response_status"]  # e.g. codes!$A$2:$A$9
    col = formula.split("!")[1].split(":")[0].strip("$").rstrip("0123456789").strip("$")
    listed = [codes[f"{col}{r}"].value for r in range(2, 10)]
    assert listed == list(load_scheme().status_order)
    assert wb["about"]["B3"].value == "1.0.0"
    empty = read_register(path)
    assert len(empty.recommendations) == 0
    assert len(empty.events) == 0


def test_errors_name_the_file_line(register, tmp_path: Path) -> None:
    folder = write_register(register, tmp_path / "bad")
    ev = pd.read_csv(folder / "events.csv", dtype=str)
    ev.loc[3, "response_status"] = "accepted"
    ev.to_csv(folder / "events.csv", index=False)
    with pytest.raises(DataInputError, match=r"events row 5 \(rec_id '.*'\): unknown response_status code 'accepted'"):
        read_register(folder)
    recs = pd.read_csv(folder / "recommendations.csv", dtype=str)
    recs.loc[2, "rec_id"] = recs.loc[0, "rec_id"]
    recs.to_csv(folder / "recommendations.csv", index=False)
    with pytest.raises(DataInputError, match=r"duplicate rec_id '.*', found in row 2, row 4"):
        read_register(folder)


def test_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(DataInputError, match="no such file"):
        read_register(tmp_path / "missing.xlsx")
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(DataInputError, match="unknown register format"):
        read_register(tmp_path / "x.txt")
    with pytest.raises(DataInputError, match=r"needs recommendations\.csv and events\.csv"):
        read_register(tmp_path)
    with pytest.raises(DataInputError, match=r"\.xlsx workbook"):
        write_register_template(tmp_path / "t.csv")
