"""The ``deliberval`` command: a thin face over the Python API.

Each sub-command lives in its own module with a ``register(app)`` function. Those modules import
only typer, rich and the standard library at their top and import their stage (pandas, the
analyses, the report) inside the command function, so ``deliberval --help`` and a mistyped
command answer without loading the statistics.
"""

from __future__ import annotations

import typer

from deliberval.cli import demo, instruments, mapping, psychometrics, report, uptake, validate

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

for _module in (demo, instruments, uptake, mapping, validate, psychometrics, report):
    _module.register(app)


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
    """Entry point of the ``deliberval`` console script."""
    app()
