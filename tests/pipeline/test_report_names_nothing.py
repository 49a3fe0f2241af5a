"""The report presents; what it shows comes from the catalogue and the instrument.

No string constant in the code of ``deliberval.report`` (docstrings and their examples aside) may
name a scale or item of the shipped library or a SYNTHETIC example process, and the report
imports neither the analyses nor the example datasets.
"""

from __future__ import annotations

import ast
from pathlib import Path

from deliberval.datasets import list_examples
from deliberval.instruments import list_instruments, load_instrument

REPORT = Path(__file__).resolve().parents[2] / "src" / "deliberval" / "report"


def _names() -> set[str]:
    names = set(list_examples()["name"])
    for instrument_id in list_instruments()["id"]:
        ins = load_instrument(str(instrument_id))
        names |= {s.id for s in ins.scales} | set(ins.item_ids())
    return names


def _constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_report_code_names_no_scale_item_or_example() -> None:
    names = _names()
    assert {"external_efficacy", "dx_time_enough", "climate_assembly"} <= names  # the check can fail
    found = [f"{p.name}:{line}: {value!r}" for p in sorted(REPORT.rglob("*.py"))
             for line, value in _constants(p) if value in names]
    assert found == []


def test_report_imports_no_analysis_and_no_examples() -> None:
    bad = []
    for p in sorted(REPORT.rglob("*.py")):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            bad += [f"{p.name}:{node.lineno}: {m}" for m in modules
                    if m.startswith(("deliberval.analysis", "deliberval.datasets"))]
    assert bad == []
