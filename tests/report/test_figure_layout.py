"""Every figure of every demo report is fit for print (issue 18, deliverable 2).

The report's figures are captured as matplotlib figures while the demo reports are built (the
English reports of every example, and the Wallonia example in German and French) and laid
out with the Agg renderer: no two tick labels of an axis overlap, no legend covers an axis label,
no tick label or title is a raw code, and the figures fit the A4 text width.
"""

from __future__ import annotations

from typing import Any

import pytest
from matplotlib.figure import Figure

from deliberval.plots._base import OKABE_ITO, PlotFigure, tick_overlaps
from deliberval.report import ReportSettings
from deliberval.report.i18n import CODES, LANGUAGES
from support.demo_reports import build_with_figures, demo_report

pytestmark = pytest.mark.slow

A4_TEXT_WIDTH_IN = (210 - 2 * 12) / 25.4  # the report's @page margins


def _figures(name: str, evaluation: Any, cfg: Any, lang: str) -> dict[str, Figure]:
    """The figures of the example's report in ``lang``: the English demo reports are built once per
    session (and shared with the other report tests), the other languages here."""
    if lang == "en":
        return demo_report(name, evaluation, cfg)[1]
    return build_with_figures(evaluation, ReportSettings.from_config(cfg, language=lang))[1]


def _known_codes(evaluation: Any) -> set[str]:
    """Codes the package or the instrument knows (data values such as unit names are not codes):
    the snake_case code names of the report, the instrument's item ids and the category and
    dimension codes of the representativeness tables."""
    known = {k for k in CODES["en"] if "_" in k} | set(evaluation.instrument.item_ids())
    for result in (evaluation.funnel, evaluation.representativeness):
        if result is not None:
            known |= {str(c) for c in result.categories["dimension"]}
            known |= {str(c) for c in result.categories["category"] if "_" in str(c)}
    return known


def _cases(demo: dict[str, tuple[Any, Any]]) -> list[tuple[str, str]]:
    # the demo reports (English), and one example in the languages with the longest words (de) and
    # the decimal comma (fr); the screenshots (make screenshots) show every language
    others = [lang for lang in ("de", "fr") if lang in LANGUAGES]
    return [(name, "en") for name in demo] + [("wallonia_committee", lang) for lang in others]


def test_every_demo_figure_is_laid_out_for_print(demo_evaluations: dict[str, tuple[Any, Any]]) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    seen: set[str] = set()
    problems: list[str] = []
    for name, lang in _cases(demo_evaluations):
        evaluation, cfg = demo_evaluations[name]
        figures = _figures(name, evaluation, cfg, lang)
        for key, fig in figures.items():
            seen.add(key)
            where = f"{name}/{lang}/{key}"
            assert isinstance(fig, PlotFigure), where  # displays inline in Jupyter
            if fig.get_figwidth() > A4_TEXT_WIDTH_IN + 0.01:
                problems.append(f"{where}: {fig.get_figwidth():.2f} in wider than the A4 text width")
            overlaps = tick_overlaps(fig)
            if overlaps:
                problems.append(f"{where}: overlapping tick labels {overlaps[:3]}")
            FigureCanvasAgg(fig)
            fig.draw_without_rendering()
            renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
            legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
            labels = [t for ax in fig.axes for t in (ax.xaxis.label, ax.yaxis.label) if t.get_text()]
            for lg in legends:
                box = lg.get_window_extent(renderer)
                for text in labels:
                    if box.overlaps(text.get_window_extent(renderer)):
                        problems.append(f"{where}: the legend covers the axis label {text.get_text()!r}")
            words = [t.get_text() for ax in fig.axes for t in (*ax.get_yticklabels(), *ax.get_xticklabels())]
            words += [ax.get_title() for ax in fig.axes]
            if fig.get_suptitle():
                words.append(fig.get_suptitle())
            for lg in legends:
                words += [t.get_text() for t in lg.get_texts()]
            codes = [w for w in words if w.strip().rstrip(" *") in _known_codes(evaluation)]
            if codes:
                problems.append(f"{where}: raw codes {codes[:5]}")
    assert problems == [], "\n".join(problems)
    assert {"funnel", "representativeness", "experience", "prepost", "uptake"} <= seen


def test_uptake_statuses_have_distinct_hues(demo_evaluations: dict[str, tuple[Any, Any]]) -> None:
    evaluation, cfg = demo_evaluations["wallonia_committee"]
    fig = _figures("wallonia_committee", evaluation, cfg, "en")["uptake"]
    colours = {tuple(round(c, 3) for c in p.get_facecolor()) for p in fig.axes[0].patches}
    assert len(colours) == len({p.get_label() for p in fig.axes[0].containers}) or len(colours) >= 6
    from matplotlib.colors import to_rgba

    palette = {tuple(round(c, 3) for c in to_rgba(h)) for h in OKABE_ITO} | {
        tuple(round(c, 3) for c in to_rgba(h)) for h in ("#999999", "#bbbbbb")}
    assert colours <= palette


def test_prepost_draws_each_response_scale_on_its_own_axes(demo_evaluations: dict[str, tuple[Any, Any]]) -> None:
    evaluation, cfg = demo_evaluations["wallonia_committee"]
    fig = _figures("wallonia_committee", evaluation, cfg, "en")["prepost"]
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles == ["response scale 0-10", "response scale 1-5"]
    for ax in fig.axes[::2]:
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        scale = ax.get_title(loc="left").split()[-1]
        assert all(t.replace("\n", " ").endswith(f"({scale})") for t in ticks), (scale, ticks)
