"""Figures of the fate of recommendations: cumulative incidence of response types, the say-do curve.

Each function takes a table computed by :mod:`deliberval.analysis.fate` or
:func:`deliberval.analysis.uptake.uptake_snapshots` and returns a
:class:`matplotlib.figure.Figure` built without pyplot (nothing computed, shown or saved).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from deliberval.errors import AnalysisInputError
from deliberval.plots._base import PlotFigure

__all__ = ["plot_cumulative_incidence", "plot_say_do_curve"]

_COLOURS = ("#1f5fa8", "#d9822b", "#3a8f5b", "#a83f6a", "#6b5ca5", "#8c6d31")
_CAUSE_COLOURS = {"implementation": "#3a8f5b", "rejection": "#c0392b", "other_response": "#7f8c8d"}


def _need(table: pd.DataFrame, columns: list[str], what: str) -> None:
    if not isinstance(table, pd.DataFrame) or not set(columns) <= set(table.columns):
        raise AnalysisInputError(f"pass the table of {what} (columns {columns})")


def plot_cumulative_incidence(table: pd.DataFrame, *, title: str | None = None,
                              axis_labels: Mapping[str, str] | None = None) -> Figure:
    """Step curves of the cumulative incidence of each response type, with their intervals.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`deliberval.analysis.fate.cumulative_incidence` without ``by``.
    title : str, optional
    axis_labels : mapping, optional
        Replacements of the figure's words: ``time`` (x axis), ``estimate`` (y axis),
        ``title`` and any cause (its legend label).

    Returns
    -------
    matplotlib.figure.Figure
        One step curve per cause from 0 at time 0, with a shaded confidence band.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.fate import cumulative_incidence
    >>> from deliberval.plots.fate import plot_cumulative_incidence
    >>> df = pd.DataFrame({"time": [10, 20, 20, 35, 50, 60],
    ...                    "event": ["rejection", "implementation", "censored", "rejection",
    ...                              "implementation", "censored"]})
    >>> fig = plot_cumulative_incidence(cumulative_incidence(df))
    >>> len(fig.axes[0].get_lines())
    2
    """
    _need(table, ["cause", "time", "estimate", "ci_low", "ci_high"], "cumulative incidence")
    labels = dict(axis_labels or {})
    fig = PlotFigure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    for i, (cause, g) in enumerate(table.groupby("cause", sort=False)):
        colour = _CAUSE_COLOURS.get(str(cause), _COLOURS[i % len(_COLOURS)])
        t = np.r_[0.0, g["time"].to_numpy(float)]
        est = np.r_[0.0, g["estimate"].to_numpy(float)]
        ax.step(t, est, where="post", color=colour, label=labels.get(str(cause), str(cause)))
        ax.fill_between(t, np.r_[0.0, g["ci_low"].to_numpy(float)],
                        np.r_[0.0, g["ci_high"].to_numpy(float)], step="post", color=colour,
                        alpha=0.15, linewidth=0)
    ax.set_xlabel(labels.get("time", "days since submission"))
    ax.set_ylabel(labels.get("estimate", "cumulative incidence (share of recommendations)"))
    ax.set_ylim(0, 1)
    ax.legend(frameon=False)
    ax.set_title(title or labels.get("title", "First public response, by type"))
    fig.tight_layout()
    return fig


def plot_say_do_curve(snapshots: pd.DataFrame, *, title: str | None = None,
                      axis_labels: Mapping[str, str] | None = None) -> Figure:
    """The say-do gap over dated snapshots (a legislature), one line per process.

    Parameters
    ----------
    snapshots : DataFrame
        Output of :func:`deliberval.analysis.uptake.uptake_snapshots` (its ``say_do_gap`` rows
        are drawn).
    title : str, optional
    axis_labels : mapping, optional
        Replacements of the figure's words: ``as_of`` (x axis), ``estimate`` (y axis), ``title``.

    Returns
    -------
    matplotlib.figure.Figure
        Per process, the say-do gap (share 0-1) at each snapshot date with its Wilson interval
        as error bars; snapshots where no recommendation's window has closed are not drawn.

    Examples
    --------
    >>> from deliberval.datasets.registers import simulate_register
    >>> from deliberval.analysis.uptake import uptake_snapshots
    >>> from deliberval.plots.fate import plot_say_do_curve
    >>> reg = simulate_register("climate_assembly", seed=1)
    >>> snaps = uptake_snapshots(reg, ["2022-06-30", "2022-12-31", "2023-06-30"], say_do_days=90)
    >>> len(plot_say_do_curve(snaps).axes[0].get_lines()) >= 1
    True
    """
    _need(snapshots, ["as_of", "process_id", "indicator", "estimate", "ci_low", "ci_high"],
          "uptake snapshots")
    labels = dict(axis_labels or {})
    rows = snapshots[(snapshots["indicator"] == "say_do_gap") & snapshots["estimate"].notna()]
    if rows.empty:
        raise AnalysisInputError("no snapshot has a say-do gap to draw (no recommendation accepted "
                                 "long enough before any snapshot date)")
    fig = PlotFigure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    for i, (p, g) in enumerate(rows.groupby("process_id", sort=False)):
        x = pd.to_datetime(g["as_of"]).to_numpy()
        y = g["estimate"].to_numpy(float)
        err = np.vstack([y - g["ci_low"].to_numpy(float), g["ci_high"].to_numpy(float) - y])
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, color=_COLOURS[i % len(_COLOURS)],
                    label=str(p))
    ax.set_ylim(0, 1)
    ax.set_xlabel(labels.get("as_of", "snapshot date"))
    ax.set_ylabel(labels.get("estimate", "accepted but not implemented (share)"))
    ax.legend(frameon=False)
    ax.set_title(title or labels.get("title", "Say-do gap over time"))
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
