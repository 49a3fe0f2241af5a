"""``deliberval report`` and ``deliberval compare``: the standard indicator report of processes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deliberval.cli._common import console, err_console, user_errors
from deliberval.report import (
    build_report,
    load_config,
    pdf_available,
    render_html,
    write_pdf,
    write_xlsx,
)
from deliberval.report.compare import build_comparison, render_comparison

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Attach the ``report`` and ``compare`` commands to the main app."""
    app.command("report")(report)
    app.command("compare")(compare)


def _check_lang(lang: str | None) -> None:
    if lang is not None and lang not in ("en", "fr"):
        err_console.print(f"[bold red]error:[/] --lang must be en or fr, got {lang!r}", highlight=False,
                          soft_wrap=True)
        raise typer.Exit(2)


def report(
    config: Annotated[Path, typer.Argument(help="Report configuration (YAML).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("report.html"),
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Also print the report to this PDF (needs the pdf extra: WeasyPrint).")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Also write every table to this XLSX workbook.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Report language: en or fr (default: the config's).")] = None,
) -> None:
    """Write the standard indicator report of one process (self-contained HTML; PDF and XLSX optional)."""
    _check_lang(lang)
    with user_errors():
        cfg = load_config(config)
        if pdf is not None and not pdf_available():
            err_console.print(
                "[bold red]error:[/] --pdf needs WeasyPrint, which is not installed: install the "
                "'pdf' extra (pip install weasyprint) or leave out --pdf", highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        rep = build_report(cfg, lang=lang)
        html = render_html(rep)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(html, encoding="utf-8")
        written = [output]
        if xlsx is not None:
            written.append(write_xlsx(rep.tables(), xlsx, provenance=rep.provenance,
                                      min_cell_size=cfg.min_cell_size))
        if pdf is not None:
            written.append(write_pdf(html, pdf))
    ind = rep.indicators
    counts = ", ".join(f"{int((ind['status'] == s).sum())} {s.replace('_', ' ')}"
                       for s in ("measured", "not_measured", "suppressed"))
    console.print(f"[green]wrote[/] {', '.join(map(str, written))} ({len(ind)} indicators: {counts})",
                  highlight=False, soft_wrap=True)


def compare(
    configs: Annotated[list[Path], typer.Argument(help="Report configurations of two or more processes.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("comparison.html"),
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Also write the tables to this XLSX workbook.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: en or fr.")] = "en",
) -> None:
    """Compare the indicators of several processes side by side (with the cross-process model from 5 processes)."""
    _check_lang(lang)
    with user_errors():
        cfgs = [load_config(c) for c in configs]
        rep = build_comparison(cfgs, lang=lang)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_comparison(rep), encoding="utf-8")
        written = [output]
        if xlsx is not None:
            written.append(write_xlsx(rep.tables(), xlsx, provenance=rep.provenance,
                                      min_cell_size=rep.min_cell_size))
    console.print(f"[green]wrote[/] {', '.join(map(str, written))} ({len(cfgs)} processes)", highlight=False, soft_wrap=True)
