"""Recommendation uptake: what happened to each recommendation, and comparable indicators.

"Say what you do and do what you say": from a register of recommendations and coded public
responses, :func:`uptake` gives the status of every recommendation on an evaluation date and,
per process, the share with any public response, the share answered within the legal or
promised deadline, the shares rejected with and without reasons, the uptake, fidelity-weighted
uptake and implementation rates, the prior-agenda matrix (a cherry-picking indicator), and
Kaplan-Meier curves of the time to a first response and to implementation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import odds_ratio
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from statsmodels.stats.proportion import confint_proportions_2indep

from deliberval.analysis._common import check_confidence_level, normal_quantile, wilson_interval
from deliberval.errors import AnalysisInputError, DelibervalError
from deliberval.instruments.coding import CodingScheme

__all__ = ["INDICATORS", "UptakeResult", "kaplan_meier", "say_do_gap", "uptake", "uptake_snapshots",
           "wilson_interval"]

#: Indicators of :func:`uptake`, in the order they are reported.
INDICATORS: tuple[str, ...] = (
    "any_public_response",
    "answered_within_deadline",
    "rejected_with_reasons",
    "rejected_without_reasons",
    "uptake_rate",
    "fidelity_weighted_uptake",
    "implementation_rate",
)
_ENDPOINTS = ("first_response", "implementation")


class _Register(Protocol):
    """What :func:`uptake` reads of a :class:`deliberval.schemas.register.Register` (the analysis
    library does not import the schemas: it takes the register validated upstream)."""

    @property
    def recommendations(self) -> pd.DataFrame: ...

    @property
    def events(self) -> pd.DataFrame: ...

    @property
    def scheme(self) -> CodingScheme: ...

_INDICATOR_COLUMNS = ["process_id", "indicator", "estimate", "ci_low", "ci_high",
                      "confidence_level", "n", "count", "method"]
_STEP_COLUMNS = ["process_id", "endpoint", "time", "n_risk", "n_events", "survival",
                 "se", "ci_low", "ci_high", "cumulative", "confidence_level", "method"]
_KM_METHOD = "Kaplan-Meier; Greenwood standard error; log-transformed interval (R survfit conf.type = 'log')"
_MEDIAN_METHOD = ("Kaplan-Meier median in days since submission; interval from the confidence bands "
                  "(R print.survfit, conf.type = 'log'); NaN where not reached")
_AGENDA_TEST_COLUMNS = ["process_id", "estimate", "ci_low", "ci_high", "confidence_level",
                        "uptake_on_agenda", "uptake_new", "odds_ratio", "odds_ratio_ci_low",
                        "odds_ratio_ci_high", "p_value", "n", "n_on_agenda", "n_new", "n_unknown",
                        "method"]
_MEDIAN_COLUMNS = ["process_id", "endpoint", "estimate", "ci_low", "ci_high", "confidence_level",
                   "n", "n_events", "method"]


@dataclass(frozen=True)
class UptakeResult:
    """Result of :func:`uptake`; every table is tidy.

    Attributes
    ----------
    as_of : Timestamp
        Evaluation date.
    status : DataFrame
        One row per recommendation (see :func:`uptake`).
    indicators : DataFrame
        ``process_id, indicator, estimate, ci_low, ci_high, confidence_level, n, count, method``.
    agenda : DataFrame
        Prior-agenda matrix, one row per process x ``prior_agenda`` (yes / no):
        ``process_id, prior_agenda, n, count, estimate, ci_low, ci_high, confidence_level,
        method``.
    agenda_test : DataFrame
        Per process: ``process_id, estimate`` (difference in uptake, on the agenda minus new),
        ``ci_low, ci_high`` (Newcombe hybrid score interval of the difference),
        ``confidence_level, uptake_on_agenda, uptake_new, odds_ratio, odds_ratio_ci_low,
        odds_ratio_ci_high`` (conditional MLE and exact interval), ``p_value`` (Fisher's exact
        test), ``n`` (recommendations on the agenda or new), ``n_on_agenda, n_new, n_unknown,
        method``.
    survival : DataFrame
        Kaplan-Meier step table: ``process_id, endpoint, time, n_risk, n_events, survival,
        se, ci_low, ci_high, cumulative, confidence_level, method``.
    medians : DataFrame
        ``process_id, endpoint, estimate`` (median days since submission), ``ci_low, ci_high``
        (interval of the median, as R ``print.survfit``; NaN where not reached),
        ``confidence_level, n, n_events, method``.
    comparison : DataFrame
        Indicator estimates side by side: one row per process, one column per indicator.
    tests : DataFrame
        Across-process tests (two or more processes): ``test, outcome, statistic, df, p_value,
        method``.
    scheme : str
        Coding scheme id and version used.
    """

    as_of: pd.Timestamp
    status: pd.DataFrame
    indicators: pd.DataFrame
    agenda: pd.DataFrame
    agenda_test: pd.DataFrame
    survival: pd.DataFrame
    medians: pd.DataFrame
    comparison: pd.DataFrame
    tests: pd.DataFrame
    scheme: str

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``status, indicators, agenda, agenda_test, survival, medians,
        comparison, tests`` (for writers)."""
        return {"status": self.status, "indicators": self.indicators, "agenda": self.agenda,
                "agenda_test": self.agenda_test, "survival": self.survival,
                "medians": self.medians, "comparison": self.comparison, "tests": self.tests}


