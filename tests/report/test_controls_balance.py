"""The report's comparison group balance: what it shows is what propensity_weights computes.

The climate_assembly demo configuration compares the members with the volunteers not selected
on gender, age and education (``controls:``). The report's balance table, effective n, adjusted
DiD rows and XLSX sheets must carry the numbers of :func:`propensity_weights` and
:func:`event_study` called directly; a category of fewer than ``min_cell_size`` participants or
controls (gender "other": one member) is withheld and no count per category is published.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.propensity import propensity_weights
from deliberval.report import ReportSettings, build_report, render_html
from deliberval.report.render import write_xlsx


@pytest.fixture(scope="module")
def climate(demo_evaluations: dict[str, tuple[Any, Any]]) -> tuple[Any, list[str]]:
    ev, cfg = demo_evaluations["climate_assembly"]
    return ev, list(cfg.controls.covariates)


def _tables(rep: Any) -> dict[str, Any]:
    sec = next(s for s in rep.sections if s.key == "change")
    return {tab.key: tab for tab in sec.tables}


def _direct(ev: Any, covs: list[str]) -> Any:
    s = ev.scored.data
    pre = s.loc[(s["wave"] == "pre") & s["group"].isin(["participant", "control"])]
    return propensity_weights(pre.set_index("respondent_id")[["group", *covs]], "group", covs, treated="participant")


def test_balance_table_equals_propensity_weights(climate: tuple[Any, list[str]]) -> None:
    ev, covs = climate
    assert covs == ["demo_gender", "demo_age_band", "demo_education"]
    direct = _direct(ev, covs)
    tabs = _tables(build_report(ev, ReportSettings()))
    bal = tabs["balance"].data
    assert len(bal) == len(direct.balance) == 12
    hidden = bal["suppressed"].to_numpy(dtype=bool)
    # gender "other": 1 member (< 5) -> withheld; nothing else is
    assert hidden.sum() == 1
    assert bal.loc[hidden, "suppression"].tolist() == ["primary"]
    assert direct.balance.loc[hidden, "covariate"].tolist() == ["demo_gender=other"]
    assert bal.loc[hidden, ["asmd_before", "asmd_after"]].isna().all(axis=None)
    np.testing.assert_allclose(bal.loc[~hidden, "asmd_before"].to_numpy(dtype=float),
                               direct.balance.loc[~hidden, "asmd_before"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(bal.loc[~hidden, "asmd_after"].to_numpy(dtype=float),
                               direct.balance.loc[~hidden, "asmd_after"].to_numpy(), rtol=1e-12)
    # values a reader can check: education is the imbalance the weights remove
    edu = direct.balance.set_index("covariate").loc["demo_education=isced_5_8"]
    assert edu["asmd_before"] == pytest.approx(0.374136, abs=5e-7)
    assert edu["asmd_after"] < 0.1
    # no count per category is published, only the ASMD
    assert [c for c in bal.columns if c not in ("suppressed", "suppression")] == [
        "covariate", "category", "asmd_before", "asmd_after"]
    # labels from the instrument, never codes
    assert set(bal["covariate"]) == {"Gender", "Age", "Education"}
    assert "Tertiary education (ISCED 5-8)" in set(bal["category"])
    assert not bal["category"].str.contains("isced|_", regex=True).any()
    summ = tabs["balance_summary"].data
    assert summ["n"].tolist() == direct.summary["n"].tolist() == [98, 621]
    np.testing.assert_allclose(summ["effective_n"].to_numpy(dtype=float),
                               direct.summary["effective_n_after"].to_numpy(), rtol=1e-12)
    assert float(summ["effective_n"].iloc[1]) == pytest.approx(416.501393, abs=5e-6)
    note = tabs["balance"].note
    assert "0.1" in note
    assert "Austin 2011" in note
    assert "Stuart 2010" in note


def test_adjusted_did_rows_sit_next_to_the_unadjusted(climate: tuple[Any, list[str]]) -> None:
    ev, _ = climate
    did = _tables(build_report(ev, ReportSettings()))["did"].data
    adjusted = did.loc[did["model"] == "adjusted: propensity-weighted, covariates"]
    assert len(adjusted) == len(ev.did_adjusted) == 4
    np.testing.assert_allclose(adjusted["estimate"].to_numpy(dtype=float),
                               ev.did_adjusted["estimate"].to_numpy(dtype=float), rtol=0, atol=0)
    # each outcome: pooled OLS, fixed effects, then its adjusted row
    assert did["model"].tolist()[:3] == ["pooled OLS", "individual fixed effects",
                                         "adjusted: propensity-weighted, covariates"]
    assert did["outcome"].iloc[0] == did["outcome"].iloc[2]


def test_html_and_xlsx(climate: tuple[Any, list[str]], tmp_path: Path) -> None:
    import openpyxl

    ev, _ = climate
    for lang, title, sheet in (("en", "Comparison group balance", "balance"),
                               ("fr", "Équilibre du groupe témoin", "Équilibre")):
        rep = build_report(ev, ReportSettings(language=lang))
        html = render_html(rep, timestamp="t")
        assert title in html
        assert "Austin 2011" in html
        assert "demo_gender" not in html
        assert "isced_5_8" not in html
        path = write_xlsx(rep.tables(), tmp_path / f"{lang}.xlsx", lang=lang)
        book = openpyxl.load_workbook(path, read_only=True)
        assert sheet in book.sheetnames
        ws = book[sheet]
        header = [c.value for c in next(ws.iter_rows(max_row=1))]
        assert not any("count" in str(h).lower() for h in header)
        book.close()


def test_the_plot_draws_only_published_categories(climate: tuple[Any, list[str]],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import deliberval.plots.balance as balance_plots

    ev, _ = climate
    drawn: list[pd.DataFrame] = []
    real = balance_plots.plot_balance

    def spy(result: Any, **kwargs: Any) -> Any:
        drawn.append(result.balance)
        return real(result, **kwargs)

    monkeypatch.setattr(balance_plots, "plot_balance", spy)
    rep = build_report(ev, ReportSettings())
    assert "balance" in [f.key for f in next(s for s in rep.sections if s.key == "change").figures]
    labels = drawn[0]["covariate"].tolist()
    assert len(labels) == 11
    assert "Gender: Man" in labels
    assert not any("Other" in lab for lab in labels)


def test_a_higher_threshold_withholds_more_categories(climate: tuple[Any, list[str]]) -> None:
    ev, _ = climate
    strict = replace(ev, settings=replace(ev.settings, min_cell_size=20))
    bal = _tables(build_report(strict, ReportSettings()))["balance"].data
    cats = ev.balance_categories
    small = ((cats["count_participant"] < 20) | (cats["count_control"] < 20)).to_numpy(dtype=bool)
    assert small.sum() >= 3  # gender "other" and the age bands of fewer than 20 members
    assert bal["suppressed"].to_numpy(dtype=bool).tolist() == small.tolist()


def test_no_covariates_no_section_but_a_reason() -> None:
    from deliberval.datasets import load_example
    from deliberval.indicators import evaluate_process
    from deliberval.instruments import load_instrument
    from deliberval.validation.process import process_data

    r = load_example("climate_assembly", seed=2021).responses
    controls = r.loc[r["group"] == "control", "respondent_id"].drop_duplicates().iloc[:150]
    r = r.loc[(r["group"] == "participant") | r["respondent_id"].isin(controls)]
    ev = evaluate_process(process_data(load_instrument("participant_standard"), responses=r, synthetic=True))
    for lang, notice in (("en", "Comparison group balance not assessed: no covariates given for the control "
                                "group (controls: covariates)"),
                         ("de", "Balance der Kontrollgruppe nicht bewertet: keine Kovariaten für die Kontrollgruppe "
                                "angegeben (controls: covariates)")):
        rep = build_report(ev, ReportSettings(language=lang))
        sec = next(s for s in rep.sections if s.key == "change")
        assert "did" in {tab.key for tab in sec.tables}
        assert not {"balance", "balance_summary", "event_study"} & {tab.key for tab in sec.tables}
        assert "balance" not in [f.key for f in sec.figures]
        assert notice in sec.notices
