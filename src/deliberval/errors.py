"""Exceptions raised by deliberval.

Every error a user can trigger with bad input is a :class:`DelibervalError`, so the CLI can
turn it into one clear line and exit code 2 instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AnalysisInputError",
    "DataInputError",
    "DelibervalError",
    "DelibervalWarning",
    "InstrumentError",
    "Problem",
]


@dataclass(frozen=True)
class Problem:
    """One problem found in a user's file.

    Attributes
    ----------
    file : str
        The file the problem is in ("" when the input was not a file).
    location : str
        Where in the file: an item id, a row number, a column, a YAML path.
    field : str
        The field, column or key at fault.
    message : str
        What is wrong and what was expected.
    """

    file: str
    location: str
    field: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                f"{self.location}" if self.location else "",
                f"field {self.field!r}" if self.field else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


class DelibervalError(Exception):
    """Base class of every error caused by the user's input or configuration."""


class InstrumentError(DelibervalError, ValueError):
    """An instrument (survey YAML) is malformed. Carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in instrument definition:\n{lines}")


class DataInputError(DelibervalError, ValueError):
    """A data file or table cannot be used as given (unreadable, unknown format, bad columns)."""


class AnalysisInputError(DelibervalError, ValueError):
    """The arguments or data passed to an analysis cannot give a meaningful result."""


class DelibervalWarning(UserWarning):
    """Base class of every warning deliberval issues about the user's data or settings.

    Filter them all at once, e.g. ``warnings.simplefilter("error", DelibervalWarning)`` to
    make every one an error, or ``"ignore"`` to silence them.
    """
