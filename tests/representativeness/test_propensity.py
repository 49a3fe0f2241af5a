"""Propensity weights and balance diagnostics against base R (glm, hand ASMD and Kish ESS), issue 19."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.propensity import propensity_weights
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[1] / "reference" / "propensity"
COVS = ["age", "gender", "edu"]
CASES = [("treated", 0.0), ("treated", 0.1), ("all", 0.0), ("all", 0.1)]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "propensity_data.csv")


@pytest.mark.parametrize(("target", "trim"), CASES)
def test_weights_balance_and_ess_match_r(data: pd.DataFrame, target: str, trim: float) -> None:
    res = propensity_weights(data, "treated", COVS, target=target, trim=trim or None)  # type: ignore[arg-type]
    ref_w = pd.read_csv(REF / "propensity_weights.csv")
    ref_w = ref_w.loc[(ref_w["target"] == target) & (ref_w["trim"] == trim)]
    got = res.weights.assign(id=data["id"]).loc[res.weights["included"]]
    assert got["id"].tolist() == ref_w["id"].tolist()
    np.testing.assert_allclose(got["propensity"], ref_w["propensity"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(got["weight"], ref_w["weight"], rtol=1e-8, atol=0)

    ref_b = pd.read_csv(REF / "propensity_balance.csv")
    ref_b = ref_b.loc[(ref_b["target"] == target) & (ref_b["trim"] == trim)]
    assert res.balance["covariate"].tolist() == ref_b["covariate"].tolist()
    for col in ["treated_mean_before", "control_mean_before", "treated_mean_after",
                "control_mean_after", "sd_denominator", "asmd_before", "asmd_after"]:
        np.testing.assert_allclose(res.balance[col], ref_b[col], rtol=1e-8, atol=1e-10, err_msg=col)

    ref_e = pd.read_csv(REF / "propensity_ess.csv")
    ref_e = ref_e.loc[(ref_e["target"] == target) & (ref_e["trim"] == trim)]
    np.testing.assert_allclose(res.summary["effective_n_after"], ref_e["effective_n"], rtol=1e-8)
    np.testing.assert_allclose(res.summary["sum_weights"], ref_e["sum_weights"], rtol=1e-8)
    assert res.summary["n"].tolist() == ref_e["n"].tolist()


def test_every_row_is_accounted_for(data: pd.DataFrame) -> None:
    res = propensity_weights(data, "treated", COVS, trim=0.1)
    assert len(res.weights) == len(data)
    assert (~res.weights["included"]).sum() == 2  # two missing ages
    assert res.summary["n"].sum() + res.summary["n_excluded"].sum() == len(data)
    assert res.weights.loc[~res.weights["included"], "weight"].isna().all()
    assert res.summary["n_trimmed"].sum() > 0
    assert res.summary["max_weight"].max() <= 0.9 / 0.1 + 1e-12


def test_weighting_improves_balance_and_att_keeps_participants_at_one(data: pd.DataFrame) -> None:
    res = propensity_weights(data, "treated", COVS)
    assert res.balance.loc[res.balance["covariate"] == "age", "asmd_before"].iloc[0] == pytest.approx(
        0.44593849407002256, abs=1e-8)  # R, propensity_balance.csv
    assert (res.balance["asmd_after"] < 0.1).all()
    assert (res.weights.loc[res.weights["treated"] == True, "weight"] == 1).all()  # noqa: E712


def test_text_group_needs_treated_value(data: pd.DataFrame) -> None:
    df = data.assign(role=np.where(data["treated"] == 1, "member", "control"))
    with pytest.raises(AnalysisInputError, match="treated="):
        propensity_weights(df, "role", COVS)
    res = propensity_weights(df, "role", COVS, treated="member")
    ref = propensity_weights(data, "treated", COVS)
    np.testing.assert_allclose(res.weights["weight"], ref.weights["weight"])
    assert res.summary["group"].tolist() == ["member", "control"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"target": "att"}, "target"), ({"trim": 0.5}, "trim"), ({"trim": -0.1}, "trim"),
])
def test_bad_arguments_are_clear_errors(data: pd.DataFrame, kwargs: dict, match: str) -> None:
    with pytest.raises(AnalysisInputError, match=match):
        propensity_weights(data, "treated", COVS, **kwargs)


def test_one_group_or_separation_is_a_clear_error(data: pd.DataFrame) -> None:
    with pytest.raises(AnalysisInputError, match="two values"):
        propensity_weights(data.assign(treated=1), "treated", COVS)
    sep = data.assign(x=data["treated"].astype(float))
    with pytest.raises(AnalysisInputError, match="could not be fitted"):
        propensity_weights(sep, "treated", ["x"])


def test_balance_plot_draws_the_table(data: pd.DataFrame) -> None:
    from deliberval.plots.balance import plot_balance

    res = propensity_weights(data, "treated", COVS)
    fig = plot_balance(res, title="t")
    ax = fig.axes[0]
    pts = ax.collections[1].get_offsets()  # before markers
    np.testing.assert_allclose(np.asarray(pts)[:, 0], res.balance["asmd_before"])
    assert [t.get_text() for t in ax.get_yticklabels()] == res.balance["covariate"].tolist()
    with pytest.raises(AnalysisInputError):
        plot_balance(object())  # type: ignore[arg-type]


def test_attrition_use_equals_response_weights_for_completers() -> None:
    """group = completed, target 'all': completers get 1 / e, the same logistic model as
    response_weights (validated against R glm there)."""
    from deliberval.analysis.attrition import response_weights

    rng = np.random.default_rng(4)
    n = 120
    age = rng.normal(50, 12, n).round()
    done = rng.random(n) < 1 / (1 + np.exp(-(0.04 * (age - 50) + 0.5)))
    long = pd.DataFrame({"respondent_id": np.r_[np.arange(n), np.flatnonzero(done)],
                         "wave": ["pre"] * n + ["post"] * int(done.sum()),
                         "age": np.r_[age, age[done]]})
    rw = response_weights(long, "age")
    base = pd.DataFrame({"completed": done, "age": age})
    pw = propensity_weights(base, "completed", "age", target="all")
    np.testing.assert_allclose(pw.weights.loc[done, "weight"], rw.loc[rw["completed"], "weight"], rtol=1e-8)
    assert pw.summary["group"].tolist() == [True, False]
