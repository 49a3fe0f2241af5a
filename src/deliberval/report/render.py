"""Write a :class:`~deliberval.report.build.ProcessReport` as self-contained HTML, PDF or XLSX."""

from __future__ import annotations

import datetime as dt
import math
import os
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from deliberval.errors import DelibervalError
from deliberval.report.build import ProcessReport, Table
from deliberval.report.formatting import (
    format_date,
    format_interval,
    format_number,
    format_percent,
    localise_number_text,
)
from deliberval.report.i18n import CODES, COLUMNS, LANGUAGES, has_string, t, translate_reason
from deliberval.report.markdown import markdown_html
from deliberval.reproducible import fixed_source_date_epoch, freeze_xlsx

__all__ = ["PdfUnavailableError", "format_value", "pdf_available", "render_html", "write_html",
           "write_pdf", "write_xlsx"]


class PdfUnavailableError(DelibervalError):
    """WeasyPrint (the optional ``pdf`` extra) is not installed."""


def _template_dir() -> Path:
    return Path(str(resources.files("deliberval.report"))) / "templates"


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_template_dir())),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def css() -> str:
    """The report's stylesheet (inlined into every HTML file)."""
    return (_template_dir() / "style.css").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------- formatting
def _missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def format_value(v: Any, kind: str, lang: str = "en") -> str:
    """Format one cell: ``int``, ``pct``, ``num1``, ``num2``, ``num3``, ``p`` or ``text``.

    Numbers follow the conventions of ``lang`` (Babel's CLDR data): decimal sign, thousands
    grouping, the space before ``%`` (:mod:`deliberval.report.formatting`).

    Examples
    --------
    >>> format_value(0.4567, "pct"), format_value(0.4567, "pct", "fr")
    ('46%', '46\\xa0%')
    >>> format_value(3.14159, "num2", "de"), format_value(0.0001, "p"), format_value(None, "num2")
    ('3,14', '<0.001', '—')
    >>> format_value(12345, "int"), format_value(12345, "int", "da"), format_value(6.5, "int", "fr")
    ('12,345', '12.345', '6,5')
    >>> format_value(0.0001, "p", "nl")
    '<0,001'
    """
    if _missing(v):
        return "—"
    if kind == "text":
        return str(v)
    x = float(v)
    if not math.isfinite(x):
        return "—"
    if kind == "int":
        if x != round(x):  # a weighted count
            return format_number(x, 1, lang)
        return format_number(round(x), 0, lang)
    if kind == "pct":
        return format_percent(x, lang)
    if kind == "p":
        return "<" + format_number(0.001, 3, lang) if x < 0.001 else format_number(x, 3, lang)
    if kind in ("num1", "num2", "num3"):
        return format_number(x, int(kind[-1]), lang, group=False)
    return localise_number_text(f"{x:.3g}", lang)


SECONDARY_MARK = "‡"
"""How a value withheld only to protect another one is shown (never ``<k``: it may hold 49 people)."""


def _hidden_text(mark: str, column: str, kind: str, k: int) -> str:
    """The text of a hidden cell: ``<k`` for a count below ``k``, ``·`` for its other values and for
    rows hidden by the complement rule, ``‡`` for secondary suppression."""
    if mark == "primary":
        return f"<{k}" if kind == "int" else "·"
    if mark == "complement":  # a share's complement is small: the count itself may be large
        return "·"
    return SECONDARY_MARK


