"""did() with CR2 + Satterthwaite df against R clubSandwich (tests/reference/meta/generate_cr2.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis.did import CR2_MAX_CLUSTERS, did
from deliberval.errors import AnalysisInputError

REF = Path(__file__).parents[1] / "reference" / "meta"
TOL = 1e-6
DATA = pd.read_csv(REF / "cr2_did_data.csv")
EXP = pd.read_csv(REF / "cr2_did_expected.csv")


@pytest.mark.parametrize(("dataset", "cluster"), [("a", "respondent_id"), ("b", "respondent_id"),
                                                   ("c", "respondent_id"), ("c", "site")])
def test_did_cr2_matches_clubsandwich(dataset: str, cluster: str) -> None:
    data = DATA.loc[DATA["dataset"] == dataset]
    got = did(data, "y", cluster=None if cluster == "respondent_id" else cluster).set_index("model")
    exp = EXP.loc[(EXP["dataset"] == dataset) & (EXP["cluster"] == cluster)].set_index("model")
    for model in ["pooled_ols", "individual_fe", "baseline_difference"]:
        for col in ["estimate", "se", "df", "p_value", "ci_low", "ci_high"]:
            assert got.loc[model, col] == pytest.approx(exp.loc[model, col], abs=TOL), (model, col)
        assert "CR2 Bell-McCaffrey" in got.loc[model, "method"]
        assert "Satterthwaite" in got.loc[model, "method"]
    assert (got["statistic"] == got["estimate"] / got["se"]).all()


def test_auto_rule_and_cr1_remain_available() -> None:
    data = DATA.loc[DATA["dataset"] == "a"]  # 5 participants, 20 controls
    auto = did(data, "y").set_index("model")
    # the method names the rule, not the group's size (a count of people, published in the report)
    assert "(a group has fewer than 30 clusters)" in auto.loc["pooled_ols", "method"]
    cr1 = did(data, "y", vcov="CR1").set_index("model")
    assert "CR1" in cr1.loc["pooled_ols", "method"]
    assert (cr1["df"] == 24).all()  # G - 1
    # same estimates, CR2 standard errors larger than CR1 here, Satterthwaite df far below G - 1
    np.testing.assert_allclose(auto["estimate"], cr1["estimate"])
    assert (auto["se"] > cr1["se"]).all()
    assert auto.loc["pooled_ols", "df"] == pytest.approx(6.168831, abs=1e-6)
    forced = did(data, "y", vcov="CR2").set_index("model")
    assert "fewer than 30" not in forced.loc["pooled_ols", "method"]
    np.testing.assert_allclose(forced["se"], auto["se"])
    assert CR2_MAX_CLUSTERS == 30
    with pytest.raises(AnalysisInputError, match="vcov"):
        did(data, "y", vcov="HC3")  # type: ignore[arg-type]


def test_cr2_of_identical_changes_is_nan_not_noise() -> None:
    from deliberval.analysis.did import DegenerateDIDWarning

    pre = [3.0, 2.5, 3.5, 3.0, 2.0, 3.5]
    t = pd.DataFrame({"respondent_id": [1, 2, 3, 4, 5, 6] * 2, "wave": ["pre"] * 6 + ["post"] * 6,
                      "group": (["participant"] * 3 + ["control"] * 3) * 2,
                      "y": pre + [v + 1 for v in pre[:3]] + pre[3:]})
    with pytest.warns(DegenerateDIDWarning, match="do not vary within the groups"):
        r = did(t, "y").set_index("model")
    assert "CR2" in r.loc["pooled_ols", "method"]
    assert np.isnan(r.loc["pooled_ols", "p_value"])
    assert np.isnan(r.loc["individual_fe", "se"])
    assert r.loc["baseline_difference", "se"] > 0.5
