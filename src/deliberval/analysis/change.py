"""Change analysis: paired pre/post change, attrition, difference-in-differences, selection.

Every function takes the canonical responses table (one row per respondent x wave) and
returns a tidy :class:`pandas.DataFrame`. Scores should already be scored (missing codes
recoded to NaN, reverse-keyed items reversed) with :func:`deliberval.scoring.score`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, special, stats
from statsmodels.stats.multitest import multipletests

from deliberval.analysis._common import (
    as_list,
    check_confidence_level,
    holm,
    require_columns,
    wilcoxon_signed_rank,
)
from deliberval.errors import AnalysisInputError

__all__ = [
    "PREPOST_COLUMNS",
    "attrition",
    "did",
    "group_means",
    "likert_shares",
    "prepost",
    "response_weights",
    "selection_check",
]

PREPOST_COLUMNS = [
    "outcome",
    "n",
    "mean_pre",
    "mean_post",
    "mean_diff",
    "sd_diff",
    "se",
    "ci_low",
    "ci_high",
    "confidence_level",
    "t",
    "df",
    "p_t",
    "wilcoxon_v",
    "p_wilcoxon",
    "wilcoxon_method",
    "d_z",
    "d_z_ci_low",
    "d_z_ci_high",
    "g_av",
    "g_av_ci_low",
    "g_av_ci_high",
    "p_holm",
    "p_bh",
    "top2_pre",
    "top2_post",
    "top2_diff",
    "top2_ci_low",
    "top2_ci_high",
    "method",
]

_EXACT = "exact"
_APPROX = "normal approximation with continuity correction"


# ----------------------------------------------------------------------------------------
# shared helpers
# ----------------------------------------------------------------------------------------


def _numeric(series: pd.Series, name: str) -> pd.Series:
    """``series`` as float, raising a clear error when it holds text."""
    out = pd.to_numeric(series, errors="coerce")
    bad = series.notna() & out.isna()
    if bad.any():
        examples = ", ".join(map(repr, series[bad].unique()[:3]))
        raise AnalysisInputError(
            f"column {name!r} must be numeric (scored data); found non-numeric value(s) {examples}"
        )
    return out.astype("float64")


def _check_waves(df: pd.DataFrame, wave: str, needed: Sequence[str]) -> None:
    present = set(df[wave].dropna().unique())
    missing = [w for w in needed if w not in present]
    if missing:
        found = ", ".join(sorted(map(repr, map(str, present)))) or "none"
        raise AnalysisInputError(
            f"column {wave!r} has no rows for wave(s) {', '.join(map(repr, missing))}; "
            f"waves found: {found}. A change analysis needs both waves."
        )


def _check_unique(df: pd.DataFrame, id: str, wave: str) -> None:
    dup = df.duplicated([id, wave], keep=False)
    if dup.any():
        first = df.loc[dup, [id, wave]].iloc[0]
        raise AnalysisInputError(
            f"{int(dup.sum())} rows share a ({id!r}, {wave!r}) pair, e.g. "
            f"({first[id]!r}, {first[wave]!r}); expected one row per respondent and wave"
        )


def _t_quantile(confidence_level: float, df: float) -> float:
    return float(stats.t.ppf(0.5 + confidence_level / 2, df))


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


def _weighted_mean_se(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted mean and its linearised (Taylor) standard error, as ``survey::svymean``.

    With a design of independent units and weights only, the ratio-mean estimator
    ``sum(w x) / sum(w)`` has variance ``n / (n - 1) * sum(w_i^2 (x_i - m)^2) / (sum w)^2``.
    """
    n = x.size
    total = w.sum()
    m = float((w * x).sum() / total)
    if n < 2:
        return (m, math.nan)
    z = w * (x - m) / total
    return (m, float(math.sqrt(n / (n - 1) * (z**2).sum())))


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
    id: str,
    wave: str,
    pre: str,
    post: str,
    by: list[str],
    weight: str | None,
) -> pd.DataFrame:
    """Wide table: one row per respondent with ``<outcome>__pre`` / ``__post``, by, weight."""
    sub = df.loc[df[wave].isin([pre, post])]
    _check_unique(sub, id, wave)
    pre_rows = sub.loc[sub[wave] == pre].set_index(id)
    post_rows = sub.loc[sub[wave] == post].set_index(id)
    common = pre_rows.index.intersection(post_rows.index)
    if len(common) == 0:
        raise AnalysisInputError(
            f"no respondent in {id!r} answered both wave {pre!r} ({len(pre_rows)} rows) and "
            f"wave {post!r} ({len(post_rows)} rows); nothing can be paired"
        )
    wide = pd.DataFrame(index=common)
    for o in outcomes:
        wide[f"{o}__pre"] = _numeric(pre_rows.loc[common, o], o).to_numpy()
        wide[f"{o}__post"] = _numeric(post_rows.loc[common, o], o).to_numpy()
    for b in by:
        wide[b] = pre_rows.loc[common, b].to_numpy()
    if weight is not None:
        w = _numeric(post_rows.loc[common, weight], weight)
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
        mean_diff, se = _weighted_mean_se(d, ww)
        sd_diff = _weighted_sd(d, ww) if n > 1 else math.nan
        sd0 = _weighted_sd(x0, ww) if n > 1 else math.nan
        sd1 = _weighted_sd(x1, ww) if n > 1 else math.nan
        row.update(
            mean_pre=float((ww * x0).sum() / ww.sum()), mean_post=float((ww * x1).sum() / ww.sum())
        )
    row.update(mean_diff=mean_diff, sd_diff=sd_diff, se=se)
    if n > 1 and se > 0:
        q = _t_quantile(confidence_level, dfree)
        t = mean_diff / se
        row.update(
            ci_low=mean_diff - q * se,
            ci_high=mean_diff + q * se,
            t=t,
            p_t=float(2 * stats.t.sf(abs(t), dfree)),
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
            lo, hi = _nct_ci(row["t"], dfree, confidence_level)
            row.update(d_z_ci_low=lo / math.sqrt(n), d_z_ci_high=hi / math.sqrt(n))
            if sd_av > 0:
                scale = j * sd_diff / (math.sqrt(n) * sd_av)
                row.update(g_av_ci_low=lo * scale, g_av_ci_high=hi * scale)
    if w is None:
        v, p_w, w_method = _wilcoxon_r(d)
        row.update(wilcoxon_v=v, p_wilcoxon=p_w, wilcoxon_method=w_method)
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
            diff, se2 = _weighted_mean_se(e, ww)
        row.update(
            top2_pre=float(p0),
            top2_post=float(p1),
            top2_diff=float(diff),
            top2_ci_low=float(diff - z * se2),
            top2_ci_high=float(diff + z * se2),
        )
    return row


def prepost(
    df: pd.DataFrame,
    outcomes: str | Sequence[str],
    *,
    id: str = "respondent_id",
    wave: str = "wave",
    pre: str = "pre",
    post: str = "post",
    by: str | Sequence[str] | None = None,
    weight: str | None = None,
    confidence_level: float = 0.95,
    agree_values: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """Paired change between two waves, with tests, effect sizes and adjusted p-values.

    Respondents are paired on ``id``; for each outcome only respondents with a value at both
    waves count.

    Parameters
    ----------
    df : DataFrame
        Canonical responses table in long form (one row per respondent and wave), scored.
    outcomes : str or sequence of str
        Item or scale columns to analyse.
    id, wave : str
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
        One row per (by level and) outcome with columns: the by columns, ``outcome``, ``n``
        (complete pairs), ``mean_pre``, ``mean_post``, ``mean_diff`` (post - pre), ``sd_diff``,
        ``se``, ``ci_low``, ``ci_high``, ``confidence_level``, ``t``, ``df``, ``p_t`` (paired
        t-test), ``wilcoxon_v`` (R's V: sum of ranks of positive changes), ``p_wilcoxon``,
        ``wilcoxon_method`` (``"exact"`` or ``"normal approximation with continuity
        correction"``), ``d_z``, ``d_z_ci_low``, ``d_z_ci_high``, ``g_av``, ``g_av_ci_low``,
        ``g_av_ci_high``, ``p_holm``, ``p_bh`` (adjusted ``p_t`` across the outcomes within each
        by level), ``top2_pre``, ``top2_post``, ``top2_diff``, ``top2_ci_low``, ``top2_ci_high``
        (NaN unless ``agree_values`` covers the outcome) and ``method``.

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

    ``p_holm`` and ``p_bh`` adjust ``p_t`` with Holm's step-down and Benjamini-Hochberg
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
    >>> r[["outcome", "n", "mean_diff", "ci_low", "ci_high"]].round(3)
      outcome  n  mean_diff  ci_low  ci_high
    0   trust  5        1.8   0.761    2.839
    >>> print(r["wilcoxon_method"].iloc[0], round(float(r["p_wilcoxon"].iloc[0]), 4))
    normal approximation with continuity correction 0.0568
    """
    level = check_confidence_level(confidence_level)
    outs = as_list(outcomes)
    if not outs:
        raise AnalysisInputError("outcomes is empty; name at least one item or scale column")
    by_cols = as_list(by)
    needed = [id, wave, *outs, *by_cols, *([weight] if weight else [])]
    require_columns(df, needed, what="responses table")
    _check_waves(df, wave, [pre, post])
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
    wide = _pairs(df, outs, id=id, wave=wave, pre=pre, post=post, by=by_cols, weight=weight)

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
        p = np.array([r["p_t"] for r in block], dtype=float)
        ok = ~np.isnan(p)
        if ok.any():
            holm_p = holm(p[ok])
            bh = multipletests(p[ok], method="fdr_bh")[1]
            for i, j in enumerate(np.flatnonzero(ok)):
                block[j]["p_holm"] = float(holm_p[i])
                block[j]["p_bh"] = float(bh[i])
        rows.extend(block)
    out = pd.DataFrame(rows, columns=[*by_cols, *PREPOST_COLUMNS])
    for b in by_cols:
        out[b] = out[b].astype(object).astype("string")
    out["n"] = out["n"].astype("int64")
    return out


# ----------------------------------------------------------------------------------------
# attrition
# ----------------------------------------------------------------------------------------


def _completion(
    df: pd.DataFrame, *, id: str, wave: str, pre: str, post: str
) -> tuple[pd.DataFrame, pd.Series]:
    """Baseline rows (indexed by id) and a boolean Series: did the respondent answer post?"""
    _check_waves(df, wave, [pre])
    sub = df.loc[df[wave].isin([pre, post])]
    _check_unique(sub, id, wave)
    base = sub.loc[sub[wave] == pre].set_index(id)
    answered = set(sub.loc[sub[wave] == post, id])
    completed = pd.Series(base.index.isin(answered), index=base.index, name="completed")
    return base, completed


def attrition(
    df: pd.DataFrame,
    variables: str | Sequence[str],
    *,
    id: str = "respondent_id",
    wave: str = "wave",
    pre: str = "pre",
    post: str = "post",
) -> pd.DataFrame:
    """Compare the baseline answers of completers (answered ``post``) and drop-outs.

    Parameters
    ----------
    df : DataFrame
        Canonical responses table (long form).
    variables : str or sequence of str
        Baseline columns to compare. Numeric columns are compared by their means; text,
        categorical and boolean columns by the share of each category.
    id, wave, pre, post : str
        Respondent and wave columns and the two waves.

    Returns
    -------
    DataFrame
        One row per numeric variable, or per category of a categorical variable, with columns
        ``variable``, ``level`` (category; missing for numeric variables), ``n_completers``,
        ``n_dropouts`` (non-missing baseline answers), ``estimate_completers``,
        ``estimate_dropouts`` (means or shares), ``difference`` (completers - drop-outs),
        ``std_difference``, ``test`` (``"welch_t"`` or ``"chi_square"``), ``statistic``, ``df``,
        ``p`` and ``method``. The overall attrition rate is
        ``n_dropouts / (n_completers + n_dropouts)``.

    Raises
    ------
    AnalysisInputError
        If a column or the baseline wave is missing or ids repeat within a wave.

    Notes
    -----
    Standardised differences use the pooled-SD convention of balance diagnostics (Austin
    2009): ``(m_c - m_d) / sqrt((s_c^2 + s_d^2) / 2)`` for means and
    ``(p_c - p_d) / sqrt((p_c (1 - p_c) + p_d (1 - p_d)) / 2)`` for shares. Means are compared
    with Welch's t-test (R ``t.test``); a categorical variable with Pearson's chi-square test
    of the completers x category table without continuity correction (R ``chisq.test(correct =
    FALSE)``), reported on every category row. |std_difference| above 0.1 is a common flag.

    Validated against R ``t.test`` and ``chisq.test(correct = FALSE)`` to 1e-6.

    References
    ----------
    Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline
    covariates between treatment groups in propensity-score matched samples. Statistics in
    Medicine, 28(25), 3083-3107.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.change import attrition
    >>> df = pd.DataFrame({
    ...     "respondent_id": [1, 2, 3, 4, 5, 6, 1, 2, 3],
    ...     "wave": ["pre"] * 6 + ["post"] * 3,
    ...     "trust": [6, 7, 5, 3, 4, 2, 6, 7, 6],
    ... })
    >>> r = attrition(df, "trust")
    >>> r[["variable", "n_completers", "n_dropouts", "difference", "test"]]
      variable  n_completers  n_dropouts  difference     test
    0    trust             3           3         3.0  welch_t
    """
    vars_ = as_list(variables)
    if not vars_:
        raise AnalysisInputError("variables is empty; name at least one baseline column")
    require_columns(df, [id, wave, *vars_], what="responses table")
    base, completed = _completion(df, id=id, wave=wave, pre=pre, post=post)
    rows: list[dict[str, Any]] = []
    for v in vars_:
        col = base[v]
        is_num = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        if is_num:
            x = col.astype("float64")
            a = x[completed & x.notna()].to_numpy()
            b = x[~completed & x.notna()].to_numpy()
            sa = a.std(ddof=1) if a.size > 1 else math.nan
            sb = b.std(ddof=1) if b.size > 1 else math.nan
            pooled = math.sqrt((sa**2 + sb**2) / 2)
            diff = (a.mean() if a.size else math.nan) - (b.mean() if b.size else math.nan)
            stat = dof = p = math.nan
            if a.size > 1 and b.size > 1 and (sa > 0 or sb > 0):
                res = stats.ttest_ind(a, b, equal_var=False)
                stat, p = float(res.statistic), float(res.pvalue)
                dof = float(res.df)
            rows.append(
                {
                    "variable": v,
                    "level": pd.NA,
                    "n_completers": int(a.size),
                    "n_dropouts": int(b.size),
                    "estimate_completers": float(a.mean()) if a.size else math.nan,
                    "estimate_dropouts": float(b.mean()) if b.size else math.nan,
                    "difference": float(diff),
                    "std_difference": float(diff / pooled) if pooled > 0 else math.nan,
                    "test": "welch_t",
                    "statistic": stat,
                    "df": dof,
                    "p": p,
                    "method": "mean; Welch two-sample t-test",
                }
            )
        else:
            ok = col.notna()
            table = pd.crosstab(completed[ok], col[ok].astype(str))
            table = table.reindex(pd.Index([True, False]), fill_value=0)
            stat = dof = p = math.nan
            if table.shape[1] > 1 and (table.sum(axis=1) > 0).all():
                chi = stats.chi2_contingency(table.to_numpy(), correction=False)
                stat, p, dof = float(chi.statistic), float(chi.pvalue), float(chi.dof)
            nc, nd = int(table.loc[True].sum()), int(table.loc[False].sum())
            for lev in table.columns:
                pc = table.loc[True, lev] / nc if nc else math.nan
                pd_ = table.loc[False, lev] / nd if nd else math.nan
                denom = math.sqrt((pc * (1 - pc) + pd_ * (1 - pd_)) / 2)
                rows.append(
                    {
                        "variable": v,
                        "level": str(lev),
                        "n_completers": nc,
                        "n_dropouts": nd,
                        "estimate_completers": float(pc),
                        "estimate_dropouts": float(pd_),
                        "difference": float(pc - pd_),
                        "std_difference": float((pc - pd_) / denom) if denom > 0 else math.nan,
                        "test": "chi_square",
                        "statistic": stat,
                        "df": dof,
                        "p": p,
                        "method": "share; Pearson chi-square test (no continuity correction)",
                    }
                )
    out = pd.DataFrame(rows)
    out["level"] = out["level"].astype("string")
    return out


def _design(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Numeric design matrix: numeric columns as they are, others as treatment dummies."""
    parts = []
    for c in columns:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            parts.append(s.astype("float64").rename(c))
        else:
            dummies = pd.get_dummies(s.astype(str), prefix=c, prefix_sep="=", drop_first=True)
            parts.append(dummies.astype("float64"))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=df.index)


def response_weights(
    df: pd.DataFrame,
    predictors: str | Sequence[str],
    *,
    id: str = "respondent_id",
    wave: str = "wave",
    pre: str = "pre",
    post: str = "post",
) -> pd.DataFrame:
    """Inverse-probability-of-response weights from a logistic model of answering ``post``.

    Parameters
    ----------
    df : DataFrame
        Canonical responses table (long form).
    predictors : str or sequence of str
        Baseline columns predicting response (numeric as is, others as dummy variables).
    id, wave, pre, post : str
        Respondent and wave columns and the two waves.

    Returns
    -------
    DataFrame
        One row per baseline respondent with complete predictors: ``id`` column,
        ``completed`` (bool), ``p_response`` (fitted probability) and ``weight``
        (``1 / p_response`` for completers, 0 for drop-outs).

    Raises
    ------
    AnalysisInputError
        If nobody or everybody dropped out, or the model cannot be fitted (e.g. perfect
        prediction).

    Notes
    -----
    Fitted with :class:`statsmodels.api.GLM` (binomial family, logit link), as R ``glm(family =
    binomial)``. Completers' weights sum to about the baseline sample size; multiply them by
    design weights where the baseline is itself weighted. Join the weights to the ``post`` rows
    and pass ``weight=`` to :func:`prepost`.

    Validated against R ``glm(family = binomial)`` fitted probabilities to 1e-6.

    References
    ----------
    Seaman, S. R., & White, I. R. (2013). Review of inverse probability weighting for dealing
    with missing data. *Statistical Methods in Medical Research*, 22(3), 278-295.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.change import response_weights
    >>> df = pd.DataFrame({
    ...     "respondent_id": list(range(8)) + [0, 1, 2, 4, 6],
    ...     "wave": ["pre"] * 8 + ["post"] * 5,
    ...     "age": [20, 30, 40, 50, 60, 70, 80, 25, 20, 30, 40, 60, 80],
    ... })
    >>> w = response_weights(df, "age")
    >>> w[["respondent_id", "completed"]].head(3)
       respondent_id  completed
    0              0       True
    1              1       True
    2              2       True
    >>> bool((w.loc[w["completed"], "weight"] > 1).all())
    True
    """
    preds = as_list(predictors)
    require_columns(df, [id, wave, *preds], what="responses table")
    base, completed = _completion(df, id=id, wave=wave, pre=pre, post=post)
    base = base.loc[base[preds].notna().all(axis=1)]
    y = completed.loc[base.index].astype(float)
    if y.nunique() < 2:
        state = "everybody answered" if y.all() else "nobody answered"
        raise AnalysisInputError(
            f"{state} wave {post!r}; response weights need both completers and drop-outs"
        )
    x = sm.add_constant(_design(base, preds), has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            fit = sm.GLM(y.to_numpy(), x.to_numpy(), family=sm.families.Binomial()).fit()
        except Exception as exc:  # perfect separation, singular design
            raise AnalysisInputError(
                f"the response model could not be fitted ({exc}); use fewer or coarser predictors"
            ) from exc
    p = np.asarray(fit.fittedvalues, dtype=float)
    out = pd.DataFrame(
        {
            id: base.index.to_numpy(),
            "completed": y.to_numpy() == 1,
            "p_response": p,
        }
    )
    out["weight"] = np.where(out["completed"], 1 / out["p_response"], 0.0)
    return out


# ----------------------------------------------------------------------------------------
# difference-in-differences
# ----------------------------------------------------------------------------------------


def _cluster_fit(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> Any:
    codes = pd.factorize(pd.Series(groups))[0]
    return sm.OLS(y, x).fit(
        cov_type="cluster",
        cov_kwds={"groups": codes, "use_correction": True, "df_correction": True},
    )


def did(
    df: pd.DataFrame,
    outcome: str,
    *,
    id: str = "respondent_id",
    wave: str = "wave",
    group: str = "group",
    treated: str = "participant",
    control: str = "control",
    pre: str = "pre",
    post: str = "post",
    cluster: str | None = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Difference-in-differences of ``outcome`` between a treated and a control group.

    Parameters
    ----------
    df : DataFrame
        Canonical responses table (long form), scored.
    outcome : str
        Outcome column.
    id, wave, group : str
        Respondent, wave and group columns.
    treated, control : str
        Values of ``group`` for participants and the comparison group.
    pre, post : str
        The two waves.
    cluster : str, optional
        Cluster column for the robust SEs; the respondent ``id`` by default.
    confidence_level : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        Three rows, ``model`` in ``pooled_ols`` (term ``treated:post`` of ``y ~ treated * post``),
        ``individual_fe`` (term ``treated:post`` with respondent fixed effects) and
        ``baseline_difference`` (term ``treated`` of the pooled model: treated minus control at
        ``pre``), with columns ``model``, ``term``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``confidence_level``, ``t``, ``df``, ``p``, ``n_obs``, ``n_clusters``,
        ``method``.

    Raises
    ------
    AnalysisInputError
        If a column or wave is missing, a group has no ``pre`` or ``post`` observations (in
        particular a control group without a baseline), or ids repeat within a wave.

    Notes
    -----
    Pooled OLS of ``y = b0 + b1 treated + b2 post + b3 treated x post`` on every available
    observation, with cluster-robust (CR1) covariance
    ``G / (G - 1) (N - 1) / (N - K) (X'X)^-1 sum_g X_g' e_g e_g' X_g (X'X)^-1`` (statsmodels;
    identical to R ``sandwich::vcovCL(type = "HC1")``, its default). Tests and intervals use
    the t distribution with ``G - 1`` degrees of freedom (G clusters), as Stata does and as
    ``lmtest::coeftest(..., df = G - 1)`` in R.

    The fixed-effects model uses respondents observed at both waves: ``y``, ``post`` and
    ``treated x post`` are demeaned within respondent and regressed without intercept; the
    absorbed respondent means are not counted in ``K`` because they are nested in the clusters
    (the Stata ``xtreg, fe`` / ``fixest`` convention), so ``K = 2``. The estimate equals that of
    R ``lm(y ~ post + treated:post + factor(id))``. With two waves it equals the difference of
    mean changes of the two groups. When ``cluster`` is not nested in the respondents the same
    formula is used.

    Validated against R ``lm`` + ``sandwich::vcovCL`` + ``lmtest::coeftest`` to 1e-6.

    References
    ----------
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    Journal of Human Resources, 50(2), 317-372.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.change import did
    >>> df = pd.DataFrame({
    ...     "respondent_id": [1, 2, 3, 4, 5, 6] * 2,
    ...     "wave": ["pre"] * 6 + ["post"] * 6,
    ...     "group": ["participant"] * 3 + ["control"] * 3 + ["participant"] * 3 + ["control"] * 3,
    ...     "efficacy": [3.0, 2.5, 3.5, 3.0, 2.0, 3.5, 4.0, 3.5, 4.0, 3.5, 2.0, 3.5],
    ... })
    >>> r = did(df, "efficacy")
    >>> r[["model", "term", "estimate", "n_obs", "n_clusters"]].round(3)
                     model          term  estimate  n_obs  n_clusters
    0           pooled_ols  treated:post     0.667     12           6
    1        individual_fe  treated:post     0.667     12           6
    2  baseline_difference       treated     0.167      6           6
    """
    level = check_confidence_level(confidence_level)
    cl = cluster or id
    require_columns(df, list(dict.fromkeys([id, wave, group, outcome, cl])), what="responses table")
    _check_waves(df, wave, [pre, post])
    sub = df.loc[df[wave].isin([pre, post]) & df[group].isin([treated, control])]
    _check_unique(sub, id, wave)
    y = _numeric(sub[outcome], outcome)
    sub = sub.assign(__y=y).loc[y.notna()]
    for g in (treated, control):
        for wv in (pre, post):
            if not ((sub[group] == g) & (sub[wave] == wv)).any():
                what = "baseline" if wv == pre else "follow-up"
                raise AnalysisInputError(
                    f"group {g!r} has no {what} observations of {outcome!r} (no rows with "
                    f"{group!r} == {g!r} and {wave!r} == {wv!r}); a difference-in-differences "
                    f"needs {treated!r} and {control!r} at both {pre!r} and {post!r}"
                )
    if sub[cl].isna().any():
        raise AnalysisInputError(f"cluster column {cl!r} has missing values")
    tr = (sub[group] == treated).to_numpy(dtype=float)
    po = (sub[wave] == post).to_numpy(dtype=float)
    yv = sub["__y"].to_numpy(dtype=float)
    x = np.column_stack([np.ones_like(yv), tr, po, tr * po])
    g_pooled = int(sub[cl].nunique())
    if len(yv) <= x.shape[1] or g_pooled < 2:
        raise AnalysisInputError(
            f"{len(yv)} observations in {g_pooled} cluster(s) of {outcome!r}; the pooled "
            "difference-in-differences model has 4 coefficients and needs more observations "
            "than that, in at least 2 clusters"
        )
    fit = _cluster_fit(yv, x, sub[cl].to_numpy())

    rows = []

    def add(model: str, term: str, est: float, se: float, n_obs: int, g: int, method: str) -> None:
        dof = float(g - 1)
        q = _t_quantile(level, dof)
        t = est / se if se > 0 else math.nan
        rows.append(
            {
                "model": model,
                "term": term,
                "estimate": est,
                "se": se,
                "ci_low": est - q * se,
                "ci_high": est + q * se,
                "confidence_level": level,
                "t": t,
                "df": dof,
                "p": float(2 * stats.t.sf(abs(t), dof)) if math.isfinite(t) else math.nan,
                "n_obs": n_obs,
                "n_clusters": g,
                "method": method,
            }
        )

    crv = f"cluster-robust SE (CR1, clusters: {cl}), t with G - 1 df"
    add(
        "pooled_ols",
        "treated:post",
        float(fit.params[3]),
        float(fit.bse[3]),
        len(yv),
        g_pooled,
        f"OLS y ~ treated * post; {crv}",
    )

    both = sub.groupby(id)[wave].transform("nunique") == 2
    panel = sub.loc[both]
    if panel.empty:
        raise AnalysisInputError(
            f"no respondent has {outcome!r} at both {pre!r} and {post!r}; the fixed-effects "
            "model needs panel respondents"
        )
    if panel[group].nunique() < 2 or panel.groupby(id)[group].nunique().max() > 1:
        raise AnalysisInputError(
            f"the fixed-effects model needs panel respondents in both {treated!r} and "
            f"{control!r}, each in one group at both waves"
        )
    ptr = (panel[group] == treated).to_numpy(dtype=float)
    ppo = (panel[wave] == post).to_numpy(dtype=float)
    pfr = pd.DataFrame(
        {"y": panel["__y"].to_numpy(), "po": ppo, "tp": ptr * ppo, "id": panel[id].to_numpy()}
    )
    dm = pfr[["y", "po", "tp"]] - pfr.groupby("id")[["y", "po", "tp"]].transform("mean")
    if len(pfr) <= 2 or panel[cl].nunique() < 2:
        raise AnalysisInputError(
            f"{len(pfr)} panel observations of {outcome!r}; the fixed-effects model needs more "
            "than 2, in at least 2 clusters"
        )
    fe = _cluster_fit(dm["y"].to_numpy(), dm[["tp", "po"]].to_numpy(), panel[cl].to_numpy())
    g_fe = int(panel[cl].nunique())
    add(
        "individual_fe",
        "treated:post",
        float(fe.params[0]),
        float(fe.bse[0]),
        len(pfr),
        g_fe,
        f"within (respondent fixed effects) y ~ post + treated:post; {crv}",
    )
    n_pre = int((po == 0).sum())
    add(
        "baseline_difference",
        "treated",
        float(fit.params[1]),
        float(fit.bse[1]),
        n_pre,
        g_pooled,
        f"treated - control at {pre!r} from the pooled OLS; {crv}",
    )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------
# selection check
# ----------------------------------------------------------------------------------------


def selection_check(
    df: pd.DataFrame,
    variable: str,
    *,
    weight: str | None = None,
    level: Any = None,
    benchmark_value: float | None = None,
    benchmark_se: float | None = None,
    benchmark_source: str | None = None,
    benchmark_year: int | None = None,
    benchmark_df: pd.DataFrame | None = None,
    benchmark_variable: str | None = None,
    benchmark_weight: str | None = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Compare a sample's mean (or share) with a population benchmark.

    Typically ``df`` holds the participants' baseline rows (filter on ``wave == "pre"`` and
    ``group == "participant"`` first) and the benchmark is a published survey estimate or a
    weighted population survey sample.

    Parameters
    ----------
    df : DataFrame
        The sample, one row per respondent.
    variable : str
        Column compared. Numeric columns are compared by their mean; with ``level`` the share
        of rows whose value is ``level`` (or in ``level`` when it is a list) is compared.
    weight : str, optional
        Weight column of the sample.
    level : scalar or list, optional
        Value(s) counted for a share, e.g. ``"isced_5_8"`` or ``[4, 5]``.
    benchmark_value : float, optional
        Published benchmark estimate (mean or share on the same scale).
    benchmark_se : float, optional
        Its standard error, if published; added to the sample's variance.
    benchmark_source, benchmark_year : optional
        Where the benchmark comes from (e.g. ``"ESS round 10"``, ``2021``); copied to the output.
    benchmark_df : DataFrame, optional
        A benchmark sample instead of ``benchmark_value``.
    benchmark_variable : str, optional
        Column of ``benchmark_df`` (``variable`` by default).
    benchmark_weight : str, optional
        Weight column of ``benchmark_df``.
    confidence_level : float
        Coverage of the interval.

    Returns
    -------
    DataFrame
        One row with columns ``variable``, ``level``, ``estimate_sample``,
        ``estimate_benchmark``, ``difference`` (sample - benchmark), ``se``, ``ci_low``,
        ``ci_high``, ``confidence_level``, ``statistic``, ``df``, ``p``, ``n``,
        ``n_benchmark``, ``benchmark_source``, ``benchmark_year`` and ``method``.

    Raises
    ------
    AnalysisInputError
        If neither or both benchmarks are given, a column is missing, or fewer than two
        values are available.

    Notes
    -----
    Unweighted sample against a value: one-sample t-test (R ``t.test(x, mu = value)``).
    Unweighted sample against an unweighted benchmark sample: Welch's t-test (R ``t.test(x,
    y)``). When either side is weighted, each weighted mean gets its linearised SE
    (``survey::svymean`` with ``svydesign(ids = ~1, weights = ~w)``), the SEs are combined as
    independent samples, and a normal reference distribution is used. A ``benchmark_se`` is
    likewise added in quadrature with a normal reference distribution.

    Validated against R ``t.test`` (one-sample and Welch) to 1e-6; the weighted SE is the
    ``survey::svymean`` formula checked in :func:`prepost`.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika*, 34(1-2), 28-35.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.change import selection_check
    >>> sample = pd.DataFrame({"trust": [6, 7, 5, 8, 6, 7, 5, 6]})
    >>> r = selection_check(sample, "trust", benchmark_value=5.2,
    ...                     benchmark_source="ESS round 10", benchmark_year=2021)
    >>> r[["estimate_sample", "estimate_benchmark", "difference", "n"]].round(3)
       estimate_sample  estimate_benchmark  difference  n
    0             6.25                 5.2        1.05  8
    """
    lev = check_confidence_level(confidence_level)
    if (benchmark_value is None) == (benchmark_df is None):
        raise AnalysisInputError(
            "give exactly one benchmark: benchmark_value (a published estimate) or "
            "benchmark_df (a benchmark sample)"
        )
    require_columns(df, [variable, *([weight] if weight else [])], what="sample")

    def values(
        frame: pd.DataFrame, col: str, wcol: str | None, what: str
    ) -> tuple[np.ndarray, np.ndarray | None]:
        s = frame[col]
        if level is not None:
            ok = s.notna()
            levels = level if isinstance(level, list | tuple | set) else [level]
            x = s.isin(levels).astype(float)[ok]
        else:
            x = _numeric(s, col).dropna()
        w = None
        if wcol is not None:
            ww = _numeric(frame[wcol], wcol).loc[x.index]
            keep = ww.notna() & (ww > 0)
            x, w = x[keep], ww[keep].to_numpy()
        if len(x) < 2:
            raise AnalysisInputError(f"{what} has fewer than two values of {col!r}")
        return x.to_numpy(dtype=float), w

    x, w = values(df, variable, weight, "sample")
    n = x.size
    if w is None:
        est, se = float(x.mean()), float(x.std(ddof=1) / math.sqrt(n))
    else:
        est, se = _weighted_mean_se(x, w)
    n_b: float = math.nan
    if benchmark_df is not None:
        bvar = benchmark_variable or variable
        require_columns(
            benchmark_df,
            [bvar, *([benchmark_weight] if benchmark_weight else [])],
            what="benchmark_df",
        )
        xb, wb = values(benchmark_df, bvar, benchmark_weight, "benchmark_df")
        n_b = float(xb.size)
        if wb is None:
            est_b, se_b = float(xb.mean()), float(xb.std(ddof=1) / math.sqrt(xb.size))
        else:
            est_b, se_b = _weighted_mean_se(xb, wb)
        se_d = math.sqrt(se**2 + se_b**2)
        if w is None and wb is None:
            denom = se**4 / (n - 1) + se_b**4 / (xb.size - 1)
            # Welch-Satterthwaite df; both samples constant: no variance, no test (R errors)
            dof = se_d**4 / denom if denom > 0 else math.nan
            method = "Welch two-sample t-test against a benchmark sample"
        else:
            dof = math.inf
            method = "weighted means with linearised SEs, normal approximation"
    else:
        est_b = float(benchmark_value)  # type: ignore[arg-type]
        if benchmark_se is not None:
            se_d = math.sqrt(se**2 + float(benchmark_se) ** 2)
            dof = math.inf
            method = "difference from a published value with its SE, normal approximation"
        else:
            se_d = se
            dof = math.inf if w is not None else float(n - 1)
            method = (
                "one-sample t-test against a published value"
                if w is None
                else "weighted mean with linearised SE against a published value, normal approximation"
            )
    diff = est - est_b
    if se_d == 0:  # constant values: zero-width interval, no test
        q = 0.0
    elif math.isinf(dof):
        q = float(stats.norm.ppf(0.5 + lev / 2))
    else:
        q = _t_quantile(lev, dof)
    stat = diff / se_d if se_d > 0 else math.nan
    if math.isnan(stat):
        p = math.nan
    elif math.isinf(dof):
        p = float(2 * stats.norm.sf(abs(stat)))
    else:
        p = float(2 * stats.t.sf(abs(stat), dof))
    out = pd.DataFrame(
        [
            {
                "variable": variable,
                "level": None if level is None else str(level),
                "estimate_sample": est,
                "estimate_benchmark": est_b,
                "difference": diff,
                "se": se_d,
                "ci_low": diff - q * se_d,
                "ci_high": diff + q * se_d,
                "confidence_level": lev,
                "statistic": stat,
                "df": float(dof),
                "p": p,
                "n": int(n),
                "n_benchmark": n_b,
                "benchmark_source": benchmark_source,
                "benchmark_year": benchmark_year,
                "method": method,
            }
        ]
    )
    out["level"] = out["level"].astype("string")
    out["benchmark_source"] = out["benchmark_source"].astype("string")
    out["benchmark_year"] = out["benchmark_year"].astype("Int64")
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
    outcome, wave, group : str
        Outcome, wave and group columns.
    waves : sequence of str
        Waves in display order.
    confidence_level : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        Columns ``group``, ``wave``, ``outcome``, ``n``, ``estimate`` (mean), ``ci_low``,
        ``ci_high``, ``confidence_level``, ``method``; waves in the order given.

    Notes
    -----
    Per group and wave, with the ``n`` non-missing values: mean ``m``, interval
    ``m -/+ t_{n-1, 1 - (1 - level) / 2} s / sqrt(n)`` (``s`` the n - 1 standard deviation), as R
    ``t.test(x)$conf.int``; NaN limits for ``n < 2``. Rows with a missing ``group`` are left
    out. Descriptive input of :func:`deliberval.plots.change.plot_did`; the inference on the
    change is :func:`did`.

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika*, 6(1), 1-25.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.change import group_means
    >>> df = pd.DataFrame({"wave": ["pre", "pre", "post", "post"], "group": ["a"] * 4,
    ...                    "y": [1.0, 3.0, 4.0, 6.0]})
    >>> group_means(df, "y")[["group", "wave", "n", "estimate"]]
      group  wave  n  estimate
    0     a   pre  2       2.0
    1     a  post  2       5.0
    """
    lev = check_confidence_level(confidence_level)
    require_columns(df, [wave, group, outcome], what="responses table")
    _check_waves(df, wave, list(waves))
    y = _numeric(df[outcome], outcome)
    rows = []
    for g, part in df.assign(__y=y).groupby(group, sort=True):
        for wv in waves:
            x = part.loc[part[wave] == wv, "__y"].dropna().to_numpy()
            n = x.size
            m = float(x.mean()) if n else math.nan
            h = _t_quantile(lev, n - 1) * x.std(ddof=1) / math.sqrt(n) if n > 1 else math.nan
            rows.append(
                {
                    "group": str(g),
                    "wave": wv,
                    "outcome": outcome,
                    "n": n,
                    "estimate": m,
                    "ci_low": m - h,
                    "ci_high": m + h,
                    "confidence_level": lev,
                    "method": "mean with t interval",
                }
            )
    return pd.DataFrame(rows)


def likert_shares(
    df: pd.DataFrame,
    items: str | Sequence[str],
    *,
    wave: str = "wave",
    levels: Sequence[Any] = (1, 2, 3, 4, 5),
    waves: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Share of each response level per item and wave (input of the diverging bar plot).

    Parameters
    ----------
    df : DataFrame
        Canonical responses table, missing codes already recoded to NaN.
    items : str or sequence of str
        Likert item columns.
    wave : str
        Wave column.
    levels : sequence
        Response codes in scale order (first = most negative).
    waves : sequence of str, optional
        Waves to keep, in order (all, sorted, by default).

    Returns
    -------
    DataFrame
        Columns ``item``, ``wave``, ``level``, ``n`` (answers of the item in the wave),
        ``count`` and ``share``; values outside ``levels`` are not counted.

    Notes
    -----
    ``share = count / n`` with ``n`` the answers of the item in the wave that are one of
    ``levels`` (missing values and codes outside ``levels`` are in neither). Descriptive input of
    the diverging bar chart (Heiberger & Robbins 2014); no inference.

    References
    ----------
    Heiberger, R. M., & Robbins, N. B. (2014). Design of diverging stacked bar charts for
    Likert scales and other applications. *Journal of Statistical Software*, 57(5), 1-32.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.change import likert_shares
    >>> df = pd.DataFrame({"wave": ["pre", "pre", "post", "post"], "q": [1, 2, 2, 2]})
    >>> likert_shares(df, "q", levels=[1, 2], waves=["pre", "post"])
      item  wave  level  n  count  share
    0    q   pre      1  2      1    0.5
    1    q   pre      2  2      1    0.5
    2    q  post      1  2      0    0.0
    3    q  post      2  2      2    1.0
    """
    its = as_list(items)
    require_columns(df, [wave, *its], what="responses table")
    wv_list = list(waves) if waves is not None else sorted(df[wave].dropna().unique())
    rows = []
    for it in its:
        for wv in wv_list:
            x = df.loc[df[wave] == wv, it]
            x = x[x.isin(list(levels))]
            n = int(x.size)
            for lv in levels:
                c = int((x == lv).sum())
                rows.append(
                    {
                        "item": it,
                        "wave": wv,
                        "level": lv,
                        "n": n,
                        "count": c,
                        "share": c / n if n else math.nan,
                    }
                )
    return pd.DataFrame(rows)
