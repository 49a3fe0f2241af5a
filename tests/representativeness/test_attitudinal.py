"""attitudinal_representativeness: several selection checks in one table (issue 6, item 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import deliberval
from deliberval.analysis.benchmarks import (
    Benchmark,
    attitudinal_representativeness,
    selection_check,
)
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
    r = attitudinal_representativeness(part, ["y1", "y4"], benchmark=bench)
    assert r["variable"].tolist() == ["y1", "y4"]
    y1 = r.iloc[0]
    for col in ["estimate", "ci_low", "ci_high", "df", "p_value"]:
        assert y1[col] == pytest.approx(expected.loc["value", col], abs=TOL)
    assert (y1["benchmark_source"], y1["benchmark_year"], y1["n"]) == ("test value", 2024, 29)
    # the second row is selection_check itself, not a second implementation
    alone = selection_check(
        part, "y4", benchmark=Benchmark(value=3.5, source="test value", year=2024)
    )
    pd.testing.assert_frame_equal(
        r.drop(columns="holm_p_value").iloc[[1]].reset_index(drop=True), alone, check_dtype=False
    )
    # Holm over two p-values by hand
    p = r["p_value"].to_numpy()
    lo, hi = np.argmin(p), np.argmax(p)
    assert r["holm_p_value"].iloc[lo] == pytest.approx(min(1.0, 2 * p[lo]))
    assert r["holm_p_value"].iloc[hi] == pytest.approx(max(min(1.0, 2 * p[lo]), p[hi]))
    assert r.columns.get_loc("holm_p_value") == r.columns.get_loc("p_value") + 1


def test_benchmark_sample_matches_r_welch(baseline: pd.DataFrame, expected: pd.DataFrame) -> None:
    part = baseline.loc[baseline["group"] == "participant"]
    ctrl = baseline.loc[baseline["group"] == "control"]
    r = attitudinal_representativeness(part, "y1", benchmark=Benchmark(sample=ctrl))
    assert len(r) == 1
    for col in ["estimate", "ci_low", "ci_high", "df", "p_value"]:
        assert r.iloc[0][col] == pytest.approx(expected.loc["sample", col], abs=TOL)
    assert r.iloc[0]["n_benchmark"] == 29
    assert r.iloc[0]["holm_p_value"] == pytest.approx(r.iloc[0]["p_value"])
    # one sample serves several variables with the same column names
    both = attitudinal_representativeness(
        part, ["y1", "y4"], benchmark=Benchmark(sample=ctrl, source="controls")
    )
    pd.testing.assert_series_equal(
        both.iloc[0].drop(["holm_p_value", "benchmark_source"]),
        r.iloc[0].drop(["holm_p_value", "benchmark_source"]),
        check_names=False,
    )
    assert both["benchmark_source"].tolist() == ["controls", "controls"]


def test_dict_benchmarks_se_and_share_levels() -> None:
    panel = pd.DataFrame({"trust": [6, 7, 5, 8, 6, 7], "care": [4, 5, 2, 1, 4, 3]})
    r = attitudinal_representativeness(
        panel, ["trust", "care"], benchmark={"trust": 5.0, "care": 0.3}, levels={"care": [4, 5]}
    )
    assert r.loc[1, "sample_value"] == pytest.approx(3 / 6)
    assert r.loc[1, "estimate"] == pytest.approx(3 / 6 - 0.3)
    assert r.loc[1, "level"] == "[4, 5]"
    assert r.loc[0, "df"] == 5
    with_se = attitudinal_representativeness(
        panel,
        "trust",
        benchmark=pd.DataFrame({"variable": ["trust"], "value": [5.0], "se": [0.1]}),
        confidence_level=0.9,
    ).iloc[0]
    se = np.sqrt(panel["trust"].var(ddof=1) / 6 + 0.1**2)
    assert with_se["se"] == pytest.approx(se)
    assert np.isinf(with_se["df"])
    assert with_se["ci_high"] - with_se["estimate"] == pytest.approx(1.6448536 * se, rel=1e-6)
    assert with_se["confidence_level"] == 0.9


def test_bad_input_is_named() -> None:
    panel = pd.DataFrame({"trust": [6.0, 7.0, 5.0]})
    with pytest.raises(TypeError, match="benchmark"):
        attitudinal_representativeness(panel, "trust")  # type: ignore[call-arg]
    with pytest.raises(AnalysisInputError, match="no value for 'efficacy'"):
        attitudinal_representativeness(
            panel.assign(efficacy=1.0), ["trust", "efficacy"], benchmark={"trust": 5.0}
        )
    with pytest.raises(AnalysisInputError, match="no value for 'efficacy'"):
        attitudinal_representativeness(
            panel.assign(efficacy=1.0),
            ["trust", "efficacy"],
            benchmark=pd.DataFrame({"variable": ["trust"], "value": [5.0]}),
        )
    with pytest.raises(AnalysisInputError, match="more than once"):
        attitudinal_representativeness(
            panel,
            "trust",
            benchmark=pd.DataFrame({"variable": ["trust", "trust"], "value": [5.0, 4.0]}),
        )
    with pytest.raises(AnalysisInputError, match=r"Benchmark\(sample=\.\.\.\)"):
        attitudinal_representativeness(panel, "trust", benchmark=panel)
    with pytest.raises(AnalysisInputError, match="several variables"):
        attitudinal_representativeness(
            panel.assign(efficacy=1.0), ["trust", "efficacy"], benchmark=5.0
        )
    with pytest.raises(AnalysisInputError, match="levels names"):
        attitudinal_representativeness(
            panel, "trust", benchmark={"trust": 5.0}, levels={"other": [1]}
        )
    with pytest.raises(AnalysisInputError, match="no column"):
        attitudinal_representativeness(panel, "missing", benchmark={"missing": 5.0})


def test_exported_at_top_level() -> None:
    assert deliberval.attitudinal_representativeness is attitudinal_representativeness
