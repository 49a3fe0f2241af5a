"""Comparing processes: a random-intercept mixed model with design features as fixed effects."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.mixed_linear_model import MixedLM

from deliberval.analysis._common import check_confidence_level, require_columns
from deliberval.errors import AnalysisInputError

__all__ = ["ComparisonResult", "compare_processes"]

_METHOD = "linear mixed model, random intercept per process, REML"


@dataclass(frozen=True)
class ComparisonResult:
    """Result of :func:`compare_processes`.

    Attributes
    ----------
    coefficients : DataFrame
        Fixed effects: ``term``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``statistic``
        (Wald z), ``p_value``, ``confidence_level``, ``n`` (observations used), ``method``.
    variance_components : DataFrame
        ``model`` (``"null"`` or ``"full"``), ``component`` (``"process"`` or ``"residual"``),
        ``variance``, ``sd``, ``icc`` (process variance over total, same on both rows),
        ``n`` (observations used) and ``method``.
    icc : float
        Intraclass correlation of the outcome between processes, from the null model.
    n, n_processes : int
        Observations (respondents) and processes used.
    warnings : tuple of str
        Warnings raised by the optimiser (e.g. a process variance at the boundary of 0).
    """

    coefficients: pd.DataFrame
    variance_components: pd.DataFrame
    icc: float
    n: int
    n_processes: int
    warnings: tuple[str, ...] = field(default=())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result's tables by name (``coefficients``, ``variance_components``), for writers."""
        return {"coefficients": self.coefficients,
                "variance_components": self.variance_components}


