"""Versioned coding schemes for qualitative registers (recommendation uptake).

A coding scheme is a YAML file, like the survey instruments: users copy the shipped
``uptake_v1.yaml`` (beside this module), adapt labels, definitions or fidelity weights, bump the
version and load their copy with :func:`load_scheme`. This module holds the pydantic models and
the YAML loader; it reads no data.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from deliberval.errors import InstrumentError, Problem

__all__ = ["Code", "CodingScheme", "Dimension", "load_scheme", "shipped_scheme_path"]

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Code(_Strict):
    """One code of a dimension (e.g. ``rejected_with_reasons``)."""

    code: str
    label: str
    definition: str = ""
    rank: int | None = Field(None, description="Order of an ordinal code; equal ranks = same level.")
    weight: float | None = Field(None, ge=0, le=1, description="Fidelity weight in [0, 1].")
    rejected: bool = False
    justified: bool | None = None

    @model_validator(mode="after")
    def _snake(self) -> Code:
        if not _SNAKE.match(self.code):
            raise ValueError(f"code {self.code!r} must be snake_case (a-z, 0-9, _)")
        return self


class Dimension(_Strict):
    """A coded column: its level of measurement and its codes."""

    level: Literal["nominal", "ordinal"]
    codes: tuple[Code, ...]
    uptake_from: str | None = None
    implemented_from: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Dimension:
        names = [c.code for c in self.codes]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate code(s) {dupes}")
        if self.level == "ordinal" and any(c.rank is None for c in self.codes):
            raise ValueError("every code of an ordinal dimension needs a rank")
        for key in ("uptake_from", "implemented_from"):
            value = getattr(self, key)
            if value is not None and value not in names:
                raise ValueError(f"{key} {value!r} is not one of the codes {names}")
        return self

    @property
    def values(self) -> tuple[str, ...]:
        """The codes in file order (for an ordinal dimension: lowest to highest)."""
        codes = self.codes
        if self.level == "ordinal":
            codes = tuple(sorted(codes, key=lambda c: c.rank if c.rank is not None else 0))
        return tuple(c.code for c in codes)

    def get(self, code: str) -> Code:
        """The :class:`Code` called ``code``; ``KeyError`` if there is none."""
        for c in self.codes:
            if c.code == code:
                return c
        raise KeyError(code)


class CodingScheme(_Strict):
    """The uptake coding scheme: ``response_status`` (ordinal), ``fidelity`` and ``impact_type``.

    Examples
    --------
    >>> from deliberval.instruments.coding import load_scheme
    >>> scheme = load_scheme()
    >>> scheme.version
    '1.0.0'
    >>> scheme.status_order[:3]
    ('no_response', 'acknowledged', 'rejected_without_reasons')
    >>> scheme.uptake_codes
    ('accepted_in_principle', 'partially_implemented', 'implemented')
    >>> scheme.fidelity_weights["modified"]
    0.5
    """

    id: str
    version: str
    title: str
    description: str = ""
    references: tuple[str, ...] = ()
    response_status: Dimension
    fidelity: Dimension
    impact_type: Dimension

    @model_validator(mode="after")
    def _checks(self) -> CodingScheme:
        if not _SEMVER.match(self.version):
            raise ValueError(f"version {self.version!r} must be semantic, e.g. '1.0.0'")
        rs = self.response_status
        if rs.level != "ordinal":
            raise ValueError("response_status must be ordinal")
        if rs.uptake_from is None or rs.implemented_from is None:
            raise ValueError("response_status needs uptake_from and implemented_from")
        if any(c.weight is None for c in self.fidelity.codes):
            raise ValueError("every fidelity code needs a weight in [0, 1]")
        return self

    # response status -------------------------------------------------------------------------
    @property
    def status_order(self) -> tuple[str, ...]:
        """Response-status codes from lowest to highest rank (ties kept in file order)."""
        return self.response_status.values

    @property
    def status_rank(self) -> dict[str, int]:
        """Rank of every response-status code."""
        return {c.code: int(c.rank or 0) for c in self.response_status.codes}

    @property
    def no_response_code(self) -> str:
        """The lowest response status (no public response)."""
        return self.status_order[0]

    def _at_least(self, code: str) -> tuple[str, ...]:
        floor = self.status_rank[code]
        return tuple(c for c in self.status_order if self.status_rank[c] >= floor)

    @property
    def uptake_codes(self) -> tuple[str, ...]:
        """Statuses that count as taken up (``uptake_from`` or higher)."""
        return self._at_least(str(self.response_status.uptake_from))

    @property
    def implemented_codes(self) -> tuple[str, ...]:
        """Statuses that count as implemented (``implemented_from`` or higher)."""
        return self._at_least(str(self.response_status.implemented_from))

    @property
    def rejected_codes(self) -> dict[str, bool | None]:
        """Rejection statuses mapped to whether they come with a justification."""
        return {c.code: c.justified for c in self.response_status.codes if c.rejected}

    # fidelity / impact -----------------------------------------------------------------------
    @property
    def fidelity_weights(self) -> dict[str, float]:
        """Weight of each fidelity code in the fidelity-weighted uptake."""
        return {c.code: float(c.weight if c.weight is not None else 0.0) for c in self.fidelity.codes}

    @property
    def impact_codes(self) -> tuple[str, ...]:
        """Impact-type codes."""
        return self.impact_type.values

    def codes(self, column: str) -> tuple[str, ...]:
        """Allowed codes of ``column`` (``response_status``, ``fidelity`` or ``impact_type``)."""
        dims = {"response_status": self.response_status, "fidelity": self.fidelity,
                "impact_type": self.impact_type}
        if column not in dims:
            raise KeyError(column)
        return dims[column].values


def shipped_scheme_path() -> Path:
    """Path of the shipped ``uptake_v1.yaml``.

    Copy this file to adapt labels, definitions or fidelity weights, then load the copy with
    :func:`load_scheme`.

    Returns
    -------
    pathlib.Path
        The YAML file inside the installed package.

    Examples
    --------
    >>> shipped_scheme_path().name
    'uptake_v1.yaml'
    >>> shipped_scheme_path().is_file()
    True
    """
    return Path(str(resources.files("deliberval.instruments"))) / "uptake_v1.yaml"


def load_scheme(path: str | os.PathLike[str] | None = None) -> CodingScheme:
    """Load and check a coding scheme (default: the shipped ``uptake_v1.yaml``).

    Parameters
    ----------
    path : path-like, optional
        A YAML file following the layout of ``uptake_v1.yaml``.

    Returns
    -------
    CodingScheme
        The checked scheme.

    Raises
    ------
    InstrumentError
        If the file cannot be read or breaks the format; every problem is listed.

    Examples
    --------
    >>> from deliberval.instruments.coding import load_scheme
    >>> load_scheme().codes("impact_type")
    ('instrumental', 'conceptual', 'capacity')
    """
    if path is None:
        return _shipped()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _shipped() -> CodingScheme:
    return _load(shipped_scheme_path())


def _load(path: Path) -> CodingScheme:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise InstrumentError([Problem(str(path), "", "", f"cannot read coding scheme: {exc}")]) from None
    if not isinstance(raw, dict):
        raise InstrumentError([Problem(str(path), "", "", "a coding scheme must be a YAML mapping")])
    try:
        return CodingScheme.model_validate(raw)
    except ValidationError as exc:
        problems = [
            Problem(str(path), ".".join(str(p) for p in err["loc"]), "", err["msg"])
            for err in exc.errors()
        ]
        raise InstrumentError(problems) from None
