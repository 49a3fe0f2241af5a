"""Read and write recommendation uptake registers (XLSX workbook or two CSV files).

A register workbook has a ``recommendations`` sheet, an ``events`` sheet, an ``evidence`` sheet
(optional: the passages of public documents that back the codes), a ``codes`` sheet
listing every code of the coding scheme (the drop-down lists of the other sheets point there)
and an ``about`` sheet naming the scheme and version. :func:`write_register_template` writes an
empty workbook to fill in; :func:`read_register` reads a workbook or CSV files back as raw
tables (text cells, nothing judged): check them with
:func:`deliberval.validation.register.validate_register`.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from deliberval.errors import DataInputError
from deliberval.instruments.coding import CodingScheme, load_scheme
from deliberval.io.readers import InputFile, _mask_na, _read_text_table, _SharedTuple, read_sheet
from deliberval.reproducible import freeze_xlsx
from deliberval.schemas.register import (
    COST_CLASSES,
    EVENT_COLUMNS,
    EVIDENCE_COLUMNS,
    EVIDENCE_FIELDS,
    RECOMMENDATION_COLUMNS,
    YES_NO_UNKNOWN,
    Register,
)

__all__ = [
    "RawRegister",
    "read_register",
    "template_validations",
    "write_register",
    "write_register_template",
]

PathLike = str | os.PathLike[str]

_DATE_COLUMNS = {"submitted", "date", "coded_on"}
_TEMPLATE_ROWS = 2000  # rows of the template that carry drop-down lists
_HELP = {
    "process_id": "Process identifier, e.g. climate_assembly",
    "rec_id": "Unique id of the recommendation",
    "title": "Short title",
    "submitted": "Date the recommendations were handed to the authority (YYYY-MM-DD)",
    "text": "Full text",
    "theme": "Theme or policy area",
    "addressee": "Authority the recommendation is addressed to",
    "vote_share": "Share of the final plenary vote in favour (0-1)",
    "cost_class": "low / medium / high / unknown",
    "challenges_policy": "Does it challenge existing policy? yes / no / unknown",
    "prior_agenda": "Already on the authority's agenda before the process? yes / no / unknown",
    "date": "Date of the public response (YYYY-MM-DD)",
    "response_status": "Code from the codes sheet",
    "fidelity": "Code from the codes sheet (for accepted or implemented recommendations)",
    "impact_type": "Code from the codes sheet",
    "source": "Source document or link",
    "actor": "Who responded",
    "coder": "Who coded this event (evidence: who quoted the passage)",
    "note": "Free note",
    "field": "Evidence: the coded field the passage backs: response_status / fidelity / prior_agenda",
    "code": "Evidence: the code it backs (as on the events or recommendations sheet)",
    "document": "Evidence: file name of the public document quoted (as given to deliberval)",
    "page": "Evidence: page of the passage (blank for documents without pages)",
    "passage": "Evidence: the passage, quoted word for word from the document",
    "passage_sha256": "Evidence: SHA-256 of the passage (blank: computed when read; "
                      "'deliberval uptake trace' writes it)",
    "coded_on": "Evidence: date the passage was coded (YYYY-MM-DD)",
}


@dataclass(frozen=True)
class RawRegister:
    """The two register tables as read from a file, before any check.

    Attributes
    ----------
    recommendations, events, evidence : pandas.DataFrame
        Every cell as text (blank and NA-like cells missing, Excel error cells as written);
        blank rows between rows kept in place (validation reports them), blank rows at the end
        dropped. ``attrs["file"]`` names the file (and sheet), ``attrs["first_line"]`` the line of
        the first row (2 below a header on line 1), ``attrs["lines"]`` each row's line when they
        do not simply follow (cells spanning lines), ``attrs["read_problems"]`` rows with too few
        or too many fields and Excel error cells, ``attrs["date_format"]`` the declared date
        format: :func:`deliberval.validation.register.validate_register` uses them all.
        ``evidence`` is None when the register has no evidence sheet / ``evidence.csv``.
    source : str
        Where the tables came from (for messages).
    date_format : str or None
        The date format the workbook declares (a ``date_format`` row of its ``about`` sheet),
        e.g. ``%d/%m/%Y`` or ``DD/MM/YYYY``; None: ISO 8601 (``YYYY-MM-DD``).
    """

    recommendations: pd.DataFrame
    events: pd.DataFrame
    source: str = ""
    date_format: str | None = None
    evidence: pd.DataFrame | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """``{"recommendations": ..., "events": ...}`` and ``"evidence"`` when there is one."""
        out = {"recommendations": self.recommendations, "events": self.events}
        return out if self.evidence is None else {**out, "evidence": self.evidence}


def read_register(source: PathLike | InputFile, events: PathLike | InputFile | None = None) -> RawRegister:
    """Read an uptake register file as raw tables (no validation).

    Parameters
    ----------
    source : path-like or InputFile
        An ``.xlsx`` workbook with ``recommendations`` and ``events`` sheets (and optionally an
        ``evidence`` sheet); a folder with ``recommendations.csv`` and ``events.csv`` (and
        optionally ``evidence.csv``); or a recommendations CSV file (then give
        ``events``). A :class:`~deliberval.io.InputFile` (a file read once) is parsed from
        its bytes without touching the disk again; for a folder the two CSV files are read
        from the disk.
    events : path-like or InputFile, optional
        The events CSV when ``source`` is a recommendations CSV.

    Returns
    -------
    RawRegister
        ``recommendations``, ``events`` and ``evidence`` (None without one) with every cell as text (CSV encoding detected as
        by :func:`deliberval.io.decode_text`) and ``source`` naming the file(s). Check them
        with
        :func:`deliberval.validation.register.validate_register`.

    Raises
    ------
    DataInputError
        No such file, unreadable file, missing sheet or CSV, unknown format.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deliberval.datasets.registers import simulate_register
    >>> from deliberval.io.register import read_register, write_register
    >>> from deliberval.validation.register import validate_register
    >>> reg = simulate_register("gentofte_ptc", seed=1)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "register.xlsx"
    >>> _ = write_register(reg, out)
    >>> raw = read_register(out)
    >>> raw.recommendations.loc[0, ["rec_id", "prior_agenda"]].tolist()
    ['gentofte_ptc-001', 'no']
    >>> back = validate_register(raw.recommendations, raw.events).register
    >>> back.recommendations.equals(reg.recommendations), back.events.equals(reg.events)
    (True, True)
    """
    content: bytes | None = None
    if isinstance(source, InputFile):
        p = Path(source.path)
        content = None if source.is_folder else source.content
    else:
        p = Path(source)
    if content is None and not p.exists():
        raise DataInputError(f"{p}: no such file or folder")
    if content is None and p.is_dir():
        rec_path, ev_path = p / "recommendations.csv", p / "events.csv"
        for f in (rec_path, ev_path):
            if not f.exists():
                raise DataInputError(f"{p}: a register folder needs recommendations.csv and events.csv; {f.name} is missing")
        evi_path = p / "evidence.csv"
        evi = _trim(_read_csv(evi_path, _bytes(evi_path)), str(evi_path), None) if evi_path.exists() else None
        return _raw(_read_csv(rec_path, _bytes(rec_path)), _read_csv(ev_path, _bytes(ev_path)),
                    f"{rec_path} / {ev_path.name}", (str(rec_path), str(ev_path)), evidence=evi)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        data = content if content is not None else _bytes(p)
        names = _sheet_names(data, p)
        missing = [s for s in ("recommendations", "events") if s not in names]
        if missing:
            raise DataInputError(f"{p}: workbook has no sheet(s) {missing}; sheets found: {names}")
        fmt = _declared_date_format(data, p) if "about" in names else None
        evi = _trim(_sheet_frame(data, "evidence", p), f"{p} [evidence]", fmt) if "evidence" in names else None
        return _raw(_sheet_frame(data, "recommendations", p), _sheet_frame(data, "events", p), str(p),
                    (f"{p} [recommendations]", f"{p} [events]"), fmt, evidence=evi)
    if suffix == ".csv":
        if events is None:
            raise DataInputError(f"{p}: a recommendations CSV needs the events CSV too (events=...)")
        if isinstance(events, InputFile):
            ev_path, ev_data = Path(events.path), events.content
        else:
            ev_path = Path(events)
            ev_data = _bytes(ev_path)
        rec_data = content if content is not None else _bytes(p)
        return _raw(_read_csv(p, rec_data), _read_csv(ev_path, ev_data), f"{p} / {ev_path.name}",
                    (str(p), str(ev_path)))
    raise DataInputError(f"{p}: unknown register format {suffix!r}; use .xlsx, .csv or a folder")


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataInputError(f"{path}: cannot read file ({exc})") from None


def _read_csv(path: Path, data: bytes) -> pd.DataFrame:
    # blank lines are kept as rows (validation reports them); each row knows its file line
    f = InputFile(path, data, hashlib.sha256(data).hexdigest())
    return _read_text_table(f, keep_blank=True)


def _sheet_names(data: bytes, p: Path) -> list[str]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise DataInputError(f"{p}: cannot read workbook ({type(exc).__name__}: {exc})") from None
    names = list(wb.sheetnames)
    wb.close()
    return names


def _sheet_frame(data: bytes, sheet: str, p: Path) -> pd.DataFrame:
    s = read_sheet(data, sheet, file=str(p), keep_blank=True)
    df = pd.DataFrame(s.rows, columns=pd.Index(s.header, dtype="str"), dtype="str") if s.rows else \
        pd.DataFrame({h: pd.Series(dtype="str") for h in s.header})
    if s.rows:  # Excel error cells kept as written and quarantined, never made missing
        df = _mask_na(df, keep={(i, c) for i, c, _, _ in s.errors})
    first = s.header_line + 1
    df.attrs["first_line"] = s.lines[0] if s.lines else first
    if any(line != first + i for i, line in enumerate(s.lines)):
        df.attrs["lines"] = _SharedTuple(s.lines)
    if s.errors:
        df.attrs["read_problems"] = _SharedTuple(
            {"row": i, "line": s.lines[i], "column": c, "value": text, "check": "excel_error",
             "expected": "a value, not a formula error",
             "message": f"cell {ref} of sheet {sheet!r} holds the Excel error {text}; expected a value "
                        "(fix the formula or type the value)"}
            for i, c, ref, text in s.errors)
    return df


def _declared_date_format(data: bytes, p: Path) -> str | None:
    """The ``date_format`` row of the ``about`` sheet (first column the key, second the value)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for row in wb["about"].iter_rows(max_col=2, values_only=True):
            key = str(row[0] or "").strip().lower().replace(" ", "_")
            if key == "date_format" and len(row) > 1 and row[1] is not None and str(row[1]).strip():
                return str(row[1]).strip()
    finally:
        wb.close()
    return None


