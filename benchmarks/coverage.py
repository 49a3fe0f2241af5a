"""Monte Carlo coverage of the change-analysis confidence intervals (``make validate-coverage``).

Simulates 500 panel datasets with known effects (numpy, vectorised over datasets), runs
:func:`deliberval.analysis.change.prepost` and :func:`deliberval.analysis.did.did` on each,
and reports how often the nominal 95% intervals cover the truth. Acceptance: 93-97% for the
paired mean difference and the DiD. Writes ``benchmarks/results/coverage.json``.

Small bodies (issue 20; ``--small-reps``, 400 datasets per design by default): ``did`` with 5 vs
20, 10 vs 10 and 13 vs 8 members (CR2 as chosen by ``vcov="auto"``, under the acceptance, and
CR1 for comparison), and the 95 % intervals of the mean of J = 3, 4, 6, 10 units of 8-30
members by ``meta_analysis`` (Knapp-Hartung; Wald z for comparison) and ``bayesian_pooling``
(reported in ``small_bodies_within_93_97``, not in ``passed``). Figures in docs/methods/meta.md.

Measurement invariance (issue 19; ``--invariance-reps``, 500 datasets per scenario by default):
false-alarm rate and power of :func:`deliberval.invariance`'s verdict, 4 languages x 60, four
5-point items (design in ``benchmarks/invariance.py``); acceptance: false alarms <= 10 %, planted
intercept DIF flagged in >= 80 % (``invariance_passed``). Figures in docs/methods/psychometrics.md.

Not part of the unit tests (it takes a few minutes). Run with ``python -m benchmarks.coverage``
(``--reps``, ``--seed`` and ``--out`` change the defaults).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

import deliberval
from benchmarks import invariance as invariance_sim
from deliberval.analysis._common import rng
from deliberval.analysis.change import prepost
from deliberval.analysis.did import did
from deliberval.analysis.meta import bayesian_pooling, meta_analysis

RESULTS = Path(__file__).parent / "results" / "coverage.json"
# estimands under the acceptance criterion; effect-size intervals are reported for information
ACCEPTED = ("paired mean difference", "DiD")

# paired design: y_pre = a + e1, y_post = a + DELTA + e2
N_PAIRED = 60
DELTA = 0.3
SD_A, SD_E = 1.0, 0.7
TRUE_DZ = DELTA / (SD_E * math.sqrt(2))
TRUE_GAV = DELTA / math.sqrt(SD_A**2 + SD_E**2)  # both waves have the same SD

# DiD design: 80 participants, 120 controls, baseline gap, common trend, 15% attrition at post
N_TREATED, N_CONTROL = 80, 120
GAP, TREND, EFFECT = 0.3, 0.1, 0.4
P_MISSING_POST = 0.15


def simulate_paired(gen: np.random.Generator, reps: int) -> tuple[np.ndarray, np.ndarray]:
    """Arrays (reps, N_PAIRED) of pre and post values."""
    a = gen.normal(0, SD_A, (reps, N_PAIRED))
    pre = a + gen.normal(0, SD_E, (reps, N_PAIRED))
    post = a + DELTA + gen.normal(0, SD_E, (reps, N_PAIRED))
    return pre, post


def simulate_did(gen: np.random.Generator, reps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrays (reps, n) of pre values, post values (NaN when missing) and the treated flag."""
    n = N_TREATED + N_CONTROL
    treated = np.r_[np.ones(N_TREATED), np.zeros(N_CONTROL)]
    a = gen.normal(0, SD_A, (reps, n)) + GAP * treated
    pre = a + gen.normal(0, SD_E, (reps, n))
    post = a + TREND + EFFECT * treated + gen.normal(0, SD_E, (reps, n))
    post[gen.random((reps, n)) < P_MISSING_POST] = np.nan
    return pre, post, treated


# small bodies (issue 20): DiD with few members per group; meta-analysis of J units of 8-30 members
SMALL_DID = ((5, 20), (10, 10), (13, 8))
META_J = (3, 4, 6, 10)
META_MU, META_TAU, META_SD = 0.3, 0.2, 1.0  # unit true means ~ N(mu, tau^2); members' changes ~ N(theta, sd^2)
META_N = (8, 30)
META_TAU_SCALE = 0.5  # half-normal prior of bayesian_pooling (outcomes in SD units)