def _display_table(tab: Table, lang: str, k: int) -> dict[str, Any]:
    df = tab.data
    cols = [c for c in df.columns if c not in ("suppressed", "suppression", *tab.ids)]  # ids: XLSX only
    heads = COLUMNS.get(lang, COLUMNS["en"])
    numeric = {c for c in cols if tab.formats.get(c, "num2") != "text"}
    header = [(heads.get(c, c.replace("_", " ")), "num" if c in numeric else "") for c in cols]
    rows = []
    supp = df["suppressed"].to_numpy() if "suppressed" in df.columns else [False] * len(df)
    marks = (df["suppression"].astype("object").fillna("").to_numpy() if "suppression" in df.columns
             else ["primary" if s else "" for s in supp])
    for (_, r), s, mark in zip(df.iterrows(), supp, marks, strict=True):
        cells = []
        only = mark.split(":", 1)[1].split(",") if ":" in mark else None
        for c in cols:
            kind = tab.formats.get(c, "num2" if pd.api.types.is_float_dtype(df[c].dtype) else "text")
            if (s or only) and _missing(r[c]) and (only is None or c in only):
                text = _hidden_text(mark if only is None else "secondary", c, kind, k)
            else:
                text = format_value(r[c], kind, lang)
            cells.append((text, "num" if c in numeric else ""))
        rows.append({"cells": cells, "css": "suppressed" if s else ""})
    return {"header": header, "rows": rows, "note": tab.note, "caption": ""}


def _card_value(unit: str, est: float, lang: str) -> str:
    if unit == "proportion":
        return format_value(est, "pct", lang)
    if unit == "percentage_points":
        return format_value(est, "num1", lang) + "\u00a0" + t(lang, "unit_pp")
    if unit == "effect_size":
        return "d = " + format_value(est, "num2", lang)
    if unit == "scale_points":
        return ("+" if est > 0 else "") + format_value(est, "num2", lang)
    if unit == "yes_no":
        return t(lang, "yes") if est >= 0.5 else t(lang, "no")
    return format_value(est, "num2", lang)


def verdict_label(verdict: str, direction: str, threshold: str, lang: str) -> str:
    """The dashboard's words for a verdict: a symbol, the verdict and the bound it is judged against.

    A lower-is-better indicator is judged against a ceiling, never said to be "below" it.

    Examples
    --------
    >>> verdict_label("misses", "lower_is_better", "0 %", "en")
    '✗ misses (ceiling 0 %)'
    >>> verdict_label("inconclusive", "higher_is_better", "80 %", "en")
    '? inconclusive (threshold 80 % within the CI)'
    >>> verdict_label("meets", "lower_is_better", "10 %", "fr")
    '✓ atteint (plafond 10 %)'
    """
    bound = t(lang, "ceiling" if direction == "lower_is_better" else "threshold")
    return t(lang, f"verdict_{verdict}", bound=bound, value=threshold)


def _cards(rep: ProcessReport) -> list[dict[str, Any]]:
    lang = rep.lang
    cat = rep.evaluation.catalogue
    assert cat is not None
    stages = []
    for stage in ("design_integrity", "deliberative_experience", "pathways_to_impact"):
        cards = []
        for _, r in rep.indicators.loc[rep.indicators["oecd_stage"] == stage].iterrows():
            card: dict[str, Any] = {"label": r["label"], "status": r["status"], "bar": None, "mark": None,
                                    "ci": "", "n": "", "reason": "", "css": r["status"]}
            if r["status"] != "measured":
                card["badge"] = t(lang, r["status"])
                card["reason"] = translate_reason(str(r["status_reason"]), lang)
                cards.append(card)
                continue
            unit, est = str(r["unit"]), float(r["estimate"])
            card["value"] = _card_value(unit, est, lang)
            if not _missing(r["ci_low"]):
                lo, hi = float(r["ci_low"]), float(r["ci_high"])
                kind = "pct" if unit == "proportion" else "num2"
                card["ci"] = (t(lang, "ci_level", level=format_percent(float(r["confidence_level"]), lang)) + " "
                              + format_interval(format_value(lo, kind, lang), format_value(hi, kind, lang), lang))
            if not _missing(r["n"]):
                card["n"] = format_value(r["n"], "int", lang)
            if unit == "proportion":
                card["bar"] = round(100 * min(max(est, 0.0), 1.0), 1)
                if not _missing(r["threshold"]):
                    card["mark"] = round(100 * float(r["threshold"]), 1)
            if _missing(r["verdict"]):
                card["badge"], card["badge_css"] = t(lang, "no_threshold"), "none"
            else:
                card["badge"] = verdict_label(str(r["verdict"]), str(r["direction"]),
                                              _card_value(unit, float(r["threshold"]), lang), lang)
                if r.get("verdict_rule") == "probability" and str(r["verdict"]) == "inconclusive":
                    # the probability rule decided: not "within the CI" (issue 20)
                    card["badge"] = t(lang, "verdict_inconclusive_probability",
                                      p=format_value(float(r["prob_meets_threshold"]), "num2", lang),
                                      bound=t(lang, "ceiling" if str(r["direction"]) == "lower_is_better"
                                              else "threshold"),
                                      value=_card_value(unit, float(r["threshold"]), lang))
                card["badge_css"] = card["css"] = str(r["verdict"])
            cards.append(card)
        stages.append({"title": cat.stage_label(stage, lang), "cards": cards})
    return stages


