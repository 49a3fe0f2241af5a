"""The io fixtures' instrument for privacy tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from deliberval.instruments import load_instrument
from deliberval.instruments.model import Instrument


@pytest.fixture(scope="session")
def fixture_instrument() -> Instrument:
    return load_instrument("fixture_survey", [Path(__file__).parents[1] / "io" / "fixtures" / "surveys"])
