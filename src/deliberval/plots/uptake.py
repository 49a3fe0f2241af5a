"""Figures of recommendation uptake: status bars, uptake over time, the prior-agenda matrix.

Each function takes an :class:`~deliberval.analysis.uptake.UptakeResult` and returns a
:class:`matplotlib.figure.Figure` built without pyplot (nothing shown or saved).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from deliberval.analysis.uptake import UptakeResult
from deliberval.errors import AnalysisInputError
from deliberval.instruments.coding import CodingScheme, load_scheme
from deliberval.plots._base import OKABE_ITO, ORDERED, PlotFigure, label_of, wrap

__all__ = ["plot_agenda_matrix", "plot_status_bars", "plot_uptake_over_time"]

_COLOURS = OKABE_ITO


def _check(result: UptakeResult) -> None:
    if not isinstance(result, UptakeResult):
        raise AnalysisInputError(
            f"pass the result of deliberval.uptake(...), got {type(result).__name__}")


def plot_status_bars(result: UptakeResult, *, scheme: CodingScheme | None = None,
                     title: str | None = None, axis_labels: Mapping[str, str] | None = None,
                     labels: Mapping[str, str] | None = None) -> Figure:
    """Stacked bars of the status of the recommendations on the evaluation date, per process.

    Parameters
    ----------
    result : UptakeResult
        Output of :func:`deliberval.uptake`.
    scheme : CodingScheme, optional
        Gives the order and labels of the statuses (default: shipped scheme).
    title : str, optional
    axis_labels : mapping, optional
        Replacements of the figure's own words, e.g. in another language: ``share`` (x axis; a
        template with ``{date}``, default ``"share of recommendations (status on
        {date:%Y-%m-%d})"``), ``title`` (default title) and any status code (its legend label).
    labels : mapping, optional
        Display names of the processes (default: their ids).

    Returns
    -------
    matplotlib.figure.Figure
        One horizontal bar per process, split into the share of recommendations in each
        status in the scheme's order (from ``no_response`` to ``implemented``), each status
        in its own colour-blind-safe hue (Okabe-Ito, warm to cool); the legend sits below the
        axis label, in a row of its own.

    Examples
    --------
    >>> from deliberval.datasets.registers import simulate_register
    >>> from deliberval.analysis.uptake import uptake
    >>> from deliberval.plots.uptake import plot_status_bars
    >>> reg = simulate_register("climate_assembly", seed=1)
    >>> fig = plot_status_bars(uptake(reg, as_of="2023-06-30"))
    >>> len(fig.axes[0].patches) > 0
    True
    """
    _check(result)
    scheme = scheme or load_scheme()
    order = list(scheme.status_order)
    order += [s for s in result.status["status"].unique() if s not in order]
    shares = (result.status.groupby("process_id", sort=False)["status"]
              .value_counts(normalize=True).unstack(fill_value=0.0)
              .reindex(columns=order, fill_value=0.0))
    processes = list(shares.index)
    fig = PlotFigure(figsize=(7.2, 1.9 + 0.45 * len(processes)), layout="constrained")
    ax = fig.add_subplot()
    left = np.zeros(len(processes))
    words = dict(axis_labels or {})
    status_names = {c.code: c.label for c in scheme.response_status.codes}
    status_names.update({k: v for k, v in words.items() if k not in ("share", "title")})
    y = np.arange(len(processes))
    for i, code in enumerate(order):
        values = shares[code].to_numpy()
        ax.barh(y, values, left=left, color=ORDERED[i] if i < len(ORDERED) else "#bbbbbb",
                edgecolor="white", label=wrap(status_names.get(code, code), 22))
        left += values
    ax.set_yticks(y, [wrap(label_of(labels, p), 18) for p in processes])
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.tick_params(labelsize=8)
    ax.set_xlabel(words.get("share", "share of recommendations (status on {date:%Y-%m-%d})")
                  .format(date=result.as_of), fontsize=8)
    # a figure legend below everything (constrained layout keeps it clear of the axis label)
    fig.legend(loc="outside lower center", ncol=4, fontsize=7, frameon=False)
    # y=1.0, where matplotlib would place it (text y labels, no offset text to avoid): no title search
    ax.set_title(title or words.get("title", "Status of the recommendations"), fontsize=10, y=1.0)
    return fig


def plot_uptake_over_time(result: UptakeResult, *, endpoint: str = "first_response",
                          title: str | None = None) -> Figure:
    """Step curves of the cumulative share reaching a first response (or implementation).

    Parameters
    ----------
    result : UptakeResult
    endpoint : {"first_response", "implementation"}
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Kaplan-Meier cumulative incidence (1 - survival) against days since the
        recommendations were handed over, one step curve per process with its pointwise
        interval shaded; each curve stops at the longest follow-up (the censoring time).

    Examples
    --------
    >>> from deliberval.datasets.registers import simulate_register
    >>> from deliberval.analysis.uptake import uptake
    >>> from deliberval.plots.uptake import plot_uptake_over_time
    >>> reg = simulate_register("cofoe_panel", seed=1)
    >>> fig = plot_uptake_over_time(uptake(reg, as_of="2024-05-09"))
    >>> fig.axes[0].get_xlabel()
    'days since the recommendations were handed over'
    """
    _check(result)
    if endpoint not in ("first_response", "implementation"):
        raise AnalysisInputError(
            f"endpoint must be 'first_response' or 'implementation', got {endpoint!r}")
    fig = PlotFigure(figsize=(8, 4.5), layout="constrained")
    ax = fig.add_subplot()
    steps = result.survival[result.survival["endpoint"] == endpoint]
    follow = result.status.groupby("process_id", sort=False)["follow_up_days"].max()
    for i, process in enumerate(follow.index):
        s = steps[steps["process_id"] == process]
        end = float(follow[process])
        x = np.concatenate([[0.0], s["time"].to_numpy(float), [end]])
        y = np.concatenate([[0.0], s["cumulative"].to_numpy(float),
                            [s["cumulative"].iloc[-1] if len(s) else 0.0]])
        colour = _COLOURS[i % len(_COLOURS)]
        ax.step(x, y, where="post", color=colour, label=str(process))
        if len(s):
            lo = np.concatenate([[0.0], 1 - s["ci_high"].to_numpy(float)])
            hi = np.concatenate([[0.0], 1 - s["ci_low"].fillna(0).to_numpy(float)])
            ax.fill_between(x[:-1], lo, hi, step="post", color=colour, alpha=0.15, linewidth=0)
    ax.set_ylim(0, 1)
    ax.set_xlim(left=0)
    ax.set_xlabel("days since the recommendations were handed over")
    what = "a first public response" if endpoint == "first_response" else "implementation"
    ax.set_ylabel(f"share reaching {what}")
    ax.legend(frameon=False)
    ax.set_title(title or f"Time to {what} (Kaplan-Meier, censored {result.as_of:%Y-%m-%d})")
    return fig


def plot_agenda_matrix(result: UptakeResult, *, title: str | None = None) -> Figure:
    """The prior-agenda matrix (Vrydagh 2022): uptake of recommendations already on the agenda
    against new ones, one 2 x 2 panel per process.

    Parameters
    ----------
    result : UptakeResult
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Rows: on the agenda before the process (yes / no); columns: taken up or not. Cells show
        the count and the row share (shading); the panel title gives the difference in uptake
        and Fisher's exact p-value.

    Examples
    --------
    >>> from deliberval.datasets.registers import simulate_register
    >>> from deliberval.analysis.uptake import uptake
    >>> from deliberval.plots.uptake import plot_agenda_matrix
    >>> reg = simulate_register("wallonia_committee", seed=1)
    >>> fig = plot_agenda_matrix(uptake(reg, as_of="2025-06-30"))
    >>> len(fig.axes)
    1
    """
    _check(result)
    tests = result.agenda_test.set_index("process_id")
    processes = list(tests.index)
    if not processes:
        raise AnalysisInputError("the result has no process to plot")
    fig = PlotFigure(figsize=(3.6 * len(processes), 3.4), layout="constrained")
    axes = fig.subplots(1, len(processes), squeeze=False)[0]
    cmap = colormaps["Blues"]
    for ax, process in zip(axes, processes, strict=True):
        g = result.agenda[result.agenda["process_id"] == process].set_index("prior_agenda")
        cells = np.zeros((2, 2))
        counts = np.zeros((2, 2), dtype=int)
        for i, grp in enumerate(("yes", "no")):
            n, k = int(g.loc[grp, "n"]), int(g.loc[grp, "count"])
            counts[i] = [k, n - k]
            cells[i] = [k / n, (n - k) / n] if n else [0.0, 0.0]
        ax.imshow(cells, cmap=cmap, vmin=0, vmax=1)
        for i in range(2):
            for j in range(2):
                ax.text(j, i, f"{counts[i, j]}\n({cells[i, j]:.0%})", ha="center", va="center",
                        color="white" if cells[i, j] > 0.6 else "black")
        ax.set_xticks([0, 1], ["taken up", "not taken up"])
        ax.set_yticks([0, 1], ["on agenda", "new"])
        t = tests.loc[process]
        diff = "n/a" if np.isnan(t["estimate"]) else f"{t['estimate']:+.2f}"
        p = "n/a" if np.isnan(t["p_value"]) else f"{t['p_value']:.3f}"
        ax.set_title(f"{process}\ndifference {diff}, Fisher p = {p}", fontsize="medium")
    if title:
        fig.suptitle(title)
    return fig
