"""Every crash is one line and exit code 2, never a traceback and never exit 1.

An exception that is not a :class:`~deliberval.errors.DelibervalError` (a bug, or an input
deliberval does not handle yet) is simulated by making a stage function raise ``KeyError``,
``ValueError`` or ``IndexError`` deep inside a command; the command must print one line naming the
command, its input file and the step that failed, with the issues URL, and exit 2. Empty inputs
(a register with no recommendation, responses with no row, a wave with no row) get one line too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.cli import app

ROOT = Path(__file__).resolve().parents[2]
CHANGE = ROOT / "tests" / "reference" / "change"
SURVEYS = ROOT / "tests" / "io" / "fixtures" / "surveys"
SAMPLE_MAP = ROOT / "tests" / "io" / "fixtures" / "mappings" / "sample_sav_map.yaml"
DATA = ROOT / "tests" / "data"
ISSUES = "https://github.com/deliberval/deliberval/issues"

runner = CliRunner()


def _one_line(res: object) -> str:
    """The single non-empty line a failed command printed (exit code 2, no traceback)."""
    output = res.output  # type: ignore[attr-defined]
    lines = [line for line in output.splitlines() if line.strip()]
    assert res.exit_code == 2, (res.exit_code, output)  # type: ignore[attr-defined]
    assert "Traceback" not in output
    assert len(lines) == 1, output
    assert lines[0].startswith("error: ")
    return lines[0]


def _raiser(exc: Exception) -> Callable[..., object]:
    def boom(*args: object, **kwargs: object) -> object:
        raise exc

    return boom


def _register(tmp_path: Path) -> Path:
    from deliberval.datasets.registers import simulate_register
    from deliberval.io.register import write_register

    path = tmp_path / "register.xlsx"
    write_register(simulate_register("gentofte_ptc", seed=5), path)
    return path


# command arguments (tmp_path -> argv), the stage attribute made to raise, the step word expected
CASES: list[tuple[str, Callable[[Path], list[str]], str, Exception, str]] = [
    ("prepost", lambda t: ["prepost", str(CHANGE / "prepost_data.csv"), "y1"],
     "deliberval.analysis.change._pairs", KeyError("y1__pre"),
     "analysing (deliberval.analysis.change.prepost"),
    ("prepost", lambda t: ["prepost", str(CHANGE / "prepost_data.csv"), "y1"],
     "deliberval.io.readers._finish", IndexError("list index out of range"),
     "reading the input (deliberval.io.readers.read_responses"),
    ("did", lambda t: ["did", str(CHANGE / "did_data.csv"), "y"],
     "deliberval.analysis.did._cluster_fit", ValueError("shapes (4,) and (3,) not aligned"),
     "analysing (deliberval.analysis.did.did"),
    ("dri", lambda t: ["dri", str(DATA / "deliberr" / "human_data.csv"), "--by", "case", "--by", "stage_id"],
     "deliberval.analysis.dri._group_dri", IndexError("index 7 is out of bounds"),
     "analysing (deliberval.analysis.dri.dri"),
    ("validate", lambda t: ["validate", str(CHANGE / "prepost_data.csv"), "-i", "fixture_survey",
                            "--surveys", str(SURVEYS), "-o", str(t / "out")],
     "deliberval.validation.responses._coerce_items", KeyError("fx_trust"),
     "validating (deliberval.validation.responses.validate"),
    ("psychometrics", lambda t: ["psychometrics", str(DATA / "deliberative-polling" / "Sample.sav"), "-i",
                                 "dp_sample", "--surveys", str(SURVEYS), "--map", str(SAMPLE_MAP)],
     "deliberval.scoring._clean", ValueError("could not convert string to float: 'x'"),
     "scoring (deliberval.scoring.score"),
    ("uptake", lambda t: ["uptake", str(_register(t)), "--as-of", "2024-06-30"],
     "deliberval.analysis.uptake.uptake", IndexError("single positional indexer is out-of-bounds"),
     "running the command (deliberval.cli.uptake.uptake_command line"),
    ("map suggest", lambda t: ["map", "suggest", str(DATA / "deliberative-polling" / "Sample.sav"), "-i",
                               "dp_sample", "--surveys", str(SURVEYS)],
     "deliberval.io.suggest_mapping", KeyError("Time"),
     "running the command (deliberval.cli.mapping.suggest line"),
]


@pytest.mark.parametrize(("command", "argv", "target", "exc", "step"), CASES,
                         ids=[f"{c[0]}-{type(c[3]).__name__}-{c[2].rsplit('.', 1)[1]}" for c in CASES])
def test_an_unexpected_exception_is_one_line_naming_command_file_and_step(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str, argv: Callable[[Path], list[str]],
    target: str, exc: Exception, step: str,
) -> None:
    args = argv(tmp_path)
    module, name = target.rsplit(".", 1)
    monkeypatch.setattr(sys.modules[module] if module in sys.modules else __import__(module, fromlist=[name]),
                        name, _raiser(exc))
    line = _one_line(runner.invoke(app, args))
    data_file = Path(args[2] if command == "map suggest" else args[1]).name
    assert line.startswith(f"error: deliberval {command} on "), line
    assert data_file in line
    assert f"failed while {step}" in line
    assert f"{type(exc).__name__}: " in line
    assert f"please report it at {ISSUES} with this line." in line


def test_a_deep_failure_names_where_it_broke(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outermost stage called by the command and the innermost deliberval function that broke."""
    import deliberval.analysis._common as common

    monkeypatch.setattr(common, "numeric_column", _raiser(ValueError("boom")))
    import deliberval.analysis.change as change

    monkeypatch.setattr(change, "numeric_column", _raiser(ValueError("boom")))
    # numeric float columns skip numeric_column (read by position); check_unique always runs
    monkeypatch.setattr(change, "check_unique", _raiser(ValueError("boom")))
    line = _one_line(runner.invoke(app, ["prepost", str(CHANGE / "prepost_data.csv"), "y1"]))
    assert "failed while analysing (deliberval.analysis.change.prepost, failed in deliberval.analysis.change._pairs line " in line
    assert "ValueError: boom" in line


