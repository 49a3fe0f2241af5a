"""README's command-line block names only commands and options that exist (it said
``--invariance-by`` after the option became ``--invariance-across``)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import typer

from deliberval.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _readme_command_lines() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.startswith("deliberval ")]


def _options(cmd: Any) -> set[str]:
    return {opt for p in cmd.params for opt in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]}


def test_every_readme_command_and_option_exists() -> None:
    lines = _readme_command_lines()
    assert len(lines) >= 15
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
        assert any(line.startswith(f"deliberval {name} ") for line in lines)
