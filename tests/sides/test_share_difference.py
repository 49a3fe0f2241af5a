"""share_difference against R (tests/reference/sides/generate_share_difference.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.sides import SHARE_DIFFERENCE_COLUMNS, share_difference
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "sides"
COUNTS = pd.read_csv(REF / "share_counts.csv")
GOLDEN = pd.read_csv(REF / "share_difference_golden.csv")
NUMBERS = ["share", "share_ci_low", "share_ci_high", "reference_share", "reference_share_ci_low",
           "reference_share_ci_high", "estimate", "ci_low", "ci_high", "exact_p_value"]


@pytest.mark.parametrize("level", [0.95, 0.90])
def test_matches_r(level: float) -> None:
    got = share_difference(COUNTS, by="item", confidence_level=level)
    want = GOLDEN.loc[GOLDEN["confidence_level"] == level].reset_index(drop=True)
    assert got["item"].tolist() == want["item"].tolist()
    assert got["role"].tolist() == want["role"].tolist()
    for col in NUMBERS:
        np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float), rtol=0, atol=1e-9,
                                   err_msg=col)
    assert (got["confidence_level"] == level).all()


def test_columns_counts_and_reasons() -> None:
    got = share_difference(COUNTS, by="item")
    assert list(got.columns) == ["item", *SHARE_DIFFERENCE_COLUMNS]
    a = got.loc[(got["item"] == "a") & (got["role"] == "civil_servant")].iloc[0]
    assert (a["count"], a["n"], a["reference_count"], a["reference_n"]) == (3, 6, 20, 22)
    assert a["reference"] == "citizen"
    assert "Newcombe" in a["method"]
    assert "Fisher" in a["method"]
    g = got.loc[got["item"] == "g"].iloc[0]  # no citizens answered item g
    assert np.isnan(g["estimate"])
    assert pd.isna(g["reference_n"])
    assert g["method"] == "no citizen row to compare with"
    assert g["share"] == 5 / 8


def test_without_by_and_other_reference() -> None:
    two = pd.DataFrame({"side": ["politician", "citizen"], "agree": [3, 10], "answered": [5, 20]})
    got = share_difference(two, count="agree", n="answered", role="side", reference="politician")
    assert list(got.columns) == SHARE_DIFFERENCE_COLUMNS
    assert got["role"].tolist() == ["citizen"]
    assert got["estimate"].iloc[0] == pytest.approx(0.5 - 0.6)


def test_nobody_answered_gives_nan_with_reason() -> None:
    df = pd.DataFrame({"role": ["citizen", "politician"], "count": [4, 0], "n": [9, 0]})
    got = share_difference(df).iloc[0]
    assert np.isnan(got["estimate"])
    assert np.isnan(got["share"])
    assert got["method"] == "politician: nobody answered"


@pytest.mark.parametrize("bad", [
    pd.DataFrame({"role": ["citizen"], "count": [5], "n": [4]}),
    pd.DataFrame({"role": ["citizen"], "count": [1.5], "n": [4]}),
    pd.DataFrame({"role": ["citizen"], "count": [-1], "n": [4]}),
    pd.DataFrame({"role": ["citizen", "citizen"], "count": [1, 2], "n": [4, 4]}),
    pd.DataFrame({"role": ["citizen"], "n": [4]}),
])
def test_bad_input_is_one_clear_error(bad: pd.DataFrame) -> None:
    with pytest.raises(AnalysisInputError):
        share_difference(bad)
