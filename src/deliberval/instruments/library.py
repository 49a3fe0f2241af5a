"""The instrument library: finding, loading and checking instruments and questionnaires.

Instruments are looked up, in order, in folders given by the caller, in the folders listed in
the ``DELIBERVAL_SURVEYS`` environment variable (separated by ``os.pathsep``), and in the
library shipped with deliberval. An id found twice is an error, so a user's file never
silently shadows a shipped one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from deliberval.errors import InstrumentError, Problem
from deliberval.instruments.check import check_definition, parse_file
from deliberval.instruments.model import Instrument, Item, Questionnaire

__all__ = [
    "ENV_VAR",
    "LibraryEntry",
    "check_path",
    "library_dirs",
    "list_instruments",
    "load_instrument",
    "load_questionnaire",
    "shipped_surveys_dir",
]

ENV_VAR = "DELIBERVAL_SURVEYS"
PathLike = str | os.PathLike[str]


def shipped_surveys_dir() -> Path:
    """Folder of the instrument library shipped with deliberval.

    In a wheel the YAML files live in ``deliberval/surveys``; in a source checkout (editable
    install) they live in the repository's top-level ``surveys/``.

    Examples
    --------
    >>> (shipped_surveys_dir() / "institutional_trust.yaml").is_file()
    True
    """
    packaged = Path(str(resources.files("deliberval"))) / "surveys"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "surveys"
    return checkout


def library_dirs(surveys_dirs: Sequence[PathLike] | None = None) -> list[Path]:
    """Folders searched for instruments, in order: arguments, ``DELIBERVAL_SURVEYS``, shipped.

    Examples
    --------
    >>> library_dirs()[-1] == shipped_surveys_dir().resolve()
    True
    """
    dirs = [Path(d) for d in (surveys_dirs or [])]
    env = os.environ.get(ENV_VAR, "")
    dirs += [Path(d) for d in env.split(os.pathsep) if d]
    dirs.append(shipped_surveys_dir())
    seen: dict[Path, None] = {}
    for d in dirs:
        seen.setdefault(d.resolve(), None)
    return list(seen)


@dataclass(frozen=True)
class LibraryEntry:
    """One checked file of the library."""

    path: Path
    definition: Instrument | Questionnaire


def _yaml_files(dirs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            raise InstrumentError([Problem(str(d), "", "", "surveys folder does not exist")])
        files += sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml"))
    return files


@lru_cache(maxsize=32)
def _scan_cached(dirs: tuple[Path, ...], stamp: tuple[tuple[str, float], ...]) -> dict[str, LibraryEntry]:
    entries: dict[str, LibraryEntry] = {}
    problems: list[Problem] = []
    item_owner: dict[str, str] = {}
    # The shipped library is read first, so a clash is reported in the user's file.
    for path in _yaml_files(reversed(dirs)):
        data, found = parse_file(path)
        if data is None:
            problems += found
            continue
        definition, found = check_definition(data, str(path))
        problems += found
        if definition is None:
            continue
        if definition.id in entries:
            other = entries[definition.id].path
            problems.append(Problem(str(path), "", "id", f"id {definition.id!r} is also defined in {other}"))
            continue
        entries[definition.id] = LibraryEntry(path, definition)
        if isinstance(definition, Instrument):
            for it in definition.items:
                if it.id in item_owner:
                    problems.append(
                        Problem(str(path), f"item {it.id!r}", "id",
                                f"item id is already used by instrument {item_owner[it.id]!r}; item ids are unique across the library")
                    )
                item_owner[it.id] = definition.id
    for entry in entries.values():
        if isinstance(entry.definition, Questionnaire):
            problems += _questionnaire_problems(entry, entries)
    if problems:
        raise InstrumentError(problems)
    return entries


def _scan(surveys_dirs: Sequence[PathLike] | None) -> dict[str, LibraryEntry]:
    dirs = tuple(library_dirs(surveys_dirs))
    files = _yaml_files(dirs)
    stamp = tuple((str(p), p.stat().st_mtime) for p in files)
    return _scan_cached(dirs, stamp)


def _questionnaire_problems(entry: LibraryEntry, entries: dict[str, LibraryEntry]) -> list[Problem]:
    q = entry.definition
    assert isinstance(q, Questionnaire)
    problems = []
    for m in q.modules:
        target = entries.get(m.instrument)
        where = f"module {m.instrument!r}"
        if target is None or not isinstance(target.definition, Instrument):
            problems.append(Problem(str(entry.path), where, "instrument", "no instrument with this id in the library"))
            continue
        ids = set(target.definition.item_ids())
        for item_id in m.items or []:
            if item_id not in ids:
                problems.append(Problem(str(entry.path), where, "items", f"instrument has no item {item_id!r}"))
        lacking = [lang for lang in q.languages if lang not in target.definition.languages]
        if lacking:
            problems.append(
                Problem(str(entry.path), where, "languages",
                        f"the questionnaire declares {', '.join(map(repr, lacking))} but instrument "
                        f"{m.instrument!r} has no such translation (it has {', '.join(target.definition.languages)})")
            )
    return problems


def list_instruments(surveys_dirs: Sequence[PathLike] | None = None) -> pd.DataFrame:
    """List the instruments and questionnaires in the library.

    Parameters
    ----------
    surveys_dirs : sequence of path, optional
        Extra folders with the user's own instrument YAML files.

    Returns
    -------
    pandas.DataFrame
        One row per instrument or questionnaire with columns ``id, kind, version, title,
        languages`` (comma-separated codes), ``n_items``, ``constructs`` (comma-separated)
        and ``path``.

    Examples
    --------
    >>> from deliberval.instruments import list_instruments
    >>> "institutional_trust" in set(list_instruments()["id"])
    True
    """
    rows = []
    entries = _scan(surveys_dirs)
    for entry in entries.values():
        d = entry.definition
        resolved = _resolve(d, entries) if isinstance(d, Questionnaire) else d
        rows.append(
            {
                "id": d.id,
                "kind": "questionnaire" if isinstance(d, Questionnaire) else "instrument",
                "version": d.version,
                "title": d.title.get("en", ""),
                "languages": ",".join(d.languages),
                "n_items": len(resolved.items),
                "constructs": ",".join(resolved.constructs),
                "path": str(entry.path),
            }
        )
    columns = ["id", "kind", "version", "title", "languages", "n_items", "constructs", "path"]
    return pd.DataFrame(rows, columns=columns).sort_values(["kind", "id"], ignore_index=True)


def _unknown(id_: str, entries: dict[str, LibraryEntry], kind: str) -> InstrumentError:
    known = ", ".join(sorted(entries))
    return InstrumentError([Problem("", "", "id", f"unknown {kind} {id_!r}; known: {known}")])


def load_instrument(
    instrument_id: str, surveys_dirs: Sequence[PathLike] | None = None
) -> Instrument:
    """Load one instrument (or a questionnaire, resolved into one instrument) by id.

    Parameters
    ----------
    instrument_id : str
        The instrument's ``id``.
    surveys_dirs : sequence of path, optional
        Extra folders with the user's own instruments.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        If the id is unknown or any file of the library is malformed.

    Examples
    --------
    >>> from deliberval.instruments import load_instrument
    >>> ins = load_instrument("institutional_trust")
    >>> ins.item("trust_parliament").scale
    'trust_0_10'
    """
    entries = _scan(surveys_dirs)
    entry = entries.get(instrument_id)
    if entry is None:
        raise _unknown(instrument_id, entries, "instrument")
    d = entry.definition
    return _resolve(d, entries) if isinstance(d, Questionnaire) else d


def load_questionnaire(
    questionnaire_id: str, surveys_dirs: Sequence[PathLike] | None = None
) -> Instrument:
    """Load a questionnaire composed of modules, resolved into a single instrument.

    Items keep their ids; each item's waves and respondents are restricted to those the module
    asks it in, and its texts to the questionnaire's languages. Scales are kept when all their
    items are included.

    Parameters
    ----------
    questionnaire_id : str
        The questionnaire's ``id``.
    surveys_dirs : sequence of path, optional
        Extra folders with the user's own instruments and questionnaires.

    Returns
    -------
    Instrument
        One instrument holding every module's items, response scales and scales.

    Raises
    ------
    InstrumentError
        If the id is not a questionnaire, a module is unknown, or modules clash.

    Examples
    --------
    >>> from deliberval.instruments import load_questionnaire
    >>> q = load_questionnaire("participant_standard")
    >>> "pre" in q.item("trust_parliament").waves
    True
    """
    entries = _scan(surveys_dirs)
    entry = entries.get(questionnaire_id)
    if entry is None or not isinstance(entry.definition, Questionnaire):
        raise _unknown(questionnaire_id, {k: v for k, v in entries.items() if isinstance(v.definition, Questionnaire)}, "questionnaire")
    return _resolve(entry.definition, entries)


def _resolve(q: Questionnaire, entries: dict[str, LibraryEntry]) -> Instrument:
    response_scales: dict[str, object] = {}
    items: list[Item] = []
    scales = []
    citations: list[str] = []
    problems: list[Problem] = []
    for m in q.modules:
        ins = entries[m.instrument].definition
        assert isinstance(ins, Instrument)
        citations += [c for c in ins.citations if c not in citations]
        wanted = set(m.items) if m.items is not None else None
        chosen = []
        for it in ins.items:
            if wanted is not None and it.id not in wanted:
                continue
            waves = [w for w in it.waves if m.waves is None or w in m.waves]
            roles = [r for r in it.respondents if m.respondents is None or r in m.respondents]
            if not waves or not roles:
                continue
            # Keep only the questionnaire's languages, so exports show what it declares.
            text = {lang: t for lang, t in it.text.items() if lang in q.languages}
            translations = {lang: t for lang, t in it.translations.items() if lang in q.languages}
            chosen.append(
                it.model_copy(
                    update={"waves": waves, "respondents": roles, "text": text,
                            "translations": translations}
                )
            )
        items += chosen
        ids = {it.id for it in chosen}
        scales += [s for s in ins.scales if set(s.items) <= ids]
        for rs in ins.response_scales:
            prev = response_scales.get(rs.id)
            if prev is not None and prev != rs:
                problems.append(
                    Problem(str(entries[m.instrument].path), f"response scale {rs.id!r}", "id",
                            f"differs from the response scale of the same id in another module of questionnaire {q.id!r}")
                )
            response_scales.setdefault(rs.id, rs)
    if problems:
        raise InstrumentError(problems)
    used = {it.scale for it in items}
    return Instrument(
        id=q.id,
        version=q.version,
        title=q.title,
        description=q.description,
        languages=q.languages,
        citations=citations,
        licence=q.licence,
        response_scales=[rs for k, rs in response_scales.items() if k in used],  # type: ignore[misc]
        items=items,
        scales=scales,
    )


def check_path(path: PathLike) -> list[Problem]:
    """Check a user's instrument file, or every YAML file in a folder, against the format.

    Also checks that item ids do not clash with the shipped library.

    Parameters
    ----------
    path : path-like
        A ``.yaml`` file or a folder of them. Questionnaires in it may compose the user's own
        instruments and the shipped ones.

    Returns
    -------
    list of Problem
        Empty when everything is valid; otherwise one problem per fault, each naming the file,
        the item (or scale, module, line) and the field.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from deliberval.instruments import check_path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     bad = pathlib.Path(tmp) / "mine.yaml"
    ...     _ = bad.write_text("id: [mine", encoding="utf-8")
    ...     (problem,) = check_path(bad)
    >>> problem.file.endswith("mine.yaml"), problem.message.startswith("invalid YAML")
    (True, True)
    """
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix in (".yaml", ".yml"))
        if not files:
            return [Problem(str(p), "", "", "no .yaml files in this folder")]
    elif p.exists():
        files = [p]
    else:
        return [Problem(str(p), "", "", "file does not exist")]
    problems: list[Problem] = []
    shipped_items: dict[str, str] = {}
    shipped = shipped_surveys_dir().resolve()
    if p.resolve() != shipped and shipped not in p.resolve().parents:
        for f in _yaml_files([shipped]):
            data, _ = parse_file(f)
            if data:
                for it in data.get("items") or []:
                    if isinstance(it, dict) and "id" in it:
                        shipped_items[str(it["id"])] = str(data.get("id"))
    seen_items: dict[str, str] = {}
    checked: dict[str, LibraryEntry] = {}
    for f in files:
        data, found = parse_file(f)
        problems += found
        if data is None:
            continue
        definition, found = check_definition(data, str(f))
        problems += found
        if definition is not None:
            checked.setdefault(definition.id, LibraryEntry(f, definition))
        if isinstance(definition, Instrument):
            for it in definition.items:
                owner = shipped_items.get(it.id) or seen_items.get(it.id)
                if owner is not None and owner != definition.id:
                    problems.append(Problem(str(f), f"item {it.id!r}", "id", f"item id is already used by instrument {owner!r}"))
                seen_items[it.id] = definition.id
    # Questionnaires may compose shipped modules and the user's own ones.
    questionnaires = [e for e in checked.values() if isinstance(e.definition, Questionnaire)]
    if questionnaires:
        try:
            known = dict(_scan(None))
        except InstrumentError:  # a broken DELIBERVAL_SURVEYS folder is reported when loading
            known = {}
        known.update(checked)
        for entry in questionnaires:
            problems += _questionnaire_problems(entry, known)
    return problems
