"""Multi-group ordinal factor models (WLSMV) and their nested difference tests.

Private helpers of :mod:`deliberval.analysis.cfa` reproducing lavaan 0.6's
``cfa(..., group =, ordered =, estimator = "WLSMV", parameterization = "delta")`` with its own
``group.equal`` identification:

- every model: the first item of each factor is its marker (loading 1), factor (co)variances
  free in every group, latent-response intercepts 0;
- configural: thresholds free in every group, scale factors ``delta`` 1 and latent means 0 in
  every group (the groups are then G separate one-group models);
- ``"thresholds"`` equal: thresholds equal across groups, scale factors and latent means free
  in groups 2..G (1 and 0 in the first);
- ``"loadings"`` equal as well: loadings equal across groups (``partial`` loadings excepted).

Option ``identification="wu_estabrook"`` changes only the thresholds model: latent-response
intercepts free in groups 2..G and latent means 0 (Wu & Estabrook 2016), which, unlike lavaan's,
does not depend on which group comes first.

Per group: thresholds, polychoric correlations and their asymptotic covariance ``Gamma_g``
(:mod:`deliberval.analysis._polychoric`); DWLS fit of ``sum_g (N_g - 1) (s_g - sigma_g)' W_g
(s_g - sigma_g)`` with ``W_g = diag(Gamma_g)^-1``; the scaled-and-shifted statistic over all
groups (lavaan's ``lav_test_satorra_bentler``) and the Satorra (2000) difference test with
``A.method = "delta"`` (lavaan's ``lav_test_diff_Satorra2000``, ``scaled.shifted = TRUE``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import linalg, optimize

from deliberval.analysis._polychoric import OrdinalMoments


@dataclass
class Layout:
    """Which parameter index fills each free entry of each group (shared index = equal)."""

    p: int
    m: int
    n_groups: int
    n_th: list[int]  # thresholds per item
    lam_fixed: list[np.ndarray] = field(default_factory=list)
    lam: list[list[tuple[tuple[int, int], int]]] = field(default_factory=list)
    phi: list[list[tuple[tuple[int, int], int]]] = field(default_factory=list)
    tau: list[list[tuple[int, int]]] = field(default_factory=list)
    delta: list[list[tuple[int, int]]] = field(default_factory=list)
    alpha: list[list[tuple[int, int]]] = field(default_factory=list)
    nu: list[list[tuple[int, int]]] = field(default_factory=list)
    n_par: int = 0
    _shared: dict[object, int] = field(default_factory=dict)

    def index(self, key: object = None) -> int:
        if key is not None and key in self._shared:
            return self._shared[key]
        k = self.n_par
        self.n_par += 1
        if key is not None:
            self._shared[key] = k
        return k


def layout(
    factors: dict[str, list[str]],
    n_th: list[int],
    n_groups: int,
    equal: set[str],
    free_loadings: set[str],
    identification: str = "lavaan",
) -> Layout:
    """The parameters of one model (see the module docstring for the identification).

    ``identification="wu_estabrook"``: in the thresholds model (thresholds equal, loadings
    not), the latent-response intercepts instead of the latent means are free in groups 2..G
    (Wu & Estabrook 2016); every other model as lavaan's.
    """
    items = [i for its in factors.values() for i in its]
    lay = Layout(len(items), len(factors), n_groups, n_th)
    thresholds_equal = "thresholds" in equal
    for g in range(n_groups):
        lam_fixed = np.zeros((lay.p, lay.m))
        lam, phi, tau, delta, alpha, nu = [], [], [], [], [], []
        for j, its in enumerate(factors.values()):
            for it in its:
                i = items.index(it)
                if it == its[0]:
                    lam_fixed[i, j] = 1.0
                else:
                    same = "loadings" in equal and it not in free_loadings
                    lam.append(((i, j), lay.index(("lam", i, j) if same else None)))
        pos = 0
        for i in range(lay.p):
            for _ in range(n_th[i]):
                tau.append((pos, lay.index(("tau", pos) if thresholds_equal else None)))
                pos += 1
        for b in range(lay.m):
            for a in range(b, lay.m):
                phi.append(((a, b), lay.index()))
        if thresholds_equal and g > 0:
            delta = [(i, lay.index()) for i in range(lay.p)]
            if identification == "wu_estabrook" and "loadings" not in equal:
                nu = [(i, lay.index()) for i in range(lay.p)]
            else:
                alpha = [(a, lay.index()) for a in range(lay.m)]
        lay.lam_fixed.append(lam_fixed)
        lay.lam.append(lam)
        lay.phi.append(phi)
        lay.tau.append(tau)
        lay.delta.append(delta)
        lay.alpha.append(alpha)
        lay.nu.append(nu)
    return lay


def _pairs(p: int) -> list[tuple[int, int]]:
    return [(i, j) for j in range(p) for i in range(j + 1, p)]


def implied(lay: Layout, theta: np.ndarray, g: int) -> np.ndarray:
    """Model-implied thresholds and polychoric correlations of group ``g`` (moment order of
    :func:`deliberval.analysis._polychoric.ordinal_moments`)."""
    lam, phi, delta, alpha, nu, tau = _matrices(lay, theta, g)
    shift = np.repeat(nu + lam @ alpha, lay.n_th)
    th = np.repeat(delta, lay.n_th) * (tau - shift)
    common = lam @ phi @ lam.T
    rho = [delta[i] * delta[j] * common[i, j] for i, j in _pairs(lay.p)]
    return np.r_[th, rho]


def _matrices(
    lay: Layout, theta: np.ndarray, g: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Loadings, factor covariance, scale factors, latent means, intercepts, thresholds."""
    lam = lay.lam_fixed[g].copy()
    for pos, k in lay.lam[g]:
        lam[pos] = theta[k]
    phi = np.zeros((lay.m, lay.m))
    for (a, b), k in lay.phi[g]:
        phi[a, b] = phi[b, a] = theta[k]
    delta = np.ones(lay.p)
    for i, k in lay.delta[g]:
        delta[i] = theta[k]
    alpha = np.zeros(lay.m)
    for a, k in lay.alpha[g]:
        alpha[a] = theta[k]
    nu = np.zeros(lay.p)
    for i, k in lay.nu[g]:
        nu[i] = theta[k]
    tau = np.array([theta[k] for _, k in lay.tau[g]])
    return lam, phi, delta, alpha, nu, tau


