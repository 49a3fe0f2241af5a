"""Evaluate one process end to end: every analysis exactly once, into a typed :class:`ProcessEvaluation`.

:func:`evaluate_process` takes validated inputs (:class:`~deliberval.validation.ProcessData`),
scores the responses once, runs each analysis of the standard evaluation once (pre/post change,
difference-in-differences, shares agreeing, selection funnel, representativeness, volunteering,
uptake, scale diagnostics) and derives the catalogue's indicators from those same results. The
report (:func:`deliberval.report.build_report`) presents this object and computes nothing.

Which outcomes and items are evaluated comes from the indicator catalogue (outcomes and
experience constructs) matched against the instrument by id or construct
(:func:`deliberval.indicators.catalogue.resolve_measure`), never from names fixed in code.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from deliberval.canonical import FUNNEL_STAGES, ROLES
from deliberval.errors import AnalysisInputError, DataInputError, DelibervalError
from deliberval.indicators.catalogue import (
    Catalogue,
    IndicatorSpec,
    OutcomeSpec,
    load_catalogue,
    resolve_measure,
)
from deliberval.indicators.controls import BALANCE_CATEGORY_COLUMNS, control_comparison
from deliberval.indicators.criteria import COVERAGE_COLUMNS, criteria_coverage, load_criteria
from deliberval.indicators.pooling import UNIT_POOLING_COLUMNS, unit_pooling
from deliberval.indicators.units import UNIT_BREAKDOWN_COLUMNS, unit_breakdown
from deliberval.instruments.model import Instrument
from deliberval.instruments.rules import item_range
from deliberval.validation.process import ProcessData

if TYPE_CHECKING:
    from deliberval.analysis.funnel import FunnelResult
    from deliberval.analysis.propensity import PropensityResult
    from deliberval.analysis.representativeness import RepresentativenessResult
    from deliberval.analysis.uptake import UptakeResult
    from deliberval.indicators.dri_summary import DRIEvaluation
    from deliberval.scoring import ScoredResponses

__all__ = [
    "CONSENSUS_CODER",
    "INDICATOR_COLUMNS",
    "SAY_DO_DAYS",
    "VERDICTS",
    "EvaluationSettings",
    "ExtraOutcome",
    "ProcessEvaluation",
    "Threshold",
    "evaluate_process",
    "indicator_table",
    "probability_verdict",
    "verdict",
]

INDICATOR_COLUMNS = [
    "indicator_id",
    "label",
    "oecd_stage",
    "criterion",
    "theme",
    "estimate",
    "ci_low",
    "ci_high",
    "confidence_level",
    "n",
    "unit",
    "direction",
    "threshold",
    "threshold_source",
    "meets_threshold",
    "verdict",
    "status",
    "status_reason",
    "method",
]
#: Values of the ``verdict`` column (NA without a threshold or an estimate).
VERDICTS = ("meets", "misses", "inconclusive")
#: Values of :attr:`EvaluationSettings.pooling` and :attr:`EvaluationSettings.verdict_rule`.
POOLING = ("none", "bayesian")
VERDICT_RULES = ("interval", "probability")
#: The probability rule: meets when P(true value meets the threshold) >= this, misses when <= 1 - this.
PROBABILITY_CUTOFF = 0.95
#: Columns the indicator table gains when pooling is requested (after ``verdict``).
POOLING_COLUMNS = ["prob_meets_threshold", "verdict_rule", "prior"]

#: Days after acceptance in principle after which a recommendation not implemented counts in the
#: say-do gap of the legislature snapshots, unless the settings say otherwise
#: (:attr:`EvaluationSettings.say_do_window_days`, configuration ``uptake: say_do_window_days``).
SAY_DO_DAYS = 365
#: The ``coder`` of a register's codes agreed after its coders compared theirs: a reference for the
#: uptake figures (``uptake: reference_coder: consensus``), never an independent coding in the agreement.
CONSENSUS_CODER = "consensus"

_UPTAKE_NAMES = {
    "response_any": "any_public_response",
    "response_within_deadline": "answered_within_deadline",
    "rejected_without_reasons": "rejected_without_reasons",
    "uptake_rate": "uptake_rate",
    "implementation_rate": "implementation_rate",
}
_LATER_WAVES = ("post", "follow_up")
#: Columns of :attr:`ProcessEvaluation.weighting`.
WEIGHTING_COLUMNS = ["analysis", "weighted", "weight_column", "note"]


@dataclass(frozen=True)
class ExtraOutcome:
    """A scale or single item of the instrument evaluated as a pre/post outcome beside the catalogue's.

    Attributes
    ----------
    measure : str
        Id of a scale or (non free-text) item of the instrument.
    label : mapping or None
        Label per language code (``{"en": ...}``; English is used where a language is missing).
        Default: the item's text, else the catalogue's label of its construct, else its id.
    roles : tuple of str, optional
        Roles it is asked of (default: citizens). Citizens' outcomes are also compared with a
        control group (DiD) when the responses have one. When ``measure`` is already the measure
        of a catalogue outcome, a given label and roles replace the catalogue's for this evaluation.
    """

    measure: str
    label: Mapping[str, str] | None = None
    roles: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Threshold:
    """A threshold of one indicator set for this evaluation, and where it comes from.

    Attributes
    ----------
    value : float or None
        The threshold (None: the indicator has no threshold in this evaluation).
    source : str
        Its source (a standard, the commissioner's target, the evaluation plan ...), stated in
        the report beside it.
    """

    value: float | None
    source: str


def _check_thresholds(thresholds: Mapping[str, Threshold], catalogue: Catalogue) -> None:
    import difflib

    ids = [spec.id for spec in catalogue.indicators]
    for key, thr in thresholds.items():
        if key not in ids:
            close = difflib.get_close_matches(key, ids, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DataInputError(f"thresholds: catalogue {catalogue.id} {catalogue.version} has no indicator "
                                 f"{key!r}{hint}")
        if not str(thr.source).strip():
            raise DataInputError(f"thresholds: {key}: the threshold needs its source")


@dataclass(frozen=True)
class EvaluationSettings:
    """Settings of one evaluation.

    Attributes
    ----------
    confidence_level : float, default 0.95
    min_cell_size : int, default 5
        Disclosure threshold: indicators resting on fewer respondents are suppressed.
    seed : int or None, default 2021
        Seed of the Monte Carlo exact tests behind representativeness.
    as_of : date, optional
        Evaluation date of the uptake indicators (default: the latest response event).
    deadline_days : int, optional
        Response deadline in days (default: the process table's ``response_deadline_days``).
    catalogue : Catalogue, optional
        Default: the shipped catalogue.
    language : str, default "en"
        Language of the indicator labels.
    extra_outcomes : tuple of ExtraOutcome, default ()
        Scales or items of the instrument evaluated as pre/post outcomes (and, for citizens,
        against a control group) beside the catalogue's outcomes.
    thresholds : mapping, default {}
        Indicator id -> :class:`Threshold` replacing the catalogue's threshold and its source.
    weight : str or None, default "auto"
        Survey weights of the pre/post change: ``"auto"`` uses the responses' ``weight`` column
        when it holds a value; ``None`` or ``"none"`` computes unweighted estimates; any other
        string names the weight column. The other analyses of the evaluation are unweighted
        (:attr:`ProcessEvaluation.weighting` says which is which).
    framework : str, default "oecd_2021"
        The framework the criteria coverage audits against (:attr:`ProcessEvaluation.criteria`):
        a framework of the criteria registry (:func:`deliberval.indicators.criteria.load_criteria`),
        e.g. ``oecd_2021``, ``oecd_gpp_2020``, ``involve_2021``, ``knoca_2024``.
    pooling : {"none", "bayesian"}, default "none"
        ``"bayesian"``: the indicator table gains ``prob_meets_threshold`` (the posterior
        probability that the true value meets the threshold, direction-aware, under the
        reference prior named in its ``prior`` column) and ``verdict_rule``.
    verdict_rule : {"interval", "probability"}, default "interval"
        ``"interval"``: :func:`verdict`; ``"probability"`` (needs ``pooling="bayesian"``):
        :func:`probability_verdict` wherever a probability exists, the interval rule elsewhere
        (the row's ``verdict_rule`` says which decided).
    reference_coder : str, optional
        A register whose events were coded by several coders: the coder (a value of the events'
        ``coder`` column) whose codes give the uptake figures; the agreement between coders uses
        every coder. ``"consensus"`` names the codes the coders agreed on afterwards (coder
        ``consensus``), which the agreement leaves out (it is not an independent coding). Without
        it such a register has no uptake figures (``reasons["uptake"]`` says so).
    say_do_window_days : int, default 365
        Days after acceptance in principle after which a recommendation not implemented counts in
        the say-do gap of the legislature snapshots (:attr:`ProcessEvaluation.uptake_snapshots`).
    unit_labels : mapping, default {}
        Unit id (a value of the ``unit`` column) -> its name per language (``{"en": ...}``), shown
        in the report instead of the id (:func:`deliberval.indicators.units.unit_names`).
    covariates : tuple of str, default ()
        Baseline columns of the responses (or of the members table, by ``person_id``) on which
        the control group is compared with the participants
        (:mod:`deliberval.indicators.controls`): propensity weights, balance diagnostics and the
        covariate-adjusted difference-in-differences. Empty: none of these.
    adjustment : {"propensity", "none"}, default "propensity"
        ``"propensity"``: the adjusted difference-in-differences (and event study) is weighted
        by the propensity weights and adjusts for the covariates; ``"none"``: it adjusts for the
        covariates only.
    trim : float or None, default None
        Propensity scores clipped to ``[trim, 1 - trim]`` before the weights are formed.
    invariance : bool, default False
        Also test the measurement invariance of every scale of 3+ items across languages and
        across pre/post waves (:attr:`ProcessEvaluation.scale_invariance`, a table of the
        report's psychometrics section). Off by default for its cost: about 0.2 s of CPU per
        scale across waves and 0.4-0.6 s across four languages (2-3 s on the CoFoE example).
    """

    confidence_level: float = 0.95
    min_cell_size: int = 5
    seed: int | None = 2021
    as_of: dt.date | None = None
    deadline_days: int | None = None
    catalogue: Catalogue | None = None
    language: str = "en"
    extra_outcomes: tuple[ExtraOutcome, ...] = ()
    thresholds: Mapping[str, Threshold] = field(default_factory=dict)
    weight: str | None = "auto"
    framework: str = "oecd_2021"
    pooling: str = "none"
    verdict_rule: str = "interval"
    reference_coder: str | None = None
    say_do_window_days: int = SAY_DO_DAYS
    unit_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    covariates: tuple[str, ...] = ()
    adjustment: str = "propensity"
    trim: float | None = None
    invariance: bool = False

    def __post_init__(self) -> None:
        from deliberval.indicators.controls import ADJUSTMENTS

        if self.adjustment not in ADJUSTMENTS:
            raise AnalysisInputError(f"adjustment must be one of {', '.join(ADJUSTMENTS)}, got {self.adjustment!r}")
        if self.trim is not None and not 0 <= float(self.trim) < 0.5:
            raise AnalysisInputError(f"trim must lie in [0, 0.5), got {self.trim!r}")
        load_criteria().framework(self.framework)  # an unknown one: one clear DataInputError
        if self.pooling not in POOLING:
            raise AnalysisInputError(f"pooling must be one of {', '.join(POOLING)}, got {self.pooling!r}")
        if self.verdict_rule not in VERDICT_RULES:
            raise AnalysisInputError(f"verdict_rule must be one of {', '.join(VERDICT_RULES)}, "
                                     f"got {self.verdict_rule!r}")
        if self.verdict_rule == "probability" and self.pooling == "none":
            raise AnalysisInputError("verdict_rule 'probability' needs pooling 'bayesian' (the probability "
                                     "of meeting the threshold comes from the Bayesian model)")
        if not 0 < float(self.confidence_level) < 1:
            raise AnalysisInputError(f"confidence_level must lie in (0, 1), got {self.confidence_level}")
        if int(self.min_cell_size) < 1:
            raise AnalysisInputError(f"min_cell_size must be at least 1, got {self.min_cell_size}")
        days = self.say_do_window_days
        if not isinstance(days, int | np.integer) or isinstance(days, bool) or days < 1:
            raise AnalysisInputError(f"say_do_window_days must be a whole number of days >= 1, got {days!r}")
        if self.reference_coder is not None and (not isinstance(self.reference_coder, str)
                                                 or not self.reference_coder.strip()):
            raise AnalysisInputError(f"reference_coder must be a coder's name, got {self.reference_coder!r}")

    @classmethod
    def from_config(cls, config: Any) -> EvaluationSettings:
        """Settings from a :class:`~deliberval.io.config.ProcessConfig`."""
        extra = tuple(
            ExtraOutcome(o.measure, None if o.label is None else
                         ({"en": o.label} if isinstance(o.label, str) else dict(o.label)),
                         None if o.roles is None else tuple(o.roles))
            for o in getattr(config, "outcomes", []))
        thresholds = {k: Threshold(v.value, v.source) for k, v in getattr(config, "thresholds", {}).items()}
        _check_thresholds(thresholds, load_catalogue())
        upt = getattr(config, "uptake", None)
        labels = getattr(getattr(config, "units", None), "labels", None) or {}
        unit_labels = {str(k): ({"en": v} if isinstance(v, str) else dict(v)) for k, v in labels.items()}
        return cls(confidence_level=config.confidence_level, min_cell_size=config.min_cell_size,
                   seed=config.seed, as_of=config.as_of, deadline_days=config.deadline_days,
                   language=config.language, extra_outcomes=extra, thresholds=thresholds,
                   weight=getattr(config, "weight", "auto"), framework=getattr(config, "framework", "oecd_2021"), pooling=getattr(config, "pooling", "none"),
                   verdict_rule=getattr(config, "verdict_rule", "interval"),
                   reference_coder=None if upt is None else upt.reference_coder,
                   say_do_window_days=SAY_DO_DAYS if upt is None else upt.say_do_window_days,
                   unit_labels=unit_labels, invariance=bool(getattr(config, "invariance", False)),
                   **_controls_settings(getattr(config, "controls", None)))


def _controls_settings(controls: Any) -> dict[str, Any]:
    """The ``controls:`` block of a configuration as settings (none: the defaults)."""
    if controls is None:
        return {}
    return {"covariates": tuple(controls.covariates), "adjustment": controls.adjustment, "trim": controls.trim}


@dataclass(frozen=True)
class ProcessEvaluation:
    """Everything computed about one process; the report presents it and computes nothing.

    Attributes
    ----------
    data : ProcessData
        The validated inputs and their provenance (``data.validations()``).
    settings : EvaluationSettings
    catalogue : Catalogue
    scored : ScoredResponses or None
        Scored responses (cleaned items and scale scores, input index kept).
    outcomes : pandas.DataFrame
        The outcomes evaluated: ``outcome`` (catalogue id, or the instrument's id of an extra
        outcome), ``column`` (the instrument's scale or item measuring it, missing when none
        does), ``roles`` (comma-separated), ``control_comparison`` (bool), ``source``
        (``catalogue`` or ``settings``: an extra outcome), ``label`` (in the settings' language).
    change : pandas.DataFrame
        :func:`deliberval.prepost` rows of every outcome, by role, with ``comparison`` (the
        later wave: post or follow_up) and ``outcome`` in front; one prepost call per comparison,
        so ``holm_p_value`` and ``bh_p_value`` adjust across the outcomes within each role.
    did : pandas.DataFrame
        :func:`deliberval.did` rows of every citizens' outcome with ``outcome`` in front.
    did_means : pandas.DataFrame
        :func:`deliberval.group_means` of the first outcome with a DiD estimate (its figure).
    experience : pandas.DataFrame
        Share agreeing per item and role in the post survey: ``item, role, n, count, estimate,
        ci_low, ci_high, confidence_level, mean, method`` (from :func:`deliberval.likert_shares`).
    members_by_role : pandas.DataFrame
        ``role, n`` of the selected members.
    funnel_counts : pandas.DataFrame
        ``funnel_stage, n``: citizens who reached each stage of the selection funnel.
    funnel : FunnelResult or None
    representativeness : RepresentativenessResult or None
    volunteering : pandas.DataFrame or None
        :func:`deliberval.r_indicator` of volunteering among the invited.
    uptake : UptakeResult or None
    scales : pandas.DataFrame or None
        :func:`deliberval.indicators.scale_diagnostics` by wave.
    indicators : pandas.DataFrame
        One row per catalogue indicator (columns :data:`INDICATOR_COLUMNS`).
    reasons : mapping
        Why a part was not computed, keyed by field name (``change``, ``did``, ``experience``,
        ``funnel``, ``representativeness``, ``uptake``, ``scales``), and why one outcome has no
        change (``change:<outcome>``) or DiD (``did:<outcome>``).
    outcome_specs : tuple
        ``(OutcomeSpec, column or None)`` of every outcome evaluated (labels in every language).
    weighting : pandas.DataFrame
        Which estimates are weighted: ``analysis, weighted, weight_column, note``.
    unit_pooling : pandas.DataFrame
        With ``settings.pooling == "bayesian"`` and a ``unit`` column (committees, panels; in the
        responses or the members table): each measured indicator per unit, pooled across the
        units by Bayesian partial pooling and a REML + Knapp-Hartung meta-analysis
        (:func:`deliberval.indicators.pooling.unit_pooling`, columns
        :data:`~deliberval.indicators.pooling.UNIT_POOLING_COLUMNS`); empty otherwise, with
        ``reasons["unit_pooling"]``.
    criteria : pandas.DataFrame
        The criteria coverage of ``settings.framework``
        (:func:`deliberval.indicators.criteria.criteria_coverage`): ``framework, criterion_id,
        criterion, stage, status, indicators, reason``, one row per criterion.
    experience_sides : pandas.DataFrame
        Both sides of a hybrid body: for every experience item and every role other than
        citizens that answered it, :func:`deliberval.share_difference` of the ``experience``
        counts against the citizens' (``item``, then its columns: both shares with Wilson
        intervals, the difference with its Newcombe interval, Fisher's exact test). Empty when
        only one role answered.
    """

    data: ProcessData
    settings: EvaluationSettings
    catalogue: Catalogue
    scored: ScoredResponses | None
    outcomes: pd.DataFrame
    change: pd.DataFrame
    did: pd.DataFrame
    did_means: pd.DataFrame
    experience: pd.DataFrame
    members_by_role: pd.DataFrame
    funnel_counts: pd.DataFrame
    funnel: FunnelResult | None
    representativeness: RepresentativenessResult | None
    volunteering: pd.DataFrame | None
    uptake: UptakeResult | None
    scales: pd.DataFrame | None
    indicators: pd.DataFrame
    reasons: Mapping[str, str] = field(default_factory=dict)
    outcome_specs: tuple[tuple[OutcomeSpec, str | None], ...] = ()
    weighting: pd.DataFrame = field(default_factory=lambda: _empty(WEIGHTING_COLUMNS))
    dri: DRIEvaluation | None = None
    units: pd.DataFrame = field(default_factory=lambda: _empty(UNIT_BREAKDOWN_COLUMNS))
    """Each measured share-agreeing indicator per unit (committee, panel) with n and Wilson interval
    (:func:`deliberval.indicators.units.unit_breakdown`); empty without units (``reasons["units"]``)."""
    """The DRI of each forum and wave with its permutation test and pre/post change
    (:func:`deliberval.indicators.dri_summary.evaluate_dri`), when a DRI survey table is given."""
    unit_pooling: pd.DataFrame = field(default_factory=lambda: _empty(UNIT_POOLING_COLUMNS))
    criteria: pd.DataFrame = field(default_factory=lambda: _empty(COVERAGE_COLUMNS))
    experience_sides: pd.DataFrame = field(default_factory=lambda: _empty(["item"]))
    uptake_agreement: pd.DataFrame | None = None
    """Agreement between the register's coders per field (response status, fidelity, prior agenda)
    and of a model-assisted coder (``coder == "model"``) with each manual one
    (:func:`deliberval.analysis.register_agreement.register_agreement`); None when no field was
    coded by two coders (``reasons["uptake_agreement"]``)."""
    balance: PropensityResult | None = None
    """The propensity model of being a participant rather than a control (``settings.covariates``,
    citizens' baseline rows; :func:`deliberval.analysis.propensity.propensity_weights`, target the
    participants): weights, ASMD before and after per covariate and level, n and effective n per
    group; None without covariates or control group, or when it cannot be fitted
    (``reasons["balance"]``). See :mod:`deliberval.indicators.controls`."""
    balance_categories: pd.DataFrame = field(default_factory=lambda: _empty(BALANCE_CATEGORY_COLUMNS))
    """People per category and group behind each ``balance`` row (disclosure control; not published)."""
    did_adjusted: pd.DataFrame = field(default_factory=lambda: _empty(["outcome"]))
    """The covariate-adjusted (with ``adjustment == "propensity"``: also propensity-weighted)
    difference-in-differences of every citizens' outcome (:func:`deliberval.analysis.event_study.event_study`,
    pre and post) with ``outcome``, ``adjustment``, ``n_participant``, ``n_control``
    (``reasons["did_adjusted"]`` when empty)."""
    event_study: pd.DataFrame = field(default_factory=lambda: _empty(["outcome"]))
    """With a follow-up wave: the event study of the featured citizens' outcomes against the
    control group, one row per later wave (``reasons["event_study"]`` when empty)."""
    uptake_coder: str | None = None
    """The coder whose codes give :attr:`uptake` and :attr:`uptake_snapshots` when several coded the
    register (``settings.reference_coder``; :data:`CONSENSUS_CODER` for agreed codes); None when the
    figures use the register's only coding."""
    scale_invariance: pd.DataFrame | None = None
    """Measurement invariance of every scale of 3+ items across languages (first wave, languages
    with at least :data:`~deliberval.indicators.scales.MIN_PER_LANGUAGE` complete participants)
    and across pre/post waves (the same participants, longitudinal)
    (:func:`deliberval.indicators.scales.scale_invariance`); None without responses or unless
    ``settings.invariance`` (``reasons["scale_invariance"]``)."""
    uptake_snapshots: pd.DataFrame | None = None
    """A register that tracks progress over a legislature (events with a ``progress`` value):
    :func:`deliberval.analysis.uptake.uptake_snapshots` at the end of each year from the first
    submission to the evaluation date and on that date (say-do window
    ``settings.say_do_window_days`` days, default :data:`SAY_DO_DAYS`); None otherwise
    (``reasons["uptake_snapshots"]``)."""

    @property
    def instrument(self) -> Instrument:
        """The instrument the responses answer."""
        return self.data.instrument

    def tables(self) -> dict[str, pd.DataFrame]:
        """The evaluation's tidy tables by name (for writers and notebooks)."""
        out = {"indicators": self.indicators, "outcomes": self.outcomes, "change": self.change,
               "did": self.did, "experience": self.experience, "members_by_role": self.members_by_role,
               "funnel_counts": self.funnel_counts, "criteria": self.criteria}
        if not self.experience_sides.empty:
            out["experience_sides"] = self.experience_sides
        if self.scales is not None:
            out["scales"] = self.scales
        if self.scale_invariance is not None and not self.scale_invariance.empty:
            out["scale_invariance"] = self.scale_invariance
        if self.volunteering is not None:
            out["volunteering"] = self.volunteering
        if not self.unit_pooling.empty:
            out["unit_pooling"] = self.unit_pooling
        if self.balance is not None:
            out["balance"] = self.balance.balance
            out["balance_summary"] = self.balance.summary
        for key in ("did_adjusted", "event_study"):
            if not getattr(self, key).empty:
                out[key] = getattr(self, key)
        return out


class _NotMeasured(Exception):
    """An indicator's data are missing; the message is the reason."""


def _empty(columns: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(columns=columns or [])


# ------------------------------------------------------------------------------ the analyses
def _participants(scored: pd.DataFrame) -> pd.DataFrame:
    return scored.loc[scored["group"] == "participant"] if "group" in scored.columns else scored


def _extra_spec(extra: ExtraOutcome, instrument: Instrument, catalogue: Catalogue) -> OutcomeSpec:
    """An :class:`OutcomeSpec` of an outcome the settings add (checked against the instrument)."""
    scales = {sc.id: sc for sc in instrument.scales}
    items = {it.id: it for it in instrument.items}
    m = extra.measure
    if m in scales:
        construct = scales[m].construct
        default = catalogue.construct_labels.get(construct)
    elif m in items and not items[m].free_text:
        construct = items[m].construct
        default = dict(items[m].text)
    else:
        what = "a free-text item" if m in items else "not a scale or item"
        raise DataInputError(
            f"outcomes: {m!r} is {what} of instrument {instrument.id!r}; give one of its scales "
            f"({', '.join(scales) or 'none'}) or items ({', '.join(i for i in items if not items[i].free_text)})")
    label = dict(extra.label) if extra.label else dict(default or {"en": m})
    if "en" not in label:
        label["en"] = next(iter(label.values()))
    # instrument ids need not follow the catalogue's id pattern: built without re-validation
    return OutcomeSpec.model_construct(id=m, construct=construct, label=label,
                                       roles=list(extra.roles or ("citizen",)))


def _outcomes(catalogue: Catalogue, instrument: Instrument,
              extras: tuple[ExtraOutcome, ...] = ()) -> list[tuple[OutcomeSpec, str | None]]:
    """Catalogue outcomes (and change / DiD indicator measures) with the instrument's column,
    then the outcomes the settings add."""
    specs = list(catalogue.outcomes)
    known = {o.id for o in specs}
    for ind in catalogue.indicators:
        if ind.function in ("deliberval.prepost", "deliberval.did") and ind.scale and ind.scale not in known:
            roles = ["politician", "civil_servant"] if "responses:politicians" in ind.needs else ["citizen"]
            specs.append(OutcomeSpec(id=ind.scale, construct=ind.construct or ind.scale,
                                     label=ind.label, roles=roles))
            known.add(ind.scale)
    out: list[tuple[OutcomeSpec, str | None]] = []
    used: set[str] = set()
    for spec in specs:
        col = resolve_measure(instrument, spec.id, spec.construct)
        if col in used:  # matched by construct to a measure an earlier outcome already has
            col = None
        if col is not None:
            used.add(col)
        out.append((spec, col))
    for extra in extras:
        spec = _extra_spec(extra, instrument, catalogue)
        same = [i for i, (_, col) in enumerate(out) if col == extra.measure]
        if same:  # already a catalogue outcome's measure: the settings' label and roles replace its own
            i = same[0]
            update: dict[str, Any] = {}
            if extra.label:
                update["label"] = spec.label
            if extra.roles:
                update["roles"] = list(extra.roles)
            out[i] = (out[i][0].model_copy(update=update), extra.measure)
            continue
        out.append((spec, extra.measure))
    return out


def _weight_column(scored: pd.DataFrame | None, setting: str | None) -> tuple[str | None, bool]:
    """The weight column the pre/post change uses, and whether the responses carry weights."""
    carried = scored is not None and "weight" in scored.columns and bool(scored["weight"].notna().any())
    if setting is None or str(setting).lower() == "none":
        return None, carried
    if setting == "auto":
        return ("weight" if carried else None), carried
    if scored is None or setting not in scored.columns:
        raise DataInputError(f"weight: the responses have no column {setting!r}")
    return setting, True


def _weighting(weight: str | None, carried: bool) -> pd.DataFrame:
    analyses = ["change", "did", "experience", "scale_means", "scales"]
    if weight is None:
        note = ("the responses carry a weight column; the settings ask for unweighted estimates"
                if carried else "the responses carry no weights")
        rows = [(a, False, "", note) for a in analyses]
    else:
        rows = [("change", True, weight,
                 "weighted means and linearised SE; weight of the post-survey row; effect sizes without "
                 "interval; no Wilcoxon test")]
        rows += [(a, False, "", "unweighted: this analysis has no weighted version in deliberval")
                 for a in analyses[1:]]
    return pd.DataFrame(rows, columns=WEIGHTING_COLUMNS)


def _change(part: pd.DataFrame, measured: list[tuple[OutcomeSpec, str]], level: float,
            reasons: dict[str, str], weight: str | None = None) -> pd.DataFrame:
    """:func:`deliberval.prepost` of every measured outcome, one call per later wave (so that the
    adjusted p-values adjust across the outcomes), with a reason for every outcome left out."""
    from deliberval.analysis.change import prepost

    waves = set(part["wave"]) if "wave" in part.columns else set()
    by = "role" if "role" in part.columns else None
    frames = []
    for later in _LATER_WAVES:
        if not {"pre", later} <= waves:
            continue
        sub = part.loc[part["wave"].isin(["pre", later])]
        ids = {col: spec.id for spec, col in measured}
        cols = []
        for spec, col in measured:
            answered = {w: bool(sub.loc[sub["wave"] == w, col].notna().any()) for w in ("pre", later)}
            if not all(answered.values()):
                if later == "post":
                    missing = " and ".join(w for w, ok in answered.items() if not ok)
                    reasons[f"change:{spec.id}"] = f"{col!r} was not answered in the {missing} survey"
                continue
            cols.append(col)
        if not cols:
            continue
        try:
            r = prepost(sub, cols, post=later, by=by, weight=weight, confidence_level=level)
        except AnalysisInputError:  # e.g. nobody answered one outcome at both waves: one call each
            parts = []
            for col in cols:
                try:
                    parts.append(prepost(sub, col, post=later, by=by, weight=weight, confidence_level=level))
                except AnalysisInputError as exc:
                    if later == "post":
                        reasons[f"change:{ids[col]}"] = str(exc)
            if not parts:
                continue
            r = pd.concat(parts, ignore_index=True)
        r = r.rename(columns={"outcome": "column"})
        r.insert(0, "outcome", [ids[c] for c in r["column"]])
        r.insert(0, "comparison", later)
        if later == "post":
            for col in cols:
                if not (r.loc[r["column"] == col, "n"] > 0).any():
                    reasons.setdefault(f"change:{ids[col]}",
                                       f"no participant answered {col!r} both before and after")
        frames.append(r)
    if frames and not any((f["n"] > 0).any() for f in frames):
        frames = []
    if not frames:
        if not measured:
            reasons["change"] = "the instrument measures none of the catalogue's outcomes"
        elif "pre" not in waves:
            reasons["change"] = "no pre-survey responses of participants"
        elif not waves & set(_LATER_WAVES):
            reasons["change"] = "no post or follow-up responses of participants"
        else:
            reasons["change"] = "no participant answered an outcome both before and after"
        return _empty(["comparison", "outcome"])
    return pd.concat(frames, ignore_index=True)


def _did(scored: pd.DataFrame, measured: list[tuple[OutcomeSpec, str]], level: float,
         reasons: dict[str, str], featured: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    from deliberval.analysis.change import group_means
    from deliberval.analysis.did import did

    if "group" not in scored.columns or not (scored["group"] == "control").any():
        reasons["did"] = "no control group in the responses (group == 'control')"
        return _empty(["outcome"]), _empty()
    cit = scored.loc[scored["group"].isin(["participant", "control"]) & scored["wave"].isin(["pre", "post"])]
    if "role" in cit.columns:
        cit = cit.loc[cit["role"] == "citizen"]
    frames = []
    errors: dict[str, str] = {}
    id_cols = ["respondent_id", "wave", "group"]
    for spec, col in measured:
        if spec.roles != ["citizen"]:
            continue
        # did() reads these columns only: its row selections copy them, not the whole scored table
        cols = cit[[c for c in dict.fromkeys([*id_cols, col]) if c in cit.columns]]
        try:
            with warnings.catch_warnings():
                # statsmodels takes the square root of the whole covariance diagonal; with very few
                # clusters a coefficient did() does not report can have a negative variance
                warnings.simplefilter("ignore", RuntimeWarning)
                d = did(cols, col, confidence_level=level)
        except AnalysisInputError as exc:
            errors[spec.id] = str(exc)
            continue
        answered = cols.loc[cols[col].notna()].groupby("group")["respondent_id"].nunique()
        d = d.drop(columns=[c for c in ("outcome",) if c in d.columns])
        d.insert(0, "outcome", spec.id)
        d["n_participant"] = int(answered.get("participant", 0))
        d["n_control"] = int(answered.get("control", 0))
        frames.append(d)
    for key, msg in errors.items():
        reasons[f"did:{key}"] = msg
    if not frames:
        reasons.setdefault("did", "no outcome could be compared with the control group")
        return _empty(["outcome"]), _empty()
    res = pd.concat(frames, ignore_index=True)
    # the figure shows the outcome of the catalogue's first DiD indicator, else the first outcome
    done = list(dict.fromkeys(res["outcome"]))
    first = next((o for o in featured if o in done), done[0])
    col = {s.id: c for s, c in measured}[first]
    means = group_means(cit[[c for c in dict.fromkeys([*id_cols, col]) if c in cit.columns]], col,
                        confidence_level=level)
    means.insert(0, "outcome_id", first)
    return res, means


def _experience(part: pd.DataFrame, instrument: Instrument, items: list[str], level: float,
                reasons: dict[str, str]) -> pd.DataFrame:
    """Share agreeing per item and role (post survey), one likert_shares call per response scale."""
    from deliberval.analysis.change import likert_shares

    cols = ["item", "role", "n", "count", "estimate", "ci_low", "ci_high", "confidence_level", "mean", "method"]
    post = part.loc[part["wave"] == "post"] if "wave" in part.columns else part.iloc[0:0]
    asked = list(items)
    items = [i for i in items if i in post.columns and post[i].notna().any()]
    if not asked:
        reasons["experience"] = "the instrument has no item of the catalogue's deliberative experience constructs"
        return _empty(cols)
    if post.empty or not items:
        reasons["experience"] = "no post-survey answers of participants on the items asked"
        return _empty(cols)
    if "role" not in post.columns:
        post = post.assign(role="citizen")
    by_scale: dict[str, list[str]] = {}
    for item in items:
        by_scale.setdefault(instrument.item(item).scale, []).append(item)
    rows = []
    for scale_id, scale_items in by_scale.items():
        scale = instrument.response_scale(scale_id)
        bounds = item_range(scale)
        agree = [float(a) for a in scale.agree_values if not isinstance(a, str)]
        if bounds is None or not agree:
            for item in scale_items:
                reasons[f"experience:{item}"] = f"the response scale of {item!r} defines no agree_values"
            continue
        levels = [float(v) for v in range(int(bounds[0]), int(bounds[1]) + 1)]
        usable = []
        for item in scale_items:
            x = pd.to_numeric(post[item], errors="coerce")
            odd = x.notna() & ~x.isin(levels)
            if odd.any():
                reasons[f"experience:{item}"] = (
                    f"item {item!r} has {int(odd.sum())} answer(s) that are not response codes "
                    f"{int(bounds[0])}..{int(bounds[1])} (e.g. {float(x[odd].iloc[0]):g}); they would be "
                    "left out of the share agreeing")
            else:
                usable.append(item)
        if not usable:
            continue
        shares = likert_shares(post, usable, by="role", levels=levels, waves=["post"], confidence_level=level)
        shares = shares.loc[shares["role"] != "all"] if "all" in set(shares["role"]) else shares
        shares = shares.assign(agree=shares["level"].astype(float).isin(agree),
                               weighted=shares["level"].astype(float) * shares["count"])
        g = shares.groupby(["item", "role"], sort=False)
        summary = g.agg(n=("n", "first"), count=("count", lambda c: 0), total=("weighted", "sum"))
        summary["count"] = shares.loc[shares["agree"]].groupby(["item", "role"], sort=False)["count"].sum()
        summary["count"] = summary["count"].fillna(0).astype(int)
        rows.append(summary.reset_index())
    if not rows:
        return _empty(cols)
    from deliberval.analysis._common import wilson_interval

    out = pd.concat(rows, ignore_index=True)
    out = out.loc[out["n"] > 0].reset_index(drop=True)
    out["n"] = out["n"].astype(int)
    out["estimate"] = out["count"] / out["n"]
    bounds_ = [wilson_interval(c, n, level) for c, n in zip(out["count"], out["n"], strict=True)]
    out["ci_low"] = [b[0] for b in bounds_]
    out["ci_high"] = [b[1] for b in bounds_]
    out["confidence_level"] = level
    out["mean"] = out["total"] / out["n"]
    out["method"] = "share of valid answers in the response scale's agree values; Wilson interval"
    order = {r: i for i, r in enumerate(ROLES)}
    item_order = {it: i for i, it in enumerate(items)}
    out = out.sort_values(["item", "role"], key=lambda s: s.map(item_order if s.name == "item" else order),
                          kind="stable", ignore_index=True)
    return out[cols]


def _experience_sides(experience: pd.DataFrame, level: float) -> pd.DataFrame:
    """Each other role's share agreeing against the citizens', per experience item."""
    from deliberval.analysis.sides import share_difference

    if experience.empty or set(experience["role"]) <= {"citizen"}:
        return _empty(["item"])
    return share_difference(experience, by="item", reference="citizen", confidence_level=level)


def _members(data: ProcessData) -> pd.DataFrame | None:
    return None if data.members is None else data.members.valid


def _members_by_role(members: pd.DataFrame | None) -> pd.DataFrame:
    if members is None or "role" not in members.columns:
        return _empty(["role", "n"])
    sat = members.loc[members["selected"].astype(bool)] if "selected" in members.columns else members
    counts = sat.groupby("role", sort=False).size()
    return pd.DataFrame({"role": [str(r) for r in counts.index], "n": counts.to_numpy()})


def _citizens(members: pd.DataFrame) -> pd.DataFrame:
    return members.loc[members["role"] == "citizen"] if "role" in members.columns else members


def _dimensions(targets: pd.DataFrame | None, members: pd.DataFrame) -> list[str]:
    if targets is None:
        return []
    dims = [str(d) for d in dict.fromkeys(targets["dimension"]) if "*" not in str(d)]
    return [d for d in dims if d in members.columns]


def _restrict(members: pd.DataFrame, targets: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Members' categories outside the targets (a refused question) are left out of that dimension."""
    out = members.copy()
    for d in dims:
        out[d] = out[d].where(out[d].isin(set(targets.loc[targets["dimension"] == d, "category"])))
    return out


def _funnel(members: pd.DataFrame | None, targets: pd.DataFrame | None, settings: EvaluationSettings,
            reasons: dict[str, str]) -> tuple[pd.DataFrame, Any]:
    from deliberval.analysis.funnel import funnel
    from deliberval.analysis.representativeness import TargetsWarning

    counts = _empty(["funnel_stage", "n"])
    if members is None:
        reasons["funnel"] = "no members table (selection funnel)"
        return counts, None
    cit = _citizens(members)
    stages = [s for s in FUNNEL_STAGES if s in cit.columns]
    if not stages:
        reasons["funnel"] = "members table has no stage column(s)"
        return counts, None
    counts = pd.DataFrame({"funnel_stage": stages,
                           "n": [int(cit[stages[: i + 1]].all(axis=1).sum()) for i in range(len(stages))]})
    if targets is None:
        reasons["funnel"] = "no population targets table"
        return counts, None
    dims = _dimensions(targets, cit)
    if not dims:
        reasons["funnel"] = "members have none of the target dimensions"
        return counts, None
    m = _restrict(cit.loc[:, [*stages, *dims]], targets, dims)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TargetsWarning)
            fr = funnel(m, targets.loc[targets["dimension"].isin(dims)], funnel_stages=stages,
                        dimensions=dims, seed=settings.seed, confidence_level=settings.confidence_level)
    except DelibervalError as exc:
        reasons["funnel"] = str(exc)
        return counts, None
    return counts, fr


def _representativeness(members: pd.DataFrame | None, targets: pd.DataFrame | None,
                        settings: EvaluationSettings, reasons: dict[str, str]) -> Any:
    from deliberval.analysis.representativeness import TargetsWarning, representativeness

    try:
        if members is None:
            raise _NotMeasured("no members table")
        sel = _citizens(members)
        if "selected" in sel.columns:
            sel = sel.loc[sel["selected"].astype(bool)]
        if targets is None:
            raise _NotMeasured("no population targets table")
        all_dims = [str(d) for d in dict.fromkeys(targets["dimension"]) if "*" not in str(d)]
        dims = [d for d in all_dims if d in sel.columns]
        if not dims:
            raise _NotMeasured(f"members have none of the target dimensions {all_dims}")
        keep = targets.loc[targets["dimension"].isin(dims)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TargetsWarning)
            return representativeness(_restrict(sel.loc[:, dims], keep, dims), keep, dimensions=dims,
                                      confidence_level=settings.confidence_level, seed=settings.seed,
                                      max_outcomes=200_000, n_resamples=20_000)
    except _NotMeasured as exc:
        reasons["representativeness"] = str(exc)
    except DelibervalError as exc:
        reasons["representativeness"] = f"could not be computed: {exc}"
    return None


def _volunteering(members: pd.DataFrame | None, targets: pd.DataFrame | None,
                  reasons: dict[str, str]) -> pd.DataFrame | None:
    from deliberval.analysis.funnel import r_indicator

    try:
        if members is None:
            raise _NotMeasured("no members table (selection funnel)")
        missing = [c for c in ("invited", "volunteered") if c not in members.columns]
        if missing:
            raise _NotMeasured(f"members table has no stage column(s) {missing}")
        m = _citizens(members)
        inv = m.loc[m["invited"].astype(bool)]
        vol = inv["volunteered"].astype(bool)
        if vol.all():
            raise _NotMeasured("every person in the members table volunteered (open call): the "
                               "invited population who did not volunteer is not recorded")
        if targets is None:
            raise _NotMeasured("no population targets table")
        all_dims = [str(d) for d in dict.fromkeys(targets["dimension"]) if "*" not in str(d)]
        dims = [d for d in all_dims if d in inv.columns]
        if not dims:
            raise _NotMeasured(f"members have none of the target dimensions {all_dims}")
        df = inv.loc[:, dims].astype("string").fillna("missing").astype(object)
        df["__volunteered"] = vol.to_numpy()
        r = r_indicator(df, "__volunteered", dims)
        return r.assign(n_invited=len(inv), dimensions=", ".join(dims))
    except _NotMeasured as exc:
        reasons["volunteering"] = str(exc)
    except AnalysisInputError as exc:
        reasons["volunteering"] = str(exc)
    return None


def _uptake(data: ProcessData, settings: EvaluationSettings, deadline: int | None,
            reasons: dict[str, str]) -> Any:
    from deliberval.analysis.uptake import uptake

    reg = data.register
    if reg is None:
        reasons["uptake"] = "no recommendation register (recommendations and response events)"
        return None
    as_of: Any = settings.as_of
    if as_of is None:
        events = reg.register.events
        dates = pd.to_datetime(events["date"], errors="coerce") if "date" in events else None
        if dates is None or dates.dropna().empty:
            reasons["uptake"] = "no evaluation date (as_of) and no dated response event"
            return None
        as_of = dates.max()
    coders = register_coders(reg.register)
    ref = settings.reference_coder
    if ref is not None and ref not in coders:
        reasons["uptake"] = (f"the reference coder of the configuration (uptake: reference_coder) coded no event "
                             f"of the register, whose events name {len(coders)} coder(s) in the coder column")
        return None
    if ref is None and len(coders) > 1:
        reasons["uptake"] = (f"the register's events are coded by {len(coders)} coders; name the coder whose "
                             "codes give the uptake figures with 'uptake: reference_coder' in the configuration "
                             "(or 'consensus' for codes agreed afterwards)")
        return None
    try:
        return uptake(reg.register, scheme=reg.register.scheme, as_of=as_of, deadline_days=deadline,
                      coder=_reference_coder(reg.register, settings), confidence_level=settings.confidence_level)
    except DelibervalError as exc:
        reasons["uptake"] = f"could not be computed: {exc}"
        return None


def register_coders(register: Any) -> list[str]:
    """The coders named in a register's events (``coder`` column), in order of first appearance.

    Parameters
    ----------
    register : Register
        A validated register (anything with an ``events`` table).

    Returns
    -------
    list of str
        The distinct non-missing values of ``events["coder"]`` (empty without the column).

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> register_coders(SimpleNamespace(events=pd.DataFrame({"coder": ["bob", None, "ann", "bob"]})))
    ['bob', 'ann']
    """
    ev = register.events
    if "coder" not in ev.columns:
        return []
    return [str(c) for c in dict.fromkeys(ev["coder"].dropna().astype(str))]


def _reference_coder(register: Any, settings: EvaluationSettings) -> str | None:
    """The coder whose events give the uptake figures: the settings' reference coder when several
    coders coded the register's events and it is one of them, else None (every event: a register
    coded once)."""
    ref, coders = settings.reference_coder, register_coders(register)
    return ref if ref is not None and len(coders) > 1 and ref in coders else None


@dataclass(frozen=True)
class _IndependentCodings:
    """A register without its consensus codes: what the agreement between coders reads."""

    events: pd.DataFrame
    evidence: pd.DataFrame


def _uptake_snapshots(data: ProcessData, settings: EvaluationSettings, upt: Any, deadline: int | None,
                      reasons: dict[str, str]) -> pd.DataFrame | None:
    """The register's indicators at each year end and on the evaluation date, when it tracks progress."""
    from deliberval.analysis.uptake import uptake_snapshots

    reg = data.register
    if upt is None or reg is None:
        return None
    events = reg.register.events
    if "progress" not in events.columns or events["progress"].isna().all():
        reasons["uptake_snapshots"] = "the register's events report no progress (no legislature tracking)"
        return None
    as_of = pd.Timestamp(upt.as_of)
    start = pd.Timestamp(reg.register.recommendations["submitted"].min())
    dates = [*pd.date_range(start, as_of, freq="YE"), as_of]
    try:
        return uptake_snapshots(reg.register, dates, say_do_days=int(settings.say_do_window_days),
                                deadline_days=deadline, coder=_reference_coder(reg.register, settings),
                                confidence_level=settings.confidence_level)
    except DelibervalError as exc:
        reasons["uptake_snapshots"] = f"could not be computed: {exc}"
        return None


def _uptake_agreement(data: ProcessData, settings: EvaluationSettings,
                      reasons: dict[str, str]) -> pd.DataFrame | None:
    """Agreement between the register's coders, per field (None when no field has two coders)."""
    from deliberval.analysis.register_agreement import register_agreement

    if data.register is None:
        return None
    reg = data.register.register
    # codes agreed after the coders compared theirs are not an independent coding: left out
    ev = reg.events
    if "coder" in ev.columns:
        ev = ev.loc[ev["coder"].astype("string").fillna("") != CONSENSUS_CODER]
    evi = reg.evidence
    if evi is not None and "coder" in evi.columns:
        evi = evi.loc[evi["coder"].astype("string").fillna("") != CONSENSUS_CODER]
    try:
        table = register_agreement(_IndependentCodings(ev, evi), confidence_level=settings.confidence_level)
    except DelibervalError as exc:
        reasons["uptake_agreement"] = f"could not be computed: {exc}"
        return None
    if table.empty:
        reasons["uptake_agreement"] = "no field of the register was coded by two coders"
        return None
    return table


def _dri(data: ProcessData, settings: EvaluationSettings, reasons: dict[str, str]) -> DRIEvaluation | None:
    """The DRI of the process's DRI survey table, once (None without one)."""
    if data.dri is None:
        return None
    from deliberval.indicators.dri_summary import evaluate_dri

    if data.dri.valid.empty:
        reasons["dri"] = "no valid row in the DRI survey table"
        return None
    try:
        return evaluate_dri(data.dri.valid, seed=settings.seed, confidence_level=settings.confidence_level)
    except DelibervalError as exc:
        reasons["dri"] = f"could not be computed: {exc}"
        return None


def _scales(part: pd.DataFrame | None, instrument: Instrument, level: float,
            reasons: dict[str, str]) -> pd.DataFrame | None:
    from deliberval.indicators.scales import scale_diagnostics

    if part is None or part.empty:
        reasons["scales"] = "no responses table"
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return scale_diagnostics(part, instrument, by="wave" if "wave" in part.columns else None,
                                     confidence_level=level)
    except DelibervalError as exc:
        reasons["scales"] = f"could not be computed: {exc}"
        return None


def _scale_invariance(part: pd.DataFrame | None, instrument: Instrument, settings: EvaluationSettings,
                      reasons: dict[str, str]) -> pd.DataFrame | None:
    from deliberval.indicators.scales import MIN_PER_LANGUAGE, scale_invariance

    if not settings.invariance:
        reasons["scale_invariance"] = "not requested (invariance: true in the configuration)"
        return None
    if part is None or part.empty:
        reasons["scale_invariance"] = "no responses table"
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # every language compared has at least min_cell_size people, never a small group
            return scale_invariance(part, instrument, min_n=max(MIN_PER_LANGUAGE, settings.min_cell_size))
    except DelibervalError as exc:
        reasons["scale_invariance"] = f"could not be computed: {exc}"
        return None


# ------------------------------------------------------------------------------ indicators
def _value(estimate: float, n: int | None, *, low: float = math.nan, high: float = math.nan,
           level: float = math.nan, method: str = "", respondents: bool = True,
           posterior: dict[str, Any] | None = None) -> dict[str, Any]:
    """An indicator's value; ``posterior``: the arguments of ``threshold_probability`` (None: no model)."""
    return {"estimate": float(estimate), "ci_low": float(low), "ci_high": float(high),
            "confidence_level": float(level), "n": n, "method": method, "_respondents": respondents,
            "_posterior": posterior}


@dataclass
class _Context:
    """The computed results an indicator reads (never recomputes)."""

    data: ProcessData
    settings: EvaluationSettings
    scored: pd.DataFrame | None
    outcomes: list[tuple[OutcomeSpec, str | None]]
    change: pd.DataFrame
    did: pd.DataFrame
    experience: pd.DataFrame
    representativeness: Any
    volunteering: pd.DataFrame | None
    uptake: Any
    reasons: dict[str, str]
    deadline: int | None
    #: The post responses of participant citizens (or why there are none), selected once for every
    #: indicator that reads them.
    post_citizens: pd.DataFrame | str | None = None


def _unmatched(instrument: Instrument, construct: str | None) -> str | None:
    """Why a construct with several items and no scale matches no measure (None otherwise)."""
    items = [it.id for it in instrument.items if it.construct == construct and not it.free_text]
    if construct is None or len(items) < 2:
        return None
    return (f"the instrument has {len(items)} items of construct {construct!r} ({', '.join(items)}) and no "
            "scale of them: which one is meant is ambiguous")


def _post_citizens(ctx: _Context) -> pd.DataFrame:
    if ctx.scored is None:
        raise _NotMeasured("no responses table")
    if ctx.post_citizens is None:
        df = _participants(ctx.scored)
        if "role" in df.columns:
            df = df.loc[df["role"] == "citizen"]
        if "wave" not in df.columns or not (df["wave"] == "post").any():
            ctx.post_citizens = "no post responses of participant citizens"
        else:
            ctx.post_citizens = df.loc[df["wave"] == "post"]
    if isinstance(ctx.post_citizens, str):
        raise _NotMeasured(ctx.post_citizens)
    return ctx.post_citizens


def _share_agree(spec: IndicatorSpec, ctx: _Context) -> dict[str, Any]:
    _post_citizens(ctx)
    col = resolve_measure(ctx.data.instrument, spec.items[0], spec.construct)
    if col is None:
        raise _NotMeasured(_unmatched(ctx.data.instrument, spec.construct) or
                           f"the instrument has no item {spec.items[0]!r} nor an item of construct "
                           f"{spec.construct!r}")
    if f"experience:{col}" in ctx.reasons:
        raise AnalysisInputError(ctx.reasons[f"experience:{col}"])
    rows = ctx.experience.loc[(ctx.experience["item"] == col) & (ctx.experience["role"] == "citizen")]
    if rows.empty:
        if ctx.scored is not None and col not in ctx.scored.columns:
            raise _NotMeasured(f"item {col!r} is not in the responses")
        raise _NotMeasured(f"item {col!r} has no valid answer")
    row = rows.iloc[0]
    return _value(row["estimate"], int(row["n"]), low=row["ci_low"], high=row["ci_high"],
                  level=ctx.settings.confidence_level,
                  method=f"responses: {col} (post, participant citizens); Wilson interval",
                  posterior={"model": "share", "count": float(row["count"]), "n": float(row["n"])})


def _scale_mean(spec: IndicatorSpec, ctx: _Context) -> dict[str, Any]:
    from scipy import stats

    df = _post_citizens(ctx)
    col = resolve_measure(ctx.data.instrument, spec.scale or "", spec.construct)
    if col is None:
        raise _NotMeasured(_unmatched(ctx.data.instrument, spec.construct) or
                           f"the instrument has no scale {spec.scale!r} nor a scale or item of construct "
                           f"{spec.construct!r}")
    if col not in df.columns:
        raise _NotMeasured(f"scale {spec.scale!r} is not in the responses")
    x = pd.to_numeric(df[col], errors="coerce").dropna().to_numpy(dtype=float)
    if x.size == 0:
        raise _NotMeasured(f"scale {col!r} has no valid answer")
    n, m, level = x.size, float(x.mean()), ctx.settings.confidence_level
    h = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return _value(m, n, low=m - h, high=m + h, level=level,
                  method=f"responses: scale {col} (post, participant citizens); t interval",
                  posterior={"model": "mean", "estimate": m, "n": float(n),
                             "sd": float(x.std(ddof=1)) if n > 1 else math.nan})


def _outcome_of(spec: IndicatorSpec, ctx: _Context) -> tuple[OutcomeSpec, str | None]:
    for o, col in ctx.outcomes:
        if o.id == spec.scale:
            return o, col
    raise _NotMeasured(f"scale {spec.scale!r} was not measured")  # pragma: no cover - _outcomes adds it


def _prepost(spec: IndicatorSpec, ctx: _Context) -> dict[str, Any]:
    outcome, col = _outcome_of(spec, ctx)
    roles = outcome.roles
    who = "/".join(roles)
    if ctx.scored is None:
        raise _NotMeasured("no responses table")
    if col is None:
        raise _NotMeasured(_unmatched(ctx.data.instrument, outcome.construct) or
                           f"the instrument has no scale or item of construct {outcome.construct!r}")
    # the columns read here: the row selections copy these, not the whole scored table
    part = _participants(ctx.scored[[c for c in ("group", "role", "wave", col) if c in ctx.scored.columns]])
    if "role" in part.columns:
        part = part.loc[part["role"].isin(roles)]
    for wv in ("pre", "post"):
        if "wave" not in part.columns or not (part["wave"] == wv).any():
            raise _NotMeasured(f"no {wv} responses of participant {who}s")
    if col is None or col not in part.columns or part[col].notna().sum() == 0:
        raise _NotMeasured(f"scale {spec.scale!r} was not measured")
    ch = ctx.change
    rows = ch.loc[(ch["comparison"] == "post") & (ch["outcome"] == outcome.id)] if not ch.empty else ch
    if "role" in rows.columns:
        present = set(rows.loc[(rows["role"] != "all") & (rows["n"] > 0), "role"])
        if len(roles) == 1 and roles[0] in present:
            rows = rows.loc[rows["role"] == roles[0]]
        elif present and present <= set(roles):
            rows = rows.loc[rows["role"] == "all"]
        else:
            rows = rows.iloc[0:0]
    rows = rows.loc[rows["n"] > 0] if not rows.empty else rows
    if rows.empty:
        raise _NotMeasured(f"no participant {who} answered {col!r} both before and after")
    row = rows.iloc[0]
    weighted = str(row.get("method", "")).startswith("weighted")  # no reference posterior of a weighted d_z
    return _value(row["d_z"], int(row["n"]), low=row["d_z_ci_low"], high=row["d_z_ci_high"],
                  posterior=None if weighted else {"model": "standardised_change", "estimate": float(row["d_z"]),
                                                   "n": float(row["n"])},
                  level=ctx.settings.confidence_level,
                  method=f"responses: scale {col}, pre and post pairs of participant {who}s; "
                         "paired t, exact noncentral-t CI of d_z")


def _did_indicator(spec: IndicatorSpec, ctx: _Context) -> dict[str, Any]:
    outcome, col = _outcome_of(spec, ctx)
    if ctx.scored is None:
        raise _NotMeasured("no responses table")
    if col is None:
        raise _NotMeasured(_unmatched(ctx.data.instrument, outcome.construct) or
                           f"the instrument has no scale or item of construct {outcome.construct!r}")
    if "did" in ctx.reasons and ctx.reasons["did"].startswith("no control group"):
        raise _NotMeasured(ctx.reasons["did"])
    if col is None or col not in ctx.scored.columns:
        raise _NotMeasured(f"scale {spec.scale!r} was not measured")
    if f"did:{outcome.id}" in ctx.reasons:
        raise _NotMeasured(ctx.reasons[f"did:{outcome.id}"])
    rows = ctx.did.loc[(ctx.did["outcome"] == outcome.id) & (ctx.did["model"] == "pooled_ols")] \
        if not ctx.did.empty else ctx.did
    if rows.empty:
        raise _NotMeasured(ctx.reasons.get("did", f"scale {spec.scale!r} was not measured"))
    row = rows.iloc[0]
    return _value(row["estimate"], int(row["n"]), low=row["ci_low"], high=row["ci_high"],
                  posterior={"model": "normal", "estimate": float(row["estimate"]), "se": float(row["se"]),
                             "df": float(row["df"])},
                  level=ctx.settings.confidence_level,
                  method=f"responses: scale {col}, participants against the control group "
                         f"({int(row['n_participant'])} and {int(row['n_control'])} respondents); "
                         "pooled OLS with cluster-robust SE; n is the smaller group")


def _rep(spec: IndicatorSpec, ctx: _Context) -> dict[str, Any]:
    rep = ctx.representativeness
    if rep is None:
        raise _NotMeasured(ctx.reasons.get("representativeness", "no members table"))
    ov = rep.overall.set_index("statistic")["estimate"]
    n = int(ov["n"])
    if spec.id == "representativeness_max_gap":
        # the catalogue states this indicator in percentage points
        return _value(100 * float(ov["max_absolute_difference"]), n,
                      method="members (selected citizens) against population targets")
    return _value(float(ov["mean_duncan"]), n,
                  method="members (selected citizens) against population targets; mean of "
                         "Duncan's index over the dimensions")


def _r_indicator(spec: IndicatorSpec, ctx: _Context) -> dict[str, Any]:
    r = ctx.volunteering
    if r is None:
        raise _NotMeasured(ctx.reasons.get("volunteering", "no members table (selection funnel)"))
    return _value(r["estimate"].iloc[0], int(r["n"].iloc[0]),
                  method=f"members: volunteering among the {int(r['n_invited'].iloc[0])} invited "
                         f"citizens on {r['dimensions'].iloc[0]}; logistic propensities")


def _retention(spec: IndicatorSpec, ctx: _Context) -> dict[str, Any]:
    from deliberval.analysis._common import wilson_interval

    m = _members(ctx.data)
    if m is None:
        raise _NotMeasured("no members table (selection funnel)")
    missing = [c for c in ("selected", "attended_all") if c not in m.columns]
    if missing:
        raise _NotMeasured(f"members table has no stage column(s) {missing}")
    sel = _citizens(m)
    sel = sel.loc[sel["selected"].astype(bool)]
    if sel.empty:
        raise _NotMeasured("no selected citizens in the members table")
    n = len(sel)
    count = int(sel["attended_all"].astype(bool).sum())
    lo, hi = wilson_interval(count, n, ctx.settings.confidence_level)
    return _value(count / n, n, low=lo, high=hi, level=ctx.settings.confidence_level,
                  method="members: selected citizens who attended every session; Wilson interval",
                  posterior={"model": "share", "count": float(count), "n": float(n)})


def _uptake_indicator(spec: IndicatorSpec, ctx: _Context) -> dict[str, Any]:
    res = ctx.uptake
    if res is None:
        raise _NotMeasured(ctx.reasons.get("uptake", "no recommendation register"))
    if spec.id == "cherry_picking_gap":
        t = res.agenda_test
        if t.empty or not np.isfinite(float(t["estimate"].iloc[0])):
            raise _NotMeasured("the register has no recommendations both on and off the prior agenda")
        row = t.iloc[0]
        return _value(100 * float(row["estimate"]), int(row["n_on_agenda"] + row["n_new"]),
                      method="recommendation register: uptake of recommendations already on the "
                             "agenda minus new ones (Vrydagh 2022)", respondents=False)
    name = _UPTAKE_NAMES[spec.id]
    rows = res.indicators.loc[res.indicators["indicator"] == name]
    if rows.empty:
        if name == "answered_within_deadline":
            raise _NotMeasured("no response deadline given (process:response_deadline_days)")
        raise _NotMeasured(f"uptake indicator {name} was not computed")
    row = rows.iloc[0]
    return _value(row["estimate"], int(row["n"]), low=row["ci_low"], high=row["ci_high"],
                  level=ctx.settings.confidence_level,
                  method=f"recommendation register, status on {res.as_of.date().isoformat()}; Wilson interval",
                  respondents=False)


def _yes(value: Any, key: str) -> float:
    text = str(value).strip().lower()
    if text in ("yes", "true", "1", "oui"):
        return 1.0
    if text in ("no", "false", "0", "non"):
        return 0.0
    raise AnalysisInputError(f"process field {key!r} must be yes or no, got {value!r}")


def _no_fact(ctx: _Context, reason: str) -> _NotMeasured:
    """``reason``, unless the process table was given and quarantined whole: then say so."""
    proc = ctx.data.process
    if proc is not None and proc.valid.empty and len(proc.quarantined):
        why = "; ".join(dict.fromkeys(str(m) for m in proc.failures["message"]))
        return _NotMeasured(f"the process table was quarantined ({why})")
    return _NotMeasured(reason)


def _fact(spec: IndicatorSpec, ctx: _Context) -> dict[str, Any]:
    key = spec.needs[0].split(":", 1)[1]
    facts = ctx.data.process_facts()
    if spec.id == "aftercare":
        documented = facts.get("aftercare")
        if documented is not None and str(documented) != "nan":
            return _value(_yes(documented, "aftercare"), None, method="process: aftercare", respondents=False)
        scored = ctx.scored
        if scored is not None and "wave" in scored.columns and (scored["wave"] == "follow_up").any():
            return _value(1.0, None, method="responses: a follow-up survey of members took place",
                          respondents=False)
        raise _no_fact(ctx, "no follow_up wave in the responses and no 'aftercare' field in the process table")
    value = facts.get(key)
    if value is None or str(value) == "nan":
        raise _no_fact(ctx, f"the process table has no {key!r} field (documentation by the organiser)")
    return _value(_yes(value, key), None, method=f"process: {key}", respondents=False)


_FUNCTIONS = {
    "deliberval.likert_shares": _share_agree,
    "deliberval.score": _scale_mean,
    "deliberval.prepost": _prepost,
    "deliberval.did": _did_indicator,
    "deliberval.representativeness": _rep,
    "deliberval.r_indicator": _r_indicator,
    "deliberval.funnel": _retention,
    "deliberval.uptake": _uptake_indicator,
}


def _meets(spec: IndicatorSpec, estimate: float, threshold: float | None) -> Any:
    if threshold is None or not np.isfinite(estimate):
        return pd.NA
    if spec.direction == "higher_is_better":
        return bool(estimate >= threshold)
    return bool(estimate <= threshold)


def verdict(estimate: float, ci_low: float, ci_high: float, threshold: float | None,
            direction: str, *, unit: str | None = None) -> str | None:
    """Whether an estimate meets its threshold, misses it, or cannot tell which.

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        The point estimate and its confidence interval (NaN bounds: no interval).
    threshold : float or None
        The value judged against (a floor for ``higher_is_better``, a ceiling for
        ``lower_is_better``).
    direction : {"higher_is_better", "lower_is_better"}
    unit : str, optional
        The indicator's unit. For a ``"proportion"`` whose threshold is the bound itself (a floor
        of 1: every one; a ceiling of 0: none) the count decides: such a rule is met only by the
        count itself, and no interval can exclude the bound when the estimate sits on it, so the
        interval rule would call a met requirement inconclusive for ever.

    Returns
    -------
    str or None
        ``"inconclusive"`` when the closed interval ``[ci_low, ci_high]`` contains the threshold
        (an interval touching it included); otherwise ``"meets"`` or ``"misses"`` by the point
        estimate (which then lies on the same side as the whole interval); without an interval,
        or for a proportion judged against its bound (0 or 1), the point estimate decides. None
        without a threshold or a finite estimate.

    Examples
    --------
    >>> verdict(0.78, 0.68, 0.85, 0.80, "higher_is_better")
    'inconclusive'
    >>> verdict(0.90, 0.80, 0.96, 0.80, "higher_is_better")
    'inconclusive'
    >>> verdict(0.22, float("nan"), float("nan"), 0.0, "lower_is_better")
    'misses'
    >>> verdict(0.05, 0.01, 0.09, 0.10, "lower_is_better")
    'meets'
    >>> verdict(1.0, 0.76, 1.0, 1.0, "higher_is_better", unit="proportion")  # 12 of 12 answered
    'meets'
    """
    if threshold is None or not np.isfinite(threshold) or not np.isfinite(estimate):
        return None
    ok = estimate >= threshold if direction == "higher_is_better" else estimate <= threshold
    at_bound = unit == "proportion" and (
        (direction == "higher_is_better" and threshold >= 1) or (direction == "lower_is_better" and threshold <= 0))
    if at_bound:
        return "meets" if ok else "misses"
    if np.isfinite(ci_low) and np.isfinite(ci_high) and ci_low <= threshold <= ci_high:
        return "inconclusive"
    return "meets" if ok else "misses"


def probability_verdict(prob: float, cutoff: float = PROBABILITY_CUTOFF) -> str | None:
    """The probability rule: a verdict from P(true value meets the threshold).

    Parameters
    ----------
    prob : float
        Posterior probability that the true value meets the threshold (lies above a floor, or
        below a ceiling where lower is better).
    cutoff : float, default 0.95
        ``"meets"`` when ``prob >= cutoff``, ``"misses"`` when ``prob <= 1 - cutoff``,
        ``"inconclusive"`` in between.

    Returns
    -------
    str or None
        None when ``prob`` is NaN.

    Examples
    --------
    >>> probability_verdict(0.97), probability_verdict(0.6), probability_verdict(0.03)
    ('meets', 'inconclusive', 'misses')
    """
    if not np.isfinite(prob):
        return None
    if prob >= cutoff:
        return "meets"
    if prob <= 1.0 - cutoff:
        return "misses"
    return "inconclusive"


def _pool_row(row: dict[str, Any], spec: IndicatorSpec, posterior: dict[str, Any] | None,
              threshold: float | None, rule: str) -> None:
    """``prob_meets_threshold``, ``prior`` and (by ``rule``) the verdict of one measured indicator."""
    from deliberval.analysis.meta import REFERENCE_PRIORS, threshold_probability

    if row["verdict"] is None:  # no threshold or no estimate: nothing to judge
        return
    prob = math.nan
    if posterior is not None and threshold is not None:
        args = dict(posterior)
        model = args.pop("model")
        prob = threshold_probability(model, float(threshold), higher_is_better=spec.direction == "higher_is_better",
                                     **args)
        if np.isfinite(prob):
            row["prior"] = REFERENCE_PRIORS[model]
    row["prob_meets_threshold"] = prob
    if rule == "probability" and np.isfinite(prob):
        row["verdict"] = probability_verdict(prob)
        row["verdict_rule"] = "probability"
    else:
        row["verdict_rule"] = "interval"


def _indicator_rows(catalogue: Catalogue, ctx: _Context) -> pd.DataFrame:
    k = ctx.settings.min_cell_size
    lang = ctx.settings.language
    pooling = ctx.settings.pooling == "bayesian"
    rows = []
    for spec in catalogue.indicators:
        own = ctx.settings.thresholds.get(spec.id)
        threshold = spec.threshold if own is None else own.value
        source = catalogue.source_of_threshold(spec.id) if own is None else own.source
        row: dict[str, Any] = {
            "indicator_id": spec.id, "label": spec.text(lang), "oecd_stage": spec.stage,
            "criterion": spec.criterion, "theme": spec.theme or "", "estimate": math.nan,
            "ci_low": math.nan, "ci_high": math.nan, "confidence_level": math.nan, "n": None,
            "unit": spec.unit, "direction": spec.direction,
            "threshold": math.nan if threshold is None else float(threshold),
            "threshold_source": "" if threshold is None else source,
            "meets_threshold": pd.NA, "verdict": None, "status": "measured", "status_reason": "", "method": "",
        }
        if pooling:
            row.update(prob_meets_threshold=math.nan, verdict_rule=None, prior="")
        needs = "needs " + ", ".join(spec.needs)
        try:
            if spec.function is None:
                value = _fact(spec, ctx)
            elif spec.function in _FUNCTIONS:
                value = _FUNCTIONS[spec.function](spec, ctx)
            else:
                raise _NotMeasured(f"no deliberval function {spec.function!r} is available for this indicator")
        except _NotMeasured as exc:
            row.update(status="not_measured", status_reason=str(exc), method=needs)
            rows.append(row)
            continue
        except DelibervalError as exc:
            row.update(status="not_measured", status_reason=f"could not be computed: {exc}", method=needs)
            rows.append(row)
            continue
        respondents = value.pop("_respondents")
        posterior = value.pop("_posterior")
        row.update(value)
        n = row["n"]
        if respondents and n is not None and 0 < n < k:
            row.update(estimate=math.nan, ci_low=math.nan, ci_high=math.nan, n=None, status="suppressed",
                       status_reason=f"based on fewer than {k} respondents (disclosure control)")
        else:
            row["meets_threshold"] = _meets(spec, row["estimate"], threshold)
            row["verdict"] = verdict(float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"]),
                                     None if threshold is None else float(threshold), spec.direction,
                                     unit=spec.unit)
            if pooling:
                _pool_row(row, spec, posterior, threshold, ctx.settings.verdict_rule)
        rows.append(row)
    columns = INDICATOR_COLUMNS
    if pooling:
        at = INDICATOR_COLUMNS.index("verdict") + 1
        columns = [*INDICATOR_COLUMNS[:at], *POOLING_COLUMNS, *INDICATOR_COLUMNS[at:]]
    table = pd.DataFrame(rows, columns=columns)
    table["n"] = table["n"].astype("Int64")
    table["meets_threshold"] = table["meets_threshold"].astype("boolean")
    table["verdict"] = table["verdict"].astype("str")
    if pooling:
        table["verdict_rule"] = table["verdict_rule"].astype("str")
        table["prob_meets_threshold"] = table["prob_meets_threshold"].astype(float)
    return table


# ------------------------------------------------------------------------------ entry points
def evaluate_process(data: ProcessData, settings: EvaluationSettings | None = None) -> ProcessEvaluation:
    """Evaluate one process: score once, run every analysis once, derive the indicators.

    Parameters
    ----------
    data : ProcessData
        Validated inputs (:func:`deliberval.validation.load_process`,
        :func:`deliberval.validation.process_data` or ``load_example(...).process_data()``).
    settings : EvaluationSettings, optional
        Default: ``EvaluationSettings()``.

    Returns
    -------
    ProcessEvaluation

    Notes
    -----
    Responses are scored through the instrument (:func:`deliberval.score`): missing codes
    become missing values. Outcomes are the catalogue's, found in the instrument by id or by
    construct; their change is :func:`deliberval.prepost` by role (pre -> post, and pre ->
    follow-up when surveyed), their effect against a control group :func:`deliberval.did`
    (citizens' outcomes only). Shares agreeing use the response scale's ``agree_values`` among
    valid post answers (missing codes are in neither count nor denominator), with Wilson
    intervals. Representativeness compares the selected citizens with the population targets
    (members who refused a question are left out of that dimension only); the R-indicator is
    that of volunteering among the invited. Indicators about recommendations or the organiser's
    documentation are not about respondents and are never suppressed; respondent-based
    indicators on fewer than ``min_cell_size`` respondents are.

    Examples
    --------
    >>> from deliberval.datasets import load_example
    >>> ev = evaluate_process(load_example("gentofte_ptc").process_data())
    >>> tab = ev.indicators.set_index("indicator_id")
    >>> rows = tab.loc[["facilitation_neutral", "did_external_efficacy"], ["estimate", "n", "status"]]
    >>> print(rows.round(3).reset_index().to_string(index=False))
             indicator_id  estimate    n       status
     facilitation_neutral     0.909   22     measured
    did_external_efficacy       NaN <NA> not_measured
    >>> print(tab.loc["did_external_efficacy", "status_reason"])
    no control group in the responses (group == 'control')
    """
    from deliberval.scoring import score

    settings = settings or EvaluationSettings()
    catalogue = settings.catalogue or load_catalogue()
    _check_thresholds(settings.thresholds, catalogue)
    level = float(settings.confidence_level)
    reasons: dict[str, str] = {}
    instrument = data.instrument
    scored_result = None
    scored: pd.DataFrame | None = None
    if data.responses is not None:
        scored_result = score(data.responses.valid, instrument)
        scored = scored_result.data
    outcomes = _outcomes(catalogue, instrument, tuple(settings.extra_outcomes))
    weight, carried = _weight_column(scored, settings.weight)
    measured = [(o, c) for o, c in outcomes if c is not None and scored is not None and c in scored.columns]
    for o, c in outcomes:
        if c is None:
            taken = resolve_measure(instrument, o.id, o.construct)
            owner = next((p.id for p, col in outcomes if taken is not None and col == taken), None)
            reasons[f"change:{o.id}"] = (
                f"its construct's measure {taken!r} is already reported as outcome {owner!r}" if owner else
                _unmatched(instrument, o.construct) or
                f"the instrument has no scale or item of construct {o.construct!r}")
        elif scored is not None and c not in scored.columns:
            reasons[f"change:{o.id}"] = f"{c!r} is not in the responses"
    change = did_table = did_means = experience = _empty()
    scales = scale_inv = None
    if scored is None:
        for key in ("change", "did", "experience", "scales"):
            reasons[key] = "no responses table"
        change, did_table, experience = _empty(["comparison", "outcome"]), _empty(["outcome"]), _empty(
            ["item", "role", "n", "count", "estimate", "ci_low", "ci_high", "confidence_level", "mean", "method"])
    else:
        part = _participants(scored)
        change = _change(part, measured, level, reasons, weight)
        featured = [i.scale for i in catalogue.indicators if i.function == "deliberval.did" and i.scale]
        did_table, did_means = _did(scored, measured, level, reasons, featured)
        exp_items = [it.id for it in instrument.items if it.construct in catalogue.experience_constructs
                     and not it.free_text]
        for spec in catalogue.indicators:
            if spec.function == "deliberval.likert_shares" and spec.items:
                col = resolve_measure(instrument, spec.items[0], spec.construct)
                if col is not None and col not in exp_items:
                    exp_items.append(col)
        experience = _experience(part, instrument, exp_items, level, reasons)
        scales = _scales(part, instrument, level, reasons)
        scale_inv = _scale_invariance(part, instrument, settings, reasons)
    dri_result = _dri(data, settings, reasons)
    members = _members(data)
    controls = (None if scored is None else
                control_comparison(scored, members, measured, covariates=tuple(settings.covariates),
                                   adjustment=settings.adjustment, trim=settings.trim, featured=featured,
                                   level=level, reasons=reasons))
    targets = None if data.targets is None else data.targets.valid
    funnel_counts, funnel_result = _funnel(members, targets, settings, reasons)
    rep = _representativeness(members, targets, settings, reasons)
    volunteering = _volunteering(members, targets, reasons)
    deadline = settings.deadline_days if settings.deadline_days is not None else data.response_deadline_days
    upt = _uptake(data, settings, deadline, reasons)
    snapshots = _uptake_snapshots(data, settings, upt, deadline, reasons)
    coder_agreement = _uptake_agreement(data, settings, reasons)
    ctx = _Context(data, settings, scored, outcomes, change, did_table, experience, rep, volunteering,
                   upt, reasons, deadline)
    table = _indicator_rows(catalogue, ctx)
    pooled = unit_pooling(scored, members, instrument, catalogue, table, outcomes, settings, reasons)
    extra_ids = {e.measure for e in settings.extra_outcomes}
    outcome_table = pd.DataFrame(
        [{"outcome": o.id, "column": c, "roles": ", ".join(o.roles), "control_comparison": o.roles == ["citizen"],
          "source": "settings" if o.id in extra_ids else "catalogue", "label": o.text(settings.language)}
         for o, c in outcomes],
        columns=["outcome", "column", "roles", "control_comparison", "source", "label"])
    units = unit_breakdown(scored, members, instrument, catalogue, table, confidence_level=level, reasons=reasons)
    return ProcessEvaluation(
        data=data, settings=settings, catalogue=catalogue, scored=scored_result, outcomes=outcome_table,
        change=change, did=did_table, did_means=did_means, experience=experience,
        members_by_role=_members_by_role(members), funnel_counts=funnel_counts, funnel=funnel_result,
        representativeness=rep, volunteering=volunteering, uptake=upt, scales=scales, indicators=table,
        scale_invariance=scale_inv,
        reasons=dict(reasons), outcome_specs=tuple(outcomes), weighting=_weighting(weight, carried), dri=dri_result,
        units=units,
        unit_pooling=pooled,
        criteria=criteria_coverage(table, instrument, data.process_facts(), framework=settings.framework,
                                   language=settings.language),
        experience_sides=_experience_sides(experience, level), uptake_snapshots=snapshots,
        uptake_agreement=coder_agreement,
        uptake_coder=None if upt is None or data.register is None else _reference_coder(data.register.register,
                                                                                        settings),
        **({} if controls is None else {
            "balance": controls.balance, "balance_categories": controls.categories,
            "did_adjusted": controls.did_adjusted, "event_study": controls.event_study}))


def indicator_table(
    responses: pd.DataFrame | None = None,
    instrument: Instrument | None = None,
    *,
    members: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    recommendations: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    process: pd.DataFrame | Mapping[str, Any] | None = None,
    settings: EvaluationSettings | None = None,
) -> pd.DataFrame:
    """The catalogue's indicators of one process from tables in memory (the notebook door).

    Validates the tables (:func:`deliberval.validation.process_data`) and returns
    ``evaluate_process(data, settings).indicators``.

    Parameters
    ----------
    responses : pandas.DataFrame, optional
        Canonical responses with raw codes (validated and scored here).
    instrument : Instrument, optional
        Required with ``responses``.
    members, targets, recommendations, events : pandas.DataFrame, optional
    process : one-row DataFrame or mapping, optional
        The process table: ``process_id, name, model`` and facts (``privacy_policy``,
        ``aftercare``, ``response_deadline_days`` ...); without the first three it is quarantined
        (:func:`deliberval.validation.validate_process`) and its facts are not read.
    settings : EvaluationSettings, optional

    Returns
    -------
    pandas.DataFrame
        One row per catalogue indicator: ``indicator_id, label, oecd_stage, criterion, theme,
        estimate, ci_low, ci_high, confidence_level, n, unit, direction, threshold,
        threshold_source`` (the stated source of the threshold, "" without one), ``meets_threshold``
        (the point estimate against the threshold; NA without a threshold or an estimate),
        ``verdict`` (``meets``, ``misses`` or ``inconclusive`` when the closed confidence interval
        contains the threshold; the point estimate decides without an interval; NA without a
        threshold or an estimate: :func:`verdict`), ``status`` (``measured``,
        ``not_measured``, ``suppressed``), ``status_reason`` and ``method`` (the data and
        method the estimate comes from, or the data it needs).

    Examples
    --------
    >>> from deliberval.datasets import load_example
    >>> from deliberval.instruments import load_instrument
    >>> ex = load_example("gentofte_ptc")
    >>> tab = indicator_table(ex.responses, load_instrument("participant_standard"),
    ...                       members=ex.members, targets=ex.targets)
    >>> int((tab["status"] == "measured").sum())
    15
    """
    from deliberval.validation.process import process_data

    if responses is not None and instrument is None:
        raise AnalysisInputError("responses were given without the instrument they answer")
    if isinstance(process, Mapping):
        process = pd.DataFrame([dict(process)])
    if instrument is None:
        from deliberval.instruments import load_instrument

        instrument = load_instrument("participant_standard")
    data = process_data(instrument, responses=responses, members=members, targets=targets,
                        recommendations=recommendations, events=events, process=process)
    return evaluate_process(data, settings).indicators
