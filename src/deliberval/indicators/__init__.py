"""Indicator catalogue (versioned YAML) and :func:`indicators`, the standard indicators of a process."""

from deliberval.indicators.catalogue import Catalogue, IndicatorSpec, load_catalogue
from deliberval.indicators.compute import (
    INDICATOR_COLUMNS,
    IndicatorRun,
    evaluate_process,
    indicators,
)

__all__ = [
    "INDICATOR_COLUMNS",
    "Catalogue",
    "IndicatorRun",
    "IndicatorSpec",
    "evaluate_process",
    "indicators",
    "load_catalogue",
]
