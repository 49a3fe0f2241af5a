"""Balance ("Love") plot of propensity weighting (draws a :class:`PropensityResult`, computes nothing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from deliberval.errors import AnalysisInputError
from deliberval.plots._base import OKABE_ITO, PRE, PlotFigure, wrap

if TYPE_CHECKING:
    from deliberval.analysis.propensity import PropensityResult

__all__ = ["plot_balance"]


def plot_balance(
    result: PropensityResult,
    *,
    threshold: float = 0.1,
    labels: tuple[str, str] = ("before weighting", "after weighting"),
    xlabel: str = "absolute standardised mean difference",
    title: str | None = None,
) -> Figure:
    """Absolute standardised mean difference of every covariate before and after weighting.

    Parameters
    ----------
    result : PropensityResult
        Output of :func:`deliberval.analysis.propensity.propensity_weights`.
    threshold : float
        Draw a dashed reference line at this ASMD (0.1 is the usual mark of balance; ``0`` for
        none).
    labels : (str, str)
        Legend entries of the unweighted and weighted markers.
    xlabel, title : str
        Axis label and title.

    Returns
    -------
    matplotlib.figure.Figure
        One row per covariate (in the order of ``result.balance``, first at the top): a grey
        open circle before and a filled blue circle after weighting, joined by a line.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.propensity import propensity_weights
    >>> df = pd.DataFrame({"member": [1, 1, 1, 0, 0, 0, 0, 0],
    ...                    "age": [60, 55, 40, 30, 45, 50, 35, 62]})
    >>> fig = plot_balance(propensity_weights(df, "member", "age"))
    >>> len(fig.axes)
    1
    """
    bal = getattr(result, "balance", None)
    if bal is None or not {"covariate", "asmd_before", "asmd_after"} <= set(bal.columns):
        raise AnalysisInputError("plot_balance needs the result of propensity_weights")
    if bal.empty:
        raise AnalysisInputError("the balance table is empty: nothing to plot")
    n = len(bal)
    names = [wrap(str(c), 30) for c in bal["covariate"]]
    lines = max(name.count("\n") + 1 for name in names)  # rows as tall as the longest label
    fig = PlotFigure(figsize=(6.0, 1.4 + (0.32 if lines == 1 else 0.12 + 0.17 * lines) * n))
    ax = fig.subplots()
    y = np.arange(n)[::-1]
    before = bal["asmd_before"].to_numpy(dtype=float)
    after = bal["asmd_after"].to_numpy(dtype=float)
    ax.hlines(y, np.minimum(before, after), np.maximum(before, after), color="#cccccc", lw=1, zorder=1)
    ax.scatter(before, y, facecolors="none", edgecolors=PRE, label=labels[0], zorder=2)
    ax.scatter(after, y, color=OKABE_ITO[0], label=labels[1], zorder=3)
    if threshold > 0:
        ax.axvline(threshold, color="#555555", ls="--", lw=0.8)
    ax.set_yticks(y, names, fontsize="small" if lines > 1 else None)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    # above the axes: never over a point
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize="small")
    if title:
        ax.set_title(title, pad=20)  # above the legend
    fig.tight_layout()
    return fig
