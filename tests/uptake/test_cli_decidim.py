"""``deliberval uptake import-decidim`` and ``deliberval uptake REGISTER DOCS...`` (issue 21)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from deliberval.cli import app
from deliberval.io.register import read_register, write_register
from deliberval.validation.register import validate_register

DATA = Path(__file__).parents[1] / "data" / "decidim"
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["uptake", *args])


def test_import_decidim_writes_a_valid_register(tmp_path):
    out = tmp_path / "register.xlsx"
    res = _run("import-decidim", str(DATA / "results.csv"), "--timeline", str(DATA / "timeline.csv"),
               "--process-id", "legislature", "--status-map", "cancelled=rejected_with_reasons", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert "19 results of process 'legislature'" in " ".join(res.output.split())
    raw = read_register(out)
    checked = validate_register(raw.recommendations, raw.events)
    assert checked.all_valid
    assert len(checked.register.recommendations) == 19
    assert set(checked.register.recommendations["process_id"]) == {"legislature"}
    # every row of the export and of the timeline is an event: commitment + status per result, one per entry
    n_timeline = len(pd.read_csv(DATA / "timeline.csv"))
    assert len(checked.register.events) == 2 * 19 + n_timeline
    # the JSON export gives the same register
    out2 = tmp_path / "json.xlsx"
    res = _run("import-decidim", str(DATA / "results.json"), "--timeline", str(DATA / "timeline.csv"),
               "--process-id", "legislature", "--status-map", "cancelled=rejected_with_reasons", "-o", str(out2))
    assert res.exit_code == 0, res.output
    raw2 = read_register(out2)
    back = validate_register(raw2.recommendations, raw2.events)
    pd.testing.assert_frame_equal(back.register.events.drop(columns="source"),
                                  checked.register.events.drop(columns="source"))


def test_import_decidim_bad_input_is_one_line_exit_2(tmp_path):
    out = tmp_path / "register.xlsx"
    cases = [
        (["import-decidim", str(DATA / "results.csv"), "-o", str(out)],
         "2 problems in the uptake register, the first: events line"),
        (["import-decidim", str(tmp_path / "none.csv"), "-o", str(out)], "none.csv: no such file"),
        (["import-decidim", str(DATA / "results.csv")], "give the register to write with -o"),
        (["import-decidim", str(DATA / "results.csv"), "-o", str(tmp_path / "r.csv")],
         "write the register to an .xlsx file or a folder"),
        (["import-decidim", str(DATA / "results.csv"), "--status-map", "cancelled=gone", "-o", str(out)],
         "'gone' is not a response_status code"),
        (["import-decidim", "-o", str(out)], "give one Decidim results export"),
    ]
    for args, expected in cases:
        res = _run(*args)
        text = " ".join(res.output.split())
        assert res.exit_code == 2, (args, res.output)
        assert expected in text, (args, text)
        assert "Traceback" not in res.output
    res = _run(*cases[0][0])
    assert "map each with --status-map KEY=CODE" in " ".join(res.output.split())
    assert "cancelled" in " ".join(res.output.split())
    assert not out.exists()


def test_register_documents_check_the_evidence(tmp_path):
    doc = tmp_path / "response.txt"
    doc.write_text("The Government accepts the recommendation on bike lanes.\n\nNothing else.", encoding="utf-8")
    recs = pd.DataFrame({"process_id": "p1", "rec_id": ["r1"], "title": ["Bike lanes"], "submitted": "2024-03-01"})
    ev = pd.DataFrame({"rec_id": ["r1"], "date": ["2024-04-02"], "response_status": ["accepted_in_principle"]})
    evi = pd.DataFrame({"rec_id": ["r1"], "field": ["response_status"], "code": ["accepted_in_principle"],
                        "document": ["response.txt"], "passage": ["accepts the recommendation on bike lanes"]})
    reg = validate_register(recs, ev, evidence=evi).require_valid()
    write_register(reg, tmp_path / "register.xlsx")
    ok = _run(str(tmp_path / "register.xlsx"), str(doc), "--as-of", "2024-12-31")
    assert ok.exit_code == 0, ok.output
    evi.loc[0, "passage"] = "rejects the recommendation"
    bad = validate_register(recs, ev, evidence=evi)  # validated without documents: the passage is not looked up
    assert bad.all_valid
    write_register(bad.register, tmp_path / "bad.xlsx")
    res = _run(str(tmp_path / "bad.xlsx"), str(doc), "--as-of", "2024-12-31")
    assert res.exit_code == 2
    assert " ".join(res.output.split()).startswith(
        f"error: {tmp_path / 'bad.xlsx'}: evidence line 2 (rec_id 'r1'): the passage 'rejects the recommendation' "
        "is not in document 'response.txt'")
