"""The comparison group's part of the report: balance, adjusted DiD rows and the event study.

Presents what :mod:`deliberval.indicators.controls` computed (the evaluation's ``balance``,
``balance_categories``, ``did_adjusted`` and ``event_study``): the absolute standardised mean
differences of the covariates before and after propensity weighting, with the 0.1 convention
and its sources; n and Kish's effective n per group; the balance ("Love") plot; the adjusted
difference-in-differences next to the unadjusted one; and the event study over the follow-up
waves. Every table has a disclosure rule. Per-category counts are never published: they only
decide which categories are withheld (a category of fewer than ``min_cell_size`` participants
or controls has its ASMD withheld). Called by :mod:`deliberval.report.build`; computes nothing.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from deliberval.disclosure import TableRule
from deliberval.report.i18n import REASONS, t, translate_reason

if TYPE_CHECKING:
    from deliberval.indicators.evaluate import ProcessEvaluation
    from deliberval.report.build import Section

__all__ = ["ASMD_THRESHOLD", "BALANCE_RULE", "add_controls", "with_adjusted_did"]

#: The usual mark of adequate balance (Austin 2011; Stuart 2010), drawn and stated in the report.
ASMD_THRESHOLD = 0.1

#: The balance table's rule: a category of fewer than k participants or controls is withheld (the
#: count columns decide and are then dropped: per-category counts are never published).
BALANCE_RULE = TableRule(counts=("count_participant", "count_control"), values=("asmd_before", "asmd_after"))
_SUMMARY_RULE = TableRule(counts=("n",), values=("effective_n", "max_weight"))
_EVENT_RULE = TableRule(counts=("n",), values=("estimate", "ci_low", "ci_high", "p_value"))


def _reason(ev: ProcessEvaluation, key: str, lang: str) -> str:
    """A reason of the evaluation in ``lang``; analysis messages the locales have no pattern for
    (they may quote counts) become one general sentence."""
    from deliberval.report.build import _category_names, _names

    reason = str(ev.reasons.get(key, ""))
    if not any(re.match(p, reason) for p in REASONS["en"].values()):
        return t(lang, "balance_not_estimable")
    m = re.match(r"^category '(.+)' of covariate '(.+)' has no", reason)
    if m:  # the category and the covariate by their labels, never their codes
        labels = _category_names(ev, lang, [m.group(2)])[0]
        reason = (f"category '{labels.get(m.group(1), m.group(1))}' of covariate "
                  f"'{labels.get(m.group(2), m.group(2))}'" + reason[m.end(2) + 1:])
    return translate_reason(reason, lang, _names(ev, lang))


def _covariate_names(ev: ProcessEvaluation, lang: str) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Display names of the covariates and of their categories (the instrument's labels)."""
    from deliberval.report.build import _category_names, _code

    cols: dict[str, str] = {}
    levels: dict[tuple[str, str], str] = {}
    cats = ev.balance_categories
    for col in dict.fromkeys([*(str(c) for c in ev.settings.covariates), *(str(c) for c in cats["column"])]):
        names, _ = _category_names(ev, lang, [col])
        cols[col] = names.get(col, _code(lang, col))
        for lev in cats.loc[cats["column"] == col, "level"].dropna():
            levels[(col, str(lev))] = names.get(str(lev), _code(lang, lev))
    return cols, levels


def with_adjusted_did(tab: pd.DataFrame, outcomes: list[str], ev: ProcessEvaluation, lang: str) -> pd.DataFrame:
    """The DiD table (``outcome`` labels in the order of ``outcomes``, the ids) with each outcome's
    adjusted row after its unadjusted ones."""
    from deliberval.report.build import _code, _outcome_label

    adj = ev.did_adjusted
    if adj.empty:
        return tab
    rows = pd.DataFrame({
        "outcome": [_outcome_label(ev, o, lang) for o in adj["outcome"]],
        "model": [_code(lang, a) for a in adj["adjustment"]],
        "n": adj["n"].to_numpy(), "n_participant": adj["n_participant"].to_numpy(),
        "n_control": adj["n_control"].to_numpy(), "estimate": adj["estimate"].to_numpy(dtype=float),
        "ci_low": adj["ci_low"].to_numpy(dtype=float), "ci_high": adj["ci_high"].to_numpy(dtype=float),
        "p_value": adj["p_value"].to_numpy(dtype=float)})
    order = list(dict.fromkeys([*outcomes, *(str(o) for o in adj["outcome"])]))
    keys = [order.index(o) for o in outcomes] + [order.index(str(o)) for o in adj["outcome"]]
    out = pd.concat([tab, rows[tab.columns]], ignore_index=True)
    pos = np.argsort(np.asarray(keys), kind="stable")
    return out.iloc[pos].reset_index(drop=True)


