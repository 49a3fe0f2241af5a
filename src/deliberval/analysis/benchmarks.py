"""Was the panel like the population in what it thought, and what can a panel of n claim?

:func:`selection_check` compares a sample's mean (or share) with a population benchmark, a
published value or a population survey sample (a :class:`Benchmark`);
:func:`attitudinal_representativeness` gathers several such comparisons (the panel's baseline
trust, efficacy, ...) in one table with Holm-adjusted p-values; :func:`margins_of_error` says
what a panel of a given size can detect at all. Shares are proportions (0-1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.power import TTestPower

from deliberval.analysis._common import (
    check_confidence_level,
    normal_quantile,
    numeric_column,
    require_columns,
    t_quantile,
    weighted_mean_se,
)
from deliberval.analysis._common import holm as holm_adjust
from deliberval.errors import AnalysisInputError

__all__ = [
    "SELECTION_CHECK_COLUMNS",
    "Benchmark",
    "attitudinal_representativeness",
    "margins_of_error",
    "selection_check",
]

SELECTION_CHECK_COLUMNS = [
    "variable",
    "level",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "confidence_level",
    "statistic",
    "df",
    "p_value",
    "n",
    "sample_value",
    "benchmark_value",
    "n_benchmark",
    "benchmark_source",
    "benchmark_year",
    "method",
]
"""Columns of :func:`selection_check`, in order."""


@dataclass(frozen=True)
class Benchmark:
    """A population benchmark: a published estimate, or a population survey sample.

    Give exactly one of ``value`` and ``sample``.

    Attributes
    ----------
    value : float, optional
        Published estimate (mean or share on the sample's scale; shares as proportions).
    se : float, optional
        Its standard error, if published (only with ``value``).
    source : str, optional
        Where the benchmark comes from, e.g. ``"ESS round 10"``; copied to the output.
    year : int, optional
        Year of the benchmark; copied to the output.
    sample : pandas.DataFrame, optional
        A benchmark sample (one row per respondent) instead of ``value``.
    variable : str, optional
        Column of ``sample`` compared (default: the sample's own column name).
    weight : str, optional
        Weight column of ``sample``.

    Examples
    --------
    >>> from deliberval.analysis.benchmarks import Benchmark
    >>> Benchmark(value=5.2, source="ESS round 10", year=2021)
    Benchmark(value=5.2, se=None, source='ESS round 10', year=2021, variable=None, weight=None)
    """

    value: float | None = None
    se: float | None = None
    source: str | None = None
    year: int | None = None
    sample: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    variable: str | None = None
    weight: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.sample is None):
            raise AnalysisInputError(
                "give exactly one benchmark: value= (a published estimate) or sample= (a "
                "benchmark sample)"
            )
        if self.year is not None and (
            isinstance(self.year, bool) or not isinstance(self.year, int | np.integer)
        ):
            raise AnalysisInputError(f"Benchmark year must be a whole number, got {self.year!r}")
        if self.sample is not None:
            if not isinstance(self.sample, pd.DataFrame):
                raise AnalysisInputError(
                    f"Benchmark sample must be a DataFrame, got {type(self.sample).__name__}"
                )
            if self.se is not None:
                raise AnalysisInputError(
                    "se belongs to a published value; a benchmark sample's SE is computed"
                )
        else:
            if isinstance(self.value, bool) or not isinstance(self.value, int | float | np.number):
                raise AnalysisInputError(f"Benchmark value must be a number, got {self.value!r}")
            if not math.isfinite(float(self.value)):
                raise AnalysisInputError(f"Benchmark value must be finite, got {self.value!r}")
            if self.variable is not None or self.weight is not None:
                raise AnalysisInputError(
                    "variable and weight describe a benchmark sample; give sample= too"
                )
            if self.se is not None and not (float(self.se) >= 0):
                raise AnalysisInputError(f"Benchmark se must be >= 0, got {self.se!r}")


def _as_benchmark(obj: Any, what: str = "benchmark") -> Benchmark:
    """A :class:`Benchmark` from a Benchmark, a number or a mapping of its fields."""
    if isinstance(obj, Benchmark):
        return obj
    if isinstance(obj, int | float | np.number) and not isinstance(obj, bool):
        return Benchmark(value=float(obj))
    if isinstance(obj, Mapping):
        known = {"value", "se", "source", "year", "sample", "variable", "weight"}
        unknown = sorted(set(map(str, obj)) - known)
        if unknown:
            raise AnalysisInputError(
                f"{what} has unknown field(s) {unknown}; a Benchmark has {sorted(known)}"
            )
        return Benchmark(**{str(k): v for k, v in obj.items()})
    if isinstance(obj, pd.DataFrame):
        raise AnalysisInputError(
            f"{what} is a DataFrame; wrap a benchmark sample as Benchmark(sample=...) "
            "(a published value as Benchmark(value=...) or a plain number)"
        )
    raise AnalysisInputError(
        f"{what} must be a Benchmark, a number or a mapping of Benchmark fields, got "
        f"{type(obj).__name__}"
    )


# ---------------------------------------------------------------------------------------------
# selection check


def selection_check(
    df: pd.DataFrame,
    variable: str,
    *,
    benchmark: Benchmark | float | Mapping[str, Any],
    weight: str | None = None,
    level: Any = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Compare a sample's mean (or share) with a population benchmark.

    Typically ``df`` holds the participants' baseline rows (filter on ``wave == "pre"`` and
    ``group == "participant"`` first) and the benchmark is a published survey estimate or a
    weighted population survey sample.

    Parameters
    ----------
    df : pandas.DataFrame
        The sample, one row per respondent.
    variable : str
        Column compared. Numeric columns are compared by their mean; with ``level`` the share
        of rows whose value is ``level`` (or in ``level`` when it is a list) is compared.
    benchmark : Benchmark, float or mapping
        The population benchmark: a :class:`Benchmark` (a published ``value`` with optional
        ``se``, ``source``, ``year``, or a ``sample`` with optional ``variable`` and
        ``weight``), a plain number (a published value), or a mapping of Benchmark fields.
    weight : str, optional
        Weight column of the sample.
    level : scalar or list, optional
        Value(s) counted for a share, e.g. ``"isced_5_8"`` or ``[4, 5]``.
    confidence_level : float, default 0.95
        Coverage of the interval.

    Returns
    -------
    pandas.DataFrame
        One row: ``variable``, ``level``, ``estimate`` (sample - benchmark), ``se``,
        ``ci_low``, ``ci_high`` (interval of the difference), ``confidence_level``,
        ``statistic`` (t or z), ``df`` (infinite for a normal reference), ``p_value``, ``n``
        (sample values used), ``sample_value`` (the sample's mean or share),
        ``benchmark_value``, ``n_benchmark`` (benchmark sample size; NaN for a published
        value), ``benchmark_source``, ``benchmark_year`` and ``method``.

    Raises
    ------
    AnalysisInputError
        If the benchmark is not one published value or one sample, a column is missing, or
        fewer than two values are available.

    Notes
    -----
    Unweighted sample against a value: one-sample t-test (R ``t.test(x, mu = value)``).
    Unweighted sample against an unweighted benchmark sample: Welch's t-test (R ``t.test(x,
    y)``). When either side is weighted, each weighted mean gets its linearised SE
    (``survey::svymean`` with ``svydesign(ids = ~1, weights = ~w)``), the SEs are combined as
    independent samples, and a normal reference distribution is used. A published ``se`` is
    likewise added in quadrature with a normal reference distribution.

    Validated against R ``t.test`` (one-sample and Welch) to 1e-6; the weighted SE is the
    ``survey::svymean`` formula checked in :func:`deliberval.analysis.change.prepost`.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika*, 34(1-2), 28-35.
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.benchmarks import Benchmark, selection_check
    >>> sample = pd.DataFrame({"trust": [6, 7, 5, 8, 6, 7, 5, 6]})
    >>> r = selection_check(sample, "trust",
    ...                     benchmark=Benchmark(value=5.2, source="ESS round 10", year=2021))
    >>> r[["sample_value", "benchmark_value", "estimate", "p_value", "n"]].round(3)
       sample_value  benchmark_value  estimate  p_value  n
    0          6.25              5.2      1.05    0.024  8
    """
    lev = check_confidence_level(confidence_level)
    bench = _as_benchmark(benchmark)
    require_columns(df, [variable, *([weight] if weight else [])], what="sample")

    def values(
        frame: pd.DataFrame, col: str, wcol: str | None, what: str
    ) -> tuple[np.ndarray, np.ndarray | None]:
        s = frame[col]
        if level is not None:
            ok = s.notna()
            levels = level if isinstance(level, list | tuple | set) else [level]
            x = s.isin(levels).astype(float)[ok]
        else:
            x = numeric_column(s, col).dropna()
        w = None
        if wcol is not None:
            ww = numeric_column(frame[wcol], wcol).loc[x.index]
            keep = ww.notna() & (ww > 0)
            x, w = x[keep], ww[keep].to_numpy()
        if len(x) < 2:
            raise AnalysisInputError(f"{what} has fewer than two values of {col!r}")
        return x.to_numpy(dtype=float), w

    x, w = values(df, variable, weight, "sample")
    n = x.size
    if w is None:
        est, se = float(x.mean()), float(x.std(ddof=1) / math.sqrt(n))
    else:
        est, se = weighted_mean_se(x, w)
    n_b: float = math.nan
    if bench.sample is not None:
        bvar = bench.variable or variable
        require_columns(
            bench.sample,
            [bvar, *([bench.weight] if bench.weight else [])],
            what="benchmark sample",
        )
        xb, wb = values(bench.sample, bvar, bench.weight, "benchmark sample")
        n_b = float(xb.size)
        if wb is None:
            est_b, se_b = float(xb.mean()), float(xb.std(ddof=1) / math.sqrt(xb.size))
        else:
            est_b, se_b = weighted_mean_se(xb, wb)
        se_d = math.sqrt(se**2 + se_b**2)
        if w is None and wb is None:
            denom = se**4 / (n - 1) + se_b**4 / (xb.size - 1)
            # Welch-Satterthwaite df; both samples constant: no variance, no test (R errors)
            dof = se_d**4 / denom if denom > 0 else math.nan
            method = "Welch two-sample t-test against a benchmark sample"
        else:
            dof = math.inf
            method = "weighted means with linearised SEs, normal approximation"
    else:
        est_b = float(bench.value)  # type: ignore[arg-type]
        if bench.se is not None:
            se_d = math.sqrt(se**2 + float(bench.se) ** 2)
            dof = math.inf
            method = "difference from a published value with its SE, normal approximation"
        else:
            se_d = se
            dof = math.inf if w is not None else float(n - 1)
            method = (
                "one-sample t-test against a published value"
                if w is None
                else "weighted mean with linearised SE against a published value, normal approximation"
            )
    diff = est - est_b
    if se_d == 0:  # constant values: zero-width interval, no test
        q = 0.0
    elif math.isinf(dof):
        q = float(stats.norm.ppf(0.5 + lev / 2))
    else:
        q = t_quantile(lev, dof)
    stat = diff / se_d if se_d > 0 else math.nan
    if math.isnan(stat):
        p = math.nan
    elif math.isinf(dof):
        p = float(2 * stats.norm.sf(abs(stat)))
    else:
        p = float(2 * stats.t.sf(abs(stat), dof))
    out = pd.DataFrame(
        [
            {
                "variable": variable,
                "level": None if level is None else str(level),
                "estimate": diff,
                "se": se_d,
                "ci_low": diff - q * se_d,
                "ci_high": diff + q * se_d,
                "confidence_level": lev,
                "statistic": stat,
                "df": float(dof),
                "p_value": p,
                "n": int(n),
                "sample_value": est,
                "benchmark_value": est_b,
                "n_benchmark": n_b,
                "benchmark_source": bench.source,
                "benchmark_year": bench.year,
                "method": method,
            }
        ],
        columns=SELECTION_CHECK_COLUMNS,
    )
    out["level"] = out["level"].astype("string")
    out["benchmark_source"] = out["benchmark_source"].astype("string")
    out["benchmark_year"] = out["benchmark_year"].astype("Int64")
    return out


# ---------------------------------------------------------------------------------------------
# attitudes: the panel's baseline against a population benchmark


def _benchmarks_by_variable(
    benchmark: Benchmark | pd.DataFrame | Mapping[str, Any] | float, variables: list[str]
) -> dict[str, Benchmark]:
    """One :class:`Benchmark` per variable from the forms ``benchmark=`` accepts."""
    if isinstance(benchmark, pd.DataFrame):
        if not {"variable", "value"} <= set(benchmark.columns):
            raise AnalysisInputError(
                "a benchmark table needs the columns variable, value (and optionally se, "
                "source, year); to compare with a population survey sample pass "
                "benchmark=Benchmark(sample=...)"
            )
        table = benchmark.copy()
        table["variable"] = table["variable"].astype(str)
        dup = table["variable"].duplicated()
        if dup.any():
            raise AnalysisInputError(
                f"benchmark gives variable {table.loc[dup, 'variable'].iloc[0]!r} more than once"
            )
        for col in ("se", "source", "year"):
            if col not in table.columns:
                table[col] = None
        table = table.set_index("variable")
        missing = [v for v in variables if v not in table.index]
        if missing:
            raise AnalysisInputError(
                f"benchmark has no value for {', '.join(map(repr, missing))}; it gives "
                f"{', '.join(map(repr, table.index))}"
            )
        out = {}
        for v in variables:
            row = table.loc[v]
            value, se, year = (
                pd.to_numeric(pd.Series([row[c]]), errors="coerce").iloc[0]
                for c in ("value", "se", "year")
            )
            if pd.isna(value):
                raise AnalysisInputError(f"benchmark value of {v!r} is missing or not a number")
            out[v] = Benchmark(
                value=float(value),
                se=None if pd.isna(se) else float(se),
                source=None if pd.isna(row["source"]) else str(row["source"]),
                year=None if pd.isna(year) else int(year),
            )
        return out
    if isinstance(benchmark, Mapping):
        missing = [v for v in variables if v not in benchmark]
        if missing:
            raise AnalysisInputError(
                f"benchmark has no value for {', '.join(map(repr, missing))}; it gives "
                f"{', '.join(map(repr, benchmark))}"
            )
        return {v: _as_benchmark(benchmark[v], f"benchmark of {v!r}") for v in variables}
    one = _as_benchmark(benchmark)
    if len(variables) > 1 and (one.sample is None or one.variable is not None):
        raise AnalysisInputError(
            "one benchmark serves several variables only as a sample with the same column "
            "names (Benchmark(sample=...) without variable=); give a table or a mapping "
            "variable -> value for published values"
        )
    return dict.fromkeys(variables, one)


def attitudinal_representativeness(
    df: pd.DataFrame,
    variables: str | Sequence[str],
    *,
    benchmark: Benchmark | pd.DataFrame | Mapping[str, Any] | float,
    weight: str | None = None,
    levels: Mapping[str, Any] | None = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Compare the panel's baseline attitudes (trust, efficacy, ...) with a population benchmark.

    One call of :func:`selection_check` per variable, gathered in one table with
    Holm-adjusted p-values across the variables.

    Parameters
    ----------
    df : pandas.DataFrame
        The panel's baseline, one row per member, scored (e.g. the ``wave == "pre"`` and
        ``group == "participant"`` rows of the canonical responses table).
    variables : str or sequence of str
        Item or scale columns compared, e.g. ``["trust_political_institutions",
        "external_efficacy"]``.
    benchmark : DataFrame, mapping or Benchmark
        Published population estimates on the same scale, as a table with columns
        ``variable, value`` and optionally ``se``, ``source``, ``year`` (one row per
        variable) or a mapping ``variable -> value`` (or ``-> Benchmark``); or a population
        survey sample with the same columns, ``Benchmark(sample=population, weight=...)``.
    weight : str, optional
        Weight column of ``df``.
    levels : dict, optional
        ``variable -> code(s)`` for variables compared as a share rather than a mean, e.g.
        ``{"efficacy_ext_care": [4, 5]}`` (share agreeing).
    confidence_level : float, default 0.95
        Coverage of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per variable, in the order given, with the columns of
        :func:`selection_check`: ``variable``, ``level``, ``estimate`` (panel - benchmark),
        ``se``, ``ci_low``, ``ci_high`` (interval of the difference), ``confidence_level``,
        ``statistic``, ``df``, ``p_value``, ``holm_p_value`` (``p_value`` adjusted across
        the variables), ``n``, ``sample_value``, ``benchmark_value``, ``n_benchmark``,
        ``benchmark_source``, ``benchmark_year``, ``method``.

    Raises
    ------
    AnalysisInputError
        If a variable has no benchmark, a column is missing, or a variable has fewer than
        two values.

    Notes
    -----
    Each row is :func:`selection_check` unchanged: a one-sample t-test of the panel mean
    against a published value (``t = (m - mu) / (s / sqrt(n))`` on ``n - 1`` df), Welch's
    t-test against an unweighted benchmark sample, and a normal reference with linearised SEs
    when either side is weighted or the published value comes with its ``se``.
    ``holm_p_value`` is Holm's step-down adjustment of ``p_value`` over the variables
    (R ``p.adjust(p, "holm")``): with ``m`` variables and ordered p-values
    ``p_(1) <= ... <= p_(m)``, ``holm_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))``.

    A panel of 15 to 40 members can only detect large differences (see
    :func:`margins_of_error`); read a non-significant row as "no evidence", not as "alike".

    Validated against R ``t.test(x, mu = value)`` and ``t.test(x, y)`` to 1e-6 through the
    selection-check golden values (tests/reference/change).

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian
    Journal of Statistics*, 6(2), 65-70.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.benchmarks import attitudinal_representativeness
    >>> panel = pd.DataFrame({"trust": [6, 7, 5, 8, 6, 7, 5, 6],
    ...                       "efficacy": [3, 4, 4, 2, 5, 4, 3, 4]})
    >>> bench = pd.DataFrame({"variable": ["trust", "efficacy"], "value": [5.2, 3.1],
    ...                       "source": "ESS round 10", "year": 2021})
    >>> r = attitudinal_representativeness(panel, ["trust", "efficacy"], benchmark=bench)
    >>> r[["variable", "sample_value", "estimate", "ci_low", "ci_high", "n"]].round(3)
       variable  sample_value  estimate  ci_low  ci_high  n
    0     trust         6.250     1.050   0.185    1.915  8
    1  efficacy         3.625     0.525  -0.241    1.291  8
    >>> r[["p_value", "holm_p_value"]].round(4)
       p_value  holm_p_value
    0   0.0240        0.0480
    1   0.1491        0.1491
    """
    level = check_confidence_level(confidence_level)
    names = [variables] if isinstance(variables, str) else list(variables)
    if not names:
        raise AnalysisInputError("variables is empty; name at least one item or scale column")
    level_map = dict(levels or {})
    unknown = [k for k in level_map if k not in names]
    if unknown:
        raise AnalysisInputError(
            f"levels names variable(s) not compared: {', '.join(map(repr, unknown))}"
        )
    require_columns(df, [*names, *([weight] if weight else [])], what="panel")
    by_variable = _benchmarks_by_variable(benchmark, names)
    rows = [
        selection_check(
            df,
            v,
            benchmark=by_variable[v],
            weight=weight,
            level=level_map.get(v),
            confidence_level=level,
        )
        for v in names
    ]
    out = pd.concat(rows, ignore_index=True)
    p = out["p_value"].to_numpy(dtype=float)
    ok = ~np.isnan(p)
    holm = np.full(p.size, np.nan)
    if ok.any():
        holm[ok] = holm_adjust(p[ok])
    out.insert(int(out.columns.get_loc("p_value")) + 1, "holm_p_value", holm)
    return out


# ---------------------------------------------------------------------------------------------
# what a panel of a given size can claim


def margins_of_error(
    sizes: Sequence[int] = (15, 40, 150),
    *,
    proportion: float = 0.5,
    confidence_level: float = 0.95,
    power: float = 0.8,
    population_size: float | None = None,
) -> pd.DataFrame:
    """Margins of error and minimum detectable differences for panels of given sizes.

    Parameters
    ----------
    sizes : sequence of int, default (15, 40, 150)
        Panel sizes, e.g. a 15-member political task committee, a 40-member committee, a
        150-member assembly.
    proportion : float, default 0.5
        Share at which the proportion-based quantities are evaluated (0.5 is the worst case).
    confidence_level : float, default 0.95
        Two-sided level (:math:`\\alpha = 1 -` level).
    power : float, default 0.8
        Power for the minimum detectable differences.
    population_size : float, optional
        Finite population (e.g. the pool) for the correction
        :math:`\\sqrt{(N - n) / (N - 1)}`; omitted means infinite.

    Returns
    -------
    pandas.DataFrame
        One row per size: ``n, proportion, margin_of_error, mdd_proportion,
        mdd_standardised, confidence_level, power, method``; ``margin_of_error`` and
        ``mdd_proportion`` are proportions (0-1), ``mdd_standardised`` is in standard
        deviations.

    Notes
    -----
    ``margin_of_error`` is the half-width :math:`z_{1-\\alpha/2}\\sqrt{p(1-p)/n}`;
    ``mdd_proportion`` is the smallest difference between a panel share and a known
    population share that a two-sided test detects with the given power,
    :math:`(z_{1-\\alpha/2} + z_{\\text{power}})\\sqrt{p(1-p)/n}` (normal approximation,
    optimistic for n near 15). ``mdd_standardised`` is the smallest standardised mean
    difference (Cohen's d) detectable by a one-sample or paired t-test (pre/post change of the
    same members), solved exactly from the noncentral t (statsmodels ``TTestPower``); it
    ignores the finite population correction.

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences* (2nd ed.).
    Lawrence Erlbaum.

    Examples
    --------
    >>> from deliberval.analysis.benchmarks import margins_of_error
    >>> margins_of_error()[["n", "margin_of_error", "mdd_proportion", "mdd_standardised"]].round(3)
         n  margin_of_error  mdd_proportion  mdd_standardised
    0   15            0.253           0.362             0.778
    1   40            0.155           0.221             0.454
    2  150            0.080           0.114             0.230
    """
    level = check_confidence_level(confidence_level)
    if not 0 < proportion < 1:
        raise AnalysisInputError(f"proportion must lie strictly between 0 and 1, got {proportion}")
    if not 0 < power < 1:
        raise AnalysisInputError(f"power must lie strictly between 0 and 1, got {power}")
    ns = [int(n) for n in sizes]
    if not ns or min(ns) < 2:
        raise AnalysisInputError("sizes must be panel sizes of at least 2")
    if population_size is not None and population_size < max(ns):
        raise AnalysisInputError("population_size is smaller than a panel size")
    z_a = normal_quantile(level)
    z_b = float(stats.norm.ppf(power))
    rows = []
    for n in ns:
        fpc = (
            1.0
            if population_size is None
            else math.sqrt((population_size - n) / (population_size - 1))
        )
        se = math.sqrt(proportion * (1 - proportion) / n) * fpc
        d = float(
            TTestPower().solve_power(nobs=n, alpha=1 - level, power=power, alternative="two-sided")
        )
        rows.append(
            {
                "n": n,
                "proportion": proportion,
                "margin_of_error": z_a * se,
                "mdd_proportion": (z_a + z_b) * se,
                "mdd_standardised": d,
                "confidence_level": level,
                "power": power,
                "method": "normal approximation (proportions); noncentral t (standardised)",
            }
        )
    return pd.DataFrame(rows)
