"""Run a sortition algorithm on a pool: the optional bridge to ``sortition-algorithms``.

:func:`run_selection` hands a pool (one row per volunteer) and its quotas to the selection
algorithms of the Sortition Foundation's ``sortition-algorithms`` package (Flanigan et al. 2021:
maximin, leximin, Nash; and the legacy greedy algorithm) and returns the panels they produce, with
their probabilities, as a :class:`SelectionRun` that feeds
:func:`deliberval.analysis.fairness.selection_probabilities` and
:func:`~deliberval.analysis.fairness.selection_fairness`.

Licence. ``sortition-algorithms`` is published under the GNU GPL v3. deliberval is MIT-licensed
and contains none of its code: the package is an optional extra
(``pip install 'deliberval[selection]'``) and is imported only inside :func:`run_selection`, when
a user calls it; ``import deliberval`` and every other function never load it. Whoever
distributes a program or an environment that combines the two distributes a work that the GPL
governs; using them together on one's own machine is not distribution.

This module is an adapter to an external engine, not an analysis: it calls the engine, sets its
random seed and silences its logging (which writes to standard output) while it runs.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from deliberval.errors import AnalysisInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ALGORITHMS", "SelectionRun", "run_selection"]

#: The algorithms :func:`run_selection` runs: three distributions over panels and the legacy one.
ALGORITHMS = ("maximin", "leximin", "nash", "legacy")
_DISTRIBUTIONS = ("maximin", "leximin", "nash")
_INSTALL = "pip install 'deliberval[selection]'"
_DEFAULT_RUNS = 1000


@dataclass(frozen=True)
class SelectionRun:
    """Panels produced by :func:`run_selection`.

    Attributes
    ----------
    panels : tuple of tuple
        The panels, each the ids of its members in pool order.
    panel_probabilities : tuple of float or None
        Probability of each panel for a distribution algorithm (``maximin``, ``leximin``,
        ``nash``: the exact distribution the algorithm found, summing to 1); None for
        ``legacy``, whose panels are independent runs (Monte Carlo).
    pool : tuple
        Every pool member's id, in the order of the pool table.
    algorithm : str
        The algorithm run.
    panel_size : int
        Members per panel.
    respondent : str
        Name of the id column in the tables.
    seed : int or None
        The seed given.
    method : str
        How the panels were obtained (algorithm, package version, runs).
    """

    panels: tuple[tuple[Hashable, ...], ...]
    panel_probabilities: tuple[float, ...] | None
    pool: tuple[Hashable, ...]
    algorithm: str
    panel_size: int
    respondent: str
    seed: int | None
    method: str

    def panel_table(self) -> pd.DataFrame:
        """The panels in long form.

        Returns
        -------
        pandas.DataFrame
            One row per panel x member: ``panel`` (0-based number), the id column (named by
            ``respondent``), ``panel_probability`` (the panel's probability; missing for legacy
            runs) and ``method``.
        """
        import pandas as pd

        rows = []
        for k, members in enumerate(self.panels):
            q = float("nan") if self.panel_probabilities is None else self.panel_probabilities[k]
            rows += [(k, m, q) for m in members]
        table = pd.DataFrame(rows, columns=["panel", self.respondent, "panel_probability"])
        table["method"] = self.method
        return table

    def selection_probabilities(self, *, confidence_level: float = 0.95) -> pd.DataFrame:
        """Per-person selection probabilities of these panels.

        :func:`deliberval.analysis.fairness.selection_probabilities` of ``panels`` (with
        ``panel_probabilities`` for a distribution: exact; without for legacy runs: Monte Carlo
        with standard errors and Wilson intervals) over the whole ``pool``; see it for the
        columns.
        """
        from deliberval.analysis.fairness import selection_probabilities

        return selection_probabilities(
            [list(p) for p in self.panels],
            None if self.panel_probabilities is None else list(self.panel_probabilities),
            pool=list(self.pool),
            respondent=self.respondent,
            confidence_level=confidence_level,
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """The panels (``panels``) and the per-person probabilities (``probabilities``), for writers."""
        return {"panels": self.panel_table(), "probabilities": self.selection_probabilities()}


def _engine() -> Any:
    try:
        import sortition_algorithms
    except ImportError:
        raise AnalysisInputError(
            f"running a selection algorithm needs the optional 'selection' extra (sortition-algorithms, GPL): {_INSTALL}"
        ) from None
    return sortition_algorithms


def _whole(value: object) -> bool:
    """An integer (numpy's too), not a bool."""
    import numbers

    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _quota_rows(quotas: pd.DataFrame) -> list[tuple[str, str, int, int]]:
    """``(dimension, category, min, max)`` rows of the quotas table, checked."""
    import pandas as pd

    cols = set(quotas.columns)
    if {"dimension", "category"} <= cols:
        dim, cat = "dimension", "category"
    elif {"feature", "value"} <= cols:  # sortition-algorithms' own features file
        dim, cat = "feature", "value"
    else:
        raise AnalysisInputError(
            "quotas need the columns dimension, category, min, max (or sortition-algorithms' "
            f"feature, value, min, max); found {list(quotas.columns)}"
        )
    missing = [c for c in ("min", "max") if c not in cols]
    if missing:
        raise AnalysisInputError(f"quotas lack the column(s) {missing}")
    if len(quotas) == 0:
        raise AnalysisInputError("quotas have no rows")
    rows = []
    for i, row in enumerate(quotas[[dim, cat, "min", "max"]].itertuples(index=False)):
        d, c, lo, hi = row
        if pd.isna(d) or pd.isna(c) or str(d).strip() == "" or str(c).strip() == "":
            raise AnalysisInputError(f"quotas row {i + 1}: the {dim} or {cat} is missing")
        bounds = []
        for name, v in (("min", lo), ("max", hi)):
            number = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
            if pd.isna(number) or float(number) != int(number) or number < 0:
                raise AnalysisInputError(
                    f"quotas row {i + 1} ({d} = {c}): {name} must be a whole number >= 0, got {v!r}"
                )
            bounds.append(int(number))
        if bounds[0] > bounds[1]:
            raise AnalysisInputError(f"quotas row {i + 1} ({d} = {c}): min {bounds[0]} exceeds max {bounds[1]}")
        rows.append((str(d).strip(), str(c).strip(), bounds[0], bounds[1]))
    seen = [(d.lower(), c.lower()) for d, c, _, _ in rows]
    dup = sorted({f"{d} = {c}" for d, c in seen if seen.count((d, c)) > 1})
    if dup:
        raise AnalysisInputError(f"quotas list {dup} more than once")
    return rows


def run_selection(
    pool: pd.DataFrame,
    quotas: pd.DataFrame,
    panel_size: int,
    *,
    algorithm: Literal["maximin", "leximin", "nash", "legacy"] = "maximin",
    runs: int | None = None,
    seed: int | None = None,
    respondent: str = "respondent_id",
) -> SelectionRun:
    """Select panels from a pool with ``sortition-algorithms`` (optional extra, GPL).

    Parameters
    ----------
    pool : pandas.DataFrame
        One row per volunteer: the id column (``respondent``) and one column per quota
        dimension (e.g. ``gender``, ``age_group``), holding the categories of ``quotas``.
    quotas : pandas.DataFrame
        One row per dimension x category: ``dimension, category, min, max`` (whole numbers of
        panel seats), as the quotas of
        :func:`deliberval.analysis.representativeness.representativeness`; a features table of
        ``sortition-algorithms`` (``feature, value, min, max``) is accepted as it is. Every
        category present in the pool needs a row (``min`` 0, ``max`` 0 excludes a category).
    panel_size : int
        Members of a panel.
    algorithm : {"maximin", "leximin", "nash", "legacy"}
        ``"maximin"`` (the package's default), ``"leximin"`` (needs the Gurobi solver,
        ``gurobipy``, which is commercial; not installed by the extra) and ``"nash"`` compute a
        distribution over panels (Flanigan et al. 2021); ``"legacy"`` is the greedy algorithm
        used before them, run ``runs`` times independently.
    runs : int, optional
        Independent runs of the legacy algorithm (default 1000). The distribution algorithms
        give exact probabilities and take no ``runs``.
    seed : int, optional
        A positive integer makes the run reproducible (``sortition-algorithms`` seeds Python's
        ``random`` module and its solver with it; the state of ``random`` is restored
        afterwards). Omitted: the package's cryptographic randomness.
    respondent : str, default "respondent_id"
        The pool's id column (ids must be unique; they are compared as text).

    Returns
    -------
    SelectionRun
        ``panels``, ``panel_probabilities`` (None for legacy runs), ``pool``, ``algorithm``,
        ``panel_size``, ``respondent``, ``seed``, ``method``;
        ``.selection_probabilities()`` gives the per-person table of
        :func:`~deliberval.analysis.fairness.selection_probabilities` (columns
        ``respondent, estimate, se, ci_low, ci_high, confidence_level, n, count, method``) and
        ``.panel_table()`` the panels in long form (``panel, respondent, panel_probability,
        method``).

    Raises
    ------
    AnalysisInputError
        The ``selection`` extra is not installed, the algorithm needs a solver that is absent
        (leximin without Gurobi), an unknown algorithm, ``runs`` with a distribution
        algorithm, a pool or quotas table that does not fit (missing column, duplicate id, a
        category without a quota row), a ``panel_size`` outside the quotas, or quotas no panel
        can meet (the message carries the package's suggested relaxation).

    Notes
    -----
    A distribution algorithm finds panels :math:`P_1, \\dots, P_K` meeting every quota and
    probabilities :math:`q_k` such that the per-person probabilities
    :math:`\\pi_i = \\sum_{k: i \\in P_k} q_k` are as equal as the quotas allow: maximin raises
    the smallest :math:`\\pi_i`, leximin then the second smallest and so on, Nash maximises
    :math:`\\sum_i \\log \\pi_i` (Flanigan et al. 2021). Panel probabilities below the
    package's 1e-4 cut are dropped and the rest renormalised, as the package does before its
    lottery. The legacy algorithm has no distribution: its probabilities are estimated from
    ``runs`` independent selections, with binomial standard errors. Every :math:`\\pi_i`
    sums to ``panel_size`` over the pool.

    deliberval contains no code of ``sortition-algorithms`` (GPL v3): the package is imported
    here only, when called. Nothing here is validated against R (no R package runs these
    algorithms); the tests check the properties every selection must have (each panel of
    ``panel_size`` members meeting every quota, probabilities in [0, 1] summing to
    ``panel_size``, the same panels for the same seed).

    References
    ----------
    Flanigan, B., Gölz, P., Gupta, A., Hennig, B., & Procaccia, A. D. (2021). Fair algorithms
    for selecting citizens' assemblies. *Nature*, 596, 548-552.
    https://doi.org/10.1038/s41586-021-03788-6
    Sortition Foundation. sortition-algorithms (GPL v3).
    https://github.com/sortitionfoundation/sortition-algorithms

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.selection import run_selection
    >>> pool = pd.DataFrame({"respondent_id": range(1, 11),
    ...                      "gender": ["f"] * 6 + ["m"] * 4})
    >>> quotas = pd.DataFrame({"dimension": ["gender", "gender"], "category": ["f", "m"],
    ...                        "min": [2, 2], "max": [2, 2]})
    >>> run = run_selection(pool, quotas, 4, seed=1)  # doctest: +SKIP
    >>> probs = run.selection_probabilities()  # doctest: +SKIP
    >>> probs["estimate"].iloc[:6].round(4).tolist()  # 2 seats for 6 women  # doctest: +SKIP
    [0.3333, 0.3333, 0.3333, 0.3333, 0.3333, 0.3333]
    >>> round(float(probs["estimate"].sum()), 9)  # the panel size  # doctest: +SKIP
    4.0

    (The examples are skipped when the optional extra is absent; maximin fixes the women's
    probabilities, not how the men's 2 seats are shared among them.)
    """

    if algorithm not in ALGORITHMS:
        raise AnalysisInputError(f"algorithm must be one of {', '.join(ALGORITHMS)}; got {algorithm!r}")
    if not _whole(panel_size) or panel_size < 1:
        raise AnalysisInputError(f"panel_size must be a positive whole number, got {panel_size!r}")
    panel_size = int(panel_size)
    if seed is not None and (not _whole(seed) or seed < 1):
        raise AnalysisInputError(
            f"seed must be a positive whole number (sortition-algorithms reads 0 as 'no seed'), got {seed!r}"
        )
    seed = None if seed is None else int(seed)
    if algorithm in _DISTRIBUTIONS:
        if runs is not None:
            raise AnalysisInputError(
                f"runs applies to the legacy algorithm; {algorithm} computes the exact distribution over panels"
            )
        n_runs = 1
    else:
        n_runs = _DEFAULT_RUNS if runs is None else runs
        if not _whole(n_runs) or n_runs < 1:
            raise AnalysisInputError(f"runs must be a positive whole number, got {runs!r}")
        n_runs = int(n_runs)
    if respondent not in pool.columns:
        raise AnalysisInputError(f"the pool has no id column {respondent!r}")
    if len(pool) == 0:
        raise AnalysisInputError("the pool has no rows")
    quota_rows = _quota_rows(quotas)
    dimensions = list(dict.fromkeys(d for d, _, _, _ in quota_rows))
    by_lower = {str(c).lower(): c for c in pool.columns}
    columns = {}
    for d in dimensions:
        if d.lower() not in by_lower:
            raise AnalysisInputError(f"the pool has no column {d!r} for the quotas of that dimension")
        columns[d] = by_lower[d.lower()]
    ids = pool[respondent]
    if ids.isna().any():
        raise AnalysisInputError(f"the pool's id column {respondent!r} has missing values")
    text_ids = ids.astype(str).str.strip()
    dup = text_ids[text_ids.duplicated()]
    if len(dup):
        raise AnalysisInputError(f"the pool's ids are not unique: {sorted(set(dup))[:5]} appear more than once")
    original = dict(zip(text_ids, ids.tolist(), strict=True))
    known = {d: {c.lower() for dd, c, _, _ in quota_rows if dd == d} for d in dimensions}
    for d in dimensions:
        values = pool[columns[d]]
        if values.isna().any():
            first = text_ids[values.isna().to_numpy()].iloc[0]
            raise AnalysisInputError(f"pool member {first!r} has no value in {columns[d]!r}")
        strange = sorted({str(v).strip() for v in values if str(v).strip().lower() not in known[d]})
        if strange:
            raise AnalysisInputError(
                f"the pool's {columns[d]!r} holds {strange[:5]} with no quota row; give each category a row "
                "(min 0, max 0 to exclude it)"
            )
    if panel_size > len(pool):
        raise AnalysisInputError(f"panel_size {panel_size} exceeds the pool ({len(pool)} people)")

    sa = _engine()
    if algorithm == "leximin":
        from sortition_algorithms.committee_generation import GUROBI_AVAILABLE

        if not GUROBI_AVAILABLE:
            raise AnalysisInputError(
                "the leximin algorithm needs the Gurobi solver (gurobipy, a commercial licence), which is not "
                "installed; use algorithm 'maximin' or 'nash'"
            )
    people_rows = [
        {respondent: tid, **{d: str(v).strip() for d, v in zip(dimensions, vals, strict=True)}}
        for tid, vals in zip(text_ids, pool[[columns[d] for d in dimensions]].itertuples(index=False), strict=True)
    ]
    with _quiet_seeded(seed):
        try:
            features, _, _ = sa.read_in_features(
                ["feature", "value", "min", "max"],
                [{"feature": d, "value": c, "min": str(lo), "max": str(hi)} for d, c, lo, hi in quota_rows],
                panel_size,
            )
            settings = sa.Settings(id_column=respondent, columns_to_keep=[])
            people, _ = sa.read_in_people([respondent, *dimensions], people_rows, features, settings)
            from sortition_algorithms.features import check_desired
            from sortition_algorithms.people import check_enough_people_for_every_feature_value

            check_desired(features, panel_size)
            check_enough_people_for_every_feature_value(features, people)
            panels, probabilities = _draw(features, people, panel_size, algorithm, n_runs)
        except AnalysisInputError:
            raise
        except (sa.SortitionBaseError, ValueError, RuntimeError, AssertionError) as exc:
            raise AnalysisInputError(f"sortition-algorithms ({algorithm}): {_one_line(exc)}") from None
    order = {tid: i for i, tid in enumerate(text_ids)}
    sorted_panels = tuple(
        tuple(original[m] for m in sorted(panel, key=order.__getitem__)) for panel in panels
    )
    for k, panel in enumerate(sorted_panels):  # the engine's promise, checked
        if len(panel) != panel_size:
            raise AnalysisInputError(f"sortition-algorithms returned panel {k} with {len(panel)} members, not {panel_size}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        engine = f"sortition-algorithms {version('sortition-algorithms')}"
    except PackageNotFoundError:  # pragma: no cover - installed without metadata
        engine = "sortition-algorithms"
    if probabilities is None:
        method = f"{n_runs} independent runs of the legacy algorithm ({engine})"
    else:
        method = f"{algorithm} distribution over {len(sorted_panels)} panels ({engine}; Flanigan et al. 2021)"
    return SelectionRun(
        panels=sorted_panels,
        panel_probabilities=None if probabilities is None else tuple(float(q) for q in probabilities),
        pool=tuple(ids.tolist()),
        algorithm=algorithm,
        panel_size=panel_size,
        respondent=respondent,
        seed=seed,
        method=method,
    )


def _draw(
    features: Any, people: Any, panel_size: int, algorithm: str, n_runs: int
) -> tuple[list[frozenset[str]], list[float] | None]:
    """The engine's panels (and their probabilities for a distribution algorithm)."""
    from sortition_algorithms import committee_generation as cg

    if algorithm == "legacy":
        panels: list[frozenset[str]] = []
        for _ in range(n_runs):
            found, _report = cg.find_random_sample_legacy(people, features, panel_size, [], max_attempts=100)
            panels.extend(found)
        return panels, None
    find = {
        "maximin": cg.find_distribution_maximin,
        "leximin": cg.find_distribution_leximin,
        "nash": cg.find_distribution_nash,
    }[algorithm]
    committees, probabilities, _report = find(features, people, panel_size, [])
    committees, probabilities = cg.standardize_distribution(committees, probabilities)
    return list(committees), list(probabilities)


class _quiet_seeded:
    """Seed the engine; silence its loggers and its solver's banner (both write to standard
    output, which would corrupt ``--json`` output); restore all three afterwards."""

    def __init__(self, seed: int | None) -> None:
        self.seed = seed
        self._saved_fd: int | None = None

    def __enter__(self) -> None:
        import logging
        import os
        import random
        import sys

        from sortition_algorithms.utils import set_random_provider

        self._state = random.getstate()
        self._loggers = [logging.getLogger(n) for n in ("sortition_algorithms", "sortition_algorithms_user")]
        self._levels = [lg.level for lg in self._loggers]
        for lg in self._loggers:
            lg.setLevel(logging.CRITICAL + 1)
        set_random_provider(self.seed)
        try:  # HiGHS prints its banner from C++ straight to file descriptor 1
            sys.stdout.flush()
            fd = sys.stdout.fileno()
            self._saved_fd = os.dup(fd)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fd)
            os.close(null)
            self._fd = fd
        except (OSError, ValueError, AttributeError):  # no real stdout (notebooks): nothing to hide
            self._saved_fd = None

    def __exit__(self, *exc: object) -> None:
        import os
        import random

        from sortition_algorithms.utils import set_random_provider

        if self._saved_fd is not None:
            os.dup2(self._saved_fd, self._fd)
            os.close(self._saved_fd)
        set_random_provider(None)
        random.setstate(self._state)
        for lg, level in zip(self._loggers, self._levels, strict=True):
            lg.setLevel(level)
