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
import re
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure

from deliberval.canonical import ROLES
from deliberval.disclosure import (
    COMPLEMENT,
    PRIMARY,
    SECONDARY,
    TableRule,
    protect,
    protect_indicator_table,
    protect_linked,
)
from deliberval.errors import DataInputError
from deliberval.indicators.criteria import criteria_coverage, load_criteria
from deliberval.indicators.evaluate import ProcessEvaluation
from deliberval.indicators.units import unit_names
from deliberval.plots._base import OKABE_ITO, PlotFigure, wrap
from deliberval.plots.change import plot_did, plot_prepost
from deliberval.plots.representativeness import plot_funnel, plot_representativeness
from deliberval.plots.uptake import plot_status_bars
from deliberval.report import about, controls
from deliberval.report.formatting import (
    REPORT_LANGUAGE,
    format_date,
    format_interval,
    localise_figure,
)
from deliberval.report.i18n import (
    CODES,
    LANGUAGES,
    has_string,
    t,
    translate_flags,
    translate_reason,
)

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
    ``text``. ``rule`` is the table's disclosure rule (:class:`deliberval.disclosure.TableRule`):
    :func:`build_report` refuses a table without one, passes every table through
    :func:`deliberval.disclosure.protect` and sets ``checked``; the ``suppression`` column then
    says why each hidden row (``primary``, ``secondary``) or cell (``secondary:<columns>``) is
    hidden.
    """

    key: str
    title: str
    data: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    note: str = ""
    rule: TableRule | None = None
    checked: bool = False
    ids: tuple[str, ...] = ()
    """Columns of machine ids kept next to their labels for the XLSX workbook only (the HTML and
    PDF tables show the labels)."""


@dataclass
class Figure:
    """One figure as PNG bytes (150 dpi), with a caption; ``width_in`` is its width in inches."""

    key: str
    title: str
    png: bytes
    caption: str = ""
    width_in: float = 0.0

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
    facts: list[tuple[str, str]] = field(default_factory=list)
    """``(label, plain text)`` rows shown as a list (the "About this evaluation" facts)."""
    markdown: list[tuple[str, str]] = field(default_factory=list)
    """``(heading, Markdown)`` blocks of the evaluator's own text (rendered with raw HTML escaped)."""


@dataclass(frozen=True)
class ReportSettings:
    """How the report is presented.

    Attributes
    ----------
    language : {"en", "fr", "nl", "de", "da"}, default "en"
    title : str, optional
        Default: the process table's ``name``, else the process id.
    disclosure_control : bool, default True
        Apply every rule of :mod:`deliberval.disclosure` (threshold, complement, secondary,
        linked totals). ``min_cell_size`` below 3 is refused unless this is False; when False
        only the threshold is applied and the report says so in a warning.
    complement_rule : bool, default True
        Hide a share when its numerator or its complement ``n - count`` is below the
        threshold (zero included); False hides only numerators ``0 < count < k``.
    evaluator, commissioner : str, optional
        Who evaluated the process, and who commissioned the evaluation (default: the process
        table's ``commissioner``).
    evaluation_scope, limitations, findings : str, optional
        The evaluator's own Markdown text (rendered with raw HTML escaped; never respondents'
        free text).
    independence : optional
        ``level`` (``independent``, ``partly_independent``, ``internal``) and ``statement`` of
        the evaluator's independence (:class:`deliberval.io.config.IndependenceConfig`).
    data_sources : tuple of str, default ()
        Sources used: ``member_survey``, ``organiser_questionnaire``, ``observation``,
        ``interviews``, ``document_review``. The report says so when none is stated.
    """

    language: str = "en"
    title: str | None = None
    disclosure_control: bool = True
    complement_rule: bool = True
    evaluator: str | None = None
    commissioner: str | None = None
    evaluation_scope: str | None = None
    independence: Any = None
    data_sources: tuple[str, ...] = ()
    limitations: str | None = None
    findings: str | None = None

    @classmethod
    def from_config(cls, config: Any, *, language: str | None = None) -> ReportSettings:
        """Settings from a :class:`~deliberval.io.config.ProcessConfig` (``language`` overrides)."""
        return cls(language=language or config.language, title=config.title,
                   disclosure_control=bool(getattr(config, "disclosure_control", True)),
                   evaluator=getattr(config, "evaluator", None), commissioner=getattr(config, "commissioner", None),
                   evaluation_scope=getattr(config, "evaluation_scope", None),
                   independence=getattr(config, "independence", None),
                   data_sources=tuple(getattr(config, "data_sources", ()) or ()),
                   limitations=getattr(config, "limitations", None), findings=getattr(config, "findings", None))


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
    warnings: list[str] = field(default_factory=list)

    @property
    def min_cell_size(self) -> int:
        """The disclosure threshold applied."""
        return int(self.evaluation.settings.min_cell_size)

    @property
    def confidence_level(self) -> float:
        """The confidence level of every interval."""
        return float(self.evaluation.settings.confidence_level)

    def tables(self) -> list[Table]:
        """Every table of the report, in order (the indicator table first).

        The "About this evaluation" facts and the evaluator's Markdown (as written) come second,
        as a table ``about`` (``item, text``), so that the XLSX workbook carries them too.
        """
        out = [Table("indicators", "indicators", indicator_sheet(self.indicators, self.evaluation.catalogue, self.lang),
                     rule=_INDICATOR_RULE, checked=True, ids=_INDICATOR_IDS)]
        about = next((s for s in self.sections if s.key == "about"), None)
        if about is not None and (about.facts or about.markdown):
            rows = pd.DataFrame([*about.facts, *about.markdown], columns=["item", "text"])
            out.append(Table("about", about.title, rows, {"item": "text", "text": "text"}, rule=_DOCUMENTS,
                             checked=True))
        for s in self.sections:
            out += s.tables
        out.append(Table("inputs", "inputs", self.inputs, rule=_DOCUMENTS, checked=True))
        return out


# ------------------------------------------------------------------------------------ helpers
_INDICATOR_IDS = ("indicator_id", "oecd_stage", "criterion_id")


def indicator_sheet(indicators: pd.DataFrame, catalogue: Any, lang: str) -> pd.DataFrame:
    """The indicator table as the XLSX workbook shows it: labels first, each id in its own column.

    ``label, indicator_id, stage, oecd_stage, criterion, criterion_id`` lead (the stage and the
    criterion in ``lang`` from the catalogue, their ids next to them), the other columns follow
    unchanged; ``process_id`` (a comparison) stays first.
    """
    df = indicators.copy()
    df["stage"] = [catalogue.stage_label(str(s), lang) for s in df["oecd_stage"]]
    df["criterion_id"] = df["criterion"].astype(str)
    df["criterion"] = [catalogue.criterion_label(str(c), lang) for c in df["criterion_id"]]
    lead = [c for c in ("process_id", "label", "indicator_id", "stage", "oecd_stage", "criterion", "criterion_id")
            if c in df.columns]
    return df[lead + [c for c in df.columns if c not in lead]]


_DPI = 150


def _png(fig: MplFigure) -> bytes:
    """The figure as PNG at 150 dpi, without metadata that changes between runs.

    The same pixels as ``fig.savefig(buf, format="png", dpi=150)``, for less CPU: the figure is
    drawn once by the Agg canvas, its layout engine running inside that draw (``savefig`` first
    draws it a second time, without output, to run the layout); an opaque figure is written as
    RGB (no alpha channel) at zlib level 3, smaller and faster to encode than RGBA at level 6.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    old_canvas, old_dpi = fig.canvas, fig.dpi
    canvas = FigureCanvasAgg(fig)
    try:
        fig.dpi = _DPI
        canvas.draw()
        pixels = np.asarray(canvas.buffer_rgba())
    finally:
        fig.dpi = old_dpi
        fig.set_canvas(old_canvas)
    if (pixels[..., 3] == 255).all():
        pixels = np.ascontiguousarray(pixels[..., :3])
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="png", dpi=(_DPI, _DPI), compress_level=3)
    return buf.getvalue()


def _figure(key: str, title: str, fig: MplFigure, caption: str = "") -> Figure:
    """A report :class:`Figure` of a matplotlib figure: PNG bytes, caption and printed width."""
    localise_figure(fig)  # numbers on the axes and bars as the report language writes them
    return Figure(key, title, _png(fig), caption, float(fig.get_figwidth()))


def _cut(text: str, width: int = 60) -> str:
    """``text`` on one line, cut at a word boundary to at most ``width`` characters (``…`` added)."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    head = text[: width - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(" ,;:") + "…"


def _names(ev: ProcessEvaluation, lang: str) -> dict[str, str]:
    """Names in ``lang`` of the instrument's ids that reasons, flags and notes quote: each item by its
    text (cut to 60 characters), each scale by its label, the instrument by its title."""
    ins = ev.instrument
    names = {it.id: _cut(it.text.get(lang, it.text.get("en", it.id))) for it in ins.items}
    for sc in ins.scales:
        label = ev.catalogue.construct_label(sc.construct, lang)
        if label is not None:
            names[sc.id] = label
    names[ins.id] = ins.title.get(lang, ins.title.get("en", ins.id))
    return names


