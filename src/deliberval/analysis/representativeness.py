"""Was the panel like the population? Composition against targets, with honest uncertainty.

:func:`representativeness` compares a panel's composition with population targets (the
canonical targets table ``population_id, dimension, category, share, source, year``);
:func:`funnel` follows the composition through the selection stages; :func:`r_indicator`
summarises how selective volunteering was; :func:`margins_of_error` says what a panel of a
given size can claim at all.

The goodness-of-fit statistics are written here (a few lines on top of scipy) because no
maintained Python library offers the exact multinomial test with R's ``EMT`` / ``XNomial``
p-value definition; chi-square and G agree with R ``chisq.test`` and the G statistic.

Attitudinal representativeness (the panel's baseline trust or efficacy against a population
benchmark) is :func:`attitudinal_representativeness`, several
:func:`deliberval.analysis.change.selection_check` calls in one table.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special, stats
from statsmodels.stats.power import TTestPower
from statsmodels.stats.proportion import proportion_confint

from deliberval.analysis._common import (
    check_confidence_level,
    normal_quantile,
    require_columns,
)
from deliberval.analysis._common import holm as holm_adjust
from deliberval.analysis._common import rng as make_rng
from deliberval.errors import AnalysisInputError, DelibervalWarning

__all__ = [
    "DEFAULT_STAGES",
    "FunnelResult",
    "RepresentativenessResult",
    "TargetsWarning",
    "attitudinal_representativeness",
    "exact_multinomial_test",
    "funnel",
    "margins_of_error",
    "r_indicator",
    "representativeness",
]

DEFAULT_STAGES = ("invited", "volunteered", "selected", "attended_all", "answered_post")
_SHORT_STAGES = ("invited", "volunteered", "selected", "attended", "answered")


class TargetsWarning(DelibervalWarning):
    """Population targets were usable but not clean (rescaled shares, empty categories)."""


@dataclass(frozen=True)
class RepresentativenessResult:
    """Result of :func:`representativeness`; every attribute is a tidy DataFrame.

    Attributes
    ----------
    categories : pandas.DataFrame
        One row per dimension x category: ``dimension, category, panel_n, panel_share,
        target_share, difference_pp, ci_low_pp, ci_high_pp, ratio, confidence_level, n,
        method``. The CI is the interval of the panel share (Wilson or Clopper-Pearson at the
        panel's size) minus the target, in percentage points.
    dimensions : pandas.DataFrame
        One row per dimension: ``dimension, n, n_missing, n_categories, duncan, chisq,
        chisq_df, chisq_p, g, g_p, exact_p, exact_method, min_expected``.
    overall : pandas.DataFrame
        ``statistic, estimate``: ``n``, ``mean_absolute_deviation_pp``,
        ``max_absolute_difference_pp``, ``mean_duncan`` and, with intersection targets,
        ``intersectional_mse``.
    intersections : pandas.DataFrame
        With intersection targets: ``dimension_1, category_1, dimension_2, category_2,
        panel_n, panel_share, target_share, difference_pp`` (empty otherwise).
    quotas : pandas.DataFrame
        With quotas: ``dimension, category, achieved, min, max, within`` (empty otherwise).
    """

    categories: pd.DataFrame
    dimensions: pd.DataFrame
    overall: pd.DataFrame
    intersections: pd.DataFrame
    quotas: pd.DataFrame


@dataclass(frozen=True)
class FunnelResult:
    """Result of :func:`funnel`; every attribute is a tidy DataFrame.

    Attributes
    ----------
    stages : pandas.DataFrame
        ``stage, n, retained, mean_absolute_deviation_pp, mean_duncan, change_in_mean_duncan``
        (``retained`` = n over the previous stage's n).
    dimensions : pandas.DataFrame
        ``stage, dimension, n, duncan, change_in_duncan, chisq_p, exact_p``.
    categories : pandas.DataFrame
        ``stage, dimension, category, panel_n, panel_share, target_share, difference_pp,
        ci_low_pp, ci_high_pp``.
    distortion : pandas.DataFrame
        Per dimension, the stage whose composition moved furthest from the targets:
        ``dimension, stage, change_in_duncan``.
    r_indicator : pandas.DataFrame
        :func:`r_indicator` of the second stage (e.g. volunteering) among the first (e.g.
        invited) on the dimensions; empty when fewer than two stages.
    """

    stages: pd.DataFrame
    dimensions: pd.DataFrame
    categories: pd.DataFrame
    distortion: pd.DataFrame
    r_indicator: pd.DataFrame


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
    t = targets.copy()
    if "population_id" in t.columns:
        ids = list(dict.fromkeys(t["population_id"].dropna().astype(str)))
        if population_id is not None:
            if population_id not in ids:
                raise AnalysisInputError(
                    f"targets have no population_id {population_id!r}; found {ids}"
                )
            t = t.loc[t["population_id"].astype(str) == population_id]
        elif len(ids) > 1:
            raise AnalysisInputError(
                f"targets hold several populations {ids}; choose one with population_id="
            )
    elif population_id is not None:
        raise AnalysisInputError("population_id given but targets have no population_id column")
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
    unknown = sorted(set(present) - set(categories))
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


def exact_multinomial_test(
    counts: Sequence[int] | np.ndarray,
    shares: Sequence[float] | np.ndarray,
    *,
    max_outcomes: int = 3_000_000,
    n_mc: int = 100_000,
    seed: int | np.random.Generator | None = None,
) -> tuple[float, str]:
    """Exact multinomial goodness-of-fit p-value (probability ordering).

    Parameters
    ----------
    counts : sequence of int
        Observed counts per category.
    shares : sequence of float
        Hypothesised category probabilities (sum to 1; zero shares need zero counts).
    max_outcomes : int, default 3,000,000
        Enumerate every outcome when there are at most this many
        (:math:`\\binom{n + k - 1}{k - 1}`); otherwise Monte Carlo.
    n_mc : int, default 100,000
        Monte Carlo draws when enumeration is too costly.
    seed : int or numpy.random.Generator, optional
        Seed of the Monte Carlo draws.

    Returns
    -------
    tuple of (float, str)
        The p-value and the method, ``"exact enumeration"`` or ``"monte carlo (B draws)"``.
        (A pair rather than a table because it is the building block of the ``dimensions``
        table of :func:`representativeness`.)

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
    >>> p, method = exact_multinomial_test([4, 10, 16], [0.25, 0.40, 0.35])
    >>> round(p, 6), method
    (0.106742, 'exact enumeration')
    """
    x = np.asarray(counts, dtype=np.int64)
    p = np.asarray(shares, dtype=float)
    if x.shape != p.shape or x.ndim != 1 or x.size < 2:
        raise AnalysisInputError("counts and shares must be equal-length sequences of >= 2")
    if (x < 0).any() or not np.isclose(p.sum(), 1) or (p < 0).any():
        raise AnalysisInputError("counts must be >= 0 and shares must be >= 0 and sum to 1")
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
    draws = make_rng(seed).multinomial(n, p, size=n_mc)
    logs = _log_multinomial(draws, np.log(p), n)
    hits = int(np.sum(logs <= log_obs + slack))
    return (1 + hits) / (n_mc + 1), f"monte carlo ({n_mc} draws)"


def _gof(counts: np.ndarray, shares: np.ndarray, **exact_kw: object) -> dict[str, object]:
    keep = shares > 0
    x, p = counts[keep], shares[keep]
    n = int(x.sum())
    k = int(x.size)
    if n == 0 or k < 2:
        nan = float("nan")
        return dict.fromkeys(
            ["chisq", "chisq_df", "chisq_p", "g", "g_p", "exact_p", "min_expected"], nan
        ) | {"exact_method": "not applicable"}
    e = n * p
    chisq = float(np.sum((x - e) ** 2 / e))
    g = float(2 * np.sum(special.xlogy(x, x / e)))
    exact_p, method = exact_multinomial_test(x, p, **exact_kw)  # type: ignore[arg-type]
    return {
        "chisq": chisq,
        "chisq_df": k - 1,
        "chisq_p": float(stats.chi2.sf(chisq, k - 1)),
        "g": g,
        "g_p": float(stats.chi2.sf(g, k - 1)),
        "exact_p": exact_p,
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
    exact_kw: dict[str, object],
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
                    "panel_n": counts,
                    "panel_share": panel,
                    "target_share": shares,
                    "difference_pp": 100 * (panel - shares),
                    "ci_low_pp": 100 * (np.asarray(low) - shares),
                    "ci_high_pp": 100 * (np.asarray(high) - shares),
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
            }
        )
    categories = pd.concat(cat_rows, ignore_index=True)
    dim_cols = [
        "dimension", "n", "n_missing", "n_categories", "duncan", "chisq", "chisq_df",
        "chisq_p", "g", "g_p", "exact_p", "exact_method", "min_expected",
    ]  # fmt: skip
    return categories, pd.DataFrame(dim_rows, columns=dim_cols)


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
        panel_n = [
            int(cells.get((a, b), 0))
            for a, b in zip(sub["category_1"], sub["category_2"], strict=True)
        ]
        frame = sub.rename(columns={"share": "target_share"}).assign(panel_n=panel_n)
        if abs(total - 1) > 1e-9:
            warnings.warn(
                f"intersection target shares of {d1!r} x {d2!r} sum to {total:.6g}; they are "
                "divided by that sum (within the stated tolerance)",
                TargetsWarning,
                stacklevel=3,
            )
            frame["target_share"] = frame["target_share"] / total
        frame["panel_share"] = frame["panel_n"] / n if n else np.nan
        frame["difference_pp"] = 100 * (frame["panel_share"] - frame["target_share"])
        out.append(frame)
    order = [
        "dimension_1", "category_1", "dimension_2", "category_2", "panel_n", "panel_share",
        "target_share", "difference_pp",
    ]  # fmt: skip
    return pd.concat(out, ignore_index=True)[order]


def _quotas(categories: pd.DataFrame, quotas: pd.DataFrame) -> pd.DataFrame:
    require_columns(quotas, ["dimension", "category", "min", "max"], what="quotas")
    q = quotas[["dimension", "category", "min", "max"]].copy()
    q["dimension"] = q["dimension"].astype(str)
    q["category"] = q["category"].astype(str)
    achieved = categories.set_index(["dimension", "category"])["panel_n"]
    missing = [
        (d, c) for d, c in zip(q["dimension"], q["category"], strict=True) if (d, c) not in achieved
    ]
    if missing:
        raise AnalysisInputError(f"quotas name dimension/category pairs with no target: {missing}")
    q["achieved"] = [
        int(achieved[(d, c)]) for d, c in zip(q["dimension"], q["category"], strict=True)
    ]
    q["within"] = (q["achieved"] >= q["min"]) & (q["achieved"] <= q["max"])
    return q[["dimension", "category", "achieved", "min", "max", "within"]].reset_index(drop=True)


def representativeness(
    members: pd.DataFrame,
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
    n_mc: int = 100_000,
    seed: int | np.random.Generator | None = None,
) -> RepresentativenessResult:
    """Compare a panel's composition with population targets.

    Parameters
    ----------
    members : pandas.DataFrame
        One row per panel member with one column per demographic dimension (e.g.
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
    max_outcomes, n_mc, seed
        Exact multinomial test: enumerate up to ``max_outcomes`` outcomes, else ``n_mc``
        seeded Monte Carlo draws (see :func:`exact_multinomial_test`).

    Returns
    -------
    RepresentativenessResult
        Tidy tables ``.categories``, ``.dimensions``, ``.overall``, ``.intersections``,
        ``.quotas`` (see the class for their columns).

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
    difference :math:`100 (p_c - \\pi_c)` pp; its interval is the Wilson / Clopper-Pearson
    interval of :math:`p_c` at the panel's :math:`n` minus :math:`\\pi_c` (the target is taken
    as known); ratio :math:`p_c / \\pi_c`; Duncan's dissimilarity index
    :math:`D = \\tfrac12 \\sum_c |p_c - \\pi_c|` (the share of members who would have to
    change category to match); Pearson :math:`X^2 = \\sum (O - E)^2 / E` and
    :math:`G = 2 \\sum O \\log(O / E)` on :math:`k - 1` df; the exact multinomial p-value (which
    small panels need, since :math:`E < 5` is the rule there). Missing values are left out of
    a dimension's :math:`n` and counted in ``n_missing``. Overall: the mean absolute deviation
    :math:`\\overline{|p_c - \\pi_c|}` over every category of every dimension (pp), and with
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
    >>> res.categories[["category", "panel_n", "difference_pp", "ci_low_pp", "ci_high_pp"]].round(1)
      category  panel_n  difference_pp  ci_low_pp  ci_high_pp
    0    woman        4          -24.3      -40.1         1.0
    1      man       11           24.3       -1.0        40.1
    >>> res.dimensions[["duncan", "chisq_p", "exact_p"]].round(4)
       duncan  chisq_p  exact_p
    0  0.2433   0.0594   0.0718
    """
    level = check_confidence_level(confidence_level)
    if ci_method not in ("wilson", "exact"):
        raise AnalysisInputError(f"ci_method must be 'wilson' or 'exact', got {ci_method!r}")
    if not isinstance(members, pd.DataFrame):
        raise AnalysisInputError(f"members must be a DataFrame, got {type(members).__name__}")
    if not isinstance(targets, pd.DataFrame):
        raise AnalysisInputError(f"targets must be a DataFrame, got {type(targets).__name__}")
    prepared = _prepare_targets(
        targets, population_id=population_id, dimensions=dimensions, tolerance=tolerance
    )
    require_columns(members, prepared, what="members")
    exact_kw: dict[str, object] = {"max_outcomes": max_outcomes, "n_mc": n_mc, "seed": seed}
    categories, dims = _composition(
        members, prepared, level=level, ci_method=ci_method, exact_kw=exact_kw, warn=True
    )
    from_targets = _intersections_in_targets(targets, population_id)
    if from_targets is not None:
        intersection_targets = (
            from_targets
            if intersection_targets is None
            else pd.concat([intersection_targets, from_targets], ignore_index=True)
        )
    inter = (
        _intersections(members, intersection_targets, tolerance)
        if intersection_targets is not None
        else pd.DataFrame(
            columns=[
                "dimension_1",
                "category_1",
                "dimension_2",
                "category_2",
                "panel_n",
                "panel_share",
                "target_share",
                "difference_pp",
            ]
        )
    )
    quota_table = (
        _quotas(categories, quotas)
        if quotas is not None
        else pd.DataFrame(columns=["dimension", "category", "achieved", "min", "max", "within"])
    )
    overall = [
        ("n", float(len(members))),
        ("mean_absolute_deviation_pp", float(categories["difference_pp"].abs().mean())),
        ("max_absolute_difference_pp", float(categories["difference_pp"].abs().max())),
        ("mean_duncan", float(dims["duncan"].mean())),
    ]
    if intersection_targets is not None:
        diff = inter["panel_share"] - inter["target_share"]
        overall.append(("intersectional_mse", float(np.mean(diff.to_numpy(dtype=float) ** 2))))
    return RepresentativenessResult(
        categories=categories,
        dimensions=dims,
        overall=pd.DataFrame(overall, columns=["statistic", "estimate"]),
        intersections=inter,
        quotas=quota_table,
    )


# ---------------------------------------------------------------------------------------------
# funnel and R-indicator


def _stage_mask(members: pd.DataFrame, column: str) -> np.ndarray:
    values = members[column]
    if values.isna().any():
        raise AnalysisInputError(f"stage column {column!r} has missing values; use True/False")
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(values) and values.isin([0, 1]).all():
        return values.to_numpy(dtype=float) == 1
    raise AnalysisInputError(f"stage column {column!r} must be boolean (or 0/1)")


def r_indicator(
    df: pd.DataFrame,
    response: str,
    dimensions: Sequence[str],
    *,
    weight: str | None = None,
) -> pd.DataFrame:
    """R-indicator of representative response (Schouten, Cobben & Bethlehem 2009).

    Parameters
    ----------
    df : pandas.DataFrame
        Everybody who could respond (e.g. all invited), one row each.
    response : str
        Boolean (or 0/1) column: responded / volunteered.
    dimensions : sequence of str
        Categorical auxiliary variables known for everybody (e.g. the demographics).
    weight : str, optional
        Design (inclusion) weights :math:`d_i`; equal when omitted.

    Returns
    -------
    pandas.DataFrame
        One row: ``r_indicator, sd_propensity, mean_propensity, n, method``.

    Notes
    -----
    Response propensities :math:`\\hat\\rho_i` are the fitted values of a logistic regression
    (statsmodels GLM, binomial, logit link) of ``response`` on indicator variables of the
    dimensions (main effects). :math:`R = 1 - 2 S(\\hat\\rho)` with
    :math:`S^2 = \\frac{1}{N - 1} \\sum_i d_i (\\hat\\rho_i - \\bar\\rho)^2`,
    :math:`N = \\sum_i d_i`, :math:`\\bar\\rho = \\sum_i d_i \\hat\\rho_i / N` (the paper's
    design-weighted estimator; with equal weights the ordinary :math:`n - 1` standard
    deviation). R = 1: response unrelated to the dimensions (also when everybody or nobody
    responded); lower values: more selective.
    The R-indicator is bounded by the response rate and depends on the chosen model, so
    compare it only across stages or processes with the same dimensions.

    Validated against R ``1 - 2 * sd(fitted(glm(..., family = binomial)))`` on ``apistrat``
    to 1e-8.

    References
    ----------
    Schouten, B., Cobben, F., & Bethlehem, J. (2009). Indicators for the representativeness of
    survey response. *Survey Methodology*, 35(1), 101-113.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.representativeness import r_indicator
    >>> df = pd.DataFrame({"age": ["young"] * 10 + ["old"] * 10,
    ...                    "volunteered": [True] * 2 + [False] * 8 + [True] * 6 + [False] * 4})
    >>> r_indicator(df, "volunteered", ["age"])[["r_indicator", "mean_propensity"]].round(4)
       r_indicator  mean_propensity
    0       0.5896              0.4
    """
    dims = list(dimensions)
    if not dims:
        raise AnalysisInputError("give at least one dimension for the propensity model")
    require_columns(df, [response, *dims, *([weight] if weight else [])], what="data")
    y = _stage_mask(df, response).astype(float)
    sub = df[dims]
    if sub.isna().any().any():
        raise AnalysisInputError("dimensions of the propensity model have missing values")
    x = pd.get_dummies(sub.astype(str), drop_first=True, dtype=float)
    x.insert(0, "const", 1.0)
    d = (
        np.ones(len(df))
        if weight is None
        else pd.to_numeric(df[weight], errors="coerce").to_numpy(dtype=float)
    )
    if np.isnan(d).any() or (d <= 0).any():
        raise AnalysisInputError(f"weight column {weight!r} must be positive numbers")
    method = "logistic propensity on " + ", ".join(dims)
    if y.min() == y.max():  # everybody (or nobody) responded: every propensity is the same
        rho = np.full(len(df), y[0])
        method = "constant response (no model needed)"
    else:
        model = sm.GLM(y, x.to_numpy(), family=sm.families.Binomial(), var_weights=d)
        rho = np.asarray(model.fit().fittedvalues, dtype=float)
    big_n = float(d.sum())
    mean = float(np.sum(d * rho) / big_n)
    sd = float(np.sqrt(np.sum(d * (rho - mean) ** 2) / (big_n - 1)))
    return pd.DataFrame(
        {
            "r_indicator": [1 - 2 * sd],
            "sd_propensity": [sd],
            "mean_propensity": [mean],
            "n": [len(df)],
            "method": [method],
        }
    )


def funnel(
    members: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    stages: Sequence[str] | None = None,
    dimensions: Sequence[str] | None = None,
    population_id: str | None = None,
    confidence_level: float = 0.95,
    ci_method: str = "wilson",
    tolerance: float = 0.01,
    max_outcomes: int = 200_000,
    n_mc: int = 10_000,
    seed: int | np.random.Generator | None = None,
) -> FunnelResult:
    """Composition at each selection stage against the targets, and where distortion enters.

    Parameters
    ----------
    members : pandas.DataFrame
        The members / selection table: one row per person ever in the funnel, one boolean
        (or 0/1) column per stage and one column per dimension.
    targets : pandas.DataFrame
        Canonical targets table (see :func:`representativeness`).
    stages : sequence of str, optional
        Stage columns in funnel order; default ``invited, volunteered, selected,
        attended_all, answered_post`` (or ``invited, volunteered, selected, attended,
        answered`` when those are the columns present). A person is at stage *k* when true for stages 1..*k*
        (someone who answered the post survey without attending every session is not in the
        last stage).
    dimensions, population_id, confidence_level, ci_method, tolerance
        As in :func:`representativeness`.
    max_outcomes, n_mc, seed
        Exact multinomial test settings (smaller defaults than :func:`representativeness`
        because the early stages are large; they then use Monte Carlo).

    Returns
    -------
    FunnelResult
        ``.stages``, ``.dimensions``, ``.categories``, ``.distortion`` and ``.r_indicator``.

    Notes
    -----
    The change in Duncan's index from one stage to the next shows where the composition moves
    away from (positive) or towards (negative) the population. The R-indicator is computed for
    the second stage among the first (volunteering among the invited) with the dimensions as
    auxiliary variables. Empty target categories at a stage do not warn here (small stages
    routinely miss categories); they show as ``panel_n`` 0.

    References
    ----------
    Schouten, B., Cobben, F., & Bethlehem, J. (2009). Indicators for the representativeness of
    survey response. *Survey Methodology*, 35(1), 101-113.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.representativeness import funnel
    >>> targets = pd.DataFrame({"dimension": "demo_education",
    ...                         "category": ["low", "high"], "share": [0.6, 0.4]})
    >>> members = pd.DataFrame({
    ...     "demo_education": ["low"] * 60 + ["high"] * 40,
    ...     "invited": True,
    ...     "volunteered": [True] * 12 + [False] * 48 + [True] * 20 + [False] * 20,
    ...     "selected": [True] * 6 + [False] * 54 + [True] * 10 + [False] * 30})
    >>> res = funnel(members, targets, stages=["invited", "volunteered", "selected"])
    >>> res.stages[["stage", "n", "mean_duncan", "change_in_mean_duncan"]].round(3)
             stage    n  mean_duncan  change_in_mean_duncan
    0      invited  100        0.000                    NaN
    1  volunteered   32        0.225                  0.225
    2     selected   16        0.225                  0.000
    """
    level = check_confidence_level(confidence_level)
    if ci_method not in ("wilson", "exact"):
        raise AnalysisInputError(f"ci_method must be 'wilson' or 'exact', got {ci_method!r}")
    if stages is None:
        stages = next(
            (c for c in (DEFAULT_STAGES, _SHORT_STAGES) if all(x in members.columns for x in c)),
            DEFAULT_STAGES,
        )
    stage_list = list(stages)
    if not stage_list:
        raise AnalysisInputError("give at least one stage column")
    require_columns(members, stage_list, what="members")
    prepared = _prepare_targets(
        targets, population_id=population_id, dimensions=dimensions, tolerance=tolerance
    )
    require_columns(members, prepared, what="members")
    exact_kw: dict[str, object] = {"max_outcomes": max_outcomes, "n_mc": n_mc, "seed": seed}
    at_stage = np.ones(len(members), dtype=bool)
    stage_rows, dim_frames, cat_frames = [], [], []
    prev_n: int | None = None
    prev_duncan: pd.Series | None = None
    for stage in stage_list:
        at_stage = at_stage & _stage_mask(members, stage)
        subset = members.loc[at_stage]
        n = int(at_stage.sum())
        if n == 0:
            raise AnalysisInputError(f"nobody reached stage {stage!r}")
        cats, dims = _composition(
            subset, prepared, level=level, ci_method=ci_method, exact_kw=exact_kw, warn=False
        )
        duncan = dims.set_index("dimension")["duncan"]
        change = duncan - prev_duncan if prev_duncan is not None else duncan * np.nan
        dim_frames.append(
            pd.DataFrame(
                {
                    "stage": stage,
                    "dimension": dims["dimension"],
                    "n": dims["n"],
                    "duncan": dims["duncan"],
                    "change_in_duncan": change.reindex(dims["dimension"]).to_numpy(),
                    "chisq_p": dims["chisq_p"],
                    "exact_p": dims["exact_p"],
                }
            )
        )
        keep = ["dimension", "category", "panel_n", "panel_share", "target_share",
                "difference_pp", "ci_low_pp", "ci_high_pp"]  # fmt: skip
        cat_frames.append(cats[keep].assign(stage=stage))
        mean_d = float(dims["duncan"].mean())
        stage_rows.append(
            {
                "stage": stage,
                "n": n,
                "retained": n / prev_n if prev_n else np.nan,
                "mean_absolute_deviation_pp": float(cats["difference_pp"].abs().mean()),
                "mean_duncan": mean_d,
                "change_in_mean_duncan": (
                    mean_d - float(prev_duncan.mean()) if prev_duncan is not None else np.nan
                ),
            }
        )
        prev_n, prev_duncan = n, duncan
    dim_table = pd.concat(dim_frames, ignore_index=True)
    categories = pd.concat(cat_frames, ignore_index=True)
    categories = categories[["stage", *[c for c in categories.columns if c != "stage"]]]
    changes = dim_table.dropna(subset=["change_in_duncan"])
    if changes.empty:
        distortion = pd.DataFrame(columns=["dimension", "stage", "change_in_duncan"])
    else:
        top = changes.loc[changes.groupby("dimension", sort=False)["change_in_duncan"].idxmax()]
        distortion = top[["dimension", "stage", "change_in_duncan"]].reset_index(drop=True)
    if len(stage_list) >= 2:
        first = members.loc[_stage_mask(members, stage_list[0])]
        complete = first.dropna(subset=list(prepared))
        rind = r_indicator(complete, stage_list[1], list(prepared))
    else:
        rind = pd.DataFrame(
            columns=["r_indicator", "sd_propensity", "mean_propensity", "n", "method"]
        )
    return FunnelResult(
        stages=pd.DataFrame(stage_rows),
        dimensions=dim_table,
        categories=categories,
        distortion=distortion,
        r_indicator=rind,
    )


# ---------------------------------------------------------------------------------------------
# what a panel of a given size can claim


def margins_of_error(
    sizes: Sequence[int] = (15, 40, 150),
    *,
    proportion: float = 0.5,
    confidence_level: float = 0.95,
    power: float = 0.8,
    population_size: float | None = None,
) -> pd.DataFrame:
    """Margins of error and minimum detectable differences for panels of given sizes.

    Parameters
    ----------
    sizes : sequence of int, default (15, 40, 150)
        Panel sizes, e.g. a 15-member political task committee, a 40-member committee, a
        150-member assembly.
    proportion : float, default 0.5
        Share at which the proportion-based quantities are evaluated (0.5 is the worst case).
    confidence_level : float, default 0.95
        Two-sided level (:math:`\\alpha = 1 -` level).
    power : float, default 0.8
        Power for the minimum detectable differences.
    population_size : float, optional
        Finite population (e.g. the pool) for the correction
        :math:`\\sqrt{(N - n) / (N - 1)}`; omitted means infinite.

    Returns
    -------
    pandas.DataFrame
        One row per size: ``n, proportion, margin_of_error_pp, mdd_proportion_pp,
        mdd_standardized, confidence_level, power, method``.

    Notes
    -----
    ``margin_of_error_pp`` is the half-width :math:`z_{1-\\alpha/2}\\sqrt{p(1-p)/n}` (x 100);
    ``mdd_proportion_pp`` is the smallest difference between a panel share and a known
    population share that a two-sided test detects with the given power,
    :math:`(z_{1-\\alpha/2} + z_{\\text{power}})\\sqrt{p(1-p)/n}` (normal approximation,
    optimistic for n near 15). ``mdd_standardized`` is the smallest standardised mean
    difference (Cohen's d) detectable by a one-sample or paired t-test (pre/post change of the
    same members), solved exactly from the noncentral t (statsmodels ``TTestPower``); it
    ignores the finite population correction.

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.).
    Lawrence Erlbaum.

    Examples
    --------
    >>> from deliberval.analysis.representativeness import margins_of_error
    >>> margins_of_error()[["n", "margin_of_error_pp", "mdd_proportion_pp", "mdd_standardized"]].round(2)
         n  margin_of_error_pp  mdd_proportion_pp  mdd_standardized
    0   15               25.30              36.17              0.78
    1   40               15.49              22.15              0.45
    2  150                8.00              11.44              0.23
    """
    level = check_confidence_level(confidence_level)
    if not 0 < proportion < 1:
        raise AnalysisInputError(f"proportion must lie strictly between 0 and 1, got {proportion}")
    if not 0 < power < 1:
        raise AnalysisInputError(f"power must lie strictly between 0 and 1, got {power}")
    ns = [int(n) for n in sizes]
    if not ns or min(ns) < 2:
        raise AnalysisInputError("sizes must be panel sizes of at least 2")
    if population_size is not None and population_size < max(ns):
        raise AnalysisInputError("population_size is smaller than a panel size")
    z_a = normal_quantile(level)
    z_b = float(stats.norm.ppf(power))
    rows = []
    for n in ns:
        fpc = (
            1.0
            if population_size is None
            else math.sqrt((population_size - n) / (population_size - 1))
        )
        se = math.sqrt(proportion * (1 - proportion) / n) * fpc
        d = float(
            TTestPower().solve_power(nobs=n, alpha=1 - level, power=power, alternative="two-sided")
        )
        rows.append(
            {
                "n": n,
                "proportion": proportion,
                "margin_of_error_pp": 100 * z_a * se,
                "mdd_proportion_pp": 100 * (z_a + z_b) * se,
                "mdd_standardized": d,
                "confidence_level": level,
                "power": power,
                "method": "normal approximation (proportions); noncentral t (standardized)",
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# attitudes: the panel's baseline against a population benchmark


def _benchmark_table(
    benchmarks: pd.DataFrame | Mapping[str, float], variables: list[str]
) -> pd.DataFrame:
    """``benchmarks`` as a table ``variable, value, se, source, year`` indexed by variable."""
    if isinstance(benchmarks, Mapping):
        table = pd.DataFrame({"variable": list(benchmarks), "value": list(benchmarks.values())})
    elif isinstance(benchmarks, pd.DataFrame):
        require_columns(benchmarks, ["variable", "value"], what="benchmarks")
        table = benchmarks.copy()
    else:
        raise AnalysisInputError(
            "benchmarks must be a DataFrame (variable, value[, se, source, year]) or a dict "
            f"variable -> value, got {type(benchmarks).__name__}"
        )
    table["variable"] = table["variable"].astype(str)
    dup = table["variable"].duplicated()
    if dup.any():
        raise AnalysisInputError(
            f"benchmarks give variable {table.loc[dup, 'variable'].iloc[0]!r} more than once"
        )
    for col in ("se", "source", "year"):
        if col not in table.columns:
            table[col] = None
    table = table.set_index("variable")
    missing = [v for v in variables if v not in table.index]
    if missing:
        raise AnalysisInputError(
            f"benchmarks have no value for {', '.join(map(repr, missing))}; they give "
            f"{', '.join(map(repr, table.index))}"
        )
    values = pd.to_numeric(table["value"], errors="coerce")
    if values.loc[variables].isna().any():
        bad = values.loc[variables]
        raise AnalysisInputError(
            f"benchmark value of {bad[bad.isna()].index[0]!r} is missing or not a number"
        )
    return table


def attitudinal_representativeness(
    panel: pd.DataFrame,
    variables: str | Sequence[str],
    *,
    benchmarks: pd.DataFrame | Mapping[str, float] | None = None,
    benchmark_df: pd.DataFrame | None = None,
    weight: str | None = None,
    benchmark_weight: str | None = None,
    levels: Mapping[str, Any] | None = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Compare the panel's baseline attitudes (trust, efficacy, ...) with a population benchmark.

    One call of :func:`deliberval.analysis.change.selection_check` per variable, gathered in
    one table with Holm-adjusted p-values across the variables.

    Parameters
    ----------
    panel : pandas.DataFrame
        The panel's baseline, one row per member, scored (e.g. the ``wave == "pre"`` and
        ``group == "participant"`` rows of the canonical responses table).
    variables : str or sequence of str
        Item or scale columns compared, e.g. ``["trust_political_institutions",
        "external_efficacy"]``.
    benchmarks : pandas.DataFrame or dict, optional
        Published population estimates on the same scale: a table with columns ``variable,
        value`` and optionally ``se``, ``source``, ``year`` (one row per variable), or a dict
        ``variable -> value``.
    benchmark_df : pandas.DataFrame, optional
        A population survey sample with the same columns, instead of ``benchmarks``.
    weight : str, optional
        Weight column of ``panel``.
    benchmark_weight : str, optional
        Weight column of ``benchmark_df``.
    levels : dict, optional
        ``variable -> code(s)`` for variables compared as a share rather than a mean, e.g.
        ``{"efficacy_ext_care": [4, 5]}`` (share agreeing).
    confidence_level : float, default 0.95
        Coverage of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per variable, in the order given, with the columns of
        :func:`~deliberval.analysis.change.selection_check`: ``variable``, ``level``,
        ``estimate_sample``, ``estimate_benchmark``, ``difference`` (panel - benchmark),
        ``se``, ``ci_low``, ``ci_high`` (interval of the difference), ``confidence_level``,
        ``statistic``, ``df``, ``p``, ``n``, ``n_benchmark``, ``benchmark_source``,
        ``benchmark_year``, ``method``; and ``p_holm`` (``p`` adjusted across the variables).

    Raises
    ------
    AnalysisInputError
        If neither or both of ``benchmarks`` and ``benchmark_df`` are given, a variable has no
        benchmark, a column is missing, or a variable has fewer than two values.

    Notes
    -----
    Each row is :func:`~deliberval.analysis.change.selection_check` unchanged: a one-sample
    t-test of the panel mean against a published value (``t = (m - mu) / (s / sqrt(n))`` on
    ``n - 1`` df), Welch's t-test against an unweighted benchmark sample, and a normal
    reference with linearised SEs when either side is weighted or the published value comes
    with its ``se``. ``p_holm`` is Holm's step-down adjustment of ``p`` over the variables
    (R ``p.adjust(p, "holm")``): with ``m`` variables and ordered p-values
    ``p_(1) <= ... <= p_(m)``, ``p_holm_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))``.

    A panel of 15 to 40 members can only detect large differences (see
    :func:`margins_of_error`); read a non-significant row as "no evidence", not as "alike".

    Validated against R ``t.test(x, mu = value)`` and ``t.test(x, y)`` to 1e-6 through the
    selection-check golden values (tests/reference/change).

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian
    Journal of Statistics*, 6(2), 65-70.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.representativeness import attitudinal_representativeness
    >>> panel = pd.DataFrame({"trust": [6, 7, 5, 8, 6, 7, 5, 6],
    ...                       "efficacy": [3, 4, 4, 2, 5, 4, 3, 4]})
    >>> bench = pd.DataFrame({"variable": ["trust", "efficacy"], "value": [5.2, 3.1],
    ...                       "source": "ESS round 10", "year": 2021})
    >>> r = attitudinal_representativeness(panel, ["trust", "efficacy"], benchmarks=bench)
    >>> r[["variable", "estimate_sample", "difference", "ci_low", "ci_high", "n"]].round(3)
       variable  estimate_sample  difference  ci_low  ci_high  n
    0     trust            6.250       1.050   0.185    1.915  8
    1  efficacy            3.625       0.525  -0.241    1.291  8
    >>> r[["p", "p_holm"]].round(4)
            p  p_holm
    0  0.0240  0.0480
    1  0.1491  0.1491
    """
    from deliberval.analysis.change import selection_check

    level = check_confidence_level(confidence_level)
    names = [variables] if isinstance(variables, str) else list(variables)
    if not names:
        raise AnalysisInputError("variables is empty; name at least one item or scale column")
    if (benchmarks is None) == (benchmark_df is None):
        raise AnalysisInputError(
            "give exactly one benchmark: benchmarks (published values per variable) or "
            "benchmark_df (a population survey sample)"
        )
    level_map = dict(levels or {})
    unknown = [k for k in level_map if k not in names]
    if unknown:
        raise AnalysisInputError(
            f"levels names variable(s) not compared: {', '.join(map(repr, unknown))}"
        )
    require_columns(panel, [*names, *([weight] if weight else [])], what="panel")
    table = _benchmark_table(benchmarks, names) if benchmarks is not None else None
    rows = []
    for v in names:
        if table is not None:
            b = table.loc[v]
            se = pd.to_numeric(pd.Series([b["se"]]), errors="coerce").iloc[0]
            year = pd.to_numeric(pd.Series([b["year"]]), errors="coerce").iloc[0]
            rows.append(
                selection_check(
                    panel,
                    v,
                    weight=weight,
                    level=level_map.get(v),
                    benchmark_value=float(b["value"]),
                    benchmark_se=None if pd.isna(se) else float(se),
                    benchmark_source=None if pd.isna(b["source"]) else str(b["source"]),
                    benchmark_year=None if pd.isna(year) else int(year),
                    confidence_level=level,
                )
            )
        else:
            rows.append(
                selection_check(
                    panel,
                    v,
                    weight=weight,
                    level=level_map.get(v),
                    benchmark_df=benchmark_df,
                    benchmark_weight=benchmark_weight,
                    confidence_level=level,
                )
            )
    out = pd.concat(rows, ignore_index=True)
    p = out["p"].to_numpy(dtype=float)
    ok = ~np.isnan(p)
    holm = np.full(p.size, np.nan)
    if ok.any():
        holm[ok] = holm_adjust(p[ok])
    out["p_holm"] = holm
    return out
