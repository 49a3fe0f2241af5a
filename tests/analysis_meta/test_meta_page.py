"""docs/methods/meta.md quotes the coverage figures of benchmarks/results/coverage.json as computed."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).parents[2]
PAGE = (ROOT / "docs" / "methods" / "meta.md").read_text(encoding="utf-8")
RESULTS = json.loads((ROOT / "benchmarks" / "results" / "coverage.json").read_text(encoding="utf-8"))


def _coverage(estimand: str) -> str:
    row = next(r for r in RESULTS["results"] if r["estimand"] == estimand)
    return f"{100 * row['coverage']:.1f} %"


def test_page_quotes_the_small_body_coverage_as_computed() -> None:
    assert RESULTS["n_datasets_small_bodies"] == 400
    assert "400 datasets per design" in PAGE
    for nt, nc in ((5, 20), (10, 10), (13, 8)):
        for model in ("pooled OLS", "individual fixed effects"):
            cr2 = _coverage(f"DiD {nt} vs {nc} members, {model}, CR2, Satterthwaite df (vcov='auto')")
            cr1 = _coverage(f"DiD {nt} vs {nc} members, {model}, CR1, G - 1 df (vcov='CR1')")
            assert f"| DiD, {nt} participants vs {nc} controls, {model} | {cr2} | {cr1} |" in PAGE
    for k in (3, 4, 6, 10):
        cells = []
        for label in ("REML + Knapp-Hartung (HKSJ)", "REML, Wald z", "Bayesian, half-normal(0.5) on tau"):
            row = next(r for r in RESULTS["results"]
                       if r["estimand"] == f"meta-analysis mean, J = {k} units of 8-30, {label}")
            cells.append(f"{100 * row['coverage']:.1f} % (width {row['mean_ci_width']:.2f})")
        assert f"| {k} | " + " | ".join(cells) + " |" in PAGE
    # every accepted (CR2) DiD row is within 93-97 %
    assert all(r["within_93_97"] for r in RESULTS["results"]
               if r["estimand"].startswith("DiD ") and r.get("accepted"))
