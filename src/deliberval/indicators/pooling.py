"""Indicators per unit (committee, panel) of one process, pooled across the units (issue 20).

A process may sit in several small bodies at once: Gentofte's Political Task Committees, the
panels of the Conference on the Future of Europe. Each body's own estimate is imprecise; pooling
borrows strength across them. :func:`unit_pooling` computes, for every measured indicator that
rests on people's answers (shares agreeing, scale means, standardised change, retention), the
estimate of each unit and pools them twice: Bayesian partial pooling (the posterior of each
unit's true value and of their mean) and a REML random-effects meta-analysis with the
Knapp-Hartung adjustment (each unit's BLUP and the pooled mean). The statistics are
:func:`deliberval.analysis.meta.bayesian_pooling`, :func:`~deliberval.analysis.meta.bayesian_share_pooling`
and :func:`~deliberval.analysis.meta.meta_analysis`; this module only assembles their inputs
from the evaluation and their outputs into one tidy table.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from deliberval.errors import DelibervalError
from deliberval.indicators.catalogue import resolve_measure

if TYPE_CHECKING:
    from deliberval.indicators.catalogue import Catalogue, IndicatorSpec, OutcomeSpec
    from deliberval.indicators.evaluate import EvaluationSettings
    from deliberval.instruments.model import Instrument

__all__ = ["UNIT_COLUMN", "UNIT_POOLING_COLUMNS", "unit_pooling"]

#: The column naming a respondent's unit (in the responses, else in the members table).
UNIT_COLUMN = "unit"
#: Columns of :attr:`deliberval.indicators.evaluate.ProcessEvaluation.unit_pooling`.
UNIT_POOLING_COLUMNS = [
    "indicator_id", "unit", "level", "model", "measure", "observed_estimate", "observed_se", "count", "n",
    "estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high", "confidence_level", "threshold", "direction",
    "prob_meets_threshold", "status", "method",
]
#: Scale of the half-normal prior on the between-unit SD of means and standardised changes.
TAU_SCALE = 0.5
_POOLED = ("deliberval.likert_shares", "deliberval.score", "deliberval.prepost", "deliberval.funnel")


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=UNIT_POOLING_COLUMNS)


def _units_of(scored: pd.DataFrame, members: pd.DataFrame | None) -> pd.Series | None:
    """Each response row's unit: the responses' own column, else the members' by person id."""
    if UNIT_COLUMN in scored.columns and scored[UNIT_COLUMN].notna().any():
        return scored[UNIT_COLUMN].astype("string")
    if members is not None and {UNIT_COLUMN, "person_id"} <= set(members.columns) and "respondent_id" in scored:
        lookup = members.dropna(subset=[UNIT_COLUMN]).drop_duplicates("person_id").set_index("person_id")[UNIT_COLUMN]
        mapped = scored["respondent_id"].astype(str).map(lookup.rename(index=str))
        if mapped.notna().any():
            return mapped.astype("string")
    return None


