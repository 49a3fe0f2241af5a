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
from scipy import optimize, special, stats
from statsmodels.stats.multitest import multipletests

from deliberval.analysis._common import (
    as_list,
    check_confidence_level,
    check_unique,
    check_waves,
    holm,
    numeric_column,
    require_columns,
    t_quantile,
    weighted_mean_se,
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


def _nct_ci(t_obs: float, df: float, confidence_level: float) -> tuple[float, float]:
    """Limits of the noncentrality parameter of a t statistic (Steiger & Fouladi inversion).

    Solves ``P(T <= t_obs | ncp) = 1 - alpha/2`` (lower) and ``= alpha/2`` (upper). A negative
    ``t_obs`` is solved as ``-t_obs`` and mirrored (``F(t; ncp) = 1 - F(-t; -ncp)``), because
    scipy's noncentral t cdf is unstable far in the lower tail.
    """
    if not (math.isfinite(t_obs) and df > 0):
        return (math.nan, math.nan)
    if t_obs < 0:
        lo, hi = _nct_ci(-t_obs, df, confidence_level)
        return (-hi, -lo)
    alpha = 1 - confidence_level
    spread = math.sqrt(1 + t_obs**2 / (2 * df))
    width = (float(stats.norm.ppf(1 - alpha / 2)) + 2) * spread

    def limit(target: float) -> float:
        def f(ncp: float) -> float:
            return float(special.nctdtr(df, ncp, t_obs)) - target

        lo, hi = t_obs - width, t_obs + width
        for _ in range(10):
            f_lo, f_hi = f(lo), f(hi)
            if not (math.isfinite(f_lo) and math.isfinite(f_hi)):
                return math.nan
            if f_lo > 0 > f_hi:
                return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=500))
            lo, hi = lo - width, hi + width
        return math.nan

    return (limit(1 - alpha / 2), limit(alpha / 2))


def _wilcoxon_r(diff: np.ndarray) -> tuple[float, float, str]:
    """Two-sided paired Wilcoxon signed-rank test exactly as R's ``wilcox.test(x, y, paired =
    TRUE)`` (see :func:`deliberval.analysis._common.wilcoxon_signed_rank`)."""
    if not (diff != 0).any():
        return (0.0, math.nan, "not computable: all differences are zero")
    v, p, exact = wilcoxon_signed_rank(diff)
    return (v, p, _EXACT if exact else _APPROX)


def _weighted_sd(x: np.ndarray, w: np.ndarray) -> float:
    m = (w * x).sum() / w.sum()
    return float(math.sqrt((w * (x - m) ** 2).sum() / w.sum() * x.size / (x.size - 1)))


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
) -> pd.DataFrame:
    """Wide table: one row per respondent with ``<outcome>__pre`` / ``__post``, by, weight."""
    sub = df.loc[df[wave].isin([pre, post])]
    check_unique(sub, respondent, wave)
    pre_rows = sub.loc[sub[wave] == pre].set_index(respondent)
    post_rows = sub.loc[sub[wave] == post].set_index(respondent)
    common = pre_rows.index.intersection(post_rows.index)
    if len(common) == 0:
        raise AnalysisInputError(
            f"no respondent in {respondent!r} answered both wave {pre!r} ({len(pre_rows)} rows) and "
            f"wave {post!r} ({len(post_rows)} rows); nothing can be paired"
        )
    wide = pd.DataFrame(index=common)
    for o in outcomes:
        wide[f"{o}__pre"] = numeric_column(pre_rows.loc[common, o], o).to_numpy()
        wide[f"{o}__post"] = numeric_column(post_rows.loc[common, o], o).to_numpy()
    for b in by:
        wide[b] = pre_rows.loc[common, b].to_numpy()
    if weight is not None:
        w = numeric_column(post_rows.loc[common, weight], weight)
        if (w.dropna() < 0).any():
            raise AnalysisInputError(f"weight column {weight!r} has negative values")
        wide["__weight"] = w.to_numpy()
    return wide


