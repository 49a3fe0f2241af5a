"""The command lines of README and the docs name only commands and options that exist (README
said ``--invariance-by`` after the option became ``--invariance-across``)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import typer

from deliberval.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _command_lines(*paths: Path) -> list[str]:
    """``deliberval ...`` lines of the console / bash code blocks of the Markdown files."""
    lines = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        blocks = re.findall(r"```(?:console|bash|sh|shell)\n(.*?)```", text, flags=re.DOTALL)
        lines += [line.removeprefix("$ ") for block in blocks for line in block.splitlines()
                  if line.removeprefix("$ ").startswith("deliberval ")]
    return lines


def _readme_command_lines() -> list[str]:
    return _command_lines(ROOT / "README.md")


def _options(cmd: Any) -> set[str]:
    return {opt for p in cmd.params for opt in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]}


def test_every_readme_and_docs_command_and_option_exists() -> None:
    lines = _readme_command_lines()
    assert len(lines) >= 15
    lines += _command_lines(*sorted((ROOT / "docs").rglob("*.md")))
    root = typer.main.get_command(app)
    problems = []
    for line in lines:
        argv = shlex.split(line.split("  #")[0].split(" > ")[0], comments=True)[1:]
        cmd: Any = root
        while argv and argv[0] in getattr(cmd, "commands", {}):
            cmd = cmd.commands[argv.pop(0)]
        if cmd is root:
            problems.append(f"{line}: no such command")
            continue
        known = _options(cmd)
        problems += [f"{line}: no option {a}" for a in argv if a.startswith("-") and a.split("=")[0] not in known]
    assert problems == []
    for name in ("prepost", "did", "dri"):
        assert any(line.startswith(f"deliberval {name} ") for line in _readme_command_lines())
