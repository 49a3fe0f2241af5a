"""Small checks and helpers shared by every analysis."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from deliberval.errors import AnalysisInputError

__all__ = [
    "as_list",
    "benjamini_hochberg",
    "check_confidence_level",
    "check_unique",
    "check_waves",
    "holm",
    "normal_quantile",
    "numeric_column",
    "require_columns",
    "rng",
    "t_quantile",
    "weighted_mean_se",
    "wilcoxon_signed_rank",
    "wilson_interval",
    "wilson_intervals",
]


def as_list(value: str | Iterable[str] | None) -> list[str]:
    """One column name or several as a list: None -> [], "a" -> ["a"], ("a", "b") -> ["a", "b"]."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, what: str = "data") -> None:
    """Raise :class:`AnalysisInputError` naming every column of ``columns`` missing from ``df``."""
    if not isinstance(df, pd.DataFrame):
        raise AnalysisInputError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        shown = ", ".join(map(repr, list(df.columns)[:20]))
        raise AnalysisInputError(
            f"{what} has no column(s) {', '.join(map(repr, missing))}; columns present: {shown}"
        )


def check_confidence_level(confidence_level: float) -> float:
    """Return ``confidence_level`` if it lies strictly between 0 and 1, else raise."""
    if not 0 < float(confidence_level) < 1:
        raise AnalysisInputError(
            f"confidence_level must lie strictly between 0 and 1 (e.g. 0.95), got {confidence_level!r}"
        )
    return float(confidence_level)


def normal_quantile(confidence_level: float) -> float:
    """Two-sided standard normal critical value, e.g. 1.959964 for 0.95."""
    return float(stats.norm.ppf(0.5 + check_confidence_level(confidence_level) / 2))


def rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A numpy Generator from a seed (int), an existing Generator, or fresh entropy (None)."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def wilson_interval(count: float, n: int, confidence_level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (statsmodels), ``(nan, nan)`` when ``n == 0``.

    Parameters
    ----------
    count : float
        Number of successes (may be a weighted count).
    n : int
        Number of trials.
    confidence_level : float, default 0.95
        Coverage of the interval.

    Returns
    -------
    tuple of (float, float)
        Lower and upper limit (a pair, not a table: the building block of the tidy tables of
        :func:`deliberval.analysis.uptake.uptake`).

    Notes
    -----
    :math:`\\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}`,
    computed by :func:`statsmodels.stats.proportion.proportion_confint` (``method="wilson"``).
    Validated against R ``prop.test(count, n, correct = FALSE)$conf.int``.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA*, 22(158), 209-212.

    Examples
    --------
    >>> from deliberval.analysis._common import wilson_interval
    >>> [round(x, 6) for x in wilson_interval(7, 20)]
    [0.181192, 0.567146]
    """
    level = check_confidence_level(confidence_level)
    if n == 0:
        return (math.nan, math.nan)
    low, high = proportion_confint(count, n, alpha=1 - level, method="wilson")
    return (float(low), float(high))


def wilson_intervals(
    count: np.ndarray, n: np.ndarray, confidence_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`wilson_interval` of many proportions at once: arrays of lower and upper limits.

    ``count`` and ``n`` are arrays of the same shape; limits are NaN where ``n == 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from deliberval.analysis._common import wilson_intervals
    >>> low, high = wilson_intervals(np.array([7, 0]), np.array([20, 0]))
    >>> [round(float(x), 6) for x in low], [round(float(x), 6) for x in high]
    ([0.181192, nan], [0.567146, nan])
    """
    level = check_confidence_level(confidence_level)
    c = np.asarray(count, dtype=float)
    m = np.asarray(n, dtype=float)
    low = np.full(c.shape, np.nan)
    high = np.full(c.shape, np.nan)
    ok = m > 0
    if ok.any():
        lo, hi = proportion_confint(c[ok], m[ok], alpha=1 - level, method="wilson")
        low[ok], high[ok] = lo, hi
    return (low, high)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values, as R ``p.adjust(p, "holm")`` (no NaN in ``p``).

    ``p_holm_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))`` over the ordered p-values. Written
    here because ``statsmodels.stats.multitest.multipletests(method="holm")`` forces a full
    garbage collection on every call, which takes seconds in a large session.
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adj
    return out


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values, as R ``p.adjust(p, "BH")`` (no NaN in ``p``).

    ``p_bh_(i) = min_{j >= i} min(1, m p_(j) / j)`` over the ordered p-values, computed as
    ``statsmodels.stats.multitest.multipletests(p, method="fdr_bh")`` does (``p_(j) / (j / m)``,
    a reversed running minimum, values above 1 set to 1), so the results are bit-identical to
    it; written here so that :mod:`deliberval.analysis.change` does not import statsmodels'
    multitest module (and through it the knockoff and quasi-random sampling code) for one
    line. Tied p-values get the same adjusted value whatever their order.
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    order = np.argsort(p)
    adj = np.minimum.accumulate((p[order] / (np.arange(1, m + 1) / float(m)))[::-1])[::-1]
    adj[adj > 1] = 1
    out = np.empty(m)
    out[order] = adj
    return out


