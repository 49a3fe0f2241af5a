"""Figures of change analyses: dumbbells, diverging Likert bars, DiD lines and forest plots.

Each function takes a tidy table produced by :mod:`deliberval.analysis.change` or
:mod:`deliberval.analysis.did` (or any table with the same columns) and returns a :class:`matplotlib.figure.Figure` built without pyplot,
so nothing is shown or saved and no global state changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from deliberval.analysis.change import LIKERT_SHARES_COLUMNS, PREPOST_COLUMNS
from deliberval.errors import AnalysisInputError
from deliberval.plots._base import OKABE_ITO, POST, PRE, PlotFigure, wrap

__all__ = ["plot_did", "plot_forest", "plot_likert", "plot_prepost"]

_POST = POST
_GROUP_COLOURS = OKABE_ITO


def _need(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise AnalysisInputError(f"{what} must be a DataFrame, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise AnalysisInputError(
            f"{what} has no column(s) {', '.join(map(repr, missing))}; pass the output of the "
            "matching analysis function"
        )
    if table.empty:
        raise AnalysisInputError(f"{what} is empty; nothing to plot")


def plot_prepost(
    result: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    axis_labels: Mapping[str, str] | None = None,
    scales: Mapping[str, str] | None = None,
) -> Figure:
    """Dumbbell of pre and post means per outcome, next to the mean change with its CI.

    Parameters
    ----------
    result : DataFrame
        Output of :func:`deliberval.analysis.change.prepost`. With ``by`` columns, every level
        gets its own row, labelled ``"outcome (level)"``.
    labels : mapping, optional
        Display names of the outcomes.
    title : str, optional
        Figure title.
    axis_labels : mapping, optional
        Replacements of the figure's own words, e.g. in another language: ``pre`` and ``post``
        (legend), ``mean`` (left x axis), ``change`` (right x axis, default ``"change (post -
        pre)"``), ``ci`` (appended after a comma when the result has a confidence level; a
        template with ``{level}``, default ``"{level:.0%} CI"``) and ``scale`` (panel title of
        each response scale; a template with ``{range}``, default ``"response scale {range}"``).
    scales : mapping, optional
        Each outcome's response scale (e.g. ``{"trust": "0-10", "efficacy": "1-5"}``). Outcomes
        on different scales get their own pair of panels, one above the other, each with its
        own x axes: means of a 0-10 and a 1-5 scale never share an axis. Without it every
        outcome is drawn on one axis.

    Returns
    -------
    PlotFigure
        Per response scale, a left panel of pre (open grey circle) and post (blue dot) means
        joined by a line, and a right panel of the mean change ``estimate`` with ``ci_low`` -
        ``ci_high`` and a reference line at 0.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.plots.change import plot_prepost
    >>> res = pd.DataFrame({"outcome": ["trust", "efficacy"], "mean_pre": [5.0, 3.1],
    ...                     "mean_post": [5.6, 3.4], "estimate": [0.6, 0.3],
    ...                     "ci_low": [0.2, 0.1], "ci_high": [1.0, 0.5]})
    >>> fig = plot_prepost(res)
    >>> len(fig.axes)
    2
    >>> fig = plot_prepost(res, axis_labels={"mean": "moyenne", "change": "évolution"})
    >>> fig.axes[0].get_xlabel(), fig.axes[1].get_xlabel()
    ('moyenne', 'évolution')
    >>> fig = plot_prepost(res, scales={"trust": "0-10", "efficacy": "1-5"})
    >>> len(fig.axes), fig.axes[0].get_title(loc="left")
    (4, 'response scale 0-10')
    """
    _need(result, ["outcome", "mean_pre", "mean_post", "estimate", "ci_low", "ci_high"], "result")
    names = dict(labels or {})
    words = {
        "pre": "pre",
        "post": "post",
        "mean": "mean",
        "change": "change (post - pre)",
        "ci": "{level:.0%} CI",
        "scale": "response scale {range}",
        **dict(axis_labels or {}),
    }
    by_cols = [c for c in result.columns if c not in PREPOST_COLUMNS]
    row_labels = []
    for _, r in result.iterrows():
        lab = names.get(str(r["outcome"]), str(r["outcome"]))
        if by_cols:
            lab += " (" + ", ".join(str(r[c]) for c in by_cols) + ")"
        row_labels.append(wrap(lab, 34))
    scale_of = dict(scales or {})
    keys = [scale_of.get(str(o), "") for o in result["outcome"]]
    groups = list(dict.fromkeys(keys))
    level = result["confidence_level"].iloc[0] if "confidence_level" in result else None
    change_label = f"{words['change']}, {words['ci'].format(level=level)}" if level else words["change"]
    sizes = [keys.count(g) for g in groups]
    extra = 0.55 if len(groups) > 1 else 0.0
    fig = PlotFigure(figsize=(7.2, sum(0.42 * n + 0.75 + extra for n in sizes) + (0.3 if title else 0)),
                     layout="constrained")
    grid = fig.add_gridspec(len(groups), 2, width_ratios=[3, 2],
                            height_ratios=[0.42 * n + 0.75 + extra for n in sizes])
    for gi, g in enumerate(groups):
        rows = [i for i, key in enumerate(keys) if key == g]
        part = result.iloc[rows]
        ax1 = fig.add_subplot(grid[gi, 0])
        ax2 = fig.add_subplot(grid[gi, 1], sharey=ax1)
        k = len(rows)
        y = np.arange(k)[::-1]
        pre = part["mean_pre"].to_numpy(dtype=float)
        post = part["mean_post"].to_numpy(dtype=float)
        ax1.hlines(y, pre, post, color="#b0b0b0", linewidth=2, zorder=1)
        ax1.scatter(post, y, color=POST, s=36, zorder=2, label=words["post"])
        ax1.scatter(pre, y, facecolors="white", edgecolors=PRE, linewidths=1.6, s=36, zorder=3,
                    label=words["pre"])
        ax1.set_yticks(y, [row_labels[i] for i in rows], fontsize=8)
        ax1.set_ylim(-0.6, k - 0.4)
        ax1.set_xlabel(words["mean"], fontsize=8)
        ax1.tick_params(axis="x", labelsize=8)
        if g and len(groups) > 1:
            ax1.set_title(words["scale"].format(range=g), fontsize=9, loc="left", y=1.0)  # text y labels
        if gi == 0:
            handles, texts = ax1.get_legend_handles_labels()
            ax1.legend(handles[::-1], texts[::-1], loc="lower right", bbox_to_anchor=(1.0, 1.0),
                       ncol=2, frameon=False, fontsize=8, borderaxespad=0.1, handletextpad=0.2)
        diff = part["estimate"].to_numpy(dtype=float)
        lo = part["ci_low"].to_numpy(dtype=float)
        hi = part["ci_high"].to_numpy(dtype=float)
        ax2.errorbar(diff, y, xerr=[diff - lo, hi - diff], fmt="o", color=POST, capsize=3, markersize=5)
        ax2.axvline(0, color="black", linewidth=0.8, linestyle="--")
        ax2.tick_params(axis="y", labelleft=False)
        ax2.tick_params(axis="x", labelsize=8)
        ax2.set_xlabel(change_label, fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def plot_likert(
    shares: pd.DataFrame,
    *,
    labels: Mapping[object, str] | None = None,
    item_labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Diverging stacked bars of Likert answers per item and wave (and by level).

    Parameters
    ----------
    shares : DataFrame
        Output of :func:`deliberval.analysis.change.likert_shares` (``item``, ``wave``,
        ``level``, ``estimate``: the share in 0-1), levels in scale order. With ``by`` columns,
        every level gets its own bar, labelled ``"item - wave (level)"``.
    labels : mapping, optional
        Display names of the response levels for the legend (e.g. ``{1: "strongly disagree"}``).
    item_labels : mapping, optional
        Display names of the items.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One bar per (by level,) item and wave, centred at 0: disagreeing levels to the left,
        agreeing to the right, a middle level (odd number of levels) split across 0.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.plots.change import plot_likert
    >>> sh = pd.DataFrame({"item": ["q"] * 6, "wave": ["pre"] * 3 + ["post"] * 3,
    ...                    "level": [1, 2, 3] * 2, "estimate": [0.5, 0.3, 0.2, 0.2, 0.3, 0.5]})
    >>> fig = plot_likert(sh)
    >>> len(fig.axes[0].patches)
    6
    """
    _need(shares, ["item", "wave", "level", "estimate"], "shares")
    by_cols = [c for c in shares.columns if c not in LIKERT_SHARES_COLUMNS]
    keys = [*by_cols, "item", "wave"]
    levels = list(dict.fromkeys(shares["level"]))
    rows = list(dict.fromkeys(shares[keys].itertuples(index=False, name=None)))
    table = shares.pivot_table(
        index=keys, columns="level", values="estimate", aggfunc="sum", sort=False
    )
    table.index = table.index.to_flat_index()
    table = table.reindex(index=rows, columns=levels)
    values = table.fillna(0.0).to_numpy(dtype=float)
    m = len(levels)
    half = m // 2
    left = values[:, :half].sum(axis=1) + (values[:, half] / 2 if m % 2 else 0.0)
    colours = colormaps["RdBu"](np.linspace(0.1, 0.9, m))
    k = len(rows)
    y = np.arange(k)[::-1]
    fig = PlotFigure(figsize=(9, 0.4 * k + 1.8), layout="constrained")
    ax = fig.subplots()
    start = -left
    names = dict(labels or {})
    for j, lev in enumerate(levels):
        ax.barh(
            y,
            values[:, j],
            left=start,
            color=colours[j],
            edgecolor="white",
            label=names.get(lev, str(lev)),
        )
        start = start + values[:, j]
    ax.axvline(0, color="black", linewidth=0.8)
    inames = dict(item_labels or {})
    nb = len(by_cols)
    ax.set_yticks(
        y,
        [
            f"{inames.get(str(r[nb]), str(r[nb]))} - {r[nb + 1]}"
            + (" (" + ", ".join(map(str, r[:nb])) + ")" if nb else "")
            for r in rows
        ],
    )
    ax.set_xlabel("share of answers (disagree left, agree right)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(m, 6), frameon=False)
    if title:
        ax.set_title(title)
    return fig


def plot_did(
    means: pd.DataFrame,
    *,
    did_result: pd.DataFrame | None = None,
    title: str | None = None,
) -> Figure:
    """Group means over the waves with CIs: participants next to the control group.

    Parameters
    ----------
    means : DataFrame
        Output of :func:`deliberval.analysis.change.group_means` (``group``, ``wave``,
        ``estimate``, ``ci_low``, ``ci_high``).
    did_result : DataFrame, optional
        Output of :func:`deliberval.analysis.did.did`; its ``pooled_ols`` estimate and CI are
        written into the figure.
    title : str, optional
        Figure title (defaults to the outcome name).

    Returns
    -------
    matplotlib.figure.Figure
        One line per group across the waves, with error bars.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.plots.change import plot_did
    >>> m = pd.DataFrame({"group": ["participant"] * 2 + ["control"] * 2,
    ...                   "wave": ["pre", "post"] * 2, "estimate": [3.0, 3.6, 3.0, 3.1],
    ...                   "ci_low": [2.8, 3.4, 2.8, 2.9], "ci_high": [3.2, 3.8, 3.2, 3.3]})
    >>> fig = plot_did(m)
    >>> len(fig.axes[0].lines) >= 2
    True
    """
    _need(means, ["group", "wave", "estimate", "ci_low", "ci_high"], "means")
    waves = list(dict.fromkeys(means["wave"]))
    fig = PlotFigure(figsize=(6, 4.2), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(waves))
    for i, (g, part) in enumerate(means.groupby("group", sort=False)):
        part = part.set_index("wave").reindex(waves)
        est = part["estimate"].to_numpy(dtype=float)
        err = [
            est - part["ci_low"].to_numpy(dtype=float),
            part["ci_high"].to_numpy(dtype=float) - est,
        ]
        ax.errorbar(
            x + (i - 0.5) * 0.04,
            est,
            yerr=err,
            marker="o",
            capsize=3,
            label=str(g),
            color=_GROUP_COLOURS[i % len(_GROUP_COLOURS)],
            linestyle="--" if str(g) == "control" else "-",
        )
    ax.set_xticks(x, waves)
    ax.set_ylabel(str(means["outcome"].iloc[0]) if "outcome" in means else "mean")
    ax.legend(frameon=False)
    if did_result is not None:
        _need(did_result, ["model", "estimate", "ci_low", "ci_high"], "did_result")
        row = did_result.loc[did_result["model"] == "pooled_ols"]
        if not row.empty:
            r = row.iloc[0]
            ax.text(
                0.02,
                0.98,
                f"DiD = {r['estimate']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}]",
                transform=ax.transAxes,
                va="top",
            )
    ax.set_title(title or (str(means["outcome"].iloc[0]) if "outcome" in means else ""))
    return fig


def plot_forest(
    table: pd.DataFrame,
    *,
    label: str = "process_id",
    estimate: str = "estimate",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    reference: float | None = 0.0,
    xlabel: str = "effect size",
    title: str | None = None,
) -> Figure:
    """Forest plot of effect sizes (e.g. ``d_z`` or DiD estimates) across processes.

    Parameters
    ----------
    table : DataFrame
        One row per process (or subgroup) with a label, an estimate and its CI, e.g. the
        concatenated :func:`~deliberval.analysis.change.prepost` results of several processes
        with ``estimate="d_z"``, ``ci_low="d_z_ci_low"``, ``ci_high="d_z_ci_high"``.
    label, estimate, ci_low, ci_high : str
        Column names.
    reference : float or None
        Position of the no-effect line (None for none).
    xlabel, title : str
        Axis label and optional title.

    Returns
    -------
    matplotlib.figure.Figure
        Points with horizontal CI bars, first row at the top.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.plots.change import plot_forest
    >>> t = pd.DataFrame({"process_id": ["A", "B"], "estimate": [0.3, 0.5],
    ...                   "ci_low": [0.1, 0.2], "ci_high": [0.5, 0.8]})
    >>> fig = plot_forest(t)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['B', 'A']
    """
    _need(table, [label, estimate, ci_low, ci_high], "table")
    k = len(table)
    y = np.arange(k)[::-1]
    est = table[estimate].to_numpy(dtype=float)
    lo = table[ci_low].to_numpy(dtype=float)
    hi = table[ci_high].to_numpy(dtype=float)
    fig = PlotFigure(figsize=(6.5, 0.4 * k + 1.4), layout="constrained")
    ax = fig.subplots()
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="s", color=_POST, capsize=3)
    if reference is not None:
        ax.axvline(reference, color="black", linewidth=0.8, linestyle="--")
    order = np.argsort(y)
    ax.set_yticks(y[order], table[label].astype(str).to_numpy()[order])
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return fig
