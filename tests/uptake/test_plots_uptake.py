"""Uptake figures are built from the result and carry its numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from deliberval.analysis.uptake import uptake
from deliberval.datasets.registers import simulate_register
from deliberval.errors import AnalysisInputError
from deliberval.plots.uptake import plot_agenda_matrix, plot_status_bars, plot_uptake_over_time
from deliberval.validation.register import validate_register


@pytest.fixture(scope="module")
def result():
    regs = [simulate_register(p, seed=4) for p in ("gentofte_ptc", "climate_assembly")]
    recs = pd.concat([r.recommendations for r in regs], ignore_index=True)
    ev = pd.concat([r.events for r in regs], ignore_index=True)
    return uptake(validate_register(recs, ev).register, as_of="2024-06-30")


def test_status_bars_sum_to_one(result) -> None:
    fig = plot_status_bars(result)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    widths = np.zeros(2)
    for patch in ax.patches:
        widths[round(patch.get_y() + patch.get_height() / 2)] += patch.get_width()
    np.testing.assert_allclose(widths, 1.0)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["gentofte_ptc", "climate_assembly"]


def test_step_curves_follow_kaplan_meier(result) -> None:
    fig = plot_uptake_over_time(result)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2
    km = result.survival.query("process_id == 'gentofte_ptc' and endpoint == 'first_response'")
    y = lines[0].get_ydata()
    np.testing.assert_allclose(y[1:-1], km["cumulative"])
    assert lines[0].get_xdata()[-1] == result.status.query("process_id == 'gentofte_ptc'")["follow_up_days"].max()
    with pytest.raises(AnalysisInputError, match="endpoint must be"):
        plot_uptake_over_time(result, endpoint="adoption")


def test_agenda_matrix_counts(result) -> None:
    fig = plot_agenda_matrix(result)
    assert len(fig.axes) == 2
    texts = [t.get_text() for t in fig.axes[0].texts]
    g = result.agenda.query("process_id == 'gentofte_ptc'").set_index("prior_agenda")
    assert texts[0].startswith(str(int(g.loc["yes", "count"])))
    with pytest.raises(AnalysisInputError, match="pass the result"):
        plot_agenda_matrix(result.status)
