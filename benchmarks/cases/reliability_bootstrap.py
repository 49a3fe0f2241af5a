"""Reliability with 1,000 bootstrap resamples on ANES-like data: 4 five-point items, n respondents.

The largest size is the ANES case of issue 22 (19,564 respondents x 4 items, 1,000 resamples).
Besides the wall times (the table's ratio) the case records CPU seconds in the checks
(``cpu_seconds``: this process, user + system; ``cpu_seconds_psych``: R's process and its forked
workers, as ``psych::alpha`` bootstraps with ``parallel::mclapply`` on 2 cores): on a shared
machine the CPU ratio (``cpu_ratio_psych``) is the steadier figure.

* deliberval: ``reliability(df, items, n_resamples=1000, omega=False)`` (alpha with Feldt and
  bootstrap intervals, standardised alpha, lambda-6, average r: the coefficients psych::alpha
  bootstraps; every resample at once). The time with one-factor omega bootstrapped too (the
  default) is in the checks (``seconds_with_omega``).
* numpy loop: one resample per Python iteration (``x[idx]``, ``np.cov``, then alpha,
  standardised alpha, lambda-6, average r; no omega), run on fewer resamples and scaled.
* pingouin: ``pingouin.cronbach_alpha`` on each resample in a loop (alpha only), fewer
  resamples, scaled.
* R: ``psych::alpha(x, n.iter = N)`` (bootstrap of alpha, standardised alpha, G6, average r);
  per-resample cost from ``n.iter = N`` minus ``n.iter = 1``, scaled to 1,000 plus the fixed part
  (wall and CPU alike).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.cases._util import best_of, r_reference, reference, rscript
from deliberval.analysis.psychometrics import reliability

NAME = "reliability_bootstrap"
TITLE = "reliability, 1,000 bootstrap resamples, 4 items (ANES-like)"
SIZE_LABEL = "respondents"
K = 4
#: the ANES size of issue 22
ANES_N = 19_564


def sizes(quick: bool) -> list[int]:
    return [200, 400] if quick else [2_500, 5_000, ANES_N]


def simulate(n: int, seed: int = 3) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    latent = gen.normal(size=(n, 1))
    x = np.clip(np.round(3 + 0.9 * latent + gen.normal(size=(n, K))), 1, 5)
    return pd.DataFrame(x, columns=[f"i{j}" for j in range(K)])


def _loop_stats(x: np.ndarray, gen: np.random.Generator, reps: int) -> np.ndarray:
    n, k = x.shape
    out = np.empty((reps, 4))
    for b in range(reps):
        xb = x[gen.integers(0, n, n)]
        cov = np.cov(xb, rowvar=False)
        sd = np.sqrt(np.diag(cov))
        corr = cov / np.outer(sd, sd)
        smc = 1 - 1 / np.diag(np.linalg.inv(corr))
        out[b] = (
            k / (k - 1) * (1 - np.trace(cov) / cov.sum()),
            k / (k - 1) * (1 - k / corr.sum()),
            1 - (1 - smc).sum() / corr.sum(),
            (corr.sum() - k) / (k * (k - 1)),
        )
    return out


def run(size: int, quick: bool, use_r: bool) -> dict[str, Any]:
    import pingouin as pg

    n_resamples = 50 if quick else 1_000
    loop_reps = 10 if quick else 200
    pg_reps = 5 if quick else 100
    df = simulate(size)
    items = list(df.columns)
    x = df.to_numpy()
    reliability(df.head(100), items, n_resamples=10, seed=0)  # warm-up

    timing, res = best_of(
        lambda: reliability(df, items, n_resamples=n_resamples, seed=1, omega=False), repeats=5, budget=90.0
    )
    cpu = []
    for _ in range(1 if quick else 5):
        c0 = time.process_time()
        reliability(df, items, n_resamples=n_resamples, seed=1, omega=False)
        cpu.append(time.process_time() - c0)
    omega_t, _ = best_of(lambda: reliability(df, items, n_resamples=n_resamples, seed=1), repeats=2, budget=60.0)
    loop_t, _ = best_of(lambda: _loop_stats(x, np.random.default_rng(2), loop_reps), repeats=3)
    gen = np.random.default_rng(4)

    def pg_loop() -> list[float]:
        return [
            float(pg.cronbach_alpha(data=df.iloc[gen.integers(0, size, size)])[0]) for _ in range(pg_reps)
        ]

    pg_t, _ = best_of(pg_loop, repeats=2)
    refs = [
        reference(
            f"numpy loop, one resample per iteration ({loop_reps} run, scaled)",
            "loop",
            loop_t,
            scale=n_resamples / loop_reps,
            note="alpha, std alpha, lambda-6, average r per resample; no omega",
        ),
        reference(
            f"pingouin.cronbach_alpha per resample ({pg_reps} run, scaled)",
            "peer",
            pg_t,
            scale=n_resamples / pg_reps,
            note="alpha only",
        ),
    ]
    alpha = float(res.loc[res["statistic"].eq("cronbach_alpha"), "estimate"].iloc[0])
    checks: dict[str, Any] = {
        "n_resamples": n_resamples,
        "items": K,
        "seconds_with_omega": float(omega_t["seconds"]),
        "cpu_seconds": min(cpu),
        "alpha": alpha,
        "alpha_abs_difference_pingouin": abs(alpha - float(pg.cronbach_alpha(data=df)[0])),
    }
    if use_r:
        r_iter = 100
        with tempfile.TemporaryDirectory() as tmp:
            df.to_csv(Path(tmp) / "x.csv", index=False)
            out = rscript(
                f"""
suppressMessages(library(psych))
x <- read.csv("x.csv")
set.seed(1)
cpu <- function(t) sum(t[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE)
t1 <- c(); tn <- c(); c1 <- c(); cn <- c()
for (r in 1:2) {{
  s1 <- system.time(a1 <- alpha(x, n.iter = 1, warnings = FALSE))
  sn <- system.time(an <- alpha(x, n.iter = {r_iter}, warnings = FALSE))
  t1 <- c(t1, s1[["elapsed"]]); tn <- c(tn, sn[["elapsed"]]); c1 <- c(c1, cpu(s1)); cn <- c(cn, cpu(sn))
}}
per <- max(min(tn) - min(t1), 0) / {r_iter}
est <- min(t1) + {n_resamples} * per
cper <- max(min(cn) - min(c1), 0) / {r_iter}
cest <- min(c1) + {n_resamples} * cper
cat(sprintf('{{"seconds": [%.6f], "per_resample": %.8f, "fixed": %.6f, "cpu_seconds": %.6f, "raw_alpha": %.15g}}\\n',
    est, per, min(t1), cest, a1$total$raw_alpha))
""",
                Path(tmp),
            )
        ref = r_reference(
            f"R psych::alpha(n.iter) ({r_iter} run, scaled)",
            out,
            note="alpha, std alpha, G6, average r per resample",
        )
        refs.append(ref)
        if "raw_alpha" in out:
            checks["alpha_abs_difference_psych"] = abs(alpha - float(out["raw_alpha"]))
        if "cpu_seconds" in out:
            checks["cpu_seconds_psych"] = float(out["cpu_seconds"])
            checks["cpu_ratio_psych"] = float(out["cpu_seconds"]) / max(min(cpu), 1e-9)
    else:
        refs.append(reference("R psych::alpha(n.iter)", "R", None, skipped="R disabled"))
    return {"size": size, "deliberval": timing, "references": refs, "checks": checks}
