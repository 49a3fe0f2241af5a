"""Schemas of the recommendation uptake register: *recommendations* and *response events*.

The register is two tables. ``recommendations`` has one row per recommendation; ``events`` has
one row per coded public response (a recommendation can have many, e.g. acknowledged, then
accepted in principle, then implemented). Codes come from a versioned coding scheme
(:mod:`deliberval.instruments.coding`), so the schemas are built from the scheme.

This module only describes the tables (pandera schemas, column lists, the :class:`Register`
type). :func:`deliberval.validation.register.validate_register` runs the checks and quarantines
bad rows; :func:`deliberval.analysis.uptake.uptake` takes the :class:`Register` it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from deliberval.instruments.coding import CodingScheme, load_scheme

__all__ = [
    "COST_CLASSES",
    "EVENT_COLUMNS",
    "EVIDENCE_COLUMNS",
    "EVIDENCE_FIELDS",
    "RECOMMENDATION_COLUMNS",
    "REQUIRED_EVENT_COLUMNS",
    "REQUIRED_EVIDENCE_COLUMNS",
    "REQUIRED_RECOMMENDATION_COLUMNS",
    "YES_NO_UNKNOWN",
    "Register",
    "empty_evidence",
    "events_schema",
    "evidence_schema",
    "recommendations_schema",
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
#: Required columns of the recommendations table.
REQUIRED_RECOMMENDATION_COLUMNS: tuple[str, ...] = _REC_REQUIRED
#: Required columns of the response-events table.
REQUIRED_EVENT_COLUMNS: tuple[str, ...] = _EVENT_REQUIRED
#: Columns of the evidence table (one row per quoted passage backing one code), in order; the
#: required: ``rec_id, field, code, document, passage``.
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "rec_id", "field", "code", "document", "page", "passage", "passage_sha256", "coder", "coded_on",
)
#: Required columns of the evidence table.
REQUIRED_EVIDENCE_COLUMNS: tuple[str, ...] = ("rec_id", "field", "code", "document", "passage")
#: The coded fields a passage can back: an event's status and fidelity, a recommendation's prior agenda.
EVIDENCE_FIELDS: tuple[str, ...] = ("response_status", "fidelity", "prior_agenda")
YES_NO_UNKNOWN: tuple[str, ...] = ("yes", "no", "unknown")
COST_CLASSES: tuple[str, ...] = ("low", "medium", "high", "unknown")


@dataclass(frozen=True)
class Register:
    """A validated uptake register: the two tables and the coding scheme they follow.

    Built by :func:`deliberval.validation.register.validate_register` from the rows that passed
    every check (or by the register simulators); :func:`deliberval.analysis.uptake.uptake` takes
    it as it is, without checking it again.

    Attributes
    ----------
    recommendations : pandas.DataFrame
        Every column of :data:`RECOMMENDATION_COLUMNS` (in that order, then any extra column),
        ``submitted`` parsed to ``datetime64[ns]``, blank text as missing, blank
        ``prior_agenda`` / ``challenges_policy`` / ``cost_class`` as ``"unknown"``; index reset.
    events : pandas.DataFrame
        Every column of :data:`EVENT_COLUMNS` (then any extra column), ``date`` parsed; every
        ``rec_id`` is one of the recommendations and no response predates its recommendation.
    scheme : CodingScheme
        The coding scheme the codes were checked against.
    evidence : pandas.DataFrame
        The passages of public documents that back the codes: every column of
        :data:`EVIDENCE_COLUMNS` (then any extra column), one row per quoted passage,
        ``page`` nullable ``Int64``, ``coded_on`` parsed, ``passage_sha256`` the SHA-256 of the
        passage (:func:`deliberval.io.documents.passage_hash`); every row backs a code the
        register holds for that recommendation. Empty (same columns) when no evidence was given.
    """

    recommendations: pd.DataFrame
    events: pd.DataFrame
    scheme: CodingScheme
    evidence: pd.DataFrame = field(default_factory=lambda: empty_evidence())

    def __repr__(self) -> str:
        more = f", {len(self.evidence)} evidence passages" if len(self.evidence) else ""
        return (f"Register({len(self.recommendations)} recommendations, {len(self.events)} events{more}, "
                f"coding scheme {self.scheme.id} {self.scheme.version})")


def empty_evidence() -> pd.DataFrame:
    """An evidence table with no rows (the columns and dtypes of a validated one)."""
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in EVIDENCE_COLUMNS})
    out["page"] = out["page"].astype("Int64")
    out["coded_on"] = out["coded_on"].astype("datetime64[ns]")
    return out


def recommendations_schema() -> pa.DataFrameSchema:
    """Pandera schema of the (normalised) recommendations table.

    Columns: ``process_id``, ``rec_id`` (unique), ``title``, ``submitted`` (date the
    recommendations were handed to the authority, i.e. the end of the process), ``text``,
    ``theme``, ``addressee``, ``vote_share`` (share of the final plenary vote in favour, 0-1),
    ``cost_class`` (low / medium / high / unknown), ``challenges_policy`` and ``prior_agenda``
    (yes / no / unknown; blank means unknown).

    Examples
    --------
    >>> from deliberval.schemas.register import recommendations_schema
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
    >>> from deliberval.schemas.register import events_schema
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


def evidence_schema(scheme: CodingScheme | None = None) -> pa.DataFrameSchema:
    """Pandera schema of the (normalised) evidence table.

    Columns: ``rec_id``; ``field`` (one of :data:`EVIDENCE_FIELDS`); ``code`` (a code of that
    field: a ``response_status`` or ``fidelity`` code of the scheme, or yes / no / unknown for
    ``prior_agenda``); ``document`` (file name of the public document); ``passage`` (the quoted
    text); ``page`` (1-based, blank for documents without pages); ``passage_sha256`` (SHA-256 of
    the passage with its white space collapsed); ``coder``; ``coded_on`` (date of the coding).

    Examples
    --------
    >>> from deliberval.schemas.register import evidence_schema
    >>> list(evidence_schema().columns)[:5]
    ['rec_id', 'field', 'code', 'document', 'page']
    """
    scheme = scheme or load_scheme()
    codes = sorted({*scheme.codes("response_status"), *scheme.codes("fidelity"), *YES_NO_UNKNOWN})
    return pa.DataFrameSchema(
        {
            "rec_id": pa.Column(str, pa.Check.str_length(min_value=1)),
            "field": pa.Column(str, pa.Check.isin(EVIDENCE_FIELDS)),
            "code": pa.Column(str, pa.Check.isin(codes)),
            "document": pa.Column(str, pa.Check.str_length(min_value=1)),
            "page": pa.Column("Int64", pa.Check.ge(1), nullable=True),
            "passage": pa.Column(str, pa.Check.str_length(min_value=1)),
            "passage_sha256": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{64}$")),
            "coder": pa.Column(str, nullable=True),
            "coded_on": pa.Column("datetime64[ns]", nullable=True),
        },
        strict=False,
        name="evidence",
    )
