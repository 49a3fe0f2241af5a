"""The fate of recommendations: what makes a proposal taken up, and when each kind of response comes.

- :func:`fate_data` turns a validated register into one row per recommendation: the covariates
  the register collects (``vote_share``, ``cost_class``, ``challenges_policy``,
  ``prior_agenda``), the outcome on an evaluation date (``taken_up``) and the time to, and type
  of, the first public response (for competing risks).
- :func:`fate_model` fits the model of Font, Smith, Galais & Alarcon (2018): binary uptake on
  proposal covariates with proposals nested in processes, either by GEE (statsmodels,
  exchangeable working correlation, logit link, sandwich standard errors) or as a
  random-intercept logit fitted by maximum likelihood with adaptive Gauss-Hermite quadrature
  (``n_agq = 1`` is the Laplace approximation).
- :func:`cumulative_incidence` gives Aalen-Johansen cumulative incidence functions of competing
  response types (implementation, rejection, other response) with Gray's (1988) variance.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import expit, log_expit

from deliberval.analysis._common import check_confidence_level, normal_quantile, require_columns
from deliberval.analysis.uptake import uptake
from deliberval.errors import AnalysisInputError

__all__ = ["FATE_COVARIATES", "FATE_LEVELS", "FateModelResult", "cumulative_incidence", "fate_data", "fate_model"]

#: Covariates of the Font et al. (2018) model that the register collects.
FATE_COVARIATES: tuple[str, ...] = ("vote_share", "cost_class", "challenges_policy", "prior_agenda")

#: Ordered outcome of the fate model, lowest first (Font et al. 2018: rejected / transformed /
#: accepted; recommendations never answered count with the rejected ones as not taken up).
FATE_LEVELS: tuple[str, ...] = ("not_taken_up", "transformed", "accepted")

#: Reference-first level order of the register's coded covariates.
_LEVELS: dict[str, tuple[str, ...]] = {
    "cost_class": ("low", "medium", "high"),
    "challenges_policy": ("no", "yes"),
    "prior_agenda": ("no", "yes"),
}
_MISSING_CODES = ("unknown",)
_COEF_COLUMNS = ["term", "estimate", "se", "ci_low", "ci_high", "statistic", "p_value",
                 "confidence_level", "n", "method"]
_CIF_COLUMNS = ["cause", "time", "estimate", "se", "ci_low", "ci_high", "confidence_level",
                "n", "n_risk", "n_events", "method"]
_CIF_METHOD = ("Aalen-Johansen cumulative incidence with Gray's (1988) variance (R cmprsk::cuminc); "
               "interval on the log(-log) scale")


@dataclass(frozen=True)
class FateModelResult:
    """Result of :func:`fate_model`; every table is tidy.

    Attributes
    ----------
    coefficients : DataFrame
        One row per term (log-odds scale): ``term, estimate, se, ci_low, ci_high`` (Wald),
        ``statistic`` (z), ``p_value``, ``confidence_level, n`` (recommendations in the model),
        ``method``.
    parameters : DataFrame
        Other estimates of the fit, ``parameter, estimate, method``: for GEE ``alpha`` (the
        exchangeable correlation) and ``n_iterations``; for the random-intercept logit
        ``sd_process`` (standard deviation of the process intercepts), ``deviance``
        (-2 log-likelihood) and ``n_agq``; for both ``n_processes``.
    dropped : DataFrame
        Recommendations left out, ``rec_id`` (or the row label), ``reason`` (a covariate or the
        outcome missing or ``unknown``); ``n`` in ``coefficients`` plus its rows is every row read.
    """

    coefficients: pd.DataFrame
    parameters: pd.DataFrame
    dropped: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``coefficients, parameters, dropped``."""
        return {"coefficients": self.coefficients, "parameters": self.parameters,
                "dropped": self.dropped}


