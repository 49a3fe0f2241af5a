"""validate_register(): check a recommendation uptake register, quarantining bad rows.

The register is two tables (see :mod:`deliberval.schemas.register`): ``recommendations`` (one
row per recommendation) and ``events`` (one row per coded public response). Each table gets the
project's one validation result (:class:`~deliberval.validation.ValidationResult`: valid rows,
quarantined rows exactly as given, one failure row per problem naming the row, column, value and
what was expected, and a summary); the valid rows of both make the :class:`Register` that
:func:`deliberval.analysis.uptake.uptake` takes. Nothing is raised for a bad row and nothing is
dropped silently; :meth:`RegisterValidation.require_valid` turns any problem into one error for
callers that must stop (the command line, the example simulators).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from deliberval.canonical import as_code_strings
from deliberval.errors import DataInputError
from deliberval.instruments.coding import CodingScheme, load_scheme
from deliberval.schemas.register import (
    COST_CLASSES,
    EVENT_COLUMNS,
    RECOMMENDATION_COLUMNS,
    REQUIRED_EVENT_COLUMNS,
    REQUIRED_RECOMMENDATION_COLUMNS,
    YES_NO_UNKNOWN,
    Register,
    events_schema,
    recommendations_schema,
)
from deliberval.validation.result import (
    Failures,
    ValidationResult,
    add_read_problems,
    na_written,
    row_lines,
    split,
)

__all__ = ["RegisterValidation", "validate_register"]

_MAX_LISTED = 25
_CODED = ("response_status", "fidelity", "impact_type")
_DATE_EXPECTED = "a date such as 2024-05-31"
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$")
_YEARS = (1800, 2200)  # a register's dates; 9999-12-31 and the like are placeholders, not dates
_TOKENS = (("YYYY", "%Y"), ("YY", "%y"), ("MM", "%m"), ("DD", "%d"))
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def _strftime(fmt: str) -> str:
    """``DD/MM/YYYY``-style formats as strftime codes (a format with ``%`` is one already)."""
    if "%" in fmt:
        return fmt
    out = fmt
    for token, code in _TOKENS:
        out = out.replace(token, code)
    return out


def _date_problem(value: object, fmt: str | None) -> tuple[pd.Timestamp | None, str]:
    """Parse one register date: ``(timestamp, "")`` or ``(None, why it is not a date)``."""
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | np.datetime64):
        ts = pd.Timestamp(value)
        return (ts.normalize(), "") if _YEARS[0] <= ts.year <= _YEARS[1] else \
            (None, f"is outside the years {_YEARS[0]}-{_YEARS[1]}")
    text = str(value).strip()
    declared = _strftime(fmt) if fmt else None
    parsed: dt.datetime | None = None
    m = _ISO.match(text)
    if m:  # ISO 8601 is unambiguous: always accepted (Excel date cells read as such too)
        try:
            parsed = dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None, "is not a calendar date"
    elif declared is not None and declared != "%Y-%m-%d":
        try:
            parsed = dt.datetime.strptime(text, declared)
        except ValueError:
            return None, f"does not match the declared date format {fmt!r}"
    if parsed is None:
        dm = _DAY_MONTH.match(text)
        if dm and 1 <= int(dm.group(1)) <= 12 and 1 <= int(dm.group(2)) <= 12 and dm.group(1) != dm.group(2):
            a, b = int(dm.group(1)), int(dm.group(2))
            return None, (f"is ambiguous ({a} {_MONTHS[b - 1]} or {b} {_MONTHS[a - 1]}?); write it as "
                          "YYYY-MM-DD or declare date_format (e.g. DD/MM/YYYY) in the register's "
                          "about sheet or the process configuration")
        return None, ("is not an ISO 8601 date (YYYY-MM-DD); write it so or declare date_format "
                      "(e.g. DD/MM/YYYY) in the register's about sheet or the process configuration")
    if not _YEARS[0] <= parsed.year <= _YEARS[1]:
        return None, (f"is outside the years {_YEARS[0]}-{_YEARS[1]} (a placeholder?); expected the real "
                      "date, or a blank cell when it is not known")
    return pd.Timestamp(parsed), ""


@dataclass(frozen=True)
class RegisterValidation:
    """What :func:`validate_register` found.

    Attributes
    ----------
    recommendations : ValidationResult
        The recommendations table: ``valid`` (normalised rows, input index kept),
        ``quarantined`` (rows as given), ``failures`` (one row per problem; ``id`` is the
        row's ``rec_id``), ``summary``, ``n_rows``.
    events : ValidationResult
        The same for the response-events table (``id`` is the ``rec_id`` the response is
        about); an event whose recommendation was quarantined is quarantined too (check
        ``recommendation_quarantined``).
    register : Register
        The valid rows of both tables (index reset) and the coding scheme: the input of
        :func:`deliberval.analysis.uptake.uptake`.
    """

    recommendations: ValidationResult
    events: ValidationResult
    register: Register

    @property
    def all_valid(self) -> bool:
        """True when no row of either table was quarantined."""
        return self.recommendations.all_valid and self.events.all_valid

    @property
    def failures(self) -> pd.DataFrame:
        """Failures of both tables, with the table's name first (``table``)."""
        return _stack(self.recommendations.failures, self.events.failures)

    @property
    def summary(self) -> pd.DataFrame:
        """Summaries of both tables, with the table's name first (``table``)."""
        return _stack(self.recommendations.summary, self.events.summary)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The valid register tables, all failures and the summary, by name (for writers)."""
        return {"recommendations": self.register.recommendations, "events": self.register.events,
                "failures": self.failures, "summary": self.summary}

    def require_valid(self, *, source: str = "") -> Register:
        """The register if every row passed; otherwise raise one error listing every problem.

        For callers that must stop on any bad row (the command line, the example simulators).

        Parameters
        ----------
        source : str, optional
            File name put in front of the message.

        Returns
        -------
        Register

        Raises
        ------
        DataInputError
            Naming each bad row as ``<table> line <line> (rec_id '<id>'): <message>`` (the
            first 25, then a count); ``line`` is the row's line in its file (header = line 1).

        Examples
        --------
        >>> import pandas as pd
        >>> recs = pd.DataFrame({"process_id": ["p1"], "rec_id": ["r1"], "title": ["Bike lanes"],
        ...                      "submitted": ["2024-03-01"]})
        >>> ev = pd.DataFrame({"rec_id": ["r1"], "date": ["2024-02-20"],
        ...                    "response_status": ["accepted_in_principle"]})
        >>> validate_register(recs, ev).require_valid()
        Traceback (most recent call last):
        ...
        deliberval.errors.DataInputError: 1 problem(s) in the uptake register:
          - events line 2 (rec_id 'r1'): response dated 2024-02-20, before the recommendation was submitted on 2024-03-01 (the end of the process)
        """
        failures = self.failures
        errors = failures[failures["severity"] == "error"]
        if errors.empty:
            return self.register
        problems = [f"{r.table} line {int(r.line)} (rec_id {r.id!r}): {r.message}"
                    for r in errors.itertuples(index=False)]
        shown = problems[:_MAX_LISTED]
        more = f"\n  ... and {len(problems) - _MAX_LISTED} more" if len(problems) > _MAX_LISTED else ""
        head = f"{source}: " if source else ""
        raise DataInputError(f"{head}{len(problems)} problem(s) in the uptake register:\n"
                             + "\n".join(f"  - {p}" for p in shown) + more)


def _stack(recs: pd.DataFrame, ev: pd.DataFrame) -> pd.DataFrame:
    parts = [df.assign(table=name) for name, df in (("recommendations", recs), ("events", ev))]
    out = pd.concat(parts, ignore_index=True)
    return out[["table", *[c for c in out.columns if c != "table"]]]


class _Acc:
    """Failures of one table built row by row (registers are small), then handed to Failures."""

    def __init__(self, raw: pd.DataFrame, *, source: str, line: int | np.ndarray) -> None:
        self.raw = raw
        self.n = len(raw)
        ids = as_code_strings(raw["rec_id"]).fillna("").to_numpy(dtype=object)
        self.failures = Failures(ids, source=source, first_line=line)
        add_read_problems(self.failures, raw)  # rows of the wrong shape, Excel error cells
        self.skip = np.zeros(self.n, dtype=bool)  # blank rows: reported once

    def add(self, rows: np.ndarray | list[int], column: str, check: str,
            message: str | list[str], expected: str) -> None:
        idx = np.asarray(rows, dtype=np.int64)
        if idx.size == 0:
            return
        keep = ~self.skip[idx]
        idx = idx[keep]
        if idx.size == 0:
            return
        mask = np.zeros(self.n, dtype=bool)
        mask[idx] = True
        if isinstance(message, str):
            msgs: str | np.ndarray = message
        else:
            full = np.full(self.n, "", dtype=object)
            full[idx] = np.asarray(message, dtype=object)[keep]
            msgs = full
        raw = self.raw[column] if column in self.raw.columns else None
        written = {i: t for i, t in na_written(self.raw, column).items() if mask[i]} if column else {}
        if written and raw is not None:  # "rec_id 'NA' was read as missing", not "rec_id is blank"
            full = np.full(self.n, msgs, dtype=object) if isinstance(msgs, str) else msgs
            blank = f"{column} is blank"
            for i, text in written.items():
                if str(full[i]).startswith(blank):
                    full[i] = f"{column} {text!r} was read as missing (an NA-like text)" + str(full[i])[len(blank):]
            msgs = full
            raw = as_code_strings(raw).astype("object").copy()
            for i, text in written.items():
                raw.iloc[i] = text
        self.failures.add(mask, column, raw, check, "error", msgs, expected)


def _text(col: pd.Series) -> pd.Series:
    """Strings with surrounding blanks removed; empty cells become missing."""
    out = col.astype("string").str.strip()
    return out.mask(out == "").astype("str").where(out.notna(), None)


def _blank_rows(raw: pd.DataFrame, acc: _Acc) -> None:
    blank = np.ones(len(raw), dtype=bool)
    for col in raw.columns:
        blank &= as_code_strings(raw[col]).isna().to_numpy()
    acc.add(np.flatnonzero(blank), "", "blank_row", "the row is empty; delete it or fill it in",
            "a filled row")
    acc.skip |= blank


def _dates(col: pd.Series, name: str, acc: _Acc, fmt: str | None) -> pd.Series:
    """Dates read in one declared format (ISO 8601 by default), never guessed value by value."""
    values: list[pd.Timestamp | None] = []
    bad: list[int] = []
    msgs: list[str] = []
    expected = _DATE_EXPECTED if not fmt else f"a date written {fmt} (or YYYY-MM-DD)"
    for i, v in enumerate(col.tolist()):
        if v is None or (not isinstance(v, str) and pd.isna(v)) or (isinstance(v, str) and not v.strip()):
            values.append(None)
            bad.append(i)
            msgs.append(f"{name} is blank; expected {expected}")
            continue
        ts, why = _date_problem(v, fmt)
        values.append(ts)
        if ts is None:
            bad.append(i)
            msgs.append(f"{name} {str(v).strip()!r} {why}")
    acc.add(bad, name, "date", msgs, expected)
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object, index=col.index)), index=col.index).astype(
        "datetime64[ns]")


def _pandera(schema: pa.DataFrameSchema, df: pd.DataFrame, acc: _Acc, scheme: CodingScheme,
             skip_null: set[str]) -> list[str]:
    """Run a schema lazily; every failing cell becomes a failure row. Returns table-level notes."""
    notes: list[str] = []
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        for rec in fc.itertuples(index=False):
            col, check, idx, value = str(rec.column), str(rec.check), rec.index, rec.failure_case
            if idx is None or pd.isna(idx):  # column-level, e.g. a dtype the normalisation missed
                notes.append(f"column {col!r} fails {check} ({value!r})")
                continue
            i = [int(idx)]
            if check == "field_uniqueness":
                k = int((df[col] == value).sum())
                acc.add(i, col, "duplicate", f"duplicate {col} {value!r} ({k} rows); expected each "
                        "recommendation once", "a rec_id used by no other row")
            elif check.startswith("isin"):
                coded = col in _CODED
                allowed = (scheme.codes(col) if coded
                           else COST_CLASSES if col == "cost_class" else YES_NO_UNKNOWN)
                origin = f" (coding scheme {scheme.id} {scheme.version})" if coded else ""
                expected = f"one of {', '.join(allowed)}{origin}"
                acc.add(i, col, "not_allowed", f"unknown {col} code {value!r}; expected {expected}", expected)
            elif check == "not_nullable":
                if col in skip_null:  # reported by the dedicated check with the value as given
                    continue
                acc.add(i, col, "missing_value", f"{col} is blank", "a value")
            elif check.startswith("in_range"):
                acc.add(i, col, "out_of_range", f"{col} {value!r} is outside 0-1; expected a share from 0 to 1",
                        "a share from 0 to 1")
            else:
                acc.add(i, col, check.split("(")[0], f"{col} {value!r} fails {check}", check)
    return notes


def _check_columns(what: str, df: object, required: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise DataInputError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataInputError(f"{what} table has no column(s) {', '.join(map(repr, missing))}; "
                             f"required: {', '.join(required)}")
    if df.columns.duplicated().any():
        raise DataInputError(f"{what} table has duplicate column names "
                             f"{sorted(set(df.columns[df.columns.duplicated()]))}")
    return df


def _source(df: pd.DataFrame, given: str | None, what: str) -> str:
    if given is not None:
        return f"{given} [{what}]"
    return str(df.attrs.get("file") or what)


def _split(given: pd.DataFrame, normalised: pd.DataFrame, acc: _Acc,
           notes: list[str]) -> tuple[ValidationResult, np.ndarray]:
    failures = acc.failures.frame()
    res = split(given, normalised.set_axis(given.index), failures, notes=notes)
    bad = np.zeros(len(given), dtype=bool)
    bad[failures.loc[failures["severity"] == "error", "row"].to_numpy(dtype=np.int64)] = True
    return res, bad


def validate_register(
    recommendations: pd.DataFrame,
    events: pd.DataFrame,
    *,
    scheme: CodingScheme | None = None,
    source: str | None = None,
    date_format: str | None = None,
) -> RegisterValidation:
    """Check an uptake register; quarantine bad rows with one failure row per problem.

    Parameters
    ----------
    recommendations, events : pandas.DataFrame
        The two tables as read (e.g. :func:`deliberval.io.register.read_register`); see
        :func:`~deliberval.schemas.register.recommendations_schema` and
        :func:`~deliberval.schemas.register.events_schema`. Optional columns may be absent;
        extra columns are kept unchecked.
    scheme : CodingScheme, optional
        Coding scheme of the codes (default: the shipped ``uptake`` 1.0.0). It travels with the
        :class:`Register`.
    source : str, optional
        File name written into the ``source`` column of the failures (with the table's name);
        default: each table's ``attrs["file"]`` (set by
        :func:`deliberval.io.register.read_register`), else ``recommendations`` / ``events``.
    date_format : str, optional
        How dates written as text are to be read: strftime codes (``%d/%m/%Y``) or
        ``DD/MM/YYYY``-style tokens. Default: the tables' ``attrs["date_format"]`` (the
        workbook's declaration), else ISO 8601 only. ISO dates (and Excel date cells) are always
        accepted; other text is never guessed: ``03/02/2024`` without a declared format is a
        ``date`` failure saying it could be 3 February or 2 March, and a year outside 1800-2200
        (``9999-12-31``) is a ``date`` failure too.

    Returns
    -------
    RegisterValidation
        ``recommendations`` and ``events`` (each a :class:`~deliberval.validation.ValidationResult`)
        and ``register`` (the valid rows of both). Valid rows are normalised: every optional
        column present, dates parsed, surrounding blanks stripped, blank text cells missing,
        blank ``prior_agenda`` / ``challenges_policy`` / ``cost_class`` ``"unknown"``.
        The failures tables have the columns of every validation (``source, row, line, id,
        column, value, check, severity, expected, message``): ``row`` is the 0-based position in
        the table as given, ``line`` its line in the file (``attrs["first_line"]``, default 2:
        the header is line 1), ``id`` the ``rec_id``, ``value`` the cell as given.

    Raises
    ------
    DataInputError
        Only when nothing can be checked: a table that is not a DataFrame, lacks a required
        column (recommendations: ``process_id, rec_id, title, submitted``; events:
        ``rec_id, date, response_status``) or has duplicate column names; or ``date_format``
        differs from the format the register declares.

    Notes
    -----
    Checks (each an error that quarantines the row; ``check`` names it):

    - both tables: ``blank_row`` (every cell empty; reported once, other checks skipped);
    - recommendations: ``missing_id`` (blank ``rec_id``), ``missing_value`` (blank
      ``process_id``), ``duplicate`` (a ``rec_id`` on several rows: all copies), ``date``
      (``submitted`` blank or not a date), ``type`` (``vote_share`` not a number),
      ``out_of_range`` (``vote_share`` outside 0-1), ``not_allowed`` (``cost_class``,
      ``challenges_policy``, ``prior_agenda`` not one of their codes);
    - events: ``missing_id`` (blank ``rec_id``), ``missing_value`` (blank ``response_status``),
      ``date``, ``not_allowed`` (``response_status``, ``fidelity``, ``impact_type`` not a code
      of the scheme), ``unknown_rec_id`` (no such recommendation),
      ``recommendation_quarantined`` (its recommendation was quarantined; the reason is
      repeated), ``before_submission`` (a response dated before the recommendation was
      submitted, i.e. before the end of the process).

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.validation.register import validate_register
    >>> recs = pd.DataFrame({"process_id": "p1", "rec_id": ["r1", "r2"],
    ...                      "title": ["Bike lanes", "Bus lanes"], "submitted": "2024-03-01"})
    >>> ev = pd.DataFrame({"rec_id": ["r1", "r2", "r3"],
    ...                    "date": ["2024-04-02", "2024-02-20", "2024-04-02"],
    ...                    "response_status": ["accepted", "implemented", "acknowledged"]})
    >>> res = validate_register(recs, ev)
    >>> len(res.register.recommendations), len(res.register.events), len(res.events.quarantined)
    (2, 0, 3)
    >>> print(res.events.failures[["row", "line", "id", "column", "value", "check"]].to_string(index=False))
     row  line id          column      value             check
       0     2 r1 response_status   accepted       not_allowed
       1     3 r2            date 2024-02-20 before_submission
       2     4 r3          rec_id         r3    unknown_rec_id
    >>> res.events.failures.loc[0, "message"]
    "unknown response_status code 'accepted'; expected one of no_response, acknowledged, rejected_without_reasons, rejected_with_reasons, referred_for_study, accepted_in_principle, partially_implemented, implemented (coding scheme uptake 1.0.0)"
    """
    scheme = scheme or load_scheme()
    _check_columns("recommendations", recommendations, REQUIRED_RECOMMENDATION_COLUMNS)
    _check_columns("events", events, REQUIRED_EVENT_COLUMNS)
    declared = recommendations.attrs.get("date_format") or events.attrs.get("date_format")
    date_format = date_format or recommendations.attrs.get("date_format_config")
    if date_format and declared and _strftime(str(declared)) != _strftime(date_format):
        raise DataInputError(
            f"{_source(recommendations, source, 'recommendations')}: the register declares date_format "
            f"{declared!r} but the configuration says {date_format!r}; expected one format (change one of them)")
    fmt = date_format or (str(declared) if declared else None)

    # ---- recommendations
    raw_r = recommendations.reset_index(drop=True)
    acc_r = _Acc(raw_r, source=_source(recommendations, source, "recommendations"),
                 line=row_lines(recommendations))
    _blank_rows(raw_r, acc_r)
    recs = raw_r.copy()
    for col in RECOMMENDATION_COLUMNS:
        if col not in recs.columns:
            recs[col] = None
    for col in ("process_id", "rec_id", "title", "text", "theme", "addressee"):
        recs[col] = _text(recs[col])
    for col in ("cost_class", "challenges_policy", "prior_agenda"):
        recs[col] = _text(recs[col]).str.lower().fillna("unknown")
    recs["title"] = recs["title"].fillna("")
    acc_r.add(np.flatnonzero(recs["rec_id"].isna().to_numpy()), "rec_id", "missing_id",
              "rec_id is blank; every recommendation needs one", "an id used by no other row")
    acc_r.add(np.flatnonzero(recs["process_id"].isna().to_numpy()), "process_id", "missing_value",
              "process_id is blank; expected the id of the process that made the recommendation",
              "a process id")
    text_vote = as_code_strings(recs["vote_share"])
    vote = pd.to_numeric(text_vote, errors="coerce").astype(float)
    bad_vote = np.flatnonzero((vote.isna() & text_vote.notna()).to_numpy())
    acc_r.add(bad_vote, "vote_share", "type",
              [f"vote_share {text_vote.iloc[i]!r} is not a number; expected a share from 0 to 1" for i in bad_vote],
              "a share from 0 to 1")
    recs["vote_share"] = vote
    recs["submitted"] = _dates(recs["submitted"], "submitted", acc_r, fmt)
    notes_r = _pandera(recommendations_schema(), recs, acc_r, scheme, {"rec_id", "process_id", "submitted"})
    ordered_r = [*RECOMMENDATION_COLUMNS, *[c for c in recs.columns if c not in RECOMMENDATION_COLUMNS]]
    rec_result, rec_bad = _split(recommendations, recs[ordered_r], acc_r, notes_r)

    # ---- events
    raw_e = events.reset_index(drop=True)
    acc_e = _Acc(raw_e, source=_source(events, source, "events"), line=row_lines(events))
    _blank_rows(raw_e, acc_e)
    ev = raw_e.copy()
    for col in EVENT_COLUMNS:
        if col not in ev.columns:
            ev[col] = None
    for col in ("rec_id", "response_status", "fidelity", "impact_type", "source", "actor", "coder", "note"):
        ev[col] = _text(ev[col])
    acc_e.add(np.flatnonzero(ev["rec_id"].isna().to_numpy()), "rec_id", "missing_id",
              "rec_id is blank; every response needs the id of its recommendation",
              "the rec_id of a recommendation")
    statuses = f"one of {', '.join(scheme.codes('response_status'))}"
    acc_e.add(np.flatnonzero(ev["response_status"].isna().to_numpy()), "response_status",
              "missing_value", f"response_status is blank; expected {statuses}", statuses)
    ev["date"] = _dates(ev["date"], "date", acc_e, fmt)
    notes_e = _pandera(events_schema(scheme), ev, acc_e, scheme, {"rec_id", "date", "response_status"})

    # cross-table: every response belongs to a recommendation that passed, and follows it
    rec_ids = recs["rec_id"]
    ok_rec = {rid: i for i, rid in enumerate(rec_ids) if pd.notna(rid) and not rec_bad[i]}
    rf = rec_result.failures
    bad_reason = {rid: ", ".join(sorted(set(rf.loc[rf["id"] == rid, "check"])))
                  for rid, b in zip(rec_ids, rec_bad, strict=True) if b and pd.notna(rid)}
    quarantined_rec: list[int] = []
    unknown: list[int] = []
    early: list[int] = []
    early_msg: list[str] = []
    for i, rid in enumerate(ev["rec_id"]):
        if pd.isna(rid):
            continue
        if rid in bad_reason:
            quarantined_rec.append(i)
        elif rid not in ok_rec:
            unknown.append(i)
        else:
            sub, when = recs["submitted"].iloc[ok_rec[rid]], ev["date"].iloc[i]
            if pd.notna(sub) and pd.notna(when) and when < sub:
                early.append(i)
                early_msg.append(f"response dated {when:%Y-%m-%d}, before the recommendation was "
                                 f"submitted on {sub:%Y-%m-%d} (the end of the process)")
    acc_e.add(quarantined_rec, "rec_id", "recommendation_quarantined",
              [f"its recommendation {ev['rec_id'].iloc[i]!r} was quarantined "
               f"({bad_reason[ev['rec_id'].iloc[i]]}); fix the recommendation first" for i in quarantined_rec],
              "the rec_id of a valid recommendation")
    acc_e.add(unknown, "rec_id", "unknown_rec_id",
              [f"rec_id {ev['rec_id'].iloc[i]!r} is not in the recommendations table; expected the id "
               "of a recommendation" for i in unknown], "the rec_id of a recommendation")
    acc_e.add(early, "date", "before_submission", early_msg,
              "a date on or after the recommendation's submitted date")
    ordered_e = [*EVENT_COLUMNS, *[c for c in ev.columns if c not in EVENT_COLUMNS]]
    ev_result, _ = _split(events, ev[ordered_e], acc_e, notes_e)
    register = Register(rec_result.valid.reset_index(drop=True),
                        ev_result.valid.reset_index(drop=True), scheme)
    return RegisterValidation(recommendations=rec_result, events=ev_result, register=register)
