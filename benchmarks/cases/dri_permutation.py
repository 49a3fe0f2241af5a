"""DRI permutation test, 10,000 permutations, forums of 25, 63 and 200 participants.

Reuses :mod:`benchmarks.dri_permutation` (random forums: 40 considerations rated 1-7, 7 options
ranked). Every baseline recomputes the correlations for each permutation, as deliberr's
``permute_dri`` does; each runs fewer permutations and is scaled linearly to 10,000 (its cost
per permutation is constant).

* deliberval: ``dri_permutation_test(df, n_resamples=10_000)`` (correlations once, then each
  permutation re-indexes the preference correlations, batched).
* per-pair scipy (the straightforward port): ``scipy.stats.spearmanr`` for every pair of
  participants, both matrices, every permutation.
* spearmanr matrix: ``scipy.stats.spearmanr`` on the whole matrix (the Python analogue of
  ``cor(t(x), method = "spearman")``), both matrices, every permutation.
* vectorised numpy: ``rankdata(axis=1)`` + ``np.corrcoef``, both matrices, every permutation
  (the strongest recompute baseline, from ``benchmarks/dri_permutation.py``).
* R: per permutation ``cor(t(C), method = "spearman")`` and ``cor(t(P[perm, ]), ...)``, the DRI
  of the upper triangles (timed inside R).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from benchmarks.cases._util import best_of, r_reference, reference, rscript
from benchmarks.dri_permutation import fast_from_matrices, forum, naive_permutations
from deliberval.analysis.dri import dri_permutation_test

NAME = "dri_permutation"
TITLE = "DRI permutation test, 10,000 permutations"
SIZE_LABEL = "participants"
LAM = np.sqrt(2) / 2


def sizes(quick: bool) -> list[int]:
    return [10, 20] if quick else [25, 63, 200]


def _dri(q: np.ndarray, r: np.ndarray) -> float:
    return float((LAM - 2 * np.mean(np.abs(q - r) / np.sqrt(2))) / LAM)


def per_pair(c: np.ndarray, p: np.ndarray, perms: np.ndarray) -> np.ndarray:
    """Straightforward: scipy.stats.spearmanr for every pair, both matrices, every permutation."""
    n = len(c)
    out = np.empty(len(perms))
    for k, perm in enumerate(perms):
        pp = p[perm]
        q, r = [], []
        for i in range(n):
            for j in range(i + 1, n):
                q.append(stats.spearmanr(c[i], c[j]).statistic)
                r.append(stats.spearmanr(pp[i], pp[j]).statistic)
        out[k] = _dri(np.array(q), np.array(r))
    return out


def spearmanr_matrix(c: np.ndarray, p: np.ndarray, perms: np.ndarray) -> np.ndarray:
    """scipy.stats.spearmanr on whole matrices (participants as variables), every permutation."""
    iu, ju = np.triu_indices(len(c), k=1)
    out = np.empty(len(perms))
    for k, perm in enumerate(perms):
        q = stats.spearmanr(c.T).statistic
        r = stats.spearmanr(p[perm].T).statistic
        out[k] = _dri(q[iu, ju], r[iu, ju])
    return out


def run(size: int, quick: bool, use_r: bool) -> dict[str, Any]:
    n_perm = 200 if quick else 10_000
    runs = {  # permutations run per baseline: (per pair, spearmanr matrix, numpy, R)
        10: (2, 20, 50, 50), 20: (1, 10, 20, 20),
        25: (10, 500, 1000, 1000), 63: (2, 300, 500, 500), 200: (1, 50, 100, 100),
    }[size]
    df = forum(size, seed=size)
    c = df.filter(regex=r"^C\d+$").to_numpy()
    p = df.filter(regex=r"^P\d+$").to_numpy()
    dri_permutation_test(df, n_resamples=100, seed=0)  # warm-up
    timing, res = best_of(lambda: dri_permutation_test(df, n_resamples=n_perm, seed=1), repeats=3)
    gen = np.random.default_rng(2)

    def perms(k: int) -> np.ndarray:
        return gen.permuted(np.broadcast_to(np.arange(size), (k, size)), axis=1)

    refs = []
    agreement: dict[str, float] = {}
    def numpy_recompute(c: np.ndarray, p: np.ndarray, pk: np.ndarray) -> np.ndarray:
        return naive_permutations(df, pk)

    baselines: list[tuple[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], int, str]] = [
        ("per-pair scipy.stats.spearmanr (straightforward port)", per_pair, runs[0], "naive"),
        ("scipy.stats.spearmanr matrices per permutation", spearmanr_matrix, runs[1], "naive"),
        ("vectorised numpy recompute (rankdata + corrcoef) per permutation", numpy_recompute, runs[2], "strong"),
    ]
    for label, fn, k, kind in baselines:
        pk = perms(k)
        t, vals = best_of(partial(fn, c, p, pk), repeats=2)
        agreement[label] = float(np.max(np.abs(vals - fast_from_matrices(df, pk))))
        refs.append(reference(f"{label} ({k} run, scaled)", kind, t, scale=n_perm / k))
    checks: dict[str, Any] = {
        "n_permutations": n_perm,
        "observed_dri": float(res["estimate"].iloc[0]),
        "p_value": float(res["p_value"].iloc[0]),
        "max_abs_difference_same_permutations": agreement,
    }
    if use_r:
        with tempfile.TemporaryDirectory() as tmp:
            pd.DataFrame(c).to_csv(Path(tmp) / "c.csv", index=False)
            pd.DataFrame(p).to_csv(Path(tmp) / "p.csv", index=False)
            out = rscript(
                f"""
C <- as.matrix(read.csv("c.csv")); P <- as.matrix(read.csv("p.csv"))
dri <- function(q, r) {{ lam <- sqrt(2) / 2; (lam - 2 * mean(abs(q - r) / sqrt(2))) / lam }}
set.seed(1); ut <- upper.tri(diag(nrow(C)))
f <- function(k) vapply(seq_len(k), function(b) {{
  perm <- sample.int(nrow(P))
  q <- cor(t(C), method = "spearman"); r <- cor(t(P[perm, ]), method = "spearman")
  dri(q[ut], r[ut])
}}, numeric(1))
secs <- c(); for (i in 1:2) secs <- c(secs, system.time(v <- f({runs[3]}))[["elapsed"]])
cat(sprintf('{{"seconds": [%s], "null_mean": %.10g}}\\n', paste(sprintf("%.6f", secs), collapse = ","), mean(v)))
""",
                Path(tmp),
            )
        refs.append(r_reference(f"R cor(t(x), method='spearman') per permutation ({runs[3]} run, scaled)", out,
                                scale=n_perm / runs[3]))
    else:
        refs.append(reference("R cor(method='spearman') per permutation", "R", None, skipped="R disabled"))
    return {"size": size, "deliberval": timing, "references": refs, "checks": checks}
