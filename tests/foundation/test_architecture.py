"""Imports run one way: instruments -> schemas -> io/validation -> scoring -> analysis -> indicators -> report.

The rules are checked on the source text, so a violation fails here before it spreads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "deliberval"

# stage (first part of the module path under deliberval) -> stages it must never import.
# ``datasets`` (the synthetic examples) sits beside the house: only demo, cli and the lazy table of
# the package face import it (tests and docs do too; they are not in src). ``analysis`` is checked
# by an allow-list instead (test_analysis_is_a_pure_library).
FORBIDDEN: dict[str, set[str]] = {
    "scoring": {"io", "report", "cli", "analysis", "indicators", "plots", "datasets"},
    "instruments": {"io", "report", "cli", "analysis", "scoring", "indicators", "plots", "schemas", "datasets"},
    "schemas": {"io", "report", "cli", "analysis", "indicators", "plots", "datasets"},
    "io": {"analysis", "report", "cli", "indicators", "plots", "scoring", "datasets"},
    "validation": {"analysis", "report", "cli", "indicators", "plots", "scoring", "datasets"},
    "privacy": {"analysis", "report", "cli", "indicators", "plots", "datasets"},
    # the disclosure checker: DataFrames in, DataFrames out (floor 3, beside privacy)
    "disclosure": {"io", "validation", "scoring", "analysis", "report", "cli", "indicators", "plots", "datasets",
                   "schemas", "instruments"},
    "plots": {"io", "report", "cli", "indicators", "validation", "scoring", "datasets"},
    # the adapter to an external selection engine (floor 3, beside analysis): DataFrames in,
    # panels out, through analysis.fairness; reads no file
    "selection": {"io", "validation", "scoring", "report", "cli", "indicators", "plots", "datasets"},
    "indicators": {"report", "cli", "datasets"},
    # the report receives results; it imports no analysis (not even result types)
    "report": {"cli", "analysis", "datasets"},
}

# what an analysis module may import from deliberval: a pure library over DataFrames
ANALYSIS_MAY_IMPORT = (
    "deliberval.analysis",
    "deliberval.errors",
    "deliberval.canonical",
    # instrument model types only (Instrument, Item, CodingScheme), not the library or exports
    "deliberval.instruments.model",
    "deliberval.instruments.coding",
)

# the only places inside the package that may import the package face (``from deliberval import
# X`` or ``import deliberval``): the command line and the demo, which are its users
FACE_USERS = {"cli", "demo"}


def _stage(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return rel.parts[0]


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """Every absolute import of deliberval in a file, anywhere in it (functions and
    ``TYPE_CHECKING`` blocks included; doctests are text, not code): ``(line, module, names)``
    where ``names`` are the names taken by ``from module import ...`` (empty for ``import``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names if a.name.split(".")[0] == "deliberval"]
        elif (isinstance(node, ast.ImportFrom) and node.module and node.level == 0
              and node.module.split(".")[0] == "deliberval"):
            found.append((node.lineno, node.module, [a.name for a in node.names]))
    return found


def _imported_stages(path: Path) -> set[str]:
    found: set[str] = set()
    for _, module, names in _imports(path):
        parts = module.split(".")
        if len(parts) > 1:
            found.add(parts[1])
        else:  # ``from deliberval import io`` names a stage too
            found.update(n for n in names if (PACKAGE / n).is_dir() or (PACKAGE / f"{n}.py").is_file())
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_one_way(path: Path) -> None:
    stage = _stage(path)
    bad = _imported_stages(path) & FORBIDDEN.get(stage, set())
    assert not bad, f"{path.relative_to(PACKAGE)} ({stage}) must not import deliberval.{bad}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_package_face_is_imported_only_by_its_users(path: Path) -> None:
    """``from deliberval import X`` inside the package runs the face and its lazy table, and
    makes a cycle waiting to happen; modules import the home of what they use."""
    if _stage(path) in FACE_USERS:
        return
    bad = [f"line {line}: " + (f"from deliberval import {', '.join(names)}" if names else "import deliberval")
           for line, module, names in _imports(path) if module == "deliberval"]
    assert bad == [], f"{path.relative_to(PACKAGE)} imports the package face: {bad}"


ANALYSIS_SOURCES = [p for p in SOURCES if _stage(p) == "analysis"]


@pytest.mark.parametrize("path", ANALYSIS_SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_analysis_is_a_pure_library(path: Path) -> None:
    """Analyses import nothing of deliberval but analysis, errors, canonical and model types."""
    bad = [
        f"line {line}: {module}"
        for line, module, _ in _imports(path)
        if not any(module == ok or module.startswith(ok + ".") for ok in ANALYSIS_MAY_IMPORT)
    ]
    assert bad == [], f"{path.relative_to(PACKAGE)} imports outside the analysis library: {bad}"


PLOT_SOURCES = [p for p in SOURCES if _stage(p) == "plots"]


@pytest.mark.parametrize("path", PLOT_SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_plots_draw_results_and_call_no_analysis(path: Path) -> None:
    """A figure is drawn from a result the caller computed: plots may import result types
    (classes) from analysis, never an analysis function or a whole analysis module."""
    bad = []
    for line, module, names in _imports(path):
        if module.split(".")[:2] != ["deliberval", "analysis"]:
            continue
        functions = [n for n in names if not n[:1].isupper()]
        if not names or functions:
            bad.append(f"line {line}: {module} {functions or '(module import)'}")
    assert bad == [], f"{path.relative_to(PACKAGE)} calls into analysis: {bad}"


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
