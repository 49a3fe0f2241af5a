"""The indicator catalogue: a versioned YAML file checked by pydantic models.

The shipped catalogue (``catalogue.yaml`` next to this module) organises indicators as the OECD
(2021) evaluation guidelines organise evaluation: process design integrity, the deliberative
experience, and pathways to impact. Every indicator names the data it needs, the deliberval
function that computes it, its unit, its direction and an optional threshold.
"""

from __future__ import annotations

import os
import re
import warnings
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from deliberval.errors import DataInputError
from deliberval.instruments.model import Instrument

__all__ = ["Catalogue", "IndicatorSpec", "OutcomeSpec", "load_catalogue", "resolve_measure"]

Stage = Literal["design_integrity", "deliberative_experience", "pathways_to_impact"]
Unit = Literal[
    "proportion", "percentage_points", "index", "scale_mean", "effect_size", "scale_points", "yes_no"
]
Direction = Literal["higher_is_better", "lower_is_better"]

#: Forms a ``needs`` entry may take.
NEED_PATTERN = re.compile(
    r"^(members|targets|selection_funnel|register"
    r"|responses:(pre|post|follow_up|control|politicians)"
    r"|process:[a-z][a-z0-9_]*)$"
)


# "construct" is the field's natural name in the YAML; it shadows pydantic's deprecated
# ``BaseModel.construct`` classmethod, which deliberval never uses (as in instruments.model).
warnings.filterwarnings("ignore", message='Field name "construct"', category=UserWarning)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndicatorSpec(_Strict):
    """One indicator of the catalogue."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: dict[str, str] = Field(description="Label per language code; 'en' is required.")
    stage: Stage
    criterion: str
    theme: str | None = None
    needs: list[str] = Field(min_length=1, description="Data the indicator is computed from.")
    items: list[str] = Field(default_factory=list)
    scale: str | None = None
    construct: str | None = Field(  # type: ignore[assignment]
        default=None,
        description="Construct of the item or scale: how an instrument without the library id is matched.",
    )
    function: str | None = Field(description="deliberval function computing it (null: a fact).")
    unit: Unit
    direction: Direction
    threshold: float | None = None
    threshold_source: str | None = Field(
        default=None, description="Where the threshold comes from (default: the catalogue's threshold_source).")

    @field_validator("label")
    @classmethod
    def _english(cls, v: dict[str, str]) -> dict[str, str]:
        if "en" not in v:
            raise ValueError("every label needs an English ('en') text")
        return v

    @field_validator("needs")
    @classmethod
    def _needs(cls, v: list[str]) -> list[str]:
        bad = [n for n in v if not NEED_PATTERN.match(n)]
        if bad:
            raise ValueError(
                f"unknown data need(s) {bad}; use members, targets, selection_funnel, register, "
                "responses:<pre|post|follow_up|control|politicians> or process:<field>"
            )
        return v

    def text(self, lang: str) -> str:
        """The label in ``lang``, English when there is no translation."""
        return self.label.get(lang, self.label["en"])


class OutcomeSpec(_Strict):
    """An outcome whose change the report shows: a library scale or item, matched by construct."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    construct: str  # type: ignore[assignment]
    label: dict[str, str]
    roles: list[str] = Field(default_factory=lambda: ["citizen"],
                             description="Roles it is asked of; citizens' outcomes are also "
                                         "compared with the control group.")

    def text(self, lang: str) -> str:
        """The label in ``lang``, English when there is no translation."""
        return self.label.get(lang, self.label["en"])


