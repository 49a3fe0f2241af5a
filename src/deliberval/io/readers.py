"""Readers: every source becomes the canonical responses table.

:func:`read_responses` is the one entry point; it picks a reader from the file's extension and,
for CSV files, from the header (Qualtrics, LimeSurvey and Kobo exports are recognised). Each
reader reads the file losslessly (every cell as text or number, never dropping a row), applies the
platform's naming conventions and an optional mapping, and returns
:func:`~deliberval.io._common.canonicalise`-d columns. Any problem with the file becomes a
:class:`~deliberval.errors.DataInputError` naming the file and, where known, the row and column.

Every file is read once: :meth:`InputFile.read` takes its bytes and their SHA-256 together, and
the readers sniff the format, detect the encoding and parse from those bytes (pass an
:class:`InputFile` to reuse them; given a path, a reader reads the file once itself). Readers never
judge values: that is validation's job.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from deliberval.canonical import _STR, NA_STRINGS
from deliberval.errors import DataInputError, DelibervalError
from deliberval.instruments.library import load_instrument
from deliberval.instruments.model import Instrument
from deliberval.instruments.rules import item_rules
from deliberval.io._common import canonicalise
from deliberval.io.mapping import Mapping, apply_mapping, load_mapping
from deliberval.io.platforms import (
    EXCLUSION_COLUMN,
    decode_kobo,
    decode_labels,
    decode_limesurvey,
    decode_qualtrics,
    decode_with_labels,
    honour_declared_missing,
    parse_qualtrics,
    qualtrics_variant,
    read_lss,
    read_qsf,
    read_xform,
    sniff_platform,
    split_limesurvey_headings,
)

__all__ = [
    "FORMATS",
    "InputFile",
    "decode_text",
    "detect_format",
    "read_csv",
    "read_excel",
    "read_kobo",
    "read_limesurvey",
    "read_qualtrics",
    "read_responses",
    "read_sheet",
    "read_spss",
    "read_stata",
    "read_table",
]

PathLike = str | os.PathLike[str]
InstrumentLike = Instrument | str | None
MappingLike: TypeAlias = "Mapping | PathLike | InputFile | None"

FORMATS: tuple[str, ...] = ("csv", "tsv", "excel", "spss", "stata", "limesurvey", "qualtrics", "kobo")
"""Values accepted by the ``format`` argument of :func:`read_responses`."""

_EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "excel", ".xlsm": "excel",
    ".xls": "excel", ".sav": "spss", ".zsav": "spss", ".dta": "stata",
}
_DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class InputFile:
    """The bytes of one input file and their SHA-256, read once.

    Attributes
    ----------
    path : pathlib.Path
        Where the file was read from (used for the format, in messages and in provenance).
    content : bytes
        The file's bytes; empty for a folder.
    sha256 : str
        Hex SHA-256 of ``content``; for a folder, of its files' relative paths (POSIX, sorted)
        each followed by that file's bytes.
    is_folder : bool
        Whether ``path`` is a folder (e.g. a register of CSV files).

    Examples
    --------
    >>> import hashlib, tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = f.write_text("respondent_id,wave\\nr1,pre\\n")
    >>> file = InputFile.read(f)
    >>> file.sha256 == hashlib.sha256(f.read_bytes()).hexdigest()
    True
    >>> read_table(file).to_dict("list")
    {'respondent_id': ['r1'], 'wave': ['pre']}
    """

    path: Path
    content: bytes
    sha256: str
    is_folder: bool = False

    @classmethod
    def read(cls, path: PathLike) -> InputFile:
        """Read a file (or every file of a folder) once and hash the same bytes.

        Raises
        ------
        DataInputError
            When the path does not exist or cannot be read.
        """
        p = Path(path)
        if p.is_dir():
            h = hashlib.sha256()
            for f in sorted(p.rglob("*")):
                if f.is_file():
                    h.update(f.relative_to(p).as_posix().encode())
                    h.update(_read_bytes(f))
            return cls(p, b"", h.hexdigest(), True)
        data = _read_bytes(p)
        return cls(p, data, hashlib.sha256(data).hexdigest(), False)

    @property
    def name(self) -> str:
        """The file's name (last path component)."""
        return self.path.name


Source = InputFile | PathLike
"""A file to read: a path, or an :class:`InputFile` already read."""


def _as_input(source: Source, format: str | None = None) -> InputFile:
    if isinstance(source, InputFile):
        return source
    if isinstance(source, str | os.PathLike):
        p = Path(source)
        if format is None and p.suffix.lower() not in _EXTENSIONS and not p.is_dir():
            detect_format(p)  # raises "unknown file format" before reading anything
        return InputFile.read(p)
    raise DataInputError(f"expected a path or an InputFile, got {type(source).__name__}")


def decode_text(data: bytes, *, file: str = "") -> tuple[str, str]:
    """Decode the bytes of a text file: UTF-8 (with or without BOM), else cp1252, else Latin-1.

    The order is deterministic on purpose: a file that decodes as UTF-8 is UTF-8 (other
    encodings of non-ASCII text almost never form valid UTF-8), and Excel on Windows saves
    "CSV" in cp1252. Latin-1 decodes any byte, so it is the last resort for the five bytes that
    cp1252 leaves undefined. Statistical guessers (charset-normalizer) are unreliable on the short,
    mostly-numeric files surveys produce, so they are not used.

    Parameters
    ----------
    data : bytes
    file : str, optional
        Name used in error messages.

    Returns
    -------
    (text, encoding) : tuple of str

    Examples
    --------
    >>> decode_text("Bruxelles,Liège".encode("cp1252"))
    ('Bruxelles,Liège', 'cp1252')
    >>> decode_text(b"\\xef\\xbb\\xbfa,b")
    ('a,b', 'utf-8-sig')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DataInputError(f"{file}: starts with a UTF-8 byte-order mark but is not valid UTF-8 at byte {exc.start + 3}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise DataInputError(f"{file}: starts with a UTF-16 byte-order mark but is not valid UTF-16") from None
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of ``, ; TAB |`` outside quotes."""
    head = text.split("\n", 1)[0]
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in head:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


_CR_IN_LINE = "\ue000"  # a private-use character standing for a CR that does not end a line
_MAX_SHOWN = 60


_LINE_TOKENS = re.compile(r'"[^"]*"?|\r\n|\n|\r')  # quoted text (kept whole) or a line end
_LONE_CR = re.compile(r"\r(?!\n)")


def _normalise_line_ends(text: str) -> str:
    r"""Line ends the csv module reads right, keeping every CR that does not end a line.

    Files whose lines (outside quoted cells) end with a CR alone ("CSV (Macintosh)") get LF
    line ends; quoted cells keep their line breaks. In files whose lines end with LF or CRLF, a
    CR alone (a stray CR typed into a cell, quoted or not) is data: it is masked so that it
    never ends a row, and restored in the values.
    """
    if "\r" not in text or _LONE_CR.search(text) is None:
        return text
    lf = cr = False
    for m in _LINE_TOKENS.finditer(text):
        token = m.group()
        if token[0] == '"':
            continue
        if token == "\r":
            cr = True
        else:
            lf = True
            break
    if cr and not lf:  # CR-only line ends outside quotes
        return _LINE_TOKENS.sub(lambda m: "\n" if m.group() == "\r" else m.group(), text)
    return _LONE_CR.sub(_CR_IN_LINE, text)


