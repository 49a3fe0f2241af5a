"""InputFile: every file read once, hashed from the same bytes, parsed without touching the disk again."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from deliberval.errors import DataInputError
from deliberval.io import (
    InputFile,
    detect_format,
    load_mapping,
    read_responses,
    read_table,
    write_responses,
)
from deliberval.io import readers as readers_module

SURVEYS = Path(__file__).parent / "fixtures" / "surveys"
MAPPINGS = Path(__file__).parent / "fixtures" / "mappings"


def test_hash_equals_hashlib_of_the_file(data_dir):
    for path in (data_dir / "deliberative-polling" / "Sample.sav", data_dir / "deliberr" / "human_data.csv"):
        f = InputFile.read(path)
        assert f.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert f.content == path.read_bytes()
        assert f.path == path
        assert f.name == path.name
        assert not f.is_folder


def test_folder_hash_covers_sorted_relative_paths_and_bytes(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / "b" / "c.csv").write_text("y\n2\n")
    f = InputFile.read(tmp_path)
    h = hashlib.sha256()
    for rel in ("a.csv", "b/c.csv"):
        h.update(rel.encode())
        h.update((tmp_path / rel).read_bytes())
    assert f.is_folder
    assert f.content == b""
    assert f.sha256 == h.hexdigest()
    with pytest.raises(DataInputError, match="is a folder"):
        read_table(f)


def test_missing_file_is_a_data_input_error(tmp_path):
    with pytest.raises(DataInputError, match="does not exist"):
        InputFile.read(tmp_path / "nope.csv")


def test_read_from_input_file_never_touches_the_disk(data_dir, tmp_path, monkeypatch):
    from deliberval.instruments import load_instrument

    ins = load_instrument("dp_sample", [SURVEYS])
    sav = data_dir / "deliberative-polling" / "Sample.sav"
    csv = tmp_path / "human_data.csv"
    csv.write_bytes((data_dir / "deliberr" / "human_data.csv").read_bytes())
    files = {p: InputFile.read(p) for p in (sav, csv)}
    mapping = load_mapping(MAPPINGS / "sample_sav_map.yaml")  # the mapping is a file of its own
    from_path_sav = read_responses(sav, ins, mapping)
    from_path_csv = read_table(csv)

    def no_disk(*args, **kwargs):
        raise AssertionError("the disk was read again")

    monkeypatch.setattr(readers_module, "_read_bytes", no_disk)
    monkeypatch.setattr(readers_module, "_read_head", no_disk)
    monkeypatch.setattr(Path, "read_bytes", no_disk)
    monkeypatch.setattr(Path, "open", no_disk)
    csv.unlink()  # gone from disk: the InputFile still parses
    assert detect_format(files[csv]) == "csv"
    from_file_sav = read_responses(files[sav], ins, mapping)
    from_file_csv = read_table(files[csv])
    pd.testing.assert_frame_equal(from_file_sav, from_path_sav)
    pd.testing.assert_frame_equal(from_file_csv, from_path_csv)
    assert from_file_csv.attrs["sha256"] == files[csv].sha256
    assert from_file_sav.attrs["value_labels"] == from_path_sav.attrs["value_labels"]


def test_a_path_is_read_once(data_dir, monkeypatch):
    calls = []
    original = readers_module._read_bytes

    def counting(p):
        calls.append(p)
        return original(p)

    monkeypatch.setattr(readers_module, "_read_bytes", counting)
    path = data_dir / "deliberr" / "human_data.csv"
    df = read_table(path)
    assert calls == [path]
    assert df.attrs["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert df.attrs["first_line"] == 2
    assert len(df) == 1052


@pytest.mark.parametrize("fmt", ["excel", "stata", "qualtrics", "limesurvey", "kobo"])
def test_every_format_reads_the_same_from_bytes(fmt, tmp_path):
    df = pd.DataFrame({"respondent_id": ["001", "002"], "wave": ["pre", "pre"], "trust_parliament": [7.0, 88.0]})
    ext = {"excel": "xlsx", "stata": "dta"}.get(fmt, "csv")
    path = write_responses(df, tmp_path / f"export.{ext}", fmt)
    f = InputFile.read(path)
    assert detect_format(f) == detect_format(path) == fmt
    a = read_responses(path, "institutional_trust")
    b = read_responses(f, "institutional_trust")
    pd.testing.assert_frame_equal(a, b)
    assert b["trust_parliament"].tolist() == [7.0, 88.0]
    assert b.attrs["first_line"] == {"qualtrics": 4, "stata": 1}.get(fmt, 2)
