"""Export an instrument as an XLSForm (survey / choices / settings sheets) for ODK and Kobo."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from deliberval.errors import InstrumentError, Problem
from deliberval.instruments.export._common import (
    format_value,
    integer_points,
    language_label,
    select_languages,
)
from deliberval.instruments.model import WAVES, Instrument, Item, MissingCode, ResponseScale

__all__ = ["to_xlsform"]

_FALLBACK = "en"

# Labels of the bookkeeping questions every exported form starts with.
_META: dict[str, dict[str, str]] = {
    "respondent_id": {
        "en": "Respondent code (given to you by the organisers)",
        "fr": "Code de répondant (fourni par les organisateurs)",
        "nl": "Respondentcode (gekregen van de organisatoren)",
        "de": "Teilnahmecode (von den Organisatoren erhalten)",
        "da": "Respondentkode (udleveret af arrangørerne)",
    },
    "wave": {
        "en": "Survey wave",
        "fr": "Vague d'enquête",
        "nl": "Meetmoment",
        "de": "Befragungswelle",
        "da": "Undersøgelsesrunde",
    },
    "role": {
        "en": "Your role in the process",
        "fr": "Votre rôle dans le processus",
        "nl": "Uw rol in het proces",
        "de": "Ihre Rolle im Verfahren",
        "da": "Din rolle i processen",
    },
}
_CHOICE_META: dict[str, dict[str, dict[str, str]]] = {
    "wave": {
        "pre": {"en": "Before the process", "fr": "Avant le processus", "nl": "Voor het proces",
                "de": "Vor dem Verfahren", "da": "Før processen"},
        "post": {"en": "After the process", "fr": "Après le processus", "nl": "Na het proces",
                 "de": "Nach dem Verfahren", "da": "Efter processen"},
        "follow_up": {"en": "Follow-up", "fr": "Suivi", "nl": "Follow-up",
                      "de": "Nachbefragung", "da": "Opfølgning"},
    },
    "role": {
        "citizen": {"en": "Citizen member", "fr": "Citoyen ou citoyenne membre", "nl": "Burgerlid",
                    "de": "Bürgerin oder Bürger", "da": "Borgermedlem"},
        "politician": {"en": "Elected politician", "fr": "Élu ou élue", "nl": "Verkozen politicus",
                       "de": "Gewählte Politikerin oder gewählter Politiker", "da": "Folkevalgt politiker"},
        "civil_servant": {"en": "Civil servant", "fr": "Fonctionnaire", "nl": "Ambtenaar",
                          "de": "Verwaltungsmitarbeiterin oder -mitarbeiter", "da": "Embedsperson"},
        "organiser": {"en": "Organiser", "fr": "Organisateur ou organisatrice", "nl": "Organisator",
                      "de": "Organisationsteam", "da": "Arrangør"},
        "stakeholder": {"en": "Stakeholder", "fr": "Partie prenante", "nl": "Belanghebbende",
                        "de": "Interessenvertretung", "da": "Interessent"},
    },
}
_MEANING_EN = {
    "dont_know": "Don't know",
    "refused": "Refusal",
    "not_applicable": "Not applicable",
    "no_answer": "No answer",
    "other": "Other",
}


def _meta(labels: dict[str, str], lang: str) -> str:
    return labels.get(lang, labels[_FALLBACK])


def _missing_label(code: MissingCode, lang: str) -> str:
    return code.labels.get(lang) or code.labels.get(_FALLBACK) or _MEANING_EN[code.meaning]


def _selected(field: str, values: Sequence[str]) -> str:
    return " or ".join(f"selected(${{{field}}}, '{v}')" for v in values)


def _choice_rows(
    ins: Instrument, scale: ResponseScale, codes: list[MissingCode], langs: list[str]
) -> list[tuple[str, dict[str, str]]] | None:
    """(name, label per language) of every choice, or None if the scale is not a choice list."""
    rows: list[tuple[str, dict[str, str]]] = []
    if scale.type in ("likert", "categorical"):
        for v in scale.values:
            rows.append((format_value(v.value), {lang: v.labels[lang] for lang in langs}))
    elif scale.type == "numeric":
        points = integer_points(scale)
        if points is None:
            return None
        anchors = {format_value(v.value): v.labels for v in scale.values}
        for point in points:
            name = str(point)
            labels = anchors.get(name)
            rows.append((name, {lang: f"{name} ({labels[lang]})" if labels else name for lang in langs}))
    else:
        return None
    for m in codes:
        rows.append((format_value(m.code), {lang: _missing_label(m, lang) for lang in langs}))
    return rows


def _question_type(ins: Instrument, it: Item) -> tuple[str, str | None]:
    """XLSForm type of an item and the name of its choice list (None for open answers)."""
    scale = ins.response_scale(it.scale)
    if scale.type == "text":
        return "text", None
    list_name = scale.id if it.missing_codes is None else f"{scale.id}__{it.id}"
    if scale.type == "numeric" and integer_points(scale) is None:
        integral = all(float(x).is_integer() for x in (scale.min, scale.max) if x is not None)
        return ("integer" if integral else "decimal"), None
    return f"select_one {list_name}", list_name


def to_xlsform(
    instrument: Instrument,
    path: str | os.PathLike[str],
    languages: Sequence[str] | None = None,
    *,
    wave: str | None = None,
) -> Path:
    """Write an instrument (or a resolved questionnaire) as an XLSForm for ODK / KoboToolbox.

    The workbook has the three standard sheets. ``survey`` starts with ``respondent_id``, the
    ``wave`` (a question, or a fixed calculation when ``wave`` is given) and, when items are
    asked of different respondents, the ``role``; these names match the canonical responses
    table. Each item follows under its own id, shown only in its waves and to its respondents
    (``relevant`` column). ``choices`` holds one list per response scale; numeric scales with at
    most 21 integer points become a choice per point, and missing-value codes are ordinary
    choices, so "don't know" and "refused" can be recorded. Items whose answer options are
    randomised (``randomize`` of the item or of its response scale) get ``randomize=true`` in a
    ``parameters`` column: ODK Collect and Enketo shuffle the list for each respondent. Every
    label is given per language in ``label::Name (code)`` columns; ``settings`` sets the default
    language.

    Parameters
    ----------
    instrument : Instrument
        From :func:`~deliberval.instruments.load_instrument` or
        :func:`~deliberval.instruments.load_questionnaire`.
    path : path-like
        The ``.xlsx`` file to write (parent folders are created).
    languages : sequence of str, optional
        ISO 639-1 codes to include, in column order. Default: every language of the instrument.
    wave : {"pre", "post", "follow_up"}, optional
        Write a form for one wave only: just the items asked then.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InstrumentError
        If a requested language is not one of the instrument's, the wave is unknown, or no item
        is asked in that wave.

    Notes
    -----
    Numeric scales with more than 21 points become ``integer`` / ``decimal`` questions whose
    ``constraint`` admits the range and the missing codes. XLSForm's ``randomize`` shuffles the
    whole choice list, missing-value options included (it cannot pin "don't know" to the end);
    the codebook says which items are randomised. The order each respondent saw is not stored. Bookkeeping labels (``wave``,
    ``role``) are translated for en, fr, nl, de and da and shown in English otherwise.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from openpyxl import load_workbook
    >>> from deliberval.instruments import load_instrument
    >>> from deliberval.instruments.export import to_xlsform
    >>> ins = load_instrument("political_efficacy")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = to_xlsform(ins, pathlib.Path(tmp) / "efficacy.xlsx", languages=["en", "fr"])
    ...     book = load_workbook(out)
    ...     header = [c.value for c in book["survey"][1]]
    >>> book.sheetnames
    ['survey', 'choices', 'settings']
    >>> header[:4]
    ['type', 'name', 'label::English (en)', 'label::Français (fr)']
    """
    langs = select_languages(instrument, languages)
    if wave is not None and wave not in WAVES:
        raise InstrumentError([Problem("", f"instrument {instrument.id!r}", "wave",
                                       f"unknown wave {wave!r}; expected one of {', '.join(WAVES)}")])
    items = [it for it in instrument.items if wave is None or wave in it.waves]
    if not items:
        raise InstrumentError([Problem("", f"instrument {instrument.id!r}", "wave",
                                       f"no item is asked in wave {wave!r}")])
    form_waves = [w for w in WAVES if any(w in it.waves for it in items)]
    form_roles = [r for r in _CHOICE_META["role"] if any(r in it.respondents for it in items)]
    ask_role = any(set(it.respondents) != set(form_roles) for it in items)

    label_cols = [f"label::{language_label(lang)}" for lang in langs]
    hint_cols = [f"hint::{language_label(lang)}" for lang in langs]
    survey: list[list[str]] = []
    # the parameters column only when an item's answer options are shuffled, so that other forms
    # keep the columns they always had
    shuffled = {it.id for it in items if instrument.randomized(it.id)}
    header = ["type", "name", *label_cols, *hint_cols, "required", "relevant", "constraint", "calculation",
              *(["parameters"] if shuffled else [])]

    def row(type_: str, name: str, labels: dict[str, str] | None, *, hints: dict[str, str] | None = None,
            required: str = "", relevant: str = "", constraint: str = "", calculation: str = "",
            parameters: str = "") -> None:
        survey.append([type_, name,
                       *[(labels or {}).get(lang, "") for lang in langs],
                       *[(hints or {}).get(lang, "") for lang in langs],
                       required, relevant, constraint, calculation, *([parameters] if shuffled else [])])

    choices: list[list[str]] = []
    choice_lists: dict[str, list[tuple[str, dict[str, str]]]] = {}

    def add_choices(list_name: str, rows: list[tuple[str, dict[str, str]]]) -> None:
        if list_name in choice_lists:
            if choice_lists[list_name] != rows:
                raise InstrumentError([Problem("", f"response scale {list_name!r}", "id",
                                               "this name is reserved by the XLSForm export; rename the scale")])
            return
        choice_lists[list_name] = rows
        for name, labels in rows:
            choices.append([list_name, name, *[labels[lang] for lang in langs]])

    row("text", "respondent_id", {lang: _meta(_META["respondent_id"], lang) for lang in langs},
        required="yes")
    if wave is None:
        row("select_one dv_wave", "wave", {lang: _meta(_META["wave"], lang) for lang in langs}, required="yes")
        add_choices("dv_wave", [(w, {lang: _meta(_CHOICE_META["wave"][w], lang) for lang in langs})
                             for w in form_waves])
    else:
        row("calculate", "wave", None, calculation=f"'{wave}'")
    if ask_role:
        row("select_one dv_role", "role", {lang: _meta(_META["role"], lang) for lang in langs}, required="yes")
        add_choices("dv_role", [(r, {lang: _meta(_CHOICE_META["role"][r], lang) for lang in langs})
                             for r in form_roles])

    for it in items:
        scale = instrument.response_scale(it.scale)
        codes = instrument.missing_codes(it.id)
        type_, list_name = _question_type(instrument, it)
        conditions = []
        if wave is None and set(it.waves) != set(form_waves):
            conditions.append(_selected("wave", [w for w in form_waves if w in it.waves]))
        if ask_role and set(it.respondents) != set(form_roles):
            conditions.append(_selected("role", [r for r in form_roles if r in it.respondents]))
        relevant = " and ".join(f"({c})" for c in conditions) if len(conditions) > 1 else "".join(conditions)
        constraint = ""
        hints: dict[str, str] = {}
        if list_name is not None:
            rows = _choice_rows(instrument, scale, codes, langs)
            assert rows is not None
            add_choices(list_name, rows)
        elif type_ in ("integer", "decimal"):
            bounds = f". >= {format_value(scale.min)} and . <= {format_value(scale.max)}"
            extra = "".join(f" or . = {format_value(m.code)}" for m in codes)
            constraint = f"({bounds}){extra}"
            hints = {lang: "; ".join(f"{format_value(m.code)} = {_missing_label(m, lang)}" for m in codes)
                     for lang in langs}
        parameters = ""
        if it.id in shuffled:
            if list_name is None:
                raise InstrumentError([Problem("", f"item {it.id!r}", "randomize",
                                               "answer options can only be randomised on a list of options")])
            parameters = "randomize=true"
        row(type_, it.id, {lang: it.text[lang] for lang in langs}, hints=hints,
            required="yes" if type_ != "text" else "", relevant=relevant, constraint=constraint,
            parameters=parameters)

    # imported here, not at the top, so that importing the instrument library stays light
    from openpyxl import Workbook

    from deliberval.reproducible import freeze_xlsx

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(header)
    for r in survey:
        sheet.append(r)
    choice_sheet = book.create_sheet("choices")
    choice_sheet.append(["list_name", "name", *label_cols])
    for r in choices:
        choice_sheet.append(r)
    settings = book.create_sheet("settings")
    default = "en" if "en" in langs else langs[0]
    title = instrument.title.get(default) or instrument.title.get("en") or instrument.id
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([title, instrument.id, instrument.version, language_label(default)])
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return freeze_xlsx(out)
