"""Forest plot of a random-effects meta-analysis (draws a :class:`MetaAnalysisResult`, computes nothing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from deliberval.errors import AnalysisInputError
from deliberval.plots._base import PlotFigure

if TYPE_CHECKING:
    from deliberval.analysis.meta import MetaAnalysisResult

__all__ = ["plot_meta"]


def plot_meta(
    result: MetaAnalysisResult,
    *,
    unit: str | None = None,
    pooled: bool = True,
    xlabel: str = "estimate",
    title: str | None = None,
) -> Figure:
    """Forest plot: each unit's estimate and interval, the pooled estimate and the prediction interval.

    Parameters
    ----------
    result : MetaAnalysisResult
        Output of :func:`deliberval.analysis.meta.meta_analysis`.
    unit : str, optional
        The unit column of ``result.units`` (default: its first column).
    pooled : bool
        Also draw each unit's partially pooled value (BLUP) and its interval, as hollow markers.
    xlabel, title : str
        Axis label and title.

    Returns
    -------
    matplotlib.figure.Figure
        One row per unit (square sized by weight, observed interval), a diamond for the pooled
        estimate and its confidence interval, and a bar for the prediction interval.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.meta import meta_analysis
    >>> r = meta_analysis(pd.DataFrame({"panel": ["1", "2", "3"], "estimate": [0.3, 0.1, 0.45],
    ...                                 "se": [0.12, 0.15, 0.10]}), unit="panel")
    >>> fig = plot_meta(r)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()][:3]
    ['1', '2', '3']
    """
    units, summary = result.units, result.summary
    need = ["estimate", "ci_low", "ci_high", "weight", "pooled_estimate", "pooled_ci_low", "pooled_ci_high"]
    missing = [c for c in need if c not in units.columns]
    if missing or summary.empty:
        raise AnalysisInputError(f"result.units has no column(s) {', '.join(map(repr, missing))}; "
                                 "plot_meta draws the output of meta_analysis")
    label_col = unit or str(units.columns[0])
    k = len(units)
    fig = PlotFigure(figsize=(6.5, 1.2 + 0.38 * (k + 2)), layout="constrained")
    ax = fig.subplots()
    ypos = np.arange(k)[::-1] + 2.0
    est = units["estimate"].to_numpy(dtype=float)
    ax.hlines(ypos, units["ci_low"].to_numpy(dtype=float), units["ci_high"].to_numpy(dtype=float), color="#14324F")
    sizes = 30 + 270 * units["weight"].to_numpy(dtype=float) / float(units["weight"].max())
    ax.scatter(est, ypos, s=sizes, marker="s", color="#14324F", zorder=3, label="observed")
    if pooled:
        ax.hlines(ypos - 0.25, units["pooled_ci_low"].to_numpy(dtype=float),
                  units["pooled_ci_high"].to_numpy(dtype=float), color="#2E7D4F", linestyle=":")
        ax.scatter(units["pooled_estimate"].to_numpy(dtype=float), ypos - 0.25, s=25, marker="o",
                   facecolors="none", edgecolors="#2E7D4F", zorder=3, label="pooled (BLUP)")
    s = summary.iloc[0]
    mu, lo, hi = float(s["estimate"]), float(s["ci_low"]), float(s["ci_high"])
    ax.fill([lo, mu, hi, mu], [1.0, 1.25, 1.0, 0.75], color="#B35C00", zorder=3, label="random-effects mean")
    ax.hlines(0.45, float(s["pi_low"]), float(s["pi_high"]), color="#B35C00", linewidth=3,
              label="prediction interval")
    ax.axvline(mu, color="#B35C00", linewidth=0.8, linestyle="--")
    ax.set_yticks([*ypos, 1.0, 0.45], [*map(str, units[label_col]), "pooled", "prediction"])
    ax.set_xlabel(xlabel)
    ax.set_ylim(0, k + 2.8)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15 if k < 6 else -0.08), ncol=2, frameon=False,
              fontsize="small")
    ax.set_title(title or f"{s['method']}; tau2 = {float(s['tau2']):.3g}, I2 = {float(s['i2']):.0f} %",
                 fontsize="small")
    return fig
