"""The disclosure checker (issue 16): threshold, complement, secondary, linked totals, markers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.datasets import load_example
from deliberval.disclosure import (
    COMPLEMENT,
    PRIMARY,
    SECONDARY,
    TableRule,
    hidden_columns,
    protect,
    protect_indicator_table,
    protect_linked,
    solve_hidden,
)
from deliberval.errors import DataInputError
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.io.config import load_config
from deliberval.report import ReportSettings, build_report, render_html, write_xlsx


# ------------------------------------------------------------------------------- threshold
def test_primary_hides_counts_below_k_and_their_values_but_not_zero():
    t = pd.DataFrame({"role": ["citizen", "politician", "expert"], "n": [11, 4, 0], "mean": [3.2, 4.1, np.nan],
                      "flags": ["", "alpha -2.25 < 0.70", ""]})
    out = protect(t, TableRule(counts=("n",), values=("mean",), text=("flags",)), 5)
    assert out["n"].tolist()[0] == 11
    assert out["n"].isna().tolist() == [False, True, False]
    assert out["n"].tolist()[2] == 0
    assert np.isnan(out.loc[1, "mean"])
    assert out.loc[0, "mean"] == 3.2
    # the text of a hidden row is blanked: flags name its statistics
    assert out.loc[1, "flags"] == ""
    assert out["suppression"].tolist() == ["", PRIMARY, ""]
    assert out["suppressed"].tolist() == [False, True, False]


def test_the_table_counted_is_not_changed():
    t = pd.DataFrame({"g": ["a", "b"], "n": [10, 2]})
    protect(t, TableRule(counts=("n",), groups=()), 5)
    assert t["n"].tolist() == [10, 2]
    assert list(t.columns) == ["g", "n"]


def test_several_count_columns_any_small_hides_the_row():
    t = pd.DataFrame({"outcome": ["x"], "n": [103], "n_participant": [100], "n_control": [3], "estimate": [0.4]})
    out = protect(t, TableRule(counts=("n", "n_participant", "n_control"), values=("estimate",)), 5)
    assert out["suppression"].tolist() == [PRIMARY]
    assert out[["n", "n_participant", "n_control"]].isna().all(axis=None)


def test_a_table_of_documents_is_not_suppressed():
    t = pd.DataFrame({"status": ["implemented"], "count": [2]})
    out = protect(t, TableRule(people=False), 5)
    assert out["count"].tolist() == [2]
    assert out["suppression"].tolist() == [""]


def test_the_threshold_must_be_positive():
    with pytest.raises(DataInputError, match="at least 1"):
        protect(pd.DataFrame({"n": [1]}), TableRule(counts=("n",)), 0)


# ------------------------------------------------------------------------------- complement
@pytest.mark.parametrize(("share", "n", "hidden"), [
    (20 / 22, 22, True),    # 91 % of 22: the 2 who disagreed are singled out
    (1.0, 6, True),         # 100 % of a small committee: every member's answer
    (0.0, 11, True),        # 0 %: the same, the other way round
    (0.5, 20, False),       # 10 and 10
    (5 / 9, 9, True),       # 5 agree, 4 do not
    (3 / 12, 12, True),     # 3 agree
])
def test_the_complement_rule_on_shares(share, n, hidden):
    t = pd.DataFrame({"item": ["x"], "n": [n], "share_agree": [share], "mean": [3.0]})
    out = protect(t, TableRule(counts=("n",), shares={"share_agree": "n"}, values=("mean",)), 5)
    assert bool(out.loc[0, "suppressed"]) is hidden
    if hidden:
        assert pd.isna(out.loc[0, "share_agree"])
        assert pd.isna(out.loc[0, "n"])
        # hidden because the complement is small, the count itself may be large: never "<5"
        expected = PRIMARY if round(share * n) < 5 and round(share * n) > 0 else COMPLEMENT
        assert out.loc[0, "suppression"] == expected


def test_the_complement_rule_can_be_switched_off():
    t = pd.DataFrame({"item": ["x", "y"], "n": [22, 22], "share_agree": [20 / 22, 2 / 22]})
    out = protect(t, TableRule(counts=("n",), shares={"share_agree": "n"}), 5, complement=False)
    assert out["suppression"].tolist() == ["", PRIMARY]


# -------------------------------------------------------------------------------- secondary
def test_secondary_49_beside_1_is_marked_secondary_not_primary():
    t = pd.DataFrame({"gender": ["man", "woman", "other"], "n": [49, 30, 1]})
    out = protect(t, TableRule(counts=("n",), groups=()), 5)
    # the smallest other cell goes: 30 women, marked secondary (it holds 30, not fewer than 5)
    assert out["suppression"].tolist() == ["", SECONDARY, PRIMARY]
    assert out["n"].tolist()[0] == 49


def test_secondary_goes_on_until_no_hidden_cell_is_exact():
    # hiding the 5 alone leaves 1 + 5 = 6 with the 1 in [1, 4] and the 5 in [5, 16]: both exact
    t = pd.DataFrame({"c": ["a", "b", "c"], "n": [10, 5, 1]})
    out = protect(t, TableRule(counts=("n",), groups=()), 5)
    assert out["suppression"].tolist() == [SECONDARY, SECONDARY, PRIMARY]


def test_secondary_runs_per_group():
    t = pd.DataFrame({"dimension": ["g", "g", "g", "a", "a"], "category": ["m", "w", "o", "y", "o"],
                      "n": [49, 30, 1, 40, 40]})
    out = protect(t, TableRule(counts=("n",), groups=("dimension",)), 5)
    assert out["suppression"].tolist() == ["", SECONDARY, PRIMARY, "", ""]


def test_two_primary_cells_whose_sum_pins_both_get_a_secondary():
    # 1 + 1 = 2 hidden of 22: two cells in [1, 4] adding up to 2 are both 1
    t = pd.DataFrame({"c": ["a", "b", "c"], "n": [20, 1, 1]})
    out = protect(t, TableRule(counts=("n",), groups=()), 5)
    assert out["suppression"].tolist() == [SECONDARY, PRIMARY, PRIMARY]


def test_solve_hidden_gives_the_attackers_intervals():
    assert solve_hidden([11, 4], [False, True], [(0, 15), (1, 4)], 15) == [(4.0, 4.0)]
    lo, hi = solve_hidden([49, 30, 1], [False, True, True], [(0, 80), (5, 80), (1, 4)], 80)[1]
    assert (lo, hi) == (1.0, 4.0)


# ----------------------------------------------------------------------- nested and across
def test_a_funnel_hides_small_drops_and_the_ratio_after_a_hidden_row():
    t = pd.DataFrame({"funnel_stage": ["invited", "volunteered", "selected", "attended", "answered"],
                      "n": [300, 300, 11, 9, 9], "retained": [np.nan, 1.0, 11 / 300, 9 / 11, 1.0],
                      "mean_duncan": [0.1, 0.1, 0.2, 0.25, 0.25],
                      "_small": [False, False, True, False, False]})
    rule = TableRule(counts=("n",), shares={"retained": "_previous"}, nested=True,
                     withhold={"_small": ("mean_duncan",)})
    out = protect(t, rule, 5)
    assert "_small" not in out.columns
    # 300 -> 300 (nobody dropped) is published; 11 -> 9 (2 dropped) is hidden
    assert out["suppression"].tolist() == ["", "", "secondary:mean_duncan", COMPLEMENT, "secondary:retained"]
    assert pd.isna(out.loc[3, "n"])
    assert pd.isna(out.loc[4, "retained"])
    assert out.loc[4, "n"] == 9
    assert pd.isna(out.loc[2, "mean_duncan"])
    assert out.loc[2, "n"] == 11
    assert out["suppressed"].tolist() == [False, False, False, True, False]
    assert hidden_columns(out.loc[2, "suppression"], list(out.columns), rule) == ["mean_duncan"]


def test_statistics_across_categories_are_withheld_with_a_hidden_category():
    t = pd.DataFrame({"dimension": ["g", "g", "g"], "category": ["m", "w", "o"], "n": [49, 30, 1],
                      "chisq_p_value": [0.2, 0.2, 0.2]})
    out = protect(t, TableRule(counts=("n",), groups=("dimension",), across=("chisq_p_value",)), 5)
    assert out["chisq_p_value"].isna().all()
    assert out.loc[0, "suppression"] == "secondary:chisq_p_value"


# ---------------------------------------------------------------------------------- linked
def test_linked_totals_hide_the_cheapest_cell_that_protects():
    values = {"file:members": 15, "role:citizen": 11, "role:politician": 4, "fact:citizen": 11,
              "fact:politician": 4}
    relations = [("file:members", ["role:citizen", "role:politician"]),
                 ("file:members", ["fact:citizen", "fact:politician"]),
                 ("fact:politician", ["role:politician"]), ("role:politician", ["fact:politician"])]
    marks = protect_linked(values, {"role:politician": PRIMARY, "fact:politician": PRIMARY}, relations, 5,
                           cost={"file:members": 0})
    assert marks == {"role:politician": PRIMARY, "fact:politician": PRIMARY, "file:members": SECONDARY}


def test_linked_rows_read_valid_quarantined():
    values = {"read": 32, "valid": 30, "quarantined": 2, "file": 32}
    marks = protect_linked(values, {"quarantined": PRIMARY}, [("read", ["valid", "quarantined"]),
                                                              ("file", ["read"]), ("read", ["file"])], 5)
    # hiding "valid" is enough: 32 = valid + q with q in [1, 4] leaves four values each
    assert marks == {"quarantined": PRIMARY, "valid": SECONDARY}


# ------------------------------------------------------------------------------- indicators
def _indicators() -> pd.DataFrame:
    return pd.DataFrame({
        "indicator_id": ["respect", "did_x", "dissimilarity", "uptake_rate", "time_enough"],
        "estimate": [1.0, 0.3, 0.2, 1.0, 0.5], "ci_low": [0.6, 0.1, np.nan, 0.5, 0.3],
        "ci_high": [1.0, 0.5, np.nan, 1.0, 0.7], "n": pd.array([6, pd.NA, 11, 3, 40], dtype="Int64"),
        "unit": ["proportion", "scale_points", "proportion", "proportion", "proportion"],
        "meets_threshold": pd.array([True, pd.NA, True, True, False], dtype="boolean"),
        "status": ["measured", "suppressed", "measured", "measured", "measured"],
        "status_reason": ["", "based on fewer than 5 respondents (disclosure control)", "", "", ""],
        "method": ["responses: dx_respect", "participants against the control group (100 and 3 respondents)",
                   "members against targets", "register", "responses: dx_time_enough"]})


def test_indicator_cards_complement_category_and_method_text():
    t = _indicators()
    out = protect_indicator_table(t, 5, people={"uptake_rate": False}, shares={"respect", "time_enough"},
                                  categorical={"dissimilarity"}).set_index("indicator_id")
    assert out.loc["respect", "status"] == "suppressed"
    assert pd.isna(out.loc["respect", "estimate"])
    assert out.loc["respect", "suppression"] == COMPLEMENT
    # a suppressed DiD keeps no group sizes in its method text
    assert out.loc["did_x", "method"] == ""
    assert "3 respondents" not in " ".join(out["method"])
    assert out.loc["dissimilarity", "status"] == "suppressed"
    assert out.loc["dissimilarity", "status_reason"] == \
        "computed over a category of fewer than 5 people (disclosure control)"
    # recommendations are not people; 20 of 40 is safe on both sides
    assert out.loc["uptake_rate", "status"] == "measured"
    assert out.loc["time_enough", "estimate"] == 0.5
    # the evaluation's own table is left as it is
    assert t.loc[0, "estimate"] == 1.0
    assert t.loc[1, "method"].endswith("3 respondents)")


# ---------------------------------------------------------------------- configuration, report
def _config(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "process.yaml"
    p.write_text("process_id: gentofte_ptc\nexample: gentofte_ptc\n" + body, encoding="utf-8")
    return p


def test_min_cell_size_1_without_disclosure_control_off_is_a_one_line_config_error(tmp_path: Path):
    with pytest.raises(DataInputError) as err:
        load_config(_config(tmp_path, "min_cell_size: 1\n"))
    msg = str(err.value)
    assert "\n" not in msg
    assert "min_cell_size 1 is below 3" in msg
    assert "disclosure_control: off" in msg


def test_disclosure_control_off_allows_it_and_the_report_warns(tmp_path: Path):
    cfg = load_config(_config(tmp_path, "min_cell_size: 2\ndisclosure_control: off\n"))
    assert cfg.min_cell_size == 2
    assert cfg.disclosure_control is False
    assert load_config(_config(tmp_path, "min_cell_size: 3\n")).disclosure_control is True
    ev = evaluate_process(load_example("gentofte_ptc").process_data(), EvaluationSettings.from_config(cfg))
    rep = build_report(ev, ReportSettings.from_config(cfg))
    html = render_html(rep, timestamp="x")
    assert "disclosure control is off (min_cell_size 2)" in html
    # the API refuses the same threshold without the explicit switch
    with pytest.raises(DataInputError, match="disclosure_control: off"):
        build_report(ev, ReportSettings())


def test_the_xlsx_says_why_each_row_is_hidden(tmp_path: Path):
    ev = evaluate_process(load_example("gentofte_ptc").process_data())
    rep = build_report(ev)
    out = write_xlsx(rep.tables(), tmp_path / "r.xlsx", min_cell_size=5)
    sheets = pd.read_excel(out, sheet_name=None)
    assert "secondary" in sheets["README"]["value"].iloc[0]
    for key in ("members_by_role", "psychometrics", "experience", "indicators"):
        assert "suppression" in sheets[key].columns, key
    psy = sheets["psychometrics"]
    hidden = psy.loc[psy["suppression"].astype("string").fillna("").str.startswith(("primary", "complement"))]
    assert hidden["flags"].isna().all()
    # the evaluation itself keeps every number (suppression is of the published copy only)
    assert ev.indicators["method"].astype(str).str.len().gt(0).sum() >= rep.indicators["method"].astype(str) \
        .str.len().gt(0).sum()


def test_the_comparison_presents_the_suppressed_copy():
    from deliberval.indicators.compare import compare_evaluations
    from deliberval.report.compare import build_comparison, render_comparison

    small = evaluate_process(load_example("gentofte_ptc", n_committees=1, n_citizens=11, n_politicians=4,
                                          n_applicants=11).process_data())
    other = evaluate_process(load_example("wallonia_committee").process_data())
    comparison = compare_evaluations([small, other])
    rep = build_comparison(comparison)
    ind = rep.indicators.loc[rep.indicators["process_id"] == "gentofte_ptc"].set_index("indicator_id")
    # 100 % of 6 citizens felt respected: the answer of every one of them; hidden by the complement rule
    raw = comparison.indicators.loc[comparison.indicators["process_id"] == "gentofte_ptc"].set_index("indicator_id")
    assert raw.loc["respect", "status"] == "measured"
    assert ind.loc["respect", "status"] == "suppressed"
    assert ind.loc["respect", "suppression"] == COMPLEMENT
    assert (ind.loc[ind["status"] == "suppressed", "method"] == "").all()
    assert all(t.rule is not None for t in rep.tables())
    # no categories travel with a comparison: statistics over them are withheld, and say why
    duncan = rep.indicators.set_index(["process_id", "indicator_id"]).loc[
        ("wallonia_committee", "representativeness_dissimilarity")]
    assert duncan["status"] == "suppressed"
    assert duncan["status_reason"].startswith("withheld in the comparison")
    assert "suppressed" in render_comparison(rep, timestamp="x")
