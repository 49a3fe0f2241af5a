"""Import Decidim accountability exports (results CSV or JSON) into the register's raw tables.

Decidim's accountability component tracks what an authority does with a process's proposals:
each *result* has a status (a key the organisation configures, e.g. ``in_progress``), a
progress percentage, start and end dates, linked proposals and, in the admin interface, timeline
entries (milestones). :func:`read_decidim_results` turns an export of the results (the
``results`` CSV, ``;`` or ``,`` separated, or JSON, as Decidim's ``ResultSerializer`` writes
them) and, optionally, a table of timeline entries into a :class:`~deliberval.io.register.RawRegister`
(text cells, nothing judged): check it with
:func:`deliberval.validation.register.validate_register` like any register.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from deliberval.errors import DataInputError
from deliberval.io.readers import InputFile, decode_text
from deliberval.io.register import RawRegister

__all__ = ["DECIDIM_STATUS_MAP", "read_decidim_results"]

PathLike = str | os.PathLike[str]

#: Decidim status keys (lower case) and the response status each becomes. Keys not listed here
#: (``cancelled``, ``discarded`` and any key an organisation invents) are kept as they are, so
#: validation reports them: map them with ``status_map=``.
DECIDIM_STATUS_MAP: dict[str, str] = {
    "not_started": "accepted_in_principle",
    "planned": "accepted_in_principle",
    "pending": "accepted_in_principle",
    "in_progress": "partially_implemented",
    "ongoing": "partially_implemented",
    "started": "partially_implemented",
    "execution": "partially_implemented",
    "completed": "implemented",
    "complete": "implemented",
    "finished": "implemented",
    "executed": "implemented",
    "done": "implemented",
}
_TAGS = re.compile(r"<[^>]+>")
_ISO_DAY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")


def _flatten(obj: Any, key: str = "") -> dict[str, Any]:
    """Nested JSON -> ``a/b/c`` columns, lists joined by ``", "`` (Decidim's CSV exporter)."""
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out.update(_flatten(v, f"{key}/{k}" if key else str(k)))
        return out
    if isinstance(obj, list):
        return {key: ", ".join("" if v is None else str(v) for v in obj)}
    return {key: obj}


def _table(f: InputFile, what: str) -> pd.DataFrame:
    suffix = f.path.suffix.lower()
    if suffix == ".json":
        text, _ = decode_text(f.content, file=str(f.path))
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataInputError(f"{f.path}: line {exc.lineno}, column {exc.colno}: not valid JSON "
                                 f"({exc.msg}); expected a Decidim {what} export") from None
        if isinstance(data, dict):
            data = data.get("data", data.get("results", [data]))
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise DataInputError(f"{f.path}: expected a JSON list of {what} objects")
        df = pd.DataFrame([_flatten(r) for r in data], dtype=object)
        df = df.astype(object).where(df.notna(), None)
        df = df.map(lambda v: None if v is None or str(v).strip() == "" else str(v))
        df.attrs = {"file": str(f.path), "first_line": 1}
        return df
    if suffix in (".csv", ".txt"):
        return _csv(f, what)
    raise DataInputError(f"{f.path}: unknown {what} export format {suffix!r}; use .csv or .json")


def _csv(f: InputFile, what: str) -> pd.DataFrame:
    """Decidim's CSV (``/`` in column names kept: ``title/en``, ``status/key``); ``;`` or ``,``
    separated, as the instance's ``default_csv_col_sep``; multi-line quoted cells allowed."""
    text, _ = decode_text(f.content, file=str(f.path))
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader)
    except StopIteration:
        raise DataInputError(f"{f.path}: empty file; expected a Decidim {what} export") from None
    rows, lines = [], []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise DataInputError(
                f"{f.path}: line {reader.line_num}: {len(row)} fields where the header has "
                f"{len(header)}; expected a Decidim {what} export separated by {sep!r}")
        rows.append([None if cell.strip() == "" else cell for cell in row])
        lines.append(reader.line_num)
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise DataInputError(f"{f.path}: line 1 (header): column(s) {dupes} appear twice")
    df = pd.DataFrame(rows, columns=header, dtype=object)
    df.attrs = {"file": str(f.path), "first_line": 2}
    return df


def _as_input(source: PathLike | InputFile) -> InputFile:
    if isinstance(source, InputFile):
        return source
    p = Path(source)
    if not p.exists():
        raise DataInputError(f"{p}: no such file")
    return InputFile.read(p)


def _text(df: pd.DataFrame, field: str, language: str | None) -> pd.Series:
    """A translatable field (``title/en``, ``title/fr``...): the chosen language, else the
    first language with text."""
    cols = [c for c in df.columns if c == field or (c.startswith(field + "/")
                                                  and "machine_translations" not in c)]
    if language is not None:
        cols = sorted(cols, key=lambda c: c != f"{field}/{language}")
    out = pd.Series(None, index=df.index, dtype=object)
    for c in cols:
        out = out.where(out.notna() & (out.astype(str).str.strip() != ""), df[c])
    return out


