"""Register files: XLSX template with drop-down lists and CSV folders read back without loss;
reading is separate from validation, and validation quarantines bad rows naming each one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from deliberval.datasets.registers import simulate_register
from deliberval.errors import DataInputError
from deliberval.instruments.coding import load_scheme
from deliberval.io import InputFile
from deliberval.io.register import (
    RawRegister,
    read_register,
    template_validations,
    write_register,
    write_register_template,
)
from deliberval.validation import FAILURE_COLUMNS, ValidationResult
from deliberval.validation.register import RegisterValidation, validate_register


@pytest.fixture(scope="module")
def register():
    return simulate_register("wallonia_committee", seed=11, n_coders=2)


def _checked(raw: RawRegister):
    res = validate_register(raw.recommendations, raw.events)
    assert res.all_valid, res.failures
    return res.register


def test_xlsx_round_trip_is_lossless(register, tmp_path: Path) -> None:
    path = write_register(register, tmp_path / "register.xlsx")
    raw = read_register(path)
    assert isinstance(raw, RawRegister)
    assert raw.source == str(path)
    assert all(pd.api.types.is_string_dtype(t) for t in raw.recommendations.dtypes)  # text only
    back = _checked(raw)
    pd.testing.assert_frame_equal(back.recommendations, register.recommendations)
    pd.testing.assert_frame_equal(back.events, register.events)
    assert back.scheme.version == register.scheme.version


def test_csv_folder_round_trip_is_lossless(register, tmp_path: Path) -> None:
    folder = write_register(register, tmp_path / "reg")
    back = _checked(read_register(folder))
    pd.testing.assert_frame_equal(back.recommendations, register.recommendations)
    pd.testing.assert_frame_equal(back.events, register.events)
    again = _checked(read_register(folder / "recommendations.csv", folder / "events.csv"))
    pd.testing.assert_frame_equal(again.events, register.events)


def test_read_from_bytes_already_read(register, tmp_path: Path) -> None:
    path = write_register(register, tmp_path / "register.xlsx")
    once = InputFile.read(path)
    path.unlink()  # the bytes are enough: the disk is not read again
    raw = read_register(once)
    pd.testing.assert_frame_equal(_checked(raw).events, register.events)
    folder = write_register(register, tmp_path / "reg")
    recs, ev = InputFile.read(folder / "recommendations.csv"), InputFile.read(folder / "events.csv")
    (folder / "events.csv").unlink()
    again = read_register(recs, ev)
    pd.testing.assert_frame_equal(_checked(again).recommendations, register.recommendations)
    (folder / "events.csv").write_bytes(ev.content)
    whole = read_register(InputFile.read(folder))  # a folder: its two files are read from disk
    pd.testing.assert_frame_equal(_checked(whole).events, register.events)


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
    checked = validate_register(empty.recommendations, empty.events)
    assert checked.all_valid
    assert len(checked.register.recommendations) == 0


def test_bad_rows_are_quarantined_not_raised(register, tmp_path: Path) -> None:
    folder = write_register(register, tmp_path / "bad")
    ev = pd.read_csv(folder / "events.csv", dtype=str)
    ev.loc[3, "response_status"] = "accepted"
    ev.to_csv(folder / "events.csv", index=False)
    recs = pd.read_csv(folder / "recommendations.csv", dtype=str)
    dup_id = recs.loc[0, "rec_id"]
    recs.loc[2, "rec_id"] = dup_id
    recs.loc[5, "prior_agenda"] = "perhaps"
    recs.to_csv(folder / "recommendations.csv", index=False)
    raw = read_register(folder)  # reading judges nothing
    res = validate_register(raw.recommendations, raw.events)
    assert isinstance(res, RegisterValidation)
    assert isinstance(res.recommendations, ValidationResult)
    assert isinstance(res.events, ValidationResult)
    for part, raw_table in ((res.recommendations, raw.recommendations), (res.events, raw.events)):
        assert len(part.valid) + len(part.quarantined) == part.n_rows == len(raw_table)
        # quarantined rows are exactly as given
        pd.testing.assert_frame_equal(part.quarantined, raw_table.loc[part.quarantined.index])
    rf = res.recommendations.failures
    assert list(rf.columns) == list(FAILURE_COLUMNS)
    assert (rf["source"] == str(folder / "recommendations.csv")).all()
    dup = rf[rf["check"] == "duplicate"]
    assert dup["row"].tolist() == [0, 2]
    assert dup["line"].tolist() == [2, 4]  # lines of the file: the header is line 1
    assert (dup["id"] == dup_id).all()
    bad_code = rf[rf["check"] == "not_allowed"].iloc[0]
    assert (bad_code["row"], bad_code["column"], bad_code["value"]) == (5, "prior_agenda", "perhaps")
    assert bad_code["message"] == "unknown prior_agenda code 'perhaps'; expected one of yes, no, unknown"
    assert bad_code["expected"] == "one of yes, no, unknown"
    assert sorted(res.recommendations.quarantined.index) == [0, 2, 5]
    ef = res.events.failures
    code = ef[ef["check"] == "not_allowed"].iloc[0]
    assert (code["row"], code["column"], code["value"]) == (3, "response_status", "accepted")
    assert "expected one of no_response" in code["message"]
    # responses to the quarantined recommendations go too, with that reason
    gone = set(raw.recommendations.loc[[0, 2, 5], "rec_id"])
    follow = ef[ef["check"] == "recommendation_quarantined"]
    assert set(follow["id"]) == gone & set(raw.events["rec_id"])
    assert follow["message"].str.contains("was quarantined").all()
    # the register holds the valid rows only
    assert len(res.register.recommendations) == len(raw.recommendations) - 3
    assert not res.register.events["rec_id"].isin(gone).any()
    assert res.register.events.index.equals(pd.RangeIndex(len(res.register.events)))
    assert set(res.tables()) == {"recommendations", "events", "failures", "summary"}
    assert res.summary.set_index(["table", "check"]).loc[("recommendations", "duplicate"), "n"] == 2


def test_strict_use_names_the_file_line(register, tmp_path: Path) -> None:
    folder = write_register(register, tmp_path / "bad")
    ev = pd.read_csv(folder / "events.csv", dtype=str)
    ev.loc[3, "response_status"] = "accepted"
    ev.to_csv(folder / "events.csv", index=False)
    raw = read_register(folder)
    res = validate_register(raw.recommendations, raw.events)
    with pytest.raises(DataInputError, match=r"events line 5 \(rec_id '.*'\): unknown response_status code 'accepted'"):
        res.require_valid(source=raw.source)
    with pytest.raises(DataInputError, match=r"^.*recommendations\.csv / events\.csv: 1 problem"):
        res.require_valid(source=raw.source)


def test_blank_rows_keep_line_numbers(register, tmp_path: Path) -> None:
    folder = write_register(register, tmp_path / "gap")
    lines = (folder / "events.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(3, "")  # a blank line 4 in the middle, blank lines at the end
    lines[5] = lines[5].replace(lines[5].split(",")[2], "accepted", 1)  # line 6 has a bad code
    (folder / "events.csv").write_text("\n".join(lines) + "\n\n\n", encoding="utf-8")
    raw = read_register(folder)
    res = validate_register(raw.recommendations, raw.events)
    ef = res.events.failures
    assert ef[["line", "check"]].values.tolist() == [[4, "blank_row"], [6, "not_allowed"]]
    assert res.events.n_rows == len(lines) - 1


def test_every_check_names_row_column_value() -> None:
    recs = pd.DataFrame({"process_id": ["p", None, "p", "p"], "rec_id": ["a", "b", None, "d"],
                         "title": list("wxyz"), "submitted": ["2024-01-01", "01/02/2024x", "2024-01-01",
                                                              "2024-01-01"],
                         "vote_share": ["0.6", "lots", None, "1.2"], "cost_class": [None, "low", "HIGH", "vast"]})
    ev = pd.DataFrame({"rec_id": ["a", "a", "zz", None, "a", "b"],
                       "date": ["2024-02-01", "2023-12-01", "2024-02-01", "2024-02-01", "soon", "2024-02-01"],
                       "response_status": ["implemented", "acknowledged", "acknowledged", "acknowledged",
                                           None, "acknowledged"],
                       "fidelity": ["unchanged", None, None, None, None, None],
                       "impact_type": ["symbolic", None, None, None, None, None]})
    res = validate_register(recs, ev)
    got = {(r.row, r.column, r.check): r.value for r in res.recommendations.failures.itertuples()}
    assert (res.recommendations.failures["source"] == "recommendations").all()
    assert got == {(1, "process_id", "missing_value"): "", (1, "submitted", "date"): "01/02/2024x",
                   (1, "vote_share", "type"): "lots", (2, "rec_id", "missing_id"): "",
                   (3, "vote_share", "out_of_range"): "1.2", (3, "cost_class", "not_allowed"): "vast"}
    got = {(r.row, r.column, r.check): r.value for r in res.events.failures.itertuples()}
    assert got == {(0, "impact_type", "not_allowed"): "symbolic", (1, "date", "before_submission"): "2023-12-01",
                   (2, "rec_id", "unknown_rec_id"): "zz", (3, "rec_id", "missing_id"): "",
                   (4, "date", "date"): "soon", (4, "response_status", "missing_value"): "",
                   (5, "rec_id", "recommendation_quarantined"): "b"}
    assert (res.events.failures["severity"] == "error").all()
    assert res.register.recommendations["rec_id"].tolist() == ["a"]
    assert res.register.recommendations["cost_class"].tolist() == ["unknown"]  # blank means unknown
    assert res.register.events.empty
    with pytest.raises(DataInputError, match="required: rec_id, date, response_status"):
        validate_register(recs, ev.drop(columns="date"))
    with pytest.raises(DataInputError, match="must be a pandas DataFrame"):
        validate_register(recs.to_dict(), ev)


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
