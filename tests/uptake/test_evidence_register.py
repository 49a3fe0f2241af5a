"""Evidence in the register (issue 21, deliverable 3): the evidence table is read, validated
(one failure row per bad cell naming file, line, column, value and what was expected) and its
quoted passages are looked up in the documents supplied."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from deliberval.errors import DataInputError
from deliberval.io.documents import read_documents
from deliberval.io.register import (
    read_register,
    template_validations,
    write_register,
    write_register_template,
)
from deliberval.schemas.register import EVIDENCE_COLUMNS
from deliberval.validation.register import find_passage, validate_register

RESPONSE = ("The Government accepts the recommendation on bike lanes.\n\n"
            "A law of 3 May 2025 creates 200 km of protected bike lanes by 2027.\n\n"
            "The bus lanes were already planned in the 2023 mobility plan.")


def _register() -> tuple[pd.DataFrame, pd.DataFrame]:
    recs = pd.DataFrame({"process_id": "p1", "rec_id": ["r1", "r2"], "title": ["Bike lanes", "Bus lanes"],
                         "submitted": "2024-03-01", "prior_agenda": ["no", "yes"]})
    ev = pd.DataFrame({"rec_id": ["r1", "r1", "r2"], "date": ["2024-04-02", "2025-05-03", "2024-05-02"],
                       "response_status": ["accepted_in_principle", "implemented", "accepted_in_principle"],
                       "fidelity": [None, "unchanged", None], "coder": "ann"})
    return recs, ev


def _evidence() -> pd.DataFrame:
    return pd.DataFrame({
        "rec_id": ["r1", "r1", "r1", "r2"],
        "field": ["response_status", "response_status", "fidelity", "prior_agenda"],
        "code": ["accepted_in_principle", "implemented", "unchanged", "yes"],
        "document": "response.txt",
        "page": None,
        "passage": ["The Government accepts the recommendation on bike lanes.",
                    "A law of 3 May 2025 creates 200 km of protected bike lanes",
                    "creates 200 km of   protected\nbike lanes by 2027.",
                    "The bus lanes were already planned in the 2023 mobility plan."],
        "coder": "ann", "coded_on": ["2025-06-01", "2025-06-01", None, "2025-06-02"]})


@pytest.fixture
def documents(tmp_path):
    f = tmp_path / "response.txt"
    f.write_text(RESPONSE, encoding="utf-8")
    return read_documents([f])


def test_valid_evidence_is_kept_with_its_hash(documents):
    recs, ev = _register()
    res = validate_register(recs, ev, evidence=_evidence(), documents=documents)
    assert res.all_valid
    evi = res.register.evidence
    assert list(evi.columns) == list(EVIDENCE_COLUMNS)
    assert len(evi) == 4
    # the hash is of the passage with its white space collapsed
    expected = hashlib.sha256(b"creates 200 km of protected bike lanes by 2027.").hexdigest()
    assert evi.loc[2, "passage_sha256"] == expected
    assert evi["coded_on"].dtype == "datetime64[ns]"
    assert pd.isna(evi.loc[2, "coded_on"])
    assert evi.loc[0, "coded_on"] == pd.Timestamp("2025-06-01")


def test_a_passage_absent_from_the_documents_is_a_clear_error(documents):
    recs, ev = _register()
    evi = _evidence()
    evi.loc[1, "passage"] = "A law of 3 May 2025 creates 500 km of bike lanes"
    evi.loc[3, "document"] = "budget.pdf"
    res = validate_register(recs, ev, evidence=evi, documents=documents)
    f = res.evidence.failures.set_index("row")
    assert list(f.index) == [1, 3]
    assert f.loc[1, "check"] == "passage_not_found"
    assert f.loc[1, "line"] == 3
    assert f.loc[1, "column"] == "passage"
    assert f.loc[1, "message"].startswith(
        "the passage 'A law of 3 May 2025 creates 500 km of bike lanes' is not in document 'response.txt'")
    assert f.loc[3, "check"] == "document_not_supplied"
    assert f.loc[3, "value"] == "budget.pdf"
    assert "not among the documents supplied (response.txt)" in f.loc[3, "message"]
    assert len(res.register.evidence) == 2
    assert len(res.evidence.quarantined) == 2
    with pytest.raises(DataInputError, match=r"evidence line 3 \(rec_id 'r1'\): the passage"):
        res.require_valid()


def test_every_bad_cell_is_named():
    recs, ev = _register()
    evi = _evidence()
    evi.loc[0, "field"] = "status"
    evi.loc[1, "code"] = "rejected_with_reasons"  # a code, but not the register's
    evi.loc[2, "page"] = "0"
    evi.loc[2, "passage_sha256"] = "ab" * 32
    evi.loc[3, "code"] = "no"  # the register says yes, and no coder is named
    evi.loc[3, "coder"] = None
    evi.loc[3, "coded_on"] = "31/12/2025"
    res = validate_register(recs, ev, evidence=pd.concat(
        [evi, pd.DataFrame({"rec_id": ["r9"], "field": ["fidelity"], "code": ["unchanged"],
                            "document": ["x.txt"], "passage": ["y"]})], ignore_index=True))
    got = res.evidence.failures[["row", "column", "value", "check"]].values.tolist()
    assert got == [
        [0, "field", "status", "not_allowed"],
        [1, "code", "rejected_with_reasons", "code_not_coded"],
        [2, "page", "0", "type"],
        [2, "passage_sha256", "ab" * 32, "hash_mismatch"],
        [3, "code", "no", "code_not_coded"],
        [3, "coded_on", "31/12/2025", "date"],
        [4, "rec_id", "r9", "unknown_rec_id"],
    ]
    msg = res.evidence.failures.set_index(["row", "check"])["message"]
    assert msg[(3, "code_not_coded")] == ("recommendation 'r2' has prior_agenda 'yes', not 'no'; expected "
                                          "evidence of the code the register holds")
    assert msg[(1, "code_not_coded")].startswith("no valid response event of 'r1' has response_status "
                                            "'rejected_with_reasons' (its events hold accepted_in_principle, "
                                            "implemented)")
    assert msg[(0, "not_allowed")] == ("field 'status' is not a coded field that evidence can back; expected one of "
                                  "response_status, fidelity, prior_agenda")
    # nothing lost: every evidence row is valid or quarantined
    assert len(res.register.evidence) + len(res.evidence.quarantined) == res.evidence.n_rows == 5


def test_page_is_checked_when_the_document_has_pages():
    docs = pd.DataFrame({"document": "law.pdf", "page": pd.array([1, 2, 3], dtype="Int64"),
                         "text": ["Article 1. Bike lanes.", "Article 2. Bus lanes are", "free of charge."]})
    check = find_passage(docs)
    assert check("law.pdf", 2, "Article 2. Bus lanes") is None
    assert check("law.pdf", 2, "Bus lanes are free of charge.") is None  # runs on to the next page
    assert check("law.pdf", None, "Bike lanes.") is None
    assert check("law.pdf", 3, "Article 1.") == "the passage 'Article 1.' is not on page 3 of document 'law.pdf'; it is on page 1"


def test_a_pluggable_check():
    recs, ev = _register()
    seen = []

    def check(document, page, passage):
        seen.append((document, page))
        return None if "bus" in passage else f"the passage is not in {document!r}"

    res = validate_register(recs, ev, evidence=_evidence(), documents=check)
    assert len(seen) == 4
    assert res.evidence.failures["check"].tolist() == ["passage_not_found"] * 3


@pytest.mark.parametrize("target", ["register.xlsx", "folder"])
def test_evidence_survives_write_and_read(tmp_path, documents, target):
    recs, ev = _register()
    reg = validate_register(recs, ev, evidence=_evidence(), documents=documents).require_valid()
    out = write_register(reg, tmp_path / target)
    raw = read_register(out)
    assert raw.evidence is not None
    assert len(raw.evidence) == 4
    back = validate_register(raw.recommendations, raw.events, evidence=raw.evidence, documents=documents)
    assert back.all_valid
    pd.testing.assert_frame_equal(back.register.evidence, reg.evidence)


def test_template_has_an_evidence_sheet(tmp_path):
    out = write_register_template(tmp_path / "template.xlsx")
    raw = read_register(out)
    assert list(raw.evidence.columns) == list(EVIDENCE_COLUMNS)
    assert len(raw.evidence) == 0
    assert list(template_validations(out)["evidence"]) == ["field"]
    # a register without evidence reads as None and validates as before
    recs, ev = _register()
    res = validate_register(recs, ev)
    assert res.evidence is None
    assert len(res.register.evidence) == 0


def test_a_named_coders_other_prior_agenda_is_a_warning():
    recs, ev = _register()
    evi = _evidence()
    extra = evi.iloc[[3]].assign(code="no", coder="bob")
    res = validate_register(recs, ev, evidence=pd.concat([evi, extra], ignore_index=True))
    assert res.all_valid
    f = res.evidence.failures
    assert f[["row", "check", "severity"]].values.tolist() == [[4, "coder_code", "warning"]]
    assert f["message"].iloc[0].startswith("coder 'bob' codes prior_agenda 'no' for 'r2' where the register holds 'yes'")
    assert len(res.register.evidence) == 5
