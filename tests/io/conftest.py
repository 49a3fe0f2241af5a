"""Fixtures of the io tests: a small instrument and a canonical responses table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.instruments import load_instrument
from deliberval.instruments.model import Instrument

FIXTURES = Path(__file__).parent / "fixtures"
SURVEYS = FIXTURES / "surveys"


@pytest.fixture(scope="session")
def fixture_instrument() -> Instrument:
    return load_instrument("fixture_survey", [SURVEYS])


@pytest.fixture(scope="session")
def dp_instrument() -> Instrument:
    return load_instrument("dp_sample", [SURVEYS])


def make_canonical(n: int = 12, seed: int = 3) -> pd.DataFrame:
    """A canonical responses table with ids, weights, missing codes, NA, categories and text."""
    rng = np.random.default_rng(seed)
    ids = [f"{i:03d}" for i in range(1, n + 1)]
    rows = []
    for wave in ("pre", "post"):
        for k, rid in enumerate(ids):
            rows.append({
                "respondent_id": rid,
                "process_id": "gentofte_ptc_1",
                "wave": wave,
                "group": "participant" if k % 3 else "control",
                "role": "politician" if k % 4 == 0 else "citizen",
                "language": "da" if k % 2 else "en",
                "weight": float(1 / (1 + k % 3)),
                "fx_trust": float(rng.choice([0, 3, 7, 10, 77, 88, np.nan])),
                **{f"fx_eff_{j}": float(rng.choice([1, 2, 3, 4, 5, 8, 9, np.nan])) for j in range(1, 6)},
                "fx_gender": rng.choice(["woman", "man", "other", "dk"]) if wave == "pre" else None,
                "fx_age_band": rng.choice(["16_24", "25_44", "45_64", "65_plus"]) if wave == "pre" else None,
                "fx_comment": (None if wave == "pre" else
                               rng.choice(["Godt møde, tak", 'Hun sagde "nej"; vi, andre', "Zoë & Åse: fine", None])),
            })
    df = pd.DataFrame(rows)
    for c in ("respondent_id", "process_id", "wave", "group", "role", "language", "fx_gender", "fx_age_band", "fx_comment"):
        df[c] = df[c].astype("str").where(df[c].notna())
    return df


@pytest.fixture
def canonical() -> pd.DataFrame:
    return make_canonical()
