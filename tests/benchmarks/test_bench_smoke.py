"""Smoke test of ``make bench``: the harness runs end to end on tiny sizes and writes its files.

Asserts the structure of the results and that ratios and exponents are computed, never timings.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads((out / "latest.json").read_text(encoding="utf-8")), (out / "latest.md").read_text(
        encoding="utf-8"
    )


def test_every_case_ran_every_size(quick_results: tuple[dict, str]) -> None:
    from benchmarks.cases import CASES

    res, _ = quick_results
    assert res["schema"] == "deliberval-bench/1"
    assert res["quick"] is True
    assert list(res["cases"]) == list(CASES)
    for name, case in res["cases"].items():
        assert "error" not in case, (name, case.get("error"))
        for row in case["sizes"]:
            assert "error" not in row, (name, row.get("error"), row.get("traceback"))
    assert res["cases"]["demo"]["sizes"][0]["skipped"].startswith("not run with --quick")


def test_ratios_and_exponents_are_computed(quick_results: tuple[dict, str]) -> None:
    res, _ = quick_results
    for name in ("validation_scoring", "reliability_bootstrap", "prepost", "raking", "dri_permutation"):
        case = res["cases"][name]
        assert len(case["sizes"]) == 2
        assert isinstance(case["scaling_exponent"], float)
        assert math.isfinite(case["scaling_exponent"])
        assert case["pairwise_exponents"][0]["from"] < case["pairwise_exponents"][0]["to"]
        for row in case["sizes"]:
            mine = row["deliberval"]
            assert mine["seconds"] > 0
            assert mine["repeats"] >= 1
            assert mine["peak_rss_mb"] is None or mine["peak_rss_mb"] > 0
            timed = [r for r in row["references"] if r["seconds"] is not None]
            assert timed, name
            for ref in timed:
                assert ref["ratio"] == pytest.approx(ref["seconds"] / mine["seconds"])
                assert ref["seconds"] == pytest.approx(ref["measured_seconds"] * ref["scale"])
            # R is never run in a quick run, and says so
            assert all(r["skipped"] == "R disabled" for r in row["references"] if r["kind"] == "R")


def test_references_agree_with_deliberval_on_the_same_data(quick_results: tuple[dict, str]) -> None:
    cases = quick_results[0]["cases"]
    for row in cases["validation_scoring"]["sizes"]:
        c = row["checks"]
        assert c["quarantined_deliberval"] == c["quarantined_floor"]
        assert c["scores_max_abs_difference"] < 1e-12
        assert c["scores_missing_pattern_identical"] is True
    for row in cases["raking"]["sizes"]:
        assert row["checks"]["converged"] is True
        assert row["checks"]["weights_max_relative_difference_pandas"] < 1e-8
    for row in cases["prepost"]["sizes"]:
        assert row["checks"]["p_value_max_abs_difference_scipy"] < 1e-12
    for row in cases["dri_permutation"]["sizes"]:
        assert max(row["checks"]["max_abs_difference_same_permutations"].values()) < 1e-12
    for row in cases["reliability_bootstrap"]["sizes"]:
        assert row["checks"]["alpha_abs_difference_pingouin"] < 1e-12


def test_targets_listed_but_not_judged_and_markdown_written(quick_results: tuple[dict, str]) -> None:
    res, md = quick_results
    ids = {t["id"] for t in res["targets"]}
    assert {"validation_floor", "validation_linear", "memory_1m", "dri_100x_straightforward",
            "dri_100x_strong", "bootstrap_vectorised"} <= ids
    assert all(t["met"] is None for t in res["targets"])
    assert "| case / size |" in md
    assert "## Targets" in md


def test_slope_recovers_a_known_exponent() -> None:
    from benchmarks.run import slope

    assert slope([1e4, 1e5, 1e6], [0.01, 0.1, 1.0]) == pytest.approx(1.0)
    assert slope([10, 20], [1.0, 4.0]) == pytest.approx(2.0)
    assert slope([10], [1.0]) is None


def test_unknown_case_is_a_clear_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "nope"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 2
    assert "unknown case(s) ['nope']" in proc.stderr