def small_bodies(reps: int, seed: int) -> list[dict]:
    """Coverage of did() (CR2 chosen by vcov="auto", and CR1) and of the 95 % meta intervals."""
    gen = rng(seed)
    out = []
    for n_t, n_c in SMALL_DID:
        treated = np.r_[np.ones(n_t), np.zeros(n_c)]
        group = np.where(treated == 1, "participant", "control")
        ci = np.empty((reps, 2, 2, 2))  # rep, vcov (auto, CR1), model (pooled, FE), (lo, hi)
        for i in range(reps):
            a = gen.normal(0, SD_A, n_t + n_c) + GAP * treated
            pre = a + gen.normal(0, SD_E, n_t + n_c)
            post = a + TREND + EFFECT * treated + gen.normal(0, SD_E, n_t + n_c)
            frame = _long(pre, post, group)
            for j, vc in enumerate(("auto", "CR1")):
                d = did(frame, "y", vcov=vc).set_index("model")  # type: ignore[arg-type]
                ci[i, j] = d.loc[["pooled_ols", "individual_fe"], ["ci_low", "ci_high"]].to_numpy()
        for j, label in enumerate(("CR2, Satterthwaite df (vcov='auto')", "CR1, G - 1 df (vcov='CR1')")):
            for m, model in enumerate(("pooled OLS", "individual fixed effects")):
                lo, hi = ci[:, j, m, 0], ci[:, j, m, 1]
                row = _summary(f"DiD {n_t} vs {n_c} members, {model}, {label}", EFFECT,
                               (lo <= EFFECT) & (hi >= EFFECT), hi - lo)
                row["accepted"] = j == 0
                out.append(row)
    for k in META_J:
        ci = np.empty((reps, 3, 2))  # REML + HKSJ, REML Wald z, Bayesian
        for i in range(reps):
            theta = gen.normal(META_MU, META_TAU, k)
            n = gen.integers(META_N[0], META_N[1] + 1, k)
            est, se = np.empty(k), np.empty(k)
            for u in range(k):
                x = gen.normal(theta[u], META_SD, n[u])
                est[u], se[u] = x.mean(), x.std(ddof=1) / math.sqrt(n[u])
            table = pd.DataFrame({"process": np.arange(k), "estimate": est, "se": se})
            for j, kh in enumerate((True, False)):
                s = meta_analysis(table, knapp_hartung=kh).summary.iloc[0]
                ci[i, j] = s["ci_low"], s["ci_high"]
            b = bayesian_pooling(table, tau_scale=META_TAU_SCALE).summary.set_index("parameter").loc["mu"]
            ci[i, 2] = b["ci_low"], b["ci_high"]
        for j, label in enumerate(("REML + Knapp-Hartung (HKSJ)", "REML, Wald z",
                                   f"Bayesian, half-normal({META_TAU_SCALE}) on tau")):
            lo, hi = ci[:, j, 0], ci[:, j, 1]
            row = _summary(f"meta-analysis mean, J = {k} units of {META_N[0]}-{META_N[1]}, {label}", META_MU,
                           (lo <= META_MU) & (hi >= META_MU), hi - lo)
            row["accepted"] = j != 1
            out.append(row)
    return out


def _long(pre: np.ndarray, post: np.ndarray, group: np.ndarray | None = None) -> pd.DataFrame:
    n = pre.size
    data: dict[str, object] = {
        "respondent_id": np.tile(np.arange(n), 2),
        "wave": np.repeat(["pre", "post"], n),
        "y": np.r_[pre, post],
    }
    if group is not None:
        data["group"] = np.tile(group, 2)
    out = pd.DataFrame(data)
    return out.loc[out["y"].notna()]


def _summary(name: str, truth: float, covered: np.ndarray, widths: np.ndarray) -> dict:
    cov = float(covered.mean())
    return {
        "estimand": name,
        "truth": truth,
        "coverage": cov,
        "mc_se": math.sqrt(cov * (1 - cov) / covered.size),
        "mean_ci_width": float(widths.mean()),
        "within_93_97": bool(0.93 <= cov <= 0.97),
    }


