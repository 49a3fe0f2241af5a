"""What the report says about the evaluation itself and about what it could not measure.

Plain data for :mod:`deliberval.report.build`: the "About this evaluation" facts and narrative
(evaluator, commissioner, scope, independence, data sources, limitations, findings: set in the
process configuration, see :class:`deliberval.report.ReportSettings`), the thresholds with their
stated sources, which estimates are weighted, and which outcomes have no change and why. Nothing
here computes a statistic: it reads the :class:`~deliberval.indicators.ProcessEvaluation`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from deliberval.instruments.rules import item_range
from deliberval.report.formatting import localise_number_text
from deliberval.report.i18n import CODES, t, translate_reason

if TYPE_CHECKING:
    from deliberval.indicators.evaluate import ProcessEvaluation

__all__ = [
    "DATA_SOURCES",
    "about_facts",
    "about_narrative",
    "change_notices",
    "did_notices",
    "outcome_label",
    "thresholds_frame",
    "weighting_notices",
]

#: The data sources an evaluation may use (OECD 2021 evaluation guidelines), in report order.
DATA_SOURCES = (
    "member_survey",
    "organiser_questionnaire",
    "observation",
    "interviews",
    "document_review",
)


def response_range(ev: ProcessEvaluation, column: str | None) -> str:
    """`` (lo-hi)``: the response range of an item or of a scale's first item, from the instrument."""
    ins = ev.instrument
    if column is None:
        return ""
    item = None
    if column in ins.item_ids():
        item = column
    else:
        for sc in ins.scales:
            if sc.id == column and sc.items:
                item = sc.items[0]
    if item is None:
        return ""
    bounds = item_range(ins.response_scale(ins.item(item).scale))
    return "" if bounds is None else f" ({bounds[0]:g}-{bounds[1]:g})"


def outcome_label(ev: ProcessEvaluation, outcome_id: str, lang: str) -> str:
    """An outcome's label (the settings', the catalogue's or the instrument's) with its response range."""
    for spec, column in ev.outcome_specs:
        if spec.id == outcome_id:
            return spec.text(lang) + response_range(ev, column)
    return outcome_id


def _who(roles: list[str], lang: str) -> str:
    return "/".join(CODES.get(lang, CODES["en"]).get(r, r) for r in roles)


def present_roles(ev: ProcessEvaluation) -> set[str]:
    """The roles the process has: among its members (when a members table is given) or its respondents."""
    roles: set[str] = set()
    if not ev.members_by_role.empty:
        roles |= {str(r) for r in ev.members_by_role["role"]}
    if ev.scored is not None and "role" in ev.scored.data.columns:
        roles |= {str(r) for r in ev.scored.data["role"].dropna().unique()}
    return roles


def change_notices(ev: ProcessEvaluation, lang: str) -> list[str]:
    """One line per outcome without a pre/post change in the report: which, and why.

    Outcomes the settings add are named one by one; catalogue outcomes the instrument does not
    measure are named together in one line (their constructs are not in the instrument).
    """
    if ev.scored is None or "change" in ev.reasons:
        return []  # the section already says why nothing was compared
    shown = set()
    if not ev.change.empty and "n" in ev.change.columns:
        rows = ev.change.loc[(ev.change["comparison"] == "post") & (ev.change["n"] > 0)]
        if "role" in rows.columns:
            rows = rows.loc[rows["role"] != "all"]
        shown = set(rows["outcome"])
    extra = (
        set(ev.outcomes.loc[ev.outcomes["source"] == "settings", "outcome"])
        if "source" in ev.outcomes
        else set()
    )
    unmatched = []
    lines = []
    for spec, column in ev.outcome_specs:
        if spec.id in shown:
            continue
        reason = ev.reasons.get(f"change:{spec.id}")
        if (
            column is None
            and spec.id not in extra
            and str(reason).startswith("the instrument has no scale or item")
        ):
            unmatched.append(spec.text(lang))
            continue
        if reason is None:
            continue
        if spec.roles and not set(spec.roles) & present_roles(ev):
            # an outcome of a role the process does not have: say so, not that a survey missed it
            reason = t(lang, "role_absent", who=_who(spec.roles, lang))
        lines.append(
            t(
                lang,
                "outcome_not_compared",
                outcome=outcome_label(ev, spec.id, lang),
                who=_who(spec.roles, lang),
                reason=translate_reason(reason, lang),
            )
        )
    if unmatched:
        lines.append(t(lang, "outcomes_not_in_instrument", outcomes="; ".join(unmatched)))
    return lines


