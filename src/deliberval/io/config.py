"""The process configuration: a small YAML file naming one process, its data files and settings.

Example (paths are relative to the configuration file)::

    process_id: climate_assembly
    instrument: participant_standard
    language: en
    seed: 2021
    min_cell_size: 5
    as_of: 2022-12-31
    deadline_days: 182
    data:
      responses: responses.csv
      members: members.csv
      targets: targets.csv
      register: register.xlsx
      process: process.csv

What the report says beyond the catalogue (all optional)::

    outcomes:                       # scales or items of the instrument reported as pre/post change
      - my_scale                    # label: the construct's catalogue label, else the id
      - {measure: my_item, label: "Trust in the council"}
    thresholds:                     # an indicator's threshold for this report, with its source
      facilitation_neutral: {value: 0.75, source: "evaluation plan agreed with the commissioner"}
    weight: auto                    # auto (the responses' weight column) | none | a column name
    framework: oecd_2021            # criteria coverage against: oecd_2021 | oecd_gpp_2020 | involve_2021 | knoca_2024 ...
    pooling: none                   # none | bayesian: P(true value meets the threshold) per indicator
    verdict_rule: interval          # interval | probability (needs pooling: bayesian)
    invariance: false               # true: test the scales' invariance across languages and waves (2-3 s CPU)
    evaluator: "University X"       # "About this evaluation": evaluator, commissioner,
    commissioner: "City council"    # scope, independence, data sources, limitations and
    evaluation_scope: "..."         # findings (Markdown, raw HTML escaped)
    independence: {level: independent, statement: "..."}
    data_sources: [member_survey, observation, interviews]
    limitations: "..."
    findings: "..."
    uptake:                         # a register coded by several coders: whose codes give the figures
      reference_coder: ann          # a value of the 'coder' column, or consensus (agreed codes)
      say_do_window_days: 365       # days after acceptance before a recommendation counts in the say-do gap
    units:                          # names of the committees / panels ('unit' column) in the report
      labels: {committee_1: "Mobility committee", committee_2: {en: "Housing", fr: "Logement"}}
    controls:                       # a self-selected control group compared on baseline covariates
      covariates: [demo_gender, demo_age_band, demo_education]   # columns of the responses or members
      adjustment: propensity        # propensity (weights + covariates) | none (covariates only)
      trim: 0.05                    # propensity scores clipped to [0.05, 0.95] (default: none)

Instead of ``data`` a configuration may name a built-in SYNTHETIC example with
``example: climate_assembly``; such a configuration is resolved by the command line and
:mod:`deliberval.datasets`, never by :func:`deliberval.validation.load_process` (the data-in path
knows no example).
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from deliberval.errors import DataInputError
from deliberval.io._yaml import load_yaml

__all__ = ["ControlsConfig", "DataFiles", "IndependenceConfig", "OutcomeConfig", "ProcessConfig", "ThresholdConfig", "UnitsConfig",
           "UptakeConfig", "load_config"]


# "register" is the natural key of the YAML; it shadows ABCMeta.register, which is never used here
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataFiles(_Strict):
    """Input files of one process (each optional; what is missing is reported as not assessed)."""

    responses: Path | None = Field(default=None, description="Canonical responses table (any supported format).")
    mapping: Path | None = Field(default=None, description="Mapping file for the responses.")
    members: Path | None = Field(default=None, description="Members / selection funnel table.")
    targets: Path | None = Field(default=None, description="Population targets table.")
    register: Path | None = Field(
        default=None, description="Uptake register: .xlsx, a folder, or a recommendations CSV."
    )
    events: Path | None = Field(default=None, description="Events CSV when register is a recommendations CSV.")
    process: Path | None = Field(default=None, description="One-row process table (facts about the process).")
    dri: Path | None = Field(default=None, description="DRI survey table in deliberr's layout (study, survey, case, "
                                                       "stage_id, stage, pnum, C1.., P1..): the report's DRI section.")
    documents: list[Path] = Field(
        default_factory=list, description="Public documents the register's evidence quotes (PDF, DOCX, HTML, "
                                          "text): every quoted passage is looked up in them.")

    def items(self) -> list[tuple[str, Path]]:
        """The files given, as ``(key, path)`` pairs in a fixed order."""
        keys = ("responses", "mapping", "members", "targets", "register", "events", "process", "dri")
        return [(k, getattr(self, k)) for k in keys if getattr(self, k) is not None]


class OutcomeConfig(_Strict):
    """One outcome of the user's instrument added to the report's pre/post change (``outcomes:``)."""

    measure: str = Field(min_length=1, description="Id of a scale or item of the instrument.")
    label: str | dict[str, str] | None = Field(
        default=None, description="Label in the report (one text, or one per language); default: the "
                                  "item's text, else the construct's catalogue label, else the id.")
    roles: list[Literal["citizen", "politician", "civil_servant", "organiser", "stakeholder"]] | None = Field(
        default=None, min_length=1,
        description="Roles it is asked of (default: citizens, or the catalogue's roles of the same measure); "
                    "citizens' outcomes are also compared with a control group.")


class ThresholdConfig(_Strict):
    """A threshold of one catalogue indicator set for this report, with its source (``thresholds:``)."""

    value: float | None = Field(description="The threshold (null: the indicator has none in this report).")
    source: str = Field(min_length=1, description="Where the threshold comes from (a standard, a "
                                                  "commissioner's target, the evaluation plan ...).")


class IndependenceConfig(_Strict):
    """How independent the evaluator is of the process (stated as the OECD 2021 guidelines ask)."""

    level: Literal["independent", "partly_independent", "internal"] = Field(
        description="independent: no role in commissioning, designing or running the process; "
                    "partly_independent: external but with a stake or a role in the design; "
                    "internal: part of the organising or commissioning team.")
    statement: str | None = Field(default=None, description="Who pays, who chose the evaluator, any conflict.")


class ControlsConfig(_Strict):
    """How the control group is compared with the participants (``controls:``)."""

    covariates: list[str] = Field(min_length=1, description=(
        "Baseline columns of the responses (or of the members table, matched on person_id) on which the "
        "propensity model, the balance table and the covariate-adjusted difference-in-differences rest."))
    adjustment: Literal["propensity", "none"] = Field(default="propensity", description=(
        "'propensity': the adjusted difference-in-differences is weighted by propensity weights (the "
        "controls made to resemble the participants) and adjusts for the covariates; 'none': it adjusts "
        "for the covariates only."))
    trim: float | None = Field(default=None, ge=0, lt=0.5, description=(
        "Clip the propensity scores to [trim, 1 - trim] before forming the weights (e.g. 0.05)."))


class UptakeConfig(_Strict):
    """How the uptake register is read (``uptake:``)."""

    reference_coder: str | None = Field(default=None, min_length=1, description=(
        "The coder (a value of the register's 'coder' column) whose codes give the uptake figures "
        "when several coders coded the events; the agreement uses every coder. 'consensus': the "
        "codes agreed after the coders compared theirs (coder 'consensus'), left out of the agreement."))
    say_do_window_days: int = Field(default=365, ge=1, strict=True, description=(
        "Days after acceptance in principle after which a recommendation not implemented counts in the "
        "say-do gap of the legislature snapshots."))


class UnitsConfig(_Strict):
    """Names of the units (committees, panels) in the report (``units:``)."""

    labels: dict[str, str | dict[str, str]] = Field(default_factory=dict, description=(
        "Unit id (a value of the 'unit' column) -> its name in the report (one text, or one per "
        "language); ids without a label are shown as they are."))


DataSource = Literal["member_survey", "organiser_questionnaire", "observation", "interviews", "document_review"]


class ProcessConfig(_Strict):
    """One process: its id, instrument, data files and the settings of its evaluation and report."""

    process_id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    title: str | None = None
    example: str | None = Field(default=None, description="Name of a built-in SYNTHETIC example.")
    instrument: str = "participant_standard"
    surveys_dirs: list[Path] = Field(default_factory=list)
    data: DataFiles = Field(default_factory=DataFiles)
    language: Literal["en", "fr", "nl", "de", "da"] = "en"
    seed: int = 2021
    min_cell_size: int = Field(default=5, ge=1, description=(
        "Disclosure threshold: smallest number of people a published count, share or mean may rest "
        "on; below 3 only with disclosure_control: off."))
    disclosure_control: bool = Field(default=True, description=(
        "on (default): every rule of the disclosure pass; off: only the min_cell_size threshold, "
        "with a warning printed in the report (needed for min_cell_size 1 or 2)."))
    confidence_level: float = Field(default=0.95, gt=0, lt=1)
    as_of: dt.date | None = None
    deadline_days: int | None = Field(default=None, ge=1)
    date_format: str | None = Field(default=None, description=(
        "How the uptake register writes dates, e.g. '%d/%m/%Y' or 'DD/MM/YYYY' (default: ISO 8601, "
        "YYYY-MM-DD); a register's own 'date_format' (its about sheet) must agree."))
    # ---- report content (the evaluator's own instrument and settings)
    outcomes: list[OutcomeConfig] = Field(
        default_factory=list, description="Scales or items of the instrument reported as pre/post change.")
    thresholds: dict[str, ThresholdConfig] = Field(
        default_factory=dict, description="Indicator id -> threshold and its source, for this report.")
    weight: str = Field(default="auto", min_length=1, description=(
        "'auto': the responses' weight column weights the pre/post change when it has values; 'none': "
        "unweighted (the report says so when the responses carry weights); or the weight column's name."))
    framework: str = Field(default="oecd_2021", pattern=r"^[a-z][a-z0-9_]*$", description=(
        "The evaluation framework of the criteria coverage: oecd_2021 (default), another framework of the "
        "criteria registry (deliberval.indicators.criteria: oecd_gpp_2020, involve_2021, knoca_2024, ...)."))
    pooling: Literal["none", "bayesian"] = Field(default="none", description=(
        "'bayesian': the indicator table gains prob_meets_threshold, the posterior probability that the "
        "true value meets its threshold under a stated reference prior (docs/methods/meta.md)."))
    verdict_rule: Literal["interval", "probability"] = Field(default="interval", description=(
        "'interval': inconclusive when the confidence interval contains the threshold; 'probability' "
        "(needs pooling: bayesian): meets when P >= 0.95, misses when P <= 0.05, else inconclusive."))
    invariance: bool = Field(default=False, description=(
        "true: test the measurement invariance of every scale of 3+ items across languages (at least "
        "50 complete participants each) and across pre/post waves (the same people) in the report's "
        "psychometrics section; off by default for its cost (0.2-0.6 s of CPU per scale and comparison)."))
    evaluator: str | None = None
    commissioner: str | None = None
    evaluation_scope: str | None = Field(default=None, description="What the evaluation covers (Markdown).")
    independence: IndependenceConfig | None = None
    data_sources: list[DataSource] = Field(default_factory=list)
    limitations: str | None = Field(default=None, description="Limitations of the evaluation (Markdown).")
    findings: str | None = Field(default=None, description="The evaluator's narrative findings (Markdown).")
    uptake: UptakeConfig = Field(default_factory=UptakeConfig)
    units: UnitsConfig = Field(default_factory=UnitsConfig)
    controls: ControlsConfig | None = None
    base_dir: Path = Field(default=Path("."), exclude=True)

    @field_validator("outcomes", mode="before")
    @classmethod
    def _outcome_ids(cls, v: Any) -> Any:
        """``- my_scale`` is short for ``- {measure: my_scale}``."""
        if isinstance(v, list):
            return [{"measure": x} if isinstance(x, str) else x for x in v]
        return v

    @model_validator(mode="after")
    def _disclosure(self) -> ProcessConfig:
        if self.min_cell_size < 3 and self.disclosure_control:
            raise PydanticCustomError(
                "disclosure", "min_cell_size {k} is below 3 and does not protect respondents; add "
                "'disclosure_control: off' to publish it anyway (the report will say so)", {"k": self.min_cell_size})
        return self

    @model_validator(mode="after")
    def _source(self) -> ProcessConfig:
        if self.example is None and not self.data.items():
            raise ValueError("give the data files under 'data' or a built-in 'example'")
        if self.example is not None and self.data.items():
            raise ValueError("give either 'data' or 'example', not both")
        return self

    def document_paths(self) -> list[Path]:
        """Absolute paths of ``data: documents:`` (relative paths start at the configuration's folder)."""
        return [p if p.is_absolute() else (self.base_dir / p) for p in self.data.documents]

    def path(self, key: str) -> Path | None:
        """Absolute path of a data file (relative paths start at the configuration's folder)."""
        p = getattr(self.data, key)
        if p is None:
            return None
        return p if p.is_absolute() else (self.base_dir / p)


def load_config(path: str | os.PathLike[str]) -> ProcessConfig:
    """Read and check a process configuration; every data file it names must exist.

    Parameters
    ----------
    path : path-like
        The YAML configuration.

    Returns
    -------
    ProcessConfig

    Raises
    ------
    DataInputError
        Missing or unreadable configuration, an unknown or badly typed key, or a data file
        that does not exist (the message names the key and the path).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "report.yaml").write_text("process_id: demo\\nexample: gentofte_ptc\\n")
    >>> cfg = load_config(folder / "report.yaml")
    >>> cfg.example, cfg.language, cfg.min_cell_size
    ('gentofte_ptc', 'en', 5)
    """
    p = Path(path)
    if not p.is_file():
        raise DataInputError(f"{p}: process configuration not found")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeError as exc:
        raise DataInputError(f"{p}: not a UTF-8 text file (byte {getattr(exc, 'start', '?')})") from None
    # YAML 1.2: process_id: 0123 stays "0123", role: no stays "no"; deep nesting refused
    raw = load_yaml(text, where=str(p), what="process configuration (YAML)")
    if not isinstance(raw, dict):
        raise DataInputError(f"{p}: expected a mapping of settings (process_id, data, ...)")
    try:
        cfg = ProcessConfig.model_validate({**raw, "base_dir": p.resolve().parent})
    except ValidationError as exc:
        # an unknown key is named before what it may have been meant to fill
        first = next((e for e in exc.errors() if e["type"] == "extra_forbidden"), exc.errors()[0])
        where = ".".join(str(x) for x in first["loc"]) or "configuration"
        raise DataInputError(f"{p}: {where}: {first['msg']}") from None
    # surveys folders are relative to the configuration's folder, as the data files are
    dirs = [d if d.is_absolute() else cfg.base_dir / d for d in cfg.surveys_dirs]
    if dirs != cfg.surveys_dirs:
        cfg = cfg.model_copy(update={"surveys_dirs": dirs})
    for key, _ in cfg.data.items():
        f = cfg.path(key)
        assert f is not None
        if not f.exists():
            raise DataInputError(f"{p}: data.{key}: file {f} does not exist")
    return cfg
