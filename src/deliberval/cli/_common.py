"""Shared pieces of the command line: consoles, the one-line error handlers, table output.

Two layers keep every failure to one line and exit code 2 (exit 1 is reserved for "some rows
quarantined" of ``deliberval validate``):

- :func:`user_errors` turns a :class:`~deliberval.errors.DelibervalError` (bad input, caused
  by the user's file or settings) into its message;
- :func:`guarded`, wrapped around every command by ``deliberval.cli``, turns *any other*
  exception (a bug, or an input deliberval does not handle yet) into one line naming the
  command, its input file(s), the step that failed and where to report it: never a traceback.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

import typer

from deliberval.errors import DataInputError, DelibervalError, InstrumentError

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

__all__ = [
    "bug_line",
    "console",
    "err_console",
    "get_console",
    "guarded",
    "issues_url",
    "output_file",
    "output_folder",
    "user_errors",
    "write_table",
]

F = TypeVar("F", bound=Callable[..., Any])

# where to report a bug when the installed metadata names no issue tracker
_FALLBACK_ISSUES = "https://github.com/deliberval/deliberval/issues"

# the step a failure happened in, from the module of the outermost deliberval frame below the CLI
_STEPS: tuple[tuple[str, str], ...] = (
    ("deliberval.io", "reading the input"),
    ("deliberval.instruments", "loading the instrument"),
    ("deliberval.schemas", "validating"),
    ("deliberval.validation", "validating"),
    ("deliberval.scoring", "scoring"),
    ("deliberval.analysis", "analysing"),
    ("deliberval.indicators", "analysing"),
    ("deliberval.privacy", "applying disclosure control"),
    ("deliberval.disclosure", "applying disclosure control"),
    ("deliberval.plots", "drawing the figures"),
    ("deliberval.report", "building the report"),
    ("deliberval.datasets", "making the example data"),
    ("deliberval.demo", "making the demo"),
)

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
        from rich.markup import escape

        for problem in exc.problems:
            err_console.print(f"[bold red]error:[/] {escape(str(problem))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except DelibervalError as exc:
        from rich.markup import escape

        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def issues_url() -> str:
    """Where to report a bug: the ``Issues`` URL of the installed package's metadata.

    Read from the distribution metadata (``[project.urls]`` of ``pyproject.toml``), falling back
    to ``Homepage`` + ``/issues`` and then to the project's GitHub issues page; no network.
    """
    try:
        from importlib.metadata import PackageNotFoundError, metadata

        urls = {}
        for entry in metadata("deliberval").get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            urls[label.strip().lower()] = url.strip()
    except (PackageNotFoundError, OSError, ValueError):  # not installed: running from a source tree
        return _FALLBACK_ISSUES
    for label in ("issues", "bug tracker", "tracker"):
        if urls.get(label):
            return urls[label]
    home = urls.get("homepage") or urls.get("repository") or urls.get("source")
    if home and "github.com/" in home:
        return home.rstrip("/") + "/issues"
    return _FALLBACK_ISSUES


def _one_line(text: str, limit: int = 300) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _frames(tb: TracebackType | None) -> list[tuple[str, str, int]]:
    """(module, function, line) of every frame of a traceback, outermost first."""
    out = []
    while tb is not None:
        frame = tb.tb_frame
        out.append((str(frame.f_globals.get("__name__", "")), frame.f_code.co_name, tb.tb_lineno))
        tb = tb.tb_next
    return out


def _step(exc: BaseException) -> str:
    """The step that failed, e.g. ``analysing (deliberval.analysis.change.prepost, failed in
    deliberval.analysis.change._pairs line 183)``, from the exception's traceback."""
    ours = [f for f in _frames(exc.__traceback__) if f[0] == "deliberval" or f[0].startswith("deliberval.")]
    stages = [f for f in ours if not f[0].startswith("deliberval.cli")]
    if not stages:
        if ours:
            module, function, line = ours[-1]
            return f"running the command ({module}.{function} line {line})"
        return "outside deliberval's code"
    module, function, _ = stages[0]
    word = next((w for prefix, w in _STEPS if module == prefix or module.startswith(prefix + ".")), "running")
    inner_module, inner_function, inner_line = stages[-1]
    where = f"{module}.{function}"
    if (inner_module, inner_function) != (module, function) or len(stages) == 1:
        where += f", failed in {inner_module}.{inner_function} line {inner_line}"
    return f"{word} ({where})"


