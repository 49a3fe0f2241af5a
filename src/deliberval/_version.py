"""The installed version of deliberval, read once from the package metadata.

A leaf module: it imports nothing from deliberval, so any module (the codebook writer, the
report, the command line) can import ``__version__`` from here without importing the package
face and without an import cycle.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__: str = version("deliberval")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
