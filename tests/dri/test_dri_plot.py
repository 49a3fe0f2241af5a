"""The intersubjective-consistency plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from deliberval.analysis.dri import dri
from deliberval.errors import AnalysisInputError
from deliberval.plots.dri import plot_dri_consistency


@pytest.fixture(scope="module")
def activate(data_dir: Path) -> pd.DataFrame:
    human = pd.read_csv(data_dir / "deliberr" / "human_data.csv")
    return human[human["case"] == "Activate"]


def test_pre_and_post_side_by_side(activate: pd.DataFrame) -> None:
    fig = plot_dri_consistency(activate, stage_labels=["Pre", "Post"], title="Activate")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    left, right = fig.axes
    assert left.get_position().x0 < right.get_position().x0
    values = dri(activate, by="stage_id")["dri"].tolist()
    for ax, label, value in zip(fig.axes, ["Pre", "Post"], values, strict=True):
        title = ax.get_title()
        assert title.startswith(label)
        assert f"DRI (original) = {value:.3f}, n = 26" in title
        points = ax.collections[0].get_offsets()
        assert points.shape == (325, 2)  # 26 * 25 / 2 pairs
        assert np.abs(points).max() <= 1
        (diagonal,) = ax.lines
        np.testing.assert_array_equal(diagonal.get_xdata(), diagonal.get_ydata())
        assert ax.get_xlim() == (-1.05, 1.05)
    assert left.get_ylabel().startswith("r")
    assert fig.get_suptitle() == "Activate"


def test_single_panel_without_stage_column(activate: pd.DataFrame) -> None:
    pre = activate[activate["stage_id"] == 1].drop(columns="stage_id")
    fig = plot_dri_consistency(pre, adjusted=True)
    assert len(fig.axes) == 1
    assert fig.axes[0].get_title().startswith("all participants\nDRI (adjusted)")


def test_plot_errors(activate: pd.DataFrame) -> None:
    with pytest.raises(AnalysisInputError, match="stage_labels has 1 label"):
        plot_dri_consistency(activate, stage_labels=["only one"])
    with pytest.raises(AnalysisInputError, match="no rows with stage_id == 3"):
        plot_dri_consistency(activate, stages=[1, 3])
