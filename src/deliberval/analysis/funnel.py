"""Who stayed on the way? The composition of the selection funnel, and how selective it was.

:func:`funnel` follows the composition through the funnel stages (invited, volunteered,
selected, ...) against the population targets, with the tests of
:func:`deliberval.analysis.representativeness.representativeness` at every stage;
:func:`r_indicator` summarises how selective a response step (volunteering) was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from deliberval.analysis._common import check_confidence_level, require_columns, rng
from deliberval.analysis.representativeness import _composition, _prepare_targets
from deliberval.canonical import FUNNEL_STAGES
from deliberval.errors import AnalysisInputError

__all__ = ["FunnelResult", "funnel", "partial_r_indicators", "r_indicator"]

_SHORT_STAGES = ("invited", "volunteered", "selected", "attended", "answered")

R_INDICATOR_COLUMNS = [
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "confidence_level",
    "sd_propensity",
    "mean_propensity",
    "n",
    "n_resamples",
    "method",
]


@dataclass(frozen=True)
class FunnelResult:
    """Result of :func:`funnel`; every attribute is a tidy DataFrame.

    Attributes
    ----------
    funnel_stages : pandas.DataFrame
        One row per funnel stage: ``funnel_stage, n, retained, mean_absolute_deviation,
        mean_duncan, change_in_mean_duncan`` (``retained`` = n over the previous stage's n;
        ``mean_absolute_deviation`` a proportion, 0-1).
    dimensions : pandas.DataFrame
        ``funnel_stage, dimension, n, duncan, change_in_duncan, chisq_p_value,
        exact_p_value, exact_method, method``.
    categories : pandas.DataFrame
        ``funnel_stage, dimension, category, count, share, target_share, estimate, ci_low,
        ci_high, ratio, confidence_level, n, method``: as the ``categories`` table of
        :func:`~deliberval.analysis.representativeness.representativeness` (``estimate`` =
        share - target share, 0-1) at each stage.
    distortion : pandas.DataFrame
        Per dimension, the stage whose composition moved furthest from the targets:
        ``dimension, funnel_stage, change_in_duncan``.
    r_indicator : pandas.DataFrame
        :func:`r_indicator` of the second stage (e.g. volunteering) among the first (e.g.
        invited) on the dimensions; empty when fewer than two stages.
    """

    funnel_stages: pd.DataFrame
    dimensions: pd.DataFrame
    categories: pd.DataFrame
    distortion: pd.DataFrame
    r_indicator: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by its attribute name, for writers (CSV, XLSX sheets).

        Returns
        -------
        dict of str to pandas.DataFrame
            ``funnel_stages``, ``dimensions``, ``categories``, ``distortion``,
            ``r_indicator``.
        """
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _stage_mask(df: pd.DataFrame, column: str) -> np.ndarray:
    values = df[column]
    if values.isna().any():
        raise AnalysisInputError(f"stage column {column!r} has missing values; use True/False")
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(values) and values.isin([0, 1]).all():
        return values.to_numpy(dtype=float) == 1
    raise AnalysisInputError(f"stage column {column!r} must be boolean (or 0/1)")


def _logit_fitted(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, start: np.ndarray | None = None
) -> np.ndarray:
    """Fitted probabilities of a weighted logistic regression (Newton-Raphson / IRLS).

    The score equations are :math:`\\sum_i w_i x_i (y_i - \\mu_i) = 0`, as statsmodels' GLM
    with ``var_weights``; a pseudo-inverse keeps absent categories (all-zero columns or
    weights in a bootstrap resample) from stopping the fit, and separated categories drift
    to 0 or 1 as the maximum-likelihood fit does.
    """
    beta = np.zeros(x.shape[1]) if start is None else start.copy()
    for _ in range(100):
        eta = x @ beta
        mu = 1.0 / (1.0 + np.exp(-eta))
        v = w * mu * (1.0 - mu)
        step = np.linalg.pinv((x * v[:, None]).T @ x) @ (x.T @ (w * (y - mu)))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return 1.0 / (1.0 + np.exp(-(x @ beta)))


