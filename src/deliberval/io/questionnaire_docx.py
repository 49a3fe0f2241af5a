"""Questionnaire in a Word file (.docx) -> an instrument definition the user checks and edits.

Questionnaires such as the OECD (2021) member and organiser questionnaires (Annexes C and D of
the Evaluation Guidelines for Representative Deliberative Processes) are distributed as Word
documents. :func:`read_questionnaire_docx` reads one laid out the usual way:

- numbered questions: Word's own numbering (a decimal list), or typed numbers (``1.``, ``1)``,
  ``Q1.``, ``Q1:``); in a document without numbers, a paragraph that ends in ``?`` or is
  followed by response options;
- response options under a question: bulleted or lettered list paragraphs, typed boxes or
  letters (``☐ Agree``, ``a) Agree``), or the rows of a table (first cell of each row);
- a grid: a table whose first row holds the response options and whose first column holds
  statements becomes one item per statement, sharing those options;
- a questionnaire laid out as a table, one question per row: cells before the question name
  its criterion, cells after it hold its options (one paragraph each), an X2 mark or a note;
- ``X2`` next to a question: asked at the start and at the end (waves ``pre`` and ``post``);
- a note that contains "randomise" / "randomize" (in brackets in the question, or a paragraph of
  its own under it): answer options shown in a random order;
- headings name the construct of the questions under them.

Everything it does not recognise is reported as one line each in ``notes``; nothing is
silently dropped. The wording is kept as written (``wording: verbatim``, citing the file), so an
evaluator with the OECD's file gets the OECD's words; the licence of the wording is the user's to
state. This module reads a file and judges no answer (floor ``io``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deliberval.errors import DataInputError

__all__ = ["ImportedQuestionnaire", "read_questionnaire_docx"]

_NUMBERED = re.compile(r"^\s*(?:Q(?:uestion)?\s*)?(\d{1,3})\s*[.):]\s*(?=\S)(.*)$", re.IGNORECASE)
_OPTION_MARK = re.compile(r"^\s*(?:[☐□○◯●•▪◻❑\-–*]|\(\s?\)|\[\s?\]|[a-z][.)])\s+(?=\S)(.*)$")
_X2 = re.compile(r"[\[(]?\s*\bx\s?2\b\s*[\])]?", re.IGNORECASE)
# a randomisation note: English "randomise / randomize", or the fr / nl / de / da word for "random"
# together with the word for "order" (so that "zufällig ausgewählt" is not taken for a note)
_RANDOM = re.compile(
    r"randomi[sz]|(?=.*\b(?:ordre|volgorde|reihenfolge|rækkefølge)\b)"
    r".*\b(?:aléatoire|aleatoire|willekeurige?|zufällige?r?|tilfældig)",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"\s*[\[(][^\[\]()]*[\])]")
_DONT_KNOW = re.compile(
    r"^(?:i\s+)?do(?:n['’]?t| not) know\b|^not sure\b|^can['’]?t say\b"  # en
    r"|^(?:je\s+)?ne (?:sais|sait) pas\b|^sans opinion\b"  # fr
    r"|^(?:ik\s+)?weet (?:het )?niet\b|^geen mening\b"  # nl
    r"|^(?:ich\s+)?wei(?:ß|ss) (?:es )?nicht\b|^kann ich nicht sagen\b"  # de
    r"|^(?:jeg\s+)?ved ikke\b",  # da
    re.IGNORECASE,
)
_REFUSED = re.compile(
    r"prefer not to|rather not|^refus|préfère ne pas|liever niet|möchte (?:ich )?nicht|keine angabe"
    r"|ønsker ikke at svare|vil ikke svare|^weiger|^verweiger|^nægter",
    re.IGNORECASE,
)
_NOT_APPLICABLE = re.compile(
    r"^(?:not applicable|n/?a|sans objet|non applicable|niet van toepassing|nicht zutreffend|trifft nicht zu"
    r"|ikke relevant)\b",
    re.IGNORECASE,
)
_ORDINAL = re.compile(
    r"\b(?:agree|disagree|satisfied|dissatisfied|likely|unlikely|not at all|completely|very|fairly|"
    r"somewhat|extent|always|never|often|sometimes|rarely|poor|good|excellent|much|little|"
    r"d'accord|satisfait|tout à fait|pas du tout|plutôt|eens|oneens|helemaal|tevreden|"
    r"stimme|zustimm|zufrieden|überhaupt|voll und ganz|eher|enig|uenig|helt|tilfreds)\b",
    re.IGNORECASE,
)
_AGREE = re.compile(r"\bagree\b|d'accord|\beens\b|\bstimme\b.*\bzu\b|\benig\b", re.IGNORECASE)
_NOT_AGREE = re.compile(r"disagree|neither|\bnor\b|\bpas\b|\bni\b|\bniet\b|oneens|\bnicht\b|\bweder\b|"
                        r"\buenig\b|\bhverken\b", re.IGNORECASE)
_LEADING_INT = re.compile(r"^\s*(\d{1,2})(?:\s*[-–:.)=]\s*|\s+|$)(.*)$")
_MISSING_CODES = {"not_applicable": 97, "dont_know": 98, "refused": 99}


@dataclass(frozen=True)
class ImportedQuestionnaire:
    """What :func:`read_questionnaire_docx` found.

    Attributes
    ----------
    instrument : dict
        The instrument definition (the YAML format of ``surveys/*.yaml``), ready to write with
        :meth:`yaml` and to check with ``deliberval instruments check``.
    notes : tuple of str
        One line per part of the document that was not understood or needs the user's decision.
    """

    instrument: dict[str, Any]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def yaml(self) -> str:
        """The instrument as YAML text, with a header saying where it came from and what to check."""
        import yaml

        head = [
            f"# Imported by `deliberval instruments import` from {self.instrument['citations'][0]}.",
            "# The question and option texts are the file's own (wording: verbatim). Check before use:",
            "# construct names, waves (X2 items are asked pre and post), respondents, scale types, the",
            "# values given to options, missing-value codes (97-99) and the licence of the wording.",
        ]
        head += [f"# note: {n}" for n in self.notes]
        body = yaml.safe_dump(self.instrument, allow_unicode=True, sort_keys=False, width=100)
        return "\n".join(head) + "\n" + body


@dataclass
class _Question:
    number: str
    text: str
    where: str
    construct: str
    x2: bool = False
    randomize: bool = False
    options: list[str] = field(default_factory=list)
    rows: list[tuple[str, bool, bool]] = field(default_factory=list)  # grid: (statement, x2, randomize)


def _slug(text: str, fallback: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "_".join(words)[:40].strip("_")
    if not slug:
        return fallback
    return slug if slug[0].isalpha() else f"{fallback}_{slug}"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _marks(text: str) -> tuple[str, bool, bool]:
    """Text without its X2 and randomise marks, and whether each was there."""
    randomize = False
    for note in _BRACKETED.findall(text):
        if _RANDOM.search(note):
            randomize = True
            text = text.replace(note, " ")
    x2 = bool(_X2.search(text))
    text = _X2.sub(" ", text)
    return " ".join(text.split()), x2, randomize


def _num_format(doc: Any, num_id: int, level: int) -> str:
    """numFmt (decimal, bullet, lowerLetter, ...) of a Word list level; '' when unknown."""
    try:
        numbering = doc.part.numbering_part.element
    except (KeyError, AttributeError, NotImplementedError):
        return ""
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    abstract_id = None
    for num in numbering.iter(f"{ns}num"):
        if num.get(f"{ns}numId") == str(num_id):
            ref = num.find(f"{ns}abstractNumId")
            abstract_id = ref.get(f"{ns}val") if ref is not None else None
            break
    if abstract_id is None:
        return ""
    for abstract in numbering.iter(f"{ns}abstractNum"):
        if abstract.get(f"{ns}abstractNumId") != abstract_id:
            continue
        for lvl in abstract.iter(f"{ns}lvl"):
            if lvl.get(f"{ns}ilvl") == str(level):
                fmt = lvl.find(f"{ns}numFmt")
                return fmt.get(f"{ns}val", "") if fmt is not None else ""
    return ""


def _list_kind(doc: Any, paragraph: Any) -> str:
    """'question', 'option' or '' for a paragraph, from Word's numbering and list styles."""
    style = (paragraph.style.name or "") if paragraph.style is not None else ""
    ppr = paragraph._p.pPr
    num_pr = ppr.numPr if ppr is not None else None
    if num_pr is not None and num_pr.numId is not None and num_pr.numId.val:
        level = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        fmt = _num_format(doc, int(num_pr.numId.val), level)
        if level == 0 and fmt in ("decimal", "decimalZero", ""):
            return "question"
        return "option"
    if style.startswith("List Number"):
        return "question" if style.strip() == "List Number" else "option"
    if style.startswith("List Bullet"):
        return "option"
    return ""


def _option_code(label: str) -> str | None:
    if _NOT_APPLICABLE.search(label):
        return "not_applicable"
    if _DONT_KNOW.search(label):
        return "dont_know"
    if _REFUSED.search(label):
        return "refused"
    return None


def _scale(scale_id: str, labels: list[str], notes: list[str], where: str, lang: str) -> dict[str, Any]:
    substantive = [lab for lab in labels if _option_code(lab) is None]
    missing = [(lab, code) for lab in labels if (code := _option_code(lab)) is not None]
    numbers = [_LEADING_INT.match(lab) for lab in substantive]
    values: list[dict[str, Any]] = []
    matched = [m for m in numbers if m is not None]
    numeric = bool(substantive) and len(matched) == len(substantive)
    if numeric and len({int(m.group(1)) for m in matched}) == len(matched):
        values = [{"value": int(m.group(1)), "labels": {lang: m.group(2).strip() or m.group(1)}} for m in matched]
    if not values:
        values = [{"value": i, "labels": {lang: lab}} for i, lab in enumerate(substantive, start=1)]
    ordinal = numeric or any(_ORDINAL.search(lab) for lab in substantive)
    scale: dict[str, Any] = {"id": scale_id, "type": "likert" if ordinal else "categorical"}
    if ordinal:
        nums = [v["value"] for v in values]
        scale["min"], scale["max"] = min(nums), max(nums)
    scale["values"] = values
    codes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for lab, meaning in missing:
        if meaning in seen:
            notes.append(f"{where}: option {lab!r} repeats a missing-value meaning ({meaning}); left out")
            continue
        seen.add(meaning)
        codes.append({"code": _MISSING_CODES[meaning], "meaning": meaning, "labels": {lang: lab}})
    clash = sorted({int(c["code"]) for c in codes} & {int(v["value"]) for v in values})
    if clash:
        notes.append(f"{where}: option values {clash} are also missing-value codes; renumber them")
    if codes:
        scale["missing_codes"] = codes
    if ordinal:
        agree = [v["value"] for v in values
                 if _AGREE.search(v["labels"][lang]) and not _NOT_AGREE.search(v["labels"][lang])]
        if agree:
            scale["agree_values"] = agree
    return scale


def _table_cells(table: Any) -> list[list[list[str]]]:
    """Row -> cell -> non-empty paragraph texts; a merged cell counted once."""
    out: list[list[list[str]]] = []
    for row in table.rows:
        seen: set[int] = set()
        cells: list[list[str]] = []
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append([t for t in (" ".join(p.text.split()) for p in cell.paragraphs) if t])
        out.append(cells)
    return out


def _is_question_cell(text: str) -> bool:
    return bool(_NUMBERED.match(text)) or text.rstrip().endswith("?")


def _option_label(text: str) -> str:
    mark = _OPTION_MARK.match(text)
    return " ".join((mark.group(1) if mark else text).split())


def _question_table(
    rows: list[list[list[str]]], q_rows: list[int], where: str, new_question: Any, notes: list[str],
) -> None:
    """One question per row: cells before the question name its criterion, cells after hold
    its options (one paragraph each), an X2 mark or a randomise note."""
    header = rows[0] if rows and 0 not in q_rows else None
    x2_col = None
    if header is not None:
        for j, cell in enumerate(header):
            if cell and _X2.fullmatch(" ".join(cell).strip()):
                x2_col = j
    for i, row in enumerate(rows):
        if i not in q_rows:
            if i > 0 and any(row):
                notes.append(f"{where}, row {i + 1}: no question in this row, left out: {_short(' '.join(t for c in row for t in c))!r}")
            continue
        k = next(j for j, c in enumerate(row) if _is_question_cell(" ".join(c)))
        text = " ".join(row[k])
        numbered = _NUMBERED.match(text)
        q = new_question(numbered.group(2) if numbered else text, f"{where}, row {i + 1}",
                         numbered.group(1) if numbered else None)
        before = [" ".join(c) for c in row[:k] if c and not re.fullmatch(r"\d{1,3}[.)]?", " ".join(c))]
        if before:
            q.construct = _slug(before[-1], "section")
        for j, cell in enumerate(row[k + 1:], start=k + 1):
            joined = " ".join(cell)
            if not joined:
                continue
            if j == x2_col or _X2.fullmatch(joined.strip()):
                q.x2 = True
                continue
            if _RANDOM.search(joined) and len(joined.split()) <= 12:
                q.randomize = True
                continue
            q.options += [_option_label(o) for o in cell]


def _open_document(path: Path) -> Any:
    try:
        import docx
    except ImportError:  # pragma: no cover - the docx extra is not installed
        raise DataInputError(
            "reading Word files needs python-docx: pip install 'deliberval[docx]'"
        ) from None
    from docx.opc.exceptions import PackageNotFoundError

    if not path.is_file():
        raise DataInputError(f"{path}: file not found" if not path.exists() else f"{path}: is not a file")
    if path.suffix.lower() != ".docx":
        raise DataInputError(f"{path}: expected a Word .docx file, got {path.suffix or 'no suffix'!r}"
                             " (save .doc or .odt files as .docx first)")
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise DataInputError(f"{path}: not a readable Word .docx file ({type(exc).__name__})") from None
    except Exception as exc:  # zipfile.BadZipFile, lxml errors: a damaged or disguised file
        raise DataInputError(f"{path}: not a readable Word .docx file ({type(exc).__name__})") from None


def read_questionnaire_docx(
    path: str | os.PathLike[str],
    *,
    instrument_id: str | None = None,
    respondents: tuple[str, ...] = ("citizen",),
    wave: str = "post",
    language: str = "en",
) -> ImportedQuestionnaire:
    """Read a questionnaire laid out in a Word file into an instrument definition.

    Parameters
    ----------
    path : path-like
        The ``.docx`` file.
    instrument_id : str, optional
        Id of the instrument (snake_case; item ids start with it). Default: from the file name.
    respondents : tuple of str, default ("citizen",)
        Who answers every item (edit per item afterwards if needed).
    wave : {"pre", "post", "follow_up"}, default "post"
        When the questionnaire is answered; items marked X2 are asked in ``pre`` and ``post``.
    language : str, default "en"
        ISO 639-1 code of the file's language: its texts are stored under it. Every instrument
        needs English, so a file in another language gives an instrument to which the user adds
        the English texts (``deliberval instruments check`` says where). Missing-value options,
        agreement scales and randomisation notes are recognised in en, fr, nl, de and da.

    Returns
    -------
    ImportedQuestionnaire
        The instrument definition (texts in ``language``, ``wording: verbatim`` citing the file, one
        response scale per distinct list of options) and one note per part not understood.

    Raises
    ------
    DataInputError
        When the file is missing, not a .docx file, cannot be opened, or holds no question.

    Notes
    -----
    Options are numbered 1, 2, ... in the order written (or by the number they start with,
    as in "0 - Not at all"); "Don't know", "Prefer not to say" and "Not applicable" options
    become missing-value codes 98, 99 and 97. A list of options containing ordinal words
    (agree, satisfied, likely, not at all, ...) or numbers becomes a ``likert`` scale, any other
    list a ``categorical`` one. A question without options becomes an open-text item
    (``free_text: true``).

    Examples
    --------
    >>> import tempfile, pathlib, docx
    >>> d = docx.Document()
    >>> _ = d.add_paragraph("1. The facilitators were neutral. X2")
    >>> for option in ("Disagree", "Neither", "Agree", "Don't know"):
    ...     _ = d.add_paragraph(option, style="List Bullet")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = pathlib.Path(tmp) / "member.docx"
    ...     d.save(f)
    ...     got = read_questionnaire_docx(f)
    >>> item = got.instrument["items"][0]
    >>> item["id"], item["waves"], item["source"]["wording"]
    ('member_q1', ['pre', 'post'], 'verbatim')
    >>> got.instrument["response_scales"][0]["missing_codes"][0]["code"]
    98
    """
    p = Path(path)
    doc = _open_document(p)
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    if wave not in ("pre", "post", "follow_up"):
        raise DataInputError(f"wave {wave!r}: expected pre, post or follow_up")
    if not re.fullmatch(r"[a-z]{2}", language):
        raise DataInputError(f"language {language!r}: expected a two-letter ISO 639-1 code such as en or fr")
    ins_id = instrument_id or _slug(p.stem, "imported")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", ins_id):
        raise DataInputError(f"instrument id {ins_id!r} must be snake_case (letters, digits, underscores)")
    notes: list[str] = []
    questions: list[_Question] = []
    title = ""
    construct = "unassigned"
    pending: tuple[str, str] | None = None  # an unnumbered paragraph that may turn out a question
    auto_number = 0
    n_par = n_tab = 0

    def flush_pending() -> None:
        nonlocal pending
        if pending is not None:
            notes.append(f"{pending[1]}: not a question, option or note, left out: {_short(pending[0])!r}")
            pending = None

    def new_question(text: str, where: str, number: str | None = None) -> _Question:
        nonlocal auto_number
        auto_number = int(number) if number is not None and number.isdigit() else auto_number + 1
        clean, x2, randomize = _marks(text)
        q = _Question(str(auto_number), clean, where, construct, x2, randomize)
        questions.append(q)
        return q

    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            n_tab += 1
            where = f"table {n_tab}"
            grid_cells = _table_cells(Table(child, doc))
            current_open = pending is not None or bool(questions and not questions[-1].options
                                                       and not questions[-1].rows)
            q_rows = [i for i, r in enumerate(grid_cells) if any(_is_question_cell(" ".join(c)) for c in r)]
            multi = any(len(c) >= 2 for r in grid_cells for c in r)
            if q_rows and (not current_open or (len(q_rows) >= 2 and multi)):
                # a questionnaire laid out as a table: one question per row
                flush_pending()
                _question_table(grid_cells, q_rows, where, new_question, notes)
                continue
            cells = [[" ".join(c) for c in r] for r in grid_cells]
            cells = [r for r in cells if any(r)]
            if pending is not None:
                q = new_question(pending[0], pending[1])
                pending = None
            elif questions:
                q = questions[-1]
            else:
                notes.append(f"{where}: no question before it, left out")
                continue
            header = cells[0] if cells else []
            responses = [h for h in header[1:] if h]
            if len(responses) >= 2 and len(cells) >= 2 and not q.options and not q.rows:
                for r in cells[1:]:
                    statement, x2, randomize = _marks(r[0])
                    if statement:
                        q.rows.append((statement, x2 or q.x2, randomize or q.randomize))
                q.options = responses
            else:
                for grid_row in grid_cells:
                    paras: list[str] = next((c for c in grid_row if any(c)), [])
                    for o in paras if len(paras) > 1 else [" ".join(paras)]:
                        if not o:
                            continue
                        if _RANDOM.search(o) and len(o.split()) <= 8:
                            q.randomize = True
                        else:
                            q.options.append(_option_label(o))
            continue
        if tag != "p":
            continue
        n_par += 1
        paragraph = Paragraph(child, doc)
        text = " ".join(paragraph.text.split())
        where = f"paragraph {n_par}"
        if not text:
            continue
        style = (paragraph.style.name or "") if paragraph.style is not None else ""
        if style == "Title" or style.startswith("Heading"):
            flush_pending()
            if not title and (style == "Title" or not questions):
                title = text
            else:
                construct = _slug(text, "section")
            continue
        kind = _list_kind(doc, paragraph)
        numbered = _NUMBERED.match(text)
        option_mark = _OPTION_MARK.match(text)
        if (_RANDOM.search(text) and (questions or pending) and len(text.split()) <= 12 and not numbered
                and not text.rstrip().endswith("?")):
            if pending is not None:
                new_question(pending[0], pending[1])
                pending = None
            questions[-1].randomize = True
            continue
        if numbered and kind != "option":
            flush_pending()
            new_question(numbered.group(2), where, numbered.group(1))
            continue
        if kind == "question":
            flush_pending()
            new_question(text, where)
            continue
        if kind == "option" or option_mark:
            label = _option_label(text)  # a Word list item may carry a typed box or letter too
            if pending is not None:
                new_question(pending[0], pending[1])
                pending = None
            if not questions:
                notes.append(f"{where}: option {_short(label)!r} before any question, left out")
                continue
            questions[-1].options.append(label)
            continue
        if re.fullmatch(r"\s*x\s?2\s*", text, re.IGNORECASE) and questions:
            questions[-1].x2 = True
            continue
        # plain paragraph: a question of an unnumbered document, or something else
        flush_pending()
        if text.rstrip().endswith("?"):
            new_question(text, where)
        else:
            pending = (text, where)
    flush_pending()

    if not questions:
        raise DataInputError(
            f"{p}: no question found (expected numbered questions such as '1. ...', Word-numbered "
            "paragraphs, or questions ending in '?')"
        )
    return ImportedQuestionnaire(_instrument(p, ins_id, title, questions, respondents, wave, language, notes),
                                 tuple(notes))


def _instrument(
    path: Path, ins_id: str, title: str, questions: list[_Question], respondents: tuple[str, ...],
    wave: str, lang: str, notes: list[str],
) -> dict[str, Any]:
    scales: dict[tuple[str, ...], dict[str, Any]] = {}
    items: list[dict[str, Any]] = []
    used_ids: set[str] = set()
    has_text = False
    citation = path.name
    unassigned = 0

    def waves(x2: bool) -> list[str]:
        if not x2:
            return [wave]
        return ["pre", "post"] if wave in ("pre", "post") else ["pre", "post", wave]

    def add_item(item_id: str, text: str, q: _Question, x2: bool, randomize: bool, what: str) -> None:
        nonlocal has_text, unassigned
        base, n = item_id, 1
        while item_id in used_ids:
            n += 1
            item_id = f"{base}_{n}"
        used_ids.add(item_id)
        item: dict[str, Any] = {"id": item_id, "construct": q.construct, "text": {lang: text}}
        if q.construct == "unassigned":
            unassigned += 1
        if q.options:
            key = tuple(q.options)
            if key not in scales:
                scales[key] = _scale(f"options_{len(scales) + 1}", list(key), notes, q.where, lang)
            item["scale"] = scales[key]["id"]
            if randomize:
                item["randomize"] = True
        else:
            has_text = True
            item["scale"] = "open_text"
            item["free_text"] = True
            notes.append(f"{q.where}: question {q.number} has no response options; imported as an open-text "
                         f"question (add its options if it has some): {_short(text)!r}")
            if randomize:
                notes.append(f"{q.where}: question {q.number} asks for a random order but has no options to shuffle")
        item["waves"] = waves(x2)
        item["respondents"] = list(respondents)
        item["source"] = {"citation": f"{citation}, {what}", "wording": "verbatim"}
        items.append(item)

    for q in questions:
        if not q.text and not q.rows:
            notes.append(f"{q.where}: question {q.number} has no text, left out")
            continue
        if q.rows:
            for i, (statement, x2, randomize) in enumerate(q.rows, start=1):
                text = f"{q.text} {statement}" if q.text else statement
                add_item(f"{ins_id}_q{q.number}_{i}", text, q, x2, randomize, f"question {q.number}, row {i}")
            continue
        add_item(f"{ins_id}_q{q.number}", q.text, q, q.x2, q.randomize, f"question {q.number}")
    if not items:
        raise DataInputError(f"{path}: no question with text found")
    if unassigned:
        notes.append(f"{unassigned} items have construct 'unassigned' (no heading above them): name what each measures")
    response_scales = list(scales.values())
    if has_text:
        response_scales.append({"id": "open_text", "type": "text"})
    return {
        "id": ins_id,
        "version": "1.0.0",
        "title": {lang: title or path.stem},
        "description": f"Imported from the Word file {citation} by deliberval instruments import; check and edit.",
        "languages": {lang: {"status": "source", "source": citation}},
        "citations": [citation],
        "licence": f"Wording copied from {citation}: state here the terms under which you may use it.",
        "response_scales": response_scales,
        "items": items,
    }
