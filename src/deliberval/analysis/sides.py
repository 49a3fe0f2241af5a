"""Two sides of a hybrid body: each side's share agreeing against the reference side's.

In a body where citizens sit with politicians (a political task committee, a deliberative
committee), the same experience question is put to both sides. :func:`share_difference` takes
the counts of people agreeing per item and side (a table such as
:attr:`deliberval.indicators.ProcessEvaluation.experience`) and gives, for every side other than
the reference side, both shares with their Wilson intervals and the difference with its Newcombe
hybrid score interval and Fisher's exact test. Pure: a DataFrame in, a tidy DataFrame out.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from deliberval.analysis._common import (
    check_confidence_level,
    numeric_column,
    require_columns,
    wilson_intervals,
)
from deliberval.errors import AnalysisInputError

__all__ = ["SHARE_DIFFERENCE_COLUMNS", "share_difference"]

#: Columns of :func:`share_difference` after the ``by`` column.
SHARE_DIFFERENCE_COLUMNS = [
    "role", "reference", "count", "n", "share", "share_ci_low", "share_ci_high",
    "reference_count", "reference_n", "reference_share", "reference_share_ci_low", "reference_share_ci_high",
    "estimate", "ci_low", "ci_high", "confidence_level", "exact_p_value", "method",
]


def share_difference(
    df: pd.DataFrame,
    *,
    count: str = "count",
    n: str = "n",
    role: str = "role",
    reference: str = "citizen",
    by: str | None = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Compare each side's share with the reference side's: both shares and their difference.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per side (and per ``by`` level): the number of people in the share (``count``)
        out of the people who answered (``n``). At most one row per side and ``by`` level.
    count, n : str, default "count", "n"
        Columns of the numerator and the denominator (non-negative whole numbers, ``count <= n``).
    role : str, default "role"
        Column naming the side (``citizen``, ``politician``, ``civil_servant``).
    reference : str, default "citizen"
        The side every other side is compared with.
    by : str, optional
        Column of independent blocks (e.g. ``"item"``): one comparison per level.
    confidence_level : float, default 0.95
        Coverage of every interval.

    Returns
    -------
    pandas.DataFrame
        One row per ``by`` level and side other than ``reference``, in input order: the ``by``
        column (when given), ``role``, ``reference`` (the reference side's name), ``count``,
        ``n``, ``share`` (``count / n``, 0-1), ``share_ci_low``, ``share_ci_high`` (Wilson),
        ``reference_count``, ``reference_n``, ``reference_share``, ``reference_share_ci_low``,
        ``reference_share_ci_high`` (the reference side's, Wilson), ``estimate`` (``share -
        reference_share``), ``ci_low``, ``ci_high`` (Newcombe hybrid score interval of the
        difference), ``confidence_level``, ``exact_p_value`` (Fisher's exact test of the 2 x 2
        table, two-sided) and ``method``. Where a ``by`` level has no reference row, or a side
        has ``n == 0``, the reference columns, the difference and the test are NaN and
        ``method`` says why.

    Raises
    ------
    AnalysisInputError
        For missing columns, counts that are not whole numbers in ``0 <= count <= n``, or two
        rows of the same side in one ``by`` level.

    Notes
    -----
    With :math:`\\hat p_1 = x_1/n_1` (the side) and :math:`\\hat p_0 = x_0/n_0` (the reference),
    and :math:`(l_i, u_i)` the Wilson score limits of each share, the difference
    :math:`d = \\hat p_1 - \\hat p_0` has the Newcombe (1998, method 10) limits

    .. math::

        d - \\sqrt{(\\hat p_1 - l_1)^2 + (u_0 - \\hat p_0)^2},\\qquad
        d + \\sqrt{(u_1 - \\hat p_1)^2 + (\\hat p_0 - l_0)^2},

    which stay within [-1, 1] and keep their coverage with the small sides of a hybrid body
    (a handful of politicians) and shares at 0 or 1, where the Wald interval fails. Fisher's
    exact test conditions on both margins of the table
    :math:`\\begin{pmatrix}x_1 & n_1 - x_1\\\\ x_0 & n_0 - x_0\\end{pmatrix}`; its p-value is
    the sum of the probabilities of the tables no more likely than the observed one (R's
    two-sided rule). Validated against R 4.2.2 (``prop.test(correct = FALSE)$conf.int`` for the
    Wilson limits, the Newcombe limits written out from them, ``fisher.test``) to 1e-9 at 95 % and
    90 %, on hand-made counts with zeros, unanimous sides, a side of one person and a level
    without the reference side (``tests/reference/sides``).

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Statistics in Medicine*, 17(8), 873-890.
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA*, 22(158), 209-212.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.sides import share_difference
    >>> counts = pd.DataFrame({"item": ["x", "x"], "role": ["citizen", "politician"],
    ...                        "count": [15, 10], "n": [20, 13]})
    >>> r = share_difference(counts, by="item")
    >>> r[["item", "role", "share", "reference_share", "estimate", "ci_low", "ci_high"]].round(4)
      item        role   share  reference_share  estimate  ci_low  ci_high
    0    x  politician  0.7692             0.75    0.0192 -0.2857   0.2838
    """
    from scipy import stats
    from statsmodels.stats.proportion import confint_proportions_2indep

    level = check_confidence_level(confidence_level)
    keys = [by] if by is not None else []
    require_columns(df, [*keys, role, count, n])
    x = numeric_column(df[count], count).to_numpy(dtype=float)
    m = numeric_column(df[n], n).to_numpy(dtype=float)
    bad = np.isnan(x) | np.isnan(m) | (x < 0) | (x > m) | (x != np.round(x)) | (m != np.round(m))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise AnalysisInputError(
            f"{count!r} and {n!r} must be whole numbers with 0 <= {count} <= {n}; row {i} has "
            f"{count} = {df[count].iloc[i]!r}, {n} = {df[n].iloc[i]!r}")
    table = pd.DataFrame({"_key": df[by].to_numpy() if by is not None else np.zeros(len(df)),
                          "_side": df[role].astype(str).to_numpy(), "_x": x, "_n": m})
    dup = table.duplicated(["_key", "_side"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        where = f" and {by} = {table['_key'].iloc[i]!r}" if by is not None else ""
        raise AnalysisInputError(f"two rows of side {table['_side'].iloc[i]!r}{where}: one row per side expected")
    low, high = wilson_intervals(x, m, level)
    table["_low"], table["_high"] = low, high
    ref = table.loc[table["_side"] == reference].set_index("_key")
    rows = []
    for i, r in table.iterrows():
        if r["_side"] == reference:
            continue
        out = {by: df[by].iloc[i]} if by is not None else {}
        share = r["_x"] / r["_n"] if r["_n"] > 0 else math.nan
        out.update({"role": r["_side"], "reference": reference, "count": int(r["_x"]), "n": int(r["_n"]),
                    "share": share, "share_ci_low": r["_low"], "share_ci_high": r["_high"]})
        nan = math.nan
        refrow = ref.loc[r["_key"]] if r["_key"] in ref.index else None
        if refrow is None:
            out.update(reference_count=pd.NA, reference_n=pd.NA, reference_share=nan, reference_share_ci_low=nan,
                       reference_share_ci_high=nan, estimate=nan, ci_low=nan, ci_high=nan, exact_p_value=nan,
                       method=f"no {reference} row to compare with")
            rows.append(out)
            continue
        x0, n0 = refrow["_x"], refrow["_n"]
        share0 = x0 / n0 if n0 > 0 else nan
        out.update(reference_count=int(x0), reference_n=int(n0), reference_share=share0,
                   reference_share_ci_low=refrow["_low"], reference_share_ci_high=refrow["_high"])
        if r["_n"] == 0 or n0 == 0:
            out.update(estimate=nan, ci_low=nan, ci_high=nan, exact_p_value=nan,
                       method=f"{r['_side'] if r['_n'] == 0 else reference}: nobody answered")
        else:
            d_low, d_high = confint_proportions_2indep(int(r["_x"]), int(r["_n"]), int(x0), int(n0),
                                                      method="newcomb", compare="diff", alpha=1 - level)
            p = stats.fisher_exact([[r["_x"], r["_n"] - r["_x"]], [x0, n0 - x0]]).pvalue
            out.update(estimate=share - share0, ci_low=max(-1.0, float(d_low)), ci_high=min(1.0, float(d_high)),
                       exact_p_value=min(1.0, float(p)),
                       method=(f"difference of shares ({r['_side']} minus {reference}): Newcombe hybrid score "
                               "interval from the two Wilson intervals; Fisher's exact test"))
        rows.append(out)
    cols = [*keys, *SHARE_DIFFERENCE_COLUMNS]
    res = pd.DataFrame(rows, columns=cols)
    res["confidence_level"] = level
    for c in ("count", "n", "reference_count", "reference_n"):
        res[c] = res[c].astype("Int64")
    for c in ("share", "share_ci_low", "share_ci_high", "reference_share", "reference_share_ci_low",
              "reference_share_ci_high", "estimate", "ci_low", "ci_high", "exact_p_value"):
        res[c] = res[c].astype("float64")
    for c in ("role", "reference", "method"):
        res[c] = res[c].astype("str")
    return res
