"""Identifiers and free text at the command line's exits: refuse, pseudonymise, or keep on request.

``deliberval validate``, ``psychometrics`` and ``report`` look at every table they read for columns
that look like direct identifiers (by name in en / fr / nl / de / da, and by content: e-mail
addresses, phone numbers, IP addresses, coordinates; :func:`deliberval.privacy.find_identifiers`)
and, for ``validate`` (which writes rows), free text. Without a flag they stop with one line
naming the columns (exit 2). ``--pseudonymise --key-file FILE`` drops those columns and replaces
the row ids (``respondent_id``, ``person_id``) by keyed pseudonyms (HMAC-SHA256,
:func:`deliberval.privacy.pseudonymise`); ``--keep-identifiers`` keeps everything, said in a
warning line. A key file inside a data folder draws a warning: whoever has the data then has the
key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from deliberval.cli._common import err_console
from deliberval.errors import DataInputError

if TYPE_CHECKING:
    import pandas as pd

    from deliberval.instruments.model import Instrument
    from deliberval.io.config import ProcessConfig
    from deliberval.validation.process import ProcessData
    from deliberval.validation.result import ValidationResult

__all__ = ["KeepOption", "KeyFileOption", "Protection", "PseudonymiseOption", "protect_frame", "protect_process",
           "protect_rows"]

PseudonymiseOption = Annotated[bool, typer.Option(
    "--pseudonymise",
    help="Drop columns that look like direct identifiers (names, e-mail, phone, address, IP, "
         "geolocation ...) or free text and replace respondent ids by keyed pseudonyms "
         "(HMAC-SHA256; needs --key-file or DELIBERVAL_PSEUDONYM_KEY).")]
KeyFileOption = Annotated[Path | None, typer.Option(
    "--key-file", help="File holding the pseudonymisation key (16+ bytes); keep it apart from the data.")]
KeepOption = Annotated[bool, typer.Option(
    "--keep-identifiers",
    help="Keep columns that look like direct identifiers or free text (you answer for them).")]

_MAX_LISTED = 8


@dataclass(frozen=True)
class Protection:
    """What the user asked for: pseudonymise (with a key file), keep, or neither (refuse)."""

    pseudonymise: bool = False
    key_file: Path | None = None
    keep: bool = False

    def check(self) -> None:
        """Refuse contradictory flags in one line."""
        if self.pseudonymise and self.keep:
            raise DataInputError("--pseudonymise and --keep-identifiers contradict each other; give one of them")
        if self.key_file is not None and not self.pseudonymise:
            raise DataInputError(f"--key-file {self.key_file} is used only with --pseudonymise; add --pseudonymise or leave it out")

    def key(self, data_folders: Iterable[Path]) -> bytes:
        """The key (from the key file, else the environment), after warning about where it sits."""
        from deliberval.privacy import KEY_ENV_VAR, load_key

        if self.key_file is None:
            import os

            if not os.environ.get(KEY_ENV_VAR):
                raise DataInputError(
                    f"--pseudonymise needs a key: pass --key-file FILE (a file of 16 or more bytes kept "
                    f"apart from the data) or set {KEY_ENV_VAR}")
        else:
            _warn_key_location(self.key_file, data_folders)
        return load_key(None, self.key_file)


def _warn_key_location(key_file: Path, data_folders: Iterable[Path]) -> None:
    key = key_file.resolve()
    for folder in dict.fromkeys(f.resolve() for f in data_folders):
        if key.is_relative_to(folder):
            err_console.print(
                f"[yellow]warning:[/] the key file {key_file} sits in the data folder {folder}: whoever "
                "gets the data gets the key and can recompute every pseudonym; keep the key elsewhere",
                highlight=False, soft_wrap=True)
            return


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


def _described(rows: Sequence[tuple[str, str]]) -> list[str]:
    return [f"{col!r} ({why})" for col, why in rows]


def _identifiers(df: pd.DataFrame, instrument: Instrument | None, exempt: Iterable[str]) -> list[tuple[str, str]]:
    from deliberval.privacy import find_identifiers

    found = find_identifiers(df, instrument, exempt=exempt)
    return [(str(r.column), f"{str(r.category).replace('_', ' ')}, by {r.evidence}")
            for r in found.itertuples(index=False)]


def _is_empty(s: pd.Series) -> bool:
    """True when a column holds no value at all (blank text counts as none)."""
    from deliberval.canonical import as_code_strings

    return bool(as_code_strings(s).isna().all())


def _note(text: str) -> None:
    err_console.print(f"[yellow]note:[/] {text}", highlight=False, soft_wrap=True)


def protect_frame(
    df: pd.DataFrame,
    *,
    source: str,
    command: str,
    protection: Protection,
    instrument: Instrument | None = None,
    id_columns: Sequence[str] = ("respondent_id",),
    free_text: str = "refuse",
    data_folders: Iterable[Path] = (),
) -> pd.DataFrame:
    """Screen one table read by ``command``; return it as it may go on (or raise one line).

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read.
    source : str
        Its file, for the messages.
    command : str
        ``validate`` or ``psychometrics``: named in the refusal.
    protection : Protection
        The flags given.
    instrument : Instrument, optional
        Its item ids are not identifiers by name; its free-text items are free text.
    id_columns : sequence of str
        Row ids: never dropped, replaced by pseudonyms under ``--pseudonymise``.
    free_text : {"refuse", "drop"}
        ``refuse``: free text is treated like identifiers (the command writes rows); ``drop``:
        free text is left out with a note (the command writes only statistics).
    data_folders : iterable of Path
        Folders of the data, for the key-file warning.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataInputError
        Identifiers or free text without a flag, contradictory flags, no key.
    """
    from deliberval.privacy import free_text_columns, pseudonymise

    protection.check()
    ids = [c for c in id_columns if c in df.columns]
    idents = _identifiers(df, instrument, ())
    ident_cols = {c for c, _ in idents}
    text = [c for c in free_text_columns(df.drop(columns=ids), instrument) if c not in ident_cols]
    left_out = text if free_text == "drop" else []
    problems = idents + [(c, "free text") for c in text if c not in left_out]
    blank = [c for c, _ in problems if c not in ids and _is_empty(df[c])]
    if blank and not protection.keep:  # nothing to protect in them, nothing lost without them
        df = df.drop(columns=blank)
        problems = [p for p in problems if p[0] not in blank]
        _note(f"{source}: empty column(s) {_listing([repr(c) for c in blank])} left out "
              "(their names say identifier or free text)")
    if problems and not protection.pseudonymise and not protection.keep:
        _refuse(source, command, problems, ids)
    if left_out:
        df = df.drop(columns=left_out)
        _note(f"{source}: free-text column(s) {_listing([repr(c) for c in left_out])} left out "
              "(never analysed or published)")
    if protection.pseudonymise:
        key = protection.key(data_folders)
        drop = [c for c, _ in problems if c not in ids]
        out = pseudonymise(df, ids, key=key, drop=drop, instrument=instrument)
        what = f"{', '.join(ids)} replaced by keyed pseudonyms" if ids else "no id column to pseudonymise"
        dropped = f"; left out {_listing([repr(c) for c in drop])}" if drop else ""
        _note(f"{source}: {what}{dropped}")
        return out
    if not problems:
        return df
    err_console.print(
        f"[yellow]warning:[/] {source}: keeping {_listing(_described(problems))} as asked "
        "(--keep-identifiers): whatever deliberval writes from them is personal data",
        highlight=False, soft_wrap=True)
    return df


def _refuse(source: str, command: str, problems: Sequence[tuple[str, str]], ids: Sequence[str]) -> None:
    id_words = " and ".join(ids) if ids else "the row ids"
    raise DataInputError(
        f"{source}: column(s) {_listing(_described(problems))} look like direct identifiers or free "
        f"text, which deliberval {command} does not {'write' if command == 'validate' else 'keep'} "
        f"unless told: pass --pseudonymise --key-file FILE (leave them out and replace {id_words} by "
        "keyed pseudonyms), --keep-identifiers, or list them under drop: in a mapping file")


def _schema_names(kind: str) -> tuple[list[str], list[str]]:
    """Literal and regex column names of a canonical table's schema."""
    import re

    from deliberval.schemas import tables

    schema = {"members": tables.members_schema, "process": tables.process_schema,
              "targets": tables.targets_schema}[kind]()
    literal: list[str] = []
    patterns: list[str] = []
    for name, col in schema.columns.items():
        (patterns if getattr(col, "regex", False) else literal).append(str(name))
    return literal, [p for p in patterns if re.compile(p)]


