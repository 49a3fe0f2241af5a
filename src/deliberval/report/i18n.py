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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = ["CODES", "COLUMNS", "FLAGS", "LANGUAGES", "REASONS", "STRINGS", "has_string", "localise_decimals", "name_ids",
           "t", "translate_flags", "translate_reason"]

#: The report languages, in the order the documentation lists them.
LANGUAGES: tuple[str, ...] = ("en", "fr", "nl", "de", "da")

LOCALES_DIR = Path(__file__).with_name("locales")


def _load(lang: str) -> dict[str, Any]:
    with (LOCALES_DIR / f"{lang}.yaml").open(encoding="utf-8") as fh:
        doc = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 8x faster, same objects
    return doc if isinstance(doc, dict) else {}


_DOCS: dict[str, dict[str, Any]] = {lang: _load(lang) for lang in LANGUAGES}

#: Interface strings by language (a value is a string or a mapping of plural categories).
STRINGS: dict[str, dict[str, Any]] = {lang: dict(doc.get("strings") or {}) for lang, doc in _DOCS.items()}
#: Column headers of the report tables.
COLUMNS: dict[str, dict[str, str]] = {lang: dict(doc.get("columns") or {}) for lang, doc in _DOCS.items()}
#: Display names of codes used in the tables.
CODES: dict[str, dict[str, str]] = {lang: dict(doc.get("codes") or {}) for lang, doc in _DOCS.items()}
#: Status reasons and notes: in English the regular expression a reason matches, in the other
#: languages its rendering.
REASONS: dict[str, dict[str, str]] = {lang: dict(doc.get("reasons") or {}) for lang, doc in _DOCS.items()}
#: Psychometric flags, as :data:`REASONS`.
FLAGS: dict[str, dict[str, str]] = {lang: dict(doc.get("flags") or {}) for lang, doc in _DOCS.items()}


@functools.cache
def _plural_category(lang: str, count: float) -> str:
    from babel import Locale

    return str(Locale.parse(lang).plural_form(abs(count)))


def has_string(key: str) -> bool:
    """Whether ``key`` is an interface string (of the English locale, which has every key)."""
    return key in STRINGS["en"]


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


def translate_reason(reason: str, lang: str, names: Mapping[str, str] | None = None) -> str:
    """A status reason of :func:`deliberval.indicators` in ``lang`` (unchanged when unknown).

    ``names`` maps identifiers (items, scales, the instrument) to their names in ``lang``: an
    identifier the reason quotes is replaced by its name.

    Examples
    --------
    >>> translate_reason("no control group in the responses (group == 'control')", "fr")
    "pas de groupe témoin dans les réponses (group == 'control')"
    >>> translate_reason("based on fewer than 5 respondents (disclosure control)", "fr")
    'repose sur moins de 5 répondants (contrôle de divulgation)'
    >>> translate_reason("item 'q_clear' is not in the responses", "de", {"q_clear": "Klarer Auftrag"})
    'Item „Klarer Auftrag“ fehlt in den Antworten'
    """
    return _translate(REASONS, reason, lang, names)


def translate_flags(flags: str, lang: str, names: Mapping[str, str] | None = None) -> str:
    """The ``flags`` of a scale diagnostic (``; ``-separated) in ``lang``, numbers in its way.

    Examples
    --------
    >>> translate_flags("alpha 0.68 < 0.70; CFI 0.936 < 0.95", "fr")
    'alpha 0,68 < 0,70 ; CFI 0,936 < 0,95'
    """
    if not flags:
        return flags
    parts = [_translate(FLAGS, part.strip(), lang, names) for part in _split_outside_parentheses(flags)]
    sep = " ; " if lang == "fr" else "; "
    return sep.join(localise_decimals(p, lang) for p in parts)


_ID_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[A-Za-z]+[0-9]+[A-Za-z0-9]*")


def name_ids(text: str, names: Mapping[str, str] | None) -> str:
    """``text`` with every identifier token that ``names`` knows replaced by its name."""
    if not names:
        return text
    return _ID_TOKEN.sub(lambda m: names.get(m.group(0), m.group(0)), text)


_DECIMAL = re.compile(r"(?<![\w.,])(\d+)\.(\d+)(?![\w.]|,\d)")


def localise_decimals(text: str, lang: str) -> str:
    """Decimal points of the numbers in a sentence written as ``lang`` writes them (``0.68`` ->
    ``0,68``); versions such as ``1.2.0`` are left alone.

    Examples
    --------
    >>> localise_decimals("alpha 0.68 < 0.70 (catalogue 1.2.0)", "de")
    'alpha 0,68 < 0,70 (catalogue 1.2.0)'
    """
    if lang == "en":
        return text
    from babel.numbers import get_decimal_symbol

    sign = get_decimal_symbol(lang)
    return _DECIMAL.sub(lambda m: f"{m.group(1)}{sign}{m.group(2)}", text)


def _split_outside_parentheses(text: str) -> list[str]:
    """``text`` split at the semicolons that are not inside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == ";" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_CODE_GROUP = re.compile(r"\{code(\d)\}")


def _translate(table: dict[str, dict[str, str]], text: str, lang: str, names: Mapping[str, str] | None) -> str:
    """``text`` rendered by the first English pattern it matches: ``\\N`` is the N-th group as
    written, ``{codeN}`` its code name(s) in ``lang`` (``a/b`` codes one by one)."""
    if lang != "en" and lang in table:
        templates = table[lang]
        codes = CODES.get(lang, {})
        for key, pattern in table["en"].items():
            m = re.match(pattern, text)
            if key in templates and m:
                out = re.sub(pattern, templates[key], text)
                groups: tuple[str, ...] = tuple(str(g or "") for g in m.groups())

                def code_names(g: re.Match[str], groups: tuple[str, ...] = groups) -> str:
                    return "/".join(codes.get(c, c) for c in groups[int(g.group(1)) - 1].split("/"))

                out = _CODE_GROUP.sub(code_names, out)
                return name_ids(out, names)
    return name_ids(text, names)
