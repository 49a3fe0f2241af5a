"""The items the simulators answer, with their codes and measurement model.

Item ids, response codes, missing codes, reverse keying, waves and respondents follow the shared
instrument contract of deliberval's library (``surveys/*.yaml``: ``institutional_trust``,
``political_efficacy``, ``perceived_influence``, ``deliberative_experience``, ``hybrid_body``,
``demographics``). They are written out here, rather than read from the YAML at run time, so that
an example is a pure function of its seed; ``tests/datasets`` checks them against the shipped
library. The loadings and intercepts are the simulation's measurement model and are not part of
the instruments.

Measurement model
-----------------
Every substantive item answer is a threshold model on a latent response

    y* = loading * theta + intercept + sqrt(1 - loading**2) * e,   e ~ N(0, 1),

where ``theta`` is the respondent's latent trait on the occasion (SD about 1 in the population).
The code is ``low + #{k : y* > tau_k}``: four thresholds onto the 1-5 agreement codes and ten
onto the 0-10 codes (``tau_k = (k - 0.5 - 5) / 2.3``, i.e. ``round(5 + 2.3 y*)`` clipped to 0-10).
A reverse-keyed item is coded ``low + high - code`` so that agreeing means *less* of the trait.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DEMOGRAPHICS",
    "ITEMS",
    "SCALES",
    "TRAITS",
    "ItemSpec",
    "ScaleSpec",
]

#: Latent traits, in the order of the simulators' trait arrays.
TRAITS: tuple[str, ...] = (
    "trust",
    "internal_efficacy",
    "external_efficacy",
    "influence",
    "deliberative_quality",
    "hybrid_openness",
)

AGREE_THRESHOLDS = np.array([-1.5, -0.6, 0.2, 1.1])
ELEVEN_THRESHOLDS = (np.arange(1, 11) - 0.5 - 5.0) / 2.3

#: Response formats: (lowest code, thresholds, missing codes as (code, meaning, base rate)).
FORMATS: dict[str, tuple[int, np.ndarray, tuple[tuple[int, str, float], ...]]] = {
    "agree_5": (1, AGREE_THRESHOLDS, ((8, "dont_know", 0.015), (9, "refused", 0.005))),
    "trust_0_10": (0, ELEVEN_THRESHOLDS, ((77, "refused", 0.005), (88, "dont_know", 0.02))),
    "say_0_10": (0, ELEVEN_THRESHOLDS, ((77, "refused", 0.005), (88, "dont_know", 0.02))),
}

ALL_WAVES = ("pre", "post", "follow_up")
CITIZEN = ("citizen",)
CITIZEN_POLITICIAN = ("citizen", "politician")
OFFICIALS = ("politician", "civil_servant")
EVERYONE = ("citizen", "politician", "civil_servant")


@dataclass(frozen=True)
class ItemSpec:
    """One simulated item: its codes (from the instrument contract) and measurement model."""

    id: str
    instrument: str
    response_scale: str
    trait: str
    loading: float
    intercept: float
    waves: tuple[str, ...]
    respondents: tuple[str, ...]
    reverse: bool = False
    control: bool = False  # asked in the control / population questionnaire (control_standard)

    @property
    def low(self) -> int:
        return FORMATS[self.response_scale][0]

    @property
    def high(self) -> int:
        return self.low + len(FORMATS[self.response_scale][1])

    @property
    def thresholds(self) -> np.ndarray:
        return FORMATS[self.response_scale][1]

    @property
    def missing_codes(self) -> tuple[tuple[int, str, float], ...]:
        return FORMATS[self.response_scale][2]

    def allowed_codes(self) -> set[int]:
        """Substantive codes plus missing codes."""
        return set(range(self.low, self.high + 1)) | {c for c, _, _ in self.missing_codes}


def _trust(item_id: str, intercept: float, loading: float) -> ItemSpec:
    return ItemSpec(item_id, "institutional_trust", "trust_0_10", "trust", loading, intercept,
                    ALL_WAVES, EVERYONE, control=True)


def _eff(item_id: str, trait: str, intercept: float, loading: float, reverse: bool = False) -> ItemSpec:
    return ItemSpec(item_id, "political_efficacy", "agree_5", trait, loading, intercept,
                    ALL_WAVES, CITIZEN, reverse=reverse, control=True)


def _dx(item_id: str, intercept: float, loading: float, respondents: tuple[str, ...] = CITIZEN) -> ItemSpec:
    # The facilitation, equal-opportunity, respect, balanced-evidence and free-decision items are
    # asked of every side of a hybrid body (EVERYONE). build_responses draws every item for every
    # respondent and masks what was not asked, so widening ``respondents`` unmasks answers already
    # drawn: no random draw and no citizen's answer changes.
    return ItemSpec(item_id, "deliberative_experience", "agree_5", "deliberative_quality", loading,
                    intercept, ("post",), respondents)


def _hybrid(item_id: str, intercept: float, loading: float) -> ItemSpec:
    return ItemSpec(item_id, "hybrid_body", "agree_5", "hybrid_openness", loading, intercept,
                    ("pre", "post"), OFFICIALS)


#: Substantive items in questionnaire order (participant_standard).
ITEMS: tuple[ItemSpec, ...] = (
    _trust("trust_parliament", 0.0, 0.80),
    _trust("trust_legal_system", 0.30, 0.65),
    _trust("trust_police", 0.60, 0.55),
    _trust("trust_politicians", -0.45, 0.80),
    _trust("trust_parties", -0.55, 0.78),
    _trust("trust_european_parliament", -0.10, 0.60),
    _trust("trust_united_nations", 0.20, 0.55),
    _trust("trust_national_government", -0.15, 0.78),
    _trust("trust_local_government", 0.20, 0.72),
    _trust("trust_civil_service", 0.30, 0.60),
    _eff("efficacy_int_understand", "internal_efficacy", 0.30, 0.80),
    _eff("efficacy_int_confidence", "internal_efficacy", 0.00, 0.78),
    _eff("efficacy_int_complicated", "internal_efficacy", -0.10, 0.72, reverse=True),
    _eff("efficacy_ext_care", "external_efficacy", -0.30, 0.80),
    _eff("efficacy_ext_contact", "external_efficacy", -0.40, 0.76),
    _eff("efficacy_ext_no_say", "external_efficacy", -0.20, 0.72, reverse=True),
    ItemSpec("influence_expected", "perceived_influence", "agree_5", "influence", 0.75, 0.20,
             ("pre",), CITIZEN_POLITICIAN),
    ItemSpec("influence_perceived", "perceived_influence", "agree_5", "influence", 0.78, 0.10,
             ("post", "follow_up"), CITIZEN_POLITICIAN),
    ItemSpec("influence_confidence_response", "perceived_influence", "agree_5", "influence", 0.72,
             -0.10, ALL_WAVES, CITIZEN_POLITICIAN),
    ItemSpec("influence_have_say", "perceived_influence", "say_0_10", "influence", 0.75, -0.40,
             ALL_WAVES, CITIZEN, control=True),
    _dx("dx_facilitation_neutral", 0.90, 0.62, EVERYONE),
    _dx("dx_equal_opportunity", 0.80, 0.68, EVERYONE),
    _dx("dx_respect", 1.10, 0.60, EVERYONE),
    _dx("dx_mutual_understanding", 0.70, 0.66),
    _dx("dx_evidence_balanced", 0.50, 0.64, EVERYONE),
    _dx("dx_evidence_sufficient", 0.30, 0.62),
    _dx("dx_time_enough", 0.00, 0.55),
    _dx("dx_free_decision", 0.80, 0.60, EVERYONE),
    _dx("dx_ownership_wording", 0.60, 0.64),
    _hybrid("hybrid_citizen_competence", 0.10, 0.80),
    _hybrid("hybrid_share_agenda", -0.10, 0.76),
    _hybrid("hybrid_usefulness", 0.30, 0.74),
)

ITEM_BY_ID: dict[str, ItemSpec] = {it.id: it for it in ITEMS}

#: Demographic items (instrument ``demographics``): categorical string codes, asked citizens at
#: pre; a few answers are the missing code ``refused`` (rate :data:`DEMOGRAPHIC_REFUSED`).
DEMOGRAPHIC_REFUSED = ("refused", 0.005)
DEMOGRAPHIC_RESPONDENTS = CITIZEN

DEMOGRAPHICS: dict[str, tuple[str, ...]] = {
    "demo_gender": ("woman", "man", "other"),
    "demo_age_band": ("16_24", "25_34", "35_44", "45_54", "55_64", "65_plus"),
    "demo_education": ("isced_0_2", "isced_3_4", "isced_5_8"),
    "demo_region": ("region_1", "region_2", "region_3", "region_4", "region_5"),
    "demo_employment": ("employed", "unemployed", "student", "retired", "other_inactive"),
    "demo_migration": ("none", "first_generation", "second_generation"),
    "demo_prior_participation": ("yes", "no"),
}


@dataclass(frozen=True)
class ScaleSpec:
    """A multi-item scale of the instrument contract (mean of items, ``min_valid`` answers)."""

    id: str
    trait: str
    items: tuple[str, ...]
    min_valid: int


SCALES: tuple[ScaleSpec, ...] = (
    ScaleSpec("trust_political_institutions", "trust",
              ("trust_parliament", "trust_politicians", "trust_parties",
               "trust_national_government", "trust_local_government"), 3),
    ScaleSpec("internal_efficacy", "internal_efficacy",
              ("efficacy_int_understand", "efficacy_int_confidence", "efficacy_int_complicated"), 2),
    ScaleSpec("external_efficacy", "external_efficacy",
              ("efficacy_ext_care", "efficacy_ext_contact", "efficacy_ext_no_say"), 2),
    ScaleSpec("deliberative_quality", "deliberative_quality",
              tuple(it.id for it in ITEMS if it.instrument == "deliberative_experience"), 6),
    ScaleSpec("hybrid_openness", "hybrid_openness",
              ("hybrid_citizen_competence", "hybrid_share_agenda", "hybrid_usefulness"), 2),
)

SCALE_BY_ID: dict[str, ScaleSpec] = {s.id: s for s in SCALES}
