"""Build the standard report of one process from its evaluation: select, translate, suppress, format.

:func:`build_report` takes a :class:`~deliberval.indicators.ProcessEvaluation` (every number
already computed, once) and returns a :class:`ProcessReport` of display-ready tables (numbers,
not strings; suppressed cells already blanked) and figures (PNG bytes);
:mod:`deliberval.report.render` turns it into HTML, PDF and XLSX. Nothing here runs an analysis,
reads a file or names a scale, item or process: what is shown comes from the evaluation, the
catalogue and the instrument.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure

from deliberval.canonical import ROLES
from deliberval.indicators.evaluate import ProcessEvaluation
from deliberval.instruments.rules import item_range
from deliberval.plots.change import plot_did, plot_prepost
from deliberval.plots.representativeness import plot_funnel, plot_representativeness
from deliberval.plots.uptake import plot_status_bars
from deliberval.privacy import suppress_small_cells
from deliberval.report.i18n import CODES, t, translate_reason

__all__ = [
    "Figure",
    "ProcessReport",
    "ReportSettings",
    "Section",
    "Table",
    "build_report",
]


@dataclass
class Table:
    """One report table.

    ``data`` holds numbers (suppressed cells are NA and ``suppressed`` is True on their rows);
    ``formats`` maps a column to ``int``, ``pct``, ``num1``, ``num2``, ``num3``, ``p`` or
    ``text``.
    """

    key: str
    title: str
    data: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass
class Figure:
    """One figure as PNG bytes, with a caption."""

    key: str
    title: str
    png: bytes

    @property
    def data_uri(self) -> str:
        """``data:image/png;base64,...`` for embedding in HTML."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Section:
    """One section: intro text, notices (e.g. what was not assessed), tables and figures."""

    key: str
    title: str
    intro: str = ""
    notices: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass(frozen=True)
class ReportSettings:
    """How the report is presented.

    Attributes
    ----------
    language : {"en", "fr"}, default "en"
    title : str, optional
        Default: the process table's ``name``, else the process id.
    """

    language: str = "en"
    title: str | None = None

    @classmethod
    def from_config(cls, config: Any, *, language: str | None = None) -> ReportSettings:
        """Settings from a :class:`~deliberval.io.config.ProcessConfig` (``language`` overrides)."""
        return cls(language=language or config.language, title=config.title)


@dataclass
class ProcessReport:
    """Everything the HTML / PDF / XLSX writers need."""

    evaluation: ProcessEvaluation
    settings: ReportSettings
    lang: str
    title: str
    facts: list[tuple[str, str]]
    indicators: pd.DataFrame
    sections: list[Section]
    provenance: list[tuple[str, str]]
    inputs: pd.DataFrame
    synthetic: bool

    @property
    def min_cell_size(self) -> int:
        """The disclosure threshold applied."""
        return int(self.evaluation.settings.min_cell_size)

    @property
    def confidence_level(self) -> float:
        """The confidence level of every interval."""
        return float(self.evaluation.settings.confidence_level)

    def tables(self) -> list[Table]:
        """Every table of the report, in order (the indicator table first)."""
        out = [Table("indicators", "indicators", self.indicators)]
        for s in self.sections:
            out += s.tables
        out.append(Table("inputs", "inputs", self.inputs))
        return out