def fate_data(register: Any, *, as_of: Any, causes: Mapping[str, Sequence[str]] | None = None,
              coder: str | None = None) -> pd.DataFrame:
    """One row per recommendation: covariates, uptake on ``as_of`` and the first response's type.

    Parameters
    ----------
    register : Register
        A validated register (:func:`deliberval.validation.register.validate_register`).
    as_of : date-like
        Evaluation date: later events are ignored; recommendations without a response are
        censored at it.
    causes : mapping, optional
        Response types for competing risks, ``{name: [status codes]}``. Default: the scheme's
        implemented codes and ``partially_implemented`` as ``implementation``, its rejection
        codes as ``rejection``, every other public response as ``other_response``. Codes in no
        cause are not events (the recommendation stays at risk).
    coder : str, optional
        The reference coder when several coded the events (as :func:`deliberval.uptake`).

    Returns
    -------
    DataFrame
        ``process_id, rec_id, vote_share, cost_class, challenges_policy, prior_agenda, status``
        (on ``as_of``), ``taken_up`` (1 if accepted in principle or higher, else 0),
        ``implemented`` (0/1), ``fate`` (:data:`FATE_LEVELS`: ``not_taken_up``; ``transformed``
        if taken up with a fidelity weight below 1 (modified, diluted); ``accepted`` if taken up
        unchanged or expanded; missing if taken up without a fidelity code), ``time`` (days from submission to the first event of a cause,
        or to ``as_of`` if none) and ``event`` (the cause, or ``"censored"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.validation.register import validate_register
    >>> from deliberval.analysis.fate import fate_data
    >>> recs = pd.DataFrame({"process_id": "p1", "rec_id": ["r1", "r2", "r3"],
    ...                      "title": ["a", "b", "c"], "submitted": "2024-01-10"})
    >>> ev = pd.DataFrame({"rec_id": ["r1", "r1", "r2"],
    ...                    "date": ["2024-02-01", "2024-09-01", "2024-03-15"],
    ...                    "response_status": ["accepted_in_principle", "implemented",
    ...                                        "rejected_with_reasons"]})
    >>> reg = validate_register(recs, ev).register
    >>> fate_data(reg, as_of="2024-12-31")[["rec_id", "taken_up", "time", "event"]]
      rec_id  taken_up   time           event
    0     r1         1   22.0  other_response
    1     r2         0   65.0       rejection
    2     r3         0  356.0        censored
    """
    res = uptake(register, as_of=as_of, coder=coder)
    scheme = register.scheme
    if causes is None:
        impl = tuple(dict.fromkeys((*scheme.implemented_codes, "partially_implemented")))
        rej = tuple(scheme.rejected_codes)
        other = tuple(c for c in scheme.status_order
                      if c not in impl and c not in rej and c != scheme.no_response_code)
        causes = {"implementation": impl, "rejection": rej, "other_response": other}
    code_to_cause: dict[str, str] = {}
    for name, codes in causes.items():
        if name == "censored":
            raise AnalysisInputError("'censored' is reserved for recommendations without an event")
        for c in codes:
            if c not in scheme.status_rank:
                raise AnalysisInputError(
                    f"cause {name!r}: {c!r} is not a response status of coding scheme "
                    f"{scheme.id} {scheme.version} ({list(scheme.status_order)})")
            if c in code_to_cause:
                raise AnalysisInputError(f"status {c!r} is in two causes ({code_to_cause[c]!r}, {name!r})")
            code_to_cause[c] = name
    ev = register.events
    if coder is not None:
        ev = ev[ev["coder"] == coder]
    ev = ev[(ev["date"] <= res.as_of) & ev["response_status"].isin(list(code_to_cause))].copy()
    ev["_order"] = np.arange(len(ev))
    first = ev.sort_values(["rec_id", "date", "_order"], kind="stable").groupby("rec_id").head(1)
    first = first.set_index("rec_id")
    st = res.status
    recs = register.recommendations.set_index("rec_id")
    out = st[["process_id", "rec_id"]].copy()
    for col in FATE_COVARIATES:
        out[col] = st[col].to_numpy() if col in st else st["rec_id"].map(recs[col]).to_numpy()
    out["status"] = st["status"].to_numpy()
    out["taken_up"] = st["taken_up"].astype(int).to_numpy()
    out["implemented"] = st["implemented"].astype(int).to_numpy()
    weight = st["fidelity"].map(scheme.fidelity_weights)
    fate = pd.Series("accepted", index=st.index, dtype=object)
    fate[weight < 1] = "transformed"
    fate[weight.isna()] = None
    fate[~st["taken_up"].astype(bool)] = "not_taken_up"
    out["fate"] = fate.to_numpy()
    fdate = st["rec_id"].map(first["date"]).astype("datetime64[ns]")
    has = fdate.notna()
    out["time"] = np.where(has, (fdate - st["submitted"]).dt.days, st["follow_up_days"]).astype(float)
    out["event"] = np.where(has, st["rec_id"].map(first["response_status"]).map(code_to_cause),
                            "censored")
    return out.reset_index(drop=True)


