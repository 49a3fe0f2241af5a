"""Was the panel like the population? Composition against targets, with honest uncertainty.

:func:`representativeness` compares a panel's composition with population targets (the
canonical targets table ``population_id, dimension, category, share, source, year``).
Shares and differences are proportions (0-1) throughout; percentage points are the report's
formatting. The selection funnel and the R-indicator are in :mod:`deliberval.analysis.funnel`;
comparisons of attitudes with a population benchmark and the margins of error of small panels
are in :mod:`deliberval.analysis.benchmarks`.

The goodness-of-fit statistics are written here (a few lines on top of scipy) because no
maintained Python library offers the exact multinomial test with R's ``EMT`` / ``XNomial``
p-value definition; chi-square and G agree with R ``chisq.test`` and the G statistic.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.stats.proportion import proportion_confint

from deliberval.analysis._common import check_confidence_level, require_columns, select_population
from deliberval.analysis._common import rng as make_rng
from deliberval.errors import AnalysisInputError, DelibervalWarning

__all__ = [
    "RepresentativenessResult",
    "TargetsWarning",
    "exact_multinomial_test",
    "representativeness",
]


class TargetsWarning(DelibervalWarning):
    """Population targets were usable but not clean (rescaled shares, empty categories)."""


@dataclass(frozen=True)
class RepresentativenessResult:
    """Result of :func:`representativeness`; every attribute is a tidy DataFrame.

    Attributes
    ----------
    categories : pandas.DataFrame
        One row per dimension x category: ``dimension, category, count`` (members in the
        category), ``share`` (count / n), ``target_share``, ``estimate`` (share - target
        share), ``ci_low, ci_high`` (its interval), ``ratio`` (share / target share),
        ``confidence_level, n, method``. Shares and differences are proportions (0-1); the
        interval is the interval of the share (Wilson or Clopper-Pearson at the panel's size)
        minus the target.
    dimensions : pandas.DataFrame
        One row per dimension: ``dimension, n, n_missing, n_categories, duncan, chisq,
        chisq_df, chisq_p_value, g, g_p_value, exact_p_value, exact_method, min_expected,
        method``.
    overall : pandas.DataFrame
        ``statistic, estimate, method``: ``n``, ``mean_absolute_deviation``,
        ``max_absolute_difference`` (proportions, 0-1), ``mean_duncan`` and, with
        intersection targets, ``intersectional_mse``.
    intersections : pandas.DataFrame
        With intersection targets: ``dimension_1, category_1, dimension_2, category_2,
        count, share, target_share, estimate, method`` (share - target share, 0-1; empty
        otherwise).
    quotas : pandas.DataFrame
        With quotas: ``dimension, category, count, min, max, within`` (``count`` = members
        in the category; empty otherwise).
    """

    categories: pd.DataFrame
    dimensions: pd.DataFrame
    overall: pd.DataFrame
    intersections: pd.DataFrame
    quotas: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by its attribute name, for writers (CSV, XLSX sheets).

        Returns
        -------
        dict of str to pandas.DataFrame
            ``categories``, ``dimensions``, ``overall``, ``intersections``, ``quotas``.
        """
        return {f.name: getattr(self, f.name) for f in fields(self)}


# ---------------------------------------------------------------------------------------------
# targets


def _prepare_targets(
    targets: pd.DataFrame,
    *,
    population_id: str | None,
    dimensions: Sequence[str] | None,
    tolerance: float,
) -> dict[str, tuple[list[str], np.ndarray]]:
    require_columns(targets, ["dimension", "category", "share"], what="targets")
    t = select_population(targets, population_id).copy()
    t["share"] = pd.to_numeric(t["share"], errors="coerce")
    if t["share"].isna().any() or (t["share"] < 0).any() or (t["share"] > 1).any():
        raise AnalysisInputError("target shares must be numbers between 0 and 1")
    t["dimension"] = t["dimension"].astype(str)
    t["category"] = t["category"].astype(str)
    dup = t.duplicated(["dimension", "category"])
    if dup.any():
        first = t.loc[dup].iloc[0]
        raise AnalysisInputError(
            f"targets list category {first['category']!r} of {first['dimension']!r} twice"
        )
    available = [d for d in dict.fromkeys(t["dimension"]) if "*" not in d]
    chosen = list(available if dimensions is None else dimensions)
    unknown = [d for d in chosen if d not in available]
    if unknown:
        raise AnalysisInputError(f"targets have no dimension(s) {unknown}; found {available}")
    out: dict[str, tuple[list[str], np.ndarray]] = {}
    for dim in chosen:
        sub = t.loc[t["dimension"] == dim]
        shares = sub["share"].to_numpy(dtype=float)
        total = float(shares.sum())
        if abs(total - 1) > tolerance:
            raise AnalysisInputError(
                f"target shares of {dim!r} sum to {total:.6g}, not 1 (tolerance {tolerance:g}); "
                "fix the targets or add the missing categories"
            )
        if abs(total - 1) > 1e-9:
            warnings.warn(
                f"target shares of {dim!r} sum to {total:.6g}; they are divided by that sum "
                "(within the stated tolerance) so that tests compare like with like",
                TargetsWarning,
                stacklevel=3,
            )
            shares = shares / total
        out[dim] = (sub["category"].tolist(), shares)
    return out


def _intersections_in_targets(
    targets: pd.DataFrame, population_id: str | None
) -> pd.DataFrame | None:
    """Two-way rows of the canonical targets table (``demo_gender*demo_age_band``,
    ``woman*16_24``) in the layout of ``intersection_targets``; None when there are none."""
    t = targets
    if population_id is not None and "population_id" in t.columns:
        t = t.loc[t["population_id"].astype(str) == population_id]
    t = t.loc[t["dimension"].astype(str).str.contains("*", regex=False)]
    if t.empty:
        return None
    dims = t["dimension"].astype(str).str.split("*", regex=False)
    cats = t["category"].astype(str).str.split("*", regex=False)
    if (dims.str.len() != 2).any() or (cats.str.len() != 2).any():
        raise AnalysisInputError(
            "intersection targets must be two-way: dimension 'a*b' with categories 'x*y'"
        )
    return pd.DataFrame(
        {
            "dimension_1": dims.str[0].to_numpy(),
            "category_1": cats.str[0].to_numpy(),
            "dimension_2": dims.str[1].to_numpy(),
            "category_2": cats.str[1].to_numpy(),
            "share": t["share"].to_numpy(),
        }
    )


def _counts(
    values: pd.Series, dim: str, categories: list[str], shares: np.ndarray, *, warn: bool
) -> tuple[np.ndarray, int]:
    present = values.dropna().astype(str)
    unknown = sorted(set(present.unique()) - set(categories))  # the distinct codes, not every row
    if unknown:
        raise AnalysisInputError(
            f"members have {dim!r} categories {unknown} with no target; targets give "
            f"{categories}. Recode them or add targets"
        )
    counts = present.value_counts().reindex(categories, fill_value=0).to_numpy(dtype=np.int64)
    zero_target = [c for c, k, s in zip(categories, counts, shares, strict=True) if s == 0 and k]
    if zero_target:
        raise AnalysisInputError(
            f"members fall in {dim!r} categories {zero_target} whose target share is 0"
        )
    empty = [c for c, k, s in zip(categories, counts, shares, strict=True) if k == 0 and s > 0]
    if empty and warn:
        warnings.warn(
            f"no members in {dim!r} categories {empty} (target shares "
            f"{[round(float(s), 4) for c, s in zip(categories, shares, strict=True) if c in empty]})",
            TargetsWarning,
            stacklevel=3,
        )
    return counts, int(values.isna().sum())


# ---------------------------------------------------------------------------------------------
# goodness of fit


def _log_multinomial(x: np.ndarray, logp: np.ndarray, n: int) -> np.ndarray:
    terms = special.xlogy(x, np.exp(logp)) - special.gammaln(x + 1)
    return special.gammaln(n + 1) + terms.sum(axis=-1)


def _enumerate_log_probs(n: int, p: np.ndarray) -> np.ndarray:
    """Log-probabilities of every outcome of Multinomial(n, p), built part by part."""
    remaining = np.array([n], dtype=np.int64)
    acc = np.array([special.gammaln(n + 1)])
    for j in range(p.size - 1):
        sizes = remaining + 1
        starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
        xj = np.arange(int(sizes.sum())) - starts
        acc = np.repeat(acc, sizes) + special.xlogy(xj, p[j]) - special.gammaln(xj + 1)
        remaining = np.repeat(remaining, sizes) - xj
    return acc + special.xlogy(remaining, p[-1]) - special.gammaln(remaining + 1)


def _exact_multinomial(
    counts: np.ndarray,
    shares: np.ndarray,
    *,
    max_outcomes: int,
    n_resamples: int,
    seed: int | np.random.Generator | None,
) -> tuple[float, str]:
    """p-value and method of :func:`exact_multinomial_test` (inputs already checked)."""
    x, p = counts, shares
    if ((p == 0) & (x > 0)).any():
        return 0.0, "exact enumeration"
    keep = p > 0
    x, p = x[keep], p[keep]
    n = int(x.sum())
    if x.size < 2:
        return 1.0, "exact enumeration"
    log_obs = float(_log_multinomial(x, np.log(p), n))
    slack = math.log1p(1e-7)
    outcomes = math.comb(n + x.size - 1, x.size - 1)
    if outcomes <= max_outcomes:
        logs = _enumerate_log_probs(n, p)
        value = float(np.exp(logs[logs <= log_obs + slack]).sum())
        return min(value, 1.0), "exact enumeration"
    draws = make_rng(seed).multinomial(n, p, size=n_resamples)
    logs = _log_multinomial(draws, np.log(p), n)
    hits = int(np.sum(logs <= log_obs + slack))
    return (1 + hits) / (n_resamples + 1), f"monte carlo ({n_resamples} draws)"


def exact_multinomial_test(
    counts: Sequence[int] | np.ndarray,
    shares: Sequence[float] | np.ndarray,
    *,
    max_outcomes: int = 3_000_000,
    n_resamples: int = 100_000,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Exact multinomial goodness-of-fit test (probability ordering).

    Parameters
    ----------
    counts : sequence of int
        Observed counts per category.
    shares : sequence of float
        Hypothesised category probabilities (sum to 1; zero shares need zero counts).
    max_outcomes : int, default 3,000,000
        Enumerate every outcome when there are at most this many
        (:math:`\\binom{n + k - 1}{k - 1}`); otherwise Monte Carlo.
    n_resamples : int, default 100,000
        Monte Carlo draws when enumeration is too costly.
    seed : int or numpy.random.Generator, optional
        Seed of the Monte Carlo draws.

    Returns
    -------
    pandas.DataFrame
        One row: ``p_value``, ``n`` (the total count), ``n_categories``, ``method``
        (``"exact enumeration"`` or ``"monte carlo (B draws)"``).

    Notes
    -----
    The p-value is the total probability of all outcomes no more probable than the observed
    one, :math:`\\sum_{y: P(y) \\le P(x)} P(y)`, as in R ``EMT::multinomial.test`` and
    ``XNomial::xmulti`` (probabilities within a relative 1e-7 count as equal). The Monte Carlo
    version returns :math:`(1 + \\#\\{P(y_b) \\le P(x)\\}) / (B + 1)` like
    ``chisq.test(simulate.p.value = TRUE)``. Validated against a brute-force enumeration in R.

    References
    ----------
    Menzel, U. (2013). EMT: Exact Multinomial Test: Goodness-of-Fit Test for Discrete
    Multivariate Data. R package version 1.1.

    Examples
    --------
    >>> from deliberval.analysis.representativeness import exact_multinomial_test
    >>> exact_multinomial_test([4, 10, 16], [0.25, 0.40, 0.35]).round(6)
        p_value   n  n_categories             method
    0  0.106742  30             3  exact enumeration
    """
    x = np.asarray(counts, dtype=np.int64)
    p = np.asarray(shares, dtype=float)
    if x.shape != p.shape or x.ndim != 1 or x.size < 2:
        raise AnalysisInputError("counts and shares must be equal-length sequences of >= 2")
    if (x < 0).any() or not np.isclose(p.sum(), 1) or (p < 0).any():
        raise AnalysisInputError("counts must be >= 0 and shares must be >= 0 and sum to 1")
    if int(n_resamples) < 1:
        raise AnalysisInputError(f"n_resamples must be a positive number, got {n_resamples}")
    value, method = _exact_multinomial(
        x, p, max_outcomes=max_outcomes, n_resamples=int(n_resamples), seed=seed
    )
    return pd.DataFrame(
        {"p_value": [value], "n": [int(x.sum())], "n_categories": [int(x.size)], "method": [method]}
    )


_GOF_METHOD = (
    "Pearson chi-square and likelihood-ratio G (chi-square reference) and exact multinomial "
    "test of the counts against the target shares; Duncan's dissimilarity index"
)


def _gof(counts: np.ndarray, shares: np.ndarray, **exact_kw: Any) -> dict[str, object]:
    keep = shares > 0
    x, p = counts[keep], shares[keep]
    n = int(x.sum())
    k = int(x.size)
    if n == 0 or k < 2:
        nan = float("nan")
        return dict.fromkeys(
            ["chisq", "chisq_df", "chisq_p_value", "g", "g_p_value", "exact_p_value",
             "min_expected"], nan,
        ) | {"exact_method": "not applicable"}  # fmt: skip
    e = n * p
    chisq = float(np.sum((x - e) ** 2 / e))
    g = float(2 * np.sum(special.xlogy(x, x / e)))
    exact_p, method = _exact_multinomial(x, p, **exact_kw)
    return {
        "chisq": chisq,
        "chisq_df": k - 1,
        "chisq_p_value": float(stats.chi2.sf(chisq, k - 1)),
        "g": g,
        "g_p_value": float(stats.chi2.sf(g, k - 1)),
        "exact_p_value": exact_p,
        "exact_method": method,
        "min_expected": float(e.min()),
    }


# ---------------------------------------------------------------------------------------------
# representativeness


def _composition(
    members: pd.DataFrame,
    prepared: dict[str, tuple[list[str], np.ndarray]],
    *,
    level: float,
    ci_method: str,
    exact_kw: dict[str, Any],
    warn: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    method = {"wilson": "wilson", "exact": "beta"}[ci_method]
    cat_rows: list[pd.DataFrame] = []
    dim_rows: list[dict[str, object]] = []
    for dim, (cats, shares) in prepared.items():
        counts, n_missing = _counts(members[dim], dim, cats, shares, warn=warn)
        n = int(counts.sum())
        if n > 0:
            low, high = proportion_confint(counts, n, alpha=1 - level, method=method)
            panel = counts / n
        else:
            low = high = panel = np.full(len(cats), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(shares > 0, panel / shares, np.nan)
        cat_rows.append(
            pd.DataFrame(
                {
                    "dimension": dim,
                    "category": cats,
                    "count": counts,
                    "share": panel,
                    "target_share": shares,
                    "estimate": panel - shares,
                    "ci_low": np.asarray(low) - shares,
                    "ci_high": np.asarray(high) - shares,
                    "ratio": ratio,
                    "confidence_level": level,
                    "n": n,
                    "method": "wilson" if ci_method == "wilson" else "clopper-pearson",
                }
            )
        )
        duncan = float(0.5 * np.abs(panel - shares).sum()) if n else float("nan")
        dim_rows.append(
            {
                "dimension": dim,
                "n": n,
                "n_missing": n_missing,
                "n_categories": len(cats),
                "duncan": duncan,
                **_gof(counts, shares, **exact_kw),
                "method": _GOF_METHOD,
            }
        )
    categories = pd.concat(cat_rows, ignore_index=True)
    dim_cols = [
        "dimension", "n", "n_missing", "n_categories", "duncan", "chisq", "chisq_df",
        "chisq_p_value", "g", "g_p_value", "exact_p_value", "exact_method", "min_expected",
        "method",
    ]  # fmt: skip
    return categories, pd.DataFrame(dim_rows, columns=dim_cols)


_INTERSECTION_COLUMNS = [
    "dimension_1", "category_1", "dimension_2", "category_2", "count", "share", "target_share",
    "estimate", "method",
]  # fmt: skip
_QUOTA_COLUMNS = ["dimension", "category", "count", "min", "max", "within"]


def _intersections(
    members: pd.DataFrame, intersection_targets: pd.DataFrame, tolerance: float
) -> pd.DataFrame:
    cols = ["dimension_1", "category_1", "dimension_2", "category_2", "share"]
    require_columns(intersection_targets, cols, what="intersection_targets")
    t = intersection_targets[cols].copy()
    for c in ["dimension_1", "category_1", "dimension_2", "category_2"]:
        t[c] = t[c].astype(str)
    t["share"] = pd.to_numeric(t["share"], errors="coerce")
    if t["share"].isna().any() or (t["share"] < 0).any():
        raise AnalysisInputError("intersection target shares must be numbers between 0 and 1")
    out = []
    for (d1, d2), sub in t.groupby(["dimension_1", "dimension_2"], sort=False):
        require_columns(members, [d1, d2], what="members")
        total = float(sub["share"].sum())
        if abs(total - 1) > tolerance:
            raise AnalysisInputError(
                f"intersection target shares of {d1!r} x {d2!r} sum to {total:.6g}, not 1"
            )
        both = members[[d1, d2]].dropna().astype(str)
        cells = both.groupby([d1, d2]).size()
        known = set(zip(sub["category_1"], sub["category_2"], strict=True))
        unknown = [c for c in cells.index if c not in known]
        if unknown:
            raise AnalysisInputError(
                f"members fall in {d1!r} x {d2!r} cells {unknown[:5]} with no intersection target"
            )
        n = len(both)
        count = [
            int(cells.get((a, b), 0))
            for a, b in zip(sub["category_1"], sub["category_2"], strict=True)
        ]
        frame = sub.rename(columns={"share": "target_share"}).assign(count=count)
        if abs(total - 1) > 1e-9:
            warnings.warn(
                f"intersection target shares of {d1!r} x {d2!r} sum to {total:.6g}; they are "
                "divided by that sum (within the stated tolerance)",
                TargetsWarning,
                stacklevel=3,
            )
            frame["target_share"] = frame["target_share"] / total
        frame["share"] = frame["count"] / n if n else np.nan
        frame["estimate"] = frame["share"] - frame["target_share"]
        frame["method"] = "share of members in the intersection cell minus its target share"
        out.append(frame)
    return pd.concat(out, ignore_index=True)[_INTERSECTION_COLUMNS]


def _quotas(categories: pd.DataFrame, quotas: pd.DataFrame) -> pd.DataFrame:
    require_columns(quotas, ["dimension", "category", "min", "max"], what="quotas")
    q = quotas[["dimension", "category", "min", "max"]].copy()
    q["dimension"] = q["dimension"].astype(str)
    q["category"] = q["category"].astype(str)
    achieved = categories.set_index(["dimension", "category"])["count"]
    missing = [
        (d, c) for d, c in zip(q["dimension"], q["category"], strict=True) if (d, c) not in achieved
    ]
    if missing:
        raise AnalysisInputError(f"quotas name dimension/category pairs with no target: {missing}")
    q["count"] = [int(achieved[(d, c)]) for d, c in zip(q["dimension"], q["category"], strict=True)]
    q["within"] = (q["count"] >= q["min"]) & (q["count"] <= q["max"])
    return q[_QUOTA_COLUMNS].reset_index(drop=True)


def representativeness(
    df: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    dimensions: Sequence[str] | None = None,
    population_id: str | None = None,
    intersection_targets: pd.DataFrame | None = None,
    quotas: pd.DataFrame | None = None,
    confidence_level: float = 0.95,
    ci_method: str = "wilson",
    tolerance: float = 0.01,
    max_outcomes: int = 3_000_000,
    n_resamples: int = 100_000,
    seed: int | np.random.Generator | None = None,
) -> RepresentativenessResult:
    """Compare a panel's composition with population targets.

    Parameters
    ----------
    df : pandas.DataFrame
        The members: one row per panel member with one column per demographic dimension (e.g.
        ``demo_gender``), holding the category codes of the targets.
    targets : pandas.DataFrame
        Canonical targets table: ``population_id, dimension, category, share, source, year``
        (``population_id``, ``source`` and ``year`` optional here).
    dimensions : sequence of str, optional
        Dimensions to compare; default every one-way dimension in ``targets``.
    population_id : str, optional
        Which population when ``targets`` holds several.
    intersection_targets : pandas.DataFrame, optional
        Two-way population shares: ``dimension_1, category_1, dimension_2, category_2,
        share`` (shares sum to 1 per pair of dimensions). Rows of ``targets`` written the
        canonical way (dimension ``"demo_gender*demo_age_band"``, category ``"woman*16_24"``)
        are used as intersection targets automatically.
    quotas : pandas.DataFrame, optional
        ``dimension, category, min, max`` in members (counts), as used by the selection.
    confidence_level : float, default 0.95
        Level of the per-category intervals.
    ci_method : {"wilson", "exact"}, default "wilson"
        Wilson score or Clopper-Pearson interval of the panel share.
    tolerance : float, default 0.01
        Target shares of a dimension may sum to 1 +/- this; within it they are rescaled with a
        :class:`TargetsWarning`, beyond it an error is raised.
    max_outcomes, n_resamples, seed
        Exact multinomial test: enumerate up to ``max_outcomes`` outcomes, else
        ``n_resamples`` seeded Monte Carlo draws (see :func:`exact_multinomial_test`).

    Returns
    -------
    RepresentativenessResult
        Tidy tables ``.categories``, ``.dimensions``, ``.overall``, ``.intersections``,
        ``.quotas`` (see the class for their columns). Shares and differences are
        proportions (0-1).

    Raises
    ------
    AnalysisInputError
        Shares not summing to 1 within ``tolerance``, a member category with no target (or a
        target of 0), duplicated targets, unknown dimensions or several populations.

    Warns
    -----
    TargetsWarning
        Shares rescaled within tolerance; a target category with no members.

    Notes
    -----
    For a dimension with panel shares :math:`p_c` and target shares :math:`\\pi_c`:
    difference (``estimate``) :math:`p_c - \\pi_c`; its interval is the Wilson / Clopper-Pearson
    interval of :math:`p_c` at the panel's :math:`n` minus :math:`\\pi_c` (the target is taken
    as known); ratio :math:`p_c / \\pi_c`; Duncan's dissimilarity index
    :math:`D = \\tfrac12 \\sum_c |p_c - \\pi_c|` (the share of members who would have to
    change category to match); Pearson :math:`X^2 = \\sum (O - E)^2 / E` and
    :math:`G = 2 \\sum O \\log(O / E)` on :math:`k - 1` df; the exact multinomial p-value (which
    small panels need, since :math:`E < 5` is the rule there). Missing values are left out of
    a dimension's :math:`n` and counted in ``n_missing``. Overall: the mean absolute deviation
    :math:`\\overline{|p_c - \\pi_c|}` over every category of every dimension, and with
    intersection targets the intersectional error, the mean squared difference between panel
    and population shares over all two-way cells (Flanigan et al. 2021).

    Validated against R: ``chisq.test(x, p = )`` statistic and p-value, the G-test, an exact
    multinomial p-value by enumeration, ``prop.test(correct = FALSE)`` (Wilson) and
    ``binom.test`` (Clopper-Pearson) intervals, all to 1e-6.

    References
    ----------
    Duncan, O. D., & Duncan, B. (1955). A methodological analysis of segregation indexes.
    *American Sociological Review*, 20(2), 210-217.
    Flanigan, B., Gölz, P., Gupta, A., Hennig, B., & Procaccia, A. D. (2021). Fair algorithms
    for selecting citizens' assemblies. *Nature*, 596, 548-552.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.representativeness import representativeness
    >>> targets = pd.DataFrame({"dimension": "demo_gender", "category": ["woman", "man"],
    ...                         "share": [0.51, 0.49]})
    >>> members = pd.DataFrame({"demo_gender": ["woman"] * 4 + ["man"] * 11})
    >>> res = representativeness(members, targets)
    >>> res.categories[["category", "count", "share", "estimate", "ci_low", "ci_high"]].round(3)
      category  count  share  estimate  ci_low  ci_high
    0    woman      4  0.267    -0.243  -0.401    0.010
    1      man     11  0.733     0.243  -0.010    0.401
    >>> res.dimensions[["duncan", "chisq_p_value", "exact_p_value"]].round(4)
       duncan  chisq_p_value  exact_p_value
    0  0.2433         0.0594         0.0718
    """
    level = check_confidence_level(confidence_level)
    if ci_method not in ("wilson", "exact"):
        raise AnalysisInputError(f"ci_method must be 'wilson' or 'exact', got {ci_method!r}")
    if not isinstance(df, pd.DataFrame):
        raise AnalysisInputError(f"df must be a DataFrame, got {type(df).__name__}")
    if int(n_resamples) < 1:
        raise AnalysisInputError(f"n_resamples must be a positive number, got {n_resamples}")
    if not isinstance(targets, pd.DataFrame):
        raise AnalysisInputError(f"targets must be a DataFrame, got {type(targets).__name__}")
    prepared = _prepare_targets(
        targets, population_id=population_id, dimensions=dimensions, tolerance=tolerance
    )
    require_columns(df, prepared, what="members")
    exact_kw: dict[str, Any] = {
        "max_outcomes": max_outcomes,
        "n_resamples": int(n_resamples),
        "seed": seed,
    }
    categories, dims = _composition(
        df, prepared, level=level, ci_method=ci_method, exact_kw=exact_kw, warn=True
    )
    from_targets = _intersections_in_targets(targets, population_id)
    if from_targets is not None:
        intersection_targets = (
            from_targets
            if intersection_targets is None
            else pd.concat([intersection_targets, from_targets], ignore_index=True)
        )
    inter = (
        _intersections(df, intersection_targets, tolerance)
        if intersection_targets is not None
        else pd.DataFrame(columns=_INTERSECTION_COLUMNS)
    )
    quota_table = (
        _quotas(categories, quotas) if quotas is not None else pd.DataFrame(columns=_QUOTA_COLUMNS)
    )
    overall = [
        ("n", float(len(df)), "members"),
        ("mean_absolute_deviation", float(categories["estimate"].abs().mean()),
         "mean over categories of |share - target share|"),
        ("max_absolute_difference", float(categories["estimate"].abs().max()),
         "largest |share - target share| over categories"),
        ("mean_duncan", float(dims["duncan"].mean()), "mean over dimensions of Duncan's dissimilarity index"),
    ]
    if intersection_targets is not None:
        diff = inter["share"] - inter["target_share"]
        overall.append(("intersectional_mse", float(np.mean(diff.to_numpy(dtype=float) ** 2)),
                        "mean squared difference of intersection-cell shares from their targets"))
    return RepresentativenessResult(
        categories=categories,
        dimensions=dims,
        overall=pd.DataFrame(overall, columns=["statistic", "estimate", "method"]),
        intersections=inter,
        quotas=quota_table,
    )
