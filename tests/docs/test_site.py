"""The docs site: every nav page exists, the build stays offline, generated pages are complete.

The full strict build is ``make docs`` (mkdocs is a ``docs`` extra, not installed in CI); these
checks are cheap and run everywhere.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


class _Loader(yaml.SafeLoader):
    """mkdocs.yml may hold ``!!python/name`` tags; ignore any tag."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def _config() -> dict[str, Any]:
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)


def _nav_pages(nav: Any) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [p for entry in nav for p in _nav_pages(entry)]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in _nav_pages(value)]
    return []


GENERATED = {"indicators.md", "cli.md"}


def test_every_nav_page_exists_or_is_generated() -> None:
    pages = _nav_pages(_config()["nav"])
    assert len(pages) >= 20
    missing = [p for p in pages if p not in GENERATED and not (DOCS / p).is_file()]
    assert missing == []
    assert set(pages) >= GENERATED
    for required in ("methods/dri.md", "methods/psychometrics.md", "methods/change.md",
                     "methods/representativeness.md", "methods/uptake.md", "getting-started.md",
                     "guides/instruments.md", "guides/data.md"):
        assert required in pages


def test_build_is_strict_and_offline() -> None:
    cfg = _config()
    assert cfg["strict"] is True
    assert cfg["theme"]["font"] is False  # no Google fonts
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in cfg["plugins"]]
    assert "social" not in plugins
    assert "privacy" not in plugins
    assert set(plugins) == {"search", "mkdocstrings"}
    python = cfg["plugins"][1]["mkdocstrings"]["handlers"]["python"]
    assert "import" not in python
    assert "inventories" not in python


def test_methods_pages_state_validation_and_references() -> None:
    for page in sorted((DOCS / "methods").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert "## Validation" in text, page.name
        assert "## References" in text, page.name


@pytest.fixture(scope="module")
def hooks() -> Any:
    pytest.importorskip("mkdocs")
    spec = importlib.util.spec_from_file_location("generated_pages", DOCS / "hooks" / "generated_pages.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_indicator_page_lists_every_catalogue_indicator(hooks: Any) -> None:
    from deliberval.indicators import load_catalogue

    page = hooks.indicator_page()
    catalogue = load_catalogue()
    for ind in catalogue.indicators:
        assert f"`{ind.id}`" in page
    assert f"version **{catalogue.version}**" in page


def test_cli_page_lists_every_command(hooks: Any) -> None:
    import typer

    from deliberval.cli import app

    page = hooks.cli_page()
    root = typer.main.get_command(app)
    for name, cmd in root.commands.items():
        assert f"`deliberval {name}`" in page
        for sub in getattr(cmd, "commands", {}):
            assert f"`deliberval {name} {sub}`" in page
    assert "`--instrument`, `-i`" in page