def test_the_report_command_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import deliberval.indicators.evaluate as evaluate

    config = tmp_path / "config.yaml"
    config.write_text("process_id: climate_assembly\nexample: climate_assembly\nlanguage: en\nseed: 2021\n")
    monkeypatch.setattr(evaluate, "_did", _raiser(KeyError("control")))
    line = _one_line(runner.invoke(app, ["report", str(config), "-o", str(tmp_path / "r.html")]))
    assert line.startswith(f"error: deliberval report on {config} failed while analysing "
                           "(deliberval.indicators.evaluate.evaluate_process")
    assert "KeyError: 'control'" in line
    assert not (tmp_path / "r.html").exists()


def test_main_catches_what_fails_around_the_commands(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import deliberval.cli as cli

    monkeypatch.setattr(cli, "app", _raiser(RuntimeError("parser broke")))
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: deliberval failed while running the command (deliberval.cli.main line ")
    assert f"RuntimeError: parser broke. This is a bug in deliberval or an input it does not handle yet; " \
           f"please report it at {ISSUES} with this line." in err


def test_a_multi_line_message_stays_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import deliberval.analysis.change as change

    monkeypatch.setattr(change, "_pairs", _raiser(ValueError("first line\n  second line\n[bold]third[/]")))
    line = _one_line(runner.invoke(app, ["prepost", str(CHANGE / "prepost_data.csv"), "y1"]))
    assert "ValueError: first line second line [bold]third[/]." in line  # rich markup shown as typed


def test_exit_1_stays_reserved_for_quarantined_rows(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("respondent_id,wave,fx_trust\n1,pre,3\n2,Post-delib,seven\n", encoding="utf-8")
    res = runner.invoke(app, ["validate", str(data), "-i", "fixture_survey", "-o", str(tmp_path / "o"),
                              "--surveys", str(SURVEYS)])
    assert res.exit_code == 1


def test_usage_errors_stay_click_usage_errors() -> None:
    res = runner.invoke(app, ["prepost"])
    assert res.exit_code == 2
    assert "Missing argument 'data'" in res.output
    assert "Traceback" not in res.output


# --------------------------------------------------------------------------- empty inputs


def test_readme_uptake_lines_on_the_empty_template(tmp_path: Path) -> None:
    """README: ``deliberval uptake template`` then ``deliberval uptake register.xlsx`` (was IndexError)."""
    out = tmp_path / "register.xlsx"
    assert runner.invoke(app, ["uptake", "template", "-o", str(out)]).exit_code == 0
    for extra in ([], ["--json"]):
        line = _one_line(runner.invoke(app, ["uptake", str(out), "--as-of", "2024-06-30", *extra]))
        assert line == (f"error: {out}: the register has no recommendations yet; fill in the recommendations "
                        "sheet (one row per recommendation) and its events, then run again")


@pytest.mark.parametrize("command", [
    ["prepost", "{f}", "fx_trust"],
    ["did", "{f}", "fx_trust"],
    ["prepost", "{f}", "-i", "fixture_survey", "--surveys", str(SURVEYS)],
    ["validate", "{f}", "-i", "fixture_survey", "--surveys", str(SURVEYS), "-o", "{t}/out"],
    ["psychometrics", "{f}", "-i", "fixture_survey", "--surveys", str(SURVEYS)],
], ids=["prepost", "did", "prepost-instrument", "validate", "psychometrics"])
def test_empty_responses(tmp_path: Path, command: list[str]) -> None:
    f = tmp_path / "responses.csv"
    f.write_text("respondent_id,wave,group,fx_trust\n", encoding="utf-8")
    line = _one_line(runner.invoke(app, [c.format(f=f, t=tmp_path) for c in command]))
    assert line.startswith(f"error: {f}: no data rows (the file has a header only)")


def test_empty_dri_table(tmp_path: Path) -> None:
    f = tmp_path / "dri.csv"
    f.write_text("pnum,C1,C2,P1,P2\n", encoding="utf-8")
    line = _one_line(runner.invoke(app, ["dri", str(f)]))
    assert line == f"error: {f}: no data rows (the file has a header only); nothing to analyse"


def test_empty_wave(tmp_path: Path) -> None:
    f = tmp_path / "responses.csv"
    pd.DataFrame({"respondent_id": ["a", "b"], "wave": ["pre", "pre"], "group": ["participant", "control"],
                  "y": [3, 4]}).to_csv(f, index=False)
    line = _one_line(runner.invoke(app, ["prepost", str(f), "y"]))
    assert line == (f"error: {f}: column 'wave' has no rows for wave(s) 'post'; waves found: 'pre'. "
                    "A change analysis needs both waves.")
    line = _one_line(runner.invoke(app, ["did", str(f), "y"]))
    assert "'post'" in line


def test_no_valid_row(tmp_path: Path) -> None:
    f = tmp_path / "responses.csv"
    f.write_text("respondent_id,wave,fx_trust\n1,pre,seven\n1,post,eight\n", encoding="utf-8")
    line = _one_line(runner.invoke(app, ["prepost", str(f), "fx_trust", "-i", "fixture_survey", "--surveys", str(SURVEYS)]))
    assert line == (f"error: {f}: no valid row to analyse (2 read, 2 quarantined against fixture_survey); "
                    "run deliberval validate to see why")


def test_output_suffix_and_folder(tmp_path: Path) -> None:
    args = ["prepost", str(CHANGE / "prepost_data.csv"), "y1", "-o"]
    line = _one_line(runner.invoke(app, [*args, str(tmp_path / "out.json")]))
    assert line == f"error: {tmp_path / 'out.json'}: unknown output format '.json'; expected .csv or .xlsx"
    folder = tmp_path / "x.csv"
    folder.mkdir()
    line = _one_line(runner.invoke(app, [*args, str(folder)]))
    assert "is a folder" in line


def test_no_outcome_named_or_scored(tmp_path: Path) -> None:
    f = tmp_path / "responses.csv"
    f.write_text("respondent_id,wave\n1,pre\n1,post\n", encoding="utf-8")
    line = _one_line(runner.invoke(app, ["prepost", str(f)]))
    assert line == (f"error: {f}: name the outcome column(s) after DATA, or give --instrument to analyse "
                    "every scale it scores")
    line = _one_line(runner.invoke(app, ["did", str(f), "-i", "fixture_survey", "--surveys", str(SURVEYS)]))
    assert line == (f"error: {f}: no scale of the instrument could be scored in the data; name the outcome "
                    "column(s) after DATA")


def test_interrupt_and_closed_pipe_are_not_reported_as_bugs(capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    from deliberval.cli._common import guarded

    for exc, code in ((KeyboardInterrupt(), 130), (BrokenPipeError(32, "Broken pipe"), 141)):
        command = guarded(_raiser(exc), "prepost")  # type: ignore[arg-type]
        with pytest.raises(typer.Exit) as info:
            command()
        assert info.value.exit_code == code
    err = capsys.readouterr().err
    assert "bug" not in err
    assert err.strip() == "interrupted"