def _trim(df: pd.DataFrame, file: str, date_format: str | None) -> pd.DataFrame:
    """Drop the fully blank rows at the end (spreadsheet leftovers); keep the others in place."""
    filled = np.flatnonzero(df.notna().any(axis=1).to_numpy())
    n = filled[-1] + 1 if len(filled) else 0
    attrs = dict(df.attrs)
    out = df.iloc[:n].reset_index(drop=True)
    out.attrs = {"file": file, "first_line": int(attrs.get("first_line", 2))}
    if "lines" in attrs:
        out.attrs["lines"] = _SharedTuple(attrs["lines"][:n])
    problems = tuple(q for q in attrs.get("read_problems", ()) if q["row"] < n)
    if problems:
        out.attrs["read_problems"] = _SharedTuple(problems)
    if attrs.get("na_text"):  # NA-like texts read as missing, said as written in messages
        out.attrs["na_text"] = {c: {i: t for i, t in v.items() if i < n} for c, v in attrs["na_text"].items()}
    if date_format is not None:
        out.attrs["date_format"] = date_format
    return out


def _raw(recs: pd.DataFrame, ev: pd.DataFrame, source: str, files: tuple[str, str],
         date_format: str | None = None, *, evidence: pd.DataFrame | None = None) -> RawRegister:
    return RawRegister(_trim(recs, files[0], date_format), _trim(ev, files[1], date_format), source, date_format,
                       evidence)


