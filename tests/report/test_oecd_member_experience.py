"""A report on the OECD member questionnaire shows every statement it asks in the experience table.

Rests on the catalogue's ``experience_constructs``: the questionnaire's per-facet items (inclusive
facilitation, being heard, clarity of evidence, ...) are not read by an indicator, and without the
catalogue naming their constructs the report would leave them out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from deliberval.indicators.evaluate import evaluate_process
from deliberval.instruments import load_instrument
from deliberval.report import build_report
from deliberval.validation.process import process_data


def test_every_agreement_statement_of_the_member_questionnaire_is_shown() -> None:
    ins = load_instrument("oecd_member_questionnaire")
    rng = np.random.default_rng(11)
    n = 40
    df = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)], "process_id": "p", "wave": "post",
                       "group": "participant", "role": "citizen"})
    asked = [it for it in ins.items if it.scale == "oecd_agree_5" and "post" in it.waves]
    for it in asked:
        df[it.id] = rng.integers(1, 6, n)
    process = pd.DataFrame([{"process_id": "p", "name": "Test", "model": "citizens_assembly"}])
    rep = build_report(evaluate_process(process_data(ins, process_id="p", responses=df, process=process)))
    (section,) = [s for s in rep.sections if s.key == "experience"]
    shown = " ".join(tab.data.astype(str).to_string() for tab in section.tables)
    missing = [it.id for it in asked if it.text["en"] not in shown]
    assert len(asked) >= 15
    assert missing == []
