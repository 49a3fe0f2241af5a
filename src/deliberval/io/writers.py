"""Writers: the canonical responses table in each supported format.

They are the inverse of the readers (used by the round-trip tests and by evaluators who hand data
to colleagues on other software): ``read_responses(write_x(df, path, instrument), instrument)``
gives ``df`` back.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from deliberval.errors import DataInputError
from deliberval.instruments.model import Instrument
from deliberval.io.platforms import limesurvey_answer_codes, limesurvey_code
from deliberval.reproducible import freeze_xlsx
from deliberval.schemas.responses import ID_COLUMNS, item_rules

__all__ = [
    "WRITE_FORMATS",
    "write_csv",
    "write_excel",
    "write_kobo",
    "write_limesurvey",
    "write_qualtrics",
    "write_responses",
    "write_spss",
    "write_stata",
    "write_xlsx_table",
]

PathLike = str | os.PathLike[str]

WRITE_FORMATS: tuple[str, ...] = ("csv", "excel", "spss", "stata", "limesurvey", "qualtrics", "kobo")


def _cell(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, float | np.floating):
        f = float(v)
        return str(int(f)) if f.is_integer() and abs(f) < 2**53 else repr(f)
    return str(v)


def _rows(df: pd.DataFrame) -> list[list[str]]:
    cols = [df[c].astype(object).tolist() for c in df.columns]
    return [[_cell(v) for v in row] for row in zip(*cols, strict=True)]


def _write_csv_rows(path: Path, header: list[list[str]], rows: list[list[str]], *, sep: str = ",",
                    encoding: str = "utf-8", quoting: Any = csv.QUOTE_MINIMAL) -> Path:
    try:
        with path.open("w", encoding=encoding, newline="") as fh:
            w = csv.writer(fh, delimiter=sep, quoting=quoting)
            w.writerows(header)
            w.writerows(rows)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start:exc.end]
        raise DataInputError(f"{path}: character {bad!r} cannot be written in {encoding}; use encoding='utf-8'") from None
    return path


def write_csv(df: pd.DataFrame, path: PathLike, instrument: Instrument | None = None, *,
              encoding: str = "cp1252", sep: str = ",") -> Path:
    """Write a CSV file, by default in cp1252 as Excel on Windows does.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> f = write_csv(pd.DataFrame({"city": ["Liège"]}), pathlib.Path(tempfile.mkdtemp()) / "x.csv")
    >>> f.read_bytes()
    b'city\\r\\nLi\\xe8ge\\r\\n'
    """
    p = Path(path)
    return _write_csv_rows(p, [list(map(str, df.columns))], _rows(df), sep=sep, encoding=encoding)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = "http://schemas.openxmlformats.org"
_XLSX_PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="{_NS}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{_NS}/package/2006/relationships/metadata/core-properties" '
        'Target="docProps/core.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_NS}/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{_NS}/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _xml_text(v: str) -> str:
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _str_cell(v: str) -> str:
    return f'<c t="inlineStr"><is><t xml:space="preserve">{_xml_text(v)}</t></is></c>'


def _xlsx_cells(col: pd.Series) -> list[str] | None:
    """One column as XML cells (a missing value an empty ``<c/>``, infinities the strings
    ``inf`` / ``-inf`` as pandas writes them), or None when the column needs pandas' own
    conversions (dates, times, durations, periods, intervals, complex numbers, other objects)
    or holds characters XML cannot carry."""
    if col.dtype.kind in "mMcV" or isinstance(col.dtype, pd.PeriodDtype | pd.IntervalDtype | pd.DatetimeTZDtype):
        return None
    if col.dtype.kind in "fiu" and not isinstance(col.dtype, pd.CategoricalDtype):
        arr = col.to_numpy(dtype=float, na_value=np.nan)
        if col.dtype.kind in "iu" and not col.hasnans:
            return [f"<c><v>{v}</v></c>" for v in col.to_numpy().tolist()]
        return [
            "<c/>" if v != v else _str_cell("inf" if v > 0 else "-inf") if v in (np.inf, -np.inf)
            else f"<c><v>{v!r}</v></c>"
            for v in arr.tolist()
        ]
    out: list[str] = []
    for v in col.astype(object).tolist():
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
            out.append("<c/>")
        elif isinstance(v, bool | np.bool_):
            out.append(f'<c t="b"><v>{int(v)}</v></c>')
        elif isinstance(v, str):
            if _XML_ILLEGAL.search(v):
                return None
            out.append(_str_cell(v))
        elif isinstance(v, int | float | np.integer | np.floating):
            f = float(v)
            out.append("<c/>" if f != f else _str_cell("inf" if f > 0 else "-inf") if abs(f) == np.inf
                       else f"<c><v>{int(v) if isinstance(v, int | np.integer) else f!r}</v></c>")
        else:
            return None
    return out


def write_xlsx_table(df: pd.DataFrame, path: PathLike, *, sheet: str = "results") -> Path:
    """Write one tidy table to one sheet of an ``.xlsx`` workbook, fast and byte-reproducibly.

    Each column is turned into its XML cells at once and the sheet is written as one string into
    a minimal SpreadsheetML package (workbook, one sheet, a style sheet with a bold header, core
    properties): no per-cell objects or styles, so a table of thousands of cells takes
    milliseconds. Values are unrounded (shortest round-trip decimal), text inline, a missing
    value an empty cell. Reading the file back with ``pandas.read_excel`` gives the table that
    ``DataFrame.to_excel(path, index=False)`` would (infinities as the strings ``inf`` /
    ``-inf``, as pandas writes them). Tables with date, time or duration columns, other objects
    or characters XML cannot carry are written by ``DataFrame.to_excel`` instead. Dates inside
    the file are fixed (:func:`deliberval.reproducible.fixed_timestamp`): the same table gives
    the same bytes.

    Parameters
    ----------
    df : pandas.DataFrame
        The table (its index is not written).
    path : path-like
        The ``.xlsx`` file.
    sheet : str, default "results"
        Sheet name (cut to Excel's 31 characters).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = write_xlsx_table(pd.DataFrame({"a": [1.5, None], "b": ["x", "y"]}),
    ...                        pathlib.Path(tempfile.mkdtemp()) / "t.xlsx")
    >>> pd.read_excel(out).to_dict("list")
    {'a': [1.5, nan], 'b': ['x', 'y']}
    """
    import zipfile

    from deliberval.reproducible import fixed_timestamp

    p = Path(path)
    name = sheet[:31]
    header = [str(c) for c in df.columns]
    cols = [_xlsx_cells(df.iloc[:, j]) for j in range(df.shape[1])]
    if any(c is None for c in cols) or any(_XML_ILLEGAL.search(h) for h in [*header, name]):
        df.to_excel(p, index=False, sheet_name=name, engine="openpyxl")
        return freeze_xlsx(p)
    head = "".join(
        f'<c t="inlineStr" s="1"><is><t xml:space="preserve">{_xml_text(h)}</t></is></c>' for h in header
    )
    body = "".join(f"<row>{''.join(r)}</row>" for r in zip(*cols, strict=True)) if cols else (
        "<row/>" * len(df)
    )
    when = fixed_timestamp()
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = dict(_XLSX_PARTS)
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{_NS}/spreadsheetml/2006/main" xmlns:r="{_NS}/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{_xml_text(name).replace(chr(34), "&quot;")}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )
    parts["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{_NS}/spreadsheetml/2006/main"><sheetData><row>{head}</row>{body}'
        "</sheetData></worksheet>"
    )
    parts["docProps/core.xml"] = (
        f'<cp:coreProperties xmlns:cp="{_NS}/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )
    date_time = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(p, "w") as zf:
        for part in ("[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "xl/workbook.xml",
                     "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"):
            info = zipfile.ZipInfo(part, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            # level 1: the sheet's repetitive XML deflates nearly as well, several times faster
            zf.writestr(info, (_XML_HEAD + parts[part]).encode("utf-8"), compresslevel=1)
    return p


def write_excel(df: pd.DataFrame, path: PathLike, instrument: Instrument | None = None) -> Path:
    """Write an ``.xlsx`` workbook with one sheet ``responses``.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> write_excel(pd.DataFrame({"a": [1]}), pathlib.Path(tempfile.mkdtemp()) / "x.xlsx").suffix
    '.xlsx'
    """
    p = Path(path)
    df.to_excel(p, index=False, sheet_name="responses", engine="openpyxl")
    return freeze_xlsx(p)


def _labels(instrument: Instrument | None, df: pd.DataFrame) -> tuple[dict[str, dict[float, str]], dict[str, list[float]], dict[str, str]]:
    value_labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list[float]] = {}
    column_labels: dict[str, str] = {}
    if instrument is None:
        return value_labels, missing, column_labels
    rules = item_rules(instrument)
    for it in instrument.items:
        if it.id not in df.columns:
            continue
        column_labels[it.id] = it.text.get("en", it.id)[:250]
        rule = rules[it.id]
        if rule.kind != "numeric" or not pd.api.types.is_numeric_dtype(df[it.id].dtype):
            continue
        rs = instrument.response_scale(it.scale)
        labels = {float(v.value): v.labels.get("en", str(v.value)) for v in rs.values}
        codes = [m for m in instrument.missing_codes(it.id) if not isinstance(m.code, str)]
        labels.update({float(m.code): m.labels.get("en", m.meaning) for m in codes})
        if labels:
            value_labels[it.id] = labels
        if 0 < len(codes) <= 3:
            missing[it.id] = [float(m.code) for m in codes]
    return value_labels, missing, column_labels


def _for_readstat(df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            out[c] = s.astype(float)
        else:
            out[c] = s.astype(object).where(s.notna(), "").map(str)
    return pd.DataFrame(out)


def write_spss(df: pd.DataFrame, path: PathLike, instrument: Instrument | None = None) -> Path:
    """Write an SPSS ``.sav`` file with item labels, value labels and user-missing codes.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> write_spss(pd.DataFrame({"a": [1.0]}), pathlib.Path(tempfile.mkdtemp()) / "x.sav").suffix
    '.sav'
    """
    import pyreadstat

    p = Path(path)
    value_labels, missing, column_labels = _labels(instrument, df)
    labels: Any = column_labels or None
    ranges: Any = missing or None
    pyreadstat.write_sav(_for_readstat(df), str(p), column_labels=labels,
                         variable_value_labels=value_labels or None, missing_ranges=ranges)
    return p


def write_stata(df: pd.DataFrame, path: PathLike, instrument: Instrument | None = None) -> Path:
    """Write a Stata ``.dta`` file with item labels and value labels of whole-number codes.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> write_stata(pd.DataFrame({"a": [1.0]}), pathlib.Path(tempfile.mkdtemp()) / "x.dta").suffix
    '.dta'
    """
    import pyreadstat

    p = Path(path)
    value_labels, _, column_labels = _labels(instrument, df)
    whole = {c: {int(k): v for k, v in lab.items()} for c, lab in value_labels.items()
             if all(float(k).is_integer() for k in lab)}
    short: Any = {k: v[:80] for k, v in column_labels.items()} or None  # Stata's limit
    values: Any = {c: {k: v[:80] for k, v in lab.items()} for c, lab in whole.items()} or None
    pyreadstat.write_dta(_for_readstat(df), str(p), column_labels=short, variable_value_labels=values)
    return p


def write_limesurvey(df: pd.DataFrame, path: PathLike, instrument: Instrument | None = None) -> Path:
    """Write a LimeSurvey-style response export (question codes, answer codes, all quoted).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> f = write_limesurvey(pd.DataFrame({"respondent_id": ["r1"], "language": ["en"]}),
    ...                      pathlib.Path(tempfile.mkdtemp()) / "ls.csv")
    >>> f.read_text().splitlines()[0]
    '"id","submitdate","lastpage","startlanguage","seed","token"'
    """
    p = Path(path)
    out = pd.DataFrame(index=df.index)
    out["id"] = [str(i + 1) for i in range(len(df))]
    out["submitdate"] = "1980-01-01 00:00:00"
    out["lastpage"] = "1"
    out["startlanguage"] = df["language"] if "language" in df.columns else "en"
    out["seed"] = "1"
    if "respondent_id" in df.columns:
        out["token"] = df["respondent_id"]
    if "duration_seconds" in df.columns:
        out["interviewtime"] = df["duration_seconds"]
    codes = limesurvey_answer_codes(instrument) if instrument is not None else {}
    for c in df.columns:
        if c in ("respondent_id", "language", "duration_seconds"):
            continue
        s = df[c]
        if c in codes:
            s = s.map(lambda v, t=codes[c]: t.get(_cell(v), v), na_action="ignore")
        out[limesurvey_code(c)] = s
    return _write_csv_rows(p, [list(out.columns)], _rows(out), quoting=csv.QUOTE_ALL)


def write_qualtrics(df: pd.DataFrame, path: PathLike, instrument: Instrument | None = None) -> Path:
    """Write a Qualtrics-style CSV export: three header rows, numeric values, UTF-8 with BOM.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> f = write_qualtrics(pd.DataFrame({"respondent_id": ["r1"]}), pathlib.Path(tempfile.mkdtemp()) / "q.csv")
    >>> f.read_text(encoding="utf-8-sig").splitlines()[0]
    '"StartDate","EndDate","Status","Progress","Finished","ResponseId","respondent_id"'
    """
    p = Path(path)
    n = len(df)
    meta: dict[str, Any] = {
        "StartDate": ["1980-01-01 00:00:00"] * n, "EndDate": ["1980-01-01 00:00:00"] * n,
        "Status": ["0"] * n, "Progress": ["100"] * n,
    }
    if "duration_seconds" in df.columns:
        meta["Duration (in seconds)"] = df["duration_seconds"].tolist()
    meta["Finished"] = ["1"] * n
    meta["ResponseId"] = [f"R_{i + 1:015d}" for i in range(n)]
    if "language" in df.columns:
        meta["UserLanguage"] = df["language"].str.upper().tolist()
    out = pd.DataFrame(meta, index=df.index)
    texts = {c: c for c in out.columns}
    imports = {c: json.dumps({"ImportId": c[:1].lower() + c[1:].replace(" ", ""), "timeZone": "UTC"}, separators=(",", ":")) for c in out.columns}
    items = {it.id: it for it in instrument.items} if instrument is not None else {}
    qid = 0
    for c in (c for c in df.columns if c not in ("language", "duration_seconds")):
        out[c] = df[c]
        it = items.get(c)
        texts[c] = it.text.get("en", c) if it is not None else c
        qid += it is not None
        imports[c] = json.dumps({"ImportId": f"QID{qid}" if it is not None else c}, separators=(",", ":"))
    header = [list(out.columns), [texts[c] for c in out.columns], [imports[c] for c in out.columns]]
    return _write_csv_rows(p, header, _rows(out), encoding="utf-8-sig", quoting=csv.QUOTE_ALL)


def write_kobo(df: pd.DataFrame, path: PathLike, instrument: Instrument | None = None) -> Path:
    """Write a KoboToolbox-style CSV export: ``;`` separated, items prefixed ``construct/``.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> f = write_kobo(pd.DataFrame({"respondent_id": ["r1"]}), pathlib.Path(tempfile.mkdtemp()) / "k.csv")
    >>> f.read_text().splitlines()[0]
    'start;end;respondent_id;_id;_uuid;_submission_time;_index'
    """
    p = Path(path)
    n = len(df)
    out = pd.DataFrame({"start": ["1980-01-01T00:00:00.000+00:00"] * n, "end": ["1980-01-01T00:30:00.000+00:00"] * n}, index=df.index)
    construct = {it.id: it.construct for it in instrument.items} if instrument is not None else {}
    for c in df.columns:
        name = f"{construct[c]}/{c}" if c in construct else c
        out[name] = df[c]
    out["_id"] = [str(100000 + i) for i in range(n)]
    out["_uuid"] = [f"00000000-0000-4000-8000-{i:012d}" for i in range(n)]
    out["_submission_time"] = "1980-01-01T00:30:00"
    out["_index"] = [str(i + 1) for i in range(n)]
    return _write_csv_rows(p, [list(out.columns)], _rows(out), sep=";", encoding="utf-8")


_WRITERS: dict[str, Callable[..., Path]] = {
    "csv": write_csv, "excel": write_excel, "spss": write_spss, "stata": write_stata,
    "limesurvey": write_limesurvey, "qualtrics": write_qualtrics, "kobo": write_kobo,
}


def write_responses(df: pd.DataFrame, path: PathLike, format: str, instrument: Instrument | None = None) -> Path:
    """Write the canonical responses table in one of :data:`WRITE_FORMATS`.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical responses table.
    path : path
        File to write.
    format : str
        One of :data:`WRITE_FORMATS` (``csv``, ``excel``, ``spss``, ``stata``, ``limesurvey``,
        ``qualtrics``, ``kobo``).
    instrument : Instrument, optional
        Adds value labels and item wording where the format can hold them.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    DataInputError
        Unknown format, or a LimeSurvey export without ``respondent_id``.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> write_responses(pd.DataFrame({"a": [1]}), pathlib.Path(tempfile.mkdtemp()) / "x.csv", "csv").name
    'x.csv'
    """
    if format not in _WRITERS:
        raise DataInputError(f"unknown output format {format!r}; expected one of {', '.join(WRITE_FORMATS)}")
    missing_ids = [c for c in ID_COLUMNS[:1] if c not in df.columns]
    if missing_ids and format in ("limesurvey",):
        raise DataInputError(f"a LimeSurvey export needs column(s) {missing_ids}")
    return _WRITERS[format](df, path, instrument)
