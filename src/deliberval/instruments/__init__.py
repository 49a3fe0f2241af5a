"""The machine-readable instrument library: models, loading, checking and exports."""

from deliberval.instruments.library import (
    check_path,
    list_instruments,
    load_instrument,
    load_questionnaire,
)
from deliberval.instruments.model import Instrument, Item, Questionnaire, ResponseScale, Scale

__all__ = [
    "Instrument",
    "Item",
    "Questionnaire",
    "ResponseScale",
    "Scale",
    "check_path",
    "list_instruments",
    "load_instrument",
    "load_questionnaire",
]
