"""The machine-readable instrument library: models, loading, checking and exports."""

from deliberval.instruments.export import table_schema, to_codebook, to_frictionless, to_xlsform
from deliberval.instruments.library import (
    check_path,
    list_instruments,
    load_instrument,
    load_questionnaire,
)
from deliberval.instruments.model import (
    Instrument,
    Item,
    Questionnaire,
    ResponseScale,
    Scale,
    json_schemas,
)

__all__ = [
    "Instrument",
    "Item",
    "Questionnaire",
    "ResponseScale",
    "Scale",
    "check_path",
    "json_schemas",
    "list_instruments",
    "load_instrument",
    "load_questionnaire",
    "table_schema",
    "to_codebook",
    "to_frictionless",
    "to_xlsform",
]