def kaplan_meier(time: Any, event: Any, *, confidence_level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier estimate (statsmodels ``SurvfuncRight``) as a tidy step table.

    Parameters
    ----------
    time : array-like
        Follow-up times (days).
    event : array-like of bool or 0/1
        1 if the event happened at ``time``, 0 if censored.
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        One row per event time: ``time, n_risk, n_events, survival, se`` (Greenwood standard
        error of the survival), ``ci_low, ci_high`` (log transform, R ``survfit`` default
        ``conf.type = "log"``, limits capped at 1), ``cumulative`` (1 - survival),
        ``confidence_level`` and ``method``.

    Notes
    -----
    :math:`\\hat S(t) = \\prod_{t_i \\le t}(1 - d_i/n_i)`; Greenwood
    :math:`\\widehat{se}(\\hat S) = \\hat S\\sqrt{\\sum_{t_i\\le t} d_i/(n_i(n_i-d_i))}`;
    interval :math:`\\hat S \\exp(\\pm z\\,\\widehat{se}/\\hat S)`. Validated against R survival
    3.5.3 ``summary(survfit(Surv(time, event) ~ 1))`` to 1e-9.

    References
    ----------
    Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete observations.
    *JASA*, 53(282), 457-481.
    Greenwood, M. (1926). The natural duration of cancer. *Reports on Public Health and
    Medical Subjects*, 33. HMSO.

    Examples
    --------
    >>> from deliberval.analysis.uptake import kaplan_meier
    >>> km = kaplan_meier([5, 8, 8, 12, 20, 30], [1, 1, 0, 1, 0, 1])
    >>> km[["time", "n_risk", "survival"]].round(4)
       time  n_risk  survival
    0   5.0       6    0.8333
    1   8.0       5    0.6667
    2  12.0       3    0.4444
    3  30.0       1    0.0000
    """
    cl = check_confidence_level(confidence_level)
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    if len(t) == 0 or e.sum() == 0:
        return pd.DataFrame(columns=_STEP_COLUMNS[2:])
    sf = SurvfuncRight(t, e)
    s = np.asarray(sf.surv_prob, dtype=float)
    se = np.asarray(sf.surv_prob_se, dtype=float)
    z = normal_quantile(cl)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_se = np.where(s > 0, se / s, np.nan)
        low = s * np.exp(-z * log_se)
        high = np.minimum(s * np.exp(z * log_se), 1.0)
    return pd.DataFrame({
        "time": np.asarray(sf.surv_times, dtype=float),
        "n_risk": np.asarray(sf.n_risk, dtype=int),
        "n_events": np.asarray(sf.n_events, dtype=int),
        "survival": s,
        "se": se,
        "ci_low": low,
        "ci_high": high,
        "cumulative": 1 - s,
        "confidence_level": cl,
        "method": _KM_METHOD,
    })


def _first_crossing(values: np.ndarray, times: np.ndarray) -> float:
    """R survival's ``survmean`` rule: first time a curve is <= 0.5 (tolerance sqrt(eps)).

    Missing values (a band where the survival is 0) are skipped. If the curve equals 0.5 there,
    the result is the midpoint to the next time it drops below that value (a flat segment at
    0.5); if it never drops, the time itself.
    """
    tol = float(np.sqrt(np.finfo(float).eps))
    keep = ~np.isnan(values) & (values < 0.5 + tol)
    if not keep.any():
        return np.nan
    y, x = values[keep], times[keep]
    lower = np.flatnonzero(y < y[0])
    if abs(y[0] - 0.5) < tol and len(lower):
        return float((x[0] + x[lower[0]]) / 2)
    return float(x[0])


def _km_median(steps: pd.DataFrame) -> tuple[float, float, float]:
    """Median and its interval as R ``summary(survfit)$table`` (median, LCL, UCL)."""
    if steps.empty:
        return np.nan, np.nan, np.nan
    t = steps["time"].to_numpy(dtype=float)
    return (_first_crossing(steps["survival"].to_numpy(dtype=float), t),
            _first_crossing(steps["ci_low"].to_numpy(dtype=float), t),
            _first_crossing(steps["ci_high"].to_numpy(dtype=float), t))


def _newcombe(k1: int, n1: int, k0: int, n0: int, cl: float) -> tuple[float, float]:
    """Newcombe (1998, method 10) hybrid score interval of p1 - p0 (statsmodels)."""
    if not (n1 and n0):
        return np.nan, np.nan
    low, high = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff",
                                           alpha=1 - cl)
    return float(low), float(high)


def _deadlines(deadline_days: int | Mapping[str, int | None] | None,
               processes: list[str]) -> dict[str, int | None]:
    if deadline_days is None:
        return dict.fromkeys(processes)
    if isinstance(deadline_days, Mapping):
        missing = [p for p in processes if p not in deadline_days]
        if missing:
            raise AnalysisInputError(
                f"deadline_days has no entry for process(es) {missing}; give every process a number "
                "of days, or None for a process without a deadline")
        out = {p: deadline_days[p] for p in processes}
    else:
        out = dict.fromkeys(processes, deadline_days)
    for p, d in out.items():
        if d is not None and (not isinstance(d, int | np.integer) or d < 0):
            raise AnalysisInputError(f"deadline_days for {p!r} must be a whole number >= 0, got {d!r}")
    return {p: (None if d is None else int(d)) for p, d in out.items()}


def uptake(
    register: _Register,
    *,
    as_of: Any,
    scheme: CodingScheme | None = None,
    deadline_days: int | Mapping[str, int | None] | None = None,
    coder: str | None = None,
    confidence_level: float = 0.95,
) -> UptakeResult:
    """Status of every recommendation on a date and comparable uptake indicators per process.

    Parameters
    ----------
    register : Register
        A validated register: ``validate_register(recommendations, events).register``
        (:func:`deliberval.validation.register.validate_register`), or a register simulator's
        output. It is used as it is (not checked again).
    as_of : date-like
        Evaluation date. Events after it are ignored; recommendations without a response by
        then are censored at it.
    deadline_days : int, mapping or None
        Days after submission within which a response was due (a legal or promised deadline,
        e.g. 182 for six months). One number for every process, or ``{process_id: days}``
        covering every process (None for a process without a deadline). Without a deadline
        the ``answered_within_deadline`` indicator is not reported for that process.
    coder : str, optional
        When the events were coded by several coders, the coder whose coding is the reference
        (check agreement first with :func:`deliberval.agreement`). Required in that case.
    confidence_level : float, default 0.95
    scheme : CodingScheme, optional
        The coding scheme; default (and the only one accepted) the scheme the register was
        validated against, ``register.scheme``. No file is read.

    Returns
    -------
    UptakeResult
        ``status`` has one row per recommendation: ``process_id, rec_id, submitted,
        prior_agenda, status`` (latest code on ``as_of``; ``no_response`` if none),
        ``status_rank, status_date, n_events, responded, first_response_date,
        days_to_first_response, deadline_date, within_deadline, rejected, justified, taken_up,
        fidelity, fidelity_weight, impact_type, implemented, implementation_date,
        days_to_implementation, follow_up_days`` (days from submission to ``as_of``, the
        censoring time). See :class:`UptakeResult` for the other tables.

    Raises
    ------
    AnalysisInputError
        ``register`` is not a register, ``scheme`` differs from the register's, ``as_of``
        before a process's submission date, several coders without ``coder``, or a bad
        ``deadline_days``.

    Notes
    -----
    Per process, with N recommendations (all indicators use all N as denominator, so nothing
    is dropped):

    - ``any_public_response``: share with at least one event other than ``no_response`` by
      ``as_of``.
    - ``answered_within_deadline``: share whose first public response came no later than
      submission + ``deadline_days`` (and by ``as_of``).
    - ``rejected_with_reasons`` / ``rejected_without_reasons``: share whose status on
      ``as_of`` is a rejection with / without a justification.
    - ``uptake_rate``: share whose status is ``accepted_in_principle`` or higher.
    - ``fidelity_weighted_uptake``: :math:`\\sum_i u_i w_i / N'` with :math:`u_i` the uptake
      indicator, :math:`w_i` the weight of its latest fidelity code (scheme: unchanged 1,
      expanded 1, modified 0.5, diluted 0.25) and :math:`N'` = N minus taken-up
      recommendations without a fidelity code (their number is stated in ``method``).
    - ``implementation_rate``: share whose status is ``implemented``.

    Intervals are Wilson score intervals (R ``prop.test(correct = FALSE)``; for the
    fidelity-weighted share they are applied to the weighted count, an approximation).
    The status on ``as_of`` is the code of the latest event by date (events on the same date:
    the later row wins), so a later reversal counts. The prior-agenda matrix follows Vrydagh
    (2022): uptake among recommendations already on the authority's agenda before the process
    against new ones; a large positive difference suggests cherry-picking. The difference
    :math:`d = \\hat p_1 - \\hat p_0` gets the Newcombe (1998, method 10) hybrid score interval
    :math:`[d - \\sqrt{(\\hat p_1 - l_1)^2 + (u_0 - \\hat p_0)^2},\\;
    d + \\sqrt{(u_1 - \\hat p_1)^2 + (\\hat p_0 - l_0)^2}]` from the Wilson limits
    :math:`(l_i, u_i)` of the two groups (statsmodels ``confint_proportions_2indep``,
    ``method="newcomb"``; it stays inside [-1, 1] and behaves well at 0 or 100 %). It is
    tested with
    Fisher's exact test (two-sided; conditional maximum-likelihood odds ratio with its exact
    interval; R ``fisher.test`` finds the same values with a looser root-finding tolerance, so
    they agree to about 1e-3 relative); ``unknown`` recommendations are counted in
    ``n_unknown`` and left out of the matrix. Times are days from submission to the first
    public response / to implementation, censored at ``as_of``; Kaplan-Meier by
    :func:`kaplan_meier`; medians as R ``survfit``: the first time the curve is at or below
    0.5 (the midpoint to the next event time where it is exactly 0.5 over a flat segment);
    the median's interval applies the same rule to the lower and upper confidence bands
    (``conf.type = "log"``), so a band that never reaches 0.5 gives NaN ("not reached").
    Across processes: Pearson's chi-square
    test of the uptake rates and the log-rank test of the time to first response
    (statsmodels ``survdiff``). Validated against R 4.x (``prop.test``, ``fisher.test``,
    ``survival::survfit``, ``survival::survdiff``, ``chisq.test``) to 1e-9; the Newcombe
    interval against the explicit formula from R ``prop.test(correct = FALSE)`` Wilson limits
    and the median's interval against ``summary(survfit(...))$table`` (survival 3.5.3), both
    to 1e-9 at 95 % and 90 %.

    References
    ----------
    Vrydagh, J. (2022). Measuring the impact of consultative citizen participation: reviewing
    the congruency approaches for assessing the uptake of citizens' ideas. Policy Sciences,
    55, 65-88.
    Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete observations.
    JASA, 53(282), 457-481.
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine, 17(8), 873-890.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.uptake import uptake
    >>> from deliberval.validation.register import validate_register
    >>> recs = pd.DataFrame({"process_id": "p1", "rec_id": ["r1", "r2", "r3", "r4"],
    ...                      "title": ["a", "b", "c", "d"], "submitted": "2024-01-10",
    ...                      "prior_agenda": ["yes", "no", "no", "yes"]})
    >>> ev = pd.DataFrame({"rec_id": ["r1", "r1", "r2", "r3"],
    ...                    "date": ["2024-02-01", "2024-09-01", "2024-03-15", "2024-08-01"],
    ...                    "response_status": ["accepted_in_principle", "implemented",
    ...                                        "rejected_with_reasons", "acknowledged"],
    ...                    "fidelity": ["modified", "modified", None, None]})
    >>> register = validate_register(recs, ev).register
    >>> res = uptake(register, as_of="2024-12-31", deadline_days=90)
    >>> res.status[["rec_id", "status", "days_to_first_response", "within_deadline"]]
      rec_id                 status  days_to_first_response  within_deadline
    0     r1            implemented                    22.0             True
    1     r2  rejected_with_reasons                    65.0             True
    2     r3           acknowledged                   204.0            False
    3     r4            no_response                     NaN            False
    >>> res.indicators[["indicator", "estimate", "n"]]
                      indicator  estimate  n
    0       any_public_response     0.750  4
    1  answered_within_deadline     0.500  4
    2     rejected_with_reasons     0.250  4
    3  rejected_without_reasons     0.000  4
    4               uptake_rate     0.250  4
    5  fidelity_weighted_uptake     0.125  4
    6       implementation_rate     0.250  4
    >>> res.agenda_test[["estimate", "ci_low", "ci_high"]].round(3)
       estimate  ci_low  ci_high
    0       0.5  -0.273    0.905
    >>> res.medians[["endpoint", "estimate", "ci_low", "ci_high"]]
             endpoint  estimate  ci_low  ci_high
    0  first_response     134.5    22.0      NaN
    1  implementation       NaN   235.0      NaN
    """
    cl = check_confidence_level(confidence_level)
    if not all(hasattr(register, a) for a in ("recommendations", "events", "scheme")):
        raise AnalysisInputError(
            f"pass a validated Register (validate_register(recommendations, events).register), "
            f"got {type(register).__name__}")
    if scheme is None:
        scheme = register.scheme
    elif scheme != register.scheme:
        raise AnalysisInputError(
            f"the register was validated against coding scheme {register.scheme.id} "
            f"{register.scheme.version}, not the scheme given ({scheme.id} {scheme.version}); "
            "validate the register with validate_register(..., scheme=scheme)")
    recs, ev = register.recommendations, register.events
    try:
        when = pd.Timestamp(as_of)
    except (ValueError, TypeError) as exc:
        raise AnalysisInputError(f"as_of must be a date such as '2024-12-31', got {as_of!r}") from exc
    if pd.isna(when):
        raise AnalysisInputError(f"as_of must be a date such as '2024-12-31', got {as_of!r}")
    when = when.normalize().as_unit("ns")
    early = recs[recs["submitted"] > when]
    if len(early):
        p = early["process_id"].iloc[0]
        raise AnalysisInputError(
            f"as_of {when:%Y-%m-%d} is before process {p!r} submitted its recommendations "
            f"({early['submitted'].min():%Y-%m-%d}); choose a later evaluation date")
    coders = sorted(ev["coder"].dropna().unique())
    if coder is not None:
        if coder not in coders:
            raise AnalysisInputError(f"coder {coder!r} not found; events are coded by {coders}")
        ev = ev[ev["coder"] == coder]
    elif len(coders) > 1:
        raise AnalysisInputError(
            f"events are coded by several coders {coders}; pass coder= to choose the reference "
            "coding (check agreement first with deliberval.agreement)")
    processes = list(dict.fromkeys(recs["process_id"]))
    deadlines = _deadlines(deadline_days, processes)

    status = _status_table(recs, ev, when, scheme, deadlines)
    indicators = _indicators(status, deadlines, cl)
    agenda, agenda_test = _agenda(status, cl)
    survival, medians = _survival(status, cl)
    comparison = (indicators.pivot(index="process_id", columns="indicator", values="estimate")
                  .reindex(index=processes, columns=[i for i in INDICATORS
                                                     if i in set(indicators["indicator"])])
                  .reset_index())
    comparison.columns.name = None
    tests = _tests(status, processes)
    return UptakeResult(
        as_of=when, status=status, indicators=indicators, agenda=agenda, agenda_test=agenda_test,
        survival=survival, medians=medians, comparison=comparison, tests=tests,
        scheme=f"{scheme.id} {scheme.version}",
    )


def _status_table(recs: pd.DataFrame, ev: pd.DataFrame, when: pd.Timestamp,
                  scheme: CodingScheme, deadlines: dict[str, int | None]) -> pd.DataFrame:
    ev = ev[ev["date"] <= when].copy()
    ev["_order"] = np.arange(len(ev))
    ev = ev.sort_values(["rec_id", "date", "_order"], kind="stable")
    rank = scheme.status_rank
    none_code = scheme.no_response_code
    latest = ev.groupby("rec_id").tail(1).set_index("rec_id")
    public = ev[ev["response_status"] != none_code]
    first_resp = public.groupby("rec_id")["date"].min()
    impl = ev[ev["response_status"].isin(scheme.implemented_codes)].groupby("rec_id")["date"].min()
    fid = ev.dropna(subset=["fidelity"]).groupby("rec_id").tail(1).set_index("rec_id")["fidelity"]
    imp = ev.dropna(subset=["impact_type"]).groupby("rec_id").tail(1).set_index("rec_id")["impact_type"]
    n_ev = ev.groupby("rec_id").size()

    out = recs[["process_id", "rec_id", "submitted", "prior_agenda"]].copy()
    rid = out["rec_id"]
    out["status"] = rid.map(latest["response_status"]).fillna(none_code).astype(str)
    out["status_rank"] = out["status"].map(rank).astype(int)
    out["status_date"] = _map_dates(rid, latest["date"])
    out["n_events"] = rid.map(n_ev).fillna(0).astype(int)
    out["first_response_date"] = _map_dates(rid, first_resp)
    out["responded"] = out["first_response_date"].notna()
    out["days_to_first_response"] = (out["first_response_date"] - out["submitted"]).dt.days.astype(float)
    days = out["process_id"].map(deadlines)
    out["deadline_date"] = (out["submitted"] + pd.to_timedelta(days.astype(float), unit="D")
                            ).astype("datetime64[ns]")
    within = out["responded"] & (out["first_response_date"] <= out["deadline_date"])
    out["within_deadline"] = within.astype("boolean").mask(days.isna())
    rejected = scheme.rejected_codes
    out["rejected"] = out["status"].isin(list(rejected))
    out["justified"] = out["status"].map(rejected).astype(object)
    out["taken_up"] = out["status"].isin(scheme.uptake_codes)
    out["fidelity"] = rid.map(fid).astype("str").where(rid.map(fid).notna(), None)
    weights = out["fidelity"].map(scheme.fidelity_weights).astype(float)
    out["fidelity_weight"] = np.where(out["taken_up"], weights, 0.0)
    out["impact_type"] = rid.map(imp).astype("str").where(rid.map(imp).notna(), None)
    out["implemented"] = out["status"].isin(scheme.implemented_codes)
    out["implementation_date"] = _map_dates(rid, impl)
    out["days_to_implementation"] = (out["implementation_date"] - out["submitted"]).dt.days.astype(float)
    out["follow_up_days"] = (when - out["submitted"]).dt.days.astype(float)
    return out.reset_index(drop=True)


def _map_dates(keys: pd.Series, values: pd.Series) -> pd.Series:
    if values.empty:
        return pd.Series(pd.NaT, index=keys.index, dtype="datetime64[ns]")
    return keys.map(values).astype("datetime64[ns]")


def _ind(process: str, name: str, count: float, n: int, cl: float, method: str) -> dict[str, Any]:
    low, high = wilson_interval(count, n, cl)
    return {"process_id": process, "indicator": name, "estimate": count / n if n else np.nan,
            "ci_low": low, "ci_high": high, "confidence_level": cl, "n": int(n),
            "count": float(count), "method": method}


def _indicators(status: pd.DataFrame, deadlines: dict[str, int | None], cl: float) -> pd.DataFrame:
    rows = []
    for p, g in status.groupby("process_id", sort=False):
        p = str(p)
        n = len(g)
        rows.append(_ind(p, "any_public_response", g["responded"].sum(), n, cl, "Wilson score"))
        if deadlines[p] is not None:
            method = f"Wilson score; deadline {deadlines[p]} days after submission"
            open_ = int((g["follow_up_days"] < deadlines[p]).sum())
            if open_:
                method += f"; deadline not yet passed for {open_} recommendation(s) (provisional)"
            rows.append(_ind(p, "answered_within_deadline",
                             g["within_deadline"].fillna(False).astype(bool).sum(), n, cl, method))
        rows.append(_ind(p, "rejected_with_reasons",
                         (g["rejected"] & (g["justified"] == True)).sum(), n, cl, "Wilson score"))  # noqa: E712
        rows.append(_ind(p, "rejected_without_reasons",
                         (g["rejected"] & (g["justified"] == False)).sum(), n, cl, "Wilson score"))  # noqa: E712
        rows.append(_ind(p, "uptake_rate", g["taken_up"].sum(), n, cl,
                         "Wilson score; accepted_in_principle or higher"))
        no_fid = int((g["taken_up"] & g["fidelity"].isna()).sum())
        n_fid = n - no_fid
        if int(g["taken_up"].sum()) > 0 and no_fid == int(g["taken_up"].sum()):
            row = _ind(p, "fidelity_weighted_uptake", 0.0, 0, cl,
                       f"not estimable: none of the {no_fid} taken-up recommendations has a fidelity code")
        else:
            method = "Wilson score on the weighted count (approximate)"
            if no_fid:
                method += f"; {no_fid} taken-up recommendation(s) without a fidelity code left out"
            row = _ind(p, "fidelity_weighted_uptake", float(g["fidelity_weight"].fillna(0).sum()),
                       n_fid, cl, method)
        rows.append(row)
        rows.append(_ind(p, "implementation_rate", g["implemented"].sum(), n, cl, "Wilson score"))
    return pd.DataFrame(rows, columns=_INDICATOR_COLUMNS)


def _agenda(status: pd.DataFrame, cl: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, tests = [], []
    for p, g in status.groupby("process_id", sort=False):
        counts = {}
        for grp in ("yes", "no"):
            sub = g[g["prior_agenda"] == grp]
            k, n = int(sub["taken_up"].sum()), len(sub)
            low, high = wilson_interval(k, n, cl)
            rows.append({"process_id": p, "prior_agenda": grp, "n": n, "count": k,
                         "estimate": k / n if n else np.nan, "ci_low": low, "ci_high": high,
                         "confidence_level": cl, "method": "Wilson score"})
            counts[grp] = (k, n)
        (k1, n1), (k0, n0) = counts["yes"], counts["no"]
        n_unknown = int((g["prior_agenda"] == "unknown").sum())
        test = {"process_id": p, "uptake_on_agenda": k1 / n1 if n1 else np.nan,
                "uptake_new": k0 / n0 if n0 else np.nan, "odds_ratio": np.nan,
                "odds_ratio_ci_low": np.nan, "odds_ratio_ci_high": np.nan, "p_value": np.nan,
                "n": n1 + n0, "n_on_agenda": n1, "n_new": n0, "n_unknown": n_unknown,
                "method": "difference in uptake (on the agenda minus new) with the Newcombe "
                          "hybrid score interval; Fisher's exact test, two-sided; conditional "
                          "MLE odds ratio with its exact interval"}
        test["estimate"] = test["uptake_on_agenda"] - test["uptake_new"]
        test["ci_low"], test["ci_high"] = _newcombe(k1, n1, k0, n0, cl)
        test["confidence_level"] = cl
        if n1 and n0:
            table = np.array([[k1, n1 - k1], [k0, n0 - k0]])
            test["p_value"] = float(stats.fisher_exact(table).pvalue)
            if table.sum(axis=0).all():
                orr = odds_ratio(table, kind="conditional")
                ci = orr.confidence_interval(cl)
                test.update(odds_ratio=float(orr.statistic), odds_ratio_ci_low=float(ci.low),
                            odds_ratio_ci_high=float(ci.high))
        else:
            test["method"] = "not testable: no recommendation in one of the groups"
        tests.append(test)
    return pd.DataFrame(rows), pd.DataFrame(tests, columns=_AGENDA_TEST_COLUMNS)


def _endpoint(g: pd.DataFrame, endpoint: str) -> tuple[np.ndarray, np.ndarray]:
    col = "days_to_first_response" if endpoint == "first_response" else "days_to_implementation"
    event = g[col].notna().to_numpy()
    time = np.where(event, g[col].to_numpy(), g["follow_up_days"].to_numpy())
    return time.astype(float), event.astype(float)


def _survival(status: pd.DataFrame, cl: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    steps, medians = [], []
    for p, g in status.groupby("process_id", sort=False):
        for endpoint in _ENDPOINTS:
            time, event = _endpoint(g, endpoint)
            km = kaplan_meier(time, event, confidence_level=cl)
            km.insert(0, "endpoint", endpoint)
            km.insert(0, "process_id", p)
            steps.append(km)
            median, low, high = _km_median(km)
            medians.append({"process_id": p, "endpoint": endpoint, "estimate": median,
                            "ci_low": low, "ci_high": high, "confidence_level": cl,
                            "n": len(time), "n_events": int(event.sum()), "method": _MEDIAN_METHOD})
    survival = pd.concat([s for s in steps if len(s)], ignore_index=True) if any(
        len(s) for s in steps) else pd.DataFrame(columns=_STEP_COLUMNS)
    return survival[_STEP_COLUMNS], pd.DataFrame(medians, columns=_MEDIAN_COLUMNS)


def _tests(status: pd.DataFrame, processes: list[str]) -> pd.DataFrame:
    cols = ["test", "outcome", "statistic", "df", "p_value", "method"]
    if len(processes) < 2:
        return pd.DataFrame(columns=cols)
    rows = []
    table = pd.crosstab(status["process_id"], status["taken_up"]).reindex(
        index=processes, columns=[True, False], fill_value=0)
    if (table.sum(axis=0) > 0).all():
        chi = stats.chi2_contingency(table.to_numpy(), correction=False)
        rows.append({"test": "chi_square", "outcome": "uptake_rate", "statistic": float(chi.statistic),
                     "df": int(chi.dof), "p_value": float(chi.pvalue),
                     "method": "Pearson chi-square test of equal uptake rates, no continuity correction"})
    time, event = _endpoint(status, "first_response")
    if event.sum() > 0:
        try:
            chisq, pval = survdiff(time, event, status["process_id"].to_numpy())
        except (ValueError, np.linalg.LinAlgError, DelibervalError):  # pragma: no cover
            chisq, pval = np.nan, np.nan
        rows.append({"test": "log_rank", "outcome": "first_response", "statistic": float(chisq),
                     "df": len(processes) - 1, "p_value": float(pval),
                     "method": "log-rank test of time to first public response"})
    return pd.DataFrame(rows, columns=cols)


# --- say-do gap and dated snapshots (issue 21) ------------------------------------------------

@dataclass(frozen=True)
class _RegisterView:
    """The part of a register submitted by a snapshot date (what :func:`uptake` reads)."""

    recommendations: pd.DataFrame
    events: pd.DataFrame
    scheme: CodingScheme


def say_do_gap(
    register: _Register,
    *,
    as_of: Any,
    days: int = 365,
    coder: str | None = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Say-do gap: recommendations accepted in principle but not implemented ``days`` later.

    Parameters
    ----------
    register : Register
        A validated register (as for :func:`uptake`).
    as_of : date-like
        Evaluation date; later events are ignored.
    days : int, default 365
        Days allowed between the first acceptance (a code at ``accepted_in_principle`` or
        higher) and implementation.
    coder : str, optional
        The reference coder when several coded the events.
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        One row per process, the columns of :attr:`UptakeResult.indicators`: ``process_id,
        indicator`` (``"say_do_gap"``), ``estimate`` (share 0-1), ``ci_low, ci_high`` (Wilson
        score), ``confidence_level, n`` (recommendations first accepted at least ``days``
        before ``as_of``), ``count`` (of them, not implemented on ``as_of``), ``method``.

    Raises
    ------
    AnalysisInputError
        As :func:`uptake`, or ``days`` not a whole number >= 0.

    Notes
    -----
    A recommendation enters the denominator once ``days`` have passed since the first event
    that accepted it (``accepted_in_principle``, ``partially_implemented`` or
    ``implemented`` by the scheme's ranks); it counts as a gap if its status on ``as_of`` is
    not ``implemented`` (so a partial implementation, a later reversal or silence after the
    promise all count). Recommendations accepted less than ``days`` ago are left out: their
    window is still open. The interval is the Wilson score interval (R ``prop.test(correct =
    FALSE)``), as for the other indicators.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.uptake import say_do_gap
    >>> from deliberval.validation.register import validate_register
    >>> recs = pd.DataFrame({"process_id": "p1", "rec_id": ["r1", "r2", "r3", "r4"],
    ...                      "title": ["a", "b", "c", "d"], "submitted": "2024-01-10"})
    >>> ev = pd.DataFrame({"rec_id": ["r1", "r1", "r2", "r3"],
    ...                    "date": ["2024-02-01", "2024-09-01", "2024-03-01", "2024-11-01"],
    ...                    "response_status": ["accepted_in_principle", "implemented",
    ...                                        "accepted_in_principle", "accepted_in_principle"]})
    >>> reg = validate_register(recs, ev).register
    >>> say_do_gap(reg, as_of="2025-06-30", days=365)[["estimate", "n", "count"]]
       estimate  n  count
    0       0.5  2    1.0
    """
    cl = check_confidence_level(confidence_level)
    if not isinstance(days, int | np.integer) or isinstance(days, bool) or days < 0:
        raise AnalysisInputError(f"days must be a whole number >= 0, got {days!r}")
    res = uptake(register, as_of=as_of, coder=coder, confidence_level=cl)
    return _say_do(register, res, int(days), coder, cl)


