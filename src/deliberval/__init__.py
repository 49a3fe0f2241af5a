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
from deliberval.analysis.fairness import selection_fairness
from deliberval.analysis.representativeness import (
    TargetsWarning,
    funnel,
    margins_of_error,
    r_indicator,
    representativeness,
)
from deliberval.analysis.survey_estimation import survey_mean
from deliberval.analysis.weighting import (
    RakingConvergenceWarning,
    design_effect,
    effective_n,
    rake,
    trim_weights,
)
from deliberval.errors import AnalysisInputError, DataInputError, DelibervalError, InstrumentError

__all__ = [
    "AnalysisInputError",
    "DataInputError",
    "DelibervalError",
    "InstrumentError",
    "RakingConvergenceWarning",
    "TargetsWarning",
    "__version__",
    "design_effect",
    "effective_n",
    "funnel",
    "instruments",
    "margins_of_error",
    "r_indicator",
    "rake",
    "representativeness",
    "selection_fairness",
    "survey_mean",
    "trim_weights",
]
