"""Forest plot of indicators across processes (draws a published indicator table, computes nothing)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from deliberval.errors import AnalysisInputError
from deliberval.plots._base import PlotFigure

__all__ = ["VERDICT_STYLES", "plot_indicator_forest"]

#: Colour, marker and fill of each verdict (Okabe-Ito hues, distinguishable with the common colour
#: vision deficiencies; the marker shape and fill repeat the verdict for grey-scale prints).
VERDICT_STYLES: dict[str, tuple[str, str, bool]] = {
    "meets": ("#0072B2", "o", True),
    "misses": ("#D55E00", "X", True),
    "inconclusive": ("#6b6b6b", "D", False),
    "none": ("#000000", "s", True),
}

_WORDS = {"meets": "meets", "misses": "misses", "inconclusive": "inconclusive: the interval contains the threshold",
          "none": "no threshold", "threshold": "threshold (ceiling where lower is better)", "n": "n",
          "not_measured": "not measured", "suppressed": "suppressed", "yes": "yes", "no": "no"}


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _missing(v: Any) -> bool:
    try:
        return v is None or v is pd.NA or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def plot_indicator_forest(
    table: pd.DataFrame,
    *,
    words: Mapping[str, str] | None = None,
    format_number: Any = None,
    title: str | None = None,
) -> Figure:
    """One panel per indicator: each process's estimate, interval, n and verdict against the threshold.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per (indicator, process), already published (suppressed rows blank): columns
        ``indicator`` (its label; panels in order of first appearance), ``process`` (its label;
        rows in order of first appearance), ``estimate``, ``ci_low``, ``ci_high``, ``n``,
        ``unit`` (a proportion is drawn on a percent axis), ``threshold``, ``verdict``
        (``meets``, ``misses``, ``inconclusive`` or NA) and ``note`` (the text written where
        there is no estimate: not measured, suppressed).
    words : mapping, optional
        The figure's words in the report language: ``meets``, ``misses``, ``inconclusive``,
        ``none`` (no threshold), ``threshold``, ``n``, and ``yes`` / ``no`` (the ticks of a
        ``yes_no`` indicator, drawn on a 0-1 axis).
    format_number : callable, optional
        ``format_number(value, kind)`` -> str, ``kind`` one of ``int`` (n), ``pct`` (ticks of a
        proportion) and ``num2`` (other ticks): numbers in the report's locale (default: plain
        Python formatting).
    title : str, optional
        Figure title (e.g. the OECD stage).

    Returns
    -------
    matplotlib.figure.Figure
        One axis per indicator, processes on the y axis; a point (colour, shape and fill by
        verdict) with its interval, the threshold as a dashed vertical line, ``n = ...`` at the
        right of each row, and a legend of the verdicts under the panels.

    Examples
    --------
    >>> import pandas as pd
    >>> tab = pd.DataFrame({"indicator": ["Retention", "Retention"], "process": ["A", "B"],
    ...                     "estimate": [0.9, 0.7], "ci_low": [0.8, 0.55], "ci_high": [0.95, 0.82],
    ...                     "n": [120, 40], "unit": "proportion", "threshold": 0.8,
    ...                     "verdict": ["meets", "inconclusive"], "note": ""})
    >>> fig = plot_indicator_forest(tab)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['A', 'B']
    """
    need = ["indicator", "process", "estimate", "ci_low", "ci_high", "n", "unit", "threshold", "verdict", "note"]
    missing = [c for c in need if c not in table.columns]
    if missing or table.empty:
        raise AnalysisInputError(f"table has no column(s) {', '.join(map(repr, missing))} or no rows; "
                                 "plot_indicator_forest draws a published indicator table")
    w = {**_WORDS, **(words or {})}

    def fmt_n(v: Any) -> str:
        if format_number is not None:
            return str(format_number(v, "int"))
        return str(round(float(v)))

    indicators = list(dict.fromkeys(table["indicator"]))
    processes = list(dict.fromkeys(table["process"]))
    rows_per_panel = len(processes)
    names = [_wrap(p, 30) for p in processes]
    lines = max(n.count("\n") + 1 for n in names)
    row = 0.15 * lines + 0.14  # inches per process: its wrapped name never runs into the next
    heights = [row * rows_per_panel + 0.6 for _ in indicators]
    fig = PlotFigure(figsize=(7.2, sum(heights) + 1.1), layout="constrained")
    axes = fig.subplots(len(indicators), 1, squeeze=False, gridspec_kw={"height_ratios": heights})[:, 0]
    used: set[str] = set()
    threshold_drawn = False
    for ax, label in zip(axes, indicators, strict=True):
        part = table.loc[table["indicator"] == label]
        unit = str(part["unit"].iloc[0])
        pct = unit == "proportion"
        ys = {p: rows_per_panel - 1 - i for i, p in enumerate(processes)}
        lows, highs = [], []
        for _, r in part.iterrows():
            y = ys[r["process"]]
            if _missing(r["estimate"]):
                ax.text(0.02, y, str(r["note"]), transform=ax.get_yaxis_transform(), va="center", ha="left",
                        fontsize=8, color="#555555", style="italic")
                continue
            est = float(r["estimate"])
            verdict = "none" if _missing(r["verdict"]) else str(r["verdict"])
            colour, marker, filled = VERDICT_STYLES.get(verdict, VERDICT_STYLES["none"])
            if not _missing(r["ci_low"]) and not _missing(r["ci_high"]):
                lo, hi = float(r["ci_low"]), float(r["ci_high"])
                ax.hlines(y, lo, hi, color=colour, linewidth=1.6)
                lows.append(lo)
                highs.append(hi)
            ax.scatter([est], [y], s=42, marker=marker, color=colour if filled else "white", edgecolors=colour,
                       linewidths=1.4, zorder=3, label=w[verdict] if verdict not in used else None)
            used.add(verdict)
            lows.append(est)
            highs.append(est)
            if not _missing(r["n"]):
                ax.text(1.01, y, f"{w['n']} = {fmt_n(r['n'])}", transform=ax.get_yaxis_transform(), va="center",
                        ha="left", fontsize=8, color="#333333")
        thresholds = [float(v) for v in part["threshold"] if not _missing(v)]
        if thresholds:
            ax.axvline(thresholds[0], color="#333333", linestyle="--", linewidth=0.9,
                       label=None if threshold_drawn else w["threshold"])
            threshold_drawn = True
            lows.append(thresholds[0])
            highs.append(thresholds[0])
        if lows:
            lo, hi = min(lows), max(highs)
            pad = (hi - lo) * 0.08 or (0.05 if pct else 0.1 * max(abs(hi), 1.0))
            if pct:
                lo, hi = max(lo - pad, 0.0), min(hi + pad, 1.0)
                if math.isclose(lo, hi):
                    lo, hi = max(lo - 0.05, 0.0), min(hi + 0.05, 1.0)
            else:
                lo, hi = lo - pad, hi + pad
            ax.set_xlim(lo, hi)
        else:
            ax.set_xticks([])
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        if unit == "yes_no":
            ax.set_xlim(-0.15, 1.15)
            ax.set_xticks([0.0, 1.0], [w["no"], w["yes"]])
        else:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
            kind = "pct" if pct else "num2"
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos, kind=kind: _tick(v, kind, format_number)))
        ax.set_yticks([ys[p] for p in processes], names, fontsize=8)
        ax.set_ylim(-0.6, rows_per_panel - 0.4)
        ax.tick_params(axis="x", labelsize=8)
        # y=1.0 (where matplotlib would place it): the y axis has text labels and no offset text to
        # avoid, so no title search (a y-axis tight bbox per title) at every layout pass and draw
        ax.set_title(_wrap(label, 80), fontsize=9, loc="left", y=1.0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="x", color="#e6e6e6", linewidth=0.6)
        ax.set_axisbelow(True)
    found: dict[str, Any] = {}
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        for hh, ll in zip(h, lab, strict=True):
            found.setdefault(ll, hh)
    order = [w[key] for key in ("meets", "misses", "inconclusive", "none", "threshold")]
    labels = [lab for lab in order if lab in found]
    handles = [found[lab] for lab in labels]
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 3), frameon=False,
                   fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10, x=0.02, ha="left")
    return fig


def _tick(value: float, kind: str, format_number: Any) -> str:
    """A tick label: a percentage of a 0-1 axis, else a number (in the report's locale when given)."""
    if format_number is not None:
        return str(format_number(value, kind))
    if kind == "pct":
        return f"{100 * value:.0f}%"
    return f"{value:g}"
