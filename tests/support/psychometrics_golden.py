"""Datasets and R golden values shared by the psychometrics tests.

The CSV files and the script that wrote them are in tests/reference/psychometrics.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["ALPHA_SETS", "REF", "read_ref", "reversed_data"]

REF = Path(__file__).resolve().parents[1] / "reference" / "psychometrics"

# dataset name -> (csv file, items, items psych::alpha reversed with keys)
ALPHA_SETS: dict[str, tuple[str, list[str], list[str]]] = {
    "bfi_agreeableness": ("bfi_agreeableness.csv", [f"A{i}" for i in range(1, 6)], ["A1"]),
    "bfi_neuroticism": ("bfi_neuroticism.csv", [f"N{i}" for i in range(1, 6)], []),
    "holzinger_visual": ("holzinger_swineford.csv", ["x1", "x2", "x3"], []),
    "simulated_likert": ("simulated_likert.csv", [f"q{i}" for i in range(1, 7)], ["q6"]),
    # deliberval's SYNTHETIC climate-assembly example, scored by deliberval.score
    "example_trust": (
        "example_climate_assembly.csv",
        [
            "trust_parliament",
            "trust_politicians",
            "trust_parties",
            "trust_national_government",
            "trust_local_government",
        ],
        [],
    ),
    "example_internal_efficacy": (
        "example_climate_assembly.csv",
        ["efficacy_int_understand", "efficacy_int_confidence", "efficacy_int_complicated"],
        [],
    ),
    "example_efficacy": (
        "example_climate_assembly.csv",
        [
            "efficacy_int_understand",
            "efficacy_int_confidence",
            "efficacy_int_complicated",
            "efficacy_ext_care",
            "efficacy_ext_contact",
            "efficacy_ext_no_say",
        ],
        [],
    ),
}


def read_ref(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name)


def reversed_data(name: str) -> tuple[pd.DataFrame, list[str]]:
    """Data with psych's keyed items already reversed (as the R script does for omega / lavaan)."""
    file, items, rev = ALPHA_SETS[name]
    df = read_ref(file)
    top = {"bfi_agreeableness": 7, "simulated_likert": 6}
    for r in rev:
        df[r] = top[name] - df[r]
    return df, items
