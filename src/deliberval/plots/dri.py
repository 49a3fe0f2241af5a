"""Intersubjective-consistency plot of the Deliberative Reason Index."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from deliberval.analysis._common import require_columns
from deliberval.analysis.dri import Undefined, dri, dri_pairs
from deliberval.errors import AnalysisInputError

__all__ = ["plot_dri_consistency"]


def plot_dri_consistency(
    df: pd.DataFrame,
    considerations: Sequence[str] | str | None = None,
    preferences: Sequence[str] | str | None = None,
    *,
    stage: str | None = "stage_id",
    stages: Sequence[Hashable] | None = None,
    stage_labels: Sequence[str] | None = None,
    participant: str = "pnum",
    adjusted: bool = False,
    undefined: Undefined = "drop",
    title: str | None = None,
) -> Figure:
    """Plot ``q`` against ``r`` for every pair of participants, one panel per stage.

    Points on the 45-degree line are pairs whose agreement on preferences matches their
    agreement on considerations; the DRI summarises the distance of the cloud from that line.

    Parameters
    ----------
    df : pandas.DataFrame
        One forum: one row per participant and stage with C and P columns.
    considerations, preferences : list of str, optional
        As in :func:`deliberval.analysis.dri.dri`.
    stage : str or None, default "stage_id"
        Column naming the stage; ``None`` (or a column absent from ``df``) draws one panel.
    stages : sequence, optional
        Stage values to draw, left to right; default the sorted distinct values (pre, post).
    stage_labels : sequence of str, optional
        Panel titles for ``stages``; default ``"<stage> = <value>"``.
    participant, adjusted, undefined
        As in :func:`deliberval.analysis.dri.dri`; ``adjusted`` only changes the DRI printed
        in each panel title.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One square panel per stage, sharing axes from -1 to 1.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from deliberval.plots.dri import plot_dri_consistency
    >>> gen = np.random.default_rng(3)
    >>> df = pd.DataFrame(gen.integers(1, 8, (24, 12)), columns=[f"C{i}" for i in range(1, 13)])
    >>> df[["P1", "P2", "P3", "P4"]] = np.argsort(gen.random((24, 4)), axis=1) + 1
    >>> df = df.assign(pnum=list(range(12)) * 2, stage_id=[1] * 12 + [2] * 12)
    >>> fig = plot_dri_consistency(df)
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes]
    ['stage_id = 1', 'stage_id = 2']
    >>> len(fig.axes[0].collections[0].get_offsets())  # 12 * 11 / 2 pairs
    66
    """
    if stage is not None and stage in df.columns:
        values = list(stages) if stages is not None else sorted(pd.unique(df[stage].dropna()))
        parts = [(v, df[df[stage] == v]) for v in values]
    else:
        if stages is not None:
            require_columns(df, [str(stage)], what="data")
        parts = [(None, df)]
    if not parts:
        raise AnalysisInputError(f"column {stage!r} has no values to plot")
    if stage_labels is not None and len(stage_labels) != len(parts):
        raise AnalysisInputError(
            f"stage_labels has {len(stage_labels)} label(s) for {len(parts)} stage(s)"
        )
    fig = Figure(figsize=(4.6 * len(parts), 4.8), layout="constrained")
    axes = fig.subplots(1, len(parts), sharex=True, sharey=True, squeeze=False)[0]
    line = np.array([-1.0, 1.0])
    for k, (ax, (value, part)) in enumerate(zip(axes, parts, strict=True)):
        if len(part) == 0:
            raise AnalysisInputError(f"no rows with {stage} == {value!r}")
        pairs = dri_pairs(
            part, considerations, preferences, participant=participant, undefined=undefined
        )
        summary = dri(
            part,
            considerations,
            preferences,
            participant=participant,
            adjusted=adjusted,
            undefined=undefined,
        ).iloc[0]
        ax.plot(line, line, linestyle="--", color="0.4", linewidth=1, zorder=1)
        ax.scatter(pairs["q"], pairs["r"], s=12, alpha=0.5, color="C0", zorder=2)
        if stage_labels is not None:
            head = stage_labels[k]
        elif value is None:
            head = "all participants"
        else:
            head = f"{stage} = {value}"
        formula = "adjusted" if adjusted else "original"
        ax.set_title(f"{head}\nDRI ({formula}) = {summary['dri']:.3f}, n = {int(summary['n'])}")
        ax.set_xlim(-1.05, 1.05)
        ax.set_ylim(-1.05, 1.05)
        ax.set_aspect("equal")
        ax.set_xlabel("q: agreement on considerations")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("r: agreement on preferences")
    if title is not None:
        fig.suptitle(title)
    return fig
