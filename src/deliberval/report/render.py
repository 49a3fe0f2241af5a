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
from deliberval.report.i18n import CODES, COLUMNS, t, translate_reason
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

    Examples
    --------
    >>> format_value(0.4567, "pct"), format_value(0.4567, "pct", "fr")
    ('46%', '46 %')
    >>> format_value(3.14159, "num2", "fr"), format_value(0.0001, "p"), format_value(None, "num2")
    ('3,14', '<0.001', '—')
    >>> format_value(12345, "int"), format_value(6.5, "int", "fr")
    ('12,345', '6,5')
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
            s = f"{x:.1f}"
            return s.replace(".", ",") if lang == "fr" else s
        s = f"{round(x):,d}".replace(",", "\u202f" if lang == "fr" else ",")
    elif kind == "pct":
        s = f"{100 * x:.0f}" + ("\u202f%" if lang == "fr" else "%")
        return s.replace("\u202f", " ")
    elif kind == "p":
        s = "<0.001" if x < 0.001 else f"{x:.3f}"
    elif kind in ("num1", "num2", "num3"):
        s = f"{x:.{kind[-1]}f}"
    else:
        s = f"{x:.3g}"
    return s.replace(".", ",") if lang == "fr" else s


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
        return format_value(est, "num1", lang) + (" pts" if lang == "fr" else " pp")
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
                card["ci"] = (f"{r['confidence_level']:.0%} {t(lang, 'ci')} "
                              f"{format_value(lo, kind, lang)} – {format_value(hi, kind, lang)}")
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
                card["badge_css"] = card["css"] = str(r["verdict"])
            cards.append(card)
        stages.append({"title": cat.stage_label(stage, lang), "cards": cards})
    return stages


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
    counts = [(st, t(lang, st), int((ind["status"] == st).sum()))
              for st in ("measured", "not_measured", "suppressed")]
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
    inputs = _plain([heads["file"], "key", heads["rows"], heads["sha256"]],
                    [[str(r["file"]), str(r["key"]),
                      SECONDARY_MARK if r.get("suppression", "") else format_value(r["rows"], "int", lang),
                      str(r["sha256"])]
                     for _, r in rep.inputs.iterrows()])
    stamp = timestamp or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    html = _env().get_template("report.html.j2").render(
        lang=lang, s={key: t(lang, key) for key in ("report_title", "synthetic_banner", "toc", "summary",
                                                     "not_assessed", "not_assessed_intro",
                                                     "nothing_not_assessed", "methods", "settings",
                                                     "inputs", "generated", "legend", "legend_meets",
                                                     "legend_misses", "legend_inconclusive", "legend_none")},
        css=css(), title=rep.title, facts=rep.facts, synthetic=rep.synthetic, warnings=rep.warnings,
        summary_intro=t(lang, "summary_intro", version=cat.version), counts=counts, stages=_cards(rep),
        disclosure=t(lang, "disclosure_note", k=k), sections=sections, not_assessed=not_assessed,
        methods_text=t(lang, "methods_text", level=f"{rep.confidence_level:.0%}"),
        provenance=rep.provenance, inputs=inputs, catalogue_reference=cat.reference, timestamp=stamp,
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
    name = key[:31]
    i = 2
    while name in used:
        name = f"{key[:28]}_{i}"
        i += 1
    used.add(name)
    return name


def write_xlsx(tables: list[Table], path: str | os.PathLike[str], *, provenance: list[tuple[str, str]] | None = None,
               min_cell_size: int = 5) -> Path:
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
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        readme = [("disclosure control",
                   f"counts, shares and means based on fewer than {min_cell_size} respondents, and shares "
                   f"whose complement is below {min_cell_size}, are left empty (column 'suppressed' is TRUE "
                   "on their rows; column 'suppression' says 'primary' for a count below it, 'complement' for a share "
                   "whose complement is below it); values left empty only so that "
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
            sheet = _sheet_name(tab.key, used)
            df.to_excel(xw, sheet_name=sheet, index=False)
            _format_sheet(xw.book[sheet], df, tab.formats)
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


def _format_sheet(ws: Any, df: pd.DataFrame, formats: dict[str, str]) -> None:
    """Give every numeric cell of a written table its column's number format and drop float noise.

    The kind comes from ``formats`` (as in the HTML table); a float column without one is ``num2``
    and an integer column ``int``. Stored values keep 15 significant digits, the precision Excel
    itself keeps (``7.000000000000001`` becomes ``7``); a weighted count in an ``int`` column is
    shown with one decimal, as in the HTML table. In a table with a ``unit`` column (the
    indicator table), ``estimate``, ``ci_low``, ``ci_high`` and ``threshold`` without a declared
    format take each row's unit: ``pct`` for a proportion, ``num1`` for percentage points, else
    ``num2``.
    """
    for j, c in enumerate(df.columns, start=1):
        dtype = df[c].dtype
        if pd.api.types.is_bool_dtype(dtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(dtype):  # a date, or a date and time when one has a time
            times = df[c].dropna()
            fmt = "yyyy-mm-dd" if (times == times.dt.normalize()).all() else "yyyy-mm-dd hh:mm"
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j, max_row=len(df) + 1):
                if cell.value is not None:
                    cell.number_format = fmt
            continue
        kind = formats.get(str(c))
        if kind is None:
            if pd.api.types.is_float_dtype(dtype):
                kind = "num2"
            elif pd.api.types.is_integer_dtype(dtype):
                kind = "int"
            else:
                kind = "text"
        by_unit = str(c) in _UNIT_COLUMNS and str(c) not in formats and "unit" in df.columns
        units = df["unit"].astype(object).tolist() if by_unit else []
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