def _category_names(ev: ProcessEvaluation, lang: str, dimensions: Iterable[Any]) -> tuple[dict[str, str], list[str]]:
    """Display names of representativeness dimensions and their categories, from the instrument.

    A dimension that is an item of the instrument is named by its construct's catalogue label
    (else the item's text) and its categories by the labels of the item's response scale in
    ``lang``; where the instrument has no label in ``lang`` the English one is used and the
    dimension is listed in the second value (the report says so). Other codes keep the report's
    code names, else themselves.
    """
    ins = ev.instrument
    known = set(ins.item_ids())
    names: dict[str, str] = {}
    english: list[str] = []
    for dim in dict.fromkeys(str(d) for d in dimensions):
        if dim not in known:
            names.setdefault(dim, _code(lang, dim))
            continue
        item = ins.item(dim)
        label = ev.catalogue.construct_label(item.construct, lang)
        names[dim] = label if label is not None else _cut(item.text.get(lang, item.text.get("en", dim)))
        try:
            scale = ins.response_scale(item.scale)
        except KeyError:
            continue
        fell_back = False
        for v in scale.values:
            text = v.labels.get(lang)
            if text is None and v.labels.get("en") is not None:
                text, fell_back = v.labels["en"], True
            if text is not None:
                names.setdefault(str(v.value), text)
        if fell_back and lang != "en":
            english.append(names[dim])
    return names, english


def _code_labels(lang: str, codes: Iterable[Any]) -> dict[str, str]:
    """Display labels of category and dimension codes in the report language (the code when none)."""
    return {str(c): _code(lang, c) for c in codes}


def _code(lang: str, value: Any) -> str:
    return CODES.get(lang, CODES["en"]).get(str(value), str(value))


def _plot_words(lang: str, *keys: str, codes: Iterable[Any] = (), prefix: str = "plot_") -> dict[str, str]:
    """``axis_labels`` of a plot in the report language: ``t(lang, prefix + key)`` and code names."""
    words = {key: t(lang, prefix + key) for key in keys}
    words.update({str(c): _code(lang, c) for c in codes})
    return words


_DOCUMENTS = TableRule(people=False)
"""The rule of tables counting recommendations and documents, not people."""

# set by build_report for the sections it builds: (complement rule, secondary suppression)
_RULES: ContextVar[tuple[bool, bool]] = ContextVar("_RULES", default=(True, True))


def _protect(df: pd.DataFrame, rule: TableRule, k: int) -> pd.DataFrame:
    """:func:`deliberval.disclosure.protect` with the report's settings (complement, secondary)."""
    complement, secondary = _RULES.get()
    return protect(df, rule, k, complement=complement, secondary=secondary)


def _small_role_waves(ev: ProcessEvaluation, k: int) -> set[str]:
    """Waves in which some role or group (participants, controls) has ``0 < n < k`` respondents.

    A count over a whole wave minus the published count of the other roles or groups would give
    the small one, so such totals are withheld.
    """
    v = ev.data.responses
    if v is None or v.valid.empty or "wave" not in v.valid.columns:
        return set()
    idc = "respondent_id" if "respondent_id" in v.valid.columns else None
    small: set[str] = set()
    for col in ("role", "group"):
        if col not in v.valid.columns:
            continue
        g = v.valid.groupby(["wave", col], observed=True)
        sizes = g[idc].nunique() if idc else g.size()
        small |= {str(w) for (w, _), c in sizes.items() if 0 < int(c) < k}
    return small


def _role_order(roles: Iterable[Any]) -> list[str]:
    present = [str(r) for r in dict.fromkeys(roles)]
    known = [r for r in ROLES if r in present]
    return known + [r for r in present if r not in known]


def _outcome_label(ev: ProcessEvaluation, outcome_id: str, lang: str) -> str:
    """An outcome's label (the settings', the catalogue's or the instrument's) with its response range."""
    return about.outcome_label(ev, outcome_id, lang)


def _scale_label(ev: ProcessEvaluation, scale_id: str, lang: str) -> str:
    """A scale's label: the outcome it measures, else its construct's catalogue label, else its id."""
    for outcome, column in zip(ev.outcomes["outcome"], ev.outcomes["column"], strict=True):
        if column == scale_id:
            return _outcome_label(ev, str(outcome), lang)
    construct = next((sc.construct for sc in ev.instrument.scales if sc.id == scale_id), None)
    label = None if construct is None else ev.catalogue.construct_label(construct, lang)
    return scale_id if label is None else label + about.response_range(ev, scale_id)


# ----------------------------------------------------------------------------------- sections
def _about(ev: ProcessEvaluation, settings: ReportSettings, indicators: pd.DataFrame, lang: str) -> Section:
    """Who evaluated, for whom, how independently, from which data; thresholds and their sources."""
    sec = Section("about", t(lang, "about"), t(lang, "about_intro"))
    sec.facts = about.about_facts(ev, settings, lang)
    sec.markdown = about.about_narrative(settings, lang)
    if sec.markdown:
        sec.notices.append(t(lang, "narrative_note"))
    sec.notices += about.weighting_notices(ev, lang)
    sec.notices += _pooling_notices(ev, indicators, lang)
    thresholds = about.thresholds_frame(ev, indicators, lang)
    if not thresholds.empty:
        sec.tables.append(Table("thresholds", t(lang, "thresholds"), thresholds,
                                {"indicator": "text", "threshold": "text", "threshold_source": "text"},
                                rule=_DOCUMENTS))
    return sec


_POSTERIOR_OF = {"deliberval.likert_shares": "share", "deliberval.funnel": "share", "deliberval.score": "mean",
                 "deliberval.prepost": "standardised_change", "deliberval.did": "normal"}


def _pooling_notices(ev: ProcessEvaluation, indicators: pd.DataFrame, lang: str) -> list[str]:
    """With pooling: the verdict rule and the reference prior of each P(meets) published (issue 20)."""
    if "prob_meets_threshold" not in indicators.columns:
        return []
    from deliberval.indicators.evaluate import PROBABILITY_CUTOFF
    from deliberval.report.formatting import format_number

    functions = {spec.id: spec.function for spec in ev.catalogue.indicators}
    shown = indicators.loc[pd.to_numeric(indicators["prob_meets_threshold"], errors="coerce").notna(), "indicator_id"]
    models = list(dict.fromkeys(_POSTERIOR_OF[f] for f in (functions.get(i) for i in shown) if f in _POSTERIOR_OF))
    out = []
    if models:
        out.append(t(lang, "pooling_note", priors="; ".join(t(lang, f"prior_{m}") for m in models)))
    if ev.settings.verdict_rule == "probability":
        out.append(t(lang, "verdict_rule_probability", cutoff=format_number(PROBABILITY_CUTOFF, 2, lang),
                     low=format_number(1 - PROBABILITY_CUTOFF, 2, lang)))
    else:
        out.append(t(lang, "verdict_rule_interval"))
    return out


