"""Inter-coder agreement on long coding data (one row per item x coder).

Used to check the reliability of an uptake register when two or more coders code the same
response events, but works for any categorical coding. Pure: reads no file (the coding scheme,
when its order is wanted, is passed in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Literal

import krippendorff
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.inter_rater import fleiss_kappa

from deliberval.analysis._common import (
    check_confidence_level,
    normal_quantile,
    require_columns,
    rng,
)
from deliberval.errors import AnalysisInputError

if TYPE_CHECKING:
    from deliberval.instruments.coding import CodingScheme

__all__ = ["AgreementResult", "agreement", "cohen_kappa_table", "gwet_ac_table"]

TABLE_COLUMNS = [
    "statistic",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "confidence_level",
    "n_items",
    "n_coders",
    "method",
]
PAIRWISE_COLUMNS = [
    "coder_1",
    "coder_2",
    "statistic",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "confidence_level",
    "n_items",
    "method",
]
KAPPA_COLUMNS = [
    "statistic",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "confidence_level",
    "n",
    "method",
]


@dataclass(frozen=True)
class AgreementResult:
    """Result of :func:`agreement`.

    Attributes
    ----------
    table : DataFrame
        One row per statistic: ``statistic, estimate, se, ci_low, ci_high, confidence_level,
        n_items, n_coders, method`` (``se``, ``ci_low``, ``ci_high`` for Cohen's kappas with
        two coders only; missing otherwise).
    disagreements : DataFrame
        Long table of the items the coders did not agree on, to resolve: ``item, coder, code,
        n_distinct, rank_spread`` (``rank_spread`` is the distance between the lowest and
        highest code in the ordinal order, missing when the codes are nominal).
    pairwise : DataFrame
        Cohen's kappas of every pair of coders, long form (one row per pair x statistic):
        ``coder_1, coder_2, statistic`` (``cohen_kappa``, and ``cohen_kappa_weighted`` when
        the codes are ordinal and weights are used), ``estimate, se, ci_low, ci_high,
        confidence_level, n_items`` (items both coders coded), ``method``.
    levels : tuple of str
        The categories, in the order used for the weights.
    """

    table: pd.DataFrame
    disagreements: pd.DataFrame
    pairwise: pd.DataFrame
    levels: tuple[str, ...]

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result's tables by name (``table``, ``disagreements``, ``pairwise``), for writers."""
        return {"table": self.table, "disagreements": self.disagreements, "pairwise": self.pairwise}


def _weight_matrix(k: int, weights: str) -> np.ndarray:
    i, j = np.indices((k, k))
    d = np.abs(i - j) / max(k - 1, 1)
    return 1 - d**2 if weights == "quadratic" else 1 - d


Variance = Literal["large_sample", "psych", "bootstrap"]
_VARIANCES = ("large_sample", "psych", "bootstrap")


def _agreement_weights(w: np.ndarray) -> np.ndarray:
    """Agreement weights (1 on the diagonal) from agreement or disagreement weights."""
    if np.trace(w) > 0:
        return w
    top = float(w.max())
    return 1.0 - w / top if top > 0 else np.ones_like(w)