_ID_SETTINGS = ("instrument", "instrument library", "indicator catalogue")
"""Settings whose values are identifiers and versions (shown as code)."""


def setting_label(key: str, lang: str) -> str:
    """The name of a provenance setting in ``lang`` (the key itself when the locale has none).

    Examples
    --------
    >>> setting_label("min_cell_size", "fr"), setting_label("not_a_setting", "fr")
    ('Taille minimale des cellules', 'not_a_setting')
    """
    name = "setting_" + key.replace(" ", "_")
    return t(lang, name) if has_string(name) else key


def setting_value(key: str, value: str, lang: str) -> str:
    """A provenance value as the report shows it: the language by its name, the evaluation date
    and confidence level in the locale's way, "latest response event" in ``lang``.

    Examples
    --------
    >>> setting_value("language", "de", "fr"), setting_value("confidence_level", "0.95", "de")
    ('allemand', '0,95')
    """
    if key == "language" and value in LANGUAGES:
        from babel import Locale

        return str(Locale.parse(value).get_display_name(lang))
    if key == "as_of":
        return t(lang, "as_of_latest") if value == "latest response event" else format_date(value, lang)
    if key in ("confidence_level", "seed", "min_cell_size", "deadline_days"):
        return localise_number_text(value, lang)
    if key == "processes":  # "<id> (seed <n>), ..." of a comparison
        import re

        return re.sub(r"\(seed (\d+)\)", lambda m: f"({t(lang, 'seed_short')} {m.group(1)})", value)
    return value


def table_name(key: str, lang: str) -> str:
    """The name of an input table (``responses``, ``members``, ...) in ``lang``."""
    return t(lang, f"table_{key}") if has_string(f"table_{key}") else key


def file_text(key: str, file: str, lang: str) -> str:
    """An input's file as the report shows it: a path as given, a built-in example in ``lang``."""
    import re

    m = re.fullmatch(r"built-in example (\S+) \(seed (\S+)\)", file)
    return t(lang, "builtin_example", name=m.group(1), seed=m.group(2)) if m else file


def _plain(header: list[str], rows: list[list[str]]) -> dict[str, Any]:
    return {"header": [(h, "") for h in header],
            "rows": [{"cells": [(v, "") for v in r], "css": ""} for r in rows]}


