"""The comparison report: indicators of several processes side by side, and the cross-process model."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from deliberval.indicators.compare import ComparisonResult

from deliberval.indicators import load_catalogue
from deliberval.indicators.compare import EvaluationComparison
from deliberval.report.build import (
    _DOCUMENTS,
    _INDICATOR_IDS,
    _INDICATOR_RULE,
    Table,
    indicator_sheet,
    protect_indicators,
)
from deliberval.report.i18n import CODES, COLUMNS, t, translate_reason
from deliberval.report.render import (
    _ID_SETTINGS,
    _card_value,
    _env,
    css,
    format_value,
    setting_label,
    setting_value,
)

__all__ = ["ComparisonReport", "build_comparison", "render_comparison", "write_comparison"]


@dataclass
class ComparisonReport:
    """Indicators of several processes and, with enough processes, the cross-process model."""

    lang: str
    processes: list[tuple[str, str]]
    indicators: pd.DataFrame
    model: ComparisonResult | None = None
    model_note: str = ""
    meta_summary: pd.DataFrame | None = None  # the meta-analysis replacing the model with few processes
    meta_units: pd.DataFrame | None = None
    synthetic: bool = False
    min_cell_size: int = 5
    published_unused: int = 0  # published results of another outcome than the comparison's, left out
    provenance: list[tuple[str, str]] = field(default_factory=list)

    def tables(self) -> list[Table]:
        """Tables for the XLSX workbook."""
        # labels first, ids in their own columns (as the process report's workbook)
        out = [Table("indicators", "indicators", indicator_sheet(self.indicators, load_catalogue(), self.lang),
                     rule=_INDICATOR_RULE, checked=True, ids=_INDICATOR_IDS)]
        if self.model is not None:
            # a model over processes: its terms are not counts of people
            out.append(Table("model_coefficients", "model", self.model.coefficients, rule=_DOCUMENTS, checked=True))
            out.append(Table("model_variance", "model", self.model.variance_components, rule=_DOCUMENTS,
                             checked=True))
        if self.meta_summary is not None and self.meta_units is not None:
            # means of at least min_cell_size people each (build_comparison withholds it otherwise)
            out.append(Table("meta_analysis", "model", self.meta_summary, rule=_DOCUMENTS, checked=True))
            out.append(Table("meta_analysis_processes", "model", self.meta_units, rule=_DOCUMENTS, checked=True))
        return out


def build_comparison(comparison: EvaluationComparison, *, lang: str = "en") -> ComparisonReport:
    """Present a comparison of evaluated processes (:func:`deliberval.indicators.compare.compare_evaluations`).

    Parameters
    ----------
    comparison : EvaluationComparison
    lang : {"en", "fr"}

    Returns
    -------
    ComparisonReport
    """
    from deliberval._version import __version__
    from deliberval.indicators.compare import MIN_PROCESSES_FOR_MODEL

    c = comparison
    # the disclosure pass of the single report, process by process, at the strictest threshold
    # (suppression applies to this published copy, never to the comparison itself)
    cat = load_catalogue()
    # a comparison carries no categories: statistics over categories (Duncan's index, the largest
    # gap) cannot be checked for a small category here and are withheld; the process's own
    # report shows them when its categories allow
    reason = t(lang, "comparison_withheld", k=c.min_cell_size)
    parts = [protect_indicators(c.indicators.loc[c.indicators["process_id"] == pid], cat, c.min_cell_size,
                                small_categories=True, categorical_reason=reason)
             for pid, _ in c.processes]
    shown = pd.concat(parts, ignore_index=True) if parts else c.indicators
    rep = ComparisonReport(lang, list(c.processes), shown, synthetic=c.synthetic,
                           min_cell_size=c.min_cell_size)
    outcome = "" if c.outcome is None else _outcome_label(c.outcome, lang)
    if c.model is not None:
        rep.model = c.model
        rep.model_note = t(lang, "model_intro", outcome=outcome)
    elif c.meta is not None:
        units = c.meta.units
        own = units.loc[units["source"] != "published"] if "source" in units.columns else units
        # the evaluated processes' means only: a published mean is public already
        n_min = int(own["n"].min()) if own["n"].notna().any() else c.min_cell_size
        k, n_units = c.min_cell_size, int(c.meta.summary["n_units"].iloc[0])
        if n_min < k:  # a small process's mean could be derived from the pooled result: none shown
            rep.model_note = t(lang, "meta_withheld", n=n_units, k=k)
        else:
            rep.meta_summary = c.meta.summary
            rep.meta_units = c.meta.units
            rep.model_note = t(lang, "meta_intro", n=n_units, k=MIN_PROCESSES_FOR_MODEL, outcome=outcome,
                               df=int(c.meta.summary["df"].iloc[0]))
            if pd.isna(c.meta.summary["se"].iloc[0]):  # equal mean changes: a Knapp-Hartung SE of 0
                rep.model_note += " " + t(lang, "meta_no_interval")
    elif c.model_error:
        rep.model_note = c.model_error
    else:
        rep.model_note = t(lang, "model_not_shown", k=MIN_PROCESSES_FOR_MODEL, n=c.n_processes_with_changes)
    if len(c.published) and "used" in c.published.columns:
        rep.published_unused = int((~c.published["used"].astype(bool)).sum())
    catalogues = sorted({s.catalogue for s in c.summaries})
    rep.provenance = [("deliberval", __version__), ("indicator catalogue", ", ".join(catalogues)),
                      ("min_cell_size", str(c.min_cell_size)),
                      ("processes", ", ".join(f"{s.process_id} (seed {s.seed})" for s in c.summaries))]
    return rep


def _outcome_label(outcome_id: str, lang: str) -> str:
    for o in load_catalogue().outcomes:
        if o.id == outcome_id:
            return o.text(lang)
    return outcome_id


STAGES = ("design_integrity", "deliberative_experience", "pathways_to_impact")
"""The OECD evaluation stages, in the order the report shows them."""

_MARKS = {"meets": "✓", "misses": "✗", "inconclusive": "?"}


def _interval(r: pd.Series, lang: str) -> str:
    """``[lo – hi]`` of an indicator row in its unit's format, or "" without an interval."""
    if pd.isna(r["ci_low"]) or pd.isna(r["ci_high"]):
        return ""
    kind = "pct" if str(r["unit"]) == "proportion" else ("num1" if str(r["unit"]) == "percentage_points" else "num2")
    return f"[{format_value(r['ci_low'], kind, lang)} – {format_value(r['ci_high'], kind, lang)}]"