def _frame_of(res: ValidationResult) -> pd.DataFrame:
    import pandas as pd

    parts = [t for t in (res.valid, res.quarantined) if len(t.columns)]
    if not parts:
        return res.valid
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def protect_process(data: ProcessData, config: ProcessConfig, protection: Protection, *,
                    command: str = "report") -> ProcessData:
    """Screen every table of a process for ``deliberval report``; return the data it may use.

    Free text in the responses was already left out by :func:`deliberval.load_process` (the report
    says so); identifier columns in the responses, members, targets and process tables stop the
    report unless ``--pseudonymise`` (they are left out and ``respondent_id`` / ``person_id``
    replaced by keyed pseudonyms before anything is analysed) or ``--keep-identifiers``. Canonical
    columns of each table (``name`` of the process table, ``demo_*`` of the members) are not
    identifiers by name.
    """
    import re
    from dataclasses import replace

    from deliberval.canonical import ID_COLUMNS
    from deliberval.privacy import identifier_category, pseudonymise

    protection.check()
    folders = [p.parent for key in ("responses", "members", "targets", "process", "register", "events")
               if (p := config.path(key)) is not None] if config.example is None else []
    found: dict[str, list[tuple[str, str]]] = {}
    empty: dict[str, list[str]] = {}
    ids = {"responses": "respondent_id", "members": "person_id"}
    for key in ("responses", "members", "targets", "process"):
        res = getattr(data, key)
        if res is None:
            continue
        frame = _frame_of(res)
        if key == "responses":
            exempt = [*ID_COLUMNS]
        else:
            literal, patterns = _schema_names(key)
            exempt = literal + [c for c in map(str, frame.columns) if any(re.fullmatch(p, c) for p in patterns)]
        rows = _identifiers(frame, data.instrument if key == "responses" else None, exempt)
        if key == "responses":
            rows += [(c, f"{kind.replace('_', ' ')}, by name")
                     for c in data.dropped_text if (kind := identifier_category(c)) is not None]
        blank = [c for c, _ in rows if c in frame.columns and c != ids.get(key) and _is_empty(frame[c])]
        rows = [r for r in rows if r[0] not in blank]
        if rows:
            found[key] = rows
        if blank:
            empty[key] = blank
    if not found and not empty and not protection.pseudonymise:
        return data
    where = {key: (config.path(key).name if config.example is None and config.path(key) is not None  # type: ignore[union-attr]
                   else key) for key in ("responses", "members", "targets", "process")}
    listed = "; ".join(f"{where[k]}: {_listing(_described(v))}" for k, v in found.items())
    if protection.keep:
        if found:
            err_console.print(f"[yellow]warning:[/] keeping {listed} as asked (--keep-identifiers)",
                              highlight=False, soft_wrap=True)
        return data
    if found and not protection.pseudonymise:
        raise DataInputError(
            f"{listed} look like direct identifiers, which deliberval {command} does not keep unless told: "
            "pass --pseudonymise --key-file FILE (leave them out and replace respondent_id / person_id by "
            "keyed pseudonyms), --keep-identifiers, or remove them from the files")
    key_bytes = protection.key(folders) if protection.pseudonymise else b""
    changes = {}
    pseudonymised: list[str] = []
    for key in ("responses", "members", "targets", "process"):
        res = getattr(data, key)
        if res is None:
            continue
        drop = [c for c in [*(c for c, _ in found.get(key, [])), *empty.get(key, [])]
                if c in res.valid.columns or c in res.quarantined.columns]
        id_col = ids.get(key) if protection.pseudonymise else None
        tables = {}
        for part in ("valid", "quarantined"):
            t = getattr(res, part)
            cols = [id_col] if id_col is not None and id_col in t.columns else []
            pseudonymised += [c for c in cols if c not in pseudonymised]
            kept = t.drop(columns=[c for c in drop if c in t.columns and c not in cols])
            tables[part] = pseudonymise(kept, cols, key=key_bytes, drop=[]) if cols else kept
            tables[part].attrs = dict(t.attrs)
        failures = res.failures
        if id_col is not None and "id" in failures.columns and len(failures):
            failures = failures.copy()
            failures["id"] = pseudonymise(failures[["id"]].mask(failures[["id"]] == ""), ["id"],
                                          key=key_bytes, drop=[])["id"].fillna("")
        changes[key] = replace(res, valid=tables["valid"], quarantined=tables["quarantined"], failures=failures)
        if drop:
            why = " (empty)" if set(drop) <= set(empty.get(key, [])) else ""
            _note(f"{where[key]}: left out {_listing([repr(c) for c in drop])}{why}")
    if pseudonymised:
        _note(f"{' and '.join(pseudonymised)} replaced by keyed pseudonyms")
    return replace(data, **changes)


