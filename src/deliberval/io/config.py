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
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from deliberval.errors import DataInputError

__all__ = ["DataFiles", "ProcessConfig", "load_config"]


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

    def items(self) -> list[tuple[str, Path]]:
        """The files given, as ``(key, path)`` pairs in a fixed order."""
        keys = ("responses", "mapping", "members", "targets", "register", "events", "process")
        return [(k, getattr(self, k)) for k in keys if getattr(self, k) is not None]


class ProcessConfig(_Strict):
    """One process: its id, instrument, data files and the settings of its evaluation and report."""

    process_id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    title: str | None = None
    example: str | None = Field(default=None, description="Name of a built-in SYNTHETIC example.")
    instrument: str = "participant_standard"
    surveys_dirs: list[Path] = Field(default_factory=list)
    data: DataFiles = Field(default_factory=DataFiles)
    language: Literal["en", "fr"] = "en"
    seed: int = 2021
    min_cell_size: int = Field(default=5, ge=1)
    confidence_level: float = Field(default=0.95, gt=0, lt=1)
    as_of: dt.date | None = None
    deadline_days: int | None = Field(default=None, ge=1)
    base_dir: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _source(self) -> ProcessConfig:
        if self.example is None and not self.data.items():
            raise ValueError("give the data files under 'data' or a built-in 'example'")
        if self.example is not None and self.data.items():
            raise ValueError("give either 'data' or 'example', not both")
        return self

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
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeError) as exc:
        raise DataInputError(f"{p}: not a valid YAML file ({exc})") from None
    if not isinstance(raw, dict):
        raise DataInputError(f"{p}: expected a mapping of settings (process_id, data, ...)")
    try:
        cfg = ProcessConfig.model_validate({**raw, "base_dir": p.resolve().parent})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "configuration"
        raise DataInputError(f"{p}: {where}: {first['msg']}") from None
    for key, _ in cfg.data.items():
        f = cfg.path(key)
        assert f is not None
        if not f.exists():
            raise DataInputError(f"{p}: data.{key}: file {f} does not exist")
    return cfg
