"""The report in five languages: every key everywhere, and no English or raw code left behind.

Part 1 checks the locale files (``report/locales/*.yaml``): every key of every section exists in
every language, a string has the same placeholders in each, plural forms name CLDR categories,
and reason / flag templates only use groups their English pattern has.

Part 2 is the acceptance test of issue 18: the Wallonia example rendered in en, fr, nl, de and da;
a scanner reads each non-English report's VISIBLE text (tags, scripts, styles, ``<code>`` and
``<cite>`` removed) and its XLSX workbook (sheet names, headers, string cells) and finds no English
interface word and no raw code. The English words are the words of ``en.yaml``'s values that the
target language's own texts (its locale file, the catalogue's and the instrument's labels) do not
use. Allowed: the process's own proper names (its id, name and commissioner, from the data), the
statistic symbols ``d_z`` and ``DiD``, the configuration fields a reader must type (listed below),
and ids in columns marked as id columns.
"""

from __future__ import annotations

import html as html_lib
import re
import string
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from deliberval.report.i18n import CODES, LANGUAGES, t, translate_flags, translate_reason
from support.evaluations import example_evaluation

LOCALES = Path(__file__).resolve().parents[2] / "src" / "deliberval" / "report" / "locales"
SECTIONS = ("strings", "columns", "codes", "reasons", "flags")
PLURAL_CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


def _load(lang: str) -> dict[str, Any]:
    return yaml.safe_load((LOCALES / f"{lang}.yaml").read_text(encoding="utf-8"))


DOCS = {lang: _load(lang) for lang in LANGUAGES}


def _forms(value: Any) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


def _fields(text: str) -> set[str]:
    return {f[1] for f in string.Formatter().parse(text) if f[1] is not None}


# ----------------------------------------------------------------------------- locale files
def test_the_five_languages_have_a_file_each() -> None:
    assert LANGUAGES == ("en", "fr", "nl", "de", "da")
    assert sorted(p.stem for p in LOCALES.glob("*.yaml")) == sorted(LANGUAGES)
    assert all(DOCS[lang]["language"] == lang for lang in LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES[1:])
@pytest.mark.parametrize("section", SECTIONS)
def test_every_key_exists_in_every_language(lang: str, section: str) -> None:
    en, other = DOCS["en"][section], DOCS[lang][section]
    assert sorted(set(en) - set(other)) == [], f"{lang}.yaml {section}: missing keys"
    assert sorted(set(other) - set(en)) == [], f"{lang}.yaml {section}: keys English does not have"
    empty = [k for k, v in other.items() if any(not str(f).strip() for f in _forms(v))]
    assert empty == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_and_plural_forms_match_english(lang: str) -> None:
    bad = []
    for section in ("strings", "columns", "codes"):
        for key, value in DOCS["en"][section].items():
            want = set().union(*(_fields(f) for f in _forms(value)))
            got = DOCS[lang][section][key]
            if isinstance(got, dict):
                assert set(got) <= PLURAL_CATEGORIES, (lang, key)
                assert "other" in got, (lang, key)
            for form in _forms(got):
                if _fields(form) != want:
                    bad.append((section, key, sorted(_fields(form)), sorted(want)))
    assert bad == []


@pytest.mark.parametrize("lang", LANGUAGES[1:])
@pytest.mark.parametrize("section", ["reasons", "flags"])
def test_templates_use_only_the_groups_of_their_pattern(lang: str, section: str) -> None:
    for key, pattern in DOCS["en"][section].items():
        groups = re.compile(pattern).groups
        template = DOCS[lang][section][key]
        used = {int(g) for g in re.findall(r"\\(\d)", template)} | {int(g) for g in re.findall(r"\{code(\d)\}", template)}
        assert used <= set(range(1, groups + 1)), (lang, key, used, groups)


def test_plural_forms_follow_each_language() -> None:
    assert t("fr", "count_measured", count=22) == "mesurés"
    assert t("fr", "count_not_measured", count=1) == "non mesuré"
    assert t("fr", "count_not_measured", count=3) == "non mesurés"
    assert t("de", "n_items", count=1) == "1 Item"
    assert t("de", "n_items", count=9) == "9 Items"
    assert t("en", "scale_not_asked", scale="S", waves="before", count=1).startswith("S: no row for")