def _participation(ev: ProcessEvaluation, lang: str) -> Section:
    k = ev.settings.min_cell_size
    sec = Section("participation", t(lang, "participation"), t(lang, "participation_intro"))
    if ev.data.members is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_members")))
        return sec
    if not ev.members_by_role.empty:
        by_role = ev.members_by_role.assign(role=[_code(lang, r) for r in ev.members_by_role["role"]])
        sec.tables.append(Table("members_by_role", t(lang, "members_by_role"), by_role,
                                {"role": "text", "n": "int"}, rule=TableRule(counts=("n",))))
    fr = ev.funnel
    if ev.data.targets is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_targets")))
        if not ev.funnel_counts.empty:
            counts = ev.funnel_counts.copy()
            counts["funnel_stage"] = [_code(lang, s) for s in counts["funnel_stage"]]
            sec.tables.append(Table("funnel", t(lang, "funnel"), counts, {"funnel_stage": "text", "n": "int"},
                                    rule=TableRule(counts=("n",), nested=True)))
        return sec
    if fr is not None:
        st = fr.funnel_stages[["funnel_stage", "n", "retained", "mean_duncan"]].copy()
        # Duncan's index of a stage is computed over its categories: withheld when one is small
        small = fr.categories.loc[(fr.categories["count"] > 0) & (fr.categories["count"] < k), "funnel_stage"]
        st["_small_category"] = st["funnel_stage"].isin(set(small))
        st["funnel_stage"] = [_code(lang, s) for s in st["funnel_stage"]]
        rule = TableRule(counts=("n",), shares={"retained": "_previous"}, nested=True,
                         withhold={"_small_category": ("mean_duncan",)})
        st = _protect(st.reset_index(drop=True), rule, k)
        sec.tables.append(Table("funnel", t(lang, "funnel"), st,
                                {"funnel_stage": "text", "n": "int", "retained": "pct", "mean_duncan": "num3"},
                                rule=rule))
        # the figure shows category shares at every stage: small cells are left out of it, and its
        # tick labels (each stage's n) show the published counts only
        cats = fr.categories.assign(key=fr.categories["funnel_stage"] + "|" + fr.categories["dimension"])
        cats = _protect(cats, TableRule(counts=("count",), values=("share",), groups=("key",)), k)
        shown = fr.categories.assign(share=cats["share"].astype(float).to_numpy())
        ticks = [str(n) if not pd.isna(n) else (f"<{k}" if m == PRIMARY else ("·" if m == COMPLEMENT else "‡"))
                 for n, m in zip(st["n"], st["suppression"], strict=True)]
        stages = fr.funnel_stages.assign(n=ticks)
        names = {**_code_labels(lang, [*fr.categories["dimension"], *fr.categories["category"]]),
                 **_category_names(ev, lang, fr.categories["dimension"])[0]}
        sec.figures.append(_figure("funnel", t(lang, "funnel"),
                                   plot_funnel(replace(fr, categories=shown, funnel_stages=stages),
                                               axis_labels=_plot_words(lang, "share",
                                                                       codes=fr.funnel_stages["funnel_stage"]),
                                               labels=names),
                                   t(lang, "funnel_caption", k=k)))
    elif "funnel" in ev.reasons and ev.reasons["funnel"] not in ("no population targets table",):
        sec.notices.append(t(lang, "not_available", reason=translate_reason(ev.reasons["funnel"], lang)))
    rep = ev.representativeness
    if rep is not None:
        rc = rep.categories
        # differences are proportions in the analysis; the report shows percentage points
        cat = pd.DataFrame({"dimension": rc["dimension"], "category": rc["category"], "n_members": rc["count"],
                            "share": rc["share"], "target_share": rc["target_share"],
                            "difference_pp": 100 * rc["estimate"].astype(float),
                            "ci_low_pp": 100 * rc["ci_low"].astype(float),
                            "ci_high_pp": 100 * rc["ci_high"].astype(float)})
        value_cols = ("share", "target_share", "difference_pp", "ci_low_pp", "ci_high_pp")
        rule = TableRule(counts=("n_members",), values=value_cols, groups=("dimension",))
        cat = _protect(cat, rule, k)
        note = t(lang, "secondary_note") if cat["suppressed"].any() else ""
        names, english = _category_names(ev, lang, rc["dimension"])
        # labels from the instrument; the codes stay in id columns of the XLSX sheet
        cat.insert(1, "dimension_id", cat["dimension"].astype(str))
        cat.insert(3, "category_id", cat["category"].astype(str))
        cat["dimension"] = [names.get(d, d) for d in cat["dimension_id"]]
        cat["category"] = [names.get(c, _code(lang, c)) for c in cat["category_id"]]
        if english:
            sec.notices.append(t(lang, "labels_in_english", what=", ".join(english)))
        sec.tables.append(Table("representativeness", t(lang, "composition"), cat,
                                {"dimension": "text", "dimension_id": "text", "category": "text",
                                 "category_id": "text", "n_members": "int",
                                 "share": "pct", "target_share": "pct", "difference_pp": "num1",
                                 "ci_low_pp": "num1", "ci_high_pp": "num1"}, note, rule=rule,
                                ids=("dimension_id", "category_id")))
        plotted = replace(rep, categories=rc.assign(
            estimate=cat["difference_pp"].astype(float).to_numpy() / 100,
            ci_low=cat["ci_low_pp"].astype(float).to_numpy() / 100,
            ci_high=cat["ci_high_pp"].astype(float).to_numpy() / 100))
        if not cat["suppressed"].all():
            names = {**_code_labels(lang, [*rc["dimension"], *rc["category"]]),
                     **_category_names(ev, lang, rc["dimension"])[0]}
            sec.figures.append(_figure("representativeness", t(lang, "composition"),
                                       plot_representativeness(plotted, axis_labels=_plot_words(lang, "difference"),
                                                               labels=names)))
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
                             reason=translate_reason(ev.reasons.get(
                                 "experience", "no post-survey answers on the deliberative experience"), lang)))
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
    rule = TableRule(counts=("n",), shares={"share_agree": "n"}, values=("mean",))
    tab = _protect(tab.reset_index(drop=True), rule, k)
    note = t(lang, "suppressed_rows", n=int(tab["suppressed"].sum()), k=k) if tab["suppressed"].any() else ""
    sec.tables.append(Table("experience", t(lang, "experience"), tab,
                            {"item": "text", "role": "text", "n": "int", "share_agree": "pct", "mean": "num2"},
                            note, rule=rule))
    sides, side_notes = _sides_table(ev, shown, lang, k)
    if sides is not None:
        sec.tables.append(sides)
        sec.notices += side_notes
    cit = tab.loc[(tab["role"] == _code(lang, "citizen")) & ~tab["suppressed"]]
    if not cit.empty:
        sec.figures.append(_figure("experience", t(lang, "experience"), _agree_bars(cit, lang)))
    return sec


def _sides_table(ev: ProcessEvaluation, shown: set[str], lang: str, k: int) -> tuple[Table | None, list[str]]:
    """Both sides of a hybrid body per statement: each side's share agreeing with its interval, and
    on the other sides' rows the difference from the citizens' share (``ev.experience_sides``).

    The table goes through its rule here; a difference, its interval and its test are withheld
    where the citizens' row is hidden (they would give it back), and each side with hidden rows
    gets a notice saying why.
    """
    sides = ev.experience_sides
    if sides.empty or "role" not in sides.columns:
        return None, []
    sides = sides.loc[sides["item"].isin(shown)]
    if sides.empty:
        return None, []
    ins = ev.instrument
    position = {it: i for i, it in enumerate(ins.item_ids())}
    rank = {r: i for i, r in enumerate(_role_order(sides["role"]))}
    rows: list[dict[str, Any]] = []
    for item in sorted(dict.fromkeys(sides["item"]), key=lambda i: position.get(i, len(position))):
        part = sides.loc[sides["item"] == item].sort_values("role", key=lambda s: s.map(rank), kind="stable")
        text = ins.item(item).text.get(lang, ins.item(item).text["en"])
        first = part.iloc[0]
        if not pd.isna(first["reference_n"]):
            rows.append({"_item": item, "_role": str(first["reference"]), "item": text, "n": first["reference_n"],
                         "share_agree": first["reference_share"], "ci_low": first["reference_share_ci_low"],
                         "ci_high": first["reference_share_ci_high"], "difference_pp": np.nan,
                         "ci_low_pp": np.nan, "ci_high_pp": np.nan, "p_value": np.nan})
        for _, r in part.iterrows():
            rows.append({"_item": item, "_role": str(r["role"]), "item": text, "n": r["n"], "share_agree": r["share"],
                         "ci_low": r["share_ci_low"], "ci_high": r["share_ci_high"],
                         "difference_pp": 100 * float(r["estimate"]), "ci_low_pp": 100 * float(r["ci_low"]),
                         "ci_high_pp": 100 * float(r["ci_high"]), "p_value": float(r["exact_p_value"])})
    raw = pd.DataFrame(rows)
    keys = raw[["_item", "_role"]].reset_index(drop=True)
    tab = raw.drop(columns=["_item", "_role"])
    tab.insert(1, "role", [_code(lang, r) for r in keys["_role"]])
    tab["n"] = tab["n"].astype("Int64")
    derived = ("difference_pp", "ci_low_pp", "ci_high_pp", "p_value")
    rule = TableRule(counts=("n",), shares={"share_agree": "n"}, values=("ci_low", "ci_high", *derived))
    tab = _protect(tab.reset_index(drop=True), rule, k)
    reference = str(sides["reference"].iloc[0])
    hidden_ref = set(keys.loc[(keys["_role"] == reference) & tab["suppressed"].to_numpy(), "_item"])
    withheld = (keys["_item"].isin(hidden_ref) & (keys["_role"] != reference) & ~tab["suppressed"]).to_numpy()
    for i in np.flatnonzero(withheld):
        for c in derived:
            tab.at[i, c] = np.nan
        mark = str(tab.at[i, "suppression"])
        cols = [*(mark.split(":", 1)[1].split(",") if ":" in mark else []), *derived]
        tab.at[i, "suppression"] = SECONDARY + ":" + ",".join(dict.fromkeys(cols))
    notes = [t(lang, "sides_intro", level=ev.settings.confidence_level, reference=_code(lang, reference))]
    for role in dict.fromkeys([reference, *rank]):
        n_hidden = int((tab["suppressed"].to_numpy() & (keys["_role"] == role).to_numpy()).sum())
        if n_hidden:
            name = _code(lang, role)
            notes.append(t(lang, "side_suppressed", role=name[:1].upper() + name[1:], n=n_hidden, k=k))
    if withheld.any():
        notes.append(t(lang, "sides_difference_withheld", n=int(withheld.sum()), reference=_code(lang, reference)))
    sides_present = ", ".join(_code(lang, r) for r in dict.fromkeys([reference, *rank]))
    table = Table("experience_sides", t(lang, "experience_sides", sides=sides_present), tab,
                  {"item": "text", "role": "text", "n": "int", "share_agree": "pct", "ci_low": "pct", "ci_high": "pct",
                   "difference_pp": "num1", "ci_low_pp": "num1", "ci_high_pp": "num1", "p_value": "p"},
                  notes[0], rule=rule)
    return table, notes[1:]


