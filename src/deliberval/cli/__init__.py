"""The ``deliberval`` command: a thin face over the Python API.

Each sub-command lives in its own module with a ``register(app)`` function. Those modules import
only typer, rich and the standard library at their top and import their stage (pandas, the
analyses, the report) inside the command function, so ``deliberval --help`` and a mistyped
command answer without loading the statistics.

The command tree is lazy (click's "LazyGroup" pattern): :data:`COMMANDS` names every command, the
module that registers it and its one-line help. ``deliberval --help`` and a mistyped command are
answered from that table alone; ``deliberval CMD ...`` imports CMD's module and lets typer convert
that one command (typer evaluates the annotations of every command function it converts, which
for the whole tree was most of the start-up cost). tests/cli/test_command_table.py checks the
table against the commands the modules really register (names, order, short help).

Every command is wrapped by :func:`deliberval.cli._common.guarded`: an exception that is not a
:class:`~deliberval.errors.DelibervalError` becomes one line naming the command, its input and the
step that failed, with exit code 2, never a traceback (exit 1 means "some rows quarantined").
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from gettext import gettext as _
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from deliberval.cli._common import err_console, guarded

if TYPE_CHECKING:
    from typer._click import Command  # what typer converts a command into

__all__ = ["COMMANDS", "app", "main"]

#: every command of ``deliberval``, in the order ``deliberval --help`` lists them: name, module of
#: ``deliberval.cli`` whose ``register(app)`` adds it, and its one-line help (the first sentence of
#: its help text, from which click makes the short help of the listing)
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("demo", "demo",
     "Write the demo into a folder: instrument exports, example data, reports and a comparison."),
    ("uptake", "uptake",
     "Uptake indicators per process (status on a date, uptake, rejections, deadlines, agenda)."),
    ("validate", "validate",
     "Validate DATA against an instrument; exit 0 all valid, 1 some rows quarantined, 2 unusable input."),
    ("psychometrics", "psychometrics",
     "Alpha, omega and one-factor CFA for every scale of INSTRUMENT in DATA; flags weak scales."),
    ("report", "report",
     "Write the standard indicator report of one process (self-contained HTML; PDF and XLSX optional)."),
    ("compare", "report",
     "Compare the indicators of several processes side by side (with the cross-process model from 5 "
     "processes)."),
    ("prepost", "analyses",
     "Paired pre/post change of each outcome: mean change, t and Wilcoxon tests, effect sizes."),
    ("did", "analyses",
     "Difference-in-differences of each outcome between participants and a control group."),
    ("dri", "analyses",
     "Deliberative Reason Index of each forum (--by), or its pre/post change (--wave)."),
    ("balance", "estimates",
     "Propensity-score weights and covariate balance: ASMD before and after, effective n."),
    ("event-study", "estimates",
     "Difference-in-differences per wave against the first (event-study form), with covariates."),
    ("survey-estimate", "estimates",
     "Design-based means, proportions, totals, ratios or quantiles with their standard errors."),
    ("replicate-weights", "estimates",
     "Replicate weights of a (stratified, clustered) design, as R survey::as.svrepdesign."),
    ("selection", "selection",
     "Selection probability of every pool member and the fairness of the lottery."),
    ("instruments", "instruments", "The survey instrument library."),
    ("map", "mapping", "Mapping files: source columns and codes -> canonical names."),
)
_MODULE_OF = {name: module for name, module, _ in COMMANDS}
_SHORT_HELP = {name: short for name, _, short in COMMANDS}


def _guard_all(group: typer.Typer, prefix: str = "") -> None:
    """Wrap every command of ``group`` (and of its sub-groups) in :func:`guarded`."""
    for info in group.registered_commands:
        if info.callback is not None:
            name = info.name or info.callback.__name__.replace("_", "-")
            info.callback = guarded(info.callback, f"{prefix}{name}")
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _guard_all(sub.typer_instance, f"{prefix}{sub.name} " if sub.name else prefix)


_REGISTERED: dict[str, typer.Typer] = {}


def _registered(module: str) -> typer.Typer:
    """A Typer holding the (guarded) commands that ``deliberval.cli.<module>`` registers."""
    if module not in _REGISTERED:
        holder = typer.Typer()
        importlib.import_module(f"deliberval.cli.{module}").register(holder)
        _guard_all(holder)
        _REGISTERED[module] = holder
    return _REGISTERED[module]


def _convert(name: str) -> Command:
    """The click command ``name`` of the table, converted by typer from its module's registration."""
    holder = _registered(_MODULE_OF[name])
    settings: dict[str, Any] = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }
    for info in holder.registered_commands:
        if info.callback is not None and (info.name or typer.main.get_command_name(info.callback.__name__)) == name:
            return typer.main.get_command_from_info(info, **settings)
    for group in holder.registered_groups:
        if group.name == name:
            return typer.main.get_group_from_info(group, suggest_commands=app.suggest_commands, **settings)
    raise LookupError(f"deliberval.cli.{_MODULE_OF[name]} registers no command {name!r}")


