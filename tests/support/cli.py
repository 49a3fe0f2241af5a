"""Running a ``deliberval`` command in a test: it succeeds, or it fails in one line."""

from __future__ import annotations

from typer.testing import CliRunner

from deliberval.cli import app

runner = CliRunner()


def run(*args: object) -> str:
    """Run a command that must succeed (exit 0, no traceback); its stdout and stderr, interleaved."""
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    return res.output


def fails(*args: object) -> str:
    """Run a command that must stop on bad input: exit 2, one line, no traceback; that line."""
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1, res.output
    return lines[0]
