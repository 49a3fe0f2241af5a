"""compare_evaluations: a meta-analysis replaces the singular mixed model with 2-4 processes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.meta import meta_analysis
from deliberval.indicators.compare import (
    MIN_PROCESSES_FOR_MODEL,
    ProcessSummary,
    compare_evaluations,
)
from deliberval.report.compare import build_comparison, render_comparison


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    from deliberval.datasets import load_example
    from deliberval.indicators import evaluate_process

    return evaluate_process(load_example("gentofte_ptc").process_data()).indicators


def _summaries(ind: pd.DataFrame, sizes: list[int], seed: int = 7) -> list[ProcessSummary]:
    gen = np.random.default_rng(seed)
    out = []
    for i, n in enumerate(sizes):
        ch = pd.DataFrame({"process_id": f"p{i}", "respondent_id": [f"p{i}_{j}" for j in range(n)],
                           "outcome": "external_efficacy", "change": np.round(gen.normal(0.2 * i, 1, n), 3)})
        out.append(ProcessSummary(f"p{i}", f"Process {i}", ind, ch, i, 5, True, "deliberval_indicators 1.2.0"))
    return out


def test_three_processes_get_a_meta_analysis_of_their_mean_changes(indicators: pd.DataFrame) -> None:
    s = _summaries(indicators, [24, 15, 40])
    comp = compare_evaluations(s)
    assert comp.model is None
    assert comp.meta is not None
    # the same numbers as meta_analysis of the per-process means and SEs computed by hand
    rows = []
    for x in s:
        c = x.changes["change"]
        rows.append({"process_id": x.process_id, "estimate": c.mean(), "se": c.std() / np.sqrt(len(c))})
    ref = meta_analysis(pd.DataFrame(rows), unit="process_id")
    pd.testing.assert_frame_equal(comp.meta.summary, ref.summary)
    assert comp.meta.units["n"].tolist() == [24, 15, 40]
    assert comp.meta.summary["method"].iloc[0].startswith("random-effects meta-analysis, tau2 by REML")
    rep = build_comparison(comp)
    assert "would be singular" in rep.model_note
    assert "Knapp-Hartung interval on 2 degrees of freedom" in rep.model_note
    assert [t.key for t in rep.tables()][-2:] == ["meta_analysis", "meta_analysis_processes"]
    page = render_comparison(rep, timestamp="t")
    assert "Pooled (random effects)" in page
    assert "Prediction interval (a further process)" in page
    est = comp.meta.summary["estimate"].iloc[0]
    assert f"{est:.3f}" in page


def test_a_process_below_the_threshold_withholds_the_meta_analysis(indicators: pd.DataFrame) -> None:
    comp = compare_evaluations(_summaries(indicators, [24, 3, 40]))
    assert comp.meta is not None
    rep = build_comparison(comp)
    assert rep.meta_summary is None
    assert "is not shown: a process has fewer than 5" in rep.model_note
    assert "meta_analysis" not in [t.key for t in rep.tables()]


def test_five_processes_fit_the_mixed_model_not_the_meta_analysis(indicators: pd.DataFrame) -> None:
    comp = compare_evaluations(_summaries(indicators, [30] * MIN_PROCESSES_FOR_MODEL))
    assert comp.meta is None
