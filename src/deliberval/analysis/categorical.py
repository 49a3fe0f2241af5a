"""Change in a categorical answer between two waves: Stuart-Maxwell and Bowker tests.

The same people answer a categorical question (a vote intention, a preferred option, an
agree / neutral / disagree answer) before and after deliberation. The paired k x k table of
their answers (rows: before, columns: after) is tested for *marginal homogeneity* (did the
distribution of answers change? Stuart 1955, Maxwell 1970) and for *symmetry* (are moves from
i to j as frequent as moves from j to i? Bowker 1948; McNemar's test when k = 2). Pure: tables
and DataFrames in, tidy DataFrames out.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy import stats

from deliberval.analysis._common import require_columns
from deliberval.errors import AnalysisInputError

__all__ = ["CategoricalChangeResult", "categorical_change", "symmetry_tests"]

TEST_COLUMNS = ["test", "statistic", "df", "p_value", "n", "method"]


@dataclass(frozen=True)
class CategoricalChangeResult:
    """Result of :func:`categorical_change`; every attribute is a tidy DataFrame.

    Attributes
    ----------
    tests : pandas.DataFrame
        ``test`` (``stuart_maxwell``, ``bowker``), ``statistic``, ``df``, ``p_value``, ``n``
        (people answering in both waves), ``method`` (see :func:`symmetry_tests`).
    crosstab : pandas.DataFrame
        Long table of the paired answers: ``pre``, ``post`` (the categories), ``count``.
    margins : pandas.DataFrame
        One row per category: ``category``, ``pre_count``, ``post_count``, ``pre_share``,
        ``post_share`` (0-1), ``estimate`` (``post_share - pre_share``), ``n``, ``method``.
    """

    tests: pd.DataFrame
    crosstab: pd.DataFrame
    margins: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by its attribute name, for writers.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``tests``, ``crosstab``, ``margins``.
        """
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _stuart_maxwell(x: np.ndarray) -> tuple[float, int]:
    """Stuart-Maxwell statistic and df of a k x k count table (generalised inverse)."""
    d = x.sum(axis=1) - x.sum(axis=0)
    v = -(x + x.T)
    np.fill_diagonal(v, x.sum(axis=1) + x.sum(axis=0) - 2 * np.diag(x))
    rank = int(np.linalg.matrix_rank(v))
    if rank == 0:
        return np.nan, 0
    return float(d @ np.linalg.pinv(v) @ d), rank


def _bowker(x: np.ndarray, correct: bool) -> tuple[float, int]:
    """Bowker's symmetry statistic over the pairs with off-diagonal counts, and its df."""
    iu, ju = np.triu_indices(len(x), k=1)
    upper, lower = x[iu, ju], x[ju, iu]
    total = upper + lower
    keep = total > 0
    if not keep.any():
        return np.nan, 0
    diff = np.abs(upper[keep] - lower[keep])
    if correct and len(x) == 2:
        diff = np.maximum(diff - 1, 0)  # McNemar's continuity correction, as R
    return float(np.sum(diff**2 / total[keep])), int(keep.sum())


