"""Schemas of the recommendation uptake register: *recommendations* and *response events*.

The register is two tables. ``recommendations`` has one row per recommendation; ``events`` has
one row per coded public response (a recommendation can have many, e.g. acknowledged, then
accepted in principle, then implemented). Codes come from a versioned coding scheme
(:mod:`deliberval.coding`), so the schemas are built from the scheme.

:func:`validate_register` is the one gate every reader, simulator and analysis goes through: it
fills optional columns, parses dates and checks codes, uniqueness and cross-table rules, and
raises a :class:`~deliberval.errors.DataInputError` naming every offending row. Nothing is
dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from deliberval.coding import CodingScheme, load_scheme
from deliberval.errors import DataInputError

__all__ = [
    "COST_CLASSES",
    "EVENT_COLUMNS",
    "RECOMMENDATION_COLUMNS",
    "YES_NO_UNKNOWN",
    "Register",
    "events_schema",
    "recommendations_schema",
    "validate_register",
]

#: Columns of the recommendations table, in order; the first four are required.
RECOMMENDATION_COLUMNS: tuple[str, ...] = (
    "process_id", "rec_id", "title", "submitted", "text", "theme", "addressee", "vote_share",
    "cost_class", "challenges_policy", "prior_agenda",
)
_REC_REQUIRED = RECOMMENDATION_COLUMNS[:4]
#: Columns of the response-events table, in order; the first three are required.
EVENT_COLUMNS: tuple[str, ...] = (
    "rec_id", "date", "response_status", "fidelity", "impact_type", "source", "actor", "coder",
    "note",
)
_EVENT_REQUIRED = EVENT_COLUMNS[:3]
YES_NO_UNKNOWN: tuple[str, ...] = ("yes", "no", "unknown")
COST_CLASSES: tuple[str, ...] = ("low", "medium", "high", "unknown")
_MAX_LISTED = 25


@dataclass(frozen=True)
class Register:
    """A validated uptake register: the two tables and the coding scheme they follow."""

    recommendations: pd.DataFrame
    events: pd.DataFrame
    scheme: CodingScheme


def recommendations_schema() -> pa.DataFrameSchema:
    """Pandera schema of the (normalised) recommendations table.

    Columns: ``process_id``, ``rec_id`` (unique), ``title``, ``submitted`` (date the
    recommendations were handed to the authority, i.e. the end of the process), ``text``,
    ``theme``, ``addressee``, ``vote_share`` (share of the final plenary vote in favour, 0-1),
    ``cost_class`` (low / medium / high / unknown), ``challenges_policy`` and ``prior_agenda``
    (yes / no / unknown; blank means unknown).

    Examples
    --------
    >>> from deliberval.schemas.uptake import recommendations_schema
    >>> list(recommendations_schema().columns)[:4]
    ['process_id', 'rec_id', 'title', 'submitted']
    """
    return pa.DataFrameSchema(
        {
            "process_id": pa.Column(str, pa.Check.str_length(min_value=1)),
            "rec_id": pa.Column(str, pa.Check.str_length(min_value=1), unique=True),
            "title": pa.Column(str),
            "submitted": pa.Column("datetime64[ns]"),
            "text": pa.Column(str, nullable=True),
            "theme": pa.Column(str, nullable=True),
            "addressee": pa.Column(str, nullable=True),
            "vote_share": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
            "cost_class": pa.Column(str, pa.Check.isin(COST_CLASSES)),
            "challenges_policy": pa.Column(str, pa.Check.isin(YES_NO_UNKNOWN)),
            "prior_agenda": pa.Column(str, pa.Check.isin(YES_NO_UNKNOWN)),
        },
        strict=False,
        name="recommendations",
    )


def events_schema(scheme: CodingScheme | None = None) -> pa.DataFrameSchema:
    """Pandera schema of the (normalised) response-events table for a coding scheme.

    Examples
    --------
    >>> from deliberval.schemas.uptake import events_schema
    >>> events_schema().columns["response_status"].nullable
    False
    """
    scheme = scheme or load_scheme()
    return pa.DataFrameSchema(
        {
            "rec_id": pa.Column(str, pa.Check.str_length(min_value=1)),
            "date": pa.Column("datetime64[ns]"),
            "response_status": pa.Column(str, pa.Check.isin(scheme.codes("response_status"))),
            "fidelity": pa.Column(str, pa.Check.isin(scheme.codes("fidelity")), nullable=True),
            "impact_type": pa.Column(str, pa.Check.isin(scheme.codes("impact_type")), nullable=True),
            "source": pa.Column(str, nullable=True),
            "actor": pa.Column(str, nullable=True),
            "coder": pa.Column(str, nullable=True),
            "note": pa.Column(str, nullable=True),
        },
        strict=False,
        name="events",
    )


def _text(col: pd.Series) -> pd.Series:
    """Strings with surrounding blanks removed; empty cells become missing."""
    out = col.astype("string").str.strip()
    return out.mask(out == "").astype("str").where(out.notna(), None)


def _dates(col: pd.Series, what: str, name: str, rows: list[str], problems: list[str]) -> pd.Series:
    parsed = pd.to_datetime(col, errors="coerce", format="mixed")
    bad = parsed.isna()
    for i in bad[bad].index:
        value = col.loc[i]
        shown = "a blank cell" if pd.isna(value) or str(value).strip() == "" else repr(value)
        problems.append(f"{what} {rows[i]}: {name} is {shown}; expected a date such as 2024-05-31")
    return parsed.astype("datetime64[ns]")


def validate_register(
    recommendations: pd.DataFrame,
    events: pd.DataFrame,
    scheme: CodingScheme | None = None,
    *,
    first_row: int = 1,
    source: str = "",
) -> Register:
    """Normalise and check an uptake register; raise naming every bad row.

    Parameters
    ----------
    recommendations, events : DataFrame
        The two tables (see :func:`recommendations_schema` and :func:`events_schema`).
        Optional columns may be absent; extra columns are kept.
    scheme : CodingScheme, optional
        Coding scheme of the codes (default: the shipped ``uptake`` 1.0.0).
    first_row : int, default 1
        Number given to the first data row in messages (readers pass 2 so that numbers are
        the line numbers of a file with one header line).
    source : str, optional
        File name prefixed to the error message.

    Returns
    -------
    Register
        Copies of the tables with every optional column present, dates parsed, blank text cells
        as missing, blank ``prior_agenda`` / ``challenges_policy`` / ``cost_class`` as
        ``"unknown"``; the index is reset.

    Raises
    ------
    DataInputError
        Listing every problem: missing columns, a code not in the scheme, an unparseable date, a
        duplicate ``rec_id`` (with both rows), a response for an unknown ``rec_id``, or a response
        dated before its recommendation was submitted (the end of the process).

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.schemas.uptake import validate_register
    >>> recs = pd.DataFrame({"process_id": ["p1"], "rec_id": ["r1"], "title": ["Bike lanes"],
    ...                      "submitted": ["2024-03-01"]})
    >>> ev = pd.DataFrame({"rec_id": ["r1"], "date": ["2024-02-20"],
    ...                    "response_status": ["accepted_in_principle"]})
    >>> validate_register(recs, ev)
    Traceback (most recent call last):
    ...
    deliberval.errors.DataInputError: 1 problem(s) in the uptake register:
      - events row 1 (rec_id 'r1'): response dated 2024-02-20, before the recommendation was submitted on 2024-03-01 (the end of the process)
    """
    scheme = scheme or load_scheme()
    for what, df, required in (
        ("recommendations", recommendations, _REC_REQUIRED),
        ("events", events, _EVENT_REQUIRED),
    ):
        if not isinstance(df, pd.DataFrame):
            raise DataInputError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
        missing = [c for c in required if c not in df.columns]
        if missing:
            raise DataInputError(
                f"{source + ': ' if source else ''}{what} table has no column(s) "
                f"{', '.join(map(repr, missing))}; required: {', '.join(required)}"
            )
    problems: list[str] = []
    recs = recommendations.reset_index(drop=True).copy()
    ev = events.reset_index(drop=True).copy()

    def labels(df: pd.DataFrame) -> list[str]:
        ids = df["rec_id"].astype("string").fillna("")
        return [f"row {i + first_row} (rec_id {rid!r})" for i, rid in enumerate(ids)]

    rec_rows, ev_rows = labels(recs), labels(ev)

    for col in RECOMMENDATION_COLUMNS:
        if col not in recs.columns:
            recs[col] = None
    for col in ("process_id", "rec_id", "title", "text", "theme", "addressee"):
        recs[col] = _text(recs[col])
    for col, default in (("cost_class", "unknown"), ("challenges_policy", "unknown"),
                         ("prior_agenda", "unknown")):
        recs[col] = _text(recs[col]).str.lower().fillna(default)
    recs["title"] = recs["title"].fillna("")
    vote = pd.to_numeric(recs["vote_share"], errors="coerce")
    for i in recs.index[vote.isna() & recs["vote_share"].notna()]:
        problems.append(f"recommendations {rec_rows[i]}: vote_share {recs.loc[i, 'vote_share']!r} is not a number")
    recs["vote_share"] = vote.astype(float)
    recs["submitted"] = _dates(recs["submitted"], "recommendations", "submitted", rec_rows, problems)

    for col in EVENT_COLUMNS:
        if col not in ev.columns:
            ev[col] = None
    for col in ("rec_id", "response_status", "fidelity", "impact_type", "source", "actor",
                "coder", "note"):
        ev[col] = _text(ev[col])
    ev["date"] = _dates(ev["date"], "events", "date", ev_rows, problems)

    # pandera: types, codes, ranges, uniqueness
    for what, df, schema, rows in (
        ("recommendations", recs, recommendations_schema(), rec_rows),
        ("events", ev, events_schema(scheme), ev_rows),
    ):
        try:
            schema.validate(df, lazy=True)
        except pa.errors.SchemaErrors as exc:
            problems += _describe(exc.failure_cases, what, rows, df, scheme)

    # cross-table rules
    known = dict(zip(recs["rec_id"], recs.index, strict=True))
    for i, rid in ev["rec_id"].items():
        if rid is None or pd.isna(rid):
            continue
        if rid not in known:
            problems.append(f"events {ev_rows[i]}: rec_id is not in the recommendations table")
            continue
        sub, when = recs.loc[known[rid], "submitted"], ev.loc[i, "date"]
        if pd.notna(sub) and pd.notna(when) and when < sub:
            problems.append(
                f"events {ev_rows[i]}: response dated {when:%Y-%m-%d}, before the recommendation "
                f"was submitted on {sub:%Y-%m-%d} (the end of the process)"
            )
    if problems:
        shown = problems[:_MAX_LISTED]
        more = f"\n  ... and {len(problems) - _MAX_LISTED} more" if len(problems) > _MAX_LISTED else ""
        head = f"{source}: " if source else ""
        raise DataInputError(
            f"{head}{len(problems)} problem(s) in the uptake register:\n"
            + "\n".join(f"  - {p}" for p in shown) + more
        )
    ordered_r = list(RECOMMENDATION_COLUMNS) + [c for c in recs.columns if c not in RECOMMENDATION_COLUMNS]
    ordered_e = list(EVENT_COLUMNS) + [c for c in ev.columns if c not in EVENT_COLUMNS]
    return Register(recs[ordered_r], ev[ordered_e], scheme)


def _describe(fc: pd.DataFrame, what: str, rows: list[str], df: pd.DataFrame,
              scheme: CodingScheme) -> list[str]:
    out: list[str] = []
    dup_seen: set[str] = set()
    for rec in fc.itertuples(index=False):
        col, check, idx = str(rec.column), str(rec.check), rec.index
        if idx is None or pd.isna(idx):  # column-level failure, e.g. wrong dtype
            out.append(f"{what}: column {col!r} fails {check} ({rec.failure_case!r})")
            continue
        i = int(idx)
        value = rec.failure_case
        if check == "field_uniqueness":
            if str(value) in dup_seen:
                continue
            dup_seen.add(str(value))
            where = [rows[j].split(" (")[0] for j in df.index[df[col] == value]]
            out.append(f"{what} {rows[i]}: duplicate {col} {value!r}, found in {', '.join(where)}")
        elif check.startswith("isin"):
            coded = col in ("response_status", "fidelity", "impact_type")
            allowed = (scheme.codes(col) if coded
                       else COST_CLASSES if col == "cost_class" else YES_NO_UNKNOWN)
            origin = f" (coding scheme {scheme.id} {scheme.version})" if coded else ""
            out.append(f"{what} {rows[i]}: unknown {col} code {value!r}; expected one of "
                       f"{', '.join(allowed)}{origin}")
        elif check == "not_nullable":
            if col in ("submitted", "date"):  # already reported by _dates with the raw value
                continue
            out.append(f"{what} {rows[i]}: {col} is blank")
        else:
            out.append(f"{what} {rows[i]}: {col} {value!r} fails {check}")
    return out
