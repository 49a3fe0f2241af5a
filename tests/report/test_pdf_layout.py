"""The PDF of every demo report fits A4 (issue 18, deliverable 3).

Each demo report is laid out by WeasyPrint once. From the layout: no box (table, cell, line of
text, image) reaches past the right edge of the page's content area (a clipped Flags column or a
table wider than the page would), and no page but the last is less than half filled (an orphaned
figure pushed to the next page leaves one). From the printed pages (pdftoppm, skipped when
poppler-utils is absent): nothing is drawn in the page margins.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from deliberval.report import pdf_available, render_html
from support.demo_reports import demo_report

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not pdf_available(), reason="WeasyPrint (the pdf extra) is not installed")]

_LEAVES = ("TextBox", "LineBox", "InlineReplacedBox", "BlockReplacedBox")
DPI = 30
MARGIN_MM = 12  # the smaller of the @page margins (14 mm top and bottom, 12 mm left and right)


def _layout(html: str) -> Any:
    import weasyprint

    return weasyprint.HTML(string=html).render()


def _page_problems(doc: Any) -> tuple[list[str], list[float]]:
    """Boxes reaching past the content area's right edge, and each page's filled share."""
    problems: list[str] = []
    filled: list[float] = []
    for number, page in enumerate(doc.pages, start=1):
        pb = page._page_box
        left, top = pb.content_box_x(), pb.content_box_y()
        right, bottom = left + pb.width, top + pb.height
        lowest = top
        for box in pb.descendants():
            if box is pb or not hasattr(box, "position_x"):
                continue
            try:
                width, height = box.border_width(), box.border_height()
            except (AttributeError, TypeError):
                continue
            if width <= 0:
                continue
            if box.position_x + width > right + 0.5 or box.position_x < left - 0.5:
                text = getattr(box, "text", "") or ""
                problems.append(f"page {number}: {type(box).__name__} <{getattr(box, 'element_tag', '')}> "
                                f"{text[:30]!r} runs {box.position_x + width - right:.0f}px past the margin")
            if type(box).__name__ in _LEAVES and height > 0:
                lowest = max(lowest, box.position_y + height)
        filled.append((lowest - top) / (bottom - top))
    return problems, filled


@pytest.fixture(scope="module")
def demo_pdfs(demo_evaluations: dict[str, tuple[Any, Any]],
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path, Any]]:
    out = Path(tmp_path_factory.mktemp("demo_pdf"))
    pdfs = {}
    for name, (evaluation, cfg) in demo_evaluations.items():
        rep, _ = demo_report(name, evaluation, cfg)  # the report built once per session
        doc = _layout(render_html(rep, timestamp="test"))
        path = out / f"{name}.pdf"
        doc.write_pdf(str(path))
        pdfs[name] = (doc, path, rep)
    return pdfs


def test_nothing_runs_past_the_page_and_no_page_is_half_empty(demo_pdfs: dict[str, tuple[Any, Path, Any]]) -> None:
    problems = []
    for name, (doc, _, _) in demo_pdfs.items():
        overflow, filled = _page_problems(doc)
        problems += [f"{name}: {p}" for p in overflow[:5]]
        problems += [f"{name}: page {i} is {f:.0%} filled" for i, f in enumerate(filled[:-1], start=1) if f < 0.5]
    assert problems == [], "\n".join(problems)


def test_the_flags_column_is_printed_in_full(demo_pdfs: dict[str, tuple[Any, Path, Any]]) -> None:
    """Every word of the published psychometrics table's flags is laid out (not clipped mid-word)."""
    doc, _, rep = demo_pdfs["wallonia_committee"]
    text = " ".join(box.text for page in doc.pages for box in page._page_box.descendants()
                    if type(box).__name__ == "TextBox")
    squeezed = "".join(ch for ch in text if ch not in " \u00ad\u2010-")
    table = next(t for t in rep.tables() if t.key == "psychometrics")
    flags = [str(f) for f in table.data["flags"].dropna() if str(f)]
    assert flags
    for flag in flags:
        for word in flag.replace(";", " ").replace(",", " ").split():
            assert "".join(ch for ch in word if ch != "-") in squeezed, word


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_nothing_is_drawn_in_the_page_margins(demo_pdfs: dict[str, tuple[Any, Path, Any]], tmp_path: Path) -> None:
    from PIL import Image

    band = int(MARGIN_MM / 25.4 * DPI) - 2  # a little inside the margin: anti-aliasing
    problems = []
    for name, (_, path, _) in demo_pdfs.items():
        prefix = tmp_path / name
        subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(path), str(prefix)], check=True)
        pages = sorted(tmp_path.glob(f"{name}-*.png"))
        assert pages
        for number, png in enumerate(pages, start=1):
            img = np.asarray(Image.open(png).convert("L"))
            h, w = img.shape
            assert abs(w / h - 210 / 297) < 0.01, f"{name}: page {number} is not A4 portrait"
            margins = {"left": img[:, :band], "right": img[:, w - band:], "top": img[:band, :],
                       "bottom": img[h - band:, :]}
            for side, strip in margins.items():
                if strip.min() < 235:
                    problems.append(f"{name}: page {number}: ink in the {side} margin")
    assert problems == []