def _agree_bars(tab: pd.DataFrame, lang: str) -> MplFigure:
    """Horizontal bars of the share agreeing per statement (citizens), statements wrapped in full."""
    labels = [wrap(s, 52) for s in tab["item"]]
    share = tab["share_agree"].astype(float).to_numpy() * 100
    lines = sum(label.count("\n") + 1 for label in labels)
    fig = PlotFigure(figsize=(7.2, 0.16 * lines + 0.2 * len(labels) + 0.9), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(labels))[::-1]
    ax.barh(y, share, color=OKABE_ITO[0], height=0.62)
    ax.barh(y, 100 - share, left=share, color="#dfe6ef", height=0.62)
    for yi, v in zip(y, share, strict=True):
        inside = v >= 12
        ax.text(v - 1.5 if inside else v + 1.5, yi, f"{v:.0f}%", va="center", ha="right" if inside else "left",
                color="white" if inside else "black", fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.set_xlim(0, 100)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel(t(lang, "plot_agree"), fontsize=8)
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
    sec.notices += about.weighting_notices(ev, lang)
    sec.notices += about.did_notices(ev, lang)
    if ch.empty:
        sec.notices.append(t(lang, "not_available", reason=ev.reasons.get("change", t(lang, "no_pairs"))))
    else:
        sec.notices += about.change_notices(ev, lang)
        if "role" not in ch.columns:
            ch = ch.assign(role="citizen")
        tab = ch[["comparison", "role", "outcome", "n", "mean_pre", "mean_post", "estimate", "ci_low", "ci_high",
                  "d_z", "holm_p_value"]].rename(columns={"estimate": "change"})
        tab["comparison"] = [f"{_code(lang, 'pre')} → {_code(lang, c)}" for c in tab["comparison"]]
        tab["role"] = [_code(lang, r) for r in tab["role"]]
        tab["outcome"] = [_outcome_label(ev, o, lang) for o in tab["outcome"]]
        rule = TableRule(counts=("n",), values=("mean_pre", "mean_post", "change", "ci_low", "ci_high", "d_z",
                                                "holm_p_value"))
        tab = _protect(tab.reset_index(drop=True), rule, k)
        note = t(lang, "suppressed_rows", n=int(tab["suppressed"].sum()), k=k) if tab["suppressed"].any() else ""
        sec.tables.append(Table("change", t(lang, "change"), tab,
                                {"comparison": "text", "role": "text", "outcome": "text", "n": "int",
                                 "mean_pre": "num2", "mean_post": "num2", "change": "num2",
                                 "ci_low": "num2", "ci_high": "num2", "d_z": "num2", "holm_p_value": "p"}, note,
                                rule=rule))
        ok = ch.loc[(ch["comparison"] == "post") & (ch["n"] >= k) & (ch["role"] == "citizen")]
        if not ok.empty:
            labels = {o: _outcome_label(ev, o, lang) for o in ok["outcome"]}
            # one pair of panels per response scale: a 0-10 and a 1-5 mean never share an axis
            scales = {str(o): about.response_range(ev, str(c)).strip(" ()")
                      for o, c in zip(ok["outcome"], ok["column"], strict=True)}
            sec.figures.append(_figure("prepost", t(lang, "change"),
                                       plot_prepost(ok.drop(columns=["role", "comparison", "column"]),
                                                    labels=labels, scales=scales,
                                                    axis_labels=_plot_words(lang, "mean", "change", "ci", "scale",
                                                                            codes=("pre", "post"))),
                                       t(lang, "prepost_caption")))
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
                        "n": d["n"].to_numpy(), "n_participant": d["n_participant"].to_numpy(),
                        "n_control": d["n_control"].to_numpy(), "estimate": d["estimate"].to_numpy(dtype=float),
                        "ci_low": d["ci_low"].to_numpy(dtype=float), "ci_high": d["ci_high"].to_numpy(dtype=float),
                        "p_value": d["p_value"].to_numpy(dtype=float)})
    tab = controls.with_adjusted_did(tab, [str(o) for o in d["outcome"]], ev, lang)
    sec.tables.append(Table("did", t(lang, "did_title"), tab,
                            {"outcome": "text", "model": "text", "n": "int", "n_participant": "int",
                             "n_control": "int", "estimate": "num2", "ci_low": "num2", "ci_high": "num2",
                             "p_value": "p"}, t(lang, "did_intro"),
                            rule=TableRule(counts=("n", "n_participant", "n_control"),
                                           values=("estimate", "ci_low", "ci_high", "p_value"))))
    gm = ev.did_means
    if not gm.empty:
        first = str(gm["outcome_id"].iloc[0])
        gm = _protect(gm.drop(columns=["outcome_id"]), TableRule(counts=("n",), values=("mean",)), k)
        if not gm["suppressed"].any():
            label = _outcome_label(ev, first, lang)
            fig = plot_did(gm.assign(group=[_code(lang, g) for g in gm["group"]],
                                     wave=[_code(lang, w) for w in gm["wave"]], outcome=label),
                           did_result=ev.did.loc[ev.did["outcome"] == first], title=label)
            sec.figures.append(_figure("did", t(lang, "did_intro"), fig))
    controls.add_controls(sec, ev, lang, k)
    return sec


def _dri(ev: ProcessEvaluation, lang: str) -> Section:
    """The Deliberative Reason Index of each forum and wave, its permutation test and its change.

    Shown when a DRI survey table is given (``data: dri:``); a forum-wave of fewer than
    ``min_cell_size`` participants is withheld like any other statistic of few people.
    """
    k = ev.settings.min_cell_size
    sec = Section("dri", t(lang, "dri"), t(lang, "dri_intro"))
    res = ev.dri
    if res is None:
        sec.notices.append(t(lang, "not_available", reason=translate_reason(ev.reasons.get("dri", ""), lang)))
        return sec
    f = res.forums
    tab = pd.DataFrame({"forum": f["forum"].astype(str), "wave": [_code(lang, w) for w in f["wave"]],
                        "n": f["n"].astype("Int64"), "dri": f["estimate"].astype(float),
                        "null_mean": f["null_mean"].astype(float), "null_ci_low": f["null_ci_low"].astype(float),
                        "null_ci_high": f["null_ci_high"].astype(float),
                        "permutation_p_value": f["p_value"].astype(float)})
    rule = TableRule(counts=("n",), values=("dri", "null_mean", "null_ci_low", "null_ci_high", "permutation_p_value"))
    tab = _protect(tab.reset_index(drop=True), rule, k)
    level = float(f["confidence_level"].iloc[0]) if len(f) else ev.settings.confidence_level
    m = int(f["n_resamples"].iloc[0]) if len(f) else 0
    sec.tables.append(Table("dri", t(lang, "dri"), tab,
                            {"forum": "text", "wave": "text", "n": "int", "dri": "num3", "null_mean": "num3",
                             "null_ci_low": "num3", "null_ci_high": "num3", "permutation_p_value": "p"},
                            t(lang, "dri_forums_note", m=m, level=f"{100 * level:g}"), rule=rule))
    if res.change.empty:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "dri_no_change")))
        return sec
    ch = res.change
    tab2 = pd.DataFrame({"forum": ch["forum"].astype(str), "n": ch["n"].astype("Int64"),
                         "dri_pre": ch["dri_pre"].astype(float), "dri_post": ch["dri_post"].astype(float),
                         "change": ch["estimate"].astype(float), "wilcoxon_p_value": ch["p_value"].astype(float)})
    rule2 = TableRule(counts=("n",), values=("dri_pre", "dri_post", "change", "wilcoxon_p_value"))
    tab2 = _protect(tab2.reset_index(drop=True), rule2, k)
    sec.tables.append(Table("dri_change", t(lang, "dri_change"), tab2,
                            {"forum": "text", "n": "int", "dri_pre": "num3", "dri_post": "num3", "change": "num3",
                             "wilcoxon_p_value": "p"}, t(lang, "dri_change_note"), rule=rule2))
    return sec


def _units(ev: ProcessEvaluation, lang: str) -> Section:
    """Each share-agreeing indicator per unit (committee, panel): share, interval and n.

    Shown when the respondents carry a unit. The units of an indicator add up to its n in the
    indicator table, so a unit of fewer than ``min_cell_size`` people is withheld together with
    enough others that it cannot be derived. With pooling across units (``pooling: bayesian``)
    each unit's pooled estimate, credible interval and probability of meeting the threshold
    are shown next to its own.
    """
    k = ev.settings.min_cell_size
    sec = Section("units", t(lang, "units"), t(lang, "units_intro"))
    u = ev.units
    labels = {spec.id: spec.text(lang) for spec in ev.catalogue.indicators}
    # each unit by its name (configuration, else the data's unit_label, else its id); the id: XLSX only
    names = unit_names(u["unit"].astype(str).unique(), lang, labels=getattr(ev.settings, "unit_labels", None),
                       members=None if ev.data.members is None else ev.data.members.valid,
                       responses=None if ev.data.responses is None else ev.data.responses.valid)
    tab = pd.DataFrame({"indicator": [labels.get(i, i) for i in u["indicator_id"]],
                        "indicator_id": u["indicator_id"].astype(str),
                        "unit": [names[str(x)] for x in u["unit"]], "unit_id": u["unit"].astype(str),
                        "n": u["n"].astype("Int64"), "share_agree": u["estimate"].astype(float),
                        "ci_low": u["ci_low"].astype(float), "ci_high": u["ci_high"].astype(float)})
    formats = {"indicator": "text", "indicator_id": "text", "unit": "text", "unit_id": "text", "n": "int",
               "share_agree": "pct", "ci_low": "pct", "ci_high": "pct"}
    values = ["ci_low", "ci_high"]
    pooled = getattr(ev, "unit_pooling", None)
    if isinstance(pooled, pd.DataFrame) and not pooled.empty:
        b = pooled.loc[(pooled["model"] == "bayesian") & (pooled["level"] == "unit")]
        b = b.set_index([b["indicator_id"].astype(str), b["unit"].astype(str)])
        keys = list(zip(tab["indicator_id"], tab["unit_id"], strict=True))
        for col, src in (("pooled_estimate", "estimate"), ("pooled_ci_low", "ci_low"),
                         ("pooled_ci_high", "ci_high"), ("prob_meets_threshold", "prob_meets_threshold")):
            tab[col] = [float(b.at[key, src]) if key in b.index else float("nan") for key in keys]
            formats[col] = "num2" if col == "prob_meets_threshold" else "pct"
            values.append(col)
        sec.notices.append(t(lang, "units_pooled_note"))
    rule = TableRule(counts=("n",), shares={"share_agree": "n"}, values=tuple(values), groups=("indicator",))
    tab = _protect(tab.reset_index(drop=True), rule, k)
    primary = tab["suppression"].isin(["primary", "complement"])
    notes = [t(lang, "suppressed_rows", n=int(primary.sum()), k=k)] if primary.any() else []
    if (tab["suppressed"] & ~primary).any():  # hidden so that a small unit cannot be derived from the total
        notes.append(t(lang, "units_secondary_note"))
    sec.tables.append(Table("units", t(lang, "units"), tab, formats, " ".join(notes), rule=rule,
                            ids=("indicator_id", "unit_id")))
    if not tab["suppressed"].all():
        sec.figures.append(_figure("units", t(lang, "units"), _unit_forest(ev, tab, lang)))
    return sec


