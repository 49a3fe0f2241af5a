"""The uptake coding scheme is a versioned YAML users can adapt."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from deliberval.analysis.uptake import uptake
from deliberval.errors import InstrumentError
from deliberval.instruments.coding import load_scheme, shipped_scheme_path
from deliberval.validation.register import validate_register


def test_shipped_scheme() -> None:
    scheme = load_scheme()
    assert (scheme.id, scheme.version) == ("uptake", "1.0.0")
    assert scheme.status_order == (
        "no_response", "acknowledged", "rejected_without_reasons", "rejected_with_reasons",
        "referred_for_study", "accepted_in_principle", "partially_implemented", "implemented")
    assert scheme.status_rank["rejected_without_reasons"] == scheme.status_rank["rejected_with_reasons"]
    assert scheme.rejected_codes == {"rejected_without_reasons": False, "rejected_with_reasons": True}
    assert scheme.codes("fidelity") == ("unchanged", "expanded", "modified", "diluted")
    assert scheme.impact_codes == ("instrumental", "conceptual", "capacity")
    assert shipped_scheme_path().name == "uptake_v1.yaml"
    assert shipped_scheme_path().parent.name == "instruments"  # beside the instrument library


def test_adapted_scheme_changes_the_weights(tmp_path: Path) -> None:
    raw = yaml.safe_load(shipped_scheme_path().read_text(encoding="utf-8"))
    raw["version"] = "1.1.0"
    for code in raw["fidelity"]["codes"]:
        if code["code"] == "modified":
            code["weight"] = 0.8
    raw["response_status"]["uptake_from"] = "partially_implemented"
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    mine = load_scheme(path)
    assert mine.fidelity_weights["modified"] == 0.8
    recs = pd.DataFrame({"process_id": "p", "rec_id": ["a", "b"], "title": ["x", "y"],
                         "submitted": "2024-01-01"})
    ev = pd.DataFrame({"rec_id": ["a", "b"], "date": "2024-03-01",
                       "response_status": ["accepted_in_principle", "implemented"],
                       "fidelity": ["modified", "modified"]})
    res = uptake(validate_register(recs, ev, scheme=mine).register, as_of="2024-12-31")
    ind = res.indicators.set_index("indicator")["estimate"]
    assert ind["uptake_rate"] == 0.5  # accepted in principle no longer counts
    assert ind["fidelity_weighted_uptake"] == pytest.approx(0.4)
    assert res.scheme == "uptake 1.1.0"


def test_broken_scheme_lists_problems(tmp_path: Path) -> None:
    raw = yaml.safe_load(shipped_scheme_path().read_text(encoding="utf-8"))
    raw["version"] = "one"
    raw["response_status"]["uptake_from"] = "adopted"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(InstrumentError, match="uptake_from 'adopted' is not one of the codes"):
        load_scheme(path)
    with pytest.raises(InstrumentError, match="cannot read coding scheme"):
        load_scheme(tmp_path / "missing.yaml")