def _suppression_keys(rep: ComparisonReport) -> dict[str, str]:
    """A letter for each distinct reason a value is suppressed, in order of appearance."""
    ind = rep.indicators
    reasons = dict.fromkeys(str(r) for r in ind.loc[ind["status"] == "suppressed", "status_reason"])
    return {reason: f"({chr(ord('a') + i)})" if i < 26 else f"({i + 1})" for i, reason in enumerate(reasons)}


def _missing_text(r: pd.Series, lang: str, keys: dict[str, str]) -> str:
    """Why a process has no value: not measured, or suppressed with the letter of its reason."""
    if r["status"] == "suppressed":
        return f"{t(lang, 'suppressed')} {keys.get(str(r['status_reason']), '')}".strip()
    return t(lang, "not_measured")


def _cell(r: pd.Series, lang: str, keys: dict[str, str], *, unbreakable: bool = False) -> str:
    """One process's value of an indicator: estimate, verdict mark, interval and n; or why none.

    ``unbreakable``: the spaces inside each part are no-break spaces and a word joiner follows
    the interval's dash, so that a narrow cell wraps between the parts (``·``), never inside an
    interval or ``n = ...``."""
    if unbreakable:
        return " · ".join(part.replace(" ", "\u00a0").replace("–", "–\u2060")
                          for part in _cell(r, lang, keys).split(" · "))
    if r["status"] != "measured" or pd.isna(r["estimate"]):
        return _missing_text(r, lang, keys)
    parts = [_card_value(str(r["unit"]), float(r["estimate"]), lang)]
    if "verdict" in r.index and not pd.isna(r["verdict"]):
        parts[0] += " " + _MARKS[str(r["verdict"])]
    ci = _interval(r, lang)
    if ci:
        parts.append(ci)
    if not pd.isna(r["n"]):
        parts.append(f"n = {format_value(r['n'], 'int', lang)}")
    return " · ".join(parts)


