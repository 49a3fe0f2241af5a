"""A light front door: ``import deliberval`` and ``deliberval --help`` load no statistics stack.

Structural checks, no timings: each runs a fresh interpreter and looks at ``sys.modules``.
The CPU cost of ``deliberval --help`` against ``import typer, rich`` is measured by
``make bench`` (benchmarks/cases/cli_startup.py), where a 2x target is checked.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "deliberval"

# top-level modules that importing the package face or starting the command line must not load
HEAVY = (
    "jinja2",
    "matplotlib",
    "numpy",
    "openpyxl",
    "pandas",
    "pandera",
    "pyarrow",
    "pydantic",
    "pyreadstat",
    "scipy",
    "statsmodels",
    "weasyprint",
    "yaml",
)
# typer itself imports pydantic (typer._adapters) to convert a command's parameters, so a command
# (and its --help) is not held to pydantic; ``deliberval --help`` converts no command and is held
# to the full list
HEAVY_FOR_CLI = tuple(m for m in HEAVY if m != "pydantic")


def _run(code: str) -> str:
    """Run ``code`` in a fresh interpreter; return its stdout (fails the test on a non-zero exit)."""
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _heavy_loaded_after(code: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    out = _run(
        code
        + "\nimport json, sys"
        + f"\nprint(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))"
    )
    loaded: list[str] = json.loads(out.strip().splitlines()[-1])
    return loaded


def test_import_deliberval_loads_no_heavy_module() -> None:
    assert _heavy_loaded_after("import deliberval") == []


_RESOLVE = """
import importlib, json, pkgutil, sys
import deliberval
problems = []
missing_from_dir = sorted(set(deliberval.__all__) - set(dir(deliberval)))
if missing_from_dir:
    problems.append(f"dir() lacks {missing_from_dir}")
if SUBPACKAGES_FIRST:  # a long session: other code imported the subpackages before the names
    for info in pkgutil.walk_packages(deliberval.__path__, "deliberval."):
        if ".cli" in info.name:
            continue
        try:
            importlib.import_module(info.name)
        except Exception as exc:
            problems.append(f"import {info.name}: {type(exc).__name__}: {exc}")
table = getattr(deliberval, "_LAZY", {})
for name in deliberval.__all__:
    try:
        value = getattr(deliberval, name)
    except Exception as exc:
        problems.append(f"{name}: {type(exc).__name__}: {exc}")
        continue
    home = table.get(name)
    if home is None:
        continue
    module = importlib.import_module(home)
    expected = module if home == f"deliberval.{name}" else getattr(module, name)
    if value is not expected:
        problems.append(f"deliberval.{name} is {value!r}, not {home}.{name}")
