"""Domain estimation in survey_mean (``by=``) against R survey::svyby golden values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.survey import survey_mean
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "representativeness"


@pytest.fixture(scope="module")
def golden() -> pd.DataFrame:
    return pd.read_csv(REF / "svyby.csv", keep_default_na=False)


def _design(name: str) -> tuple[pd.DataFrame, dict[str, object]]:
    if name == "apistrat":
        df = pd.read_csv(REF / "apistrat.csv")
        return df, {"weight": "pw", "strata": "stype", "fpc": "fpc"}
    if name == "apiclus1":
        df = pd.read_csv(REF / "apiclus1.csv")
        return df, {"weight": "pw", "cluster": "dnum", "fpc": "fpc"}
    if name == "apiclus1_raked":
        df = pd.read_csv(REF / "apiclus1.csv")
        ref = pd.read_csv(REF / "rake_apiclus1_weights.csv")
        assert (ref["cds"].to_numpy() == df["cds"].to_numpy()).all()
        df = df.assign(raked=ref["weight"].to_numpy())
        spec = {"weight": "raked", "cluster": "dnum", "fpc": "fpc"}
        return df, {**spec, "calibrated_on": ["stype", "sch.wide"]}
    assert name == "apiclus2"
    df = pd.read_csv(REF / "apiclus2.csv")
    return df, {"cluster": ["dnum", "snum"], "fpc": ["fpc1", "fpc2"]}


CASES = sorted(
    pd.read_csv(REF / "svyby.csv", keep_default_na=False)[["design", "by", "variable"]]
    .drop_duplicates()
    .itertuples(index=False, name=None)
)


@pytest.mark.parametrize(("design", "by", "variable"), CASES)
def test_domain_means_match_svyby(
    golden: pd.DataFrame, design: str, by: str, variable: str
) -> None:
    df, spec = _design(design)
    by_cols = by.split("+")
    out = survey_mean(df, variable, by=by_cols, **spec)  # type: ignore[arg-type]
    ref = golden[(golden["design"] == design) & (golden["by"] == by)]
    ref = ref[ref["variable"] == variable].set_index("domain")
    assert list(out.columns[: len(by_cols) + 1]) == [*by_cols, "variable"]
    assert len(out) == len(ref)
    domains = out[by_cols].astype(str).agg(":".join, axis=1)
    for domain, row in zip(domains, out.itertuples(index=False), strict=True):
        assert row.estimate == pytest.approx(ref.loc[domain, "estimate"], abs=1e-6)
        assert row.se == pytest.approx(ref.loc[domain, "se"], rel=1e-3)
        # far tighter in practice: the same estimator, not an approximation of it
        assert row.se == pytest.approx(ref.loc[domain, "se"], rel=1e-7)


def test_domain_output_layout_and_subsetting_differs() -> None:
    df, spec = _design("apiclus1")
    out = survey_mean(df, ["api00", "enroll"], by="stype", **spec)  # type: ignore[arg-type]
    assert list(out.columns) == [
        "stype", "variable", "category", "estimate", "se", "ci_low", "ci_high",
        "confidence_level", "n", "method",
    ]  # fmt: skip
    assert out["stype"].tolist() == ["E", "E", "H", "H", "M", "M"]
    assert out["variable"].tolist() == ["api00", "enroll"] * 3
    assert out["n"].tolist() == [144, 144, 14, 14, 25, 25]
    assert out.loc[0, "ci_low"] == pytest.approx(
        648.868055555556 - 1.959963984540054 * 22.3624088938319
    )
    # the domain estimate is the subset's point estimate, but a subset-as-design SE is wrong:
    # high schools sit in fewer clusters than the design has
    sub = survey_mean(df[df["stype"] == "H"], "api00", **spec)  # type: ignore[arg-type]
    assert sub.loc[0, "estimate"] == pytest.approx(out.loc[2, "estimate"], abs=1e-9)
    assert abs(sub.loc[0, "se"] / out.loc[2, "se"] - 1) > 0.03
    # without by: the same table as before, no domain columns
    whole = survey_mean(df, "api00", **spec)  # type: ignore[arg-type]
    assert whole.columns[0] == "variable"


def test_domains_with_categories_missing_by_values_and_errors() -> None:
    df = pd.DataFrame(
        {
            "y": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0],
            "c": ["a", "b", "a", None, "b", "b", "a"],
            "g": ["x", "x", "x", "y", "y", "y", None],
            "w": [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0],
        }
    )
    out = survey_mean(df, ["y", "c"], weight="w", by="g")
    assert out["g"].tolist() == ["x"] * 3 + ["y"] * 3
    x_y = out.iloc[0]
    assert x_y["estimate"] == pytest.approx((1 + 4) / 3)
    assert x_y["n"] == 2
    cats = out[(out["variable"] == "c") & (out["g"] == "y")].set_index("category")
    assert cats.loc["b", "estimate"] == pytest.approx(1.0)
    assert cats.loc["b", "n"] == 2
    assert cats.loc["a", "estimate"] == pytest.approx(0.0)
    # domain proportions of a category add up to one within each domain
    assert out[out["variable"] == "c"].groupby("g")["estimate"].sum().tolist() == pytest.approx(
        [1.0, 1.0]
    )
    with pytest.raises(AnalysisInputError, match="nope"):
        survey_mean(df, "y", by="nope")
    with pytest.raises(AnalysisInputError, match="output column"):
        survey_mean(df.rename(columns={"g": "estimate"}), "y", by="estimate")
    with pytest.raises(AnalysisInputError, match="more than once"):
        survey_mean(df, "y", by=["g", "g"])
    only_missing = df.assign(y=[np.nan, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], g=["z"] + ["x"] * 6)
    with pytest.raises(AnalysisInputError, match=r"in domain \{'g': 'z'\}"):
        survey_mean(only_missing, "y", by="g")
    with pytest.raises(AnalysisInputError, match="no non-missing values"):
        survey_mean(df.assign(g=None), "y", by="g")
