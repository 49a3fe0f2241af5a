"""The instrument format: pydantic models for one survey instrument in ``surveys/*.yaml``.

The models check *structure* (types, allowed literals). Cross-field rules that need the whole
instrument (an item's scale exists, ids are unique, English text is present, ...) live in
:mod:`deliberval.instruments.check`, which collects every problem instead of stopping at the first.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "MISSING_MEANINGS",
    "ROLES",
    "WAVES",
    "Instrument",
    "Item",
    "MissingCode",
    "ModuleRef",
    "Questionnaire",
    "ResponseScale",
    "ResponseValue",
    "Scale",
    "ScoringRule",
    "Source",
    "TranslationInfo",
    "ValidationEvidence",
    "json_schemas",
]

Wave = Literal["pre", "post", "follow_up"]
Role = Literal["citizen", "politician", "civil_servant", "organiser", "stakeholder"]
ScaleType = Literal["likert", "numeric", "categorical", "text"]
MissingMeaning = Literal["dont_know", "refused", "not_applicable", "no_answer", "other"]

WAVES: tuple[str, ...] = ("pre", "post", "follow_up")
ROLES: tuple[str, ...] = ("citizen", "politician", "civil_servant", "organiser", "stakeholder")
MISSING_MEANINGS: tuple[str, ...] = ("dont_know", "refused", "not_applicable", "no_answer", "other")

_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_LANG = re.compile(r"^[a-z]{2}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MissingCode(_Strict):
    """A code that means "no substantive answer", e.g. ``77`` = don't know."""

    code: int | str
    meaning: MissingMeaning
    labels: dict[str, str] = Field(default_factory=dict, description="Label per language code.")


class ResponseValue(_Strict):
    """One allowed answer of a response scale with its label in each language."""

    value: int | float | str
    labels: dict[str, str] = Field(default_factory=dict)


class ResponseScale(_Strict):
    """A named response scale shared by items (e.g. ``trust_0_10``)."""

    id: str
    type: ScaleType
    min: float | None = None
    max: float | None = None
    values: list[ResponseValue] = Field(default_factory=list)
    missing_codes: list[MissingCode] = Field(
        default_factory=list, description="Default missing codes of every item on this scale."
    )
    agree_values: list[int | float | str] = Field(
        default_factory=list,
        description="Values that count as agreeing (top-two box) for Likert scales.",
    )
    randomize: bool = Field(
        default=False,
        description="Show the answer options of every item on this scale in a random order, "
        "freshly shuffled for each respondent (XLSForm parameters randomize=true). An item's own "
        "randomize overrides it. Only for scales answered by choosing from a list.",
    )


class Source(_Strict):
    """Where an item's wording comes from."""

    citation: str
    wording: Literal["verbatim", "adapted", "new"]
    note: str = ""


class TranslationInfo(_Strict):
    """Status of one language version of an instrument."""

    status: Literal["source", "official", "unofficial"]
    source: str = ""


# "construct" is the field's natural name in the YAML; it shadows pydantic's deprecated
# ``BaseModel.construct`` classmethod, which deliberval never uses.
warnings.filterwarnings("ignore", message='Field name "construct"', category=UserWarning)


class Item(_Strict):
    """One survey question."""

    id: str
    construct: str  # type: ignore[assignment]
    text: dict[str, str]
    scale: str = Field(description="Id of a response scale of the same instrument.")
    reverse: bool = False
    missing_codes: list[MissingCode] | None = Field(
        default=None, description="Overrides the response scale's missing codes when given."
    )
    waves: list[Wave]
    respondents: list[Role]
    source: Source
    translations: dict[str, TranslationInfo] = Field(
        default_factory=dict,
        description="Per-language status when it differs from the instrument's languages entry.",
    )
    free_text: bool = Field(
        default=False, description="Answers may identify people; never published in reports."
    )
    randomize: bool | None = Field(
        default=None,
        description="Show this item's answer options in a random order for each respondent "
        "(XLSForm parameters randomize=true); default: as its response scale says.",
    )
    process_field: str | None = Field(
        default=None,
        description="Organiser questionnaires: the column of the process table this answer fills "
        "(see deliberval.io.organiser.process_fields).",
    )


class ScoringRule(_Strict):
    """How a scale score is computed from its items."""

    method: Literal["mean", "sum"] = "mean"
    min_valid: int = Field(ge=1, description="Minimum number of valid item answers to score.")


class ValidationEvidence(_Strict):
    """Published evidence that a scale is reliable or valid."""

    citation: str
    statistic: str = ""
    value: float | None = None
    note: str = ""


class Scale(_Strict):
    """A multi-item scale: items that are scored together."""

    id: str
    construct: str  # type: ignore[assignment]
    items: list[str]
    scoring: ScoringRule
    validation: list[ValidationEvidence] = Field(default_factory=list)