def _say_do(register: _Register, res: UptakeResult, days: int, coder: str | None,
            cl: float) -> pd.DataFrame:
    scheme = register.scheme
    ev = register.events
    if coder is not None:
        ev = ev[ev["coder"] == coder]
    ev = ev[(ev["date"] <= res.as_of) & ev["response_status"].isin(list(scheme.uptake_codes))]
    accepted = ev.groupby("rec_id")["date"].min()
    st = res.status
    acc = _map_dates(st["rec_id"], accepted)
    due = acc.notna() & (acc + pd.Timedelta(days=days) <= res.as_of)
    rows = []
    for p, idx in st.groupby("process_id", sort=False).groups.items():
        d = due.loc[idx]
        gap = d & ~st.loc[idx, "implemented"]
        method = (f"Wilson score; accepted in principle (or higher) at least {days} days before "
                  f"{res.as_of:%Y-%m-%d} and not implemented on that date")
        open_ = int((acc.loc[idx].notna() & ~d).sum())
        if open_:
            method += f"; {open_} recommendation(s) accepted more recently left out (window open)"
        rows.append(_ind(str(p), "say_do_gap", float(gap.sum()), int(d.sum()), cl, method))
    return pd.DataFrame(rows, columns=_INDICATOR_COLUMNS)


