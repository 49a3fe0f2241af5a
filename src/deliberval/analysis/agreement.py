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
from statsmodels.stats.inter_rater import fleiss_kappa

from deliberval.analysis._common import check_confidence_level, normal_quantile, require_columns
from deliberval.errors import AnalysisInputError

if TYPE_CHECKING:
    from deliberval.instruments.coding import CodingScheme

__all__ = ["AgreementResult", "agreement", "cohen_kappa_table"]

TABLE_COLUMNS = ["statistic", "estimate", "se", "ci_low", "ci_high", "confidence_level",
                 "n_items", "n_coders", "method"]
PAIRWISE_COLUMNS = ["coder_1", "coder_2", "statistic", "estimate", "se", "ci_low", "ci_high",
                    "confidence_level", "n_items", "method"]
KAPPA_COLUMNS = ["statistic", "estimate", "se", "ci_low", "ci_high", "confidence_level", "n",
                 "method"]


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
        return {"table": self.table, "disagreements": self.disagreements,
                "pairwise": self.pairwise}


def _weight_matrix(k: int, weights: str) -> np.ndarray:
    i, j = np.indices((k, k))
    d = np.abs(i - j) / max(k - 1, 1)
    return 1 - d**2 if weights == "quadratic" else 1 - d


def _cohen_kappa(table: np.ndarray, weights: np.ndarray | None, confidence_level: float
                 ) -> dict[str, float]:
    """Cohen's kappa, weighted kappa, SEs and intervals from a k x k count table (see
    :func:`cohen_kappa_table` for the formulas); keys ``kappa, kappa_se, kappa_low,
    kappa_high, weighted, weighted_se, weighted_low, weighted_high, n``."""
    x = np.asarray(table, dtype=float)
    k = x.shape[0]
    w = _weight_matrix(k, "quadratic") if weights is None else np.asarray(weights, dtype=float)
    n = x.sum()
    x = x / n
    rs, cs = x.sum(axis=1), x.sum(axis=0)
    prob = np.outer(rs, cs)
    po, pc = np.trace(x), np.trace(prob)
    kappa = (po - pc) / (1 - pc) if pc < 1 else np.nan
    wpo, wpc = float((w * x).sum()), float((w * prob).sum())
    colw = (w * cs[:, None]).sum(axis=0)
    roww = (w * rs[:, None]).sum(axis=1)
    eye = np.eye(k)
    with np.errstate(divide="ignore", invalid="ignore"):
        var_k = (1 / (n * (1 - pc) ** 4)) * (
            np.trace(x * (eye * (1 - pc) - np.add.outer(rs, cs) * (1 - po)) ** 2)
            + (1 - po) ** 2 * (
                (x * np.add.outer(cs, rs) ** 2).sum() - np.trace(x * np.add.outer(cs, rs) ** 2))
            - (po * pc - 2 * pc + po) ** 2
        )
        var_w = (1 / (n * (1 - wpc) ** 4)) * (
            (x * (w * (1 - wpc) - np.add.outer(colw, roww) * (1 - wpo)) ** 2).sum()
            - (wpo * wpc - 2 * wpc + wpo) ** 2
        )
        if np.trace(w) > 0:  # agreement weights (1 on the diagonal)
            wkappa = (wpo - wpc) / (1 - wpc) if wpc < 1 else np.nan  # one category: undefined
        else:  # disagreement weights
            wkappa = 1 - wpo / wpc if wpc > 0 else np.nan
    var_k = 0.0 if not np.isfinite(var_k) or var_k < 0 else float(var_k)
    var_w = 0.0 if not np.isfinite(var_w) or var_w < 0 else float(var_w)
    z = normal_quantile(confidence_level)
    se_k, se_w = np.sqrt(var_k), np.sqrt(var_w)
    return {
        "kappa": float(kappa), "kappa_se": float(se_k),
        "kappa_low": float(np.clip(kappa - z * se_k, -1, 1)),
        "kappa_high": float(np.clip(kappa + z * se_k, -1, 1)),
        "weighted": float(wkappa), "weighted_se": float(se_w),
        "weighted_low": float(np.clip(wkappa - z * se_w, -1, 1)),
        "weighted_high": float(np.clip(wkappa + z * se_w, -1, 1)),
        "n": float(n),
    }


