"""Intake that accounts for every row, and errors that help (issue 16, deliverables 4 and 5).

Every data row of a file is a row of the table read (valid + quarantined == rows written); rows
the reader cannot shape are quarantined with their line as the user sees it; dates, YAML scalars
and degenerate inputs are never guessed. Each traceback listed in the issue has a regression
test here that now gives a one-line error.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from deliberval.analysis.did import DegenerateDIDWarning, did
from deliberval.cli import app
from deliberval.errors import DataInputError
from deliberval.io import load_mapping, read_responses, read_table
from deliberval.io.config import load_config
from deliberval.io.register import read_register, write_register
from deliberval.privacy import suppress_small_cells
from deliberval.validation import validate
from deliberval.validation.register import validate_register

from .conftest import SURVEYS

runner = CliRunner()


def _validate(path: Path, fixture_instrument, **kwargs):
    return validate(read_responses(path, fixture_instrument, **kwargs), fixture_instrument)


# ---------------------------------------------------------------- CSV: rows, lines, line ends


def test_short_and_long_rows_are_quarantined_with_their_file_line(tmp_path, fixture_instrument):
    path = tmp_path / "d.csv"
    path.write_text("respondent_id,wave,fx_trust\n"
                    "1,pre,3\n"
                    "\n"                # a blank line 3: not a row, and later lines stay right
                    "2,pre\n"           # line 4: short
                    "3,pre,4,9\n"       # line 5: long
                    "4,pre,5\n", encoding="utf-8")
    res = _validate(path, fixture_instrument)
    assert res.n_rows == 4
    assert len(res.valid) == 2
    assert len(res.quarantined) == 2
    shape = res.failures[res.failures["check"] == "row_shape"]
    assert shape[["row", "line", "id", "value"]].values.tolist() == [[1, 4, "2", "2,pre"], [2, 5, "3", "3,pre,4,9"]]
    assert shape["message"].iloc[0].startswith("line 4 has 2 field(s) but the header names 3 columns")
    assert res.valid["respondent_id"].tolist() == ["1", "4"]


def test_line_numbers_after_blank_lines_and_cells_spanning_lines(tmp_path, fixture_instrument):
    path = tmp_path / "d.csv"
    path.write_text('respondent_id,wave,fx_trust\n1,pre,"3\nthree"\n\n\n2,pre,11\n', encoding="utf-8")
    res = _validate(path, fixture_instrument)
    assert res.failures[["id", "line", "check"]].values.tolist() == [["1", 2, "type"], ["2", 6, "out_of_range"]]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_line_ends_and_carriage_returns_inside_cells_never_make_rows(tmp_path, ending):
    rows = [["r1", "pre", 'a "quoted"\r\nnote'], ["r2", "pre", "stray\rCR"], ["r3", "post", "x\ry"],
            ["r4", "post", "plain"]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator=ending, quoting=csv.QUOTE_MINIMAL).writerows([["respondent_id", "wave", "note"], *rows])
    text = buf.getvalue()
    if ending != "\r":  # an unquoted stray CR inside a cell (typed into a field, not a line end)
        text = text.replace('"stray\rCR"', "stray\rCR")
    path = tmp_path / "d.csv"
    path.write_bytes(text.encode("utf-8"))
    df = read_table(path)
    assert len(df) == 4
    assert df["respondent_id"].tolist() == ["r1", "r2", "r3", "r4"]
    if ending != "\r":  # in a CR-only file a CR is a line end, inside quotes a line break
        assert df["note"].tolist() == [r[2] for r in rows]


def test_real_file_with_every_line_end_reads_every_row(tmp_path, data_dir):
    """deliberr's human_data.csv (real, MIT) rewritten with CRLF and CR-only line ends."""
    raw = (data_dir / "deliberr" / "human_data.csv").read_bytes().replace(b"\r\n", b"\n")
    expected = sum(1 for _ in csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))) - 1
    assert expected == 1052
    for ending in (b"\n", b"\r\n", b"\r"):
        path = tmp_path / "human.csv"
        path.write_bytes(raw.replace(b"\n", ending))
        df = read_table(path)
        assert len(df) == expected
        assert "read_problems" not in df.attrs
        assert "lines" not in df.attrs


def test_an_unclosed_quote_is_one_error_naming_the_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('a,b\n1,2\n3,"open\n4,5\n', encoding="utf-8")
    with pytest.raises(DataInputError, match=r"d\.csv: line 3: unexpected end of data"):
        read_table(path)


