"""Pre/post change for 50 outcomes: paired t, Wilcoxon, effect sizes, Holm and BH.

Data: n respondents x (pre, post) rows in long form, 50 outcomes on a 0-10 scale with 5%
missing answers and a small true change.

* deliberval: ``prepost(df, outcomes)`` (t interval, Wilcoxon as R, d_z and g_av with
  noncentral-t intervals, top-two-box when asked, Holm and BH).
* scipy loop: one pivot, then per outcome ``scipy.stats.ttest_rel`` + ``scipy.stats.wilcoxon``
  + d_z, then ``statsmodels`` Holm and BH (fewer statistics than deliberval: no d_z/g_av
  intervals).
* pingouin loop: per outcome ``pingouin.ttest(paired=True)`` + ``pingouin.wilcoxon``, then
  ``pingouin.multicomp`` Holm and BH.
* R: per outcome ``t.test(paired = TRUE)`` + ``wilcox.test(paired = TRUE)``, then ``p.adjust``
  (timed inside R on the same data).
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.cases._util import best_of, r_reference, reference, rscript
from deliberval.analysis.change import prepost

NAME = "prepost"
TITLE = "prepost, 50 outcomes"
SIZE_LABEL = "respondents"


def sizes(quick: bool) -> list[int]:
    return [50, 100] if quick else [1_250, 5_000, 20_000]


def n_outcomes(quick: bool) -> int:
    return 5 if quick else 50


def simulate(n: int, k: int, seed: int = 5) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    base = gen.normal(5, 2, (n, k))
    pre = np.clip(np.round(base + gen.normal(0, 1, (n, k))), 0, 10)
    post = np.clip(np.round(base + 0.2 + gen.normal(0, 1, (n, k))), 0, 10)
    x = np.vstack([pre, post])
    x[gen.random(x.shape) < 0.05] = np.nan
    df = pd.DataFrame(x, columns=[f"o{j:02d}" for j in range(k)])
    df.insert(0, "wave", np.repeat(["pre", "post"], n))
    df.insert(0, "respondent_id", np.tile(np.arange(n), 2))
    return df


def scipy_loop(df: pd.DataFrame, outs: list[str]) -> pd.DataFrame:
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    wide = df.pivot(index="respondent_id", columns="wave", values=outs)
    rows = []
    for o in outs:
        a = wide[(o, "pre")].to_numpy()
        b = wide[(o, "post")].to_numpy()
        ok = ~(np.isnan(a) | np.isnan(b))
        a, b = a[ok], b[ok]
        d = b - a
        t = stats.ttest_rel(b, a)
        ci = t.confidence_interval()
        w = stats.wilcoxon(b, a, zero_method="wilcox", correction=True)
        rows.append((o, ok.sum(), d.mean(), ci.low, ci.high, t.statistic, t.pvalue, w.statistic, w.pvalue,
                     d.mean() / d.std(ddof=1)))
    res = pd.DataFrame(rows, columns=["outcome", "n", "estimate", "ci_low", "ci_high", "statistic", "p_value",
                                      "wilcoxon_statistic", "wilcoxon_p_value", "d_z"])
    res["holm_p_value"] = multipletests(res["p_value"], method="holm")[1]
    res["bh_p_value"] = multipletests(res["p_value"], method="fdr_bh")[1]
    return res


def pingouin_loop(df: pd.DataFrame, outs: list[str]) -> pd.DataFrame:
    import pingouin as pg

    wide = df.pivot(index="respondent_id", columns="wave", values=outs)
    parts = []
    for o in outs:
        pair = wide[[(o, "pre"), (o, "post")]].dropna()
        a, b = pair.iloc[:, 0].to_numpy(), pair.iloc[:, 1].to_numpy()
        t = pg.ttest(b, a, paired=True)
        w = pg.wilcoxon(b, a)
        parts.append(pd.DataFrame({"outcome": [o], "p_value": t["p_val"].to_numpy(),
                                   "wilcoxon_p_value": w["p_val"].to_numpy()}))
    res = pd.concat(parts, ignore_index=True)
    res["holm_p_value"] = pg.multicomp(res["p_value"].to_numpy(), method="holm")[1]
    res["bh_p_value"] = pg.multicomp(res["p_value"].to_numpy(), method="fdr_bh")[1]
    return res


def run(size: int, quick: bool, use_r: bool) -> dict[str, Any]:
    k = n_outcomes(quick)
    df = simulate(size, k)
    outs = [c for c in df.columns if c.startswith("o")]
    prepost(simulate(30, 2), ["o00", "o01"])  # warm-up
    pg_k = max(1, k // 5)  # pingouin.ttest integrates BF10 per call: run a fifth, scale
    timing, res = best_of(lambda: prepost(df, outs), repeats=3)
    sp_t, sp = best_of(lambda: scipy_loop(df, outs), repeats=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pg_t, _ = best_of(lambda: pingouin_loop(df, outs[:pg_k]), repeats=2)
    refs = [
        reference("scipy per-outcome loop (ttest_rel + wilcoxon, statsmodels Holm/BH)", "peer", sp_t,
                  note="no effect-size intervals"),
        reference(f"pingouin per-outcome loop ({pg_k} outcomes run, scaled)", "peer", pg_t, scale=k / pg_k,
                  note="pingouin.ttest paired + wilcoxon; ttest also integrates BF10 and power"),
    ]
    merged = res.merge(sp, on="outcome", suffixes=("", "_scipy"))
    checks: dict[str, Any] = {
        "outcomes": k,
        "rows": len(df),
        "estimate_max_abs_difference_scipy": float((merged["estimate"] - merged["estimate_scipy"]).abs().max()),
        "p_value_max_abs_difference_scipy": float((merged["p_value"] - merged["p_value_scipy"]).abs().max()),
        "holm_p_value_max_abs_difference_statsmodels": float(
            (merged["holm_p_value"] - merged["holm_p_value_scipy"]).abs().max()),
    }
    if use_r:
        with tempfile.TemporaryDirectory() as tmp:
            df.to_csv(Path(tmp) / "x.csv", index=False)
            out = rscript(
                """
d <- read.csv("x.csv")
outs <- grep("^o[0-9]+$", names(d), value = TRUE)
pre <- d[d$wave == "pre", ]; post <- d[d$wave == "post", ]
post <- post[match(pre$respondent_id, post$respondent_id), ]
f <- function() {
  p <- vapply(outs, function(o) {
    tt <- t.test(post[[o]], pre[[o]], paired = TRUE)
    ww <- suppressWarnings(wilcox.test(post[[o]], pre[[o]], paired = TRUE))
    c(tt$p.value, ww$p.value)
  }, numeric(2))
  list(p = p, holm = p.adjust(p[1, ], "holm"), bh = p.adjust(p[1, ], "BH"))
}
secs <- c(); for (r in 1:3) secs <- c(secs, system.time(res <- f())[["elapsed"]])
cat(sprintf('{"seconds": [%s], "p_t_first": %.15g}\\n', paste(sprintf("%.6f", secs), collapse = ","), res$p[1, 1]))
""",
                Path(tmp),
            )
        refs.append(r_reference("R t.test + wilcox.test loop, p.adjust", out))
        if "p_t_first" in out:
            checks["p_value_abs_difference_r_first_outcome"] = abs(
                float(res["p_value"].iloc[0]) - float(out["p_t_first"]))
    else:
        refs.append(reference("R t.test + wilcox.test loop, p.adjust", "R", None, skipped="R disabled"))
    return {"size": size, "deliberval": timing, "references": refs, "checks": checks}
