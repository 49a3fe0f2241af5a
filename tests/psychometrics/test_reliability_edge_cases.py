"""reliability() on degenerate input: clear errors, no numpy warnings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.psychometrics import reliability
from deliberval.errors import AnalysisInputError


def test_perfectly_collinear_items_are_an_input_error() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 4.0, 6.0, 8.0], "c": [1, 3, 2, 4.0]})
    with pytest.raises(AnalysisInputError, match="perfectly collinear"):
        reliability(df, ["a", "b", "c"], n_resamples=0)


def test_tiny_sample_bootstrap_skips_collinear_resamples_without_warning() -> None:
    # with 3 rows many resamples repeat rows so the two items become perfectly correlated
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 3.0, 2.0]})
    res = reliability(df, ["a", "b"], n_resamples=50, seed=1).set_index(["statistic", "method"])
    # point estimates by hand: r = 0.5, equal variances -> alpha = 2r / (1 + r)
    assert res.loc[("cronbach_alpha", "feldt"), "estimate"] == pytest.approx(2 / 3)
    assert res.loc[("average_r", "bootstrap_percentile"), "estimate"] == pytest.approx(0.5)
    boot = res.xs("bootstrap_percentile", level="method")
    assert np.isfinite(boot[["ci_low", "ci_high"]].to_numpy()).all()
    assert (boot["ci_low"] <= boot["ci_high"]).all()