def _design(df: pd.DataFrame, covariates: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Treatment-coded design matrix with an intercept; term names ``col[level]``."""
    cols: dict[str, pd.Series] = {"(Intercept)": pd.Series(1.0, index=df.index)}
    for c in covariates:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            cols[c] = s.astype(float)
            continue
        s = s.astype(str)
        levels = [lv for lv in _LEVELS.get(c, ()) if lv in set(s)] or sorted(set(s))
        extra = sorted(set(s) - set(levels))
        levels = levels + extra
        if len(levels) < 2:
            raise AnalysisInputError(f"term(s) [{c!r}] do not vary among the recommendations "
                                     f"modelled (all {levels[0]!r}); leave the covariate out")
        for lv in levels[1:]:
            cols[f"{c}[{lv}]"] = (s == lv).astype(float)
    X = pd.DataFrame(cols)
    const = [t for t in X.columns[1:] if X[t].nunique() < 2]
    if const:
        raise AnalysisInputError(f"term(s) {const} do not vary among the recommendations modelled; "
                                 "leave the covariate out")
    return X, list(X.columns)


def fate_model(
    df: pd.DataFrame,
    outcome: str = "taken_up",
    covariates: Sequence[str] = FATE_COVARIATES,
    *,
    process: str = "process_id",
    method: Literal["gee", "glmm"] = "gee",
    n_agq: int = 9,
    levels: Sequence[str] | None = None,
    confidence_level: float = 0.95,
) -> FateModelResult:
    """Binary fate of recommendations on proposal covariates, proposals nested in processes.

    Parameters
    ----------
    df : DataFrame
        One row per recommendation, e.g. :func:`fate_data`'s output.
    outcome : str, default ``"taken_up"``
        0/1 (or boolean) column.
    covariates : sequence of str
        Default :data:`FATE_COVARIATES`. Numeric columns enter as they are (``vote_share`` as a
        share 0-1: its coefficient is the change in log-odds from 0 to 100 % of the plenary
        vote); text columns are treatment-coded, the reference being the first of
        ``low / medium / high`` or ``no / yes`` (other columns: the first level alphabetically).
    process : str, default ``"process_id"``
        The cluster (process) column.
    method : ``"gee"`` or ``"glmm"``
        ``"gee"``: population-averaged logit by generalised estimating equations with an
        exchangeable working correlation (statsmodels ``GEE``; sandwich standard errors).
        ``"glmm"``: random-intercept logit (process intercepts normal with standard deviation
        ``sd_process``) by maximum likelihood with adaptive Gauss-Hermite quadrature.
    n_agq : int, default 9
        Quadrature points per process for ``"glmm"`` (R ``lme4::glmer(nAGQ = )``); 1 is the
        Laplace approximation.
    levels : sequence of str, optional
        For an ordered outcome (e.g. ``outcome="fate", levels=FATE_LEVELS``): its categories
        from lowest to highest. The model is then the random-intercept cumulative logit
        :math:`\\operatorname{logit} P(Y \\le k) = \\theta_k - x'\\beta - u` (``method="glmm"``
        only; R ``ordinal::clmm``): terms ``threshold[a|b]`` then the covariates, no intercept.
    confidence_level : float, default 0.95

    Returns
    -------
    FateModelResult
        ``coefficients`` (``term, estimate, se, ci_low, ci_high, statistic, p_value,
        confidence_level, n, method``), ``parameters``, ``dropped``.

    Raises
    ------
    AnalysisInputError
        Missing columns, an outcome other than 0/1, fewer than two processes, a term that does
        not vary, or a fit that does not converge.

    Notes
    -----
    Rows with a missing or ``unknown`` covariate or outcome are left out and listed in
    ``dropped``. GEE: statsmodels ``GEE`` (Binomial, logit, ``Exchangeable``) with the
    exchangeable correlation estimated by the moment estimator without a degrees-of-freedom
    correction (``ddof_scale = 0``), which is geepack's; validated against R geepack 1.3.9
    ``geeglm(corstr = "exchangeable")`` (estimates, sandwich standard errors and
    :math:`\\alpha`) to 1e-8. Random-intercept logit: the marginal log-likelihood
    :math:`\\sum_i \\log \\int \\prod_j p(y_{ij} \\mid x_{ij}\\beta + \\sigma z)\\,\\phi(z)\\,dz`
    is approximated per process by adaptive Gauss-Hermite quadrature (Pinheiro & Bates 1995;
    Liu & Pierce 1994): nodes centred on the conditional mode :math:`\\hat z_i` (Newton) and
    scaled by :math:`(1 + \\sigma^2\\sum_j \\hat\\mu_{ij}(1-\\hat\\mu_{ij}))^{-1/2}`, the
    curvature there; one node is the Laplace approximation. It is maximised over
    :math:`(\\beta, \\sigma)` (BFGS, then Newton steps on a central-difference Hessian with Richardson extrapolation), and
    standard errors come from the inverse of that Hessian. Validated against R lme4 1.1.31
    ``glmer(nAGQ = 1)`` and ``glmer(nAGQ = 9)`` (optimised with ``rhoend = 1e-12`` and
    ``tolPwrss = 1e-13``): estimates, :math:`\\sigma` and deviance to 1e-6; standard errors
    against the numDeriv Hessian of lme4's own deviance function to 1e-7 at ``nAGQ = 9`` and
    3e-6 at ``nAGQ = 1`` (the noise of lme4's inner tolerance), and at ``nAGQ = 1`` to 2e-7
    against the Laplace deviance written out in R with exact conditional modes (lme4's
    ``vcov()`` uses a coarser finite-difference Hessian and differs by up to 2e-3). The ordered
    model: against R ordinal 2022.11.16 ``clmm(nAGQ = 1 / 9)``, estimates to 2e-5 (clmm stops
    with gradients of about 3e-5; the deviances agree to 1e-6) and standard errors to 2e-5 at
    ``nAGQ = 9``.

    References
    ----------
    Font, J., Smith, G., Galais, C., & Alarcon, P. (2018). Cherry-picking participation:
    Explaining the fate of proposals from participatory processes. *European Journal of
    Political Research*, 57(3), 615-636.
    Liang, K.-Y., & Zeger, S. L. (1986). Longitudinal data analysis using generalized linear
    models. *Biometrika*, 73(1), 13-22.
    Pinheiro, J. C., & Bates, D. M. (1995). Approximations to the log-likelihood function in
    the nonlinear mixed-effects model. *Journal of Computational and Graphical Statistics*,
    4(1), 12-35.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from deliberval.analysis.fate import fate_model
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"process_id": np.repeat([f"p{i}" for i in range(12)], 10),
    ...                    "prior_agenda": rng.choice(["no", "yes"], 120)})
    >>> df["taken_up"] = (rng.random(120) < np.where(df["prior_agenda"] == "yes", .7, .4)).astype(int)
    >>> res = fate_model(df, covariates=["prior_agenda"])
    >>> res.coefficients[["term", "estimate", "se"]].round(3)
                    term  estimate     se
    0        (Intercept)    -0.796  0.221
    1  prior_agenda[yes]     2.273  0.354
    """
    cl = check_confidence_level(confidence_level)
    covariates = list(covariates)
    require_columns(df, [outcome, process, *covariates], what="fate data")
    if method not in ("gee", "glmm"):
        raise AnalysisInputError(f"method must be 'gee' or 'glmm', got {method!r}")
    if not isinstance(n_agq, (int, np.integer)) or isinstance(n_agq, bool) or not 1 <= n_agq <= 50:
        raise AnalysisInputError(f"n_agq must be a whole number from 1 to 50, got {n_agq!r}")
    label = df["rec_id"] if "rec_id" in df else pd.Series(df.index.astype(str), index=df.index)
    reasons = pd.Series("", index=df.index, dtype=object)
    for c in [outcome, process, *covariates]:
        bad = df[c].isna() | df[c].astype(str).isin(_MISSING_CODES)
        reasons = reasons.where(~(bad & (reasons == "")), f"{c} missing or unknown")
    keep = reasons == ""
    dropped = pd.DataFrame({"rec_id": label[~keep].astype(str).to_numpy(),
                            "reason": reasons[~keep].to_numpy()})
    data = df.loc[keep]
    if levels is not None:
        levels = [str(v) for v in levels]
        if method != "glmm":
            raise AnalysisInputError("an ordered outcome (levels=) is fitted with method='glmm' only")
        if len(levels) < 3 or len(set(levels)) != len(levels):
            raise AnalysisInputError(f"levels must name three or more distinct categories, got {levels}")
        y = data[outcome].astype(str).map({v: i for i, v in enumerate(levels)})
        if y.isna().any():
            bad = sorted(set(data[outcome].astype(str)) - set(levels))
            raise AnalysisInputError(f"outcome {outcome!r} has value(s) {bad} not in levels {levels}")
        if y.nunique() < len(levels):
            raise AnalysisInputError(f"outcome {outcome!r}: every level of {levels} needs a recommendation")
    else:
        y = pd.to_numeric(data[outcome].astype(object).replace({True: 1, False: 0}), errors="coerce")
        if y.isna().any() or not y.isin([0, 1]).all():
            raise AnalysisInputError(f"outcome {outcome!r} must be 0/1 (or true/false)")
    groups = data[process].astype(str)
    if groups.nunique() < 2:
        raise AnalysisInputError("the fate model needs recommendations from at least two processes")
    order = np.argsort(pd.Categorical(groups, categories=list(dict.fromkeys(groups))).codes,
                       kind="stable")
    data, y, groups = data.iloc[order], y.iloc[order].astype(float), groups.iloc[order]
    X, terms = _design(data, covariates)
    n = len(data)
    z = normal_quantile(cl)
    if levels is not None:
        X = X.drop(columns="(Intercept)")
        terms = [f"threshold[{a}|{b}]" for a, b in itertools.pairwise(levels)] + list(X.columns)
        est, se, params, how = _clmm(y.to_numpy(float), X.to_numpy(), groups.to_numpy(), int(n_agq), levels)
    elif method == "gee":
        est, se, params, how = _gee(y.to_numpy(), X.to_numpy(), groups.to_numpy())
    else:
        est, se, params, how = _glmm(y.to_numpy(), X.to_numpy(), groups.to_numpy(), int(n_agq))
    stat = est / se
    coef = pd.DataFrame({"term": terms, "estimate": est, "se": se, "ci_low": est - z * se,
                         "ci_high": est + z * se, "statistic": stat,
                         "p_value": 2 * stats.norm.sf(np.abs(stat)), "confidence_level": cl,
                         "n": n, "method": how}, columns=_COEF_COLUMNS)
    params.append({"parameter": "n_processes", "estimate": float(groups.nunique()),
                   "method": f"processes ({process}) with a recommendation in the model"})
    return FateModelResult(coefficients=coef, parameters=pd.DataFrame(params), dropped=dropped)


def _gee(y: np.ndarray, X: np.ndarray, groups: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]], str]:
    import statsmodels.api as sm

    model = sm.GEE(y, X, groups=groups, family=sm.families.Binomial(),
                   cov_struct=sm.cov_struct.Exchangeable())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # non-convergence is reported below, as an error
        fit = model.fit(maxiter=200, ctol=1e-12, ddof_scale=0)
    n_iter = len(model._fit_history["params"])
    if not getattr(fit, "converged", False) or not np.isfinite(fit.params).all():
        raise AnalysisInputError("the GEE fit did not converge; check for separation (a covariate "
                                 "level in which every or no recommendation was taken up)")
    alpha = float(np.asarray(model.cov_struct.dep_params))
    how = ("GEE, binomial logit, exchangeable working correlation (moment estimator, as R "
           "geepack); sandwich standard errors; Wald interval and z test")
    params = [{"parameter": "alpha", "estimate": alpha,
               "method": "exchangeable working correlation within processes"},
              {"parameter": "n_iterations", "estimate": float(n_iter),
               "method": "GEE iterations"}]
    return np.asarray(fit.params, float), np.asarray(fit.bse, float), params, how


def _binary_obs(y: np.ndarray, X: np.ndarray) -> Any:
    """Per-observation log-likelihood of a logit and its first two derivatives in the random
    part of the linear predictor."""
    sign = 2 * y - 1

    def obs(par: np.ndarray, extra: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lin = X @ par + extra
        m = expit(lin)
        return log_expit(sign * lin), y - m, -m * (1 - m)
    return obs


def _ordinal_obs(y: np.ndarray, X: np.ndarray, n_cat: int) -> Any:
    """Cumulative logit P(Y <= k) = F(theta_k - x beta - u) (R ordinal::clmm's parametrisation);
    parameters: the n_cat - 1 thresholds, then beta."""
    k = y.astype(int)
    n_thr = n_cat - 1

    def obs(par: np.ndarray, extra: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        theta, beta = par[:n_thr], par[n_thr:]
        lin = (X @ beta if X.shape[1] else 0.0) + extra
        upper = np.where(k < n_thr, theta[np.minimum(k, n_thr - 1)] - lin, np.inf)
        lower = np.where(k > 0, theta[np.maximum(k - 1, 0)] - lin, -np.inf)
        Fa, Fb = expit(upper), expit(lower)
        fa, fb = Fa * (1 - Fa), Fb * (1 - Fb)
        dfa, dfb = fa * (1 - 2 * Fa), fb * (1 - 2 * Fb)
        prob = Fa - Fb
        d1 = -(fa - fb) / prob
        d2 = (dfa - dfb) / prob - d1**2
        return np.log(prob), d1, d2
    return obs


def _agq_fit(obs: Any, start: np.ndarray, groups: np.ndarray, n_agq: int
             ) -> tuple[np.ndarray, np.ndarray, float]:
    """Maximum likelihood with a normal random intercept per group by adaptive Gauss-Hermite
    quadrature; ``start`` holds the fixed parameters then sigma. Returns the estimates, their
    covariance (inverse observed information) and the log-likelihood."""
    codes = pd.factorize(groups)[0]
    n_groups = int(codes.max()) + 1
    nodes, weights = np.polynomial.hermite.hermgauss(n_agq)
    # log of w_k exp(x_k^2) / sqrt(pi): the Gauss-Hermite rule for a standard normal integrand
    log_w = np.log(weights) + nodes**2 - 0.5 * np.log(np.pi)

    def loglik(par: np.ndarray) -> float:
        fixed, sigma = par[:-1], par[-1]
        zhat = np.zeros(n_groups)
        for _ in range(200):
            _, d1, d2 = obs(fixed, sigma * zhat[codes])
            grad = sigma * np.bincount(codes, d1, n_groups) - zhat
            info = 1 - sigma**2 * np.bincount(codes, d2, n_groups)
            step = grad / info
            zhat += step
            if np.max(np.abs(step)) < 1e-13:
                break
        _, _, d2 = obs(fixed, sigma * zhat[codes])
        scale = 1 / np.sqrt(1 - sigma**2 * np.bincount(codes, d2, n_groups))
        total = np.zeros((n_agq, n_groups))
        for k in range(n_agq):
            zk = zhat + np.sqrt(2) * scale * nodes[k]
            ll = np.bincount(codes, obs(fixed, sigma * zk[codes])[0], n_groups)
            total[k] = log_w[k] + ll - 0.5 * zk**2
        mx = total.max(axis=0)
        li = mx + np.log(np.exp(total - mx).sum(axis=0)) + np.log(scale)
        return float(li.sum())

    def nll(par: np.ndarray) -> float:
        value = -loglik(par)
        return value if np.isfinite(value) else 1e300

    first = optimize.minimize(nll, start, method="BFGS", options={"gtol": 1e-7, "maxiter": 5000})
    par = first.x
    h_step = 4e-3
    for _ in range(50):
        g, H = _grad_hess(nll, par, h_step)
        step = np.linalg.solve(H, g)
        par = par - step
        if np.max(np.abs(step)) < 1e-10:
            break
    else:  # pragma: no cover - Newton from a BFGS optimum converges in a few steps
        raise AnalysisInputError("the random-intercept model did not converge")
    par[-1] = abs(par[-1])  # the likelihood is symmetric in sigma
    _, H = _grad_hess(nll, par, h_step)
    if not np.all(np.linalg.eigvalsh(H) > 0):
        raise AnalysisInputError("the random-intercept model has no finite maximum (check for "
                                 "separation or a process variance at zero)")
    return par, np.linalg.inv(H), loglik(par)


def _glmm(y: np.ndarray, X: np.ndarray, groups: np.ndarray, n_agq: int
          ) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]], str]:
    import statsmodels.api as sm

    start = np.append(sm.GLM(y, X, family=sm.families.Binomial()).fit().params, 0.5)
    par, cov, ll = _agq_fit(_binary_obs(y, X), start, groups, n_agq)
    se = np.sqrt(np.diag(cov))[:-1]
    kind = "Laplace approximation" if n_agq == 1 else f"adaptive Gauss-Hermite quadrature, {n_agq} points"
    how = (f"random-intercept logit (process), maximum likelihood, {kind} (as R lme4 glmer "
           f"nAGQ = {n_agq}); standard errors from the observed information; Wald interval and z test")
    return par[:-1].copy(), se, _glmm_params(par[-1], ll, n_agq), how


def _glmm_params(sigma: float, ll: float, n_agq: int) -> list[dict[str, Any]]:
    return [{"parameter": "sd_process", "estimate": float(sigma),
             "method": "standard deviation of the process intercepts (log-odds)"},
            {"parameter": "deviance", "estimate": -2 * ll, "method": "-2 log-likelihood"},
            {"parameter": "n_agq", "estimate": float(n_agq), "method": "quadrature points per process"}]


def _clmm(y: np.ndarray, X: np.ndarray, groups: np.ndarray, n_agq: int, levels: list[str]
          ) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]], str]:
    n_cat = len(levels)
    cum = np.cumsum(np.bincount(y.astype(int), minlength=n_cat))[:-1] / len(y)
    start = np.concatenate([np.log(cum / (1 - cum)), np.zeros(X.shape[1]), [0.5]])
    par, cov, ll = _agq_fit(_ordinal_obs(y, X, n_cat), start, groups, n_agq)
    se = np.sqrt(np.diag(cov))[:-1]
    kind = "Laplace approximation" if n_agq == 1 else f"adaptive Gauss-Hermite quadrature, {n_agq} points"
    how = (f"random-intercept cumulative logit (process), logit P(Y <= k) = theta_k - x'beta - u, "
           f"maximum likelihood, {kind} (as R ordinal clmm nAGQ = {n_agq}); standard errors from "
           "the observed information; Wald interval and z test")
    return par[:-1].copy(), se, _glmm_params(par[-1], ll, n_agq), how


def _grad_hess(f: Any, x: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and Hessian of a smooth scalar function by central differences with one
    Richardson extrapolation (steps ``h`` and ``h / 2``; error of order ``h**4``)."""

    def central(step: float) -> tuple[np.ndarray, np.ndarray]:
        p = len(x)
        e = np.eye(p) * step
        f0 = f(x)
        g = np.array([(f(x + e[i]) - f(x - e[i])) / (2 * step) for i in range(p)])
        H = np.empty((p, p))
        for i in range(p):
            H[i, i] = (f(x + e[i]) - 2 * f0 + f(x - e[i])) / step**2
            for j in range(i + 1, p):
                H[i, j] = H[j, i] = (f(x + e[i] + e[j]) - f(x + e[i] - e[j])
                                     - f(x - e[i] + e[j]) + f(x - e[i] - e[j])) / (4 * step**2)
        return g, H

    g1, H1 = central(h)
    g2, H2 = central(h / 2)
    return (4 * g2 - g1) / 3, (4 * H2 - H1) / 3


def cumulative_incidence(
    df: pd.DataFrame,
    time: str = "time",
    event: str = "event",
    *,
    by: str | None = None,
    censored: str = "censored",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence of competing response types.

    Parameters
    ----------
    df : DataFrame
        One row per recommendation, e.g. :func:`fate_data`'s output.
    time : str, default ``"time"``
        Days from submission to the event or to censoring (non-negative).
    event : str, default ``"event"``
        The cause (e.g. ``implementation``, ``rejection``, ``other_response``) or ``censored``.
    by : str, optional
        One block of curves per value of this column (kept under its own name).
    censored : str, default ``"censored"``
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        One row per cause and time at which that cause occurs: [``by``], ``cause, time,
        estimate`` (cumulative incidence), ``se`` (square root of Gray's variance), ``ci_low,
        ci_high`` (log(-log) transform), ``confidence_level, n`` (recommendations in the
        block), ``n_risk`` (at risk just before ``time``), ``n_events`` (of this cause at
        ``time``), ``method``.

    Notes
    -----
    With distinct times :math:`t_j`, :math:`r_j` at risk, :math:`d_{cj}` events of cause
    :math:`c` and :math:`d_j = \\sum_c d_{cj}`, the overall Kaplan-Meier survival is
    :math:`S(t_j) = \\prod_{l\\le j}(1 - d_l/r_l)` and the cumulative incidence
    :math:`F_c(t) = \\sum_{t_j \\le t} S(t_{j-1})\\, d_{cj}/r_j` (Aalen & Johansen 1978). The
    variance is Gray's delta-method estimate as computed by R ``cmprsk::cuminc`` (with its
    tie correction :math:`1 - (d-1)/(r-1)`), accumulated over event times of the cause and of
    the competing causes:
    :math:`V(t) = v_1 + F^2 v_3 - 2 F v_2` with
    :math:`v_k = \\sum_j a_j^{(k)} S(t_{j-1})^2 \\kappa_j d_j' / r_j^2`. The interval is
    :math:`\\hat F^{\\exp(\\pm z\\, se / (\\hat F \\log \\hat F))}` (Pintilie 2006, as
    tidycmprsk). Validated against R cmprsk 2.2.11 ``cuminc`` (estimates and variances,
    overall and by group) to 1e-10.

    References
    ----------
    Aalen, O. O., & Johansen, S. (1978). An empirical transition matrix for non-homogeneous
    Markov chains based on censored observations. *Scandinavian Journal of Statistics*, 5,
    141-150.
    Gray, R. J. (1988). A class of K-sample tests for comparing the cumulative incidence of a
    competing risk. *The Annals of Statistics*, 16(3), 1141-1154.
    Pintilie, M. (2006). *Competing risks: a practical perspective*. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.fate import cumulative_incidence
    >>> df = pd.DataFrame({"time": [10, 20, 20, 35, 50, 60],
    ...                    "event": ["rejection", "implementation", "censored", "rejection",
    ...                              "implementation", "censored"]})
    >>> cumulative_incidence(df)[["cause", "time", "estimate", "se"]].round(4)
                cause  time  estimate      se
    0  implementation  20.0    0.1667  0.1700
    1  implementation  50.0    0.3889  0.2831
    2       rejection  10.0    0.1667  0.1667
    3       rejection  35.0    0.3889  0.2596
    """
    cl = check_confidence_level(confidence_level)
    require_columns(df, [time, event] + ([by] if by else []), what="competing-risks data")
    t = pd.to_numeric(df[time], errors="coerce")
    if t.isna().any() or (t < 0).any():
        raise AnalysisInputError(f"{time!r} must be non-negative numbers of days, without gaps")
    if df[event].isna().any():
        raise AnalysisInputError(f"{event!r} has missing values; use {censored!r} for no event")
    blocks = [(None, df.index)] if by is None else [
        (k, g.index) for k, g in df.groupby(by, sort=False, dropna=False)]
    causes = sorted(set(df[event].astype(str)) - {censored})
    z = normal_quantile(cl)
    frames = []
    for key, idx in blocks:
        tt = t.loc[idx].to_numpy(float)
        ee = df.loc[idx, event].astype(str).to_numpy()
        for cause in causes:
            part = _cif_one(tt, ee != censored, ee == cause)
            if not len(part):
                continue
            part.insert(0, "cause", cause)
            if by is not None:
                part.insert(0, by, key)
            frames.append(part)
    cols = ([by] if by else []) + _CIF_COLUMNS
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    f, se = out["estimate"], out["se"]
    with np.errstate(divide="ignore", invalid="ignore"):
        expo = np.exp(z * se / (f * np.log(f)))
        out["ci_low"] = np.where(f >= 1, 1.0, f ** (1 / expo))
        out["ci_high"] = np.where(f >= 1, 1.0, f ** expo)
    out["confidence_level"] = cl
    out["method"] = _CIF_METHOD
    return out[cols]


def _cif_one(t: np.ndarray, any_event: np.ndarray, this: np.ndarray) -> pd.DataFrame:
    n = len(t)
    times = np.unique(t[any_event])
    rows = []
    surv, F, v1, v2, v3 = 1.0, 0.0, 0.0, 0.0, 0.0
    for tj in times:
        r = float(np.sum(t >= tj))
        at = t == tj
        d1 = float(np.sum(this & at))
        d2 = float(np.sum(any_event & ~this & at))
        new_surv = surv * (r - d1 - d2) / r
        F_new = F + surv * d1 / r
        # contributions of competing events, then of events of this cause (Gray 1988)
        if d2 > 0 and new_surv > 0:
            tie = 1 - (d2 - 1) / (r - 1) if d2 > 1 else 1.0
            w = surv**2 * tie * d2 / r**2
            b, a = 1 / new_surv, F_new / new_surv
            v1, v2, v3 = v1 + a * a * w, v2 + a * b * w, v3 + b * b * w
        if d1 > 0:
            tie = 1 - (d1 - 1) / (r - 1) if d1 > 1 else 1.0
            w = surv**2 * tie * d1 / r**2
            b = 1 / new_surv if new_surv > 0 else 0.0
            a = 1 + b * F_new
            v1, v2, v3 = v1 + a * a * w, v2 + a * b * w, v3 + b * b * w
            var = v1 + F_new**2 * v3 - 2 * F_new * v2
            rows.append({"time": float(tj), "estimate": F_new, "se": float(np.sqrt(max(var, 0.0))),
                         "n": n, "n_risk": int(r), "n_events": int(d1)})
        F, surv = F_new, new_surv
    return pd.DataFrame(rows, columns=["time", "estimate", "se", "n", "n_risk", "n_events"])
