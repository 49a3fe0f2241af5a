"""Figures of representativeness: composition against targets, and the selection funnel.

Both functions take the result objects of :mod:`deliberval.analysis.representativeness` and
:mod:`deliberval.analysis.funnel` (shares as proportions, 0-1) and draw them in percent; they
return a :class:`matplotlib.figure.Figure` built without pyplot (nothing shown or saved).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import pairwise

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from deliberval.analysis.funnel import FunnelResult
from deliberval.analysis.representativeness import RepresentativenessResult
from deliberval.errors import AnalysisInputError
from deliberval.plots._base import OKABE_ITO, PlotFigure, label_of, tick_overlaps, wrap

__all__ = ["plot_funnel", "plot_representativeness"]

_PANEL, _TARGET = OKABE_ITO[0], "#7a7a7a"
_COLOURS = OKABE_ITO


def _grid(n: int, *, width: float, height: float, columns: int = 2) -> tuple[PlotFigure, list[Axes]]:
    """Panels ``columns`` a row: at most ``columns * width`` inches wide (A4 text width: 7.2)."""
    cols = min(n, columns)
    rows = math.ceil(n / cols)
    fig = PlotFigure(figsize=(width * cols, height * rows), layout="constrained")
    axes = [fig.add_subplot(rows, cols, i + 1) for i in range(n)]
    return fig, axes


def plot_representativeness(
    result: RepresentativenessResult,
    *,
    dimensions: Sequence[str] | None = None,
    title: str | None = None,
    axis_labels: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
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
    labels : mapping, optional
        Display names of the dimension and category codes (e.g. ``{"demo_gender": "gender",
        "woman": "women"}``); codes without one are shown as they are.

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
        len(dims), width=3.6, height=0.34 * cats.groupby("dimension").size().max() + 1.3
    )
    xlabel = wrap(dict(axis_labels or {}).get("difference", "panel minus target (percentage points)"), 34)
    for ax, dim in zip(axes, dims, strict=True):
        sub = cats.loc[cats["dimension"] == dim]
        y = np.arange(len(sub))[::-1]
        diff = 100 * sub["estimate"].to_numpy(dtype=float)
        low = 100 * sub["ci_low"].to_numpy(dtype=float)
        high = 100 * sub["ci_high"].to_numpy(dtype=float)
        ax.hlines(y, low, high, color=_PANEL, linewidth=2, alpha=0.6)
        ax.plot(diff, y, "o", color=_PANEL, markersize=5)
        ax.axvline(0, color=_TARGET, linestyle="--", linewidth=1)
        ax.set_yticks(
            y,
            [f"{wrap(label_of(labels, c), 18)} ({t:.0%})"
             for c, t in zip(sub["category"], sub["target_share"], strict=True)],
            fontsize=8,
        )
        ax.set_ylim(-0.6, len(sub) - 0.4)
        ax.tick_params(axis="x", labelsize=8)
        ax.set_xlabel(xlabel, fontsize=8)
        n = int(info.loc[dim, "n"])
        # y=1.0 (where matplotlib would place it): the y axis has text labels and no offset text
        # to avoid, so no title search at every layout pass and draw
        ax.set_title(f"{label_of(labels, dim)}  (n = {n}, D = {info.loc[dim, 'duncan']:.2f})", fontsize=9, y=1.0)
    if title:
        fig.suptitle(title)
    return fig


def plot_funnel(
    result: FunnelResult,
    *,
    dimensions: Sequence[str] | None = None,
    title: str | None = None,
    axis_labels: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    hidden_mark: str = "*",
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
    labels : mapping, optional
        Display names of the dimension and category codes; codes without one are shown as
        they are.
    hidden_mark : str, default "*"
        Appended to the legend label of a category whose share is missing (NA) at some stage:
        a share withheld by disclosure control is never drawn, at any stage, and the line has
        a gap there. Say why in the caption.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per dimension (two a row): each category's share in percent (solid line)
        across the funnel stages, its target (dashed line in the same colour); the x-axis
        labels (wrapped) carry each stage's n; the legend is to the right of the panel.

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
    >>> fig = plot_funnel(funnel(members, targets, funnel_stages=["invited", "volunteered"]),
    ...                   labels={"edu": "education", "low": "ISCED 0-2"})
    >>> fig.axes[0].get_title(), fig.axes[0].get_legend().get_texts()[0].get_text()
    ('education', 'ISCED 0-2')
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
    ticks = [f"{wrap(words.get(s, s), 10)}\nn={n}" for s, n in zip(stages, table["n"], strict=True)]
    x = np.arange(len(stages))

    def draw(columns: int) -> PlotFigure:
        fig, axes = _grid(len(dims), width=7.2 / columns, height=2.5 if columns > 1 else 1.75, columns=columns)
        for ax, dim in zip(axes, dims, strict=True):
            sub = cats.loc[cats["dimension"] == dim]
            for i, cat in enumerate(dict.fromkeys(sub["category"])):
                colour = _COLOURS[i % len(_COLOURS)]
                rows = sub.loc[sub["category"] == cat].set_index("funnel_stage").reindex(stages)
                share = 100 * rows["share"].to_numpy(dtype=float)
                name = wrap(label_of(labels, cat), 14)
                if np.isnan(share).any():
                    name += f" {hidden_mark}"
                ax.plot(x, share, "o-", color=colour, label=name, markersize=4, linewidth=1.4)
                targets = rows["target_share"].dropna()
                if len(targets):
                    ax.axhline(100 * float(targets.iloc[0]), color=colour, linestyle="--", linewidth=0.9)
            ax.set_xticks(x, ticks, fontsize=7, linespacing=1.0)
            ax.set_xlim(-0.4, len(stages) - 0.6)
            ax.tick_params(axis="y", labelsize=7)
            ax.set_ylabel(words.get("share", "share (%)"), fontsize=8)
            ax.set_ylim(0, None)
            ax.set_title(label_of(labels, dim), fontsize=9, y=1.0)  # shares from 0: no offset text to avoid
            ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                      borderaxespad=0.2, handlelength=1.5)
        if title:
            fig.suptitle(title)
        return fig

    if len(dims) < 2:
        return draw(2)
    one = draw(1)  # the wrapped stage names often do not fit two panels a row: one panel a row, full width
    if _ticks_crowded(one, 7.2 / 2, len(stages)):
        return one
    fig = draw(2)
    return one if tick_overlaps(fig) else fig


def _ticks_crowded(fig: Figure, width: float, n: int) -> bool:
    """Whether two neighbouring x tick labels of a panel would overlap with two panels a row, whatever the layout.

    ``fig`` is the funnel drawn one panel a row: its legends, axis labels and x tick labels have
    the sizes they have two a row (the same texts and fonts), measured here without laying it
    out, at its dpi. Two a row, constrained layout gives both columns' axes the same width, the
    columns' ``2 * width`` inches less both columns' side margins, halved. A column's margins are
    at least those of any of its panels: the legend at its right, and at its left the y-axis
    label, its pad, the tick padding and the widest y tick label, at least as wide as "0" (the
    shares start at 0, always a tick). So the axes are at most ``width`` less half the two
    columns' margins wide, and its ``n`` ticks (at 0 .. n-1 on an axis from -0.4 to n-0.6) at
    most that / (n - 0.2) apart; two centred labels overlap when half their widths add up to
    more. When this says no, ``tick_overlaps`` lays out the two-a-row figure to see.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    if n < 2:
        return False
    renderer = FigureCanvasAgg(fig).get_renderer()
    points = fig.dpi / 72
    margins = [0.0, 0.0]
    widths: list[list[float]] = []
    for i, ax in enumerate(fig.axes):
        legend = ax.get_legend()
        right = legend.get_window_extent(renderer).width if legend is not None else 0.0
        ylabel = ax.yaxis.label
        left = (ylabel.get_window_extent(renderer).width + ax.yaxis.labelpad * points) if ylabel.get_text() else 0.0
        ticks = ax.yaxis.get_major_ticks()
        if ticks and ticks[0].label1.get_visible():
            tick = ticks[0]
            zero = Text(text="0", fontproperties=tick.label1.get_fontproperties(), figure=fig)
            pad: float = tick.get_pad()  # type: ignore[func-returns-value,assignment]  # stubs: None
            left += zero.get_window_extent(renderer).width + (tick.get_tick_padding() + pad) * points
        margins[i % 2] = max(margins[i % 2], left + right)
        widths.append([t.get_window_extent(renderer).width
                       for t in ax.get_xticklabels() if t.get_visible() and t.get_text()])
    room = width * fig.dpi - sum(margins) / 2
    return any(len(w) == n and any((a + b) / 2 > room / (n - 0.2) for a, b in pairwise(w)) for w in widths)
