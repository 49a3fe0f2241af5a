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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from deliberval.canonical import _STR, _stripped_or_na, as_code_strings
from deliberval.errors import DataInputError
from deliberval.instruments.coding import CodingScheme, load_scheme
from deliberval.schemas.register import (
    COST_CLASSES,
    EVENT_COLUMNS,
    EVIDENCE_COLUMNS,
    EVIDENCE_FIELDS,
    RECOMMENDATION_COLUMNS,
    REQUIRED_EVENT_COLUMNS,
    REQUIRED_EVIDENCE_COLUMNS,
    REQUIRED_RECOMMENDATION_COLUMNS,
    YES_NO_UNKNOWN,
    Register,
    empty_evidence,
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

__all__ = ["PassageCheck", "RegisterValidation", "find_passage", "validate_register"]

#: A pluggable evidence check: ``(document, page or None, passage) -> None`` when the passage is
#: in the document (on that page), else one sentence saying what is wrong.
PassageCheck = Callable[[str, "int | None", str], "str | None"]

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
        The valid rows of the tables (index reset) and the coding scheme: the input of
        :func:`deliberval.analysis.uptake.uptake`.
    evidence : ValidationResult or None
        The evidence table (``id`` is the ``rec_id`` the passage is about), when one was given.
    """

    recommendations: ValidationResult
    events: ValidationResult
    register: Register
    evidence: ValidationResult | None = None

    def _results(self) -> list[tuple[str, ValidationResult]]:
        out = [("recommendations", self.recommendations), ("events", self.events)]
        return out + ([("evidence", self.evidence)] if self.evidence is not None else [])

    @property
    def all_valid(self) -> bool:
        """True when no row of any table was quarantined."""
        return all(r.all_valid for _, r in self._results())

    @property
    def failures(self) -> pd.DataFrame:
        """Failures of every table, with the table's name first (``table``)."""
        return _stack([(name, r.failures) for name, r in self._results()])

    @property
    def summary(self) -> pd.DataFrame:
        """Summaries of every table, with the table's name first (``table``)."""
        return _stack([(name, r.summary) for name, r in self._results()])

    def tables(self) -> dict[str, pd.DataFrame]:
        """The valid register tables, all failures and the summary, by name (for writers)."""
        out = {"recommendations": self.register.recommendations, "events": self.register.events}
        if self.evidence is not None:
            out["evidence"] = self.register.evidence
        return {**out, "failures": self.failures, "summary": self.summary}

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


def _stack(tables: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    parts = [df.assign(table=name) for name, df in tables]
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
            message: str | list[str], expected: str, severity: str = "error") -> None:
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
        self.failures.add(mask, column, raw, check, severity, msgs, expected)


def _text(col: pd.Series) -> pd.Series:
    """Strings with surrounding blanks removed; empty cells become missing."""
    if col.dtype == _STR and isinstance(col.array, pd.arrays.ArrowStringArray):  # as read: one Arrow pass
        return _stripped_or_na(col)
    out = col.astype("string").str.strip()
    return out.mask(out == "").astype("str").where(out.notna(), None)


def _prepare(table: pd.DataFrame, name: str, source: str | None, columns: Sequence[str],
             text: Sequence[str]) -> tuple[_Acc, pd.DataFrame]:
    """One register table as read -> (the accumulator of its rows, blank rows skipped; a working copy
    holding every expected column, ``text`` columns stripped)."""
    raw = table.reset_index(drop=True)
    acc = _Acc(raw, source=_source(table, source, name), line=row_lines(table))
    _blank_rows(raw, acc)
    work = raw.copy()
    for col in columns:
        if col not in work.columns:
            work[col] = None
    for col in text:
        work[col] = _text(work[col])
    return acc, work


def _blank_rows(raw: pd.DataFrame, acc: _Acc) -> None:
    blank = np.ones(len(raw), dtype=bool)
    for col in raw.columns:
        if not blank.any():  # no row can be blank any more: the other columns change nothing
            break
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
    evidence: pd.DataFrame | None = None,
    documents: pd.DataFrame | PassageCheck | None = None,
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
    evidence : pandas.DataFrame, optional
        The passages of public documents that back the codes (columns
        :data:`~deliberval.schemas.register.EVIDENCE_COLUMNS`; ``rec_id, field, code, document,
        passage`` required), e.g. the ``evidence`` sheet read by
        :func:`deliberval.io.register.read_register`.
    documents : pandas.DataFrame or callable, optional
        What the quoted passages are checked against: a passages table with ``document``,
        ``text`` and (optionally) ``page`` columns, as
        :func:`deliberval.io.documents.read_documents` returns (any reader that writes that
        table plugs in), or a :data:`PassageCheck` callable. None: the passages are not looked
        up (their hashes are still checked).

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
      submitted, i.e. before the end of the process);
    - evidence: ``missing_id``, ``missing_value`` (blank ``field``, ``code``, ``document`` or
      ``passage``), ``not_allowed`` (a ``field`` other than response_status / fidelity /
      prior_agenda, or a code that is not one of that field's), ``type`` (``page`` not a
      whole number from 1), ``date`` (``coded_on`` not a date; blank is allowed),
      ``hash_mismatch`` (``passage_sha256`` is not the SHA-256 of the passage with its white space
      collapsed; blank: computed), ``unknown_rec_id``, ``recommendation_quarantined``,
      ``code_not_coded`` (the register holds no such code for that recommendation: no valid
      event with that status or fidelity, or another prior agenda without a coder named: a
      named coder's other prior agenda is that coder's code, a ``coder_code`` warning, used
      for the agreement between coders); with ``documents``:
      ``document_not_supplied`` and ``passage_not_found`` (the quoted text, white space
      collapsed, is not in that document, or not on the page given).

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
    acc_r, recs = _prepare(recommendations, "recommendations", source, RECOMMENDATION_COLUMNS,
                                  ("process_id", "rec_id", "title", "text", "theme", "addressee"))
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
    acc_e, ev = _prepare(events, "events", source, EVENT_COLUMNS,
                                ("rec_id", "response_status", "fidelity", "impact_type", "source", "actor",
                                 "coder", "note"))
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
    evi_result = None
    if evidence is not None:
        evi_result = _validate_evidence(evidence, scheme, recs, rec_bad, bad_reason, ev_result.valid,
                                        documents, fmt, source)
    register = Register(rec_result.valid.reset_index(drop=True),
                        ev_result.valid.reset_index(drop=True), scheme,
                        empty_evidence() if evi_result is None else evi_result.valid.reset_index(drop=True))
    return RegisterValidation(recommendations=rec_result, events=ev_result, register=register,
                              evidence=evi_result)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 3] + "..."


