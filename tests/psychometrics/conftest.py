"""Datasets and R golden values shared by the psychometrics tests (see tests/reference/psychometrics)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

REF = Path(__file__).resolve().parents[1] / "reference" / "psychometrics"


@pytest.fixture(scope="session")
def holzinger() -> pd.DataFrame:
    return pd.read_csv(REF / "holzinger_swineford.csv")
