"""The report's measurement-invariance table (issue 19): wiring, words in every language, disclosure."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest

from deliberval.analysis.cfa import invariance
from deliberval.indicators.scales import MIN_PER_LANGUAGE, _keyed_items, scale_invariance
from deliberval.report import ReportSettings, build_report
from deliberval.report.i18n import COLUMNS, t

LANGS = ("en", "fr", "nl", "de", "da")


@pytest.fixture(scope="module")
def cofoe(demo_evaluations: dict[str, tuple[Any, Any]]) -> Any:
    """The CoFoE evaluation with invariance: true (the shared fixture has the default, off)."""
    from deliberval.indicators.evaluate import _scale_invariance

    ev = demo_evaluations["cofoe_panel"][0]
    assert ev.scale_invariance is None  # off by default
    assert "invariance: true" in ev.reasons["scale_invariance"]
    settings = dataclasses.replace(ev.settings, invariance=True)
    reasons: dict[str, str] = {}
    inv = _scale_invariance(_participants(ev), ev.instrument, settings, reasons)
    assert not reasons
    return dataclasses.replace(ev, settings=settings, scale_invariance=inv)


def _participants(ev: Any) -> pd.DataFrame:
    sc = ev.scored.data
    return sc[sc["group"] == "participant"]


def test_evaluation_holds_the_invariance_of_every_scale(cofoe: Any) -> None:
    inv = cofoe.scale_invariance
    k = cofoe.settings.min_cell_size
    expected = scale_invariance(_participants(cofoe), cofoe.instrument, min_n=max(MIN_PER_LANGUAGE, k))
    pd.testing.assert_frame_equal(inv, expected)
    # every scale of 3+ items answered in both waves, across the four languages and the waves
    assert set(inv["comparison"]) == {"languages", "waves"}
    assert (inv.loc[inv["comparison"] == "languages", "levels"] == "de, en, fr, nl").all()
    assert inv["note"].isin(["", "categories", "unused_category", "ordinal_failed"]).all()
    # the waves row is the longitudinal model of the same participants, as invariance() fits it
    row = inv[inv["comparison"] == "waves"].iloc[0]
    items = [i for sc in cofoe.instrument.scales if sc.id == row["scale"] for i in sc.items]
    part = _participants(cofoe)
    keyed = _keyed_items(part, cofoe.instrument).assign(
        wave=part["wave"].to_numpy(), respondent_id=part["respondent_id"].to_numpy())
    pair = keyed[keyed["wave"].isin(["pre", "post"])].dropna(subset=items)
    both = pair.groupby("respondent_id")["wave"].nunique()
    pair = pair[pair["respondent_id"].isin(both.index[both == 2])]
    direct = invariance(pair, items, wave="wave", respondent="respondent_id")
    assert row["n"] == direct["n"].iloc[0]
    assert row["delta_cfi"] == pytest.approx(direct["delta_cfi"].iloc[2], abs=1e-12)
    assert row["diff_p_value"] == pytest.approx(direct["diff_p_value"].iloc[2], abs=1e-12)


@pytest.mark.parametrize("lang", LANGS)
def test_table_in_words_of_the_report_language(cofoe: Any, lang: str) -> None:
    rep = build_report(cofoe, ReportSettings(language=lang))
    tab = next(tb for sec in rep.sections for tb in sec.tables if tb.key == "scale_invariance")
    assert tab.rule is not None
    assert tab.checked
    assert "n" not in tab.data.columns  # no group sizes
    inv = cofoe.scale_invariance
    assert len(tab.data) == len(inv)
    for shown, r in zip(tab.data.to_dict("records"), inv.to_dict("records"), strict=True):
        step = t(lang, f"inv_step_{r['step']}")
        assert shown["verdict"] == t(lang, "inv_holds" if r["holds"] else "inv_fails", step=step)
        assert shown["comparison"] == t(lang, f"inv_{r['comparison']}")
        assert shown["delta_cfi"] == pytest.approx(r["delta_cfi"], abs=1e-12)
        assert shown["invariance_note"] == (t(lang, f"inv_note_{r['note']}") if r["note"] else "")
    if lang != "en":
        text = " ".join(tab.data[["verdict", "comparison", "invariance_note"]].astype(str).agg(" ".join, axis=1))
        for english in ("holds", "does not hold", "equal loadings", "languages", "answer categor"):
            assert english not in text
    for col in ("levels", "estimator", "delta_cfi", "diff_p_value", "invariance_note"):
        assert COLUMNS[lang][col]
    assert str(max(MIN_PER_LANGUAGE, cofoe.settings.min_cell_size)) in tab.note


def test_off_by_default(cofoe: Any, demo_evaluations: dict[str, tuple[Any, Any]]) -> None:
    from deliberval.indicators import EvaluationSettings
    from deliberval.io.config import ProcessConfig

    assert EvaluationSettings().invariance is False
    assert ProcessConfig.model_fields["invariance"].default is False
    cfg = demo_evaluations["cofoe_panel"][1]
    assert EvaluationSettings.from_config(cfg).invariance is False
    on = ProcessConfig.model_validate({**cfg.model_dump(), "invariance": True})
    assert EvaluationSettings.from_config(on).invariance is True
    ev = dataclasses.replace(cofoe, scale_invariance=None)
    rep = build_report(ev, ReportSettings())
    assert not any(tb.key == "scale_invariance" for sec in rep.sections for tb in sec.tables)
