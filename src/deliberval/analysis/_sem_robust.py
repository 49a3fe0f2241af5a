"""Full-information ML (FIML) for incomplete items and the robust (MLR) scaled test statistic.

Private helpers of :mod:`deliberval.analysis.cfa`. Models are the ``_Spec`` layouts of that
module; the data of each level are grouped by missing-data pattern. Reproduces lavaan 0.6's
``estimator = "MLR", missing = "fiml"``: the FIML likelihood, the saturated (h1) model
estimated to convergence, and the Yuan-Bentler scaling factor in lavaan's Mplus variant
(``test = "yuan.bentler.mplus"``, observed information, unstructured h1 information).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import optimize

if TYPE_CHECKING:
    from deliberval.analysis.cfa import _Spec


@dataclass(frozen=True)
class _Pattern:
    """Rows of one level sharing one set of observed items."""

    obs: np.ndarray  # indices of the observed items
    rows: np.ndarray  # (n_p, len(obs)) observed values
    n: int
    mean: np.ndarray
    cov: np.ndarray  # divisor n_p


def patterns(x: np.ndarray) -> list[_Pattern]:
    """The missing-data patterns of ``x`` (rows with no observed item must be removed first)."""
    seen = ~np.isnan(x)
    keys, inverse = np.unique(seen, axis=0, return_inverse=True)
    out = []
    for k, key in enumerate(keys):
        obs = np.flatnonzero(key)
        rows = x[np.asarray(inverse).ravel() == k][:, obs]
        mean = rows.mean(axis=0)
        dev = rows - mean
        out.append(_Pattern(obs, rows, len(rows), mean, dev.T @ dev / len(rows)))
    return out


def _pattern_terms(
    pats: list[_Pattern], sigma: np.ndarray, mu: np.ndarray, p: int
) -> tuple[float, np.ndarray, np.ndarray] | None:
    """Per-row-averaged ``-2 logL`` (without constants) of one level and its derivatives.

    Returns ``f``, ``W = dF/dSigma`` and ``gmu = dF/dmu``; None if a submatrix is not positive
    definite.
    """
    n = sum(pt.n for pt in pats)
    f = 0.0
    w = np.zeros((p, p))
    gmu = np.zeros(p)
    for pt in pats:
        o = pt.obs
        sub = sigma[np.ix_(o, o)]
        sign, logdet = np.linalg.slogdet(sub)
        if sign <= 0:
            return None
        inv = np.linalg.inv(sub)
        d = pt.mean - mu[o]
        v = inv @ d
        share = pt.n / n
        f += share * (logdet + np.trace(pt.cov @ inv) + d @ v)
        w[np.ix_(o, o)] += share * (inv - inv @ pt.cov @ inv - np.outer(v, v))
        gmu[o] += share * (-2 * v)
    return f, w, gmu


def objective(
    spec: _Spec, data: list[list[_Pattern]], theta: np.ndarray
) -> tuple[float, np.ndarray]:
    """``F = sum_g (N_g / N) F_g`` with the FIML ``F_g`` and its gradient in ``theta``."""
    from deliberval.analysis.cfa import _chain

    ns = np.array([sum(pt.n for pt in pats) for pats in data], dtype=float)
    total = ns.sum()
    f_total = 0.0
    grad = np.zeros_like(theta)
    for gi, pats in enumerate(data):
        lam, phi, th, nu, al = spec.matrices(theta, gi)
        sigma = lam @ phi @ lam.T + th
        mu = nu + lam @ al
        terms = _pattern_terms(pats, sigma, mu, spec.p)
        if terms is None:
            return 1e10, np.zeros_like(theta)
        f, w, gmu = terms
        weight = ns[gi] / total
        f_total += weight * f
        _chain(spec, gi, lam, phi, al, w, gmu, weight, grad)
    return f_total, grad


def fit(
    spec: _Spec, data: list[list[_Pattern]], start: np.ndarray
) -> tuple[np.ndarray, float, bool]:
    """Minimise the FIML objective; parameters, ``F`` at the minimum, converged."""
    res = optimize.minimize(
        lambda t: objective(spec, data, t),
        start,
        jac=True,
        method="BFGS",
        options={"gtol": 1e-10, "maxiter": 10_000},
    )
    grad_norm = float(np.abs(objective(spec, data, res.x)[1]).max())
    return res.x, float(res.fun), bool(grad_norm < 1e-5)


def available_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Means and variances of each item over its observed rows (divisor n)."""
    return np.nanmean(x, axis=0), np.nanvar(x, axis=0)


