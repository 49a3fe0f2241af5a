"""docs/methods/psychometrics.md quotes the invariance benchmark of benchmarks/results/coverage.json
as computed (``python -m benchmarks.coverage``; ``--only-invariance`` reruns just that block)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).parents[2]
PAGE = (ROOT / "docs" / "methods" / "psychometrics.md").read_text(encoding="utf-8")
RESULTS = json.loads((ROOT / "benchmarks" / "results" / "coverage.json").read_text(encoding="utf-8"))

ROW_LABELS = {
    "none": "no DIF (false alarms)",
    "intercept": "item b's intercept 0.5 SD higher in groups 3 and 4 (power)",
    "loading": "item b's loading 0.2 instead of 0.7 in groups 3 and 4 (power)",
}


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def test_page_quotes_the_invariance_benchmark_as_computed() -> None:
    rows = {r["scenario"]: r for r in RESULTS["invariance"]}
    assert set(rows) == set(ROW_LABELS)
    assert f"{RESULTS['n_datasets_invariance']} datasets per scenario" in PAGE
    for scenario, label in ROW_LABELS.items():
        r = rows[scenario]
        other = list(r["other_rules"].values())
        cells = [f"**{_pct(r['rate'])}** ({_pct(r['mc_se'])})", *(_pct(x) for x in other)]
        assert f"| {label} | " + " | ".join(cells) + " |" in PAGE


def test_the_acceptance_of_the_invariance_benchmark_holds() -> None:
    rows = {r["scenario"]: r for r in RESULTS["invariance"]}
    assert rows["none"]["rate"] <= 0.10
    assert rows["intercept"]["rate"] >= 0.80
    assert RESULTS["invariance_passed"] is True
