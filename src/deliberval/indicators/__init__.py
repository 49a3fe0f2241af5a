"""One process end to end: the indicator catalogue, :func:`evaluate_process` and :func:`indicator_table`."""

from deliberval.indicators.catalogue import (
    Catalogue,
    IndicatorSpec,
    OutcomeSpec,
    load_catalogue,
    resolve_measure,
)
from deliberval.indicators.evaluate import (
    INDICATOR_COLUMNS,
    EvaluationSettings,
    ExtraOutcome,
    ProcessEvaluation,
    Threshold,
    evaluate_process,
    indicator_table,
)

__all__ = [
    "INDICATOR_COLUMNS",
    "Catalogue",
    "EvaluationSettings",
    "ExtraOutcome",
    "IndicatorSpec",
    "OutcomeSpec",
    "ProcessEvaluation",
    "Threshold",
    "evaluate_process",
    "indicator_table",
    "load_catalogue",
    "resolve_measure",
]