# ------------------------------------------------------------------------------------ helpers
def _png(fig: MplFigure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return buf.getvalue()


def _code(lang: str, value: Any) -> str:
    return CODES.get(lang, CODES["en"]).get(str(value), str(value))


def _plot_words(lang: str, *keys: str, codes: Iterable[Any] = (), prefix: str = "plot_") -> dict[str, str]:
    """``axis_labels`` of a plot in the report language: ``t(lang, prefix + key)`` and code names."""
    words = {key: t(lang, prefix + key) for key in keys}
    words.update({str(c): _code(lang, c) for c in codes})
    return words


def _secondary(df: pd.DataFrame, group: str, n_column: str, value_columns: Sequence[str]) -> pd.DataFrame:
    """Suppress the next smallest cell of a group with exactly one suppressed cell."""
    out = df.copy()
    for _, g in out.groupby(group, sort=False):
        if int(g["suppressed"].sum()) != 1:
            continue
        rest = g.loc[~g["suppressed"] & (pd.to_numeric(g[n_column], errors="coerce") > 0)]
        if rest.empty:
            continue
        idx = pd.to_numeric(rest[n_column]).idxmin()
        out.loc[idx, [n_column, *value_columns]] = pd.NA
        out.loc[idx, "suppressed"] = True
    return out


def _role_order(roles: Iterable[Any]) -> list[str]:
    present = [str(r) for r in dict.fromkeys(roles)]
    known = [r for r in ROLES if r in present]
    return known + [r for r in present if r not in known]


def _range(ev: ProcessEvaluation, column: str | None) -> str:
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


def _outcome_label(ev: ProcessEvaluation, outcome_id: str, lang: str) -> str:
    """A catalogue outcome's label with the instrument's response range."""
    columns = dict(zip(ev.outcomes["outcome"], ev.outcomes["column"], strict=True))
    for o in ev.catalogue.outcomes:
        if o.id == outcome_id:
            return o.text(lang) + _range(ev, columns.get(outcome_id))
    return outcome_id


def _scale_label(ev: ProcessEvaluation, scale_id: str, lang: str) -> str:
    """A scale's label: the outcome it measures, else its construct's catalogue label, else its id."""
    for outcome, column in zip(ev.outcomes["outcome"], ev.outcomes["column"], strict=True):
        if column == scale_id:
            return _outcome_label(ev, str(outcome), lang)
    construct = next((sc.construct for sc in ev.instrument.scales if sc.id == scale_id), None)
    label = None if construct is None else ev.catalogue.construct_label(construct, lang)
    return scale_id if label is None else label + _range(ev, scale_id)


# ----------------------------------------------------------------------------------- sections
def _participation(ev: ProcessEvaluation, lang: str) -> Section:
    k = ev.settings.min_cell_size
    sec = Section("participation", t(lang, "participation"), t(lang, "participation_intro"))
    if ev.data.members is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_members")))
        return sec
    if not ev.members_by_role.empty:
        by_role = ev.members_by_role.assign(role=[_code(lang, r) for r in ev.members_by_role["role"]])
        sec.tables.append(Table("members_by_role", t(lang, "members_by_role"),
                                suppress_small_cells(by_role, "n", k), {"role": "text", "n": "int"}))
    fr = ev.funnel
    if ev.data.targets is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_targets")))
        if not ev.funnel_counts.empty:
            counts = ev.funnel_counts.copy()
            counts["funnel_stage"] = [_code(lang, s) for s in counts["funnel_stage"]]
            sec.tables.append(Table("funnel", t(lang, "funnel"), suppress_small_cells(counts, "n", k),
                                    {"funnel_stage": "text", "n": "int"}))
        return sec
    if fr is not None:
        st = fr.funnel_stages[["funnel_stage", "n", "retained", "mean_duncan"]].copy()
        st["funnel_stage"] = [_code(lang, s) for s in st["funnel_stage"]]
        sec.tables.append(Table("funnel", t(lang, "funnel"), suppress_small_cells(st, "n", k),
                                {"funnel_stage": "text", "n": "int", "retained": "pct", "mean_duncan": "num3"}))
        # the figure shows category shares at every stage: small cells are left out of it
        cats = fr.categories.assign(key=fr.categories["funnel_stage"] + "|" + fr.categories["dimension"])
        cats = _secondary(suppress_small_cells(cats, "count", k), "key", "count", ["share"])
        shown = fr.categories.assign(share=cats["share"].astype(float).to_numpy())
        sec.figures.append(Figure("funnel", t(lang, "funnel"),
                                  _png(plot_funnel(replace(fr, categories=shown),
                                                   axis_labels=_plot_words(lang, "share",
                                                                           codes=fr.funnel_stages["funnel_stage"])))))
    elif "funnel" in ev.reasons and ev.reasons["funnel"] not in ("no population targets table",):
        sec.notices.append(t(lang, "not_available", reason=ev.reasons["funnel"]))
    rep = ev.representativeness
    if rep is not None:
        rc = rep.categories
        # differences are proportions in the analysis; the report shows percentage points
        cat = pd.DataFrame({"dimension": rc["dimension"], "category": rc["category"], "n_members": rc["count"],
                            "share": rc["share"], "target_share": rc["target_share"],
                            "difference_pp": 100 * rc["estimate"].astype(float),
                            "ci_low_pp": 100 * rc["ci_low"].astype(float),
                            "ci_high_pp": 100 * rc["ci_high"].astype(float)})
        cat = suppress_small_cells(cat, "n_members", k)
        value_cols = ["share", "target_share", "difference_pp", "ci_low_pp", "ci_high_pp"]
        cat = _secondary(cat, "dimension", "n_members", value_cols)
        note = t(lang, "secondary_note") if cat["suppressed"].any() else ""
        sec.tables.append(Table("representativeness", t(lang, "composition"), cat,
                                {"dimension": "text", "category": "text", "n_members": "int",
                                 "share": "pct", "target_share": "pct", "difference_pp": "num1",
                                 "ci_low_pp": "num1", "ci_high_pp": "num1"}, note))
        plotted = replace(rep, categories=rc.assign(
            estimate=cat["difference_pp"].astype(float).to_numpy() / 100,
            ci_low=cat["ci_low_pp"].astype(float).to_numpy() / 100,
            ci_high=cat["ci_high_pp"].astype(float).to_numpy() / 100))
        if not cat["suppressed"].all():
            sec.figures.append(Figure("representativeness", t(lang, "composition"),
                                      _png(plot_representativeness(plotted,
                                                                   axis_labels=_plot_words(lang, "difference")))))
    return sec


def _experience(ev: ProcessEvaluation, lang: str) -> Section:
    k = ev.settings.min_cell_size
    sec = Section("experience", t(lang, "experience"), t(lang, "experience_intro"))
    if ev.scored is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_responses")))
        return sec
    ins = ev.instrument
    shown = {it.id for it in ins.items if it.construct in ev.catalogue.experience_constructs}
    exp = ev.experience.loc[ev.experience["item"].isin(shown)] if not ev.experience.empty else ev.experience
    if exp.empty:
        sec.notices.append(t(lang, "not_available",
                             reason=ev.reasons.get("experience", "no post-survey answers on the deliberative experience")))
        return sec
    order = _role_order(exp["role"])
    exp = exp.assign(_r=exp["role"].map({r: i for i, r in enumerate(order)}))
    exp = exp.sort_values(["_r"], kind="stable")
    exp = exp.sort_values("item", key=lambda s: s.map({it: i for i, it in enumerate(ins.item_ids())}),
                          kind="stable")
    tab = pd.DataFrame({
        "item": [ins.item(i).text.get(lang, ins.item(i).text["en"]) for i in exp["item"]],
        "role": [_code(lang, r) for r in exp["role"]],
        "n": exp["n"].to_numpy(),
        "share_agree": exp["estimate"].to_numpy(dtype=float),
        "mean": exp["mean"].to_numpy(dtype=float),
    })
    tab = suppress_small_cells(tab.reset_index(drop=True), "n", k)
    note = t(lang, "suppressed_rows", n=int(tab["suppressed"].sum()), k=k) if tab["suppressed"].any() else ""
    sec.tables.append(Table("experience", t(lang, "experience"), tab,
                            {"item": "text", "role": "text", "n": "int", "share_agree": "pct", "mean": "num2"},
                            note))
    cit = tab.loc[(tab["role"] == _code(lang, "citizen")) & ~tab["suppressed"]]
    if not cit.empty:
        sec.figures.append(Figure("experience", t(lang, "experience"), _png(_agree_bars(cit, lang))))
    return sec


def _agree_bars(tab: pd.DataFrame, lang: str) -> MplFigure:
    """Horizontal bars of the share agreeing per statement (citizens)."""
    labels = [s if len(s) <= 70 else s[:67] + "..." for s in tab["item"]]
    share = tab["share_agree"].astype(float).to_numpy() * 100
    fig = MplFigure(figsize=(8.5, 0.38 * len(labels) + 1.0), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(labels))[::-1]
    ax.barh(y, share, color="#1f5fa8", height=0.62)
    ax.barh(y, 100 - share, left=share, color="#dfe6ef", height=0.62)
    for yi, v in zip(y, share, strict=True):
        ax.text(v - 1.5, yi, f"{v:.0f}%", va="center", ha="right", color="white", fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% " + ("d'accord" if lang == "fr" else "agree"))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def _change(ev: ProcessEvaluation, lang: str) -> Section:
    k = ev.settings.min_cell_size
    sec = Section("change", t(lang, "change"), t(lang, "change_intro"))
    if ev.scored is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_responses")))
        return sec
    ch = ev.change
    if "role" in ch.columns:
        ch = ch.loc[ch["role"] != "all"]
    ch = ch.loc[ch["n"] > 0] if "n" in ch.columns else ch.iloc[0:0]
    if ch.empty:
        sec.notices.append(t(lang, "not_available", reason=ev.reasons.get("change", t(lang, "no_pairs"))))
    else:
        if "role" not in ch.columns:
            ch = ch.assign(role="citizen")
        tab = ch[["comparison", "role", "outcome", "n", "mean_pre", "mean_post", "estimate", "ci_low", "ci_high",
                  "d_z", "holm_p_value"]].rename(columns={"estimate": "change"})
        tab["comparison"] = [f"{_code(lang, 'pre')} → {_code(lang, c)}" for c in tab["comparison"]]
        tab["role"] = [_code(lang, r) for r in tab["role"]]
        tab["outcome"] = [_outcome_label(ev, o, lang) for o in tab["outcome"]]
        tab = suppress_small_cells(tab.reset_index(drop=True), "n", k)
        note = t(lang, "suppressed_rows", n=int(tab["suppressed"].sum()), k=k) if tab["suppressed"].any() else ""
        sec.tables.append(Table("change", t(lang, "change"), tab,
                                {"comparison": "text", "role": "text", "outcome": "text", "n": "int",
                                 "mean_pre": "num2", "mean_post": "num2", "change": "num2",
                                 "ci_low": "num2", "ci_high": "num2", "d_z": "num2", "holm_p_value": "p"}, note))
        ok = ch.loc[(ch["comparison"] == "post") & (ch["n"] >= k) & (ch["role"] == "citizen")]
        if not ok.empty:
            labels = {o: _outcome_label(ev, o, lang) for o in ok["outcome"]}
            sec.figures.append(Figure("prepost", t(lang, "change"),
                                      _png(plot_prepost(ok.drop(columns=["role", "comparison", "column"]),
                                          labels=labels,
                                          axis_labels=_plot_words(lang, "mean", "change", "ci",
                                                                  codes=("pre", "post"))))))
    # difference-in-differences
    if ev.did.empty:
        reason = ev.reasons.get("did", t(lang, "no_control"))
        if reason.startswith("no control group"):
            reason = t(lang, "no_control")
        sec.notices.append(t(lang, "not_available", reason=reason) + " (DiD)")
        return sec
    d = ev.did.loc[ev.did["model"] != "baseline_difference"]
    tab = pd.DataFrame({"outcome": [_outcome_label(ev, o, lang) for o in d["outcome"]],
                        "model": [_code(lang, m) for m in d["model"]],
                        "n": d["n"].to_numpy(), "estimate": d["estimate"].to_numpy(dtype=float),
                        "ci_low": d["ci_low"].to_numpy(dtype=float), "ci_high": d["ci_high"].to_numpy(dtype=float),
                        "p_value": d["p_value"].to_numpy(dtype=float)})
    sec.tables.append(Table("did", t(lang, "did_title"), suppress_small_cells(tab, "n", k),
                            {"outcome": "text", "model": "text", "n": "int", "estimate": "num2",
                             "ci_low": "num2", "ci_high": "num2", "p_value": "p"}, t(lang, "did_intro")))
    gm = ev.did_means
    if not gm.empty:
        first = str(gm["outcome_id"].iloc[0])
        gm = suppress_small_cells(gm.drop(columns=["outcome_id"]), "n", k)
        if not gm["suppressed"].any():
            label = _outcome_label(ev, first, lang)
            fig = plot_did(gm.assign(group=[_code(lang, g) for g in gm["group"]],
                                     wave=[_code(lang, w) for w in gm["wave"]], outcome=label),
                           did_result=ev.did.loc[ev.did["outcome"] == first], title=label)
            sec.figures.append(Figure("did", t(lang, "did_intro"), _png(fig)))
    return sec


def _uptake(ev: ProcessEvaluation, lang: str) -> Section:
    sec = Section("uptake", t(lang, "uptake"), t(lang, "uptake_intro"))
    res = ev.uptake
    if res is None:
        reason = t(lang, "no_register") if ev.data.register is None else \
            translate_reason(ev.reasons.get("uptake", ""), lang)
        sec.notices.append(t(lang, "not_available", reason=reason))
        return sec
    ind = res.indicators[["indicator", "n", "count", "estimate", "ci_low", "ci_high"]].copy()
    ind["indicator"] = [_code(lang, i) for i in ind["indicator"]]
    sec.tables.append(Table("uptake", t(lang, "uptake"), ind,
                            {"indicator": "text", "n": "int", "count": "int", "estimate": "pct",
                             "ci_low": "pct", "ci_high": "pct"},
                            f"as of {res.as_of.date().isoformat()}; coding scheme {res.scheme}"))
    scheme = ev.data.register.register.scheme if ev.data.register is not None else None
    codes = list(scheme.status_order) if scheme is not None else list(res.status["status"].drop_duplicates())
    order = {code: i for i, code in enumerate(codes)}
    status = res.status.groupby("status", sort=False).size().rename("count").reset_index()
    status = status.sort_values("status", key=lambda s: s.map(order)).reset_index(drop=True)
    status["status"] = [_code(lang, c) for c in status["status"]]
    sec.tables.append(Table("uptake_status", t(lang, "uptake"), status, {"status": "text", "count": "int"}))
    if not res.agenda.empty:
        ag = res.agenda[["prior_agenda", "n", "count", "estimate", "ci_low", "ci_high"]].copy()
        ag["prior_agenda"] = [_code(lang, c) for c in ag["prior_agenda"]]
        sec.tables.append(Table("uptake_agenda", t(lang, "uptake_agenda"), ag,
                                {"prior_agenda": "text", "n": "int", "count": "int", "estimate": "pct",
                                 "ci_low": "pct", "ci_high": "pct"}))
    words = _plot_words(lang, "share", "title", codes=[*codes, *res.status["status"].unique()],
                        prefix="plot_status_")
    sec.figures.append(Figure("uptake", t(lang, "uptake"), _png(plot_status_bars(res, axis_labels=words))))
    return sec


def _psychometrics(ev: ProcessEvaluation, lang: str) -> Section:
    k = ev.settings.min_cell_size
    sec = Section("psychometrics", t(lang, "psychometrics"), t(lang, "psychometrics_intro"))
    rep = ev.scales
    if rep is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_responses")))
        return sec
    if "wave" not in rep.columns:
        rep = rep.assign(wave="")
    tab = rep[["scale", "wave", "n_items", "n", "alpha", "alpha_ci_low", "alpha_ci_high", "omega_total",
               "cfi", "rmsea", "status", "flags"]].copy()
    tab["wave"] = [_code(lang, w) for w in tab["wave"]]
    tab["scale"] = [_scale_label(ev, s, lang) for s in tab["scale"]]
    tab = suppress_small_cells(tab, "n", k)
    sec.tables.append(Table("psychometrics", t(lang, "psychometrics"), tab,
                            {"scale": "text", "wave": "text", "n_items": "int", "n": "int", "alpha": "num2",
                             "alpha_ci_low": "num2", "alpha_ci_high": "num2", "omega_total": "num2",
                             "cfi": "num3", "rmsea": "num3", "status": "text", "flags": "text"}))
    return sec


def _data_quality(ev: ProcessEvaluation, lang: str) -> Section:
    k = ev.settings.min_cell_size
    sec = Section("data_quality", t(lang, "data_quality"), t(lang, "data_quality_intro"))
    v = ev.data.responses
    if v is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_responses")))
        return sec
    counts = pd.DataFrame({"value": [t(lang, "rows_read"), t(lang, "rows_valid"), t(lang, "rows_quarantined")],
                           "n": [v.n_rows, len(v.valid), len(v.quarantined)]})
    sec.tables.append(Table("validation_counts", t(lang, "data_quality"), suppress_small_cells(counts, "n", k),
                            {"value": "text", "n": "int"}))
    summ = v.summary[["check", "severity", "column", "reason", "n"]].copy()
    # missing-value codes: one row per reason (items counted), not one per item
    is_code = summ["check"] == "missing_code"
    if is_code.any():
        codes = summ.loc[is_code].groupby(["check", "severity", "reason"], sort=False).agg(
            column=("column", "nunique"), n=("n", "sum")).reset_index()
        codes["column"] = [f"{c} item(s)" for c in codes["column"]]
        summ = pd.concat([summ.loc[~is_code], codes[["check", "severity", "column", "reason", "n"]]],
                         ignore_index=True)
    sec.tables.append(Table("validation", t(lang, "validation_summary"), suppress_small_cells(summ, "n", k),
                            {"check": "text", "severity": "text", "column": "text", "reason": "text", "n": "int"}))
    for note in v.notes:
        sec.notices.append(note)
    if ev.data.dropped_text:
        sec.notices.append(t(lang, "free_text_note", n=len(ev.data.dropped_text)))
    return sec


# ------------------------------------------------------------------------------------- report
def _facts(ev: ProcessEvaluation, settings: ReportSettings, lang: str) -> tuple[str, list[tuple[str, str]]]:
    pid = ev.data.process_id
    title = settings.title or pid
    facts: list[tuple[str, str]] = [(t(lang, "process"), pid)]
    p = ev.data.process_facts()
    if p:
        title = settings.title or str(p.get("name", pid))
        if "model" in p:
            facts.append((t(lang, "model"), str(p["model"]).replace("_", " ")))
        if "commissioner" in p:
            facts.append((t(lang, "commissioner"), str(p["commissioner"])))
        if "start_date" in p and "end_date" in p:
            facts.append((t(lang, "period"), f"{str(p['start_date'])[:10]} – {str(p['end_date'])[:10]}"))
        if "members_citizen" in p:
            mp = p.get("members_politician", 0)
            facts.append((t(lang, "members"), f"{p['members_citizen']} {_code(lang, 'citizen')}"
                          + (f", {mp} {_code(lang, 'politician')}" if str(mp) not in ("0", "nan", "") else "")))
        if "languages" in p:
            facts.append((t(lang, "languages"), str(p["languages"])))
    return title, facts


def build_report(evaluation: ProcessEvaluation, settings: ReportSettings | None = None) -> ProcessReport:
    """Present an evaluation as the standard report: select, translate, suppress and format.

    Parameters
    ----------
    evaluation : ProcessEvaluation
        Output of :func:`deliberval.evaluate_process`.
    settings : ReportSettings, optional
        Language and title (default: English, the process's name).

    Returns
    -------
    ProcessReport

    Examples
    --------
    >>> from deliberval.datasets import load_example
    >>> from deliberval.indicators import evaluate_process
    >>> rep = build_report(evaluate_process(load_example("gentofte_ptc").process_data()))
    >>> [s.key for s in rep.sections]
    ['participation', 'experience', 'change', 'uptake', 'psychometrics', 'data_quality']
    """
    from deliberval._version import __version__

    ev = evaluation
    settings = settings or ReportSettings()
    language = settings.language
    # the evaluation gives its reasons in English; the report's table, XLSX sheet and notices
    # carry them in the report language (the evaluation itself is left as it is)
    table = ev.indicators.copy()
    table["status_reason"] = [translate_reason(str(r), language) for r in table["status_reason"]]
    if language != ev.settings.language:
        labels = {spec.id: spec.text(language) for spec in ev.catalogue.indicators}
        table["label"] = [labels.get(i, lab) for i, lab in zip(table["indicator_id"], table["label"], strict=True)]
    sections = [
        _participation(ev, language),
        _experience(ev, language),
        _change(ev, language),
        _uptake(ev, language),
        _psychometrics(ev, language),
        _data_quality(ev, language),
    ]
    title, facts = _facts(ev, settings, language)
    s = ev.settings
    deadline = s.deadline_days if s.deadline_days is not None else ev.data.response_deadline_days
    provenance = [
        ("deliberval", __version__),
        ("instrument", f"{ev.instrument.id} {ev.instrument.version}"),
        ("instrument library", ", ".join(f"{k} {v}" for k, v in sorted(ev.data.library_versions.items()))),
        ("indicator catalogue", f"{ev.catalogue.id} {ev.catalogue.version}"),
        ("seed", str(s.seed)),
        ("min_cell_size", str(s.min_cell_size)),
        ("confidence_level", f"{s.confidence_level:g}"),
        ("as_of", s.as_of.isoformat() if s.as_of else "latest response event"),
        ("deadline_days", "" if deadline is None else str(deadline)),
        ("language", language),
    ]
    files = ev.data.files.loc[:, ["key", "file", "rows", "sha256"]].copy()
    files["rows"] = files["rows"].astype("Int64")
    return ProcessReport(ev, settings, language, title, facts, table, sections, provenance, files,
                         ev.data.synthetic)
