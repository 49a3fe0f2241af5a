"""Build the standard report of one process: load inputs, run the analyses, apply disclosure control.

The result is a :class:`ProcessReport` holding display-ready tables (numbers, not strings;
suppressed cells already blanked) and figures (PNG bytes); :mod:`deliberval.report.render`
turns it into HTML, PDF and XLSX.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure

from deliberval.analysis.change import did, group_means, prepost
from deliberval.analysis.psychometrics import psychometrics_report
from deliberval.analysis.representativeness import TargetsWarning, funnel
from deliberval.errors import AnalysisInputError, DataInputError, DelibervalError
from deliberval.indicators import IndicatorRun, evaluate_process
from deliberval.instruments import list_instruments, load_instrument
from deliberval.instruments.model import Instrument
from deliberval.io import read_responses, read_table
from deliberval.io.uptake import read_register
from deliberval.plots.change import plot_did, plot_prepost
from deliberval.plots.representativeness import plot_funnel, plot_representativeness
from deliberval.plots.uptake import plot_status_bars
from deliberval.privacy import free_text_columns, suppress_small_cells
from deliberval.report.config import ReportConfig
from deliberval.report.i18n import CODES, t, translate_reason
from deliberval.validation import validate

__all__ = [
    "Figure",
    "ProcessInputs",
    "ProcessReport",
    "Section",
    "Table",
    "build_report",
    "load_inputs",
    "response_deadline",
]

ID_COLUMNS = ("respondent_id", "process_id", "wave", "group", "role", "language", "weight")
STAGE_FLAGS = ("invited", "volunteered", "selected", "attended_all", "answered_post")
CHANGE_OUTCOMES = (
    "trust_political_institutions",
    "internal_efficacy",
    "external_efficacy",
    "influence_have_say",
    "influence_confidence_response",
)
ROLE_ORDER = ("citizen", "politician", "civil_servant", "organiser", "stakeholder", "all")


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


@dataclass
class ProcessInputs:
    """The input tables of one process, as read (responses already validated and filtered)."""

    process_id: str
    instrument: Instrument
    responses: pd.DataFrame | None = None
    members: pd.DataFrame | None = None
    targets: pd.DataFrame | None = None
    recommendations: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    process: pd.DataFrame | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    validation: Any = None
    dropped_text: list[str] = field(default_factory=list)
    synthetic: bool = False


@dataclass
class ProcessReport:
    """Everything the HTML / PDF / XLSX writers need."""

    config: ReportConfig
    lang: str
    title: str
    facts: list[tuple[str, str]]
    run: IndicatorRun
    sections: list[Section]
    provenance: list[tuple[str, str]]
    inputs: pd.DataFrame
    synthetic: bool

    @property
    def indicators(self) -> pd.DataFrame:
        """The indicator table."""
        return self.run.table

    def tables(self) -> list[Table]:
        """Every table of the report, in order (the indicator table first)."""
        out = [Table("indicators", "indicators", self.indicators)]
        for s in self.sections:
            out += s.tables
        out.append(Table("inputs", "inputs", self.inputs))
        return out


# ------------------------------------------------------------------------------------- inputs
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    if path.is_dir():
        for f in sorted(path.rglob("*")):
            if f.is_file():
                h.update(f.relative_to(path).as_posix().encode())
                h.update(f.read_bytes())
    else:
        h.update(path.read_bytes())
    return h.hexdigest()


def _as_bool(s: pd.Series, name: str, file: str) -> pd.Series:
    text = s.astype("string").str.strip().str.lower()
    truth = text.isin(["true", "1", "yes", "1.0"])
    false = text.isin(["false", "0", "no", "0.0", ""]) | text.isna()
    bad = ~(truth | false)
    if bad.any():
        raise DataInputError(f"{file}: column {name!r} must hold true/false, found {s[bad].iloc[0]!r}")
    return truth.astype(bool)


def _check_process_ids(df: pd.DataFrame | None, expected: str, what: str) -> None:
    if df is None or "process_id" not in df.columns:
        return
    found = sorted({str(v) for v in df["process_id"].dropna().unique()})
    if found != [expected]:
        raise DataInputError(
            f"{what}: process_id {', '.join(map(repr, found)) or 'empty'} does not match the "
            f"configuration's process_id {expected!r}"
        )


def load_inputs(cfg: ReportConfig) -> ProcessInputs:
    """Read every input of a configuration and check that they describe the same process.

    The responses are validated against the instrument (:func:`deliberval.validate`, missing
    codes kept as codes) and only the valid rows are kept; free-text columns are dropped.

    Parameters
    ----------
    cfg : ReportConfig
        The configuration: its data files, or a built-in SYNTHETIC ``example``.

    Returns
    -------
    ProcessInputs
        The tables read (``responses``, ``members``, ``targets``, ``recommendations``,
        ``events``, ``process``; None when not given), the ``instrument``, the ``validation``
        result of the responses, the ``dropped_text`` columns, ``files`` (name, key, SHA-256
        and rows of every input file) and ``synthetic``.

    Raises
    ------
    DataInputError
        A file that cannot be read, a table whose ``process_id`` differs from the
        configuration's, or an unknown example.
    InstrumentError
        An unknown instrument id.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from deliberval import load_example
    >>> from deliberval.report import DataFiles, ReportConfig
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> load_example("gentofte_ptc").responses.to_csv(folder / "responses.csv", index=False)
    >>> cfg = ReportConfig(process_id="gentofte_ptc", data=DataFiles(responses=folder / "responses.csv"))
    >>> inp = load_inputs(cfg)
    >>> inp.instrument.id, inp.responses.shape, inp.members is None
    ('participant_standard', (80, 45), True)
    >>> [(f["file"], f["key"], f["rows"]) for f in inp.files]
    [('responses.csv', 'responses', 80)]
    """
    instrument = load_instrument(cfg.instrument, cfg.surveys_dirs or None)
    inp = ProcessInputs(cfg.process_id, instrument)
    if cfg.example is not None:
        from deliberval.datasets import list_examples, load_example

        names = list(list_examples()["name"])
        if cfg.example not in names:
            raise DataInputError(f"unknown example {cfg.example!r}; choose one of {', '.join(names)}")
        ex = load_example(cfg.example, seed=cfg.seed, registers=True)
        inp.responses, inp.members, inp.targets = ex.responses, ex.members, ex.targets
        inp.recommendations, inp.events, inp.process = ex.recommendations, ex.response_events, ex.process
        inp.synthetic = True
        inp.files.append({"file": f"built-in example {cfg.example} (seed {cfg.seed})", "key": "example",
                          "sha256": "", "rows": len(ex.responses)})
        where = dict.fromkeys(("responses", "members", "register", "process"), f"example {cfg.example}")
    else:
        where = {}
        for key, _ in cfg.data.items():
            path = cfg.path(key)
            assert path is not None
            where[key] = str(path)
            inp.files.append({"file": path.name, "key": key, "sha256": _sha256(path), "rows": None})
        if (p := cfg.path("responses")) is not None:
            inp.responses = read_responses(p, instrument, cfg.path("mapping"))
        if (p := cfg.path("members")) is not None:
            m = read_table(p)
            for col in STAGE_FLAGS:
                if col in m.columns:
                    m[col] = _as_bool(m[col], col, str(p))
            inp.members = m
        if (p := cfg.path("targets")) is not None:
            tg = read_table(p)
            if not {"dimension", "category", "share"} <= set(tg.columns):
                raise DataInputError(f"{p}: targets need columns dimension, category, share")
            tg["share"] = pd.to_numeric(tg["share"], errors="coerce")
            if tg["share"].isna().any():
                raise DataInputError(f"{p}: column 'share' must be numeric")
            inp.targets = tg
        if (p := cfg.path("register")) is not None:
            reg = read_register(p, cfg.path("events"))
            inp.recommendations, inp.events = reg.recommendations, reg.events
        if (p := cfg.path("process")) is not None:
            inp.process = read_table(p)
        sizes = {"responses": inp.responses, "members": inp.members, "targets": inp.targets,
                 "register": inp.recommendations, "process": inp.process}
        for f in inp.files:
            tab = sizes.get(f["key"])
            f["rows"] = None if tab is None else len(tab)
    _check_process_ids(inp.responses, cfg.process_id, where.get("responses", "responses"))
    _check_process_ids(inp.members, cfg.process_id, where.get("members", "members"))
    _check_process_ids(inp.recommendations, cfg.process_id, where.get("register", "register"))
    _check_process_ids(inp.process, cfg.process_id, where.get("process", "process"))
    if inp.process is not None and len(inp.process) != 1:
        raise DataInputError(f"{where.get('process', 'process')}: the process table must have one row")
    if inp.responses is not None:
        inp.responses, inp.dropped_text = _drop_text(inp.responses, instrument)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            inp.validation = validate(inp.responses, instrument, recode_missing=False)
        inp.responses = inp.validation.valid
    return inp


def _drop_text(df: pd.DataFrame, instrument: Instrument) -> tuple[pd.DataFrame, list[str]]:
    """Remove free-text columns and text columns the instrument does not describe."""
    known = set(instrument.item_ids()) | set(ID_COLUMNS)
    flagged = set(free_text_columns(df, instrument))
    for col in df.columns:
        if col in known:
            continue
        if not (pd.api.types.is_numeric_dtype(df[col].dtype) or pd.api.types.is_bool_dtype(df[col].dtype)):
            flagged.add(col)
    dropped = [c for c in df.columns if c in flagged]
    return df.drop(columns=dropped), dropped


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


def _participants(df: pd.DataFrame) -> pd.DataFrame:
    return df.loc[df["group"] == "participant"] if "group" in df.columns else df


def _scored(run: IndicatorRun) -> pd.DataFrame | None:
    s = run.results.get("scored")
    return s if isinstance(s, pd.DataFrame) else None


# ----------------------------------------------------------------------------------- sections
def _participation(inp: ProcessInputs, run: IndicatorRun, cfg: ReportConfig, lang: str) -> Section:
    k = cfg.min_cell_size
    sec = Section("participation", t(lang, "participation"), t(lang, "participation_intro"))
    if inp.members is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_members")))
        return sec
    members = inp.members
    if "role" in members.columns:
        sat = members.loc[members["selected"].astype(bool)] if "selected" in members.columns else members
        counts = sat.groupby("role", sort=False).size()
        by_role = pd.DataFrame({"role": [_code(lang, r) for r in counts.index], "n": counts.to_numpy()})
        sec.tables.append(Table("members_by_role", t(lang, "members_by_role"), suppress_small_cells(by_role, "n", k),
                                {"role": "text", "n": "int"}))
        members = members.loc[members["role"] == "citizen"]
    stages = [s for s in STAGE_FLAGS if s in members.columns]
    if inp.targets is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_targets")))
        if stages:
            rows = [{"stage": _code(lang, s), "n": int(members[stages[: i + 1]].all(axis=1).sum())}
                    for i, s in enumerate(stages)]
            sec.tables.append(Table("funnel", t(lang, "funnel"),
                                    suppress_small_cells(pd.DataFrame(rows), "n", k), {"stage": "text", "n": "int"}))
        return sec
    dims = [str(d) for d in dict.fromkeys(inp.targets["dimension"]) if "*" not in str(d) and d in members.columns]
    if stages and dims:
        m = members.loc[:, [*stages, *dims]].copy()
        for d in dims:
            cats = set(inp.targets.loc[inp.targets["dimension"] == d, "category"])
            m[d] = m[d].where(m[d].isin(cats))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", TargetsWarning)
                fr = funnel(m, inp.targets.loc[inp.targets["dimension"].isin(dims)], stages=stages,
                            dimensions=dims, seed=cfg.seed, confidence_level=cfg.confidence_level)
            st = fr.stages[["stage", "n", "retained", "mean_duncan"]].copy()
            st["stage"] = [_code(lang, s) for s in st["stage"]]
            sec.tables.append(Table("funnel", t(lang, "funnel"), suppress_small_cells(st, "n", k),
                                    {"stage": "text", "n": "int", "retained": "pct", "mean_duncan": "num3"}))
            # the figure shows category shares at every stage: small cells are left out of it
            cats = fr.categories.assign(key=fr.categories["stage"] + "|" + fr.categories["dimension"])
            cats = _secondary(suppress_small_cells(cats, "panel_n", k), "key", "panel_n", ["panel_share"])
            shown = fr.categories.assign(panel_share=cats["panel_share"].astype(float).to_numpy())
            sec.figures.append(Figure("funnel", t(lang, "funnel"),
                                      _png(plot_funnel(replace(fr, categories=shown),
                                                       axis_labels=_plot_words(lang, "share", codes=fr.stages["stage"])))))
        except DelibervalError as exc:
            sec.notices.append(t(lang, "not_available", reason=str(exc)))
    rep = run.results.get("representativeness")
    if rep is not None:
        cat = rep.categories[["dimension", "category", "panel_n", "panel_share", "target_share",
                              "difference_pp", "ci_low_pp", "ci_high_pp"]].copy()
        cat = suppress_small_cells(cat, "panel_n", k)
        cat = _secondary(cat, "dimension", "panel_n",
                         ["panel_share", "target_share", "difference_pp", "ci_low_pp", "ci_high_pp"])
        note = t(lang, "secondary_note") if cat["suppressed"].any() else ""
        sec.tables.append(Table("representativeness", t(lang, "composition"), cat,
                                {"dimension": "text", "category": "text", "panel_n": "int",
                                 "panel_share": "pct", "target_share": "pct", "difference_pp": "num1",
                                 "ci_low_pp": "num1", "ci_high_pp": "num1"}, note))
        plotted = replace(rep, categories=rep.categories.assign(
            difference_pp=cat["difference_pp"].astype(float).to_numpy(),
            ci_low_pp=cat["ci_low_pp"].astype(float).to_numpy(),
            ci_high_pp=cat["ci_high_pp"].astype(float).to_numpy()))
        if not cat["suppressed"].all():
            sec.figures.append(Figure("representativeness", t(lang, "composition"),
                                      _png(plot_representativeness(plotted,
                                                                   axis_labels=_plot_words(lang, "difference")))))
    return sec


def _experience(inp: ProcessInputs, run: IndicatorRun, cfg: ReportConfig, lang: str) -> Section:
    k = cfg.min_cell_size
    sec = Section("experience", t(lang, "experience"), t(lang, "experience_intro"))
    scored = _scored(run)
    if scored is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_responses")))
        return sec
    ins = inp.instrument
    items = [it for it in ins.items if it.construct == "deliberative_experience" or it.id.startswith("dx_")]
    items = [it for it in items if it.id in scored.columns]
    post = _participants(scored)
    post = post.loc[post["wave"] == "post"] if "wave" in post.columns else post.iloc[0:0]
    if not items or post.empty:
        sec.notices.append(t(lang, "not_available", reason="no post-survey answers on the deliberative experience"))
        return sec
    roles = [r for r in ROLE_ORDER if "role" in post.columns and r in set(post["role"])]
    rows = []
    for it in items:
        agree = [float(a) for a in ins.response_scale(it.scale).agree_values if not isinstance(a, str)]
        for role in roles:
            x = pd.to_numeric(post.loc[post["role"] == role, it.id], errors="coerce").dropna()
            n = int(x.size)
            if n == 0:  # the statement was not put to this role
                continue
            rows.append({"item": it.text.get(lang, it.text["en"]), "role": _code(lang, role), "n": n,
                         "share_agree": float(x.isin(agree).mean()) if n else math.nan,
                         "mean": float(x.mean()) if n else math.nan})
    tab = suppress_small_cells(pd.DataFrame(rows), "n", k)
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


def _change(inp: ProcessInputs, run: IndicatorRun, cfg: ReportConfig, lang: str) -> Section:
    k = cfg.min_cell_size
    sec = Section("change", t(lang, "change"), t(lang, "change_intro"))
    scored = _scored(run)
    if scored is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_responses")))
        return sec
    part = _participants(scored)
    waves = set(part["wave"]) if "wave" in part.columns else set()
    outcomes = [o for o in CHANGE_OUTCOMES if o in part.columns and part[o].notna().any()]
    if "hybrid_openness" in part.columns and part["hybrid_openness"].notna().any():
        outcomes.append("hybrid_openness")
    tables = []
    for later in ("post", "follow_up"):
        if not {"pre", later} <= waves or not outcomes:
            continue
        sub = part.loc[part["wave"].isin(["pre", later])]
        rows = []
        for o in outcomes:
            try:
                r = prepost(sub, o, post=later, by="role", confidence_level=cfg.confidence_level)
            except AnalysisInputError:
                continue
            rows.append(r)
        if not rows:
            continue
        res = pd.concat(rows, ignore_index=True)
        res = res.loc[res["role"] != "all"]
        res = res.loc[res["n"] > 0]
        tab = res[["role", "outcome", "n", "mean_pre", "mean_post", "mean_diff", "ci_low", "ci_high",
                   "d_z", "p_holm"]].copy()
        tab.insert(0, "comparison", f"{_code(lang, 'pre')} → {_code(lang, later)}")
        tab["role"] = [_code(lang, r) for r in tab["role"]]
        tab["outcome"] = [_code(lang, o) for o in tab["outcome"]]
        tab = suppress_small_cells(tab.reset_index(drop=True), "n", k)
        tables.append(tab)
        if later == "post":
            ok = res.loc[(res["n"] >= k) & (res["role"] == "citizen")]
            if not ok.empty:
                labels = {o: _code(lang, o) for o in ok["outcome"]}
                sec.figures.append(Figure("prepost", t(lang, "change"),
                                          _png(plot_prepost(ok.drop(columns=["role"]), labels=labels,
                                                            axis_labels=_plot_words(
                                                                lang, "mean", "change", "ci", codes=("pre", "post"))))))
    if tables:
        tab = pd.concat(tables, ignore_index=True)
        note = t(lang, "suppressed_rows", n=int(tab["suppressed"].sum()), k=k) if tab["suppressed"].any() else ""
        sec.tables.append(Table("change", t(lang, "change"), tab,
                                {"comparison": "text", "role": "text", "outcome": "text", "n": "int",
                                 "mean_pre": "num2", "mean_post": "num2", "mean_diff": "num2",
                                 "ci_low": "num2", "ci_high": "num2", "d_z": "num2", "p_holm": "p"}, note))
    else:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_pairs")))
    # difference-in-differences
    if "group" not in scored.columns or not (scored["group"] == "control").any():
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_control")) + " (DiD)")
        return sec
    cit = scored.loc[scored["group"].isin(["participant", "control"]) & scored["wave"].isin(["pre", "post"])]
    if "role" in cit.columns:
        cit = cit.loc[cit["role"] == "citizen"]
    rows = []
    for o in [x for x in outcomes if x != "hybrid_openness"]:
        try:
            d = did(cit, o, confidence_level=cfg.confidence_level)
        except AnalysisInputError:
            continue
        d = d.loc[d["model"] != "baseline_difference"]
        answered = cit.loc[cit[o].notna()]
        n_small = int(answered.groupby("group")["respondent_id"].nunique().reindex(
            ["participant", "control"], fill_value=0).min())
        for _, r in d.iterrows():
            rows.append({"outcome": _code(lang, o), "model": _code(lang, r["model"]),
                         "n": n_small, "estimate": r["estimate"], "ci_low": r["ci_low"],
                         "ci_high": r["ci_high"], "p": r["p"]})
    if rows:
        sec.tables.append(Table("did", t(lang, "did_title"), suppress_small_cells(pd.DataFrame(rows), "n", k),
                                {"outcome": "text", "model": "text", "n": "int", "estimate": "num2",
                                 "ci_low": "num2", "ci_high": "num2", "p": "p"}, t(lang, "did_intro")))
        if "external_efficacy" in cit.columns:
            gm = group_means(cit, "external_efficacy", confidence_level=cfg.confidence_level)
            gm = suppress_small_cells(gm, "n", k)
            if not gm["suppressed"].any():
                d = did(cit, "external_efficacy", confidence_level=cfg.confidence_level)
                fig = plot_did(gm.assign(group=[_code(lang, g) for g in gm["group"]],
                                         wave=[_code(lang, w) for w in gm["wave"]],
                                         outcome=_code(lang, "external_efficacy")),
                               did_result=d, title=_code(lang, "external_efficacy"))
                sec.figures.append(Figure("did", t(lang, "did_intro"), _png(fig)))
    return sec


def _uptake(inp: ProcessInputs, run: IndicatorRun, cfg: ReportConfig, lang: str) -> Section:
    sec = Section("uptake", t(lang, "uptake"), t(lang, "uptake_intro"))
    res = run.results.get("uptake")
    if res is None:
        reason = t(lang, "no_register") if inp.recommendations is None else \
            str(run.table.loc[run.table["indicator_id"] == "response_any", "status_reason"].iloc[0])
        sec.notices.append(t(lang, "not_available", reason=reason))
        return sec
    ind = res.indicators[["indicator", "n", "count", "estimate", "ci_low", "ci_high"]].copy()
    ind["indicator"] = [_code(lang, i) for i in ind["indicator"]]
    sec.tables.append(Table("uptake", t(lang, "uptake"), ind,
                            {"indicator": "text", "n": "int", "count": "int", "estimate": "pct",
                             "ci_low": "pct", "ci_high": "pct"},
                            f"as of {res.as_of.date().isoformat()}; coding scheme {res.scheme}"))
    order = {code: i for i, code in enumerate(res.status["status"].drop_duplicates())}
    try:
        from deliberval.coding import load_scheme

        order = {code: i for i, code in enumerate(load_scheme().status_order)}
    except DelibervalError:  # pragma: no cover - the shipped scheme always loads
        pass
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
    words = _plot_words(lang, "share", "title", codes=[*order, *res.status["status"].unique()],
                        prefix="plot_status_")
    sec.figures.append(Figure("uptake", t(lang, "uptake"), _png(plot_status_bars(res, axis_labels=words))))
    return sec


def _psychometrics(inp: ProcessInputs, cfg: ReportConfig, lang: str) -> Section:
    k = cfg.min_cell_size
    sec = Section("psychometrics", t(lang, "psychometrics"), t(lang, "psychometrics_intro"))
    if inp.responses is None:
        sec.notices.append(t(lang, "not_available", reason=t(lang, "no_responses")))
        return sec
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = psychometrics_report(_participants(inp.responses), inp.instrument, by="wave",
                                   confidence_level=cfg.confidence_level)
    rep = rep.rename(columns={"subgroup": "wave"})
    rep["wave"] = [_code(lang, w) for w in rep["wave"]]
    tab = rep[["scale", "wave", "n_items", "n", "cronbach_alpha", "alpha_ci_low", "alpha_ci_high", "omega_total",
               "cfi", "rmsea", "status", "flags"]].copy()
    tab["scale"] = [_code(lang, s) for s in tab["scale"]]
    tab = suppress_small_cells(tab, "n", k)
    sec.tables.append(Table("psychometrics", t(lang, "psychometrics"), tab,
                            {"scale": "text", "wave": "text", "n_items": "int", "n": "int", "cronbach_alpha": "num2",
                             "alpha_ci_low": "num2", "alpha_ci_high": "num2", "omega_total": "num2",
                             "cfi": "num3", "rmsea": "num3", "status": "text", "flags": "text"}))
    return sec


def _data_quality(inp: ProcessInputs, cfg: ReportConfig, lang: str) -> Section:
    k = cfg.min_cell_size
    sec = Section("data_quality", t(lang, "data_quality"), t(lang, "data_quality_intro"))
    v = inp.validation
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
    if inp.dropped_text:
        sec.notices.append(t(lang, "free_text_note", n=len(inp.dropped_text)))
    return sec


# ------------------------------------------------------------------------------------- report
def _facts(cfg: ReportConfig, inp: ProcessInputs, lang: str) -> tuple[str, list[tuple[str, str]]]:
    title = cfg.title or cfg.process_id
    facts: list[tuple[str, str]] = [(t(lang, "process"), cfg.process_id)]
    if inp.process is not None:
        p = inp.process.iloc[0]
        title = cfg.title or str(p.get("name", cfg.process_id))
        if "model" in p:
            facts.append((t(lang, "model"), str(p["model"]).replace("_", " ")))
        if "commissioner" in p:
            facts.append((t(lang, "commissioner"), str(p["commissioner"])))
        if "start_date" in p and "end_date" in p:
            facts.append((t(lang, "period"),
                          f"{str(p['start_date'])[:10]} – {str(p['end_date'])[:10]}"))
        if "members_citizen" in p:
            mp = p.get("members_politician", 0)
            facts.append((t(lang, "members"), f"{p['members_citizen']} {_code(lang, 'citizen')}"
                          + (f", {mp} {_code(lang, 'politician')}" if str(mp) not in ("0", "nan", "") else "")))
        if "languages" in p:
            facts.append((t(lang, "languages"), str(p["languages"])))
    return title, facts


def response_deadline(cfg: ReportConfig, inp: ProcessInputs) -> int | None:
    """The response deadline in days: the configuration's, else the process table's
    ``response_deadline_days``, else (built-in examples) the example's."""
    if cfg.deadline_days is not None:
        return cfg.deadline_days
    proc = inp.process
    if proc is not None and "response_deadline_days" in proc.columns:
        val = pd.to_numeric(proc["response_deadline_days"], errors="coerce").iloc[0]
        if not pd.isna(val):
            return int(val)
    if inp.synthetic and cfg.example is not None:
        from deliberval.datasets.registers import PROCESS_DEADLINES

        return PROCESS_DEADLINES.get(cfg.example)
    return None