def did_notices(ev: ProcessEvaluation, lang: str) -> list[str]:
    """One line per citizens' outcome not compared with the control group although there is one."""
    if "did" in ev.reasons and str(ev.reasons["did"]).startswith("no control group"):
        return []
    lines = []
    for spec, _ in ev.outcome_specs:
        reason = ev.reasons.get(f"did:{spec.id}")
        if reason is not None and any(ch.isdigit() for ch in reason):
            # an analysis message may count the few people it rests on: never published
            reason = "the model cannot be estimated on these data"
        if reason is not None:
            lines.append(
                t(
                    lang,
                    "outcome_not_did",
                    outcome=outcome_label(ev, spec.id, lang),
                    reason=translate_reason(reason, lang),
                )
            )
    return lines


def weighting_notices(ev: ProcessEvaluation, lang: str) -> list[str]:
    """Which estimates are weighted, whenever the responses carry weights (never silent)."""
    w = ev.weighting
    if w.empty:
        return []
    used = w.loc[w["weighted"].astype(bool)]
    if not used.empty:
        return [t(lang, "weighted_change", column=str(used["weight_column"].iloc[0]))]
    if w["note"].astype(str).str.startswith("the responses carry a weight column").any():
        return [t(lang, "unweighted_despite_weights")]
    return []


def thresholds_frame(ev: ProcessEvaluation, indicators: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``indicator, direction, threshold, threshold_source`` of every indicator with a threshold.

    ``threshold`` is the threshold as text in the indicator's unit (percentages for proportions).
    """
    cat = ev.catalogue
    shipped = type(cat).model_fields["threshold_source"].default
    rows = []
    for _, r in indicators.iterrows():
        thr = r.get("threshold")
        if thr is None or pd.isna(thr):
            continue
        value = float(thr)
        unit = str(r["unit"])
        if unit == "proportion":
            text = localise_number_text(f"{100 * value:g}%", lang)
        elif unit == "percentage_points":
            text = localise_number_text(f"{value:g}", lang) + "\u00a0" + t(lang, "unit_pp")
        else:
            text = localise_number_text(f"{value:g}", lang)
        sign = "≥ " if r["direction"] == "higher_is_better" else "≤ "
        rows.append(
            {
                "indicator": str(r["label"]),
                "threshold": sign + text,
                "threshold_source": _source(
                    cat,
                    str(r["indicator_id"]),
                    str(r.get("threshold_source", "") or ""),
                    shipped,
                    lang,
                ),
            }
        )
    return pd.DataFrame(rows, columns=["indicator", "threshold", "threshold_source"])


def _source(cat: Any, indicator_id: str, source: str, shipped: str, lang: str) -> str:
    """The stated source in the report language when it is the shipped catalogue's default."""
    try:
        own = cat.get(indicator_id).threshold_source
        default = cat.threshold_source == shipped and source == cat.source_of_threshold(
            indicator_id
        )
    except KeyError:
        return source
    return (
        t(lang, "threshold_catalogue_default", version=cat.version)
        if default and not own
        else source
    )


def about_facts(ev: ProcessEvaluation, settings: Any, lang: str) -> list[tuple[str, str]]:
    """``(label, text)`` rows of "About this evaluation": what the configuration states, and says
    plainly what it does not."""
    none = t(lang, "not_stated")
    facts = ev.data.process_facts() or {}
    commissioner = settings.commissioner or (
        str(facts["commissioner"]) if "commissioner" in facts else None
    )
    out = [
        (t(lang, "about_evaluator"), settings.evaluator or none),
        (t(lang, "about_commissioner"), commissioner or none),
    ]
    ind = settings.independence
    if ind is None:
        out.append((t(lang, "about_independence"), none))
    else:
        level = t(lang, f"independence_{ind.level}")
        text = (
            t(lang, "independence_statement", level=level, statement=ind.statement)
            if ind.statement
            else level
        )
        out.append((t(lang, "about_independence"), text))
    if settings.data_sources:
        used = [t(lang, f"source_{s}") for s in DATA_SOURCES if s in settings.data_sources]
        out.append((t(lang, "about_data_sources"), ", ".join(used)))
    else:
        d = ev.data
        tables = [
            k
            for k in ("responses", "members", "targets", "register", "process")
            if getattr(d, k) is not None
        ]
        out.append(
            (
                t(lang, "about_data_sources"),
                t(lang, "data_sources_not_stated",
                  files=", ".join(t(lang, f"table_{k}") for k in tables) or "—"),
            )
        )
    return out


def about_narrative(settings: Any, lang: str) -> list[tuple[str, str]]:
    """``(heading, Markdown)`` of the evaluator's scope, limitations and findings, in that order."""
    out = []
    for key in ("evaluation_scope", "limitations", "findings"):
        text = getattr(settings, key, None)
        if text and str(text).strip():
            out.append((t(lang, f"about_{key}"), str(text)))
    return out
