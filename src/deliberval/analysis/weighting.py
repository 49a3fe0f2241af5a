"""Weights: raking (iterative proportional fitting), trimming, Kish's design effect.

Raking is written here rather than taken from a library because deliberval needs (a) R
``survey::rake`` numbers to 1e-6, (b) convergence diagnostics in a tidy table and (c) clear
errors for inconsistent margins or empty categories; the algorithm itself is a few lines.
:func:`rake` takes the package's canonical targets table (``dimension, category, share``).
:func:`trim_weights`, :func:`design_effect` and :func:`effective_n` are array helpers: they
take a sequence of weights, not a DataFrame.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from deliberval.analysis._common import require_columns, select_population
from deliberval.errors import AnalysisInputError, DelibervalWarning

__all__ = [
    "RakeResult",
    "RakingConvergenceWarning",
    "design_effect",
    "effective_n",
    "rake",
    "trim_weights",
]


class RakingConvergenceWarning(DelibervalWarning):
    """Raking stopped at ``max_iter`` before the margins were met within ``tol``."""


@dataclass(frozen=True)
class RakeResult:
    """Result of :func:`rake`.

    Attributes
    ----------
    weights : pandas.Series
        Raked weights, aligned with the input rows (same index), named ``weight``.
    margins : pandas.DataFrame
        One row per dimension x category: ``dimension, category, target, initial, achieved,
        error`` (weighted totals before and after raking, ``error = achieved - target``; with
        share targets the totals are shares).
    diagnostics : pandas.DataFrame
        One row: ``iterations, converged, max_margin_error, max_relative_error, tol, n,
        design_effect, effective_n, method``.
    dimensions : tuple of str
        The raking dimensions (columns of the data), in order (pass them to
        ``survey_mean(calibrated_on=...)``).
    """

    weights: pd.Series
    margins: pd.DataFrame
    diagnostics: pd.DataFrame
    dimensions: tuple[str, ...]

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result's tables by name (``weights`` as a one-column frame, ``margins``,
        ``diagnostics``), for writers."""
        return {"weights": self.weights.to_frame(), "margins": self.margins,
                "diagnostics": self.diagnostics}