def jacobian(lay: Layout, theta: np.ndarray, g: int) -> np.ndarray:
    """``Delta_g``: derivatives of the implied moments of group ``g`` in every parameter.

    Thresholds ``delta_i (tau_ik - nu_i - lambda_i' alpha)``, correlations ``delta_i delta_j
    (Lambda Phi Lambda')_ij``; each moment is linear in every single parameter.
    """
    lam, phi, delta, alpha, nu, tau = _matrices(lay, theta, g)
    n_th = sum(lay.n_th)
    pairs = _pairs(lay.p)
    out = np.zeros((n_th + len(pairs), len(theta)))
    item_of = np.repeat(np.arange(lay.p), lay.n_th)
    rows_of = [np.flatnonzero(item_of == i) for i in range(lay.p)]
    pair_row = {pair: n_th + r for r, pair in enumerate(pairs)}
    pair_row.update({(j, i): r for (i, j), r in list(pair_row.items())})
    common = lam @ phi @ lam.T
    lam_phi = lam @ phi
    for pos, k in lay.tau[g]:
        out[pos, k] += delta[item_of[pos]]
    for i, k in lay.nu[g]:
        out[rows_of[i], k] -= delta[i]
    for a, k in lay.alpha[g]:
        for i in range(lay.p):
            out[rows_of[i], k] -= delta[i] * lam[i, a]
    for i, k in lay.delta[g]:
        out[rows_of[i], k] += tau[rows_of[i]] - nu[i] - lam[i] @ alpha
        for j in range(lay.p):
            if j != i:
                out[pair_row[(i, j)], k] += delta[j] * common[i, j]
    for (i, a), k in lay.lam[g]:
        out[rows_of[i], k] -= delta[i] * alpha[a]
        for j in range(lay.p):
            if j != i:
                out[pair_row[(i, j)], k] += delta[i] * delta[j] * lam_phi[j, a]
    for (a, b), k in lay.phi[g]:
        for (i, j), r in zip(pairs, range(n_th, n_th + len(pairs)), strict=True):
            d = lam[i, a] * lam[j, b] + (lam[i, b] * lam[j, a] if a != b else 0.0)
            out[r, k] += delta[i] * delta[j] * d
    return out