class Instrument(_Strict):
    """One instrument: response scales, items and the scales built from them."""

    id: str
    version: str
    title: dict[str, str]
    description: str = ""
    languages: dict[str, TranslationInfo]
    citations: list[str] = Field(default_factory=list)
    licence: str = Field(description="Licence of the item wording and of the translations.")
    response_scales: list[ResponseScale]
    items: list[Item]
    scales: list[Scale] = Field(default_factory=list)

    @field_validator("version")
    @classmethod
    def _semver(cls, v: str) -> str:
        if not _SEMVER.match(v):
            raise ValueError(f"version {v!r} is not a semantic version such as '1.0.0'")
        return v

    # ---- convenience look-ups -------------------------------------------------------------
    def item(self, item_id: str) -> Item:
        """Return the item with this id (``KeyError`` naming the instrument if absent)."""
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(f"instrument {self.id!r} has no item {item_id!r}")

    def response_scale(self, scale_id: str) -> ResponseScale:
        """Return the response scale with this id."""
        for sc in self.response_scales:
            if sc.id == scale_id:
                return sc
        raise KeyError(f"instrument {self.id!r} has no response scale {scale_id!r}")

    def scale(self, scale_id: str) -> Scale:
        """Return the multi-item scale with this id."""
        for sc in self.scales:
            if sc.id == scale_id:
                return sc
        raise KeyError(f"instrument {self.id!r} has no scale {scale_id!r}")

    def missing_codes(self, item_id: str) -> list[MissingCode]:
        """Missing codes that apply to an item (its own, else its response scale's)."""
        it = self.item(item_id)
        if it.missing_codes is not None:
            return list(it.missing_codes)
        return list(self.response_scale(it.scale).missing_codes)

    def randomized(self, item_id: str) -> bool:
        """Whether an item's answer options are shown in a random order (its own flag, else its scale's)."""
        it = self.item(item_id)
        if it.randomize is not None:
            return it.randomize
        return self.response_scale(it.scale).randomize

    def item_ids(self) -> list[str]:
        """Item ids in questionnaire order."""
        return [it.id for it in self.items]

    @property
    def constructs(self) -> list[str]:
        """Distinct constructs measured, in order of first appearance."""
        return list(dict.fromkeys(it.construct for it in self.items))


class ModuleRef(_Strict):
    """A module (instrument) included in a questionnaire, optionally restricted."""

    instrument: str
    waves: list[Wave] | None = Field(
        default=None, description="Ask only in these waves (intersected with each item's waves)."
    )
    items: list[str] | None = Field(default=None, description="Only these items (default all).")
    respondents: list[Role] | None = Field(
        default=None,
        description="Ask only these respondents (intersected with each item's respondents).",
    )


class Questionnaire(_Strict):
    """A questionnaire composed of instrument modules (``kind: questionnaire`` in YAML)."""

    kind: Literal["questionnaire"]
    id: str
    version: str
    title: dict[str, str]
    description: str = ""
    group: str = Field(default="participant", description="Who it is for: participant, control...")
    languages: dict[str, TranslationInfo]
    licence: str
    modules: list[ModuleRef]

    @field_validator("version")
    @classmethod
    def _semver(cls, v: str) -> str:
        if not _SEMVER.match(v):
            raise ValueError(f"version {v!r} is not a semantic version such as '1.0.0'")
        return v


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas of the YAML formats, keyed by the file name they are published under in docs/.

    Editors that understand JSON Schema (for example VS Code with the YAML extension) can use
    them to complete and check instrument files while they are written.

    Returns
    -------
    dict
        ``{"instrument.schema.json": schema, "questionnaire.schema.json": schema}``, each a
        JSON Schema (draft 2020-12) as a dict.

    Examples
    --------
    >>> schemas = json_schemas()
    >>> sorted(schemas)
    ['instrument.schema.json', 'questionnaire.schema.json']
    >>> schemas["instrument.schema.json"]["required"]
    ['id', 'version', 'title', 'languages', 'licence', 'response_scales', 'items']
    """
    out: dict[str, dict[str, Any]] = {}
    for name, model in (("instrument", Instrument), ("questionnaire", Questionnaire)):
        schema = model.model_json_schema(mode="validation")
        out[f"{name}.schema.json"] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://github.com/deliberval/deliberval/blob/main/docs/{name}.schema.json",
            **schema,
        }
    return out


def is_snake_case(name: str) -> bool:
    """True for ``snake_case`` identifiers as used for item and scale ids."""
    return bool(_SNAKE.match(name))


def is_language_code(code: str) -> bool:
    """True for two-letter ISO 639-1 codes."""
    return bool(_LANG.match(code))