def _check_header(names: list[str], where: str) -> None:
    """Refuse repeated and near-repeated column names, with a suggestion.

    Near repeats are names equal once surrounding blanks and case are ignored (``item`` and
    ``item ``) or once a group prefix is stripped (Kobo's ``g1/item`` and ``g2/item``): both
    would become the same column, and one of them would silently win.
    """
    seen: set[str] = set()
    dupes = sorted({h for h in names if h in seen or seen.add(h)})  # type: ignore[func-returns-value]
    if dupes:
        raise DataInputError(f"{where}: line 1 (header) repeats column name(s) {dupes}; expected unique names")

    def show(name: str) -> str:
        return repr(name)

    for key, label in ((lambda n: " ".join(n.split()).casefold(), "differ only in blanks or case"),
                       (lambda n: " ".join(n.split()).casefold().rsplit("/", 1)[-1],
                        "name the same item in two groups (group prefixes are stripped)")):
        first: dict[str, str] = {}
        for name in names:
            k = key(name)
            if not k:
                continue
            if k in first:
                a, b = first[k], name
                if label.startswith("differ"):
                    tidy = " ".join(a.split())
                    hint = f"did you mean {tidy!r} for both? Keep one column and delete the other"
                else:
                    hint = (f"did you mean {a.replace('/', '_')!r} and {b.replace('/', '_')!r}? "
                            "Rename one of them (or map it with a mapping file)")
                raise DataInputError(f"{where}: line 1 (header): columns {show(a)} and {show(b)} {label}; {hint}")
            first[k] = name


def _drop_unnamed(header: list[str], rows: list[list[Any]], where: str,
                  col_label: Callable[[int], str]) -> tuple[list[str], list[list[Any]]]:
    """Drop columns without a header name and without values; refuse unnamed columns with values."""
    blank = [j for j, h in enumerate(header) if not str(h).strip()]
    if not blank:
        return header, rows
    for j in blank:
        for i, r in enumerate(rows):
            if j < len(r) and r[j] is not None and str(r[j]).strip() != "":
                raise DataInputError(
                    f"{where}: column {col_label(j)} has no name in line 1 (header) but holds values "
                    f"(e.g. data row {i + 1}: {str(r[j])[:_MAX_SHOWN]!r}); expected a column name")
    keep = [j for j in range(len(header)) if j not in set(blank)]
    return [header[j] for j in keep], [[r[j] if j < len(r) else None for j in keep] for r in rows]


def _text_records(text: str, sep: str, where: str,
                  keep_blank: bool = False) -> tuple[list[str], int, list[list[str]], list[int]]:
    """Header, its line, data records and the file line where each record starts.

    Blank lines are skipped, or kept as empty records after the header (``keep_blank``).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header: list[str] | None = None
    header_line = 0
    records: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for rec in reader:
            if not rec or (len(rec) == 1 and not rec[0].strip()):
                if keep_blank and header is not None:
                    records.append([])
                    lines.append(start)
                start = reader.line_num + 1
                continue
            if header is None:
                header, header_line = rec, start
            else:
                records.append(rec)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataInputError(
            f"{where}: line {start}: {exc} (the record starting there); expected fields separated "
            f"by {sep!r}, quotes closed and nothing after a closing quote but the delimiter") from None
    return header or [], header_line, records, lines


class _SharedTuple(tuple):
    """A tuple that ``copy.deepcopy`` returns as is: pandas deep-copies ``attrs`` on every
    operation, and the per-row line numbers of a large file must not be copied each time."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> _SharedTuple:
        return self


class _SharedDict(dict):
    """A dict (read only by convention) that ``copy.deepcopy`` returns as is (see _SharedTuple)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _SharedDict:
        return self


_NA_TEXT_KEPT = 1000  # NA-like texts remembered per column (ids are few; answers may be many)


def _mask_na(df: pd.DataFrame, keep: set[tuple[int, str]] | None = None) -> pd.DataFrame:
    """NA-like cells (:data:`~deliberval.canonical.NA_STRINGS`) become missing; the texts are kept.

    ``attrs["na_text"]`` maps a column to ``{row: text}`` for the non-empty NA-like texts read as
    missing (``NA``, ``null``, ...), for columns with at most 1,000 of them, so that a message can
    say "respondent_id 'NA' was read as missing" rather than "empty". ``keep`` lists
    ``(row, column)`` cells left as written (Excel error cells).
    """
    if not keep and df.columns.is_unique and all(
            dt == _STR and isinstance(a, pd.arrays.ArrowStringArray) for dt, a in
            zip(df.dtypes, (df.iloc[:, j].array for j in range(df.shape[1])), strict=True)):
        return _mask_na_arrow(df)
    na = df.isin(list(NA_STRINGS))
    for i, c in keep or ():
        na.loc[i, c] = False
    texts: dict[str, dict[int, str]] = {}
    for col in df.columns:
        hit = na[col].to_numpy() & (df[col] != "").to_numpy(dtype=bool, na_value=False)
        k = int(hit.sum())
        if 0 < k <= _NA_TEXT_KEPT:
            rows = np.flatnonzero(hit)
            texts[str(col)] = dict(zip(rows.tolist(), df[col].to_numpy()[rows].tolist(), strict=True))
    out = df.mask(na)
    if texts:
        out.attrs["na_text"] = _SharedDict(texts)
    return out


def _mask_na_arrow(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`_mask_na` of a table of Arrow "str" columns (a text file as read), column by column
    on the Arrow arrays: the same table, NA texts and attrs, without pandas' whole-table copies."""
    import pyarrow as pa
    import pyarrow.compute as pc

    value_set = pa.array(NA_STRINGS, type=pa.large_string())
    cols: dict[int, pd.Series] = {}
    texts: dict[str, dict[int, str]] = {}
    for j, col in enumerate(df.columns):
        arr = df.iloc[:, j].array._pa_array
        na = pc.is_in(arr, value_set=value_set)  # a missing cell is no NA text: False
        hit = pc.and_(na, pc.fill_null(pc.not_equal(arr, ""), False))
        k = int(pc.sum(hit).as_py() or 0)
        if 0 < k <= _NA_TEXT_KEPT:
            rows = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
            texts[str(col)] = dict(zip(rows.tolist(), arr.take(pa.array(rows)).to_pylist(), strict=True))
        masked = pc.if_else(na, pa.scalar(None, type=arr.type), arr)
        cols[j] = pd.Series(pd.arrays.ArrowStringArray(masked, dtype=_STR), index=df.index, copy=False)
    out = pd.DataFrame(cols, index=df.index, copy=False)
    out.columns = df.columns
    out = out.__finalize__(df)
    if texts:
        out.attrs["na_text"] = _SharedDict(texts)
    return out


