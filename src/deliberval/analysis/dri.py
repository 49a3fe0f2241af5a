"""The Deliberative Reason Index (DRI): group and individual scores, pre/post test, permutation null.

The DRI (Niemeyer & Dryzek 2007; Niemeyer, Veri, Dryzek & Bächtiger 2024) asks whether a
forum's members who agree on the *considerations* (C columns: ratings of statements) also agree
on the *preferences* (P columns: rankings of policy options). For every pair of participants
``q`` is the Spearman correlation of their consideration ratings and ``r`` that of their
preference rankings; the closer the pairs lie to the 45-degree line ``q = r``, the higher the DRI.

The definitions follow deliberr 0.1.0, the R implementation by the index's authors, and are
validated against it (``tests/data/deliberr/dri_reference_dev.csv``) and against base R
(``tests/reference/dri/generate_dri.R``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from deliberval.analysis._common import (
    as_list,
    check_confidence_level,
    require_columns,
    rng,
    wilcoxon_signed_rank,
)
from deliberval.errors import AnalysisInputError, DelibervalWarning

__all__ = [
    "DRIWarning",
    "dri",
    "dri_change",
    "dri_change_permutation_test",
    "dri_individual",
    "dri_pairs",
    "dri_permutation_test",
]

_LAMBDA = np.sqrt(2.0) / 2.0
_WEAK = 0.2  # deliberr's threshold below which a pair's signal is down-weighted (adjusted DRI)
_C_PATTERN = re.compile(r"^C\d+$")
_P_PATTERN = re.compile(r"^P\d+$")
_BATCH_ELEMENTS = 500_000  # permutations x pairs per vectorised batch (memory vs speed)
_TOL = 1e-12  # permuted DRIs within this of the observed one count as ">= observed"

Undefined = Literal["drop", "propagate"]


class DRIWarning(DelibervalWarning):
    """Something in the DRI input was handled in a way the user should know about.

    Issued when participants are left out because their Spearman correlations
    are undefined (all-equal or missing ratings), or when participants seen in only one wave
    are left out of the paired pre/post test.
    """


@dataclass(frozen=True)
class _Forum:
    """One forum in one wave, ready for the DRI: participant ids and correlation matrices."""

    ids: np.ndarray
    q: np.ndarray  # (n, n) Spearman correlations of considerations
    r: np.ndarray  # (n, n) Spearman correlations of preferences
    n_considerations: int
    n_preferences: int


# ----------------------------------------------------------------------------- input handling


def _show(value: object) -> str:
    """repr() of a value with numpy scalars shown as plain Python (1, not np.int64(1))."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _natural_key(name: str) -> int:
    return int(name[1:])


def _candidates(
    df: pd.DataFrame, given: Sequence[str] | str | None, pattern: re.Pattern[str], what: str
) -> list[str]:
    if given is None:
        found = sorted((str(c) for c in df.columns if pattern.match(str(c))), key=_natural_key)
        if not found:
            raise AnalysisInputError(
                f"no {what} columns found: expected columns named like "
                f"{'C1, C2, ...' if what == 'consideration' else 'P1, P2, ...'} "
                f"or an explicit list via {what}s=[...]"
            )
        return found
    if isinstance(given, str):
        cols = [given]
    elif isinstance(given, Sequence | pd.Index | np.ndarray):
        cols = list(given)
    else:
        raise AnalysisInputError(
            f"{what}s must be a list of column names, got {type(given).__name__} {given!r}"
        )
    require_columns(df, cols, what="data")
    return cols


def _check_undefined(undefined: str) -> None:
    if undefined not in ("drop", "propagate"):
        raise AnalysisInputError(f"undefined must be 'drop' or 'propagate', got {undefined!r}")


def _label(by: list[str], key: tuple[Hashable, ...]) -> str:
    if not by:
        return "data"
    return ", ".join(f"{b}={_show(k)}" for b, k in zip(by, key, strict=True))


def _matrix(df: pd.DataFrame, cols: list[str], what: str) -> np.ndarray:
    sub = df[cols]
    empty = sub.isna().all(axis=0).to_numpy()
    bad = [
        c
        for c, t, e in zip(cols, sub.dtypes, empty, strict=True)
        if not e and not pd.api.types.is_numeric_dtype(t)
    ]
    if bad:
        raise AnalysisInputError(
            f"{what} column(s) {', '.join(map(repr, bad))} are not numeric; "
            "the DRI needs numeric ratings / rankings (recode text answers first)"
        )
    keep = [c for c, e in zip(cols, empty, strict=True) if not e]
    out = np.full((len(df), len(cols)), np.nan)
    if keep:
        out[:, ~empty] = sub[keep].to_numpy(dtype=float, na_value=np.nan)
    return out