def symmetry_tests(table: np.ndarray | pd.DataFrame, *, correct: bool = False) -> pd.DataFrame:
    """Stuart-Maxwell (marginal homogeneity) and Bowker (symmetry) tests of a paired table.

    Parameters
    ----------
    table : array or DataFrame, shape (k, k)
        Counts of the paired answers: rows the first wave, columns the second, the same
        categories in the same order.
    correct : bool, default False
        McNemar's continuity correction for a 2 x 2 table (R ``mcnemar.test``'s default is
        True); ignored for k > 2, as in R.

    Returns
    -------
    pandas.DataFrame
        Two rows, ``test`` ``stuart_maxwell`` and ``bowker``, with ``statistic``, ``df``,
        ``p_value`` (chi-square reference), ``n`` (the table's total) and ``method``.

    Raises
    ------
    AnalysisInputError
        A table that is not square, has fewer than 2 categories, or negative, non-finite
        or non-integer counts.

    Notes
    -----
    With counts :math:`n_{ij}`, margins :math:`n_{i.}`, :math:`n_{.j}`:

    * Stuart-Maxwell: :math:`d_i = n_{i.} - n_{.i}`, :math:`V_{ii} = n_{i.} + n_{.i} -
      2n_{ii}`, :math:`V_{ij} = -(n_{ij} + n_{ji})`; :math:`X^2 = d^\\top V^- d` on
      :math:`\\mathrm{rank}(V)` df (:math:`k - 1` unless categories are never left or
      entered), with :math:`V^-` the Moore-Penrose inverse, which equals the classical form
      with one category dropped. For k = 2 it is McNemar's statistic.
    * Bowker: :math:`X^2 = \\sum_{i<j} (n_{ij} - n_{ji})^2 / (n_{ij} + n_{ji})` over the
      pairs with :math:`n_{ij} + n_{ji} > 0`, on as many df (R's ``mcnemar.test`` returns
      NaN when a pair is empty; SAS drops it as here).

    Symmetry implies marginal homogeneity, not the reverse: a significant Bowker test with a
    non-significant Stuart-Maxwell test means people moved between answers in both
    directions, leaving the distribution unchanged. Both are large-sample tests; with small
    tables (off-diagonal counts below about 10) treat the p-values as approximate.

    Validated against R: ``mcnemar.test`` (2 x 2 with and without correction; k x k is
    Bowker's test) and ``coin::mh_test`` (asymptotic marginal homogeneity = Stuart-Maxwell) to
    1e-9 on Agresti's approval table and a 5 x 5 brand-switching table
    (``tests/reference/change/generate_categorical.R``).

    References
    ----------
    Bowker, A. H. (1948). A test for symmetry in contingency tables. *JASA*, 43(244), 572-574.
    Maxwell, A. E. (1970). Comparing the classification of subjects by two independent
    judges. *British Journal of Psychiatry*, 116, 651-655.
    Stuart, A. (1955). A test for homogeneity of the marginal distributions in a two-way
    classification. *Biometrika*, 42(3/4), 412-416.

    Examples
    --------
    >>> import numpy as np
    >>> from deliberval.analysis.categorical import symmetry_tests
    >>> approval = np.array([[794, 150], [86, 570]])  # Agresti (2002), two surveys
    >>> symmetry_tests(approval)[["test", "statistic", "df", "p_value"]].round(6)
                 test  statistic  df   p_value
    0  stuart_maxwell  17.355932   1  0.000031
    1          bowker  17.355932   1  0.000031
    """
    x = np.asarray(table, dtype=float)
    if x.ndim != 2 or x.shape[0] != x.shape[1] or x.shape[0] < 2:
        raise AnalysisInputError(
            f"table must be a square k x k table of counts with k >= 2, got shape {x.shape}"
        )
    if not np.isfinite(x).all() or (x < 0).any() or not np.equal(np.round(x), x).all():
        raise AnalysisInputError("table must hold non-negative whole counts")
    n = int(x.sum())
    sm_stat, sm_df = _stuart_maxwell(x)
    bw_stat, bw_df = _bowker(x, correct)
    rows = []
    for test, stat, df, method in (
        (
            "stuart_maxwell",
            sm_stat,
            sm_df,
            "Stuart-Maxwell test of marginal homogeneity (chi-square, generalised inverse)",
        ),
        (
            "bowker",
            bw_stat,
            bw_df,
            "Bowker's test of symmetry (chi-square; McNemar's test for 2 x 2"
            + (", continuity-corrected)" if correct and len(x) == 2 else ")"),
        ),
    ):
        p = float(stats.chi2.sf(stat, df)) if df > 0 and np.isfinite(stat) else np.nan
        rows.append(
            {"test": test, "statistic": stat, "df": df, "p_value": p, "n": n, "method": method}
        )
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def categorical_change(
    df: pd.DataFrame,
    variable: str,
    *,
    respondent: str = "respondent_id",
    wave: str = "wave",
    pre: Hashable | None = None,
    post: Hashable | None = None,
    levels: Sequence[Hashable] | None = None,
    correct: bool = False,
) -> CategoricalChangeResult:
    """Did the answers to a categorical question change between two waves (same people)?

    Parameters
    ----------
    df : pandas.DataFrame
        Long data: one row per respondent and wave.
    variable : str
        The categorical answer.
    respondent : str, default "respondent_id"
        Column pairing the two waves.
    wave : str, default "wave"
        Column naming the wave.
    pre, post : optional
        Values of ``wave`` to compare; default its two distinct values, sorted.
    levels : sequence, optional
        Categories in the order to report (every observed answer must be among them;
        categories nobody chose count as 0). Default: the observed answers, sorted.
    correct : bool, default False
        Continuity correction for a 2 x 2 table (see :func:`symmetry_tests`).

    Returns
    -------
    CategoricalChangeResult
        ``tests``, ``crosstab`` and ``margins`` (see the class).

    Raises
    ------
    AnalysisInputError
        Missing columns, a wave column without exactly two values (unless ``pre`` and
        ``post`` are given), a respondent twice in a wave, an answer outside ``levels``,
        or no respondent answering in both waves.

    Notes
    -----
    Only respondents with a non-missing answer in both waves enter (``n``); the tests are
    :func:`symmetry_tests` on their k x k table (rows: ``pre``, columns: ``post``).

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.categorical import categorical_change
    >>> before = ["for"] * 6 + ["against"] * 6 + ["unsure"] * 8
    >>> after = ["for"] * 5 + ["against"] + ["against"] * 6 + ["for"] * 5 + ["against"] * 3
    >>> df = pd.DataFrame({"respondent_id": list(range(20)) * 2, "wave": [1] * 20 + [2] * 20,
    ...                    "vote": before + after})
    >>> res = categorical_change(df, "vote")
    >>> res.tests[["test", "statistic", "df", "p_value", "n"]].round(4)
                 test  statistic  df  p_value   n
    0  stuart_maxwell     8.3478   2   0.0154  20
    1          bowker     9.0000   3   0.0293  20
    >>> res.margins[["category", "pre_share", "post_share", "estimate"]]
      category  pre_share  post_share  estimate
    0  against        0.3         0.5       0.2
    1      for        0.3         0.5       0.2
    2   unsure        0.4         0.0      -0.4
    """
    require_columns(df, [respondent, wave, variable], what="data")
    if pre is None or post is None:
        values = sorted(pd.unique(df[wave].dropna()))
        if len(values) != 2:
            raise AnalysisInputError(
                f"column {wave!r} has {len(values)} distinct value(s); categorical_change "
                "needs exactly two waves, or name them with pre=... and post=..."
            )
        pre, post = values
    sides = {}
    for which, value in (("pre", pre), ("post", post)):
        part = df.loc[df[wave] == value, [respondent, variable]]
        if part.empty:
            raise AnalysisInputError(f"no rows with {wave} == {value!r} ({which} wave)")
        dup = part[respondent].duplicated(keep=False)
        if dup.any():
            shown = list(pd.unique(part.loc[dup, respondent]))[:10]
            raise AnalysisInputError(
                f"respondent(s) {shown} appear more than once in the {which} wave "
                f"({wave} == {value!r}); each needs one row per wave"
            )
        sides[which] = part.dropna(subset=[variable]).set_index(respondent)[variable]
    paired = pd.concat(sides, axis=1, join="inner")
    if paired.empty:
        raise AnalysisInputError(
            f"no respondent answered {variable!r} in both waves ({pre!r} and {post!r})"
        )
    observed = sorted(pd.unique(paired.to_numpy().ravel()), key=str)
    if levels is None:
        cats = observed
    else:
        cats = list(dict.fromkeys(levels))
        unknown = [c for c in observed if c not in set(cats)]
        if unknown:
            raise AnalysisInputError(f"answer(s) {unknown[:10]} are not in levels {cats}")
    pos = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    x = np.zeros((k, k))
    np.add.at(x, (paired["pre"].map(pos).to_numpy(int), paired["post"].map(pos).to_numpy(int)), 1)
    if k < 2:
        raise AnalysisInputError(
            f"{variable!r} has a single category ({cats}) in both waves; nothing to test"
        )
    tests = symmetry_tests(x, correct=correct)
    n = int(x.sum())
    crosstab = pd.DataFrame(
        {"pre": np.repeat(cats, k), "post": np.tile(cats, k), "count": x.ravel().astype(int)}
    )
    pre_count, post_count = x.sum(axis=1), x.sum(axis=0)
    margins = pd.DataFrame(
        {
            "category": cats,
            "pre_count": pre_count.astype(int),
            "post_count": post_count.astype(int),
            "pre_share": pre_count / n,
            "post_share": post_count / n,
            "estimate": (post_count - pre_count) / n,
            "n": n,
            "method": "change in the share choosing the category, post - pre (paired answers)",
        }
    )
    return CategoricalChangeResult(tests=tests, crosstab=crosstab, margins=margins)
