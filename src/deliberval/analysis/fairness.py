"""Fairness of a sortition lottery from per-person selection probabilities.

Selection algorithms (e.g. ``sortition-algorithms``, which is GPL and therefore only ever an
optional dependency that the user calls) give each pool member a probability of being
selected, either as a distribution over panels or through repeated runs;
:func:`selection_probabilities` turns either into per-person probabilities. The four
statistics of :func:`selection_fairness` are those used by Flanigan et al. (2021) to compare
selection algorithms; they are one-line formulas, so no library is needed.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence

import numpy as np
import pandas as pd

from deliberval.analysis._common import check_confidence_level, wilson_interval
from deliberval.errors import AnalysisInputError

__all__ = ["selection_fairness", "selection_probabilities"]

_ROUNDING = 1e-9  # probabilities this far outside [0, 1] are floating-point rounding (LP solvers)


def _clip_probabilities(p: np.ndarray, what: str) -> np.ndarray:
    """``p`` with values within 1e-9 of [0, 1] clipped; larger violations raise, named."""
    bad = (p < -_ROUNDING) | (p > 1 + _ROUNDING)
    if bad.any():
        shown = ", ".join(repr(float(v)) for v in p[bad][:5])
        raise AnalysisInputError(
            f"{what} must lie in [0, 1] (values within 1e-9 of it count as rounding); found {shown}"
        )
    return np.clip(p, 0.0, 1.0)


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
        the expected panel size :math:`k`. Values within 1e-9 of 0 or 1 (the rounding of the
        linear programs that compute LEXIMIN or maximin allocations, e.g.
        1.0000000000000002) are clipped to it; larger violations raise an error naming the
        values. :func:`selection_probabilities` computes them from a panel distribution or
        from repeated selections (use its ``estimate`` column).
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
    p = _clip_probabilities(p, "probabilities")
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


def selection_probabilities(
    panels: Sequence[Collection[Hashable]],
    probabilities: Sequence[float] | np.ndarray | None = None,
    *,
    pool: Sequence[Hashable] | None = None,
    respondent: str = "respondent_id",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Per-person selection probabilities from a panel distribution or from repeated selections.

    Parameters
    ----------
    panels : sequence of collections of ids
        Either the panels of a distribution over panels (with ``probabilities``), e.g. the
        LEXIMIN or maximin distribution of Flanigan et al. (2021), or the panels drawn by
        repeated, independent runs of a selection algorithm (without ``probabilities``:
        each run counts once).
    probabilities : sequence of float, optional
        Probability of each panel, summing to 1 (within 1e-6; values within 1e-9 of 0 or 1
        are rounding and clipped). Omitted: ``panels`` are Monte Carlo runs.
    pool : sequence of ids, optional
        Every pool member, so that members never selected appear with probability 0 (in this
        order). Default: everybody on some panel, in order of first appearance.
    respondent : str, default "respondent_id"
        Name of the output's id column.
    confidence_level : float, default 0.95
        Coverage of the Wilson intervals of the Monte Carlo estimates.

    Returns
    -------
    pandas.DataFrame
        One row per pool member, columns:

        - ``respondent`` (named by the argument): the member;
        - ``estimate``: selection probability;
        - ``se``: binomial standard error :math:`\\sqrt{\\hat\\pi(1 - \\hat\\pi)/m}` of a
          Monte Carlo estimate; 0 for a panel distribution (the probability is exact);
        - ``ci_low``, ``ci_high``: Wilson interval (Monte Carlo); equal to ``estimate`` for a
          panel distribution;
        - ``confidence_level``;
        - ``n``: runs (Monte Carlo) or panels of positive probability (distribution);
        - ``count``: runs selecting the member (Monte Carlo); panels containing the member
          (distribution);
        - ``method``: how the probability was obtained.

    Raises
    ------
    AnalysisInputError
        No panels, a member twice on one panel, probabilities of the wrong length, negative,
        not summing to 1, or a panel member missing from ``pool``.

    Notes
    -----
    Distribution over panels :math:`P_1, \\dots, P_K` with probabilities :math:`q_k`:
    :math:`\\pi_i = \\sum_{k: i \\in P_k} q_k` (Flanigan et al. 2021), exact.
    Repeated selections :math:`P_1, \\dots, P_m`: :math:`\\hat\\pi_i = c_i / m` with
    :math:`c_i` the number of runs selecting :math:`i`, standard error
    :math:`\\sqrt{\\hat\\pi_i(1 - \\hat\\pi_i)/m}` and the Wilson (1927) score interval,
    which stays inside [0, 1] and is not degenerate when a member was never (or always)
    selected. Pass ``estimate`` to :func:`selection_fairness`; with Monte Carlo estimates
    the fairness statistics carry simulation error (the minimum is biased downwards), so use
    enough runs that the smallest ``ci_high - ci_low`` is small against the probabilities
    compared.

    References
    ----------
    Flanigan, B., Gölz, P., Gupta, A., Hennig, B., & Procaccia, A. D. (2021). Fair algorithms
    for selecting citizens' assemblies. *Nature*, 596, 548-552.
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA*, 22(158), 209-212.

    Examples
    --------
    >>> from deliberval.analysis.fairness import selection_probabilities
    >>> panels = [["ann", "bo"], ["ann", "cy"], ["bo", "cy"]]
    >>> selection_probabilities(panels, [0.5, 0.25, 0.25], pool=["ann", "bo", "cy", "di"])[
    ...     ["respondent_id", "estimate", "n", "count"]]
      respondent_id  estimate  n  count
    0           ann      0.75  3      2
    1            bo      0.75  3      2
    2            cy      0.50  3      2
    3            di      0.00  3      0
    >>> runs = [["ann", "bo"], ["ann", "cy"], ["ann", "bo"], ["bo", "cy"]]
    >>> selection_probabilities(runs)[["respondent_id", "estimate", "se", "ci_low"]].round(4)
      respondent_id  estimate      se  ci_low
    0           ann      0.75  0.2165  0.3006
    1            bo      0.75  0.2165  0.3006
    2            cy      0.50  0.2500  0.1500
    """
    level = check_confidence_level(confidence_level)
    if isinstance(panels, (str, bytes)) or len(panels) == 0:
        raise AnalysisInputError("panels must be a non-empty sequence of panels (lists of ids)")
    sets: list[list[Hashable]] = []
    for k, panel in enumerate(panels):
        if isinstance(panel, (str, bytes)):
            raise AnalysisInputError(
                f"panel {k} is the string {panel!r}; each panel is a collection of ids"
            )
        members = list(panel)
        dup = pd.Series(members, dtype=object).duplicated()
        if dup.any():
            raise AnalysisInputError(
                f"panel {k} lists member {members[int(np.flatnonzero(dup.to_numpy())[0])]!r} twice"
            )
        sets.append(members)
    seen = list(dict.fromkeys(m for s in sets for m in s))
    if pool is None:
        people = seen
    else:
        people = list(dict.fromkeys(pool))
        outside = [m for m in seen if m not in set(people)]
        if outside:
            raise AnalysisInputError(
                f"panel member(s) {outside[:10]} are not in pool ({len(people)} members)"
            )
    index = {m: i for i, m in enumerate(people)}
    incidence = np.zeros((len(sets), len(people)))
    for k, members in enumerate(sets):
        incidence[k, [index[m] for m in members]] = 1.0
    count = incidence.sum(axis=0)
    if probabilities is not None:
        q = np.asarray(probabilities, dtype=float)
        if q.ndim != 1 or q.size != len(sets):
            raise AnalysisInputError(
                f"probabilities must give one value per panel: {len(sets)} panels, "
                f"{q.size} probabilities"
            )
        if not np.isfinite(q).all():
            raise AnalysisInputError("panel probabilities contain missing or infinite values")
        q = _clip_probabilities(q, "panel probabilities")
        if abs(q.sum() - 1.0) > 1e-6:
            raise AnalysisInputError(f"panel probabilities must sum to 1; they sum to {q.sum()!r}")
        estimate = _clip_probabilities(q @ incidence, "selection probabilities")
        positive = q > 0
        n = int(positive.sum())
        count = incidence[positive].sum(axis=0)
        se = np.zeros(len(people))
        low, high = estimate.copy(), estimate.copy()
        method = (
            "sum of the probabilities of the panels containing the member "
            "(distribution over panels, exact)"
        )
    else:
        n = len(sets)
        estimate = count / n
        se = np.sqrt(estimate * (1 - estimate) / n)
        limits = np.array([wilson_interval(c, n, level) for c in count])
        low, high = limits[:, 0], limits[:, 1]
        method = (
            f"share of {n} selection runs selecting the member (Monte Carlo), binomial "
            "standard error, Wilson interval"
        )
    return pd.DataFrame(
        {
            respondent: people,
            "estimate": estimate,
            "se": se,
            "ci_low": low,
            "ci_high": high,
            "confidence_level": level,
            "n": n,
            "count": count.astype(int),
            "method": method,
        }
    )
