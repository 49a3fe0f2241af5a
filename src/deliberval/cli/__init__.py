"""The ``deliberval`` command: a thin face over the Python API.

Each sub-command lives in its own module with a ``register(app)`` function.
"""

from __future__ import annotations

import typer

from deliberval import __version__
from deliberval.cli import demo, instruments, mapping, psychometrics, report, uptake, validate

__all__ = ["app", "main"]

app = typer.Typer(
    name="deliberval",
    help="Evaluate citizens' assemblies, deliberative polls and hybrid citizen-politician bodies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _module in (demo, instruments, uptake, mapping, validate, psychometrics, report):
    _module.register(app)


def _version(value: bool) -> None:
    if value:
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
