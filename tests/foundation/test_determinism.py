"""``make test`` is deterministic: hypothesis is derandomised there, the random search is ``make fuzz``."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci", reason="a non-default profile was asked for")
def test_the_default_profile_is_derandomised() -> None:
    current = settings.default
    assert current.derandomize is True
    assert current.database is None  # nothing replayed from an earlier run
    assert current.deadline is None  # no failure because the machine is busy


def test_make_test_selects_the_ci_profile_and_make_fuzz_the_random_one() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    pytest_recipe = re.search(r"^pytest:.*\n\t(.+)$", makefile, re.MULTILINE)
    assert pytest_recipe is not None
    assert "HYPOTHESIS_PROFILE=ci" in pytest_recipe.group(1)
    fuzz_recipe = re.search(r"^fuzz:.*\n\t(.+)$", makefile, re.MULTILINE)
    assert fuzz_recipe is not None
    assert "HYPOTHESIS_PROFILE=fuzz" in fuzz_recipe.group(1)
    assert "-m hypothesis" in fuzz_recipe.group(1)
    assert re.search(r"^test: .*\bpytest\b", makefile, re.MULTILINE)
    fuzz = settings.get_profile("fuzz")
    assert fuzz.derandomize is False


def test_no_test_opts_out_of_derandomisation() -> None:
    """A test's own ``@settings`` must not turn the random search back on in ``make test``."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "settings":
                for kw in node.keywords:
                    if kw.arg in ("derandomize", "database") and not (
                        isinstance(kw.value, ast.Constant) and kw.value.value in (True, None)
                    ):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} sets {kw.arg}")
    assert offenders == []