def _design(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    parts = [pd.Series(1.0, index=df.index, name="(Intercept)")]
    for c in columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            parts.append(s.astype("float64").rename(c))
        else:
            dummies = pd.get_dummies(s.astype(str), prefix=c, prefix_sep="", drop_first=True)
            parts.append(dummies.astype("float64"))
    return pd.concat(parts, axis=1)


def _fixed_se(x: np.ndarray, groups: np.ndarray, tau2: float, sigma2: float) -> np.ndarray:
    """SEs of the fixed effects given the variance components, as ``vcov()`` of ``lme4``.

    ``Var(b) = (sum_j X_j' V_j^-1 X_j)^-1`` with ``V_j = sigma^2 I + tau^2 1 1'``, whose inverse
    is ``(I - tau^2 / (sigma^2 + n_j tau^2) 1 1') / sigma^2``. Computed here because
    statsmodels' ``bse_fe`` inverts the joint observed information of fixed effects and
    variance parameters, which differs from lme4 and fails at a zero process variance.
    """
    info = np.zeros((x.shape[1], x.shape[1]))
    for g in np.unique(groups):
        xg = x[groups == g]
        s = xg.sum(axis=0)
        info += (xg.T @ xg - tau2 / (sigma2 + xg.shape[0] * tau2) * np.outer(s, s)) / sigma2
    return np.sqrt(np.diag(np.linalg.inv(info)))


def _fit(y: np.ndarray, x: pd.DataFrame, groups: np.ndarray, caught: list[str]) -> Any:
    """REML fit keeping the best of several optimisers.

    A single optimiser can stop at a poor point while reporting convergence (L-BFGS does
    on some designs), so BFGS, L-BFGS and Powell are all run and the fit with the highest
    restricted log-likelihood is kept; only its warnings are reported.
    """
    best: Any = None
    best_msgs: list[str] = []
    for method in ("bfgs", "lbfgs", "powell"):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            try:
                fit = MixedLM(y, x.to_numpy(), groups=groups).fit(reml=True, method=method)
            except (np.linalg.LinAlgError, ValueError):
                continue
        if not np.isfinite(fit.llf):
            continue
        if best is None or fit.llf > best.llf + 1e-10:
            best, best_msgs = fit, sorted({str(w.message) for w in rec})
    if best is None:
        raise AnalysisInputError("the mixed model could not be fitted by any optimiser")
    caught.extend(best_msgs)
    return best


def compare_processes(
    df: pd.DataFrame,
    outcome: str,
    *,
    process: str = "process_id",
    features: Sequence[str] = (),
    confidence_level: float = 0.95,
) -> ComparisonResult:
    """Mixed model of an outcome across processes: random intercept per process, fixed features.

    Parameters
    ----------
    df : DataFrame
        One row per respondent (e.g. post-wave scores or individual changes) with a process
        column and process-level design features merged in (duration, number of sessions,
        share of politicians, remuneration, a legal duty to respond, ...).
    outcome : str
        Numeric outcome column.
    process : str
        Process identifier column (the grouping factor).
    features : sequence of str
        Fixed-effect columns; numeric and boolean columns enter as they are, text columns as
        treatment-coded dummies (first level in sorted order as reference).
    confidence_level : float
        Coverage of the Wald intervals.

    Returns
    -------
    ComparisonResult
        Tidy ``coefficients`` (``term, estimate, se, ci_low, ci_high, statistic, p_value,
        confidence_level, n, method``) and ``variance_components`` (``model, component,
        variance, sd, icc, n, method``) tables, the null-model ``icc`` and the sample sizes
        ``n`` and ``n_processes`` (see :class:`ComparisonResult`).

    Raises
    ------
    AnalysisInputError
        If columns are missing, the outcome is not numeric, fewer than three processes remain
        after dropping incomplete rows, or the design is rank deficient (e.g. more features
        than processes can identify).

    Notes
    -----
    ``y_ij = x_j' b + u_j + e_ij`` with ``u_j ~ N(0, tau^2)``, ``e_ij ~ N(0, sigma^2)``, fitted
    by REML with :class:`statsmodels.regression.mixed_linear_model.MixedLM` (the default of
    ``lme4::lmer``). The ICC ``tau^2 / (tau^2 + sigma^2)`` comes from the null model ``y ~ 1 +
    (1 | process)``; the ``full`` rows give the residual ICC after the features. ``p_value``
    are Wald z tests (``statistic`` is z) (``estimate / se`` against the standard normal) and intervals are
    ``estimate -/+ z se``, with ``se`` from ``(X' V^-1 X)^-1`` at the REML variance components
    (as ``vcov()`` in lme4; see ``_fixed_se`` for why it is computed here); with few processes
    these are liberal (Kenward-Roger or Satterthwaite df, as in ``lmerTest``, are wider). Rows
    with a missing outcome, process or feature are dropped.

    Validated against R ``lme4::lmer(REML = TRUE)`` to 1e-4 (tests/reference/change).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from deliberval.analysis.comparison import compare_processes
    >>> rng = np.random.default_rng(1)
    >>> proc = np.repeat(np.arange(8), 25)
    >>> sessions = np.repeat([2, 3, 4, 5, 6, 7, 8, 9], 25)
    >>> y = 0.2 * sessions + rng.normal(0, 0.3, 8)[proc] + rng.normal(0, 1, 200)
    >>> df = pd.DataFrame({"process_id": proc, "sessions": sessions, "y": y})
    >>> res = compare_processes(df, "y", features=["sessions"])
    >>> res.coefficients["term"].tolist()
    ['(Intercept)', 'sessions']
    >>> res.coefficients[["term", "statistic", "p_value"]].round(3).columns.tolist()
    ['term', 'statistic', 'p_value']
    >>> res.n, res.n_processes
    (200, 8)
    """
    level = check_confidence_level(confidence_level)
    feats = list(features)
    require_columns(df, [outcome, process, *feats], what="data")
    data = df[[outcome, process, *feats]].dropna()
    y = pd.to_numeric(data[outcome], errors="coerce")
    if y.isna().any():
        raise AnalysisInputError(f"outcome {outcome!r} must be numeric")
    n_proc = int(data[process].nunique())
    if n_proc < 3:
        raise AnalysisInputError(
            f"a mixed model across processes needs at least 3 processes with complete data; "
            f"found {n_proc} in {process!r}"
        )
    groups = pd.factorize(data[process])[0]
    x = _design(data, feats)
    if np.linalg.matrix_rank(x.to_numpy()) < x.shape[1]:
        raise AnalysisInputError(
            f"the design features {feats} are collinear (or constant); with {n_proc} processes "
            "use fewer features"
        )
    caught: list[str] = []
    y_np = y.to_numpy(dtype=float)
    null = _fit(y_np, x[["(Intercept)"]], groups, caught)
    full = _fit(y_np, x, groups, caught) if feats else null

    q = float(stats.norm.ppf(0.5 + level / 2))
    k = x.shape[1]
    est = np.asarray(full.fe_params, dtype=float)[:k]
    se = _fixed_se(
        x.to_numpy(),
        groups,
        float(np.asarray(full.cov_re)[0, 0]),
        float(full.scale),
    )
    z = est / se
    coefs = pd.DataFrame(
        {
            "term": list(x.columns),
            "estimate": est,
            "se": se,
            "ci_low": est - q * se,
            "ci_high": est + q * se,
            "statistic": z,
            "p_value": 2 * stats.norm.sf(np.abs(z)),
            "confidence_level": level,
            "n": len(data),
            "method": f"{_METHOD}; Wald z",
        }
    )

    vc_rows = []
    for name, fit in (("null", null), ("full", full)):
        tau2 = float(np.asarray(fit.cov_re)[0, 0])
        sig2 = float(fit.scale)
        icc = tau2 / (tau2 + sig2) if tau2 + sig2 > 0 else math.nan
        for comp, var in (("process", tau2), ("residual", sig2)):
            vc_rows.append(
                {
                    "model": name,
                    "component": comp,
                    "variance": var,
                    "sd": math.sqrt(var),
                    "icc": icc,
                    "n": len(data),
                    "method": f"{_METHOD}; {name} model",
                }
            )
    vcs = pd.DataFrame(vc_rows)
    return ComparisonResult(
        coefficients=coefs,
        variance_components=vcs,
        icc=float(vcs["icc"].iloc[0]),
        n=len(data),
        n_processes=n_proc,
        warnings=tuple(dict.fromkeys(caught)),
    )