def _vech_index(p: int) -> list[tuple[int, int]]:
    return [(i, j) for j in range(p) for i in range(j, p)]


def _moment_scores(pats: list[_Pattern], sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Casewise scores of the normal log-likelihood in (mu, vech Sigma), one row per case."""
    p = len(mu)
    vech = _vech_index(p)
    rows = []
    for pt in pats:
        o = pt.obs
        inv = np.linalg.inv(sigma[np.ix_(o, o)])
        d = pt.rows - mu[o]
        z = d @ inv  # (n_p, |o|)
        s = np.zeros((pt.n, p + len(vech)))
        s[:, o] = z
        full = np.zeros((pt.n, p, p))
        full[np.ix_(np.arange(pt.n), o, o)] = 0.5 * (z[:, :, None] * z[:, None, :] - inv)
        for k, (i, j) in enumerate(vech):
            s[:, p + k] = full[:, i, j] * (1 if i == j else 2)
        rows.append(s)
    return np.vstack(rows)


def _moment_score_sum(pats: list[_Pattern], mom: np.ndarray, p: int) -> np.ndarray:
    """Sum of the casewise scores at the moments ``mom = (mu, vech Sigma)`` (for derivatives)."""
    mu, sigma = _unpack(mom, p)
    vech = _vech_index(p)
    out = np.zeros(len(mom))
    for pt in pats:
        o = pt.obs
        inv = np.linalg.inv(sigma[np.ix_(o, o)])
        d = pt.mean - mu[o]
        out[o] += pt.n * (inv @ d)
        m = np.zeros((p, p))
        m[np.ix_(o, o)] = 0.5 * pt.n * (inv @ (pt.cov + np.outer(d, d)) @ inv - inv)
        for k, (i, j) in enumerate(vech):
            out[p + k] += m[i, j] * (1 if i == j else 2)
    return out


def _unpack(mom: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    mu = mom[:p]
    sigma = np.zeros((p, p))
    for k, (i, j) in enumerate(_vech_index(p)):
        sigma[i, j] = sigma[j, i] = mom[p + k]
    return mu, sigma


def _pack(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return np.r_[mu, [sigma[i, j] for i, j in _vech_index(len(mu))]]


def _jacobian(fun, x: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Central-difference Jacobian of a vector function (columns: coordinates of x)."""
    cols = []
    for k in range(len(x)):
        h = 1e-5 * max(1.0, abs(x[k]))
        e = np.zeros_like(x)
        e[k] = h
        cols.append((fun(x + e) - fun(x - e)) / (2 * h))
    return np.column_stack(cols)


def _model_moments(spec: _Spec, t: np.ndarray, gi: int) -> np.ndarray:
    lam, phi, th, nu, al = spec.matrices(t, gi)
    return _pack(nu + lam @ al, lam @ phi @ lam.T + th)


def first_order(spec: _Spec, theta: np.ndarray, data: list[list[_Pattern]]) -> list[np.ndarray]:
    """``B0_g``: the mean outer product of the casewise scores of the model in each level."""
    out = []
    for gi, pats in enumerate(data):
        delta = _jacobian(lambda t, gi=gi: _model_moments(spec, t, gi), theta)
        mu0, sigma0 = _unpack(_model_moments(spec, theta, gi), spec.p)
        s0 = _moment_scores(pats, sigma0, mu0) @ delta
        out.append(s0.T @ s0 / sum(pt.n for pt in pats))
    return out


def observed_information(spec: _Spec, theta: np.ndarray, data: list[list[_Pattern]]) -> np.ndarray:
    """``E``: minus the Hessian of the log-likelihood per case (half the Hessian of ``F``)."""
    hess = _jacobian(lambda t: objective(spec, data, t)[1], theta)
    return 0.5 * (hess + hess.T) / 2


def expected_information(spec: _Spec, theta: np.ndarray, data: list[list[_Pattern]]) -> np.ndarray:
    """Normal-theory expected information per case: half the Hessian of ``F`` on data whose
    moments are the model-implied ones (complete data)."""
    implied = []
    for gi, pats in enumerate(data):
        mu, sigma = _unpack(_model_moments(spec, theta, gi), spec.p)
        n = sum(pt.n for pt in pats)
        obs = np.arange(spec.p)
        implied.append([_Pattern(obs, np.empty((0, spec.p)), n, mu, sigma)])
    return observed_information(spec, theta, implied)


def standard_errors(
    spec: _Spec, theta: np.ndarray, data: list[list[_Pattern]], kind: str
) -> np.ndarray:
    """Standard errors of ``theta``: ``expected`` or ``observed`` information, ``E^-1 / N``,
    or the ``sandwich`` ``E^-1 B0 E^-1 / N`` (observed ``E``; lavaan's MLR)."""
    ns = np.array([sum(pt.n for pt in pats) for pats in data], dtype=float)
    total = ns.sum()
    info = expected_information if kind == "expected" else observed_information
    try:
        e_inv = np.linalg.inv(info(spec, theta, data))
    except np.linalg.LinAlgError:  # a singular information matrix: not identified
        return np.full(len(theta), np.nan)
    if kind == "sandwich":
        b0 = sum(n / total * b for n, b in zip(ns, first_order(spec, theta, data), strict=True))
        e_inv = e_inv @ b0 @ e_inv
    var = np.diag(e_inv) / total
    return np.where(var > 0, np.sqrt(np.abs(var)), np.nan)


def scaling_factor(
    spec: _Spec,
    theta: np.ndarray,
    data: list[list[_Pattern]],
    h1: list[tuple[np.ndarray, np.ndarray]],
    df: int,
) -> float:
    """Yuan-Bentler scaling factor, lavaan's Mplus variant: ``(tr_h1 - tr_h0) / df``.

    ``tr_h1 = sum_g tr(B1_g A1_g^-1)`` with ``A1`` the observed information and ``B1`` the
    first-order information of the saturated model at its estimates; ``tr_h0 = sum_g (N_g / N)
    tr(B0_g E^-1)`` with ``B0_g`` the first-order information of the model (casewise scores at
    the model-implied moments, through the Jacobian of the moments) and ``E`` the observed
    information of the model.
    """
    if df <= 0:
        return float("nan")
    p = spec.p
    ns = np.array([sum(pt.n for pt in pats) for pats in data], dtype=float)
    total = ns.sum()
    tr_h1 = 0.0
    for gi, pats in enumerate(data):
        mu1, sigma1 = h1[gi]
        s1 = _moment_scores(pats, sigma1, mu1)
        b1 = s1.T @ s1 / ns[gi]
        mom1 = _pack(mu1, sigma1)
        a1 = -_jacobian(lambda m, pats=pats: _moment_score_sum(pats, m, p), mom1) / ns[gi]
        a1 = (a1 + a1.T) / 2
        tr_h1 += float(np.trace(b1 @ np.linalg.inv(a1)))
    b0s = first_order(spec, theta, data)
    e_inv = np.linalg.inv(observed_information(spec, theta, data))
    tr_h0 = sum(ns[gi] / total * float(np.trace(b0 @ e_inv)) for gi, b0 in enumerate(b0s))
    return (tr_h1 - tr_h0) / df
