"""Write the coded register of the register-agreement goldens (deterministic, seed 20261202).

40 recommendations, one dated response each, coded by three coders (ann, bob and a
model-assisted coder 'model') who copy a true code and err with a coder-specific probability;
fidelity only on implemented responses; the prior agenda on each coder's evidence rows.
Run: python make_inputs.py (writes events.csv and evidence.csv here).
"""

from pathlib import Path

import numpy as np
import pandas as pd

STATUS = ["acknowledged", "rejected_with_reasons", "accepted_in_principle", "partially_implemented", "implemented"]
FIDELITY = ["unchanged", "expanded", "modified", "diluted"]
ERR = {"ann": 0.15, "bob": 0.25, "model": 0.35}

rng = np.random.default_rng(20261202)
rows, evi = [], []
for i in range(40):
    rid = f"r{i + 1:02d}"
    truth = STATUS[rng.integers(len(STATUS))]
    fid = FIDELITY[rng.integers(len(FIDELITY))]
    agenda = "yes" if rng.random() < 0.4 else "no"
    for coder, err in ERR.items():
        code = truth if rng.random() >= err else STATUS[rng.integers(len(STATUS))]
        f = None
        if code == "implemented":
            f = fid if rng.random() >= err else FIDELITY[rng.integers(len(FIDELITY))]
        rows.append({"rec_id": rid, "date": "2025-06-01", "response_status": code, "fidelity": f, "coder": coder})
        a = agenda if rng.random() >= err else ("no" if agenda == "yes" else "yes")
        evi.append({"rec_id": rid, "field": "prior_agenda", "code": a, "coder": coder})
here = Path(__file__).parent
pd.DataFrame(rows).to_csv(here / "events.csv", index=False)
pd.DataFrame(evi).to_csv(here / "evidence.csv", index=False)