print(json.dumps({"problems": problems, "n": len(deliberval.__all__), "lazy": bool(table)}))
"""


@pytest.mark.parametrize("subpackages_first", [False, True], ids=["fresh", "subpackages-imported-first"])
def test_every_public_name_resolves_to_its_home(subpackages_first: bool) -> None:
    """getattr works for every name of ``__all__`` and gives the object its module defines, also
    when every subpackage was imported first (importing a subpackage binds its name on the
    package, so a subpackage named like a public function hides the function); ``dir()`` lists
    every public name before any is resolved."""
    code = f"SUBPACKAGES_FIRST = {subpackages_first}\n" + _RESOLVE
    result = json.loads(_run(code).strip().splitlines()[-1])
    assert result["lazy"], "deliberval/__init__.py has no _LAZY table of public names"
    assert result["n"] > 40
    assert result["problems"] == [], "\n".join(result["problems"])


def test_unknown_attribute_is_an_attribute_error() -> None:
    out = _run(
        "import deliberval\n"
        "try:\n    deliberval.no_such_name\nexcept AttributeError as exc:\n    print(exc)\n"
        "print(hasattr(deliberval, 'no_such_name'))"
    )
    assert "no_such_name" in out
    assert out.strip().splitlines()[-1] == "False"


def test_version_comes_from_the_leaf_module() -> None:
    tree = ast.parse((PACKAGE / "_version.py").read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "." * node.level)
    assert not any(m.startswith(("deliberval", ".")) for m in imported), imported
    out = _run("import deliberval, deliberval._version as v; print(deliberval.__version__ == v.__version__)")
    assert out.strip() == "True"


def _cli_run(*argv: str) -> str:
    """Code running ``deliberval ARGV`` the way the console script does, in this interpreter."""
    return (
        f"import sys\nsys.argv = ['deliberval', *{list(argv)!r}]\nfrom deliberval.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
    )


def _command_modules_loaded_after(code: str) -> list[str]:
    """The command modules of deliberval.cli (not its ``_`` helpers) that ``code`` imported."""
    out = _run(code + "\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules"
                      " if m.startswith('deliberval.cli.') and not m.startswith('deliberval.cli._'))))")
    loaded: list[str] = json.loads(out.strip().splitlines()[-1])
    return loaded


def test_deliberval_help_loads_no_heavy_module() -> None:
    """``deliberval --help`` the way the console script runs it: not even pydantic, since no
    command is converted."""
    assert _heavy_loaded_after(_cli_run("--help"), HEAVY) == []


def test_deliberval_help_imports_no_command_module() -> None:
    """The listing comes from the table in deliberval.cli (the command tree is lazy)."""
    assert _command_modules_loaded_after(_cli_run("--help")) == []


@pytest.mark.parametrize(("argv", "module"), [
    (("validate", "--help"), "validate"),
    (("compare", "--help"), "report"),
    (("instruments", "list", "--help"), "instruments"),
])
def test_a_command_imports_only_its_own_module(argv: tuple[str, ...], module: str) -> None:
    assert _command_modules_loaded_after(_cli_run(*argv)) == [f"deliberval.cli.{module}"]


def test_every_command_help_loads_no_heavy_module() -> None:
    """``--help`` of every command and group of the tree, one after another in one interpreter:
    the command line imports a command's stage only when the command runs."""
    code = """
import json, typer
from typer.testing import CliRunner
from deliberval.cli import app
paths = []
def walk(cmd, path):
    paths.append(path)
    for name, sub in getattr(cmd, "commands", {}).items():
        walk(sub, [*path, name])
walk(typer.main.get_command(app), [])
runner = CliRunner()
failed = []
for path in paths:
    result = runner.invoke(app, [*path, "--help"])
    if result.exit_code != 0:
        failed.append([" ".join(path), result.exit_code, result.output[-300:]])
print(json.dumps({"n": len(paths), "failed": failed}))
"""
    out = _run(code + f"import sys\nprint(json.dumps(sorted(m for m in {HEAVY_FOR_CLI!r} if m in sys.modules)))")
    *_, report_line, heavy_line = out.strip().splitlines()
    report, heavy = json.loads(report_line), json.loads(heavy_line)
    assert report["failed"] == []
    assert report["n"] >= 10  # the root, nine commands and the groups' sub-commands
    assert heavy == []


def test_cli_version_loads_no_heavy_module() -> None:
    code = (
        "import sys\nsys.argv = ['deliberval', '--version']\nfrom deliberval.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    assert _heavy_loaded_after(code, HEAVY_FOR_CLI) == []


def test_cli_modules_import_only_typer_rich_and_stdlib_at_the_top() -> None:
    """A command module's top-level imports: typer, rich, the standard library, the CLI's own
    helpers and deliberval.errors; its stage is imported inside the command function."""
    allowed_deliberval = {"deliberval.cli", "deliberval.cli._common", "deliberval.cli._options",
                          "deliberval.cli._privacy", "deliberval.errors", "deliberval._version"}
    stdlib = set(sys.stdlib_module_names)
    bad: list[str] = []
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only (imports under TYPE_CHECKING are not run)
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in ("typer", "rich", "__future__") or top in stdlib or name in allowed_deliberval:
                    continue
                bad.append(f"cli/{path.name}:{node.lineno} imports {name}")
    assert bad == []


# distribution name -> import name, where they differ
IMPORT_NAMES = {"pyyaml": "yaml", "factor-analyzer": "factor_analyzer", "weasyprint": "weasyprint",
                "markdown-it-py": "markdown_it", "pillow": "PIL"}


def test_every_runtime_dependency_is_imported_by_the_package() -> None:
    """A runtime dependency the package never imports belongs in an extra (or nowhere)."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    unused = []
    for dep in deps:
        dist = re.split(r"[\s<>=!~;\[]", dep, maxsplit=1)[0].lower()
        module = IMPORT_NAMES.get(dist, dist.replace("-", "_"))
        if not re.search(rf"^\s*(import|from)\s+{re.escape(module)}(\.|\s|$)", source, re.MULTILINE):
            unused.append(dist)
    assert unused == []