def _with_line_ends_restored(values: list[str]) -> list[str]:
    return [v.replace(_CR_IN_LINE, "\r") for v in values]


_HEAD_BYTES = 1 << 20  # header rows of a Qualtrics export with long question texts exceed 64 KiB


def detect_format(source: Source) -> str:
    """Guess a file's format from its extension and, for text files, its header.

    Parameters
    ----------
    source : path or InputFile
        Given a path, only the first MiB of a text file is read (enough for the three header
        rows of a large Qualtrics export); given an
        :class:`InputFile`, its ``content`` is used and the disk is not touched.

    Returns
    -------
    str
        One of :data:`FORMATS`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = f.write_text("id,submitdate,lastpage,startlanguage,token\\n")
    >>> detect_format(f)
    'limesurvey'
    """
    p = source.path if isinstance(source, InputFile) else Path(source)
    base = _EXTENSIONS.get(p.suffix.lower())
    if base is None:
        known = ", ".join(sorted(_EXTENSIONS))
        raise DataInputError(f"{p}: unknown file format {p.suffix!r}; expected one of {known} or pass format=")
    if base not in ("csv", "tsv"):
        return base
    head = source.content[:_HEAD_BYTES] if isinstance(source, InputFile) else _read_head(p, _HEAD_BYTES)
    text, _ = decode_text(head, file=str(p))
    return _text_platform(text) or base


