"""Reading a questionnaire laid out in a Word file (built here with python-docx) into an instrument."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

docx = pytest.importorskip("docx")

from deliberval.errors import DataInputError  # noqa: E402
from deliberval.instruments.check import check_definition  # noqa: E402
from deliberval.instruments.model import Instrument  # noqa: E402
from deliberval.io.questionnaire_docx import read_questionnaire_docx  # noqa: E402

AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree",
         "Don't know", "Prefer not to say"]


def _oecd_like(path: Path) -> Path:
    """A member questionnaire laid out as the OECD's Word annexes are (wording invented for the test)."""
    d = docx.Document()
    d.add_heading("Member questionnaire", level=0)
    d.add_paragraph("The following questionnaire is for the members of the body. Questions marked X2 "
                    "may also be asked at the start.")
    d.add_heading("Demographics", level=1)
    d.add_paragraph("1. What is your gender?")
    for option in ("Woman", "☐ Man", "I describe myself differently", "Prefer not to say"):
        d.add_paragraph(option, style="List Bullet")
    d.add_heading("Facilitation", level=1)
    d.add_paragraph("2. The facilitators treated all members equally. X2")
    for option in AGREE:
        d.add_paragraph(option, style="List Bullet")
    d.add_paragraph("3. Which of these sources of information did you trust most? [Randomise response options]")
    table = d.add_table(rows=4, cols=2)
    for row, option in zip(table.rows, ("Experts", "Stakeholders", "Other members", "Officials"), strict=True):
        row.cells[0].text = option
        row.cells[1].text = "☐"
    d.add_heading("Evidence", level=1)
    d.add_paragraph("4. How far do you agree with the following statements?")
    grid = d.add_table(rows=3, cols=4)
    for cell, text in zip(grid.rows[0].cells, ("", "Disagree", "Neither", "Agree"), strict=True):
        cell.text = text
    grid.rows[1].cells[0].text = "The information was balanced. (X2)"
    grid.rows[2].cells[0].text = "The information was easy to understand."
    d.add_paragraph("5) How likely are you to take part again?")
    for option in ("0 - Not at all likely", "5", "10 - Very likely"):
        d.add_paragraph(option, style="List Bullet")
    d.add_paragraph("Randomise the order of the options.")
    d.add_paragraph("Q6. Is there anything else you would like to tell us?")
    d.save(path)
    return path


@pytest.fixture
def oecd_like(tmp_path: Path) -> Path:
    return _oecd_like(tmp_path / "annex_c.docx")


def _checked(result_yaml: str, tmp_path: Path) -> Instrument:
    data = yaml.safe_load(result_yaml)
    ins, problems = check_definition(data, str(tmp_path / "x.yaml"))
    assert problems == []
    assert isinstance(ins, Instrument)
    return ins


def test_oecd_like_layout(oecd_like: Path, tmp_path: Path) -> None:
    got = read_questionnaire_docx(oecd_like)
    ins = _checked(got.yaml(), tmp_path)
    assert ins.id == "annex_c"
    assert ins.title == {"en": "Member questionnaire"}
    assert ins.item_ids() == ["annex_c_q1", "annex_c_q2", "annex_c_q3", "annex_c_q4_1", "annex_c_q4_2",
                              "annex_c_q5", "annex_c_q6"]
    texts = {it.id: it.text["en"] for it in ins.items}
    assert texts["annex_c_q2"] == "The facilitators treated all members equally."  # X2 mark removed
    assert texts["annex_c_q3"] == "Which of these sources of information did you trust most?"
    assert texts["annex_c_q4_1"] == "How far do you agree with the following statements? The information was balanced."
    # X2 -> asked before and after; others after
    waves = {it.id: it.waves for it in ins.items}
    assert waves["annex_c_q2"] == ["pre", "post"]
    assert waves["annex_c_q4_1"] == ["pre", "post"]
    assert waves["annex_c_q4_2"] == ["post"]
    assert waves["annex_c_q1"] == ["post"]
    # randomise notes: in brackets in the question, or a paragraph of its own under it
    assert [it.id for it in ins.items if ins.randomized(it.id)] == ["annex_c_q3", "annex_c_q5"]
    # headings name constructs
    assert [it.construct for it in ins.items] == ["demographics", "facilitation", "facilitation", "evidence",
                                                  "evidence", "evidence", "evidence"]
    # every item verbatim, citing the file
    assert {it.source.wording for it in ins.items} == {"verbatim"}
    assert ins.item("annex_c_q2").source.citation == "annex_c.docx, question 2"
    assert ins.item("annex_c_q4_2").source.citation == "annex_c.docx, question 4, row 2"


