"""The comparison report: indicators of several processes side by side, and the cross-process model."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from deliberval.indicators.compare import ComparisonResult

from deliberval.indicators import load_catalogue
from deliberval.indicators.compare import EvaluationComparison
from deliberval.report.build import _DOCUMENTS, _INDICATOR_RULE, Table, protect_indicators
from deliberval.report.i18n import CODES, COLUMNS, t
from deliberval.report.render import _card_value, _env, css, format_value

__all__ = ["ComparisonReport", "build_comparison", "render_comparison", "write_comparison"]


@dataclass
class ComparisonReport:
    """Indicators of several processes and, with enough processes, the cross-process model."""

    lang: str
    processes: list[tuple[str, str]]
    indicators: pd.DataFrame
    model: ComparisonResult | None = None
    model_note: str = ""
    synthetic: bool = False
    min_cell_size: int = 5
    provenance: list[tuple[str, str]] = field(default_factory=list)

    def tables(self) -> list[Table]:
        """Tables for the XLSX workbook."""
        out = [Table("indicators", "indicators", self.indicators, rule=_INDICATOR_RULE, checked=True)]
        if self.model is not None:
            # a model over processes: its terms are not counts of people
            out.append(Table("model_coefficients", "model", self.model.coefficients, rule=_DOCUMENTS, checked=True))
            out.append(Table("model_variance", "model", self.model.variance_components, rule=_DOCUMENTS,
                             checked=True))
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
    parts = [protect_indicators(c.indicators.loc[c.indicators["process_id"] == pid], cat, c.min_cell_size)
             for pid, _ in c.processes]
    shown = pd.concat(parts, ignore_index=True) if parts else c.indicators
    rep = ComparisonReport(lang, list(c.processes), shown, synthetic=c.synthetic,
                           min_cell_size=c.min_cell_size)
    outcome = "" if c.outcome is None else _outcome_label(c.outcome, lang)
    if c.model is not None:
        rep.model = c.model
        rep.model_note = t(lang, "model_intro", outcome=outcome)
    elif c.model_error:
        rep.model_note = c.model_error
    else:
        rep.model_note = t(lang, "model_not_shown", k=MIN_PROCESSES_FOR_MODEL, n=c.n_processes_with_changes)
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


def render_comparison(rep: ComparisonReport, *, timestamp: str | None = None) -> str:
    """The comparison as one self-contained HTML page."""
    lang = rep.lang
    cat = load_catalogue()
    heads = COLUMNS.get(lang, COLUMNS["en"])
    header = [(heads["indicator"], ""), *[(pid, "num") for pid, _ in rep.processes]]
    rows = []
    ind = rep.indicators
    for spec in cat.indicators:
        cells = [(spec.text(lang), "")]
        for pid, _ in rep.processes:
            r = ind.loc[(ind["process_id"] == pid) & (ind["indicator_id"] == spec.id)].iloc[0]
            if r["status"] == "measured":
                text = _card_value(str(r["unit"]), float(r["estimate"]), lang)
                if not pd.isna(r["meets_threshold"]):
                    text += " ✓" if bool(r["meets_threshold"]) else " ✗"
            else:
                text = t(lang, str(r["status"]))
            cells.append((text, "num"))
        rows.append({"cells": cells, "css": ""})
    tables = [{"header": header, "rows": rows, "caption": "", "note": t(lang, "disclosure_note", k=rep.min_cell_size)}]
    if rep.model is not None:
        coef = rep.model.coefficients
        tables.append({"caption": t(lang, "model_section"), "note": f"{t(lang, 'icc')}: "
                       + format_value(rep.model.icc, "num3", lang),
                       "header": [(heads["term"], ""), (heads["estimate"], "num"), ("ci low", "num"),
                                  ("ci high", "num"), (heads["p"], "num")],
                       "rows": [{"css": "", "cells": [(str(r["term"]), ""),
                                                      (format_value(r["estimate"], "num3", lang), "num"),
                                                      (format_value(r["ci_low"], "num3", lang), "num"),
                                                      (format_value(r["ci_high"], "num3", lang), "num"),
                                                      (format_value(r["p_value"], "p", lang), "num")]}
                                for _, r in coef.iterrows()]})
    stamp = timestamp or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    sections = [
        {"key": "comparison", "title": t(lang, "comparison_title"), "intro": t(lang, "comparison_intro"),
         "notices": [], "tables": tables[:1], "figures": []},
        {"key": "model", "title": t(lang, "model_section"), "intro": "", "notices": [rep.model_note],
         "tables": tables[1:], "figures": []},
    ]
    facts = [(pid, name) for pid, name in rep.processes]
    return _env().get_template("comparison.html.j2").render(
        lang=lang, css=css(), title=t(lang, "comparison_title"), facts=facts, synthetic=rep.synthetic,
        banner=t(lang, "synthetic_banner"), sections=sections, provenance=rep.provenance,
        generated=t(lang, "generated"), kicker=t(lang, "report_title"), timestamp=stamp,
        reference=cat.reference, codes=CODES.get(lang, CODES["en"]),
    )


def write_comparison(rep: ComparisonReport, path: str | os.PathLike[str], *, timestamp: str | None = None) -> Path:
    """Write :func:`render_comparison` to ``path`` and return it."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_comparison(rep, timestamp=timestamp), encoding="utf-8")
    return p
