"""What every figure of :mod:`deliberval.plots` shares: the Figure class, palettes, label wrapping.

Figures are :class:`PlotFigure` objects: matplotlib figures built without pyplot (no global
state, nothing shown or saved) that display themselves inline in Jupyter (``_repr_png_``).
Colours are the Okabe-Ito palette (Okabe & Ito 2008), distinguishable with the common colour
vision deficiencies.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure

__all__ = ["OKABE_ITO", "ORDERED", "PlotFigure", "label_of", "tick_overlaps", "wrap"]

#: Okabe-Ito: blue, orange, bluish green, reddish purple, sky blue, vermillion, yellow, black.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

#: Okabe-Ito hues in an order for ordered categories (worst first, best last): each step a
#: different hue, warm for the first half, cool for the second; extra categories repeat in grey.
ORDERED = ("#D55E00", "#E69F00", "#CC79A7", "#F0E442", "#999999", "#56B4E9", "#009E73", "#0072B2")

#: Pre (grey) and post (blue) in before/after figures.
PRE, POST = "#7a7a7a", "#0072B2"


class PlotFigure(Figure):
    """A matplotlib Figure that shows itself as a PNG in Jupyter and IPython.

    Built without pyplot like every figure of :mod:`deliberval.plots`, so report building leaves
    no pyplot state behind; ``_repr_png_`` renders it at 100 dpi when a notebook displays it.

    Examples
    --------
    >>> fig = PlotFigure(figsize=(2, 1))
    >>> _ = fig.subplots().plot([0, 1], [0, 1])
    >>> fig._repr_png_()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=100, metadata={"Software": None})
        return buf.getvalue()


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters (long words kept whole).

    Examples
    --------
    >>> wrap("answered the post survey", 10)
    'answered\\nthe post\\nsurvey'
    """
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False)) or str(text)


def label_of(labels: Mapping[Any, str] | None, code: Any) -> str:
    """The display label of a code: ``labels[code]`` (or ``labels[str(code)]``), else the code itself."""
    if labels:
        if code in labels:
            return str(labels[code])
        if str(code) in labels:
            return str(labels[str(code)])
    return str(code)


def tick_overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of tick labels of the same axis whose drawn text boxes overlap, after layout.

    Runs the figure's layout engine (constrained layout) with the Agg renderer, without drawing
    the figure (the tick labels' boxes follow the laid-out axes), and compares the window
    extents of every visible, non-empty x and y tick label of each axes.

    Examples
    --------
    >>> fig = PlotFigure(figsize=(1, 1))
    >>> ax = fig.subplots()
    >>> _ = ax.set_xticks([0, 1], ["a long label", "another long label"])
    >>> tick_overlaps(fig)
    [('a long label', 'another long label')]
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    if engine is not None and fig.axes:
        engine.execute(fig)  # what a draw does first; the artists themselves need no draw
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    out: list[tuple[str, str]] = []
    for ax in fig.axes:
        for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
            shown = [t for t in labels if t.get_visible() and t.get_text()]
            boxes = [t.get_window_extent(renderer) for t in shown]
            for i in range(len(shown)):
                for j in range(i + 1, len(shown)):
                    if boxes[i].overlaps(boxes[j]):
                        out.append((shown[i].get_text(), shown[j].get_text()))
    return out