def render_html(rep: ProcessReport, *, timestamp: str | None = None) -> str:
    """The report as one self-contained HTML page (CSS inline, figures as base64 PNG).

    Parameters
    ----------
    rep : ProcessReport
        Output of :func:`deliberval.report.build_report`.
    timestamp : str, optional
        The "generated" line (default: now, UTC). It is the only line that differs between two
        runs on the same inputs and seed.

    Returns
    -------
    str
        The HTML document (``<!DOCTYPE html>`` first), in the report's language.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from deliberval import load_example
    >>> from deliberval.indicators import evaluate_process
    >>> from deliberval.io.config import DataFiles, ProcessConfig
    >>> from deliberval.report import build_report
    >>> from deliberval.validation.process import load_process
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> load_example("gentofte_ptc").responses.to_csv(folder / "responses.csv", index=False)
    >>> cfg = ProcessConfig(process_id="gentofte_ptc", data=DataFiles(responses=folder / "responses.csv"))
    >>> rep = build_report(evaluate_process(load_process(cfg)))
    >>> html = render_html(rep, timestamp="2026-01-01 00:00:00 UTC")
    >>> html.startswith("<!DOCTYPE html>"), "<title>gentofte_ptc · Evaluation report</title>" in html
    (True, True)
    >>> "2026-01-01 00:00:00 UTC" in html
    True
    """
    lang = rep.lang
    k = rep.min_cell_size
    cat = rep.evaluation.catalogue
    assert cat is not None
    ind = rep.indicators
    counts = [(st, t(lang, f"count_{st}", count=n), n)
              for st, n in ((st, int((ind["status"] == st).sum())) for st in ("measured", "not_measured", "suppressed"))]
    sections = []
    for sec in rep.sections:
        tables = []
        for tab in sec.tables:
            d = _display_table(tab, lang, k)
            d["caption"] = "" if tab.title == sec.title else tab.title
            tables.append(d)
        sections.append({"key": sec.key, "title": sec.title, "intro": sec.intro, "notices": sec.notices,
                         "tables": tables,
                         "figures": [{"uri": f.data_uri, "title": f.title, "caption": f.caption,
                                      "width": round(f.width_in * 96)} for f in sec.figures],
                         "facts": sec.facts,
                         # the evaluator's Markdown with raw HTML escaped (deliberval.report.markdown):
                         # the template marks it safe
                         "markdown": [(h, markdown_html(text)) for h, text in sec.markdown]})
    heads = COLUMNS.get(lang, COLUMNS["en"])
    missing = ind.loc[ind["status"] == "not_measured"]
    not_assessed = _plain(
        [heads["stage"], heads["criterion"], heads["indicator"], heads["status_reason"]],
        [[CODES[lang].get(r["oecd_stage"], r["oecd_stage"]), cat.criterion_label(r["criterion"], lang), r["label"],
          translate_reason(str(r["status_reason"]), lang)] for _, r in missing.iterrows()],
    )
    not_assessed["rows"] = not_assessed["rows"] if len(missing) else []
    inputs = _plain([heads["file"], heads["table"], heads["rows"], heads["sha256"]],
                    [[file_text(str(r["key"]), str(r["file"]), lang), table_name(str(r["key"]), lang),
                      SECONDARY_MARK if r.get("suppression", "") else format_value(r["rows"], "int", lang),
                      str(r["sha256"])]
                     for _, r in rep.inputs.iterrows()])
    stamp = timestamp or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    by_probability = rep.evaluation.settings.verdict_rule == "probability"  # issue 20: the rule's own words
    html = _env().get_template("report.html.j2").render(
        lang=lang, s={key: t(lang, key + ("_probability" if by_probability and key == "legend_inconclusive" else ""))
                      for key in ("report_title", "synthetic_banner", "toc", "summary",
                                                     "not_assessed", "not_assessed_intro",
                                                     "nothing_not_assessed", "methods", "settings",
                                                     "inputs", "generated", "legend", "legend_meets",
                                                     "legend_misses", "legend_inconclusive", "legend_none",
                                                     "colon")},
        css=css(), title=rep.title, facts=rep.facts, synthetic=rep.synthetic, warnings=rep.warnings,
        summary_intro=t(lang, "summary_intro_probability" if by_probability else "summary_intro", version=cat.version),
        counts=counts, stages=_cards(rep),
        disclosure=t(lang, "disclosure_note", k=k), sections=sections, not_assessed=not_assessed,
        methods_text=t(lang, "methods_text", level=format_percent(rep.confidence_level, lang)),
        provenance=[(setting_label(key, lang), setting_value(key, value, lang), key in _ID_SETTINGS)
                    for key, value in rep.provenance],
        inputs=inputs, catalogue_reference=cat.reference, timestamp=stamp,
    )
    return html