def _unit_forest(ev: ProcessEvaluation, tab: pd.DataFrame, lang: str) -> MplFigure:
    """Each unit's published share with its interval and n, one panel per indicator (suppressed
    units written, not drawn), the indicator's threshold as a reference line."""
    from deliberval.plots.forest import plot_indicator_forest

    thresholds = dict(zip(ev.indicators["indicator_id"], ev.indicators["threshold"], strict=True))
    k = ev.settings.min_cell_size
    rows = pd.DataFrame({
        "indicator": tab["indicator"], "process": tab["unit"], "estimate": tab["share_agree"].astype(float),
        "ci_low": tab["ci_low"].astype(float), "ci_high": tab["ci_high"].astype(float), "n": tab["n"],
        "unit": "proportion", "threshold": [thresholds.get(i) for i in tab["indicator_id"]], "verdict": pd.NA,
        "note": [t(lang, "suppressed") + (f" (n < {k})" if m == PRIMARY else "") if s else ""
                 for s, m in zip(tab["suppressed"], tab["suppression"], strict=True)]})
    words = {"none": t(lang, "units_point"), "threshold": t(lang, "forest_threshold"), "n": "n"}
    return plot_indicator_forest(rows, words=words)


def _uptake(ev: ProcessEvaluation, lang: str) -> Section:
    sec = Section("uptake", t(lang, "uptake"), t(lang, "uptake_intro"))
    res = ev.uptake
    if res is None:
        reason = t(lang, "no_register") if ev.data.register is None else \
            translate_reason(ev.reasons.get("uptake", ""), lang)
        sec.notices.append(t(lang, "not_available", reason=reason))
        if ev.data.register is not None:  # the coders' agreement and evidence need no evaluation date
            _uptake_agreement(sec, ev, lang)
            _uptake_evidence(sec, ev.data.register.register, lang)
        return sec
    ind = res.indicators[["indicator", "n", "count", "estimate", "ci_low", "ci_high"]].copy()
    ind["indicator"] = [_code(lang, i) for i in ind["indicator"]]
    note = t(lang, "uptake_note", date=format_date(res.as_of, lang), scheme=res.scheme)
    reference = _uptake_reference(ev, lang)
    sec.tables.append(Table("uptake", t(lang, "uptake"), ind,
                            {"indicator": "text", "n": "int", "count": "int", "estimate": "pct",
                             "ci_low": "pct", "ci_high": "pct"},
                            f"{note}. {reference}" if reference else note, rule=_DOCUMENTS))
    scheme = ev.data.register.register.scheme if ev.data.register is not None else None
    codes = list(scheme.status_order) if scheme is not None else list(res.status["status"].drop_duplicates())
    order = {code: i for i, code in enumerate(codes)}
    status = res.status.groupby("status", sort=False).size().rename("count").reset_index()
    status = status.sort_values("status", key=lambda s: s.map(order)).reset_index(drop=True)
    status["status"] = [_code(lang, c) for c in status["status"]]
    sec.tables.append(Table("uptake_status", t(lang, "uptake"), status, {"status": "text", "count": "int"},
                            rule=_DOCUMENTS))
    if not res.agenda.empty:
        ag = res.agenda[["prior_agenda", "n", "count", "estimate", "ci_low", "ci_high"]].copy()
        ag["prior_agenda"] = [_code(lang, c) for c in ag["prior_agenda"]]
        sec.tables.append(Table("uptake_agenda", t(lang, "uptake_agenda"), ag,
                                {"prior_agenda": "text", "n": "int", "count": "int", "estimate": "pct",
                                 "ci_low": "pct", "ci_high": "pct"}, rule=_DOCUMENTS))
    words = _plot_words(lang, "share", "title", codes=[*codes, *res.status["status"].unique()],
                        prefix="plot_status_")
    name = (ev.data.process_facts() or {}).get("name")
    sec.figures.append(_figure("uptake", t(lang, "uptake"),
                               plot_status_bars(res, axis_labels=words,
                                                # one process: its name, or no label at all
                                                labels={ev.data.process_id: str(name) if name else ""})))
    if ev.data.register is not None:
        _uptake_legislature(sec, ev, lang)
        _uptake_agreement(sec, ev, lang)
        _uptake_evidence(sec, ev.data.register.register, lang)
    return sec


def _coder_numbers(ev: ProcessEvaluation) -> dict[str, int]:
    """The register's manual coders numbered in order of first appearance in its events (the
    model-assisted and the consensus coding are not numbered): the report never names a coder."""
    from deliberval.indicators.evaluate import CONSENSUS_CODER, register_coders

    if ev.data.register is None:
        return {}
    manual = [c for c in register_coders(ev.data.register.register) if c not in (_MODEL_CODER, CONSENSUS_CODER)]
    return {c: i + 1 for i, c in enumerate(manual)}


_MODEL_CODER = "model"  # register_agreement's default model_coder


def _uptake_reference(ev: ProcessEvaluation, lang: str) -> str:
    """Whose codes the uptake figures use when several coders coded the register ("" otherwise)."""
    from deliberval.indicators.evaluate import CONSENSUS_CODER, register_coders

    coder = getattr(ev, "uptake_coder", None)
    if coder is None or ev.data.register is None:
        return ""
    n = len([c for c in register_coders(ev.data.register.register) if c != CONSENSUS_CODER])
    if coder == CONSENSUS_CODER:
        return t(lang, "uptake_reference_consensus", n=n)
    if coder == _MODEL_CODER:
        return t(lang, "uptake_reference_model", n=n)
    return t(lang, "uptake_reference_coder", i=_coder_numbers(ev)[coder], n=n)


def _uptake_agreement(sec: Section, ev: ProcessEvaluation, lang: str) -> None:
    """Agreement between the register's coders per field, and of a model-assisted coder with each
    manual one. Coders are numbered in order of appearance, never named."""
    tab = getattr(ev, "uptake_agreement", None)
    if tab is None or tab.empty:
        return
    numbers = _coder_numbers(ev)  # the numbers the uptake figures' reference coder is given
    for c in tab.loc[tab["comparison"] == "model", "coder_2"]:
        numbers.setdefault(str(c), len(numbers) + 1)
    comparison = [t(lang, "model_vs_coder", i=numbers[str(c2)]) if comp == "model" else _code(lang, "all_coders")
                  for comp, c2 in zip(tab["comparison"], tab["coder_2"], strict=True)]
    out = pd.DataFrame({"evidence_field": [_code(lang, f) for f in tab["field"]], "coder_pair": comparison,
                        "statistic_name": [_code(lang, s) for s in tab["statistic"]], "n": tab["n"].to_numpy(),
                        "estimate": tab["estimate"].to_numpy(), "ci_low": tab["ci_low"].to_numpy(),
                        "ci_high": tab["ci_high"].to_numpy()})
    level = float(tab["confidence_level"].iloc[0])
    sec.tables.append(Table("uptake_agreement", t(lang, "uptake_agreement"), out,
                            {"evidence_field": "text", "coder_pair": "text", "statistic_name": "text", "n": "int",
                             "estimate": "num2", "ci_low": "num2", "ci_high": "num2"},
                            t(lang, "uptake_agreement_note", level=level), rule=_DOCUMENTS))


def _uptake_legislature(sec: Section, ev: ProcessEvaluation, lang: str) -> None:
    """A register that tracks progress over a legislature: the say-do gap at each snapshot (table
    and curve) and each recommendation's latest reported progress and milestones."""
    from deliberval.errors import AnalysisInputError
    from deliberval.plots.fate import plot_say_do_curve

    snaps = getattr(ev, "uptake_snapshots", None)
    res = ev.uptake
    if snaps is None or res is None or ev.data.register is None:
        return
    gap = snaps[(snaps["indicator"] == "say_do_gap")].copy()
    if not gap.empty:
        table = pd.DataFrame({"as_of": [format_date(d, lang) for d in gap["as_of"]],
                              "n": gap["n"].to_numpy(), "count": gap["count"].to_numpy(),
                              "estimate": gap["estimate"].to_numpy(), "ci_low": gap["ci_low"].to_numpy(),
                              "ci_high": gap["ci_high"].to_numpy()})
        level = float(gap["confidence_level"].iloc[0])
        sec.tables.append(Table("uptake_say_do", t(lang, "uptake_say_do"), table,
                                {"as_of": "text", "n": "int", "count": "int", "estimate": "pct",
                                 "ci_low": "pct", "ci_high": "pct"},
                                t(lang, "uptake_say_do_note", days=int(ev.settings.say_do_window_days), level=level), rule=_DOCUMENTS))
        try:
            fig = plot_say_do_curve(snaps, axis_labels=_plot_words(lang, "as_of", "estimate", "title",
                                                                   prefix="plot_say_do_"))
            sec.figures.append(_figure("uptake_say_do", t(lang, "uptake_say_do"), fig))
        except AnalysisInputError:  # no snapshot has a closed window: the table says so with its blanks
            pass
    register = ev.data.register.register
    events = register.events
    dated = events[events["date"] <= res.as_of]
    progress = pd.to_numeric(dated["progress"], errors="coerce") if "progress" in dated else None
    if progress is None or progress.isna().all():
        return
    reports = dated.assign(_progress=progress)[progress.notna()].sort_values(["rec_id", "date"], kind="stable")
    latest = reports.groupby("rec_id", sort=False).tail(1).set_index("rec_id")
    notes = dated["note"].fillna("").astype(str) if "note" in dated else pd.Series("", index=dated.index)
    milestones = dated[notes.str.startswith("milestone")].groupby("rec_id").size()
    recs = register.recommendations
    rows = []
    for rid, title in zip(recs["rec_id"], recs["title"].fillna(""), strict=True):
        has = rid in latest.index
        rows.append({"rec_id": str(rid), "recommendation": f"{rid}: {title}".rstrip(": "),
                     "progress": float(latest.at[rid, "_progress"]) if has else float("nan"),
                     "progress_date": format_date(latest.at[rid, "date"], lang) if has else "",
                     "milestones": int(milestones.get(rid, 0))})
    table = pd.DataFrame(rows)
    sec.tables.append(Table("uptake_progress", t(lang, "uptake_progress"), table,
                            {"rec_id": "text", "recommendation": "text", "progress": "num1",
                             "progress_date": "text", "milestones": "int"},
                            t(lang, "uptake_progress_note", date=format_date(res.as_of, lang)),
                            rule=_DOCUMENTS, ids=("rec_id",)))


