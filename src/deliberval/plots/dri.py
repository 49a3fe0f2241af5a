"""Intersubjective-consistency plot of the Deliberative Reason Index."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from deliberval.errors import AnalysisInputError
from deliberval.plots._base import PlotFigure

__all__ = ["plot_dri_consistency"]

_PAIR_COLUMNS = ("respondent_1", "respondent_2", "q", "r", "d", "method")



def _require_columns(df: pd.DataFrame, columns: list[str], *, what: str) -> None:
    """A plot draws a given result; name the columns it lacks instead of failing deep in matplotlib."""
    if not isinstance(df, pd.DataFrame):
        raise AnalysisInputError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        shown = ", ".join(map(repr, list(df.columns)[:20]))
        raise AnalysisInputError(
            f"{what} has no column(s) {', '.join(map(repr, missing))}; columns present: {shown}"
        )

def _one_forum(pairs: pd.DataFrame, wave: str | None) -> None:
    """Refuse pairs of several forums: their points would be drawn in one cloud."""
    for col in pairs.columns:
        if col in _PAIR_COLUMNS or col == wave:
            continue
        values = pd.unique(pairs[col])
        if len(values) > 1:
            raise AnalysisInputError(
                f"pairs hold {len(values)} values of {col!r}; plot_dri_consistency draws one "
                "forum (select it, e.g. pairs[pairs[...] == ...], or give it as wave=)"
            )


def _summary_row(summary: pd.DataFrame, wave: str | None, value: Hashable) -> pd.Series:
    if value is None or wave is None or wave not in summary.columns:
        if len(summary) != 1:
            raise AnalysisInputError(
                f"summary has {len(summary)} rows for one panel; give the dri() table of this "
                "forum (one row), or by=the wave column"
            )
        return summary.iloc[0]
    rows = summary[summary[wave] == value]
    if len(rows) != 1:
        raise AnalysisInputError(
            f"summary has {len(rows)} row(s) with {wave} == {value!r}; expected one (the "
            f"output of dri(..., by={wave!r}) for this forum)"
        )
    return rows.iloc[0]


def plot_dri_consistency(
    pairs: pd.DataFrame,
    summary: pd.DataFrame | None = None,
    *,
    wave: str | None = "stage_id",
    waves: Sequence[Hashable] | None = None,
    wave_labels: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Plot ``q`` against ``r`` for every pair of participants, one panel per wave.

    Points on the 45-degree line are pairs whose agreement on preferences matches their
    agreement on considerations; the DRI summarises the distance of the cloud from that line.
    The figure draws results and computes nothing: pass the output of
    :func:`~deliberval.analysis.dri.dri_pairs` (and, for the DRI in the panel titles, that
    of :func:`~deliberval.analysis.dri.dri`) for one forum.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Output of :func:`~deliberval.analysis.dri.dri_pairs` for one forum, with
        ``by=wave`` for one panel per wave: columns ``q``, ``r`` and optionally the ``wave``
        column.
    summary : pandas.DataFrame, optional
        Output of :func:`~deliberval.analysis.dri.dri` for the same forum (and the same
        ``by``): its ``estimate``, ``n`` and ``adjusted`` columns are printed in each panel
        title. Default: titles name the wave only.
    wave : str or None, default "stage_id"
        Column of ``pairs`` naming the wave (deliberr's ``stage_id`` by default); ``None``
        (or a column absent from ``pairs``) draws one panel.
    waves : sequence, optional
        Wave values to draw, left to right; default the sorted distinct values (pre, post).
    wave_labels : sequence of str, optional
        Panel titles for ``waves``; default ``"<wave> = <value>"``.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One square panel per wave, sharing axes from -1 to 1.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from deliberval.analysis.dri import dri, dri_pairs
    >>> from deliberval.plots.dri import plot_dri_consistency
    >>> gen = np.random.default_rng(3)
    >>> df = pd.DataFrame(gen.integers(1, 8, (24, 12)), columns=[f"C{i}" for i in range(1, 13)])
    >>> df[["P1", "P2", "P3", "P4"]] = np.argsort(gen.random((24, 4)), axis=1) + 1
    >>> df = df.assign(pnum=list(range(12)) * 2, stage_id=[1] * 12 + [2] * 12)
    >>> fig = plot_dri_consistency(dri_pairs(df, by="stage_id"), dri(df, by="stage_id"))
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes]
    ['stage_id = 1', 'stage_id = 2']
    >>> len(fig.axes[0].collections[0].get_offsets())  # 12 * 11 / 2 pairs
    66
    """
    _require_columns(pairs, ["q", "r"], what="pairs")
    if summary is not None:
        _require_columns(summary, ["estimate"], what="summary")
    if wave is not None and wave in pairs.columns:
        values = list(waves) if waves is not None else sorted(pd.unique(pairs[wave].dropna()))
        parts: list[tuple[Hashable, pd.DataFrame]] = [(v, pairs[pairs[wave] == v]) for v in values]
    else:
        if waves is not None:
            _require_columns(pairs, [str(wave)], what="pairs")
        parts = [(None, pairs)]
    _one_forum(pairs, wave)
    if not parts:
        raise AnalysisInputError(f"column {wave!r} has no values to plot")
    if wave_labels is not None and len(wave_labels) != len(parts):
        raise AnalysisInputError(
            f"wave_labels has {len(wave_labels)} label(s) for {len(parts)} wave(s)"
        )
    fig = PlotFigure(figsize=(4.6 * len(parts), 4.8), layout="constrained")
    axes = fig.subplots(1, len(parts), sharex=True, sharey=True, squeeze=False)[0]
    line = np.array([-1.0, 1.0])
    for k, (ax, (value, part)) in enumerate(zip(axes, parts, strict=True)):
        if len(part) == 0:
            raise AnalysisInputError(f"no pairs with {wave} == {value!r}")
        ax.plot(line, line, linestyle="--", color="0.4", linewidth=1, zorder=1)
        ax.scatter(part["q"], part["r"], s=12, alpha=0.5, color="C0", zorder=2)
        if wave_labels is not None:
            head = wave_labels[k]
        elif value is None:
            head = "all participants"
        else:
            head = f"{wave} = {value}"
        if summary is not None:
            row = _summary_row(summary, wave, value)
            formula = ""
            if "adjusted" in row.index:
                formula = " (adjusted)" if bool(row["adjusted"]) else " (original)"
            head += f"\nDRI{formula} = {float(row['estimate']):.3f}"
            if "n" in row.index:
                head += f", n = {int(row['n'])}"
        ax.set_title(head)
        ax.set_xlim(-1.05, 1.05)
        ax.set_ylim(-1.05, 1.05)
        ax.set_aspect("equal")
        ax.set_xlabel("q: agreement on considerations")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("r: agreement on preferences")
    if title is not None:
        fig.suptitle(title)
    return fig