def jacobian_numeric(lay: Layout, theta: np.ndarray, g: int) -> np.ndarray:
    """Central-difference version of :func:`jacobian` (for tests)."""
    cols = []
    for k in range(len(theta)):
        h = 1e-5 * max(1.0, abs(theta[k]))
        e = np.zeros_like(theta)
        e[k] = h
        cols.append((implied(lay, theta + e, g) - implied(lay, theta - e, g)) / (2 * h))
    return np.column_stack(cols)


def _start(lay: Layout, moms: list[OrdinalMoments]) -> np.ndarray:
    """Starting values: thresholds as observed (shared ones as in the first group), loadings
    and scale factors 1, factor variances 0.4, everything else 0."""
    start = np.zeros(lay.n_par)
    first = {k for _, k in lay.tau[0]}
    for g, mom in enumerate(moms):
        obs = np.concatenate(mom.thresholds)
        for pos, k in lay.tau[g]:
            if g == 0 or k not in first:
                start[k] = obs[pos]
        for _, k in lay.lam[g]:
            start[k] = 1.0
        for (a, b), k in lay.phi[g]:
            start[k] = 0.4 if a == b else 0.0
        for _, k in lay.delta[g]:
            start[k] = 1.0
    return start


@dataclass(frozen=True)
class OrdinalFit:
    """One fitted model: parameters, unscaled and scaled-shifted statistics, per-group
    Jacobians and the pieces of the difference test."""

    theta: np.ndarray
    chisq: float
    df: int
    chisq_scaled: float
    scaling_factor: float
    shift: float
    converged: bool
    deltas: list[np.ndarray]
    resid: list[np.ndarray]


def _weights(moms: list[OrdinalMoments]) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """lavaan's per-group ``WLS.V = diag(Gamma_g)^-1`` (as a vector), ``Gamma_g`` and
    ``f_g = N_g / N`` as its robust tests use them (the statistic itself weights group ``g`` by
    ``N_g - 1``)."""
    ns = np.array([m.n for m in moms], dtype=float)
    gammas = [m.gamma for m in moms]
    ws = [1 / np.diag(gm) for gm in gammas]
    return ws, gammas, ns / ns.sum()


def _traces(
    deltas: list[np.ndarray], ws: list[np.ndarray], gammas: list[np.ndarray], fg: np.ndarray
) -> tuple[float, float]:
    """``tr(U Gamma)`` and ``tr((U Gamma)^2)`` over all groups (lavaan's
    ``lav_test_satorra_bentler_trace_original``): ``V = bdiag(f_g W_g)``,
    ``Gamma = bdiag(Gamma_g / f_g)``, ``U = V - V Delta (Delta' V Delta)^-1 Delta' V``."""
    v = np.concatenate([f * w for f, w in zip(fg, ws, strict=True)])
    gam = linalg.block_diag(*[gm / f for f, gm in zip(fg, gammas, strict=True)])
    d = np.vstack(deltas)
    vd = v[:, None] * d
    try:
        u = np.diag(v) - vd @ np.linalg.solve(d.T @ vd, vd.T)
    except np.linalg.LinAlgError:  # singular information: the model is not identified
        return float("nan"), float("nan")
    ug = u @ gam
    return float(np.trace(ug)), float(np.sum(ug * ug.T))


