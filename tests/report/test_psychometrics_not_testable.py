"""Just-identified scales read "not testable" in the report, never "CFI 1.000, RMSEA 0.000" (issue 18)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from deliberval.report import ReportSettings, build_report
from deliberval.report.render import render_html, write_xlsx


@pytest.fixture(scope="module")
def evaluation(demo_evaluations: dict[str, tuple[Any, Any]]) -> Any:
    """The Gentofte example evaluated as ``deliberval report`` does (the session's demo evaluation)."""
    return demo_evaluations["gentofte_ptc"][0]


def test_three_item_scales_have_no_fit_in_diagnostics(evaluation) -> None:  # type: ignore[no-untyped-def]
    sc = evaluation.scales
    just = sc[sc["cfa_df"] == 0]
    assert len(just) > 0
    assert (just["n_items"] == 3).all()
    assert just[["cfi", "tli", "rmsea", "srmr"]].isna().all().all()
    assert just["flags"].str.contains("note: fit not testable", regex=False).all()
    # testable models (df > 0) keep their fit
    testable = sc[sc["cfa_df"] > 0]
    assert len(testable) > 0
    assert testable["cfi"].notna().all()


def test_report_psychometrics_table_says_not_testable(evaluation, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(evaluation, ReportSettings())
    tab = next(t for s in rep.sections for t in s.tables if t.key == "psychometrics")
    just = tab.data[tab.data["flags"].fillna("").str.contains("fit not testable", regex=False)]
    assert len(just) > 0
    assert just["cfi"].isna().all()
    assert just["rmsea"].isna().all()
    html = render_html(rep, timestamp="2026-01-01 00:00:00 UTC")
    assert "fit not testable" in html
    out = write_xlsx([tab], tmp_path / "r.xlsx")
    sheet = pd.read_excel(out, sheet_name="psychometrics")
    flagged = sheet[sheet["flags"].fillna("").str.contains("fit not testable", regex=False)]
    assert len(flagged) == len(just)
    assert flagged["cfi"].isna().all()
