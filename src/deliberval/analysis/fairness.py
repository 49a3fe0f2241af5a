"""Fairness of a sortition lottery from per-person selection probabilities.

Selection algorithms (e.g. ``sortition-algorithms``, which is GPL and therefore only ever an
optional dependency that the user calls) give each pool member a probability of being
selected. The four statistics here are those used by Flanigan et al. (2021) to compare
selection algorithms; they are one-line formulas, so no library is needed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from deliberval.errors import AnalysisInputError

__all__ = ["selection_fairness"]


def selection_fairness(
    probabilities: Sequence[float] | np.ndarray | pd.Series,
    *,
    threshold: float | None = None,
) -> pd.DataFrame:
    """Minimum probability, Gini coefficient, geometric mean and share below a threshold.

    Parameters
    ----------
    probabilities : sequence of float
        Selection probability of every pool member (volunteer), each in [0, 1]. Their sum is
        the expected panel size :math:`k`.
    threshold : float, optional
        Probability below which a member counts in ``share_below``. Default: the equal share
        :math:`k / n` (the mean probability), so ``share_below`` is the share of the pool
        treated worse than under a perfectly equal lottery. Flanigan et al. also report shares
        below fractions of it, e.g. ``threshold=0.5 * k / n``.

    Returns
    -------
    pandas.DataFrame
        Four rows, columns ``statistic`` (``min_probability, gini, geometric_mean,
        share_below``), ``estimate`` (``share_below`` a proportion in 0-1), ``threshold``
        (only for ``share_below``), ``n`` (pool size) and ``method`` (the formula, with its
        source).

    Notes
    -----
    With probabilities :math:`\\pi_1, \\dots, \\pi_n` (Flanigan et al. 2021, Methods):

    * minimum probability :math:`\\min_i \\pi_i` (the quantity the maximin algorithm raises);
    * Gini coefficient :math:`G = \\sum_i \\sum_j |\\pi_i - \\pi_j| / (2 n \\sum_i \\pi_i)`,
      0 when everybody has the same chance, near 1 when a few people get all of it;
    * geometric mean :math:`(\\prod_i \\pi_i)^{1/n}` (the Nash welfare objective), 0 as soon as
      one member can never be selected;
    * share below: :math:`\\#\\{i : \\pi_i < t\\} / n`. Probabilities within a relative 1e-9 of
      :math:`t` count as equal to it, so floating-point noise in an equal lottery does not
      register.

    References
    ----------
    Flanigan, B., Gölz, P., Gupta, A., Hennig, B., & Procaccia, A. D. (2021). Fair algorithms
    for selecting citizens' assemblies. *Nature*, 596, 548-552.
    https://doi.org/10.1038/s41586-021-03788-6

    Examples
    --------
    >>> from deliberval.analysis.fairness import selection_fairness
    >>> selection_fairness([0.1, 0.2, 0.3, 0.4]).drop(columns="method")
             statistic  estimate  threshold  n
    0  min_probability  0.100000        NaN  4
    1             gini  0.250000        NaN  4
    2   geometric_mean  0.221336        NaN  4
    3      share_below  0.500000       0.25  4
    """
    p = np.asarray(probabilities, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise AnalysisInputError("probabilities must be a non-empty one-dimensional sequence")
    if not np.isfinite(p).all():
        raise AnalysisInputError("probabilities contain missing or infinite values")
    if (p < 0).any() or (p > 1).any():
        bad = p[(p < 0) | (p > 1)][:5].tolist()
        raise AnalysisInputError(f"probabilities must lie in [0, 1]; found {bad}")
    n = p.size
    total = float(p.sum())
    if total <= 0:
        raise AnalysisInputError("every probability is 0; nobody can be selected")
    t = float(total / n) if threshold is None else float(threshold)
    if not 0 <= t <= 1:
        raise AnalysisInputError(f"threshold must lie in [0, 1], got {threshold!r}")
    # sum_i sum_j |p_i - p_j| = 2 sum_k (2k - n - 1) p_(k) over the sorted p: O(n log n) memory-light
    ranks = np.arange(1, n + 1)
    gini = float(2 * np.sum((2 * ranks - n - 1) * np.sort(p)) / (2 * n * total))
    geometric = 0.0 if (p == 0).any() else float(np.exp(np.mean(np.log(p))))
    below = float(np.mean(p < t * (1 - 1e-9)))
    return pd.DataFrame(
        {
            "statistic": ["min_probability", "gini", "geometric_mean", "share_below"],
            "estimate": [float(p.min()), gini, geometric, below],
            "threshold": [np.nan, np.nan, np.nan, t],
            "n": [n] * 4,
            "method": [
                "minimum selection probability (Flanigan et al. 2021)",
                "Gini coefficient of selection probabilities (Flanigan et al. 2021)",
                "geometric mean of selection probabilities, Nash welfare (Flanigan et al. 2021)",
                "share of the pool with probability below the threshold (Flanigan et al. 2021)",
            ],
        }
    )
