"""Imports run one way: instruments -> schemas -> io/validation -> scoring -> analysis -> indicators -> report.

The rules are checked on the source text, so a violation fails here before it spreads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "deliberval"

# stage (first part of the module path under deliberval) -> stages it must never import
FORBIDDEN: dict[str, set[str]] = {
    "analysis": {"io", "report", "cli", "datasets", "plots", "indicators", "validation"},
    "scoring": {"io", "report", "cli", "analysis", "indicators", "plots"},
    "instruments": {"io", "report", "cli", "analysis", "scoring", "indicators", "plots", "schemas"},
    "schemas": {"io", "report", "cli", "analysis", "indicators", "plots"},
    "io": {"analysis", "report", "cli", "indicators", "plots", "scoring"},
    "validation": {"analysis", "report", "cli", "indicators", "plots", "scoring"},
    "privacy": {"analysis", "report", "cli", "indicators", "plots"},
    "plots": {"io", "report", "cli"},
    "indicators": {"report", "cli"},
    "report": {"cli"},
}


def _stage(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return rel.parts[0]


def _imported_stages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "deliberval" and len(parts) > 1:
                found.add(parts[1])
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_one_way(path: Path) -> None:
    stage = _stage(path)
    bad = _imported_stages(path) & FORBIDDEN.get(stage, set())
    assert not bad, f"{path.relative_to(PACKAGE)} ({stage}) must not import deliberval.{bad}"


def test_no_print_in_analyses() -> None:
    offenders = []
    for path in (PACKAGE / "analysis").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"print", "open"}:
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_relative_imports_are_not_used() -> None:
    rel = [
        str(p.relative_to(PACKAGE))
        for p in SOURCES
        if any(isinstance(n, ast.ImportFrom) and n.level > 0 for n in ast.walk(ast.parse(p.read_text())))
    ]
    assert rel == [], "use absolute imports so the architecture test sees every edge"