def _logit_beta(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Coefficients of :func:`_logit_fitted`'s fit (a warm start for the bootstrap)."""
    rho = np.clip(_logit_fitted(x, y, w), 1e-12, 1 - 1e-12)
    return np.linalg.lstsq(x, np.log(rho / (1 - rho)), rcond=None)[0]


def _r_value(rho: np.ndarray, d: np.ndarray) -> float:
    big_n = float(d.sum())
    mean = float(np.sum(d * rho) / big_n)
    return 1.0 - 2.0 * float(np.sqrt(np.sum(d * (rho - mean) ** 2) / (big_n - 1)))


def _pools(
    x: np.ndarray, y: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (covariate pattern, response, weight) rows and each unit's pool index."""
    keys = np.column_stack([x, y, d])
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    k = x.shape[1]
    return uniq[:, :k], uniq[:, k], uniq[:, -1], inverse.ravel()


def _r_pooled(ux: np.ndarray, uy: np.ndarray, ud: np.ndarray, pooled: np.ndarray) -> np.ndarray:
    """R-indicators of resamples given as unit counts per pool (resamples x pools)."""
    out = np.empty(pooled.shape[0])
    start = _logit_beta(ux, uy, ud * pooled.mean(axis=0)) if uy.min() < uy.max() else None
    for b, c in enumerate(pooled):
        keep = c > 0
        w = c[keep] * ud[keep]
        yb = uy[keep]
        if yb.min() == yb.max():
            out[b] = 1.0
            continue
        out[b] = _r_value(_logit_fitted(ux[keep], yb, w, start), w)
    return out


def _r_bootstrap(x: np.ndarray, y: np.ndarray, d: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """R-indicators of bootstrap resamples given as unit counts (resamples x units).

    Units with the same covariate pattern, response and weight are pooled first, so each
    resample is a small weighted fit whatever the number of invited.
    """
    ux, uy, ud, inverse = _pools(x, y, d)
    onehot = np.zeros((len(y), len(uy)))
    onehot[np.arange(len(y)), inverse] = 1.0
    return _r_pooled(ux, uy, ud, counts @ onehot)


def _propensity_inputs(
    df: pd.DataFrame, response: str, dimensions: Sequence[str], weight: str | None
) -> tuple[list[str], np.ndarray, pd.DataFrame, np.ndarray]:
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
    return dims, y, x, d


def _propensities(y: np.ndarray, x: pd.DataFrame, d: np.ndarray) -> np.ndarray:
    if y.min() == y.max():  # everybody (or nobody) responded: every propensity is the same
        return np.full(len(y), y[0])
    # the GLM module alone, not statsmodels.api (which loads tsa, graphics and formula)
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM

    model = GLM(y, x.to_numpy(), family=Binomial(), var_weights=d)
    return np.asarray(model.fit().fittedvalues, dtype=float)


def r_indicator(
    df: pd.DataFrame,
    response: str,
    dimensions: Sequence[str],
    *,
    weight: str | None = None,
    n_resamples: int = 0,
    seed: int | np.random.Generator | None = None,
    confidence_level: float = 0.95,
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
    n_resamples : int, default 0
        Bootstrap resamples for the standard error and interval; 0: point estimate only
        (``se``, ``ci_low``, ``ci_high`` missing).
    seed : int or numpy.random.Generator, optional
        Seed of the bootstrap.
    confidence_level : float, default 0.95
        Coverage of the percentile bootstrap interval.

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate`` (the R-indicator), ``se``, ``ci_low``, ``ci_high`` (bootstrap;
        missing without resamples), ``confidence_level``, ``sd_propensity``,
        ``mean_propensity``, ``n`` (rows of ``df``), ``n_resamples``, ``method``.

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

    *Standard error and interval*: a nonparametric bootstrap, not the analytic
    approximation of Shlomo, Skinner & Schouten (2012). Each resample draws ``n`` rows with
    replacement (with their weights), refits the propensity model and recomputes R; ``se`` is
    the standard deviation of the bootstrap R-indicators and the interval their central
    quantiles. Like the analytic approximation it accounts for the estimation of the
    propensity model; it treats the rows as an independent sample (no strata or clusters).
    :math:`\\hat S` is biased upwards in small samples (random variation of the fitted
    propensities), so R is biased downwards; Shlomo et al. give a bias adjustment, not
    applied here.

    Validated against R ``1 - 2 * sd(fitted(glm(..., family = binomial)))`` on ``apistrat``
    to 1e-8; the bootstrap R-indicators against R ``glm`` refitted on the same resamples
    (drawn by R, with and without design weights) to 1e-8.

    References
    ----------
    Schouten, B., Cobben, F., & Bethlehem, J. (2009). Indicators for the representativeness of
    survey response. *Survey Methodology*, 35(1), 101-113.
    Shlomo, N., Skinner, C., & Schouten, B. (2012). Estimation of an indicator of the
    representativeness of survey response. *Journal of Statistical Planning and Inference*,
    142(1), 201-211.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.funnel import r_indicator
    >>> df = pd.DataFrame({"age": ["young"] * 10 + ["old"] * 10,
    ...                    "volunteered": [True] * 2 + [False] * 8 + [True] * 6 + [False] * 4})
    >>> r_indicator(df, "volunteered", ["age"])[["estimate", "mean_propensity"]].round(4)
       estimate  mean_propensity
    0    0.5896              0.4
    >>> r_indicator(df, "volunteered", ["age"], n_resamples=500, seed=1)[
    ...     ["estimate", "se", "ci_low", "n_resamples"]].round(3)
       estimate     se  ci_low  n_resamples
    0      0.59  0.198   0.206          500
    """
    level = check_confidence_level(confidence_level)
    if (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, (int, np.integer))
        or (n_resamples < 0 or n_resamples == 1)
    ):
        raise AnalysisInputError(f"n_resamples must be 0 or an integer >= 2, got {n_resamples!r}")
    dims, y, x, d = _propensity_inputs(df, response, dimensions, weight)
    method = "logistic propensity on " + ", ".join(dims)
    if y.min() == y.max():
        method = "constant response (no model needed)"
    rho = _propensities(y, x, d)
    big_n = float(d.sum())
    mean = float(np.sum(d * rho) / big_n)
    sd = float(np.sqrt(np.sum(d * (rho - mean) ** 2) / (big_n - 1)))
    se = low = high = np.nan
    if n_resamples:
        gen = rng(seed)
        # drawing n rows with replacement = multinomial counts over the pools of equal rows
        ux, uy, ud, inverse = _pools(x.to_numpy(), y, d)
        sizes = np.bincount(inverse, minlength=len(uy))
        pooled = gen.multinomial(len(df), sizes / len(df), size=int(n_resamples))
        boot = _r_pooled(ux, uy, ud, pooled)
        alpha = (1.0 - level) / 2.0
        se = float(np.std(boot, ddof=1))
        low, high = (float(v) for v in np.quantile(boot, [alpha, 1.0 - alpha]))
        method += f"; percentile bootstrap interval, {int(n_resamples)} resamples"
    return pd.DataFrame(
        {
            "estimate": [1 - 2 * sd],
            "se": [se],
            "ci_low": [low],
            "ci_high": [high],
            "confidence_level": [level],
            "sd_propensity": [sd],
            "mean_propensity": [mean],
            "n": [len(df)],
            "n_resamples": [int(n_resamples)],
            "method": [method],
        }
    )


def partial_r_indicators(
    df: pd.DataFrame,
    response: str,
    dimensions: Sequence[str],
    *,
    weight: str | None = None,
) -> pd.DataFrame:
    """Unconditional partial R-indicators per dimension and per category.

    Parameters
    ----------
    df, response, dimensions, weight
        As in :func:`r_indicator` (the same propensity model).

    Returns
    -------
    pandas.DataFrame
        One row per dimension (``category`` missing) followed by one row per category of it:
        ``dimension``, ``category``, ``level`` (``"variable"`` or ``"category"``),
        ``estimate`` (the partial R-indicator), ``mean_propensity`` (the category's mean
        propensity; the overall mean on variable rows), ``count`` (rows in the category;
        ``n`` on variable rows), ``n``, ``method``.

    Notes
    -----
    Schouten, Shlomo & Skinner (2011): with the fitted propensities :math:`\\hat\\rho_i` of
    :func:`r_indicator`, category :math:`k` of dimension :math:`Z` with weighted size
    :math:`N_k = \\sum_{i \\in k} d_i` and mean propensity :math:`\\bar\\rho_k`,

    * category level :math:`P_U(Z, k) = \\sqrt{N_k / N}\\,(\\bar\\rho_k - \\bar\\rho)`: signed,
      negative for under-represented categories;
    * variable level :math:`P_U(Z) = \\sqrt{\\sum_k (N_k / N)(\\bar\\rho_k - \\bar\\rho)^2}`,
      the between-category standard deviation of the propensities: the larger, the more
      this dimension drives selective response.

    Validated against the formulas computed in R from ``glm`` fitted values on ``apistrat``
    (with and without design weights) to 1e-8.

    References
    ----------
    Schouten, B., Shlomo, N., & Skinner, C. (2011). Indicators for monitoring and improving
    representativeness of response. *Journal of Official Statistics*, 27(2), 231-253.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.funnel import partial_r_indicators
    >>> df = pd.DataFrame({"age": ["young"] * 10 + ["old"] * 10,
    ...                    "volunteered": [True] * 2 + [False] * 8 + [True] * 6 + [False] * 4})
    >>> partial_r_indicators(df, "volunteered", ["age"])[
    ...     ["dimension", "category", "estimate", "count"]].round(4)
      dimension category  estimate  count
    0       age      NaN    0.2000     20
    1       age      old    0.1414     10
    2       age    young   -0.1414     10
    """
    dims, y, x, d = _propensity_inputs(df, response, dimensions, weight)
    rho = _propensities(y, x, d)
    big_n = float(d.sum())
    mean = float(np.sum(d * rho) / big_n)
    method = (
        "unconditional partial R-indicator (Schouten, Shlomo & Skinner 2011); logistic "
        "propensity on " + ", ".join(dims)
    )
    rows: list[dict[str, object]] = []
    for dim in dims:
        codes = df[dim].astype(str).to_numpy()
        cats = sorted(pd.unique(codes))
        cat_rows = []
        between = 0.0
        for cat in cats:
            inside = codes == cat
            nk = float(d[inside].sum())
            mk = float(np.sum(d[inside] * rho[inside]) / nk)
            between += nk / big_n * (mk - mean) ** 2
            cat_rows.append(
                {
                    "dimension": dim,
                    "category": cat,
                    "level": "category",
                    "estimate": float(np.sqrt(nk / big_n) * (mk - mean)),
                    "mean_propensity": mk,
                    "count": int(inside.sum()),
                    "n": len(df),
                    "method": method,
                }
            )
        rows.append(
            {
                "dimension": dim,
                "category": np.nan,
                "level": "variable",
                "estimate": float(np.sqrt(between)),
                "mean_propensity": mean,
                "count": len(df),
                "n": len(df),
                "method": method,
            }
        )
        rows.extend(cat_rows)
    return pd.DataFrame(rows)


def funnel(
    df: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    funnel_stages: Sequence[str] | None = None,
    dimensions: Sequence[str] | None = None,
    population_id: str | None = None,
    confidence_level: float = 0.95,
    ci_method: str = "wilson",
    tolerance: float = 0.01,
    max_outcomes: int = 200_000,
    n_resamples: int = 10_000,
    seed: int | np.random.Generator | None = None,
) -> FunnelResult:
    """Composition at each selection stage against the targets, and where distortion enters.

    Parameters
    ----------
    df : pandas.DataFrame
        The members / selection table: one row per person ever in the funnel, one boolean
        (or 0/1) column per funnel stage and one column per dimension.
    targets : pandas.DataFrame
        Canonical targets table (see
        :func:`~deliberval.analysis.representativeness.representativeness`).
    funnel_stages : sequence of str, optional
        Stage columns in funnel order; default :data:`deliberval.canonical.FUNNEL_STAGES`
        (``invited, volunteered, selected, attended_all, answered_post``), or ``invited,
        volunteered, selected, attended, answered`` when those are the columns present. A
        person is at stage *k* when true for stages 1..*k* (someone who answered the post
        survey without attending every session is not in the last stage).
    dimensions, population_id, confidence_level, ci_method, tolerance
        As in :func:`~deliberval.analysis.representativeness.representativeness`.
    max_outcomes, n_resamples, seed
        Exact multinomial test settings (smaller defaults than
        :func:`~deliberval.analysis.representativeness.representativeness` because the early
        stages are large; they then use ``n_resamples`` Monte Carlo draws).

    Returns
    -------
    FunnelResult
        ``.funnel_stages``, ``.dimensions``, ``.categories``, ``.distortion`` and
        ``.r_indicator`` (see the class for their columns). Shares and differences are
        proportions (0-1).

    Notes
    -----
    The change in Duncan's index from one stage to the next shows where the composition moves
    away from (positive) or towards (negative) the population. The R-indicator is computed for
    the second stage among the first (volunteering among the invited) with the dimensions as
    auxiliary variables. Empty target categories at a stage do not warn here (small stages
    routinely miss categories); they show as ``count`` 0.

    References
    ----------
    Schouten, B., Cobben, F., & Bethlehem, J. (2009). Indicators for the representativeness of
    survey response. *Survey Methodology*, 35(1), 101-113.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.funnel import funnel
    >>> targets = pd.DataFrame({"dimension": "demo_education",
    ...                         "category": ["low", "high"], "share": [0.6, 0.4]})
    >>> members = pd.DataFrame({
    ...     "demo_education": ["low"] * 60 + ["high"] * 40,
    ...     "invited": True,
    ...     "volunteered": [True] * 12 + [False] * 48 + [True] * 20 + [False] * 20,
    ...     "selected": [True] * 6 + [False] * 54 + [True] * 10 + [False] * 30})
    >>> res = funnel(members, targets, funnel_stages=["invited", "volunteered", "selected"])
    >>> res.funnel_stages[["funnel_stage", "n", "mean_duncan", "change_in_mean_duncan"]].round(3)
      funnel_stage    n  mean_duncan  change_in_mean_duncan
    0      invited  100        0.000                    NaN
    1  volunteered   32        0.225                  0.225
    2     selected   16        0.225                  0.000
    """
    level = check_confidence_level(confidence_level)
    if ci_method not in ("wilson", "exact"):
        raise AnalysisInputError(f"ci_method must be 'wilson' or 'exact', got {ci_method!r}")
    if not isinstance(df, pd.DataFrame):
        raise AnalysisInputError(f"df must be a DataFrame, got {type(df).__name__}")
    if funnel_stages is None:
        funnel_stages = next(
            (c for c in (FUNNEL_STAGES, _SHORT_STAGES) if all(x in df.columns for x in c)),
            FUNNEL_STAGES,
        )
    stage_list = list(funnel_stages)
    if not stage_list:
        raise AnalysisInputError("give at least one funnel stage column")
    require_columns(df, stage_list, what="members")
    prepared = _prepare_targets(
        targets, population_id=population_id, dimensions=dimensions, tolerance=tolerance
    )
    require_columns(df, prepared, what="members")
    exact_kw: dict[str, object] = {
        "max_outcomes": max_outcomes,
        "n_resamples": n_resamples,
        "seed": seed,
    }
    at_stage = np.ones(len(df), dtype=bool)
    stage_rows, dim_frames, cat_frames = [], [], []
    prev_n: int | None = None
    prev_duncan: pd.Series | None = None
    for stage in stage_list:
        at_stage = at_stage & _stage_mask(df, stage)
        subset = df.loc[at_stage]
        n = int(at_stage.sum())
        if n == 0:
            raise AnalysisInputError(f"nobody reached funnel stage {stage!r}")
        cats, dims = _composition(
            subset, prepared, level=level, ci_method=ci_method, exact_kw=exact_kw, warn=False
        )
        duncan = dims.set_index("dimension")["duncan"]
        change = duncan - prev_duncan if prev_duncan is not None else duncan * np.nan
        dim_frames.append(
            pd.DataFrame(
                {
                    "funnel_stage": stage,
                    "dimension": dims["dimension"],
                    "n": dims["n"],
                    "duncan": dims["duncan"],
                    "change_in_duncan": change.reindex(dims["dimension"]).to_numpy(),
                    "chisq_p_value": dims["chisq_p_value"],
                    "exact_p_value": dims["exact_p_value"],
                    "exact_method": dims["exact_method"],
                    "method": dims["method"],
                }
            )
        )
        cat_frames.append(cats.assign(funnel_stage=stage))
        mean_d = float(dims["duncan"].mean())
        stage_rows.append(
            {
                "funnel_stage": stage,
                "n": n,
                "retained": n / prev_n if prev_n else np.nan,
                "mean_absolute_deviation": float(cats["estimate"].abs().mean()),
                "mean_duncan": mean_d,
                "change_in_mean_duncan": (
                    mean_d - float(prev_duncan.mean()) if prev_duncan is not None else np.nan
                ),
            }
        )
        prev_n, prev_duncan = n, duncan
    dim_table = pd.concat(dim_frames, ignore_index=True)
    categories = pd.concat(cat_frames, ignore_index=True)
    categories = categories[
        ["funnel_stage", *[c for c in categories.columns if c != "funnel_stage"]]
    ]
    changes = dim_table.dropna(subset=["change_in_duncan"])
    if changes.empty:
        distortion = pd.DataFrame(columns=["dimension", "funnel_stage", "change_in_duncan"])
    else:
        top = changes.loc[changes.groupby("dimension", sort=False)["change_in_duncan"].idxmax()]
        distortion = top[["dimension", "funnel_stage", "change_in_duncan"]].reset_index(drop=True)
    if len(stage_list) >= 2:
        first = df.loc[_stage_mask(df, stage_list[0])]
        complete = first.dropna(subset=list(prepared))
        rind = r_indicator(complete, stage_list[1], list(prepared))
    else:
        rind = pd.DataFrame(columns=R_INDICATOR_COLUMNS)
    return FunnelResult(
        funnel_stages=pd.DataFrame(stage_rows),
        dimensions=dim_table,
        categories=categories,
        distortion=distortion,
        r_indicator=rind,
    )
