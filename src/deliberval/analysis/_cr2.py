"""CR2 (Bell-McCaffrey) cluster-robust covariance of OLS with Satterthwaite degrees of freedom.

The small-sample correction of Bell & McCaffrey (2002) as generalised by Pustejovsky & Tipton
(2018) and implemented in R ``clubSandwich::vcovCR(type = "CR2")`` + ``coef_test(test =
"Satterthwaite")``, for a linear model fitted by OLS or by weighted least squares (working
covariance and target the identity, as clubSandwich does for ``lm(..., weights =)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["CR2Fit", "ols_cr2"]


@dataclass(frozen=True)
class CR2Fit:
    """Coefficients, CR2 covariance and Satterthwaite df of each coefficient."""

    params: np.ndarray
    cov: np.ndarray
    df: np.ndarray

    @property
    def bse(self) -> np.ndarray:
        """Standard errors."""
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))  # a variance of rounding noise can be -1e-31


def _inv_sqrt(b: np.ndarray) -> np.ndarray:
    # symmetric B^(-1/2) by eigen-decomposition; eigenvalues ~0 get 0 (a generalised inverse), as
    # clubSandwich's Sym_power
    val, vec = np.linalg.eigh((b + b.T) / 2)
    tol = np.sqrt(np.finfo(float).eps) * max(1.0, float(np.max(np.abs(val))))
    p = np.where(val > tol, 1.0 / np.sqrt(np.where(val > tol, val, 1.0)), 0.0)
    return np.asarray((vec * p) @ vec.T)


def ols_cr2(y: np.ndarray, x: np.ndarray, clusters: np.ndarray,
            weights: np.ndarray | None = None) -> CR2Fit:
    """OLS (or WLS) of ``y`` on ``x`` with CR2 covariance clustered by ``clusters``, Satterthwaite df.

    ``V = M (sum_g X_g' A_g e_g e_g' A_g X_g) M`` with ``M = (X'X)^-1`` and
    ``A_g = (I - X_g M X_g')^(-1/2)``; the df of coefficient ``j`` is
    ``(sum_g p_g'p_g)^2 / sum_g sum_h (p_g'p_h)^2`` with ``p_g = (I - H)_g' A_g X_g M e_j``, the
    Satterthwaite approximation under a working model of independent errors of equal variance.

    With ``weights`` (positive; e.g. survey or propensity weights, not inverse-variance weights)
    the model is fitted by WLS and the working model stays the identity, as clubSandwich's
    ``vcovCR(lm(..., weights = w), type = "CR2")`` (``inverse_var = FALSE``): with
    ``W = diag(w)``, ``M = (X'WX)^-1`` and ``H = X M X'W``,
    ``V = M (sum_g X_g'W_g A_g e_g e_g' A_g W_g X_g) M`` with
    ``A_g = [(I - H)(I - H)']_gg^(-1/2)``, and ``p_g = (I - H)_g' A_g W_g X_g M e_j`` in the df.
    """
    if weights is not None:
        return _wls_cr2(y, x, clusters, np.asarray(weights, dtype=float))
    codes = pd.factorize(pd.Series(clusters))[0]
    n_g = int(codes.max()) + 1
    k = x.shape[1]
    m = np.linalg.inv(x.T @ x)
    beta = m @ (x.T @ y)
    e = y - x @ beta
    meat = np.zeros((k, k))
    b = np.zeros((k, n_g, k))  # coefficient j x cluster g: b_g = X_g' A_g X_g M e_j
    aa = np.zeros((k, n_g))  # coefficient j x cluster g: |A_g X_g M e_j|^2
    for g in range(n_g):
        idx = np.flatnonzero(codes == g)
        xg = x[idx]
        a = _inv_sqrt(np.eye(len(idx)) - xg @ m @ xg.T)
        u = xg.T @ (a @ e[idx])
        meat += np.outer(u, u)
        z = a @ xg @ m  # n_g x k
        b[:, g, :] = (xg.T @ z).T
        aa[:, g] = np.sum(z**2, axis=0)
    cov = m @ meat @ m
    # p_g'p_h = [g == h] |z_g|^2 - b_g' M b_h (clusters are disjoint; no n x n matrix is formed)
    dfs = np.empty(k)
    for j in range(k):
        gram = np.diag(aa[j]) - b[j] @ m @ b[j].T
        dfs[j] = np.trace(gram) ** 2 / np.sum(gram**2)
    return CR2Fit(beta, cov, dfs)


def _wls_cr2(y: np.ndarray, x: np.ndarray, clusters: np.ndarray, w: np.ndarray) -> CR2Fit:
    """CR2 of weighted least squares with an identity working model (clubSandwich's default)."""
    if w.shape != y.shape or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("weights must be positive, finite and one per row")
    codes = pd.factorize(pd.Series(clusters))[0]
    n_g = int(codes.max()) + 1
    k = x.shape[1]
    xw = x * w[:, None]
    m = np.linalg.inv(x.T @ xw)
    beta = m @ (xw.T @ y)
    e = y - x @ beta
    msm = m @ (xw.T @ xw) @ m  # M X'W^2X M: the H H' block
    meat = np.zeros((k, k))
    b = np.zeros((k, n_g, k))  # coefficient j x cluster g: X_g' z_g
    d = np.zeros((k, n_g, k))  # coefficient j x cluster g: X_g' W_g z_g
    aa = np.zeros((k, n_g))  # |z_g|^2, z_g = A_g W_g X_g M e_j
    for g in range(n_g):
        idx = np.flatnonzero(codes == g)
        xg, wg = x[idx], w[idx]
        h = xg @ m @ xg.T  # H_gg = h diag(w_g)
        block = np.eye(len(idx)) - h * wg[None, :] - wg[:, None] * h + xg @ msm @ xg.T
        a = _inv_sqrt(block)
        u = xw[idx].T @ (a @ e[idx])
        meat += np.outer(u, u)
        z = a @ xw[idx] @ m  # n_g x k
        b[:, g, :] = (xg.T @ z).T
        d[:, g, :] = (xw[idx].T @ z).T
        aa[:, g] = np.sum(z**2, axis=0)
    cov = m @ meat @ m
    # p_g'p_h = [g == h] |z_g|^2 - b_g' M d_h - d_g' M b_h + b_g' M X'W^2X M b_h
    dfs = np.empty(k)
    for j in range(k):
        bmd = b[j] @ m @ d[j].T
        gram = np.diag(aa[j]) - bmd - bmd.T + b[j] @ msm @ b[j].T
        dfs[j] = np.trace(gram) ** 2 / np.sum(gram**2)
    return CR2Fit(beta, cov, dfs)
