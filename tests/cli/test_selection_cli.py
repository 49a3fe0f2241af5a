"""``deliberval selection``: probabilities and fairness from a panels file or from running the extra.

From a panels file the per-person table must equal R's (tests/reference/representativeness,
generate_selection.R: a distribution over panels, and 400 Monte Carlo runs with prop.test
intervals) and the Python functions' tables; from the optional sortition-algorithms extra it must
equal :func:`deliberval.selection.run_selection`'s probabilities, and the panels it writes must
read back to the same table. Bad input is one line, exit 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.cli import app
from support.cli import fails

REF = Path(__file__).resolve().parents[1] / "reference" / "representativeness"
runner = CliRunner()


def _json(*args: object) -> dict[str, list[dict[str, object]]]:
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    doc: dict[str, list[dict[str, object]]] = json.loads(res.stdout)
    return doc


@pytest.fixture
def pool8(tmp_path: Path) -> Path:
    path = tmp_path / "pool.csv"
    pd.DataFrame({"respondent_id": [f"p{i:02d}" for i in range(1, 9)]}).to_csv(path, index=False)
    return path


def test_distribution_file_equals_r_and_the_functions(tmp_path: Path, pool8: Path) -> None:
    from deliberval.analysis.fairness import selection_fairness

    out = tmp_path / "probs.csv"
    res = runner.invoke(app, ["selection", str(REF / "selection_panels.csv"), "--probability", "probability",
                              "--pool", str(pool8), "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out)
    ref = pd.read_csv(REF / "selection_expected.csv")
    ref = ref.loc[ref["source"] == "distribution"]
    assert got["respondent_id"].tolist() == ref["respondent_id"].tolist()
    for col in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(got[col], ref[col], rtol=0, atol=1e-12, err_msg=col)
    assert got["count"].tolist() == ref["count"].tolist()
    assert "from 0.0000 to 0.6000; they sum to 3.0000" in res.output
    doc = _json("selection", REF / "selection_panels.csv", "--probability", "probability", "--pool", pool8, "--json")
    fair = pd.DataFrame(doc["fairness"])
    api = selection_fairness(got["estimate"])
    np.testing.assert_allclose(fair["estimate"], api["estimate"], rtol=1e-15)
    assert fair.set_index("statistic").loc["min_probability", "estimate"] == 0.0  # p08 is on no panel


def test_runs_file_is_monte_carlo_and_equals_r() -> None:
    doc = _json("selection", REF / "selection_runs.csv", "--panel", "run", "--json")
    got = pd.DataFrame(doc["probabilities"]).sort_values("respondent_id", ignore_index=True)
    ref = pd.read_csv(REF / "selection_expected.csv")
    ref = ref.loc[ref["source"] == "runs"].reset_index(drop=True)
    assert got["respondent_id"].tolist() == ref["respondent_id"].tolist()
    for col in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(got[col], ref[col], rtol=0, atol=1e-9, err_msg=col)
    assert (got["n"] == 400).all()
    res = runner.invoke(app, ["selection", str(REF / "selection_runs.csv"), "--panel", "run"])
    assert "no panel_probability column: each of the 400 panels counts as one selection run" in res.output


def test_threshold_reaches_share_below() -> None:
    doc = _json("selection", REF / "selection_runs.csv", "--panel", "run", "--threshold", "0.3", "--json")
    fair = pd.DataFrame(doc["fairness"]).set_index("statistic")
    probs = pd.DataFrame(doc["probabilities"])["estimate"]
    assert fair.loc["share_below", "threshold"] == 0.3
    assert fair.loc["share_below", "estimate"] == pytest.approx(float((probs < 0.3 * (1 - 1e-9)).mean()))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give a panels file, or --pool, --quotas and --panel-size"),
        (["{panels}", "--quotas", "{panels}"], "give either a panels file or --quotas"),
        (["--quotas", "{panels}"], "running a selection algorithm needs --pool, --quotas and --panel-size"),
        (["{panels}", "--seed", "3"], "--seed apply when running a selection algorithm"),
        (["{panels}", "--algorithm", "nash"], "--algorithm apply when running a selection algorithm"),
        (["{runs}"], "selection_runs.csv: no column 'panel'; a panels file has one row per panel x member"),
        (["{panels}", "--probability", "respondent_id", "--panel", "panel"], "respondent_id must hold numbers"),
        (["{panels}", "--probability", "probability", "--pool", "{api}"],
         "apistrat.csv: no id column 'respondent_id'; name it with --respondent"),
    ],
)
def test_bad_input_is_one_line(args: list[str], message: str) -> None:
    panels = REF / "selection_panels.csv"
    filled = [a.replace("{panels}", str(panels)).replace("{api}", str(REF / "apistrat.csv"))
              .replace("{runs}", str(REF / "selection_runs.csv")) for a in args]
    assert message in fails("selection", *filled)


def test_a_member_outside_the_pool_is_one_line(tmp_path: Path) -> None:
    pool = tmp_path / "pool.csv"
    pd.DataFrame({"respondent_id": ["p01", "p02"]}).to_csv(pool, index=False)
    line = fails("selection", REF / "selection_panels.csv", "--probability", "probability", "--pool", pool)
    assert "selection_panels.csv: panel member(s)" in line
    assert "are not in pool (2 members)" in line


# --------------------------------------------------------------------------- running the extra


@pytest.fixture
def pool_and_quotas(tmp_path: Path) -> tuple[Path, Path]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "representativeness"))
    try:
        from test_run_selection import POOL, QUOTAS
    finally:
        sys.path.pop(0)
    pool, quotas = tmp_path / "pool.csv", tmp_path / "quotas.csv"
    POOL.to_csv(pool, index=False)
    QUOTAS.to_csv(quotas, index=False)
    return pool, quotas


def test_running_the_extra_equals_run_selection_and_reads_back(tmp_path: Path, pool_and_quotas: tuple[Path, Path]) -> None:
    pytest.importorskip("sortition_algorithms")
    from deliberval.selection import run_selection

    pool, quotas = pool_and_quotas
    out, panels = tmp_path / "probs.csv", tmp_path / "panels.csv"
    res = runner.invoke(app, ["selection", "--pool", str(pool), "--quotas", str(quotas), "--panel-size", "10",
                              "--algorithm", "legacy", "--runs", "40", "--seed", "8", "-o", str(out),
                              "--panels-output", str(panels)])
    assert res.exit_code == 0, res.output
    assert "they sum to 10.0000" in res.output
    got = pd.read_csv(out)
    api = run_selection(pd.read_csv(pool, dtype=str), pd.read_csv(quotas), 10, algorithm="legacy", runs=40,
                        seed=8).selection_probabilities()
    pd.testing.assert_frame_equal(got, api, check_dtype=False, rtol=0)
    again = tmp_path / "again.csv"
    res = runner.invoke(app, ["selection", str(panels), "--pool", str(pool), "-o", str(again)])
    assert res.exit_code == 0, res.output
    pd.testing.assert_frame_equal(pd.read_csv(again), got, rtol=0)


def test_running_maximin_writes_a_distribution_that_reads_back(tmp_path: Path, pool_and_quotas: tuple[Path, Path]) -> None:
    pytest.importorskip("sortition_algorithms")
    pool, quotas = pool_and_quotas
    panels = tmp_path / "panels.csv"
    first = _json("selection", "--pool", pool, "--quotas", quotas, "--panel-size", 10, "--seed", 2,
                  "--panels-output", panels, "--json")
    written = pd.read_csv(panels)
    assert list(written.columns) == ["panel", "respondent_id", "panel_probability", "method"]
    assert written.groupby("panel")["panel_probability"].first().sum() == pytest.approx(1.0, abs=1e-12)
    again = _json("selection", panels, "--pool", pool, "--json")
    np.testing.assert_allclose(pd.DataFrame(again["probabilities"])["estimate"],
                               pd.DataFrame(first["probabilities"])["estimate"], rtol=0, atol=1e-12)
    assert pd.DataFrame(first["probabilities"])["estimate"].sum() == pytest.approx(10, abs=1e-9)


def test_running_without_the_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, pool_and_quotas: tuple[Path, Path]
) -> None:
    monkeypatch.setitem(sys.modules, "sortition_algorithms", None)
    pool, quotas = pool_and_quotas
    line = fails("selection", "--pool", pool, "--quotas", quotas, "--panel-size", 10)
    assert "pip install 'deliberval[selection]'" in line


def test_infeasible_quotas_are_one_line(tmp_path: Path, pool_and_quotas: tuple[Path, Path]) -> None:
    pytest.importorskip("sortition_algorithms")
    pool, quotas = pool_and_quotas
    table = pd.read_csv(quotas)
    table["min"], table["max"] = [5, 5, 9, 0, 0], [5, 5, 9, 1, 1]
    bad = tmp_path / "bad_quotas.csv"
    table.to_csv(bad, index=False)
    line = fails("selection", "--pool", pool, "--quotas", bad, "--panel-size", 10, "--seed", 1)
    assert "pool.csv: sortition-algorithms (maximin): It is not possible to hit all the targets" in line
