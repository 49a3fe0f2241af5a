"""Compute the catalogue's indicators for one process, with status and disclosure control."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from deliberval.analysis._common import check_confidence_level, wilson_interval
from deliberval.analysis.change import did, likert_shares, prepost
from deliberval.analysis.representativeness import TargetsWarning, r_indicator, representativeness
from deliberval.analysis.uptake import UptakeResult, uptake
from deliberval.errors import AnalysisInputError, DelibervalError
from deliberval.indicators.catalogue import Catalogue, IndicatorSpec, load_catalogue
from deliberval.instruments.model import Instrument
from deliberval.scoring import item_range, score

__all__ = ["INDICATOR_COLUMNS", "IndicatorRun", "evaluate_process", "indicators"]

INDICATOR_COLUMNS = [
    "indicator_id",
    "label",
    "stage",
    "criterion",
    "theme",
    "estimate",
    "ci_low",
    "ci_high",
    "confidence_level",
    "n",
    "unit",
    "direction",
    "threshold",
    "meets_threshold",
    "status",
    "status_reason",
    "data_source",
]

_STAGE_FLAGS = ("invited", "volunteered", "selected", "attended_all", "answered_post")
_UPTAKE_NAMES = {
    "response_any": "any_public_response",
    "response_within_deadline": "answered_within_deadline",
    "rejected_without_reasons": "rejected_without_reasons",
    "uptake_rate": "uptake_rate",
    "implementation_rate": "implementation_rate",
}


class _NotMeasured(Exception):
    """Raised inside an indicator when its data are missing; the message is the reason."""


@dataclass
class IndicatorRun:
    """Indicators of one process and the analysis results they came from.

    Attributes
    ----------
    table : pandas.DataFrame
        The indicator table (columns :data:`INDICATOR_COLUMNS`).
    results : dict
        Analysis results reused by the report: ``scored`` (scored responses: id columns, cleaned
        items and scales), ``representativeness``, ``uptake`` (:class:`UptakeResult`),
        ``prepost`` and ``did`` tables, keyed by what was computed; absent keys were not
        computed.
    catalogue : Catalogue
        The catalogue used.
    min_cell_size : int
        The disclosure threshold applied.
    """

    table: pd.DataFrame
    results: dict[str, Any] = field(default_factory=dict)
    catalogue: Catalogue | None = None
    min_cell_size: int = 5


@dataclass
class _Inputs:
    scored: pd.DataFrame | None
    instrument: Instrument | None
    members: pd.DataFrame | None
    targets: pd.DataFrame | None
    recommendations: pd.DataFrame | None
    events: pd.DataFrame | None
    process: Mapping[str, Any]
    as_of: Any
    deadline_days: int | None
    level: float
    seed: int | None
    cache: dict[str, Any] = field(default_factory=dict)


def _value(estimate: float, n: int | None, *, low: float = math.nan, high: float = math.nan,
           level: float = math.nan, source: str = "", respondents: bool = True) -> dict[str, Any]:
    return {"estimate": float(estimate), "ci_low": float(low), "ci_high": float(high),
            "confidence_level": float(level), "n": n, "data_source": source,
            "_respondents": respondents}


# ---------------------------------------------------------------------------------- scoring
def _score(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    res = score(responses, instrument)
    items = res.items
    scales = res.scores.drop(columns=[c for c in res.scores.columns if c in items.columns])
    return pd.concat([items, scales], axis=1)


def _participants(inp: _Inputs, wave: str | None, roles: tuple[str, ...] = ("citizen",)) -> pd.DataFrame:
    if inp.scored is None:
        raise _NotMeasured("no responses table")
    df = inp.scored
    if "group" in df.columns:
        df = df.loc[df["group"] == "participant"]
    if "role" in df.columns:
        df = df.loc[df["role"].isin(roles)]
    if wave is not None:
        if "wave" not in df.columns or not (df["wave"] == wave).any():
            who = "/".join(roles)
            raise _NotMeasured(f"no {wave} responses of participant {who}s")
        df = df.loc[df["wave"] == wave]
    return df


def _column(df: pd.DataFrame, column: str, what: str) -> pd.Series:
    """Valid answers of a scored item or scale; anything that is not a number is an error."""
    if column not in df.columns:
        raise _NotMeasured(f"{what} {column!r} is not in the responses")
    raw = df[column]
    s = pd.to_numeric(raw, errors="coerce")
    bad = s.isna() & raw.notna()
    if bad.any():
        raise AnalysisInputError(
            f"{what} {column!r} has {int(bad.sum())} non-numeric value(s) after scoring "
            f"(e.g. {raw[bad].iloc[0]!r}); expected numeric codes, with missing codes recoded "
            "through the instrument (deliberval.score)")
    s = s.dropna()
    if s.empty:
        raise _NotMeasured(f"{what} {column!r} has no valid answer")
    return s


# ---------------------------------------------------------------------------------- indicators
def _share_agree(spec: IndicatorSpec, inp: _Inputs) -> dict[str, Any]:
    item = spec.items[0]
    df = _participants(inp, "post")
    answers = _column(df, item, "item")
    if inp.instrument is None:
        raise _NotMeasured("no instrument")
    scale = inp.instrument.response_scale(inp.instrument.item(item).scale)
    agree = [float(a) for a in scale.agree_values if not isinstance(a, str)]
    bounds = item_range(scale)
    if not agree or bounds is None:
        raise _NotMeasured(f"the response scale of {item!r} defines no agree_values")
    levels = [float(v) for v in range(int(bounds[0]), int(bounds[1]) + 1)]
    odd = answers.loc[~answers.isin(levels)]
    if not odd.empty:
        raise AnalysisInputError(
            f"item {item!r} has {odd.size} answer(s) that are not response codes "
            f"{int(bounds[0])}..{int(bounds[1])} (e.g. {float(odd.iloc[0]):g}); they would be left out "
            "of the share agreeing")
    shares = likert_shares(df, item, levels=levels, waves=["post"])
    n = int(shares["n"].iloc[0])
    if n == 0:
        raise _NotMeasured(f"item {item!r} has no valid answer")
    count = int(shares.loc[shares["level"].isin(agree), "count"].sum())
    lo, hi = wilson_interval(count, n, inp.level)
    return _value(count / n, n, low=lo, high=hi, level=inp.level,
                  source=f"responses: {item} (post, participant citizens); Wilson interval")


def _scale_mean(spec: IndicatorSpec, inp: _Inputs) -> dict[str, Any]:
    assert spec.scale is not None
    x = _column(_participants(inp, "post"), spec.scale, "scale").to_numpy(dtype=float)
    n = x.size
    m = float(x.mean())
    h = float(stats.t.ppf(0.5 + inp.level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return _value(m, n, low=m - h, high=m + h, level=inp.level,
                  source=f"responses: scale {spec.scale} (post, participant citizens); t interval")


def _prepost(spec: IndicatorSpec, inp: _Inputs) -> dict[str, Any]:
    assert spec.scale is not None
    roles = ("politician", "civil_servant") if "responses:politicians" in spec.needs else ("citizen",)
    df = _participants(inp, None, roles)
    for wv in ("pre", "post"):
        if "wave" not in df.columns or not (df["wave"] == wv).any():
            raise _NotMeasured(f"no {wv} responses of participant {'/'.join(roles)}s")
    if spec.scale not in df.columns or df[spec.scale].notna().sum() == 0:
        raise _NotMeasured(f"scale {spec.scale!r} was not measured")
    df = df.loc[df["wave"].isin(["pre", "post"])]
    try:
        r = prepost(df, spec.scale, confidence_level=inp.level)
    except AnalysisInputError as exc:
        raise _NotMeasured(str(exc)) from None
    inp.cache.setdefault("prepost", {})[spec.id] = r
    row = r.iloc[0]
    return _value(row["d_z"], int(row["n"]), low=row["d_z_ci_low"], high=row["d_z_ci_high"],
                  level=inp.level,
                  source=f"responses: scale {spec.scale}, pre and post pairs of participant "
                         f"{'/'.join(roles)}s; paired t, exact noncentral-t CI of d_z")


def _did(spec: IndicatorSpec, inp: _Inputs) -> dict[str, Any]:
    assert spec.scale is not None
    if inp.scored is None:
        raise _NotMeasured("no responses table")
    df = inp.scored
    if "group" not in df.columns or not (df["group"] == "control").any():
        raise _NotMeasured("no control group in the responses (group == 'control')")
    if "role" in df.columns:
        df = df.loc[df["role"] == "citizen"]
    df = df.loc[df["group"].isin(["participant", "control"]) & df["wave"].isin(["pre", "post"])]
    if spec.scale not in df.columns:
        raise _NotMeasured(f"scale {spec.scale!r} was not measured")
    try:
        r = did(df, spec.scale, confidence_level=inp.level)
    except AnalysisInputError as exc:
        raise _NotMeasured(str(exc)) from None
    inp.cache.setdefault("did", {})[spec.id] = r
    row = r.loc[r["model"] == "pooled_ols"].iloc[0]
    n_control = int(df.loc[df["group"] == "control", "respondent_id"].nunique())
    n_treat = int(df.loc[df["group"] == "participant", "respondent_id"].nunique())
    return _value(row["estimate"], min(n_control, n_treat), low=row["ci_low"], high=row["ci_high"],
                  level=inp.level,
                  source=f"responses: scale {spec.scale}, participants against the control group "
                         f"({n_treat} and {n_control} respondents); pooled OLS with "
                         "cluster-robust SE; n is the smaller group")


def _selected(inp: _Inputs) -> pd.DataFrame:
    m = inp.members
    if m is None:
        raise _NotMeasured("no members table")
    if "role" in m.columns:
        m = m.loc[m["role"] == "citizen"]
    if "selected" in m.columns:
        m = m.loc[m["selected"].astype(bool)]
    return m


def _dimensions(inp: _Inputs, members: pd.DataFrame) -> list[str]:
    if inp.targets is None:
        raise _NotMeasured("no population targets table")
    dims = [str(d) for d in dict.fromkeys(inp.targets["dimension"]) if "*" not in str(d)]
    usable = [d for d in dims if d in members.columns]
    if not usable:
        raise _NotMeasured(f"members have none of the target dimensions {dims}")
    return usable


def _representativeness(inp: _Inputs) -> Any:
    if "representativeness" not in inp.cache:
        sel = _selected(inp)
        dims = _dimensions(inp, sel)
        sel = sel.loc[:, dims].copy()
        assert inp.targets is not None
        keep = inp.targets.loc[inp.targets["dimension"].isin(dims)]
        # members who refused a question are left out of that dimension only
        for d in dims:
            sel[d] = sel[d].where(sel[d].isin(set(keep.loc[keep["dimension"] == d, "category"])))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TargetsWarning)
            inp.cache["representativeness"] = representativeness(
                sel, keep, dimensions=dims, confidence_level=inp.level, seed=inp.seed,
                max_outcomes=200_000, n_mc=20_000)
    return inp.cache["representativeness"]


def _overall(inp: _Inputs, statistic: str) -> float:
    ov = _representativeness(inp).overall.set_index("statistic")["estimate"]
    return float(ov[statistic])


def _rep_duncan(spec: IndicatorSpec, inp: _Inputs) -> dict[str, Any]:
    n = int(_overall(inp, "n"))
    return _value(_overall(inp, "mean_duncan"), n,
                  source="members (selected citizens) against population targets; mean of "
                         "Duncan's index over the dimensions")


def _rep_gap(spec: IndicatorSpec, inp: _Inputs) -> dict[str, Any]:
    n = int(_overall(inp, "n"))
    return _value(_overall(inp, "max_absolute_difference_pp"), n,
                  source="members (selected citizens) against population targets")


def _funnel_members(inp: _Inputs, needed: tuple[str, ...]) -> pd.DataFrame:
    m = inp.members
    if m is None:
        raise _NotMeasured("no members table (selection funnel)")
    missing = [c for c in needed if c not in m.columns]
    if missing:
        raise _NotMeasured(f"members table has no stage column(s) {missing}")
    if "role" in m.columns:
        m = m.loc[m["role"] == "citizen"]
    return m


def _r_indicator(spec: IndicatorSpec, inp: _Inputs) -> dict[str, Any]:
    m = _funnel_members(inp, ("invited", "volunteered"))
    inv = m.loc[m["invited"].astype(bool)]
    vol = inv["volunteered"].astype(bool)
    if vol.all():
        raise _NotMeasured("every person in the members table volunteered (open call): the "
                           "invited population who did not volunteer is not recorded")
    dims = _dimensions(inp, inv)
    df = inv.loc[:, dims].astype("string").fillna("missing").astype(object)
    df["__volunteered"] = vol.to_numpy()
    try:
        r = r_indicator(df, "__volunteered", dims)
    except AnalysisInputError as exc:
        raise _NotMeasured(str(exc)) from None
    return _value(r["r_indicator"].iloc[0], int(r["n"].iloc[0]),
                  source=f"members: volunteering among the {len(inv)} invited citizens on "
                         f"{', '.join(dims)}; logistic propensities")


def _retention(spec: IndicatorSpec, inp: _Inputs) -> dict[str, Any]:
    m = _funnel_members(inp, ("selected", "attended_all"))
    sel = m.loc[m["selected"].astype(bool)]
    if sel.empty:
        raise _NotMeasured("no selected citizens in the members table")
    n = len(sel)
    count = int(sel["attended_all"].astype(bool).sum())
    lo, hi = wilson_interval(count, n, inp.level)
    return _value(count / n, n, low=lo, high=hi, level=inp.level,
                  source="members: selected citizens who attended every session; Wilson interval")


def _uptake_result(inp: _Inputs) -> UptakeResult:
    if inp.recommendations is None or inp.events is None:
        raise _NotMeasured("no recommendation register (recommendations and response events)")
    if "uptake" not in inp.cache:
        as_of = inp.as_of
        if as_of is None:
            dates = pd.to_datetime(inp.events["date"], errors="coerce") if "date" in inp.events else None
            if dates is None or dates.dropna().empty:
                raise _NotMeasured("no evaluation date (as_of) and no dated response event")
            as_of = dates.max()
        inp.cache["uptake"] = uptake(inp.recommendations, inp.events, as_of=as_of,
                                     deadline_days=inp.deadline_days, confidence_level=inp.level)
    result: UptakeResult = inp.cache["uptake"]
    return result


def _uptake(spec: IndicatorSpec, inp: _Inputs) -> dict[str, Any]:
    res = _uptake_result(inp)
    src = f"recommendation register, status on {res.as_of.date().isoformat()}; Wilson interval"
    if spec.id == "cherry_picking_gap":
        t = res.agenda_test
        if t.empty or not np.isfinite(float(t["difference"].iloc[0])):
            raise _NotMeasured("the register has no recommendations both on and off the prior agenda")
        row = t.iloc[0]
        return _value(100 * float(row["difference"]), int(row["n_on_agenda"] + row["n_new"]),
                      source="recommendation register: uptake of recommendations already on the "
                             "agenda minus new ones (Vrydagh 2022)", respondents=False)
    name = _UPTAKE_NAMES[spec.id]
    rows = res.indicators.loc[res.indicators["indicator"] == name]
    if rows.empty:
        if name == "answered_within_deadline":
            raise _NotMeasured("no response deadline given (process:response_deadline_days)")
        raise _NotMeasured(f"uptake indicator {name} was not computed")
    row = rows.iloc[0]
    return _value(row["estimate"], int(row["n"]), low=row["ci_low"], high=row["ci_high"],
                  level=inp.level, source=src, respondents=False)


def _fact(spec: IndicatorSpec, inp: _Inputs) -> dict[str, Any]:
    key = spec.needs[0].split(":", 1)[1]
    if spec.id == "aftercare":
        documented = inp.process.get("aftercare")
        if documented is not None and str(documented) != "nan":
            return _value(_yes(documented, "aftercare"), None, source="process: aftercare", respondents=False)
        if inp.scored is not None and "wave" in inp.scored.columns and (inp.scored["wave"] == "follow_up").any():
            return _value(1.0, None, source="responses: a follow-up survey of members took place",
                          respondents=False)
        raise _NotMeasured("no follow_up wave in the responses and no 'aftercare' field in the process table")
    value = inp.process.get(key)
    if value is None or str(value) == "nan":
        raise _NotMeasured(f"the process table has no {key!r} field (documentation by the organiser)")
    return _value(_yes(value, key), None, source=f"process: {key}", respondents=False)


def _yes(value: Any, key: str) -> float:
    text = str(value).strip().lower()
    if text in ("yes", "true", "1", "oui"):
        return 1.0
    if text in ("no", "false", "0", "non"):
        return 0.0
    raise AnalysisInputError(f"process field {key!r} must be yes or no, got {value!r}")


_FUNCTIONS: dict[str, Callable[[IndicatorSpec, _Inputs], dict[str, Any]]] = {
    "deliberval.likert_shares": _share_agree,
    "deliberval.score": _scale_mean,
    "deliberval.prepost": _prepost,
    "deliberval.did": _did,
    "deliberval.r_indicator": _r_indicator,
    "deliberval.funnel": _retention,
    "deliberval.uptake": _uptake,
}


def _dispatch(spec: IndicatorSpec, inp: _Inputs) -> dict[str, Any]:
    if spec.function is None:
        return _fact(spec, inp)
    if spec.id in ("representativeness_dissimilarity", "representativeness_max_gap"):
        return (_rep_duncan if spec.id == "representativeness_dissimilarity" else _rep_gap)(spec, inp)
    fn = _FUNCTIONS.get(spec.function)
    if fn is None:
        raise _NotMeasured(f"no deliberval function {spec.function!r} is available for this indicator")
    return fn(spec, inp)


def _meets(spec: IndicatorSpec, estimate: float) -> Any:
    if spec.threshold is None or not np.isfinite(estimate):
        return pd.NA
    if spec.direction == "higher_is_better":
        return bool(estimate >= spec.threshold)
    return bool(estimate <= spec.threshold)


def evaluate_process(
    responses: pd.DataFrame | None = None,
    instrument: Instrument | None = None,
    *,
    members: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    recommendations: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    process: Mapping[str, Any] | pd.DataFrame | None = None,
    as_of: Any = None,
    deadline_days: int | None = None,
    min_cell_size: int = 5,
    confidence_level: float = 0.95,
    seed: int | None = None,
    catalogue: Catalogue | None = None,
    lang: str = "en",
) -> IndicatorRun:
    """Compute every indicator of the catalogue and keep the analysis results behind them.

    Same parameters as :func:`indicators`, which returns ``evaluate_process(...).table``.

    Returns
    -------
    IndicatorRun

    Examples
    --------
    >>> from deliberval.datasets import load_example
    >>> from deliberval.instruments import load_instrument
    >>> ex = load_example("gentofte_ptc")
    >>> run = evaluate_process(ex.responses, load_instrument("participant_standard"),
    ...                        members=ex.members, targets=ex.targets, seed=1)
    >>> sorted(run.results)
    ['prepost', 'representativeness', 'scored']
    """
    level = check_confidence_level(confidence_level)
    if int(min_cell_size) < 1:
        raise AnalysisInputError(f"min_cell_size must be at least 1, got {min_cell_size}")
    cat = catalogue or load_catalogue()
    scored = None
    if responses is not None:
        if instrument is None:
            raise AnalysisInputError("responses were given without the instrument they answer")
        scored = _score(responses, instrument)
    if isinstance(process, pd.DataFrame):
        if len(process) != 1:
            raise AnalysisInputError(f"the process table must have one row, found {len(process)}")
        proc: Mapping[str, Any] = process.iloc[0].to_dict()
    else:
        proc = dict(process or {})
    inp = _Inputs(scored, instrument, members, targets, recommendations, events, proc, as_of,
                  deadline_days, level, seed)
    rows = []
    for spec in cat.indicators:
        row: dict[str, Any] = {
            "indicator_id": spec.id, "label": spec.text(lang), "stage": spec.stage,
            "criterion": spec.criterion, "theme": spec.theme or "", "estimate": math.nan,
            "ci_low": math.nan, "ci_high": math.nan, "confidence_level": math.nan, "n": None,
            "unit": spec.unit, "direction": spec.direction,
            "threshold": math.nan if spec.threshold is None else spec.threshold,
            "meets_threshold": pd.NA, "status": "measured", "status_reason": "", "data_source": "",
        }
        try:
            value = _dispatch(spec, inp)
        except _NotMeasured as exc:
            row.update(status="not_measured", status_reason=str(exc),
                       data_source="needs " + ", ".join(spec.needs))
            rows.append(row)
            continue
        except DelibervalError as exc:
            row.update(status="not_measured", status_reason=f"could not be computed: {exc}",
                       data_source="needs " + ", ".join(spec.needs))
            rows.append(row)
            continue
        respondents = value.pop("_respondents")
        row.update(value)
        n = row["n"]
        if respondents and n is not None and 0 < n < min_cell_size:
            row.update(estimate=math.nan, ci_low=math.nan, ci_high=math.nan, n=None,
                       status="suppressed",
                       status_reason=f"based on fewer than {min_cell_size} respondents "
                                     "(disclosure control)")
        else:
            row["meets_threshold"] = _meets(spec, row["estimate"])
        rows.append(row)
    table = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    table["n"] = table["n"].astype("Int64")
    table["meets_threshold"] = table["meets_threshold"].astype("boolean")
    results: dict[str, Any] = {}
    if scored is not None:
        results["scored"] = scored
    for key in ("representativeness", "uptake", "prepost", "did"):
        if key in inp.cache:
            results[key] = inp.cache[key]
    return IndicatorRun(table, results, cat, int(min_cell_size))


def indicators(
    responses: pd.DataFrame | None = None,
    instrument: Instrument | None = None,
    *,
    members: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    recommendations: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    process: Mapping[str, Any] | pd.DataFrame | None = None,
    as_of: Any = None,
    deadline_days: int | None = None,
    min_cell_size: int = 5,
    confidence_level: float = 0.95,
    seed: int | None = None,
    catalogue: Catalogue | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """The catalogue's indicators of one process: value, interval, n, source and status.

    Every indicator of the catalogue gets a row. When its data are missing it is reported as
    ``not_measured`` with the missing data named; when it rests on fewer than
    ``min_cell_size`` respondents its numbers are blanked and it is ``suppressed``.

    Parameters
    ----------
    responses : pandas.DataFrame, optional
        Canonical responses table with raw codes (scored here with ``instrument``).
    instrument : Instrument, optional
        Instrument or questionnaire the responses answer (required with ``responses``).
    members : pandas.DataFrame, optional
        Members / selection funnel table (``role``, stage flags ``invited, volunteered,
        selected, attended_all``, ``demo_*`` columns).
    targets : pandas.DataFrame, optional
        Canonical population targets (``dimension, category, share``).
    recommendations, events : pandas.DataFrame, optional
        The uptake register (see :func:`deliberval.uptake`).
    process : mapping or one-row DataFrame, optional
        Process facts; ``privacy_policy`` and ``aftercare`` (yes / no) are read from it.
    as_of : date-like, optional
        Evaluation date of the uptake indicators (default: the latest response event).
    deadline_days : int, optional
        Response deadline in days after submission.
    min_cell_size : int, default 5
        Disclosure threshold: respondent-based indicators on fewer respondents are suppressed.
    confidence_level : float, default 0.95
    seed : int, optional
        Seed of the Monte Carlo exact multinomial tests behind representativeness.
    catalogue : Catalogue, optional
        Default: the shipped catalogue (:func:`deliberval.indicators.load_catalogue`).
    lang : str, default "en"
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        One row per catalogue indicator: ``indicator_id, label, stage, criterion, theme,
        estimate, ci_low, ci_high, confidence_level, n, unit, direction, threshold,
        meets_threshold`` (NA without a threshold or an estimate), ``status`` (``measured``,
        ``not_measured``, ``suppressed``), ``status_reason`` and ``data_source``.

    Notes
    -----
    ``responses`` are first scored through ``instrument`` (:func:`deliberval.score`): missing
    codes (e.g. 8 don't know, 9 refused) become missing values, and values that are neither
    valid codes nor missing codes raise :class:`~deliberval.errors.DataInputError`. Shares of
    members agreeing (:func:`deliberval.likert_shares`) use the instrument's
    ``agree_values`` of the item's response scale among valid post answers of participating
    citizens (missing codes are in neither count nor denominator; an answer that is not one of
    the scale's codes makes the indicator ``not_measured`` with the reason), with Wilson
    intervals (:func:`deliberval.analysis._common.wilson_interval`). Scale means use t intervals. Changes are :func:`deliberval.prepost` ``d_z``
    with exact intervals; DiD is the pooled OLS estimate of :func:`deliberval.did`.
    Representativeness indicators come from :func:`deliberval.representativeness` of the
    selected citizens (members who refused a question are left out of that dimension only);
    the R-indicator from :func:`deliberval.r_indicator` of volunteering among the invited;
    uptake indicators from :func:`deliberval.uptake`. Indicators about recommendations or the
    organiser's documentation are not about respondents and are never suppressed.

    Examples
    --------
    >>> from deliberval.datasets import load_example
    >>> from deliberval.instruments import load_instrument
    >>> ex = load_example("gentofte_ptc")
    >>> tab = indicators(ex.responses, load_instrument("participant_standard"),
    ...                  members=ex.members, targets=ex.targets, seed=1)
    >>> rows = tab["indicator_id"].isin(["facilitation_neutral", "did_external_efficacy"])
    >>> print(tab.loc[rows, ["indicator_id", "estimate", "n", "status"]].round(3).to_string(index=False))
             indicator_id  estimate    n       status
     facilitation_neutral     0.909   22     measured
    did_external_efficacy       NaN <NA> not_measured
    >>> print(tab.set_index("indicator_id").loc["did_external_efficacy", "status_reason"])
    no control group in the responses (group == 'control')
    """
    return evaluate_process(
        responses, instrument, members=members, targets=targets, recommendations=recommendations,
        events=events, process=process, as_of=as_of, deadline_days=deadline_days,
        min_cell_size=min_cell_size, confidence_level=confidence_level, seed=seed,
        catalogue=catalogue, lang=lang,
    ).table
