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
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

from deliberval.canonical import NA_STRINGS
from deliberval.errors import DataInputError, DelibervalError
from deliberval.instruments.library import load_instrument
from deliberval.instruments.model import Instrument
from deliberval.io._common import canonicalise
from deliberval.io.mapping import Mapping, apply_mapping, load_mapping
from deliberval.io.platforms import decode_kobo, decode_limesurvey, decode_qualtrics

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
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0] + "\n"), delimiter="\x00"), [""])
    line = first[0] if first else ""
    counts = {d: line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def detect_format(source: Source) -> str:
    """Guess a file's format from its extension and, for text files, its header.

    Parameters
    ----------
    source : path or InputFile
        Given a path, only the first 64 KiB of a text file are read; given an
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
    head = source.content[:65536] if isinstance(source, InputFile) else _read_head(p, 65536)
    text, _ = decode_text(head, file=str(p))
    return _text_platform(text) or base


def _text_platform(text: str) -> str | None:
    lines = text.splitlines()[:3]
    header = lines[0] if lines else ""
    if any('{"ImportId"' in line or '{""ImportId""' in line for line in lines[1:]):
        return "qualtrics"
    names = {n.strip().strip('"') for n in header.replace(";", ",").replace("\t", ",").split(",")}
    if "submitdate" in names and ({"lastpage", "startlanguage"} & names):
        return "limesurvey"
    if {"_uuid", "_submission_time", "_index"} & names:
        return "kobo"
    return None


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
                     skip_after_header: int = 0) -> pd.DataFrame:
    p, data = f.path, f.content
    if not data.strip():
        raise DataInputError(f"{p}: file is empty; expected a header row with column names")
    if encoding is None:
        text, _ = decode_text(data, file=str(p))
    else:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise DataInputError(f"{p}: not valid {encoding} at byte {exc.start}") from None
    if "\x00" in text:
        raise DataInputError(f"{p}: contains NUL bytes; expected a text (CSV) file")
    sep = sep or _sniff_delimiter(text)
    header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    seen: set[str] = set()
    dupes = [h for h in header if h in seen or seen.add(h)]  # type: ignore[func-returns-value]
    if dupes:
        raise DataInputError(f"{p}: row 1 (header) repeats column name(s) {sorted(set(dupes))}; expected unique names")
    try:
        # header=None: a data row longer than the header is an error, never a silent index
        df = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=list(NA_STRINGS),
            skip_blank_lines=True, engine="c", header=None,
        )
    except pd.errors.ParserError as exc:
        raise DataInputError(f"{p}: {exc}; expected {len(header)} fields per row like the header") from None
    except (pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        raise DataInputError(f"{p}: cannot be read as a delimited text file ({exc})") from None
    if df.shape[1] != len(header):
        raise DataInputError(f"{p}: rows have {df.shape[1]} fields but the header names {len(header)} columns")
    df = df.iloc[1 + skip_after_header:].reset_index(drop=True)
    df.columns = pd.Index(header, dtype="str")
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
        ``sep`` and ``encoding`` for text files, ``sheet`` for Excel.

    Returns
    -------
    pandas.DataFrame
        Text cells as strings; ``attrs`` hold ``format``, ``file`` (the path), ``sha256`` (of
        the bytes parsed), ``first_line`` (the file line of the first data row: 2 below a CSV
        or Excel header, 4 in a Qualtrics export, 1 = case number in SPSS and Stata) and, for
        SPSS and Stata, ``value_labels``, ``column_labels`` and ``user_missing``.

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
    df.attrs["file"] = str(p)
    df.attrs["sha256"] = f.sha256
    df.attrs["first_line"] = {"qualtrics": 4, "spss": 1, "stata": 1}.get(fmt, 2)
    return df


def _raw_text(f: InputFile, sep: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    return _read_text_table(f, sep=sep, encoding=encoding)


def _raw_tsv(f: InputFile, sep: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    return _read_text_table(f, sep=sep or "\t", encoding=encoding)


def _raw_qualtrics(f: InputFile, sep: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    p = f.path
    df = _read_text_table(f, sep=sep, encoding=encoding)
    if len(df) >= 2 and df.iloc[1].astype("str").str.contains("ImportId", regex=False).any():
        return df.iloc[2:].reset_index(drop=True)
    raise DataInputError(f"{p}: not a Qualtrics export; expected three header rows (names, question texts, ImportId JSON)")


def _raw_excel(f: InputFile, sheet: int | str = 0) -> pd.DataFrame:
    df = pd.read_excel(io.BytesIO(f.content), sheet_name=sheet, dtype=str, engine=None, na_values=list(NA_STRINGS), keep_default_na=False)
    return df.dropna(how="all").reset_index(drop=True)


def _raw_readstat(f: InputFile, reader: Callable[..., Any]) -> pd.DataFrame:
    # pyreadstat parses a file object: the bytes already read, no second read of the file
    df, meta = reader(io.BytesIO(f.content), user_missing=True)
    df.attrs["value_labels"] = dict(meta.variable_value_labels)
    df.attrs["column_labels"] = dict(meta.column_names_to_labels)
    df.attrs["measure"] = dict(getattr(meta, "variable_measure", {}) or {})
    user = {k: list(v) for k, v in (getattr(meta, "missing_user_values", {}) or {}).items()}
    for col, ranges in (getattr(meta, "missing_ranges", {}) or {}).items():
        user.setdefault(col, [])
        user[col] += [r["lo"] if r["lo"] == r["hi"] else (r["lo"], r["hi"]) for r in ranges]
    df.attrs["user_missing"] = user
    return df


def _raw_spss(f: InputFile) -> pd.DataFrame:
    import pyreadstat

    return _raw_readstat(f, pyreadstat.read_sav)


def _raw_stata(f: InputFile) -> pd.DataFrame:
    import pyreadstat

    return _raw_readstat(f, pyreadstat.read_dta)


_READ_RAW: dict[str, Callable[..., pd.DataFrame]] = {
    "csv": _raw_text, "tsv": _raw_tsv, "limesurvey": _raw_text, "kobo": _raw_text,
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
    df = raw if m is None else apply_mapping(raw, m)
    if platform == "limesurvey":
        df = decode_limesurvey(df, ins)
    elif platform == "qualtrics":
        df = decode_qualtrics(df)
    elif platform == "kobo" or {"_uuid", "_submission_time"} <= set(map(str, df.columns)):
        df = decode_kobo(df)  # also Kobo's Excel exports
    out = canonicalise(df, ins)
    renames = m.columns if m is not None else {}
    for key in ("value_labels", "column_labels", "measure", "user_missing"):
        if key in attrs:
            out.attrs[key] = {renames.get(k, k): v for k, v in attrs[key].items()}
    for key in ("format", "file", "sha256", "first_line"):
        if key in attrs:
            out.attrs[key] = attrs[key]
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
        Passed to the raw reader (``sep``, ``encoding``; ``sheet`` for Excel).

    Returns
    -------
    pandas.DataFrame
        As many rows as the file has data rows, canonical columns first. Missing-value codes
        are kept as codes. ``attrs`` as in :func:`read_table` (``file``, ``sha256``,
        ``first_line``, ``format``, ...).

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
    return _finish(raw, fmt, instrument, mapping)


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