def bug_line(command: str, inputs: list[str], exc: BaseException) -> str:
    """The one line printed for an exception that is not a :class:`DelibervalError`.

    Parameters
    ----------
    command : str
        The command as typed after ``deliberval`` (``"prepost"``, ``"map suggest"``).
    inputs : list of str
        The input files (or words) the command was given.
    exc : BaseException
        The exception, with its traceback.

    Returns
    -------
    str
        ``deliberval <command> on <inputs> failed while <step>: <Type>: <message>. This is a
        bug in deliberval or an input it does not handle yet; please report it at <url> with
        this line.``
    """
    on = f" on {', '.join(inputs)}" if inputs else ""
    message = _one_line(str(exc))
    what = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return (
        f"deliberval{' ' + command if command else ''}{on} failed while {_step(exc)}: {what}. This is a bug in deliberval "
        f"or an input it does not handle yet; please report it at {issues_url()} with this line."
    )


def _inputs(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[str]:
    """The values of the command's positional arguments (its input files), as typed."""
    import typing

    try:
        hints = typing.get_type_hints(func, include_extras=True)
        bound = inspect.signature(func).bind_partial(*args, **kwargs).arguments
    except (TypeError, NameError, ValueError):
        return []
    names = []
    for name, value in bound.items():
        meta = getattr(hints.get(name), "__metadata__", ())
        if value is None or not any(isinstance(m, typer.models.ArgumentInfo) for m in meta):
            continue
        for v in value if isinstance(value, list | tuple) else [value]:
            names.append(str(v))
    return names


def _is_cli_control(exc: BaseException) -> bool:
    """Exit, abort and usage errors of typer / click: they already say what they mean."""
    return isinstance(exc, typer.Exit | typer.Abort) or type(exc).__module__.split(".")[0] in ("click", "typer")


def _silence_stdout() -> None:
    """Point stdout at the null device, so that flushing it at exit does not raise again."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests, notebooks)
        pass


def guarded(func: F, command: str) -> F:
    """Wrap a command so that no exception leaves it as a traceback or as exit code 1.

    A :class:`DelibervalError` is printed as its message; any other exception as
    :func:`bug_line`; both exit with code 2. ``typer.Exit`` (the commands' own exit codes),
    click's usage errors and aborts pass through untouched; Ctrl-C exits 130 with one line, a
    closed output pipe exits 141 silently.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KeyboardInterrupt:
            err_console.print("[bold red]interrupted[/]", highlight=False)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # the reader of the output went away (``deliberval prepost ... --json | head``): neither
            # a bug nor bad data; exit as a process ended by SIGPIPE does, without a message
            _silence_stdout()
            raise typer.Exit(141) from None
        except Exception as exc:
            if _is_cli_control(exc):
                raise
            if isinstance(exc, DelibervalError):
                with user_errors():
                    raise
            from rich.markup import escape

            line = escape(bug_line(command, _inputs(func, args, kwargs), exc))
            err_console.print(f"[bold red]error:[/] {line}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return cast("F", wrapper)


def write_table(df: pd.DataFrame, path: Path, *, sheet: str = "results") -> Path:
    """Write a tidy table as CSV or XLSX, chosen by the suffix of ``path``.

    Numbers are written unrounded (CSV: shortest round-trip representation); a missing value is
    an empty cell.

    Raises
    ------
    DataInputError
        Another suffix, or the file cannot be written.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DataInputError(f"{path}: unknown output format {path.suffix or '(no suffix)'!r}; expected .csv or .xlsx")
    if path.is_dir():
        raise DataInputError(f"{path}: is a folder; give a file name ending in .csv or .xlsx")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            df.to_csv(path, index=False)
        else:  # write-only rows, fixed workbook dates: the same table gives the same bytes
            from deliberval.io.writers import write_xlsx_table

            write_xlsx_table(df, path, sheet=sheet)
    except OSError as exc:
        raise DataInputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def output_file(path: Path, *, example: str) -> Path:
    """Check a ``-o`` file path before anything is computed; create its missing folders.

    A path naming an existing folder is a one-line error (``example`` says what to give
    instead); missing parent folders are created, as ``mkdir -p`` would.

    Raises
    ------
    DataInputError
        The path is a folder, or its folder cannot be created.
    """
    from deliberval.errors import DataInputError

    if path.is_dir():
        raise DataInputError(f"{path}: is a folder; expected a file name such as {path / example}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataInputError(f"{path.parent}: cannot create the folder for {path.name} ({exc.strerror or exc})") from None
    return path


def output_folder(path: Path) -> Path:
    """Check a ``-o`` folder path before anything is computed: created when missing; an existing
    file there is a one-line error.

    Raises
    ------
    DataInputError
        The path is a file, or the folder cannot be created.
    """
    from deliberval.errors import DataInputError

    if path.exists() and not path.is_dir():
        raise DataInputError(f"{path}: is a file; -o names a folder to write into (created when missing)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataInputError(f"{path}: cannot create the folder ({exc.strerror or exc})") from None
    return path
