"""Shared pieces of the command line: consoles and the one-line error handler."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from deliberval.errors import DelibervalError, InstrumentError

__all__ = ["console", "err_console", "user_errors"]

console = Console()
err_console = Console(stderr=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a :class:`DelibervalError` into a clear message and exit code 2, never a traceback."""
    try:
        yield
    except InstrumentError as exc:
        for problem in exc.problems:
            err_console.print(f"[bold red]error:[/] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except DelibervalError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