def write_html(rep: ProcessReport, path: str | os.PathLike[str], *, timestamp: str | None = None) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8) and return the path.

    Parameters
    ----------
    rep : ProcessReport
        Output of :func:`deliberval.report.build_report`.
    path : path-like
        The HTML file (missing parent folders are created; an existing file is overwritten).
    timestamp : str, optional
        The "generated" line (default: now, UTC).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from deliberval import load_example
    >>> from deliberval.indicators import evaluate_process
    >>> from deliberval.io.config import DataFiles, ProcessConfig
    >>> from deliberval.report import build_report
    >>> from deliberval.validation.process import load_process
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> load_example("gentofte_ptc").responses.to_csv(folder / "responses.csv", index=False)
    >>> cfg = ProcessConfig(process_id="gentofte_ptc", data=DataFiles(responses=folder / "responses.csv"))
    >>> rep = build_report(evaluate_process(load_process(cfg)))
    >>> out = write_html(rep, folder / "html" / "report.html", timestamp="2026-01-01 00:00:00 UTC")
    >>> out.name, out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    ('report.html', True)
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_html(rep, timestamp=timestamp), encoding="utf-8")
    return p


def pdf_available() -> bool:
    """Whether WeasyPrint can be imported (the ``pdf`` extra), so :func:`write_pdf` can work.

    Returns
    -------
    bool
        True when ``import weasyprint`` succeeds (package and its system libraries present).

    Examples
    --------
    >>> pdf_available() in (True, False)
    True
    """
    try:
        _import_weasyprint()
    except (ImportError, OSError):
        return False
    return True