def write_register(register: Register, path: PathLike) -> Path:
    """Write a register as an ``.xlsx`` workbook (with drop-down lists) or a folder of CSVs.

    Parameters
    ----------
    register : Register
        E.g. from :func:`read_register` or a simulator.
    path : path-like
        ``something.xlsx``, or a folder (created if needed) that receives
        ``recommendations.csv`` and ``events.csv`` (and ``evidence.csv`` when the register has
        evidence).

    Returns
    -------
    Path
        The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deliberval.datasets.registers import simulate_register
    >>> from deliberval.io.register import read_register, write_register
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "register"
    >>> _ = write_register(simulate_register("cofoe_panel", seed=2), folder)
    >>> sorted(f.name for f in folder.iterdir())
    ['events.csv', 'recommendations.csv']
    """
    p = Path(path)
    if p.suffix.lower() == ".xlsx":
        return write_register_template(p, scheme=register.scheme, register=register)
    if p.suffix:
        raise DataInputError(f"{p}: write a register to an .xlsx file or to a folder")
    p.mkdir(parents=True, exist_ok=True)
    tables = [("recommendations", register.recommendations), ("events", register.events)]
    if len(register.evidence):
        tables.append(("evidence", register.evidence))
    for name, df in tables:
        df.to_csv(p / f"{name}.csv", index=False, date_format="%Y-%m-%d")
    return p


