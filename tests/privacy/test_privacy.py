"""Pseudonymisation (checked against RFC 4231 and openssl), free-text flags, small cells."""

from __future__ import annotations

import pandas as pd
import pytest

from deliberval.errors import DataInputError
from deliberval.privacy import (
    KEY_ENV_VAR,
    free_text_columns,
    load_key,
    pseudonymise,
    suppress_small_cells,
)


def test_rfc4231_test_case_2():
    # RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?". The key is short,
    # so call the HMAC through a 16+ byte key padded the way RFC 2104 does (zeros) - identical MAC.
    key = b"Jefe" + b"\x00" * 12
    df = pd.DataFrame({"respondent_id": ["what do ya want for nothing?"]})
    out = pseudonymise(df, key=key, length=64)
    assert out.loc[0, "respondent_id"] == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_matches_openssl_and_is_stable_across_waves(monkeypatch):
    monkeypatch.setenv(KEY_ENV_VAR, "correct horse battery staple")
    df = pd.DataFrame({"respondent_id": ["001", "002", "001", None], "wave": ["pre", "pre", "post", "pre"]})
    out = pseudonymise(df)
    # printf 001 | openssl dgst -sha256 -hmac "correct horse battery staple"
    assert out["respondent_id"].iloc[0] == "c0480dbbca4034e6"
    assert out["respondent_id"].iloc[2] == out["respondent_id"].iloc[0]
    assert pd.isna(out["respondent_id"].iloc[3])
    assert df["respondent_id"].iloc[0] == "001"  # input untouched


def test_key_file_and_key_never_in_output(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    f = tmp_path / "key.txt"
    f.write_text("s3cret-key-for-the-project\n")
    df = pd.DataFrame({"respondent_id": ["a"], "Name": ["Ann Jensen"], "E-mail": ["ann@x.dk"], "phone": ["+45"]})
    out = pseudonymise(df, key_file=f)
    assert out.columns.tolist() == ["respondent_id"]
    assert out.attrs["dropped_columns"] == ["Name", "E-mail", "phone"]
    dumped = out.to_csv() + repr(out.attrs)
    assert "s3cret" not in dumped
    assert "Ann" not in dumped


def test_missing_or_short_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    df = pd.DataFrame({"respondent_id": ["a"]})
    with pytest.raises(DataInputError, match=f"set {KEY_ENV_VAR}"):
        pseudonymise(df)
    with pytest.raises(DataInputError, match="expected at least 16"):
        load_key("short")
    with pytest.raises(DataInputError, match="id column"):
        pseudonymise(df, ["pid"], key="x" * 16)


def test_free_text_flags(fixture_instrument):
    df = pd.DataFrame({"fx_comment": ["ok", "no"], "fx_trust": [1.0, 2.0],
                       "remarks": ["Mette from the council said this was rigged", "I will vote differently in May"]})
    assert free_text_columns(df, fixture_instrument) == ["fx_comment", "remarks"]
    out = pseudonymise(df.assign(respondent_id=["a", "b"]), key="k" * 16, instrument=fixture_instrument)
    assert out.attrs["free_text_columns"] == ["fx_comment", "remarks"]


def test_suppress_small_cells():
    t = pd.DataFrame({"group": ["a", "b", "c"], "n": [5, 4, 0], "share": [0.5, 0.4, 0.0]})
    out = suppress_small_cells(t, "n")
    assert out["suppressed"].tolist() == [False, True, False]
    assert out["n"].tolist()[0] == 5
    assert pd.isna(out["n"].iloc[1])
    assert pd.isna(out["share"].iloc[1])
    assert out["group"].tolist() == ["a", "b", "c"]
    with pytest.raises(DataInputError, match="no count column"):
        suppress_small_cells(t, "count")


def test_suppress_small_cells_missing_count():
    # a nullable count with NA used to crash (Boolean array expected for the condition)
    t = pd.DataFrame({"group": ["a", "b", "c", "d"], "n": pd.array([12, pd.NA, 3, 0], dtype="Int64"),
                      "share": [0.5, 0.2, 0.1, 0.0]}, index=[10, 11, 12, 13])
    out = suppress_small_cells(t, "n")
    assert out["suppressed"].tolist() == [False, False, True, False]
    assert out["n"].tolist()[0] == 12
    assert pd.isna(out["n"].iloc[1])
    assert pd.isna(out["n"].iloc[2])
    assert out["share"].iloc[1] == 0.2
    assert pd.isna(out["share"].iloc[2])
    assert out.index.tolist() == [10, 11, 12, 13]
    floats = suppress_small_cells(t.assign(n=[12.0, float("nan"), 3.0, 0.0]), "n")
    assert floats["suppressed"].tolist() == [False, False, True, False]
    with pytest.raises(DataInputError, match="non-numeric values"):
        suppress_small_cells(t.assign(n=["12", "many", "3", "0"]), "n")