def _import_weasyprint() -> Any:
    """Import WeasyPrint, silencing its import-time notice about optional system libraries
    (e.g. "HarfBuzz-Subset will be required by future versions"), which says nothing about
    this report."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import weasyprint
    return weasyprint


def write_pdf(html: str, path: str | os.PathLike[str]) -> Path:
    """Print an HTML report to PDF with WeasyPrint.

    Parameters
    ----------
    html : str
        An HTML document, usually :func:`render_html` of a report.
    path : path-like
        The PDF file (missing parent folders are created; an existing file is overwritten).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    PdfUnavailableError
        WeasyPrint is not installed: install the ``pdf`` extra (``pip install weasyprint``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> html = "<!DOCTYPE html><html><body><h1>Evaluation report</h1></body></html>"
    >>> if pdf_available():
    ...     out = write_pdf(html, folder / "report.pdf")
    ...     assert out.read_bytes().startswith(b"%PDF")
    ... else:
    ...     try:
    ...         write_pdf(html, folder / "report.pdf")
    ...     except PdfUnavailableError as exc:
    ...         assert "pip install weasyprint" in str(exc)
    >>> (folder / "report.pdf").exists() == pdf_available()
    True
    """
    try:
        weasyprint = _import_weasyprint()
    except (ImportError, OSError) as exc:
        raise PdfUnavailableError(
            f"PDF output needs WeasyPrint ({type(exc).__name__}: {exc}); install the 'pdf' extra "
            "of deliberval (pip install weasyprint)"
        ) from None
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with fixed_source_date_epoch():  # fontTools stamps subset fonts with the time otherwise
        weasyprint.HTML(string=html).write_pdf(str(p))
    return p


def _sheet_name(key: str, used: set[str]) -> str:
    key = " ".join("".join(" " if ch in "[]:*?/\\" else ch for ch in key).split()).strip("'") or "sheet"
    name = key[:31]
    i = 2
    while name.lower() in {u.lower() for u in used}:  # Excel compares sheet names case-insensitively
        name = f"{key[:27].rstrip()} ({i})"
        i += 1
    used.add(name)
    return name


def sheet_title(tab: Table, lang: str) -> str:
    """The name of a table's sheet in ``lang``: the locale's short name of the table, else its title.

    Examples
    --------
    >>> import pandas as pd
    >>> sheet_title(Table("members_by_role", "Membres par rôle", pd.DataFrame()), "de")
    'Mitglieder nach Rolle'
    """
    key = f"sheet_{tab.key}"
    if has_string(key):
        return t(lang, key)
    return tab.title if tab.title and tab.title != tab.key else tab.key


_ID_BASES = {"oecd_stage": "stage", "indicator_id": "indicator", "criterion_id": "criterion"}
"""The column whose label names an id column (``<label> (id)``)."""

_CODE_COLUMNS = ("status", "verdict", "unit", "direction", "theme", "prior_agenda")
"""Columns of codes whose cells are written in the workbook's language."""


def column_header(column: str, lang: str, *, is_id: bool = False) -> str:
    """A column's header in ``lang``; an id column says that it holds codes.

    Examples
    --------
    >>> column_header("ci_low", "fr"), column_header("indicator_id", "de", is_id=True)
    ('IC bas', 'Indikator (Kennung)')
    """
    heads = COLUMNS.get(lang, COLUMNS["en"])
    if is_id or column in _ID_BASES:
        base = _ID_BASES.get(column, column.removesuffix("_id"))
        return f"{heads.get(base, base)} ({t(lang, 'id_column')})"
    if column.endswith(" (UTC)"):
        return column_header(column.removesuffix(" (UTC)"), lang) + " (UTC)"
    return heads.get(column, column.replace("_", " "))


def _suppression_text(mark: Any, lang: str) -> Any:
    """``primary``, ``complement``, ``secondary`` or ``secondary:<columns>`` in ``lang``."""
    if not isinstance(mark, str) or not mark:
        return mark
    kind, _, cols = mark.partition(":")
    text = _code_text(f"suppression_{kind}", lang)
    if cols:
        text += ": " + ", ".join(column_header(c, lang) for c in cols.split(","))
    return text


def _code_text(code: str, lang: str) -> str:
    return CODES.get(lang, CODES["en"]).get(code, code)


def _localise_frame(df: pd.DataFrame, lang: str, ids: tuple[str, ...]) -> pd.DataFrame:
    """A table as the workbook in ``lang`` shows it: code cells in words, headers in ``lang``."""
    df = df.copy()
    for c in df.columns:
        if c in ids or c in _ID_BASES or df[c].dtype != object:
            continue
        if c in _CODE_COLUMNS:
            df[c] = [_code_text(v, lang) if isinstance(v, str) else v for v in df[c]]
        elif c == "suppression":
            df[c] = [_suppression_text(v, lang) for v in df[c]]
        elif c in ("threshold_source", "status_reason", "method"):
            df[c] = [describe(v, lang) if isinstance(v, str) else v for v in df[c]]
    key = df["key"].astype(str).tolist() if {"key", "file"} <= set(df.columns) else None
    if key is not None:
        df["file"] = [file_text(k, str(f), lang) for k, f in zip(key, df["file"], strict=True)]
        df["key"] = [table_name(k, lang) for k in key]
    df.columns = [column_header(str(c), lang, is_id=c in ids) for c in df.columns]
    return df


def describe(text: str, lang: str) -> str:
    """A reason, data source or threshold source of the indicator table in ``lang``."""
    return translate_reason(text, lang)


def write_xlsx(tables: list[Table], path: str | os.PathLike[str], *, provenance: list[tuple[str, str]] | None = None,
               min_cell_size: int = 5, lang: str = "en") -> Path:
    """Write every table to its own sheet of an XLSX workbook (openpyxl).

    Suppressed cells are empty and flagged in a ``suppressed`` column; a ``README`` sheet states
    the disclosure rule and the provenance.

    Parameters
    ----------
    tables : list of Table
        The tables, one sheet each (sheet name: the table's ``key``, cut to 31 characters and
        made unique).
    path : path-like
        The XLSX file (missing parent folders are created; an existing file is overwritten).
    provenance : list of (str, str), optional
        ``(setting, value)`` rows added to the ``README`` sheet.
    min_cell_size : int, default 5
        The disclosure threshold stated in the ``README`` sheet (the tables are written as
        given: suppress them first, e.g. with :func:`deliberval.privacy.suppress_small_cells`).
    lang : {"en", "fr", "nl", "de", "da"}, default "en"
        The workbook's language. In English the sheets are named by the tables' keys and the
        columns keep their names (a layout scripts can rely on); in the other languages sheet
        names, column headers, codes (status, verdict, unit, suppression, ...) and the
        ``README`` sheet are written in that language, and each column of ids keeps the codes
        under a header that says so.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import pandas as pd
    >>> from deliberval import load_example
    >>> from deliberval.privacy import suppress_small_cells
    >>> from deliberval.report import Table
    >>> members = load_example("gentofte_ptc").members
    >>> counts = members.groupby("role").size().rename("n").reset_index()
    >>> tab = Table("members_by_role", "Members by role", suppress_small_cells(counts, "n", threshold=20))
    >>> out = write_xlsx([tab], pathlib.Path(tempfile.mkdtemp()) / "report.xlsx",
    ...                  provenance=[("process", "gentofte_ptc")], min_cell_size=20)
    >>> sheets = pd.read_excel(out, sheet_name=None)
    >>> list(sheets)
    ['README', 'members_by_role']
    >>> sheets["members_by_role"]
             role     n  suppressed
    0     citizen  90.0       False
    1  politician   NaN        True
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    local = lang != "en"
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        if local:
            readme: list[tuple[str, ...]] = [
                (t(lang, "setting_disclosure_control"), t(lang, "xlsx_disclosure", k=min_cell_size),
                 "disclosure_control"),
                (t(lang, "setting_workbook"), t(lang, "xlsx_layout"), "")]
            readme += [(setting_label(key, lang), setting_value(key, str(value), lang), key)
                       for key, value in (provenance or [])]
            pd.DataFrame(readme, columns=[column_header("setting", lang), column_header("value", lang),
                                          column_header("setting_id", lang, is_id=True)]).to_excel(
                xw, sheet_name=_sheet_name(t(lang, "sheet_README"), used), index=False)
        else:
            readme = [("disclosure control",  # English: the machine layout of earlier versions
                       f"counts, shares and means based on fewer than {min_cell_size} respondents, and shares "
                       f"whose complement is below {min_cell_size}, are left empty (column 'suppressed' is TRUE "
                       "on their rows; column 'suppression' says 'primary' for a count below it, 'complement' for a "
                       "share whose complement is below it); values left empty only so that "
                       "a hidden one cannot be derived from published totals say 'secondary' (or "
                       "'secondary:<columns>' when only those cells are withheld)")]
            readme += list(provenance or [])
            pd.DataFrame(readme, columns=["setting", "value"]).to_excel(
                xw, sheet_name=_sheet_name("README", used), index=False)
        for tab in tables:
            df = tab.data.copy()
            for c in df.columns:
                if isinstance(df[c].dtype, pd.StringDtype):
                    df[c] = df[c].astype(object)
                elif pd.api.types.is_float_dtype(df[c].dtype):  # an empty cell, not the text "inf"
                    df[c] = df[c].replace([math.inf, -math.inf], math.nan)
                elif isinstance(df[c].dtype, pd.DatetimeTZDtype):  # Excel has no time zones: UTC, said in the header
                    df[c] = df[c].dt.tz_convert("UTC").dt.tz_localize(None)
                    df = df.rename(columns={c: f"{c} (UTC)"})
            sheet = _sheet_name(sheet_title(tab, lang) if local else tab.key, used)
            formats = tab.formats
            if local:  # codes in words, headers in the language; number formats follow the columns
                shown = _localise_frame(df, lang, tab.ids)
                formats = {column_header(str(c), lang, is_id=c in tab.ids): f for c, f in tab.formats.items()}
                if "unit" in df.columns:
                    shown[_UNIT_KEY] = df["unit"].to_numpy()
                df = shown
            df.to_excel(xw, sheet_name=sheet, index=False, columns=[c for c in df.columns if c != _UNIT_KEY])
            _format_sheet(xw.book[sheet], df, formats, by_unit_columns=[column_header(c, lang) for c in _UNIT_COLUMNS]
                          if local else list(_UNIT_COLUMNS))
        for ws in xw.book.worksheets:
            for col in ws.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in col[:200])
                ws.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), 60)
            ws.freeze_panes = "A2"
    return freeze_xlsx(p)


XLSX_NUMBER_FORMATS = {"int": "#,##0", "pct": "0%", "num1": "0.0", "num2": "0.00", "num3": "0.000",
                       "p": "0.000"}
"""The Excel number format of each report column kind (``text`` columns stay General)."""

_UNIT_COLUMNS = ("estimate", "ci_low", "ci_high", "threshold")
_UNIT_KINDS = {"proportion": "pct", "percentage_points": "num1"}


_UNIT_KEY = "\0unit"
"""A hidden column holding each row's unit code when the ``unit`` column is written in words."""


def _format_sheet(ws: Any, df: pd.DataFrame, formats: dict[str, str],
                  by_unit_columns: list[str] | tuple[str, ...] = ()) -> None:
    """Give every numeric cell of a written table its column's number format and drop float noise.

    The kind comes from ``formats`` (as in the HTML table); a float column without one is ``num2``
    and an integer column ``int``. Stored values keep 15 significant digits, the precision Excel
    itself keeps (``7.000000000000001`` becomes ``7``); a weighted count in an ``int`` column is
    shown with one decimal, as in the HTML table. In a table with a ``unit`` column (the
    indicator table), ``estimate``, ``ci_low``, ``ci_high`` and ``threshold`` without a declared
    format take each row's unit: ``pct`` for a proportion, ``num1`` for percentage points, else
    ``num2``.
    """
    unit_col = _UNIT_KEY if _UNIT_KEY in df.columns else "unit"
    for j, c in enumerate([c for c in df.columns if c != _UNIT_KEY], start=1):
        dtype = df[c].dtype
        if pd.api.types.is_bool_dtype(dtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(dtype):  # a date, or a date and time when one has a time
            times = df[c].dropna()
            date_fmt = "yyyy-mm-dd" if (times == times.dt.normalize()).all() else "yyyy-mm-dd hh:mm"
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j, max_row=len(df) + 1):
                if cell.value is not None:
                    cell.number_format = date_fmt
            continue
        kind = formats.get(str(c))
        if kind is None:
            if pd.api.types.is_float_dtype(dtype):
                kind = "num2"
            elif pd.api.types.is_integer_dtype(dtype):
                kind = "int"
            else:
                kind = "text"
        by_unit = str(c) in (by_unit_columns or _UNIT_COLUMNS) and str(c) not in formats and unit_col in df.columns
        units = df[unit_col].astype(object).tolist() if by_unit else []
        fmt = XLSX_NUMBER_FORMATS.get(kind)
        for i, (cell,) in enumerate(ws.iter_rows(min_row=2, min_col=j, max_col=j, max_row=len(df) + 1)):
            if by_unit:  # the indicator table: a proportion row is a percentage, as on its card
                kind = _UNIT_KINDS.get(str(units[i]), "num2")
                fmt = XLSX_NUMBER_FORMATS[kind]
            v = cell.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                continue
            if isinstance(v, float):
                if not math.isfinite(v):
                    cell.value = None
                    continue
                v = float(f"{v:.15g}") + 0.0  # Excel's precision: 15 significant digits
                cell.value = int(v) if kind == "int" and v == int(v) else v
            if fmt is None:
                continue
            cell.number_format = "#,##0.0" if kind == "int" and cell.value != round(cell.value) else fmt
