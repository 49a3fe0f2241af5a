"""Test-wide settings: a non-interactive matplotlib backend and the shared-data location."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

TESTS = Path(__file__).parent
DATA = TESTS / "data"
REFERENCE = TESTS / "reference"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder of the real, licensed data copied for tests (see tests/data/SOURCES.md)."""
    return DATA


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Folder of golden values and the scripts that produced them."""
    return REFERENCE


@pytest.fixture(scope="session")
def has_rscript() -> bool:
    return shutil.which("Rscript") is not None