def fit(lay: Layout, moms: list[OrdinalMoments]) -> OrdinalFit:
    """DWLS estimates and the WLSMV statistics of one model."""
    ws, gammas, fg = _weights(moms)
    obs = [
        np.r_[np.concatenate(m.thresholds), [m.corr[i, j] for i, j in _pairs(lay.p)]] for m in moms
    ]
    sqrt_w = [np.sqrt((m.n - 1) / np.diag(m.gamma)) for m in moms]

    def residuals(t: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [
                sw * (s - implied(lay, t, g))
                for g, (sw, s) in enumerate(zip(sqrt_w, obs, strict=True))
            ]
        )

    def jac(t: np.ndarray) -> np.ndarray:
        return np.vstack([-sw[:, None] * jacobian(lay, t, g) for g, sw in enumerate(sqrt_w)])

    sol = optimize.least_squares(
        residuals,
        _start(lay, moms),
        jac=jac,
        method="lm",
        xtol=1e-15,
        ftol=1e-15,
        gtol=1e-15,
        max_nfev=10_000,
    )
    theta = sol.x
    chisq = float(np.sum(residuals(theta) ** 2))
    resid = [s - implied(lay, theta, g) for g, s in enumerate(obs)]
    n_mom = sum(len(s) for s in obs)
    df = n_mom - lay.n_par
    deltas = [jacobian(lay, theta, g) for g in range(lay.n_groups)]
    grad = jac(theta).T @ residuals(theta)
    converged = bool(sol.status > 0) and float(np.abs(grad).max()) < 1e-6 * max(1.0, chisq)
    tr1, tr2 = _traces(deltas, ws, gammas, fg) if df > 0 else (float("nan"), float("nan"))
    if tr2 > 0:
        a = np.sqrt(df / tr2)
        shift = df - a * tr1
        scaled, c = chisq * a + shift, 1 / a
    else:  # df 0, or a singular information matrix (not identified): no test
        scaled, c, shift = float("nan"), float("nan"), float("nan")
        converged = converged and df == 0
    return OrdinalFit(
        theta, chisq, int(df), float(scaled), float(c), float(shift), converged, deltas, resid
    )


def baseline(moms: list[OrdinalMoments]) -> tuple[float, int]:
    """The independence model (thresholds free in every group, correlations 0): its
    scaled-and-shifted statistic and df."""
    ws, gammas, fg = _weights(moms)
    chisq, deltas, df = 0.0, [], 0
    n_th = [sum(len(t) for t in m.thresholds) for m in moms]
    for g, m in enumerate(moms):
        p = m.corr.shape[0]
        r = np.array([m.corr[i, j] for i, j in _pairs(p)])
        chisq += float((m.n - 1) * np.sum((1 / np.diag(m.gamma))[n_th[g] :] * r**2))
        d = np.zeros((n_th[g] + len(r), sum(n_th)))
        d[: n_th[g], sum(n_th[:g]) : sum(n_th[: g + 1])] = np.eye(n_th[g])
        deltas.append(d)
        df += len(r)
    tr1, tr2 = _traces(deltas, ws, gammas, fg)
    a = np.sqrt(df / tr2)
    return float(chisq * a + df - a * tr1), df