def uptake_snapshots(
    register: _Register,
    dates: Any,
    *,
    say_do_days: int = 365,
    deadline_days: int | Mapping[str, int | None] | None = None,
    coder: str | None = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """The register's indicators on each of several dates (e.g. over a legislature).

    Parameters
    ----------
    register : Register
        A validated register (as for :func:`uptake`).
    dates : sequence of date-like
        Snapshot dates (sorted in the output). On each date only the recommendations submitted
        by then are counted; a date before every submission is reported with no rows.
    say_do_days : int, default 365
        ``days`` of :func:`say_do_gap`.
    deadline_days, coder, confidence_level
        As :func:`uptake`.

    Returns
    -------
    DataFrame
        ``as_of`` (the snapshot date) and the columns of :attr:`UptakeResult.indicators`
        (``process_id, indicator, estimate, ci_low, ci_high, confidence_level, n, count,
        method``): the indicators of :func:`uptake` on that date, then ``say_do_gap``.

    Examples
    --------
    >>> from deliberval.datasets.registers import simulate_register
    >>> from deliberval.analysis.uptake import uptake_snapshots
    >>> reg = simulate_register("climate_assembly", seed=1)
    >>> snaps = uptake_snapshots(reg, ["2022-06-30", "2023-06-30"], say_do_days=180)
    >>> sorted(snaps["as_of"].dt.year.unique().tolist())
    [2022, 2023]
    """
    cl = check_confidence_level(confidence_level)
    if not isinstance(say_do_days, int | np.integer) or isinstance(say_do_days, bool) or say_do_days < 0:
        raise AnalysisInputError(f"say_do_days must be a whole number >= 0, got {say_do_days!r}")
    try:
        when = sorted({pd.Timestamp(d).normalize().as_unit("ns") for d in
                       ([dates] if isinstance(dates, str) else list(dates))})
    except (ValueError, TypeError) as exc:
        raise AnalysisInputError(f"dates must be dates such as '2026-06-30', got {dates!r}") from exc
    if not when or any(pd.isna(w) for w in when):
        raise AnalysisInputError(f"dates must be one or more dates such as '2026-06-30', got {dates!r}")
    recs = register.recommendations
    all_deadlines = _deadlines(deadline_days, list(dict.fromkeys(recs["process_id"])))
    frames = []
    for w in when:
        sub = recs[recs["submitted"] <= w]
        if sub.empty:
            continue
        view = _RegisterView(recommendations=sub.reset_index(drop=True), events=register.events,
                             scheme=register.scheme)
        dl = {p: all_deadlines[p] for p in dict.fromkeys(sub["process_id"])}
        res = uptake(view, as_of=w, deadline_days=dl, coder=coder, confidence_level=cl)
        table = pd.concat([res.indicators, _say_do(view, res, int(say_do_days), coder, cl)],
                          ignore_index=True)
        table.insert(0, "as_of", w)
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=["as_of", *_INDICATOR_COLUMNS])
    return pd.concat(frames, ignore_index=True)