def cohen_kappa_table(table: np.ndarray, weights: np.ndarray | None = None, *,
                      confidence_level: float = 0.95) -> pd.DataFrame:
    """Cohen's kappa, weighted kappa and their large-sample intervals from a k x k count table.

    Written here (rather than calling a library) so that estimates *and* intervals reproduce
    R ``psych::cohen.kappa`` exactly, which no Python library does.

    Parameters
    ----------
    table : ndarray, shape (k, k)
        Counts: rows coder 1, columns coder 2, categories in the weight order.
    weights : ndarray, shape (k, k), optional
        Agreement weights (1 on the diagonal). Default: psych's quadratic weights
        ``1 - (i - j)**2 / (k - 1)**2``.
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        Two rows, ``statistic`` ``cohen_kappa`` and ``cohen_kappa_weighted``, with
        ``estimate, se, ci_low, ci_high, confidence_level, n`` (the table's total count) and
        ``method``.

    Notes
    -----
    With proportions :math:`p_{ij}`, margins :math:`p_{i.}, p_{.j}`, weights :math:`w_{ij}`:
    :math:`p_o = \\sum_i p_{ii}`, :math:`p_c = \\sum_i p_{i.}p_{.i}`,
    :math:`\\kappa = (p_o - p_c)/(1 - p_c)` and
    :math:`\\kappa_w = (p_{ow} - p_{cw})/(1 - p_{cw})` with
    :math:`p_{ow} = \\sum w_{ij}p_{ij}`, :math:`p_{cw} = \\sum w_{ij}p_{i.}p_{.j}` (Cohen 1968).
    The variance of :math:`\\kappa` is the large-sample formula of Fleiss, Cohen & Everitt
    (1969). The variance of :math:`\\kappa_w` follows psych 2.2.9 line by line so that the
    intervals reproduce R: its column term is Fleiss, Cohen & Everitt's
    :math:`\\bar w_{i.} = \\sum_k w_{ik}p_{.k}`, but its row term is
    :math:`p_{j.}\\sum_k w_{jk}` where they have :math:`\\bar w_{.j} = \\sum_k p_{k.}w_{kj}`,
    so the weighted-kappa interval is psych's, not the textbook one. Interval limits
    beyond +/-1 are set to +/-1, as psych does. Validated against R psych 2.2.9 to 1e-9.

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
    >>> res[["statistic", "estimate", "ci_low", "n"]].round(6)
                  statistic  estimate    ci_low   n
    0           cohen_kappa       0.4  0.151092  50
    1  cohen_kappa_weighted       0.4  0.151092  50
    """
    check_confidence_level(confidence_level)
    x = np.asarray(table, dtype=float)
    if x.ndim != 2 or x.shape[0] != x.shape[1] or x.shape[0] == 0:
        raise AnalysisInputError(f"table must be a square k x k array of counts, got shape {x.shape}")
    if not np.isfinite(x).all() or (x < 0).any() or x.sum() <= 0:
        raise AnalysisInputError("table must hold finite, non-negative counts with a positive total")
    res = _cohen_kappa(x, weights, confidence_level)
    desc = "quadratic (psych) weights" if weights is None else "the given weights"
    return pd.DataFrame(
        [_kappa_row("cohen_kappa", res, "kappa", confidence_level,
                    "Cohen (1960); Fleiss-Cohen-Everitt interval"),
         _kappa_row("cohen_kappa_weighted", res, "weighted", confidence_level,
                    f"Cohen (1968), {desc}; psych interval")],
        columns=KAPPA_COLUMNS,
    )