def _weights_array(df: pd.DataFrame, weight: str | None) -> np.ndarray:
    if weight is None:
        return np.ones(len(df))
    require_columns(df, [weight], what="data")
    w = pd.to_numeric(df[weight], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(w).any() or (w < 0).any() or not np.isfinite(w).all():
        raise AnalysisInputError(
            f"weight column {weight!r} must hold finite, non-negative numbers; found missing, "
            "negative or infinite values"
        )
    return w


def _targets_table(
    targets: Mapping[str, Mapping[object, float]] | pd.DataFrame,
    *,
    dimensions: Sequence[str] | None,
    population_id: str | None,
    tolerance: float,
) -> pd.DataFrame:
    """The raking targets as ``dimension, category, target`` rows, dimensions in order."""
    value: str | None = None
    if isinstance(targets, pd.DataFrame):
        if "share" in targets.columns:
            value = "share"
        elif "target" in targets.columns:
            value = "target"
        if "dimension" not in targets.columns or value is None:
            hint = (" (rename the old column variable to dimension)"
                    if "variable" in targets.columns else "")
            raise AnalysisInputError(
                "targets must have columns dimension, category and share (the canonical targets "
                f"table) or target (population totals){hint}; found {list(targets.columns)}"
            )
        require_columns(targets, ["dimension", "category"], what="targets")
        t = select_population(targets, population_id)
        table = pd.DataFrame({"dimension": t["dimension"].astype(str),
                              "category": t["category"], "target": t[value]})
    elif isinstance(targets, Mapping):
        if population_id is not None:
            raise AnalysisInputError("population_id applies to a targets table, not a mapping")
        value = "target"
        rows = [
            (str(dim), cat, val)
            for dim, cats in targets.items()
            for cat, val in dict(cats).items()
        ]
        table = pd.DataFrame(rows, columns=["dimension", "category", "target"])
    else:
        raise AnalysisInputError(
            "targets must be the canonical targets table (dimension, category, share) or a "
            f"mapping {{dimension: {{category: population total}}}}; got {type(targets).__name__}"
        )
    available = list(dict.fromkeys(table["dimension"]))
    if dimensions is None:
        # intersections (``a*b``) of the canonical table are not raked on unless asked for
        chosen = [d for d in available if "*" not in d]
    else:
        chosen = [str(d) for d in dimensions]
        unknown = [d for d in chosen if d not in available]
        if unknown:
            raise AnalysisInputError(f"targets have no dimension(s) {unknown}; found {available}")
        if len(set(chosen)) != len(chosen):
            raise AnalysisInputError(f"dimensions names a dimension more than once: {chosen}")
    table = pd.concat([table.loc[table["dimension"] == d] for d in chosen], ignore_index=True)
    if table.empty:
        raise AnalysisInputError("targets are empty; give at least one dimension to rake on")
    table["target"] = pd.to_numeric(table["target"], errors="coerce")
    if table["target"].isna().any() or (table["target"] < 0).any():
        raise AnalysisInputError("targets must be non-negative numbers")
    dup = table.duplicated(["dimension", "category"])
    if dup.any():
        first = table.loc[dup].iloc[0]
        raise AnalysisInputError(
            f"targets of {first['dimension']!r} list category {first['category']!r} more than once"
        )
    if value == "share":
        if (table["target"] > 1).any():
            raise AnalysisInputError("target shares must lie between 0 and 1")
        total = table.groupby("dimension", sort=False)["target"].transform("sum")
        off = (total - 1).abs() > tolerance + 1e-12  # 0.99 is within 0.01 despite floats
        if off.any():
            dim = table.loc[off, "dimension"].iloc[0]
            raise AnalysisInputError(
                f"target shares of {dim!r} sum to {float(total[off].iloc[0]):.6g}, not 1 "
                f"(tolerance {tolerance:g}); fix the targets or add the missing categories"
            )
        table["target"] = table["target"] / total  # published tables round: rescale to 1
    return table


def rake(
    df: pd.DataFrame,
    targets: pd.DataFrame | Mapping[str, Mapping[object, float]],
    *,
    weight: str | None = None,
    dimensions: Sequence[str] | None = None,
    population_id: str | None = None,
    tolerance: float = 0.01,
    max_iter: int = 100,
    tol: float = 1e-10,
    margin_tolerance: float = 1e-6,
) -> RakeResult:
    """Rake weights to population margins by iterative proportional fitting.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent, with one column per raking dimension (and ``weight``).
    targets : pandas.DataFrame or mapping
        The canonical population targets table, ``dimension, category, share`` (optionally
        ``population_id, source, year``; the table :func:`deliberval.representativeness`
        takes): each dimension names a column of ``df``. A table with ``target`` (population
        totals) instead of ``share`` is accepted too, and so is a mapping of totals or shares
        ``{"stype": {"E": 4421, "H": 755, "M": 1018}, ...}``. With shares the weights sum to
        1; multiply them by the population size yourself if you want totals.
    weight : str, optional
        Column of starting (design) weights; equal weights of 1 when omitted.
    dimensions : sequence of str, optional
        The dimensions of ``targets`` to rake on, in order. Default: every dimension of
        ``targets`` except two-way intersections (``demo_gender*demo_age_band``).
    population_id : str, optional
        The population to use when ``targets`` holds several (its ``population_id`` column).
    tolerance : float, default 0.01
        Shares (a ``share`` column) of a dimension may sum to 1 +/- this, as published tables
        round (the canonical targets schema allows the same); they are divided by their sum.
        Beyond it an error is raised.
    max_iter : int, default 100
        Maximum number of full sweeps over the margins.
    tol : float, default 1e-10
        Convergence when every margin total is within ``tol`` (relative to the grand total)
        of its target after a sweep.
    margin_tolerance : float, default 1e-6
        Margins whose grand totals differ by more than this (relative) are inconsistent and
        raise; IPF cannot meet them all.

    Returns
    -------
    RakeResult
        ``.weights`` (Series aligned with ``df``, named ``weight``), ``.margins``
        (``dimension, category, target, initial, achieved, error``), ``.diagnostics`` (one
        row: ``iterations, converged, max_margin_error, max_relative_error, tol, n,
        design_effect, effective_n, method``) and ``.dimensions``.

    Raises
    ------
    AnalysisInputError
        Missing columns, missing values in a raking dimension, a category in the data with no
        target, a target category with a positive target but no respondents (IPF cannot put
        weight where nobody is), shares that do not sum to 1 within ``tolerance``, several
        populations without ``population_id``, or margins with different grand totals.

    Notes
    -----
    Each sweep multiplies, for every raking variable in turn, the weights of the respondents in
    category :math:`c` by :math:`T_c / \\hat T_c` (target over current weighted total), as R's
    ``survey::rake`` does with repeated ``postStratify``. A warning
    (:class:`RakingConvergenceWarning`) is issued when ``max_iter`` sweeps do not converge.

    Validated against R ``survey::rake`` (survey 4.1.1) on ``apiclus1`` with margins ``stype``
    and ``sch.wide``: weights agree to 1e-6 (population totals and the same margins as a
    canonical share table).

    References
    ----------
    Deming, W. E., & Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency
    table when the expected marginal totals are known. *Annals of Mathematical Statistics*,
    11(4), 427-444.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.weighting import rake
    >>> df = pd.DataFrame({"gender": ["woman", "woman", "man", "man", "man"],
    ...                    "age": ["young", "old", "young", "old", "old"]})
    >>> targets = pd.DataFrame({"dimension": ["gender", "gender", "age", "age"],
    ...                         "category": ["woman", "man", "young", "old"],
    ...                         "share": [0.5, 0.5, 0.4, 0.6]})
    >>> res = rake(df, targets)
    >>> res.weights.round(4).tolist()
    [0.2411, 0.2589, 0.1589, 0.1706, 0.1706]
    >>> res.margins[["dimension", "category", "target", "achieved"]].round(4)
      dimension category  target  achieved
    0    gender    woman     0.5       0.5
    1    gender      man     0.5       0.5
    2       age    young     0.4       0.4
    3       age      old     0.6       0.6
    >>> bool(res.diagnostics.loc[0, "converged"])
    True
    """
    if not isinstance(df, pd.DataFrame):
        raise AnalysisInputError(f"data must be a pandas DataFrame, got {type(df).__name__}")
    if len(df) == 0:
        raise AnalysisInputError("data has no rows; nothing to rake")
    table = _targets_table(targets, dimensions=dimensions, population_id=population_id,
                           tolerance=tolerance)
    variables = tuple(dict.fromkeys(table["dimension"]))
    require_columns(df, variables, what="data")
    w0 = _weights_array(df, weight)
    w = w0.copy()

    totals = table.groupby("dimension", sort=False)["target"].sum()
    grand = float(totals.iloc[0])
    if grand <= 0:
        raise AnalysisInputError("margin targets sum to 0; give population totals or shares")
    spread = float((totals - grand).abs().max()) / grand
    if spread > margin_tolerance:
        shown = ", ".join(f"{v}: {t:g}" for v, t in totals.items())
        raise AnalysisInputError(
            f"margins are inconsistent: their totals differ ({shown}); every margin must sum to "
            "the same population total (or to 1 for shares)"
        )

    codes: list[tuple[np.ndarray, np.ndarray]] = []
    for var in variables:
        values = df[var]
        if values.isna().any():
            raise AnalysisInputError(
                f"raking dimension {var!r} has {int(values.isna().sum())} missing value(s); "
                "impute or drop those rows first"
            )
        sub = table.loc[table["dimension"] == var]
        cats = list(sub["category"])
        lookup = {str(c): i for i, c in enumerate(cats)}
        # factorize once (vectorised) and map the few distinct labels, not every row
        row_code, distinct = pd.factorize(values.astype(str))
        labels = [str(u) for u in distinct]
        unknown = sorted(set(labels) - set(lookup))
        if unknown:
            raise AnalysisInputError(
                f"raking dimension {var!r} has categories {unknown} with no margin; targets give "
                f"{[str(c) for c in cats]}"
            )
        idx = np.array([lookup[u] for u in labels], dtype=np.intp)[row_code]
        target = sub["target"].to_numpy(dtype=float)
        counts = np.bincount(idx, weights=w0, minlength=len(cats))
        empty = [str(c) for c, t, k in zip(cats, target, counts, strict=True) if t > 0 and k <= 0]
        if empty:
            raise AnalysisInputError(
                f"raking dimension {var!r}: categories {empty} have a positive population total "
                "but no respondents (or zero weight); collapse them with a neighbouring category"
            )
        codes.append((idx, target))

    def sweep_error(weights: np.ndarray) -> float:
        return max(
            float(np.max(np.abs(np.bincount(i, weights=weights, minlength=len(t)) - t)))
            for i, t in codes
        )

    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - used after the loop
        for idx, target in codes:
            current = np.bincount(idx, weights=w, minlength=len(target))
            factor = np.divide(target, current, out=np.zeros_like(target), where=current > 0)
            w = w * factor[idx]
        if sweep_error(w) <= tol * grand:
            converged = True
            break
    if not converged:
        warnings.warn(
            f"raking did not converge after {max_iter} sweeps (largest margin error "
            f"{sweep_error(w):.3g}); the margins may be nearly incompatible with the sample",
            RakingConvergenceWarning,
            stacklevel=2,
        )

    rows = []
    for var, (idx, target) in zip(variables, codes, strict=True):
        before = np.bincount(idx, weights=w0, minlength=len(target))
        after = np.bincount(idx, weights=w, minlength=len(target))
        cats = table.loc[table["dimension"] == var, "category"].tolist()
        for c, t, b, a in zip(cats, target, before, after, strict=True):
            rows.append((var, c, t, b, a, a - t))
    margins_out = pd.DataFrame(
        rows, columns=["dimension", "category", "target", "initial", "achieved", "error"]
    )
    max_err = float(margins_out["error"].abs().max())
    diagnostics = pd.DataFrame(
        {
            "iterations": [iterations],
            "converged": [converged],
            "max_margin_error": [max_err],
            "max_relative_error": [max_err / grand],
            "tol": [tol],
            "n": [len(df)],
            "design_effect": [design_effect(w)],
            "effective_n": [effective_n(w)],
            "method": [f"raking (iterative proportional fitting) to {len(variables)} margin(s)"],
        }
    )
    weights_out = pd.Series(w, index=df.index, name="weight")
    return RakeResult(weights_out, margins_out, diagnostics, variables)


def _as_weight_array(weights: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0:
        raise AnalysisInputError("weights must be a non-empty one-dimensional sequence")
    if not np.isfinite(w).all() or (w < 0).any():
        raise AnalysisInputError("weights must be finite and non-negative")
    if w.sum() <= 0:
        raise AnalysisInputError("weights sum to 0")
    return w


def design_effect(weights: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Kish's design effect due to unequal weighting (an array helper).

    Parameters
    ----------
    weights : sequence of float
        Non-negative weights.

    Returns
    -------
    float
        :math:`\\text{deff} = n \\sum w_i^2 / (\\sum w_i)^2 = 1 + \\text{CV}^2(w)` (population
        CV). 1 for equal weights.

    Notes
    -----
    Kish's approximation :math:`\\text{deff} = n \\sum w_i^2 / (\\sum w_i)^2`: the variance
    inflation of a weighted mean when the weights are unrelated to the outcome. It ignores
    clustering and stratification; :func:`deliberval.survey_mean` gives design-based SEs.

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. Wiley. Section 11.7.

    Examples
    --------
    >>> from deliberval.analysis.weighting import design_effect
    >>> design_effect([1, 1, 2, 4])
    1.375
    """
    w = _as_weight_array(weights)
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def effective_n(weights: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Kish's effective sample size :math:`(\\sum w_i)^2 / \\sum w_i^2 = n / \\text{deff}` (an
    array helper).

    Parameters
    ----------
    weights : sequence of float
        Non-negative weights.

    Returns
    -------
    float
        The number of equally weighted respondents giving the same precision.

    Notes
    -----
    :math:`n_{\\text{eff}} = (\\sum w_i)^2 / \\sum w_i^2 = n / \\text{deff}` with ``deff`` from
    :func:`design_effect`; equal to ``n`` for equal weights. It measures the precision lost to
    unequal weighting only (not to clustering or stratification).

    References
    ----------
    Kish, L. (1965). *Survey Sampling*. Wiley. Section 11.7.

    Examples
    --------
    >>> from deliberval.analysis.weighting import effective_n
    >>> round(effective_n([1, 1, 2, 4]), 4)
    2.9091
    """
    w = _as_weight_array(weights)
    return float(np.sum(w) ** 2 / np.sum(w**2))


def trim_weights(
    weights: Sequence[float] | np.ndarray | pd.Series,
    *,
    upper: float | None = 5.0,
    lower: float | None = None,
    relative: bool = True,
    max_iter: int = 100,
) -> pd.Series:
    """Trim extreme weights and spread the trimmed amount over the others (an array helper).

    Parameters
    ----------
    weights : sequence of float
        Non-negative weights (a Series keeps its index).
    upper, lower : float, optional
        Caps. With ``relative=True`` (default) they are multiples of the mean weight
        (``upper=5`` caps at five times the mean); otherwise absolute values.
    relative : bool, default True
        Whether ``upper`` and ``lower`` are multiples of the mean weight.
    max_iter : int, default 100
        Rounds of cap-and-redistribute (redistribution can push other weights over the cap).

    Returns
    -------
    pandas.Series
        Trimmed weights with the same total as the input, named ``weight``.

    Notes
    -----
    Each round sets weights above ``upper`` to ``upper`` and below ``lower`` to ``lower``, then
    rescales the untouched weights so the total is unchanged; rounds repeat until no weight
    breaks a cap. Trimming trades bias for variance and breaks exact calibration: rake again
    afterwards if the margins must hold. Caps that cannot hold together with the total raise.

    References
    ----------
    Potter, F. J. (1990). A study of procedures to identify and trim extreme sampling weights.
    *Proceedings of the Survey Research Methods Section, American Statistical Association*,
    225-230.

    Examples
    --------
    >>> from deliberval.analysis.weighting import trim_weights
    >>> trim_weights([1, 1, 1, 1, 16], upper=2).round(4).tolist()
    [3.0, 3.0, 3.0, 3.0, 8.0]
    >>> trim_weights([1, 1, 1, 1, 16], upper=10, relative=False).tolist()
    [2.5, 2.5, 2.5, 2.5, 10.0]
    """
    index = weights.index if isinstance(weights, pd.Series) else None
    w = _as_weight_array(weights).copy()
    total = float(w.sum())
    scale = total / w.size if relative else 1.0
    hi = math.inf if upper is None else float(upper) * scale
    lo = 0.0 if lower is None else float(lower) * scale
    if lo > hi:
        raise AnalysisInputError(f"lower cap ({lo:g}) is above upper cap ({hi:g})")
    if hi * w.size < total or lo * w.size > total:
        raise AnalysisInputError(
            "the caps cannot hold while keeping the weights' total; loosen upper or lower"
        )
    fixed = np.zeros(w.size, dtype=bool)
    for _ in range(max_iter):
        over = ~fixed & (w > hi * (1 + 1e-12))
        under = ~fixed & (w < lo * (1 - 1e-12)) & (w > 0)
        if not over.any() and not under.any():
            break
        w[over] = hi
        w[under] = lo
        fixed |= over | under
        free = ~fixed
        remaining = total - w[fixed].sum()
        if free.any() and w[free].sum() > 0:
            w[free] *= remaining / w[free].sum()
    return pd.Series(w, index=index, name="weight")
