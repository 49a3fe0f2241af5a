"""Byte-identical XLSX (and PDF) across runs, and typed, formatted XLSX cells (issue 18)."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from deliberval.datasets.registers import simulate_register
from deliberval.instruments import load_instrument
from deliberval.instruments.export.xlsform import to_xlsform
from deliberval.io.register import write_register
from deliberval.io.writers import write_excel
from deliberval.report import Table
from deliberval.report.render import pdf_available, write_pdf, write_xlsx
from deliberval.reproducible import fixed_source_date_epoch, fixed_timestamp, freeze_xlsx


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def _tables() -> list[Table]:
    data = pd.DataFrame(
        {
            "stage": ["selected", "attended"],
            "n": [120, 97],
            "retained": [1.0, 0.8083333333333333],
            "mean": [7.000000000000001, 6.123456],
            "p_value": [0.0004, 0.25],
            "weight_sum": [12.0, 8.4],
            "suppressed": [False, False],
        }
    )
    return [
        Table("funnel", "Funnel", data,
              {"stage": "text", "n": "int", "retained": "pct", "mean": "num1", "p_value": "p"})
    ]


def _stamps(path: Path) -> tuple[set[tuple[int, ...]], str]:
    with zipfile.ZipFile(path) as z:
        times = {tuple(i.date_time) for i in z.infolist()}
        core = z.read("docProps/core.xml").decode()
    return times, core


def test_two_writes_of_the_same_tables_are_byte_identical(tmp_path: Path) -> None:
    a = write_xlsx(_tables(), tmp_path / "a.xlsx", provenance=[("process", "x")])
    time.sleep(2.1)  # zip times have a two-second resolution: a clock-stamped file would differ
    b = write_xlsx(_tables(), tmp_path / "b.xlsx", provenance=[("process", "x")])
    assert a.read_bytes() == b.read_bytes()
    times, core = _stamps(a)
    assert times == {(2000, 1, 1, 0, 0, 0)}
    # the element's attributes differ with the XML writer openpyxl picks (lxml or not): match the value
    assert re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core) == [
        ("created", "2000-01-01T00:00:00Z"), ("modified", "2000-01-01T00:00:00Z")]
    # the workbook still opens, with the same content
    assert pd.read_excel(a, sheet_name="funnel")["n"].tolist() == [120, 97]


def test_source_date_epoch_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    assert fixed_timestamp().isoformat() == "2023-11-14T22:13:20+00:00"
    out = write_xlsx(_tables(), tmp_path / "a.xlsx")
    times, core = _stamps(out)
    assert times == {(2023, 11, 14, 22, 13, 20)}
    assert core.count("2023-11-14T22:13:20Z") == 2
    wb = openpyxl.load_workbook(out)
    assert wb.properties.created.isoformat().startswith("2023-11-14T22:13:20")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # before 1980: the earliest zip time instead
    assert _stamps(write_xlsx(_tables(), tmp_path / "b.xlsx"))[0] == {(1980, 1, 1, 0, 0, 0)}


def test_xlsx_cells_are_typed_and_formatted_per_column(tmp_path: Path) -> None:
    out = write_xlsx(_tables(), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(out)["funnel"]
    header = [c.value for c in ws[1]]
    assert header == ["stage", "n", "retained", "mean", "p_value", "weight_sum", "suppressed"]
    row2 = dict(zip(header, ws[2], strict=True))
    row3 = dict(zip(header, ws[3], strict=True))
    assert (row2["n"].value, row2["n"].number_format) == (120, "#,##0")
    assert isinstance(row2["n"].value, int)
    assert (row3["retained"].value, row3["retained"].number_format) == (0.808333333333333, "0%")
    # float noise removed from the stored value, one decimal shown as the report says
    assert (row2["mean"].value, row2["mean"].number_format) == (7, "0.0")
    assert (row3["mean"].value, row3["mean"].number_format) == (6.123456, "0.0")
    assert (row2["p_value"].value, row2["p_value"].number_format) == (0.0004, "0.000")
    # a float column without a declared format: two decimals, as in the HTML table
    assert (row3["weight_sum"].value, row3["weight_sum"].number_format) == (8.4, "0.00")
    assert row2["stage"].number_format == "General"
    assert row2["suppressed"].value is False
    assert ws.freeze_panes == "A2"


def test_weighted_count_and_missing_values(tmp_path: Path) -> None:
    data = pd.DataFrame({"n": [12.5, np.nan, 3.0], "share": [0.5, np.inf, np.nan]})
    out = write_xlsx([Table("t", "T", data, {"n": "int", "share": "pct"})], tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(out)["t"]
    assert (ws["A2"].value, ws["A2"].number_format) == (12.5, "#,##0.0")
    assert ws["A3"].value is None
    assert ws["B3"].value is None
    assert (ws["A4"].value, ws["A4"].number_format) == (3, "#,##0")


def test_register_excel_and_xlsform_writers_are_byte_identical(tmp_path: Path) -> None:
    reg = simulate_register("cofoe_panel", seed=2)
    df = pd.DataFrame({"a": [1.5, 2.0], "b": ["x", "y"]})
    ins = load_instrument("political_efficacy")
    first = [
        write_register(reg, tmp_path / "r1.xlsx").read_bytes(),
        write_excel(df, tmp_path / "e1.xlsx").read_bytes(),
        to_xlsform(ins, tmp_path / "f1.xlsx").read_bytes(),
    ]
    time.sleep(2.1)
    second = [
        write_register(reg, tmp_path / "r2.xlsx").read_bytes(),
        write_excel(df, tmp_path / "e2.xlsx").read_bytes(),
        to_xlsform(ins, tmp_path / "f2.xlsx").read_bytes(),
    ]
    assert first == second
    for name in ("r1.xlsx", "e1.xlsx", "f1.xlsx"):
        assert _stamps(tmp_path / name)[0] == {(2000, 1, 1, 0, 0, 0)}


def test_freeze_keeps_entries_and_compression(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(out, index=False)
    with zipfile.ZipFile(out) as z:
        before = [(i.filename, i.compress_type, z.read(i)) for i in z.infolist()]
    freeze_xlsx(out)
    with zipfile.ZipFile(out) as z:
        after = [(i.filename, i.compress_type, z.read(i)) for i in z.infolist()]
    assert [a[:2] for a in after] == [b[:2] for b in before]
    assert [a[2] for a in after if a[0] != "docProps/core.xml"] == [
        b[2] for b in before if b[0] != "docProps/core.xml"
    ]
    assert not (tmp_path / "t.xlsx.tmp").exists()


def test_fixed_source_date_epoch_restores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    with fixed_source_date_epoch():
        assert os.environ["SOURCE_DATE_EPOCH"] == "946684800"
    assert "SOURCE_DATE_EPOCH" not in os.environ
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with fixed_source_date_epoch():
        assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"
    assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"


@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint is not installed")
def test_two_pdf_writes_are_byte_identical(tmp_path: Path) -> None:
    # fontTools stamps each subset font's head.modified with the current second unless
    # SOURCE_DATE_EPOCH is set; write_pdf sets it for the write
    html = "<html><body><h1>Report</h1><p>Résumé 46 %</p></body></html>"
    a = write_pdf(html, tmp_path / "a.pdf").read_bytes()
    time.sleep(1.1)
    b = write_pdf(html, tmp_path / "b.pdf").read_bytes()
    assert a == b


def test_indicator_table_cells_follow_each_rows_unit(tmp_path: Path) -> None:
    data = pd.DataFrame(
        {
            "indicator_id": ["a", "b", "c"],
            "estimate": [0.46, 3.2, 1.25],
            "ci_low": [0.40, 2.9, 0.5],
            "unit": ["proportion", "percentage_points", "scale_mean"],
            "n": [50, 50, 50],
        }
    )
    out = write_xlsx([Table("indicators", "indicators", data)], tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(out)["indicators"]
    assert [ws.cell(row=r, column=2).number_format for r in (2, 3, 4)] == ["0%", "0.0", "0.00"]
    assert [ws.cell(row=r, column=3).number_format for r in (2, 3, 4)] == ["0%", "0.0", "0.00"]
    assert ws["B2"].value == 0.46
    assert ws["E2"].number_format == "#,##0"
