"""The intersubjective-consistency plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from deliberval.analysis.dri import dri, dri_pairs
from deliberval.errors import AnalysisInputError
from deliberval.plots.dri import plot_dri_consistency


@pytest.fixture(scope="module")
def activate(data_dir: Path) -> pd.DataFrame:
    human = pd.read_csv(data_dir / "deliberr" / "human_data.csv")
    return human[human["case"] == "Activate"]


def test_pre_and_post_side_by_side(activate: pd.DataFrame) -> None:
    fig = plot_dri_consistency(
        dri_pairs(activate, by="stage_id"),
        dri(activate, by="stage_id"),
        wave_labels=["Pre", "Post"],
        title="Activate",
    )
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    left, right = fig.axes
    assert left.get_position().x0 < right.get_position().x0
    values = dri(activate, by="stage_id")["estimate"].tolist()
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
    fig = plot_dri_consistency(dri_pairs(pre), dri(pre, adjusted=True))
    assert len(fig.axes) == 1
    assert fig.axes[0].get_title().startswith("all participants\nDRI (adjusted)")
    bare = plot_dri_consistency(dri_pairs(pre))  # without the dri() table: no DRI in the title
    assert bare.axes[0].get_title() == "all participants"


def test_the_plot_draws_the_pairs_it_is_given(activate: pd.DataFrame) -> None:
    pairs = dri_pairs(activate, by="stage_id")
    pairs.loc[pairs["stage_id"] == 2, "q"] = 0.5  # the figure computes nothing itself
    fig = plot_dri_consistency(pairs, waves=[2])
    assert len(fig.axes) == 1
    assert fig.axes[0].get_title() == "stage_id = 2"
    points = np.asarray(fig.axes[0].collections[0].get_offsets())
    np.testing.assert_array_equal(points[:, 0], 0.5)


def test_plot_errors(activate: pd.DataFrame, data_dir: Path) -> None:
    pairs = dri_pairs(activate, by="stage_id")
    with pytest.raises(AnalysisInputError, match="wave_labels has 1 label"):
        plot_dri_consistency(pairs, wave_labels=["only one"])
    with pytest.raises(AnalysisInputError, match="no pairs with stage_id == 3"):
        plot_dri_consistency(pairs, waves=[1, 3])
    with pytest.raises(AnalysisInputError, match="pairs has no column"):
        plot_dri_consistency(dri(activate, by="stage_id"))
    pre_only = dri(activate[activate["stage_id"] == 1], by="stage_id")
    with pytest.raises(AnalysisInputError, match="summary has 0 row"):
        plot_dri_consistency(pairs, pre_only)
    with pytest.raises(AnalysisInputError, match="summary has 2 rows for one panel"):
        plot_dri_consistency(
            dri_pairs(activate[activate["stage_id"] == 1]), dri(activate, by="stage_id")
        )
    human = pd.read_csv(data_dir / "deliberr" / "human_data.csv")
    two = human[human["case"].isin(["Activate", "FNQCJ"])]
    with pytest.raises(AnalysisInputError, match="pairs hold 2 values of 'case'"):
        plot_dri_consistency(dri_pairs(two, by=["case", "stage_id"]))
