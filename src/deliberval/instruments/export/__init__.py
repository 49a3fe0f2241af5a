"""Exports of instruments: XLSForm (ODK / KoboToolbox), codebook (Markdown / HTML), Frictionless."""

from deliberval.instruments.export.codebook import to_codebook
from deliberval.instruments.export.frictionless import table_schema, to_frictionless
from deliberval.instruments.export.xlsform import to_xlsform

__all__ = ["table_schema", "to_codebook", "to_frictionless", "to_xlsform"]
