"""deliberval: evaluate democratic innovations.

Data flow, one module per stage::

    instruments -> schemas -> io / validation -> scoring -> analysis -> indicators -> report

The names below are the public Python API; see the README for a tour.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("deliberval")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from deliberval import instruments
from deliberval.analysis.agreement import AgreementResult, agreement
from deliberval.analysis.cfa import CFAResult, cfa, invariance
from deliberval.analysis.change import (
    attrition,
    did,
    group_means,
    likert_shares,
    prepost,
    response_weights,
    selection_check,
)
from deliberval.analysis.comparison import ProcessComparison, compare_processes
from deliberval.analysis.dri import (
    DRIWarning,
    dri,
    dri_change,
    dri_individual,
    dri_pairs,
    dri_permutation_test,
)
from deliberval.analysis.fairness import selection_fairness
from deliberval.analysis.psychometrics import (
    item_statistics,
    omega,
    polychoric,
    psychometrics_report,
    reliability,
)
from deliberval.analysis.representativeness import (
    TargetsWarning,
    attitudinal_representativeness,
    funnel,
    margins_of_error,
    r_indicator,
    representativeness,
)
from deliberval.analysis.survey_estimation import survey_mean
from deliberval.analysis.uptake import UptakeResult, uptake
from deliberval.analysis.weighting import (
    RakingConvergenceWarning,
    design_effect,
    effective_n,
    rake,
    trim_weights,
)
from deliberval.datasets import Example, list_examples, load_example
from deliberval.errors import (
    AnalysisInputError,
    DataInputError,
    DelibervalError,
    DelibervalWarning,
    InstrumentError,
)
from deliberval.indicators import load_catalogue
from deliberval.indicators.compute import indicators
from deliberval.io import load_mapping, read_responses, suggest_mapping, write_responses
from deliberval.privacy import pseudonymise, suppress_small_cells
from deliberval.scoring import ScoringResult, score
from deliberval.validation import ValidationResult, validate, validate_dri

__all__ = [
    "AgreementResult",
    "AnalysisInputError",
    "CFAResult",
    "DRIWarning",
    "DataInputError",
    "DelibervalError",
    "DelibervalWarning",
    "Example",
    "InstrumentError",
    "ProcessComparison",
    "RakingConvergenceWarning",
    "ScoringResult",
    "TargetsWarning",
    "UptakeResult",
    "ValidationResult",
    "__version__",
    "agreement",
    "attitudinal_representativeness",
    "attrition",
    "cfa",
    "compare_processes",
    "design_effect",
    "did",
    "dri",
    "dri_change",
    "dri_individual",
    "dri_pairs",
    "dri_permutation_test",
    "effective_n",
    "funnel",
    "group_means",
    "indicators",
    "instruments",
    "invariance",
    "item_statistics",
    "likert_shares",
    "list_examples",
    "load_catalogue",
    "load_example",
    "load_mapping",
    "margins_of_error",
    "omega",
    "polychoric",
    "prepost",
    "pseudonymise",
    "psychometrics_report",
    "r_indicator",
    "rake",
    "read_responses",
    "reliability",
    "representativeness",
    "response_weights",
    "score",
    "selection_check",
    "selection_fairness",
    "suggest_mapping",
    "suppress_small_cells",
    "survey_mean",
    "trim_weights",
    "uptake",
    "validate",
    "validate_dri",
    "write_responses",
]
