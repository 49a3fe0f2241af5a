"""The standard indicator report: presents a :class:`~deliberval.indicators.ProcessEvaluation`.

Typical use::

    from deliberval.io import load_config
    from deliberval.validation.process import load_process
    from deliberval.indicators import EvaluationSettings, evaluate_process
    from deliberval.report import ReportSettings, build_report, write_html

    cfg = load_config("process.yaml")
    evaluation = evaluate_process(load_process(cfg), EvaluationSettings.from_config(cfg))
    write_html(build_report(evaluation, ReportSettings.from_config(cfg)), "report.html")
"""

from deliberval.report.build import (
    Figure,
    ProcessReport,
    ReportSettings,
    Section,
    Table,
    build_report,
)
from deliberval.report.render import (
    PdfUnavailableError,
    format_value,
    pdf_available,
    render_html,
    write_html,
    write_pdf,
    write_xlsx,
)

__all__ = [
    "Figure",
    "PdfUnavailableError",
    "ProcessReport",
    "ReportSettings",
    "Section",
    "Table",
    "build_report",
    "format_value",
    "pdf_available",
    "render_html",
    "write_html",
    "write_pdf",
    "write_xlsx",
]
