"""Policy documents in (issue 21): PDF, DOCX, HTML and text cut into passages that keep where
they came from (document, page, paragraph, character offsets) and the hash of their text."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from deliberval.errors import DataInputError
from deliberval.io.documents import (
    PASSAGE_COLUMNS,
    detect_language,
    passage_hash,
    read_document,
    read_documents,
)
from support.minimal_pdf import minimal_pdf

TEXT = (
    "The Government accepts the recommendation on home insulation.\n"
    "It will fund retrofit grants from 2026 for every household.\n\n"
    "  Bus fares are frozen in all regions; rail fares follow in 2027.  \n\n\n"
    "A new law on energy effi-\nciency is passed by the parliament.\n"
)


def test_text_passages_keep_offsets_hashes_and_every_word(tmp_path: Path) -> None:
    f = tmp_path / "response.txt"
    f.write_text(TEXT, encoding="utf-8")
    df = read_document(f)
    assert list(df.columns) == list(PASSAGE_COLUMNS)
    assert df["passage_id"].tolist() == ["response.txt#1", "response.txt#2", "response.txt#3"]
    assert df["paragraph"].tolist() == [1, 2, 3]
    assert df["part"].tolist() == [1, 1, 1]
    assert df["page"].isna().all()
    assert str(df["page"].dtype) == "Int64"
    assert set(df["language"]) == {"en"}
    assert set(df["format"]) == {"text"}
    assert set(df["document_sha256"]) == {hashlib.sha256(f.read_bytes()).hexdigest()}
    for r in df.itertuples():
        # the offsets point at the passage in the document's text
        assert " ".join(TEXT[r.char_start:r.char_end].split()).replace("effi- ciency", "efficiency") == r.text
        assert r.sha256 == hashlib.sha256(r.text.encode()).hexdigest()
    assert df["text"].iloc[2] == "A new law on energy efficiency is passed by the parliament."
    # nothing lost: every word of the document is in a passage
    words = re.findall(r"\w+", TEXT.replace("effi-\nciency", "efficiency"))
    assert words == re.findall(r"\w+", " ".join(df["text"]))


def test_long_paragraph_is_cut_at_sentence_ends_within_max_chars(tmp_path: Path) -> None:
    sentences = [f"Sentence number {i} says that the budget line {i} is increased." for i in range(30)]
    body = " ".join(sentences)
    f = tmp_path / "long.txt"
    f.write_text(body, encoding="utf-8")
    df = read_document(f, max_chars=200)
    assert (df["char_end"] - df["char_start"]).max() <= 200
    assert df["paragraph"].eq(1).all()
    assert df["part"].tolist() == list(range(1, len(df) + 1))
    assert all(t.endswith(".") for t in df["text"])
    assert " ".join(df["text"]) == body
    for r in df.itertuples():
        assert body[r.char_start:r.char_end] == r.text


def test_docx_paragraphs_and_table_rows_in_order(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_heading("Réponse du gouvernement", level=1)
    doc.add_paragraph("Le gouvernement accepte la proposition sur la rénovation des logements.")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Proposition", "Statut"
    table.cell(1, 0).text, table.cell(1, 1).text = "Rénovation", "Acceptée et mise en œuvre"
    doc.add_paragraph("")
    doc.add_paragraph("La loi sur le climat est votée par le Parlement et publiée.")
    path = tmp_path / "reponse.docx"
    doc.save(str(path))
    df = read_document(path)
    assert df["text"].tolist() == [
        "Réponse du gouvernement",
        "Le gouvernement accepte la proposition sur la rénovation des logements.",
        "Proposition | Statut",
        "Rénovation | Acceptée et mise en œuvre",
        "La loi sur le climat est votée par le Parlement et publiée.",
    ]
    assert df["paragraph"].tolist() == [1, 2, 3, 4, 5]
    assert set(df["language"]) == {"fr"}
    assert set(df["format"]) == {"docx"}
    # offsets in the paragraphs joined by a blank line
    joined = "\n\n".join(df["text"])
    assert all(joined[r.char_start:r.char_end] == r.text for r in df.itertuples())


def test_html_block_text_without_scripts_and_navigation(tmp_path: Path) -> None:
    page = """<!doctype html><html><head><title>x</title><style>p{color:red}</style></head>
    <body><nav><a href="/">Home</a> <a href="/a">Menu</a></nav>
    <h1>Antwort der Regierung</h1>
    <p>Die Regierung setzt die Empfehlung zur Wärmedämmung um &amp; fördert die <b>Sanierung</b>
       der Wohnungen.</p><script>var a = "nicht lesen";</script>
    <ul><li>Das Gesetz wird von dem Parlament beschlossen.</li><li>Die Mittel sind im Haushalt.</li></ul>
    </body></html>"""
    path = tmp_path / "antwort.html"
    path.write_text(page, encoding="utf-8")
    df = read_document(path)
    assert df["text"].tolist() == [
        "Antwort der Regierung",
        "Die Regierung setzt die Empfehlung zur Wärmedämmung um & fördert die Sanierung der Wohnungen.",
        "Das Gesetz wird von dem Parlament beschlossen.",
        "Die Mittel sind im Haushalt.",
    ]
    assert set(df["language"]) == {"de"}


def test_pdf_pages_and_paragraphs_from_a_hand_written_file(tmp_path: Path) -> None:
    path = tmp_path / "besvarelse.pdf"
    path.write_bytes(minimal_pdf([
        ["Regeringen vil gennemfoere anbefalingen om", "isolering af boliger og det er en del af planen.",
         "", "Loven om energi skal vedtages af Folketinget med det samme."],
        ["Budgettet for cykelstier er ikke vedtaget til det kommende aar."],
    ]))
    df = read_document(path)
    assert df["page"].tolist() == [1, 1, 2]
    assert df["paragraph"].tolist() == [1, 2, 3]
    assert df["text"].tolist() == [
        "Regeringen vil gennemfoere anbefalingen om isolering af boliger og det er en del af planen.",
        "Loven om energi skal vedtages af Folketinget med det samme.",
        "Budgettet for cykelstier er ikke vedtaget til det kommende aar.",
    ]
    assert set(df["language"]) == {"da"}
    assert set(df["format"]) == {"pdf"}


def test_pdf_written_by_weasyprint(tmp_path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    html = ("<p>De regering voert de aanbeveling over de isolatie van woningen uit.</p>"
            "<p>Het budget voor de fietspaden wordt niet verhoogd en dat is een keuze van het kabinet.</p>"
            "<p style='page-break-before: always'>De wet op de energie is door het parlement aangenomen.</p>")
    path = tmp_path / "antwoord.pdf"
    weasyprint.HTML(string=html).write_pdf(str(path))
    df = read_document(path)
    assert df["page"].tolist() == [1, 1, 2]
    assert df["text"].iloc[2] == "De wet op de energie is door het parlement aangenomen."
    assert set(df["language"]) == {"nl"}


def test_several_documents_and_language_given(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One.\n\nTwo.", encoding="utf-8")
    (tmp_path / "b.md").write_text("Three.", encoding="utf-8")
    df = read_documents([tmp_path / "a.txt", tmp_path / "b.md"], language="en")
    assert df["passage_id"].tolist() == ["a.txt#1", "a.txt#2", "b.md#1"]
    assert set(df["language"]) == {"en"}
    # too short to tell: no language rather than a guess
    assert read_document(tmp_path / "b.md")["language"].isna().all()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("r.doc", b"x", "save the document as DOCX or PDF"),
    ("r.xyz", b"x", "unknown document format '.xyz'"),
    ("r.pdf", b"not a pdf at all", "not a readable PDF"),
    ("r.docx", b"not a zip", "not a readable DOCX"),
    ("r.txt", b"   \n\n  ", "no text could be extracted"),
    ("r.pdf", minimal_pdf([[""]]), "run OCR on it first"),
])
def test_bad_documents_are_one_clear_error(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataInputError, match=re.escape(message)):
        read_document(path)


def test_other_errors(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "r.txt").write_text("x y z", encoding="utf-8")
    (tmp_path / "r.txt").write_text("x y z", encoding="utf-8")
    with pytest.raises(DataInputError, match=r"named 'r\.txt'"):
        read_documents([tmp_path / "r.txt", tmp_path / "a" / "r.txt"])
    with pytest.raises(DataInputError, match="unknown document language 'es'"):
        read_document(tmp_path / "r.txt", language="es")
    with pytest.raises(DataInputError, match="does not exist"):
        read_document(tmp_path / "missing.txt")
    with pytest.raises(DataInputError, match="no documents"):
        read_documents([])


def test_hash_and_language_helpers() -> None:
    assert passage_hash("a\n b") == hashlib.sha256(b"a b").hexdigest()
    assert detect_language("Het is een plan van de regering en het wordt uitgevoerd.") == "nl"
    assert detect_language("Det er en plan, og den skal gennemføres af regeringen.") == "da"
    assert detect_language("Budget 2026") is None
