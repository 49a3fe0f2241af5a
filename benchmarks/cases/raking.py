"""Raking (iterative proportional fitting) of n rows to 4 margins (3, 6, 3 and 5 categories).

* deliberval: ``rake(df, margins)`` (tol 1e-10 of the grand total).
* pandas IPF: the textbook loop with ``groupby().sum()`` and ``map`` per margin and sweep, the
  same convergence rule.
* R: ``survey::rake`` on ``svydesign(ids = ~1, weights = ~1)`` with ``epsilon = 1e-10``
  (timed inside R on the same data).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.cases._util import best_of, r_reference, reference, rscript
from deliberval.analysis.weighting import rake

NAME = "raking"
TITLE = "rake to 4 margins"
SIZE_LABEL = "rows"
TOL = 1e-10
POPULATION = {
    "gender": {"woman": 0.51, "man": 0.48, "other": 0.01},
    "age": {"16_24": 0.13, "25_34": 0.16, "35_44": 0.16, "45_54": 0.17, "55_64": 0.17, "65_plus": 0.21},
    "education": {"isced_0_2": 0.22, "isced_3_4": 0.43, "isced_5_8": 0.35},
    "region": {f"region_{i}": s for i, s in enumerate([0.3, 0.25, 0.2, 0.15, 0.1], start=1)},
}
SAMPLE = {  # a sample skewed towards women, older and educated people
    "gender": [0.56, 0.43, 0.01],
    "age": [0.06, 0.10, 0.15, 0.19, 0.23, 0.27],
    "education": [0.12, 0.38, 0.50],
    "region": [0.2, 0.2, 0.2, 0.2, 0.2],
}


def sizes(quick: bool) -> list[int]:
    return [500, 2_000] if quick else [10_000, 100_000, 1_000_000]


def simulate(n: int, seed: int = 7) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    return pd.DataFrame(
        {var: pd.array(gen.choice(list(POPULATION[var]), n, p=SAMPLE[var]), dtype="str") for var in POPULATION}
    )


def margins(n: int) -> dict[str, dict[str, float]]:
    return {var: {c: s * n for c, s in cats.items()} for var, cats in POPULATION.items()}


def pandas_ipf(df: pd.DataFrame, targets: dict[str, dict[str, float]], tol: float = TOL, max_iter: int = 100) -> pd.Series:
    """Plain pandas IPF: per sweep and margin, weighted totals by groupby and a factor by map."""
    w = pd.Series(1.0, index=df.index)
    grand = sum(next(iter(targets.values())).values())
    target = {var: pd.Series(t) for var, t in targets.items()}
    for _ in range(max_iter):
        for var, t in target.items():
            w = w * df[var].map(t / w.groupby(df[var]).sum())
        err = max(float((w.groupby(df[var]).sum() - t).abs().max()) for var, t in target.items())
        if err <= tol * grand:
            break
    return w


def run(size: int, quick: bool, use_r: bool) -> dict[str, Any]:
    df = simulate(size)
    m = margins(size)
    rake(df.head(500), margins(500))  # warm-up (margins of 500 rows: same categories)
    timing, res = best_of(lambda: rake(df, m, tol=TOL), repeats=3)
    pd_t, w_pd = best_of(lambda: pandas_ipf(df, m), repeats=3)
    w = res.weights.to_numpy()
    checks: dict[str, Any] = {
        "iterations": int(res.diagnostics.loc[0, "iterations"]),
        "converged": bool(res.diagnostics.loc[0, "converged"]),
        "weights_max_relative_difference_pandas": float(np.max(np.abs(w / w_pd.to_numpy() - 1))),
    }
    refs = [reference("plain pandas IPF (groupby + map per margin)", "peer", pd_t, note="same tolerance")]
    if use_r:
        with tempfile.TemporaryDirectory() as tmp:
            df.to_csv(Path(tmp) / "x.csv", index=False)
            np.savetxt(Path(tmp) / "w.txt", w)
            pops = "\n".join(
                f'pop_{v} <- data.frame({v} = c({", ".join(repr(c) for c in cats)}), '
                f'Freq = c({", ".join(f"{s * size!r}" for s in cats.values())}))'
                for v, cats in POPULATION.items()
            ).replace("'", '"')
            out = rscript(
                f"""
suppressMessages(library(survey))
d <- read.csv("x.csv", stringsAsFactors = TRUE)
d$w0 <- 1
{pops}
f <- function() {{
  des <- svydesign(ids = ~1, weights = ~w0, data = d)
  rake(des, list(~gender, ~age, ~education, ~region), list(pop_gender, pop_age, pop_education, pop_region),
       control = list(maxit = 100, epsilon = 1e-10, verbose = FALSE))
}}
secs <- c(); for (r in 1:{1 if size >= 1_000_000 else 2}) secs <- c(secs, system.time(r <- f())[["elapsed"]])
wd <- max(abs(weights(r) / scan("w.txt", quiet = TRUE) - 1))
cat(sprintf('{{"seconds": [%s], "weights_max_relative_difference": %.6g}}\\n',
    paste(sprintf("%.6f", secs), collapse = ","), wd))
""",
                Path(tmp),
                timeout=900,
            )
        refs.append(r_reference("R survey::rake (epsilon 1e-10)", out))
        if "weights_max_relative_difference" in out:
            checks["weights_max_relative_difference_survey"] = float(out["weights_max_relative_difference"])
    else:
        refs.append(reference("R survey::rake", "R", None, skipped="R disabled"))
    return {"size": size, "deliberval": timing, "references": refs, "checks": checks}
