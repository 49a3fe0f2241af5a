"""Policy documents in: PDF, DOCX, HTML or plain text -> one tidy table of passages.

The authority's response, laws, budgets, coalition agreements and progress reports are read
once (:class:`~deliberval.io.InputFile`, so the document's SHA-256 is of the bytes read),
their text extracted and cut into passages: one per paragraph, a paragraph longer than
``max_chars`` cut at sentence ends (at a space when one sentence is longer). Every passage
keeps where it came from (document, page, paragraph, character offsets) and the SHA-256 of
its text, so that a coder's evidence can point at it and a later reader can check that the
quoted passage is still the one in the document.

The io floor never judges: nothing here ranks or selects passages
(:mod:`deliberval.analysis.evidence` does).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from deliberval.errors import DataInputError

if TYPE_CHECKING:
    import pandas as pd

    from deliberval.io.readers import InputFile

__all__ = [
    "DOCUMENT_FORMATS",
    "PASSAGE_COLUMNS",
    "detect_language",
    "passage_hash",
    "read_document",
    "read_documents",
]

PathLike = str | Path

#: file suffixes read, by format
DOCUMENT_FORMATS: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "html": (".html", ".htm", ".xhtml"),
    "text": (".txt", ".text", ".md"),
}

#: the columns of a passages table, in order
PASSAGE_COLUMNS: tuple[str, ...] = (
    "passage_id", "document", "document_sha256", "format", "page", "paragraph", "part",
    "char_start", "char_end", "language", "text", "sha256",
)

LANGUAGES: tuple[str, ...] = ("en", "fr", "nl", "de", "da")

# the most frequent function words of each language (short, distinctive lists): a document's
# language is the one whose words it uses most
_MARKERS: dict[str, frozenset[str]] = {
    "en": frozenset(["the", "and", "of", "to", "in", "is", "that", "for", "with", "are", "be", "this", "on", "by", "which", "will"]),
    "fr": frozenset(["le", "la", "les", "des", "et", "est", "une", "dans", "pour", "que", "qui", "sur", "par", "pas", "du", "au", "aux"]),
    "nl": frozenset(["de", "het", "een", "en", "van", "is", "dat", "op", "te", "voor", "niet", "met", "zijn", "worden", "wordt", "ook"]),
    "de": frozenset(["der", "die", "das", "und", "ist", "nicht", "mit", "den", "dem", "zu", "von", "für", "ein", "eine", "auf", "werden"]),
    "da": frozenset(["og", "det", "at", "en", "er", "til", "på", "af", "med", "for", "ikke", "som", "den", "de", "skal", "vil"]),
}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_BLANK_LINES = re.compile(r"\n[ \t\f\v\r]*\n")


def passage_hash(text: str) -> str:
    """SHA-256 (hex) of a passage's text as UTF-8, after collapsing white space.

    The same words give the same hash whatever the line breaks or spacing of the copy
    (a PDF's line breaks, a quote pasted into a spreadsheet).

    Examples
    --------
    >>> passage_hash("A  law\\non energy") == passage_hash("A law on energy")
    True
    """
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def detect_language(text: str) -> str | None:
    """The language (en, fr, nl, de, da) whose frequent function words ``text`` uses most.

    Returns None when the text has fewer than 3 such words (too short to tell). Ties go to
    the language listed first (en, fr, nl, de, da).

    Examples
    --------
    >>> detect_language("La loi est votée par le Parlement et les citoyens.")
    'fr'
    >>> detect_language("Das Gesetz wird von dem Parlament und den Bürgern beschlossen.")
    'de'
    """
    words = [w.lower() for w in _WORD.findall(text)]
    counts = {lang: sum(w in marks for w in words) for lang, marks in _MARKERS.items()}
    best = max(LANGUAGES, key=lambda lang: (counts[lang], -LANGUAGES.index(lang)))
    return best if counts[best] >= 3 else None


@dataclass(frozen=True)
class _Block:
    """A paragraph of extracted text: its page (None: no pages) and offsets in that page's text."""

    page: int | None
    start: int
    end: int
    text: str


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    for fmt, suffixes in DOCUMENT_FORMATS.items():
        if suffix in suffixes:
            return fmt
    if suffix in (".doc", ".rtf", ".odt"):
        raise DataInputError(f"{path.name}: {suffix} files are not read; save the document as DOCX or "
                             "PDF and give that file")
    known = ", ".join(s for suffixes in DOCUMENT_FORMATS.values() for s in suffixes)
    raise DataInputError(f"{path.name}: unknown document format {suffix or '(no suffix)'!r}; "
                         f"give one of {known}")


def _paragraphs(text: str, page: int | None) -> Iterator[_Block]:
    """Blank-line separated paragraphs of ``text`` with their offsets (line breaks inside kept)."""
    pos = 0
    for m in [*_BLANK_LINES.finditer(text), None]:
        end = m.start() if m is not None else len(text)
        chunk = text[pos:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            yield _Block(page, pos + lead, pos + lead + len(stripped), stripped)
        if m is not None:
            pos = m.end()


def _pdf_blocks(file: InputFile) -> Iterator[_Block]:
    import io

    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - the extra is installed in development
        raise DataInputError(f"{file.path.name}: reading PDF needs the 'documents' extra: "
                             "pip install 'deliberval[documents]'") from None
    try:
        reader = PdfReader(io.BytesIO(file.content))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = list(reader.pages)
        for number, page in enumerate(pages, start=1):
            # layout mode keeps the vertical gaps between paragraphs as blank lines
            try:
                text = page.extract_text(extraction_mode="layout") or ""
            except (ValueError, KeyError, TypeError, ZeroDivisionError):
                text = page.extract_text() or ""
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            yield from _paragraphs(text, number)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DataInputError(f"{file.path.name}: not a readable PDF ({exc})") from None


def _docx_blocks(file: InputFile) -> Iterator[_Block]:
    import io
    import zipfile

    try:
        import docx
        from docx.table import Table
    except ImportError:  # pragma: no cover - the extra is installed in development
        raise DataInputError(f"{file.path.name}: reading DOCX needs the 'documents' extra: "
                             "pip install 'deliberval[documents]'") from None
    try:
        document = docx.Document(io.BytesIO(file.content))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DataInputError(f"{file.path.name}: not a readable DOCX file ({exc})") from None
    pos = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            texts = [" | ".join(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                     for row in item.rows]
        else:
            texts = [item.text]
        for text in texts:
            stripped = text.strip()
            if stripped:
                yield _Block(None, pos, pos + len(stripped), stripped)
                pos += len(stripped) + 2  # paragraphs joined by a blank line


class _HTMLText(HTMLParser):
    """Text of an HTML page in block elements (scripts, styles, navigation left out)."""

    BLOCKS = frozenset(("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr",
                        "blockquote", "pre", "dd", "dt", "caption", "section", "article", "br",
                        "table", "ul", "ol", "header", "footer", "main", "figcaption", "title"))
    SKIP = frozenset(("script", "style", "noscript", "template", "nav", "svg", "head"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._buffer: list[str] = []
        self._skip = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.paragraphs.append(text)
        self._buffer = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCKS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _html_blocks(file: InputFile) -> Iterator[_Block]:
    from deliberval.io.readers import decode_text

    text, _ = decode_text(file.content, file=file.path.name)
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    pos = 0
    for paragraph in parser.paragraphs:
        yield _Block(None, pos, pos + len(paragraph), paragraph)
        pos += len(paragraph) + 2


def _text_blocks(file: InputFile) -> Iterator[_Block]:
    from deliberval.io.readers import decode_text

    text, _ = decode_text(file.content, file=file.path.name)
    yield from _paragraphs(text.replace("\r\n", "\n").replace("\r", "\n"), None)


def _split(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Spans of ``text`` of at most ``max_chars`` characters, cut after sentence ends, else at spaces."""
    if len(text) <= max_chars:
        return [(0, len(text))]
    cuts = [m.end() for m in _SENTENCE_END.finditer(text)]
    spans: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > max_chars:
        limit = start + max_chars
        inside = [c for c in cuts if start < c <= limit]
        if inside:
            cut = inside[-1]
        else:
            space = text.rfind(" ", start + 1, limit + 1)
            cut = space + 1 if space > start else limit
        spans.append((start, cut))
        start = cut
    spans.append((start, len(text)))
    out = []
    for a, b in spans:  # trim the white space at the cut, keeping the offsets true
        piece = text[a:b]
        a2 = a + len(piece) - len(piece.lstrip())
        b2 = b - (len(piece) - len(piece.rstrip()))
        if b2 > a2:
            out.append((a2, b2))
    return out


def _dehyphenate(text: str) -> str:
    """Join a word cut by a hyphen at a line end and the lines of a paragraph into one line."""
    return " ".join(re.sub(r"(?<=[^\W\d_])-\n(?=[^\W\d_])", "", text).split())


def read_document(
    source: PathLike | InputFile,
    *,
    language: str | None = None,
    max_chars: int = 1500,
) -> pd.DataFrame:
    """Read one document and cut its text into passages.

    Parameters
    ----------
    source : path-like or InputFile
        A ``.pdf`` (text layer, read with pypdf), ``.docx`` (python-docx: paragraphs and table
        rows in document order), ``.html`` / ``.htm`` (text of block elements; scripts, styles,
        navigation left out) or ``.txt`` / ``.md`` file (paragraphs separated by blank lines).
    language : {"en", "fr", "nl", "de", "da"}, optional
        The document's language; None: detected from its function words
        (:func:`detect_language`, None when it cannot be told).
    max_chars : int, default 1500
        Longest passage; a longer paragraph is cut after the last sentence end that fits (at a
        space when a sentence is longer), so that every passage stays quotable.

    Returns
    -------
    pandas.DataFrame
        One row per passage, in document order, columns

        - ``passage_id``: ``"<document>#<n>"`` (n from 1, document order);
        - ``document``: the file's name; ``document_sha256``: SHA-256 of its bytes;
        - ``format``: ``pdf``, ``docx``, ``html`` or ``text``;
        - ``page``: 1-based page of a PDF (``<NA>`` for formats without pages);
        - ``paragraph``: 1-based paragraph number in the document (a table row of a DOCX
          counts as a paragraph); ``part``: 1-based part of a paragraph cut at ``max_chars``;
        - ``char_start``, ``char_end``: offsets of the passage in the extracted text of its page
          (PDF: pypdf's layout-mode text) or of the whole document (paragraphs joined by a blank line), end exclusive;
        - ``language``: the document's language (or None);
        - ``text``: the passage with its line breaks joined (a word hyphenated at a line end
          rejoined) and white space collapsed;
        - ``sha256``: :func:`passage_hash` of ``text``.

    Raises
    ------
    DataInputError
        Missing or unreadable file, unknown format, an unknown language, or a document from
        which no text can be extracted (e.g. a scanned PDF without a text layer: run OCR first).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "response.txt"
    >>> _ = f.write_text("The Government accepts recommendation 1.\\n\\nIt will legislate in 2026.")
    >>> read_document(f)[["passage_id", "paragraph", "char_start", "char_end", "language"]].values.tolist()
    [['response.txt#1', 1, 0, 40, 'en'], ['response.txt#2', 2, 42, 68, 'en']]
    """
    import pandas as pd

    from deliberval.io.readers import InputFile

    if language is not None and language not in LANGUAGES:
        raise DataInputError(f"unknown document language {language!r}; give one of {', '.join(LANGUAGES)}")
    if max_chars < 50:
        raise DataInputError(f"max_chars is {max_chars}; give at least 50 characters per passage")
    file = source if isinstance(source, InputFile) else InputFile.read(source)
    if file.is_folder:
        raise DataInputError(f"{file.path}: is a folder; give the document files")
    fmt = _format(file.path)
    blocks = {"pdf": _pdf_blocks, "docx": _docx_blocks, "html": _html_blocks,
              "text": _text_blocks}[fmt](file)
    rows: list[dict[str, object]] = []
    for number, block in enumerate(blocks, start=1):
        for part, (a, b) in enumerate(_split(block.text, max_chars), start=1):
            text = _dehyphenate(block.text[a:b])
            rows.append({"page": block.page, "paragraph": number, "part": part,
                         "char_start": block.start + a, "char_end": block.start + b, "text": text})
    if not rows:
        hint = " (a scanned PDF has no text layer: run OCR on it first)" if fmt == "pdf" else ""
        raise DataInputError(f"{file.path.name}: no text could be extracted{hint}")
    lang = language or detect_language(" ".join(str(r["text"]) for r in rows[:200]))
    df = pd.DataFrame(rows)
    df.insert(0, "passage_id", [f"{file.path.name}#{i}" for i in range(1, len(df) + 1)])
    df.insert(1, "document", file.path.name)
    df.insert(2, "document_sha256", file.sha256)
    df.insert(3, "format", fmt)
    df["page"] = pd.array(df["page"].tolist(), dtype="Int64")
    for col in ("paragraph", "part", "char_start", "char_end"):
        df[col] = df[col].astype("int64")
    df["language"] = pd.Series([lang] * len(df), dtype="object")
    df["sha256"] = [passage_hash(t) for t in df["text"]]
    return df.loc[:, list(PASSAGE_COLUMNS)]


def read_documents(
    sources: Sequence[PathLike | InputFile] | Iterable[PathLike | InputFile],
    *,
    language: str | None = None,
    max_chars: int = 1500,
) -> pd.DataFrame:
    """Read several documents into one passages table (see :func:`read_document`).

    Parameters
    ----------
    sources : sequence of path-like or InputFile
        The documents (PDF, DOCX, HTML, text), read in the order given.
    language : {"en", "fr", "nl", "de", "da"}, optional
        The documents' language; None: detected per document.
    max_chars : int, default 1500
        Longest passage.

    Returns
    -------
    pandas.DataFrame
        The passages of every document, one after the other, with the columns of
        :func:`read_document` (``passage_id`` unique across documents).

    Raises
    ------
    DataInputError
        No documents, two documents with the same file name (passages are named by it), or
        any document :func:`read_document` cannot read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "law.txt").write_text("Article 1. Homes are insulated.")
    >>> _ = (folder / "budget.md").write_text("Line 4: insulation grants.\\n\\nLine 5: roads.")
    >>> read_documents([folder / "law.txt", folder / "budget.md"])["passage_id"].tolist()
    ['law.txt#1', 'budget.md#1', 'budget.md#2']
    """
    import pandas as pd

    frames = [read_document(s, language=language, max_chars=max_chars) for s in sources]
    if not frames:
        raise DataInputError("no documents given")
    names = [f["document"].iloc[0] for f in frames]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataInputError(f"two documents are named {dupes[0]!r}; passages are named by the file "
                             "name, so rename one of them")
    return pd.concat(frames, ignore_index=True)
