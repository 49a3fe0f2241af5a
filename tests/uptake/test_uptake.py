"""Uptake indicators, prior-agenda matrix and Kaplan-Meier times against R (survival 3.5.3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from deliberval.analysis.uptake import INDICATORS, UptakeResult, kaplan_meier, uptake
from deliberval.datasets.registers import PROCESS_DEADLINES, ccc_register, simulate_register
from deliberval.errors import AnalysisInputError
from deliberval.instruments.coding import load_scheme
from deliberval.validation.register import validate_register

REF = Path(__file__).resolve().parents[1] / "reference" / "uptake"
AS_OF = "2024-06-30"


def _register(recs: pd.DataFrame, ev: pd.DataFrame, **kw):
    checked = validate_register(recs, ev, **kw)
    assert checked.all_valid, checked.failures
    return checked.register


@pytest.fixture(scope="module")
def golden_register():
    return _register(pd.read_csv(REF / "register_recommendations.csv"),
                     pd.read_csv(REF / "register_events.csv"))


@pytest.fixture(scope="module")
def result(golden_register):
    return uptake(golden_register, as_of=AS_OF, deadline_days=PROCESS_DEADLINES)


def test_status_as_of_matches_r(result) -> None:
    ref = pd.read_csv(REF / "uptake_status_golden.csv")
    got = result.status.set_index("rec_id").loc[ref["rec_id"]]
    assert (got["status"].to_numpy() == ref["status"].to_numpy()).all()
    first = pd.to_datetime(ref["first_response_date"]).to_numpy()
    assert np.array_equal(got["first_response_date"].to_numpy(), first, equal_nan=True)
    impl = pd.to_datetime(ref["implementation_date"]).to_numpy()
    assert np.array_equal(got["implementation_date"].to_numpy(), impl, equal_nan=True)


def test_indicators_match_r_prop_test(result) -> None:
    ref = pd.read_csv(REF / "uptake_indicators_golden.csv")
    m = result.indicators.merge(ref, on=["process_id", "indicator"], suffixes=("", "_r"))
    assert len(m) == len(ref) == 4 * 7
    for col in ("estimate", "ci_low", "ci_high", "count"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], atol=1e-9)
    assert (m["n"] == m["n_r"]).all()
    assert list(result.indicators.columns) == ["process_id", "indicator", "estimate", "ci_low",
                                               "ci_high", "confidence_level", "n", "count", "method"]
    assert list(result.comparison.columns) == ["process_id", *INDICATORS]


def test_kaplan_meier_matches_survfit(result) -> None:
    ref = pd.read_csv(REF / "uptake_km_golden.csv")
    m = result.survival.merge(ref, on=["process_id", "endpoint", "time"], suffixes=("", "_r"))
    assert len(m) == len(ref) == len(result.survival)
    for col in ("survival", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], atol=1e-9)
    assert (m["n_risk"] == m["n_risk_r"]).all()
    assert (m["n_events"] == m["n_events_r"]).all()
    med = result.medians.merge(pd.read_csv(REF / "uptake_median_golden.csv"),
                               on=["process_id", "endpoint"], suffixes=("", "_r"))
    np.testing.assert_allclose(med["estimate"], med["estimate_r"], atol=1e-9)
    assert med["estimate"].isna().sum() == 4  # fewer than half implemented anywhere
    assert list(result.survival.columns) == ["process_id", "endpoint", "time", "n_risk", "n_events",
                                             "survival", "se", "ci_low", "ci_high", "cumulative",
                                             "confidence_level", "method"]
    assert result.survival["method"].str.startswith("Kaplan-Meier").all()


def test_prior_agenda_fisher_matches_r(result) -> None:
    ref = pd.read_csv(REF / "uptake_agenda_golden.csv")
    m = result.agenda_test.merge(ref, on="process_id", suffixes=("", "_r"))
    assert len(m) == 4
    for col in ("uptake_on_agenda", "uptake_new", "p_value"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], atol=1e-9)
    # conditional MLE and exact limits: R's uniroot tolerance is looser than scipy's (the
    # limits below are checked against their defining equations instead)
    np.testing.assert_allclose(m["odds_ratio"], m["odds_ratio_r"], rtol=1e-3)
    for col in ("odds_ratio_ci_low", "odds_ratio_ci_high"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], rtol=3e-2)
    assert (m["n_unknown"] == m["n_unknown_r"]).all()
    np.testing.assert_allclose(m["estimate"], m["uptake_on_agenda"] - m["uptake_new"])
    assert (m["n"] == m["n_on_agenda"] + m["n_new"]).all()
    # the exact limits solve P(X >= x; OR_low) = 0.025 and P(X <= x; OR_high) = 0.025
    for process in m["process_id"]:
        g = result.agenda.query("process_id == @process").set_index("prior_agenda")
        row = result.agenda_test.set_index("process_id").loc[process]
        n_total, n_yes, taken = int(g["n"].sum()), int(g.loc["yes", "n"]), int(g["count"].sum())
        x = int(g.loc["yes", "count"])
        high = stats.nchypergeom_fisher(n_total, n_yes, taken, row["odds_ratio_ci_high"])
        low = stats.nchypergeom_fisher(n_total, n_yes, taken, row["odds_ratio_ci_low"])
        assert high.cdf(x) == pytest.approx(0.025, abs=1e-6)
        assert low.sf(x - 1) == pytest.approx(0.025, abs=1e-6)


def test_across_process_tests_match_r(result) -> None:
    ref = pd.read_csv(REF / "uptake_tests_golden.csv").set_index("test")
    got = result.tests.set_index("test")
    for test in ("chi_square", "log_rank"):
        assert got.loc[test, "statistic"] == pytest.approx(ref.loc[test, "statistic"], abs=1e-6)
        assert got.loc[test, "p_value"] == pytest.approx(ref.loc[test, "p_value"], rel=1e-6)
        assert got.loc[test, "df"] == ref.loc[test, "df"]


def _toy() -> tuple[pd.DataFrame, pd.DataFrame]:
    recs = pd.DataFrame({"process_id": "p", "rec_id": ["r1", "r2", "r3", "r4", "r5"],
                         "title": list("abcde"), "submitted": "2024-01-01",
                         "prior_agenda": ["yes", "no", "unknown", None, "no"]})
    ev = pd.DataFrame({
        "rec_id": ["r1", "r1", "r2", "r2", "r3", "r5"],
        "date": ["2024-02-01", "2024-06-01", "2024-03-01", "2024-03-01", "2025-03-01", "2024-01-01"],
        "response_status": ["accepted_in_principle", "rejected_with_reasons", "acknowledged",
                            "implemented", "implemented", "no_response"],
        "fidelity": [None, None, None, "diluted", "unchanged", None],
    })
    return recs, ev


def test_hand_computed_register() -> None:
    reg = _register(*_toy())
    res = uptake(reg, as_of="2024-12-31", deadline_days=30)
    st = res.status.set_index("rec_id")
    # a later reversal counts; same-date events: the later row wins; future events ignored
    assert st["status"].tolist() == ["rejected_with_reasons", "implemented", "no_response",
                                     "no_response", "no_response"]
    assert st.loc["r5", "responded"] == False  # noqa: E712  an explicit no_response is not a response
    assert st.loc["r2", "days_to_first_response"] == 60
    assert st["within_deadline"].tolist() == [False] * 5
    early = uptake(reg, as_of="2024-01-20", deadline_days=30).indicators.set_index("indicator")
    assert early.loc["answered_within_deadline", "method"].endswith(
        "deadline not yet passed for 5 recommendation(s) (provisional)")
    assert st.loc["r4", "prior_agenda"] == "unknown"  # blank means unknown, stated not dropped
    ind = res.indicators.set_index("indicator")
    assert ind.loc["uptake_rate", "estimate"] == pytest.approx(1 / 5)
    assert ind.loc["fidelity_weighted_uptake", "estimate"] == pytest.approx(0.25 / 5)
    assert ind.loc["rejected_with_reasons", "count"] == 1
    km = res.survival.query("endpoint == 'first_response'")
    assert km["time"].tolist() == [31.0, 60.0]
    at = res.agenda_test.iloc[0]
    assert (at["n_on_agenda"], at["n_new"], at["n_unknown"]) == (1, 2, 2)


def test_fidelity_missing_is_stated() -> None:
    res = uptake(_register(*_toy_no_fid()), as_of="2024-12-31")
    row = res.indicators.set_index("indicator").loc["fidelity_weighted_uptake"]
    assert row["estimate"] == 0.5
    assert row["n"] == 1
    assert "1 taken-up recommendation(s) without a fidelity code" in row["method"]
    r = uptake(ccc_register("government"), as_of="2021-12-31")
    fw = r.indicators.set_index("indicator").loc["fidelity_weighted_uptake"]
    assert np.isnan(fw["estimate"])
    assert fw["method"].startswith("not estimable")


def _toy_no_fid() -> tuple[pd.DataFrame, pd.DataFrame]:
    recs = pd.DataFrame({"process_id": "p", "rec_id": ["r1", "r2"], "title": ["a", "b"],
                         "submitted": "2024-01-01"})
    ev = pd.DataFrame({"rec_id": ["r1", "r2"], "date": ["2024-02-01", "2024-02-01"],
                       "response_status": ["implemented", "accepted_in_principle"],
                       "fidelity": [None, "modified"]})
    return recs, ev


def test_ccc_two_codings_change_the_headline() -> None:
    """Government: 146/149 taken up; press (Reporterre): 70/149, fidelity-weighted 42.5/149."""
    rates = {}
    for coding in ("government", "press"):
        res = uptake(ccc_register(coding), as_of="2021-12-31")
        rates[coding] = res.indicators.set_index("indicator")["estimate"]
    assert rates["government"]["uptake_rate"] == pytest.approx(146 / 149)
    assert rates["government"]["implementation_rate"] == pytest.approx(75 / 149)
    assert rates["press"]["uptake_rate"] == pytest.approx(70 / 149)
    assert rates["press"]["fidelity_weighted_uptake"] == pytest.approx((15 + 55 * 0.5) / 149)
    assert rates["press"]["rejected_without_reasons"] == pytest.approx(79 / 149)


def test_bad_arguments_are_named() -> None:
    reg = _register(*_toy())
    with pytest.raises(AnalysisInputError, match="before process 'p' submitted"):
        uptake(reg, as_of="2023-06-01")
    with pytest.raises(AnalysisInputError, match="no entry for process"):
        uptake(reg, as_of="2024-12-31", deadline_days={"other": 30})
    with pytest.raises(AnalysisInputError, match="as_of must be a date"):
        uptake(reg, as_of="soon")
    with pytest.raises(AnalysisInputError, match="pass a validated Register"):
        uptake(_toy()[0], as_of="2024-12-31")


def test_scheme_must_be_the_registers(tmp_path: Path) -> None:
    reg = _register(*_toy())
    same = uptake(reg, as_of="2024-12-31", scheme=load_scheme())
    assert same.scheme == "uptake 1.0.0"
    other = load_scheme().model_copy(update={"version": "1.1.0"})
    with pytest.raises(AnalysisInputError, match=r"validated against coding scheme uptake 1\.0\.0"):
        uptake(reg, as_of="2024-12-31", scheme=other)


def test_result_tables_and_columns(result) -> None:
    assert isinstance(result, UptakeResult)
    tables = result.tables()
    assert list(tables) == ["status", "indicators", "agenda", "agenda_test", "survival", "medians",
                            "comparison", "tests"]
    assert all(isinstance(t, pd.DataFrame) for t in tables.values())
    assert list(result.agenda_test.columns) == [
        "process_id", "estimate", "ci_low", "ci_high", "confidence_level", "uptake_on_agenda",
        "uptake_new", "odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high", "p_value", "n",
        "n_on_agenda", "n_new", "n_unknown", "method"]
    # every table with an interval states its level; every table of statistics its method
    for name, table in tables.items():
        if "ci_low" in table.columns:
            assert "confidence_level" in table.columns, name
        if name not in ("status", "comparison"):
            assert "method" in table.columns, name
    assert result.medians["method"].str.contains("days").all()


def test_several_coders_need_a_reference() -> None:
    reg = simulate_register("gentofte_ptc", seed=3, n_coders=2)
    with pytest.raises(AnalysisInputError, match="several coders"):
        uptake(reg, as_of="2025-01-01")
    res = uptake(reg, as_of="2025-01-01", coder="coder_2")
    mine = reg.events[(reg.events["coder"] == "coder_2") & (reg.events["date"] <= "2025-01-01")]
    assert res.status["n_events"].sum() == len(mine)


def test_kaplan_meier_hand_example() -> None:
    km = kaplan_meier([5, 8, 8, 12, 20, 30], [1, 1, 0, 1, 0, 1])
    # 5/6, then 5/6*4/5, then *2/3, then *0
    np.testing.assert_allclose(km["survival"], [5 / 6, 4 / 6, 4 / 9, 0.0])
    assert km["n_risk"].tolist() == [6, 5, 3, 1]
    assert kaplan_meier([3, 4], [0, 0]).empty
    assert list(km.columns) == ["time", "n_risk", "n_events", "survival", "se", "ci_low", "ci_high",
                                "cumulative", "confidence_level", "method"]


def test_agenda_rows_name_their_interval_method(result) -> None:
    assert list(result.agenda.columns) == ["process_id", "prior_agenda", "n", "count", "estimate",
                                           "ci_low", "ci_high", "confidence_level", "method"]
    assert set(result.agenda["method"]) == {"Wilson score"}


@pytest.mark.parametrize("level", [0.95, 0.90])
def test_prior_agenda_newcombe_interval_matches_r(golden_register, level) -> None:
    res = uptake(golden_register, as_of=AS_OF, deadline_days=PROCESS_DEADLINES, confidence_level=level)
    ref = pd.read_csv(REF / "uptake_agenda_newcombe_golden.csv").query("confidence_level == @level")
    m = res.agenda_test.merge(ref, on="process_id", suffixes=("", "_r"))
    assert len(m) == 4
    for col in ("estimate", "ci_low", "ci_high", "confidence_level"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], atol=1e-9)
    assert (m["ci_low"] < m["estimate"]).all()
    assert (m["estimate"] < m["ci_high"]).all()
    assert m["method"].str.contains("Newcombe").all()


def test_newcombe_interval_edge_cases() -> None:
    recs, ev = _toy()
    at = uptake(_register(recs, ev), as_of="2024-12-31").agenda_test.iloc[0]
    # on agenda: r1 (rejected) 0/1; new: r2 (implemented), r5 (no response) 1/2
    assert at["estimate"] == pytest.approx(-0.5)
    # Newcombe method 10 by hand from Wilson(0, 1) = (0, 0.7935) and Wilson(1, 2) = (0.0945, 0.9055)
    assert at["ci_low"] == pytest.approx(-0.9054687942657693, abs=1e-12)
    assert at["ci_high"] == pytest.approx(0.39104934410983594, abs=1e-12)
    one_group = uptake(_register(recs.assign(prior_agenda="no"), ev),
                       as_of="2024-12-31").agenda_test.iloc[0]
    assert np.isnan(one_group["ci_low"])
    assert np.isnan(one_group["ci_high"])


@pytest.mark.parametrize("level", [0.95, 0.90])
def test_median_interval_matches_r_print_survfit(golden_register, level) -> None:
    res = uptake(golden_register, as_of=AS_OF, deadline_days=PROCESS_DEADLINES, confidence_level=level)
    ref = pd.read_csv(REF / "uptake_median_ci_golden.csv").query("confidence_level == @level")
    m = res.medians.merge(ref, on=["process_id", "endpoint"], suffixes=("", "_r"))
    assert len(m) == len(ref) == 8
    for col in ("estimate", "ci_low", "ci_high", "confidence_level"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], atol=1e-9)
    assert list(res.medians.columns) == ["process_id", "endpoint", "estimate", "ci_low",
                                         "ci_high", "confidence_level", "n", "n_events", "method"]


def test_median_interval_hand_examples_match_r() -> None:
    from deliberval.analysis.uptake import _km_median

    ref = pd.read_csv(REF / "km_median_examples_golden.csv")
    assert len(ref) == 5
    for row in ref.itertuples():
        time = [float(x) for x in row.time.split()]
        event = [int(x) for x in row.event.split()]
        got = _km_median(kaplan_meier(time, event))
        np.testing.assert_allclose(got, (row.estimate, row.ci_low, row.ci_high), atol=1e-9,
                                   err_msg=row.case)
