"""Validation of canonical tables: valid rows, quarantined rows, tidy failures, summary."""

from deliberval.validation.dri import validate_dri
from deliberval.validation.process import ProcessData, load_process, process_data
from deliberval.validation.register import RegisterValidation, validate_register
from deliberval.validation.responses import validate
from deliberval.validation.result import FAILURE_COLUMNS, SUMMARY_COLUMNS, ValidationResult
from deliberval.validation.tables import validate_members, validate_process, validate_targets

__all__ = [
    "FAILURE_COLUMNS",
    "SUMMARY_COLUMNS",
    "ProcessData",
    "RegisterValidation",
    "ValidationResult",
    "load_process",
    "process_data",
    "validate",
    "validate_dri",
    "validate_members",
    "validate_process",
    "validate_register",
    "validate_targets",
]