def _one_outcome(
    pre_v: np.ndarray,
    post_v: np.ndarray,
    w: np.ndarray | None,
    agree: Sequence[float] | None,
    confidence_level: float,
) -> dict[str, Any]:
    keep = ~(np.isnan(pre_v) | np.isnan(post_v))
    if w is not None:
        keep &= ~np.isnan(w) & (w > 0)
    x0, x1 = pre_v[keep], post_v[keep]
    d = x1 - x0
    n = int(d.size)
    row: dict[str, Any] = dict.fromkeys(PREPOST_COLUMNS[1:], math.nan)
    row.update(n=n, confidence_level=confidence_level, wilcoxon_method="", method="")
    if n == 0:
        row["method"] = "no complete pairs"
        return row
    dfree = float(n - 1)
    row["df"] = dfree
    if w is None:
        mean_diff = float(d.mean())
        sd_diff = float(d.std(ddof=1)) if n > 1 else math.nan
        se = sd_diff / math.sqrt(n) if n > 1 else math.nan
        sd0 = float(x0.std(ddof=1)) if n > 1 else math.nan
        sd1 = float(x1.std(ddof=1)) if n > 1 else math.nan
        row.update(mean_pre=float(x0.mean()), mean_post=float(x1.mean()))
    else:
        ww = w[keep]
        mean_diff, se = weighted_mean_se(d, ww)
        sd_diff = _weighted_sd(d, ww) if n > 1 else math.nan
        sd0 = _weighted_sd(x0, ww) if n > 1 else math.nan
        sd1 = _weighted_sd(x1, ww) if n > 1 else math.nan
        row.update(
            mean_pre=float((ww * x0).sum() / ww.sum()), mean_post=float((ww * x1).sum() / ww.sum())
        )
    row.update(estimate=mean_diff, sd_diff=sd_diff, se=se)
    if n > 1 and se > 0:
        q = t_quantile(confidence_level, dfree)
        t = mean_diff / se
        row.update(
            ci_low=mean_diff - q * se,
            ci_high=mean_diff + q * se,
            statistic=t,
            p_value=float(2 * stats.t.sf(abs(t), dfree)),
        )
    elif n > 1:  # every difference identical: zero-width interval, no test
        row.update(ci_low=mean_diff, ci_high=mean_diff)
    if n > 1 and sd_diff > 0:
        row["d_z"] = mean_diff / sd_diff
        sd_av = (sd0 + sd1) / 2
        j = 1 - 3 / (4 * dfree - 1) if dfree > 0.25 else math.nan
        if sd_av > 0:
            row["g_av"] = j * mean_diff / sd_av
        if w is None:
            lo, hi = _nct_ci(row["statistic"], dfree, confidence_level)
            row.update(d_z_ci_low=lo / math.sqrt(n), d_z_ci_high=hi / math.sqrt(n))
            if sd_av > 0:
                scale = j * sd_diff / (math.sqrt(n) * sd_av)
                row.update(g_av_ci_low=lo * scale, g_av_ci_high=hi * scale)
    if w is None:
        v, p_w, w_method = _wilcoxon_r(d)
        row.update(wilcoxon_statistic=v, wilcoxon_p_value=p_w, wilcoxon_method=w_method)
        row["method"] = "paired t-test; Wilcoxon signed-rank test"
    else:
        row["wilcoxon_method"] = "not computed for weighted data"
        row["method"] = "weighted paired mean difference, linearised SE, t with n - 1 df"
    if agree is not None:
        a0 = np.isin(x0, agree).astype(float)
        a1 = np.isin(x1, agree).astype(float)
        e = a1 - a0
        z = stats.norm.ppf(0.5 + confidence_level / 2)
        if w is None:
            p0, p1, diff = a0.mean(), a1.mean(), e.mean()
            se2 = math.sqrt(max((e**2).mean() - diff**2, 0.0) / n)
        else:
            ww = w[keep]
            p0 = float((ww * a0).sum() / ww.sum())
            p1 = float((ww * a1).sum() / ww.sum())
            diff, se2 = weighted_mean_se(e, ww)
        row.update(
            top2_pre=float(p0),
            top2_post=float(p1),
            top2_diff=float(diff),
            top2_diff_ci_low=float(diff - z * se2),
            top2_diff_ci_high=float(diff + z * se2),
        )
    return row


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
    procedures (as R's ``p.adjust``; BH by :func:`statsmodels.stats.multitest.multipletests`,
    Holm by a direct three-line implementation because statsmodels' Holm path forces a full
    garbage collection on every call), ignoring outcomes without a p-value.

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
    wide = _pairs(
        df, outs, respondent=respondent, wave=wave, pre=pre, post=post, by=by_cols, weight=weight
    )

    groups: list[tuple[tuple[Any, ...], pd.DataFrame]] = []
    if by_cols:
        for key, part in wide.groupby(by_cols, sort=True, dropna=True):
            groups.append(((key if isinstance(key, tuple) else (key,)), part))
        groups.append((("all",) * len(by_cols), wide))
    else:
        groups.append(((), wide))

    rows = []
    for key, part in groups:
        block = []
        w = part["__weight"].to_numpy(dtype=float) if weight else None
        for o in outs:
            r = _one_outcome(
                part[f"{o}__pre"].to_numpy(dtype=float),
                part[f"{o}__post"].to_numpy(dtype=float),
                w,
                agree[o],
                level,
            )
            r["outcome"] = o
            r.update(dict(zip(by_cols, key, strict=True)))
            block.append(r)
        p = np.array([r["p_value"] for r in block], dtype=float)
        ok = ~np.isnan(p)
        if ok.any():
            holm_p = holm(p[ok])
            bh = multipletests(p[ok], method="fdr_bh")[1]
            for i, j in enumerate(np.flatnonzero(ok)):
                block[j]["holm_p_value"] = float(holm_p[i])
                block[j]["bh_p_value"] = float(bh[i])
        rows.extend(block)
    out = pd.DataFrame(rows, columns=[*by_cols, *PREPOST_COLUMNS])
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
