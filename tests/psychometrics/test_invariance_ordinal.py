"""invariance(..., ordered=True): multi-group ordinal invariance by WLSMV (issue 19).

Golden values: R lavaan 0.6.14 via tests/reference/invariance/generate_invariance_ordinal.R
(simulated five-point items: three language groups x 200-300 with one factor, also with the
groups in the reverse order and with one item collapsed to three categories, two groups with two factors, and three groups x 220 with planted
threshold DIF in one item, also with its loading left free by ``partial=``). lavaan's models: ``cfa(..., group = "language", ordered =,
estimator = "WLSMV", parameterization = "delta", group.equal = )`` with ``""``,
``"thresholds"`` and ``c("thresholds", "loadings")``; difference tests ``lavTestLRT(...,
method = "satorra.2000", A.method = "delta")``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis import _ordinal_groups as og
from deliberval.analysis.cfa import _prepare, cfa, invariance
from deliberval.errors import AnalysisInputError

REF = Path(__file__).resolve().parents[2] / "tests" / "reference" / "invariance"
FIT = pd.read_csv(REF / "ordinal_groups_fit.csv")
EST = pd.read_csv(REF / "ordinal_groups_estimates.csv").fillna({"rhs": ""})
ONE = pd.read_csv(REF / "ordinal_groups_one.csv")
TWO = pd.read_csv(REF / "ordinal_groups_two.csv")
DIF = pd.read_csv(REF / "ordinal_groups_dif.csv")
Y = {"f": [f"y{i}" for i in range(1, 6)]}
AB = {"f1": ["a1", "a2", "a3"], "f2": ["b1", "b2", "b3"]}
CASES: dict[str, tuple[pd.DataFrame, dict[str, list[str]], list[str]]] = {
    "one": (ONE, Y, []),
    "one_reversed": (ONE.iloc[::-1], Y, []),
    "mixed": (ONE.assign(y5=ONE["y5"].map({1: 1, 2: 1, 3: 2, 4: 3, 5: 3})), Y, []),
    "two": (TWO, AB, []),
    "dif": (DIF, Y, []),
    "dif_partial": (DIF, Y, ["f =~ y3"]),
}
STEPS = ["configural", "thresholds", "thresholds_loadings"]
# ours -> lavaan, compared to 1e-6
PAIRS = [
    ("p_value", "pvalue_scaled"),
    ("cfi", "cfi_scaled"),
    ("tli", "tli_scaled"),
    ("rmsea", "rmsea_scaled"),
    ("rmsea_ci_low", "rmsea_ci_lower_scaled"),
    ("rmsea_ci_high", "rmsea_ci_upper_scaled"),
    ("srmr", "srmr"),
    ("scaling_factor", "chisq_scaling_factor"),
    ("diff_p_value", "diff_p_value"),
]


@pytest.fixture(scope="module")
def results() -> dict[str, pd.DataFrame]:
    return {
        name: invariance(df, model, across="language", ordered=True, partial=partial,
                         ordinal_identification="lavaan")
        for name, (df, model, partial) in CASES.items()
    }


@pytest.mark.parametrize("name", list(CASES))
def test_fit_and_difference_tests_match_lavaan(name: str, results: dict[str, pd.DataFrame]) -> None:
    res = results[name]
    gold = FIT[FIT["dataset"] == name].reset_index(drop=True)
    assert gold["model"].tolist() == STEPS
    labels = [
        "configural",
        "thresholds",
        "partial_thresholds_loadings" if "partial" in name else "thresholds_loadings",
    ]
    assert res["model"].tolist() == labels
    assert res["converged"].all()
    assert gold["converged"].all()
    assert res["df"].tolist() == gold["df"].tolist()
    assert res["n"].tolist() == gold["ntotal"].tolist()
    # the scaled-and-shifted statistics: lavaan's polychoric correlations (and its optimiser in
    # the misfitting DIF models) stop about 1e-8 from the optimum; statistics of several
    # hundred follow them to a relative 3e-7
    np.testing.assert_allclose(res["chisq"], gold["chisq_scaled"], rtol=2e-6)
    np.testing.assert_allclose(res["chisq_diff"][1:], gold["chisq_diff"][1:], rtol=2e-6)
    assert res["df_diff"][1:].tolist() == gold["df_diff"][1:].tolist()
    assert np.isnan(res["chisq_diff"][0])
    assert np.isnan(res["diff_p_value"][0])
    for ours, lavaan in PAIRS:
        np.testing.assert_allclose(res[ours], gold[lavaan], atol=1e-6, err_msg=ours)
    # RMSEA_D of the scaled difference, N - G as lavaan's RMSEA for WLSMV
    n, g = res["n"][0], CASES[name][0]["language"].nunique()
    c, d = res["chisq_diff"][2], res["df_diff"][2]
    assert res["rmsea_d"][2] == pytest.approx(np.sqrt(max(c - d, 0) / (d * (n - g))) * np.sqrt(g))
    assert "WLSMV" in res["method"][0]
    assert "Satorra 2000" in res["method"][0]


WE_CASES = ["one", "one_reversed", "mixed", "two", "dif"]


@pytest.mark.parametrize("name", WE_CASES)
def test_wu_estabrook_thresholds_model_matches_lavaan(name: str) -> None:
    """``ordinal_identification="wu_estabrook"``: latent-response intercepts instead of latent
    means free in the thresholds model (lavaan syntax written out in the R script)."""
    df, model, _ = CASES[name]
    res = invariance(
        df, model, across="language", ordered=True, ordinal_identification="wu_estabrook"
    )
    gold = FIT[FIT["dataset"] == f"{name}_wu_estabrook"].reset_index(drop=True)
    assert gold["model"].tolist() == STEPS
    assert res["model"].tolist() == STEPS
    assert res["df"].tolist() == gold["df"].tolist()
    np.testing.assert_allclose(res["chisq"], gold["chisq_scaled"], rtol=2e-6)
    np.testing.assert_allclose(res["chisq_diff"][1:], gold["chisq_diff"][1:], rtol=2e-6)
    for ours, lavaan in PAIRS:
        np.testing.assert_allclose(res[ours], gold[lavaan], atol=1e-6, err_msg=ours)
    assert "Wu & Estabrook 2016" in res["method"][0]


def test_wu_estabrook_does_not_depend_on_the_group_order_and_leaves_shifts_to_intercepts() -> None:
    kw = {"across": "language", "ordered": True, "ordinal_identification": "wu_estabrook"}
    res = invariance(ONE, Y, **kw)  # type: ignore[arg-type]
    rev = invariance(ONE.iloc[::-1], Y, **kw)  # type: ignore[arg-type]
    cols = ["chisq", "scaling_factor", "cfi", "chisq_diff", "diff_p_value"]
    # the default identification, so that a verdict never depends on the order of the rows
    default = invariance(ONE.iloc[::-1], Y, across="language", ordered=True)
    np.testing.assert_array_equal(default[cols].to_numpy(float), rev[cols].to_numpy(float))
    np.testing.assert_allclose(rev[cols].to_numpy(float), res[cols].to_numpy(float), rtol=1e-6)
    # the planted DIF shifts all cut points of one item: an intercept difference, found by the
    # second step, not the first
    dif = invariance(DIF, Y, **kw)  # type: ignore[arg-type]
    assert dif["verdict"][1].startswith(
        "threshold invariance holds: the answer categories are spaced"
    )
    assert dif["verdict"][2].startswith("threshold, loading and intercept invariance does not hold")
    with pytest.raises(AnalysisInputError, match="ordinal_identification must be"):
        invariance(ONE, Y, across="language", ordered=True, ordinal_identification="semtools")
    binary = ONE.assign(y1=(ONE["y1"] > 3).astype(int))
    with pytest.raises(AnalysisInputError, match="fewer than 3 answer categories"):
        invariance(binary, Y, **kw)  # type: ignore[arg-type]
    # lavaan fits binary items with its identification but warns that the thresholds model is
    # not identified (its df even drop below the configural model's): refused for both
    with pytest.raises(AnalysisInputError, match="binary items"):
        invariance(binary, Y, across="language", ordered=True)


def _fit_steps(name: str) -> tuple[list[og.OrdinalFit], list[og.Layout]]:
    df, model, partial = CASES[name]
    items = [i for its in model.values() for i in its]
    names, blocks = _prepare(df, items, "language")
    moms = og.group_moments(blocks, items, names, "language")
    free = {p.split("=~")[1].strip() for p in partial}
    n_th = [len(t) for t in moms[0].thresholds]
    lays = [og.layout(model, n_th, len(moms), equal, free) for _, equal in og.STEPS]
    return [og.fit(lay, moms) for lay in lays], lays


@pytest.mark.parametrize("name", ["one", "mixed", "two", "dif_partial"])
def test_estimates_match_lavaan(name: str) -> None:
    """Thresholds, loadings, factor (co)variances, scale factors and latent means per group."""
    fits, lays = _fit_steps(name)
    model = CASES[name][1]
    items = [i for its in model.values() for i in its]
    factors = list(model)
    for step, res, lay in zip(STEPS, fits, lays, strict=True):
        gold_step = FIT[(FIT["dataset"] == name) & (FIT["model"] == step)].iloc[0]
        assert res.chisq == pytest.approx(gold_step["chisq"], rel=2e-6)
        if name.startswith("dif"):
            # where the estimates differ most, lavaan's optimiser stopped early: our statistic
            # is the smaller one (elsewhere the 1e-8 differences of the polychorics decide)
            assert res.chisq <= gold_step["chisq"] + 1e-9
        est = EST[(EST["dataset"] == name) & (EST["model"] == step)]
        # lavaan stops its optimiser up to 3e-5 from the optimum in the misfitting DIF model
        tol = 5e-5 if name.startswith("dif") else 5e-6
        for gi in range(lay.n_groups):
            e = est[est["group"] == gi + 1]
            tau = [res.theta[k] for _, k in lay.tau[gi]]
            np.testing.assert_allclose(tau, e[e["op"] == "|"]["est"], atol=tol)
            lam = lay.lam_fixed[gi].copy()
            for pos, k in lay.lam[gi]:
                lam[pos] = res.theta[k]
            for row in e[e["op"] == "=~"].itertuples():
                assert lam[items.index(row.rhs), factors.index(row.lhs)] == pytest.approx(
                    row.est, abs=tol
                )
            for (a, b), k in lay.phi[gi]:
                row = e[(e["op"] == "~~") & (e["lhs"] == factors[b]) & (e["rhs"] == factors[a])]
                assert res.theta[k] == pytest.approx(row["est"].iloc[0], abs=tol)
            delta = np.ones(len(items))
            for i, k in lay.delta[gi]:
                delta[i] = res.theta[k]
            np.testing.assert_allclose(delta, e[e["op"] == "~*~"]["est"], atol=tol)
            alpha = np.zeros(len(factors))
            for a, k in lay.alpha[gi]:
                alpha[a] = res.theta[k]
            np.testing.assert_allclose(alpha, e[e["op"] == "~1"]["est"], atol=tol)


def test_verdicts_hold_without_dif_and_flag_planted_threshold_dif(
    results: dict[str, pd.DataFrame],
) -> None:
    for name in ("one", "two"):
        v = results[name]["verdict"].tolist()
        assert v[0].startswith("configural model fits")
        assert v[1].startswith("threshold invariance holds: the answer categories are used")
        assert v[2].startswith(
            "threshold and loading invariance holds: means comparable across language"
        )
    v = results["dif"]["verdict"].tolist()
    assert v[1].startswith(
        "threshold invariance does not hold (delta CFI -0.194, chi-square difference p < 0.001)"
    )
    assert v[2] == "threshold and loading invariance not assessed: a weaker level already fails"
    assert results["dif_partial"]["verdict"][2].startswith(
        "partial threshold and loading invariance not assessed"
    )


def test_only_the_thresholds_model_depends_on_the_reference_group(
    results: dict[str, pd.DataFrame],
) -> None:
    """lavaan's identification fixes the scale factors and latent means of the first group;
    with loadings free, the thresholds model is then not a reparameterisation of the same
    model with another first group (the latent mean enters every item through its own group's
    loading). The configural and thresholds-and-loadings models do not depend on the order."""
    res, rev = results["one"], results["one_reversed"]
    for i in (0, 2):
        assert rev["chisq"][i] == pytest.approx(res["chisq"][i], rel=1e-7)
        assert rev["cfi"][i] == pytest.approx(res["cfi"][i], abs=1e-9)
    assert abs(rev["chisq"][1] - res["chisq"][1]) > 1.0
    assert abs(rev["chisq_diff"][2] - res["chisq_diff"][2]) > 1.0


def test_two_groups_with_the_same_data_are_invariant() -> None:
    """Two copies of one group: every constrained model reproduces the configural fit, with
    scale factors 1 and latent mean 0 in the second group."""
    one = ONE[ONE["language"] == "de"]
    df = pd.concat([one.assign(language="x"), one.assign(language="y")])
    names, blocks = _prepare(df, Y["f"], "language")
    moms = og.group_moments(blocks, Y["f"], names, "language")
    n_th = [len(t) for t in moms[0].thresholds]
    fits = [og.fit(og.layout(Y, n_th, 2, equal, set()), moms) for _, equal in og.STEPS]
    # 20 thresholds equal, 5 scale factors and a latent mean freed; then 4 loadings equal
    assert [f.df for f in fits] == [10, 10 + 20 - 6, 10 + 20 - 6 + 4]
    assert fits[0].chisq > 0.1
    for res in fits[1:]:
        assert res.chisq == pytest.approx(fits[0].chisq, rel=1e-8)
    lay = og.layout(Y, n_th, 2, {"thresholds", "loadings"}, set())
    np.testing.assert_allclose([fits[2].theta[k] for _, k in lay.delta[1]], 1.0, atol=1e-6)
    np.testing.assert_allclose([fits[2].theta[k] for _, k in lay.alpha[1]], 0.0, atol=1e-6)


@pytest.mark.parametrize("identification", ["lavaan", "wu_estabrook"])
@pytest.mark.parametrize("model", [Y, AB])
def test_analytic_jacobian_matches_central_differences(
    model: dict[str, list[str]], identification: str
) -> None:
    gen = np.random.default_rng(7)
    n_items = sum(len(v) for v in model.values())
    for _, equal in og.STEPS:
        lay = og.layout(model, [4] * n_items, 3, equal, {"y3", "b2"}, identification)
        theta = gen.normal(size=lay.n_par)
        for g in range(3):
            np.testing.assert_allclose(
                og.jacobian(lay, theta, g), og.jacobian_numeric(lay, theta, g), atol=1e-8
            )


def test_ordered_refuses_what_it_cannot_do() -> None:
    with pytest.raises(AnalysisInputError, match="neither estimator= nor missing="):
        invariance(ONE, Y, across="language", ordered=True, estimator="MLR")
    with pytest.raises(AnalysisInputError, match="longitudinal invariance of ordinal items"):
        invariance(ONE.assign(respondent_id=range(len(ONE))), Y, wave="language", ordered=True)
    with pytest.raises(AnalysisInputError, match="partial takes loadings only"):
        invariance(ONE, Y, across="language", ordered=True, partial=["y2 ~ 1"])
    sparse = ONE.copy()
    sparse.loc[(sparse["language"] == "nl") & (sparse["y1"] == 5), "y1"] = 4
    with pytest.raises(AnalysisInputError, match="item 'y1' has no answer 5 in language 'nl'"):
        invariance(sparse, Y, across="language", ordered=True)
    many = ONE.assign(y1=ONE["y1"] + (np.arange(len(ONE)) % 11) / 100)
    with pytest.raises(AnalysisInputError, match="at most 10"):
        invariance(many, Y, across="language", ordered=True)
    with pytest.raises(AnalysisInputError, match=r"invariance\(\.\.\., across=, ordered=True\)"):
        cfa(ONE, Y, across="language", ordered=True)


def test_a_saturated_configural_model_is_reported_as_lavaan_does() -> None:
    """One factor of three items: the configural model has df 0 (it used to divide by zero).
    lavaan 0.6: chisq.scaled 0, p NA, CFI and TLI 1, RMSEA 0; later steps as usual
    (tests/reference/invariance/generate_invariance_ordinal_saturated.R)."""
    ref = Path(__file__).parents[1] / "reference" / "invariance"
    data = pd.read_csv(ref / "ordinal_three_items_data.csv")
    gold = pd.read_csv(ref / "ordinal_three_items_fit.csv")
    res = invariance(data, ["y0", "y1", "y2"], across="language", ordered=True,
                     ordinal_identification="lavaan")
    assert res["df"].tolist() == gold["df"].tolist() == [0, 8, 10]
    assert np.isnan(res["p_value"][0])
    assert (res["cfi"][0], res["tli"][0], res["rmsea"][0]) == (1.0, 1.0, 0.0)
    np.testing.assert_allclose(res["chisq"], gold["chisq_scaled"], atol=1e-6)
    np.testing.assert_allclose(res["p_value"][1:], gold["pvalue_scaled"][1:], atol=1e-6)
    np.testing.assert_allclose(res["tli"], gold["tli_scaled"], atol=1e-6)
    np.testing.assert_allclose(res["chisq_diff"][1:], gold["chisq_diff"][1:], rtol=2e-6)
    np.testing.assert_allclose(res["diff_p_value"][1:], gold["diff_p_value"][1:], atol=1e-6)
    default = invariance(data, ["y0", "y1", "y2"], across="language", ordered=True)
    assert default["verdict"].str.contains("holds").all()
