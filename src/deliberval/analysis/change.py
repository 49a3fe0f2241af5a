"""Change analysis: paired pre/post change, and the group means and Likert shares of its plots.

Every function takes the canonical responses table (one row per respondent x wave) and
returns a tidy :class:`pandas.DataFrame`. Scores should already be scored (missing codes
recoded to NaN, reverse-keyed items reversed) with :func:`deliberval.scoring.score`.
Difference-in-differences is in :mod:`deliberval.analysis.did`, attrition and response
weights in :mod:`deliberval.analysis.attrition`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from deliberval.analysis._common import (
    as_list,
    benjamini_hochberg,
    check_confidence_level,
    check_unique,
    check_waves,
    holm,
    numeric_column,
    require_columns,
    t_quantile,
    wilcoxon_signed_rank,
    wilson_intervals,
)
from deliberval.errors import AnalysisInputError

__all__ = [
    "GROUP_MEANS_COLUMNS",
    "LIKERT_SHARES_COLUMNS",
    "PREPOST_COLUMNS",
    "group_means",
    "likert_shares",
    "prepost",
]

PREPOST_COLUMNS = [
    "outcome",
    "n",
    "mean_pre",
    "mean_post",
    "estimate",
    "sd_diff",
    "se",
    "ci_low",
    "ci_high",
    "confidence_level",
    "statistic",
    "df",
    "p_value",
    "wilcoxon_statistic",
    "wilcoxon_p_value",
    "wilcoxon_method",
    "d_z",
    "d_z_ci_low",
    "d_z_ci_high",
    "g_av",
    "g_av_ci_low",
    "g_av_ci_high",
    "holm_p_value",
    "bh_p_value",
    "top2_pre",
    "top2_post",
    "top2_diff",
    "top2_diff_ci_low",
    "top2_diff_ci_high",
    "method",
]

GROUP_MEANS_COLUMNS = [
    "group",
    "wave",
    "outcome",
    "n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "confidence_level",
    "method",
]

LIKERT_SHARES_COLUMNS = [
    "item",
    "wave",
    "level",
    "n",
    "count",
    "estimate",
    "ci_low",
    "ci_high",
    "confidence_level",
    "method",
]

_EXACT = "exact"
_APPROX = "normal approximation with continuity correction"


# ----------------------------------------------------------------------------------------
# shared helpers
# ----------------------------------------------------------------------------------------


def _nct_ci_many(t_obs: np.ndarray, df: np.ndarray, confidence_level: float) -> tuple[np.ndarray, np.ndarray]:
    """Limits of the noncentrality parameter of many t statistics at once (Steiger & Fouladi).

    Solves ``P(T <= |t| | ncp) = 1 - alpha/2`` (lower) and ``= alpha/2`` (upper) for every
    element together: one bracket expansion and one vectorised Chandrupatla root search
    (:func:`scipy.optimize.elementwise.find_root`) over all limits, instead of a Brent search
    per limit. A negative ``t`` is solved as ``-t`` and mirrored (``F(t; ncp) = 1 - F(-t;
    -ncp)``), because the noncentral t cdf is unstable far in the lower tail. No exact closed
    form exists; :func:`scipy.special.nctdtrinc` is vectorised but only accurate to about
    1e-6, so the roots are searched to 1e-12 here. NaN where ``t`` is not finite or
    ``df <= 0``.
    """
    from scipy.optimize import elementwise

    t_obs = np.asarray(t_obs, dtype=float)
    df = np.broadcast_to(np.asarray(df, dtype=float), t_obs.shape)
    lo_out = np.full(t_obs.shape, np.nan)
    hi_out = np.full(t_obs.shape, np.nan)
    ok = np.isfinite(t_obs) & (df > 0)
    if not ok.any():
        return lo_out, hi_out
    alpha = 1 - confidence_level
    ta = np.abs(t_obs[ok])
    dfo = df[ok]
    m = ta.size
    # both limits of every statistic in one vector: first the lower, then the upper
    tt = np.concatenate([ta, ta])
    dd = np.concatenate([dfo, dfo])
    target = np.concatenate([np.full(m, 1 - alpha / 2), np.full(m, alpha / 2)])
    width = (float(special.ndtri(1 - alpha / 2)) + 2) * np.sqrt(1 + tt**2 / (2 * dd))
    a, b = tt - width, tt + width
    root = np.full(tt.shape, np.nan)
    todo = np.ones(tt.shape, dtype=bool)
    found = np.zeros(tt.shape, dtype=bool)
    for _ in range(10):
        idx = np.flatnonzero(todo)
        if idx.size == 0:
            break
        f_a = special.nctdtr(dd[idx], a[idx], tt[idx]) - target[idx]
        f_b = special.nctdtr(dd[idx], b[idx], tt[idx]) - target[idx]
        dead = ~(np.isfinite(f_a) & np.isfinite(f_b))
        good = ~dead & (f_a > 0) & (f_b < 0)
        todo[idx[dead | good]] = False
        found[idx[good]] = True
        grow = idx[~dead & ~good]
        a[grow] -= width[grow]
        b[grow] += width[grow]
    idx = np.flatnonzero(found)
    if idx.size:
        res = elementwise.find_root(
            lambda x, d_, t_, p_: special.nctdtr(d_, x, t_) - p_,
            (a[idx], b[idx]),
            args=(dd[idx], tt[idx], target[idx]),
            tolerances={"xatol": 1e-12, "xrtol": 1e-12},
            maxiter=500,
        )
        root[idx] = np.where(res.success, res.x, np.nan)
        # the cdf is NaN at some points of a few extreme brackets (|t| in the hundreds on 1
        # df): those limits are searched one by one with Brent's method, NaN if it meets one
        for i in idx[~res.success]:
            root[i] = _nct_root_brent(dd[i], tt[i], target[i], a[i], b[i])
    low, high = root[:m], root[m:]
    neg = t_obs[ok] < 0
    lo_out[ok] = np.where(neg, -high, low)
    hi_out[ok] = np.where(neg, -low, high)
    return lo_out, hi_out


def _nct_root_brent(df: float, t_obs: float, target: float, lo: float, hi: float) -> float:
    """One noncentrality limit by Brent's method on the bracket ``(lo, hi)``; NaN when the
    noncentral t cdf is NaN somewhere on the search path."""
    from scipy import optimize

    def f(ncp: float) -> float:
        return float(special.nctdtr(df, ncp, t_obs)) - target

    try:
        return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=500))
    except ValueError:
        return math.nan


def _wilcoxon_many(d: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R's paired ``wilcox.test`` for every row of ``d`` (outcomes x respondents) at once.

    Only the cells where ``keep`` is true count. Rows with fewer than 50 non-zero differences
    and neither ties nor zeros take the exact path of
    :func:`deliberval.analysis._common.wilcoxon_signed_rank` one by one; every other row
    (the large ones) is ranked in one sort of the whole matrix: the ties, the average ranks,
    V and the tie-corrected normal approximation with continuity correction are computed for
    all rows together, with the same formulas and the same floating-point operations as the
    one-row helper. Returns ``(V, p, method)``; rows without a kept cell are NaN with method
    ``""``.
    """
    k, m = d.shape
    v = np.full(k, np.nan)
    p = np.full(k, np.nan)
    method = np.full(k, "", dtype=object)
    n_keep = keep.sum(axis=1)
    valid = keep & (d != 0)
    nz = valid.sum(axis=1)
    zeros = n_keep > nz
    none = (n_keep > 0) & (nz == 0)
    v[none] = 0.0
    method[none] = "not computable: all differences are zero"
    if m == 0:
        return v, p, method
    a = np.where(valid, np.abs(d), np.inf)
    order = np.argsort(a, axis=1)
    s = np.take_along_axis(a, order, axis=1)
    vs = np.take_along_axis(valid, order, axis=1)
    pos = np.take_along_axis(valid & (d > 0), order, axis=1)
    flag = np.ones((k, m), dtype=bool)
    flag[:, 1:] = s[:, 1:] != s[:, :-1]
    flag[:, 1:] |= vs[:, 1:] != vs[:, :-1]
    flat = flag.ravel()
    gid = np.cumsum(flat) - 1
    starts = np.flatnonzero(flat)
    t = np.bincount(gid, weights=vs.ravel(), minlength=starts.size)
    avg = starts % m + (t + 1) / 2
    ranks = avg[gid].reshape(k, m)
    v_all = np.where(pos, ranks, 0.0).sum(axis=1)
    g_row = starts // m
    tie_term = np.bincount(g_row, weights=t**3 - t, minlength=k)
    ties = np.bincount(g_row, weights=(t > 1).astype(float), minlength=k) > 0
    some = nz > 0
    exact = some & (nz < 50) & ~ties & ~zeros
    approx = some & ~exact
    for i in np.flatnonzero(exact):
        vi, pi, _ = wilcoxon_signed_rank(d[i, keep[i]])
        v[i], p[i] = vi, pi
        method[i] = _EXACT
    if approx.any():
        n = nz[approx].astype(float)
        va = v_all[approx]
        z = va - n * (n + 1) / 4
        sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - tie_term[approx] / 48)
        corr = np.copysign(0.5, z) * (z != 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            zc = (z - corr) / sigma
        v[approx] = va
        p[approx] = np.minimum(1.0, 2 * np.minimum(special.ndtr(zc), special.ndtr(-zc)))
        method[approx] = _APPROX
    return v, p, method


# ----------------------------------------------------------------------------------------
# prepost
# ----------------------------------------------------------------------------------------


def _pairs(
    df: pd.DataFrame,
    outcomes: list[str],
    *,
    respondent: str,
    wave: str,
    pre: str,
    post: str,
    by: list[str],
    weight: str | None,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame, np.ndarray | None]:
    """The paired values: ``(pre, post, by_table, weight)``.

    ``pre`` and ``post`` are float matrices of outcomes x paired respondents (one row per
    outcome, contiguous), ``by_table`` has one row per paired respondent (index: the
    respondent, the by columns taken from the ``pre`` row), ``weight`` the ``post`` row's
    weight or None. Columns are read once by position; no wide table is built.
    """
    wv = df[wave]
    in_pre = (wv == pre).to_numpy(dtype=bool, na_value=False)
    in_post = (wv == post).to_numpy(dtype=bool, na_value=False)
    check_unique(df.loc[in_pre | in_post, [respondent, wave]], respondent, wave)
    pre_at = np.flatnonzero(in_pre)
    post_at = np.flatnonzero(in_post)
    ids = df[respondent]
    pre_ids = pd.Index(ids.iloc[pre_at])
    post_ids = pd.Index(ids.iloc[post_at])
    common = pre_ids.intersection(post_ids)
    if len(common) == 0:
        raise AnalysisInputError(
            f"no respondent in {respondent!r} answered both wave {pre!r} ({pre_at.size} rows) "
            f"and wave {post!r} ({post_at.size} rows); nothing can be paired"
        )
    rows0 = pre_at[pre_ids.get_indexer(common)]
    rows1 = post_at[post_ids.get_indexer(common)]
    x0 = np.empty((len(outcomes), len(common)))
    x1 = np.empty((len(outcomes), len(common)))
    for i, o in enumerate(outcomes):
        col = df[o]
        if pd.api.types.is_numeric_dtype(col.dtype):
            values = col.to_numpy(dtype=float, na_value=np.nan)
            x0[i] = values[rows0]
            x1[i] = values[rows1]
        else:
            x0[i] = numeric_column(col.iloc[rows0], o).to_numpy()
            x1[i] = numeric_column(col.iloc[rows1], o).to_numpy()
    by_table = pd.DataFrame({b: df[b].iloc[rows0].to_numpy() for b in by}, index=common)
    w = None
    if weight is not None:
        ws = numeric_column(df[weight].iloc[rows1], weight)
        if (ws.dropna() < 0).any():
            raise AnalysisInputError(f"weight column {weight!r} has negative values")
        w = ws.to_numpy()
    return x0, x1, by_table, w


def _wmean(x: np.ndarray, w: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Row-wise weighted means ``sum(w x) / sum(w)`` (``w`` zero outside the kept cells)."""
    return (w * x).sum(axis=1) / total


def _wsd(x: np.ndarray, w: np.ndarray, total: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Row-wise weighted SDs ``sqrt(sum(w (x - m)^2) / sum(w) * n / (n - 1))``."""
    m = _wmean(x, w, total)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt((w * (x - m[:, None]) ** 2).sum(axis=1) / total * n / (n - 1))


def _wse(x: np.ndarray, w: np.ndarray, total: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Row-wise linearised SEs of weighted means (as ``weighted_mean_se``; NaN for n < 2)."""
    m = _wmean(x, w, total)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = w * (x - m[:, None]) / total[:, None]
        return np.where(n >= 2, np.sqrt(n / (n - 1) * (z**2).sum(axis=1)), np.nan)


def _sd(x: np.ndarray, keep: np.ndarray, n: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Row-wise n - 1 SDs of the kept cells (NaN for n < 2)."""
    dev = np.where(keep, x - mean[:, None], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 1, np.sqrt((dev**2).sum(axis=1) / (n - 1)), np.nan)


def _set_nct(col: dict[str, np.ndarray], eff: np.ndarray, root_n: np.ndarray, scale: np.ndarray,
             lo: np.ndarray, hi: np.ndarray) -> None:
    col["d_z_ci_low"][eff] = lo / root_n
    col["d_z_ci_high"][eff] = hi / root_n
    col["g_av_ci_low"][eff] = lo * scale
    col["g_av_ci_high"][eff] = hi * scale


def _fill_nct(later: list[tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]],
              confidence_level: float) -> None:
    """The d_z / g_av limits deferred by :func:`_block` for several blocks, in one search."""
    if not later:
        return
    t = np.concatenate([c["statistic"][e] for c, e, _, _ in later])
    dfree = np.concatenate([c["df"][e] for c, e, _, _ in later])
    lo, hi = _nct_ci_many(t, dfree, confidence_level)
    at = 0
    for col, eff, root_n, scale in later:
        m = int(eff.sum())
        _set_nct(col, eff, root_n, scale, lo[at : at + m], hi[at : at + m])
        at += m


def _block(
    x0: np.ndarray,
    x1: np.ndarray,
    w: np.ndarray | None,
    agree: list[Sequence[float] | None],
    confidence_level: float,
    nct_later: list[tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]] | None = None,
) -> dict[str, np.ndarray]:
    """Every PREPOST_COLUMNS statistic but the outcome name and the adjusted p-values, for all
    outcomes (rows of ``x0``, ``x1``) at once.

    With ``nct_later`` (a list), the noncentral-t limits of d_z and g_av are not searched here:
    ``(col, eff, root_n, scale)`` is appended so that :func:`_fill_nct` searches the limits of
    every block in one vectorised call (each limit is searched on its own values, so the
    result is the same)."""
    k = x0.shape[0]
    keep = ~(np.isnan(x0) | np.isnan(x1))
    if w is not None:
        keep &= (~np.isnan(w) & (w > 0))[None, :]
    n = keep.sum(axis=1)
    nf = n.astype(float)
    has = n > 0
    many = n > 1
    col: dict[str, np.ndarray] = {c: np.full(k, np.nan) for c in PREPOST_COLUMNS[1:]}
    col["n"] = n.astype("int64")
    col["confidence_level"] = np.full(k, confidence_level)
    col["wilcoxon_method"] = np.full(k, "", dtype=object)
    col["method"] = np.full(k, "no complete pairs", dtype=object)
    col["df"] = np.where(has, nf - 1, np.nan)
    dfree = nf - 1
    d = np.where(keep, x1 - x0, 0.0)
    z0 = np.where(keep, x0, 0.0)
    z1 = np.where(keep, x1, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if w is None:
            mean_diff = d.sum(axis=1) / nf
            mean_pre = z0.sum(axis=1) / nf
            mean_post = z1.sum(axis=1) / nf
            sd_diff = _sd(d, keep, n, mean_diff)
            se = np.where(many, sd_diff / np.sqrt(nf), np.nan)
            sd0 = _sd(z0, keep, n, mean_pre)
            sd1 = _sd(z1, keep, n, mean_post)
        else:
            ww = np.where(keep, w[None, :], 0.0)
            total = ww.sum(axis=1)
            mean_diff = _wmean(d, ww, total)
            se = _wse(d, ww, total, nf)
            sd_diff = np.where(many, _wsd(d, ww, total, nf), np.nan)
            sd0 = np.where(many, _wsd(z0, ww, total, nf), np.nan)
            sd1 = np.where(many, _wsd(z1, ww, total, nf), np.nan)
            mean_pre = _wmean(z0, ww, total)
            mean_post = _wmean(z1, ww, total)
        col["mean_pre"] = np.where(has, mean_pre, np.nan)
        col["mean_post"] = np.where(has, mean_post, np.nan)
        col["estimate"] = np.where(has, mean_diff, np.nan)
        col["sd_diff"] = np.where(has, sd_diff, np.nan)
        col["se"] = np.where(has, se, np.nan)
        tested = many & (se > 0)
        flat = many & ~tested
        if tested.any():
            q = special.stdtrit(dfree[tested], 0.5 + confidence_level / 2)
            t = mean_diff[tested] / se[tested]
            col["ci_low"][tested] = mean_diff[tested] - q * se[tested]
            col["ci_high"][tested] = mean_diff[tested] + q * se[tested]
            col["statistic"][tested] = t
            col["p_value"][tested] = 2 * special.stdtr(dfree[tested], -np.abs(t))
        col["ci_low"][flat] = mean_diff[flat]
        col["ci_high"][flat] = mean_diff[flat]
        eff = many & (sd_diff > 0)
        if eff.any():
            col["d_z"][eff] = mean_diff[eff] / sd_diff[eff]
            sd_av = (sd0[eff] + sd1[eff]) / 2
            j = 1 - 3 / (4 * dfree[eff] - 1)
            pos_av = sd_av > 0
            g = np.where(pos_av, j * mean_diff[eff] / sd_av, np.nan)
            col["g_av"][eff] = g
            if w is None:
                root_n = np.sqrt(nf[eff])
                scale = np.where(pos_av, j * sd_diff[eff] / (root_n * sd_av), np.nan)
                if nct_later is not None:
                    nct_later.append((col, eff, root_n, scale))
                else:
                    lo, hi = _nct_ci_many(col["statistic"][eff], dfree[eff], confidence_level)
                    _set_nct(col, eff, root_n, scale, lo, hi)
    if w is None:
        v, p_w, w_method = _wilcoxon_many(d, keep)
        col["wilcoxon_statistic"] = v
        col["wilcoxon_p_value"] = p_w
        col["wilcoxon_method"] = np.where(has, w_method, "").astype(object)
        col["method"][has] = "paired t-test; Wilcoxon signed-rank test"
    else:
        col["wilcoxon_method"][has] = "not computed for weighted data"
        col["method"][has] = "weighted paired mean difference, linearised SE, t with n - 1 df"
    z = float(special.ndtri(0.5 + confidence_level / 2))
    codes: dict[tuple[float, ...], list[int]] = {}
    for i, a in enumerate(agree):
        if a is not None and has[i]:
            codes.setdefault(tuple(a), []).append(i)
    for vals, rows in codes.items():
        idx = np.asarray(rows)
        kp = keep[idx]
        a0 = np.where(kp, np.isin(x0[idx], vals), False).astype(float)
        a1 = np.where(kp, np.isin(x1[idx], vals), False).astype(float)
        e = a1 - a0
        ni = nf[idx]
        if w is None:
            p0, p1, diff = a0.sum(axis=1) / ni, a1.sum(axis=1) / ni, e.sum(axis=1) / ni
            se2 = np.sqrt(np.maximum((e**2).sum(axis=1) / ni - diff**2, 0.0) / ni)
        else:
            wi = np.where(kp, w[None, :], 0.0)
            tot = wi.sum(axis=1)
            p0, p1 = _wmean(a0, wi, tot), _wmean(a1, wi, tot)
            diff = _wmean(e, wi, tot)
            se2 = _wse(e, wi, tot, ni)
        col["top2_pre"][idx] = p0
        col["top2_post"][idx] = p1
        col["top2_diff"][idx] = diff
        col["top2_diff_ci_low"][idx] = diff - z * se2
        col["top2_diff_ci_high"][idx] = diff + z * se2
    return col


def prepost(
    df: pd.DataFrame,
    outcomes: str | Sequence[str],
    *,
    respondent: str = "respondent_id",
    wave: str = "wave",
    pre: str = "pre",
    post: str = "post",
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    confidence_level: float = 0.95,
    agree_values: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """Paired change between two waves, with tests, effect sizes and adjusted p-values.

    Respondents are paired on ``respondent``; for each outcome only respondents with a value at both
    waves count.

    Parameters
    ----------
    df : DataFrame
        Canonical responses table in long form (one row per respondent and wave), scored.
    outcomes : str or sequence of str
        Item or scale columns to analyse.
    respondent, wave : str
        Respondent and wave columns.
    pre, post : str
        The two waves compared; the change is ``post - pre``.
    by : str or sequence of str, optional
        Columns splitting the analysis (e.g. ``["group"]`` or ``["role"]``), taken from the
        ``pre`` row of each respondent. A pooled level ``"all"`` is added to every by column.
    weight : str, optional
        Weight column (taken from the ``post`` row, e.g. an attrition-adjusted panel weight).
    confidence_level : float
        Coverage of every interval.
    agree_values : sequence or mapping, optional
        Codes counted as agreeing (e.g. ``[4, 5]`` of a 5-point scale) for the top-two-box share,
        one list for every outcome or a dict ``outcome -> codes`` (outcomes left out get none).

    Returns
    -------
    DataFrame
        One row per (by level and) outcome with columns (``PREPOST_COLUMNS`` after the by
        columns):

        - the by columns (under their own names, as strings, with the pooled level ``"all"``);
        - ``outcome``; ``n``: complete pairs;
        - ``mean_pre``, ``mean_post``: the means at the two waves;
        - ``estimate``: mean change (post - pre); ``sd_diff``: SD of the changes;
          ``se``: standard error of ``estimate``;
        - ``ci_low``, ``ci_high``, ``confidence_level``: t interval of ``estimate``;
        - ``statistic`` (paired t), ``df``, ``p_value`` (two-sided paired t-test);
        - ``wilcoxon_statistic`` (R's V: sum of ranks of positive changes),
          ``wilcoxon_p_value``, ``wilcoxon_method`` (``"exact"`` or ``"normal approximation
          with continuity correction"``);
        - ``d_z``, ``d_z_ci_low``, ``d_z_ci_high``, ``g_av``, ``g_av_ci_low``,
          ``g_av_ci_high``: standardised changes with their intervals;
        - ``holm_p_value``, ``bh_p_value``: ``p_value`` adjusted across the outcomes within
          each by level;
        - ``top2_pre``, ``top2_post``: shares (0-1) answering one of ``agree_values`` at each
          wave; ``top2_diff``: their change, with ``top2_diff_ci_low``, ``top2_diff_ci_high``
          (all NaN unless ``agree_values`` covers the outcome);
        - ``method``.

    Raises
    ------
    AnalysisInputError
        If a column is missing, a wave is absent, a respondent has two rows in a wave, an
        outcome is not numeric, or no respondent answered both waves.

    Notes
    -----
    With ``d_i = post_i - pre_i``: mean difference ``m``, ``s_d`` its SD, ``t = m / (s_d /
    sqrt(n))`` on ``n - 1`` df, CI ``m -/+ t_{n-1} s_d / sqrt(n)``.

    The Wilcoxon signed-rank test reproduces R's ``wilcox.test(post, pre, paired = TRUE)``:
    zero differences are dropped, the exact distribution is used for fewer than 50 non-zero
    differences without ties, otherwise the normal approximation with tie-corrected variance
    and continuity correction. It is written here rather than taken from
    :func:`scipy.stats.wilcoxon` so that the choice of method follows R's rule exactly (the exact
    p-value itself comes from scipy).

    Effect sizes follow Lakens (2013): ``d_z = m / s_d`` (eq. 6) with the exact confidence
    interval obtained by inverting the noncentral t distribution of the paired t statistic
    (Steiger & Fouladi 1997; the same as ``MBESS::ci.sm``): ``ncp`` limits divided by
    ``sqrt(n)``. ``g_av = J m / ((s_pre + s_post) / 2)`` (eqs. 10 and 4) with Hedges'
    correction ``J = 1 - 3 / (4 (n - 1) - 1)``. Its interval is approximate, in the manner of
    Algina & Keselman (2003) but with Lakens' average-SD standardiser: the noncentral-t limits
    of the paired ``t`` are rescaled by ``J s_d / (sqrt(n) s_av)``, treating the ratio of SDs
    as fixed (covered the truth in 96.0% of 500 simulated datasets, n = 60; see
    ``benchmarks/coverage.py``).

    ``holm_p_value`` and ``bh_p_value`` adjust ``p_value`` with Holm's step-down and Benjamini-Hochberg
    procedures (as R's ``p.adjust``; both by direct implementations: BH computed as
    :func:`statsmodels.stats.multitest.multipletests` does, bit-identical to it, without importing
    statsmodels' multitest module; Holm because statsmodels' Holm path forces a full garbage
    collection on every call), ignoring outcomes without a p-value.

    The top-two-box change is the mean of ``a_post - a_pre`` (``a`` = 1 if the code is in
    ``agree_values``); its Wald interval uses ``se = sqrt((p10 + p01 - (p10 - p01)^2) / n)``
    (McNemar's discordant shares) and normal quantiles.

    With ``weight``, means are weighted, the SE of the mean difference is the linearised
    (sandwich) SE of a weighted mean, ``sqrt(n / (n - 1) sum w_i^2 (d_i - m)^2) / sum w`` (as
    ``survey::svymean`` with ``svydesign(ids = ~1, weights = ~w)``), t tests use ``n - 1``
    df; effect sizes use weighted SDs and have no interval; no Wilcoxon test is computed.

    Validated against R 4.2 ``t.test``, ``wilcox.test`` (exact and approximate, with ties and
    zeros), ``p.adjust`` and ``survey::svymean`` to 1e-6 (tests/reference/change).

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science.
    Frontiers in Psychology, 4, 863.

    Algina, J., & Keselman, H. J. (2003). Approximate confidence intervals for effect sizes.
    Educational and Psychological Measurement, 63(4), 537-553.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.change import prepost
    >>> df = pd.DataFrame({
    ...     "respondent_id": [1, 2, 3, 4, 5] * 2,
    ...     "wave": ["pre"] * 5 + ["post"] * 5,
    ...     "trust": [4, 5, 3, 6, 5, 6, 6, 5, 7, 8],
    ... })
    >>> r = prepost(df, "trust")
    >>> r[["outcome", "n", "estimate", "ci_low", "ci_high"]].round(3)
      outcome  n  estimate  ci_low  ci_high
    0   trust  5       1.8   0.761    2.839
    >>> print(r["wilcoxon_method"].iloc[0], round(float(r["wilcoxon_p_value"].iloc[0]), 4))
    normal approximation with continuity correction 0.0568
    """
    level = check_confidence_level(confidence_level)
    outs = as_list(outcomes)
    if not outs:
        raise AnalysisInputError("outcomes is empty; name at least one item or scale column")
    by_cols = as_list(by)
    needed = [respondent, wave, *outs, *by_cols, *([weight] if weight else [])]
    require_columns(df, needed, what="responses table")
    check_waves(df, wave, [pre, post])
    if agree_values is None:
        agree: dict[str, Sequence[float] | None] = dict.fromkeys(outs)
    elif isinstance(agree_values, Mapping):
        unknown = [k for k in agree_values if k not in outs]
        if unknown:
            raise AnalysisInputError(
                f"agree_values names outcome(s) not analysed: {', '.join(map(repr, unknown))}"
            )
        agree = {o: (list(agree_values[o]) if o in agree_values else None) for o in outs}
    else:
        agree = {key: list(agree_values) for key in outs}
    x0, x1, by_table, w = _pairs(
        df, outs, respondent=respondent, wave=wave, pre=pre, post=post, by=by_cols, weight=weight
    )

    groups: list[tuple[tuple[Any, ...], np.ndarray | None]] = []
    if by_cols:
        at = by_table.assign(__at=np.arange(len(by_table)))
        for key, part in at.groupby(by_cols, sort=True, dropna=True):
            groups.append(((key if isinstance(key, tuple) else (key,)), part["__at"].to_numpy()))
        groups.append((("all",) * len(by_cols), None))
    else:
        groups.append(((), None))

    agree_list = [agree[o] for o in outs]
    parts: list[dict[str, Any]] = []
    later: list[tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]] = []
    for key, rows in groups:
        if rows is None:
            col = _block(x0, x1, w, agree_list, level, later)
        else:
            col = _block(
                x0[:, rows], x1[:, rows], None if w is None else w[rows], agree_list, level, later
            )
        p = col["p_value"]
        ok = ~np.isnan(p)
        if ok.any():
            col["holm_p_value"][ok] = holm(p[ok])
            col["bh_p_value"][ok] = benjamini_hochberg(p[ok])
        col["outcome"] = np.asarray(outs, dtype=object)
        for b, value in zip(by_cols, key, strict=True):
            col[b] = np.full(len(outs), value, dtype=object)
        parts.append(col)
    _fill_nct(later, level)  # the d_z / g_av limits of every by level in one search
    columns = [*by_cols, *PREPOST_COLUMNS]
    data = {
        c: (np.concatenate([part[c] for part in parts]) if len(parts) > 1 else parts[0][c])
        for c in columns
    }
    out = pd.DataFrame({c: data[c] for c in columns}, columns=columns)
    for b in by_cols:
        out[b] = out[b].astype(object).astype("string")
    out["n"] = out["n"].astype("int64")
    return out


# ----------------------------------------------------------------------------------------
# descriptive tables used by the plots
# ----------------------------------------------------------------------------------------


def group_means(
    df: pd.DataFrame,
    outcome: str,
    *,
    wave: str = "wave",
    group: str = "group",
    waves: Sequence[str] = ("pre", "post"),
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Mean of ``outcome`` per group and wave with a t interval (input of the DiD plot).

    Parameters
    ----------
    df : DataFrame
        Canonical responses table (long form), scored.
    outcome : str
        Outcome column.
    wave, group : str
        Wave and group (participant / control) columns.
    waves : sequence of str
        Waves in display order.
    confidence_level : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per group and wave (groups sorted, waves in the order given) with columns

        - ``group``: the level of the ``group`` column (as a string);
        - ``wave``, ``outcome``;
        - ``n``: non-missing values;
        - ``estimate``: the mean; ``se``: its standard error ``s / sqrt(n)``;
        - ``ci_low``, ``ci_high``, ``confidence_level``: t interval;
        - ``method``.

    Notes
    -----
    Per group and wave, with the ``n`` non-missing values: mean ``m``, ``se = s / sqrt(n)``
    (``s`` the n - 1 standard deviation), interval ``m -/+ t_{n-1, 1 - (1 - level) / 2} se``,
    as R ``t.test(x)$conf.int``; NaN ``se`` and limits for ``n < 2``. Rows with a missing
    ``group`` are left out. Descriptive input of :func:`deliberval.plots.change.plot_did`; the
    inference on the change is :func:`deliberval.analysis.did.did`.

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika*, 6(1), 1-25.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.change import group_means
    >>> df = pd.DataFrame({"wave": ["pre", "pre", "post", "post"], "group": ["a"] * 4,
    ...                    "y": [1.0, 3.0, 4.0, 6.0]})
    >>> group_means(df, "y")[["group", "wave", "n", "estimate", "se"]]
      group  wave  n  estimate   se
    0     a   pre  2       2.0  1.0
    1     a  post  2       5.0  1.0
    """
    lev = check_confidence_level(confidence_level)
    require_columns(df, [wave, group, outcome], what="responses table")
    check_waves(df, wave, list(waves))
    y = numeric_column(df[outcome], outcome)
    rows = []
    for g, part in df.assign(__y=y).groupby(group, sort=True):
        for wv in waves:
            x = part.loc[part[wave] == wv, "__y"].dropna().to_numpy()
            n = x.size
            m = float(x.mean()) if n else math.nan
            se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
            h = t_quantile(lev, n - 1) * se if n > 1 else math.nan
            rows.append(
                {
                    "group": str(g),
                    "wave": wv,
                    "outcome": outcome,
                    "n": n,
                    "estimate": m,
                    "se": se,
                    "ci_low": m - h,
                    "ci_high": m + h,
                    "confidence_level": lev,
                    "method": "mean with t interval",
                }
            )
    return pd.DataFrame(rows, columns=GROUP_MEANS_COLUMNS)


def likert_shares(
    df: pd.DataFrame,
    items: str | Sequence[str],
    *,
    wave: str = "wave",
    by: str | Sequence[str] | None = None,
    levels: Sequence[Any] = (1, 2, 3, 4, 5),
    waves: Sequence[str] | None = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Share of each response level per item and wave, with Wilson intervals.

    Parameters
    ----------
    df : DataFrame
        Canonical responses table, missing codes already recoded to NaN.
    items : str or sequence of str
        Likert item columns.
    wave : str
        Wave column.
    by : str or sequence of str, optional
        Columns splitting the table (e.g. ``"role"``): one block of rows per combination of
        their levels (rows with a missing by value are left out; no pooled level).
    levels : sequence
        Response codes in scale order (first = most negative).
    waves : sequence of str, optional
        Waves to keep, in order (all, sorted, by default).
    confidence_level : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per (by level,) item, wave and response level, with columns

        - the by columns (under their own names, levels sorted);
        - ``item``, ``wave``, ``level``;
        - ``n``: answers of the item in the wave (and by level) that are one of ``levels``;
        - ``count``: answers equal to ``level``;
        - ``estimate``: the share ``count / n`` in 0-1 (NaN when ``n`` is 0);
        - ``ci_low``, ``ci_high``, ``confidence_level``: Wilson score interval of the share;
        - ``method``.

    Notes
    -----
    Values outside ``levels`` and missing values are in neither ``count`` nor ``n``. The
    interval is Wilson's score interval without continuity correction (as R
    ``prop.test(count, n, correct = FALSE)$conf.int``, see
    :func:`deliberval.analysis._common.wilson_interval`), computed for every row at once. A
    share of several levels (e.g. agreeing = 4 or 5) is the sum of their ``count`` over ``n``.
    Descriptive input of the diverging bar chart (Heiberger & Robbins 2014).

    References
    ----------
    Heiberger, R. M., & Robbins, N. B. (2014). Design of diverging stacked bar charts for
    Likert scales and other applications. *Journal of Statistical Software*, 57(5), 1-32.

    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA*, 22(158), 209-212.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.change import likert_shares
    >>> df = pd.DataFrame({"wave": ["pre", "pre", "post", "post"], "q": [1, 2, 2, 2]})
    >>> r = likert_shares(df, "q", levels=[1, 2], waves=["pre", "post"])
    >>> r[["item", "wave", "level", "n", "count", "estimate", "ci_low"]].round(3)
      item  wave  level  n  count  estimate  ci_low
    0    q   pre      1  2      1       0.5   0.095
    1    q   pre      2  2      1       0.5   0.095
    2    q  post      1  2      0       0.0   0.000
    3    q  post      2  2      2       1.0   0.342
    """
    lev = check_confidence_level(confidence_level)
    its = as_list(items)
    by_cols = as_list(by)
    require_columns(df, [wave, *by_cols, *its], what="responses table")
    wv_list = list(waves) if waves is not None else sorted(df[wave].dropna().unique())
    level_list = list(levels)
    if by_cols:
        keep = df[by_cols].notna().all(axis=1)
        blocks = [
            (key if isinstance(key, tuple) else (key,), part)
            for key, part in df.loc[keep].groupby(by_cols, sort=True)
        ]
    else:
        blocks = [((), df)]
    keys: list[tuple[Any, ...]] = []
    n_list: list[int] = []
    counts: list[int] = []
    for key, part in blocks:
        for it in its:
            for wv in wv_list:
                x = part.loc[part[wave] == wv, it]
                x = x[x.isin(level_list)]
                n = int(x.size)
                for lv in level_list:
                    keys.append((*key, it, wv, lv))
                    n_list.append(n)
                    counts.append(int((x == lv).sum()))
    out = pd.DataFrame(keys, columns=[*by_cols, "item", "wave", "level"])
    n_arr = np.asarray(n_list, dtype="int64")
    c_arr = np.asarray(counts, dtype="int64")
    low, high = wilson_intervals(c_arr, n_arr, lev)
    out["n"] = n_arr
    out["count"] = c_arr
    out["estimate"] = np.where(n_arr > 0, c_arr / np.maximum(n_arr, 1), np.nan)
    out["ci_low"] = low
    out["ci_high"] = high
    out["confidence_level"] = lev
    out["method"] = "share with Wilson score interval"
    return out
