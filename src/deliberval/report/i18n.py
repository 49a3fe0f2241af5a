"""Report strings in five languages, one YAML file per language under ``report/locales/``.

``t(lang, key)`` gives an interface string; ``COLUMNS`` and ``CODES`` give column headers and the
display names of codes; ``translate_reason`` renders the reasons :mod:`deliberval.indicators` gives.
Indicator labels live in the catalogue, category labels in the instrument. Every key exists in every
language (``tests/report/test_i18n_complete.py``). A string may have plural forms: a mapping of CLDR
plural categories (``one``, ``other``, ...) chosen by the ``count`` value through Babel.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

__all__ = ["CODES", "COLUMNS", "LANGUAGES", "REASONS", "STRINGS", "t", "translate_reason"]

#: The report languages, in the order the documentation lists them.
LANGUAGES: tuple[str, ...] = ("en", "fr", "nl", "de", "da")

LOCALES_DIR = Path(__file__).with_name("locales")


def _load(lang: str) -> dict[str, Any]:
    with (LOCALES_DIR / f"{lang}.yaml").open(encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    return doc if isinstance(doc, dict) else {}


_DOCS: dict[str, dict[str, Any]] = {lang: _load(lang) for lang in LANGUAGES}

#: Interface strings by language (a value is a string or a mapping of plural categories).
STRINGS: dict[str, dict[str, Any]] = {lang: dict(doc.get("strings") or {}) for lang, doc in _DOCS.items()}
#: Column headers of the report tables.
COLUMNS: dict[str, dict[str, str]] = {lang: dict(doc.get("columns") or {}) for lang, doc in _DOCS.items()}
#: Display names of codes used in the tables.
CODES: dict[str, dict[str, str]] = {lang: dict(doc.get("codes") or {}) for lang, doc in _DOCS.items()}
#: Status reasons: in English the regular expression a reason matches, in the other languages its rendering.
REASONS: dict[str, dict[str, str]] = {lang: dict(doc.get("reasons") or {}) for lang, doc in _DOCS.items()}


@functools.cache
def _plural_category(lang: str, count: float) -> str:
    from babel import Locale

    return str(Locale.parse(lang).plural_form(abs(count)))


def t(lang: str, key: str, **values: object) -> str:
    """A report string in ``lang`` (English when missing), with ``{placeholders}`` filled.

    A string with plural forms takes the form of ``count`` (or of ``n`` when no ``count`` is
    given), by the CLDR plural rules of ``lang``.

    Examples
    --------
    >>> t("fr", "members_by_role")
    'Membres par rôle'
    """
    table = STRINGS.get(lang, STRINGS["en"])
    text: Any = table.get(key, STRINGS["en"][key])
    if isinstance(text, dict):
        count = values.get("count", values.get("n", 0))
        number = float(count) if isinstance(count, (int, float)) else 0.0
        category = _plural_category(lang, number)
        text = text.get(category, text.get("other", next(iter(text.values()))))
    return str(text).format(**values) if values else str(text)


def translate_reason(reason: str, lang: str) -> str:
    """A status reason of :func:`deliberval.indicators` in ``lang`` (unchanged when unknown).

    Examples
    --------
    >>> translate_reason("no control group in the responses (group == 'control')", "fr")
    "pas de groupe témoin dans les réponses (group == 'control')"
    >>> translate_reason("based on fewer than 5 respondents (disclosure control)", "fr")
    'repose sur moins de 5 répondants (contrôle de divulgation)'
    """
    if lang == "en" or lang not in REASONS:
        return reason
    templates = REASONS[lang]
    for key, pattern in REASONS["en"].items():
        if key in templates and re.match(pattern, reason):
            return re.sub(pattern, templates[key], reason)
    return reason