def test_reasons_and_flags_are_translated_with_names() -> None:
    assert translate_reason("item 'q_1' is not in the responses", "fr", {"q_1": "Le mandat était clair"}) == \
        "item « Le mandat était clair » absent des réponses"
    assert translate_reason("scale 'sc_x' has no valid answer", "da") == "skalaen »sc_x« uden gyldigt svar"
    flags = ("alpha 0.56 < 0.70; note: fit not testable (three items: the one-factor model is just identified, "
             "df = 0; CFI, TLI, RMSEA and SRMR left empty)")
    assert translate_flags(flags, "de") == (
        "Alpha 0,56 < 0,70; Hinweis: Modellgüte nicht prüfbar (drei Items: Das einfaktorielle Modell ist gerade "
        "identifiziert, df = 0; CFI, TLI, RMSEA und SRMR leer gelassen)")
    assert translate_flags(flags, "en") == flags
    got = translate_reason("responses: q_1 (post, participant politician/civil_servants); Wilson interval", "nl",
                           {"q_1": "Stelling"})
    assert got == "antwoorden: Stelling (na, deelnemende politici/ambtenaren); Wilson-interval"


# ------------------------------------------------------------------------ acceptance scanner
ALLOWED_CODES = {
    "d_z",  # Cohen's d for paired data: a statistic's symbol
    "privacy_policy", "response_deadline_days", "aftercare",  # fields of the process table to fill in
    "min_cell_size", "as_of", "deadline_days",  # configuration keys
}
ALLOWED_PHRASES = ("group == 'control'", "weight: none", "DiD")
COGNATES = {"fr": {"public"}, "nl": {"data", "exact"}, "de": {"design"}, "da": {"design"}}
"""Words English shares with the language (the heuristic cannot tell them apart)."""
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:['’][A-Za-zÀ-ÿ]+)*")


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(re.sub(r"\{[^}]*\}", " ", str(text)))}


def _locale_texts(lang: str) -> list[str]:
    doc = DOCS[lang]
    return [f for section in ("strings", "columns", "codes") for v in doc[section].values() for f in _forms(v)]


def _own_texts(lang: str, ev: Any) -> list[str]:
    """The target language's texts outside the locale file: catalogue and instrument labels."""
    cat, ins = ev.catalogue, ev.instrument
    out = [spec.text(lang) for spec in cat.indicators]
    out += [cat.stage_label(s, lang) for s in cat.stages] + [cat.criterion_label(c, lang) for c in cat.criteria]
    out += [v.get(lang, "") for v in cat.construct_labels.values()]
    out += [it.text.get(lang, "") for it in ins.items] + [ins.title.get(lang, "")]
    out += [lab.get(lang, "") for rs in ins.response_scales for lab in
            [v.labels for v in rs.values] + [m.labels for m in rs.missing_codes]]
    return out


def english_words(lang: str, ev: Any) -> set[str]:
    """Words of the English interface that the language's own texts do not use (3 letters or more)."""
    english = set().union(*(_words(v) for v in _locale_texts("en")))
    own = set().union(*(_words(v) for v in _locale_texts(lang) + _own_texts(lang, ev)))
    return {w for w in english - own - COGNATES.get(lang, set()) if len(w) >= 3}


def raw_codes(ev: Any, lang: str) -> set[str]:
    """Codes that must never be shown as a cell or line of their own: the instrument's category
    codes, validation check names, statuses and the other code keys of the report (a code whose
    name in ``lang`` is the code itself, such as ``proportion`` in French, is a word there)."""
    codes = {str(v.value) for rs in ev.instrument.response_scales for v in rs.values
             if isinstance(v.value, str) and not v.value.isdigit()}
    codes |= set(CODES["en"])
    return {c for c in codes if CODES[lang].get(c) != c}


def visible_text(document: str) -> str:
    document = re.sub(r"(?is)<(script|style|head|code|cite)\b.*?</\1>", " ", document)
    return html_lib.unescape(re.sub(r"(?s)<[^>]+>", "\n", document))


def _proper_names(ev: Any) -> list[str]:
    facts = ev.data.process_facts() or {}
    return sorted({ev.data.process_id, *(str(facts[k]) for k in ("name", "commissioner") if k in facts)},
                  key=len, reverse=True)


def problems(text: str, english: set[str], codes: set[str], names: list[str]) -> list[str]:
    """Lines of ``text`` that hold an English interface word or a raw code."""
    found = []
    for line in text.splitlines():
        clean = line
        for allowed in (*names, *ALLOWED_PHRASES):
            clean = clean.replace(allowed, " ")
        clean = SNAKE.sub(lambda m: " " if m.group(0) in ALLOWED_CODES else m.group(0), clean)
        words = [w for w in WORD.findall(clean) if w.lower() in english]
        snake = [c for c in SNAKE.findall(clean) if c not in ALLOWED_CODES]
        whole = clean.strip()
        code = [whole] if whole in codes and whole.lower() not in {w.lower() for w in WORD.findall(
            " ".join(names))} else []
        if words or snake or code:
            found.append(f"{words + snake + code} in {line.strip()[:140]!r}")
    return found


