"""The standard indicator report: configuration, builders and HTML / PDF / XLSX writers.

Typical use::

    from deliberval.report import load_config, build_report, write_html
    rep = build_report(load_config("examples/climate_assembly.yaml"))
    write_html(rep, "report.html")
"""

from deliberval.report.build import (
    Figure,
    ProcessInputs,
    ProcessReport,
    Section,
    Table,
    build_report,
    load_inputs,
)
from deliberval.report.config import DataFiles, ReportConfig, load_config
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
    "DataFiles",
    "Figure",
    "PdfUnavailableError",
    "ProcessInputs",
    "ProcessReport",
    "ReportConfig",
    "Section",
    "Table",
    "build_report",
    "format_value",
    "load_config",
    "load_inputs",
    "pdf_available",
    "render_html",
    "write_html",
    "write_pdf",
    "write_xlsx",
]
