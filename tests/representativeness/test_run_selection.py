"""run_selection: the optional bridge to sortition-algorithms (GPL; the 'selection' extra).

No R package runs these algorithms, so the tests check what every selection must satisfy (each
panel has panel_size members and meets every quota; probabilities lie in [0, 1] and sum to
panel_size; the same seed gives the same panels) and two results that follow from the quotas by
hand (a quota that fixes a category's seats fixes its members' probabilities under maximin and
Nash). The whole module is skipped when the extra is not installed, except the tests of the
error that says how to install it.
"""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
from itertools import product

import pandas as pd
import pytest

from deliberval.errors import AnalysisInputError
from deliberval.selection import SelectionRun, run_selection

# a constructed pool of 40: gender x age cells of fixed sizes (no randomness)
CELLS = {("f", "young"): 6, ("f", "mid"): 7, ("f", "old"): 11, ("m", "young"): 3, ("m", "mid"): 5, ("m", "old"): 8}
POOL = pd.DataFrame(
    [(g, a) for (g, a), k in CELLS.items() for _ in range(k)], columns=["gender", "age_group"]
)
POOL.insert(0, "respondent_id", [f"v{i:02d}" for i in range(1, len(POOL) + 1)])
QUOTAS = pd.DataFrame(
    {
        "dimension": ["gender", "gender", "age_group", "age_group", "age_group"],
        "category": ["f", "m", "young", "mid", "old"],
        "min": [5, 5, 2, 3, 3],
        "max": [5, 5, 3, 4, 4],
    }
)
PANEL = 10


def _has_engine() -> bool:
    try:
        import sortition_algorithms  # noqa: F401
    except ImportError:
        return False
    return True


engine = pytest.mark.skipif(not _has_engine(), reason="the 'selection' extra (sortition-algorithms) is not installed")


@functools.cache
def _run(algorithm: str, seed: int = 11) -> SelectionRun:
    """One run per algorithm and seed on the constructed pool, shared by the tests (the engine
    takes seconds)."""
    return run_selection(POOL, QUOTAS, PANEL, algorithm=algorithm, seed=seed,  # type: ignore[arg-type]
                         runs=60 if algorithm == "legacy" else None)


def _quotas_met(panel: tuple[object, ...]) -> list[str]:
    members = POOL.set_index("respondent_id").loc[list(panel)]
    broken = []
    for row in QUOTAS.itertuples(index=False):
        count = int((members[row.dimension] == row.category).sum())
        if not row.min <= count <= row.max:
            broken.append(f"{row.dimension}={row.category}: {count}")
    return broken


@engine
@pytest.mark.parametrize("algorithm", ["maximin", "nash", "legacy"])
def test_every_panel_meets_the_quotas_and_probabilities_sum_to_the_panel_size(algorithm: str) -> None:
    run = _run(algorithm)
    assert run.algorithm == algorithm
    assert run.panel_size == PANEL
    assert len(run.panels) == (60 if algorithm == "legacy" else len(run.panel_probabilities or ()))
    for panel in run.panels:
        assert len(panel) == PANEL
        assert len(set(panel)) == PANEL
        assert _quotas_met(panel) == []
    probs = run.selection_probabilities()
    assert probs["respondent_id"].tolist() == POOL["respondent_id"].tolist()  # the whole pool, in its order
    assert probs["estimate"].between(0, 1).all()
    assert probs["estimate"].sum() == pytest.approx(PANEL, abs=1e-9)
    if algorithm == "legacy":
        assert run.panel_probabilities is None
        assert (probs["n"] == 60).all()
        assert (probs["se"] > 0).any()
        assert "60 independent runs of the legacy algorithm" in run.method
    else:
        assert run.panel_probabilities is not None
        assert sum(run.panel_probabilities) == pytest.approx(1.0, abs=1e-12)
        assert min(run.panel_probabilities) > 0
        assert (probs["se"] == 0).all()


@engine
@pytest.mark.parametrize("algorithm", ["maximin", "nash", "legacy"])
def test_the_same_seed_gives_the_same_panels(algorithm: str) -> None:
    a = _run(algorithm)
    b = run_selection(POOL, QUOTAS, PANEL, algorithm=algorithm, seed=11,  # type: ignore[arg-type]
                      runs=60 if algorithm == "legacy" else None)
    assert a.panels == b.panels
    assert a.panel_probabilities == b.panel_probabilities
    pd.testing.assert_frame_equal(a.selection_probabilities(), b.selection_probabilities())


@engine
def test_the_seed_leaves_the_random_module_as_it_was() -> None:
    import random

    random.seed(123)
    expected = [random.random() for _ in range(3)]
    random.seed(123)
    run_selection(POOL, QUOTAS, PANEL, algorithm="legacy", seed=5, runs=5)
    assert [random.random() for _ in range(3)] == expected


@engine
def test_fixed_seats_fix_the_probabilities_by_hand() -> None:
    """Gender only: 24 women and 16 men, exactly 5 seats each. Every panel holds 5 of the 24
    women, so their probabilities sum to 5; maximin raises the smallest, which forces each woman
    to 5/24 and leaves each man at least 5/24; Nash (strictly concave in each group) gives 5/24
    and 5/16."""
    quotas = QUOTAS.iloc[:2]
    pool = POOL[["respondent_id", "gender"]]
    women = pool["gender"] == "f"
    maximin = run_selection(pool, quotas, PANEL, algorithm="maximin", seed=3).selection_probabilities()
    assert maximin.loc[women.to_numpy(), "estimate"].to_numpy() == pytest.approx([5 / 24] * 24, abs=1e-9)
    assert maximin.loc[~women.to_numpy(), "estimate"].sum() == pytest.approx(5, abs=1e-9)
    assert maximin.loc[~women.to_numpy(), "estimate"].min() >= 5 / 24 - 1e-9
    nash = run_selection(pool, quotas, PANEL, algorithm="nash", seed=3).selection_probabilities()
    assert nash.loc[women.to_numpy(), "estimate"].to_numpy() == pytest.approx([5 / 24] * 24, abs=1e-4)
    assert nash.loc[~women.to_numpy(), "estimate"].to_numpy() == pytest.approx([5 / 16] * 16, abs=1e-4)


