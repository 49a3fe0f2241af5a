"""cfa() and invariance() against R lavaan 0.6.14 golden values (ML, lavaan defaults)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.cfa import cfa, invariance, parse_model
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "psychometrics"
FIT = pd.read_csv(REF / "cfa_fit.csv")
LOADINGS = pd.read_csv(REF / "cfa_loadings.csv")
LRT = pd.read_csv(REF / "invariance_lrt.csv")
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
OURS = ["chisq", "df", "p_value", "cfi", "tli", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr"]
LAVAAN = [
    "chisq",
    "df",
    "pvalue",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_lower",
    "rmsea_ci_upper",
    "srmr",
]


def _data(name: str) -> tuple[pd.DataFrame, str | dict[str, list[str]]]:
    if name == "holzinger_swineford":
        return pd.read_csv(REF / "holzinger_swineford.csv"), HS_MODEL
    if name.startswith("example_"):
        df = pd.read_csv(REF / "example_climate_assembly.csv")
        trust = ["trust_parliament", "trust_politicians", "trust_parties"]
        trust += ["trust_national_government", "trust_local_government"]
        if name == "example_trust":
            return df, {"trust": trust}
        return df, {
            "internal": [
                "efficacy_int_understand",
                "efficacy_int_confidence",
                "efficacy_int_complicated",
            ],
            "external": ["efficacy_ext_care", "efficacy_ext_contact", "efficacy_ext_no_say"],
        }
    if name == "holzinger_visual":
        return pd.read_csv(REF / "holzinger_swineford.csv"), {"visual": ["x1", "x2", "x3"]}
    if name == "simulated_likert":
        df = pd.read_csv(REF / "simulated_likert.csv")
        return df.assign(q6=6 - df["q6"]), {"f": [f"q{i}" for i in range(1, 7)]}
    df = pd.read_csv(REF / "bfi_agreeableness.csv")
    return df.assign(A1=7 - df["A1"]), {"agree": [f"A{i}" for i in range(1, 6)]}


def _gold(name: str, model: str) -> pd.Series:
    return FIT[(FIT["dataset"] == name) & (FIT["model"] == model)].iloc[0]


@pytest.mark.parametrize(
    "name",
    [
        "holzinger_swineford",
        "simulated_likert",
        "bfi_agreeableness",
        "holzinger_visual",
        "example_efficacy",
    ],
)
def test_cfa_matches_lavaan(name: str) -> None:
    df, model = _data(name)
    res = cfa(df, model)
    gold = _gold(name, "single")
    fit = res.fit.iloc[0]
    assert bool(fit["converged"])
    assert fit["model"] == "single_group"
    assert fit["n"] == gold["n"]
    np.testing.assert_allclose(
        fit[OURS].to_numpy(float), gold[LAVAAN].to_numpy(float), atol=1e-4, rtol=0
    )
    gl = LOADINGS[LOADINGS["dataset"] == name]
    assert res.loadings["item"].tolist() == gl["item"].tolist()
    assert res.loadings["factor"].tolist() == gl["factor"].tolist()
    np.testing.assert_allclose(res.loadings["std_loading"], gl["std_loading"], atol=1e-4)


@pytest.mark.parametrize(
    ("name", "across"),
    [("holzinger_swineford", "school"), ("simulated_likert", "wave"), ("example_trust", "wave")],
)
def test_invariance_matches_lavaan_group_equal(name: str, across: str) -> None:
    df, model = _data(name)
    res = invariance(df, model, across=across)
    assert res["model"].tolist() == ["configural", "metric", "scalar"]
    for _, row in res.iterrows():
        gold = _gold(name, row["model"])
        np.testing.assert_allclose(
            row[OURS].to_numpy(float),
            gold[LAVAAN].to_numpy(float),
            atol=1e-4,
            rtol=0,
            err_msg=row["model"],
        )
    lrt = LRT[LRT["dataset"] == name]
    np.testing.assert_allclose(res["chisq_diff"], lrt["chisq_diff"], atol=1e-4)
    np.testing.assert_allclose(res["df_diff"], lrt["df_diff"])
    np.testing.assert_allclose(res["diff_p_value"], lrt["diff_p_value"], atol=1e-6)
    np.testing.assert_allclose(res["delta_cfi"].iloc[1:], np.diff(res["cfi"]))


def test_invariance_verdicts_in_plain_language() -> None:
    df, model = _data("holzinger_swineford")
    verdicts = invariance(df, model, across="school")["verdict"].tolist()
    assert verdicts[0].startswith("configural model fits poorly (CFI 0.923)")
    assert verdicts[1].startswith("metric invariance holds")
    assert verdicts[2] == (
        "scalar invariance does not hold (delta CFI -0.038, chi-square difference p < 0.001): "
        "do not compare means across school"
    )
    df, model = _data("simulated_likert")
    verdicts = invariance(df, model, across="wave")["verdict"].tolist()
    assert verdicts[2].startswith("scalar invariance holds: means comparable across wave (delta CFI")


def test_cfa_equal_constraints_equal_invariance_rows() -> None:
    df, model = _data("simulated_likert")
    res = cfa(df, model, across="wave", equal=["loadings"])
    assert res.fit["model"].iloc[0] == "metric"
    assert res.fit["chisq"].iloc[0] == pytest.approx(
        _gold("simulated_likert", "metric")["chisq"], abs=1e-4
    )
    # equal loadings: unstandardised loadings identical in both waves
    # the loadings carry the across column under its own name
    assert list(res.loadings.columns) == [
        "wave",
        "factor",
        "item",
        "loading",
        "se",
        "std_loading",
        "method",
    ]
    assert res.fit["n_levels"].iloc[0] == 2
    wide = res.loadings.pivot(index="item", columns="wave", values="loading")
    np.testing.assert_allclose(wide["pre"], wide["post"])


def test_parse_model_and_errors() -> None:
    assert parse_model("f =~ a + b + c  # comment") == {"f": ["a", "b", "c"]}
    with pytest.raises(AnalysisInputError, match="cannot read model line"):
        parse_model("f ~ a + b")
    with pytest.raises(AnalysisInputError, match="loads on 'f' and 'g'"):
        parse_model({"f": ["a", "b"], "g": ["b", "c"]})
    with pytest.raises(AnalysisInputError, match="at least 3 items"):
        parse_model({"f": ["a", "b"]})


def test_one_level_grouping_is_a_clear_error() -> None:
    df, model = _data("simulated_likert")
    with pytest.raises(AnalysisInputError, match="has 1 level"):
        invariance(df.assign(wave="pre"), model, across="wave")
    with pytest.raises(AnalysisInputError, match="constant in wave 'pre'"):
        invariance(df.assign(q1=np.where(df["wave"] == "pre", 3, df["q1"])), model, across="wave")
    with pytest.raises(AnalysisInputError, match="need across="):
        cfa(df, model, equal=["loadings"])
    with pytest.raises(AnalysisInputError, match="no column"):
        cfa(df, {"f": ["q1", "q2", "nope"]})
    with pytest.raises(AnalysisInputError, match="clash with the loadings column"):
        cfa(df.assign(item=df["wave"]), model, across="item")


def test_fit_tables_carry_confidence_level_and_method() -> None:
    df, model = _data("simulated_likert")
    res = cfa(df, model, rmsea_confidence_level=0.8)
    assert list(res.fit.columns) == [
        "model",
        "chisq",
        "df",
        "p_value",
        "cfi",
        "tli",
        "rmsea",
        "rmsea_ci_low",
        "rmsea_ci_high",
        "confidence_level",
        "srmr",
        "n",
        "n_levels",
        "converged",
        "method",
    ]
    assert res.fit["confidence_level"].iloc[0] == 0.8
    assert res.fit["n_levels"].iloc[0] == 1
    assert list(res.loadings.columns) == ["factor", "item", "loading", "se", "std_loading", "method"]
    assert set(res.tables()) == {"fit", "loadings"}
    assert res.tables()["fit"] is res.fit
    # a narrower interval inside the 90% one
    wide = cfa(df, model).fit.iloc[0]
    assert wide["confidence_level"] == 0.9
    assert wide["rmsea_ci_low"] <= res.fit["rmsea_ci_low"].iloc[0]
    assert res.fit["rmsea_ci_high"].iloc[0] <= wide["rmsea_ci_high"]
    inv = invariance(df, model, across="wave")
    assert list(inv.columns) == [
        "model",
        "chisq",
        "df",
        "p_value",
        "cfi",
        "tli",
        "rmsea",
        "rmsea_ci_low",
        "rmsea_ci_high",
        "confidence_level",
        "srmr",
        "n",
        "converged",
        "scaling_factor",
        "chisq_diff",
        "df_diff",
        "diff_p_value",
        "delta_cfi",
        "delta_rmsea",
        "rmsea_d",
        "rmsea_d_ci_low",
        "rmsea_d_ci_high",
        "verdict",
        "method",
    ]
    assert (inv["confidence_level"] == 0.9).all()
    assert inv["method"].str.contains("maximum likelihood").all()
