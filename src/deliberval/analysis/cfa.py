"""Confirmatory factor analysis and measurement invariance by maximum likelihood.

One small, exact ML estimator for simple-structure CFA models (each item loads on one factor)
in one or several groups, with cross-group equality constraints for invariance testing.

Why not semopy: semopy fits single-group models well, but has no cross-group equality
constraints (``group.equal`` in lavaan), which metric and scalar invariance need. Using one
estimator for every model keeps the configural, metric and scalar fits and the single-group CFA
on the same footing, and the estimator reproduces lavaan's defaults exactly (marker-variable
identification, normal-theory likelihood with divisor N, mean structure in multi-group models),
which the golden tests check to 1e-3 or better.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import optimize, stats

from deliberval.analysis._common import check_confidence_level, require_columns
from deliberval.errors import AnalysisInputError

if TYPE_CHECKING:
    from deliberval.analysis._sem_robust import _Pattern

__all__ = ["CFAResult", "cfa", "invariance", "parse_model"]

_FIT_COLUMNS = [
    "model",
    "chisq",
    "df",
    "p_value",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_low",
    "rmsea_ci_high",
    "confidence_level",
    "srmr",
    "n",
    "n_levels",
    "converged",
    "method",
]
_INVARIANCE_COLUMNS = [
    "model",
    "chisq",
    "df",
    "p_value",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_low",
    "rmsea_ci_high",
    "confidence_level",
    "srmr",
    "n",
    "converged",
    "scaling_factor",
    "chisq_diff",
    "df_diff",
    "diff_p_value",
    "delta_cfi",
    "delta_rmsea",
    "rmsea_d",
    "rmsea_d_ci_low",
    "rmsea_d_ci_high",
    "verdict",
    "method",
]
_LOADING_COLUMNS = ["factor", "item", "loading", "se", "std_loading", "method"]
_FIT_METHOD = "maximum likelihood (lavaan defaults); RMSEA interval from the noncentral chi-square"
_LOADING_METHOD = "maximum likelihood; std_loading as lavaan std.all"


@dataclass(frozen=True)
class CFAResult:
    """What :func:`cfa` returns.

    Attributes
    ----------
    fit : pandas.DataFrame
        One row: ``model, chisq, df, p_value, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high,
        confidence_level, srmr, n, n_levels, converged, method`` (see :func:`cfa`).
    loadings : pandas.DataFrame
        One row per item (and level of the ``across`` column): the ``across`` column under its
        own name (multi-group models only), ``factor, item, loading`` (unstandardised),
        ``std_loading`` (lavaan's ``std.all``) and ``method``.
    """

    fit: pd.DataFrame
    loadings: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result's tables by name (``fit``, ``loadings``), e.g. for writing them out."""
        return {"fit": self.fit, "loadings": self.loadings}


def parse_model(model: str | Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Factors and their items from a lavaan-style string or a mapping.

    Parameters
    ----------
    model : str or mapping
        lavaan measurement syntax, one ``factor =~ item1 + item2`` per line (or separated by
        ``;``; ``#`` starts a comment), or a mapping ``factor -> [items]``.

    Returns
    -------
    dict of str to list of str
        Factor name -> its items, in the order given.

    Raises
    ------
    AnalysisInputError
        A line without ``=~``, no factor, a factor with fewer than 2 items, an item loading
        on two factors (only simple structure is supported), or a one-factor model with fewer
        than 3 items (not identified).

    Notes
    -----
    Only the ``=~`` (loading) operator is read; the models of :func:`cfa` are simple-structure
    congeneric models with correlated factors, identified as lavaan does by default: the first
    item of each factor is its marker (loading fixed to 1).

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2), 1-36.

    Examples
    --------
    >>> parse_model("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6")
    {'visual': ['x1', 'x2', 'x3'], 'textual': ['x4', 'x5', 'x6']}
    """
    if isinstance(model, str):
        out: dict[str, list[str]] = {}
        for line in re.split(r"[\n;]", model):
            line = line.split("#")[0].strip()
            if not line:
                continue
            if "=~" not in line:
                raise AnalysisInputError(
                    f"cannot read model line {line!r}; expected 'factor =~ item1 + item2 + ...'"
                )
            lhs, rhs = line.split("=~", 1)
            out.setdefault(lhs.strip(), []).extend(t.strip() for t in rhs.split("+") if t.strip())
        model = out
    factors = {str(f): list(v) for f, v in dict(model).items()}
    if not factors:
        raise AnalysisInputError("the model has no factor")
    seen: dict[str, str] = {}
    for f, its in factors.items():
        if len(its) < 2:
            raise AnalysisInputError(
                f"factor {f!r} has {len(its)} item(s); each factor needs at least 2"
            )
        for it in its:
            if it in seen:
                raise AnalysisInputError(
                    f"item {it!r} loads on {seen[it]!r} and {f!r}; only simple structure is supported"
                )
            seen[it] = f
    if len(factors) == 1 and len(next(iter(factors.values()))) < 3:
        raise AnalysisInputError("a one-factor model needs at least 3 items to be identified")
    return factors


class _Spec:
    """Parameter layout: which matrix entries of each level are free, which are shared.

    Every free entry maps to a parameter index; entries sharing an index are constrained equal
    (across levels of a multi-group model, or across waves of a longitudinal model). Loadings
    not free are fixed (1 for markers, 0 elsewhere); absent means / latent means are 0.
    """

    def __init__(self, p: int, m: int, n_groups: int, means: bool) -> None:
        self.p, self.m, self.g, self.means = p, m, n_groups, means
        self.lam_fixed = [np.zeros((p, m)) for _ in range(n_groups)]
        self.free: list[dict[str, list[tuple[tuple[int, int], int]]]] = [
            {"lam": [], "phi": [], "theta": [], "nu": [], "alpha": []} for _ in range(n_groups)
        ]
        self.load_pos: list[tuple[int, int]] = []
        self.n_par = 0
        self._shared: dict[object, int] = {}

    def add(self, gi: int, kind: str, pos: tuple[int, int], key: object = None) -> None:
        """Free entry ``pos`` of matrix ``kind`` in level ``gi``; equal to others of the same key."""
        if key is not None and key in self._shared:
            k = self._shared[key]
        else:
            k = self.n_par
            self.n_par += 1
            if key is not None:
                self._shared[key] = k
        self.free[gi][kind].append((pos, k))

    def matrices(self, theta: np.ndarray, gi: int) -> tuple[np.ndarray, ...]:
        d = self.free[gi]
        lam = self.lam_fixed[gi].copy()
        for pos, k in d["lam"]:
            lam[pos] = theta[k]
        phi = np.zeros((self.m, self.m))
        for (a, b), k in d["phi"]:
            phi[a, b] = phi[b, a] = theta[k]
        th = np.zeros((self.p, self.p))
        for (i, j), k in d["theta"]:
            th[i, j] = th[j, i] = theta[k]
        nu = np.zeros(self.p)
        for (i, _), k in d["nu"]:
            nu[i] = theta[k]
        al = np.zeros(self.m)
        for (a, _), k in d["alpha"]:
            al[a] = theta[k]
        return lam, phi, th, nu, al


def _parse_partial(partial: Sequence[str], factors: dict[str, list[str]]) -> set[tuple[str, str]]:
    """``{("loadings", item), ("intercepts", item)}`` from lavaan ``group.partial`` strings."""
    if isinstance(partial, str):
        partial = [partial]
    items = {i: f for f, its in factors.items() for i in its}
    out: set[tuple[str, str]] = set()
    for raw in partial:
        s = str(raw).strip()
        if "=~" in s:
            f, it = (t.strip() for t in s.split("=~", 1))
            if f not in factors or it not in factors[f]:
                raise AnalysisInputError(
                    f"partial {raw!r}: {it!r} is not an item of factor {f!r} in the model"
                )
            if it == factors[f][0]:
                raise AnalysisInputError(
                    f"partial {raw!r}: {it!r} is the marker of {f!r} (loading fixed to 1); "
                    "list another item first in the model to free this loading"
                )
            out.add(("loadings", it))
        elif re.fullmatch(r".+~\s*1", s):
            it = s.rsplit("~", 1)[0].strip()
            if it not in items:
                raise AnalysisInputError(f"partial {raw!r}: {it!r} is not an item of the model")
            out.add(("intercepts", it))
        else:
            raise AnalysisInputError(
                f"cannot read partial {raw!r}; expected 'factor =~ item' (a loading) or "
                "'item ~ 1' (an intercept), as lavaan's group.partial"
            )
    for f, its in factors.items():
        anchored = [
            i
            for i in its
            if ("intercepts", i) not in out and (i == its[0] or ("loadings", i) not in out)
        ]
        if not anchored:
            raise AnalysisInputError(
                f"partial frees every intercept of factor {f!r} that could anchor its latent "
                "mean; keep at least one item with equal loading and intercept"
            )
    return out


def _group_spec(
    factors: dict[str, list[str]],
    n_groups: int,
    equal: set[str],
    free: set[tuple[str, str]],
    means: bool | None = None,
) -> _Spec:
    """Multi-group model (lavaan ``group =``, ``group.equal``, ``group.partial``); mean
    structure in multi-group models, or when ``means`` says so."""
    items = [i for its in factors.values() for i in its]
    spec = _Spec(len(items), len(factors), n_groups, means=n_groups > 1 if means is None else means)
    for gi in range(n_groups):
        for j, its in enumerate(factors.values()):
            for it in its:
                i = items.index(it)
                if gi == 0:
                    spec.load_pos.append((i, j))
                if it == its[0]:
                    spec.lam_fixed[gi][i, j] = 1.0
                else:
                    same = "loadings" in equal and ("loadings", it) not in free
                    spec.add(gi, "lam", (i, j), ("lam", i, j) if same else None)
        for a in range(spec.m):
            for b in range(a + 1):
                spec.add(gi, "phi", (a, b))
        for i in range(spec.p):
            spec.add(gi, "theta", (i, i))
        if spec.means:
            for i, it in enumerate(items):
                same = "intercepts" in equal and ("intercepts", it) not in free
                spec.add(gi, "nu", (i, 0), ("nu", i) if same else None)
            if "intercepts" in equal and gi > 0:
                for a in range(spec.m):
                    spec.add(gi, "alpha", (a, 0))
    return spec


def _wave_spec(
    factors: dict[str, list[str]], n_waves: int, equal: set[str], free: set[tuple[str, str]]
) -> _Spec:
    """Longitudinal model: one factor per wave, same-item residuals correlated across waves.

    Item ``i`` at wave ``t`` is column ``t * p + i``; factor ``j`` at wave ``t`` is ``t * m + j``.
    Intercepts free and latent means 0 unless intercepts are equal; then the first wave's latent
    means are 0 and the others free.
    """
    items = [i for its in factors.values() for i in its]
    p0, m0 = len(items), len(factors)
    spec = _Spec(p0 * n_waves, m0 * n_waves, 1, means=True)
    for t in range(n_waves):
        for j, its in enumerate(factors.values()):
            for it in its:
                i0 = items.index(it)
                pos = (t * p0 + i0, t * m0 + j)
                spec.load_pos.append(pos)
                if it == its[0]:
                    spec.lam_fixed[0][pos] = 1.0
                else:
                    same = "loadings" in equal and ("loadings", it) not in free
                    spec.add(0, "lam", pos, ("lam", i0) if same else None)
    for a in range(spec.m):
        for b in range(a + 1):
            spec.add(0, "phi", (a, b))
    for i in range(spec.p):
        spec.add(0, "theta", (i, i))
    for i0 in range(p0):
        for t in range(n_waves):
            for s in range(t):
                spec.add(0, "theta", (t * p0 + i0, s * p0 + i0))
    for t in range(n_waves):
        for i0, it in enumerate(items):
            same = "intercepts" in equal and ("intercepts", it) not in free
            spec.add(0, "nu", (t * p0 + i0, 0), ("nu", i0) if same else None)
    if "intercepts" in equal:
        for t in range(1, n_waves):
            for j in range(m0):
                spec.add(0, "alpha", (t * m0 + j, 0))
    return spec


def _chain(
    spec: _Spec,
    gi: int,
    lam: np.ndarray,
    phi: np.ndarray,
    al: np.ndarray,
    w: np.ndarray,
    gmu: np.ndarray,
    weight: float,
    grad: np.ndarray,
) -> None:
    """Add ``weight`` times the gradient in the parameters, from ``W = dF/dSigma`` and
    ``gmu = dF/dmu`` of level ``gi``, to ``grad`` (chain rule through the model matrices)."""
    g_lam = 2 * w @ lam @ phi + np.outer(gmu, al)
    g_phi = lam.T @ w @ lam
    di = spec.free[gi]
    for pos, k in di["lam"]:
        grad[k] += weight * g_lam[pos]
    for (a, b), k in di["phi"]:
        grad[k] += weight * (g_phi[a, b] if a == b else 2 * g_phi[a, b])
    for (i, j), k in di["theta"]:
        grad[k] += weight * (w[i, i] if i == j else 2 * w[i, j])
    for (i, _), k in di["nu"]:
        grad[k] += weight * gmu[i]
    g_al = lam.T @ gmu
    for (a, _), k in di["alpha"]:
        grad[k] += weight * g_al[a]


def _fit(
    spec: _Spec, covs: list[np.ndarray], means: list[np.ndarray], ns: np.ndarray
) -> tuple[np.ndarray, float, bool]:
    """Minimise lavaan's ML objective sum_g (N_g / N) F_g; return parameters, chi-square, converged."""
    total_n = ns.sum()
    logdet_s = [np.linalg.slogdet(s)[1] for s in covs]

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        f_total = 0.0
        grad = np.zeros_like(theta)
        for gi, (s, ybar) in enumerate(zip(covs, means, strict=True)):
            lam, phi, th, nu, al = spec.matrices(theta, gi)
            sigma = lam @ phi @ lam.T + th
            sign, logdet = np.linalg.slogdet(sigma)
            if sign <= 0:
                return 1e10, np.zeros_like(theta)
            inv = np.linalg.inv(sigma)
            f = logdet + np.trace(s @ inv) - logdet_s[gi] - spec.p
            w = inv - inv @ s @ inv
            gmu = np.zeros(spec.p)
            if spec.means:
                d = ybar - (nu + lam @ al)
                f += d @ inv @ d
                v = inv @ d
                w -= np.outer(v, v)
                gmu = -2 * v
            weight = ns[gi] / total_n
            f_total += weight * f
            _chain(spec, gi, lam, phi, al, w, gmu, weight, grad)
        return f_total, grad

    start = _start(spec, [np.diag(s) for s in covs], means)
    options = {"gtol": 1e-10, "maxiter": 5_000}
    res = optimize.minimize(objective, start, jac=True, method="BFGS", options=options)
    grad_norm = float(np.abs(objective(res.x)[1]).max())
    # BFGS can stop at its first line search ("precision loss") when a trial step leaves the
    # positive-definite region, far from the optimum (seen with scipy 1.17.1 on a longitudinal
    # scalar model: 1 iteration, chi-square 105.5 instead of lavaan's 59.39). Restarting from
    # where it stopped resets the inverse-Hessian estimate; a converged fit is never restarted.
    for _ in range(3):
        if grad_norm < 1e-5:
            break
        again = optimize.minimize(objective, res.x, jac=True, method="BFGS", options=options)
        if not again.fun < res.fun:
            break
        res = again
        grad_norm = float(np.abs(objective(res.x)[1]).max())
    chisq = float(total_n * res.fun)
    return res.x, chisq, bool(grad_norm < 1e-5)


def _start(spec: _Spec, variances: list[np.ndarray], means: list[np.ndarray]) -> np.ndarray:
    """Starting values: loadings 1, factor variances half the marker's, residual variances half
    the item's, intercepts the item means, everything else 0."""
    start = np.zeros(spec.n_par)
    for gi, (var, ybar) in enumerate(zip(variances, means, strict=True)):
        di = spec.free[gi]
        for _pos, k in di["lam"]:
            start[k] = 1.0
        for (a, b), k in di["phi"]:
            if a == b:
                marker = min(i for i, j in spec.load_pos if j == a)
                start[k] = 0.5 * var[marker]
        for (i, j), k in di["theta"]:
            if i == j:
                start[k] = 0.5 * var[i]
        for (i, _), k in di["nu"]:
            start[k] = ybar[i]
    return start


def _srmr(s: np.ndarray, ybar: np.ndarray, sigma: np.ndarray, mu: np.ndarray | None) -> float:
    """Bentler's SRMR: residuals scaled by the observed standard deviations (lavaan's ``srmr``)."""
    sd = np.sqrt(np.diag(s))
    r = (s - sigma) / np.outer(sd, sd)
    resid = list(r[np.tril_indices_from(r)])
    if mu is not None:
        resid += list((ybar - mu) / sd)
    return float(np.sqrt(np.mean(np.square(resid))))


def _prepare(
    df: pd.DataFrame, items: list[str], across: str | None, fiml: bool = False
) -> tuple[list[object], list[np.ndarray]]:
    """Levels of ``across`` (or ``["all"]``) and the item matrix of each: complete rows, or with
    ``fiml`` every row with at least one item answered (NaN where an item is missing)."""
    require_columns(df, items + ([across] if across else []))
    if across is not None and across in items:
        raise AnalysisInputError(f"across column {across!r} is also one of the model's items")
    if across in _LOADING_COLUMNS:
        raise AnalysisInputError(
            f"across column {across!r} would clash with the loadings column of that name; "
            "rename it first"
        )
    data = df[items + ([across] if across else [])]
    data = data.dropna(subset=[across]) if across else data
    data = data.dropna(how="all", subset=items) if fiml else data.dropna()
    rows = "rows with an answer" if fiml else "complete rows"
    for it in items:
        if not pd.api.types.is_numeric_dtype(df[it]):
            raise AnalysisInputError(f"item {it!r} is not numeric (dtype {df[it].dtype})")
    blocks: list[tuple[object, np.ndarray]]
    if across is None:
        blocks = [("all", data[items].to_numpy(dtype=float))]
    else:
        levels = list(pd.unique(data[across]))
        if len(levels) < 2:
            raise AnalysisInputError(
                f"across column {across!r} has {len(levels)} level(s) among {rows} "
                f"({', '.join(map(str, levels))}); a multi-group model needs at least 2 levels"
            )
        blocks = [(lv, data.loc[data[across] == lv, items].to_numpy(dtype=float)) for lv in levels]
    for name, x in blocks:
        where = "" if across is None else f" in {across} {name!r}"
        if len(x) <= len(items):
            raise AnalysisInputError(
                f"{len(x)} {rows}{where} for {len(items)} items; need more rows than items"
            )
        counts = (~np.isnan(x)).sum(axis=0)
        empty = [it for it, c in zip(items, counts, strict=True) if c < 2]
        if empty:
            raise AnalysisInputError(f"item(s) {', '.join(empty)} have fewer than 2 answers{where}")
        const = [it for it, sd in zip(items, np.nanstd(x, axis=0), strict=True) if sd == 0]
        if const:
            raise AnalysisInputError(f"item(s) {', '.join(const)} are constant{where}")
    return [b[0] for b in blocks], [b[1] for b in blocks]


def _prepare_waves(
    df: pd.DataFrame, items: list[str], wave: str, respondent: str, fiml: bool = False
) -> tuple[list[object], np.ndarray, int]:
    """Waves (in order of appearance) and the wide matrix: one row per respondent complete in all.

    Returns the waves, the matrix (columns item-major within wave: wave 1's items, then wave
    2's, ...) and the number of respondents dropped because an item or a wave is missing.
    """
    require_columns(df, [*items, wave, respondent])
    for col, role in ((wave, "wave"), (respondent, "respondent")):
        if col in items:
            raise AnalysisInputError(f"{role} column {col!r} is also one of the model's items")
    for it in items:
        if not pd.api.types.is_numeric_dtype(df[it]):
            raise AnalysisInputError(f"item {it!r} is not numeric (dtype {df[it].dtype})")
    data = df[[respondent, wave, *items]].dropna(subset=[respondent, wave])
    waves = list(pd.unique(data[wave]))
    if len(waves) < 2:
        raise AnalysisInputError(
            f"wave column {wave!r} has {len(waves)} level(s); longitudinal invariance needs "
            "at least 2 waves"
        )
    dup = data.duplicated([respondent, wave])
    if dup.any():
        first = data.loc[dup, [respondent, wave]].iloc[0].tolist()
        raise AnalysisInputError(
            f"{int(dup.sum())} duplicate ({respondent}, {wave}) row(s), e.g. {first}; "
            "each respondent may answer once per wave"
        )
    wide = data.set_index([respondent, wave])[items].unstack(wave)
    cols = [(it, w) for w in waves for it in items]
    wide = wide.reindex(columns=pd.MultiIndex.from_tuples(cols))
    n_all = len(wide)
    complete = wide.dropna(how="all") if fiml else wide.dropna()
    x = complete.to_numpy(dtype=float)
    if len(x) <= x.shape[1]:
        who = "answered at least one item" if fiml else "answered every item in every wave"
        raise AnalysisInputError(
            f"{len(x)} respondents {who}, for {x.shape[1]} item-wave columns; need more "
            "respondents than columns"
        )
    counts = (~np.isnan(x)).sum(axis=0)
    empty = [f"{it} ({w})" for (it, w), c in zip(cols, counts, strict=True) if c < 2]
    if empty:
        raise AnalysisInputError(f"item(s) {', '.join(empty)} have fewer than 2 answers")
    sds = np.nanstd(x, axis=0)
    const = [f"{it} ({w})" for (it, w), sd in zip(cols, sds, strict=True) if sd == 0]
    if const:
        raise AnalysisInputError(f"item(s) {', '.join(const)} are constant")
    return waves, x, n_all - len(x)


def _estimate(
    spec: _Spec,
    blocks: list[np.ndarray],
    level: float,
    rmsea_groups: int,
    *,
    fiml: bool = False,
    robust: bool = False,
    standard_errors: bool = False,
) -> tuple[dict[str, object], list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """Fit ``spec`` to the data blocks (one per level); fit statistics and (lambda, phi, sigma).

    ``fiml``: blocks may hold NaN, the likelihood is FIML; ``robust``: the chi-square, CFI, TLI
    and RMSEA are Yuan-Bentler scaled (MLR). The fit dict also carries ``chisq_ml`` (the
    unscaled statistic) and ``scaling_factor`` (NaN without ``robust``).
    """
    g = len(blocks)
    ns = np.array([len(x) for x in blocks], dtype=float)
    n = ns.sum()
    p = spec.p
    scaling, scaling_base = float("nan"), float("nan")
    if not (fiml or robust):
        covs = [np.cov(x, rowvar=False, ddof=0) for x in blocks]
        ybars = [x.mean(axis=0) for x in blocks]
        theta, chisq, converged = _fit(spec, covs, ybars, ns)
        base = float(
            sum(
                ns[i] * (np.log(np.diag(covs[i])).sum() - np.linalg.slogdet(covs[i])[1])
                for i in range(g)
            )
        )
    else:
        from deliberval.analysis import _sem_robust as rob

        data = [rob.patterns(x) for x in blocks]
        h1, f1, h1_converged = _saturated(data, blocks, p)
        avail = [rob.available_moments(x) for x in blocks]
        start = _start(spec, [v for _, v in avail], [m for m, _ in avail])
        theta, f0, converged = rob.fit(spec, data, start)
        converged = converged and h1_converged
        chisq = float(n * (f0 - f1))
        counts = [(~np.isnan(x)).sum(axis=0) for x in blocks]
        f_base = sum(
            ns[i] / n * float(np.sum(counts[i] / ns[i] * (np.log(avail[i][1]) + 1)))
            for i in range(g)
        )
        base = float(n * (f_base - f1))
        ybars = [m for m, _ in h1]
        covs = [c for _, c in h1]
        if robust:
            moments = g * (p * (p + 1) // 2 + p)
            scaling = rob.scaling_factor(spec, theta, data, h1, moments - spec.n_par)
            base_spec = _Spec(p, 0, g, means=True)
            base_theta = []
            for gi in range(g):
                for i in range(p):
                    base_spec.add(gi, "theta", (i, i))
                    base_theta.append(avail[gi][1][i])
                for i in range(p):
                    base_spec.add(gi, "nu", (i, 0))
                    base_theta.append(avail[gi][0][i])
            scaling_base = rob.scaling_factor(
                base_spec, np.array(base_theta), data, h1, g * p * (p - 1) // 2
            )
    chisq_ml = chisq
    if robust:
        chisq, base = chisq / scaling, base / scaling_base
    moments = g * (p * (p + 1) // 2 + (p if spec.means else 0))
    df = moments - spec.n_par
    df_base = g * p * (p - 1) // 2
    cfi_den = max(chisq - df, base - df_base, 0.0)
    cfi = 1 - max(chisq - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    # a saturated model (df = 0) fits perfectly: lavaan then reports TLI 1 and RMSEA 0
    tli = ((base / df_base) - (chisq / df)) / ((base / df_base) - 1) if df > 0 else 1.0
    gr = rmsea_groups
    rmsea = np.sqrt(max(chisq / n / df - 1 / n, 0.0)) * np.sqrt(gr) if df > 0 else 0.0
    if robust and df > 0:
        # lavaan's rmsea.ci.*.scaled: the unscaled statistic on scaling_factor * df
        # degrees of freedom
        lo, hi = _rmsea_ci(chisq_ml, df * scaling, n, gr, level)
    else:
        lo, hi = _rmsea_ci(chisq, df, n, gr, level)
    srmrs, mats = [], []
    for gi in range(g):
        lam, phi, th, nu, al = spec.matrices(theta, gi)
        sigma = lam @ phi @ lam.T + th
        mu = nu + lam @ al if spec.means else None
        srmrs.append(_srmr(covs[gi], ybars[gi], sigma, mu))
        mats.append((lam, phi, sigma))
    srmr = float(np.sum(ns * np.array(srmrs)) / n)
    fit: dict[str, object] = {
        "chisq": chisq,
        "df": int(df),
        "p_value": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
        "cfi": float(cfi),
        "tli": float(tli),
        "rmsea": float(rmsea),
        "rmsea_ci_low": lo,
        "rmsea_ci_high": hi,
        "confidence_level": level,
        "srmr": srmr,
        "n": int(n),
        "n_levels": g,
        "converged": converged,
        "chisq_ml": chisq_ml,
        "scaling_factor": scaling,
    }
    if standard_errors and not converged:
        fit["se"] = np.full(len(theta), np.nan)  # no standard errors away from the optimum
    elif standard_errors:
        from deliberval.analysis import _sem_robust as rob

        kind = "sandwich" if robust else "observed" if fiml else "expected"
        data = [rob.patterns(x) for x in blocks]
        fit["se"] = rob.standard_errors(spec, theta, data, kind)
    return fit, mats


def _saturated(
    data: list[list[_Pattern]], blocks: list[np.ndarray], p: int
) -> tuple[list[tuple[np.ndarray, np.ndarray]], float, bool]:
    """Saturated (h1) means and covariances of each level by FIML, ``F`` at them, converged."""
    from deliberval.analysis import _sem_robust as rob

    n = sum(len(x) for x in blocks)
    out, f1, ok = [], 0.0, True
    for pats, x in zip(data, blocks, strict=True):
        if not np.isnan(x).any():
            mean, cov = x.mean(axis=0), np.cov(x, rowvar=False, ddof=0)
            out.append((mean, cov))
            f1 += len(x) / n * (np.linalg.slogdet(cov)[1] + p)
            continue
        spec = _Spec(p, 0, 1, means=True)
        start_cov = pd.DataFrame(x).cov(ddof=0).to_numpy()
        if np.linalg.eigvalsh(start_cov).min() <= 0:
            start_cov = np.diag(np.diag(start_cov))
        start = []
        for i in range(p):
            for j in range(i + 1):
                spec.add(0, "theta", (i, j))
                start.append(start_cov[i, j])
        mean0 = np.nanmean(x, axis=0)
        for i in range(p):
            spec.add(0, "nu", (i, 0))
            start.append(mean0[i])
        theta, f, converged = rob.fit(spec, [pats], np.array(start))
        ok = ok and converged
        _, _, th, nu, _ = spec.matrices(theta, 0)
        out.append((nu, th))
        f1 += len(x) / n * f
    return out, f1, ok


def _rmsea_ci(chisq: float, df: float, n: float, g: int, level: float) -> tuple[float, float]:
    """RMSEA interval from the noncentral chi-square (Browne & Cudeck, 1993), as lavaan."""
    if df <= 0:
        return 0.0, 0.0

    def ncp_for(prob: float) -> float:
        # noncentrality lambda with P(X2 <= chisq | df, lambda) = prob; 0 if even lambda=0 is too big
        if stats.chi2.cdf(chisq, df) < prob:
            return 0.0
        hi = max(chisq, 1.0)
        while stats.ncx2.cdf(chisq, df, hi) > prob:
            hi *= 2
        return float(
            optimize.brentq(
                lambda lam: stats.ncx2.cdf(chisq, df, lam) - prob, 1e-12, hi, xtol=1e-12
            )
        )

    a = (1 - level) / 2
    lam_low, lam_high = ncp_for(1 - a), ncp_for(a)
    return float(np.sqrt(lam_low / (n * df)) * np.sqrt(g)), float(
        np.sqrt(lam_high / (n * df)) * np.sqrt(g)
    )


def cfa(
    df: pd.DataFrame,
    model: str | Mapping[str, Sequence[str]],
    *,
    across: str | None = None,
    equal: Sequence[str] = (),
    partial: Sequence[str] = (),
    estimator: str = "ML",
    missing: str = "listwise",
    ordered: bool = False,
    rmsea_confidence_level: float = 0.90,
) -> CFAResult:
    """Confirmatory factor analysis by maximum likelihood, as ``lavaan::cfa`` with defaults.

    Parameters
    ----------
    df : pandas.DataFrame
        Item data (numeric); rows with a missing item (or ``across`` value) are dropped
        (listwise).
    model : str or mapping
        ``{"factor": ["item1", "item2", ...]}`` or lavaan syntax ``"f =~ item1 + item2"``
        (simple structure: every item on one factor; factors correlate freely).
    across : str, optional
        Fit one multi-group model across the levels of this column (lavaan's ``group =``, with
        mean structure), e.g. ``"wave"`` or ``"language"``. Default: one single-group model.
    equal : sequence of str
        Equality constraints across the levels: ``"loadings"`` and/or ``"intercepts"``
        (lavaan's ``group.equal``; with equal intercepts latent means are free in levels
        2..G). Needs ``across``.
    partial : sequence of str
        Parameters exempt from ``equal`` (lavaan's ``group.partial``): ``"factor =~ item"``
        frees that loading, ``"item ~ 1"`` that intercept, in every level (partial
        invariance). The model is then labelled ``partial_metric`` / ``partial_scalar``.
    estimator : {"ML", "MLR"}, default "ML"
        ``"MLR"``: Yuan-Bentler scaled chi-square (with scaled CFI, TLI, RMSEA) and sandwich
        (Huber-White) standard errors, as lavaan's ``estimator = "MLR"`` (see
        :func:`invariance`).
    missing : {"listwise", "fiml"}, default "listwise"
        ``"fiml"``: full-information ML on every row with at least one item answered.
        Single-group models with ``"MLR"`` or ``"fiml"`` include the (saturated) mean
        structure, as lavaan's ``meanstructure = TRUE``.
    ordered : bool, default False
        Treat the items as ordinal (lavaan's ``ordered =`` with its default estimator WLSMV):
        thresholds and polychoric correlations, diagonally weighted least squares (delta
        parameterisation), and the mean- and variance-adjusted chi-square; ``chisq``,
        ``p_value``, ``cfi``, ``tli`` and ``rmsea`` are then the scaled-and-shifted versions
        (lavaan's ``*.scaled``). Single-group models only (no ``across``); at most 10 answer
        categories per item.
    rmsea_confidence_level : float, default 0.90
        Coverage of the RMSEA interval (lavaan's default 0.90).

    Returns
    -------
    CFAResult
        ``fit``, one row with columns:

        - ``model``: ``single_group``, or for ``across`` ``configural``, ``metric`` (equal
          loadings) or ``scalar`` (equal loadings and intercepts);
        - ``chisq``, ``df``, ``p_value``: the model chi-square test (``p_value`` NaN when
          ``df`` is 0);
        - ``cfi``, ``tli``: comparative and Tucker-Lewis fit indices;
        - ``rmsea``, ``rmsea_ci_low``, ``rmsea_ci_high``: RMSEA and its interval;
        - ``confidence_level``: the coverage of the RMSEA interval
          (``rmsea_confidence_level``);
        - ``srmr``: standardised root mean square residual;
        - ``n``: complete rows fitted (all levels together);
        - ``n_levels``: levels of ``across`` (1 without it);
        - ``converged``: whether the optimiser reached a stationary point;
        - ``method``: estimator and interval method.

        ``loadings``, one row per item (and level): the ``across`` column under its own name
        (only with ``across``; its levels as in the data), ``factor``, ``item``, ``loading``
        (unstandardised), ``se`` (its standard error; NaN for the marker, whose loading is
        fixed; ML: expected information, FIML: observed information, MLR: sandwich, as
        lavaan's defaults; NaN with ``ordered``), ``std_loading`` (lavaan's ``std.all``) and
        ``method``.

    Notes
    -----
    Identification by the first item of each factor (loading fixed to 1). The ML discrepancy
    ``F_g = log|Sigma| + tr(S Sigma^-1) - log|S| - p (+ (ybar - mu)' Sigma^-1 (ybar - mu))`` uses
    covariances with divisor N; ``chisq = sum_g N_g F_g`` (lavaan, ``likelihood = "normal"``).
    CFI and TLI use the independence baseline (free variances and means per level);
    ``rmsea = sqrt(max(chisq / N / df - 1 / N, 0)) * sqrt(G)`` and its interval solves
    ``P(X2 <= chisq | df, lambda) = 1 - a/2`` and ``a/2`` for the noncentrality ``lambda``
    (scipy's noncentral chi-square), ``sqrt(lambda / (N df)) * sqrt(G)``. SRMR is lavaan's
    Bentler SRMR (covariance and, in multi-group models, mean residuals divided by the
    observed standard deviations), averaged over levels with weights ``N_g / N``. Standardised loadings are
    lavaan's ``std.all``.

    ``ordered=True``: thresholds and two-step polychoric correlations, their asymptotic
    covariance ``Gamma`` as lavaan's ``muthen1984``, DWLS with ``W = diag(Gamma)^-1`` (delta
    parameterisation), ``T = (N - 1) min (s - sigma)' W (s - sigma)`` and the scaled-and-shifted
    ``T / c + b`` (``c = sqrt(tr((U Gamma)^2) / df)``, ``b = df - tr(U Gamma) / c``, Asparouhov &
    Muthen 2010); CFI, TLI and RMSEA from the scaled statistics, RMSEA with ``N - 1``.

    Validated against R lavaan 0.6.14 (Holzinger-Swineford 3 factors, bfi agreeableness, a
    simulated scale; configural, metric and scalar models): fit statistics and loadings within
    1e-3 (in practice about 1e-6). ``ordered=True`` against ``lavaan::cfa(..., ordered =)``
    (simulated five-point items; bfi agreeableness and neuroticism, two factors): 1e-6
    (``chisq`` relative 2e-6, lavaan's polychoric tolerance).

    References
    ----------
    Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In Bollen & Long
    (Eds.), *Testing structural equation models*. Sage.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> gen = np.random.default_rng(3)
    >>> f = gen.normal(size=(400, 1))
    >>> df = pd.DataFrame(0.8 * f + 0.6 * gen.normal(size=(400, 4)), columns=list("abcd"))
    >>> res = cfa(df, {"f": ["a", "b", "c", "d"]})
    >>> res.fit[["chisq", "df", "cfi", "rmsea"]].round(3)
       chisq  df    cfi  rmsea
    0  2.823   2  0.999  0.032
    >>> res.loadings["std_loading"].round(2).tolist()
    [0.8, 0.81, 0.8, 0.82]
    """
    factors = parse_model(model)
    level = check_confidence_level(rmsea_confidence_level)
    unknown = set(equal) - {"loadings", "intercepts"}
    if unknown:
        raise AnalysisInputError(
            f"equal may contain 'loadings' and 'intercepts', got {sorted(unknown)}"
        )
    if equal and across is None:
        raise AnalysisInputError(
            "equality constraints need across= (the column whose levels get one model each)"
        )
    free = _parse_partial(partial, factors)
    if free and not equal:
        raise AnalysisInputError("partial frees equality constraints; it needs equal=")
    items = [i for its in factors.values() for i in its]
    if estimator not in ("ML", "MLR"):
        raise AnalysisInputError(f"estimator must be 'ML' or 'MLR', got {estimator!r}")
    if missing not in ("listwise", "fiml"):
        raise AnalysisInputError(f"missing must be 'listwise' or 'fiml', got {missing!r}")
    fiml, robust = missing == "fiml", estimator == "MLR"
    if ordered and (fiml or robust):
        raise AnalysisInputError(
            "ordered=True uses WLSMV; it takes neither estimator= nor missing="
        )
    if ordered:
        if across is not None:
            raise AnalysisInputError(
                "cfa(ordered=True) fits single-group models only; compare groups with "
                "invariance(..., across=, ordered=True)"
            )
        return _cfa_ordered(df, factors, items, level)
    names, blocks = _prepare(df, items, across, fiml)
    spec = _group_spec(factors, len(blocks), set(equal), free, True if fiml or robust else None)
    fit, mats = _estimate(
        spec, blocks, level, len(blocks), fiml=fiml, robust=robust, standard_errors=True
    )
    se = np.asarray(fit.pop("se"))
    rows = []
    factor_names = list(factors)
    for gi, (lam, phi, sigma) in enumerate(mats):
        se_of = {pos: se[k] for pos, k in spec.free[gi]["lam"]}
        for i, j in spec.load_pos:
            rows.append(
                {
                    "level": names[gi],
                    "factor": factor_names[j],
                    "item": items[i],
                    "loading": lam[i, j],
                    "se": se_of.get((i, j), np.nan),
                    "std_loading": lam[i, j] * np.sqrt(phi[j, j]) / np.sqrt(sigma[i, i]),
                }
            )
    loadings = pd.DataFrame(rows)
    label = (
        "single_group"
        if across is None
        else (
            "scalar" if "intercepts" in equal else "metric" if "loadings" in equal else "configural"
        )
    )
    if free and label != "configural":
        label = f"partial_{label}"
    method = _FIT_METHOD
    if robust:
        method = method.replace(
            "maximum likelihood (lavaan defaults)",
            "MLR (Yuan-Bentler scaled chi-square; scaled CFI, TLI, RMSEA)",
        )
    if fiml:
        method += "; FIML"
    out = pd.DataFrame([{"model": label, **fit, "method": method}])[_FIT_COLUMNS]
    loadings["method"] = _LOADING_METHOD + (
        "; sandwich SE"
        if robust
        else "; SE from the observed information"
        if fiml
        else "; SE from the expected information"
    )
    if across is None:
        loadings = loadings.drop(columns="level")
    else:
        loadings = loadings.rename(columns={"level": across})
    return CFAResult(fit=out, loadings=loadings)


def _cfa_ordered(
    df: pd.DataFrame, factors: dict[str, list[str]], items: list[str], level: float
) -> CFAResult:
    """``cfa(..., ordered=True)``: DWLS on polychoric correlations with the WLSMV test."""
    from deliberval.analysis import _polychoric as poly

    _, blocks = _prepare(df, items, None)
    x = blocks[0]
    codes = np.empty(x.shape, dtype=int)
    for j, it in enumerate(items):
        levels, codes[:, j] = np.unique(x[:, j], return_inverse=True)
        if len(levels) > 10:
            raise AnalysisInputError(
                f"item {it!r} has {len(levels)} distinct answers; ordered=True takes at most 10"
            )
    mom = poly.ordinal_moments(codes)
    spec = _group_spec(factors, 1, set(), set())
    res = poly.dwls_fit(
        mom, spec.load_pos, {i for i, j in spec.load_pos if spec.lam_fixed[0][i, j]}, spec.m
    )
    n, df_ = mom.n, int(res["df"])  # type: ignore[call-overload]
    t, tb, dfb = float(res["chisq_scaled"]), float(res["base_scaled"]), int(res["df_base"])  # type: ignore[arg-type, call-overload]
    if df_ > 0:
        cfi_den = max(t - df_, tb - dfb, 0.0)
        cfi = 1 - max(t - df_, 0.0) / cfi_den if cfi_den > 0 else 1.0
        tli = ((tb / dfb) - (t / df_)) / ((tb / dfb) - 1)
        rmsea = float(np.sqrt(max(t - df_, 0.0) / ((n - 1) * df_)))
        lo, hi = _rmsea_ci(t, df_, n - 1, 1, level)
        p_value = float(stats.chi2.sf(t, df_))
    else:
        cfi = tli = 1.0
        rmsea, lo, hi, p_value = 0.0, 0.0, 0.0, float("nan")
    resid = np.asarray(res["resid"])
    p = len(items)
    srmr = float(np.sqrt(np.sum(resid**2) / (p * (p + 1) / 2)))
    lam, phi = np.asarray(res["lam"]), np.asarray(res["phi"])
    fit = {
        "model": "single_group",
        "chisq": t if df_ > 0 else 0.0,
        "df": df_,
        "p_value": p_value,
        "cfi": float(cfi),
        "tli": float(tli),
        "rmsea": rmsea,
        "rmsea_ci_low": lo,
        "rmsea_ci_high": hi,
        "confidence_level": level,
        "srmr": srmr,
        "n": n,
        "n_levels": 1,
        "converged": bool(res["converged"]),
        "method": (
            "DWLS on polychoric correlations (lavaan ordered=, delta parameterisation); "
            "mean- and variance-adjusted (WLSMV) chi-square; RMSEA interval from the "
            "noncentral chi-square"
        ),
    }
    factor_names = list(factors)
    loadings = pd.DataFrame(
        [
            {
                "factor": factor_names[j],
                "item": items[i],
                "loading": lam[i, j],
                "se": np.nan,
                "std_loading": lam[i, j] * np.sqrt(phi[j, j]),
                "method": "DWLS on polychoric correlations; std_loading as lavaan std.all",
            }
            for i, j in spec.load_pos
        ]
    )
    return CFAResult(fit=pd.DataFrame([fit])[_FIT_COLUMNS], loadings=loadings)


def invariance(
    df: pd.DataFrame,
    items: Sequence[str] | Mapping[str, Sequence[str]] | str,
    *,
    across: str | None = None,
    wave: str | None = None,
    respondent: str = "respondent_id",
    partial: Sequence[str] = (),
    estimator: str = "ML",
    missing: str = "listwise",
    ordered: bool = False,
    ordinal_identification: str = "wu_estabrook",
    rmsea_confidence_level: float = 0.90,
    delta_cfi_cutoff: float = -0.01,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Measurement invariance: configural, metric and scalar models across groups or waves.

    Parameters
    ----------
    df : pandas.DataFrame
        Item data and the ``across`` column, or (longitudinal) long data with the ``wave`` and
        ``respondent`` columns.
    items : list of str, mapping or lavaan string
        A list of items means one factor; a mapping or model string gives several factors.
    across : str, optional
        The column whose levels are independent groups (language, role, ...), at least two;
        each model is fitted across all of them at once (lavaan's ``group =``).
    wave : str, optional
        Instead of ``across``: the wave column of a panel in which the same people answer in
        every wave. The models are then longitudinal (one factor per wave, residuals of the
        same item correlated across waves), fitted to one row per ``respondent`` that answered
        every item in every wave (with ``missing="fiml"``: at least one item in one wave).
    respondent : str, default "respondent_id"
        The person column of a longitudinal model (only with ``wave``).
    partial : sequence of str
        Partial invariance: parameters left free in the metric and scalar models (lavaan's
        ``group.partial``): ``"factor =~ item"`` (a loading) or ``"item ~ 1"`` (an
        intercept); longitudinal models free them across waves. Each factor must keep one
        item with equal loading and intercept.
    estimator : {"ML", "MLR"}, default "ML"
        ``"MLR"``: maximum likelihood with the Yuan-Bentler scaled chi-square (lavaan's
        ``estimator = "MLR"``, Mplus variant), robust to non-normal items such as five-point
        answers; CFI, TLI and RMSEA from the scaled statistics and the chi-square difference
        test scaled as Satorra & Bentler (2001).
    missing : {"listwise", "fiml"}, default "listwise"
        ``"fiml"``: full-information ML; every row with at least one item answered is used
        (lavaan's ``missing = "fiml"``) instead of complete rows only.
    ordered : bool, default False
        Treat the items as ordinal (five-point answers; 3 to 10 categories), as lavaan's
        ``ordered =`` with WLSMV: per-group polychoric correlations, DWLS, scaled-and-shifted
        statistics, and lavaan's ordinal sequence of models (configural, equal thresholds, then
        equal loadings too; see Notes). Groups (``across``) only, complete rows, every answer
        category used in every group; ``partial`` may free loadings only.
    ordinal_identification : {"wu_estabrook", "lavaan"}, default "wu_estabrook"
        With ``ordered``: the thresholds model as Wu & Estabrook (2016) (latent-response
        intercepts free in groups 2..G, latent means 0), or as lavaan's plain ``group.equal =
        "thresholds"`` (latent means free in groups 2..G). The default does not depend on the
        order of the groups in the data, so neither does the verdict; its second step tests
        loadings and intercepts together. ``"lavaan"`` reproduces lavaan's default sequence,
        whose thresholds step can change when another group comes first (see Notes).
    rmsea_confidence_level : float, default 0.90
        Coverage of the RMSEA and RMSEA_D intervals.
    delta_cfi_cutoff : float, default -0.01
        Size criterion of a step (Cheung & Rensvold, 2002).
    alpha : float, default 0.05
        Level of the chi-square difference tests, split over the two steps (each step at
        ``alpha / 2``, Bonferroni).

    Returns
    -------
    pandas.DataFrame
        One row per model, with columns:

        - ``model``: ``configural``, ``metric`` (equal loadings) or ``scalar`` (equal loadings
          and intercepts); ``partial_metric`` / ``partial_scalar`` when ``partial`` frees a
          parameter that step would constrain; with ``ordered``: ``configural``,
          ``thresholds`` (equal thresholds) and ``thresholds_loadings`` (equal thresholds and
          loadings; ``partial_thresholds_loadings`` when ``partial`` frees a loading);
        - ``chisq``, ``df``, ``p_value``: the model chi-square test (``ordered``: the
          scaled-and-shifted statistic);
        - ``cfi``, ``tli``, ``rmsea``, ``rmsea_ci_low``, ``rmsea_ci_high``, ``srmr``: fit
          indices (as in :func:`cfa`);
        - ``confidence_level``: the coverage of the RMSEA and RMSEA_D intervals;
        - ``n``: rows (multi-group) or respondents (longitudinal) fitted;
        - ``converged``: whether the optimiser reached a stationary point (for FIML also that
          of the saturated model);
        - ``scaling_factor``: the Yuan-Bentler scaling factor of the chi-square (MLR; NaN
          for ML; ``ordered``: lavaan's ``chisq.scaling.factor``, ``1 / a`` of the
          scaled-and-shifted ``a T + b``);
        - ``chisq_diff``, ``df_diff``, ``diff_p_value``: the chi-square difference test
          against the previous model (NaN for configural);
        - ``delta_cfi``, ``delta_rmsea``: the change in CFI and RMSEA from the previous model
          (NaN for configural);
        - ``rmsea_d``, ``rmsea_d_ci_low``, ``rmsea_d_ci_high``: the RMSEA of the difference
          test (Savalei et al., 2023; of the scaled difference with MLR or ``ordered``) and
          its interval (NaN for configural);
        - ``verdict``: the conclusion in plain language, with the figures it rests on;
        - ``method``: estimator, test and criteria.

    Raises
    ------
    AnalysisInputError
        Neither or both of ``across`` and ``wave``; fewer than two levels or waves; a
        duplicate respondent-wave row; too few complete rows; a constant item; an unreadable
        or unidentifiable ``partial``; with ``ordered``: ``wave``, ``estimator`` or
        ``missing`` given, an intercept in ``partial``, more than 10 answer categories, an
        answer category of an item unused in one group, an unknown
        ``ordinal_identification``, or an item with fewer than 3 categories (binary items:
        the thresholds model is not identified).

    Notes
    -----
    Models as ``lavaan::cfa(..., group = across, group.equal = ..., group.partial = ...)`` with
    ``character(0)``, ``"loadings"`` and ``c("loadings", "intercepts")`` (latent means free in
    levels 2..G of the scalar model); ``diff_p_value`` is the chi-square difference test of
    ``lavTestLRT`` (ML). Longitudinal models are the equivalent single-group models with mean
    structure on the wide data: loadings labelled equal across waves (metric), then
    intercepts too, with the first wave's latent means 0 and the others free (scalar).

    **Verdict.** A step (metric, then scalar) fails when both ``delta_cfi < delta_cfi_cutoff``
    (-0.01, Cheung & Rensvold 2002: the size of the misfit) and ``diff_p_value < alpha / 2``
    (the chi-square difference is not chance; Bonferroni over the two steps). Either alone
    misleads: with 60 members per group the sampling noise of delta CFI alone flags about a
    third of invariant four-item scales, and with thousands of respondents the chi-square test
    alone flags trivial differences. A step after a failed one is not assessed. The RMSEA is
    not part of the rule: truncated at 0, a configural RMSEA of 0 makes any positive metric
    RMSEA look like a deterioration.
    ``rmsea_d = sqrt(max(chisq_diff - df_diff, 0) / (df_diff N)) * sqrt(G)`` with its interval
    from the noncentral chi-square as for the RMSEA (``G`` = 1 for longitudinal models).

    In the benchmark of ``benchmarks/coverage.py`` (4 groups x 60, four 5-point items) the
    verdict flags 3.8 % of invariant scales and 83.8 % of scales where one item's intercept is
    0.5 SD higher in two groups (500 datasets; see docs/methods/psychometrics.md).

    MLR: ``chisq`` is the Yuan-Bentler scaled statistic ``T / c`` (lavaan's Mplus variant,
    ``c = (sum_g tr(B1_g A1_g^-1) - sum_g (N_g / N) tr(B0_g E^-1)) / df``, observed
    information), ``cfi``, ``tli``, ``rmsea`` come from the scaled statistics (lavaan's
    ``*.scaled``) and ``chisq_diff`` is the Satorra-Bentler (2001) scaled difference. FIML sums
    the normal likelihood over missing-data patterns and compares with the saturated model
    fitted the same way.

    ``ordered=True``: per group, thresholds, two-step polychoric correlations and their
    asymptotic covariance ``Gamma_g`` (as :func:`cfa` with ``ordered``); DWLS minimising
    ``T = sum_g (N_g - 1) (s_g - sigma_g)' W_g (s_g - sigma_g)``, ``W_g = diag(Gamma_g)^-1``, in
    the delta parameterisation. The models are lavaan's with ``group.equal = ""``,
    ``"thresholds"`` and ``c("thresholds", "loadings")``: markers (loading 1), factor
    (co)variances free in every group and latent-response intercepts 0 throughout; configural:
    thresholds free, scale factors 1 and latent means 0 in every group; once thresholds are
    equal, the scale factors and latent means are free in groups 2..G (1 and 0 in the first
    level of ``across``, in order of appearance). ``group.equal = "intercepts"`` adds nothing
    for ordinal items (their intercepts are fixed at 0), so there is no separate scalar
    step: ``thresholds_loadings`` is the model that licenses comparing latent means. Each model's
    ``chisq`` is ``a T + b`` (``a = sqrt(df / tr((U Gamma)^2))``, ``b = df - a tr(U Gamma)``,
    ``U = V - V Delta (Delta' V Delta)^-1 Delta' V``, ``V = bdiag(N_g / N W_g)``, ``Gamma =
    bdiag(N / N_g Gamma_g)``), CFI and TLI use the scaled independence baseline, the RMSEA
    uses ``N - G`` (lavaan's ``*.scaled``). ``chisq_diff`` is the Satorra (2000) difference
    ``a (T_0 - T_1) + b`` of ``lavTestLRT(..., method = "satorra.2000", A.method = "delta")``
    (its default for WLSMV), ``rmsea_d`` uses ``N - G``. The verdict rule is the same, the
    steps being thresholds, then loadings. With loadings free, the thresholds model depends on
    which group comes first (lavaan's too: the latent mean enters each item through that
    group's loading), so that step's test can change with the order of the groups; the
    configural and thresholds-and-loadings models do not. ``ordinal_identification =
    "wu_estabrook"`` frees the latent-response intercepts instead of the latent means in the
    thresholds model (Wu & Estabrook 2016): it tests only the spacing of the categories (a
    shift of all of an item's thresholds is an intercept difference), does not depend on the
    group order, and the next step (to the same thresholds-and-loadings model) tests loadings
    and intercepts together.

    Validated against R lavaan 0.6.14 (``tests/reference/invariance``,
    ``tests/reference/psychometrics``): Holzinger-Swineford by ``school`` (also with
    ``group.partial``), a simulated four-group Likert scale (also with missing answers: MLR,
    FIML) and a simulated two-wave panel (longitudinal, also MLR with FIML); ML fit statistics
    to 1e-6, MLR statistics to a relative 2e-6 (lavaan's optimiser tolerance); ``ordered``:
    simulated five-point items (three groups, one factor, also in reverse group order and with
    an item of three categories; two groups, two factors; planted threshold DIF, also with
    ``partial``; the Wu-Estabrook thresholds model as lavaan syntax), ``chisq`` and
    ``chisq_diff`` to a relative 2e-6, the other statistics to 1e-6.

    References
    ----------
    Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
    invariance. *Structural Equation Modeling*, 14, 464-504.
    Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing
    measurement invariance. *Structural Equation Modeling*, 9, 233-255.
    Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis of
    moment structures. In Heijmans, Pollock & Satorra (Eds.), *Innovations in multivariate
    statistical analysis* (pp. 233-247). Kluwer.
    Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for
    moment structure analysis. *Psychometrika*, 66, 507-514.
    Savalei, V., Brace, J. C., & Fouladi, R. T. (2023). We need to change how we compute RMSEA
    for nested model comparisons in structural equation modeling. *Psychological Methods*.
    Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models of
    different levels of invariance for ordered categorical outcomes. *Psychometrika*, 81,
    1014-1045.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> gen = np.random.default_rng(5)
    >>> f = gen.normal(size=(600, 1))
    >>> df = pd.DataFrame(0.8 * f + 0.6 * gen.normal(size=(600, 4)), columns=list("abcd"))
    >>> df["language"] = np.repeat(["fr", "nl"], 300)
    >>> res = invariance(df, list("abcd"), across="language")
    >>> res[["model", "df", "df_diff"]]
            model  df  df_diff
    0  configural   4      NaN
    1      metric   7      3.0
    2      scalar  10      3.0
    >>> print(res["verdict"].iloc[-1])
    scalar invariance holds: means comparable across language (delta CFI +0.002, chi-square difference p = 0.821)
    """
    if isinstance(items, str) and "=~" not in items:
        raise AnalysisInputError(
            f"items must be a list of item columns or a model, got the string {items!r}"
        )
    if (across is None) == (wave is None):
        raise AnalysisInputError(
            "give either across= (independent groups) or wave= with respondent= (the same "
            "people in every wave), not " + ("both" if across is not None else "neither")
        )
    if not 0 < alpha < 1:
        raise AnalysisInputError(f"alpha must lie in (0, 1), got {alpha}")
    if estimator not in ("ML", "MLR"):
        raise AnalysisInputError(f"estimator must be 'ML' or 'MLR', got {estimator!r}")
    if missing not in ("listwise", "fiml"):
        raise AnalysisInputError(f"missing must be 'listwise' or 'fiml', got {missing!r}")
    fiml, robust = missing == "fiml", estimator == "MLR"
    model = {"factor": list(items)} if not isinstance(items, (str, Mapping)) else items
    factors = parse_model(model)
    level = check_confidence_level(rmsea_confidence_level)
    free = _parse_partial(partial, factors)
    all_items = [i for its in factors.values() for i in its]
    column = str(across if across is not None else wave)
    if ordered:
        if fiml or robust:
            raise AnalysisInputError(
                "ordered=True uses WLSMV; it takes neither estimator= nor missing="
            )
        if across is None:
            raise AnalysisInputError(
                "ordered=True compares independent groups (across=); longitudinal invariance "
                "of ordinal items (wave=) is not implemented"
            )
        if any(kind == "intercepts" for kind, _ in free):
            raise AnalysisInputError(
                "with ordered=True the items have no intercepts (they are fixed at 0); "
                "partial takes loadings only ('factor =~ item')"
            )
        if ordinal_identification not in ("lavaan", "wu_estabrook"):
            raise AnalysisInputError(
                "ordinal_identification must be 'lavaan' or 'wu_estabrook', got "
                f"{ordinal_identification!r}"
            )
        return _invariance_ordered(
            df,
            factors,
            all_items,
            across,
            free,
            level,
            delta_cfi_cutoff,
            alpha,
            ordinal_identification,
        )
    if across is not None:
        _, blocks = _prepare(df, all_items, across, fiml)
        n_rmsea = len(blocks)

        def build(equal: set[str]) -> _Spec:
            return _group_spec(factors, len(blocks), equal, free)
    else:
        waves, x, _ = _prepare_waves(df, all_items, column, respondent, fiml)
        blocks, n_rmsea = [x], 1

        def build(equal: set[str]) -> _Spec:
            return _wave_spec(factors, len(waves), equal, free)

    loads = ", ".join(sorted(i for k, i in free if k == "loadings"))
    ints = ", ".join(sorted(i for k, i in free if k == "intercepts"))
    scalar_free = " and ".join(
        t
        for t in (f"loadings of {loads}" if loads else "", f"intercepts of {ints}" if ints else "")
        if t
    )
    freed = {
        "metric": f"loadings of {loads} free" if loads else "",
        "scalar": f"{scalar_free} free" if scalar_free else "",
    }
    rows = []
    for label, equal in (
        ("configural", set()),
        ("metric", {"loadings"}),
        ("scalar", {"loadings", "intercepts"}),
    ):
        fit, _ = _estimate(build(equal), blocks, level, n_rmsea, fiml=fiml, robust=robust)
        fit.pop("n_levels")
        rows.append({"model": f"partial_{label}" if freed.get(label) else label, **fit})
    out = pd.DataFrame(rows)
    out["chisq_diff"] = out["chisq"].diff()
    out["df_diff"] = out["df"].diff()
    if robust:
        # Satorra & Bentler (2001): the difference of the unscaled statistics over the
        # difference-test scaling factor (lavTestLRT's default for MLR)
        t, c, d = out["chisq_ml"], out["scaling_factor"], out["df"]
        cd = (d * c - d.shift() * c.shift()) / (d - d.shift())
        out["chisq_diff"] = (t - t.shift()) / cd.where(cd > 0)
    out["diff_p_value"] = [np.nan] + [
        float(stats.chi2.sf(c, d))
        for c, d in zip(out["chisq_diff"][1:], out["df_diff"][1:], strict=True)
    ]
    out["delta_cfi"] = out["cfi"].diff()
    out["delta_rmsea"] = out["rmsea"].diff()
    n = float(out["n"].iloc[0])
    rd = [(np.nan, np.nan, np.nan)]
    for c, d in zip(out["chisq_diff"][1:], out["df_diff"][1:], strict=True):
        point = float(np.sqrt(max(c - d, 0.0) / (d * n)) * np.sqrt(n_rmsea))
        rd.append((point, *_rmsea_ci(max(float(c), 0.0), int(d), n, n_rmsea, level)))
    out[["rmsea_d", "rmsea_d_ci_low", "rmsea_d_ci_high"]] = rd
    out["verdict"] = _verdicts(out, column, delta_cfi_cutoff, alpha, freed)
    out["df"] = out["df"].astype(int)
    design = (
        f"longitudinal ML CFA across {column} (same-item residuals correlated)"
        if wave is not None
        else "maximum likelihood multi-group CFA"
    )
    out["method"] = (
        f"{design}{'; MLR (Yuan-Bentler scaled chi-square)' if robust else ''}"
        f"{'; FIML' if fiml else ''}; a step fails when delta CFI < {delta_cfi_cutoff:g} (Cheung & Rensvold "
        f"2002) and the chi-square difference p < {alpha / 2:g} ({alpha:g} over 2 steps); "
        "RMSEA_D (Savalei et al. 2023)"
    )
    return out[_INVARIANCE_COLUMNS]


def _invariance_ordered(
    df: pd.DataFrame,
    factors: dict[str, list[str]],
    items: list[str],
    across: str,
    free: set[tuple[str, str]],
    level: float,
    cutoff: float,
    alpha: float,
    identification: str = "lavaan",
) -> pd.DataFrame:
    """``invariance(..., ordered=True)``: lavaan's ordinal ``group.equal`` sequence by WLSMV."""
    from deliberval.analysis import _ordinal_groups as og

    names, blocks = _prepare(df, items, across)
    moms = og.group_moments(blocks, items, names, across)
    wu_estabrook = identification == "wu_estabrook"
    few = [it for it, t in zip(items, moms[0].thresholds, strict=True) if len(t) < 2]
    if few:
        raise AnalysisInputError(
            f"item(s) {', '.join(few)} have fewer than 3 answer categories; with binary items "
            "the thresholds model (free scale factors) is not identified, so ordered=True "
            "needs at least 3 categories per item"
        )
    free_loadings = {it for kind, it in free if kind == "loadings"}
    g = len(moms)
    ns = np.array([m.n for m in moms], dtype=float)
    n = float(ns.sum())
    n_rmsea = n - g  # lavaan's N for the RMSEA of WLS-family estimators
    base, df_base = og.baseline(moms)
    p = len(items)
    rows = []
    for (label, _), (res, t_diff, d_diff) in zip(
        og.STEPS, og.step_fits(moms, factors, free_loadings, identification), strict=True
    ):
        t, d = res.chisq_scaled, res.df
        saturated = d == 0  # e.g. one factor of 3 items, configural: fits perfectly
        if saturated:
            t = 0.0  # lavaan: chisq.scaled 0, p NA, CFI and TLI 1, RMSEA 0
        cfi_den = max(t - d, base - df_base, 0.0)
        srmr = [
            np.sqrt(np.sum(r[r.size - p * (p - 1) // 2 :] ** 2) / (p * (p + 1) / 2))
            for r in res.resid
        ]
        lo, hi = _rmsea_ci(t, d, n_rmsea, g, level)
        partial = bool(free_loadings) and label == "thresholds_loadings"
        rows.append(
            {
                "model": f"partial_{label}" if partial else label,
                "chisq": t,
                "df": d,
                "p_value": np.nan if saturated else float(stats.chi2.sf(t, d)),
                "cfi": 1 - max(t - d, 0.0) / cfi_den if cfi_den > 0 else 1.0,
                "tli": 1.0 if saturated
                else ((base / df_base) - (t / d)) / ((base / df_base) - 1),
                "rmsea": 0.0 if saturated
                else float(np.sqrt(max(t / n_rmsea / d - 1 / n_rmsea, 0.0)) * np.sqrt(g)),
                "rmsea_ci_low": lo,
                "rmsea_ci_high": hi,
                "confidence_level": level,
                "srmr": float(np.sum(ns * np.array(srmr)) / n),
                "n": int(n),
                "converged": res.converged,
                "scaling_factor": res.scaling_factor,
                "chisq_diff": t_diff,
                "df_diff": float(d_diff) if d_diff else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    out["diff_p_value"] = [
        np.nan if np.isnan(c) else float(stats.chi2.sf(c, d))
        for c, d in zip(out["chisq_diff"], out["df_diff"], strict=True)
    ]
    out["delta_cfi"] = out["cfi"].diff()
    out["delta_rmsea"] = out["rmsea"].diff()
    rd = [(np.nan, np.nan, np.nan)]
    for c, d in zip(out["chisq_diff"][1:], out["df_diff"][1:], strict=True):
        point = float(np.sqrt(max(c - d, 0.0) / (d * n_rmsea)) * np.sqrt(g))
        rd.append((point, *_rmsea_ci(max(float(c), 0.0), int(d), n_rmsea, g, level)))
    out[["rmsea_d", "rmsea_d_ci_low", "rmsea_d_ci_high"]] = rd
    loads = ", ".join(sorted(free_loadings))
    freed = {"thresholds_loadings": f"loadings of {loads} free" if loads else ""}
    steps = (
        (
            "thresholds",
            "threshold",
            (
                f"the answer categories are spaced the same way in every {across} (a shift "
                "of all of an item's categories is left to its intercept)"
                if wu_estabrook
                else f"the answer categories are used the same way in every {across}"
            ),
            (
                f"the answer categories are not spaced the same way in every {across}"
                if wu_estabrook
                else f"the answer categories do not mean the same in every {across}"
            ),
        ),
        (
            "thresholds_loadings",
            "threshold, loading and intercept" if wu_estabrook else "threshold and loading",
            f"means comparable across {across}",
            f"do not compare means across {across}",
        ),
    )
    out["verdict"] = _verdicts(out, across, cutoff, alpha, freed, steps)
    out["method"] = (
        "WLSMV multi-group CFA of ordinal items (DWLS on polychoric correlations per level of "
        f"{across}, delta parameterisation, "
        + (
            "thresholds equal with free intercepts (Wu & Estabrook 2016), then loadings and "
            "intercepts; "
            if wu_estabrook
            else "lavaan's group.equal: thresholds, then loadings; "
        )
        + "scaled-and-shifted chi-square, CFI, TLI, RMSEA; Satorra 2000 scaled-and-shifted "
        f"difference test); a step fails when delta CFI < {cutoff:g} (Cheung & Rensvold 2002) "
        f"and the difference test p < {alpha / 2:g} ({alpha:g} over 2 steps); RMSEA_D (Savalei "
        "et al. 2023)"
    )
    return out[_INVARIANCE_COLUMNS]


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _verdicts(
    out: pd.DataFrame,
    column: str,
    cutoff: float,
    alpha: float,
    freed: dict[str, str],
    steps: Sequence[tuple[str, str, str, str]] | None = None,
) -> list[str]:
    """The plain-language conclusion of each step (see :func:`invariance`, Notes).

    ``steps``: per step after the configural model, its key in ``freed``, its name in the text,
    what holding means and what failing means (default: metric, then scalar).
    """
    cfi0 = out["cfi"].iloc[0]
    if not bool(out["converged"].iloc[0]):
        verdicts = [
            "configural model did not converge: the factor structure cannot be assessed "
            f"across {column}"
        ]
    else:
        good = cfi0 >= 0.95
        verdicts = [
            f"configural model {'fits' if good else 'fits poorly'} (CFI {cfi0:.3f}): "
            f"{'the same factor structure holds' if good else 'the factor structure itself is doubtful'}"
            f" in every {column}"
        ]
    holds_so_far = bool(out["converged"].iloc[0])
    if steps is None:
        steps = (
            (
                "metric",
                "metric",
                f"loadings equal across {column}, so relations with other variables are comparable",
                f"the items do not measure the construct the same way in every {column}",
            ),
            (
                "scalar",
                "scalar",
                f"means comparable across {column}",
                f"do not compare means across {column}",
            ),
        )
    meaning = {key: text for key, _, text, _ in steps}
    failing = {key: text for key, _, _, text in steps}
    label = {key: name for key, name, _, _ in steps}
    for i, step in enumerate((key for key, _, _, _ in steps), start=1):
        name = label[step] if not freed.get(step) else f"partial {label[step]}"
        dc, p = float(out["delta_cfi"].iloc[i]), float(out["diff_p_value"].iloc[i])
        # round first so that a tiny negative change does not print as "-0.000"
        figures = f"delta CFI {round(dc, 3) + 0.0:+.3f}, chi-square difference {_p_text(p)}"
        if freed.get(step):
            figures = f"{freed[step]}; {figures}"
        if not holds_so_far:
            verdicts.append(f"{name} invariance not assessed: a weaker level already fails")
        elif not bool(out["converged"].iloc[i]):
            verdicts.append(
                f"{name} invariance not assessed: the {label[step]} model did not converge"
            )
            holds_so_far = False
        elif np.isnan(p):
            verdicts.append(
                f"{name} invariance not assessed: the scaled chi-square difference cannot be "
                "computed (its scaling factor is not positive)"
            )
            holds_so_far = False
        elif dc < cutoff and p < alpha / 2:
            verdicts.append(f"{name} invariance does not hold ({figures}): {failing[step]}")
            holds_so_far = False
        else:
            verdicts.append(f"{name} invariance holds: {meaning[step]} ({figures})")
    return verdicts