@engine
def test_maximin_raises_the_smallest_probability_at_least_as_high_as_nash() -> None:
    lo = {alg: _run(alg).selection_probabilities()["estimate"].min() for alg in ("maximin", "nash")}
    assert lo["maximin"] >= lo["nash"] - 1e-6
    assert lo["maximin"] > 0


@engine
def test_ids_keep_their_type_and_the_panel_table_is_long() -> None:
    pool = POOL.assign(respondent_id=range(101, 141))
    run = run_selection(pool, QUOTAS, PANEL, seed=4)
    assert all(isinstance(m, int) for panel in run.panels for m in panel)
    table = run.panel_table()
    assert list(table.columns) == ["panel", "respondent_id", "panel_probability", "method"]
    assert len(table) == PANEL * len(run.panels)
    per_panel = table.groupby("panel")["panel_probability"].first()
    assert per_panel.sum() == pytest.approx(1.0, abs=1e-12)
    assert set(run.tables()) == {"panels", "probabilities"}


@engine
def test_numpy_integers_are_whole_numbers() -> None:
    import numpy as np

    run = run_selection(POOL, QUOTAS, np.int64(PANEL), algorithm="legacy", runs=np.int64(3), seed=np.int64(4))
    assert run.panel_size == PANEL
    assert type(run.panel_size) is int
    assert len(run.panels) == 3


@engine
def test_feature_value_quota_columns_of_sortition_algorithms_are_accepted() -> None:
    quotas = QUOTAS.rename(columns={"dimension": "feature", "category": "value"})
    assert run_selection(POOL, quotas, PANEL, seed=11).panels == _run("maximin").panels


@engine
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"algorithm": "random"}, "algorithm must be one of maximin, leximin, nash, legacy"),
        ({"runs": 10}, "runs applies to the legacy algorithm"),
        ({"seed": 0}, "seed must be a positive whole number"),
        ({"panel_size": 0}, "panel_size must be a positive whole number"),
        ({"panel_size": 10.0}, "panel_size must be a positive whole number, got 10.0"),
        ({"algorithm": "legacy", "runs": 0}, "runs must be a positive whole number"),
        ({"panel_size": 41}, "panel_size 41 exceeds the pool (40 people)"),
        ({"panel_size": 20}, "Maximum for feature gender (10) is less than number to select (20)"),
        ({"quotas": QUOTAS.iloc[:4]}, "holds ['old'] with no quota row"),
        ({"quotas": QUOTAS.drop(columns="max")}, "quotas lack the column(s) ['max']"),
        ({"quotas": QUOTAS.assign(min=[5, 5, 2, 3, 6])}, "min 6 exceeds max 4"),
        ({"pool": POOL.drop(columns="age_group")}, "the pool has no column 'age_group'"),
        ({"pool": POOL.assign(respondent_id="same")}, "the pool's ids are not unique"),
    ],
)
def test_bad_input_is_one_clear_error(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"pool": POOL, "quotas": QUOTAS, "panel_size": PANEL}
    args.update(kwargs)
    with pytest.raises(AnalysisInputError) as info:
        run_selection(**args)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@engine
def test_quotas_no_panel_can_meet_are_one_line_with_the_suggested_relaxation() -> None:
    # 9 young people (6 women, 3 men) but 5 seats per gender: at most 8 young on a panel
    quotas = QUOTAS.assign(min=[5, 5, 9, 0, 0], max=[5, 5, 9, 1, 1])
    with pytest.raises(AnalysisInputError) as info:
        run_selection(POOL, quotas, PANEL, seed=1)
    text = str(info.value)
    assert text.startswith("sortition-algorithms (maximin): ")
    assert "not possible to hit all the targets" in text
    assert "\n" not in text


@engine
@pytest.mark.skipif(
    importlib.util.find_spec("gurobipy") is not None,
    reason="Gurobi is installed: leximin runs",
)
def test_leximin_without_gurobi_says_what_to_use_instead() -> None:
    with pytest.raises(AnalysisInputError, match=r"leximin algorithm needs the Gurobi solver .* use algorithm 'maximin' or 'nash'"):
        run_selection(POOL, QUOTAS, PANEL, algorithm="leximin")


def test_without_the_extra_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sortition_algorithms", None)  # import now raises ImportError
    with pytest.raises(AnalysisInputError, match=r"pip install 'deliberval\[selection\]'"):
        run_selection(POOL, QUOTAS, PANEL)


def test_input_errors_come_before_the_engine_is_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sortition_algorithms", None)
    with pytest.raises(AnalysisInputError, match="holds \\['old'\\] with no quota row"):
        run_selection(POOL, QUOTAS.iloc[:4], PANEL)


def test_importing_deliberval_never_loads_the_gpl_engine() -> None:
    code = (
        "import sys, deliberval, deliberval.selection, deliberval.analysis.fairness\n"
        "print('sortition_algorithms' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "False"


def test_the_constructed_pool_is_what_the_tests_assume() -> None:
    assert len(POOL) == 40
    assert sorted(product(["f", "m"], ["young", "mid", "old"])) == sorted(CELLS)
    assert (POOL["gender"] == "f").sum() == 24