def protect_rows(
    df: pd.DataFrame,
    *,
    source: str,
    command: str,
    protection: Protection,
    id_columns: Sequence[str],
    data_folders: Iterable[Path] = (),
) -> pd.DataFrame:
    """Screen a per-person table a command is about to write or print; return what may go out.

    For outputs holding one row per person (``balance --weights-output``, ``selection``,
    ``replicate-weights``): the command builds the table from the id column and its own results
    only, so the input's other columns are never carried. Any other column that looks like a
    direct identifier is left out with a note. An id column that looks like one (e-mail
    addresses, phone numbers, a ``name`` column ...) stops the command with one line unless
    ``--pseudonymise`` (replaced by keyed pseudonyms, as ``validate --pseudonymise`` does with
    the same key, so the tables still join) or ``--keep-identifiers``; ``--pseudonymise``
    replaces the id columns whatever they hold.

    Parameters
    ----------
    df : pandas.DataFrame
        The per-person table.
    source : str
        The input file the ids come from, for the messages.
    command : str
        The command (and option) writing it, named in the refusal.
    protection : Protection
        The flags given.
    id_columns : sequence of str
        Row ids kept (or pseudonymised).
    data_folders : iterable of Path
        Folders of the data, for the key-file warning.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataInputError
        An identifier-like id column without a flag, contradictory flags, no key.
    """
    from deliberval.privacy import pseudonymise

    protection.check()
    ids = [c for c in id_columns if c in df.columns]
    found = _identifiers(df, None, ())
    others = [c for c, _ in found if c not in ids]
    if others:  # never carried, whatever the flags
        df = df.drop(columns=others)
        _note(f"{source}: left out {_listing([repr(c) for c in others])} (direct identifiers) of the "
              f"{command} output")
    flagged = [(c, why) for c, why in found if c in ids]
    if flagged and not protection.pseudonymise and not protection.keep:
        raise DataInputError(
            f"{source}: the id column(s) {_listing(_described(flagged))} look like direct identifiers; "
            f"deliberval {command} writes one row per person and does not write them unless told: pass "
            "--pseudonymise --key-file FILE (keyed pseudonyms in their place) or --keep-identifiers")
    if protection.pseudonymise:
        key = protection.key(data_folders)
        if not ids:
            _note(f"{source}: no id column in the {command} output to pseudonymise")
            return df
        out = pseudonymise(df, ids, key=key, drop=[])
        out.attrs = dict(df.attrs)
        _note(f"{source}: {', '.join(ids)} replaced by keyed pseudonyms in the {command} output")
        return out
    if flagged:
        err_console.print(
            f"[yellow]warning:[/] {source}: keeping {_listing(_described(flagged))} in the {command} "
            "output as asked (--keep-identifiers): the file is personal data",
            highlight=False, soft_wrap=True)
    return df