def wilcoxon_signed_rank(
    diff: np.ndarray, *, alternative: Literal["two-sided", "greater"] = "two-sided"
) -> tuple[float, float, bool]:
    """Wilcoxon signed-rank test of paired differences with R's ``wilcox.test`` rules.

    Returns ``(V, p, exact)``: V is the sum of the ranks of the positive differences. Zeros
    are dropped before ranking; the exact null distribution (from scipy) is used when fewer
    than 50 non-zero differences remain and there are neither ties nor zeros, otherwise the
    normal approximation with tie-corrected variance
    ``n (n + 1) (2n + 1) / 24 - sum(t^3 - t) / 48`` and a continuity correction of 0.5
    (``sign(z) 0.5`` two-sided). scipy's ``method="auto"`` draws the exact/approximate line
    elsewhere, hence this helper. As in R, no non-zero difference gives ``p`` NaN two-sided
    and 1 one-sided. ``diff`` must hold no NaN.
    """
    d = np.asarray(diff, dtype=float)
    zeros = bool((d == 0).any())
    d = d[d != 0]
    n = d.size
    ranks = stats.rankdata(np.abs(d))
    v = float(ranks[d > 0].sum())
    _, counts = np.unique(ranks, return_counts=True)
    ties = bool((counts > 1).any())
    if 0 < n < 50 and not ties and not zeros:
        p = float(stats.wilcoxon(d, alternative=alternative, method="exact").pvalue)
        return (v, min(1.0, p), True)
    z = v - n * (n + 1) / 4
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - float((counts**3 - counts).sum()) / 48)
    correction = math.copysign(0.5, z) * (z != 0) if alternative == "two-sided" else 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        zc = float(np.float64(z - correction) / np.float64(sigma))
    if alternative == "two-sided":
        p = 2 * min(float(stats.norm.cdf(zc)), float(stats.norm.sf(zc)))
    else:
        p = float(stats.norm.sf(zc))
    return (v, min(1.0, p), False)


def numeric_column(series: pd.Series, name: str) -> pd.Series:
    """``series`` as float64, raising :class:`AnalysisInputError` when it holds text."""
    out = pd.to_numeric(series, errors="coerce")
    bad = series.notna() & out.isna()
    if bad.any():
        examples = ", ".join(map(repr, series[bad].unique()[:3]))
        raise AnalysisInputError(
            f"column {name!r} must be numeric (scored data); found non-numeric value(s) {examples}"
        )
    return out.astype("float64")


def check_waves(df: pd.DataFrame, wave: str, needed: Iterable[str]) -> None:
    """Raise :class:`AnalysisInputError` unless column ``wave`` has rows for every wave of ``needed``."""
    present = set(df[wave].dropna().unique())
    missing = [w for w in needed if w not in present]
    if missing:
        found = ", ".join(sorted(map(repr, map(str, present)))) or "none"
        raise AnalysisInputError(
            f"column {wave!r} has no rows for wave(s) {', '.join(map(repr, missing))}; "
            f"waves found: {found}. A change analysis needs both waves."
        )


def check_unique(df: pd.DataFrame, respondent: str, wave: str) -> None:
    """Raise :class:`AnalysisInputError` if a (respondent, wave) pair has more than one row."""
    dup = df.duplicated([respondent, wave], keep=False)
    if dup.any():
        first = df.loc[dup, [respondent, wave]].iloc[0]
        raise AnalysisInputError(
            f"{int(dup.sum())} rows share a ({respondent!r}, {wave!r}) pair, e.g. "
            f"({first[respondent]!r}, {first[wave]!r}); expected one row per respondent and wave"
        )


def t_quantile(confidence_level: float, df: float) -> float:
    """Two-sided Student t critical value on ``df`` degrees of freedom, e.g. 2.262 for 0.95, 9."""
    return float(stats.t.ppf(0.5 + confidence_level / 2, df))


def weighted_mean_se(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted mean and its linearised (Taylor) standard error, as ``survey::svymean``.

    With a design of independent units and weights only, the ratio-mean estimator
    ``sum(w x) / sum(w)`` has variance ``n / (n - 1) * sum(w_i^2 (x_i - m)^2) / (sum w)^2``;
    the SE is NaN for fewer than two units.
    """
    n = x.size
    total = w.sum()
    m = float((w * x).sum() / total)
    if n < 2:
        return (m, math.nan)
    z = w * (x - m) / total
    return (m, float(math.sqrt(n / (n - 1) * (z**2).sum())))


def select_population(targets: pd.DataFrame, population_id: str | None) -> pd.DataFrame:
    """The rows of a targets table for one population (``population_id`` column, when present).

    A table of several populations needs ``population_id``; a ``population_id`` without the
    column, or one the table does not hold, is an error naming what was found.
    """
    if "population_id" in targets.columns:
        ids = list(dict.fromkeys(targets["population_id"].dropna().astype(str)))
        if population_id is not None:
            if population_id not in ids:
                raise AnalysisInputError(f"targets have no population_id {population_id!r}; found {ids}")
            return targets.loc[targets["population_id"].astype(str) == population_id]
        if len(ids) > 1:
            raise AnalysisInputError(
                f"targets hold several populations {ids}; choose one with population_id="
            )
    elif population_id is not None:
        raise AnalysisInputError("population_id given but targets have no population_id column")
    return targets
