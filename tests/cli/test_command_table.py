"""The table of commands in ``deliberval.cli`` says what the command modules really register.

``deliberval --help`` lists the commands from :data:`deliberval.cli.COMMANDS` without importing
their modules; these tests build the tree the eager way (every module registered on one Typer,
converted by typer as before the tree became lazy) and check that the table cannot drift from it:
the same names in the same order, each in the module that registers it, with the same short help
at every width, and that every command reached through the lazy root is guarded.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from deliberval.cli import COMMANDS, _registered, app
from deliberval.cli._common import guarded

MODULES = list(dict.fromkeys(module for _, module, _ in COMMANDS))


def _eager_root() -> Any:
    """The root group built as before: every module registered, every command converted."""
    eager = typer.Typer(rich_markup_mode=None, add_completion=False)
    for module in MODULES:
        importlib.import_module(f"deliberval.cli.{module}").register(eager)
    return typer.main.get_group(eager)


def _module_names(module: str) -> list[str]:
    """The names ``deliberval.cli.<module>`` registers: commands first, then groups (typer's order)."""
    holder = typer.Typer()
    importlib.import_module(f"deliberval.cli.{module}").register(holder)
    names = [info.name or typer.main.get_command_name(info.callback.__name__)
             for info in holder.registered_commands if info.callback is not None]
    return names + [str(group.name) for group in holder.registered_groups]


def test_table_names_and_order_are_those_of_the_eager_tree() -> None:
    eager = _eager_root()
    assert [name for name, _, _ in COMMANDS] == list(eager.commands)
    assert len(COMMANDS) >= 16


@pytest.mark.parametrize("module", MODULES)
def test_each_command_is_listed_under_the_module_that_registers_it(module: str) -> None:
    assert [name for name, home, _ in COMMANDS if home == module] == _module_names(module)


def test_short_help_matches_the_commands_own_help_at_every_width() -> None:
    """click shortens the help to fit the terminal: the table's sentence must give the same text
    as the command's full help at every limit, so ``deliberval --help`` cannot differ."""
    eager = _eager_root()
    for name, _, short in COMMANDS:
        real = eager.commands[name]
        assert real.short_help is None, name  # the table is made from the help text
        assert not real.hidden, name
        assert not real.deprecated, name
        stub = typer.core.TyperCommand(name=name, help=short)
        for limit in range(20, 200):
            assert stub.get_short_help_str(limit) == real.get_short_help_str(limit), (name, limit)
        # the table holds the whole first sentence, nothing more
        assert real.get_short_help_str(10_000) == short, name


def test_root_help_is_what_the_eager_tree_prints() -> None:
    eager = _eager_root()
    lazy = typer.main.get_command(app)
    for width in (50, 78, 120, 200):
        texts = []
        for root in (lazy, eager):
            ctx = root.make_context("deliberval", [], resilient_parsing=True)
            formatter = ctx.make_formatter()
            formatter.width = width
            root.format_commands(ctx, formatter)
            texts.append(formatter.getvalue())
        assert texts[0] == texts[1], width
        assert all(f"  {name} " in texts[0] for name, _, _ in COMMANDS)


def test_every_command_reached_through_the_root_is_guarded() -> None:
    wrapper_code = guarded(lambda: None, "x").__code__
    checked = []

    def walk(holder: typer.Typer, prefix: str) -> None:
        for info in holder.registered_commands:
            assert info.callback is not None
            assert info.callback.__code__ is wrapper_code, f"{prefix}{info.name} is not guarded"
            checked.append(f"{prefix}{info.name}")
        for group in holder.registered_groups:
            assert group.typer_instance is not None
            walk(group.typer_instance, f"{prefix}{group.name} ")

    root = typer.main.get_command(app)
    for name in root.commands:  # converts every command, through the lazy mapping
        assert root.commands[name].name == name
    for module in MODULES:
        walk(_registered(module), "")
    assert len(checked) >= 20


def test_help_lists_commands_without_importing_them_and_a_command_imports_only_its_module() -> None:
    """In-process view of the laziness (tests/foundation/test_startup.py checks a fresh process)."""
    root = typer.main.get_command(app)
    assert "nosuch" not in root.commands
    with pytest.raises(KeyError):
        root.commands["nosuch"]
    result = CliRunner().invoke(app, ["valdate"])
    assert result.exit_code == 2
    assert "No such command 'valdate'. Did you mean 'validate'?" in result.output
    result = CliRunner().invoke(app, ["map", "--help"])
    assert result.exit_code == 0
    assert "suggest" in result.output