def write_register_template(
    path: PathLike,
    *,
    scheme: CodingScheme | None = None,
    register: Register | None = None,
) -> Path:
    """Write a register workbook with drop-down lists of the codes (empty unless ``register``).

    The ``recommendations``, ``events`` and ``evidence`` sheets have one column per field (the
    ``about`` sheet explains each); code columns (``response_status``, ``fidelity``, ``impact_type``,
    ``prior_agenda``, ``challenges_policy``, ``cost_class``, and the evidence's ``field``) get a
    drop-down list that points to the ``codes`` sheet, which also gives each code's label and definition. The ``about``
    sheet records the coding scheme id and version.

    Parameters
    ----------
    path : path-like
        Output ``.xlsx`` file.
    scheme : CodingScheme, optional
        Default: the shipped uptake scheme.
    register : Register, optional
        Rows to fill in (used by :func:`write_register`).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deliberval.io.register import read_register, write_register_template
    >>> out = write_register_template(pathlib.Path(tempfile.mkdtemp()) / "template.xlsx")
    >>> empty = read_register(out)
    >>> len(empty.recommendations), list(empty.events.columns)[:3]
    (0, ['rec_id', 'date', 'response_status'])
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise DataInputError(f"{p}: the register template is an .xlsx workbook")
    scheme = scheme or (register.scheme if register is not None else load_scheme())
    wb = Workbook()
    ws_rec = wb.active
    assert ws_rec is not None
    ws_rec.title = "recommendations"
    ws_ev = wb.create_sheet("events")
    ws_evi = wb.create_sheet("evidence")
    ws_codes = wb.create_sheet("codes")
    ws_about = wb.create_sheet("about")

    # codes sheet: one block of columns per coded field
    lists = {
        "response_status": [(c.code, c.label, c.definition) for c in
                            sorted(scheme.response_status.codes, key=lambda c: c.rank or 0)],
        "fidelity": [(c.code, c.label, c.definition) for c in scheme.fidelity.codes],
        "impact_type": [(c.code, c.label, c.definition) for c in scheme.impact_type.codes],
        "prior_agenda": [(v, v, "") for v in YES_NO_UNKNOWN],
        "challenges_policy": [(v, v, "") for v in YES_NO_UNKNOWN],
        "cost_class": [(v, v, "") for v in COST_CLASSES],
        "field": [(v, v, "the coded field a quoted passage backs") for v in EVIDENCE_FIELDS],
    }
    ranges: dict[str, str] = {}
    col = 1
    for field, entries in lists.items():
        letter = get_column_letter(col)
        ws_codes.cell(row=1, column=col, value=field).font = Font(bold=True)
        ws_codes.cell(row=1, column=col + 1, value="label").font = Font(bold=True)
        ws_codes.cell(row=1, column=col + 2, value="definition").font = Font(bold=True)
        for i, (code, label, definition) in enumerate(entries, start=2):
            ws_codes.cell(row=i, column=col, value=code)
            ws_codes.cell(row=i, column=col + 1, value=label)
            ws_codes.cell(row=i, column=col + 2, value=definition)
        ranges[field] = f"codes!${letter}$2:${letter}${len(entries) + 1}"
        col += 4

    for ws, columns, df in (
        (ws_rec, list(RECOMMENDATION_COLUMNS), None if register is None else register.recommendations),
        (ws_ev, list(EVENT_COLUMNS), None if register is None else register.events),
        (ws_evi, list(EVIDENCE_COLUMNS), None if register is None else register.evidence),
    ):
        if df is not None:
            columns = columns + [c for c in df.columns if c not in columns]
        for j, name in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=j, value=name)
            cell.font = Font(bold=True)
            ws.column_dimensions[get_column_letter(j)].width = max(14, len(name) + 4)
            if name in ranges:
                dv = DataValidation(type="list", formula1=ranges[name], allow_blank=True,
                                    showErrorMessage=True, errorTitle="Unknown code",
                                    error=f"Choose a {name} code from the list (see the codes sheet).")
                letter = get_column_letter(j)
                dv.add(f"{letter}2:{letter}{_TEMPLATE_ROWS + 1}")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
        if df is None:
            continue
        for i, row in enumerate(df.itertuples(index=False), start=2):
            for j, (name, value) in enumerate(zip(columns, row, strict=True), start=1):
                if value is None or (not isinstance(value, str) and pd.isna(value)):
                    continue
                if name in _DATE_COLUMNS:
                    cell = ws.cell(row=i, column=j, value=pd.Timestamp(value).date())
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, float | np.floating):
                    ws.cell(row=i, column=j, value=float(value))
                elif isinstance(value, int | np.integer) and not isinstance(value, bool):
                    ws.cell(row=i, column=j, value=int(value))
                else:
                    ws.cell(row=i, column=j, value=str(value))

    about = [
        ("deliberval recommendation uptake register", ""),
        ("coding scheme", scheme.id),
        ("version", scheme.version),
        ("title", scheme.title),
        ("how to fill in", "One row per recommendation on 'recommendations'; one row per public "
         "response on 'events' (a recommendation may have several); on 'evidence', one row per "
         "passage of a public document that backs a status, fidelity or prior-agenda code. "
         "Dates as YYYY-MM-DD (or "
         "change date_format below, e.g. to DD/MM/YYYY, for dates typed as text). "
         "Codes from the drop-down lists (see 'codes')."),
        ("date_format", "YYYY-MM-DD"),
    ]
    for i, (key, value) in enumerate(about, start=1):
        ws_about.cell(row=i, column=1, value=key).font = Font(bold=True)
        ws_about.cell(row=i, column=2, value=value)
    helped = list(dict.fromkeys([*RECOMMENDATION_COLUMNS, *EVENT_COLUMNS, *EVIDENCE_COLUMNS]))
    for j, name in enumerate(helped, start=1):
        ws_about.cell(row=len(about) + 1 + j, column=1, value=name)
        ws_about.cell(row=len(about) + 1 + j, column=2, value=_HELP.get(name, ""))
    p.parent.mkdir(parents=True, exist_ok=True)
    wb.save(p)
    return freeze_xlsx(p)


def template_validations(path: PathLike) -> dict[str, dict[str, str]]:
    """The drop-down lists of a register workbook: ``{sheet: {column: formula}}`` (for checks).

    Parameters
    ----------
    path : path-like
        A workbook written by :func:`write_register_template` or :func:`write_register`.

    Returns
    -------
    dict
        ``{"recommendations": {column: formula}, "events": {column: formula}}`` and
        ``"evidence"`` for a workbook with an evidence sheet.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deliberval.io.register import template_validations, write_register_template
    >>> out = write_register_template(pathlib.Path(tempfile.mkdtemp()) / "template.xlsx")
    >>> sorted(template_validations(out)["events"])
    ['fidelity', 'impact_type', 'response_status']
    """
    from openpyxl import load_workbook

    wb = load_workbook(Path(path))
    out: dict[str, dict[str, str]] = {}
    for sheet in ("recommendations", "events", "evidence"):
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        headers = {cell.column_letter: str(cell.value) for cell in ws[1]}
        found = {}
        for dv in ws.data_validations.dataValidation:
            letter = str(dv.sqref).split(":")[0].rstrip("0123456789")
            found[headers.get(letter, letter)] = str(dv.formula1)
        out[sheet] = found
    return out
