"""Random-effects meta-analysis and partial pooling of small bodies (committees, panels, processes).

Summary statistics in (one row per unit: an estimate and its standard error), frozen result of
tidy DataFrames out. :func:`meta_analysis` is the classical random-effects model (REML,
DerSimonian-Laird or Paule-Mandel between-unit variance, optional Knapp-Hartung adjustment),
validated against R ``metafor``; :func:`bayesian_pooling` is the normal-normal hierarchical model
computed by one-dimensional integration over the between-unit standard deviation, and
:func:`bayesian_share_pooling` the beta-binomial model of shares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from deliberval.analysis._common import check_confidence_level, numeric_column, require_columns
from deliberval.errors import AnalysisInputError

__all__ = [
    "BayesianPoolingResult",
    "MetaAnalysisResult",
    "bayesian_pooling",
    "bayesian_share_pooling",
    "meta_analysis",
]

MetaMethod = Literal["REML", "DL", "PM"]
_METHODS = {"REML": "REML", "DL": "DerSimonian-Laird", "PM": "Paule-Mandel"}
_TOL = 1e-12

SUMMARY_COLUMNS = [
    "estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high", "statistic", "df", "p_value",
    "tau2", "tau", "i2", "h2", "q", "q_df", "q_p_value", "n_units", "method", "confidence_level",
]
LEAVE_ONE_OUT_COLUMNS = [
    "estimate", "se", "ci_low", "ci_high", "statistic", "p_value", "tau2", "i2", "q", "q_p_value",
]


@dataclass(frozen=True)
class MetaAnalysisResult:
    """A random-effects meta-analysis (:func:`meta_analysis`).

    Attributes
    ----------
    summary : pandas.DataFrame
        One row: the pooled estimate and its test, heterogeneity and prediction interval.
    units : pandas.DataFrame
        One row per unit: observed and pooled (BLUP) estimates, weights.
    leave_one_out : pandas.DataFrame
        One row per unit: the model refitted without that unit.
    """

    summary: pd.DataFrame
    units: pd.DataFrame
    leave_one_out: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The three tables by name."""
        return {"summary": self.summary, "units": self.units, "leave_one_out": self.leave_one_out}