def _spearman(x: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Spearman correlations between the rows of ``x`` (average ranks, as R's ``cor``).

    Written with numpy rather than :func:`scipy.stats.spearmanr` so that rows whose correlation
    is undefined give NaN without a warning and so that the matrix is reused by the
    permutation test.
    """
    filled = np.where(np.isnan(x), 0.0, x)
    ranks = stats.rankdata(filled, axis=1)
    centred = ranks - ranks.mean(axis=1, keepdims=True)
    norm = np.sqrt((centred**2).sum(axis=1, keepdims=True))
    z = np.full_like(centred, np.nan)
    z[usable] = centred[usable] / norm[usable]
    out = np.clip(z @ z.T, -1.0, 1.0)
    np.fill_diagonal(out, 1.0)
    return out


def _forum(
    xc_all: np.ndarray,
    xp_all: np.ndarray,
    ids: np.ndarray,
    c_candidates: list[str],
    p_candidates: list[str],
    respondent: str,
    undefined: Undefined,
    label: str,
) -> _Forum:
    c_answered = ~np.isnan(xc_all).all(axis=0)
    p_answered = ~np.isnan(xp_all).all(axis=0)
    for what, answered, cand in (
        ("consideration", c_answered, c_candidates),
        ("preference", p_answered, p_candidates),
    ):
        if answered.sum() < 2:
            raise AnalysisInputError(
                f"{label}: {answered.sum()} usable {what} column(s) (of {len(cand)} "
                f"candidates; columns empty for everyone are dropped); a Spearman correlation "
                f"needs at least 2 {what}s answered"
            )
    dup = pd.Series(ids).duplicated(keep=False)
    if dup.any():
        shown = ", ".join(map(_show, pd.unique(ids[dup.to_numpy()])[:10]))
        raise AnalysisInputError(
            f"{label}: participant id(s) {shown} appear more than once in {respondent!r}; "
            "each participant needs exactly one row per forum and wave (use by=[...] to "
            "separate forums or waves)"
        )
    xc, xp = xc_all[:, c_answered], xp_all[:, p_answered]
    n_c, n_p = xc.shape[1], xp.shape[1]

    def usable(x: np.ndarray) -> np.ndarray:
        complete = ~np.isnan(x).any(axis=1)
        varied = np.nanmax(x, axis=1, initial=-np.inf) > np.nanmin(x, axis=1, initial=np.inf)
        return complete & varied

    ok_c, ok_p = usable(xc), usable(xp)
    ok = ok_c & ok_p
    if not ok.all():
        reasons = []
        for i in np.flatnonzero(~ok):
            why = []
            for okk, x, what in ((ok_c, xc, "considerations"), (ok_p, xp, "preferences")):
                if not okk[i]:
                    why.append(f"missing {what}" if np.isnan(x[i]).any() else f"all-equal {what}")
            reasons.append(f"{_show(ids[i])} ({', '.join(why)})")
        shown = "; ".join(reasons[:10]) + ("; ..." if len(reasons) > 10 else "")
        if undefined == "drop":
            done = "left out of the DRI (undefined='drop')"
        else:
            done = (
                "kept with undefined correlations, so the DRI is NaN as in deliberr "
                "(undefined='propagate'); use undefined='drop' to leave them out"
            )
        warnings.warn(
            f"{label}: {len(reasons)} participant(s) have no defined Spearman correlation "
            f"(all-equal or missing ratings in the {n_c} consideration / "
            f"{n_p} preference columns used): {shown}; {done}",
            DRIWarning,
            stacklevel=4,
        )
    if undefined == "drop":
        xc, xp, ids, ok_c, ok_p = xc[ok], xp[ok], ids[ok], ok_c[ok], ok_p[ok]
    if len(ids) < 2:
        raise AnalysisInputError(
            f"{label}: {len(ids)} participant(s) with usable ratings; the DRI needs at least 2 "
            "(one pair)"
        )
    return _Forum(ids, _spearman(xc, ok_c), _spearman(xp, ok_p), n_c, n_p)


def _forums(
    df: pd.DataFrame,
    considerations: Sequence[str] | str | None,
    preferences: Sequence[str] | str | None,
    by: Sequence[str] | str | None,
    respondent: str,
    undefined: Undefined,
) -> list[tuple[tuple[Hashable, ...], _Forum]]:
    _check_undefined(undefined)
    by_cols = as_list(by)
    require_columns(df, [respondent, *by_cols], what="data")
    c_cand = _candidates(df, considerations, _C_PATTERN, "consideration")
    p_cand = _candidates(df, preferences, _P_PATTERN, "preference")
    both = sorted(set(c_cand) & set(p_cand))
    repeated = sorted({c for c in [*c_cand, *p_cand] if [*c_cand, *p_cand].count(c) > 1})
    if both or repeated:
        raise AnalysisInputError(
            f"column(s) {', '.join(map(repr, repeated))} are listed more than once"
            + (
                f" ({', '.join(map(repr, both))} as both consideration and preference)"
                if both
                else ""
            )
            + "; each rating column belongs to exactly one list"
        )
    if len(df) == 0:
        raise AnalysisInputError("data has no rows; the DRI needs at least 2 participants")
    xc = _matrix(df, c_cand, "consideration")
    xp = _matrix(df, p_cand, "preference")
    ids = df[respondent].to_numpy()
    if not by_cols:
        groups: dict[Hashable, np.ndarray] = {(): np.arange(len(df))}
    else:
        groups = df[by_cols].groupby(by_cols, sort=False, dropna=False).indices
    out = []
    for key, rows in groups.items():
        k = key if isinstance(key, tuple) else (key,)
        f = _forum(
            xc[rows],
            xp[rows],
            ids[rows],
            c_cand,
            p_cand,
            respondent,
            undefined,
            _label(by_cols, k),
        )
        out.append((k, f))
    return out


# ----------------------------------------------------------------------------- the index


def _weak_pair_weight(q: np.ndarray, r: np.ndarray) -> np.ndarray:
    """The adjusted formula's weight of a pair: max(|q|, |r|) / 0.2, at most 1."""
    strongest = np.maximum(np.abs(q), np.abs(r))
    return np.where(strongest <= _WEAK, strongest / _WEAK, 1.0)


def _dri_value(q: np.ndarray, r: np.ndarray, adjusted: bool) -> np.ndarray:
    """DRI over the last axis of paired correlation arrays ``q`` and ``r``."""
    d = np.abs(q - r) / np.sqrt(2.0)
    if adjusted:
        dist = 1.0 - np.mean((1.0 - d) * _weak_pair_weight(q, r), axis=-1)
    else:
        dist = np.mean(d, axis=-1)
    return (_LAMBDA - 2.0 * dist) / _LAMBDA


def _individual_values(f: _Forum, adjusted: bool) -> np.ndarray:
    n = len(f.ids)
    d = np.abs(f.q - f.r) / np.sqrt(2.0)
    if adjusted:
        terms = (1.0 - d) * _weak_pair_weight(f.q, f.r)
        np.fill_diagonal(terms, 0.0)
        dist = 1.0 - terms.sum(axis=1) / (n - 1)
    else:
        np.fill_diagonal(d, 0.0)
        dist = d.sum(axis=1) / (n - 1)
    return (_LAMBDA - 2.0 * dist) / _LAMBDA


def _method(adjusted: bool) -> str:
    return (
        "DRI, adjusted formula (pairs with max(|q|, |r|) <= 0.2 down-weighted)"
        if adjusted
        else "DRI, original formula (Niemeyer & Dryzek 2007)"
    )


def _upper(f: _Forum) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    iu, ju = np.triu_indices(len(f.ids), k=1)
    return iu, ju, f.q[iu, ju], f.r[iu, ju]


def _group_dri(f: _Forum, adjusted: bool) -> tuple[float, int]:
    """(group DRI, number of pairs) of one forum."""
    _, _, q, r = _upper(f)
    return float(_dri_value(q, r, adjusted)), len(q)


def _with_by(part: pd.DataFrame, by_cols: list[str], key: tuple[Hashable, ...]) -> pd.DataFrame:
    """``part`` with the forum's ``by`` columns put in front."""
    for b, k in zip(reversed(by_cols), reversed(key), strict=True):
        part.insert(0, b, k)
    return part


_PAIRS_METHOD = (
    "Spearman correlations (average ranks for ties) of consideration ratings (q) and "
    "preference rankings (r); d = |q - r| / sqrt(2)"
)


def dri_pairs(
    df: pd.DataFrame,
    considerations: Sequence[str] | str | None = None,
    preferences: Sequence[str] | str | None = None,
    *,
    by: Sequence[str] | str | None = None,
    respondent: str = "pnum",
    undefined: Undefined = "drop",
) -> pd.DataFrame:
    """Intersubjective consistency: ``q`` and ``r`` for every pair of participants.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per participant (per forum and wave), consideration ratings in C columns and
        preference rankings in P columns, as in deliberr's ``human_data``.
    considerations : list of str, optional
        Consideration columns. Default: every column named ``C<number>``. Columns empty for
        everyone in a forum are dropped (as in deliberr).
    preferences : list of str, optional
        Preference columns. Default: every column named ``P<number>``; empty ones dropped.
    by : str or list of str, optional
        Columns that separate forums and waves, e.g. ``["case", "stage_id"]``: one block of
        pairs per level.
    respondent : str, default "pnum"
        Participant id column (unique within each forum and wave). The default is the
        column name of deliberr's raw layout (``human_data``), so that table works as is.
    undefined : {"drop", "propagate"}, default "drop"
        What to do with participants whose Spearman correlation is undefined (all-equal or
        missing ratings): leave them out (``"drop"``) or keep them so that their correlations
        and hence the DRI are NaN, as deliberr does (``"propagate"``). Either way a
        :class:`DRIWarning` names them.

    Returns
    -------
    pandas.DataFrame
        One row per pair ``i < j`` (in data order), columns:

        - the ``by`` columns (named as in ``df``);
        - ``respondent_1``, ``respondent_2``: the two participants' ids;
        - ``q``: Spearman correlation of their consideration ratings;
        - ``r``: Spearman correlation of their preference rankings;
        - ``d``: ``|q - r| / sqrt(2)``, the distance to the 45-degree line;
        - ``method``: how ``q``, ``r`` and ``d`` were computed.

    Notes
    -----
    Spearman correlations use average ranks for ties, as R's ``cor(method = "spearman")``.
    Validated against R (``tests/reference/dri/generate_dri.R``).

    References
    ----------
    Niemeyer, S. J., & Dryzek, J. S. (2007). The ends of deliberation: meta-consensus and
    inter-subjective rationality as ideal outcomes. *Swiss Political Science Review*, 13(4),
    497-526.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.dri import dri_pairs
    >>> df = pd.DataFrame({"pnum": [1, 2, 3], "C1": [1, 2, 3], "C2": [2, 3, 1],
    ...                    "C3": [3, 1, 2], "P1": [1, 2, 3], "P2": [2, 1, 1], "P3": [3, 3, 2]})
    >>> dri_pairs(df).drop(columns="method").round(3)
       respondent_1  respondent_2    q    r      d
    0             1             2 -0.5  0.5  0.707
    1             1             3 -0.5 -0.5  0.000
    2             2             3 -0.5  0.5  0.707
    """
    by_cols = as_list(by)
    parts = []
    for key, f in _forums(df, considerations, preferences, by, respondent, undefined):
        iu, ju, q, r = _upper(f)
        part = pd.DataFrame(
            {
                "respondent_1": f.ids[iu],
                "respondent_2": f.ids[ju],
                "q": q,
                "r": r,
                "d": np.abs(q - r) / np.sqrt(2.0),
                "method": _PAIRS_METHOD,
            }
        )
        parts.append(_with_by(part, by_cols, key))
    return pd.concat(parts, ignore_index=True)


def dri(
    df: pd.DataFrame,
    considerations: Sequence[str] | str | None = None,
    preferences: Sequence[str] | str | None = None,
    *,
    by: Sequence[str] | str | None = None,
    respondent: str = "pnum",
    adjusted: bool = False,
    undefined: Undefined = "drop",
) -> pd.DataFrame:
    """Group Deliberative Reason Index of each forum (and wave).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per participant: C columns (consideration ratings) and P columns (preference
        rankings), plus the ``respondent`` id and the ``by`` columns.
    considerations, preferences : list of str, optional
        Columns to use; default every ``C<number>`` / ``P<number>`` column. Within each forum
        columns empty for everyone are dropped, as in deliberr.
    by : str or list of str, optional
        Columns separating forums and waves, e.g. ``["case", "stage_id"]``: one row per
        level; default one forum.
    respondent : str, default "pnum"
        Participant id column. The default is the column name of deliberr's raw layout
        (``human_data``), so that table works as is.
    adjusted : bool, default False
        Use the adjusted formula, which down-weights pairs whose correlations are both weak.
    undefined : {"drop", "propagate"}, default "drop"
        Participants with all-equal or missing ratings have no Spearman correlation:
        ``"drop"`` leaves them out, ``"propagate"`` keeps them so the DRI is NaN (deliberr).
        Either way a :class:`DRIWarning` names them.

    Returns
    -------
    pandas.DataFrame
        One row per forum, columns:

        - the ``by`` columns (named as in ``df``);
        - ``estimate``: the group DRI;
        - ``n``: participants used;
        - ``n_pairs``: pairs of participants, ``n (n - 1) / 2``;
        - ``n_considerations``, ``n_preferences``: rating columns used;
        - ``adjusted``: whether the adjusted formula was used;
        - ``method``: the formula.

    Notes
    -----
    For each pair of participants :math:`i < j`, :math:`q_{ij}` and :math:`r_{ij}` are the
    Spearman correlations of their consideration ratings and of their preference rankings,
    and :math:`d_{ij} = |q_{ij} - r_{ij}| / \\sqrt 2`. With :math:`\\lambda = \\sqrt 2 / 2`,

    .. math:: \\mathrm{DRI} = (\\lambda - 2D) / \\lambda,

    where :math:`D = \\overline{d}` (original formula) or
    :math:`D = 1 - \\overline{(1 - d)\\,w}` with :math:`w = \\max(|q|, |r|) / 0.2` when
    :math:`\\max(|q|, |r|) \\le 0.2` and :math:`w = 1` otherwise (adjusted formula). The DRI
    is 1 when every pair lies on the 45-degree line. Random data give a *positive* DRI, so
    report it with :func:`dri_permutation_test`.

    Validated against deliberr 0.1.0 (``dri_reference_dev.csv``, 5 forums, to 1e-9) and
    against base R for all 24 forums of deliberr's ``human_data`` (to 1e-12). Written here
    because no Python library implements the DRI.

    References
    ----------
    .. [1] Niemeyer, S., & Dryzek, J. S. (2007). The ends of deliberation: Meta-consensus and
       inter-subjective rationality as ideal outcomes. Swiss Political Science Review, 13(4),
       497-526.
    .. [2] Niemeyer, S., Veri, F., Dryzek, J. S., & Bächtiger, A. (2024). How deliberation
       happens: Enabling deliberative reason. American Political Science Review, 118(1),
       345-362.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.dri import dri
    >>> df = pd.DataFrame({"pnum": [1, 2, 3, 4, 5],
    ...                    "C1": [1, 2, 3, 4, 2], "C2": [2, 3, 4, 3, 2], "C3": [3, 2, 4, 2, 1],
    ...                    "C4": [4, 3, 3, 1, 4], "P1": [1, 2, 3, 3, 1], "P2": [2, 3, 1, 2, 3],
    ...                    "P3": [3, 1, 2, 1, 2]})
    >>> dri(df)[["estimate", "n", "n_pairs", "n_considerations", "n_preferences"]].round(4)
       estimate  n  n_pairs  n_considerations  n_preferences
    0    0.1476  5       10                 4              3
    """
    by_cols = as_list(by)
    rows = []
    for key, f in _forums(df, considerations, preferences, by, respondent, undefined):
        value, n_pairs = _group_dri(f, adjusted)
        rows.append(
            {
                **dict(zip(by_cols, key, strict=True)),
                "estimate": value,
                "n": len(f.ids),
                "n_pairs": n_pairs,
                "n_considerations": f.n_considerations,
                "n_preferences": f.n_preferences,
                "adjusted": bool(adjusted),
                "method": _method(adjusted),
            }
        )
    return pd.DataFrame(rows)


def dri_individual(
    df: pd.DataFrame,
    considerations: Sequence[str] | str | None = None,
    preferences: Sequence[str] | str | None = None,
    *,
    by: Sequence[str] | str | None = None,
    respondent: str = "pnum",
    adjusted: bool = False,
    undefined: Undefined = "drop",
) -> pd.DataFrame:
    """Individual DRI: the DRI formula over the pairs that include each participant.

    Parameters
    ----------
    df, considerations, preferences, by, respondent, adjusted, undefined
        As in :func:`dri`.

    Returns
    -------
    pandas.DataFrame
        One row per participant (data order within each forum), columns:

        - the ``by`` columns (named as in ``df``);
        - the ``respondent`` column (named as in ``df``, ``pnum`` by default);
        - ``estimate``: the participant's individual DRI;
        - ``adjusted``: whether the adjusted formula was used;
        - ``method``: the formula.

    Notes
    -----
    For participant :math:`i` the mean over pairs is taken over the :math:`n - 1` pairs
    :math:`(i, j)`, as in deliberr's ``get_dri_ind``. Validated against base R for all 24
    forums of deliberr's ``human_data`` (to 1e-12).

    References
    ----------
    Niemeyer, S. J., & Dryzek, J. S. (2007). The ends of deliberation: meta-consensus and
    inter-subjective rationality as ideal outcomes. *Swiss Political Science Review*, 13(4),
    497-526.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.dri import dri_individual
    >>> df = pd.DataFrame({"pnum": [1, 2, 3, 4, 5],
    ...                    "C1": [1, 2, 3, 4, 2], "C2": [2, 3, 4, 3, 2], "C3": [3, 2, 4, 2, 1],
    ...                    "C4": [4, 3, 3, 1, 4], "P1": [1, 2, 3, 3, 1], "P2": [2, 3, 1, 2, 3],
    ...                    "P3": [3, 1, 2, 1, 2]})
    >>> dri_individual(df)[["pnum", "estimate"]].round(4)
       pnum  estimate
    0     1    0.1845
    1     2   -0.3008
    2     3    0.1036
    3     4    0.1845
    4     5    0.5662
    """
    by_cols = as_list(by)
    method = f"{_method(adjusted)}; individual DRI over each participant's n - 1 pairs"
    parts = []
    for key, f in _forums(df, considerations, preferences, by, respondent, undefined):
        part = pd.DataFrame(
            {
                respondent: f.ids,
                "estimate": _individual_values(f, adjusted),
                "adjusted": bool(adjusted),
                "method": method,
            }
        )
        parts.append(_with_by(part, by_cols, key))
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------- pre / post


def _wilcoxon_greater(x: np.ndarray, y: np.ndarray) -> tuple[float, str]:
    """One-sided paired Wilcoxon signed-rank p-value (x > y) with R's ``wilcox.test`` rules
    (see :func:`deliberval.analysis._common.wilcoxon_signed_rank`)."""
    diff = x - y
    diff = diff[np.isfinite(diff)]
    if len(diff) == 0:
        return float("nan"), "no complete pairs"
    _, p, exact = wilcoxon_signed_rank(diff, alternative="greater")
    if exact:
        return p, "paired Wilcoxon signed-rank, one-sided (post > pre), exact"
    return (
        p,
        "paired Wilcoxon signed-rank, one-sided (post > pre), normal approximation with "
        "continuity correction",
    )


def _paired(pre_f: _Forum, post_f: _Forum) -> tuple[list[Hashable], int]:
    """The participants of a forum in both waves (post order), and how many are in one only."""
    seen_pre = set(pre_f.ids)
    common = [i for i in post_f.ids if i in seen_pre]
    return common, len(pre_f.ids) + len(post_f.ids) - 2 * len(common)


def _wave_forums_with_values(
    df: pd.DataFrame,
    considerations: Sequence[str] | str | None,
    preferences: Sequence[str] | str | None,
    by_cols: list[str],
    wave: str,
    respondent: str,
    pre: Hashable | None,
    post: Hashable | None,
    undefined: Undefined,
) -> tuple[list[tuple[tuple[Hashable, ...], _Forum, _Forum]], Hashable, Hashable]:
    """Each forum's (key, pre forum, post forum) and the two wave values (checked)."""
    _check_undefined(undefined)
    if wave in by_cols:
        raise AnalysisInputError(
            f"column {wave!r} is both the wave and a by column; by names the forums, "
            "wave the two survey waves compared within each forum"
        )
    require_columns(df, [*by_cols, wave, respondent], what="data")
    if pre is None or post is None:
        values = sorted(pd.unique(df[wave].dropna()))
        if len(values) != 2:
            raise AnalysisInputError(
                f"column {wave!r} has {len(values)} distinct value(s) "
                f"({', '.join(map(_show, values[:10]))}); a change needs exactly two "
                "waves, or name them with pre=... and post=..."
            )
        pre, post = values
    for b in by_cols:
        if df[b].isna().any():
            raise AnalysisInputError(
                f"column {b!r} has {int(df[b].isna().sum())} missing value(s); every row "
                "needs the name of its forum"
            )
    in_waves = df[wave].isin([pre, post])
    forums = dict(
        _forums(df[in_waves], considerations, preferences, [*by_cols, wave], respondent, undefined)
    )
    keys: list[tuple[Hashable, ...]] = (
        list(df[by_cols].drop_duplicates().itertuples(index=False, name=None)) if by_cols else [()]
    )
    out = []
    for key in keys:
        waves = {}
        for which, value in (("pre", pre), ("post", post)):
            if (*key, value) not in forums:
                raise AnalysisInputError(
                    f"{_label(by_cols, key)} has no rows with {wave} == {_show(value)} "
                    f"({which} wave)"
                )
            waves[which] = forums[(*key, value)]
        out.append((key, waves["pre"], waves["post"]))
    return out, pre, post


def _wave_forums(
    df: pd.DataFrame,
    considerations: Sequence[str] | str | None,
    preferences: Sequence[str] | str | None,
    by_cols: list[str],
    wave: str,
    respondent: str,
    pre: Hashable | None,
    post: Hashable | None,
    undefined: Undefined,
) -> list[tuple[tuple[Hashable, ...], _Forum, _Forum]]:
    """Each forum's (key, pre forum, post forum)."""
    return _wave_forums_with_values(
        df, considerations, preferences, by_cols, wave, respondent, pre, post, undefined
    )[0]


def dri_change(
    df: pd.DataFrame,
    considerations: Sequence[str] | str | None = None,
    preferences: Sequence[str] | str | None = None,
    *,
    by: Sequence[str] | str | None = "case",
    wave: str = "stage_id",
    respondent: str = "pnum",
    adjusted: bool = False,
    pre: Hashable | None = None,
    post: Hashable | None = None,
    undefined: Undefined = "drop",
) -> pd.DataFrame:
    """Pre/post change of the DRI per forum, with a one-sided paired Wilcoxon test.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per participant and wave, C and P columns as in :func:`dri`.
    considerations, preferences : list of str, optional
        As in :func:`dri`.
    by : str or list of str or None, default "case"
        Columns naming the forum: one row of results per level. The default is the column of
        deliberr's raw layout (``human_data``); ``None`` treats ``df`` as one forum.
    wave : str, default "stage_id"
        Column naming the survey wave (deliberr's stage). Unless ``pre`` and ``post`` are
        given its two distinct values, sorted, are taken as pre and post (deliberr's
        ``stage_id`` 1 and 2; use the id rather than a free-text label such as
        "Post-Delib" / "Post-delib").
    respondent : str, default "pnum"
        Participant id column (deliberr's name by default); pre and post are paired on it.
    adjusted, undefined
        As in :func:`dri`.
    pre, post : optional
        Values of ``wave`` marking the two waves.

    Returns
    -------
    pandas.DataFrame
        One row per forum (in order of appearance), columns:

        - the ``by`` columns (named as in ``df``);
        - ``dri_pre``, ``dri_post``: group DRIs before and after;
        - ``estimate``: the change, ``dri_post - dri_pre``;
        - ``p_value``: one-sided paired Wilcoxon signed-rank test of individual DRIs, post
          greater than pre;
        - ``n``: participants paired in the test;
        - ``adjusted``: whether the adjusted formula was used;
        - ``method``: the formula and which p-value R's rules chose.

    Notes
    -----
    deliberr's ``get_dri_case`` runs ``wilcox.test(post, pre, paired = TRUE,
    alternative = "greater")`` on the individual DRIs; the same rules are applied here: the
    exact null distribution when fewer than 50 non-zero differences and no ties or zeros,
    otherwise the normal approximation with tie and continuity corrections. deliberr pairs
    the two waves by row position; here they are paired by participant id (identical when
    both waves list the same participants in the same order, as in ``human_data``).
    Participants seen in one wave only count towards that wave's group DRI and are left
    out of the test, with a :class:`DRIWarning`.

    Validated against deliberr 0.1.0 (5 cases, both formulas: DRIs to 1e-9, p to 1e-6) and
    base R for all 24 forums of ``human_data``.

    References
    ----------
    Niemeyer, S. J., & Dryzek, J. S. (2007). The ends of deliberation: meta-consensus and
    inter-subjective rationality as ideal outcomes. *Swiss Political Science Review*, 13(4),
    497-526.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from deliberval.analysis.dri import dri_change
    >>> gen = np.random.default_rng(1)
    >>> pre = pd.DataFrame(gen.integers(1, 8, (8, 6)), columns=[f"C{i}" for i in range(1, 7)])
    >>> pre[["P1", "P2", "P3", "P4"]] = np.argsort(gen.random((8, 4)), axis=1) + 1
    >>> post = pre.copy()
    >>> # after deliberation, preferences follow the first four considerations
    >>> post[["P1", "P2", "P3", "P4"]] = pre[["C1", "C2", "C3", "C4"]] + gen.random((8, 4))
    >>> data = pd.concat([pre.assign(stage_id=1), post.assign(stage_id=2)])
    >>> data = data.assign(case="demo", pnum=list(range(8)) * 2)
    >>> dri_change(data)[["case", "dri_pre", "dri_post", "estimate", "p_value", "n"]].round(3)
       case  dri_pre  dri_post  estimate  p_value  n
    0  demo    -0.08     0.267     0.347     0.02  8
    """
    by_cols = as_list(by)
    rows = []
    for key, pre_f, post_f in _wave_forums(
        df, considerations, preferences, by_cols, wave, respondent, pre, post, undefined
    ):
        label = _label(by_cols, key)
        dri_pre, _ = _group_dri(pre_f, adjusted)
        dri_post, _ = _group_dri(post_f, adjusted)
        ind_pre = pd.Series(_individual_values(pre_f, adjusted), index=pre_f.ids)
        ind_post = pd.Series(_individual_values(post_f, adjusted), index=post_f.ids)
        common, unpaired = _paired(pre_f, post_f)
        if unpaired:
            warnings.warn(
                f"{label}: {unpaired} participant(s) have an individual DRI in only one wave "
                "(absent, or left out, in the other); they count towards that wave's group "
                "DRI but are left out of the paired test",
                DRIWarning,
                stacklevel=2,
            )
        x = ind_post.loc[common].to_numpy()
        y = ind_pre.loc[common].to_numpy()
        p_value, test = _wilcoxon_greater(x, y)
        rows.append(
            {
                **dict(zip(by_cols, key, strict=True)),
                "dri_pre": dri_pre,
                "dri_post": dri_post,
                "estimate": dri_post - dri_pre,
                "p_value": p_value,
                "n": int(np.isfinite(x - y).sum()),
                "adjusted": bool(adjusted),
                "method": f"{_method(adjusted)}; {test}",
            }
        )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- permutation null


def _permuted_dris(
    f: _Forum, n_resamples: int, gen: np.random.Generator, adjusted: bool
) -> tuple[float, np.ndarray]:
    """Observed DRI and ``n_resamples`` DRIs with preference rows shuffled.

    Giving participant ``i`` the preferences of participant ``perm[i]`` turns the preference
    correlation of pair ``(i, j)`` into ``R[perm[i], perm[j]]``; the consideration
    correlations do not change. So each permuted DRI is computed from the two correlation
    matrices by fancy indexing, in batches of permutations, without re-ranking anything.
    """
    n = len(f.ids)
    iu, ju, q, r = _upper(f)
    observed = float(_dri_value(q, r, adjusted))
    r_flat = f.r.ravel()
    m = len(q)
    batch = max(1, min(n_resamples, _BATCH_ELEMENTS // max(m, 1)))
    # intp indices: np.take would otherwise cast a smaller index dtype with one more pass;
    # the row offsets are multiplied on the small (batch, n) array, not on (batch, pairs)
    base = np.arange(n, dtype=np.intp)
    iu = iu.astype(np.intp, copy=False)
    ju = ju.astype(np.intp, copy=False)
    out = np.empty(n_resamples)
    for start in range(0, n_resamples, batch):
        size = min(batch, n_resamples - start)
        perms = gen.permuted(np.broadcast_to(base, (size, n)), axis=1)
        flat = np.take(perms * n, iu, axis=1)
        flat += np.take(perms, ju, axis=1)
        out[start : start + size] = _dri_rows(q, np.take(r_flat, flat), adjusted)
    return observed, out


def _dri_rows(q: np.ndarray, r: np.ndarray, adjusted: bool) -> np.ndarray:
    """:func:`_dri_value` for a (permutations, pairs) array ``r``, overwriting ``r`` in place.

    ``min(s / 0.2, 1)`` equals deliberr's ``ifelse(s <= 0.2, s / 0.2, 1)`` exactly in floating
    point (division by 0.2 is monotone and 0.2 / 0.2 == 1).
    """
    if adjusted:
        weight = np.abs(r)
        np.maximum(weight, np.abs(q), out=weight)
        weight /= _WEAK
        np.minimum(weight, 1.0, out=weight)
    np.subtract(r, q, out=r)
    np.abs(r, out=r)
    r /= np.sqrt(2.0)
    if adjusted:
        np.subtract(1.0, r, out=r)
        r *= weight
        dist = 1.0 - r.mean(axis=1)
    else:
        dist = r.mean(axis=1)
    return (_LAMBDA - 2.0 * dist) / _LAMBDA


def dri_permutation_test(
    df: pd.DataFrame,
    considerations: Sequence[str] | str | None = None,
    preferences: Sequence[str] | str | None = None,
    *,
    by: Sequence[str] | str | None = None,
    respondent: str = "pnum",
    n_resamples: int = 10_000,
    seed: int | np.random.Generator | None = None,
    adjusted: bool = False,
    confidence_level: float = 0.95,
    undefined: Undefined = "drop",
) -> pd.DataFrame:
    """Permutation null of the DRI: shuffle preferences across participants.

    Parameters
    ----------
    df, considerations, preferences, by, respondent, adjusted, undefined
        As in :func:`dri`.
    n_resamples : int, default 10000
        Number of random permutations of the preference rows.
    seed : int or numpy.random.Generator, optional
        Seed for reproducible permutations.
    confidence_level : float, default 0.95
        Coverage of the central interval of the null distribution.

    Returns
    -------
    pandas.DataFrame
        One row per forum, columns:

        - the ``by`` columns (named as in ``df``);
        - ``estimate``: the observed DRI;
        - ``p_value``: :math:`(b + 1) / (m + 1)`, with :math:`b` of the :math:`m` permuted
          DRIs at least as large as the observed one (never 0);
        - ``null_mean``: mean of the permuted DRIs;
        - ``null_ci_low``, ``null_ci_high``: central quantiles of the permuted DRIs
          (coverage ``confidence_level``);
        - ``n_resamples``: permutations run;
        - ``confidence_level``;
        - ``n``: participants used;
        - ``adjusted``: whether the adjusted formula was used;
        - ``method``: the formula and the test.

    Notes
    -----
    As deliberr's ``permute_dri``: each permutation reassigns the preference rows to
    participants at random, keeping considerations in place. The p-value counts the observed
    assignment among the permutations, :math:`p = (b + 1) / (m + 1)` with :math:`b` the number
    of the :math:`m` permuted DRIs at least as large as the observed one (within 1e-12), so
    it is never 0 and the test is exact at its level (Phipson & Smyth 2010); deliberr's
    ``permute_dri`` reports :math:`b / m`, which can be 0. Random data give a DRI above
    zero, so compare the observed DRI with ``null_mean``, not with 0. The permutation null
    of the *change* between waves is :func:`dri_change_permutation_test`.

    Reassigning preference rows permutes the rows and columns of the preference correlation
    matrix, so the correlations are computed once and each permuted DRI is read off the
    matrices with vectorised indexing; 10,000 permutations of a 63-person forum take well
    under a second (``benchmarks/dri_permutation.py``).

    References
    ----------
    Niemeyer, S. J., & Dryzek, J. S. (2007). The ends of deliberation: meta-consensus and
    inter-subjective rationality as ideal outcomes. *Swiss Political Science Review*, 13(4),
    497-526.
    Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero.
    *Statistical Applications in Genetics and Molecular Biology*, 9(1), Article 39.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from deliberval.analysis.dri import dri_permutation_test
    >>> gen = np.random.default_rng(7)
    >>> # random answers: 30 considerations rated 1-7, 7 options ranked, 20 people
    >>> df = pd.DataFrame(gen.integers(1, 8, (20, 30)), columns=[f"C{i}" for i in range(1, 31)])
    >>> df[[f"P{i}" for i in range(1, 8)]] = np.argsort(gen.random((20, 7)), axis=1) + 1
    >>> df["pnum"] = range(20)
    >>> res = dri_permutation_test(df, n_resamples=2000, seed=1)
    >>> res[["estimate", "p_value", "null_mean", "n_resamples", "n"]].round(3)  # DRI > 0 by chance
       estimate  p_value  null_mean  n_resamples   n
    0     0.271    0.441      0.268         2000  20
    """
    level = check_confidence_level(confidence_level)
    _check_n_resamples(n_resamples)
    gen = rng(seed)
    by_cols = as_list(by)
    alpha = (1.0 - level) / 2.0
    rows = []
    for key, f in _forums(df, considerations, preferences, by, respondent, undefined):
        observed, null = _permuted_dris(f, int(n_resamples), gen, adjusted)
        low, high = np.quantile(null, [alpha, 1.0 - alpha])
        rows.append(
            {
                **dict(zip(by_cols, key, strict=True)),
                "estimate": observed,
                "p_value": (
                    _plus_one_p(int(np.sum(null >= observed - _TOL)), len(null))
                    if np.isfinite(observed)
                    else np.nan
                ),
                "null_mean": float(np.mean(null)),
                "null_ci_low": float(low),
                "null_ci_high": float(high),
                "n_resamples": int(n_resamples),
                "confidence_level": level,
                "n": len(f.ids),
                "adjusted": bool(adjusted),
                "method": f"{_method(adjusted)}; permutation of preference rows",
            }
        )
    return pd.DataFrame(rows)


def _check_n_resamples(n_resamples: int) -> None:
    """``n_resamples`` of the permutation tests: a whole number, at least 1 (not a bool)."""
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)):
        raise AnalysisInputError(f"n_resamples must be an integer, got {n_resamples!r}")
    if n_resamples < 1:
        raise AnalysisInputError(f"n_resamples must be at least 1, got {n_resamples}")


def _plus_one_p(hits: int, m: int) -> float:
    """Monte Carlo p-value :math:`(b + 1) / (m + 1)` (Phipson & Smyth 2010): never 0."""
    return (hits + 1) / (m + 1)


# ----------------------------------------------------------------------------- change null

Alternative = Literal["greater", "less", "two-sided"]
_MAX_EXACT = 20  # 2**20 wave assignments: the most exact=True enumerates


def _paired_stack(
    df: pd.DataFrame,
    c_cand: list[str],
    p_cand: list[str],
    in_forum: np.ndarray,
    wave: str,
    respondent: str,
    pre: Hashable,
    post: Hashable,
    common: list[Hashable],
    label: str,
) -> _Forum:
    """One forum of the 2n rows of the paired participants: pre rows, then post rows."""
    rows = df[in_forum]
    ids = rows[respondent].to_numpy()
    waves = rows[wave].to_numpy()
    position = {}
    for i, (pid, w) in enumerate(zip(ids, waves, strict=True)):
        position[(w == post, pid)] = i
    order = [position[(False, pid)] for pid in common] + [position[(True, pid)] for pid in common]
    xc = _matrix(rows, c_cand, "consideration")[order]
    xp = _matrix(rows, p_cand, "preference")[order]
    n = len(common)
    for x, what, names in (
        (xc, "consideration", np.asarray(c_cand)),
        (xp, "preference", np.asarray(p_cand)),
    ):
        answered_pre = ~np.isnan(x[:n]).any(axis=0)
        answered_post = ~np.isnan(x[n:]).any(axis=0)
        if (answered_pre != answered_post).any():
            raise AnalysisInputError(
                f"{label}: the pre and post waves use different {what} columns (answered in "
                f"one wave only: {', '.join(names[answered_pre != answered_post][:10])}); "
                "permuting wave labels needs the same columns in both waves"
            )
    keep_c = ~np.isnan(xc).any(axis=0)
    keep_p = ~np.isnan(xp).any(axis=0)
    xc, xp = xc[:, keep_c], xp[:, keep_p]
    every = np.ones(2 * n, dtype=bool)
    return _Forum(
        np.arange(2 * n), _spearman(xc, every), _spearman(xp, every), xc.shape[1], xp.shape[1]
    )


def _swap_changes(f: _Forum, swaps: np.ndarray, adjusted: bool) -> np.ndarray:
    """DRI change (post - pre) for each row of ``swaps`` (0: keep, 1: swap the waves)."""
    n = swaps.shape[1]
    iu, ju = np.triu_indices(n, k=1)
    base = np.arange(n, dtype=np.intp)
    first = base + n * swaps.astype(np.intp)  # the row read as "pre"
    second = base + n * (1 - swaps.astype(np.intp))  # the row read as "post"
    q_flat, r_flat = f.q.ravel(), f.r.ravel()
    out = np.zeros(len(swaps))
    for rows, sign in ((first, -1.0), (second, 1.0)):
        flat = np.take(rows * (2 * n), iu, axis=1)
        flat += np.take(rows, ju, axis=1)
        out += sign * _dri_rows(np.take(q_flat, flat), np.take(r_flat, flat), adjusted)
    return out


def dri_change_permutation_test(
    df: pd.DataFrame,
    considerations: Sequence[str] | str | None = None,
    preferences: Sequence[str] | str | None = None,
    *,
    by: Sequence[str] | str | None = "case",
    wave: str = "stage_id",
    respondent: str = "pnum",
    pre: Hashable | None = None,
    post: Hashable | None = None,
    alternative: Alternative = "greater",
    n_resamples: int = 10_000,
    exact: bool | None = None,
    seed: int | np.random.Generator | None = None,
    adjusted: bool = False,
    confidence_level: float = 0.95,
    undefined: Undefined = "drop",
) -> pd.DataFrame:
    """Permutation test of the change in the group DRI between two waves (paired).

    Parameters
    ----------
    df, considerations, preferences, by, wave, respondent, pre, post, adjusted, undefined
        As in :func:`dri_change`.
    alternative : {"greater", "less", "two-sided"}, default "greater"
        ``"greater"``: the DRI rose (post > pre, as :func:`dri_change`'s Wilcoxon test);
        ``"less"``: it fell; ``"two-sided"``: it changed (``|change|`` compared).
    n_resamples : int, default 10000
        Random wave assignments drawn when the test is not exact.
    exact : bool, optional
        Enumerate all :math:`2^n` wave assignments of the :math:`n` paired participants
        (at most :math:`n = 20`). Default: exact when :math:`2^n \\le` ``n_resamples``,
        otherwise Monte Carlo.
    seed : int or numpy.random.Generator, optional
        Seed of the Monte Carlo draws.
    confidence_level : float, default 0.95
        Coverage of the central interval of the null distribution.

    Returns
    -------
    pandas.DataFrame
        One row per forum (in order of appearance), columns:

        - the ``by`` columns (named as in ``df``);
        - ``dri_pre``, ``dri_post``: group DRIs of the paired participants;
        - ``estimate``: the change ``dri_post - dri_pre``;
        - ``p_value``: exact share of the :math:`2^n` assignments at least as extreme as
          the observed one (the observed one among them), or the Monte Carlo
          :math:`(b + 1) / (m + 1)`; never 0;
        - ``null_mean``, ``null_ci_low``, ``null_ci_high``: mean and central quantiles of
          the changes under the null (coverage ``confidence_level``);
        - ``n_resamples``: wave assignments evaluated (:math:`2^n` when exact);
        - ``confidence_level``;
        - ``n``: participants paired (with usable ratings in both waves);
        - ``alternative``;
        - ``adjusted``: whether the adjusted formula was used;
        - ``method``: the formula and the test (exact or Monte Carlo).

    Raises
    ------
    AnalysisInputError
        As :func:`dri_change`; also fewer than 2 paired participants, the two waves using
        different rating columns, ``exact=True`` with more than 20 paired participants, or a
        bad ``alternative`` / ``n_resamples``.

    Notes
    -----
    Under the null hypothesis that deliberation did not change how considerations and
    preferences hang together, a participant's two questionnaires are exchangeable: which
    one was answered before and which after is arbitrary. The test therefore swaps the wave
    labels of each paired participant independently with probability 1/2 (a paired,
    within-participant permutation; the sign-flip of a paired test), recomputes both group
    DRIs and their difference, and compares the observed difference with that
    distribution. The correlations of all :math:`2n` questionnaires with each other are
    computed once; every assignment reads its two DRIs off these matrices. The null
    distribution is symmetric about 0 (swapping everybody negates the change).

    Only participants with usable ratings in both waves take part (the group DRIs here can
    therefore differ from :func:`dri_change`'s, which keeps everybody seen in a wave), and
    the same rating columns must be answered in both waves. Exact: :math:`p = \\#\\{s :
    T(s) \\ge T_{obs}\\} / 2^n` (within 1e-12; ``|T|`` for two-sided), the identity among
    the :math:`s`. Monte Carlo: :math:`p = (b + 1) / (m + 1)` (Phipson & Smyth 2010).
    Checked against a brute-force enumeration that recomputes every DRI from the swapped
    data and against an R enumeration on deliberr's ``human_data``
    (``tests/reference/dri/generate_dri_change_permutation.R``).

    References
    ----------
    Niemeyer, S. J., & Dryzek, J. S. (2007). The ends of deliberation: meta-consensus and
    inter-subjective rationality as ideal outcomes. *Swiss Political Science Review*, 13(4),
    497-526.
    Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be zero.
    *Statistical Applications in Genetics and Molecular Biology*, 9(1), Article 39.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from deliberval.analysis.dri import dri_change_permutation_test
    >>> gen = np.random.default_rng(1)
    >>> pre = pd.DataFrame(gen.integers(1, 8, (8, 6)), columns=[f"C{i}" for i in range(1, 7)])
    >>> pre[["P1", "P2", "P3", "P4"]] = np.argsort(gen.random((8, 4)), axis=1) + 1
    >>> post = pre.copy()
    >>> post[["P1", "P2", "P3", "P4"]] = pre[["C1", "C2", "C3", "C4"]] + gen.random((8, 4))
    >>> data = pd.concat([pre.assign(stage_id=1), post.assign(stage_id=2)])
    >>> data = data.assign(case="demo", pnum=list(range(8)) * 2)
    >>> res = dri_change_permutation_test(data)  # 2**8 = 256 assignments: exact
    >>> res[["case", "estimate", "p_value", "n_resamples", "n"]].round(4)
       case  estimate  p_value  n_resamples  n
    0  demo    0.3468   0.0938          256  8
    """
    level = check_confidence_level(confidence_level)
    if alternative not in ("greater", "less", "two-sided"):
        raise AnalysisInputError(
            f"alternative must be 'greater', 'less' or 'two-sided', got {alternative!r}"
        )
    _check_n_resamples(n_resamples)
    gen = rng(seed)
    by_cols = as_list(by)
    triples, pre, post = _wave_forums_with_values(
        df, considerations, preferences, by_cols, wave, respondent, pre, post, undefined
    )
    c_cand = _candidates(df, considerations, _C_PATTERN, "consideration")
    p_cand = _candidates(df, preferences, _P_PATTERN, "preference")
    in_waves = df[wave].isin([pre, post]).to_numpy()
    alpha = (1.0 - level) / 2.0
    rows = []
    for key, pre_f, post_f in triples:
        label = _label(by_cols, key)
        common, unpaired = _paired(pre_f, post_f)
        n = len(common)
        if unpaired:
            warnings.warn(
                f"{label}: {unpaired} participant(s) have usable ratings in only one wave "
                "(absent, or left out, in the other); they are left out of both group DRIs "
                "of the paired permutation test",
                DRIWarning,
                stacklevel=2,
            )
        if n < 2:
            raise AnalysisInputError(
                f"{label}: {n} participant(s) with usable ratings in both waves; the paired "
                "permutation test needs at least 2"
            )
        in_forum = in_waves.copy()
        for b, k in zip(by_cols, key, strict=True):
            in_forum &= (df[b] == k).to_numpy()
        in_forum &= df[respondent].isin(common).to_numpy()
        stacked = _paired_stack(
            df, c_cand, p_cand, in_forum, wave, respondent, pre, post, common, label
        )
        use_exact = (2.0**n <= n_resamples) if exact is None else bool(exact)
        if use_exact and n > _MAX_EXACT:
            raise AnalysisInputError(
                f"{label}: exact=True would enumerate 2**{n} wave assignments; it is limited "
                f"to {_MAX_EXACT} paired participants (use exact=False for Monte Carlo)"
            )
        observed = float(_swap_changes(stacked, np.zeros((1, n), dtype=np.int8), adjusted)[0])
        m = 2**n if use_exact else int(n_resamples)
        batch = max(1, min(m, _BATCH_ELEMENTS // max(n * (n - 1) // 2, 1)))
        null = np.empty(m)
        bits = np.arange(n, dtype=np.int64)
        for start in range(0, m, batch):
            size = min(batch, m - start)
            if use_exact:
                codes = np.arange(start, start + size, dtype=np.int64)
                swaps = ((codes[:, None] >> bits) & 1).astype(np.int8)
            else:
                swaps = gen.integers(0, 2, size=(size, n), dtype=np.int8)
            null[start : start + size] = _swap_changes(stacked, swaps, adjusted)
        if alternative == "greater":
            hits = int(np.sum(null >= observed - _TOL))
        elif alternative == "less":
            hits = int(np.sum(null <= observed + _TOL))
        else:
            hits = int(np.sum(np.abs(null) >= abs(observed) - _TOL))
        p_value = hits / m if use_exact else _plus_one_p(hits, m)
        low, high = np.quantile(null, [alpha, 1.0 - alpha])
        pre_value, _ = _group_dri(
            _Forum(
                stacked.ids[:n],
                stacked.q[:n, :n],
                stacked.r[:n, :n],
                stacked.n_considerations,
                stacked.n_preferences,
            ),
            adjusted,
        )
        post_value = pre_value + observed
        test = (
            f"exact enumeration of all 2**{n} wave assignments"
            if use_exact
            else f"Monte Carlo, {m} random wave assignments, p = (b + 1) / (m + 1)"
        )
        rows.append(
            {
                **dict(zip(by_cols, key, strict=True)),
                "dri_pre": pre_value,
                "dri_post": post_value,
                "estimate": observed,
                "p_value": float(p_value),
                "null_mean": float(np.mean(null)),
                "null_ci_low": float(low),
                "null_ci_high": float(high),
                "n_resamples": m,
                "confidence_level": level,
                "n": n,
                "alternative": alternative,
                "adjusted": bool(adjusted),
                "method": f"{_method(adjusted)}; paired permutation of wave labels ({test})",
            }
        )
    return pd.DataFrame(rows)