def difference_test(
    m1: OrdinalFit, m0: OrdinalFit, moms: list[OrdinalMoments]
) -> tuple[float, int]:
    """Satorra (2000) scaled-and-shifted difference of the nested ``m0`` (more restricted) and
    ``m1``, as ``lavTestLRT(m1, m0, method = "satorra.2000", A.method = "delta")``.

    ``A`` spans the orthogonal complement of ``H = Delta_1^+ Delta_0`` (Jacobians of the
    stacked moments at each model's estimates); ``P = sum_g f_g Delta_1g' W_g Delta_1g``;
    ``M = P^-1 A' (A P^-1 A')^+ A P^-1``; ``tr(UG) = sum_g f_g tr(W_g Gamma_g W_g Delta_1g M
    Delta_1g')`` and ``tr((UG)^2)`` of ``V Delta_1 M Delta_1' V bdiag(f_g Gamma_g)``;
    ``T = (T_0 - T_1) a + b`` with ``a = sqrt(m / tr((UG)^2))``, ``b = m - a tr(UG)``.
    """
    m = m0.df - m1.df
    ws, gammas, fg = _weights(moms)
    d1, d0 = np.vstack(m1.deltas), np.vstack(m0.deltas)
    h = np.linalg.pinv(d1) @ d0
    a_mat = linalg.null_space(h.T).T
    p_info = sum(f * d.T @ (w[:, None] * d) for f, w, d in zip(fg, ws, m1.deltas, strict=True))
    try:
        p_inv = np.linalg.inv(p_info)
    except np.linalg.LinAlgError:
        return float("nan"), int(m)
    apa = a_mat @ p_inv @ a_mat.T
    mid = p_inv @ a_mat.T @ np.linalg.pinv(apa) @ a_mat @ p_inv
    v = np.concatenate(ws)
    gam = linalg.block_diag(*[f * gm for f, gm in zip(fg, gammas, strict=True)])
    u = (v[:, None] * d1) @ mid @ (d1.T * v[None, :])
    ug = u @ gam
    tr1, tr2 = float(np.trace(ug)), float(np.sum(ug * ug.T))
    if not tr2 > 0:  # also NaN
        return float("nan"), int(m)
    a = np.sqrt(m / tr2)
    b = m - a * tr1
    return float((m0.chisq - m1.chisq) * a + b), int(m)


STEPS: tuple[tuple[str, set[str]], ...] = (
    ("configural", set()),
    ("thresholds", {"thresholds"}),
    ("thresholds_loadings", {"thresholds", "loadings"}),
)


def group_moments(
    blocks: list[np.ndarray], items: list[str], names: list[object], across: str
) -> list[OrdinalMoments]:
    """Per-group thresholds, polychoric correlations and ``Gamma`` from complete item blocks.

    Categories are the sorted answers of each item over all groups; every group must use every
    category of every item (the thresholds are compared across groups), at most 10 per item.
    """
    from deliberval.analysis._polychoric import ordinal_moments
    from deliberval.errors import AnalysisInputError

    pooled = np.vstack(blocks)
    levels = []
    for j, it in enumerate(items):
        lv = np.unique(pooled[:, j])
        if len(lv) > 10:
            raise AnalysisInputError(
                f"item {it!r} has {len(lv)} distinct answers; ordered=True takes at most 10"
            )
        levels.append(lv)
    moms = []
    for name, x in zip(names, blocks, strict=True):
        codes = np.column_stack([np.searchsorted(levels[j], x[:, j]) for j in range(len(items))])
        for j, it in enumerate(items):
            counts = np.bincount(codes[:, j], minlength=len(levels[j]))
            if (counts == 0).any():
                empty = ", ".join(f"{v:g}" for v in levels[j][counts == 0])
                raise AnalysisInputError(
                    f"item {it!r} has no answer {empty} in {across} {name!r}; ordered=True "
                    "compares thresholds across groups, so every group must use every answer "
                    "category (merge sparse categories first)"
                )
        moms.append(ordinal_moments(codes))
    return moms


def step_fits(
    moms: list[OrdinalMoments],
    factors: dict[str, list[str]],
    free_loadings: set[str],
    identification: str = "lavaan",
) -> list[tuple[OrdinalFit, float, int]]:
    """The three models of lavaan's ordinal ``group.equal`` sequence (:data:`STEPS`), each with
    the scaled difference test against the previous one (NaN, 0 for the configural model)."""
    n_th = [len(t) for t in moms[0].thresholds]
    out: list[tuple[OrdinalFit, float, int]] = []
    for _, equal in STEPS:
        res = fit(layout(factors, n_th, len(moms), equal, free_loadings, identification), moms)
        if out:
            t, d = difference_test(out[-1][0], res, moms)
        else:
            t, d = float("nan"), 0
        out.append((res, t, d))
    return out
