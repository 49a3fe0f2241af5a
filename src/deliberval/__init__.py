"""deliberval: evaluate democratic innovations.

Data flow, one floor per stage (see ARCHITECTURE.md)::

    canonical -> instruments -> schemas -> io -> validation -> scoring -> indicators -> report -> cli
                                   analysis: a pure library the indicators call

The names below are the public Python API; see the README for a tour. They are resolved on
first use (PEP 562): ``import deliberval`` loads no pandas, scipy, statsmodels, matplotlib,
openpyxl or jinja2, and ``deliberval.rake`` imports only the module that defines ``rake``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module that defines (or re-exports) it. A name whose module is
# "deliberval.<name>" is that subpackage itself (``deliberval.instruments``).
# A public name must not equal the name of a subpackage or module of deliberval unless it is
# that module: importing the subpackage binds its name on the package and hides the function
# (today: the function ``indicators`` vs the subpackage ``deliberval.indicators``).
_LAZY: dict[str, str] = {
    "__version__": "deliberval._version",
    # errors and warnings
    "AnalysisInputError": "deliberval.errors",
    "DataInputError": "deliberval.errors",
    "DelibervalError": "deliberval.errors",
    "DelibervalWarning": "deliberval.errors",
    "InstrumentError": "deliberval.errors",
    # instruments, data in, validation, scoring, privacy
    "instruments": "deliberval.instruments",
    "ProcessConfig": "deliberval.io.config",
    "load_config": "deliberval.io.config",
    "load_mapping": "deliberval.io",
    "read_responses": "deliberval.io",
    "suggest_mapping": "deliberval.io",
    "write_responses": "deliberval.io",
    "ValidationResult": "deliberval.validation",
    "validate": "deliberval.validation",
    "validate_dri": "deliberval.validation",
    "validate_members": "deliberval.validation",
    "validate_process": "deliberval.validation",
    "validate_targets": "deliberval.validation",
    "RegisterValidation": "deliberval.validation.register",
    "validate_register": "deliberval.validation.register",
    "Register": "deliberval.schemas.register",
    "read_register": "deliberval.io.register",
    "ProcessData": "deliberval.validation.process",
    "load_process": "deliberval.validation.process",
    "process_data": "deliberval.validation.process",
    "ScoredResponses": "deliberval.scoring",
    "score": "deliberval.scoring",
    "pseudonymise": "deliberval.privacy",
    "suppress_small_cells": "deliberval.privacy",
    # analyses
    "AgreementResult": "deliberval.analysis.agreement",
    "agreement": "deliberval.analysis.agreement",
    "CFAResult": "deliberval.analysis.cfa",
    "cfa": "deliberval.analysis.cfa",
    "invariance": "deliberval.analysis.cfa",
    "attrition": "deliberval.analysis.attrition",
    "response_weights": "deliberval.analysis.attrition",
    "did": "deliberval.analysis.did",
    "did_wild_bootstrap": "deliberval.analysis.did",
    "event_study": "deliberval.analysis.event_study",
    "group_means": "deliberval.analysis.change",
    "likert_shares": "deliberval.analysis.change",
    "share_difference": "deliberval.analysis.sides",
    "prepost": "deliberval.analysis.change",
    "Benchmark": "deliberval.analysis.benchmarks",
    "selection_check": "deliberval.analysis.benchmarks",
    "attitudinal_representativeness": "deliberval.analysis.benchmarks",
    "margins_of_error": "deliberval.analysis.benchmarks",
    "ComparisonResult": "deliberval.analysis.comparison",
    "compare_processes": "deliberval.analysis.comparison",
    "DRIWarning": "deliberval.analysis.dri",
    "dri": "deliberval.analysis.dri",
    "dri_change": "deliberval.analysis.dri",
    "dri_individual": "deliberval.analysis.dri",
    "dri_pairs": "deliberval.analysis.dri",
    "dri_permutation_test": "deliberval.analysis.dri",
    "dri_change_permutation_test": "deliberval.analysis.dri",
    "CategoricalChangeResult": "deliberval.analysis.categorical",
    "categorical_change": "deliberval.analysis.categorical",
    "symmetry_tests": "deliberval.analysis.categorical",
    "gwet_ac_table": "deliberval.analysis.agreement",
    "partial_r_indicators": "deliberval.analysis.funnel",
    "selection_probabilities": "deliberval.analysis.fairness",
    "selection_fairness": "deliberval.analysis.fairness",
    # the optional sortition-algorithms engine (GPL, extra 'selection') loads only when run
    "SelectionRun": "deliberval.selection",
    "run_selection": "deliberval.selection",
    "BayesianPoolingResult": "deliberval.analysis.meta",
    "MetaAnalysisResult": "deliberval.analysis.meta",
    "bayesian_pooling": "deliberval.analysis.meta",
    "bayesian_share_pooling": "deliberval.analysis.meta",
    "meta_analysis": "deliberval.analysis.meta",
    "FunnelResult": "deliberval.analysis.funnel",
    "funnel": "deliberval.analysis.funnel",
    "r_indicator": "deliberval.analysis.funnel",
    "item_statistics": "deliberval.analysis.psychometrics",
    "omega": "deliberval.analysis.psychometrics",
    "polychoric": "deliberval.analysis.psychometrics",
    "reliability": "deliberval.analysis.psychometrics",
    "RepresentativenessResult": "deliberval.analysis.representativeness",
    "TargetsWarning": "deliberval.analysis.representativeness",
    "representativeness": "deliberval.analysis.representativeness",
    "ReplicateDesign": "deliberval.analysis.survey",
    "ReplicateWeights": "deliberval.analysis.survey",
    "replicate_weights": "deliberval.analysis.survey",
    "survey_mean": "deliberval.analysis.survey",
    "survey_quantile": "deliberval.analysis.survey",
    "survey_ratio": "deliberval.analysis.survey",
    "survey_total": "deliberval.analysis.survey",
    "UptakeResult": "deliberval.analysis.uptake",
    "kaplan_meier": "deliberval.analysis.uptake",
    "uptake": "deliberval.analysis.uptake",
    "say_do_gap": "deliberval.analysis.uptake",
    "uptake_snapshots": "deliberval.analysis.uptake",
    "register_agreement": "deliberval.analysis.register_agreement",
    "FateModelResult": "deliberval.analysis.fate",
    "cumulative_incidence": "deliberval.analysis.fate",
    "fate_data": "deliberval.analysis.fate",
    "fate_model": "deliberval.analysis.fate",
    "read_decidim_results": "deliberval.io.decidim",
    "rank_passages": "deliberval.analysis.evidence",
    "retrieval_scores": "deliberval.analysis.evidence",
    "read_documents": "deliberval.io.documents",
    "RakeResult": "deliberval.analysis.weighting",
    "RakingConvergenceWarning": "deliberval.analysis.weighting",
    "design_effect": "deliberval.analysis.weighting",
    "effective_n": "deliberval.analysis.weighting",
    "rake": "deliberval.analysis.weighting",
    "trim_weights": "deliberval.analysis.weighting",
    "PropensityResult": "deliberval.analysis.propensity",
    "propensity_weights": "deliberval.analysis.propensity",
    # one process end to end
    "EvaluationSettings": "deliberval.indicators",
    "ProcessEvaluation": "deliberval.indicators",
    "evaluate_process": "deliberval.indicators",
    "indicator_table": "deliberval.indicators",
    "load_catalogue": "deliberval.indicators",
    "criteria_coverage": "deliberval.indicators.criteria",
    "load_criteria": "deliberval.indicators.criteria",
    "scale_diagnostics": "deliberval.indicators.scales",
    # synthetic examples
    "Example": "deliberval.datasets",
    "list_examples": "deliberval.datasets",
    "load_example": "deliberval.datasets",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    """Import the module of a public name on first use and cache the name in this module."""
    try:
        module_path = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    module = importlib.import_module(module_path)
    value = module if module_path == f"deliberval.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names (resolved or not) and whatever this module already holds."""
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # real imports for type checkers and IDEs; never run
    import deliberval.instruments as instruments
    from deliberval._version import __version__
    from deliberval.analysis.agreement import AgreementResult, agreement, gwet_ac_table
    from deliberval.analysis.attrition import attrition, response_weights
    from deliberval.analysis.benchmarks import (
        Benchmark,
        attitudinal_representativeness,
        margins_of_error,
        selection_check,
    )
    from deliberval.analysis.categorical import (
        CategoricalChangeResult,
        categorical_change,
        symmetry_tests,
    )
    from deliberval.analysis.cfa import CFAResult, cfa, invariance
    from deliberval.analysis.change import group_means, likert_shares, prepost
    from deliberval.analysis.comparison import ComparisonResult, compare_processes
    from deliberval.analysis.did import did, did_wild_bootstrap
    from deliberval.analysis.dri import (
        DRIWarning,
        dri,
        dri_change,
        dri_change_permutation_test,
        dri_individual,
        dri_pairs,
        dri_permutation_test,
    )
    from deliberval.analysis.event_study import event_study
    from deliberval.analysis.evidence import rank_passages, retrieval_scores
    from deliberval.analysis.fairness import selection_fairness, selection_probabilities
    from deliberval.analysis.fate import (
        FateModelResult,
        cumulative_incidence,
        fate_data,
        fate_model,
    )
    from deliberval.analysis.funnel import FunnelResult, funnel, partial_r_indicators, r_indicator
    from deliberval.analysis.meta import (
        BayesianPoolingResult,
        MetaAnalysisResult,
        bayesian_pooling,
        bayesian_share_pooling,
        meta_analysis,
    )
    from deliberval.analysis.propensity import PropensityResult, propensity_weights
    from deliberval.analysis.psychometrics import item_statistics, omega, polychoric, reliability
    from deliberval.analysis.register_agreement import register_agreement
    from deliberval.analysis.representativeness import (
        RepresentativenessResult,
        TargetsWarning,
        representativeness,
    )
    from deliberval.analysis.sides import share_difference
    from deliberval.analysis.survey import (
        ReplicateDesign,
        ReplicateWeights,
        replicate_weights,
        survey_mean,
        survey_quantile,
        survey_ratio,
        survey_total,
    )
    from deliberval.analysis.uptake import (
        UptakeResult,
        kaplan_meier,
        say_do_gap,
        uptake,
        uptake_snapshots,
    )
    from deliberval.analysis.weighting import (
        RakeResult,
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
    from deliberval.indicators import (
        EvaluationSettings,
        ProcessEvaluation,
        evaluate_process,
        indicator_table,
        load_catalogue,
    )
    from deliberval.indicators.criteria import criteria_coverage, load_criteria
    from deliberval.indicators.scales import scale_diagnostics
    from deliberval.io import load_mapping, read_responses, suggest_mapping, write_responses
    from deliberval.io.config import ProcessConfig, load_config
    from deliberval.io.decidim import read_decidim_results
    from deliberval.io.documents import read_documents
    from deliberval.io.register import read_register
    from deliberval.privacy import pseudonymise, suppress_small_cells
    from deliberval.schemas.register import Register
    from deliberval.scoring import ScoredResponses, score
    from deliberval.selection import SelectionRun, run_selection
    from deliberval.validation import (
        ValidationResult,
        validate,
        validate_dri,
        validate_members,
        validate_process,
        validate_targets,
    )
    from deliberval.validation.process import ProcessData, load_process, process_data
    from deliberval.validation.register import RegisterValidation, validate_register
