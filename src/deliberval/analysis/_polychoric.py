"""Ordinal items: thresholds, polychoric correlations and their asymptotic covariance matrix,
and a one-group DWLS factor model with the mean-and-variance adjusted (WLSMV) test.

Private helpers of :mod:`deliberval.analysis.cfa` reproducing lavaan 0.6's ``ordered =``
(``estimator = "WLSMV"``): two-step polychoric correlations (thresholds from the margins, then
each correlation by bivariate ML), the asymptotic covariance matrix ``Gamma`` of thresholds
and correlations as lavaan's ``muthen1984`` (first-order information from the casewise
scores), ``W = diag(Gamma)^-1``, ``T = N (s - sigma)' W (s - sigma)`` and the scaled-and-shifted
statistic of Asparouhov & Muthen (2010).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from deliberval.analysis.psychometrics import _cell_probs, _polychoric_pair


@dataclass(frozen=True)
class OrdinalMoments:
    """Thresholds (item by item), polychoric correlations (lower triangle, column by column)
    and ``gamma`` (the N-scaled asymptotic covariance of both, in that order)."""

    thresholds: list[np.ndarray]
    corr: np.ndarray
    gamma: np.ndarray
    n: int


def _phi2(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    s2 = 1 - rho * rho
    with np.errstate(invalid="ignore", over="ignore"):
        z = np.exp(-(h * h - 2 * rho * h * k + k * k) / (2 * s2)) / (2 * np.pi * np.sqrt(s2))
    return np.where(np.isfinite(h) & np.isfinite(k), z, 0.0)


def ordinal_moments(codes: np.ndarray) -> OrdinalMoments:
    """``codes``: (n, p) integer category indices 0..K_j-1 of complete rows."""
    n, p = codes.shape
    levels = [int(codes[:, j].max()) + 1 for j in range(p)]
    th = []
    sc_th = []
    for j in range(p):
        counts = np.bincount(codes[:, j], minlength=levels[j])
        tau = np.asarray(stats.norm.ppf(np.cumsum(counts)[:-1] / n))
        th.append(tau)
        b = np.r_[-np.inf, tau, np.inf]
        cdf = special.ndtr(b)
        pi = np.diff(cdf)[codes[:, j]]
        s = np.zeros((n, len(tau)))
        dens = stats.norm.pdf(tau)
        a = codes[:, j]
        for m in range(len(tau)):
            s[:, m] = np.where(a == m, dens[m] / pi, 0.0) - np.where(a == m + 1, dens[m] / pi, 0.0)
        sc_th.append(s)
    pairs = [(i, j) for j in range(p) for i in range(j + 1, p)]
    corr = np.eye(p)
    sc_cor = np.zeros((n, len(pairs)))
    n_th = sum(len(t) for t in th)
    start = np.cumsum([0] + [len(t) for t in th])
    a21 = np.zeros((len(pairs), n_th))
    for k, (i, j) in enumerate(pairs):
        rho = _polychoric_pair(codes[:, i], codes[:, j], th[i], th[j])
        corr[i, j] = corr[j, i] = rho
        bi = np.r_[-np.inf, th[i], np.inf]
        bj = np.r_[-np.inf, th[j], np.inf]
        probs = _cell_probs(rho, th[i], th[j])
        hi, hj = np.meshgrid(bi, bj, indexing="ij")
        dens = _phi2(hi, hj, rho)
        dpi_drho = dens[1:, 1:] - dens[:-1, 1:] - dens[1:, :-1] + dens[:-1, :-1]
        ai, aj = codes[:, i], codes[:, j]
        cell = probs[ai, aj]
        sc_cor[:, k] = dpi_drho[ai, aj] / cell
        s = np.sqrt(1 - rho * rho)
        # d Phi2(h, k) / dh = phi(h) Phi((k - rho h) / s), for the thresholds of item i ...
        with np.errstate(invalid="ignore"):
            d_i = stats.norm.pdf(hi) * special.ndtr((hj - rho * hi) / s)
            d_j = stats.norm.pdf(hj) * special.ndtr((hi - rho * hj) / s)
        d_i = np.nan_to_num(d_i)
        d_j = np.nan_to_num(d_j)
        for m in range(len(th[i])):
            # threshold m is the upper bound of category m and the lower bound of m + 1
            up = d_i[m + 1, 1:] - d_i[m + 1, :-1]  # d pi_{m, b} / d tau_m over b
            score = np.where(ai == m, up[aj], 0.0) - np.where(ai == m + 1, up[aj], 0.0)
            a21[k, start[i] + m] = np.sum(sc_cor[:, k] * score / cell)
        for m in range(len(th[j])):
            up = d_j[1:, m + 1] - d_j[:-1, m + 1]
            score = np.where(aj == m, up[ai], 0.0) - np.where(aj == m + 1, up[ai], 0.0)
            a21[k, start[j] + m] = np.sum(sc_cor[:, k] * score / cell)
    sc = np.hstack([*sc_th, sc_cor])
    inner = sc.T @ sc
    a11 = np.zeros((n_th, n_th))
    for j in range(p):
        blk = slice(start[j], start[j + 1])
        a11[blk, blk] = inner[blk, blk]
    a22_inv = np.diag(1 / np.sum(sc_cor**2, axis=0))
    a11_inv = np.linalg.inv(a11)
    b_inv = np.block(
        [
            [a11_inv, np.zeros((n_th, len(pairs)))],
            [-a22_inv @ a21 @ a11_inv, a22_inv],
        ]
    )
    gamma = n * (b_inv @ inner @ b_inv.T)
    return OrdinalMoments(th, corr, gamma, n)


def dwls_fit(
    mom: OrdinalMoments, load_pos: list[tuple[int, int]], markers: set[int], m: int
) -> dict[str, object]:
    """One-group DWLS factor model (delta parameterisation) and its WLSMV test.

    Returns the loadings matrix, factor covariance, ``chisq`` (unscaled), ``chisq_scaled``,
    ``scaling_factor``, ``shift``, ``df`` and the baseline's ``chisq_scaled`` / ``df``.
    """
    p = mom.corr.shape[0]
    pairs = [(i, j) for j in range(p) for i in range(j + 1, p)]
    r = np.array([mom.corr[i, j] for i, j in pairs])
    n_th = sum(len(t) for t in mom.thresholds)
    w = 1 / np.diag(mom.gamma)
    w_r = w[n_th:]
    free_lam = [pos for pos in load_pos if pos[0] not in markers]
    phi_idx = [(a, b) for b in range(m) for a in range(b, m)]

    def unpack(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lam = np.zeros((p, m))
        for pos in load_pos:
            if pos[0] in markers:
                lam[pos] = 1.0
        for k, pos in enumerate(free_lam):
            lam[pos] = t[k]
        phi = np.zeros((m, m))
        for k, (a, b) in enumerate(phi_idx):
            phi[a, b] = phi[b, a] = t[len(free_lam) + k]
        return lam, phi

    def implied(t: np.ndarray) -> np.ndarray:
        lam, phi = unpack(t)
        sig = lam @ phi @ lam.T
        return np.array([sig[i, j] for i, j in pairs])

    start = np.r_[np.ones(len(free_lam)), [0.5 if a == b else 0.0 for a, b in phi_idx]]
    sol = optimize.least_squares(
        lambda t: np.sqrt(w_r) * (r - implied(t)), start, xtol=1e-15, ftol=1e-15, gtol=1e-15
    )
    theta = sol.x
    resid = r - implied(theta)
    # lavaan's WLS-family statistic: (N - 1) times the minimum of (s - sigma)' W (s - sigma)
    chisq = float((mom.n - 1) * np.sum(w_r * resid**2))
    n_par = n_th + len(theta)
    df = n_th + len(pairs) - n_par

    def jac(t: np.ndarray) -> np.ndarray:
        cols = []
        for k in range(len(t)):
            e = np.zeros_like(t)
            e[k] = 1e-6
            cols.append((implied(t + e) - implied(t - e)) / 2e-6)
        return np.column_stack(cols)

    delta = np.block(
        [
            [np.eye(n_th), np.zeros((n_th, len(theta)))],
            [np.zeros((len(pairs), n_th)), jac(theta)],
        ]
    )
    scaled, c, shift = _scaled_shifted(chisq, df, delta, w, mom.gamma)
    base_delta = np.vstack([np.eye(n_th), np.zeros((len(pairs), n_th))])
    base = float((mom.n - 1) * np.sum(w_r * r**2))
    df_base = len(pairs)
    base_scaled, _, _ = _scaled_shifted(base, df_base, base_delta, w, mom.gamma)
    lam, phi = unpack(theta)
    return {
        "lam": lam,
        "phi": phi,
        "chisq": chisq,
        "chisq_scaled": scaled,
        "scaling_factor": c,
        "shift": shift,
        "df": df,
        "base_scaled": base_scaled,
        "df_base": df_base,
        "converged": bool(sol.success),
        "resid": resid,
    }


def _scaled_shifted(
    t: float, df: int, delta: np.ndarray, w: np.ndarray, gamma: np.ndarray
) -> tuple[float, float, float]:
    """Asparouhov & Muthen (2010): ``T / c + shift``, ``c = sqrt(tr((U Gamma)^2) / df)``,
    ``shift = df - tr(U Gamma) / c``, ``U = W - W Delta (Delta' W Delta)^-1 Delta' W``."""
    if df <= 0:
        return float("nan"), float("nan"), float("nan")
    wd = w[:, None] * delta
    u = np.diag(w) - wd @ np.linalg.solve(delta.T @ wd, wd.T)
    ug = u @ gamma
    tr1, tr2 = float(np.trace(ug)), float(np.sum(ug * ug.T))
    c = float(np.sqrt(tr2 / df))
    shift = df - tr1 / c
    return t / c + shift, c, shift