_EVIDENCE_FIELD_ORDER = {"response_status": 0, "fidelity": 1, "prior_agenda": 2}


def _uptake_evidence(sec: Section, register: Any, lang: str) -> None:
    """The passages of public documents quoted as evidence of each coded recommendation's codes.

    Quotes come from the register's evidence sheet (public documents, never respondents' free
    text); each is cited by document and page. A notice says how many coded recommendations
    have no quoted evidence."""
    recs, events, evi = register.recommendations, register.events, register.evidence
    coded = [r for r in recs["rec_id"] if r in set(events["rec_id"])]
    if evi is None or evi.empty:
        if coded:
            sec.notices.append(t(lang, "uptake_evidence_none"))
        return
    order = {r: i for i, r in enumerate(recs["rec_id"])}
    titles = dict(zip(recs["rec_id"], recs["title"].fillna(""), strict=True))
    rows = evi.assign(_rec=evi["rec_id"].map(order), _field=evi["field"].map(_EVIDENCE_FIELD_ORDER),
                      _pos=range(len(evi)))
    rows = rows.sort_values(["_rec", "_field", "_pos"], kind="stable")
    table = pd.DataFrame({
        "rec_id": rows["rec_id"].astype(str).to_numpy(),
        "recommendation": [f"{r}: {titles.get(r, '')}".rstrip(": ") for r in rows["rec_id"]],
        "evidence_field": [_code(lang, f) for f in rows["field"]],
        "evidence_code": [_code(lang, c) for c in rows["code"]],
        "passage": [" ".join(str(p).split()) for p in rows["passage"]],
        "document": rows["document"].astype(str).to_numpy(),
        "page": ["" if pd.isna(v) else str(int(v)) for v in rows["page"]],
    })
    n_with = len(set(evi["rec_id"]) & set(coded))
    sec.tables.append(Table("uptake_evidence", t(lang, "uptake_evidence"), table,
                            dict.fromkeys(table.columns, "text"),
                            t(lang, "uptake_evidence_note", n_with=n_with, n_coded=len(coded)),
                            rule=_DOCUMENTS, ids=("rec_id",)))


def _psychometrics(ev: ProcessEvaluation, lang: str) -> Section:
    k = ev.settings.min_cell_size
    sec = Section("psychometrics", t(lang, "psychometrics"), t(lang, "psychometrics_intro"))
    rep = ev.scales
    if rep is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_responses")))
        return sec
    if "wave" not in rep.columns:
        rep = rep.assign(wave="")
    rep, left_out = _drop_unasked_scales(ev, rep, lang)
    sec.notices += left_out
    if rep.empty:
        return sec
    tab = rep[["scale", "wave", "n_items", "n", "alpha", "alpha_ci_low", "alpha_ci_high", "omega_total",
               "cfi", "rmsea", "status", "flags"]].copy()
    tab["wave"] = [_code(lang, w) for w in tab["wave"]]
    names = _names(ev, lang)
    tab["status"] = [_code(lang, s) for s in tab["status"]]
    tab["flags"] = [translate_flags(f, lang, names) if isinstance(f, str) else f for f in tab["flags"]]
    tab.insert(1, "scale_id", tab["scale"].astype(str))
    tab["scale"] = [_scale_label(ev, s, lang) for s in tab["scale"]]
    # n of a wave spans every role: withheld when a role of that wave is below the threshold,
    # or n minus the published count of the other roles would give it
    tab["_small_role"] = rep["wave"].isin(_small_role_waves(ev, k)).to_numpy()
    rule = TableRule(counts=("n",), values=("alpha", "alpha_ci_low", "alpha_ci_high", "omega_total", "cfi",
                                            "rmsea"), text=("status", "flags"),
                     # the width of alpha's interval and RMSEA give n back: withheld with it
                     withhold={"_small_role": ("n", "alpha_ci_low", "alpha_ci_high", "rmsea")})
    tab = _protect(tab, rule, k)
    sec.tables.append(Table("psychometrics", t(lang, "psychometrics"), tab,
                            {"scale": "text", "scale_id": "text", "wave": "text", "n_items": "int", "n": "int", "alpha": "num2",
                             "alpha_ci_low": "num2", "alpha_ci_high": "num2", "omega_total": "num2",
                             "cfi": "num3", "rmsea": "num3", "status": "text", "flags": "text"}, rule=rule,
                            ids=("scale_id",)))
    _invariance_table(ev, lang, k, sec)
    return sec


def _invariance_table(ev: ProcessEvaluation, lang: str, k: int, sec: Section) -> None:
    """The scales' measurement invariance across languages and waves, the verdict in words.

    No n is shown: the rows of the languages compared, against the psychometrics table's n of
    the same wave, would give the count of the languages left out (below the minimum).
    """
    from deliberval.indicators.scales import MIN_PER_LANGUAGE

    inv = ev.scale_invariance
    if inv is None or inv.empty:
        return
    rows = []
    for r in inv.to_dict("records"):
        holds = r["holds"]
        if r["step"] and not pd.isna(holds):
            step = t(lang, f"inv_step_{str(r['step']).removeprefix('partial_')}")
            verdict = t(lang, "inv_holds" if bool(holds) else "inv_fails", step=step)
        else:
            verdict = t(lang, "inv_not_assessed")
        levels = [s.strip() for s in str(r["levels"]).split(",")]
        rows.append({
            "scale_id": str(r["scale"]), "scale": _scale_label(ev, str(r["scale"]), lang),
            "comparison": t(lang, f"inv_{r['comparison']}"),
            "levels": ", ".join(_code(lang, v) if r["comparison"] == "waves" else v for v in levels),
            "estimator": str(r["estimator"]), "verdict": verdict,
            "delta_cfi": r["delta_cfi"], "diff_p_value": r["diff_p_value"],
            "invariance_note": t(lang, f"inv_note_{r['note']}") if r["note"] else "",
        })
    tab = pd.DataFrame(rows)
    rule = TableRule(values=("delta_cfi", "diff_p_value"), text=("verdict", "invariance_note"))
    tab = _protect(tab, rule, k)
    sec.tables.append(Table("scale_invariance", t(lang, "inv_title"), tab,
                            {"scale": "text", "scale_id": "text", "comparison": "text", "levels": "text",
                             "estimator": "text", "verdict": "text", "delta_cfi": "num3", "diff_p_value": "p",
                             "invariance_note": "text"},
                            note=t(lang, "inv_note", min=max(MIN_PER_LANGUAGE, k)), rule=rule,
                            ids=("scale_id",)))


def _scale_roles(ev: ProcessEvaluation, scale_id: str) -> list[str]:
    """The roles an outcome measured by ``scale_id`` is evaluated for (empty when no outcome uses it)."""
    out: list[str] = []
    for column, roles in zip(ev.outcomes["column"], ev.outcomes["roles"], strict=True):
        if column == scale_id and isinstance(roles, str):
            out += [r.strip() for r in roles.split(",") if r.strip()]
    return out


def _drop_unasked_scales(ev: ProcessEvaluation, rep: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, list[str]]:
    """Leave out the rows of scales nobody answered in a wave, with one line per scale saying why.

    A row is left out only when the scale was not estimated and no respondent of that wave
    answered any of its items (the survey did not ask it, or the process has no one in the role
    it is asked of): such a row holds no number. The line names the waves, or says that the
    process has none of the roles the scale is asked of.
    """
    if ev.scored is None:
        return rep, []
    data = ev.scored.data
    items = {sc.id: [i for i in sc.items if i in data.columns] for sc in ev.instrument.scales}
    present = about.present_roles(ev)
    has_wave = "wave" in data.columns
    unasked = []
    for scale, wave, status in zip(rep["scale"], rep["wave"], rep["status"], strict=True):
        cols = items.get(str(scale), [])
        if status != "not_estimated":
            unasked.append(False)
            continue
        part = data.loc[data["wave"].astype(str) == str(wave), cols] if has_wave and str(wave) else data[cols]
        unasked.append(not bool(part.notna().to_numpy().any()))
    mask = pd.Series(unasked, index=rep.index, dtype=bool)
    lines = []
    for scale in dict.fromkeys(rep.loc[mask, "scale"]):
        label = _scale_label(ev, str(scale), lang)
        roles = _scale_roles(ev, str(scale))
        if roles and not set(roles) & present:
            lines.append(t(lang, "scale_role_absent", scale=label, who="/".join(_code(lang, r) for r in roles)))
            continue
        waves = [str(w) for w in rep.loc[mask & (rep["scale"] == scale), "wave"] if str(w)]
        if not waves:
            lines.append(t(lang, "scale_not_answered", scale=label))
            continue
        lines.append(t(lang, "scale_not_asked", scale=label, count=len(waves),
                       waves=", ".join(_code(lang, w) for w in waves)))
    return rep.loc[~mask].reset_index(drop=True), lines


