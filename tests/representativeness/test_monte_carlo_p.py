"""Monte Carlo p-values are (b + 1) / (m + 1), never 0 (issue 19; Phipson & Smyth 2010)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from deliberval.analysis.representativeness import exact_multinomial_test


def test_extreme_counts_give_one_over_m_plus_one_not_zero() -> None:
    # 60 people all in the category expected to hold 10 %: no draw is as improbable
    res = exact_multinomial_test(
        [60, 0, 0], [0.1, 0.45, 0.45], max_outcomes=10, n_resamples=999, seed=1
    ).iloc[0]
    assert res["method"] == "monte carlo (999 draws)"
    assert res["p_value"] == 1 / 1000
    exact = exact_multinomial_test([60, 0, 0], [0.1, 0.45, 0.45]).iloc[0]
    assert exact["method"] == "exact enumeration"
    assert 0 < exact["p_value"] < 1e-40  # 0.1 ** 60: the exact p is tiny but not 0


def test_monte_carlo_p_is_a_count_plus_one_over_draws_plus_one() -> None:
    counts, shares = [4, 10, 16], [0.25, 0.40, 0.35]
    exact = exact_multinomial_test(counts, shares).iloc[0]["p_value"]
    mc = exact_multinomial_test(counts, shares, max_outcomes=10, n_resamples=4000, seed=2).iloc[0][
        "p_value"
    ]
    hits = mc * 4001 - 1
    assert hits == pytest.approx(round(hits), abs=1e-9)
    assert mc == pytest.approx(exact, abs=3 * math.sqrt(exact * (1 - exact) / 4000) + 1 / 4001)
    assert np.isfinite(mc)
