"""The comparison report: indicators of several processes side by side, and the cross-process model."""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from deliberval.analysis.comparison import ComparisonResult, compare_processes
from deliberval.analysis.representativeness import TargetsWarning
from deliberval.errors import AnalysisInputError, DataInputError
from deliberval.indicators import evaluate_process, load_catalogue
from deliberval.report.build import ProcessReport, Table, load_inputs, response_deadline
from deliberval.report.config import ReportConfig
from deliberval.report.i18n import CODES, COLUMNS, t
from deliberval.report.render import _card_value, _env, css, format_value

__all__ = ["MIN_PROCESSES_FOR_MODEL", "ComparisonReport", "ProcessSummary", "assemble_comparison",
           "build_comparison", "render_comparison", "summarise_process", "write_comparison"]

#: Fewest processes for which the cross-process mixed model is shown.
MIN_PROCESSES_FOR_MODEL = 5


@dataclass
class ComparisonReport:
    """Indicators of several processes and, with enough processes, the mixed model."""

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
        out = [Table("indicators", "indicators", self.indicators)]
        if self.model is not None:
            out.append(Table("model_coefficients", "model", self.model.coefficients))
            out.append(Table("model_variance", "model", self.model.variance_components))
        return out


@dataclass
class ProcessSummary:
    """What the comparison needs of one process: its indicators and individual change scores."""

    process_id: str
    name: str
    indicators: pd.DataFrame
    changes: pd.DataFrame
    seed: int
    synthetic: bool = False


def _change_scores(process_id: str, run_scored: pd.DataFrame | None) -> pd.DataFrame:
    if run_scored is None or "external_efficacy" not in run_scored.columns:
        return pd.DataFrame(columns=["process_id", "change"])
    s = run_scored
    if "group" in s.columns:
        s = s.loc[s["group"] == "participant"]
    if "role" in s.columns:
        s = s.loc[s["role"] == "citizen"]
    wide = s.pivot_table(index="respondent_id", columns="wave", values="external_efficacy", aggfunc="first")
    if not {"pre", "post"} <= set(wide.columns):
        return pd.DataFrame(columns=["process_id", "change"])
    change = (wide["post"] - wide["pre"]).dropna()
    return pd.DataFrame({"process_id": process_id, "change": change.to_numpy()})


def summarise_process(cfg: ReportConfig, *, min_cell_size: int | None = None, lang: str = "en",
                      report: ProcessReport | None = None) -> ProcessSummary:
    """Indicators and change scores of one process (reusing an already built report if given)."""
    if report is not None and (min_cell_size is None or min_cell_size == cfg.min_cell_size):
        scored = report.run.results.get("scored")
        return ProcessSummary(cfg.process_id, report.title, report.indicators,
                              _change_scores(cfg.process_id, scored if isinstance(scored, pd.DataFrame) else None),
                              cfg.seed, report.synthetic)
    k = min_cell_size or cfg.min_cell_size
    inp = load_inputs(cfg)
    name = cfg.title or (str(inp.process["name"].iloc[0]) if inp.process is not None and "name" in inp.process
                         else cfg.process_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TargetsWarning)
        run = evaluate_process(
            inp.responses, inp.instrument, members=inp.members, targets=inp.targets,
            recommendations=inp.recommendations, events=inp.events, process=inp.process,
            as_of=cfg.as_of, deadline_days=response_deadline(cfg, inp), min_cell_size=k,
            confidence_level=cfg.confidence_level, seed=cfg.seed, lang=lang)
    scored = run.results.get("scored")
    return ProcessSummary(cfg.process_id, name, run.table,
                          _change_scores(cfg.process_id, scored if isinstance(scored, pd.DataFrame) else None),
                          cfg.seed, inp.synthetic)


def assemble_comparison(summaries: Sequence[ProcessSummary], *, lang: str = "en",
                        min_cell_size: int = 5) -> ComparisonReport:
    """Put process summaries side by side and fit the cross-process model when there are enough.

    Raises
    ------
    DataInputError
        Fewer than two processes, or a process id given twice.
    """
    if len(summaries) < 2:
        raise DataInputError(f"a comparison needs at least two process configurations, got {len(summaries)}")
    ids = [s.process_id for s in summaries]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise DataInputError(f"process id(s) given more than once: {', '.join(dup)}")
    ind = pd.concat([s.indicators.assign(process_id=s.process_id) for s in summaries], ignore_index=True)
    ind = ind[["process_id", *[c for c in ind.columns if c != "process_id"]]]
    rep = ComparisonReport(lang, [(s.process_id, s.name) for s in summaries], ind,
                           synthetic=any(s.synthetic for s in summaries), min_cell_size=min_cell_size)
    ch = pd.concat([s.changes for s in summaries], ignore_index=True)
    n_with = int(ch["process_id"].nunique()) if len(ch) else 0
    if n_with < MIN_PROCESSES_FOR_MODEL:
        rep.model_note = t(lang, "model_not_shown", k=MIN_PROCESSES_FOR_MODEL, n=n_with)
    else:
        try:
            rep.model = compare_processes(ch, "change", process="process_id")
            rep.model_note = t(lang, "model_intro")
        except AnalysisInputError as exc:
            rep.model_note = str(exc)
    cat = load_catalogue()
    from deliberval import __version__

    rep.provenance = [("deliberval", __version__), ("indicator catalogue", f"{cat.id} {cat.version}"),
                      ("min_cell_size", str(min_cell_size)),
                      ("processes", ", ".join(f"{s.process_id} (seed {s.seed})" for s in summaries))]
    return rep


def build_comparison(configs: Sequence[ReportConfig], *, lang: str = "en") -> ComparisonReport:
    """Compute the indicators of every process and, with enough processes, the mixed model.

    Parameters
    ----------
    configs : sequence of ReportConfig
        One configuration per process; process ids must be distinct. The strictest
        ``min_cell_size`` of the configurations applies to all.
    lang : {"en", "fr"}

    Returns
    -------
    ComparisonReport

    Raises
    ------
    DataInputError
        Fewer than two processes, or a process id given twice.
    """
    if len(configs) < 2:
        raise DataInputError(f"a comparison needs at least two process configurations, got {len(configs)}")
    ids = [c.process_id for c in configs]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise DataInputError(f"process id(s) given more than once: {', '.join(dup)}")
    k = max(c.min_cell_size for c in configs)
    return assemble_comparison([summarise_process(c, min_cell_size=k, lang=lang) for c in configs],
                               lang=lang, min_cell_size=k)


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