def _kappa_row(statistic: str, res: dict[str, float], key: str, cl: float, method: str
               ) -> dict[str, object]:
    n = res["n"]
    return {"statistic": statistic, "estimate": res[key], "se": res[f"{key}_se"],
            "ci_low": res[f"{key}_low"], "ci_high": res[f"{key}_high"], "confidence_level": cl,
            "n": int(n) if float(n).is_integer() else n, "method": method}


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
        Level of the Cohen's kappa intervals (two coders only).
    scheme : CodingScheme, optional
        Coding scheme whose ``response_status`` order is used when ``ordinal_order`` is not
        given. Default None: no scheme, codes nominal unless ``ordinal_order`` is given.

    Returns
    -------
    AgreementResult
        ``table`` with columns ``statistic`` (``cohen_kappa``, ``cohen_kappa_weighted``,
        ``fleiss_kappa``, ``krippendorff_alpha``, ``percent_agreement``), ``estimate``,
        ``se``, ``ci_low``, ``ci_high`` (Cohen's kappas with two coders, as R psych gives
        them; missing otherwise), ``confidence_level``, ``n_items``, ``n_coders``,
        ``method``; ``disagreements`` and the long ``pairwise`` table (see
        :class:`AgreementResult`).

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

    Validated against R psych 2.2.9 ``cohen.kappa`` (estimates and intervals) to 1e-9.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
    Psychological Measurement, 20(1), 37-46.
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
    Bulletin, 76(5), 378-382.
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
    2          fleiss_kappa    0.3898        6
    3    krippendorff_alpha    0.9404        6
    4     percent_agreement    0.5000        6
    >>> res.disagreements["item"].unique().tolist()
    ['e1', 'e3', 'e5']

    Without a scheme or an order the codes are nominal:

    >>> agreement(long).table["statistic"].tolist()
    ['cohen_kappa', 'fleiss_kappa', 'krippendorff_alpha', 'percent_agreement']
    """
    require_columns(df, [item, coder, code], what="coding data")
    check_confidence_level(confidence_level)
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
            f"each coder may code an item once; found {int(dup.sum())} duplicated rows ({where})")
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
            raise AnalysisInputError(
                f"code(s) {unknown} are not in ordinal_order {list(given)}")
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

    # Cohen (pairwise)
    kappa_method = "Cohen (1960); Fleiss-Cohen-Everitt interval"
    weighted_method = f"Cohen (1968), {weights} weights over {k} ordered levels; psych interval"
    pair_rows: list[dict[str, object]] = []
    pair_res: list[tuple[int, dict[str, float]]] = []
    for a, b in combinations(coders, 2):
        both = wide[[a, b]].dropna()
        if both.empty:
            continue
        tab = np.zeros((k, k))
        np.add.at(tab, (both[a].map(pos).to_numpy(int), both[b].map(pos).to_numpy(int)), 1)
        res = _cohen_kappa(tab, wmat, confidence_level)
        pair_res.append((len(both), res))
        stats_ = [("cohen_kappa", "kappa", kappa_method)]
        if wmat is not None:
            stats_.append(("cohen_kappa_weighted", "weighted", weighted_method))
        for stat, key, meth in stats_:
            pair_rows.append({"coder_1": a, "coder_2": b, **_row(
                stat, res[key], res[f"{key}_low"], res[f"{key}_high"], confidence_level,
                len(both), 2, meth, se=res[f"{key}_se"])})
    pairwise = pd.DataFrame(pair_rows, columns=PAIRWISE_COLUMNS)
    if len(coders) == 2 and len(pair_res) == 1:
        n_pair, res = pair_res[0]
        rows.append(_row("cohen_kappa", res["kappa"], res["kappa_low"], res["kappa_high"],
                         confidence_level, n_pair, 2, kappa_method, se=res["kappa_se"]))
        if wmat is not None:
            rows.append(_row("cohen_kappa_weighted", res["weighted"], res["weighted_low"],
                             res["weighted_high"], confidence_level, n_pair, 2, weighted_method,
                             se=res["weighted_se"]))
    elif pair_res:
        n_union = int((per_item >= 2).sum())
        rows.append(_row("cohen_kappa", float(pd.Series([r["kappa"] for _, r in pair_res]).mean()),
                         np.nan, np.nan, confidence_level, n_union, len(coders),
                         f"Light (1971): mean of {len(pair_res)} pairwise Cohen kappas"))
        if wmat is not None:
            rows.append(_row("cohen_kappa_weighted",
                             float(pd.Series([r["weighted"] for _, r in pair_res]).mean()),
                             np.nan, np.nan, confidence_level, n_union, len(coders),
                             f"mean of {len(pair_res)} pairwise weighted kappas, {weights} weights"))

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
        rows.append(_row("fleiss_kappa", fk, np.nan, np.nan, confidence_level, len(complete),
                         len(coders), "Fleiss (1971), items coded by every coder"))

    # Krippendorff: every item with >= 2 codes
    vc = np.zeros((len(multi), k))
    for j, c in enumerate(levels):
        vc[:, j] = (multi == c).sum(axis=1).to_numpy()
    level: Literal["nominal", "ordinal"] = "ordinal" if order is not None else "nominal"
    if len(np.flatnonzero(vc.sum(axis=0))) < 2:
        alpha = np.nan  # one value only: alpha undefined
    else:
        alpha = float(krippendorff.alpha(value_counts=vc, value_domain=list(range(k)),
                                         level_of_measurement=level))
    rows.append(_row("krippendorff_alpha", alpha, np.nan, np.nan, confidence_level, len(multi),
                     len(coders), f"Krippendorff (2011), {level}"))

    agree = multi.apply(lambda r: r.dropna().nunique() == 1, axis=1)
    rows.append(_row("percent_agreement", float(agree.mean()), np.nan, np.nan, confidence_level,
                     len(multi), len(coders), "share of items on which all codes agree"))
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)

    disputed = multi[~agree]
    long = (disputed.stack().rename("code").reset_index()
            .rename(columns={item: "item", coder: "coder"}))
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


def _row(statistic: str, estimate: float, low: float, high: float, cl: float, n_items: int,
         n_coders: int, method: str, *, se: float = np.nan) -> dict[str, object]:
    return {"statistic": statistic, "estimate": estimate, "se": se, "ci_low": low,
            "ci_high": high, "confidence_level": cl, "n_items": int(n_items),
            "n_coders": int(n_coders), "method": method}