class Catalogue(_Strict):
    """The whole catalogue: version, reference, stage and criterion labels, outcomes, indicators."""

    id: str
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    reference: str
    threshold_source: str = Field(
        default="deliberval catalogue default (a convention of this package, not a published standard)",
        description="Source stated for every threshold without its own threshold_source.")
    stages: dict[Stage, dict[str, str]]
    criteria: dict[str, dict[str, str]]
    outcomes: list[OutcomeSpec] = Field(default_factory=list)
    experience_constructs: list[str] = Field(default_factory=list)
    construct_labels: dict[str, dict[str, str]] = Field(default_factory=dict)
    indicators: list[IndicatorSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        ids = [i.id for i in self.indicators]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicated indicator id(s): {dup}")
        unknown = sorted({i.criterion for i in self.indicators} - set(self.criteria))
        if unknown:
            raise ValueError(f"criteria without a label in 'criteria': {unknown}")
        return self

    def get(self, indicator_id: str) -> IndicatorSpec:
        """The indicator with this id."""
        for spec in self.indicators:
            if spec.id == indicator_id:
                return spec
        raise KeyError(f"catalogue {self.id} {self.version} has no indicator {indicator_id!r}")

    def source_of_threshold(self, indicator_id: str) -> str:
        """The stated source of an indicator's catalogue threshold ("" when it has none).

        Examples
        --------
        >>> load_catalogue().source_of_threshold("facilitation_neutral")
        'deliberval catalogue 1.2.0 default (a convention of this package, not a published standard)'
        """
        spec = self.get(indicator_id)
        if spec.threshold is None:
            return ""
        if spec.threshold_source:
            return spec.threshold_source
        return self.threshold_source.replace("deliberval catalogue", f"deliberval catalogue {self.version}", 1)

    def stage_label(self, stage: str, lang: str) -> str:
        """Label of an OECD stage in ``lang``."""
        labels = self.stages.get(stage, {})  # type: ignore[call-overload]
        return str(labels.get(lang, labels.get("en", stage)))

    def construct_label(self, construct: str, lang: str) -> str | None:
        """Label of a construct in ``lang`` (None when the catalogue names none)."""
        labels = self.construct_labels.get(construct)
        return None if labels is None else labels.get(lang, labels.get("en", construct))

    def criterion_label(self, criterion: str, lang: str) -> str:
        """Label of a criterion in ``lang``."""
        labels = self.criteria.get(criterion, {})
        return labels.get(lang, labels.get("en", criterion))


def resolve_measure(instrument: Instrument, measure_id: str, construct: str | None) -> str | None:
    """The column of ``instrument`` that measures a catalogue outcome or indicator item.

    The library id when the instrument has a scale or item of that id; else the first scale
    declaring ``construct``; else the one item declaring it (a single-item measure); else None.

    Examples
    --------
    >>> from deliberval.instruments import load_instrument
    >>> ins = load_instrument("participant_standard")
    >>> resolve_measure(ins, "external_efficacy", "external_efficacy")
    'external_efficacy'
    >>> resolve_measure(ins, "my_trust", "institutional_trust")
    'trust_political_institutions'
    >>> resolve_measure(ins, "attitude", "no_such_construct") is None
    True
    """
    scale_ids = [s.id for s in instrument.scales]
    if measure_id in scale_ids or measure_id in instrument.item_ids():
        return measure_id
    if construct is None:
        return None
    for s in instrument.scales:
        if s.construct == construct:
            return s.id
    items = [it.id for it in instrument.items if it.construct == construct and not it.free_text]
    return items[0] if len(items) == 1 else None


def _shipped() -> Path:
    return Path(str(resources.files("deliberval.indicators"))) / "catalogue.yaml"


@cache
def _load_shipped() -> Catalogue:
    return _parse(_shipped())


def _parse(path: Path) -> Catalogue:
    if not path.exists():
        raise DataInputError(f"{path}: indicator catalogue not found")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise DataInputError(f"{path}: not valid YAML ({exc})") from None
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DataInputError(
            f"{path}: {exc.error_count()} problem(s) in the indicator catalogue; first at "
            f"{where}: {first['msg']}"
        ) from None


def load_catalogue(path: str | os.PathLike[str] | None = None) -> Catalogue:
    """Load and check an indicator catalogue (the shipped one by default).

    Parameters
    ----------
    path : path-like, optional
        A catalogue YAML of your own, with the same structure as the shipped one.

    Returns
    -------
    Catalogue

    Raises
    ------
    DataInputError
        Missing file, invalid YAML, or a catalogue breaking the model (the first problem is
        named with its YAML path).

    Examples
    --------
    >>> cat = load_catalogue()
    >>> cat.version
    '1.2.0'
    >>> spec = cat.get("facilitation_neutral")
    >>> spec.stage, spec.unit, spec.threshold
    ('deliberative_experience', 'proportion', 0.8)
    >>> spec.text("fr")
    "Membres jugeant l'animation neutre"
    """
    if path is None:
        return _load_shipped()
    return _parse(Path(path))