def _rows(spec: IndicatorSpec, measure: str, table: pd.DataFrame, *, share: bool, threshold: float | None,
          direction: str, level: float, k: int, note: str) -> list[dict[str, Any]]:
    """Pool one indicator's unit table (``unit, estimate, se, n`` and for shares ``count``)."""
    from deliberval.analysis.meta import bayesian_pooling, bayesian_share_pooling, meta_analysis

    higher = direction == "higher_is_better"
    base = {"indicator_id": spec.id, "measure": measure, "confidence_level": level,
            "threshold": math.nan if threshold is None else float(threshold), "direction": direction,
            "status": "measured"}
    out: list[dict[str, Any]] = []
    total_n = int(table["n"].sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if share:
            bayes = bayesian_share_pooling(table, "count", "n", unit="unit", threshold=threshold,
                                           higher_is_better=higher, confidence_level=level)
            overall_name, prior = "mean_share", bayes.summary["prior"].iloc[0]
        else:
            bayes = bayesian_pooling(table, unit="unit", tau_scale=TAU_SCALE, threshold=threshold,
                                     higher_is_better=higher, confidence_level=level)
            overall_name, prior = "mu", bayes.summary["prior"].iloc[0]
    b_method = f"{bayes.summary['method'].iloc[0]}; prior: {prior}{note}"
    units = table.set_index("unit")
    for _, u in bayes.units.iterrows():
        obs = units.loc[u["unit"]]
        out.append({**base, "unit": u["unit"], "level": "unit", "model": "bayesian",
                    "observed_estimate": float(obs["estimate"]), "observed_se": float(obs["se"]),
                    "count": obs["count"] if share else pd.NA, "n": int(obs["n"]), "estimate": u["estimate"],
                    "se": u["sd"], "ci_low": u["ci_low"], "ci_high": u["ci_high"], "pi_low": math.nan,
                    "pi_high": math.nan, "prob_meets_threshold": u["prob_meets_threshold"], "method": b_method})
    summ = bayes.summary.set_index("parameter")
    mean, new = summ.loc[overall_name], summ.loc["new_unit"]
    out.append({**base, "unit": "all", "level": "mean", "model": "bayesian", "observed_estimate": math.nan,
                "observed_se": math.nan, "count": pd.NA, "n": total_n, "estimate": mean["estimate"],
                "se": mean["sd"], "ci_low": mean["ci_low"], "ci_high": mean["ci_high"], "pi_low": new["ci_low"],
                "pi_high": new["ci_high"], "prob_meets_threshold": mean["prob_meets_threshold"],
                "method": b_method + "; pi: a new unit's true value"})
    usable = table.loc[table["se"] > 0]
    if len(usable) < len(table) or len(usable) < 2:
        why = ("a unit's share is 0 or 1 (standard error 0)" if share else "a unit's standard error is 0")
        for _, u in table.iterrows():
            out.append({**base, "unit": u["unit"], "level": "unit", "model": "meta_analysis",
                        "observed_estimate": float(u["estimate"]), "observed_se": float(u["se"]),
                        "count": u["count"] if share else pd.NA, "n": int(u["n"]),
                        "status": "not_measured", "method": f"REML meta-analysis not computed: {why}"})
    else:
        meta = meta_analysis(table, unit="unit", method="REML", knapp_hartung=True, confidence_level=level)
        m_method = str(meta.summary["method"].iloc[0]) + note + "; unit rows: BLUP (shrunken estimate)"
        for _, u in meta.units.iterrows():
            obs = units.loc[u["unit"]]
            out.append({**base, "unit": u["unit"], "level": "unit", "model": "meta_analysis",
                        "observed_estimate": float(u["estimate"]), "observed_se": float(u["se"]),
                        "count": obs["count"] if share else pd.NA, "n": int(obs["n"]),
                        "estimate": u["pooled_estimate"], "se": u["pooled_se"], "ci_low": u["pooled_ci_low"],
                        "ci_high": u["pooled_ci_high"], "pi_low": math.nan, "pi_high": math.nan,
                        "prob_meets_threshold": math.nan, "method": m_method})
        s = meta.summary.iloc[0]
        out.append({**base, "unit": "all", "level": "mean", "model": "meta_analysis",
                    "observed_estimate": math.nan, "observed_se": math.nan, "count": pd.NA, "n": total_n,
                    "estimate": s["estimate"], "se": s["se"], "ci_low": s["ci_low"], "ci_high": s["ci_high"],
                    "pi_low": s["pi_low"], "pi_high": s["pi_high"], "prob_meets_threshold": math.nan,
                    "method": m_method.replace("; unit rows: BLUP (shrunken estimate)", "") +
                    f"; tau2 = {float(s['tau2']):.4g}, I2 = {float(s['i2']):.3g} %"})
    # a unit of fewer than k people is suppressed (the pooled mean is kept); when only one unit is,
    # the smallest other unit is too, so that the total n (and the indicator's count) cannot give it away
    small = set(table.loc[(table["n"] > 0) & (table["n"] < k), "unit"])
    if len(small) == 1 and len(table) > 1:
        rest = table.loc[~table["unit"].isin(small)].sort_values(["n", "unit"])
        small.add(rest["unit"].iloc[0])
    for row in out:
        if row["level"] == "unit" and row["unit"] in small:
            primary = 0 < int(row["n"]) < k
            row.update(observed_estimate=math.nan, observed_se=math.nan, count=pd.NA, estimate=math.nan,
                       se=math.nan, ci_low=math.nan, ci_high=math.nan, prob_meets_threshold=math.nan,
                       status="suppressed", n=pd.NA,
                       method=f"based on fewer than {k} respondents (disclosure control)" if primary else
                       f"hidden with a unit of fewer than {k} respondents (disclosure control, secondary)")
    return out


def _unit_table(spec: IndicatorSpec, part: pd.DataFrame, members: pd.DataFrame | None, instrument: Instrument,
                outcomes: list[tuple[OutcomeSpec, str | None]], level: float) -> tuple[pd.DataFrame, str, bool, str]:
    """``unit, estimate, se, n`` (``count`` for shares), the measure's name, whether a share, a note."""
    from deliberval.analysis.change import prepost
    from deliberval.indicators.evaluate import _experience

    citizens = part.loc[part["role"] == "citizen"] if "role" in part.columns else part
    post = citizens.loc[citizens["wave"] == "post"] if "wave" in citizens.columns else citizens.iloc[0:0]
    if spec.function == "deliberval.likert_shares":
        col = resolve_measure(instrument, spec.items[0], spec.construct)
        exp = _experience(post.assign(role=post[UNIT_COLUMN]), instrument, [col] if col else [], level, {})
        exp = exp.loc[exp["item"] == col]
        t = pd.DataFrame({"unit": exp["role"].astype(str), "count": exp["count"].astype(int),
                          "n": exp["n"].astype(int)})
        p = t["count"] / t["n"]
        t = t.assign(estimate=p, se=np.sqrt(p * (1 - p) / t["n"]))
        return t, "share agreeing", True, f"; {col} (post, participant citizens)"
    if spec.function == "deliberval.funnel":
        if members is None or not {"selected", "attended_all", UNIT_COLUMN} <= set(members.columns):
            return pd.DataFrame(), "", True, ""
        sel = members.loc[members["selected"].astype(bool) & members[UNIT_COLUMN].notna()]
        sel = sel.loc[sel["role"] == "citizen"] if "role" in sel.columns else sel
        g = sel.groupby(sel[UNIT_COLUMN].astype(str), sort=True)["attended_all"]
        t = pd.DataFrame({"count": g.apply(lambda s: int(s.astype(bool).sum())), "n": g.size()})
        t = t.rename_axis("unit").reset_index()
        p = t["count"] / t["n"]
        t = t.assign(estimate=p, se=np.sqrt(p * (1 - p) / t["n"]))
        return t, "retention (share attending every session)", True, "; members: selected citizens"
    if spec.function == "deliberval.score":
        col = resolve_measure(instrument, spec.scale or "", spec.construct)
        if col is None or col not in post.columns:
            return pd.DataFrame(), "", False, ""
        x = pd.to_numeric(post[col], errors="coerce")
        g = x.groupby(post[UNIT_COLUMN].astype(str), sort=True)
        t = pd.DataFrame({"estimate": g.mean(), "sd": g.std(ddof=1), "n": g.count()}).rename_axis("unit").reset_index()
        t = t.loc[t["n"] >= 2]
        t = t.assign(se=t["sd"] / np.sqrt(t["n"]))
        return t, "mean", False, f"; scale {col} (post, participant citizens); SE sd / sqrt(n)"
    # deliberval.prepost: the standardised change d_z of each unit
    outcome, col = next(((o, c) for o, c in outcomes if o.id == spec.scale), (None, None))
    if outcome is None or col is None or col not in part.columns:
        return pd.DataFrame(), "", False, ""
    sub = part.loc[part["wave"].isin(["pre", "post"])]
    if "role" in sub.columns:
        sub = sub.loc[sub["role"].isin(outcome.roles)]
    r = prepost(sub.assign(**{UNIT_COLUMN: sub[UNIT_COLUMN].astype(str)}), col, by=UNIT_COLUMN,
                confidence_level=level)
    r = r.loc[(r[UNIT_COLUMN] != "all") & (r["n"] >= 2) & np.isfinite(r["d_z"])]
    n = r["n"].astype(int)
    d = r["d_z"].astype(float)
    t = pd.DataFrame({"unit": r[UNIT_COLUMN].astype(str), "estimate": d, "n": n,
                      "se": np.sqrt(1.0 / n + d**2 / (2.0 * n))})
    return t, "standardised change d_z", False, (
        f"; scale {col}, pre and post pairs of participant {'/'.join(outcome.roles)}s; "
        "SE of d_z sqrt(1/n + d_z^2 / (2n))")


def unit_pooling(scored: pd.DataFrame | None, members: pd.DataFrame | None, instrument: Instrument,
                 catalogue: Catalogue, indicators: pd.DataFrame, outcomes: list[tuple[OutcomeSpec, str | None]],
                 settings: EvaluationSettings, reasons: dict[str, str]) -> pd.DataFrame:
    """Each measured indicator per unit, pooled across the units of the process.

    Parameters
    ----------
    scored : DataFrame or None
        Scored responses (a ``unit`` column, or the members' ``unit`` by ``person_id``, names
        each respondent's committee or panel).
    members : DataFrame or None
        The valid members table (``unit``; ``selected`` and ``attended_all`` for retention).
    instrument, catalogue, indicators, outcomes, settings
        The evaluation's (the indicator table gives each indicator's status, threshold and
        direction: only measured indicators are pooled).
    reasons : dict
        Why the table is empty (``unit_pooling``) or an indicator is left out
        (``unit_pooling:<indicator_id>``) is written here.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNIT_POOLING_COLUMNS`, two models per indicator (``model``: ``bayesian``,
        ``meta_analysis``), each with one row per unit (``level = "unit"``) and one for the
        units' mean (``unit = "all"``, ``level = "mean"``):

        - ``measure``: what is pooled (share agreeing, retention, mean, standardised change d_z);
        - ``observed_estimate``, ``observed_se``, ``count`` (shares), ``n``: the unit's own
          estimate, its standard error (``sqrt(p (1 - p) / n)``, ``sd / sqrt(n)``,
          ``sqrt(1/n + d_z^2 / (2n))``), count and respondents; the mean row's ``n`` is the total;
        - ``estimate``, ``se``, ``ci_low``, ``ci_high``: bayesian: the posterior mean, SD and
          equal-tailed credible interval of the unit's true value (mean row: of the mean of the
          units' true values, ``mu`` or the beta-binomial mean share); meta_analysis: the BLUP,
          its SE and interval (mean row: the pooled mean with its Knapp-Hartung interval);
        - ``pi_low``, ``pi_high`` (mean rows): a new unit's true value (bayesian: its credible
          interval; meta_analysis: the prediction interval);
        - ``confidence_level``, ``threshold``, ``direction``; ``prob_meets_threshold`` (bayesian
          rows with a threshold): the posterior P(true value meets the threshold);
        - ``status``: ``measured``; ``suppressed`` for a unit of fewer than ``min_cell_size``
          respondents, and for the smallest other unit when only one unit is that small (their
          numbers blank, so that the total cannot give them away; the mean rows keep theirs; the
          report applies its own disclosure pass on top); ``not_measured`` for meta-analysis
          rows when a unit's standard error is 0;
        - ``method``: the model, prior and data.

    Notes
    -----
    Bayesian: :func:`deliberval.analysis.meta.bayesian_share_pooling` for shares (beta-binomial,
    uniform priors on the mean share and sqrt(ICC)) and
    :func:`deliberval.analysis.meta.bayesian_pooling` for means and d_z (normal-normal, flat
    prior on mu, half-normal(0.5) on tau). Frequentist: :func:`deliberval.analysis.meta.meta_analysis`
    (REML, Knapp-Hartung). Shares are meta-analysed on the proportion scale with the binomial
    SE (so not when a unit's share is 0 or 1). Computed only with ``settings.pooling ==
    "bayesian"``; empty (with a reason) without a unit column or with fewer than 2 units.
    """
    if settings.pooling != "bayesian":
        reasons["unit_pooling"] = "pooling not requested (EvaluationSettings.pooling = 'none')"
        return _empty()
    if scored is None:
        reasons["unit_pooling"] = "no responses table"
        return _empty()
    units = _units_of(scored, members)
    if units is None:
        reasons["unit_pooling"] = "no unit column (responses' or members' 'unit') names the committees or panels"
        return _empty()
    from deliberval.indicators.evaluate import _participants

    part = _participants(scored.assign(**{UNIT_COLUMN: units}))
    part = part.loc[part[UNIT_COLUMN].notna()]
    n_units = int(part[UNIT_COLUMN].nunique())
    if n_units < 2:
        reasons["unit_pooling"] = f"the participants sit in {n_units} unit(s); pooling needs at least 2"
        return _empty()
    level = float(settings.confidence_level)
    k = int(settings.min_cell_size)
    tab = indicators.set_index("indicator_id")
    rows: list[dict[str, Any]] = []
    for spec in catalogue.indicators:
        if spec.function not in _POOLED or spec.id not in tab.index or tab.loc[spec.id, "status"] != "measured":
            continue
        thr = tab.loc[spec.id, "threshold"]
        threshold = None if pd.isna(thr) else float(thr)
        try:
            t, measure, share, note = _unit_table(spec, part, members, instrument, outcomes, level)
            if len(t) < 2:
                reasons[f"unit_pooling:{spec.id}"] = f"{len(t)} unit(s) with data; pooling needs at least 2"
                continue
            rows += _rows(spec, measure, t.reset_index(drop=True), share=share, threshold=threshold,
                          direction=spec.direction, level=level, k=k, note=note)
        except DelibervalError as exc:
            reasons[f"unit_pooling:{spec.id}"] = f"could not be computed: {exc}"
    if not rows:
        reasons.setdefault("unit_pooling", "no measured indicator could be pooled across the units")
        return _empty()
    out = pd.DataFrame(rows, columns=UNIT_POOLING_COLUMNS)
    out["count"] = out["count"].astype("Int64")
    out["n"] = out["n"].astype("Int64")
    for c in ("observed_estimate", "observed_se", "estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high",
              "prob_meets_threshold", "threshold", "confidence_level"):
        out[c] = out[c].astype(float)
    return out
