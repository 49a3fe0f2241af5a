"""Former home of validation, split into result, responses, tables and dri; kept as an alias."""

from deliberval.validation.dri import validate_dri
from deliberval.validation.responses import validate
from deliberval.validation.result import FAILURE_COLUMNS, SUMMARY_COLUMNS, ValidationResult

__all__ = ["FAILURE_COLUMNS", "SUMMARY_COLUMNS", "ValidationResult", "validate", "validate_dri"]