def _kappa_values(p: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted kappa of proportion tables ``p`` of shape (..., k, k), agreement weights ``w``."""
    rs, cs = p.sum(axis=-1), p.sum(axis=-2)
    po = (w * p).sum(axis=(-2, -1))
    pc = np.einsum("...i,ij,...j->...", rs, w, cs)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pc < 1, (po - pc) / (1 - pc), np.nan)


def _gwet_values(p: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Gwet's AC1 / AC2 of proportion tables ``p`` of shape (..., k, k), weights ``w``."""
    k = w.shape[0]
    if k < 2:
        return np.full(p.shape[:-2], np.nan)
    pa = (w * p).sum(axis=(-2, -1))
    pi = (p.sum(axis=-1) + p.sum(axis=-2)) / 2
    pe = w.sum() * (pi * (1 - pi)).sum(axis=-1) / (k * (k - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pe < 1, (pa - pe) / (1 - pe), np.nan)


def _fce_variance(p: np.ndarray, w: np.ndarray, n: float) -> float:
    """Large-sample variance of (weighted) kappa, Fleiss, Cohen & Everitt (1969)."""
    rs, cs = p.sum(axis=1), p.sum(axis=0)
    pc = float(rs @ w @ cs)
    kw = float(_kappa_values(p, w))
    if not np.isfinite(kw):
        return np.nan
    wbar_row = w @ cs  # sum_j w_ij p_.j
    wbar_col = rs @ w  # sum_i p_i. w_ij
    term = (p * (w - np.add.outer(wbar_row, wbar_col) * (1 - kw)) ** 2).sum()
    var = (term - (kw - pc * (1 - kw)) ** 2) / (n * (1 - pc) ** 2)
    return max(float(var), 0.0)


def _psych_variances(p: np.ndarray, w: np.ndarray, n: float) -> tuple[float, float]:
    """psych 2.2.9's variances of kappa and weighted kappa (the weighted one non-textbook)."""
    k = p.shape[0]
    rs, cs = p.sum(axis=1), p.sum(axis=0)
    po, pc = np.trace(p), float(rs @ cs)
    wpo, wpc = float((w * p).sum()), float(rs @ w @ cs)
    colw = (w * cs[:, None]).sum(axis=0)
    roww = (w * rs[:, None]).sum(axis=1)
    eye = np.eye(k)
    with np.errstate(divide="ignore", invalid="ignore"):
        var_k = (1 / (n * (1 - pc) ** 4)) * (
            np.trace(p * (eye * (1 - pc) - np.add.outer(rs, cs) * (1 - po)) ** 2)
            + (1 - po) ** 2
            * ((p * np.add.outer(cs, rs) ** 2).sum() - np.trace(p * np.add.outer(cs, rs) ** 2))
            - (po * pc - 2 * pc + po) ** 2
        )
        var_w = (1 / (n * (1 - wpc) ** 4)) * (
            (p * (w * (1 - wpc) - np.add.outer(colw, roww) * (1 - wpo)) ** 2).sum()
            - (wpo * wpc - 2 * wpc + wpo) ** 2
        )
    var_k = 0.0 if not np.isfinite(var_k) or var_k < 0 else float(var_k)
    var_w = 0.0 if not np.isfinite(var_w) or var_w < 0 else float(var_w)
    return var_k, var_w


def _gwet_variance(p: np.ndarray, w: np.ndarray, n: float) -> float:
    """Variance of Gwet's AC1 / AC2 for two raters (Gwet 2008; irrCAC ``gwet.ac1.table``)."""
    k = w.shape[0]
    ac = float(_gwet_values(p, w))
    if not np.isfinite(ac):
        return np.nan
    tw = float(w.sum())
    pa = float((w * p).sum())
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2
    pe = tw * float((pi * (1 - pi)).sum()) / (k * (k - 1))
    term = w - 2 * (1 - ac) * tw * (1 - np.add.outer(pi, pi) / 2) / (k * (k - 1))
    var = ((p * term**2).sum() - (pa - 2 * (1 - ac) * pe) ** 2) / (n * (1 - pe) ** 2)
    return max(float(var), 0.0)


def _two_coder_rows(
    table: np.ndarray,
    weights: np.ndarray | None,
    *,
    confidence_level: float,
    variance: Variance,
    n_resamples: int,
    gen: np.random.Generator | None,
    weights_label: str,
) -> dict[str, dict[str, float | str]]:
    """Cohen's kappa, weighted kappa, Gwet's AC1 and AC2 of a k x k count table.

    Keys ``cohen_kappa``, ``gwet_ac1`` and, with ``weights``, ``cohen_kappa_weighted`` and
    ``gwet_ac2``; each a dict of ``estimate, se, ci_low, ci_high, method``.
    """
    x = np.asarray(table, dtype=float)
    k = x.shape[0]
    n = float(x.sum())
    p = x / n
    eye = np.eye(k)
    z = normal_quantile(confidence_level)
    stats_: dict[str, tuple[np.ndarray, str]] = {
        "cohen_kappa": (eye, "Cohen (1960)"),
        "gwet_ac1": (eye, "Gwet's AC1 (Gwet 2008)"),
    }
    if weights is not None:
        w = _agreement_weights(np.asarray(weights, dtype=float))
        stats_["cohen_kappa_weighted"] = (w, f"Cohen (1968), {weights_label}")
        stats_["gwet_ac2"] = (w, f"Gwet's AC2 (Gwet 2014), {weights_label}")
    out: dict[str, dict[str, float | str]] = {}
    boot: np.ndarray | None = None
    if variance == "bootstrap":
        if not float(n).is_integer():
            raise AnalysisInputError("a bootstrap interval needs whole counts in the table")
        rng_ = gen if gen is not None else np.random.default_rng()
        boot = rng_.multinomial(int(n), p.ravel(), size=n_resamples).reshape(-1, k, k) / n
    alpha = (1 - confidence_level) / 2
    for name, (w, label) in stats_.items():
        gwet = name.startswith("gwet")
        est = float(_gwet_values(p, w) if gwet else _kappa_values(p, w))
        if boot is not None:
            values = _gwet_values(boot, w) if gwet else _kappa_values(boot, w)
            values = values[np.isfinite(values)]
            if len(values) >= 2 and np.isfinite(est):
                se = float(np.std(values, ddof=1))
                low, high = (float(v) for v in np.quantile(values, [alpha, 1 - alpha]))
            else:
                se = low = high = np.nan
            method = (
                f"{label}; percentile bootstrap interval, {n_resamples} resamples of "
                "the coded items"
            )
        elif gwet:
            se = float(np.sqrt(_gwet_variance(p, w, n)))
            t = float(stats.t.ppf(1 - alpha, n - 1)) if n > 1 else np.nan
            low, high = float(max(-1.0, est - t * se)), float(min(1.0, est + t * se))
            method = f"{label}; Gwet's variance, t interval with n - 1 df (as irrCAC)"
        elif variance == "psych":
            var_k, var_w = _psych_variances(p, w if name.endswith("weighted") else eye, n)
            se = float(np.sqrt(var_w if name.endswith("weighted") else var_k))
            low, high = float(np.clip(est - z * se, -1, 1)), float(np.clip(est + z * se, -1, 1))
            method = f"{label}; psych 2.2.9 interval"
        else:
            se = float(np.sqrt(_fce_variance(p, w, n)))
            low, high = float(np.clip(est - z * se, -1, 1)), float(np.clip(est + z * se, -1, 1))
            method = f"{label}; Fleiss-Cohen-Everitt (1969) large-sample interval"
        if not np.isfinite(est):
            se = low = high = np.nan
        out[name] = {"estimate": est, "se": se, "ci_low": low, "ci_high": high, "method": method}
    return out


def _gwet_raw(counts: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Gwet's AC1 / AC2 and its variance for several raters from an items x categories table
    of rating counts (items rated by one rater count in the chance agreement only); Gwet
    (2008), as irrCAC's ``gwet.ac1.raw``."""
    n, q = counts.shape
    if q < 2 or n < 1:
        return np.nan, np.nan
    ri = counts.sum(axis=1)
    two = ri >= 2
    n2 = int(two.sum())
    if n2 == 0:
        return np.nan, np.nan
    sum_q = (counts * (counts @ w.T - 1)).sum(axis=1)
    den = ri * (ri - 1)
    den = np.where(den == 0, -1.0, den)
    pa_i = sum_q / den
    pa = float(pa_i[two].sum() / n2)
    pi = (counts / ri[:, None]).mean(axis=0)
    tw = float(w.sum())
    pe = tw * float((pi * (1 - pi)).sum()) / (q * (q - 1))
    if pe >= 1:
        return np.nan, np.nan
    ac = (pa - pe) / (1 - pe)
    if n < 2:
        return float(ac), np.nan
    ac_i = (n / n2) * (pa_i - pe * two) / (1 - pe)
    pe_i = tw / (q * (q - 1)) * (counts @ (1 - pi)) / ri
    ac_ix = ac_i - 2 * (1 - ac) * (pe_i - pe) / (1 - pe)
    var = float(((ac_ix - ac) ** 2).sum() / (n * (n - 1)))
    return float(ac), var


def _check_variance(variance: str, n_resamples: int) -> None:
    if variance not in _VARIANCES:
        raise AnalysisInputError(
            f"variance must be 'large_sample', 'psych' or 'bootstrap', got {variance!r}"
        )
    if (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, (int, np.integer))
        or n_resamples < 2
    ):
        raise AnalysisInputError(f"n_resamples must be an integer >= 2, got {n_resamples!r}")


def _check_table(table: np.ndarray) -> np.ndarray:
    x = np.asarray(table, dtype=float)
    if x.ndim != 2 or x.shape[0] != x.shape[1] or x.shape[0] == 0:
        raise AnalysisInputError(
            f"table must be a square k x k array of counts, got shape {x.shape}"
        )
    if not np.isfinite(x).all() or (x < 0).any() or x.sum() <= 0:
        raise AnalysisInputError(
            "table must hold finite, non-negative counts with a positive total"
        )
    return x


def _table_frame(
    res: dict[str, dict[str, float | str]], names: list[str], cl: float, n: float
) -> pd.DataFrame:
    n_out = int(n) if float(n).is_integer() else n
    return pd.DataFrame(
        [
            {
                "statistic": s,
                **{c: res[s][c] for c in ("estimate", "se", "ci_low", "ci_high")},
                "confidence_level": cl,
                "n": n_out,
                "method": res[s]["method"],
            }
            for s in names
        ],
        columns=KAPPA_COLUMNS,
    )


def _table_statistics(
    table: np.ndarray,
    weights: np.ndarray | None,
    names: list[str],
    *,
    confidence_level: float,
    variance: Variance,
    n_resamples: int,
    seed: int | np.random.Generator | None,
) -> pd.DataFrame:
    """The two-coder statistics ``names`` of a k x k count table (default: quadratic weights)."""
    x = _check_table(table)
    k = x.shape[0]
    w = _weight_matrix(k, "quadratic") if weights is None else np.asarray(weights, dtype=float)
    if w.shape != x.shape:
        raise AnalysisInputError(f"weights must have the table's shape {x.shape}, got {w.shape}")
    desc = "quadratic weights" if weights is None else "the given weights"
    res = _two_coder_rows(
        x,
        w,
        confidence_level=confidence_level,
        variance=variance,
        n_resamples=int(n_resamples),
        gen=rng(seed),
        weights_label=desc,
    )
    return _table_frame(res, names, confidence_level, float(x.sum()))


def cohen_kappa_table(
    table: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    confidence_level: float = 0.95,
    variance: Variance = "large_sample",
    n_resamples: int = 2000,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Cohen's kappa, weighted kappa and their intervals from a k x k count table.

    Parameters
    ----------
    table : ndarray, shape (k, k)
        Counts: rows coder 1, columns coder 2, categories in the weight order.
    weights : ndarray, shape (k, k), optional
        Agreement weights (1 on the diagonal) or disagreement weights (0 on the diagonal).
        Default: quadratic weights ``1 - (i - j)**2 / (k - 1)**2`` (psych's and vcd's
        "Fleiss-Cohen").
    confidence_level : float, default 0.95
    variance : {"large_sample", "psych", "bootstrap"}, default "large_sample"
        ``"large_sample"``: the textbook standard errors of Fleiss, Cohen & Everitt (1969) and
        a normal interval; ``"psych"``: R psych 2.2.9's standard errors (identical for
        kappa, non-textbook for weighted kappa: kept for parity with psych only);
        ``"bootstrap"``: percentile interval and bootstrap standard error from
        ``n_resamples`` resamples of the coded items.
    n_resamples : int, default 2000
        Bootstrap resamples (``variance="bootstrap"`` only).
    seed : int or numpy.random.Generator, optional
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Two rows, ``statistic`` ``cohen_kappa`` and ``cohen_kappa_weighted``, with
        ``estimate, se, ci_low, ci_high, confidence_level, n`` (the table's total count) and
        ``method``.

    Notes
    -----
    With proportions :math:`p_{ij}`, margins :math:`p_{i.}, p_{.j}`, agreement weights
    :math:`w_{ij}`: :math:`p_o = \\sum w_{ij}p_{ij}`, :math:`p_c = \\sum w_{ij}p_{i.}p_{.j}`,
    :math:`\\kappa_w = (p_o - p_c)/(1 - p_c)` (Cohen 1968; :math:`w = I` gives Cohen's 1960
    kappa). Disagreement weights :math:`v` are turned into :math:`w = 1 - v / \\max v`, which
    gives the same coefficient. The large-sample variance (Fleiss, Cohen & Everitt 1969) is

    .. math:: \\widehat{\\mathrm{var}}(\\kappa_w) = \\frac{\\sum_{ij} p_{ij}[w_{ij} -
       (\\bar w_{i.} + \\bar w_{.j})(1 - \\kappa_w)]^2 - [\\kappa_w - p_c(1 - \\kappa_w)]^2}
       {n (1 - p_c)^2}

    with :math:`\\bar w_{i.} = \\sum_j p_{.j} w_{ij}`, :math:`\\bar w_{.j} = \\sum_i p_{i.}
    w_{ij}`; the interval is :math:`\\kappa_w \\pm z\\,\\mathrm{se}`, limited to [-1, 1].
    Validated against R ``vcd::Kappa`` (ASE) and its ``confint`` to 1e-12 on vcd's
    ``SexualFun`` and ``MSPatients`` and two skewed tables. psych 2.2.9 uses
    :math:`p_{j.}\\sum_k w_{jk}` where the textbook has :math:`\\bar w_{.j}`, which can give a
    zero-width interval; ``variance="psych"`` reproduces it (validated to 1e-9).

    References
    ----------
    Cohen, J. (1968). Weighted kappa. Psychological Bulletin, 70(4), 213-220.
    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard errors of kappa
    and weighted kappa. Psychological Bulletin, 72(5), 323-327.

    Examples
    --------
    >>> import numpy as np
    >>> from deliberval.analysis.agreement import cohen_kappa_table
    >>> res = cohen_kappa_table(np.array([[20, 5], [10, 15]]))
    >>> res[["statistic", "estimate", "se", "ci_low", "n"]].round(6)
                  statistic  estimate        se    ci_low   n
    0           cohen_kappa       0.4  0.126996  0.151092  50
    1  cohen_kappa_weighted       0.4  0.126996  0.151092  50
    """
    check_confidence_level(confidence_level)
    _check_variance(variance, n_resamples)
    return _table_statistics(
        table, weights, ["cohen_kappa", "cohen_kappa_weighted"], confidence_level=confidence_level,
        variance=variance, n_resamples=n_resamples, seed=seed,
    )


def gwet_ac_table(
    table: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    confidence_level: float = 0.95,
    variance: Literal["large_sample", "bootstrap"] = "large_sample",
    n_resamples: int = 2000,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Gwet's AC1 (nominal) and AC2 (weighted) with intervals from a k x k count table.

    Gwet's coefficients keep their meaning when one code dominates (the "kappa paradox":
    with 96 % agreement on a rare second code, kappa can be near 0), as uptake codes do.

    Parameters
    ----------
    table : ndarray, shape (k, k)
        Counts: rows coder 1, columns coder 2, categories in the weight order.
    weights : ndarray, shape (k, k), optional
        Agreement weights for AC2 (1 on the diagonal). Default: quadratic weights.
    confidence_level : float, default 0.95
    variance : {"large_sample", "bootstrap"}, default "large_sample"
        ``"large_sample"``: Gwet's variance with a t interval on n - 1 df, as irrCAC;
        ``"bootstrap"``: percentile interval from ``n_resamples`` resamples of the items.
    n_resamples : int, default 2000
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    DataFrame
        Two rows, ``statistic`` ``gwet_ac1`` and ``gwet_ac2``, with ``estimate, se, ci_low,
        ci_high, confidence_level, n`` and ``method``.

    Notes
    -----
    With :math:`q` categories, :math:`\\pi_k = (p_{k.} + p_{.k})/2`, :math:`T_w = \\sum
    w_{kl}`: :math:`p_a = \\sum w_{kl}p_{kl}`, :math:`p_e = T_w \\sum_k \\pi_k(1 -
    \\pi_k)/(q(q - 1))`, :math:`AC = (p_a - p_e)/(1 - p_e)` (:math:`w = I`: AC1); variance

    .. math:: \\frac{\\sum_{kl} p_{kl}[w_{kl} - 2(1 - AC)T_w(1 - (\\pi_k + \\pi_l)/2)
       /(q(q-1))]^2 - [p_a - 2(1 - AC)p_e]^2}{n(1 - p_e)^2}

    and interval :math:`AC \\pm t_{n-1}\\,\\mathrm{se}` limited to [-1, 1] (Gwet 2008; 2014,
    ch. 5). Validated against irrCAC 1.4 ``gwet.ac1.table`` (R) to 1e-12 on vcd's
    ``SexualFun`` and ``MSPatients`` and two skewed tables (identity, linear and quadratic
    weights).

    References
    ----------
    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence of
    high agreement. British Journal of Mathematical and Statistical Psychology, 61(1), 29-48.
    Gwet, K. L. (2014). Handbook of Inter-Rater Reliability (4th ed.). Advanced Analytics.

    Examples
    --------
    >>> import numpy as np
    >>> from deliberval.analysis.agreement import gwet_ac_table, cohen_kappa_table
    >>> skewed = np.array([[118, 3], [2, 2]])  # 96 % agreement
    >>> gwet_ac_table(skewed)[["statistic", "estimate", "se", "ci_low"]].round(4)
      statistic  estimate      se  ci_low
    0  gwet_ac1     0.957  0.0196  0.9183
    1  gwet_ac2     0.957  0.0196  0.9183
    >>> round(float(cohen_kappa_table(skewed)["estimate"].iloc[0]), 4)
    0.424
    """
    check_confidence_level(confidence_level)
    if variance not in ("large_sample", "bootstrap"):
        raise AnalysisInputError(
            f"variance must be 'large_sample' or 'bootstrap', got {variance!r}"
        )
    _check_variance(variance, n_resamples)
    return _table_statistics(
        table, weights, ["gwet_ac1", "gwet_ac2"], confidence_level=confidence_level,
        variance=variance, n_resamples=n_resamples, seed=seed,
    )


def agreement(
    df: pd.DataFrame,
    *,
    item: str = "item",
    coder: str = "coder",
    code: str = "code",
    ordinal_order: Sequence[str] | None = None,
    weights: Literal["quadratic", "linear"] | None = "quadratic",
    confidence_level: float = 0.95,
    scheme: CodingScheme | None = None,
    variance: Variance = "large_sample",
    n_resamples: int = 2000,
    seed: int | np.random.Generator | None = None,
) -> AgreementResult:
    """Agreement between coders who coded the same items (long data: one row per item x coder).

    Parameters
    ----------
    df : DataFrame
        Long coding data, one row per item x coder.
    item, coder, code : str, default "item", "coder", "code"
        Columns holding the item id (e.g. a response event), the coder (``coder`` is the
        register's own column name) and the code given. Rows whose code is missing count as
        "not coded by this coder" and are reported in ``n_items`` of each statistic, never
        imputed.
    ordinal_order : sequence of str, optional
        The codes from lowest to highest. Enables the weighted kappa and the ordinal
        Krippendorff's alpha. When omitted, the order of ``scheme`` is used if a scheme is
        given and every code is one of its ``response_status`` codes (no_response < ... <
        implemented, the two rejection codes adjacent); otherwise the codes are treated as
        **nominal** (no weighted kappa, nominal alpha). No scheme file is read: pass
        ``scheme=load_scheme()`` to order uptake statuses.
    weights : {"quadratic", "linear"} or None, default "quadratic"
        Weights of the weighted kappa over the *whole* ordinal order (psych's quadratic weights
        are ``1 - (i - j)**2 / (k - 1)**2`` with ``k`` the number of levels). None: no weighted
        kappa.
    confidence_level : float, default 0.95
        Level of the intervals of Cohen's kappas and Gwet's coefficients (two coders, and
        every pair in ``pairwise``).
    scheme : CodingScheme, optional
        Coding scheme whose ``response_status`` order is used when ``ordinal_order`` is not
        given. Default None: no scheme, codes nominal unless ``ordinal_order`` is given.
    variance : {"large_sample", "psych", "bootstrap"}, default "large_sample"
        Intervals of Cohen's kappas: the textbook large-sample standard errors of Fleiss,
        Cohen & Everitt (1969) (validated against R ``vcd::Kappa``); ``"psych"`` reproduces R
        psych 2.2.9's (non-textbook for the weighted kappa; kept for parity only);
        ``"bootstrap"`` gives percentile intervals and bootstrap standard errors of every
        two-coder coefficient (Gwet's too) from ``n_resamples`` resamples of the items coded
        by both. Gwet's coefficients otherwise use Gwet's variance (as irrCAC).
    n_resamples : int, default 2000
        Bootstrap resamples (``variance="bootstrap"`` only).
    seed : int or numpy.random.Generator, optional
        Seed of the bootstrap.

    Returns
    -------
    AgreementResult
        ``table`` with columns ``statistic`` (``cohen_kappa``, ``cohen_kappa_weighted``,
        ``gwet_ac1``, ``gwet_ac2``, ``fleiss_kappa``, ``krippendorff_alpha``,
        ``percent_agreement``), ``estimate``, ``se``, ``ci_low``, ``ci_high`` (Cohen's kappas
        with two coders and Gwet's coefficients; missing otherwise), ``confidence_level``,
        ``n_items``, ``n_coders``,
        ``method``; ``disagreements`` and the long ``pairwise`` table (see
        :class:`AgreementResult`). The weighted statistics (``cohen_kappa_weighted``,
        ``gwet_ac2``) need ordered codes and ``weights``.

    Raises
    ------
    AnalysisInputError
        Fewer than two coders, an item coded twice by one coder (rows named), a code not in
        ``ordinal_order``, or no item coded by two coders.

    Notes
    -----
    *Cohen's kappa* (two coders; items both coded): see :func:`cohen_kappa_table`. With more
    than two coders the reported value is Light's (1971) kappa, the mean of the pairwise
    Cohen's kappas (psych's ``av.kappa`` / ``av.wt``), without an interval; every pair is in
    ``pairwise``.

    *Gwet's AC1 / AC2* (two coders; items both coded): see :func:`gwet_ac_table`. Unlike
    kappa they do not collapse when one code dominates (uptake codes do). With more than two
    coders the table gives Gwet's multi-rater coefficient over every coded item (items coded
    once count in the chance agreement only) with Gwet's (2008) linearised variance and a
    t interval on n - 1 df, as irrCAC's ``gwet.ac1.raw`` (validated on Krippendorff's 2011
    example: AC1 0.7754, the value of Gwet's handbook); each pair is in ``pairwise``. The
    number of categories :math:`q` in the chance agreement is the number of levels: the
    whole ordinal order (scheme or ``ordinal_order``) when given, else the codes observed.

    *Fleiss' kappa* (Fleiss 1971), over items coded by every coder (m coders, N items,
    :math:`n_{ij}` coders putting item i in category j):
    :math:`P_i = (\\sum_j n_{ij}^2 - m)/(m(m-1))`, :math:`\\bar P = \\frac1N\\sum_i P_i`,
    :math:`p_j = \\sum_i n_{ij}/(Nm)`, :math:`\\bar P_e = \\sum_j p_j^2`,
    :math:`\\kappa = (\\bar P - \\bar P_e)/(1 - \\bar P_e)` (computed by statsmodels; checked
    against an R implementation of the same formula).

    *Krippendorff's alpha* (Krippendorff 2011) over every item with at least two codes:
    :math:`\\alpha = 1 - (n-1)\\sum_{c,k} o_{ck}\\delta^2_{ck} / \\sum_{c,k} n_c n_k
    \\delta^2_{ck}` with the coincidence matrix :math:`o_{ck} = \\sum_u (\\text{number of
    c-k pairs in unit } u)/(m_u - 1)`, :math:`n_c` its margins and n the number of pairable
    values; nominal :math:`\\delta^2_{ck} = [c \\ne k]`, ordinal
    :math:`\\delta^2_{ck} = (\\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2`. Computed with the
    ``krippendorff`` package; checked against Krippendorff's (2011) published example
    (nominal 0.743, ordinal 0.815) and an R implementation to 1e-9.

    *Percent agreement*: share of items with at least two codes on which all codes agree.

    Validated against R psych 2.2.9 ``cohen.kappa`` (estimates; intervals with
    ``variance="psych"``) to 1e-9, R ``vcd::Kappa`` (large-sample intervals) and irrCAC's
    ``gwet.ac1.table`` to 1e-12.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
    Psychological Measurement, 20(1), 37-46.
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
    Bulletin, 76(5), 378-382.
    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard errors of kappa
    and weighted kappa. Psychological Bulletin, 72(5), 323-327.
    Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the presence of
    high agreement. British Journal of Mathematical and Statistical Psychology, 61(1), 29-48.
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
    Communication, University of Pennsylvania.
    Light, R. J. (1971). Measures of response agreement for qualitative data. Psychological
    Bulletin, 76(5), 365-377.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.agreement import agreement
    >>> codes = {"ana": ["implemented", "rejected_with_reasons", "acknowledged", "implemented",
    ...                  "referred_for_study", "no_response"],
    ...          "ben": ["implemented", "rejected_without_reasons", "acknowledged",
    ...                  "partially_implemented", "referred_for_study", "acknowledged"]}
    >>> long = pd.DataFrame([{"item": f"e{i}", "coder": c, "code": v}
    ...                      for c, vs in codes.items() for i, v in enumerate(vs)])
    >>> from deliberval.instruments.coding import load_scheme
    >>> res = agreement(long, scheme=load_scheme())  # uptake statuses, in the scheme's order
    >>> res.table[["statistic", "estimate", "n_items"]].round(4)
                  statistic  estimate  n_items
    0           cohen_kappa    0.4194        6
    1  cohen_kappa_weighted    0.9610        6
    2              gwet_ac1    0.4337        6
    3              gwet_ac2    0.9614        6
    4          fleiss_kappa    0.3898        6
    5    krippendorff_alpha    0.9404        6
    6     percent_agreement    0.5000        6
    >>> res.disagreements["item"].unique().tolist()
    ['e1', 'e3', 'e5']

    Without a scheme or an order the codes are nominal:

    >>> agreement(long).table["statistic"].tolist()
    ['cohen_kappa', 'gwet_ac1', 'fleiss_kappa', 'krippendorff_alpha', 'percent_agreement']
    """
    require_columns(df, [item, coder, code], what="coding data")
    check_confidence_level(confidence_level)
    _check_variance(variance, n_resamples)
    if weights not in ("quadratic", "linear", None):
        raise AnalysisInputError(f"weights must be 'quadratic', 'linear' or None, got {weights!r}")
    data = df[[item, coder, code]].copy()
    for col in (item, coder):
        if data[col].isna().any():
            bad = data.index[data[col].isna()].tolist()[:10]
            raise AnalysisInputError(f"column {col!r} is missing in row(s) {bad}")
    data[item] = data[item].astype(str)
    data[coder] = data[coder].astype(str)
    dup = data.duplicated([item, coder], keep=False)
    if dup.any():
        shown = data[dup].head(10)
        where = "; ".join(f"row {i}: {r[item]!r} by {r[coder]!r}" for i, r in shown.iterrows())
        raise AnalysisInputError(
            f"each coder may code an item once; found {int(dup.sum())} duplicated rows ({where})"
        )
    coded = data[data[code].notna()].copy()
    coded[code] = coded[code].astype(str)
    coders = sorted(data[coder].unique())
    if len(coders) < 2:
        raise AnalysisInputError(f"agreement needs at least two coders; found {coders}")
    observed = sorted(coded[code].unique())
    if ordinal_order is not None:
        given = tuple(str(c) for c in ordinal_order)
        unknown = [c for c in observed if c not in given]
        if unknown:
            raise AnalysisInputError(f"code(s) {unknown} are not in ordinal_order {list(given)}")
        if len(set(given)) != len(given):
            raise AnalysisInputError("ordinal_order lists a code twice")
        order: tuple[str, ...] | None = given
    elif scheme is not None and observed and set(observed) <= set(scheme.status_order):
        order = tuple(scheme.status_order)
    else:
        order = None
    levels = order if order is not None else tuple(observed)
    pos = {c: i for i, c in enumerate(levels)}

    wide = coded.pivot(index=item, columns=coder, values=code).reindex(columns=coders)
    per_item = wide.notna().sum(axis=1)
    multi = wide[per_item >= 2]
    if multi.empty:
        raise AnalysisInputError("no item was coded by two or more coders")
    k = len(levels)
    wmat = _weight_matrix(k, weights) if (order is not None and weights is not None) else None
    rows: list[dict[str, object]] = []

    # Cohen and Gwet (pairwise)
    gen = rng(seed)
    order_label = f"{weights} weights over {k} ordered levels"
    names = ["cohen_kappa", "cohen_kappa_weighted", "gwet_ac1", "gwet_ac2"]
    pair_rows: list[dict[str, object]] = []
    pair_res: list[tuple[int, dict[str, dict[str, float | str]]]] = []
    for a, b in combinations(coders, 2):
        both = wide[[a, b]].dropna()
        if both.empty:
            continue
        tab = np.zeros((k, k))
        np.add.at(tab, (both[a].map(pos).to_numpy(int), both[b].map(pos).to_numpy(int)), 1)
        res = _two_coder_rows(
            tab,
            wmat,
            confidence_level=confidence_level,
            variance=variance,
            n_resamples=int(n_resamples),
            gen=gen,
            weights_label=order_label,
        )
        pair_res.append((len(both), res))
        for stat in names:
            if stat in res:
                r = res[stat]
                pair_rows.append(
                    {
                        "coder_1": a,
                        "coder_2": b,
                        **_row(
                            stat,
                            float(r["estimate"]),
                            float(r["ci_low"]),
                            float(r["ci_high"]),
                            confidence_level,
                            len(both),
                            2,
                            str(r["method"]),
                            se=float(r["se"]),
                        ),
                    }
                )
    pairwise = pd.DataFrame(pair_rows, columns=PAIRWISE_COLUMNS)
    if len(coders) == 2 and len(pair_res) == 1:
        n_pair, res = pair_res[0]
        for stat in names:
            if stat in res:
                r = res[stat]
                rows.append(
                    _row(
                        stat,
                        float(r["estimate"]),
                        float(r["ci_low"]),
                        float(r["ci_high"]),
                        confidence_level,
                        n_pair,
                        2,
                        str(r["method"]),
                        se=float(r["se"]),
                    )
                )
    elif pair_res:
        n_union = int((per_item >= 2).sum())
        rows.append(
            _row(
                "cohen_kappa",
                float(pd.Series([r["cohen_kappa"]["estimate"] for _, r in pair_res]).mean()),
                np.nan,
                np.nan,
                confidence_level,
                n_union,
                len(coders),
                f"Light (1971): mean of {len(pair_res)} pairwise Cohen kappas",
            )
        )
        if wmat is not None:
            rows.append(
                _row(
                    "cohen_kappa_weighted",
                    float(
                        pd.Series(
                            [r["cohen_kappa_weighted"]["estimate"] for _, r in pair_res]
                        ).mean()
                    ),
                    np.nan,
                    np.nan,
                    confidence_level,
                    n_union,
                    len(coders),
                    f"mean of {len(pair_res)} pairwise weighted kappas, {weights} weights",
                )
            )
        # Gwet's AC1 / AC2 for several coders, over every item with a code
        counts_all = np.zeros((len(wide), k))
        for j, c in enumerate(levels):
            counts_all[:, j] = (wide == c).sum(axis=1).to_numpy()
        multi_w = [("gwet_ac1", np.eye(k), "Gwet's AC1 (Gwet 2008)")]
        if wmat is not None:
            multi_w.append(("gwet_ac2", wmat, f"Gwet's AC2 (Gwet 2014), {order_label}"))
        for stat, w, label in multi_w:
            est, var = _gwet_raw(counts_all, w)
            n_all = len(counts_all)
            if variance == "bootstrap":
                idx = gen.integers(0, n_all, size=(int(n_resamples), n_all))
                values = np.array([_gwet_raw(counts_all[i], w)[0] for i in idx])
                values = values[np.isfinite(values)]
                if len(values) >= 2 and np.isfinite(est):
                    alpha = (1 - confidence_level) / 2
                    se = float(np.std(values, ddof=1))
                    low, high = (float(v) for v in np.quantile(values, [alpha, 1 - alpha]))
                else:
                    se = low = high = np.nan
                method = (
                    f"{label}, {len(coders)} coders; percentile bootstrap interval, "
                    f"{n_resamples} resamples of the items"
                )
            else:
                se = float(np.sqrt(var)) if np.isfinite(var) else np.nan
                t = (
                    float(stats.t.ppf((1 + confidence_level) / 2, n_all - 1))
                    if n_all > 1
                    else np.nan
                )
                low = float(max(-1.0, est - t * se)) if np.isfinite(est) else np.nan
                high = float(min(1.0, est + t * se)) if np.isfinite(est) else np.nan
                method = (
                    f"{label}, {len(coders)} coders; Gwet's variance over items, t interval "
                    "with n - 1 df (as irrCAC gwet.ac1.raw)"
                )
            rows.append(
                _row(stat, est, low, high, confidence_level, n_all, len(coders), method, se=se)
            )

    # Fleiss: items coded by every coder
    complete = wide.dropna()
    if len(complete):
        counts = np.zeros((len(complete), k))
        for j, c in enumerate(levels):
            counts[:, j] = (complete == c).sum(axis=1).to_numpy()
        # one value only: chance agreement is 1 and kappa undefined (as alpha below)
        fk = (
            float(fleiss_kappa(counts, method="fleiss"))
            if len(np.flatnonzero(counts.sum(axis=0))) >= 2
            else np.nan
        )
        rows.append(
            _row(
                "fleiss_kappa",
                fk,
                np.nan,
                np.nan,
                confidence_level,
                len(complete),
                len(coders),
                "Fleiss (1971), items coded by every coder",
            )
        )

    # Krippendorff: every item with >= 2 codes
    vc = np.zeros((len(multi), k))
    for j, c in enumerate(levels):
        vc[:, j] = (multi == c).sum(axis=1).to_numpy()
    level: Literal["nominal", "ordinal"] = "ordinal" if order is not None else "nominal"
    if len(np.flatnonzero(vc.sum(axis=0))) < 2:
        alpha = np.nan  # one value only: alpha undefined
    else:
        alpha = float(
            krippendorff.alpha(
                value_counts=vc, value_domain=list(range(k)), level_of_measurement=level
            )
        )
    rows.append(
        _row(
            "krippendorff_alpha",
            alpha,
            np.nan,
            np.nan,
            confidence_level,
            len(multi),
            len(coders),
            f"Krippendorff (2011), {level}",
        )
    )

    agree = multi.apply(lambda r: r.dropna().nunique() == 1, axis=1)
    rows.append(
        _row(
            "percent_agreement",
            float(agree.mean()),
            np.nan,
            np.nan,
            confidence_level,
            len(multi),
            len(coders),
            "share of items on which all codes agree",
        )
    )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)

    disputed = multi[~agree]
    long = (
        disputed.stack().rename("code").reset_index().rename(columns={item: "item", coder: "coder"})
    )
    long = long[["item", "coder", "code"]]
    long["n_distinct"] = long.groupby("item")["code"].transform("nunique").astype(int)
    if order is not None:
        ranks = long["code"].map(pos)
        spread = ranks.groupby(long["item"]).transform(lambda s: s.max() - s.min())
        long["rank_spread"] = spread.astype(float)
    else:
        long["rank_spread"] = np.nan
    long = long.sort_values(["item", "coder"]).reset_index(drop=True)
    return AgreementResult(table=table, disagreements=long, pairwise=pairwise, levels=levels)


def _row(
    statistic: str,
    estimate: float,
    low: float,
    high: float,
    cl: float,
    n_items: int,
    n_coders: int,
    method: str,
    *,
    se: float = np.nan,
) -> dict[str, object]:
    return {
        "statistic": statistic,
        "estimate": estimate,
        "se": se,
        "ci_low": low,
        "ci_high": high,
        "confidence_level": cl,
        "n_items": int(n_items),
        "n_coders": int(n_coders),
        "method": method,
    }
