"""Units named in words (issue 18 follow-up): the configuration's ``units: labels:`` (one text or one
per language), else the members' ``unit_label`` column, else the id; the names go into the units
table and its figure, the ids stay in the XLSX id column."""

from __future__ import annotations

from dataclasses import replace
from html import unescape
from pathlib import Path

import openpyxl
import pytest

from deliberval.datasets import load_example
from deliberval.errors import DataInputError
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.indicators.units import unit_names
from deliberval.io.config import load_config
from deliberval.report import ReportSettings, build_report, render_html, write_xlsx
from deliberval.report.build import _unit_forest

LABELS = {"panel_1": {"en": "Panel on climate", "fr": "Panel sur le climat"}, "panel_4": {"en": "Panel on health"}}


@pytest.fixture(scope="module")
def evaluation():  # type: ignore[no-untyped-def]
    """The four CoFoE panels; the members table names panel 2 in words."""
    ex = load_example("cofoe_panel")
    members = ex.members.assign(unit_label=ex.members["unit"].map({"panel_2": "Panel on democracy"}))
    ev = evaluate_process(replace(ex, members=members).process_data())
    assert set(ev.units["unit"]) == {"panel_1", "panel_2", "panel_3", "panel_4"}
    return replace(ev, settings=replace(ev.settings, unit_labels=LABELS))


def _units(report):  # type: ignore[no-untyped-def]
    return next(s for s in report.sections if s.key == "units").tables[0]


def test_names_from_configuration_data_then_id(evaluation) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(evaluation, ReportSettings())
    tab = _units(rep)
    assert tab.ids == ("indicator_id", "unit_id")
    names = dict(zip(tab.data["unit_id"], tab.data["unit"], strict=False))
    assert names == {"panel_1": "Panel on climate", "panel_2": "Panel on democracy", "panel_3": "panel_3",
                     "panel_4": "Panel on health"}
    # the same numbers under the new names
    own = evaluation.units.set_index(["indicator_id", "unit"])
    for _, r in tab.data.iterrows():
        assert r["share_agree"] == own.loc[(r["indicator_id"], r["unit_id"]), "estimate"]
    part = unescape(render_html(rep, timestamp="t")).split('<section id="units">')[1].split("</section>")[0]
    assert "<td>Panel on climate</td>" in part.replace(' class=""', "")
    assert "panel_1" not in part  # the id is for the workbook only
    assert "panel_3" in part  # no label: the id


def test_language_of_the_label(evaluation) -> None:  # type: ignore[no-untyped-def]
    fr = _units(build_report(evaluation, ReportSettings(language="fr"))).data
    names = dict(zip(fr["unit_id"], fr["unit"], strict=False))
    assert names["panel_1"] == "Panel sur le climat"
    assert names["panel_4"] == "Panel on health"  # English when no French label is given


def test_figure_rows_are_the_names(evaluation) -> None:  # type: ignore[no-untyped-def]
    tab = _units(build_report(evaluation, ReportSettings())).data
    fig = _unit_forest(evaluation, tab, "en")
    ticks = {t.get_text() for ax in fig.axes for t in ax.get_yticklabels()}
    assert {"Panel on climate", "Panel on democracy", "panel_3", "Panel on health"} <= ticks
    assert "panel_1" not in ticks


def test_workbook_keeps_the_ids(evaluation, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(evaluation, ReportSettings())
    book = write_xlsx(rep.tables(), tmp_path / "r.xlsx", provenance=rep.provenance,
                      min_cell_size=rep.min_cell_size, lang=rep.lang)
    wb = openpyxl.load_workbook(book, read_only=True)
    ws = next(w for w in wb.worksheets if w.title.startswith("units"))
    rows = [r for r in ws.iter_rows(values_only=True) if r and any(c is not None for c in r)]
    head = next(i for i, r in enumerate(rows) if "unit_id" in [str(c) for c in r])
    cols = [str(c) for c in rows[head]]
    body = rows[head + 1:]
    unit = cols.index("unit_id") - 1  # the ids sit right after their labels
    assert cols[unit] != "unit_id"
    pairs = {(r[cols.index("unit_id")], r[unit]) for r in body if r[cols.index("unit_id")]}
    assert ("panel_1", "Panel on climate") in pairs
    assert ("panel_3", "panel_3") in pairs


def test_unit_names_rules() -> None:
    assert unit_names(["a", "b"], "de") == {"a": "a", "b": "b"}
    # a name given to two units is followed by each id
    got = unit_names(["a", "b", "c"], "en", labels={"a": {"en": "North"}, "b": {"en": "North"}})
    assert got == {"a": "North (a)", "b": "North (b)", "c": "c"}
    # the configuration wins over the data; blank labels are no labels
    import pandas as pd

    members = pd.DataFrame({"unit": ["a", "b"], "unit_label": ["From data", "  "]})
    assert unit_names(["a", "b"], "en", labels={"a": {"en": "From config"}}, members=members) == \
        {"a": "From config", "b": "b"}


def test_configuration(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text('process_id: x\nexample: cofoe_panel\nunits:\n  labels:\n    panel_1: "Panel on climate"\n'
                   "    panel_2: {en: Democracy, fr: Démocratie}\n", encoding="utf-8")
    settings = EvaluationSettings.from_config(load_config(cfg))
    assert settings.unit_labels == {"panel_1": {"en": "Panel on climate"},
                                    "panel_2": {"en": "Democracy", "fr": "Démocratie"}}
    cfg.write_text("process_id: x\nexample: cofoe_panel\nunits:\n  labels: [panel_1, panel_2]\n", encoding="utf-8")
    with pytest.raises(DataInputError, match=r"units\.labels: ") as exc:
        load_config(cfg)
    assert "\n" not in str(exc.value)