def _text_platform(text: str) -> str | None:
    """The platform of a CSV export from its first parsed rows (cells may span lines; CR-only ok)."""
    text = _normalise_line_ends(text.removeprefix("\ufeff"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: list[list[str]] = []
    try:
        for rec in reader:
            if rec and any(c.strip() for c in rec):
                rows.append(rec)
            if len(rows) == 3:
                break
    except csv.Error:  # a cell cut at the end of the sniffed head, or not CSV at all
        pass
    return sniff_platform(rows)


def _read_head(p: Path, size: int) -> bytes:
    try:
        with p.open("rb") as fh:
            return fh.read(size)
    except FileNotFoundError:
        raise DataInputError(f"{p}: file does not exist") from None
    except IsADirectoryError:
        raise DataInputError(f"{p}: is a folder, expected a data file") from None
    except OSError as exc:
        raise DataInputError(f"{p}: cannot be read ({exc.strerror})") from None


def _read_bytes(p: Path) -> bytes:
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise DataInputError(f"{p}: file does not exist") from None
    except IsADirectoryError:
        raise DataInputError(f"{p}: is a folder, expected a data file") from None
    except OSError as exc:
        raise DataInputError(f"{p}: cannot be read ({exc.strerror})") from None


def _read_text_table(f: InputFile, *, sep: str | None = None, encoding: str | None = None,
                     skip_after_header: int = 0, keep_blank: bool = False) -> pd.DataFrame:
    """Read a delimited text file: every data record a row, every irregular record reported.

    A record with fewer or more fields than the header is kept as a row (short rows padded with
    missing cells, extra fields left out of the table) and listed in ``attrs["read_problems"]``
    with its file line, so that validation quarantines it; no record is dropped or split, and
    no fragment of a record becomes a row. ``attrs["lines"]`` holds each row's file line when
    they do not simply follow the header (blank lines, multi-line quoted cells). Blank lines
    are skipped, or kept as rows of missing cells with ``keep_blank`` (the register reports them).
    """
    p, data = f.path, f.content
    where = str(p)
    if not data.strip():
        raise DataInputError(f"{p}: file is empty; expected a header row with column names")
    if encoding is None:
        text, _ = decode_text(data, file=str(p))
    else:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise DataInputError(f"{p}: not valid {encoding} at byte {exc.start}") from None
        text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise DataInputError(f"{p}: contains NUL bytes; expected a text (CSV) file")
    text = _normalise_line_ends(text)
    sep = sep or _sniff_delimiter(text)
    header, header_line, records, lines = _text_records(text, sep, where, keep_blank)
    if not header:
        raise DataInputError(f"{p}: file is empty; expected a header row with column names")
    header = _with_line_ends_restored(header)
    header, records = _drop_unnamed(header, records, where, lambda j: str(j + 1))
    _check_header(header, where)
    records, lines = records[skip_after_header:], lines[skip_after_header:]
    width = len(header)
    problems: list[dict[str, Any]] = []
    rows: list[list[str | None]] = []
    masked = _CR_IN_LINE in text
    regular = not masked and all(len(r) == width for r in records)
    for i, (record, line) in enumerate(zip(records, lines, strict=True)):
        if regular:  # the common case: every record has the header's width, no CR to restore
            break
        rec: list[str | None] = list(_with_line_ends_restored(record) if masked and _CR_IN_LINE in "".join(record)
                                     else record)
        if not rec:  # a blank line kept (keep_blank)
            rec = [None] * width
        elif len(rec) != width:
            shown = sep.join(v or "" for v in rec)
            shown = shown if len(shown) <= _MAX_SHOWN else shown[: _MAX_SHOWN - 3] + "..."
            few = len(rec) < width
            problems.append({
                "row": i, "line": line, "column": "", "value": shown, "check": "row_shape",
                "expected": f"{width} fields like the header",
                "message": (f"line {line} has {len(rec)} field(s) but the header names {width} columns; "
                            f"expected {width} fields separated by {sep!r} "
                            f"({'a missing delimiter, a line break inside an unquoted cell or a truncated row' if few else 'an extra delimiter or an unquoted delimiter inside a cell'})"),
            })
            rec = (rec + [None] * width)[:width] if few else rec[:width]
        rows.append(rec)
    if regular:
        rows = records  # type: ignore[assignment]
    df = pd.DataFrame(dict(zip(range(width), map(list, zip(*rows, strict=True)), strict=True)), dtype="str") \
        if rows else pd.DataFrame({j: pd.Series(dtype="str") for j in range(width)})
    df.columns = pd.Index(header, dtype="str")
    if rows:
        df = _mask_na(df)
    first = header_line + 1
    if any(line != first + i for i, line in enumerate(lines)):
        df.attrs["lines"] = _SharedTuple(lines)
    df.attrs["first_line"] = lines[0] if lines else first
    if problems:
        df.attrs["read_problems"] = _SharedTuple(problems)
    return df


def read_table(source: Source, format: str | None = None, **kwargs: Any) -> pd.DataFrame:
    """Read a file as it is, without mapping or canonical types (the raw source table).

    Parameters
    ----------
    source : path or InputFile
        The file; given a path it is read once, given an :class:`InputFile` its ``content`` is
        parsed and the disk is not touched.
    format : str, optional
        One of :data:`FORMATS`; guessed by :func:`detect_format` when omitted.
    **kwargs
        ``sep`` and ``encoding`` for text files, ``sheet`` (name or 0-based position; default
        the first) for Excel.

    Returns
    -------
    pandas.DataFrame
        Text cells as strings, one row per data record of the file (NA-like cells missing,
        Excel error cells kept as written); ``attrs`` hold ``format``, ``file`` (the path; for
        Excel ``path [sheet]``), ``sha256`` (of the bytes parsed), ``first_line`` (the file line
        of the first data row: 2 below a CSV or Excel header, 4 in a Qualtrics export, 1 = case
        number in SPSS and Stata), ``lines`` (each row's file line, only when they do not simply
        follow ``first_line``: blank lines, cells spanning lines), ``read_problems`` (records
        whose shape is wrong, Excel error cells: ``row, line, column, value, check, expected,
        message``, quarantined by validation), ``sheet`` for Excel and, for SPSS and Stata,
        ``value_labels``, ``column_labels`` and ``user_missing``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = f.write_bytes("id;name\\n001;Zoë\\n".encode("cp1252"))
    >>> read_table(f).to_dict("list")
    {'id': ['001'], 'name': ['Zoë']}
    """
    f = _as_input(source, format)
    p = f.path
    if f.is_folder:
        raise DataInputError(f"{p}: is a folder, expected a data file")
    fmt = format or detect_format(f)
    if fmt not in FORMATS:
        raise DataInputError(f"{p}: unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if "sheet" in kwargs and fmt != "excel":
        raise DataInputError(f"{p}: sheet={kwargs['sheet']!r} applies to Excel workbooks only; this file is {fmt}")
    try:
        df = _READ_RAW[fmt](f, **kwargs)
    except DelibervalError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, KeyError, IndexError, TypeError, UnicodeError) as exc:
        raise DataInputError(f"{p}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # pyreadstat raises its own error classes
        if type(exc).__module__.startswith("pyreadstat"):
            raise DataInputError(f"{p}: cannot be read as {fmt} ({exc})") from None
        raise
    df.attrs["format"] = fmt
    df.attrs["file"] = f"{p} [{df.attrs['sheet']}]" if "sheet" in df.attrs else str(p)
    df.attrs["sha256"] = f.sha256
    df.attrs.setdefault("first_line", {"qualtrics": 4, "spss": 1, "stata": 1}.get(fmt, 2))
    return df


def _skip_rows(df: pd.DataFrame, k: int) -> pd.DataFrame:
    """Drop the first ``k`` rows (extra header rows) keeping ``attrs`` lines and problems right."""
    attrs = dict(df.attrs)
    first = int(attrs.get("first_line", 2))
    lines = list(attrs.pop("lines", range(first, first + len(df))))[k:]
    problems = tuple({**q, "row": q["row"] - k} for q in attrs.pop("read_problems", ()) if q["row"] >= k)
    out = df.iloc[k:].reset_index(drop=True)
    out.attrs = attrs
    out.attrs["first_line"] = lines[0] if lines else first + k
    if any(line != out.attrs["first_line"] + i for i, line in enumerate(lines)):
        out.attrs["lines"] = _SharedTuple(lines)
    if problems:
        out.attrs["read_problems"] = _SharedTuple(problems)
    return out


def _raw_text(f: InputFile, sep: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    return _read_text_table(f, sep=sep, encoding=encoding)


def _raw_tsv(f: InputFile, sep: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    return _read_text_table(f, sep=sep or "\t", encoding=encoding)


def _platform_records(f: InputFile, sep: str | None, encoding: str | None) -> tuple[list[list[str]], list[int], str]:
    """Every non-blank record of a platform's CSV export (header rows included) and its file line."""
    p = f.path
    if not f.content.strip():
        raise DataInputError(f"{p}: file is empty; expected a header row with column names")
    if encoding is None:
        text, _ = decode_text(f.content, file=str(p))
    else:
        try:
            text = f.content.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise DataInputError(f"{p}: not valid {encoding} at byte {exc.start}") from None
    if "\x00" in text:
        raise DataInputError(f"{p}: contains NUL bytes; expected a text (CSV) file")
    text = _normalise_line_ends(text)
    sep = sep or _sniff_delimiter(text)
    header, header_line, records, lines = _text_records(text, sep, str(p))
    rows = [_with_line_ends_restored(r) for r in [header, *records]]
    return rows, [header_line, *lines], sep


def _platform_frame(names: list[str], data: list[list[str]], lines: list[int], sep: str,
                    attrs: dict[str, Any]) -> pd.DataFrame:
    """Data records -> a text table; records of the wrong width kept, padded and reported."""
    width = len(names)
    rows: list[list[str | None]] = []
    problems: list[dict[str, Any]] = []
    for i, (rec, line) in enumerate(zip(data, lines, strict=True)):
        row: list[str | None] = list(rec)
        if len(row) != width:
            shown = sep.join(v or "" for v in row)
            shown = shown if len(shown) <= _MAX_SHOWN else shown[: _MAX_SHOWN - 3] + "..."
            problems.append({
                "row": i, "line": line, "column": "", "value": shown, "check": "row_shape",
                "expected": f"{width} fields like the header",
                "message": f"line {line} has {len(row)} field(s) but the header names {width} columns; expected {width} fields",
            })
            row = (row + [None] * width)[:width]
        rows.append(row)
    df = pd.DataFrame(rows, columns=pd.Index(names, dtype="str"), dtype="str") if rows else \
        pd.DataFrame({h: pd.Series(dtype="str") for h in names})
    if rows:
        df = df.mask(df.isin(list(NA_STRINGS)))
    df.attrs.update(attrs)
    first = int(attrs.get("first_line", 2))
    df.attrs["first_line"] = lines[0] if lines else first
    if any(line != df.attrs["first_line"] + i for i, line in enumerate(lines)):
        df.attrs["lines"] = tuple(lines)
    if problems:
        df.attrs["read_problems"] = tuple(problems)
    return df


def _raw_qualtrics(f: InputFile, sep: str | None = None, encoding: str | None = None,
                   qsf: Source | None = None) -> pd.DataFrame:
    """A Qualtrics CSV export: current and "insights" (three header rows) or legacy (two).

    With the survey's definition (``qsf=``, the ``.qsf`` file), single-answer questions and
    Likert matrices get value labels (``value_labels``: recode value -> choice text) and
    choice-text cells are decoded to recode values (counted in ``label_decodings``).
    """
    rows, lines, sep = _platform_records(f, sep, encoding)
    try:
        names, data, attrs = parse_qualtrics(rows, lines)
    except ValueError:
        raise DataInputError(
            f"{f.path}: not a Qualtrics export; expected three header rows (export tags, question "
            "texts, ImportIds) or a legacy export's two (V1..V10 or ResponseID, ResponseSet ...)") from None
    data_lines = attrs.pop("lines")
    df = _platform_frame(names, data, data_lines, sep, attrs)
    if qsf is not None:
        definition = qsf if isinstance(qsf, InputFile) else InputFile.read(qsf)
        texts, values = read_qsf(definition.content, list(df.columns), file=str(definition.path))
        kept = dict(df.attrs)
        df, decoded = decode_with_labels(df, values)
        df.attrs.update(kept)
        df.attrs["column_labels"] = {**texts, **kept.get("column_labels", {})}
        df.attrs["value_labels"] = values
        df.attrs["qsf"] = {"file": str(definition.path), "sha256": definition.sha256}
        if decoded:
            df.attrs["label_decodings"] = tuple(decoded)
    return df


def _raw_kobo(f: InputFile, sep: str | None = None, encoding: str | None = None,
              xform: Source | None = None) -> pd.DataFrame:
    """A KoboToolbox / ODK export: ``group/item`` or (ODK Briefcase) ``group-item`` names.

    Names that end alike in different groups (a select_multiple's ``q/CHOICE_1`` columns next to
    another question's) are the platform's own: only exact repeats are refused. With the form
    (``xform=``, its XForm ``.xml``), question labels and choice labels become ``column_labels``
    and ``value_labels``, and a "labels" export's choice labels are decoded to choice values.
    """
    rows, lines, sep = _platform_records(f, sep, encoding)
    header = [h.strip() for h in rows[0]]
    seen: set[str] = set()
    dupes = sorted({n for n in header if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if dupes:
        raise DataInputError(f"{f.path}: line {lines[0]} (header) repeats column name(s) {dupes}; expected unique names")
    if "" in header:
        raise DataInputError(f"{f.path}: line {lines[0]} (header): column {header.index('') + 1} has no name; expected a field name")
    df = _platform_frame(header, rows[1:], lines[1:], sep, {"first_line": lines[0] + 1})
    if xform is not None:
        form = xform if isinstance(xform, InputFile) else InputFile.read(xform)
        texts, values = read_xform(form.content, list(df.columns), file=str(form.path))
        kept = dict(df.attrs)
        df, decoded = decode_with_labels(df, values)
        df.attrs.update(kept)
        df.attrs["column_labels"] = texts
        df.attrs["value_labels"] = values
        df.attrs["xform"] = {"file": str(form.path), "sha256": form.sha256}
        if decoded:
            df.attrs["label_decodings"] = tuple(decoded)
    return df


def _raw_limesurvey(f: InputFile, sep: str | None = None, encoding: str | None = None,
                    lss: Source | None = None) -> pd.DataFrame:
    """A LimeSurvey response export: question codes, or "code. question text" headings split.

    With the survey's structure (``lss=``, the ``.lss`` file), question texts and answer labels
    come from it (``column_labels``, ``value_labels``) and full answers are decoded to answer codes
    (each decoding counted in ``label_decodings``).
    """
    rows, lines, sep = _platform_records(f, sep, encoding)
    header, data, data_lines = [h.strip() for h in rows[0]], rows[1:], lines[1:]
    dropped: list[dict[str, str]] = []
    if header and header[0] == "" and header.count("") == 1 and data and all(
            len(r) > 0 and r[0].strip().lstrip("-").isdigit() for r in data):
        header, data = header[1:], [r[1:] for r in data]  # an unnamed row index written by pandas
        dropped.append({"column": "", "reason": "unnamed row index (0, 1, 2, ... written by pandas)"})
    names, texts = split_limesurvey_headings(header)
    blank = [i + 1 for i, n in enumerate(names) if not n]
    if blank:
        raise DataInputError(f"{f.path}: line {lines[0]} (header): column(s) {blank} have no name; expected a question code")
    seen: set[str] = set()
    dupes = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if dupes:
        raise DataInputError(f"{f.path}: line {lines[0]} (header) repeats column name(s) {dupes}; expected unique names")
    attrs: dict[str, Any] = {"column_labels": texts, "first_line": lines[0] + 1}
    if dropped:
        attrs["dropped_columns"] = dropped
    df = _platform_frame(names, data, data_lines, sep, attrs)
    if lss is not None:
        structure = lss if isinstance(lss, InputFile) else InputFile.read(lss)
        lss_texts, lss_values = read_lss(structure.content, file=str(structure.path))
        values = {c: v for c, v in lss_values.items() if c in df.columns}
        attrs = dict(df.attrs)
        df, decoded = decode_with_labels(df, values)
        df.attrs.update(attrs)
        df.attrs["column_labels"] = {**{c: v for c, v in lss_texts.items() if c in df.columns}, **texts}
        df.attrs["value_labels"] = values
        df.attrs["lss"] = {"file": str(structure.path), "sha256": structure.sha256}
        if decoded:
            df.attrs["label_decodings"] = tuple(decoded)
    return df


_EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                 "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")


def _cell_text(value: Any) -> str | None:
    """A cell's value as the text pandas' ``dtype=str`` gives (whole floats without ``.0``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class SheetRows:
    """The cells of one worksheet as text, with the Excel row of each data row.

    Attributes
    ----------
    sheet : str
        The sheet's name.
    header : list of str
        Names in the first non-blank row (blank names of empty columns dropped).
    rows : list of list
        Data rows: text cells, ``None`` for empty cells.
    lines : list of int
        The Excel row number of each data row (the header row is line 1 of a sheet that starts
        at its top).
    header_line : int
        Excel row number of the header.
    errors : list of tuple
        ``(row position, column name, cell reference, error text)`` of every Excel error cell
        (``#DIV/0!``, ``#N/A``, ``#VALUE!``, ...), whose text is kept in ``rows``.
    """

    sheet: str
    header: list[str]
    rows: list[list[str | None]]
    lines: list[int]
    header_line: int
    errors: list[tuple[int, str, str, str]]


def read_sheet(content: bytes, sheet: int | str = 0, *, file: str = "", keep_blank: bool = False) -> SheetRows:
    """Read one worksheet of an ``.xlsx`` / ``.xlsm`` workbook cell by cell.

    Fully blank rows are skipped (``keep_blank=False``) or kept in place (``keep_blank=True``,
    trailing ones dropped), never counted as data rows silently; every other row is a data row,
    NA-like text included; Excel error cells are listed in ``errors``.

    Parameters
    ----------
    content : bytes
        The workbook's bytes.
    sheet : int or str, default 0
        Position or name of the sheet.
    file : str
        Name used in error messages.
    keep_blank : bool
        Keep blank rows between data rows as rows of empty cells.

    Returns
    -------
    SheetRows

    Raises
    ------
    DataInputError
        Not a workbook, no such sheet (the message lists the sheets), repeated or nearly
        repeated column names, values in a column without a name.
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise DataInputError(f"{file}: cannot be read as excel ({type(exc).__name__}: {exc})") from None
    try:
        names = list(wb.sheetnames)
        if isinstance(sheet, bool) or not isinstance(sheet, int | str):
            raise DataInputError(f"{file}: sheet must be a name or a position, got {sheet!r}")
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise DataInputError(f"{file}: has no sheet number {sheet} (counting from 0); sheets: {names}")
            name = names[sheet]
        elif sheet in names:
            name = sheet
        else:
            close = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DataInputError(f"{file}: has no sheet {sheet!r}; sheets: {names}{hint}")
        where = f"{file} [{name}]" if file else f"[{name}]"
        ws = wb[name]
        header: list[str] | None = None
        header_line = 0
        rows: list[list[str | None]] = []
        lines: list[int] = []
        err_cells: list[tuple[int, int, str]] = []  # (row position, column position, text)
        pending: list[int] = []  # blank rows seen since the last data row (kept only before data)
        for r, row in enumerate(ws.iter_rows(), start=1):
            texts: list[str | None] = []
            errs: list[tuple[int, str]] = []
            for j, cell in enumerate(row):
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "e" or (isinstance(value, str) and value in _EXCEL_ERRORS
                                                                 and getattr(cell, "data_type", "s") != "s"):
                    errs.append((j, str(value)))
                texts.append(_cell_text(value))
            blank = all(t is None or (not t.strip()) for t in texts) and not errs
            if header is None:
                if blank:
                    continue
                header = [t or "" for t in texts]
                header_line = r
                continue
            if blank:
                if keep_blank:
                    pending.append(r)
                continue
            for b in pending:
                rows.append([None] * len(header))
                lines.append(b)
            pending = []
            for j, text in errs:
                err_cells.append((len(rows), j, text))
            rows.append(texts)
            lines.append(r)
    finally:
        wb.close()
    if header is None:
        return SheetRows(name, [], [], [], 1, [])
    width = max([len(header), *map(len, rows)])
    header = [h.replace("\ue000", "\r") for h in header] + [""] * (width - len(header))
    rows = [(r + [None] * width)[:width] for r in rows]
    kept = [j for j, h in enumerate(header) if h.strip() or any((r[j] or "").strip() for r in rows)]
    for j, h in enumerate(header):
        if not h.strip() and j in kept:
            i = next(i for i, r in enumerate(rows) if (r[j] or "").strip())
            raise DataInputError(
                f"{where}: column {get_column_letter(j + 1)} has no name in line {header_line} (header) but "
                f"holds values (e.g. cell {get_column_letter(j + 1)}{lines[i]}: {rows[i][j]!r}); "
                "expected a column name")
    header = [header[j] for j in kept]
    rows = [[r[j] for j in kept] for r in rows]
    _check_header(header, where)
    position = {j: k for k, j in enumerate(kept)}
    errors = [(i, header[position[j]], f"{get_column_letter(j + 1)}{lines[i]}", text)
              for i, j, text in err_cells if j in position]
    return SheetRows(name, header, rows, lines, header_line, errors)


def _raw_excel(f: InputFile, sheet: int | str = 0) -> pd.DataFrame:
    if not f.content.startswith(b"PK"):
        return _raw_xls(f, sheet)
    s = read_sheet(f.content, sheet, file=str(f.path))
    where = f"{f.path} [{s.sheet}]"
    if not s.header:
        raise DataInputError(f"{where}: sheet is empty; expected a header row with column names")
    df = pd.DataFrame(s.rows, columns=pd.Index(s.header, dtype="str"), dtype="str") if s.rows else \
        pd.DataFrame({h: pd.Series(dtype="str") for h in s.header})
    if s.rows:  # an error cell is kept as written (and quarantined), never made missing
        df = _mask_na(df, keep={(i, c) for i, c, _, _ in s.errors})
    first = s.header_line + 1
    df.attrs["sheet"] = s.sheet
    df.attrs["first_line"] = s.lines[0] if s.lines else first
    if any(line != first + i for i, line in enumerate(s.lines)):
        df.attrs["lines"] = _SharedTuple(s.lines)
    if s.errors:
        df.attrs["read_problems"] = _SharedTuple(
            {"row": i, "line": s.lines[i], "column": c, "value": text, "check": "excel_error",
             "expected": "a value, not a formula error",
             "message": f"cell {ref} of sheet {s.sheet!r} holds the Excel error {text}; expected a value "
                        "(fix the formula or type the value)"}
            for i, c, ref, text in s.errors)
    return df


def _raw_xls(f: InputFile, sheet: int | str = 0) -> pd.DataFrame:
    """Legacy ``.xls`` (BIFF) workbooks, read cell by cell with ``xlrd`` (a dependency).

    Text as written, whole numbers without ``.0``, dates as ISO 8601, error cells kept as their
    text (``#DIV/0!``) and reported in ``read_problems``; blank rows skipped, each row's line kept.
    """
    try:
        import xlrd
    except ImportError:  # pragma: no cover - xlrd is a dependency
        raise DataInputError(f"{f.path}: is a legacy Excel (.xls) workbook, which needs the xlrd package "
                             "(pip install xlrd); or save it as .xlsx or .csv") from None
    try:
        book = xlrd.open_workbook(file_contents=f.content)
    except (xlrd.biffh.XLRDError, xlrd.compdoc.CompDocError) as exc:  # not a workbook inside
        raise DataInputError(f"{f.path}: cannot be read as a legacy Excel (.xls) workbook ({exc})") from None
    names = book.sheet_names()
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise DataInputError(f"{f.path}: has no sheet number {sheet}; it has {len(names)}: {', '.join(names)}")
        ws = book.sheet_by_index(sheet)
    elif sheet in names:
        ws = book.sheet_by_name(sheet)
    else:
        raise DataInputError(f"{f.path}: has no sheet {sheet!r}; it has {', '.join(names)}")

    def text(r: int, c: int) -> str | None:
        cell = ws.cell(r, c)
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return None
        if cell.ctype == xlrd.XL_CELL_NUMBER:
            v = float(cell.value)
            return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
        if cell.ctype == xlrd.XL_CELL_DATE:
            d = xlrd.xldate_as_datetime(cell.value, book.datemode)
            return d.date().isoformat() if d.time() == d.min.time() else d.isoformat(sep=" ")
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return str(bool(cell.value))
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "#ERROR")
        return str(cell.value)

    rows = [(r + 1, [text(r, c) for c in range(ws.ncols)]) for r in range(ws.nrows)]
    rows = [(line, vals) for line, vals in rows if any(v is not None and v.strip() for v in vals)]
    where = f"{f.path} [{ws.name}]"
    if not rows:
        raise DataInputError(f"{where}: sheet is empty; expected a header row with column names")
    (header_line, header), data = rows[0], rows[1:]
    header_names = ["" if h is None else h.strip() for h in header]
    records = [vals for _, vals in data]
    header_names, records = _drop_unnamed(header_names, records, where, lambda j: str(j + 1))
    _check_header(header_names, where)
    df = pd.DataFrame(records, columns=pd.Index(header_names, dtype="str"), dtype="str") if records else \
        pd.DataFrame({h: pd.Series(dtype="str") for h in header_names})
    if records:
        df = df.mask(df.isin(list(NA_STRINGS)))
    lines = [line for line, _ in data]
    df.attrs["sheet"] = ws.name
    df.attrs["first_line"] = lines[0] if lines else header_line + 1
    if any(line != df.attrs["first_line"] + i for i, line in enumerate(lines)):
        df.attrs["lines"] = tuple(lines)
    errors = [{"row": i, "line": lines[i], "column": c, "value": v, "check": "excel_error",
               "expected": "a value, not a formula error",
               "message": f"line {lines[i]}, column {c!r} of sheet {ws.name!r} holds the Excel error {v}; expected a value"}
              for i, rec in enumerate(records) for c, v in zip(header_names, rec, strict=False)
              if v in _EXCEL_ERRORS]
    if errors:
        df.attrs["read_problems"] = tuple(errors)
    return df


def _raw_readstat(f: InputFile, reader: Callable[..., Any]) -> pd.DataFrame:
    # pyreadstat parses a file object: the bytes already read, no second read of the file
    df, meta = reader(io.BytesIO(f.content), user_missing=True)
    stata = reader.__name__ == "read_dta"
    labels = {k: dict(v) for k, v in meta.variable_value_labels.items()}
    user = {k: list(v) for k, v in (getattr(meta, "missing_user_values", {}) or {}).items()}
    for col, ranges in (getattr(meta, "missing_ranges", {}) or {}).items():
        user.setdefault(col, [])
        user[col] += [r["lo"] if r["lo"] == r["hi"] else (r["lo"], r["hi"]) for r in ranges]
    if stata:  # Stata's extended missing values .a-.z arrive as the letters "a".."z": write them ".a"
        for col, tags in user.items():
            tags_set = {str(x) for x in tags}
            s = df[col]
            hit = s.map(lambda v, ts=tags_set: isinstance(v, str) and v in ts).astype(bool)
            if bool(hit.any()):
                df[col] = s.astype(object).where(~hit, "." + s.astype(str))
            user[col] = ["." + str(x) for x in tags]
            if col in labels:
                labels[col] = {("." + k if isinstance(k, str) and k in tags_set else k): v for k, v in labels[col].items()}
    df.attrs["value_labels"] = labels
    df.attrs["column_labels"] = dict(meta.column_names_to_labels)
    df.attrs["measure"] = dict(getattr(meta, "variable_measure", {}) or {})
    df.attrs["user_missing"] = user
    return df


def _raw_spss(f: InputFile) -> pd.DataFrame:
    import pyreadstat

    return _raw_readstat(f, pyreadstat.read_sav)


def _raw_stata(f: InputFile) -> pd.DataFrame:
    import pyreadstat

    return _raw_readstat(f, pyreadstat.read_dta)


_READ_RAW: dict[str, Callable[..., pd.DataFrame]] = {
    "csv": _raw_text, "tsv": _raw_tsv, "limesurvey": _raw_limesurvey, "kobo": _raw_kobo,
    "qualtrics": _raw_qualtrics, "excel": _raw_excel, "spss": _raw_spss, "stata": _raw_stata,
}


def _instrument(instrument: InstrumentLike) -> Instrument | None:
    if instrument is None or isinstance(instrument, Instrument):
        return instrument
    return load_instrument(instrument)


def _mapping(mapping: MappingLike) -> Mapping | None:
    if mapping is None or isinstance(mapping, Mapping):
        return mapping
    return load_mapping(mapping)


def _finish(raw: pd.DataFrame, platform: str, instrument: InstrumentLike, mapping: MappingLike) -> pd.DataFrame:
    ins = _instrument(instrument)
    m = _mapping(mapping)
    attrs = dict(raw.attrs)
    renames = m.columns if m is not None else {}
    declared: list[dict[str, Any]] = []
    df = raw
    if attrs.get("user_missing"):
        # SPSS user-missing values and ranges, Stata .a-.z: NA with their reason counted, except
        # codes the instrument itself declares missing for the item (validation counts those)
        rules = item_rules(ins) if ins is not None else {}
        keep = {col: set(rules[renames.get(col, col)].missing) for col in attrs["user_missing"]
                if renames.get(col, col) in rules}
        df, declared = honour_declared_missing(raw, attrs["user_missing"], attrs.get("value_labels") or {}, keep)
    if m is not None:
        df = apply_mapping(df, m)
    if platform == "limesurvey":
        df = decode_limesurvey(df, ins)
    elif platform == "qualtrics":
        df = decode_qualtrics(df)
    elif platform == "kobo" or {"_uuid", "_submission_time"} <= set(map(str, df.columns)):
        df = decode_kobo(df)  # also Kobo's Excel exports
    decoded: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    if ins is not None:
        df, decoded, unknown = decode_labels(df, ins)
    out = canonicalise(df, ins)
    for key in ("value_labels", "column_labels", "measure", "user_missing"):
        if key in attrs:
            out.attrs[key] = {renames.get(k, k): v for k, v in attrs[key].items()}
    if "na_text" in attrs:
        out.attrs["na_text"] = _SharedDict({renames.get(k, k): v for k, v in attrs["na_text"].items()})
    for key in ("format", "file", "sha256", "first_line", "lines", "read_problems", "sheet",
                "qualtrics_variant", "dropped_columns", "lss", "qsf", "xform"):
        if key in attrs:
            out.attrs[key] = attrs[key]
    if declared:
        out.attrs["declared_missing"] = tuple({**r, "column": renames.get(r["column"], r["column"])} for r in declared)
    if decoded or attrs.get("label_decodings"):
        earlier = tuple({**r, "column": renames.get(r["column"], r["column"])} for r in attrs.get("label_decodings", ()))
        out.attrs["label_decodings"] = earlier + tuple(decoded)
    if unknown:
        out.attrs["unknown_labels"] = tuple(unknown)
    if EXCLUSION_COLUMN in out.columns or platform in ("qualtrics", "limesurvey"):
        out.attrs["excluded"] = int(out[EXCLUSION_COLUMN].notna().sum()) if EXCLUSION_COLUMN in out.columns else 0
    if out.shape[1] == 0 and len(raw):  # every column was platform metadata: keep the rows
        kept_attrs = dict(out.attrs)
        out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
        out.attrs.update(kept_attrs)
    if len(out) != len(raw):  # pragma: no cover - guarded by design
        raise AssertionError("reading must never add or drop rows")
    return out


def read_responses(
    source: Source,
    instrument: InstrumentLike = None,
    mapping: MappingLike = None,
    format: str | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Read any supported file into the canonical responses table.

    Parameters
    ----------
    source : path or InputFile
        CSV / TSV, Excel, SPSS ``.sav``, Stata ``.dta``, or a LimeSurvey, Qualtrics or
        KoboToolbox CSV export; given a path the file is read once, given an
        :class:`InputFile` its ``content`` is parsed and the disk is not touched.
    instrument : Instrument or str, optional
        Instrument (or its id) the data answer; needed to decode LimeSurvey codes and to type
        item columns.
    mapping : Mapping or path, optional
        Mapping file for sources whose names or codes differ from the canonical ones.
    format : str, optional
        One of :data:`FORMATS`; guessed from extension and header when omitted.
    **kwargs
        Passed to the raw reader (``sep``, ``encoding``; ``sheet`` for Excel; ``lss`` for a
        LimeSurvey export: the survey's ``.lss`` structure, path or :class:`InputFile`, whose
        answer labels decode full answers to answer codes; ``qsf`` for a Qualtrics export: the
        survey's ``.qsf`` definition, whose choice texts become value labels and decode a
        choice-text export to recode values; ``xform`` for a KoboToolbox / ODK export: the
        form's XForm ``.xml``, whose choice labels become value labels and decode a "labels"
        export).

    Returns
    -------
    pandas.DataFrame
        As many rows as the file has data rows, canonical columns first. The instrument's
        missing-value codes are kept as codes (validation counts them, scoring drops them).
        ``attrs`` as in :func:`read_table` (``file``, ``sha256``, ``first_line``, ``lines``,
        ``format``, ...), plus what the platform declared:

        - ``value_labels``: column -> {code: label} (SPSS / Stata value labels, or a LimeSurvey
          ``.lss``'s answer labels), for mapping; ``column_labels``: column -> question text
          (SPSS / Stata variable labels, a Qualtrics export's question-text row, LimeSurvey
          headings or ``.lss``); ``measure`` (SPSS measurement levels); ``user_missing``: the
          declared missing values (SPSS values and ``(low, high)`` ranges, Stata ``".a"``..``".z"``).
        - ``declared_missing``: records ``column, code, label, declared, n, action``, one per
          declared missing code found. Declared missing values become NA (``action`` "set to NA")
          unless the instrument declares the same code missing for that item (kept as a code, so
          validation counts it with the instrument's meaning): never a substantive answer.
        - ``label_decodings``: records ``column, label, code, n``: answer labels (label-text
          exports: Qualtrics choice text, Kobo labels, LimeSurvey full answers) decoded to codes
          through the instrument's labels in any of its languages, ignoring case, accents and
          blanks; ``unknown_labels``: records ``column, value, n, suggestions`` of label texts
          matching no label, left as written (validation quarantines them) with the closest labels.
        - ``excluded`` (Qualtrics, LimeSurvey): how many responses the platform marks as not to
          analyse; their reason is in the column ``exclusion_reason`` (present only when some
          response has one: Qualtrics previews, tests, spam, unfinished responses by ``Status``,
          ``Finished``, ``Progress``; LimeSurvey responses never submitted), and validation
          quarantines them, so they are kept apart and counted.
        - ``qualtrics_variant`` (``current``, ``insights`` or ``legacy``), ``dropped_columns``
          (e.g. an unnamed row index written by pandas), ``lss`` (file and SHA-256 of the survey
          structure used), ``qsf`` (likewise for a Qualtrics survey definition).

        Qualtrics metadata columns (IP address, e-mail, names, location, response ids, ...) and
        Kobo / ODK Briefcase metadata are dropped; LimeSurvey's ``token`` is the respondent.

    Raises
    ------
    DataInputError
        Unreadable file, unknown format, malformed mapping.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = f.write_text("respondent_id,wave,trust_parliament\\n001,pre,7\\n001,post,88\\n")
    >>> read_responses(f, "institutional_trust").to_dict("list")
    {'respondent_id': ['001', '001'], 'wave': ['pre', 'post'], 'trust_parliament': [7.0, 88.0]}
    """
    f = _as_input(source, format)
    fmt = format or detect_format(f)
    raw = read_table(f, fmt, **kwargs)
    if fmt == "excel" and format is None:
        raw, fmt = _qualtrics_workbook(raw)
    return _finish(raw, fmt, instrument, mapping)


def _qualtrics_workbook(raw: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """A Qualtrics export saved as Excel: its extra header rows dropped, question texts kept."""
    head = [[str(c) for c in raw.columns]]
    head += [["" if pd.isna(v) else str(v) for v in raw.iloc[i]] for i in range(min(2, len(raw)))]
    variant = qualtrics_variant(head)
    if variant is None:
        return raw, "excel"
    extra = 1 if variant == "legacy" else 2
    texts = {c: t for c, t in zip(head[0], head[1], strict=True) if t and t != c}
    out = _skip_rows(raw, extra)
    if variant == "legacy":  # V1..V10 are named by the second row (ResponseID, ResponseSet, ...)
        rename = {c: texts.pop(c) for c in list(texts) if re.fullmatch(r"V\d+", c) and texts[c] not in head[0]}
        out = out.rename(columns=rename)
    out.attrs["column_labels"] = {**texts, **out.attrs.get("column_labels", {})}
    out.attrs["qualtrics_variant"] = variant
    return out, "qualtrics"


def _reader(fmt: str, doc: str) -> Callable[..., pd.DataFrame]:
    def reader(source: Source, instrument: InstrumentLike = None, mapping: MappingLike = None,
               **kwargs: Any) -> pd.DataFrame:
        return read_responses(source, instrument, mapping, fmt, **kwargs)

    reader.__name__ = reader.__qualname__ = f"read_{fmt}"
    ext = {"excel": "xlsx", "spss": "sav", "stata": "dta"}.get(fmt, "csv")
    reader.__doc__ = f"""Read {doc} into the canonical responses table.

    Same as :func:`read_responses` with ``format="{fmt}"``.

    Parameters
    ----------
    source : path or InputFile
        The file to read.
    instrument : Instrument or str, optional
        Instrument (or its id) the data answer; types the item columns.
    mapping : Mapping or path, optional
        Mapping file for sources whose names or codes differ from the canonical ones.
    **kwargs
        Passed to the raw reader (``sep``, ``encoding``; ``sheet`` for Excel).

    Returns
    -------
    pandas.DataFrame
        The canonical responses table; missing-value codes kept as codes.

    Examples
    --------
    A round trip through :func:`deliberval.io.write_responses`:

    >>> import tempfile, pathlib, pandas as pd
    >>> from deliberval.io import write_responses
    >>> df = pd.DataFrame({{"respondent_id": ["001", "002"], "wave": ["pre", "pre"],
    ...                    "trust_parliament": [7.0, 88.0]}})
    >>> f = write_responses(df, pathlib.Path(tempfile.mkdtemp()) / "export.{ext}", "{fmt}")
    >>> read_{fmt}(f, "institutional_trust")["trust_parliament"].tolist()
    [7.0, 88.0]
    """
    return reader


read_csv = _reader("csv", "a CSV file (encoding and delimiter detected)")
read_excel = _reader("excel", "the first sheet (or ``sheet=``) of an Excel workbook")
read_spss = _reader("spss", "an SPSS ``.sav`` file keeping codes, value labels and user-missing codes")
read_stata = _reader("stata", "a Stata ``.dta`` file keeping codes and value labels")
read_limesurvey = _reader("limesurvey", "a LimeSurvey response export (CSV, answer and question codes)")
read_qualtrics = _reader("qualtrics", "a Qualtrics CSV export (three header rows, numeric values)")
read_kobo = _reader("kobo", "a KoboToolbox / ODK CSV export (group prefixes stripped)")