def _input(df: pd.DataFrame, estimate: str, se: str, unit: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    require_columns(df, [unit, estimate, se], what="meta-analysis table")
    y = numeric_column(df[estimate], estimate)
    s = numeric_column(df[se], se)
    keep = y.notna() & s.notna()
    sub = df.loc[keep]
    yv = y[keep].to_numpy(dtype=float)
    sv = s[keep].to_numpy(dtype=float)
    if (sub[unit].astype(str) == "all").any() and len(sub) > 2:
        raise AnalysisInputError(
            f"{unit!r} has a row 'all': the pooled row of a by= table (prepost, did) is not a unit and "
            f"would count its units twice; drop it first (df[df[{unit!r}] != 'all'])"
        )
    if sub[unit].duplicated().any():
        dup = sub.loc[sub[unit].duplicated(), unit].iloc[0]
        raise AnalysisInputError(f"unit {dup!r} appears more than once in {unit!r}; expected one row per unit")
    if (sv <= 0).any() or not np.isfinite(sv).all() or not np.isfinite(yv).all():
        raise AnalysisInputError(
            f"every {se!r} must be a finite positive number and every {estimate!r} finite "
            f"(got {se!r} = {sv[(sv <= 0) | ~np.isfinite(sv)][:1].tolist() or '...'})"
        )
    if len(yv) < 2:
        raise AnalysisInputError(
            f"{len(yv)} unit(s) with both {estimate!r} and {se!r}; a meta-analysis needs at least 2"
        )
    return sub, yv, sv**2


def _fe(y: np.ndarray, v: np.ndarray, tau2: float) -> tuple[float, np.ndarray]:
    w = 1.0 / (v + tau2)
    return float(np.sum(w * y) / np.sum(w)), w


def _gen_q(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    mu, w = _fe(y, v, tau2)
    return float(np.sum(w * (y - mu) ** 2))


def _tau2(y: np.ndarray, v: np.ndarray, method: str) -> float:
    k = len(y)
    w = 1.0 / v
    if method == "DL":
        q = _gen_q(y, v, 0.0)
        return max(0.0, (q - (k - 1)) / (w.sum() - np.sum(w**2) / w.sum()))
    if method == "PM":
        if _gen_q(y, v, 0.0) <= k - 1:
            return 0.0
        hi = 1.0
        while _gen_q(y, v, hi) > k - 1:
            hi *= 10.0
        return float(optimize.brentq(lambda t: _gen_q(y, v, t) - (k - 1), 0.0, hi, xtol=_TOL, rtol=1e-15))
    # REML: Fisher scoring as metafor (step halving at the 0 boundary), to a tight tolerance
    tau2 = max(0.0, float(np.var(y, ddof=1) - np.mean(v)))
    for _ in range(10000):
        wt = 1.0 / (v + tau2)
        p = np.diag(wt) - np.outer(wt, wt) / wt.sum()
        py = p @ y
        adj = float((py @ py - np.trace(p)) / np.sum(p * p.T))
        while tau2 + adj < 0:
            adj /= 2.0
        tau2 += adj
        if abs(adj) < _TOL:
            break
    return max(0.0, tau2)


def _fit(y: np.ndarray, v: np.ndarray, method: str, kh: bool | str, level: float) -> dict[str, float]:
    k = len(y)
    tau2 = _tau2(y, v, method)
    mu, w = _fe(y, v, tau2)
    se = math.sqrt(1.0 / w.sum())
    if kh:
        s2 = float(np.sum(w * (y - mu) ** 2)) / (k - 1)
        if kh == "adhoc":
            s2 = max(1.0, s2)  # never narrower than the Wald interval (metafor test = "adhoc")
        elif np.ptp(y) <= 1e-12 * max(1.0, float(np.max(np.abs(y)))):
            s2 = math.nan  # equal estimates: a Knapp-Hartung variance of 0 is no interval
        se = math.sqrt(s2 / w.sum())
        dof = float(k - 1)
        crit = float(stats.t.ppf(0.5 + level / 2, dof))
    else:
        dof = math.inf
        crit = float(stats.norm.ppf(0.5 + level / 2))
    stat = mu / se if se > 0 else math.nan
    p = float(2 * (stats.t.sf(abs(stat), dof) if kh else stats.norm.sf(abs(stat)))) if se > 0 else math.nan
    w0 = 1.0 / v
    q = _gen_q(y, v, 0.0)
    vt = (k - 1) / (w0.sum() - np.sum(w0**2) / w0.sum())
    pi_half = crit * math.sqrt(se**2 + tau2)
    return {
        "estimate": mu, "se": se, "ci_low": mu - crit * se, "ci_high": mu + crit * se,
        "pi_low": mu - pi_half, "pi_high": mu + pi_half, "statistic": stat, "df": dof, "p_value": p,
        "tau2": tau2, "tau": math.sqrt(tau2), "i2": 100.0 * tau2 / (vt + tau2), "h2": (vt + tau2) / vt,
        "q": q, "q_df": float(k - 1), "q_p_value": float(stats.chi2.sf(q, k - 1)), "crit": crit,
    }


def meta_analysis(
    df: pd.DataFrame,
    estimate: str = "estimate",
    se: str = "se",
    unit: str = "process",
    *,
    method: MetaMethod = "REML",
    knapp_hartung: bool | Literal["adhoc"] = True,
    confidence_level: float = 0.95,
) -> MetaAnalysisResult:
    """Random-effects meta-analysis of one estimate per unit (committee, panel, process, study).

    Parameters
    ----------
    df : DataFrame
        One row per unit: summary statistics (a published mean change and its standard error) or
        a tidy result table (``prepost(..., by=unit)`` without its ``"all"`` row, an indicator
        table) with ``estimate`` and ``se``. Rows where either is missing are left out.
    estimate, se : str
        Columns of the unit's estimate and its standard error.
    unit : str
        Column naming the unit (kept under its own name in ``units`` and ``leave_one_out``).
    method : {"REML", "DL", "PM"}
        Estimator of the between-unit variance tau^2: restricted maximum likelihood,
        DerSimonian-Laird, Paule-Mandel.
    knapp_hartung : bool or "adhoc"
        Knapp-Hartung (HKSJ) standard error and t intervals on ``k - 1`` df (recommended with few
        units); ``"adhoc"``: the same with its variance factor truncated at 1, so never narrower
        than the Wald interval (metafor ``test = "adhoc"``); False: the Wald z interval. When every
        unit has the same estimate the (untruncated) Knapp-Hartung SE is 0: ``se``, intervals,
        ``statistic`` and ``p_value`` are then NaN and ``method`` says why.
    confidence_level : float
        Coverage of the confidence, prediction and unit intervals.

    Returns
    -------
    MetaAnalysisResult
        ``summary`` (one row):

        - ``estimate``, ``se``: the pooled mean ``mu`` and its standard error (Knapp-Hartung
          when requested);
        - ``ci_low``, ``ci_high``: its interval; ``pi_low``, ``pi_high``: the prediction interval
          of a new unit's true value, ``mu +- crit sqrt(se^2 + tau2)``;
        - ``statistic``, ``df``, ``p_value``: test of ``mu = 0`` (t on ``k - 1`` df with
          Knapp-Hartung, else z with ``df`` infinite);
        - ``tau2``, ``tau``: between-unit variance and SD; ``i2``: I^2 in percent (as metafor);
          ``h2``: H^2;
        - ``q``, ``q_df``, ``q_p_value``: Cochran's heterogeneity test;
        - ``n_units``, ``method``, ``confidence_level``.

        ``units`` (one row per unit): the ``unit`` column, ``estimate``, ``se`` (observed),
        ``ci_low``, ``ci_high`` (the observed estimate's normal interval, as metafor's forest plot),
        ``weight`` (share 0-1 of the random-effects weights), ``pooled_estimate``, ``pooled_se``,
        ``pooled_ci_low``, ``pooled_ci_high`` (the best linear unbiased prediction of the unit's
        true value, shrunk towards ``mu``, and its interval), ``confidence_level``.

        ``leave_one_out`` (one row per unit): the ``unit`` left out and the refitted ``estimate,
        se, ci_low, ci_high, statistic, p_value, tau2, i2, q, q_p_value`` (empty with 2 units).

    Raises
    ------
    AnalysisInputError
        Missing columns, fewer than 2 units, a unit given twice, a non-positive standard error or
        an unknown method.

    Notes
    -----
    Weights ``w_i = 1 / (v_i + tau2)`` with ``v_i = se_i^2``; ``mu = sum w_i y_i / sum w_i``,
    ``Var(mu) = 1 / sum w_i``. Knapp-Hartung multiplies that variance by
    ``sum w_i (y_i - mu)^2 / (k - 1)`` (no truncation, as metafor). ``I2 = tau2 / (tau2 + v~)``
    with the typical within-unit variance ``v~ = (k - 1) / (sum w0 - sum w0^2 / sum w0)``,
    ``w0 = 1 / v``. The BLUP of unit ``i`` is ``l_i y_i + (1 - l_i) mu`` with
    ``l_i = tau2 / (tau2 + v_i)`` and variance ``l_i v_i + (1 - l_i)^2 Var(mu)``. REML is solved by
    Fisher scoring and Paule-Mandel by root finding, both to 1e-12.

    Validated against R ``metafor::rma`` (``method = "REML" / "DL" / "PM"``, ``test = "knha"``
    or ``"z"``), ``predict``, ``blup``, ``weights`` and ``leave1out`` on ``dat.bcg``,
    ``dat.normand1999`` and ``dat.hackshaw1998`` to 1e-6.

    References
    ----------
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software, 36(3). IntHout, J., Ioannidis, J. P., & Borm, G. F. (2014). The
    Hartung-Knapp-Sidik-Jonkman method for random effects meta-analysis is straightforward and
    considerably outperforms the standard DerSimonian-Laird method. BMC Medical Research
    Methodology, 14, 25.

    Examples
    --------
    >>> import pandas as pd
    >>> panels = pd.DataFrame({"panel": ["1", "2", "3", "4"], "estimate": [0.30, 0.10, 0.45, 0.20],
    ...                        "se": [0.12, 0.15, 0.10, 0.14]})
    >>> r = meta_analysis(panels, unit="panel")
    >>> r.summary[["estimate", "ci_low", "ci_high", "tau2", "n_units"]].round(3)
       estimate  ci_low  ci_high   tau2  n_units
    0     0.288   0.048    0.529  0.009        4
    """
    level = check_confidence_level(confidence_level)
    if method not in _METHODS:
        raise AnalysisInputError(f"method must be one of {', '.join(_METHODS)}, got {method!r}")
    sub, y, v = _input(df, estimate, se, unit)
    k = len(y)
    res = _fit(y, v, method, knapp_hartung, level)
    if knapp_hartung not in (True, False, "adhoc"):
        raise AnalysisInputError(f"knapp_hartung must be True, False or 'adhoc', got {knapp_hartung!r}")
    label = f"random-effects meta-analysis, tau2 by {_METHODS[method]}" + (
        ", Knapp-Hartung (HKSJ, ad hoc: never below the Wald SE) t on k - 1 df" if knapp_hartung == "adhoc"
        else ", Knapp-Hartung (HKSJ) t on k - 1 df" if knapp_hartung else ", Wald z"
    )
    if knapp_hartung is True and math.isnan(res["se"]):
        label += "; every unit has the same estimate: the Knapp-Hartung SE is 0, no test or interval (NaN)"
    summary = pd.DataFrame(
        [{**{c: res[c] for c in SUMMARY_COLUMNS[:-3]}, "n_units": k, "method": label, "confidence_level": level}],
        columns=SUMMARY_COLUMNS,
    )
    tau2 = res["tau2"]
    w = 1.0 / (v + tau2)
    lam = tau2 / (tau2 + v)
    var_mu = res["se"] ** 2
    pred = lam * y + (1 - lam) * res["estimate"]
    pse = np.sqrt(lam * v + (1 - lam) ** 2 * var_mu)
    z_crit = float(stats.norm.ppf(0.5 + level / 2))
    units = pd.DataFrame(
        {
            unit: sub[unit].to_numpy(),
            "estimate": y,
            "se": np.sqrt(v),
            "ci_low": y - z_crit * np.sqrt(v),
            "ci_high": y + z_crit * np.sqrt(v),
            "weight": w / w.sum(),
            "pooled_estimate": pred,
            "pooled_se": pse,
            "pooled_ci_low": pred - res["crit"] * pse,
            "pooled_ci_high": pred + res["crit"] * pse,
            "confidence_level": level,
        }
    )
    rows = []
    if k > 2:
        for i in range(k):
            keep = np.arange(k) != i
            r = _fit(y[keep], v[keep], method, knapp_hartung, level)
            rows.append({unit: sub[unit].iloc[i], **{c: r[c] for c in LEAVE_ONE_OUT_COLUMNS}})
    loo = pd.DataFrame(rows, columns=[unit, *LEAVE_ONE_OUT_COLUMNS])
    return MetaAnalysisResult(summary, units, loo)


# ---------------------------------------------------------------------------------- Bayesian pooling

TauPrior = Literal["half_normal", "half_cauchy"]
BAYES_UNIT_COLUMNS = ["estimate", "sd", "ci_low", "ci_high", "prob_meets_threshold", "confidence_level"]
_GRID = 4000  # midpoint nodes on the prior's probability scale of tau
_SHARE_GRID = 300  # midpoint nodes per axis of the beta-binomial grid


@dataclass(frozen=True)
class BayesianPoolingResult:
    """Bayesian partial pooling (:func:`bayesian_pooling`, :func:`bayesian_share_pooling`).

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per population parameter (``parameter``: ``mu`` the mean of the true values,
        ``tau`` their SD, ``new_unit`` the true value of a new unit; for shares ``mean_share``,
        ``icc`` and ``new_unit``): ``estimate`` (posterior mean), ``sd``, ``ci_low``, ``ci_high``
        (equal-tailed credible interval), ``prob_meets_threshold``, ``confidence_level``,
        ``n_units``, ``prior``, ``method``.
    units : pandas.DataFrame
        One row per unit: the unit column, the observed values, and the posterior ``estimate``
        (mean), ``sd``, ``ci_low``, ``ci_high`` of the unit's true value,
        ``prob_meets_threshold`` (NaN without a threshold), ``confidence_level``.
    """

    summary: pd.DataFrame
    units: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The two tables by name."""
        return {"summary": self.summary, "units": self.units}


def _mixture_quantile(p: float, w: np.ndarray, cdf: object, lo: float, hi: float, pdf: object = None,
                      x0: float | None = None) -> float:
    """The ``p`` quantile of a mixture: safeguarded Halley steps from ``x0`` when the density is
    given, Brent's method on ``[lo, hi]`` otherwise or when Halley does not settle; both to 1e-10.

    ``pdf(x)`` returns the components' densities, or a pair (densities, their derivatives): then
    each step is Halley's (cubic convergence) instead of Newton's. The mixture CDF (``cdf``, e.g.
    ~10^5 incomplete beta functions) is the cost; the densities are cheap. The iteration stops
    when the step from an exactly evaluated point is below 1e-11, or when the error it leaves,
    bounded by ``|f'/f| step^2`` (Newton's bound, which Halley's step beats), is below 1e-13.
    """
    f = cdf  # callable x -> array of component cdfs

    def g(x: float) -> float:
        return float(np.sum(w * f(x))) - p  # type: ignore[operator]

    if pdf is not None and x0 is not None and lo < x0 < hi:
        a, b, x = lo, hi, x0
        for _ in range(20):
            gx = g(x)
            if gx < 0:
                a = x
            else:
                b = x
            got = pdf(x)  # type: ignore[operator]
            dens = float(np.sum(w * (got[0] if isinstance(got, tuple) else got)))
            step = gx / dens if dens > 0 else math.inf
            curv = math.nan
            if isinstance(got, tuple) and dens > 0:
                curv = float(np.sum(w * got[1])) / dens  # f'/f
                factor = 1.0 - 0.5 * step * curv  # Halley: step / (1 - g f' / (2 f^2))
                if 0.5 < factor < 2.0:
                    step /= factor
            nx = x - step
            if abs(step) < 1e-11:  # settled (before the bracket test: x itself may be its end)
                return nx
            bisected = not (a < nx < b)
            if bisected:  # outside the bracket: bisect instead
                nx = 0.5 * (a + b)
            if abs(nx - x) < 1e-11:
                return nx
            if not bisected and math.isfinite(curv) and (abs(curv) + 1.0) * step * step < 1e-13:
                return nx
            x = nx
    return float(optimize.brentq(g, lo, hi, xtol=1e-10))


def _normal_mixture(w: np.ndarray, m: np.ndarray, s: np.ndarray, level: float, threshold: float | None,
                    higher: bool) -> dict[str, float]:
    mean = float(np.sum(w * m))
    sd = math.sqrt(float(np.sum(w * (s**2 + m**2))) - mean**2)
    lo, hi = float(np.min(m - 12 * s)), float(np.max(m + 12 * s))
    a = (1 - level) / 2

    def cdf(x: float) -> np.ndarray:
        return np.asarray(special.ndtr((x - m) / s))

    prob = math.nan
    if threshold is not None:
        up = float(np.sum(w * special.ndtr((m - threshold) / s)))
        prob = up if higher else 1.0 - up
    return {"estimate": mean, "sd": sd, "ci_low": _mixture_quantile(a, w, cdf, lo, hi),
            "ci_high": _mixture_quantile(1 - a, w, cdf, lo, hi), "prob_meets_threshold": prob}


def _check_prior(tau_prior: str, tau_scale: float) -> None:
    if tau_prior not in ("half_normal", "half_cauchy"):
        raise AnalysisInputError(f"tau_prior must be 'half_normal' or 'half_cauchy', got {tau_prior!r}")
    if not (math.isfinite(tau_scale) and tau_scale > 0):
        raise AnalysisInputError(f"tau_scale must be a positive number, got {tau_scale!r}")


def bayesian_pooling(
    df: pd.DataFrame,
    estimate: str = "estimate",
    se: str = "se",
    unit: str = "process",
    *,
    tau_prior: TauPrior = "half_normal",
    tau_scale: float = 0.5,
    threshold: float | None = None,
    higher_is_better: bool = True,
    confidence_level: float = 0.95,
) -> BayesianPoolingResult:
    """Bayesian partial pooling of one estimate per unit: the normal-normal hierarchical model.

    ``y_i ~ N(theta_i, se_i^2)``, ``theta_i ~ N(mu, tau^2)``, a flat prior on ``mu`` and a
    weakly informative half-normal (default) or half-Cauchy prior of scale ``tau_scale`` on
    ``tau``. Computed exactly (no MCMC) by one-dimensional numerical integration over ``tau``.

    Parameters
    ----------
    df : DataFrame
        One row per unit with ``estimate`` and ``se`` (as :func:`meta_analysis`).
    estimate, se, unit : str
        Columns.
    tau_prior : {"half_normal", "half_cauchy"}
        Prior of the between-unit SD.
    tau_scale : float
        Its scale, in the estimate's units. The default 0.5 is weakly informative for standardised
        mean differences and log odds ratios (Röver et al. 2021) and for mean changes on a 1-5 or
        1-7 scale: it puts 95 % prior probability on ``tau < 0.98``. Set it to the size of
        plausible differences between units for other scales.
    threshold : float, optional
        Value the true values are judged against: ``prob_meets_threshold`` = posterior
        P(theta >= threshold) (P(theta <= threshold) when ``higher_is_better`` is False).
    higher_is_better : bool
        Direction of the threshold.
    confidence_level : float
        Probability of the equal-tailed credible intervals.

    Returns
    -------
    BayesianPoolingResult
        ``summary`` rows ``mu``, ``tau``, ``new_unit`` and ``units`` with the ``unit`` column,
        ``observed_estimate``, ``observed_se`` and the columns described in
        :class:`BayesianPoolingResult`. ``tau`` has no ``prob_meets_threshold`` (NaN).

    Notes
    -----
    With ``w_i(tau) = 1 / (se_i^2 + tau^2)``, ``mu_hat(tau) = sum w_i y_i / sum w_i`` and
    ``V(tau) = 1 / sum w_i``, the marginal posterior of tau is
    ``p(tau | y) ∝ p(tau) V^(1/2) prod w_i^(1/2) exp(-sum w_i (y_i - mu_hat)^2 / 2)``;
    given tau, ``mu ~ N(mu_hat, V)``, a unit's true value
    ``theta_i ~ N(l_i y_i + (1 - l_i) mu_hat, l_i se_i^2 + (1 - l_i)^2 V)`` with
    ``l_i = tau^2 / (tau^2 + se_i^2)``, and a new unit's ``N(mu_hat, V + tau^2)``. Every posterior
    is the mixture of these normals over ``p(tau | y)``, integrated by the trapezoid rule on 8,000
    nodes: 4,000 midpoints of the prior's probability scale (``tau = F^-1(u)``, ``u`` uniform:
    they reach far into the prior's tail) and 4,000 evenly spaced from 0 to beyond the
    posterior's 1 - 1e-7 quantile; intervals are quantiles of the mixture. Checked against an independent brute-force grid over tau in R
    (tests/reference/meta/generate_meta.R) to 1e-4.

    References
    ----------
    Röver, C., Bender, R., Dias, S., Schmid, C. H., Schmidli, H., Sturtz, S., Weber, S., & Friede,
    T. (2021). On weakly informative prior distributions for the heterogeneity parameter in
    Bayesian random-effects meta-analysis. Research Synthesis Methods, 12(4), 448-474.
    Gelman, A. et al. (2013). Bayesian Data Analysis, 3rd ed., section 5.4.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"committee": ["A", "B", "C"], "estimate": [0.6, 0.1, 0.4],
    ...                   "se": [0.25, 0.3, 0.2]})
    >>> r = bayesian_pooling(c, unit="committee", threshold=0.2)
    >>> r.units[["committee", "estimate", "prob_meets_threshold"]].round(2)
      committee  estimate  prob_meets_threshold
    0         A      0.48                  0.93
    1         B      0.29                  0.68
    2         C      0.40                  0.88
    """
    level = check_confidence_level(confidence_level)
    _check_prior(tau_prior, tau_scale)
    sub, y, v = _input(df, estimate, se, unit)

    def log_post(tau: np.ndarray) -> tuple[np.ndarray, ...]:
        w = 1.0 / (v[None, :] + tau[:, None] ** 2)  # nodes x units
        sw = w.sum(axis=1)
        mu_hat = (w * y[None, :]).sum(axis=1) / sw
        loglik = 0.5 * (np.log(w).sum(axis=1) - np.log(sw) - (w * (y[None, :] - mu_hat[:, None]) ** 2).sum(axis=1))
        return loglik, mu_hat, 1.0 / sw

    # pass 1: midpoints of the prior's probability scale (tau = F^-1(u)) locate the posterior
    u = (np.arange(_GRID) + 0.5) / _GRID
    if tau_prior == "half_normal":
        tau = tau_scale * special.ndtri((1 + u) / 2)
    else:
        tau = tau_scale * np.tan(np.pi * u / 2)
    ll = log_post(tau)[0]
    cum = np.cumsum(np.exp(ll - ll.max()))
    cum /= cum[-1]
    t_hi = float(tau[min(int(np.searchsorted(cum, 1.0 - 1e-7)) + 2, _GRID - 1)]) * 1.25
    # pass 2: those nodes (they reach the prior's far tail) merged with 4,000 evenly spaced nodes
    # over the posterior's bulk; trapezoid weights x prior density x marginal likelihood
    tau = np.unique(np.concatenate([[0.0], tau, np.linspace(0.0, t_hi, _GRID + 1)]))
    ll, mu_hat, vmu = log_post(tau)
    if tau_prior == "half_normal":
        ll = ll - 0.5 * (tau / tau_scale) ** 2
    else:
        ll = ll - np.log1p((tau / tau_scale) ** 2)
    gaps = np.diff(tau)
    width = np.concatenate([[gaps[0]], gaps[:-1] + gaps[1:], [gaps[-1]]]) / 2
    post = np.exp(ll - ll.max()) * width
    post /= post.sum()
    t2 = tau[:, None] ** 2
    prior = f"{tau_prior.replace('_', '-')}({tau_scale:g}) on tau, flat on mu"
    method = "normal-normal hierarchical model, exact by 1-D integration over tau"
    rows = []
    for name, m, s in [("mu", mu_hat, np.sqrt(vmu)), ("new_unit", mu_hat, np.sqrt(vmu + tau**2))]:
        rows.append({"parameter": name, **_normal_mixture(post, m, s, level, threshold, higher_is_better)})
    tmean = float(np.sum(post * tau))
    cum = np.cumsum(post) - post / 2
    a = (1 - level) / 2
    rows.insert(1, {"parameter": "tau", "estimate": tmean, "sd": math.sqrt(float(np.sum(post * tau**2)) - tmean**2),
                    "ci_low": float(np.interp(a, cum, tau)), "ci_high": float(np.interp(1 - a, cum, tau)),
                    "prob_meets_threshold": math.nan})
    summary = pd.DataFrame(rows).assign(confidence_level=level, n_units=len(y), prior=prior, method=method)
    lam = t2 / (t2 + v[None, :])
    means = lam * y[None, :] + (1 - lam) * mu_hat[:, None]
    sds = np.sqrt(lam * v[None, :] + (1 - lam) ** 2 * vmu[:, None])
    keep = post > 1e-14
    urows = [_normal_mixture(post[keep], means[keep, i], sds[keep, i], level, threshold, higher_is_better)
             for i in range(len(y))]
    units = pd.DataFrame(urows).assign(confidence_level=level)
    units.insert(0, unit, sub[unit].to_numpy())
    units.insert(1, "observed_estimate", y)
    units.insert(2, "observed_se", np.sqrt(v))
    return BayesianPoolingResult(summary, units)


def bayesian_share_pooling(
    df: pd.DataFrame,
    count: str = "count",
    n: str = "n",
    unit: str = "process",
    *,
    threshold: float | None = None,
    higher_is_better: bool = True,
    confidence_level: float = 0.95,
) -> BayesianPoolingResult:
    """Bayesian partial pooling of shares: the beta-binomial hierarchical model.

    ``count_i ~ Binomial(n_i, p_i)``, ``p_i ~ Beta(m kappa, (1 - m) kappa)``, with the prior of
    Gelman et al. made proper: ``m`` uniform on (0, 1) and ``sqrt(rho)`` uniform on (0, 1), where
    ``rho = 1 / (kappa + 1)`` is the intra-unit correlation (the between-unit SD of the shares is
    ``sqrt(m (1 - m) rho)``).

    Parameters
    ----------
    df : DataFrame
        One row per unit: ``count`` of ``n`` people (e.g. those agreeing).
    count, n, unit : str
        Columns.
    threshold : float, optional
        Share (0-1) the true shares are judged against: ``prob_meets_threshold`` = P(p >=
        threshold) (P(p <= threshold) when ``higher_is_better`` is False).
    higher_is_better : bool
    confidence_level : float

    Returns
    -------
    BayesianPoolingResult
        ``summary`` rows ``mean_share`` (``m``), ``icc`` (``rho``) and ``new_unit`` (a new unit's
        true share); ``units`` with the ``unit`` column, ``count``, ``n``, ``observed_share`` and
        the posterior ``estimate, sd, ci_low, ci_high, prob_meets_threshold, confidence_level``
        of the unit's true share.

    Notes
    -----
    Computed on a 300 x 300 midpoint grid of ``(m, sqrt(rho))``, over the region a coarse
    120 x 120 pass finds to hold all but 1e-12 of the posterior (both uniform a priori, so the
    posterior weights are the beta-binomial likelihoods); given the grid point a unit's share is
    ``Beta(a + count_i, b + n_i - count_i)`` and a new unit's ``Beta(a, b)``. The credible limits
    of these beta mixtures are found to 1e-10 by safeguarded Halley steps, started from the same
    mixture's limits on a 60 x 60 grid of the region (one or two evaluations of the fine mixture's
    CDF each). Checked against an independent 2-D trapezoid grid in R to 1e-4.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"panel": ["1", "2", "3"], "count": [14, 9, 16], "n": [20, 18, 22]})
    >>> r = bayesian_share_pooling(s, unit="panel", threshold=0.5)
    >>> r.units[["panel", "observed_share", "estimate", "prob_meets_threshold"]].round(2)
      panel  observed_share  estimate  prob_meets_threshold
    0     1            0.70      0.67                  0.97
    1     2            0.50      0.58                  0.79
    2     3            0.73      0.68                  0.99
    """
    level = check_confidence_level(confidence_level)
    require_columns(df, [unit, count, n], what="share table")
    x = numeric_column(df[count], count)
    nn = numeric_column(df[n], n)
    keep = x.notna() & nn.notna()
    sub = df.loc[keep]
    xv, nv = x[keep].to_numpy(dtype=float), nn[keep].to_numpy(dtype=float)
    if len(xv) < 2:
        raise AnalysisInputError(f"{len(xv)} unit(s) with {count!r} and {n!r}; pooling needs at least 2")
    if (nv <= 0).any() or (xv < 0).any() or (xv > nv).any() or (xv != np.round(xv)).any() or (nv != np.round(nv)).any():
        raise AnalysisInputError(f"{count!r} and {n!r} must be whole numbers with 0 <= {count} <= {n} and {n} > 0")
    if sub[unit].duplicated().any():
        raise AnalysisInputError(f"a unit appears more than once in {unit!r}; expected one row per unit")
    g = _SHARE_GRID

    def grid(m_lo: float, m_hi: float, s_lo: float, s_hi: float, size: int) -> tuple[np.ndarray, ...]:
        m_ax = m_lo + (np.arange(size) + 0.5) / size * (m_hi - m_lo)
        s_ax = s_lo + (np.arange(size) + 0.5) / size * (s_hi - s_lo)
        mm, ph = np.meshgrid(m_ax, s_ax, indexing="ij")  # axis 0: mean share, axis 1: sqrt(icc)
        kappa = 1.0 / ph**2 - 1.0
        a, b = mm * kappa, (1 - mm) * kappa
        ll = (special.betaln(a[..., None] + xv, b[..., None] + (nv - xv))
              - special.betaln(a, b)[..., None]).sum(axis=-1)
        w = np.exp(ll - ll.max())
        return m_ax, s_ax, a, b, w / w.sum()

    # a coarse pass finds the region holding the posterior, the fine grid covers only it (the prior
    # is uniform, so the weights stay the likelihoods; outside lies less than 1e-12 of the mass)
    m_ax, s_ax, _, _, coarse = grid(0.0, 1.0, 0.0, 1.0, 120)
    h = 1.0 / 120

    def span(marg: np.ndarray, ax: np.ndarray) -> tuple[float, float]:
        idx = np.flatnonzero(marg > 1e-12 * marg.max())
        return max(0.0, float(ax[idx[0]]) - 1.5 * h), min(1.0, float(ax[idx[-1]]) + 1.5 * h)

    region = (*span(coarse.sum(axis=1), m_ax), *span(coarse.sum(axis=0), s_ax))
    mids, s_mids, a, b, post2 = grid(*region, g)
    q = (1 - level) / 2

    def axis_summary(marg: np.ndarray, val: np.ndarray) -> dict[str, float]:
        # marginal on one axis of midpoints: CDF interpolated linearly between cell midpoints
        cum = np.cumsum(marg) - marg / 2
        mean = float(np.sum(marg * val))
        return {"estimate": mean, "sd": math.sqrt(max(float(np.sum(marg * val**2)) - mean**2, 0.0)),
                "ci_low": float(np.interp(q, cum, val)), "ci_high": float(np.interp(1 - q, cum, val)),
                "prob_meets_threshold": math.nan}

    m_marg = post2.sum(axis=1)
    ms = axis_summary(m_marg, mids)
    if threshold is not None:  # P(m >= threshold), the cell containing it split linearly
        step = float(mids[1] - mids[0])
        up = float(np.sum(m_marg * np.clip((mids + step / 2 - threshold) / step, 0.0, 1.0)))
        ms["prob_meets_threshold"] = up if higher_is_better else 1.0 - up
    flat = post2.ravel()
    order = np.argsort(flat)[::-1]  # the grid points holding all but 1e-10 of the posterior
    keep_n = order[: int(np.searchsorted(np.cumsum(flat[order]), 1.0 - 1e-10)) + 1]
    post = flat[keep_n]
    post /= post.sum()
    a, b = a.ravel()[keep_n], b.ravel()[keep_n]
    # the same mixtures on a 60 x 60 grid of the region give the quantile iterations their starting
    # points (within ~1e-4 of the answer: two CDF evaluations of the fine mixture instead of 3-4)
    _, _, a60, b60, post60 = grid(*region, 60)
    keep60 = post60.ravel() > 1e-14
    w60 = post60.ravel()[keep60] / post60.ravel()[keep60].sum()
    a60, b60 = a60.ravel()[keep60], b60.ravel()[keep60]

    def beta_mixture(aa: np.ndarray, bb: np.ndarray, post: np.ndarray = post,
                     start: tuple[np.ndarray, np.ndarray] | None = None, rough: bool = False) -> dict[str, float]:
        mean = float(np.sum(post * aa / (aa + bb)))
        m2 = float(np.sum(post * aa * (aa + 1) / ((aa + bb) * (aa + bb + 1))))
        sd = math.sqrt(max(m2 - mean**2, 0.0))

        def cdf(t: float) -> np.ndarray:
            return np.asarray(special.betainc(aa, bb, t))

        log_norm = special.betaln(aa, bb)

        def pdf(t: float) -> tuple[np.ndarray, np.ndarray]:  # the densities and their slopes
            dens = np.exp((aa - 1) * math.log(t) + (bb - 1) * math.log1p(-t) - log_norm)
            return dens, dens * ((aa - 1) / t - (bb - 1) / (1 - t))

        prob = math.nan
        if threshold is not None and not rough:
            up = float(np.sum(post * (1.0 - special.betainc(aa, bb, threshold))))
            prob = up if higher_is_better else 1.0 - up
        lo, hi = max(0.0, mean - 12 * sd), min(1.0, mean + 12 * sd)
        if start is not None:  # from the quantiles of the coarse grid's mixture
            first = beta_mixture(*start, post=w60, rough=True)
            guess: list[float | None] = [first["ci_low"], first["ci_high"]]
        else:  # from the quantiles of the beta distribution with the mixture's mean and SD
            k = mean * (1 - mean) / sd**2 - 1 if sd > 0 else math.nan
            guess = [float(stats.beta.ppf(pp, mean * k, (1 - mean) * k)) if k > 0 else None for pp in (q, 1 - q)]
        return {"estimate": mean, "sd": sd,
                "ci_low": _mixture_quantile(q, post, cdf, lo, hi, pdf, guess[0]),
                "ci_high": _mixture_quantile(1 - q, post, cdf, lo, hi, pdf, guess[1]), "prob_meets_threshold": prob}

    icc = axis_summary(post2.sum(axis=0), s_mids)  # on sqrt(icc); quantiles map through the square
    icc_mean = float(np.sum(post2.sum(axis=0) * s_mids**2))
    icc_sd = math.sqrt(max(float(np.sum(post2.sum(axis=0) * s_mids**4)) - icc_mean**2, 0.0))
    icc.update(estimate=icc_mean, sd=icc_sd, ci_low=icc["ci_low"] ** 2, ci_high=icc["ci_high"] ** 2)
    rows = [{"parameter": "mean_share", **ms}, {"parameter": "icc", **icc},
            {"parameter": "new_unit", **beta_mixture(a, b, start=(a60, b60))}]
    summary = pd.DataFrame(rows).assign(
        confidence_level=level, n_units=len(xv), prior="uniform on mean share and on sqrt(icc)",
        method=f"beta-binomial hierarchical model, 2-D midpoint grid ({g} x {g})")
    units = pd.DataFrame([beta_mixture(a + xi, b + ni - xi, start=(a60 + xi, b60 + ni - xi))
                          for xi, ni in zip(xv, nv, strict=True)])
    units = units.assign(confidence_level=level)
    units.insert(0, unit, sub[unit].to_numpy())
    units.insert(1, count, xv.astype(int))
    units.insert(2, n, nv.astype(int))
    units.insert(3, "observed_share", xv / nv)
    return BayesianPoolingResult(summary, units)


# ------------------------------------------------------------------ probability of meeting a threshold

PosteriorModel = Literal["share", "mean", "standardised_change", "normal"]
#: The reference prior of each one-body posterior of :func:`threshold_probability`, as reports state it.
REFERENCE_PRIORS = {
    "share": "uniform Beta(1, 1) prior on the share",
    "mean": "Jeffreys prior p(mu, sigma) ∝ 1/sigma on the mean and SD",
    "standardised_change": "Jeffreys prior p(mu, sigma) ∝ 1/sigma on the mean change and its SD",
    "normal": "flat prior on the effect; normal likelihood with the robust SE on df degrees of freedom",
}


def threshold_probability(
    model: PosteriorModel,
    threshold: float,
    *,
    higher_is_better: bool = True,
    estimate: float = math.nan,
    sd: float = math.nan,
    se: float = math.nan,
    df: float = math.inf,
    count: float = math.nan,
    n: float = math.nan,
) -> float:
    """Posterior probability that one body's true value meets a threshold, under a reference prior.

    Parameters
    ----------
    model : {"share", "mean", "standardised_change", "normal"}
        ``"share"``: ``count`` of ``n`` people, Binomial likelihood, uniform Beta(1, 1) prior;
        ``"mean"``: a mean ``estimate`` of ``n`` normal values with SD ``sd``, Jeffreys prior
        ``p(mu, sigma) ∝ 1/sigma``; ``"standardised_change"``: a paired standardised mean
        change ``d_z = mean / sd`` (``estimate``) of ``n`` pairs, same prior; ``"normal"``: an
        ``estimate`` with standard error ``se`` on ``df`` degrees of freedom (a regression
        coefficient with a robust SE), flat prior.
    threshold : float
        The floor (``higher_is_better``) or ceiling the true value is judged against.
    higher_is_better : bool
        True: P(true value >= threshold); False: P(true value <= threshold).
    estimate, sd, se, df, count, n : float
        The summary statistics the model needs (see ``model``).

    Returns
    -------
    float
        The posterior probability in [0, 1]; NaN when the inputs do not define the posterior
        (``n < 2`` for a mean, a share's threshold at 0 or 1 or outside, a non-positive SE ...).

    Notes
    -----
    - share: ``p | x ~ Beta(1 + x, 1 + n - x)``; P(p >= c) = ``1 - I_c(1 + x, 1 + n - x)``.
    - mean: ``mu | y ~ m + (s / sqrt(n)) t_{n-1}``; P(mu >= c) = ``T_{n-1}((m - c) sqrt(n) / s)``
      (numerically the one-sided t test's complement, Box & Tiao 1973, 2.4).
    - standardised change ``delta = mu / sigma``: with ``sigma^2 = (n - 1) s^2 / X``,
      ``X ~ chi2_{n-1}``, and ``mu | sigma ~ N(m, sigma^2 / n)``,
      ``P(delta >= c) = E_X[Phi(sqrt(n) (d_z sqrt(X / (n - 1)) - c))]``, integrated by
      adaptive quadrature over X.
    - normal: ``beta | data ~ estimate + se t_df``; P(beta >= c) = ``T_df((estimate - c) / se)``.

    The lower-is-better probability is the complement. Checked against R (``pbeta``, ``pt`` and
    ``integrate`` over ``dchisq``; tests/reference/meta/generate_threshold.R) to 1e-8.

    Examples
    --------
    >>> round(threshold_probability("share", 0.8, count=18, n=20), 4)
    0.8213
    >>> round(threshold_probability("mean", 3.5, estimate=3.9, sd=0.8, n=12), 4)
    0.9444
    """
    from scipy import integrate

    c = float(threshold)
    if not math.isfinite(c):
        return math.nan
    if model == "share":
        if not (math.isfinite(count) and math.isfinite(n) and 0 <= count <= n and n > 0) or not 0 < c < 1:
            return math.nan
        up = float(special.betaincc(1.0 + count, 1.0 + n - count, c))
    elif model == "mean":
        if not (math.isfinite(n) and n >= 2 and math.isfinite(estimate) and math.isfinite(sd)) or sd < 0:
            return math.nan
        if sd == 0:
            up = 1.0 if estimate > c else 0.0 if estimate < c else 0.5
        else:
            up = float(stats.t.cdf((estimate - c) * math.sqrt(n) / sd, n - 1))
    elif model == "standardised_change":
        if not (math.isfinite(n) and n >= 2 and math.isfinite(estimate)):
            return math.nan
        k = n - 1.0

        def f(x: float) -> float:
            return float(special.ndtr(math.sqrt(n) * (estimate * math.sqrt(x / k) - c)) * stats.chi2.pdf(x, k))

        lo, hi = float(stats.chi2.ppf(1e-14, k)), float(stats.chi2.isf(1e-14, k))
        mid = float(stats.chi2.ppf(0.5, k))
        up = sum(integrate.quad(f, a, b, epsabs=1e-13, epsrel=1e-11, limit=200)[0]
                 for a, b in ((lo, mid), (mid, hi)))
        up = min(1.0, max(0.0, up))
    elif model == "normal":
        if not (math.isfinite(estimate) and math.isfinite(se) and se > 0) or not df > 0:
            return math.nan
        z = (estimate - c) / se
        up = float(stats.norm.cdf(z) if math.isinf(df) else stats.t.cdf(z, df))
    else:
        raise AnalysisInputError(f"model must be share, mean, standardised_change or normal, got {model!r}")
    return up if higher_is_better else 1.0 - up
