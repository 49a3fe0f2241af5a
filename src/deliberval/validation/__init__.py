"""Validation of canonical tables: valid rows, quarantined rows, tidy failures, summary."""

from deliberval.validation.core import (
    FAILURE_COLUMNS,
    SUMMARY_COLUMNS,
    ValidationResult,
    validate,
    validate_dri,
)

__all__ = ["FAILURE_COLUMNS", "SUMMARY_COLUMNS", "ValidationResult", "validate", "validate_dri"]
