"""score(): missing codes, reverse keying, scoring rules, the one data frame and the per-scale summary."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from deliberval.canonical import ID_COLUMNS
from deliberval.errors import DataInputError
from deliberval.instruments.model import Instrument
from deliberval.scoring import ScoredResponses, score


def _instrument(method: str = "mean", min_valid: int = 2, n_items: int = 3) -> Instrument:
    items = [f"e{i}" for i in range(1, n_items + 1)]
    return Instrument.model_validate(
        {
            "id": "efficacy_demo",
            "version": "1.0.0",
            "title": {"en": "Demo"},
            "languages": {"en": {"status": "source"}},
            "licence": "CC-BY-4.0",
            "response_scales": [
                {
                    "id": "agree_5",
                    "type": "likert",
                    "values": [{"value": v} for v in range(1, 6)],
                    "missing_codes": [
                        {"code": 8, "meaning": "dont_know"},
                        {"code": 9, "meaning": "refused"},
                    ],
                },
                {
                    "id": "trust_0_10",
                    "type": "numeric",
                    "min": 0,
                    "max": 10,
                    "missing_codes": [{"code": 77, "meaning": "refused"}],
                },
                {
                    "id": "gender",
                    "type": "categorical",
                    "values": [{"value": "woman"}, {"value": "man"}],
                },
            ],
            "items": [
                {
                    "id": it,
                    "construct": "efficacy",
                    "text": {"en": it},
                    "scale": "agree_5",
                    "reverse": it == "e3",
                    "waves": ["pre"],
                    "respondents": ["citizen"],
                    "source": {"citation": "x", "wording": "new"},
                }
                for it in items
            ]
            + [
                {
                    "id": "t1",
                    "construct": "trust",
                    "text": {"en": "t1"},
                    "scale": "trust_0_10",
                    "reverse": True,
                    "missing_codes": [{"code": 99, "meaning": "no_answer"}],
                    "waves": ["pre"],
                    "respondents": ["citizen"],
                    "source": {"citation": "x", "wording": "new"},
                },
                {
                    "id": "g",
                    "construct": "demo",
                    "text": {"en": "g"},
                    "scale": "gender",
                    "waves": ["pre"],
                    "respondents": ["citizen"],
                    "source": {"citation": "x", "wording": "new"},
                },
            ],
            "scales": [
                {
                    "id": "eff",
                    "construct": "efficacy",
                    "items": items,
                    "scoring": {"method": method, "min_valid": min_valid},
                },
            ],
        }
    )


def _responses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_id": ["r1", "r2", "r3", "r4"],
            "process_id": "p1",
            "wave": ["pre", "pre", "post", "post"],
            "group": "participant",
            "role": "citizen",
            "language": "en",
            "weight": [1.0, 2.0, 1.0, 0.5],
            "e1": [4, 8, 1, 9],
            "e2": [5, 2, 1, 9],
            "e3": [1, 2, 5, 9],
            "t1": [10, 99, 0, 3],
            "g": ["woman", "man", "woman", "man"],
            "other_instrument_item": [1, 2, 3, 4],
        }
    )


def test_missing_codes_reverse_and_mean_rule() -> None:
    res = score(_responses(), _instrument())
    # r1: 4, 5, 6-1=5 -> 14/3; r2: (8 missing), 2, 6-2=4 -> 3; r3: 1, 1, 6-5=1 -> 1; r4 all refused
    assert isinstance(res, ScoredResponses)
    np.testing.assert_allclose(res.data["eff"], [14 / 3, 3.0, 1.0, np.nan])
    # one frame: id columns, cleaned items (instrument order), scales; other columns left out
    assert list(res.data.columns) == [*ID_COLUMNS, "e1", "e2", "e3", "t1", "g", "eff"]
    assert (res.id_columns, res.items, res.scales) == (ID_COLUMNS, ("e1", "e2", "e3", "t1", "g"), ("eff",))
    # items are cleaned (missing codes -> NA) but not reverse-keyed
    np.testing.assert_array_equal(res.data["e1"], [4, np.nan, 1, np.nan])
    np.testing.assert_array_equal(res.data["e3"], [1, 2, 5, np.nan])
    np.testing.assert_array_equal(res.data["t1"], [10, np.nan, 0, 3])
    assert res.data["g"].tolist() == ["woman", "man", "woman", "man"]
    # keyed_items reverses: likert 1..5 -> 6 - x; item-level missing code (99) overrides the
    # scale's (77); numeric reverse uses min + max - x
    keyed = res.keyed_items()
    np.testing.assert_array_equal(keyed["e3"], [5, 4, 1, np.nan])
    np.testing.assert_array_equal(keyed["t1"], [0, np.nan, 10, 7])
    assert "g" not in keyed.columns
    assert set(res.tables()) == {"data", "summary"}


def test_input_index_is_kept_and_validated_responses_score() -> None:
    from deliberval.validation import validate

    df = _responses().drop(columns=["other_instrument_item"])
    df.index = pd.Index([7, 3, 11, 5])
    ins = _instrument()
    checked = validate(df, ins, recode_missing=False)
    res = score(checked.valid, ins)
    assert list(res.data.index) == list(checked.valid.index)
    recoded = score(validate(df, ins).valid, ins)
    pd.testing.assert_frame_equal(res.data, recoded.data)


def test_scale_name_clashing_with_a_column_is_an_error() -> None:
    df = _responses().assign(eff=1.0)
    with pytest.raises(DataInputError, match="name of a scale"):
        score(df, _instrument())


def test_summary_counts_reasons() -> None:
    res = score(_responses(), _instrument(min_valid=3))
    row = res.summary.iloc[0].to_dict()
    assert row == {
        "scale": "eff",
        "method": "mean",
        "min_valid": 3,
        "n_items": 3,
        "n_items_in_data": 3,
        "n_rows": 4,
        "n_scored": 2,
        "n_not_scored": 2,
        "too_few_valid_items": 2,
        "items_not_in_data": 0,
    }


def test_sum_is_prorated() -> None:
    res = score(_responses(), _instrument(method="sum"))
    np.testing.assert_allclose(res.data["eff"], [14.0, 9.0, 3.0, np.nan])


def test_scale_items_absent_from_table() -> None:
    df = _responses().drop(columns=["e2", "e3"])
    res = score(df, _instrument())
    assert res.data["eff"].isna().all()
    assert res.summary.loc[0, "items_not_in_data"] == 4
    assert res.summary.loc[0, "n_items_in_data"] == 1


def test_string_codes_are_read() -> None:
    df = _responses().astype({"e1": "string", "e2": "string"})
    df.loc[0, "e1"] = " 4 "
    res = score(df, _instrument())
    np.testing.assert_allclose(res.data["eff"], [14 / 3, 3.0, 1.0, np.nan])


def test_non_numeric_answer_is_a_clear_error() -> None:
    df = _responses().astype({"e1": "string"})
    df.loc[1, "e1"] = "agree"
    with pytest.raises(DataInputError, match=r"item 'e1' has 1 answer\(s\) .*'agree'"):
        score(df, _instrument())


def test_out_of_range_value_is_a_clear_error() -> None:
    df = _responses()
    df.loc[0, "e2"] = 7
    with pytest.raises(DataInputError, match=r"item 'e2' has 1 value\(s\) outside 1..5 .*e.g. 7"):
        score(df, _instrument())


def test_not_a_dataframe() -> None:
    with pytest.raises(DataInputError, match="must be a pandas DataFrame"):
        score({"e1": [1]}, _instrument())  # type: ignore[arg-type]


def test_large_table_is_fast() -> None:
    n, k = 200_000, 60
    inst = _instrument(n_items=k)
    gen = np.random.default_rng(0)
    data = gen.integers(1, 6, size=(n, k)).astype(float)
    data[gen.random((n, k)) < 0.05] = 9
    df = pd.DataFrame(data, columns=[f"e{i}" for i in range(1, k + 1)])
    df.insert(0, "respondent_id", np.arange(n))
    start = time.perf_counter()
    res = score(df, inst)
    elapsed = time.perf_counter() - start
    assert elapsed < 5
    x = np.where(data == 9, np.nan, data)
    x[:, 2] = 6 - x[:, 2]
    with np.errstate(invalid="ignore"):
        expected = np.nanmean(x, axis=1)
    np.testing.assert_allclose(res.data["eff"], expected)
    assert res.summary.loc[0, "n_scored"] == n
