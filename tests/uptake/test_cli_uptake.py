"""``deliberval uptake``: indicators from a register file, the template, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.cli import app
from deliberval.datasets.registers import simulate_register
from deliberval.io.register import read_register, template_validations, write_register
from deliberval.validation.register import validate_register

runner = CliRunner()


@pytest.fixture(scope="module")
def register_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "register.xlsx"
    write_register(simulate_register("gentofte_ptc", seed=5), path)
    return path


def test_prints_indicators(register_file: Path) -> None:
    res = runner.invoke(app, ["uptake", str(register_file), "--as-of", "2024-06-30",
                              "--deadline-days", "90"])
    assert res.exit_code == 0, res.output
    for word in ("uptake_rate", "answered_within_deadline", "Prior-agenda", "gentofte_ptc"):
        assert word in res.output


def test_json_output_matches_api(register_file: Path) -> None:
    from deliberval.analysis.uptake import uptake

    res = runner.invoke(app, ["uptake", str(register_file), "--as-of", "2024-06-30", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    raw = read_register(register_file)
    api = uptake(validate_register(raw.recommendations, raw.events).register, as_of="2024-06-30")
    got = pd.DataFrame(doc["indicators"])
    assert got["estimate"].tolist() == pytest.approx(api.indicators["estimate"].tolist())
    assert doc["as_of"] == "2024-06-30"
    assert doc["prior_agenda"][0]["estimate"] == pytest.approx(api.agenda_test["estimate"].iloc[0])
    assert set(doc["medians"][0]) >= {"estimate", "ci_low", "ci_high", "method"}


def test_template_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "register.xlsx"
    res = runner.invoke(app, ["uptake", "template", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "response_status" in template_validations(out)["events"]
    assert len(read_register(out).recommendations) == 0


def test_errors_are_one_line(register_file: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["uptake", str(register_file)])
    assert res.exit_code == 2
    assert "--as-of" in res.output
    folder = write_register(simulate_register("gentofte_ptc", seed=5), tmp_path / "bad")
    ev = pd.read_csv(folder / "events.csv", dtype=str)
    ev.loc[0, "response_status"] = "maybe"
    ev.to_csv(folder / "events.csv", index=False)
    res = runner.invoke(app, ["uptake", str(folder), "--as-of", "2024-06-30"])
    assert res.exit_code == 2
    assert "events line 2" in res.output
    assert "unknown response_status code 'maybe'" in res.output
    assert "Traceback" not in res.output


def test_cli_module_imports_light() -> None:
    """The command imports its stages when it runs: nothing heavy at module level."""
    import ast

    import deliberval.cli.uptake as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            top.add(node.module)
    assert top <= {"__future__", "json", "math", "pathlib", "typing", "typer",
                   "deliberval.cli._common", "deliberval.errors"}, top
