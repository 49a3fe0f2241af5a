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
from deliberval.errors import AnalysisInputError, DataInputError, DelibervalError, InstrumentError

__all__ = [
    "AnalysisInputError",
    "DataInputError",
    "DelibervalError",
    "InstrumentError",
    "__version__",
    "instruments",
]