@pytest.mark.parametrize(("header", "pattern"), [
    ("respondent_id,wave,fx_trust,fx_trust ", r"columns 'fx_trust' and 'fx_trust ' differ only in blanks or case; did you mean 'fx_trust'"),
    ("respondent_id,wave,g1/fx_trust,g2/fx_trust",
     r"columns 'g1/fx_trust' and 'g2/fx_trust' name the same item in two groups .*; did you mean 'g1_fx_trust' and 'g2_fx_trust'"),
    ("respondent_id,wave,,fx_trust", r"column 3 has no name in line 1 \(header\) but holds values"),
])
def test_near_duplicate_and_unnamed_columns_are_errors_with_a_suggestion(tmp_path, header, pattern):
    path = tmp_path / "d.csv"
    path.write_text(f"{header}\n1,pre,3,4\n", encoding="utf-8")
    with pytest.raises(DataInputError, match=pattern):
        read_table(path)


def test_an_empty_unnamed_trailing_column_is_dropped(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("respondent_id,wave,\n1,pre,\n", encoding="utf-8")
    assert read_table(path).to_dict("list") == {"respondent_id": ["1"], "wave": ["pre"]}


def test_an_id_written_na_is_reported_as_read_as_missing(tmp_path, fixture_instrument):
    path = tmp_path / "d.csv"
    path.write_text("respondent_id,wave,fx_trust\nNA,pre,3\n,pre,4\n", encoding="utf-8")
    f = _validate(path, fixture_instrument).failures
    assert f[["line", "value", "message"]].values.tolist() == [
        [2, "NA", "respondent_id 'NA' was read as missing (an NA-like text); every row needs one"],
        [3, "", "respondent_id is empty; every row needs one"],
    ]


def test_a_member_id_written_null_is_reported_as_read_as_missing(tmp_path):
    from deliberval.validation import validate_members

    path = tmp_path / "members.csv"
    path.write_text("person_id,process_id,role\nnull,p,citizen\nm2,p,citizen\n", encoding="utf-8")
    f = validate_members(read_table(path)).failures
    row = f[f["column"] == "person_id"]
    assert row[["line", "value", "check"]].values.tolist() == [[2, "null", "missing_value"]]
    assert row["message"].iloc[0].startswith("person_id 'null' was read as missing (an NA-like text); every row needs")


def test_missing_columns_name_the_file_and_sheet(tmp_path, fixture_instrument):
    path = tmp_path / "d.xlsx"
    pd.DataFrame({"id": ["1"], "time": ["pre"]}).to_excel(path, index=False, sheet_name="Answers")
    with pytest.raises(DataInputError, match=r"d\.xlsx \[Answers\]: data lack column\(s\) 'respondent_id', 'wave'"):
        validate(read_responses(path), fixture_instrument)


# ---------------------------------------------------------------- Excel


def _workbook(path: Path, rows: list[list[object]], title: str = "Sheet1", more: dict | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for name, extra in (more or {}).items():
        other = wb.create_sheet(name)
        for r in extra:
            other.append(r)
    wb.save(path)
    return path


def test_excel_rows_of_na_cells_are_counted_and_error_cells_quarantined(tmp_path, fixture_instrument):
    path = _workbook(tmp_path / "d.xlsx", [
        ["respondent_id", "wave", "fx_trust"],
        ["1", "pre", 3],
        [None, None, None],          # row 3: blank, skipped, later rows keep their Excel row
        ["NA", "NA", "NA"],          # row 4: NA-like cells: a row, quarantined, never vanished
        ["2", "pre", "#DIV/0!"],     # row 5: an Excel error cell
        ["3", "pre", "#N/A"],        # row 6
        ["4", "post", 4.0],
    ])
    res = _validate(path, fixture_instrument)
    assert res.n_rows == 5
    assert len(res.valid) == 2
    assert len(res.quarantined) == 3
    f = res.failures[res.failures["check"].isin(["missing_id", "excel_error"])]
    assert f[["line", "column", "value", "check"]].values.tolist() == [
        [4, "respondent_id", "NA", "missing_id"],
        [5, "fx_trust", "#DIV/0!", "excel_error"],
        [6, "fx_trust", "#N/A", "excel_error"],
    ]
    assert sorted(res.quarantined.index) == [1, 2, 3]
    assert f["source"].iloc[0].endswith("d.xlsx [Sheet1]")
    assert "cell C5 of sheet 'Sheet1' holds the Excel error #DIV/0!" in f["message"].iloc[1]


def test_excel_sheet_is_chosen_by_name_and_a_wrong_name_is_one_error(tmp_path):
    path = _workbook(tmp_path / "d.xlsx", [["a"], ["1"]], more={"Wave 2": [["respondent_id", "wave"], ["7", "post"]]})
    assert read_table(path, sheet="Wave 2").to_dict("list") == {"respondent_id": ["7"], "wave": ["post"]}
    assert read_table(path, sheet=1).attrs["file"].endswith("d.xlsx [Wave 2]")
    with pytest.raises(DataInputError, match=r"has no sheet 'wave 2'; sheets: \['Sheet1', 'Wave 2'\]; did you mean 'Wave 2'\?"):
        read_table(path, sheet="wave 2")
    csv_path = tmp_path / "d.csv"
    csv_path.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(DataInputError, match="applies to Excel workbooks only"):
        read_table(csv_path, sheet="x")


def test_excel_duplicated_header_is_an_error_not_a_rename(tmp_path):
    path = _workbook(tmp_path / "d.xlsx", [["respondent_id", "wave", "q1", "q1"], ["1", "pre", 1, 2]])
    with pytest.raises(DataInputError, match=r"d\.xlsx \[Sheet1\]: line 1 \(header\) repeats column name\(s\) \['q1'\]"):
        read_table(path)


def test_legacy_xls_is_read_or_one_error(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)  # an OLE2 header, no workbook
    with pytest.raises(DataInputError) as info:
        read_table(path)
    assert "\n" not in str(info.value)
    assert "old.xls" in str(info.value)


# ---------------------------------------------------------------- register dates


def _register_csv(folder: Path, submitted: str, date: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "recommendations.csv").write_text(
        f"process_id,rec_id,title,submitted\np,r1,Bike lanes,{submitted}\n", encoding="utf-8")
    (folder / "events.csv").write_text(f"rec_id,date,response_status\nr1,{date},acknowledged\n", encoding="utf-8")
    return folder


def test_ambiguous_register_dates_are_refused_and_a_declared_format_reads_them(tmp_path):
    raw = read_register(_register_csv(tmp_path / "reg", "03/02/2024", "13/03/2024"))
    res = validate_register(raw.recommendations, raw.events)
    f = res.recommendations.failures
    assert f[["line", "column", "value", "check"]].values.tolist() == [[2, "submitted", "03/02/2024", "date"]]
    assert f["message"].iloc[0].startswith("submitted '03/02/2024' is ambiguous (3 February or 2 March?)")
    assert sorted(res.events.failures["check"]) == ["date", "recommendation_quarantined"]
    ok = validate_register(raw.recommendations, raw.events, date_format="DD/MM/YYYY")
    assert ok.all_valid
    assert ok.register.recommendations["submitted"].tolist() == [pd.Timestamp("2024-02-03")]
    assert ok.register.events["date"].tolist() == [pd.Timestamp("2024-03-13")]


def test_register_date_9999_is_a_failure_and_a_one_line_cli_error(tmp_path):
    folder = _register_csv(tmp_path / "reg", "2024-03-01", "9999-12-31")
    raw = read_register(folder)
    f = validate_register(raw.recommendations, raw.events).events.failures
    assert f[["line", "value", "check"]].values.tolist() == [[2, "9999-12-31", "date"]]
    assert "is outside the years 1800-2200" in f["message"].iloc[0]
    res = runner.invoke(app, ["uptake", str(folder), "--as-of", "2025-01-01"])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert "events line 2 (rec_id 'r1'): date '9999-12-31' is outside the years 1800-2200" in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_several_register_problems_are_one_line_and_a_file(tmp_path):
    folder = _register_csv(tmp_path / "reg", "03/02/2024", "9999-12-31")
    res = runner.invoke(app, ["uptake", str(folder), "--as-of", "2025-01-01"], terminal_width=400)
    assert res.exit_code == 2
    listed = tmp_path / "reg.failures.csv"
    assert res.output.strip().endswith(f"all of them are listed in {listed}")
    assert len(res.output.strip().splitlines()) == 1
    assert "error: " in res.output  # long paths: the one line is shortened in its middle, the file named at its end
    assert pd.read_csv(listed)["check"].tolist() == ["date", "date", "recommendation_quarantined"]


def test_register_cells_written_na_are_said_as_written(tmp_path):
    folder = tmp_path / "reg"
    folder.mkdir()
    (folder / "recommendations.csv").write_text(
        "process_id,rec_id,title,submitted\np,NA,Bike lanes,2024-03-01\np,r2,Bus lanes,null\n", encoding="utf-8")
    (folder / "events.csv").write_text("rec_id,date,response_status\n", encoding="utf-8")
    raw = read_register(folder)
    f = validate_register(raw.recommendations, raw.events).recommendations.failures
    assert f[["line", "column", "value", "message"]].values.tolist() == [
        [2, "rec_id", "NA", "rec_id 'NA' was read as missing (an NA-like text); every recommendation needs one"],
        [3, "submitted", "null", "submitted 'null' was read as missing (an NA-like text); expected a date such as 2024-05-31"],
    ]


def test_process_configuration_declares_the_register_date_format(tmp_path):
    from deliberval.validation.process import load_process

    _register_csv(tmp_path / "reg", "03/02/2024", "13/03/2024")
    cfg = tmp_path / "p.yaml"
    cfg.write_text("process_id: p\ndate_format: DD/MM/YYYY\ndata:\n  register: reg\n", encoding="utf-8")
    data = load_process(load_config(cfg))
    assert data.register is not None
    assert data.register.all_valid
    assert data.register.register.recommendations["submitted"].tolist() == [pd.Timestamp("2024-02-03")]


def test_register_workbook_declares_its_date_format(tmp_path):
    from deliberval.datasets.registers import simulate_register

    out = write_register(simulate_register("gentofte_ptc", seed=1), tmp_path / "register.xlsx")
    raw = read_register(out)
    assert raw.date_format == "YYYY-MM-DD"  # written by the template's about sheet
    assert validate_register(raw.recommendations, raw.events).all_valid  # Excel date cells
    with pytest.raises(DataInputError, match=r"declares date_format 'YYYY-MM-DD' but the configuration says '%d/%m/%Y'"):
        validate_register(raw.recommendations, raw.events, date_format="%d/%m/%Y")


def test_register_workbook_line_numbers_survive_a_blank_row(tmp_path):
    from openpyxl import load_workbook

    from deliberval.datasets.registers import simulate_register

    out = write_register(simulate_register("gentofte_ptc", seed=1), tmp_path / "register.xlsx")
    wb = load_workbook(out)
    ws = wb["events"]
    ws.insert_rows(3)  # a blank row 3
    ws.cell(row=5, column=3, value="accepted")  # an unknown code on Excel row 5
    wb.save(out)
    raw = read_register(out)
    ef = validate_register(raw.recommendations, raw.events).events.failures
    assert ef[["line", "check"]].values.tolist() == [[3, "blank_row"], [5, "not_allowed"]]


# ---------------------------------------------------------------- YAML 1.2


def test_config_yaml_keeps_strings_as_written(tmp_path):
    cfg = tmp_path / "p.yaml"
    cfg.write_text("process_id: 0123\nexample: gentofte_ptc\nas_of: 2022-12-31\nseed: 7\n", encoding="utf-8")
    c = load_config(cfg)
    assert (c.process_id, str(c.as_of), c.seed) == ("0123", "2022-12-31", 7)


def test_mapping_yaml_keeps_no_and_leading_zeros(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("constants: {role: no, process_id: 0123, consent: yes}\nvalues: {wave: {01: pre, 2: post}}\n",
                 encoding="utf-8")
    mapping = load_mapping(m)
    assert mapping.constants == {"role": "no", "process_id": "0123", "consent": "yes"}
    assert mapping.values == {"wave": {"01": "pre", 2: "post"}}


@pytest.mark.parametrize("kind", ["mapping", "config"])
def test_deeply_nested_yaml_is_one_error(tmp_path, kind):
    path = tmp_path / "deep.yaml"
    path.write_text("columns: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    loader = load_mapping if kind == "mapping" else load_config
    with pytest.raises(DataInputError, match=r"deep\.yaml: line 1, column \d+: nested more than 50 levels deep"):
        loader(path)


def test_deeply_nested_config_is_a_one_line_cli_error(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("process_id: x\ndata: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", encoding="utf-8")
    res = runner.invoke(app, ["report", str(path), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert "nested more than 50 levels deep" in res.output


# ---------------------------------------------------------------- did() and weighted counts


def _did_table(y: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"respondent_id": [1, 2, 3, 4, 5, 6] * 2, "wave": ["pre"] * 6 + ["post"] * 6,
                         "group": (["participant"] * 3 + ["control"] * 3) * 2, "y": y})


def test_did_of_a_constant_outcome_is_nan_with_a_warning():
    with pytest.warns(DegenerateDIDWarning, match="'y' is constant"):
        r = did(_did_table([3.0] * 12), "y")
    assert r["estimate"].tolist() == [0.0, 0.0, 0.0]
    assert r[["se", "ci_low", "ci_high", "statistic", "p_value"]].isna().all().all()


def test_did_of_identical_changes_has_no_noise_p_value():
    pre = [3.0, 2.5, 3.5, 3.0, 2.0, 3.5]
    with pytest.warns(DegenerateDIDWarning, match="do not vary within the groups"):
        r = did(_did_table(pre + [v + 1 for v in pre[:3]] + pre[3:]), "y", vcov="CR1").set_index("model")
    assert r.loc["pooled_ols", "estimate"] == pytest.approx(1.0, abs=1e-12)
    assert np.isnan(r.loc["pooled_ols", "p_value"])
    assert np.isnan(r.loc["individual_fe", "p_value"])
    # the baseline difference has a real variance and keeps it
    assert r.loc["baseline_difference", "se"] == pytest.approx(0.5527708, abs=1e-6)


def test_did_with_variance_issues_no_warning():
    y = [3.0, 2.5, 3.5, 3.0, 2.0, 3.5, 4.0, 3.5, 4.0, 3.5, 2.0, 3.5]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = did(_did_table(y), "y")
    assert r["p_value"].notna().all()


def test_suppress_small_cells_takes_weighted_counts():
    t = pd.DataFrame({"g": ["a", "b", "c"], "n": [12.4, 3.2, 0.0], "mean": [1.0, 2.0, 3.0]})
    out = suppress_small_cells(t, "n")
    assert str(out["n"].dtype) == "Float64"
    assert out["n"].tolist()[0] == 12.4
    assert out["n"].isna().tolist() == [False, True, False]
    assert out["suppressed"].tolist() == [False, True, False]


# ---------------------------------------------------------------- command line: -o and --sheet


def test_report_output_at_a_folder_is_one_error_and_missing_folders_are_created(tmp_path):
    cfg = tmp_path / "p.yaml"
    cfg.write_text("process_id: x\nexample: gentofte_ptc\n", encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    res = runner.invoke(app, ["report", str(cfg), "-o", str(folder)])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert f"{folder}: is a folder; expected a file name such as {folder / 'report.html'}" in res.output.replace("\n", "")
    res = runner.invoke(app, ["report", str(cfg), "--xlsx", str(folder), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 2
    assert "is a folder" in res.output
    target = tmp_path / "new" / "deeper" / "r.html"
    res = runner.invoke(app, ["report", str(cfg), "-o", str(target)])
    assert res.exit_code == 0, res.output
    assert target.is_file()


def test_validate_reads_the_named_sheet_and_refuses_a_file_as_out_folder(tmp_path):
    path = _workbook(tmp_path / "d.xlsx", [["x"], ["1"]], more={"answers": [["respondent_id", "wave", "fx_trust"], ["1", "pre", 3]]})
    out = tmp_path / "new" / "out"
    args = ["validate", str(path), "--instrument", "fixture_survey", "--surveys", str(SURVEYS), "--out", str(out)]
    res = runner.invoke(app, [*args, "--sheet", "answers"])
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out / "valid.csv")) == 1
    res = runner.invoke(app, args)  # the first sheet has no respondent_id
    assert res.exit_code == 2
    assert "d.xlsx [Sheet1]: data lack column(s)" in res.output.replace("\n", "")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    res = runner.invoke(app, [*args[:-1], str(a_file), "--sheet", "answers"])
    assert res.exit_code == 2
    assert "is a file; -o names the folder" in res.output.replace("\n", "")


@pytest.mark.parametrize("command", [["demo"], ["instruments", "schema"]])
def test_output_folder_at_a_file_is_one_line_error(tmp_path, command):
    a_file = tmp_path / "taken"
    a_file.write_text("x", encoding="utf-8")
    res = runner.invoke(app, [*command, "-o", str(a_file)], terminal_width=400)
    assert res.exit_code == 2
    assert res.output.strip() == f"error: {a_file}: is a file; -o names a folder to write into (created when missing)"
    assert a_file.read_text(encoding="utf-8") == "x"
