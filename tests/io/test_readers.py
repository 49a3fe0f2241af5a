"""Readers: encodings, delimiters, real SPSS data, mapping, suggestions and clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

from deliberval.errors import DataInputError
from deliberval.io import (
    Mapping,
    apply_mapping,
    decode_text,
    load_mapping,
    read_responses,
    read_spss,
    read_table,
    suggest_mapping,
)

from .conftest import FIXTURES


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("utf-8", b""), ("utf-8-sig", b""), ("cp1252", b""), ("latin-1", b"")]
)
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_encodings_and_delimiters_are_detected(tmp_path, encoding, prefix, sep):
    text = sep.join(["respondent_id", "wave", "city"]) + "\n" + sep.join(["007", "pre", "Liège"]) + "\n"
    path = tmp_path / "d.csv"
    path.write_bytes(prefix + text.encode(encoding))
    df = read_table(path)
    assert df.to_dict("list") == {"respondent_id": ["007"], "wave": ["pre"], "city": ["Liège"]}


def test_decode_text_order():
    assert decode_text("Æble".encode())[1] == "utf-8"
    assert decode_text("€ Æble".encode("cp1252")) == ("€ Æble", "cp1252")
    assert decode_text(b"\x81abc")[1] == "latin-1"  # 0x81 is undefined in cp1252


def test_sample_sav_reads_with_value_labels_and_maps_onto_waves_and_groups(data_dir, dp_instrument):
    path = data_dir / "deliberative-polling" / "Sample.sav"
    raw = read_table(path)
    assert list(raw.columns[:4]) == ["ID", "Group", "Time", "Weight1"]
    assert raw.attrs["value_labels"]["Education"][3.0] == "Bachelor's Degree"
    assert raw.attrs["measure"]["Group"] == "nominal"
    df = read_spss(path, dp_instrument, FIXTURES / "mappings" / "sample_sav_map.yaml")
    assert len(df) == 30
    assert df.groupby(["group", "wave"]).size().to_dict() == {
        ("control", "post"): 8, ("control", "pre"): 7, ("participant", "post"): 7, ("participant", "pre"): 8,
    }
    assert df.attrs["value_labels"]["dp_evaluation"][4.0] == "Agree"
    assert df.attrs["column_labels"]["dp_democracy"] == "How well does democracy function?"
    assert df.loc[0, "respondent_id"] == "1"
    assert df["weight"].notna().all()
    assert df["dp_evaluation"].notna().sum() == 7  # asked of participants after deliberation only


def test_suggest_mapping_for_sample_sav(data_dir, dp_instrument):
    raw = read_table(data_dir / "deliberative-polling" / "Sample.sav")
    m = suggest_mapping(raw, dp_instrument)
    assert m.columns["ID"] == "respondent_id"
    assert m.columns["Time"] == "wave"
    assert m.columns["Group"] == "group"
    assert m.columns["Weight1"] == "weight"
    assert m.values["wave"] == {"T1": "pre", "T2": "post"}
    assert m.values["group"] == {"Treatment": "participant", "Control": "control"}
    assert m.columns["Question1"] == "dp_democracy"  # through the SPSS variable label
    assert m.unmatched == []
    m2 = suggest_mapping(raw.assign(Extra=1), dp_instrument)
    assert m2.unmatched == ["Extra"]
    assert m2.to_yaml().endswith("# not matched (map or drop them): Extra\n")


def test_mapping_file_round_trip_and_errors(tmp_path):
    m = Mapping(columns={"T": "wave"}, values={"wave": {1: "pre", 2: "post"}}, constants={"role": "citizen"})
    f = tmp_path / "m.yaml"
    f.write_text(m.to_yaml())
    loaded = load_mapping(f)
    out = apply_mapping(pd.DataFrame({"T": [1.0, 2.0, 3.0]}), loaded)
    assert out["wave"].tolist() == ["pre", "post", 3.0]  # unmapped codes kept for validation
    f.write_text("colums: {}\n")
    with pytest.raises(DataInputError, match=r"m.yaml: unknown key\(s\) \['colums'\]"):
        load_mapping(f)
    with pytest.raises(DataInputError, match="source column"):
        apply_mapping(pd.DataFrame({"x": [1]}), loaded)


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b"", "file is empty"),
        (b'a,b\n1,"2\n', r"line 2: unexpected end of data"),
        (b"a,a\n1,2\n", "repeats column name"),
        (b"a,b\n\x00\x01,2\n", "NUL bytes"),
    ],
)
def test_unreadable_text_files_raise_one_clear_error(tmp_path, content, pattern):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DataInputError, match=pattern) as info:
        read_responses(path)
    assert str(path) in str(info.value)


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(DataInputError, match=r"unknown file format '\.json'"):
        read_responses(tmp_path / "x.json")
    with pytest.raises(DataInputError, match="does not exist"):
        read_responses(tmp_path / "x.csv")
    bad = tmp_path / "x.sav"
    bad.write_bytes(b"not spss")
    with pytest.raises(DataInputError, match="cannot be read as spss"):
        read_responses(bad)
    xl = tmp_path / "x.xlsx"
    xl.write_bytes(b"PK not a zip")
    with pytest.raises(DataInputError, match="cannot be read as excel"):
        read_responses(xl)


def test_truncated_rows_are_kept_with_empty_cells(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("respondent_id,wave,x\n1,pre,3\n2,post\n")
    df = read_responses(path)
    assert len(df) == 2
    assert pd.isna(df.loc[1, "x"])


def test_non_numeric_answers_are_kept_as_text_for_validation(tmp_path, fixture_instrument):
    path = tmp_path / "t.csv"
    path.write_text("respondent_id,wave,fx_trust\n1,pre,7\n2,pre,seven\n")
    df = read_responses(path, fixture_instrument)
    assert df["fx_trust"].tolist() == ["7", "seven"]