def build_report(cfg: ReportConfig, *, lang: str | None = None, inputs: ProcessInputs | None = None) -> ProcessReport:
    """Run every analysis of the standard report for one process.

    Parameters
    ----------
    cfg : ReportConfig
        The configuration (see :func:`deliberval.report.load_config`).
    lang : {"en", "fr"}, optional
        Report language (default: the configuration's).
    inputs : ProcessInputs, optional
        Already loaded inputs (default: :func:`load_inputs`).

    Returns
    -------
    ProcessReport

    Examples
    --------
    >>> from deliberval.report.config import ReportConfig
    >>> rep = build_report(ReportConfig(process_id="gentofte_ptc", example="gentofte_ptc"))
    >>> [s.key for s in rep.sections]
    ['participation', 'experience', 'change', 'uptake', 'psychometrics', 'data_quality']
    """
    from deliberval import __version__

    language = lang or cfg.language
    inp = inputs or load_inputs(cfg)
    proc = inp.process
    deadline = response_deadline(cfg, inp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TargetsWarning)
        run = evaluate_process(
            inp.responses, inp.instrument, members=inp.members, targets=inp.targets,
            recommendations=inp.recommendations, events=inp.events, process=proc,
            as_of=cfg.as_of, deadline_days=deadline, min_cell_size=cfg.min_cell_size,
            confidence_level=cfg.confidence_level, seed=cfg.seed, lang=language,
        )
    # indicators() gives its reasons in English; the report's table, XLSX sheet and notices
    # carry them in the report language
    run.table["status_reason"] = [translate_reason(str(r), language) for r in run.table["status_reason"]]
    sections = [
        _participation(inp, run, cfg, language),
        _experience(inp, run, cfg, language),
        _change(inp, run, cfg, language),
        _uptake(inp, run, cfg, language),
        _psychometrics(inp, cfg, language),
        _data_quality(inp, cfg, language),
    ]
    title, facts = _facts(cfg, inp, language)
    lib = list_instruments(cfg.surveys_dirs or None)
    versions = lib.set_index("id")["version"].to_dict() if "version" in lib.columns else {}
    assert run.catalogue is not None
    provenance = [
        ("deliberval", __version__),
        ("instrument", f"{inp.instrument.id} {inp.instrument.version}"),
        ("instrument library", ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))),
        ("indicator catalogue", f"{run.catalogue.id} {run.catalogue.version}"),
        ("seed", str(cfg.seed)),
        ("min_cell_size", str(cfg.min_cell_size)),
        ("confidence_level", f"{cfg.confidence_level:g}"),
        ("as_of", cfg.as_of.isoformat() if cfg.as_of else "latest response event"),
        ("deadline_days", "" if deadline is None else str(deadline)),
        ("language", language),
    ]
    files = pd.DataFrame(inp.files, columns=["key", "file", "rows", "sha256"])
    files["rows"] = files["rows"].astype("Int64")
    return ProcessReport(cfg, language, title, facts, run, sections, provenance, files, inp.synthetic)
