"""Restricted wild cluster bootstrap (WCR) of one OLS coefficient, with CR1 t statistics.

The bootstrap of Cameron, Gelbach & Miller (2008) with the null imposed (restricted residuals),
in the vectorised form of Roodman, MacKinnon, Nielsen & Webb (2019, "Fast and wild"): for every
draw of cluster weights only a k-vector and a G-vector are formed, never a bootstrap sample.
Confidence intervals invert the test (the set of null values the test does not reject), with
the same weight draws for every null value.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["WildResult", "bootstrap_weights", "wild_cluster_test"]

_WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


def bootstrap_weights(n_clusters: int, n_resamples: int, kind: str, gen: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Weights (clusters x draws) and whether they enumerate every Rademacher sign vector.

    Rademacher weights enumerate all ``2^G`` sign vectors when ``2^G <= n_resamples`` (the
    bootstrap distribution is then exact and deterministic), else are drawn; Webb's six-point
    weights (+-sqrt(1/2), +-1, +-sqrt(3/2), equal probabilities) are always drawn.
    """
    if kind == "rademacher":
        if n_clusters <= 20 and 2**n_clusters <= n_resamples:
            signs = np.array(list(itertools.product((1.0, -1.0), repeat=n_clusters))).T
            return signs, True
        return gen.choice(np.array([-1.0, 1.0]), size=(n_clusters, n_resamples)), False
    return gen.choice(_WEBB, size=(n_clusters, n_resamples)), False


@dataclass(frozen=True)
class WildResult:
    """The test of one coefficient: estimate, CR1 SE and t, bootstrap p-value and interval."""

    estimate: float
    se: float
    statistic: float
    p_value: float
    ci_low: float
    ci_high: float
    n_resamples: int
    enumerated: bool


def _cr1_factor(n: int, k: int, g: int) -> float:
    return g / (g - 1) * (n - 1) / (n - k)


def wild_cluster_test(y: np.ndarray, x: np.ndarray, clusters: np.ndarray, j: int, weights: np.ndarray,
                      level: float, *, enumerated: bool = False) -> WildResult:
    """WCR test of ``beta_j = b0`` (p-value at ``b0 = 0``) and its inverted interval.

    ``t* = (beta*_j - b0) / se*_j`` with the CR1 SE of each bootstrap fit (factor
    ``G/(G-1) (N-1)/(N-K)``); two-tailed p-value ``mean(|t*| >= |t|)``; the interval holds the
    ``b0`` whose p-value exceeds ``1 - level`` (bisection on each side to 1e-9 of the SE).
    """
    n, k = x.shape
    codes = pd.factorize(pd.Series(clusters))[0]
    n_g = int(codes.max()) + 1
    m = np.linalg.inv(x.T @ x)
    beta = m @ (x.T @ y)
    e = y - x @ beta
    c = _cr1_factor(n, k, n_g)
    mj = m[:, j]
    # per-cluster X_g' X_g and X_g' v sums, by one pass over the clusters
    hx = np.zeros((n_g, k, k))
    for g in range(n_g):
        xg = x[codes == g]
        hx[g] = xg.T @ xg

    def cluster_sums(v: np.ndarray) -> np.ndarray:  # S: clusters x k, S_g = X_g' v_g
        out = np.zeros((n_g, k))
        np.add.at(out, codes, x * v[:, None])
        return out

    se = math.sqrt(c * float(np.sum((cluster_sums(e) @ mj) ** 2)))
    t_obs = (float(beta[j]) / se) if se > 0 else math.nan
    # restricted fit: y - b0 x_j on the other columns; the residual is u0 - b0 r (r: x_j's residual)
    others = [i for i in range(k) if i != j]
    xo = x[:, others]
    mo = np.linalg.pinv(xo.T @ xo)
    u0 = y - xo @ (mo @ (xo.T @ y))
    r = x[:, j] - xo @ (mo @ (xo.T @ x[:, j]))
    s0, s1 = cluster_sums(u0), cluster_sums(r)
    ch = np.einsum("i,gik->gk", mj, hx)  # rows m_j' H_g

    def tstar(b0: float) -> np.ndarray:
        s = s0 - b0 * s1  # S_g of the restricted residuals
        d = m @ (s.T @ weights)  # beta* - beta_restricted: k x B
        q = (s @ mj)[:, None] * weights - ch @ d  # m_j' (X_g' u*_g): clusters x B
        var = c * np.sum(q**2, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return d[j] / np.sqrt(var)

    def p_value(b0: float) -> float:
        t = (float(beta[j]) - b0) / se
        return float(np.mean(np.abs(tstar(b0)) >= abs(t) - 1e-12 * max(1.0, abs(t))))

    p0 = p_value(0.0) if se > 0 else math.nan
    alpha = 1.0 - level
    lo = hi = math.nan
    if se > 0:
        def bound(direction: float) -> float:
            inside = float(beta[j])
            step = se
            out = inside + direction * step
            while p_value(out) > alpha and abs(out - inside) < 1e3 * se:
                inside, step = out, step * 2
                out = inside + direction * step
            for _ in range(200):
                mid = 0.5 * (inside + out)
                if p_value(mid) > alpha:
                    inside = mid
                else:
                    out = mid
                if abs(out - inside) < 1e-9 * se:
                    break
            return 0.5 * (inside + out)

        lo, hi = bound(-1.0), bound(1.0)
    return WildResult(float(beta[j]), se, t_obs, p0, lo, hi, int(weights.shape[1]), enumerated)