def test_response_options_become_scales(oecd_like: Path, tmp_path: Path) -> None:
    ins = _checked(read_questionnaire_docx(oecd_like).yaml(), tmp_path)
    gender = ins.response_scale(ins.item("annex_c_q1").scale)
    assert gender.type == "categorical"
    assert [(v.value, v.labels["en"]) for v in gender.values] == [
        (1, "Woman"), (2, "Man"), (3, "I describe myself differently")]
    assert [(m.code, m.meaning) for m in gender.missing_codes] == [(99, "refused")]
    agree = ins.response_scale(ins.item("annex_c_q2").scale)
    assert agree.type == "likert"
    assert (agree.min, agree.max) == (1, 5)
    assert agree.agree_values == [4, 5]
    assert [(m.code, m.meaning) for m in agree.missing_codes] == [(98, "dont_know"), (99, "refused")]
    table = ins.response_scale(ins.item("annex_c_q3").scale)
    assert [v.labels["en"] for v in table.values] == ["Experts", "Stakeholders", "Other members", "Officials"]
    grid = ins.response_scale(ins.item("annex_c_q4_1").scale)
    assert ins.item("annex_c_q4_2").scale == grid.id
    assert [v.labels["en"] for v in grid.values] == ["Disagree", "Neither", "Agree"]
    likely = ins.response_scale(ins.item("annex_c_q5").scale)
    assert [(v.value, v.labels["en"]) for v in likely.values] == [(0, "Not at all likely"), (5, "5"), (10, "Very likely")]
    assert (likely.type, likely.min, likely.max) == ("likert", 0, 10)
    open_item = ins.item("annex_c_q6")
    assert (ins.response_scale(open_item.scale).type, open_item.free_text) == ("text", True)


def test_unknown_parts_are_reported_one_line_each(oecd_like: Path) -> None:
    got = read_questionnaire_docx(oecd_like)
    assert got.notes == (
        "paragraph 2: not a question, option or note, left out: "
        "'The following questionnaire is for the members of the bod...'",
        "paragraph 26: question 6 has no response options; imported as an open-text question "
        "(add its options if it has some): 'Is there anything else you would like to tell us?'",
    )
    # the notes are in the YAML header too, as comments
    assert all(f"# note: {n}" in got.yaml() for n in got.notes)


