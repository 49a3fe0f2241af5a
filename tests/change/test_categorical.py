"""Stuart-Maxwell and Bowker tests against R mcnemar.test and coin::mh_test (issue 19)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.categorical import categorical_change, symmetry_tests
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "change"


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(REF / "categorical_expected.csv")


def _table(row: pd.Series) -> np.ndarray:
    values = np.array([float(v) for v in row["table"].split(";")])
    k = math.isqrt(len(values))
    return values.reshape(k, k)


@pytest.mark.parametrize("case", ["approval", "brands", "sample_knowledge", "sample_question"])
def test_stuart_maxwell_matches_coin_mh_test(golden: pd.DataFrame, case: str) -> None:
    ref = golden[(golden["case"] == case) & (golden["test"] == "stuart_maxwell")].iloc[0]
    got = symmetry_tests(_table(ref)).set_index("test").loc["stuart_maxwell"]
    assert got["statistic"] == pytest.approx(ref["statistic"], abs=1e-9)
    assert got["statistic"] == pytest.approx(ref["hand"], abs=1e-9)
    assert got["df"] == ref["df"]
    assert got["p_value"] == pytest.approx(ref["p_value"], abs=1e-9)
    assert got["n"] == ref["n"]


@pytest.mark.parametrize(
    ("case", "correct"),
    [
        ("approval", False),
        ("approval", True),
        ("brands", False),
        ("sample_knowledge", False),
        ("sample_knowledge", True),
    ],
)
def test_bowker_matches_mcnemar_test(golden: pd.DataFrame, case: str, correct: bool) -> None:
    ref = golden[
        (golden["case"] == case) & (golden["test"] == "bowker") & (golden["correct"] == correct)
    ].iloc[0]
    got = symmetry_tests(_table(ref), correct=correct).set_index("test").loc["bowker"]
    assert got["statistic"] == pytest.approx(ref["statistic"], abs=1e-9)
    assert got["df"] == ref["df"]
    assert got["p_value"] == pytest.approx(ref["p_value"], abs=1e-9)
    assert ("continuity-corrected" in got["method"]) == correct


def test_bowker_leaves_out_empty_pairs_where_r_gives_nan(golden: pd.DataFrame) -> None:
    ref = golden[(golden["case"] == "sample_question") & (golden["test"] == "bowker")].iloc[0]
    assert np.isnan(ref["statistic"])  # R: 0 / 0 for the pair nobody moved between
    x = _table(ref)  # In the middle, Poorly, Well
    got = symmetry_tests(x).set_index("test").loc["bowker"]
    # pairs (middle, poorly): 0 vs 3 and (poorly, well): 0 vs 3; (middle, well) is empty
    assert got["statistic"] == pytest.approx(3**2 / 3 + 3**2 / 3)
    assert got["df"] == 2


def _sample(data_dir: Path) -> pd.DataFrame:
    pyreadstat = pytest.importorskip("pyreadstat")
    df, _ = pyreadstat.read_sav(str(data_dir / "deliberative-polling" / "Sample.sav"))
    df["knowledge"] = np.where(df["Knowledge1"] == 2, "Correct", "Incorrect")
    df.loc[df["Knowledge1"].isna(), "knowledge"] = None
    q = df["Question1"]
    df["question"] = np.select([q <= 4, q == 5], ["Poorly", "In the middle"], "Well")
    df.loc[q.isna(), "question"] = None
    return df


def test_categorical_change_on_real_sample_sav(data_dir: Path, golden: pd.DataFrame) -> None:
    df = _sample(data_dir)
    res = categorical_change(df, "question", respondent="ID", wave="Time")
    ref = golden[(golden["case"] == "sample_question") & (golden["test"] == "stuart_maxwell")]
    tests = res.tests.set_index("test")
    assert tests.loc["stuart_maxwell", "statistic"] == pytest.approx(
        ref["statistic"].iloc[0], abs=1e-9
    )
    assert tests.loc["stuart_maxwell", "n"] == 14  # people answering in both waves
    np.testing.assert_array_equal(
        res.crosstab["count"].to_numpy(), _table(ref.iloc[0]).ravel().astype(int)
    )
    margins = res.margins.set_index("category")
    assert margins["pre_count"].sum() == margins["post_count"].sum() == 14
    assert margins.loc["Well", "estimate"] == pytest.approx(
        (margins.loc["Well", "post_count"] - margins.loc["Well", "pre_count"]) / 14
    )
    assert set(res.tables()) == {"tests", "crosstab", "margins"}
    know = categorical_change(df, "knowledge", respondent="ID", wave="Time", correct=True)
    assert know.tests.set_index("test").loc["bowker", "p_value"] == pytest.approx(1.0)


def test_levels_order_and_errors() -> None:
    df = pd.DataFrame(
        {
            "respondent_id": [1, 2, 3, 1, 2, 3],
            "wave": ["a"] * 3 + ["b"] * 3,
            "v": ["x", "y", "x", "y", "y", "x"],
        }
    )
    res = categorical_change(df, "v", levels=["y", "x", "z"])
    assert res.margins["category"].tolist() == ["y", "x", "z"]
    assert res.margins["pre_count"].tolist() == [1, 2, 0]
    with pytest.raises(AnalysisInputError, match=r"not in levels"):
        categorical_change(df, "v", levels=["x"])
    with pytest.raises(AnalysisInputError, match="exactly two waves"):
        categorical_change(df.assign(wave=["a", "b", "c", "a", "b", "c"]), "v")
    with pytest.raises(AnalysisInputError, match="more than once"):
        categorical_change(df.assign(respondent_id=[1, 1, 3, 1, 2, 3]), "v")
    with pytest.raises(AnalysisInputError, match="no column"):
        categorical_change(df, "w")
    with pytest.raises(AnalysisInputError, match="square"):
        symmetry_tests(np.array([[1, 2, 3]]))
    with pytest.raises(AnalysisInputError, match="whole counts"):
        symmetry_tests(np.array([[1.5, 2], [3, 4]]))
    none = symmetry_tests(np.diag([5, 7]))  # nobody changed: nothing to test
    assert none["statistic"].isna().all()
    assert none["df"].tolist() == [0, 0]


def test_new_issue_19_tables_follow_the_vocabulary(data_dir: Path) -> None:
    """The checks of tests/foundation/test_vocabulary.py on the tables added for issue 19."""
    from deliberval.analysis.agreement import gwet_ac_table
    from deliberval.analysis.dri import dri_change_permutation_test
    from deliberval.analysis.fairness import selection_probabilities
    from deliberval.analysis.funnel import partial_r_indicators, r_indicator

    human = pd.read_csv(data_dir / "deliberr" / "human_data.csv")
    df = _sample(data_dir)
    people = pd.DataFrame({"g": ["a", "b"] * 20, "v": [True, False, False, True] * 10})
    tables = {
        **categorical_change(df, "question", respondent="ID", wave="Time").tables(),
        "symmetry": symmetry_tests(np.array([[5, 2], [1, 4]])),
        "gwet": gwet_ac_table(np.array([[5, 2], [1, 4]])),
        "dri_change_permutation": dri_change_permutation_test(human[human["case"] == "Bellinzona"]),
        "selection": selection_probabilities([["a", "b"], ["b", "c"]]),
        "r_indicator": r_indicator(people, "v", ["g"], n_resamples=20, seed=1),
        "partial": partial_r_indicators(people, "v", ["g"]),
    }
    for name, table in tables.items():
        cols = set(map(str, table.columns))
        bad_p = [c for c in cols if (c.endswith("_p") or c.startswith("p_")) and c != "p_value"]
        assert not bad_p, name
        if "ci_low" in cols:
            assert "confidence_level" in cols, name
        if "estimate" in cols or "statistic" in cols:
            assert "method" in cols, name
