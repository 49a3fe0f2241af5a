"""Write the committed inputs of generate_uptake.R (run once from the repository root).

    .venv/bin/python tests/reference/uptake/make_inputs.py
    cd tests/reference/uptake && Rscript generate_uptake.R

agreement_codes.csv: 60 response events coded by three coders (chloe skipped some) on the
ordinal response status, and 40 events coded by two coders on fidelity (nominal).
register_*.csv: simulated registers of the four example processes (seeds 100-103) with five
prior-agenda entries set to "unknown".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from deliberval.datasets.registers import REGISTER_PROCESSES, simulate_register
from deliberval.instruments.coding import load_scheme

HERE = Path(__file__).resolve().parent


def agreement_codes() -> pd.DataFrame:
    scheme = load_scheme()
    order = list(scheme.status_order)
    rng = np.random.default_rng(20240607)
    rows = []
    for i in range(60):
        truth = rng.choice(len(order), p=[.08, .12, .1, .15, .1, .15, .15, .15])
        for coder in ["ana", "ben", "chloe"]:
            if coder == "chloe" and rng.random() < 0.15:
                continue
            r = rng.random()
            if r < 0.7:
                v = truth
            elif r < 0.93:
                v = int(np.clip(truth + rng.choice([-1, 1]), 0, 7))
            else:
                v = int(rng.integers(0, 8))
            rows.append({"dimension": "response_status", "item": f"ev{i + 1:03d}",
                         "coder": coder, "code": order[v]})
    fid = list(scheme.codes("fidelity"))
    for i in range(40):
        truth = rng.integers(0, 4)
        for coder in ["ana", "ben"]:
            v = truth if rng.random() < 0.75 else rng.integers(0, 4)
            rows.append({"dimension": "fidelity", "item": f"ev{i + 1:03d}", "coder": coder,
                         "code": fid[v]})
    return pd.DataFrame(rows)


def registers() -> tuple[pd.DataFrame, pd.DataFrame]:
    recs, evs = [], []
    for i, p in enumerate(REGISTER_PROCESSES):
        reg = simulate_register(p, seed=100 + i)
        recs.append(reg.recommendations)
        evs.append(reg.events)
    rec = pd.concat(recs, ignore_index=True)
    ev = pd.concat(evs, ignore_index=True)
    rec.loc[[3, 17, 40, 41, 90], "prior_agenda"] = "unknown"
    rec = rec[["process_id", "rec_id", "title", "submitted", "theme", "prior_agenda"]]
    ev = ev[["rec_id", "date", "response_status", "fidelity", "impact_type", "coder"]]
    return rec, ev


if __name__ == "__main__":
    agreement_codes().to_csv(HERE / "agreement_codes.csv", index=False)
    rec, ev = registers()
    rec.to_csv(HERE / "register_recommendations.csv", index=False, date_format="%Y-%m-%d")
    ev.to_csv(HERE / "register_events.csv", index=False, date_format="%Y-%m-%d")
