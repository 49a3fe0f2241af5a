"""Helpers shared by the exports: language names, labels and checked language selections."""

from __future__ import annotations

from collections.abc import Sequence

from deliberval.errors import InstrumentError, Problem
from deliberval.instruments.model import Instrument, ResponseScale

__all__ = ["LANGUAGE_NAMES", "format_value", "language_label", "select_languages", "value_label"]

#: Endonyms of the languages the library ships; other ISO 639-1 codes are shown as the code.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "nl": "Nederlands",
    "de": "Deutsch",
    "da": "Dansk",
    "es": "Español",
    "it": "Italiano",
    "pt": "Português",
    "sv": "Svenska",
    "nb": "Norsk bokmål",
    "fi": "Suomi",
    "pl": "Polski",
}


def language_label(code: str) -> str:
    """Name of a language as XLSForm expects it in column headers, e.g. ``'English (en)'``."""
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def select_languages(instrument: Instrument, languages: Sequence[str] | None) -> list[str]:
    """The languages to export: all of the instrument's, or a checked subset in the given order."""
    if languages is None:
        return list(instrument.languages)
    chosen = list(dict.fromkeys(languages))
    unknown = [lang for lang in chosen if lang not in instrument.languages]
    if unknown or not chosen:
        have = ", ".join(instrument.languages)
        what = ", ".join(map(repr, unknown)) if unknown else "no language"
        raise InstrumentError(
            [Problem("", f"instrument {instrument.id!r}", "languages",
                     f"cannot export {what}; the instrument is available in: {have}")]
        )
    return chosen


def format_value(value: object) -> str:
    """A response value or missing code as text (``4.0`` -> ``'4'``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def value_label(scale: ResponseScale, value: object, lang: str) -> str:
    """Label of one value of a scale in a language ('' when the value has no label)."""
    for v in scale.values:
        if format_value(v.value) == format_value(value):
            return v.labels.get(lang, "")
    return ""


def integer_points(scale: ResponseScale, max_points: int = 21) -> list[int] | None:
    """Every answer of a numeric scale with integer min/max and at most ``max_points`` points."""
    if scale.min is None or scale.max is None:
        return None
    if not (float(scale.min).is_integer() and float(scale.max).is_integer()):
        return None
    lo, hi = int(scale.min), int(scale.max)
    if hi - lo + 1 > max_points:
        return None
    return list(range(lo, hi + 1))