def test_word_numbering_without_typed_numbers(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("Members listened to each other.", style="List Number")
    d.add_paragraph("Agree", style="List Number 2")
    d.add_paragraph("Disagree", style="List Number 2")
    d.add_paragraph("The remit was clear.", style="List Number")
    d.add_paragraph("a) Agree")
    d.add_paragraph("b) Disagree")
    d.save(tmp_path / "numbered.docx")
    ins = _checked(read_questionnaire_docx(tmp_path / "numbered.docx", instrument_id="mine").yaml(), tmp_path)
    assert [(it.id, it.text["en"]) for it in ins.items] == [
        ("mine_q1", "Members listened to each other."), ("mine_q2", "The remit was clear.")]
    assert len(ins.response_scales) == 1  # the same options share one scale
    assert [v.labels["en"] for v in ins.response_scales[0].values] == ["Agree", "Disagree"]


def _cell_lines(cell, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def test_questionnaire_laid_out_as_a_table(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("Introduction to the survey.")
    t = d.add_table(rows=5, cols=4)
    for cell, text in zip(t.rows[0].cells, ("Criterion", "Question", "Response options", "X2"), strict=True):
        cell.text = text
    t.rows[1].cells[0].text = "Neutral facilitation"
    t.rows[1].cells[1].text = "1. Did the facilitators favour any view?"
    _cell_lines(t.rows[1].cells[2], ["☐ Yes", "☐ No", "☐ Don't know"])
    t.rows[2].cells[0].text = "Evidence"
    t.rows[2].cells[1].text = "2. Which source was most useful? (randomise)"
    _cell_lines(t.rows[2].cells[2], ["Experts", "Members", "Officials"])
    t.rows[2].cells[3].text = "X2"
    t.rows[3].cells[0].text = "Evidence"
    t.rows[3].cells[1].text = "Was anything missing?"
    t.rows[4].cells[1].text = "Thank you."
    d.save(tmp_path / "table.docx")
    got = read_questionnaire_docx(tmp_path / "table.docx")
    ins = _checked(got.yaml(), tmp_path)
    assert [(it.id, it.construct, it.text["en"], it.waves) for it in ins.items] == [
        ("table_q1", "neutral_facilitation", "Did the facilitators favour any view?", ["post"]),
        ("table_q2", "evidence", "Which source was most useful?", ["pre", "post"]),
        ("table_q3", "evidence", "Was anything missing?", ["post"]),
    ]
    yes_no = ins.response_scale(ins.item("table_q1").scale)
    assert [v.labels["en"] for v in yes_no.values] == ["Yes", "No"]
    assert [m.meaning for m in yes_no.missing_codes] == ["dont_know"]
    assert [v.labels["en"] for v in ins.response_scale(ins.item("table_q2").scale).values] == [
        "Experts", "Members", "Officials"]
    assert [it.id for it in ins.items if ins.randomized(it.id)] == ["table_q2"]
    assert got.notes == (
        "paragraph 1: not a question, option or note, left out: 'Introduction to the survey.'",
        "table 1, row 5: no question in this row, left out: 'Thank you.'",
        "table 1, row 4: question 3 has no response options; imported as an open-text question "
        "(add its options if it has some): 'Was anything missing?'",
    )


def test_options_in_one_table_cell_under_a_question(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("1. How satisfied are you?")
    t = d.add_table(rows=1, cols=1)
    _cell_lines(t.rows[0].cells[0], ["a) Satisfied", "b) Dissatisfied"])
    d.save(tmp_path / "cell.docx")
    ins = _checked(read_questionnaire_docx(tmp_path / "cell.docx").yaml(), tmp_path)
    scale = ins.response_scale(ins.items[0].scale)
    assert [v.labels["en"] for v in scale.values] == ["Satisfied", "Dissatisfied"]
    assert scale.type == "likert"


def test_a_french_questionnaire(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("1. Les animateurs étaient neutres. X2")
    for option in ("Pas du tout d'accord", "Plutôt pas d'accord", "Ni d'accord ni pas d'accord", "Plutôt d'accord",
                   "Tout à fait d'accord", "Ne sait pas", "Je préfère ne pas répondre"):
        d.add_paragraph(option, style="List Bullet")
    d.add_paragraph("2. Avez-vous été tiré(e) au sort de manière aléatoire ?")
    for option in ("Oui", "Non"):
        d.add_paragraph(option, style="List Bullet")
    d.add_paragraph("3. Quelle source vous a le plus aidé ? (options dans un ordre aléatoire)")
    for option in ("Les experts", "Les membres", "Sans objet"):
        d.add_paragraph(option, style="List Bullet")
    d.save(tmp_path / "fr.docx")
    got = read_questionnaire_docx(tmp_path / "fr.docx", language="fr")
    data = got.instrument
    assert data["languages"] == {"fr": {"status": "source", "source": "fr.docx"}}
    assert data["items"][0]["text"] == {"fr": "Les animateurs étaient neutres."}
    assert data["items"][0]["waves"] == ["pre", "post"]
    agree = data["response_scales"][0]
    assert (agree["type"], agree["agree_values"]) == ("likert", [4, 5])
    assert [(m["code"], m["meaning"]) for m in agree["missing_codes"]] == [(98, "dont_know"), (99, "refused")]
    assert [it.get("randomize", False) for it in data["items"]] == [False, False, True]
    third = data["response_scales"][2]
    assert [(m["code"], m["meaning"]) for m in third["missing_codes"]] == [(97, "not_applicable")]
    # every instrument needs English: the check says so, and the user adds the English texts
    _, problems = check_definition(data, "fr.yaml")
    assert "English ('en') is required in every instrument" in [p.message for p in problems]
    with pytest.raises(DataInputError, match="two-letter ISO 639-1"):
        read_questionnaire_docx(tmp_path / "fr.docx", language="French")


def test_no_numbering_at_all(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("How satisfied are you with the process?")
    for option in ("Very satisfied", "Satisfied", "Dissatisfied"):
        d.add_paragraph(option, style="List Bullet")
    d.add_paragraph("Please tick one box for each of the following:")
    d.add_paragraph("☐ Yes")
    d.add_paragraph("☐ No")
    d.add_paragraph("Thank you for your answers.")
    d.save(tmp_path / "plain.docx")
    got = read_questionnaire_docx(tmp_path / "plain.docx", respondents=("organiser",), wave="follow_up")
    ins = _checked(got.yaml(), tmp_path)
    assert [it.text["en"] for it in ins.items] == [
        "How satisfied are you with the process?", "Please tick one box for each of the following:"]
    assert [it.waves for it in ins.items] == [["follow_up"], ["follow_up"]]
    assert ins.items[0].respondents == ["organiser"]
    assert got.notes[0] == "paragraph 8: not a question, option or note, left out: 'Thank you for your answers.'"
    assert got.notes[-1].startswith("2 items have construct 'unassigned'")


def test_questions_without_options(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("1. What did you like most?")
    d.add_paragraph("2. What would you change? [randomise]")
    d.save(tmp_path / "open.docx")
    got = read_questionnaire_docx(tmp_path / "open.docx")
    ins = _checked(got.yaml(), tmp_path)
    assert [ins.response_scale(it.scale).type for it in ins.items] == ["text", "text"]
    assert sum("has no response options" in n for n in got.notes) == 2
    assert any("asks for a random order but has no options to shuffle" in n for n in got.notes)


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: docx.Document().save(p), "no question found"),
    (lambda p: p.write_text("1. Not a Word file\n", encoding="utf-8"), "not a readable Word .docx file"),
    (lambda p: p.write_bytes(b"PK\x03\x04broken zip"), "not a readable Word .docx file"),
])
def test_bad_files_are_one_clear_error(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.docx"
    make(path)
    with pytest.raises(DataInputError, match=message):
        read_questionnaire_docx(path)


def test_wrong_suffix_missing_file_and_bad_id(tmp_path: Path, oecd_like: Path) -> None:
    (tmp_path / "q.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataInputError, match=r"expected a Word \.docx file, got '\.doc'"):
        read_questionnaire_docx(tmp_path / "q.doc")
    with pytest.raises(DataInputError, match="file not found"):
        read_questionnaire_docx(tmp_path / "nothing.docx")
    with pytest.raises(DataInputError, match="must be snake_case"):
        read_questionnaire_docx(oecd_like, instrument_id="My Survey")