def _criteria(ev: ProcessEvaluation, settings: ReportSettings, table: pd.DataFrame, lang: str) -> Section:
    """Criteria coverage: every criterion of the evaluation's framework, measured, partly or not assessed.

    The evaluation's coverage (:attr:`ProcessEvaluation.criteria`, from
    :func:`deliberval.indicators.criteria.criteria_coverage`) worded in the report language, on the
    published indicator table (an indicator the report withholds counts as withheld); a criterion
    that is not measured says why and what evidence would measure it.
    """
    reg = load_criteria()
    fw = reg.framework(ev.settings.framework)
    labels = dict(zip(table["indicator_id"].astype(str), table["label"].astype(str), strict=True))
    cov = criteria_coverage(table, ev.instrument, ev.data.process_facts(), framework=fw.id, language=lang,
                            registry=reg, labels=labels)
    sec = Section("criteria", t(lang, "criteria_coverage"), t(lang, "criteria_intro", framework=fw.text(lang)))
    if fw.entries:
        sec.notices.append(t(lang, "criteria_crosswalk_note"))
    shown = cov.assign(stage=[reg.stage_label(s, lang) if s else "" for s in cov["stage"]],
                       status=[t(lang, f"criteria_{s}") for s in cov["status"]])
    sec.tables.append(Table("criteria", t(lang, "criteria_coverage"), shown, dict.fromkeys(shown.columns, "text"),
                            rule=_DOCUMENTS, ids=("framework", "criterion_id", "indicators")))
    # the guidelines' evaluation principles, and what the report states of each
    none = t(lang, "not_stated")
    stated = dict(about.about_facts(ev, settings, lang))
    said = {"independence": stated.get(t(lang, "about_independence"), none),
            "evaluator": stated.get(t(lang, "about_evaluator"), none),
            "data_sources": stated.get(t(lang, "about_data_sources"), none),
            "evaluation_scope": t(lang, "principle_see_about") if settings.evaluation_scope else none,
            "findings": t(lang, "principle_see_about") if settings.findings else none}
    principles = pd.DataFrame([(p.text(lang), said.get(p.report_setting, none)) for p in reg.principles],
                              columns=["principle", "statement"])
    sec.tables.append(Table("principles", t(lang, "criteria_principles"), principles,
                            {"principle": "text", "statement": "text"}, rule=_DOCUMENTS))
    return sec


def _data_quality(ev: ProcessEvaluation, lang: str) -> Section:
    sec = Section("data_quality", t(lang, "data_quality"), t(lang, "data_quality_intro"))
    v = ev.data.responses
    if v is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_responses")))
        return sec
    counts = pd.DataFrame({"value": [t(lang, "rows_read"), t(lang, "rows_valid"), t(lang, "rows_quarantined")],
                           "n": [v.n_rows, len(v.valid), len(v.quarantined)]})
    sec.tables.append(Table("validation_counts", t(lang, "data_quality"), counts, {"value": "text", "n": "int"},
                            rule=TableRule(counts=("n",))))
    summ = v.summary[["check", "severity", "column", "reason", "n"]].copy()
    # missing-value codes: one row per reason (items counted), not one per item
    is_code = summ["check"] == "missing_code"
    if is_code.any():
        codes = summ.loc[is_code].groupby(["check", "severity", "reason"], sort=False).agg(
            column=("column", "nunique"), n=("n", "sum")).reset_index()
        codes["column"] = [t(lang, "n_items", count=int(c)) for c in codes["column"]]
        summ = pd.concat([summ.loc[~is_code], codes[["check", "severity", "column", "reason", "n"]]],
                         ignore_index=True)
    names = _names(ev, lang)
    summ.insert(1, "check_id", summ["check"].astype(str))
    summ["check"] = [_code(lang, c) for c in summ["check"]]
    summ["severity"] = [_code(lang, c) for c in summ["severity"]]
    summ["column"] = [names.get(str(c), c) if isinstance(c, str) else c for c in summ["column"]]
    summ["reason"] = [_missing_reason(r, lang) if c == "missing_code" else
                      (translate_reason(r, lang, names) if isinstance(r, str) else r)
                      for c, r in zip(summ["check_id"], summ["reason"], strict=True)]
    sec.tables.append(Table("validation", t(lang, "validation_summary"), summ,
                            {"check": "text", "check_id": "text", "severity": "text", "column": "text",
                             "reason": "text", "n": "int"},
                            rule=TableRule(counts=("n",)), ids=("check_id",)))
    for note in v.notes:
        sec.notices.append(translate_reason(note, lang, names))
    if ev.data.dropped_text:
        sec.notices.append(t(lang, "free_text_note", n=len(ev.data.dropped_text)))
    return sec


def _describe(text: Any, lang: str, names: dict[str, str]) -> Any:
    """An indicator's data source (``method``: ``needs responses:post``, ``responses: ... ; Wilson
    interval``) or threshold source in ``lang``."""
    if not isinstance(text, str):
        return text
    if text.startswith("needs "):
        return t(lang, "needs", what=", ".join(_need(p.strip(), lang) for p in text[6:].split(",")))
    return translate_reason(text, lang, names)


def _need(token: str, lang: str) -> str:
    """``responses:post``, ``register``, ``process:<field>`` (a field name stays as written) in ``lang``."""
    table, _, detail = token.partition(":")
    name = t(lang, f"table_{table}") if has_string(f"table_{table}") else table
    if not detail:
        return name
    if table == "process":
        return f"{name}: {detail}"
    return f"{name} ({_code(lang, detail.removesuffix('s') if detail.endswith('politicians') else detail)})"


def _missing_reason(reason: Any, lang: str) -> Any:
    """``dont_know (88)``, the meaning and code of a missing-value code, with the meaning in ``lang``
    (a code that is a word, ``refused (refused)``, is not repeated in another language)."""
    if not isinstance(reason, str) or lang == "en":
        return reason
    meaning, _, code = reason.partition(" (")
    label = _code(lang, "missing_" + meaning)
    return f"{label} ({code}" if (code and code[:1].isdigit()) or code[:1] == "-" else label


# ------------------------------------------------------------------------------------- report
def _fact_count(value: Any, name: str, hidden: dict[str, str], k: int) -> str:
    """A count of the facts line as published: ``<k`` (primary), ``‡`` (secondary) or the number."""
    mark = hidden.get(name, "")
    return f"<{k}" if mark == PRIMARY else ("‡" if mark else str(value))


