"""The report's DRI section (issue 18, deliverable 7): when a DRI survey table is configured, the
evaluation computes the DRI once (per forum and wave, with its permutation test and pre/post
change) and the report presents it, translated and with small forums withheld."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from deliberval.datasets import load_example
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.indicators.dri_summary import evaluate_dri
from deliberval.io.config import DataFiles, ProcessConfig
from deliberval.report import ReportSettings, build_report, render_html
from deliberval.report.i18n import t
from deliberval.validation.process import load_process, process_data
from support.evaluations import example_evaluation

DELIBERR = Path(__file__).parents[1] / "data" / "deliberr"


@pytest.fixture(scope="module")
def human_data() -> pd.DataFrame:
    return pd.read_csv(DELIBERR / "human_data.csv")


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    """DRI pre / post / change and Wilcoxon p made with deliberr's own R functions."""
    ref = pd.read_csv(DELIBERR / "dri_reference_dev.csv")
    return ref.loc[~ref["adjusted"]].set_index("case")


@pytest.fixture(scope="module")
def evaluation(human_data, tmp_path_factory):  # type: ignore[no-untyped-def]
    """An example process with the DRI survey of Uppsala Speaks (two forums) configured as a file."""
    folder = tmp_path_factory.mktemp("dri")
    load_example("wallonia_committee").responses.to_csv(folder / "responses.csv", index=False)
    human_data.loc[human_data["study"] == "Uppsala Speaks"].to_csv(folder / "dri.csv", index=False)
    cfg = ProcessConfig(process_id="wallonia_committee",
                        data=DataFiles(responses=folder / "responses.csv", dri=folder / "dri.csv"))
    return evaluate_process(load_process(cfg), EvaluationSettings.from_config(cfg))


def test_the_dri_matches_deliberr(human_data, reference) -> None:  # type: ignore[no-untyped-def]
    cases = list(reference.index)
    res = evaluate_dri(human_data.loc[human_data["case"].isin(cases)], seed=3)
    ch = res.change.set_index("forum").loc[cases]
    for col, ref_col in (("dri_pre", "pre"), ("dri_post", "post"), ("estimate", "delta"), ("p_value", "p_value")):
        assert ch[col].to_numpy() == pytest.approx(reference[ref_col].to_numpy(), rel=1e-9, abs=1e-12), col
    assert ch["n"].tolist() == reference["n"].tolist()
    # the group DRI of each wave is the same number as the change table's
    fo = res.forums.set_index(["forum", "wave"])
    for case in cases:
        assert fo.loc[(case, "pre"), "estimate"] == pytest.approx(reference.loc[case, "pre"], rel=1e-9)
        assert fo.loc[(case, "post"), "estimate"] == pytest.approx(reference.loc[case, "post"], rel=1e-9)
    # the permutation p is never 0 and the seed makes it repeatable
    assert (res.forums["p_value"] >= 1 / 2001).all()
    again = evaluate_dri(human_data.loc[human_data["case"].isin(cases)], seed=3)
    pd.testing.assert_frame_equal(res.forums, again.forums)


def test_the_dri_is_read_validated_and_computed_once(evaluation) -> None:  # type: ignore[no-untyped-def]
    data = evaluation.data
    assert "dri" in data.validations()
    assert data.dri.n_rows == 96
    files = data.files.set_index("key")
    assert int(files.loc["dri", "rows"]) == 96
    fo = evaluation.dri.forums
    assert fo[["forum", "wave", "n"]].to_dict("records") == [
        {"forum": "Activate", "wave": "pre", "n": 26}, {"forum": "Activate", "wave": "post", "n": 26},
        {"forum": "Standard", "wave": "pre", "n": 22}, {"forum": "Standard", "wave": "post", "n": 22}]
    assert fo["n_resamples"].unique().tolist() == [2000]


def test_the_report_has_a_dri_section(evaluation, reference) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(evaluation)
    keys = [s.key for s in rep.sections]
    assert keys.index("dri") == keys.index("change") + 1
    sec = next(s for s in rep.sections if s.key == "dri")
    forums, change = sec.tables
    assert forums.key == "dri"
    assert change.key == "dri_change"
    row = change.data.set_index("forum").loc["Activate"]
    assert row["dri_pre"] == pytest.approx(reference.loc["Activate", "pre"], rel=1e-9)
    assert row["change"] == pytest.approx(reference.loc["Activate", "delta"], rel=1e-9)
    html = unescape(render_html(rep, timestamp="t"))
    part = html.split('<section id="dri">')[1].split("</section>")[0]
    assert "Deliberative Reason Index (DRI)" in part
    assert "<td>Activate</td><td>before</td>" in part.replace(' class=""', "").replace(' class="num"', "")
    assert "0.393" in part
    assert "0.635" in part
    assert "over 2000 random shuffles" in part
    # the workbook carries both tables
    assert {"dri", "dri_change"} <= {tab.key for tab in rep.tables()}


def test_no_dri_data_no_section() -> None:
    ev = example_evaluation("gentofte_ptc")
    assert ev.dri is None
    assert "dri" not in [s.key for s in build_report(ev).sections]


def test_small_forums_are_withheld(human_data) -> None:  # type: ignore[no-untyped-def]
    ex = load_example("wallonia_committee")
    # Bellinzona: 8 participants per wave; Fremantle: 41
    dri = human_data.loc[human_data["case"].isin(["Bellinzona", "Fremantle"])]
    data = process_data(ex.process_data().instrument, responses=ex.responses, dri=dri)
    ev = evaluate_process(data, EvaluationSettings(min_cell_size=10))
    rep = build_report(ev)
    sec = next(s for s in rep.sections if s.key == "dri")
    forums = sec.tables[0].data.set_index(["forum"])
    small = forums.loc["Bellinzona"]
    assert small["suppressed"].all()
    assert small[["n", "dri", "permutation_p_value"]].isna().all().all()
    assert not forums.loc["Fremantle", "suppressed"].any()
    change = sec.tables[1].data.set_index("forum")
    assert bool(change.loc["Bellinzona", "suppressed"])
    assert pd.isna(change.loc["Bellinzona", "dri_pre"])
    html = unescape(render_html(rep, timestamp="t"))
    part = html.split('<section id="dri">')[1].split("</section>")[0]
    assert "&lt;10" in part or "<10" in part
    assert "0.453" not in part  # Bellinzona's DRI before (deliberr: 0.4529)


@pytest.mark.parametrize("lang", ["fr", "nl", "de", "da"])
def test_translated(evaluation, lang: str) -> None:  # type: ignore[no-untyped-def]
    rep = build_report(evaluation, ReportSettings(language=lang))
    html = unescape(render_html(rep, timestamp="t"))
    part = html.split('<section id="dri">')[1].split("</section>")[0]
    assert t(lang, "dri") in part
    assert t(lang, "dri_change") in part
    for english in ("random shuffles", "Null mean", "DRI before", "one-sided paired"):
        assert english not in part, english