def run(
    reps: int = 500, seed: int = 20261121, small_reps: int = 400, invariance_reps: int = 500
) -> dict:
    """Simulate ``reps`` datasets of each design (``small_reps`` of the small bodies,
    ``invariance_reps`` per invariance scenario) and summarise."""
    start = time.perf_counter()
    gen = rng(seed)
    pre, post = simulate_paired(gen, reps)
    d_pre, d_post, treated = simulate_did(gen, reps)
    group = np.where(treated == 1, "participant", "control")

    paired = np.empty((reps, 6))
    did_ci = np.empty((reps, 2, 2))
    for i in range(reps):
        r = prepost(_long(pre[i], post[i]), "y").iloc[0]
        paired[i] = (
            r["ci_low"],
            r["ci_high"],
            r["d_z_ci_low"],
            r["d_z_ci_high"],
            r["g_av_ci_low"],
            r["g_av_ci_high"],
        )
        d = did(_long(d_pre[i], d_post[i], group), "y").set_index("model")
        did_ci[i] = d.loc[["pooled_ols", "individual_fe"], ["ci_low", "ci_high"]].to_numpy()

    def cover(lo: np.ndarray, hi: np.ndarray, truth: float) -> tuple[np.ndarray, np.ndarray]:
        return (lo <= truth) & (truth <= hi), hi - lo

    results = [
        _summary(
            "paired mean difference (prepost estimate)",
            DELTA,
            *cover(paired[:, 0], paired[:, 1], DELTA),
        ),
        _summary("paired d_z (prepost d_z)", TRUE_DZ, *cover(paired[:, 2], paired[:, 3], TRUE_DZ)),
        _summary(
            "paired g_av (prepost g_av, approximate CI)",
            TRUE_GAV,
            *cover(paired[:, 4], paired[:, 5], TRUE_GAV),
        ),
        _summary(
            "DiD, pooled OLS with cluster-robust SE",
            EFFECT,
            *cover(did_ci[:, 0, 0], did_ci[:, 0, 1], EFFECT),
        ),
        _summary(
            "DiD, individual fixed effects",
            EFFECT,
            *cover(did_ci[:, 1, 0], did_ci[:, 1, 1], EFFECT),
        ),
    ]
    small = small_bodies(small_reps, seed + 1) if small_reps > 0 else []
    results.extend(small)
    inv = invariance_sim.run(invariance_reps, seed + 2) if invariance_reps > 0 else []
    return {
        "script": "benchmarks/coverage.py",
        "deliberval_version": deliberval.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "seed": seed,
        "n_datasets": reps,
        "n_datasets_small_bodies": small_reps,
        "confidence_level": 0.95,
        "acceptance": "coverage of the paired mean difference and the DiD within 0.93-0.97",
        "designs": {
            "paired": {"n": N_PAIRED, "delta": DELTA, "sd_person": SD_A, "sd_error": SD_E},
            "did": {
                "n_treated": N_TREATED,
                "n_control": N_CONTROL,
                "baseline_gap": GAP,
                "trend": TREND,
                "effect": EFFECT,
                "p_missing_post": P_MISSING_POST,
                "sd_person": SD_A,
                "sd_error": SD_E,
            },
            "small_bodies": {
                "did_members": [list(x) for x in SMALL_DID], "did_effect": EFFECT,
                "meta_units": list(META_J), "meta_members_per_unit": list(META_N), "meta_mu": META_MU,
                "meta_tau": META_TAU, "meta_sd": META_SD, "bayes_tau_prior": f"half-normal({META_TAU_SCALE})",
            },
        },
        "results": results,
        "passed": all(r["within_93_97"] for r in results
                      if r.get("accepted", True) and r["estimand"].startswith(ACCEPTED)),
        "small_bodies_within_93_97": all(r["within_93_97"] for r in small if r["accepted"]),
        "n_datasets_invariance": invariance_reps,
        "invariance_design": invariance_sim.DESIGN,
        "invariance": inv,
        "invariance_passed": all(r["accepted"] for r in inv),
        "seconds": round(time.perf_counter() - start, 1),
    }


def _merge_invariance(out: Path, reps: int, seed: int) -> None:
    """Rerun only the invariance simulation (same seed stream as a full run: ``seed + 2``) and
    replace the invariance block of an existing results file, keeping the coverage blocks."""
    start = time.perf_counter()
    summary = json.loads(out.read_text(encoding="utf-8"))
    if summary.get("seed") != seed:
        raise SystemExit(f"{out} was written with seed {summary.get('seed')}, not {seed}")
    inv = invariance_sim.run(reps, seed + 2)
    summary.update({
        "n_datasets_invariance": reps,
        "invariance_design": invariance_sim.DESIGN,
        "invariance": inv,
        "invariance_passed": all(r["accepted"] for r in inv),
        "invariance_seconds": round(time.perf_counter() - start, 1),
    })
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    for r in inv:
        flag = "ok" if r["accepted"] else "NOT ACCEPTED"
        print(f"invariance, DIF {r['scenario']:<10} flagged {r['rate']:.3f} (MC SE {r['mc_se']:.3f}), "
              f"{r['criterion']}  {flag}")
    if not summary["invariance_passed"]:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--small-reps", type=int, default=400, help="datasets per small-body design (0: none)")
    parser.add_argument("--invariance-reps", type=int, default=500,
                        help="datasets per invariance scenario (0: none)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--only-invariance", action="store_true",
                        help="run only the invariance simulation and merge its block into --out")
    args = parser.parse_args()
    if args.only_invariance:
        _merge_invariance(args.out, args.invariance_reps, args.seed)
        return
    summary = run(args.reps, args.seed, args.small_reps, args.invariance_reps)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    for r in summary["results"]:
        flag = "ok" if r["within_93_97"] else "OUT OF 93-97%"
        print(f"{r['estimand']:<45} coverage {r['coverage']:.3f} (MC SE {r['mc_se']:.3f})  {flag}")
    for r in summary["invariance"]:
        flag = "ok" if r["accepted"] else "NOT ACCEPTED"
        print(f"invariance, DIF {r['scenario']:<10} flagged {r['rate']:.3f} (MC SE {r['mc_se']:.3f}), "
              f"{r['criterion']}  {flag}")
    print(f"wrote {args.out} in {summary['seconds']} s")
    if not (summary["passed"] and summary["invariance_passed"]):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