def _collapse(text: str) -> str:
    return " ".join(str(text).split())


def find_passage(documents: pd.DataFrame) -> PassageCheck:
    """A :data:`PassageCheck` that looks quoted passages up in a passages table.

    Parameters
    ----------
    documents : pandas.DataFrame
        ``document``, ``text`` and optionally ``page`` (e.g.
        :func:`deliberval.io.documents.read_documents`).

    Returns
    -------
    callable
        ``check(document, page, passage)``: None when the passage, its white space collapsed,
        occurs in the document's text (its passages joined by a space, so a quote may run over
        two passages) and, when ``page`` is given and the document has pages, on that page (or
        running on from it); else one sentence saying what is wrong.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"document": "response.txt", "page": [None, None],
    ...                      "text": ["The Government accepts recommendation 1.", "It will legislate."]})
    >>> check = find_passage(docs)
    >>> check("response.txt", None, "accepts  recommendation 1. It will") is None
    True
    >>> check("response.txt", None, "rejects recommendation 1")
    "the passage 'rejects recommendation 1' is not in document 'response.txt'"
    """
    missing = [c for c in ("document", "text") if c not in documents.columns]
    if missing:
        raise DataInputError(f"the documents table has no {missing[0]!r} column; expected a passages "
                             "table such as deliberval.io.documents.read_documents returns")
    pages = documents["page"] if "page" in documents.columns else pd.Series(pd.NA, index=documents.index)
    whole: dict[str, str] = {}
    by_page: dict[str, list[tuple[int, str]]] = {}
    for doc, g in documents.assign(_page=pages).groupby("document", sort=False):
        texts = [_collapse(t) for t in g["text"].fillna("").astype(str)]
        whole[str(doc)] = " ".join(texts)
        if g["_page"].notna().any():
            numbered: dict[int, list[str]] = {}
            for pg, tx in zip(g["_page"], texts, strict=True):
                if pd.notna(pg):
                    numbered.setdefault(int(pg), []).append(tx)
            by_page[str(doc)] = sorted((k, " ".join(v)) for k, v in numbered.items())
    names = sorted(whole)

    def check(document: str, page: int | None, passage: str) -> str | None:
        doc = str(document)
        quote = _collapse(passage)
        short = _short(quote, 60)
        if doc not in whole:
            listed = ", ".join(names[:8]) + (" ..." if len(names) > 8 else "")
            return f"document {doc!r} is not among the documents supplied ({listed})"
        if quote not in whole[doc]:
            return f"the passage {short!r} is not in document {doc!r}"
        if page is None or doc not in by_page:
            return None
        pages_ = by_page[doc]
        for j, (number, text) in enumerate(pages_):
            if number == page:
                nxt = pages_[j + 1][1] if j + 1 < len(pages_) else ""
                if quote in text or quote in f"{text} {nxt}":
                    return None
        found = [n for n, text in pages_ if quote in text]
        where = f"; it is on page {found[0]}" if found else ""
        return f"the passage {short!r} is not on page {page} of document {doc!r}{where}"

    return check