def _day(s: pd.Series) -> pd.Series:
    """``2024-03-01 10:00:00 +0100`` / ``2024-03-01T10:00:00Z`` -> ``2024-03-01``; other text kept
    as it is (validation reports it)."""
    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return None
        m = _ISO_DAY.match(str(v))
        return m.group(1) if m else v
    return s.map(one).astype(object)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == ""


def _code(key: Any, progress: Any, mapping: Mapping[str, str]) -> Any:
    if not _missing(key):
        k = str(key).strip().lower()
        return mapping.get(k, k)
    try:
        p = float(str(progress))
    except (TypeError, ValueError):
        return None
    if p >= 100:
        return "implemented"
    return "partially_implemented" if p > 0 else "accepted_in_principle"


def read_decidim_results(
    source: PathLike | InputFile,
    *,
    process_id: str,
    as_of: str | None = None,
    language: str | None = None,
    submitted: str | None = None,
    status_map: Mapping[str, str] | None = None,
    commitment_code: str | None = "accepted_in_principle",
    timeline: PathLike | InputFile | None = None,
) -> RawRegister:
    """Read a Decidim accountability results export as raw register tables.

    Parameters
    ----------
    source : path-like or InputFile
        The results export: ``.csv`` (columns ``id, title/<lang>, description/<lang>,
        start_date, end_date, status/key, status/name/<lang>, progress, created_at, updated_at,
        proposal_urls, parent/id`` ...; ``;`` or ``,`` separated) or ``.json`` (a list of
        results, nested as Decidim serialises them).
    process_id : str
        The process the results belong to (the register's ``process_id``).
    as_of : str, optional
        Date of the export (``YYYY-MM-DD``): the date of each result's current status when
        the export has no ``updated_at`` (Decidim before 0.28). Required in that case.
    language : str, optional
        Language of ``title`` and ``text`` (e.g. ``"fr"``); default the first language with text.
    submitted : str, optional
        Date the recommendations were handed over; default each result's ``created_at`` day.
    status_map : mapping, optional
        Decidim status key -> response status code, added to (and overriding)
        :data:`DECIDIM_STATUS_MAP`. A result without a status key is coded from its progress:
        100 ``implemented``, above 0 ``partially_implemented``, 0 ``accepted_in_principle``.
    commitment_code : str or None, default ``"accepted_in_principle"``
        Code of the event dated at the result's ``start_date`` (else ``created_at``) that
        records the authority's commitment (a result in an accountability component is one);
        None: no such event.
    timeline : path-like or InputFile, optional
        Timeline entries (milestones), CSV or JSON with ``result_id`` (or
        ``decidim_accountability_result_id``), ``entry_date``, ``title`` (or ``title/<lang>``)
        and ``status`` (a key) or ``progress``; each becomes an event with the milestone's
        title in ``note``. Decidim's results export does not contain them.

    Returns
    -------
    RawRegister
        ``recommendations``: ``process_id, rec_id`` (the Decidim id), ``title, submitted,
        text`` (the description without HTML tags), ``theme`` (category name when exported),
        and the extra columns ``progress, start_date, end_date, parent_id,
        linked_proposals`` (proposal URLs, ``", "``-separated), ``url``. ``events``: ``rec_id,
        date, response_status, source, note`` and ``progress``: the commitment event, one event
        per timeline entry and the current status (dated ``updated_at`` or ``as_of``), in date
        order per result. Cells are text; codes not in the scheme are left for validation to
        report.

    Raises
    ------
    DataInputError
        No such file, unreadable or unknown format, no ``id`` column, or no status date
        (neither ``updated_at`` nor ``as_of``).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from deliberval.io.decidim import read_decidim_results
    >>> from deliberval.validation.register import validate_register
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "results.json"
    >>> _ = out.write_text(json.dumps([{"id": 7, "title": {"en": "Insulate schools"},
    ...     "start_date": "2024-09-01", "status": {"key": "in_progress"}, "progress": 40,
    ...     "created_at": "2024-07-01T09:00:00+02:00", "updated_at": "2025-03-02T10:00:00+01:00",
    ...     "proposal_urls": ["https://example.org/proposals/3"]}]))
    >>> raw = read_decidim_results(out, process_id="wallonia")
    >>> raw.events[["rec_id", "date", "response_status"]]
      rec_id        date        response_status
    0      7  2024-09-01  accepted_in_principle
    1      7  2025-03-02  partially_implemented
    >>> validate_register(raw.recommendations, raw.events).all_valid
    True
    """
    f = _as_input(source)
    df = _table(f, "accountability results")
    if "id" not in df.columns:
        raise DataInputError(f"{f.path}: no 'id' column; expected a Decidim accountability results "
                             f"export (columns found: {list(df.columns)[:12]})")
    mapping = {**DECIDIM_STATUS_MAP, **{str(k).lower(): v for k, v in (status_map or {}).items()}}
    rid = df["id"].astype(object)
    created = _day(df["created_at"]) if "created_at" in df else pd.Series(None, index=df.index, dtype=object)
    start = _day(df["start_date"]) if "start_date" in df else pd.Series(None, index=df.index, dtype=object)
    recs = pd.DataFrame({
        "process_id": process_id,
        "rec_id": rid,
        "title": _text(df, "title", language),
        "submitted": submitted if submitted is not None else created,
        "text": _text(df, "description", language).map(
            lambda v: None if v is None else _TAGS.sub(" ", str(v)).strip()),
        "theme": _text(df, "category/name", language) if any(
            c.startswith("category/name") for c in df.columns) else None,
        "progress": df.get("progress", None),
        "start_date": start,
        "end_date": _day(df["end_date"]) if "end_date" in df else None,
        "parent_id": df.get("parent/id", None),
        "linked_proposals": df.get("proposal_urls", None),
        "url": df.get("url", None),
    })
    if "updated_at" in df:
        status_date = _day(df["updated_at"])
        if as_of is not None:
            status_date = status_date.where(status_date.notna(), as_of)
    elif as_of is not None:
        status_date = pd.Series(as_of, index=df.index, dtype=object)
    else:
        raise DataInputError(f"{f.path}: the export has no 'updated_at' column; give the export "
                             "date as as_of='YYYY-MM-DD' to date each result's status")
    key = df["status/key"] if "status/key" in df else pd.Series(None, index=df.index, dtype=object)
    progress = df["progress"] if "progress" in df else pd.Series(None, index=df.index, dtype=object)
    name = _text(df, "status/name", language) if any(
        c.startswith("status/name") for c in df.columns) else pd.Series(None, index=df.index, dtype=object)
    src = f"Decidim accountability export {f.path.name} (sha256 {f.sha256[:12]})"
    events: list[dict[str, Any]] = []
    for i in df.index:
        if commitment_code is not None:
            events.append({"rec_id": rid[i], "date": created[i] if _missing(start[i]) else start[i],
                           "response_status": commitment_code, "source": src,
                           "note": "result created in the accountability component", "progress": None,
                           "_order": 0})
        code = _code(key[i], progress[i], mapping)
        if code is None and commitment_code is not None:
            continue
        note = "status on export" + ("" if _missing(name[i]) else f": {name[i]}")
        if not _missing(progress[i]):
            note += f"; progress {progress[i]} %"
        events.append({"rec_id": rid[i], "date": status_date[i], "response_status": code,
                       "source": src, "note": note, "progress": progress[i], "_order": 2})
    if timeline is not None:
        events.extend(_timeline(_as_input(timeline), mapping, language))
    ev = pd.DataFrame(events, columns=["rec_id", "date", "response_status", "source", "note",
                                       "progress", "_order"])
    if len(ev):
        ev["_key"] = pd.to_datetime(ev["date"], errors="coerce", format="%Y-%m-%d")
        ev["_pos"] = ev["rec_id"].map({r: n for n, r in enumerate(dict.fromkeys(rid))})
        ev = ev.sort_values(["_pos", "_key", "_order"], kind="stable", na_position="last")
    ev = ev.drop(columns=[c for c in ("_order", "_key", "_pos") if c in ev]).reset_index(drop=True)
    recs = recs.astype(object).where(recs.notna(), None).map(lambda v: None if v is None else str(v))
    ev = ev.astype(object).where(ev.notna(), None).map(lambda v: None if v is None else str(v))
    recs.attrs = {"file": str(f.path), "first_line": 2}
    ev.attrs = {"file": str(f.path) + (" + timeline" if timeline is not None else ""), "first_line": 2}
    return RawRegister(recs, ev, str(f.path))


def _timeline(f: InputFile, mapping: Mapping[str, str], language: str | None) -> list[dict[str, Any]]:
    df = _table(f, "timeline entries")
    rid = next((c for c in ("result_id", "decidim_accountability_result_id", "result/id")
                if c in df.columns), None)
    if rid is None or "entry_date" not in df.columns:
        raise DataInputError(f"{f.path}: timeline entries need 'result_id' and 'entry_date' columns "
                             f"(columns found: {list(df.columns)[:12]})")
    title = _text(df, "title", language)
    key = df["status"] if "status" in df else pd.Series(None, index=df.index, dtype=object)
    progress = df["progress"] if "progress" in df else pd.Series(None, index=df.index, dtype=object)
    date = _day(df["entry_date"])
    src = f"Decidim timeline entries {f.path.name} (sha256 {hashlib.sha256(f.content).hexdigest()[:12]})"
    return [{"rec_id": df.at[i, rid], "date": date[i],
             "response_status": _code(key[i], progress[i], mapping), "source": src,
             "note": "milestone" if _missing(title[i]) else f"milestone: {title[i]}",
             "progress": progress[i],
             "_order": 1} for i in df.index]