def add_controls(sec: Section, ev: ProcessEvaluation, lang: str, k: int) -> None:
    """Add the comparison group's balance, its plot and the event study to the change section."""
    from deliberval.report.build import Table, _protect

    if ev.balance is None:
        if "balance" in ev.reasons:
            sec.notices.append(t(lang, "balance_not_assessed", reason=_reason(ev, "balance", lang)))
    else:
        _balance(sec, ev, lang, k)
    if not ev.did_adjusted.empty:
        sec.notices.append(t(lang, "did_adjusted_note", covariates=", ".join(_covariate_names(ev, lang)[0].values())))
    elif ev.balance is not None and "did_adjusted" in ev.reasons:
        sec.notices.append(t(lang, "did_adjusted_not_assessed", reason=_reason(ev, "did_adjusted", lang)))
    es = ev.event_study
    if es.empty:
        waves = set(ev.scored.data["wave"]) if ev.scored is not None else set()
        if len(waves) > 2 and "event_study" in ev.reasons:
            sec.notices.append(t(lang, "event_study_not_assessed", reason=_reason(ev, "event_study", lang)))
        return
    from deliberval.report.build import _code, _outcome_label

    tab = pd.DataFrame({
        "outcome": [_outcome_label(ev, o, lang) for o in es["outcome"]],
        "wave": [f"{_code(lang, 'pre')} → {_code(lang, w)}" for w in es["wave"]],
        "model": [_code(lang, a) for a in es["adjustment"]],
        "n": es["n"].to_numpy(), "estimate": es["estimate"].to_numpy(dtype=float),
        "ci_low": es["ci_low"].to_numpy(dtype=float), "ci_high": es["ci_high"].to_numpy(dtype=float),
        "p_value": es["p_value"].to_numpy(dtype=float)})
    tab = _protect(tab, _EVENT_RULE, k)
    sec.tables.append(Table("event_study", t(lang, "event_study_title"), tab,
                            {"outcome": "text", "wave": "text", "model": "text", "n": "int", "estimate": "num2",
                             "ci_low": "num2", "ci_high": "num2", "p_value": "p"},
                            t(lang, "event_study_note"), rule=_EVENT_RULE))


def _balance(sec: Section, ev: ProcessEvaluation, lang: str, k: int) -> None:
    from deliberval.plots.balance import plot_balance
    from deliberval.report.build import Table, _code, _cut, _figure, _protect
    from deliberval.report.formatting import format_number

    res = ev.balance
    assert res is not None
    bal = res.balance.reset_index(drop=True)
    cats = ev.balance_categories.set_index("covariate")
    cols, levels = _covariate_names(ev, lang)
    column = [str(cats.at[c, "column"]) for c in bal["covariate"]]
    level = [cats.at[c, "level"] for c in bal["covariate"]]
    tab = pd.DataFrame({
        "covariate": [cols.get(c, c) for c in column],
        "category": ["" if pd.isna(lv) else levels.get((c, str(lv)), str(lv)) for c, lv in zip(column, level,
                                                                                               strict=True)],
        "count_participant": [cats.at[c, "count_participant"] for c in bal["covariate"]],
        "count_control": [cats.at[c, "count_control"] for c in bal["covariate"]],
        "asmd_before": bal["asmd_before"].to_numpy(dtype=float),
        "asmd_after": bal["asmd_after"].to_numpy(dtype=float)})
    tab = _protect(tab, BALANCE_RULE, k).drop(columns=["count_participant", "count_control"])
    withheld = int(tab["suppressed"].sum())
    summary = res.summary
    trim = float(summary["trim"].iloc[0])
    notes = [t(lang, "balance_note", threshold=format_number(ASMD_THRESHOLD, 1, lang))]
    notes.append(t(lang, "balance_weighted" if ev.settings.adjustment == "propensity" else "balance_unweighted"))
    if trim > 0:
        n_trim = int(summary["n_trimmed"].sum())
        notes.append(t(lang, "balance_trim", low=format_number(trim, 2, lang), high=format_number(1 - trim, 2, lang),
                       count=n_trim) if n_trim == 0 or n_trim >= k else
                     t(lang, "balance_trim_few", low=format_number(trim, 2, lang),
                       high=format_number(1 - trim, 2, lang), k=k))
    if withheld:
        notes.append(t(lang, "balance_withheld", n=withheld, k=k))
    sec.tables.append(Table("balance", t(lang, "balance_title"), tab,
                            {"covariate": "text", "category": "text", "asmd_before": "num3", "asmd_after": "num3"},
                            " ".join(notes), rule=BALANCE_RULE))
    summ = pd.DataFrame({"group": [_code(lang, g) for g in summary["group"]],
                         "n": summary["n"].to_numpy(), "effective_n": summary["effective_n_after"].to_numpy(dtype=float),
                         "max_weight": summary["max_weight"].to_numpy(dtype=float)})
    summ = _protect(summ, _SUMMARY_RULE, k)
    sec.tables.append(Table("balance_summary", t(lang, "balance_summary_title"), summ,
                            {"group": "text", "n": "int", "effective_n": "num1", "max_weight": "num2"},
                            t(lang, "balance_summary_note"), rule=_SUMMARY_RULE))
    shown = ~tab["suppressed"].to_numpy(dtype=bool)
    if shown.any():
        labels = [f"{c}: {_cut(g, 40)}" if g else c for c, g in zip(tab["covariate"], tab["category"], strict=True)]
        published = bal.assign(covariate=labels).loc[shown].reset_index(drop=True)
        fig = plot_balance(replace(res, balance=published), threshold=ASMD_THRESHOLD,
                           labels=(t(lang, "plot_balance_before"), t(lang, "plot_balance_after")),
                           xlabel=t(lang, "plot_asmd"))
        sec.figures.append(_figure("balance", t(lang, "balance_title"), fig,
                                   t(lang, "balance_caption", threshold=format_number(ASMD_THRESHOLD, 1, lang))))