class _LazyCommands(MutableMapping[str, "Command"]):
    """The root's commands: every name of :data:`COMMANDS`, each converted on first access."""

    def __init__(self, given: MutableMapping[str, Command]) -> None:
        self._loaded: dict[str, Command] = dict(given)

    def __getitem__(self, name: str) -> Command:
        if name not in self._loaded:
            if name not in _MODULE_OF:
                raise KeyError(name)
            self._loaded[name] = _convert(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("the commands of deliberval cannot be removed")

    def __contains__(self, name: object) -> bool:
        return name in _MODULE_OF or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        yield from _MODULE_OF
        yield from (name for name in self._loaded if name not in _MODULE_OF)

    def __len__(self) -> int:
        return len(_MODULE_OF) + sum(name not in _MODULE_OF for name in self._loaded)


class LazyGroup(TyperGroup):
    """The root group: lists the commands from :data:`COMMANDS`, converts one only when it is used.

    ``commands`` is a mapping that converts a command on first access, so code that walks the
    tree (``typer.main.get_command(app).commands.items()``) still sees every command.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands(self.commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The ``Commands`` section of ``deliberval --help``, from the table (nothing converted)."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in _SHORT_HELP:
                stub = typer.core.TyperCommand(name=name, help=_SHORT_HELP[name])
                rows.append((name, stub.get_short_help_str(limit)))
            else:  # added with add_command: not in the table
                command = self.commands[name]
                if not command.hidden:
                    rows.append((name, command.get_short_help_str(limit)))
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)


app = typer.Typer(
    name="deliberval",
    help="Evaluate citizens' assemblies, deliberative polls and hybrid citizen-politician bodies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # click's plain help: typer's rich help imports rich.markdown, markdown-it and pygments
    # (+0.05 s CPU), which alone would put ``deliberval --help`` at ~2.6x the CPU of
    # ``import typer, rich``; the target is 2x (benchmarks/cases/cli_startup.py measures it)
    rich_markup_mode=None,
    cls=LazyGroup,
)


def _version(value: bool) -> None:
    if value:
        from deliberval._version import __version__

        typer.echo(f"deliberval {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """deliberval: evaluation toolkit for democratic innovations."""


def main() -> None:
    """Entry point of the ``deliberval`` console script.

    The commands are guarded one by one; this last net catches what fails around them (e.g. in
    argument parsing) so that nothing ends in a traceback or in exit code 1.
    """
    import gc
    import sys

    # One command per process: the cyclic garbage collector runs on 50,000 new objects instead
    # of 700, so it no longer rescans every imported module, class and function (older
    # generations) while pandas, scipy and matplotlib load and a report is drawn: 1.1-1.5 s less
    # CPU per report, 26 MB more peak memory (issue 22). Nothing computed changes.
    gc.set_threshold(50_000, 20, 100)
    # pandera imports hypothesis, when it is installed (the dev extra), for its data-synthesis
    # strategies, which no command uses: marked absent here, pandera skips it (0.3-0.6 s CPU).
    if "hypothesis" not in sys.modules:
        sys.modules["hypothesis"] = None  # type: ignore[assignment]
    try:
        app()
    except Exception as exc:  # everything a command lets out is already one line (guarded)
        from rich.markup import escape

        from deliberval.cli._common import bug_line

        err_console.print(f"[bold red]error:[/] {escape(bug_line('', [], exc))}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
