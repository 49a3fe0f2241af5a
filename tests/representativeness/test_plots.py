"""Figures of representativeness and the funnel draw the numbers of the result tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from deliberval.analysis.funnel import funnel
from deliberval.analysis.representativeness import representativeness
from deliberval.errors import AnalysisInputError
from deliberval.plots.representativeness import plot_funnel, plot_representativeness

TARGETS = pd.DataFrame(
    {
        "dimension": ["g", "g", "a", "a", "a"],
        "category": ["w", "m", "young", "mid", "old"],
        "share": [0.5, 0.5, 0.3, 0.3, 0.4],
    }
)


def _members() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    n = 300
    return pd.DataFrame(
        {
            "g": rng.choice(["w", "m"], n),
            "a": rng.choice(["young", "mid", "old"], n),
            "invited": True,
            "volunteered": rng.random(n) < 0.5,
            "selected": rng.random(n) < 0.5,
        }
    )


def test_composition_plot_draws_differences_and_cis() -> None:
    res = representativeness(_members().head(40), TARGETS)
    fig = plot_representativeness(res, title="Panel vs census")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    ax = fig.axes[1]
    points = ax.lines[0].get_xdata()
    sub = res.categories.query("dimension == 'a'")
    np.testing.assert_allclose(points, 100 * sub["estimate"])  # 0-1 drawn in percentage points
    low, high = ax.collections[0].get_segments()[0][:, 0]
    np.testing.assert_allclose([low, high], 100 * sub[["ci_low", "ci_high"]].iloc[0])
    assert ax.get_title().startswith("a  (n = 40")
    assert fig.get_suptitle() == "Panel vs census"
    assert len(plot_representativeness(res, dimensions=["g"]).axes) == 1


def test_funnel_plot_one_line_per_category() -> None:
    res = funnel(_members(), TARGETS, funnel_stages=["invited", "volunteered", "selected"], seed=0)
    fig = plot_funnel(res)
    ax = fig.axes[0]
    solid = [line for line in ax.lines if line.get_linestyle() == "-"]
    assert len(solid) == 2
    shares = res.categories.query("dimension == 'g' and category == 'w'")["share"]
    np.testing.assert_allclose(solid[0].get_ydata(), 100 * shares)  # drawn in percent
    assert ax.get_ylabel() == "share (%)"


def test_plots_reject_other_input() -> None:
    with pytest.raises(AnalysisInputError, match="representativeness"):
        plot_representativeness(pd.DataFrame())  # type: ignore[arg-type]
    res = representativeness(_members().head(30), TARGETS)
    with pytest.raises(AnalysisInputError, match="no dimension"):
        plot_representativeness(res, dimensions=["zzz"])
    with pytest.raises(AnalysisInputError, match="funnel"):
        plot_funnel(res)  # type: ignore[arg-type]
