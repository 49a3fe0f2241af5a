"""Shared pieces of the command line: consoles and the one-line error handler."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import typer

from deliberval.errors import DelibervalError, InstrumentError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["console", "err_console", "get_console", "user_errors"]

_CONSOLES: dict[bool, Console] = {}


def get_console(*, stderr: bool = False) -> Console:
    """The command line's rich Console on stdout (or stderr), made on first use.

    Made lazily so that ``deliberval --help`` does not import ``rich.console``. Pass this real
    Console where rich needs one (``Progress(console=...)``); ``console.print`` is enough elsewhere.
    """
    if stderr not in _CONSOLES:
        from rich.console import Console

        _CONSOLES[stderr] = Console(stderr=stderr)
    return _CONSOLES[stderr]


class _LazyConsole:
    """Forwards attribute access to :func:`get_console`, so modules can import ``console``."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr

    def __getattr__(self, name: str) -> Any:
        return getattr(get_console(stderr=self._stderr), name)


console = cast("Console", _LazyConsole(stderr=False))
err_console = cast("Console", _LazyConsole(stderr=True))


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
