"""Holm and Benjamini-Hochberg adjustments (analysis._common): R p.adjust goldens, statsmodels bit for bit."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from deliberval.analysis._common import benjamini_hochberg, holm

REF = Path(__file__).parents[1] / "reference" / "change" / "p_adjust_expected.csv"


@pytest.mark.parametrize("name", ["random", "small", "ties", "edges", "single"])
def test_matches_r_p_adjust(name: str) -> None:
    ref = pd.read_csv(REF)
    block = ref.loc[ref["set"] == name].sort_values("position")
    p = block["p_value"].to_numpy()
    np.testing.assert_allclose(benjamini_hochberg(p), block["bh_p_value"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(holm(p), block["holm_p_value"], rtol=1e-12, atol=0)


def test_r_golden_sets_are_not_trivial() -> None:
    ref = pd.read_csv(REF)
    ties = ref.loc[ref["set"] == "ties"]
    assert ties["p_value"].duplicated().sum() >= 4
    # both sides of the cap at 1 occur
    assert (ref["bh_p_value"] < 1).any()
    assert (ref["bh_p_value"] == 1).any()
    # the reversed running minimum matters: some values are below min(1, m p / rank)
    raw = []
    for _, block in ref.groupby("set"):
        p = block["p_value"].to_numpy()
        ranks = pd.Series(p).rank(method="first").to_numpy()
        raw.append(block["bh_p_value"].to_numpy() < np.minimum(1, p.size * p / ranks) - 1e-9)
    assert np.concatenate(raw).any()


@pytest.mark.parametrize("seed", range(25))
def test_bh_bit_identical_to_statsmodels(seed: int) -> None:
    gen = np.random.default_rng(seed)
    m = int(gen.integers(1, 300))
    p = gen.uniform(size=m) ** gen.uniform(0.2, 5)
    if seed % 3 == 0:  # ties, exact zeros and ones
        p = np.round(p, 2)
        p[: max(1, m // 10)] = 1.0
        p[-1] = 0.0
    gen.shuffle(p)
    expected = multipletests(p, method="fdr_bh")[1]
    got = benjamini_hochberg(p)
    assert np.array_equal(got, expected)


def test_bh_known_values() -> None:
    # m = 4: 0.01 -> 0.04, 0.02 -> 0.04, 0.03 -> 0.04, 0.5 -> 0.5 (by hand: m p / rank, running min)
    got = benjamini_hochberg(np.array([0.5, 0.03, 0.01, 0.02]))
    np.testing.assert_allclose(got, [0.5, 0.04, 0.04, 0.04], rtol=1e-15)


def test_change_does_not_import_statsmodels_multitest() -> None:
    import subprocess

    code = ("import sys, deliberval.analysis.change; "
            "print('statsmodels.stats.multitest' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
