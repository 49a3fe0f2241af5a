"""Change plots take the tidy outputs and return Figures with the expected artists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from deliberval.analysis.change import group_means, likert_shares, prepost
from deliberval.analysis.did import did
from deliberval.errors import AnalysisInputError
from deliberval.plots.change import plot_did, plot_forest, plot_likert, plot_prepost


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    gen = np.random.default_rng(11)
    n = 30
    pre = gen.integers(1, 6, n).astype(float)
    post = np.clip(pre + gen.integers(-1, 3, n), 1, 5)
    return pd.DataFrame(
        {
            "respondent_id": list(range(n)) * 2,
            "wave": ["pre"] * n + ["post"] * n,
            "group": (["participant"] * 15 + ["control"] * 15) * 2,
            "q1": np.r_[pre, post],
            "q2": np.r_[post, pre],
        }
    )


def test_plot_prepost_dumbbell_per_outcome_and_group(panel: pd.DataFrame) -> None:
    res = prepost(panel, ["q1", "q2"], by="group")
    fig = plot_prepost(res, labels={"q1": "Trust"})
    assert isinstance(fig, Figure)
    left, right = fig.axes
    labels = [t.get_text() for t in left.get_yticklabels()]
    assert len(labels) == 6
    assert "Trust (control)" in labels
    # two point clouds (pre, post) with one point per row
    assert [len(c.get_offsets()) for c in left.collections if len(c.get_offsets())][-2:] == [6, 6]
    assert "95%" in right.get_xlabel()


def test_plot_likert_bars_are_centred(panel: pd.DataFrame) -> None:
    shares = likert_shares(panel, ["q1", "q2"], waves=["pre", "post"])
    fig = plot_likert(shares, labels={1: "strongly disagree", 5: "strongly agree"})
    ax = fig.axes[0]
    assert len(ax.patches) == 2 * 2 * 5
    # for each bar, disagreeing levels plus half the middle level lie left of 0
    first_row = [p for p in ax.patches if abs(p.get_y() + p.get_height() / 2 - 3) < 1e-9]
    assert min(p.get_x() for p in first_row) < 0 < max(p.get_x() + p.get_width() for p in first_row)
    assert sum(p.get_width() for p in first_row) == pytest.approx(1.0)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "strongly disagree"


def test_plot_did_lines_and_annotation(panel: pd.DataFrame) -> None:
    means = group_means(panel, "q1")
    fig = plot_did(means, did_result=did(panel, "q1"))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["control", "participant"]
    assert any(t.get_text().startswith("DiD = ") for t in ax.texts)


def test_plot_forest_from_prepost_effect_sizes(panel: pd.DataFrame) -> None:
    res = prepost(panel, ["q1", "q2"], by="group")
    fig = plot_forest(
        res,
        label="group",
        estimate="d_z",
        ci_low="d_z_ci_low",
        ci_high="d_z_ci_high",
        xlabel="d_z",
    )
    assert fig.axes[0].get_xlabel() == "d_z"


def test_plots_reject_wrong_tables() -> None:
    with pytest.raises(AnalysisInputError, match="no column"):
        plot_prepost(pd.DataFrame({"outcome": ["a"]}))
    with pytest.raises(AnalysisInputError, match="empty"):
        plot_forest(pd.DataFrame(columns=["process_id", "estimate", "ci_low", "ci_high"]))


def test_plot_likert_with_by_levels(panel: pd.DataFrame) -> None:
    shares = likert_shares(panel, "q1", by="group", waves=["pre", "post"])
    fig = plot_likert(shares, item_labels={"q1": "Trust"})
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 2 * 2
    assert labels[0] == "Trust - pre (control)"
    assert len(ax.patches) == 2 * 2 * 5
