"""register_agreement against R (tests/reference/register_agreement/generate_register_agreement.R:
vcd::Kappa and psych::cohen.kappa for Cohen's kappa with its large-sample interval, Gwet's AC1 and
percent agreement by their formulas), per field, model-assisted coder vs each manual coder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from deliberval.analysis.register_agreement import register_agreement
from deliberval.validation.register import validate_register

REF = Path(__file__).parents[1] / "reference" / "register_agreement"


def test_matches_r():
    ev = pd.read_csv(REF / "events.csv", dtype=str)
    evi = pd.read_csv(REF / "evidence.csv", dtype=str).assign(document="agenda.txt", passage="quoted")
    recs = pd.DataFrame({"process_id": "p", "rec_id": sorted(ev["rec_id"].unique()), "title": "t",
                         "submitted": "2025-01-15"})
    checked = validate_register(recs, ev, evidence=evi)
    assert len(checked.register.evidence) == len(evi)  # other coders' prior agendas are warnings, kept
    out = register_agreement(checked.register)
    out = out[out["comparison"] == "model"].set_index(["field", "coder_2", "statistic"])
    ref = pd.read_csv(REF / "register_agreement.csv")
    ref = ref[ref["coder_1"] == "model"]
    assert len(ref) == 18
    for r in ref.itertuples(index=False):
        got = out.loc[(r.field, r.coder_2, r.statistic)]
        assert got["estimate"] == pytest.approx(r.estimate, abs=1e-9), (r.field, r.coder_2, r.statistic)
        assert got["n"] == r.n
        if r.statistic == "cohen_kappa":
            assert got["ci_low"] == pytest.approx(r.ci_low, abs=1e-9)
            assert got["ci_high"] == pytest.approx(r.ci_high, abs=1e-9)
