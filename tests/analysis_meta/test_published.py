"""Published results with citations (issue 20): read, validated row by row, placed in a comparison."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.meta import meta_analysis
from deliberval.datasets import load_example
from deliberval.errors import DataInputError
from deliberval.indicators.compare import compare_evaluations, summarise_evaluation
from deliberval.indicators.evaluate import evaluate_process
from deliberval.io.published import read_published
from deliberval.schemas.published import PUBLISHED_COLUMNS
from deliberval.validation.published import validate_published

CSV = Path(__file__).parent / "data" / "published_SYNTHETIC.csv"


@pytest.fixture(scope="module")
def checked():  # type: ignore[no-untyped-def]
    return validate_published(read_published(CSV), source=CSV.name)


def test_every_row_is_accounted_for_with_one_line_per_bad_row(checked) -> None:  # type: ignore[no-untyped-def]
    assert checked.n_rows == 6
    assert len(checked.valid) + len(checked.quarantined) == 6
    assert list(checked.valid.columns) == list(PUBLISHED_COLUMNS)
    assert checked.valid["process"].tolist() == ["SYNTHETIC jury A", "SYNTHETIC panel B", "SYNTHETIC assembly C",
                                                 "SYNTHETIC assembly C"]
    f = checked.failures
    assert f["line"].tolist() == [6, 7]  # one failure per bad row, at its file line
    assert f["message"].tolist() == [
        "line 6: citation is empty (no number without its source)",
        "line 7: se must be a positive number (got 0)",
    ]
    assert (f["source"] == CSV.name).all()


def test_missing_required_column_is_one_clear_error() -> None:
    with pytest.raises(DataInputError, match="no column"):
        validate_published(pd.DataFrame({"process": ["A"], "outcome": ["x"], "estimate": [1.0], "se": [0.1]}))


def test_meta_analysis_of_published_rows_alone(checked) -> None:  # type: ignore[no-untyped-def]
    rows = checked.valid.loc[checked.valid["outcome"] == "trust_political_institutions"]
    r = meta_analysis(rows, unit="process")
    assert r.units["process"].tolist() == rows["process"].tolist()
    tau2 = float(r.summary.loc[0, "tau2"])
    w = 1 / (rows["se"].to_numpy() ** 2 + tau2)
    assert r.summary.loc[0, "estimate"] == pytest.approx(float(np.sum(w * rows["estimate"]) / w.sum()), abs=1e-12)


def test_comparison_places_a_process_among_published_ones(checked) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = summarise_evaluation(evaluate_process(load_example("gentofte_ptc").process_data()))
    comp = compare_evaluations([summary], published=checked.valid)
    assert comp.outcome == "trust_political_institutions"
    used = comp.published.set_index(["process", "outcome"])["used"]
    assert used.tolist() == [True, True, True, False]
    assert comp.published["reason"].iloc[3] == "another outcome than the comparison's (trust_political_institutions)"
    ch = summary.changes.loc[summary.changes["outcome"] == "trust_political_institutions", "change"]
    own = pd.DataFrame({"process_id": ["gentofte_ptc"], "estimate": [ch.mean()], "se": [ch.std() / len(ch) ** 0.5]})
    pub = checked.valid.iloc[:3]
    table = pd.concat([own, pd.DataFrame({"process_id": pub["process"], "estimate": pub["estimate"],
                                          "se": pub["se"]})], ignore_index=True)
    want = meta_analysis(table, unit="process_id")
    pd.testing.assert_frame_equal(comp.meta.summary, want.summary)
    units = comp.meta.units.set_index("process_id")
    assert units.loc["gentofte_ptc", "source"] == "evaluated"
    assert units.loc["gentofte_ptc", "n"] == len(ch)
    assert units.loc["SYNTHETIC panel B", "source"] == "published"
    assert units.loc["SYNTHETIC panel B", "url"] == "https://example.org/synthetic-b"
    assert units.loc["SYNTHETIC assembly C", "doi"] == "10.0000/synthetic.c"
    assert units["citation"].iloc[1:].str.startswith("SYNTHETIC").all()
    np.testing.assert_allclose(units["pooled_estimate"], want.units.set_index("process_id")["pooled_estimate"])
    clash = checked.valid.assign(process=["gentofte_ptc", "x", "y", "z"])
    with pytest.raises(DataInputError, match="evaluated process"):
        compare_evaluations([summary], published=clash)
    with pytest.raises(DataInputError, match="at least two processes"):
        compare_evaluations([summary])
