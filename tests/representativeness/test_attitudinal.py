"""attitudinal_representativeness: several selection checks in one table (issue 6, item 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import deliberval
from deliberval.analysis.change import selection_check
from deliberval.analysis.representativeness import attitudinal_representativeness
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "change"
TOL = 1e-6


@pytest.fixture(scope="module")
def baseline() -> pd.DataFrame:
    data = pd.read_csv(REF / "prepost_data.csv")
    return data.loc[data["wave"] == "pre"]


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    # R: t.test(x, mu = 4.6) ("value") and Welch t.test(x, y) ("sample"), generate_change.R
    return pd.read_csv(REF / "selection_expected.csv").set_index("case")


def test_published_values_match_r_one_sample_t_test(
    baseline: pd.DataFrame, expected: pd.DataFrame
) -> None:
    part = baseline.loc[baseline["group"] == "participant"]
    bench = pd.DataFrame(
        {"variable": ["y1", "y4"], "value": [4.6, 3.5], "source": "test value", "year": 2024}
    )
    r = attitudinal_representativeness(part, ["y1", "y4"], benchmarks=bench)
    assert r["variable"].tolist() == ["y1", "y4"]
    y1 = r.iloc[0]
    for col in ["difference", "ci_low", "ci_high", "df", "p"]:
        assert y1[col] == pytest.approx(expected.loc["value", col], abs=TOL)
    assert (y1["benchmark_source"], y1["benchmark_year"], y1["n"]) == ("test value", 2024, 29)
    # the second row is selection_check itself, not a second implementation
    alone = selection_check(
        part, "y4", benchmark_value=3.5, benchmark_source="test value", benchmark_year=2024
    )
    pd.testing.assert_frame_equal(
        r.drop(columns="p_holm").iloc[[1]].reset_index(drop=True), alone, check_dtype=False
    )
    # Holm over two p-values by hand
    p = r["p"].to_numpy()
    lo, hi = np.argmin(p), np.argmax(p)
    assert r["p_holm"].iloc[lo] == pytest.approx(min(1.0, 2 * p[lo]))
    assert r["p_holm"].iloc[hi] == pytest.approx(max(min(1.0, 2 * p[lo]), p[hi]))


def test_benchmark_sample_matches_r_welch(baseline: pd.DataFrame, expected: pd.DataFrame) -> None:
    part = baseline.loc[baseline["group"] == "participant"]
    ctrl = baseline.loc[baseline["group"] == "control"]
    r = attitudinal_representativeness(part, "y1", benchmark_df=ctrl)
    assert len(r) == 1
    for col in ["difference", "ci_low", "ci_high", "df", "p"]:
        assert r.iloc[0][col] == pytest.approx(expected.loc["sample", col], abs=TOL)
    assert r.iloc[0]["n_benchmark"] == 29
    assert r.iloc[0]["p_holm"] == pytest.approx(r.iloc[0]["p"])


def test_dict_benchmarks_se_and_share_levels() -> None:
    panel = pd.DataFrame({"trust": [6, 7, 5, 8, 6, 7], "care": [4, 5, 2, 1, 4, 3]})
    r = attitudinal_representativeness(
        panel, ["trust", "care"], benchmarks={"trust": 5.0, "care": 0.3}, levels={"care": [4, 5]}
    )
    assert r.loc[1, "estimate_sample"] == pytest.approx(3 / 6)
    assert r.loc[1, "level"] == "[4, 5]"
    assert r.loc[0, "df"] == 5
    with_se = attitudinal_representativeness(
        panel,
        "trust",
        benchmarks=pd.DataFrame({"variable": ["trust"], "value": [5.0], "se": [0.1]}),
        confidence_level=0.9,
    ).iloc[0]
    se = np.sqrt(panel["trust"].var(ddof=1) / 6 + 0.1**2)
    assert with_se["se"] == pytest.approx(se)
    assert np.isinf(with_se["df"])
    assert with_se["ci_high"] - with_se["difference"] == pytest.approx(1.6448536 * se, rel=1e-6)
    assert with_se["confidence_level"] == 0.9


def test_bad_input_is_named() -> None:
    panel = pd.DataFrame({"trust": [6.0, 7.0, 5.0]})
    with pytest.raises(AnalysisInputError, match="exactly one benchmark"):
        attitudinal_representativeness(panel, "trust")
    with pytest.raises(AnalysisInputError, match="no value for 'efficacy'"):
        attitudinal_representativeness(
            panel.assign(efficacy=1.0), ["trust", "efficacy"], benchmarks={"trust": 5.0}
        )
    with pytest.raises(AnalysisInputError, match="more than once"):
        attitudinal_representativeness(
            panel,
            "trust",
            benchmarks=pd.DataFrame({"variable": ["trust", "trust"], "value": [5.0, 4.0]}),
        )
    with pytest.raises(AnalysisInputError, match="levels names"):
        attitudinal_representativeness(
            panel, "trust", benchmarks={"trust": 5.0}, levels={"other": [1]}
        )
    with pytest.raises(AnalysisInputError, match="no column"):
        attitudinal_representativeness(panel, "missing", benchmarks={"missing": 5.0})


def test_exported_at_top_level() -> None:
    assert deliberval.attitudinal_representativeness is attitudinal_representativeness
