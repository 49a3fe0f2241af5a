"""A comparison of many processes fits a 1280-pixel screen and an A4 page: more than four processes
are laid out in blocks of at most four (each its own table, indicators repeated), each cell wraps
between its parts, the disclosure markers stay (issue 18/20 follow-up)."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape
from typing import Any

import numpy as np
import pytest

from deliberval.indicators.compare import compare_evaluations, summarise_evaluation
from deliberval.report import pdf_available
from deliberval.report.compare import build_comparison, process_blocks, render_comparison
from deliberval.report.i18n import LANGUAGES, t
from support.evaluations import example_evaluation

N = 7


@pytest.fixture(scope="module")
def summaries() -> list[Any]:
    """Seven processes: the two examples' summaries, copied under new ids with shifted change
    scores (so that the processes differ), SYNTHETIC like their source."""
    base = [summarise_evaluation(example_evaluation(name))
            for name in ("gentofte_ptc", "wallonia_committee")]
    gen = np.random.default_rng(7)
    out = []
    for i in range(N):
        s = base[i % 2]
        pid = f"process_{i + 1}"
        changes = s.changes.assign(process_id=pid, change=s.changes["change"] + gen.normal(0, 0.3))
        out.append(replace(s, process_id=pid, name=f"Process number {i + 1}", changes=changes))
    return out


@pytest.fixture(scope="module")
def report(summaries: list[Any]) -> Any:
    return build_comparison(compare_evaluations(summaries))


def _side_by_side(html: str) -> list[str]:
    part = html.split('<section id="comparison">')[1].split("</section>")[0]
    return re.findall(r"<table class=\"wide compare\">.*?</table>", part, flags=re.S)


def test_blocks_are_even_and_at_most_four() -> None:
    assert process_blocks(1) == [(0, 1)]
    assert process_blocks(4) == [(0, 4)]
    assert process_blocks(5) == [(0, 3), (3, 5)]
    assert process_blocks(7) == [(0, 4), (4, 7)]
    assert process_blocks(8) == [(0, 4), (4, 8)]
    assert process_blocks(13) == [(0, 4), (4, 7), (7, 10), (10, 13)]
    for n in range(1, 30):
        blocks = process_blocks(n)
        sizes = [b - a for a, b in blocks]
        assert sum(sizes) == n
        assert max(sizes) <= 4
        assert max(sizes) - min(sizes) <= 1
        assert [a for a, _ in blocks[1:]] == [b for _, b in blocks[:-1]]


def test_seven_processes_in_two_tables_every_cell_once(report: Any) -> None:
    html = unescape(render_comparison(report, timestamp="t"))
    tables = _side_by_side(html)
    assert len(tables) == 2
    heads = [re.findall(r'<th class="num">([^<]+)</th>', tab) for tab in tables]
    assert heads == [[f"Process number {i}" for i in range(1, 5)], [f"Process number {i}" for i in range(5, 8)]]
    assert 'class="wide compare"' in html
    assert "Processes 1–4 of 7" in html
    assert "Processes 5–7 of 7" in html
    # each table repeats every indicator row and every stage heading, with its own column count
    rows = [re.findall(r'<tr class="">(.*?)</tr>', tab, flags=re.S) for tab in tables]
    assert len(rows[0]) == len(rows[1]) > 0
    assert 'colspan="5"' in tables[0]
    assert 'colspan="4"' in tables[1]
    cells = [len(re.findall(r"<td ", r)) for r in rows[0]], [len(re.findall(r"<td ", r)) for r in rows[1]]
    assert set(cells[0]) == {5}
    assert set(cells[1]) == {4}
    # every process's value of an indicator stands once, in its block, its parts kept whole
    ind = report.indicators.set_index(["process_id", "indicator_id"])
    for pid, block in (("process_3", 0), ("process_6", 1)):
        r = ind.loc[(pid, "time_enough")]
        assert r["status"] == "measured"
        n = f"n\u00a0=\u00a0{int(r['n'])}"
        row = next(x for x in rows[block] if "time" in x.lower() and n in x)
        assert row.count(n) >= 1
    text = re.sub(r"<[^>]+>", "", "".join(tables))
    assert " – " not in text
    assert "\u00a0–\u2060\u00a0" in text
    # disclosure: the suppression letters and the note survive the split, the note once
    assert html.count(t("en", "disclosure_note", k=report.min_cell_size)) == 1
    assert re.search(r"suppressed\u00a0\(a\)", "".join(tables))
    assert "(a) " in html


def test_up_to_four_processes_one_table_no_caption(summaries: list[Any]) -> None:
    rep = build_comparison(compare_evaluations(summaries[:4]))
    html = unescape(render_comparison(rep, timestamp="t"))
    assert len(_side_by_side(html)) == 1
    assert "Processes 1–" not in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_block_captions_translated(summaries: list[Any], lang: str) -> None:
    rep = build_comparison(compare_evaluations(summaries[:5]), lang=lang)
    html = unescape(render_comparison(rep, timestamp="t"))
    assert t(lang, "comparison_block", first=1, last=3, n=5) in html
    assert t(lang, "comparison_block", first=4, last=5, n=5) in html


def _overflow(doc: Any) -> list[str]:
    """Boxes of the laid-out page reaching past the content area's right edge."""
    problems = []
    for number, page in enumerate(doc.pages, start=1):
        pb = page._page_box
        right = pb.content_box_x() + pb.width
        for box in pb.descendants():
            if box is pb or not hasattr(box, "position_x"):
                continue
            try:
                width = box.border_width()
            except (AttributeError, TypeError):
                continue
            if width > 0 and box.position_x + width > right + 0.5:
                problems.append(f"page {number}: <{getattr(box, 'element_tag', '')}> "
                                f"{(getattr(box, 'text', '') or '')[:30]!r} {box.position_x + width - right:.0f}px past")
    return problems


@pytest.mark.slow
@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint (the pdf extra) is not installed")
@pytest.mark.parametrize(("medium", "page"), [("print", None), ("screen", "1280px 20000px")])
def test_fits_a4_and_a_1280_pixel_screen(summaries: list[Any], medium: str, page: str | None) -> None:
    import weasyprint

    # German: the longest words of the five languages
    html = render_comparison(build_comparison(compare_evaluations(summaries), lang="de"), timestamp="t")
    sheets = [weasyprint.CSS(string=f"@page {{ size: {page} !important; margin: 0 !important }}")] if page else []
    doc = weasyprint.HTML(string=html, media_type=medium).render(stylesheets=sheets)
    assert _overflow(doc) == []
    # a cell wraps between its parts only: no line of the page ends inside an interval
    lines = ["".join(getattr(b, "text", "") or "" for b in box.descendants() if type(b).__name__ == "TextBox")
             for page in doc.pages for box in page._page_box.descendants() if type(box).__name__ == "LineBox"]
    assert any("·" in line for line in lines)
    broken = [line for line in lines if line.rstrip().endswith(("–", "–\u2060", "[", "=")) or line.startswith("%]")]
    assert broken == []