def _validate_evidence(raw_in: pd.DataFrame, scheme: CodingScheme, recs: pd.DataFrame, rec_bad: np.ndarray,
                       bad_reason: dict[str, str], events: pd.DataFrame,
                       documents: pd.DataFrame | PassageCheck | None, fmt: str | None,
                       source: str | None) -> ValidationResult:
    from deliberval.io.documents import passage_hash

    _check_columns("evidence", raw_in, REQUIRED_EVIDENCE_COLUMNS)
    acc, evi = _prepare(raw_in, "evidence", source, EVIDENCE_COLUMNS,
                             ("rec_id", "field", "code", "document", "passage_sha256", "coder"))
    evi["field"] = evi["field"].str.lower()
    evi["passage_sha256"] = evi["passage_sha256"].str.lower()
    evi["passage"] = _text(evi["passage"])
    acc.add(np.flatnonzero(evi["rec_id"].isna().to_numpy()), "rec_id", "missing_id",
            "rec_id is blank; every passage backs the code of one recommendation",
            "the rec_id of a recommendation")
    fields = ", ".join(EVIDENCE_FIELDS)
    allowed = {"response_status": list(scheme.codes("response_status")),
               "fidelity": list(scheme.codes("fidelity")), "prior_agenda": list(YES_NO_UNKNOWN)}
    for col, expected in (("field", f"one of {fields}"), ("code", "a code of the field"),
                          ("document", "the file name of a public document"),
                          ("passage", "the passage quoted from the document")):
        idx = np.flatnonzero(evi[col].isna().to_numpy())
        acc.add(idx, col, "missing_value", f"{col} is blank; expected {expected}", expected)
    bad_field = [i for i, f in enumerate(evi["field"]) if pd.notna(f) and f not in allowed]
    acc.add(bad_field, "field", "not_allowed",
            [f"field {evi['field'].iloc[i]!r} is not a coded field that evidence can back; expected one "
             f"of {fields}" for i in bad_field], f"one of {fields}")
    bad_code, code_msgs = [], []
    for i, (f, c) in enumerate(zip(evi["field"], evi["code"], strict=True)):
        if pd.notna(f) and f in allowed and pd.notna(c) and c not in allowed[f]:
            origin = f" (coding scheme {scheme.id} {scheme.version})" if f != "prior_agenda" else ""
            bad_code.append(i)
            code_msgs.append(f"unknown {f} code {c!r}; expected one of {', '.join(allowed[f])}{origin}")
    acc.add(bad_code, "code", "not_allowed", code_msgs, "a code of the field")
    # page: a whole number from 1, blank for documents without pages
    page_text = as_code_strings(evi["page"])
    page_num = pd.to_numeric(page_text, errors="coerce")
    bad_page = np.flatnonzero((page_text.notna() & (page_num.isna() | (page_num < 1)
                                                    | (page_num % 1 != 0))).to_numpy())
    acc.add(bad_page, "page", "type",
            [f"page {page_text.iloc[i]!r} is not a page number; expected a whole number from 1 (blank for "
             "documents without pages)" for i in bad_page], "a whole number from 1, or blank")
    page_num = page_num.where((page_num >= 1) & (page_num % 1 == 0))
    evi["page"] = pd.array([None if pd.isna(v) else int(v) for v in page_num], dtype="Int64")
    # coded_on: optional date
    dates: list[pd.Timestamp | None] = []
    bad_date, date_msgs = [], []
    for i, v in enumerate(as_code_strings(evi["coded_on"]).tolist()):
        if v is None or (not isinstance(v, str) and pd.isna(v)) or not str(v).strip():
            dates.append(None)
            continue
        ts, why = _date_problem(evi["coded_on"].iloc[i], fmt)
        dates.append(ts)
        if ts is None:
            bad_date.append(i)
            date_msgs.append(f"coded_on {str(v).strip()!r} {why}")
    acc.add(bad_date, "coded_on", "date", date_msgs, f"{_DATE_EXPECTED}, or blank")
    dates = pd.to_datetime(pd.Series(dates, dtype=object, index=evi.index)).astype("datetime64[ns]")
    evi["coded_on"] = dates
    # the hash: computed from the passage; a hash typed in must match
    computed = [None if pd.isna(p) else passage_hash(str(p)) for p in evi["passage"]]
    mism = [i for i, (given, h) in enumerate(zip(evi["passage_sha256"], computed, strict=True))
            if pd.notna(given) and h is not None and given != h]
    acc.add(mism, "passage_sha256", "hash_mismatch",
            [f"passage_sha256 {_short(evi['passage_sha256'].iloc[i], 20)!r} is not the SHA-256 of the passage "
             f"(white space collapsed: {computed[i]}); the passage was changed after it was hashed, or the "
             "hash belongs to another passage; expected that hash or a blank cell" for i in mism],
            "the SHA-256 of the passage, or blank")
    evi["passage_sha256"] = pd.Series(computed, index=evi.index, dtype=object)
    # cross-table: the recommendation passed, and the register holds the code backed
    ok = {rid: i for i, rid in enumerate(recs["rec_id"]) if pd.notna(rid) and not rec_bad[i]}
    held: dict[tuple[str, str], set[str]] = {}
    for f in ("response_status", "fidelity"):
        for rid, c in zip(events["rec_id"], events[f], strict=True):
            if pd.notna(c):
                held.setdefault((str(rid), f), set()).add(str(c))
    for rid, i in ok.items():
        held[(str(rid), "prior_agenda")] = {str(recs["prior_agenda"].iloc[i])}
    quarantined_rec, unknown, uncoded, uncoded_msg, other, other_msg = [], [], [], [], [], []
    for i, (rid, f, c) in enumerate(zip(evi["rec_id"], evi["field"], evi["code"], strict=True)):
        if pd.isna(rid):
            continue
        if rid in bad_reason:
            quarantined_rec.append(i)
        elif rid not in ok:
            unknown.append(i)
        elif pd.notna(f) and f in allowed and pd.notna(c) and c in allowed[f]:
            have = held.get((str(rid), f), set())
            if c not in have and f == "prior_agenda" and pd.notna(evi["coder"].iloc[i]):
                other.append(i)
                other_msg.append(f"coder {evi['coder'].iloc[i]!r} codes prior_agenda {c!r} for {rid!r} where the "
                                 f"register holds {sorted(have)[0]!r}; kept as that coder's code (agreement "
                                 "between coders)")
            elif c not in have:
                uncoded.append(i)
                if f == "prior_agenda":
                    uncoded_msg.append(f"recommendation {rid!r} has prior_agenda {sorted(have)[0]!r}, not {c!r}; "
                                       "expected evidence of the code the register holds")
                else:
                    now = f" (its events hold {', '.join(sorted(have))})" if have else ""
                    uncoded_msg.append(f"no valid response event of {rid!r} has {f} {c!r}{now}; expected "
                                       "evidence of a code the register holds")
    acc.add(quarantined_rec, "rec_id", "recommendation_quarantined",
            [f"its recommendation {evi['rec_id'].iloc[i]!r} was quarantined "
             f"({bad_reason[evi['rec_id'].iloc[i]]}); fix the recommendation first" for i in quarantined_rec],
            "the rec_id of a valid recommendation")
    acc.add(unknown, "rec_id", "unknown_rec_id",
            [f"rec_id {evi['rec_id'].iloc[i]!r} is not in the recommendations table; expected the id "
             "of a recommendation" for i in unknown], "the rec_id of a recommendation")
    acc.add(uncoded, "code", "code_not_coded", uncoded_msg, "a code the register holds for the recommendation")
    acc.add(other, "code", "coder_code", other_msg, "the register's code, or another coder's", severity="warning")
    # the documents: the quoted passage must be in the document named (on the page given)
    if documents is not None:
        check = documents if callable(documents) else find_passage(documents)
        absent_doc, absent_doc_msg, absent, absent_msg = [], [], [], []
        for i, (doc, pg, passage) in enumerate(zip(evi["document"], evi["page"], evi["passage"], strict=True)):
            if pd.isna(doc) or pd.isna(passage):
                continue
            problem = check(str(doc), None if pd.isna(pg) else int(pg), str(passage))
            if problem is None:
                continue
            if problem.startswith("document "):
                absent_doc.append(i)
                absent_doc_msg.append(f"{problem}; expected one of the documents given with the register")
            else:
                absent.append(i)
                absent_msg.append(f"{problem}; expected text quoted from that document (copy it from the "
                                  "document, or from the candidates of 'deliberval uptake trace')")
        acc.add(absent_doc, "document", "document_not_supplied", absent_doc_msg, "a document supplied")
        acc.add(absent, "passage", "passage_not_found", absent_msg, "a passage of the document named")
    ordered = [*EVIDENCE_COLUMNS, *[c for c in evi.columns if c not in EVIDENCE_COLUMNS]]
    result, _ = _split(raw_in, evi[ordered], acc, [])
    return result