#: Most processes side by side in one table: more are laid out in blocks (each a table of its own,
#: the indicators repeated) so that the table fits a 1280-pixel screen and an A4 page.
MAX_PROCESSES_PER_TABLE = 4


def process_blocks(n: int, most: int = MAX_PROCESSES_PER_TABLE) -> list[tuple[int, int]]:
    """``(first, last)`` slices of ``n`` processes in blocks of at most ``most``, as even as can be.

    Parameters
    ----------
    n : int
        Number of processes.
    most : int, default :data:`MAX_PROCESSES_PER_TABLE`
        Most processes in one block.

    Returns
    -------
    list of (int, int)
        Start (inclusive) and end (exclusive) of each block, in order; one block when
        ``n <= most``.

    Examples
    --------
    >>> process_blocks(3), process_blocks(5), process_blocks(9)
    ([(0, 3)], [(0, 3), (3, 5)], [(0, 3), (3, 6), (6, 9)])
    """
    if n <= most:
        return [(0, n)]
    k = -(-n // most)  # blocks
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    starts = [sum(sizes[:i]) for i in range(k)]
    return [(a, a + size) for a, size in zip(starts, sizes, strict=True)]


def _citation(r: pd.Series) -> str:
    """A published result's source as cited: the citation, then its DOI or address."""
    text = str(r.get("citation", "") or "").strip()
    doi, url = r.get("doi"), r.get("url")
    if isinstance(doi, str) and doi.strip():
        text += f" https://doi.org/{doi.strip()}"
    elif isinstance(url, str) and url.strip():
        text += f" {url.strip()}"
    return text


def forest_table(rep: ComparisonReport, stage: str) -> pd.DataFrame:
    """The rows one stage's forest plot draws: every (indicator, process) of the published table.

    Indicators that no process measured are left out (the table says so); suppressed and
    not-measured values keep their row with a ``note`` instead of a point.
    """
    lang = rep.lang
    cat = load_catalogue()
    ind = rep.indicators
    names = dict(rep.processes)
    keys = _suppression_keys(rep)
    rows = []
    for spec in cat.indicators:
        part = ind.loc[(ind["indicator_id"] == spec.id) & (ind["oecd_stage"] == stage)]
        if part.empty or part["estimate"].isna().all():
            continue
        for pid, _ in rep.processes:
            r = part.loc[part["process_id"] == pid]
            if r.empty:
                continue
            r0 = r.iloc[0]
            note = "" if not pd.isna(r0["estimate"]) else _missing_text(r0, lang, keys)
            rows.append({"indicator": spec.text(lang), "indicator_id": spec.id, "process": names.get(pid, pid),
                         "process_id": pid, "estimate": r0["estimate"], "ci_low": r0["ci_low"],
                         "ci_high": r0["ci_high"], "n": r0["n"], "unit": r0["unit"], "threshold": r0["threshold"],
                         "verdict": r0.get("verdict", pd.NA), "note": note})
    return pd.DataFrame(rows, columns=["indicator", "indicator_id", "process", "process_id", "estimate", "ci_low",
                                       "ci_high", "n", "unit", "threshold", "verdict", "note"])


def _forest_figures(rep: ComparisonReport, stages: Sequence[str] = STAGES) -> list[dict[str, str]]:
    """One forest plot per OECD stage of ``stages`` with at least one estimate (PNG data URIs).

    Each stage's figure depends on that stage and ``rep`` only, so ``deliberval demo`` draws
    them in worker processes, one stage a job (:func:`forest_stages`)."""
    from deliberval.plots.forest import plot_indicator_forest
    from deliberval.report.build import Figure, _png

    lang = rep.lang
    cat = load_catalogue()
    words = {"meets": t(lang, "forest_meets"), "misses": t(lang, "forest_misses"),
             "inconclusive": t(lang, "forest_inconclusive"), "none": t(lang, "no_threshold"),
             "threshold": t(lang, "forest_threshold"), "n": "n", "yes": t(lang, "yes"), "no": t(lang, "no")}
    out = []
    for stage in stages:
        tab = forest_table(rep, stage)
        if tab.empty:
            continue
        title = cat.stage_label(stage, lang)
        fig = plot_indicator_forest(tab, words=words, title=title,
                                    format_number=lambda v, kind: format_value(v, kind, lang))
        out.append({"uri": Figure(f"forest_{stage}", title, _png(fig)).data_uri, "title": title})
    return out


def forest_stages(rep: ComparisonReport) -> list[str]:
    """The OECD stages whose forest figure :func:`render_comparison` draws, the largest first.

    Drawing ``_forest_figures(rep, (stage,))`` for each (in any order, in any process) and
    joining the results in :data:`STAGES` order gives ``figures`` for :func:`render_comparison`:
    the same page as drawing them there. Largest: the most indicator rows (the cost of a figure)."""
    rows = rep.indicators["oecd_stage"].value_counts()
    shown = [stage for stage in STAGES if int(rows.get(stage, 0))]
    return sorted(shown, key=lambda stage: -int(rows.get(stage, 0)))


def render_comparison(rep: ComparisonReport, *, timestamp: str | None = None,
                      figures: list[dict[str, str]] | None = None) -> str:
    """The comparison as one self-contained HTML page.

    The indicators of every process side by side, grouped by OECD stage: each value with its
    verdict mark, interval and n (suppressed values say so); then one forest plot per stage
    (estimate, interval, n, threshold and verdict of each process), a legend, and the
    cross-process model when there are enough processes. ``figures``: the forest plots drawn
    already (``_forest_figures(rep)``, e.g. stage by stage in worker processes); drawn here when
    None.
    """
    lang = rep.lang
    cat = load_catalogue()
    heads = COLUMNS.get(lang, COLUMNS["en"])
    ind = rep.indicators
    keys = _suppression_keys(rep)
    blocks = process_blocks(len(rep.processes))
    side_by_side = []
    for first, last in blocks:
        shown = rep.processes[first:last]
        header = [(heads["indicator"], ""), *[(name, "num") for _, name in shown]]
        rows: list[dict[str, object]] = []
        for stage in STAGES:
            specs = [spec for spec in cat.indicators
                     if not ind.loc[(ind["indicator_id"] == spec.id) & (ind["oecd_stage"] == stage)].empty]
            if not specs:
                continue
            rows.append({"head": cat.stage_label(stage, lang), "cells": [], "css": "stagehead"})
            for spec in specs:
                cells = [(spec.text(lang), "")]
                for pid, _ in shown:
                    r = ind.loc[(ind["process_id"] == pid) & (ind["indicator_id"] == spec.id)]
                    cells.append((_cell(r.iloc[0], lang, keys, unbreakable=True) if not r.empty else "—", "num"))
                rows.append({"cells": cells, "css": ""})
        caption = "" if len(blocks) == 1 else t(lang, "comparison_block", first=first + 1, last=last,
                                                  n=len(rep.processes))
        side_by_side.append({"header": header, "rows": rows, "caption": caption, "note": "", "css": "compare"})
    side_by_side[-1]["note"] = t(lang, "disclosure_note", k=rep.min_cell_size)
    level = (format_value(float(ind["confidence_level"].dropna().iloc[0]), "pct", lang)
             if ind["confidence_level"].notna().any() else "")
    legend = [t(lang, "verdict_marks"), t(lang, "forest_legend_cells", level=level)]
    # why each suppressed value is withheld: the letters of the cells and of the plots
    legend += [f"{letter} {translate_reason(reason, lang)}" for reason, letter in keys.items()]
    tables: list[dict[str, object]] = []
    model_legend: list[str] = []
    if rep.model is not None:
        coef = rep.model.coefficients
        tables.append({"caption": t(lang, "model_section"), "note": f"{t(lang, 'icc')}: "
                       + format_value(rep.model.icc, "num3", lang),
                       "header": [(heads["term"], ""), (heads["estimate"], "num"), (heads["ci_low"], "num"),
                                  (heads["ci_high"], "num"), (heads["p"], "num")],
                       "rows": [{"css": "", "cells": [(str(r["term"]), ""),
                                                      (format_value(r["estimate"], "num3", lang), "num"),
                                                      (format_value(r["ci_low"], "num3", lang), "num"),
                                                      (format_value(r["ci_high"], "num3", lang), "num"),
                                                      (format_value(r["p_value"], "p", lang), "num")]}
                                for _, r in coef.iterrows()]})
    if rep.meta_summary is not None and rep.meta_units is not None:
        names = dict(rep.processes)
        ms = rep.meta_summary.iloc[0]

        def _row(label: str, obs: object, pooled: float, lo: float, hi: float, css_: str = "") -> dict[str, object]:
            return {"css": css_, "cells": [(label, ""), (format_value(obs, "num3", lang), "num"),
                                          (format_value(pooled, "num3", lang), "num"),
                                          (format_value(lo, "num3", lang), "num"),
                                          (format_value(hi, "num3", lang), "num")]}

        # per process: the observed mean change, its partially pooled value (BLUP) and interval;
        # a published result is marked [i] and cited under the table
        mrows, cited = [], []
        for _, r in rep.meta_units.iterrows():
            label = names.get(str(r["process_id"]), str(r["process_id"]))
            if str(r.get("source", "")) == "published":
                cited.append(_citation(r))
                label = f"{label} [{len(cited)}]"
            mrows.append(_row(label, r["estimate"], r["pooled_estimate"], r["pooled_ci_low"], r["pooled_ci_high"]))
        mrows.append(_row(t(lang, "meta_pooled"), None, ms["estimate"], ms["ci_low"], ms["ci_high"], "total"))
        mrows.append(_row(t(lang, "meta_prediction"), None, ms["estimate"], ms["pi_low"], ms["pi_high"]))
        if cited:
            model_legend = [t(lang, "meta_published", n=len(cited)),
                            *[f"[{i}] {text}" for i, text in enumerate(cited, start=1)]]
        tables.append({"caption": t(lang, "model_section"),
                       "note": f"tau² = {format_value(ms['tau2'], 'num3', lang)}, I² = "
                               f"{format_value(ms['i2'], 'num1', lang)} %",
                       "header": [(heads["term"], ""), (heads["estimate"], "num"), (t(lang, "meta_pooled_column"), "num"),
                                  (heads["ci_low"], "num"), (heads["ci_high"], "num")],
                       "rows": mrows})
    if rep.published_unused:
        model_legend.append(t(lang, "meta_published_unused", n=rep.published_unused))
    stamp = timestamp or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    figures = _forest_figures(rep) if figures is None else figures
    sections = [
        {"key": "comparison", "title": t(lang, "comparison_title"), "intro": t(lang, "comparison_intro"),
         "notices": [], "legend": legend, "tables": side_by_side, "figures": []},
        {"key": "forest", "title": t(lang, "forest_title"), "intro": t(lang, "forest_intro", level=level),
         "notices": [] if figures else [t(lang, "forest_none")], "legend": legend[2:], "tables": [],
         "figures": figures},
        {"key": "model", "title": t(lang, "model_section"), "intro": "", "notices": [rep.model_note],
         "legend": model_legend, "tables": tables, "figures": []},
    ]
    facts = [(pid, name) for pid, name in rep.processes]
    return _env().get_template("comparison.html.j2").render(
        lang=lang, css=css(), title=t(lang, "comparison_title"), facts=facts, synthetic=rep.synthetic,
        banner=t(lang, "synthetic_banner"), sections=sections,
        provenance=[(setting_label(k, lang), setting_value(k, v, lang), k in _ID_SETTINGS) for k, v in rep.provenance],
        generated=t(lang, "generated") + t(lang, "colon"), kicker=t(lang, "report_title"), timestamp=stamp,
        reference=cat.reference, codes=CODES.get(lang, CODES["en"]),
    )


def write_comparison(rep: ComparisonReport, path: str | os.PathLike[str], *, timestamp: str | None = None,
                     figures: list[dict[str, str]] | None = None) -> Path:
    """Write :func:`render_comparison` to ``path`` and return it."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_comparison(rep, timestamp=timestamp, figures=figures), encoding="utf-8")
    return p