@pytest.fixture(scope="module")
def wallonia(tmp_path_factory):  # type: ignore[no-untyped-def]
    from deliberval.report import ReportSettings, build_report
    from deliberval.report.render import render_html, write_xlsx

    ev = example_evaluation("wallonia_committee")
    folder = tmp_path_factory.mktemp("i18n")
    out = {}
    for lang in LANGUAGES:
        rep = build_report(ev, ReportSettings(language=lang))
        html = render_html(rep, timestamp="2026-01-01 00:00:00 UTC")
        book = write_xlsx(rep.tables(), folder / f"{lang}.xlsx", provenance=rep.provenance,
                          min_cell_size=rep.min_cell_size, lang=lang)
        out[lang] = (html, book)
    return ev, out


def test_every_language_renders(wallonia) -> None:  # type: ignore[no-untyped-def]
    _ev, out = wallonia
    for lang, (html, _) in out.items():
        assert f'<html lang="{lang}"' in html
    out = {lang: (html_lib.unescape(html), book) for lang, (html, book) in out.items()}
    assert "Rapport d'évaluation" in out["fr"][0]
    assert "Evaluationsbericht" in out["de"][0]
    assert "Evalueringsrapport" in out["da"][0]
    assert "Evaluatierapport" in out["nl"][0]


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_no_english_word_or_raw_code_in_the_visible_report(wallonia, lang: str) -> None:  # type: ignore[no-untyped-def]
    ev, out = wallonia
    text = visible_text(out[lang][0])
    found = problems(text, english_words(lang, ev), raw_codes(ev, lang), _proper_names(ev))
    assert found == []


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_no_english_word_or_raw_code_in_the_workbook(wallonia, lang: str) -> None:  # type: ignore[no-untyped-def]
    from deliberval.report.render import _ID_SETTINGS

    ev, out = wallonia
    english, codes, names = english_words(lang, ev), raw_codes(ev, lang), _proper_names(ev)
    id_mark = f"({t(lang, 'id_column')})"
    sheets = pd.read_excel(out[lang][1], sheet_name=None)
    found = problems("\n".join(sheets), english, codes, names)
    for name, df in sheets.items():
        found += [f"{name}: {p}" for p in problems("\n".join(map(str, df.columns)), english, codes, names)]
        ids = [c for c in df.columns if str(c).endswith(id_mark)]
        for c in df.columns:
            if c in ids or c == "SHA-256":
                continue
            cells = df[c]
            if ids and name == t(lang, "sheet_README"):  # settings whose values are versioned ids
                cells = cells[~df[ids[0]].isin(_ID_SETTINGS)]
            text = "\n".join(v for v in cells if isinstance(v, str))
            found += [f"{name}/{c}: {p}" for p in problems(text, english, codes, names)]
    assert found == []


def test_locale_formatting_in_the_reports(wallonia) -> None:  # type: ignore[no-untyped-def]
    _, out = wallonia
    fr, en, de = (visible_text(out[lang][0]) for lang in ("fr", "en", "de"))
    assert "IC à 95\u00a0%" in fr
    assert "95% CI" in en
    assert "95\u00a0%-KI" in de
    assert re.search(r"\d+ mesurés", fr)
    assert re.search(r"\d+ non mesurés", fr)
    assert re.search(r"\b0,\d\d\b", fr)
    assert not re.search(r"\b0\.\d\d\b", fr.replace("1.2.0", ""))


@pytest.fixture(scope="module")
def comparison(wallonia):  # type: ignore[no-untyped-def]
    from deliberval.indicators.compare import compare_evaluations, summarise_evaluation
    from deliberval.report.compare import build_comparison, render_comparison

    evs = [wallonia[0], example_evaluation("brussels_committee")]
    c = compare_evaluations([summarise_evaluation(e) for e in evs])
    pages = {lang: render_comparison(build_comparison(c, lang=lang), timestamp="t") for lang in LANGUAGES}
    return evs, pages


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_the_comparison_report_is_translated_too(comparison, lang: str) -> None:  # type: ignore[no-untyped-def]
    evs, pages = comparison
    names = sorted({n for ev in evs for n in _proper_names(ev)}, key=len, reverse=True)
    assert f'<html lang="{lang}"' in pages[lang]
    found = problems(visible_text(pages[lang]), english_words(lang, evs[0]), raw_codes(evs[0], lang), names)
    assert found == []