def _facts(ev: ProcessEvaluation, settings: ReportSettings, lang: str,
           hidden: dict[str, str] | None = None) -> tuple[str, list[tuple[str, str]]]:
    hidden = hidden or {}
    k = int(ev.settings.min_cell_size)
    pid = ev.data.process_id
    title = settings.title or pid
    facts: list[tuple[str, str]] = [(t(lang, "process"), pid)]
    p = ev.data.process_facts()
    if p:
        title = settings.title or str(p.get("name", pid))
        if "model" in p:
            model = str(p["model"])
            facts.append((t(lang, "model"), _code(lang, f"model_{model}") if f"model_{model}" in CODES["en"]
                          else model.replace("_", " ")))
        if "commissioner" in p:
            facts.append((t(lang, "commissioner"), str(p["commissioner"])))
        if "start_date" in p and "end_date" in p:
            facts.append((t(lang, "period"), format_interval(format_date(str(p["start_date"]), lang),
                                                             format_date(str(p["end_date"]), lang), lang)))
        if "members_citizen" in p:
            mp = p.get("members_politician", 0)
            mc = _fact_count(p["members_citizen"], "fact:citizen", hidden, k)
            facts.append((t(lang, "members"), f"{mc} {_code(lang, 'citizen')}"
                          + (f", {_fact_count(mp, 'fact:politician', hidden, k)} {_code(lang, 'politician')}"
                             if str(mp) not in ("0", "nan", "") else "")))
        if "languages" in p:
            # the process table lists them as "fr,nl" or "fr;nl": shown as a list for the reader
            listed = [x.strip() for x in re.split(r"[,;]", str(p["languages"])) if x.strip()]
            facts.append((t(lang, "languages"), ", ".join(listed)))
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
    ['about', 'participation', 'experience', 'units', 'change', 'uptake', 'psychometrics', 'data_quality', 'criteria']
    """
    ev = evaluation
    settings = settings or ReportSettings()
    language = settings.language
    k = int(ev.settings.min_cell_size)
    if k < MIN_SAFE_CELL_SIZE and settings.disclosure_control:
        raise DataInputError(f"min_cell_size: {k} is below {MIN_SAFE_CELL_SIZE}, which does not protect "
                             "respondents; set disclosure_control: off to publish it anyway")
    if language not in LANGUAGES:
        raise DataInputError(f"language: {language!r} is not a report language ({', '.join(LANGUAGES)})")
    on = settings.disclosure_control
    token = _RULES.set((on and settings.complement_rule, on))
    lang_token = REPORT_LANGUAGE.set(language)
    try:
        return _build(ev, settings, language, k, on)
    finally:
        REPORT_LANGUAGE.reset(lang_token)
        _RULES.reset(token)


def _build(ev: ProcessEvaluation, settings: ReportSettings, language: str, k: int, on: bool) -> ProcessReport:
    from deliberval._version import __version__

    # suppression applies to the published copy, never to the evaluation
    table = protect_indicators(ev.indicators, ev.catalogue, k, complement=on and settings.complement_rule,
                               small_categories=on and _small_categories(ev, k))
    # the evaluation gives its reasons in English; the report's table, XLSX sheet and notices
    # carry them in the report language (the evaluation itself is left as it is)
    names = _names(ev, language)
    table["status_reason"] = [translate_reason(str(r), language, names) for r in table["status_reason"]]
    if language != "en":  # the data source and the threshold's source (XLSX) in the report language
        for col in ("method", "threshold_source"):
            if col in table.columns:
                table[col] = [_describe(v, language, names) for v in table[col]]
    if language != ev.settings.language:
        labels = {spec.id: spec.text(language) for spec in ev.catalogue.indicators}
        table["label"] = [labels.get(i, lab) for i, lab in zip(table["indicator_id"], table["label"], strict=True)]
    sections = [
        _about(ev, settings, table, language),
        _participation(ev, language),
        _experience(ev, language),
        *([_units(ev, language)] if not ev.units.empty else []),
        _change(ev, language),
        *([_dri(ev, language)] if ev.dri is not None or "dri" in ev.reasons else []),
        _uptake(ev, language),
        _psychometrics(ev, language),
        _data_quality(ev, language),
        _criteria(ev, settings, table, language),
    ]
    hidden = _disclosure_pass(ev, sections, k, on)
    title, facts = _facts(ev, settings, language, hidden)
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
        ("as_of", s.as_of.isoformat() if s.as_of else "latest response event"),  # shown in the language by render
        ("deadline_days", "" if deadline is None else str(deadline)),
        ("language", language),
    ]
    files = ev.data.files.loc[:, ["key", "file", "rows", "sha256"]].copy().reset_index(drop=True)
    files["rows"] = files["rows"].astype("Int64")
    marks = [hidden.get(f"file:{key}", "") for key in files["key"]]
    files["rows"] = files["rows"].mask(pd.Series([bool(m) for m in marks], dtype=bool))
    files["suppression"] = marks
    warnings = [] if on else [t(language, "disclosure_off", k=k)]
    return ProcessReport(ev, settings, language, title, facts, table, sections, provenance, files,
                         ev.data.synthetic, warnings)


MIN_SAFE_CELL_SIZE = 3
"""The smallest ``min_cell_size`` accepted without ``disclosure_control: off``."""

_INDICATOR_RULE = TableRule(counts=("n",), shares={"estimate": "n"},
                            values=("estimate", "ci_low", "ci_high", "prob_meets_threshold"),
                            text=("method",))
"""The indicator table's rule, applied by :func:`deliberval.disclosure.protect_indicators`."""

_CATEGORICAL = ("deliberval.representativeness", "deliberval.r_indicator")
_NOT_PEOPLE = (None, "deliberval.uptake")
_SHARES = ("deliberval.likert_shares", "deliberval.funnel")  # estimates that are shares of their n people


def protect_indicators(table: pd.DataFrame, catalogue: Any, k: int, *, complement: bool = True,
                       small_categories: bool = False, categorical_reason: str | None = None) -> pd.DataFrame:
    """The published copy of an indicator table (see :func:`deliberval.disclosure.protect_indicator_table`)."""
    functions = {spec.id: spec.function for spec in catalogue.indicators}
    people = {i: functions.get(i, "") not in _NOT_PEOPLE for i in table["indicator_id"]}
    categorical = {i for i in table["indicator_id"] if functions.get(i) in _CATEGORICAL}
    units = dict(zip(table["indicator_id"], table["unit"], strict=True))
    shares = {i for i in table["indicator_id"] if functions.get(i) in _SHARES and units[i] == "proportion"}
    out = protect_indicator_table(table, k, people=people, shares=shares,
                                  categorical=categorical if small_categories else set(), complement=complement,
                                  categorical_reason=categorical_reason)
    if "prob_meets_threshold" in out.columns:  # a suppressed row's probability would tell its estimate
        hidden = out["status"] != "measured"
        out.loc[hidden, "prob_meets_threshold"] = np.nan
        out.loc[hidden, "verdict_rule"] = np.nan
        out.loc[hidden, "prior"] = ""
    return out


def _small_categories(ev: ProcessEvaluation, k: int) -> bool:
    """Whether a category behind the representativeness statistics holds ``0 < count < k`` people."""
    frames = []
    if ev.representativeness is not None:
        frames.append(ev.representativeness.categories["count"])
    if ev.funnel is not None:
        frames.append(ev.funnel.categories["count"])
    return any(bool(((c > 0) & (c < k)).any()) for c in (pd.to_numeric(f, errors="coerce") for f in frames))


def _mirror(tab: Table, prefix: str, names: Sequence[str], truth: Sequence[Any], values: dict[str, float],
            hidden: dict[str, str]) -> None:
    """Register a table's counts (true values) and their marks for the linked pass."""
    for name, v, mark in zip(names, truth, tab.data["suppression"], strict=True):
        if _is_number(v):
            values[f"{prefix}:{name}"] = float(v)
            if mark:
                hidden[f"{prefix}:{name}"] = mark if mark in (PRIMARY, COMPLEMENT) else SECONDARY


def _is_number(v: Any) -> bool:
    try:
        return v is not None and v is not pd.NA and bool(np.isfinite(float(v)))
    except (TypeError, ValueError):
        return False


def _unmirror(tab: Table, prefix: str, names: Sequence[str], hidden: dict[str, str], column: str = "n") -> None:
    """Hide the rows of a table the linked pass hid (secondary)."""
    data = tab.data
    for i, name in enumerate(names):
        key = f"{prefix}:{name}"
        if key in hidden and data.at[i, "suppression"] == "":
            data.at[i, "suppression"] = SECONDARY
            data.at[i, "suppressed"] = True
            data[column] = data[column].astype("Int64")
            data.at[i, column] = pd.NA


def _disclosure_pass(ev: ProcessEvaluation, sections: list[Section], k: int, on: bool) -> dict[str, str]:
    """Pass every table through its rule, then link the counts published in several places.

    Every table must carry a :class:`TableRule` (a new table cannot skip the pass). Counts
    that are parts of totals published elsewhere (members by role and the facts line against
    the members file's rows; rows read = valid + quarantined against the responses file's
    rows) go through :func:`deliberval.disclosure.protect_linked`. Returns the marks of the
    linked counts (``file:<key>``, ``fact:<role>``, ``role:<role>``, ``rows:<which>``).
    """
    for sec in sections:
        for tab in sec.tables:
            if tab.rule is None:
                raise TypeError(f"report table {tab.key!r} has no disclosure rule")
            if "suppression" not in tab.data.columns:
                tab.data = _protect(tab.data.reset_index(drop=True), tab.rule, k)
            tab.checked = True
    if not on:
        return {}
    tables = {tab.key: tab for sec in sections for tab in sec.tables}
    values: dict[str, float] = {}
    hidden: dict[str, str] = {}
    relations: list[tuple[str, list[str]]] = []
    cost: dict[str, int] = {}
    files = ev.data.files
    for key, rows in zip(files["key"], files["rows"], strict=True):
        if _is_number(rows):
            values[f"file:{key}"] = float(rows)
            cost[f"file:{key}"] = 0
    roles: list[str] = []
    if "members_by_role" in tables:
        roles = [str(r) for r in ev.members_by_role["role"]]
        _mirror(tables["members_by_role"], "role", roles, list(ev.members_by_role["n"]), values, hidden)
    p = ev.data.process_facts() or {}
    fact_roles = [r for r in ("citizen", "politician") if _is_number(p.get(f"members_{r}"))]
    for r in fact_roles:
        fv = float(p[f"members_{r}"])
        values[f"fact:{r}"] = fv
        if 0 < fv < k:
            hidden[f"fact:{r}"] = PRIMARY
    total = values.get("file:members")
    role_names = [f"role:{r}" for r in roles if f"role:{r}" in values]
    if total is not None and role_names and sum(values[n] for n in role_names) == total:
        relations.append(("file:members", role_names))
    fact_names = [f"fact:{r}" for r in fact_roles]
    if total is not None and fact_names and sum(values[n] for n in fact_names) == total:
        relations.append(("file:members", fact_names))
    for r in fact_roles:
        if f"role:{r}" in values and values[f"role:{r}"] == values[f"fact:{r}"]:
            relations.append((f"fact:{r}", [f"role:{r}"]))
            relations.append((f"role:{r}", [f"fact:{r}"]))
    counts_names = ["read", "valid", "quarantined"]
    v = ev.data.responses
    if "validation_counts" in tables and v is not None:
        _mirror(tables["validation_counts"], "rows", counts_names, [v.n_rows, len(v.valid), len(v.quarantined)],
                values, hidden)
        relations.append(("rows:read", ["rows:valid", "rows:quarantined"]))
        for key in ("responses", "example"):
            if values.get(f"file:{key}") == values.get("rows:read"):
                relations.append((f"file:{key}", ["rows:read"]))
                relations.append(("rows:read", [f"file:{key}"]))
    marks = protect_linked(values, hidden, relations, k, cost=cost)
    if "members_by_role" in tables:
        _unmirror(tables["members_by_role"], "role", roles, marks)
    if "validation_counts" in tables and v is not None:
        _unmirror(tables["validation_counts"], "rows", counts_names, marks)
    return marks
