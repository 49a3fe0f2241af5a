"""Figures of representativeness: composition against targets, and the selection funnel.

Both functions take the result objects of :mod:`deliberval.analysis.representativeness` and
:mod:`deliberval.analysis.funnel` (shares as proportions, 0-1) and draw them in percent; they
return a :class:`matplotlib.figure.Figure` built without pyplot (nothing shown or saved).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from deliberval.analysis.funnel import FunnelResult
from deliberval.analysis.representativeness import RepresentativenessResult
from deliberval.errors import AnalysisInputError

__all__ = ["plot_funnel", "plot_representativeness"]

_PANEL, _TARGET = "#1f5fa8", "#8c8c8c"
_COLOURS = ("#1f5fa8", "#d9822b", "#3a8f5b", "#a83f6a", "#6b5ca5", "#8c6d31", "#4a4a4a")


def _grid(n: int, *, width: float, height: float) -> tuple[Figure, list[Axes]]:
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(width * cols, height * rows), layout="constrained")
    axes = [fig.add_subplot(rows, cols, i + 1) for i in range(n)]
    return fig, axes


def plot_representativeness(
    result: RepresentativenessResult,
    *,
    dimensions: Sequence[str] | None = None,
    title: str | None = None,
    axis_labels: Mapping[str, str] | None = None,
) -> Figure:
    """Panel share minus target share, with its CI, per category and dimension.

    Parameters
    ----------
    result : RepresentativenessResult
        Output of :func:`deliberval.analysis.representativeness.representativeness`.
    dimensions : sequence of str, optional
        Dimensions to draw (default all), one panel each.
    title : str, optional
        Figure title.
    axis_labels : mapping, optional
        Replacement of the figure's own words, e.g. in another language: ``difference`` (x
        axis, default ``"panel minus target (percentage points)"``).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per dimension: a point per category at ``estimate`` (share minus target)
        with a horizontal bar from ``ci_low`` to ``ci_high``, all drawn in percentage points
        (x 100), a reference line at 0 (the target), and the
        panel's n and Duncan index in the panel title. Bars crossing 0 mean the panel is
        compatible with the target at that size.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.representativeness import representativeness
    >>> from deliberval.plots.representativeness import plot_representativeness
    >>> targets = pd.DataFrame({"dimension": ["g", "g", "a", "a"],
    ...                         "category": ["w", "m", "young", "old"],
    ...                         "share": [0.5, 0.5, 0.4, 0.6]})
    >>> members = pd.DataFrame({"g": ["w"] * 5 + ["m"] * 10, "a": ["young"] * 3 + ["old"] * 12})
    >>> fig = plot_representativeness(representativeness(members, targets))
    >>> len(fig.axes)
    2
    """
    if not isinstance(result, RepresentativenessResult):
        raise AnalysisInputError(
            "result must be the output of representativeness(), got " + type(result).__name__
        )
    cats = result.categories
    dims = list(dict.fromkeys(cats["dimension"])) if dimensions is None else list(dimensions)
    unknown = [d for d in dims if d not in set(cats["dimension"])]
    if unknown or not dims:
        raise AnalysisInputError(f"result has no dimension(s) {unknown or dims}")
    info = result.dimensions.set_index("dimension")
    fig, axes = _grid(
        len(dims), width=4.2, height=0.45 * cats.groupby("dimension").size().max() + 1.4
    )
    for ax, dim in zip(axes, dims, strict=True):
        sub = cats.loc[cats["dimension"] == dim]
        y = np.arange(len(sub))[::-1]
        diff = 100 * sub["estimate"].to_numpy(dtype=float)
        low = 100 * sub["ci_low"].to_numpy(dtype=float)
        high = 100 * sub["ci_high"].to_numpy(dtype=float)
        ax.hlines(y, low, high, color=_PANEL, linewidth=2, alpha=0.6)
        ax.plot(diff, y, "o", color=_PANEL)
        ax.axvline(0, color=_TARGET, linestyle="--", linewidth=1)
        ax.set_yticks(
            y, [f"{c} ({t:.0%})" for c, t in zip(sub["category"], sub["target_share"], strict=True)]
        )
        ax.set_xlabel(
            dict(axis_labels or {}).get("difference", "panel minus target (percentage points)")
        )
        n = int(info.loc[dim, "n"])
        ax.set_title(f"{dim}  (n = {n}, D = {info.loc[dim, 'duncan']:.2f})", fontsize=10)
    if title:
        fig.suptitle(title)
    return fig


def plot_funnel(
    result: FunnelResult,
    *,
    dimensions: Sequence[str] | None = None,
    title: str | None = None,
    axis_labels: Mapping[str, str] | None = None,
) -> Figure:
    """Composition at each selection stage against the targets.

    Parameters
    ----------
    result : FunnelResult
        Output of :func:`deliberval.analysis.funnel.funnel`.
    dimensions : sequence of str, optional
        Dimensions to draw (default all), one panel each.
    title : str, optional
        Figure title.
    axis_labels : mapping, optional
        Replacements of the figure's own words, e.g. in another language: ``share`` (y axis,
        default ``"share (%)"``) and any funnel stage name (its x tick label).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per dimension: each category's share in percent (solid line) across the
        funnel stages, its target (dashed line in the same colour); the x-axis labels carry
        each stage's n.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.funnel import funnel
    >>> from deliberval.plots.representativeness import plot_funnel
    >>> targets = pd.DataFrame({"dimension": "edu", "category": ["low", "high"],
    ...                         "share": [0.6, 0.4]})
    >>> members = pd.DataFrame({"edu": ["low"] * 60 + ["high"] * 40, "invited": True,
    ...                         "volunteered": [True] * 12 + [False] * 48 + [True] * 20 + [False] * 20})
    >>> fig = plot_funnel(funnel(members, targets, funnel_stages=["invited", "volunteered"]))
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['invited\\nn=100', 'volunteered\\nn=32']
    """
    if not isinstance(result, FunnelResult):
        raise AnalysisInputError(
            "result must be the output of funnel(), got " + type(result).__name__
        )
    cats: pd.DataFrame = result.categories
    dims = list(dict.fromkeys(cats["dimension"])) if dimensions is None else list(dimensions)
    unknown = [d for d in dims if d not in set(cats["dimension"])]
    if unknown or not dims:
        raise AnalysisInputError(f"result has no dimension(s) {unknown or dims}")
    table = result.funnel_stages
    stages = table["funnel_stage"].tolist()
    words = dict(axis_labels or {})
    ticks = [f"{words.get(s, s)}\nn={n}" for s, n in zip(stages, table["n"], strict=True)]
    x = np.arange(len(stages))
    fig, axes = _grid(len(dims), width=4.6, height=3.4)
    for ax, dim in zip(axes, dims, strict=True):
        sub = cats.loc[cats["dimension"] == dim]
        for i, cat in enumerate(dict.fromkeys(sub["category"])):
            colour = _COLOURS[i % len(_COLOURS)]
            rows = sub.loc[sub["category"] == cat].set_index("funnel_stage").reindex(stages)
            share = 100 * rows["share"].to_numpy(dtype=float)
            ax.plot(x, share, "o-", color=colour, label=str(cat))
            target = 100 * float(rows["target_share"].dropna().iloc[0])
            ax.axhline(target, color=colour, linestyle="--", linewidth=1)
        ax.set_xticks(x, ticks, fontsize=8)
        ax.set_ylabel(words.get("share", "share (%)"))
        ax.set_ylim(0, None)
        ax.set_title(dim, fontsize=10)
        ax.legend(fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    return fig
