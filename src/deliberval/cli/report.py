"""``deliberval report`` and ``deliberval compare``: the standard indicator report of processes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from deliberval.cli._common import console, err_console, output_file, user_errors
from deliberval.cli._privacy import (
    KeepOption,
    KeyFileOption,
    Protection,
    PseudonymiseOption,
    protect_process,
)

if TYPE_CHECKING:
    import pandas as pd

    from deliberval.io.config import ProcessConfig
    from deliberval.validation.process import ProcessData

__all__ = ["load_process_data", "register"]


def register(app: typer.Typer) -> None:
    """Attach the ``report`` and ``compare`` commands to the main app."""
    app.command("report")(report)
    app.command("compare")(compare)


def load_process_data(config: ProcessConfig) -> ProcessData:
    """The validated inputs a configuration names: its files, or a built-in SYNTHETIC example.

    Built-in examples are resolved here, at the command line, so that nothing in the data-in
    path (:func:`deliberval.validation.load_process`) knows about them.
    """
    if config.example is None:
        from deliberval.validation.process import load_process

        return load_process(config)
    from deliberval.datasets import list_examples, load_example
    from deliberval.errors import DataInputError
    from deliberval.instruments import load_instrument

    names = list(list_examples()["name"])
    if config.example not in names:
        raise DataInputError(f"unknown example {config.example!r}; choose one of {', '.join(names)}")
    instrument = load_instrument(config.instrument, config.surveys_dirs or None)
    ex = load_example(config.example, seed=config.seed, registers=True)
    return ex.process_data(instrument)


def _check_lang(lang: str | None) -> None:
    from deliberval.report.i18n import LANGUAGES

    if lang is not None and lang not in LANGUAGES:
        err_console.print(f"[bold red]error:[/] --lang must be one of {', '.join(LANGUAGES)}, got {lang!r}",
                          highlight=False,
                          soft_wrap=True)
        raise typer.Exit(2)


def report(
    config: Annotated[Path, typer.Argument(help="Report configuration (YAML).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path("report.html"),
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Also print the report to this PDF (needs the pdf extra: WeasyPrint).")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Also write every table to this XLSX workbook.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Report language: en, fr, nl, de or da (default: the config's).")] = None,
    pseudonymise: PseudonymiseOption = False,
    key_file: KeyFileOption = None,
    keep_identifiers: KeepOption = False,
) -> None:
    """Write the standard indicator report of one process (self-contained HTML; PDF and XLSX optional).

    Input tables holding columns that look like direct identifiers (names, e-mail, phone,
    address, IP address, geolocation ...) are refused (exit 2) unless --pseudonymise --key-file
    FILE (the columns are left out and respondent / person ids replaced by keyed pseudonyms
    before anything is analysed) or --keep-identifiers.
    """
    _check_lang(lang)
    with user_errors():
        from deliberval.indicators import EvaluationSettings, evaluate_process
        from deliberval.io.config import load_config
        from deliberval.report import (
            ReportSettings,
            build_report,
            pdf_available,
            render_html,
            write_pdf,
            write_xlsx,
        )

        output_file(output, example="report.html")  # a folder is an error; missing folders are created
        for extra, name in ((pdf, "report.pdf"), (xlsx, "report.xlsx")):
            if extra is not None:
                output_file(extra, example=name)
        cfg = load_config(config)
        if pdf is not None and not pdf_available():
            err_console.print(
                "[bold red]error:[/] --pdf needs WeasyPrint, which is not installed: install the "
                "'pdf' extra (pip install weasyprint) or leave out --pdf", highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        data = protect_process(load_process_data(cfg), cfg, Protection(pseudonymise, key_file, keep_identifiers))
        evaluation = evaluate_process(data, EvaluationSettings.from_config(cfg))
        rep = build_report(evaluation, ReportSettings.from_config(cfg, language=lang))
        html = render_html(rep)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(html, encoding="utf-8")
        written = [output]
        if xlsx is not None:
            written.append(write_xlsx(rep.tables(), xlsx, provenance=rep.provenance,
                                      min_cell_size=rep.min_cell_size, lang=rep.lang))
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
    lang: Annotated[str, typer.Option("--lang", help="Report language: en, fr, nl, de or da.")] = "en",
    published: Annotated[Path | None, typer.Option(
        "--published", help="Published results of other processes with their citations (CSV or any table: "
                            "process, outcome, estimate, se, citation; n, url, doi, year optional); they join "
                            "the meta-analysis of the processes' mean changes.")] = None,
    pseudonymise: PseudonymiseOption = False,
    key_file: KeyFileOption = None,
    keep_identifiers: KeepOption = False,
) -> None:
    """Compare the indicators of several processes side by side (with the cross-process model from 5 processes).

    With --published FILE one process is enough: the published results (each with its citation)
    join the meta-analysis. A bad row of that file is left out with one warning line naming its
    file line; a file without any valid row is an error (exit 2).

    Identifier columns in any process's tables are refused as by ``deliberval report`` unless
    --pseudonymise --key-file FILE or --keep-identifiers.
    """
    _check_lang(lang)
    with user_errors():
        from dataclasses import replace

        from deliberval.errors import DataInputError
        from deliberval.indicators import EvaluationSettings, evaluate_process
        from deliberval.indicators.compare import compare_evaluations
        from deliberval.io.config import load_config
        from deliberval.report import write_xlsx
        from deliberval.report.compare import build_comparison, render_comparison

        output_file(output, example="comparison.html")
        if xlsx is not None:
            output_file(xlsx, example="comparison.xlsx")
        cfgs = [load_config(c) for c in configs]
        pub = None if published is None else _published_results(published)
        if len(cfgs) < (1 if pub is not None else 2):
            raise DataInputError(f"a comparison needs at least two process configurations (or one and "
                                 f"--published results), got {len(cfgs)}")
        ids = [c.process_id for c in cfgs]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise DataInputError(f"process id(s) given more than once: {', '.join(dup)}")
        # the strictest disclosure threshold of the configurations applies to every process
        k = max(c.min_cell_size for c in cfgs)
        protection = Protection(pseudonymise, key_file, keep_identifiers)
        evaluations = [evaluate_process(protect_process(load_process_data(c), c, protection, command="compare"),
                                        replace(EvaluationSettings.from_config(c), min_cell_size=k, language=lang))
                       for c in cfgs]
        rep = build_comparison(compare_evaluations(evaluations, published=pub), lang=lang)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_comparison(rep), encoding="utf-8")
        written = [output]
        if xlsx is not None:
            written.append(write_xlsx(rep.tables(), xlsx, provenance=rep.provenance,
                                      min_cell_size=rep.min_cell_size, lang=rep.lang))
    extra = "" if pub is None else f", {len(pub)} published result(s)"
    console.print(f"[green]wrote[/] {', '.join(map(str, written))} ({len(cfgs)} process{'' if len(cfgs) == 1 else 'es'}{extra})", highlight=False,
                  soft_wrap=True)


def _published_results(path: Path) -> pd.DataFrame:
    """The valid rows of a published results file; each bad row is one warning line (its file line
    and every problem), a file with no valid row a :class:`DataInputError` (exit 2)."""
    from rich.markup import escape

    from deliberval.errors import DataInputError
    from deliberval.io.published import read_published
    from deliberval.validation.published import validate_published

    if path.is_dir():
        raise DataInputError(f"--published {path}: a folder; expected a table of published results (CSV)")
    if not path.exists():
        raise DataInputError(f"--published {path}: file not found")
    checked = validate_published(read_published(path), source=path.name)
    for message in checked.failures["message"]:
        err_console.print(f"[bold yellow]warning:[/] {escape(path.name)}: {escape(str(message))} (row left out)",
                          highlight=False, soft_wrap=True)
    if checked.valid.empty:
        bad = len(checked.failures)
        raise DataInputError(f"--published {path}: no valid row of published results"
                             + (f" ({bad} bad row(s), each named above)" if bad else " (the table is empty)"))
    return checked.valid
