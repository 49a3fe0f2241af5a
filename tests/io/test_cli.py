"""``deliberval validate`` and ``deliberval map suggest``: outputs and exit codes."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from deliberval.cli import app

from .conftest import FIXTURES, SURVEYS

runner = CliRunner()


def _csv(tmp_path, body: str):
    p = tmp_path / "data.csv"
    p.write_text(body, encoding="utf-8")
    return p


def test_validate_all_valid_exits_0(tmp_path):
    data = _csv(tmp_path, "respondent_id,wave,fx_trust\n1,pre,3\n1,post,88\n")
    out = tmp_path / "out"
    res = runner.invoke(app, ["validate", str(data), "--instrument", "fixture_survey", "--out", str(out), "--surveys", str(SURVEYS)])
    assert res.exit_code == 0, res.output
    assert "rows read" in res.output
    assert sorted(p.name for p in out.iterdir()) == [
        "failures.csv", "quarantined.csv", "quarantined.parquet", "summary.csv", "valid.csv", "valid.parquet",
    ]
    assert len(pd.read_parquet(out / "valid.parquet")) == 2


def test_validate_some_quarantined_exits_1(tmp_path):
    data = _csv(tmp_path, "respondent_id,wave,fx_trust\n1,pre,3\n2,Post-delib,seven\n")
    out = tmp_path / "out"
    res = runner.invoke(app, ["validate", str(data), "-i", "fixture_survey", "-o", str(out), "--surveys", str(SURVEYS)])
    assert res.exit_code == 1, res.output
    failures = pd.read_csv(out / "failures.csv", dtype=str)
    assert failures[["row", "column", "value", "check"]].values.tolist() == [
        ["1", "fx_trust", "seven", "type"], ["1", "wave", "Post-delib", "wave_label"],
    ]
    q = pd.read_parquet(out / "quarantined.parquet")
    assert q["fx_trust"].tolist() == ["seven"]


def test_validate_unusable_input_exits_2_with_one_line(tmp_path):
    out = tmp_path / "out"
    cases = [
        (["validate", str(tmp_path / "none.csv"), "-i", "fixture_survey"], "none.csv: file does not exist"),
        (["validate", str(tmp_path / "x.json"), "-i", "fixture_survey"], "unknown file format '.json'"),
        (["validate", str(_csv(tmp_path, "a\n1\n")), "-i", "no_such_instrument"], "unknown instrument 'no_such_instrument'"),
    ]
    for args, text in cases:
        res = runner.invoke(app, [*args, "-o", str(out), "--surveys", str(SURVEYS)])
        assert res.exit_code == 2, res.output
        assert text in res.output
        assert "Traceback" not in res.output


def test_validate_with_map_on_sample_sav(data_dir, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, [
        "validate", str(data_dir / "deliberative-polling" / "Sample.sav"), "-i", "dp_sample", "-o", str(out),
        "--map", str(FIXTURES / "mappings" / "sample_sav_map.yaml"), "--surveys", str(SURVEYS),
    ])
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out / "valid.csv")) == 30


def test_map_suggest_prints_yaml(data_dir):
    res = runner.invoke(app, ["map", "suggest", str(data_dir / "deliberative-polling" / "Sample.sav"),
                              "--instrument", "dp_sample", "--surveys", str(SURVEYS)])
    assert res.exit_code == 0, res.output
    assert "  ID: respondent_id\n" in res.output
    assert "  Time: wave\n" in res.output
    assert "    T1: pre\n" in res.output
    assert "  Knowledge1: dp_knowledge\n" in res.output
    assert "  Question1: dp_democracy\n" in res.output  # matched through its SPSS variable label
    assert "# not matched" not in res.output
