"""One process's inputs, read once and validated once: :func:`load_process` -> :class:`ProcessData`.

This is the data-in door of the pipeline. Every file named by a :class:`~deliberval.io.config.ProcessConfig`
is read once (its SHA-256 taken from the same bytes), turned into a canonical table by
:mod:`deliberval.io`, and validated by the one result type of :mod:`deliberval.validation`
(valid / quarantined / failures / summary). Nothing after this floor reads a file or validates
again: :func:`deliberval.indicators.evaluate_process` takes a :class:`ProcessData`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from deliberval.canonical import ID_COLUMNS
from deliberval.errors import DataInputError
from deliberval.instruments import list_instruments, load_instrument
from deliberval.instruments.model import Instrument
from deliberval.io import InputFile, read_responses, read_table
from deliberval.io.config import ProcessConfig
from deliberval.privacy import free_text_columns
from deliberval.validation.responses import validate
from deliberval.validation.result import ValidationResult
from deliberval.validation.tables import validate_members, validate_process, validate_targets

if TYPE_CHECKING:
    from deliberval.validation.register import RegisterValidation

__all__ = ["FILE_COLUMNS", "ProcessData", "load_process", "process_data"]

#: Columns of :attr:`ProcessData.files`.
FILE_COLUMNS = ("key", "file", "rows", "sha256")


@dataclass(frozen=True)
class ProcessData:
    """The validated inputs of one process, with their provenance.

    Attributes
    ----------
    process_id : str
    instrument : Instrument
        The instrument or resolved questionnaire the responses answer.
    responses, members, targets, process : ValidationResult or None
        Each table given, validated (``.valid`` holds the rows later floors use); None when the
        table was not given.
    register : RegisterValidation or None
        The recommendation register (recommendations and response events), validated.
    files : pandas.DataFrame
        One row per input: ``key, file, rows, sha256`` (``rows`` = data rows read).
    dropped_text : tuple of str
        Free-text and undescribed text columns removed from the responses before anything else
        saw them (they may identify people).
    response_deadline_days : int or None
        The authority's response deadline from the process table (``response_deadline_days``).
    library_versions : mapping
        ``{instrument id: version}`` of the instrument library used.
    synthetic : bool
        True for the SYNTHETIC examples of :mod:`deliberval.datasets`.
    """

    process_id: str
    instrument: Instrument
    responses: ValidationResult | None = None
    members: ValidationResult | None = None
    targets: ValidationResult | None = None
    register: RegisterValidation | None = None
    process: ValidationResult | None = None
    files: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(FILE_COLUMNS)))
    dropped_text: tuple[str, ...] = ()
    response_deadline_days: int | None = None
    library_versions: Mapping[str, str] = field(default_factory=dict)
    synthetic: bool = False
    dri: ValidationResult | None = None
    """The validated DRI survey table (deliberr's layout), when one is given."""

    def validations(self) -> dict[str, ValidationResult]:
        """Every validation result, keyed by table (``recommendations`` and ``events`` for the register)."""
        out: dict[str, ValidationResult] = {}
        for key in ("responses", "members", "targets", "process", "dri"):
            res = getattr(self, key)
            if res is not None:
                out[key] = res
        if self.register is not None:
            out["recommendations"] = self.register.recommendations
            out["events"] = self.register.events
        return out

    def process_facts(self) -> dict[str, Any]:
        """The one valid row of the process table as a dict (empty without one)."""
        if self.process is None or self.process.valid.empty:
            return {}
        return dict(self.process.valid.iloc[0].to_dict())


def _drop_text(df: pd.DataFrame, instrument: Instrument) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Remove free-text columns and text columns the instrument does not describe."""
    known = set(instrument.item_ids()) | set(ID_COLUMNS)
    flagged = set(free_text_columns(df, instrument))
    for col in df.columns:
        if col in known:
            continue
        if not (pd.api.types.is_numeric_dtype(df[col].dtype) or pd.api.types.is_bool_dtype(df[col].dtype)):
            flagged.add(col)
    dropped = tuple(c for c in df.columns if c in flagged)
    return df.drop(columns=list(dropped)), dropped


def _check_process_ids(df: pd.DataFrame | None, expected: str | None, what: str) -> None:
    if expected is None or df is None or "process_id" not in df.columns:
        return
    found = sorted({str(v) for v in df["process_id"].dropna().unique()})
    if found and found != [expected]:
        raise DataInputError(
            f"{what}: process_id {', '.join(map(repr, found))} does not match the configuration's "
            f"process_id {expected!r}"
        )


def _deadline(process: ValidationResult | None) -> int | None:
    if process is None or process.valid.empty or "response_deadline_days" not in process.valid.columns:
        return None
    value = pd.to_numeric(process.valid["response_deadline_days"], errors="coerce").iloc[0]
    return None if pd.isna(value) else int(value)


def process_data(
    instrument: Instrument,
    *,
    process_id: str | None = None,
    responses: pd.DataFrame | None = None,
    members: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    recommendations: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    process: pd.DataFrame | None = None,
    files: pd.DataFrame | None = None,
    sources: Mapping[str, str] | None = None,
    library_versions: Mapping[str, str] | None = None,
    synthetic: bool = False,
    dri: pd.DataFrame | None = None,
    evidence: pd.DataFrame | None = None,
    documents: pd.DataFrame | None = None,
) -> ProcessData:
    """Validate tables already in memory into a :class:`ProcessData` (the friendly door).

    :func:`load_process` reads files and ends here; notebooks holding DataFrames start here.
    Every table given is validated once; free-text columns of the responses are dropped first.

    Parameters
    ----------
    instrument : Instrument
        The instrument or questionnaire the responses answer.
    process_id : str, optional
        The process; every table's ``process_id`` must equal it (default: the responses', or
        the process table's, when they hold one id).
    responses, members, targets, recommendations, events, process : pandas.DataFrame, optional
        The canonical tables (``recommendations`` and ``events`` make the register).
    files : pandas.DataFrame, optional
        Provenance rows ``key, file, rows, sha256``.
    sources : mapping, optional
        Where each table came from (``{"members": "members.csv"}``), used in messages.
    library_versions : mapping, optional
        ``{instrument id: version}`` of the library used.
    synthetic : bool, default False
    dri : pandas.DataFrame, optional
        A DRI survey table in deliberr's layout (validated by
        :func:`deliberval.validation.validate_dri`; the report's DRI section).
    evidence : pandas.DataFrame, optional
        The register's evidence table (passages of public documents backing its codes).
    documents : pandas.DataFrame, optional
        Passages of the documents the evidence quotes
        (:func:`deliberval.io.documents.read_documents`): each quoted passage is looked up.

    Returns
    -------
    ProcessData

    Raises
    ------
    DataInputError
        A table whose ``process_id`` differs from the process's, or a register given without
        its events.

    Examples
    --------
    >>> from deliberval.datasets import load_example
    >>> from deliberval.instruments import load_instrument
    >>> ex = load_example("gentofte_ptc")
    >>> data = process_data(load_instrument("participant_standard"), responses=ex.responses,
    ...                     members=ex.members, targets=ex.targets)
    >>> data.process_id, data.responses.n_rows, len(data.members.valid), data.register is None
    ('gentofte_ptc', 80, 105, True)
    """
    where = dict(sources or {})
    pid = process_id
    if pid is None:
        for table in (responses, process, members):
            if table is not None and "process_id" in table.columns:
                ids = table["process_id"].dropna().astype(str).unique()
                if len(ids) == 1:
                    pid = str(ids[0])
                    break
    for key, table in (("responses", responses), ("members", members),
                       ("register", recommendations), ("process", process)):
        _check_process_ids(table, pid, where.get(key, key))
    dropped: tuple[str, ...] = ()
    resp_v = mem_v = tgt_v = proc_v = None
    with warnings.catch_warnings():
        # validation reports its findings in the result; warnings would repeat them
        warnings.simplefilter("ignore")
        if responses is not None:
            responses, dropped = _drop_text(responses, instrument)
            resp_v = validate(responses, instrument, recode_missing=False)
        if members is not None:
            mem_v = validate_members(members, source=where.get("members", "members"))
        if targets is not None:
            tgt_v = validate_targets(targets, source=where.get("targets", "targets"))
        if process is not None:
            proc_v = validate_process(process, source=where.get("process", "process"))
        dri_v = None
        if dri is not None:
            from deliberval.validation.dri import validate_dri

            dri_v = validate_dri(dri, source=where.get("dri", "dri"))
    reg_v = None
    if recommendations is not None or events is not None:
        if recommendations is None or events is None:
            raise DataInputError(f"{where.get('register', 'register')}: the register needs both "
                                 "recommendations and response events")
        from deliberval.instruments.coding import load_scheme
        from deliberval.validation.register import validate_register

        reg_v = validate_register(recommendations, events, scheme=load_scheme(), evidence=evidence,
                                  documents=documents)
    return ProcessData(
        process_id=pid or "process",
        instrument=instrument,
        responses=resp_v,
        members=mem_v,
        targets=tgt_v,
        register=reg_v,
        process=proc_v,
        files=files if files is not None else pd.DataFrame(columns=list(FILE_COLUMNS)),
        dropped_text=dropped,
        response_deadline_days=_deadline(proc_v),
        library_versions=dict(library_versions or {}),
        synthetic=synthetic,
        dri=dri_v,
    )


def load_process(config: ProcessConfig) -> ProcessData:
    """Read every input file of a process once and validate every table once.

    Parameters
    ----------
    config : ProcessConfig
        The process configuration (:func:`deliberval.io.load_config`). A configuration naming a
        built-in ``example`` is resolved by :mod:`deliberval.datasets` instead.

    Returns
    -------
    ProcessData
        The validated tables and ``files`` (key, file name, data rows, SHA-256 of the bytes read).

    Raises
    ------
    DataInputError
        A file that cannot be read, a table of another process, or an ``example`` configuration.
    InstrumentError
        An unknown instrument id.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from deliberval import load_example
    >>> from deliberval.io.config import DataFiles, ProcessConfig
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> load_example("gentofte_ptc").responses.to_csv(folder / "responses.csv", index=False)
    >>> cfg = ProcessConfig(process_id="gentofte_ptc", data=DataFiles(responses=folder / "responses.csv"))
    >>> data = load_process(cfg)
    >>> data.instrument.id, data.responses.valid.shape, data.members is None
    ('participant_standard', (80, 45), True)
    >>> data.files[["file", "key", "rows"]].to_dict("records")
    [{'file': 'responses.csv', 'key': 'responses', 'rows': 80}]
    """
    if config.example is not None:
        raise DataInputError(
            f"configuration of process {config.process_id!r} names the built-in example "
            f"{config.example!r}: load it with deliberval.datasets.load_example(...).process_data()")
    dirs = config.surveys_dirs or None
    instrument = load_instrument(config.instrument, dirs)
    lib = list_instruments(dirs)
    versions = lib.set_index("id")["version"].to_dict() if "version" in lib.columns else {}
    read: dict[str, InputFile] = {}
    for key, _ in config.data.items():
        path = config.path(key)
        assert path is not None
        read[key] = InputFile.read(path)
    tables: dict[str, pd.DataFrame | None] = dict.fromkeys(
        ("responses", "members", "targets", "recommendations", "events", "process"))
    if "responses" in read:
        tables["responses"] = read_responses(read["responses"], instrument, read.get("mapping"))
    if "members" in read:
        tables["members"] = read_table(read["members"])
    if "targets" in read:
        tables["targets"] = read_table(read["targets"])
    if "register" in read:
        from deliberval.io.register import read_register

        raw = read_register(read["register"], read.get("events"))
        tables["recommendations"], tables["events"] = raw.recommendations, raw.events
        if raw.evidence is not None:
            tables["evidence"] = raw.evidence
        if config.date_format is not None:  # validate_register checks it against the register's own
            for t in (raw.recommendations, raw.events):
                t.attrs["date_format_config"] = config.date_format
    if "process" in read:
        tables["process"] = read_table(read["process"])
    if "dri" in read:
        tables["dri"] = read_table(read["dri"])
    doc_rows: list[dict[str, object]] = []
    if config.data.documents:
        if "register" not in read:
            raise DataInputError("data: documents are the public documents a register's evidence quotes; "
                                 "give the register too (data: register:)")
        from deliberval.io.documents import read_documents

        passages = read_documents(config.document_paths())
        tables["documents"] = passages
        for name, g in passages.groupby("document", sort=False):
            doc_rows.append({"key": "documents", "file": str(name), "rows": len(g),
                             "sha256": str(g["document_sha256"].iloc[0])})
    rows = {"responses": tables["responses"], "members": tables["members"],
            "targets": tables["targets"], "register": tables["recommendations"],
            "events": tables["events"] if "events" in read else None, "process": tables["process"],
            "dri": tables.get("dri")}
    files = pd.DataFrame(
        [{"key": key, "file": f.path.name,
          "rows": None if rows.get(key) is None else len(rows[key]),  # type: ignore[arg-type]
          "sha256": f.sha256} for key, f in read.items()],
        columns=list(FILE_COLUMNS))
    if doc_rows:  # each document read once, its SHA-256 from the bytes read
        files = pd.concat([files, pd.DataFrame(doc_rows, columns=list(FILE_COLUMNS))], ignore_index=True)
    files["rows"] = files["rows"].astype("Int64")
    sources = {key: str(f.path) for key, f in read.items()}
    return process_data(
        instrument, process_id=config.process_id, files=files, sources=sources,
        library_versions=versions, **tables)  # type: ignore[arg-type]
