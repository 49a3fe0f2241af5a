"""The ``deliberval`` command: a thin face over the Python API.

Each sub-command lives in its own module with a ``register(app)`` function. Those modules import
only typer, rich and the standard library at their top and import their stage (pandas, the
analyses, the report) inside the command function, so ``deliberval --help`` and a mistyped
command answer without loading the statistics.

Every command is wrapped by :func:`deliberval.cli._common.guarded`: an exception that is not a
:class:`~deliberval.errors.DelibervalError` becomes one line naming the command, its input and the
step that failed, with exit code 2, never a traceback (exit 1 means "some rows quarantined").
"""

from __future__ import annotations

import typer

from deliberval.cli import (
    analyses,
    demo,
    estimates,
    instruments,
    mapping,
    psychometrics,
    report,
    selection,
    uptake,
    validate,
)
from deliberval.cli._common import err_console, guarded

__all__ = ["app", "main"]

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
)

for _module in (demo, instruments, uptake, mapping, validate, psychometrics, report, analyses, estimates, selection):
    _module.register(app)


def _guard_all(group: typer.Typer, prefix: str = "") -> None:
    """Wrap every command of ``group`` (and of its sub-groups) in :func:`guarded`."""
    for info in group.registered_commands:
        if info.callback is not None:
            name = info.name or info.callback.__name__.replace("_", "-")
            info.callback = guarded(info.callback, f"{prefix}{name}")
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _guard_all(sub.typer_instance, f"{prefix}{sub.name} " if sub.name else prefix)


_guard_all(app)


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
