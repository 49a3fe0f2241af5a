"""prepost computes every outcome at once (issue 22): each row equals the one-outcome computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from deliberval.analysis._common import wilcoxon_signed_rank
from deliberval.analysis.change import PREPOST_COLUMNS, prepost


def _panel(n: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Outcomes exercising every path: ties and zeros (approximate Wilcoxon), continuous small
    samples (exact Wilcoxon), all differences zero, no complete pair, many missing values."""
    gen = np.random.default_rng(seed)
    base = gen.normal(5, 2, (n, 6))
    pre = np.clip(np.round(base + gen.normal(0, 1, (n, 6))), 0, 10)
    post = np.clip(np.round(base + 0.3 + gen.normal(0, 1, (n, 6))), 0, 10)
    pre[:, 1] = base[:, 1]  # continuous: exact Wilcoxon below 50 pairs
    post[:, 1] = base[:, 1] + gen.normal(0.2, 1, n)
    post[:, 2] = pre[:, 2]  # every difference zero
    pre[:, 3] = np.nan  # no complete pair
    post[gen.random(n) < 0.4, 4] = np.nan
    x = np.vstack([pre, post])
    outs = [f"y{j}" for j in range(6)]
    df = pd.DataFrame(x, columns=outs)
    df.insert(0, "wave", np.repeat(["pre", "post"], n))
    df.insert(0, "respondent_id", np.tile(np.arange(n), 2))
    return df, outs


def _ncp_limit(t: float, df: float, target: float) -> float:
    """One noncentrality limit by Brent's method on the noncentral t cdf (the definition),
    negative statistics mirrored (``F(t; ncp) = 1 - F(-t; -ncp)``)."""
    if t < 0:
        return -_ncp_limit(-t, df, 1 - target)
    width = 3 * math.sqrt(1 + t**2 / (2 * df))
    lo, hi = t - width, t + width
    while not special.nctdtr(df, lo, t) > target > special.nctdtr(df, hi, t):
        lo, hi = lo - width, hi + width
    return float(optimize.brentq(lambda ncp: special.nctdtr(df, ncp, t) - target, lo, hi, xtol=1e-13))


@pytest.mark.parametrize(("n", "seed"), [(12, 1), (45, 2), (300, 3)])
def test_each_row_equals_the_one_outcome_computation(n: int, seed: int) -> None:
    df, outs = _panel(n, seed)
    res = prepost(df, outs).set_index("outcome")
    pre = df[df["wave"] == "pre"].set_index("respondent_id")
    post = df[df["wave"] == "post"].set_index("respondent_id")
    for o in outs:
        row = res.loc[o]
        keep = pre[o].notna() & post[o].notna()
        x0, x1 = pre.loc[keep, o].to_numpy(), post.loc[keep, o].to_numpy()
        assert row["n"] == x0.size
        if x0.size == 0:
            assert row["method"] == "no complete pairs"
            assert math.isnan(row["estimate"])
            assert math.isnan(row["wilcoxon_statistic"])
            continue
        d = x1 - x0
        assert row["estimate"] == pytest.approx(d.mean(), abs=1e-12)
        assert row["mean_pre"] == pytest.approx(x0.mean(), abs=1e-12)
        if not (d != 0).any():
            assert row["wilcoxon_statistic"] == 0.0
            assert math.isnan(row["wilcoxon_p_value"])
            assert math.isnan(row["statistic"])
            assert row["ci_low"] == row["ci_high"] == 0.0
            continue
        tt = stats.ttest_rel(x1, x0)
        ci = tt.confidence_interval()
        assert row["statistic"] == pytest.approx(tt.statistic, rel=1e-12)
        assert row["p_value"] == pytest.approx(tt.pvalue, rel=1e-12, abs=1e-300)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-12)
        v, p, exact = wilcoxon_signed_rank(d)
        assert row["wilcoxon_statistic"] == v  # same ranks, same sums: identical
        assert row["wilcoxon_p_value"] == p
        assert row["wilcoxon_method"] == ("exact" if exact else "normal approximation with continuity correction")
        t, dfree = float(tt.statistic), float(x0.size - 1)
        lo, hi = _ncp_limit(t, dfree, 0.975), _ncp_limit(t, dfree, 0.025)
        assert row["d_z"] == pytest.approx(d.mean() / d.std(ddof=1), rel=1e-12)
        assert row["d_z_ci_low"] == pytest.approx(lo / math.sqrt(x0.size), abs=1e-9)
        assert row["d_z_ci_high"] == pytest.approx(hi / math.sqrt(x0.size), abs=1e-9)
    assert [res.loc["y1", "wilcoxon_method"] == "exact"] == [n < 50]


def test_outcomes_do_not_interact() -> None:
    """Computing the outcomes together or one at a time gives the same rows (adjusted
    p-values aside, which are across outcomes by definition)."""
    df, outs = _panel(80, 4)
    df["w"] = np.tile(np.random.default_rng(5).uniform(0.2, 2, 80), 2)
    df["group"] = np.tile(np.repeat(["a", "b"], 40), 2)
    cols = [c for c in PREPOST_COLUMNS if c not in ("holm_p_value", "bh_p_value")]
    for kw in ({}, {"weight": "w"}, {"by": "group", "agree_values": [6, 7]}):
        together = prepost(df, outs, **kw)
        alone = pd.concat([prepost(df, [o], **kw) for o in outs])
        key = ["group", "outcome"] if "by" in kw else ["outcome"]
        a = together.sort_values(key).reset_index(drop=True)[cols]
        b = alone.sort_values(key).reset_index(drop=True)[cols]
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-12)


def test_an_extreme_statistic_on_one_df_gives_nan_not_a_crash() -> None:
    """t = -1001 on 1 df: the noncentral t cdf is NaN on part of the upper limit's bracket.
    The Brent search per outcome used before raised ValueError (a traceback in the CLI); the
    limit that cannot be found is NaN now, the other one is found."""
    df = pd.DataFrame({"respondent_id": [1, 2, 1, 2], "wave": ["pre", "pre", "post", "post"],
                       "y": [0.0, 0.0, -5.0, -5.01]})
    row = prepost(df, "y").iloc[0]
    assert row["statistic"] == pytest.approx(-1001.0)
    assert row["d_z_ci_low"] == pytest.approx(_ncp_limit(-1001.0, 1.0, 0.975) / math.sqrt(2), rel=1e-9)
    assert math.isnan(row["d_z_ci_high"])
