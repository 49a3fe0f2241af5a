"""On the SYNTHETIC climate-assembly example the change estimates recover the simulated truth."""

from __future__ import annotations

import pandas as pd
import pytest

from deliberval.analysis.benchmarks import Benchmark, selection_check
from deliberval.analysis.change import prepost
from deliberval.analysis.did import did

datasets = pytest.importorskip("deliberval.datasets")
library = pytest.importorskip("deliberval.instruments.library")
scoring = pytest.importorskip("deliberval.scoring")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def example() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    ex = datasets.load_example("climate_assembly")
    scores = scoring.score(ex.responses, library.load_questionnaire("participant_standard")).data
    return scores, ex.truth["expected_change"], ex.truth


def _truth(expected: pd.DataFrame, group: str, scale: str) -> float:
    row = expected.loc[(expected["group"] == group) & (expected["scale"] == scale)]
    assert len(row) == 1
    return float(row["expected_effect"].iloc[0])


def test_prepost_covers_true_change(example: tuple[pd.DataFrame, pd.DataFrame, dict]) -> None:
    scores, expected, _ = example
    r = prepost(scores, ["external_efficacy", "internal_efficacy"], by="group").set_index(
        ["group", "outcome"]
    )
    for group in ("participant", "control"):
        for scale in ("external_efficacy", "internal_efficacy"):
            truth = _truth(expected, group, scale)
            lo, hi = r.loc[(group, scale), ["ci_low", "ci_high"]]
            assert lo <= truth <= hi, (group, scale, truth, lo, hi)
    # +0.4 latent SD on external efficacy for members is detected
    assert _truth(expected, "participant", "external_efficacy") > 0.2
    assert r.loc[("participant", "external_efficacy"), "holm_p_value"] < 0.05


def test_did_covers_true_effect(example: tuple[pd.DataFrame, pd.DataFrame, dict]) -> None:
    scores, expected, _ = example
    truth = _truth(expected, "participant", "external_efficacy") - _truth(
        expected, "control", "external_efficacy"
    )
    r = did(scores, "external_efficacy").set_index("model")
    for model in ("pooled_ols", "individual_fe"):
        assert r.loc[model, "ci_low"] <= truth <= r.loc[model, "ci_high"], model


def test_selection_check_finds_more_trusting_assembly(
    example: tuple[pd.DataFrame, pd.DataFrame, dict],
) -> None:
    scores, _, truth = example
    base = scores.loc[(scores["wave"] == "pre") & (scores["group"] == "participant")]
    population = scores.loc[scores["group"] == "population"]
    r = selection_check(
        base, "trust_political_institutions", benchmark=Benchmark(sample=population)
    ).iloc[0]
    gap = truth["baseline_gap_trust_political_institutions"]
    assert r["ci_low"] <= gap <= r["ci_high"]
    assert r["ci_low"] > 0
