"""Execute every notebook in notebooks/ top to bottom and check its results from outside.

Notebooks are stored without outputs and without checks: they are for reading. This test runs
each one with the ``python3`` kernel of the interpreter that runs pytest (ipykernel in the project
venv), from the notebooks/ folder so that relative paths to the bundled data work, with the
checks below inserted in memory right after the cell they check (as Meta's balance tests its
tutorials from outside). It then asserts on the outputs: no error, nothing on stderr, every
figure shown as an image (never as ``<Figure size ...>``), files written to notebooks/output/.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
TIME_LIMIT_S = 120
CHECK_TAG = "deliberval-test-check"

pytestmark = pytest.mark.slow

# notebook -> [(first line of the cell a check follows, the check's code)], in notebook order
CHECKS: dict[str, list[tuple[str, str]]] = {
    'academic_climate_assembly': [
        ('responses = example.responses',
         """counts = responses.groupby(["group", "wave"]).size()
assert counts[("participant", "pre")] == 100
assert counts[("participant", "post")] == 85
assert counts[("control", "pre")] == 630
assert counts[("control", "post")] == 500
assert counts[("population", "pre")] == 1000\n"""),
        ('citizens = responses.loc[responses["group"].isin(["participant", "control"])]',
         """rep = report.set_index(["scale", "wave"])
assert abs(rep.loc[("trust_political_institutions", "pre"), "alpha"] - 0.8758) < 1e-3
assert abs(rep.loc[("external_efficacy", "pre"), "alpha"] - 0.7753) < 1e-3
assert abs(rep.loc[("internal_efficacy", "post"), "alpha"] - 0.7961) < 1e-3
# every scale that was asked of these respondents is reliable (alpha > .70)
for scale in ["trust_political_institutions", "internal_efficacy", "external_efficacy"]:
    for wave in ["pre", "post"]:
        assert rep.loc[(scale, wave), "alpha"] > 0.70
        assert rep.loc[(scale, wave), "status"] == "ok"
# deliberative_quality is asked only after deliberation, hybrid_openness only of politicians
assert rep.loc[("deliberative_quality", "pre"), "status"] == "not_estimated"
assert rep.loc[("hybrid_openness", "pre"), "status"] == "not_estimated"\n"""),
        ('scored = deliberval.score(responses, questionnaire)',
         """alpha = rel.set_index(["statistic", "method"]).loc[("cronbach_alpha", "feldt")]
assert alpha["n"] == 685
assert abs(alpha["estimate"] - 0.7753) < 1e-3
assert abs(alpha["ci_low"] - 0.7445) < 1e-3
assert abs(alpha["ci_high"] - 0.8029) < 1e-3\n"""),
        ('trust_items = ["trust_parliament", "trust_politicians", "trust_parties",',
         """assert inv_trust["verdict"].iloc[-1].startswith("scalar invariance holds")
assert abs(inv_trust["cfi"].iloc[0] - 0.9994) < 1e-3
assert list(inv_trust["df"]) == [10, 14, 18]
assert inv_external["verdict"].iloc[1].startswith("metric invariance holds")
assert inv_external["verdict"].iloc[2].startswith("scalar invariance holds")
assert abs(inv_external["delta_cfi"].iloc[2] - -0.00299) < 1e-4\n"""),
        ('scores = scored.data',
         """truth = example.truth["expected_change"].set_index(["group", "scale"])["expected_change"]
ch = change.set_index(["group", "outcome"])
for group in ["participant", "control"]:
    for scale in outcomes:
        lo, hi = ch.loc[(group, scale), ["ci_low", "ci_high"]]
        assert lo <= truth[(group, scale)] <= hi, (group, scale)
assert abs(ch.loc[("participant", "external_efficacy"), "estimate"] - 0.3611) < 1e-3
assert ch.loc[("participant", "external_efficacy"), "n"] == 84
assert ch.loc[("participant", "external_efficacy"), "holm_p_value"] < 0.001
assert ch.loc[("control", "external_efficacy"), "p_value"] > 0.05
assert ch.loc[("participant", "trust_political_institutions"), "p_value"] > 0.05\n"""),
        ('members = scores.loc[scores["group"] == "participant"]',
         """d = drop.set_index("variable")
assert d.loc["internal_efficacy", "n"] == 100
assert d.loc["internal_efficacy", "n_completers"] + d.loc["internal_efficacy", "n_dropouts"] == 100
assert d.loc["internal_efficacy", "n_dropouts"] == 15\n"""),
        ('true_effect = truth[("participant", "external_efficacy")] - truth[("control", "external_efficacy")]',
         """true_effect = truth[("participant", "external_efficacy")] - truth[("control", "external_efficacy")]
eff = effect.set_index("model")
for model in ["pooled_ols", "individual_fe"]:
    assert eff.loc[model, "ci_low"] <= true_effect <= eff.loc[model, "ci_high"], model
assert abs(eff.loc["pooled_ols", "estimate"] - 0.3559) < 1e-3
assert abs(eff.loc["individual_fe", "estimate"] - 0.3959) < 1e-3
assert eff.loc["baseline_difference", "p_value"] > 0.05  # drawn by lot from the same volunteers
print(f"true effect {true_effect:.3f}; fixed-effects estimate {eff.loc['individual_fe', 'estimate']:.3f}")\n"""),
        ('baseline = scores.loc[(scores["wave"] == "pre") & (scores["group"] == "participant")]',
         """s = sel.set_index("variable")
gap = example.truth["baseline_gap_trust_political_institutions"]
assert s.loc["trust_political_institutions", "ci_low"] <= gap <= s.loc["trust_political_institutions", "ci_high"]
assert s.loc["trust_political_institutions", "ci_low"] > 0          # members trust more
assert abs(s.loc["trust_political_institutions", "estimate"] - 0.8795) < 1e-3\n"""),
        ('bench = example.benchmarks.set_index("variable")',
         """assert published["ci_low"].iloc[0] > 0\n"""),
    ],
    'dri_deliberr_forums': [
        ('design = forums.groupby("case").agg(study=("study", "first"), participants=("pnum", "nunique"),',
         """design = forums.groupby("case").agg(study=("study", "first"), participants=("pnum", "nunique"),
                                    stages=("stage_id", "nunique"))
assert len(design) == 24
assert (design["stages"] == 2).all()
assert len(forums) == 1052
design.sort_values("participants").tail()\n"""),
        ('group = deliberval.dri(forums, by=["case", "stage_id"])',
         """reference = pd.read_csv(Path("..") / "tests" / "reference" / "dri" / "dri_forums.csv")
reference = reference.loc[~reference["adjusted"]]
merged = group.merge(reference, on=["case", "stage_id"], suffixes=("", "_r"))
assert len(merged) == 48
assert (merged["estimate"] - merged["estimate_r"]).abs().max() < 1e-12
assert (merged["n"] == merged["n_r"]).all()
act = group.set_index(["case", "stage_id"])["estimate"]
assert abs(act[("Activate", 1)] - 0.392723) < 1e-6
assert abs(act[("Activate", 2)] - 0.634982) < 1e-6\n"""),
        ('ref_change = pd.read_csv(Path("..") / "tests" / "reference" / "dri" / "dri_change.csv")',
         """ref_change = pd.read_csv(Path("..") / "tests" / "reference" / "dri" / "dri_change.csv")
ref_change = ref_change.loc[~ref_change["adjusted"]].set_index("case")
c = change.set_index("case")
assert (c["estimate"] - ref_change.loc[c.index, "estimate"]).abs().max() < 1e-12
assert ((c["p_value"] / ref_change.loc[c.index, "p_value"]) - 1).abs().max() < 1e-8
n_up = int((c["estimate"] > 0).sum())
n_sig = int((c["p_value"] < 0.05).sum())
print(f"DRI higher after deliberation in {n_up} of 24 forums; significant (one-sided, 5 %) in {n_sig}")
assert n_up == 18
assert n_sig == 14\n"""),
        ('p = perm.set_index(["case", "stage_id"])',
         """p = perm.set_index(["case", "stage_id"])
assert len(p) == 48
assert (p["n_resamples"] == 1000).all()
# random assignment does not give a DRI of zero: the null means are positive
assert (p["null_mean"] > 0).sum() >= 40
assert p["null_mean"].median() > 0.2
assert abs(p.loc[("Activate", 2), "estimate"] - 0.634982) < 1e-6
assert p.loc[("Activate", 2), "p_value"] < 0.01
beats_null = p["p_value"].lt(0.05).groupby(level="stage_id").sum()
print("forums whose DRI exceeds its permutation null (p < .05), by stage:", beats_null.to_dict())
# Monte Carlo p-values near 0.05 may move with the seed; the counts stay near half the forums
assert 10 <= beats_null[1] <= 15
assert 10 <= beats_null[2] <= 15\n"""),
        ('n_gain = int((excess["change"] > 0).sum())',
         """n_gain = int((excess["change"] > 0).sum())
print(f"excess over the null grows in {n_gain} of 24 forums (raw DRI grows in {n_up})")
assert 11 <= n_gain <= 15
assert n_gain < n_up\n"""),
    ],
    'evaluator_wallonia_report': [
        ('counts = ex.responses.groupby(["role", "wave"]).size().unstack()',
         """counts = ex.responses.groupby(["role", "wave"]).size().unstack()
assert counts.loc["citizen", "pre"] == 30
assert counts.loc["politician", "pre"] == 10
assert len(ex.recommendations) == 20
counts\n"""),
        ('catalogue = deliberval.load_catalogue()',
         """assert len(cat) >= 25  # the catalogue grows; the three OECD stages stay
assert set(cat["oecd_stage"]) == {"design_integrity", "deliberative_experience", "pathways_to_impact"}\n"""),
        ("data = ex.process_data()       # the participants' questionnaire and every table, validated once",
         """ind = table.set_index("indicator_id")
assert abs(ind.loc["representativeness_dissimilarity", "estimate"] - 0.1208) < 1e-3
assert abs(ind.loc["retention_rate", "estimate"] - 28 / 30) < 1e-9
assert abs(ind.loc["deliberative_quality_scale", "estimate"] - 3.7922) < 1e-3
assert ind.loc["deliberative_quality_scale", "n"] == 28
assert abs(ind.loc["uptake_rate", "estimate"] - 0.25) < 1e-9
assert ind.loc["uptake_rate", "n"] == 20
assert (table["status"] != "measured").sum() == (table["status"] == "not_measured").sum()\n"""),
        ('table.loc[table["status"] != "measured", ["indicator_id", "status", "status_reason"]]',
         """not_measured = set(table.loc[table["status"] == "not_measured", "indicator_id"])
assert {"did_external_efficacy", "did_institutional_trust", "member_privacy"} <= not_measured
assert "response_within_deadline" not in not_measured     # measured once a deadline is given\n"""),
        ('flagged = table.loc[table["meets_threshold"].eq(False),',
         """assert {"representativeness_dissimilarity", "time_enough", "evidence_balanced"} <= set(flagged["indicator_id"])
assert ind.loc["time_enough", "estimate"] < 0.5          # fewer than half had enough time\n"""),
        ('strict = deliberval.evaluate_process(data, dataclasses.replace(settings, min_cell_size=10)).indicators',
         """s = strict.set_index("indicator_id")
assert ind.loc["change_hybrid_openness", "status"] == "measured"
assert ind.loc["change_hybrid_openness", "n"] == 7
assert s.loc["change_hybrid_openness", "status"] == "suppressed"
assert pd.isna(s.loc["change_hybrid_openness", "estimate"])
assert s.loc["uptake_rate", "status"] == "measured"     # about recommendations, not people\n"""),
        ('report = build_report(evaluation, ReportSettings(language="en"))',
         """keys = [s.key for s in report.sections]
assert keys[:2] == ["about", "participation"]
assert {"experience", "change", "uptake", "psychometrics", "data_quality"} <= set(keys)
assert report.synthetic
# the report presents the indicators computed above ...
rep_ind = report.indicators.set_index("indicator_id")
for key in ["deliberative_quality_scale", "uptake_rate", "change_hybrid_openness", "response_within_deadline"]:
    assert abs(rep_ind.loc[key, "estimate"] - ind.loc[key, "estimate"]) < 1e-9, key
# ... except what disclosure control withholds: Duncan's index is computed over a demographic
# category of fewer than 5 members, from which the category's size could be worked out
assert rep_ind.loc["representativeness_dissimilarity", "status"] == "suppressed"
assert "category of fewer than 5" in rep_ind.loc["representativeness_dissimilarity", "status_reason"]\n"""),
        ('out = Path("output")  # notebooks/output/ (not under version control)',
         """assert "SYNTHETIC" in text.upper()
assert "http://" not in text.replace("http://www.w3.org", "")    # nothing loaded from the web
assert xlsx.stat().st_size > 0\n"""),
    ],
    'practitioner_comparison': [
        ('rep_rows, rep_results = [], {}',
         """r = representation.set_index("process_id")
assert list(r["n_citizens"]) == [30, 30, 100]
assert abs(r.loc["gentofte_ptc", "mean_duncan"] - 0.0878) < 1e-3
assert abs(r.loc["wallonia_committee", "mean_duncan"] - 0.1208) < 1e-3
assert abs(r.loc["climate_assembly", "mean_duncan"] - 0.0575) < 1e-3
# the stratified lottery of 100 is closest to its targets
assert r["mean_duncan"].idxmin() == "climate_assembly"\n"""),
        ('questionnaire = library.load_questionnaire("participant_standard")',
         """e = experience.set_index("process_id")
assert list(e["n"]) == [22, 28, 85]
assert abs(e.loc["gentofte_ptc", "estimate"] - 4.0073) < 1e-3
assert abs(e.loc["wallonia_committee", "estimate"] - 3.7922) < 1e-3
assert abs(e.loc["climate_assembly", "estimate"] - 3.9170) < 1e-3
assert (e["ci_low"] > 3.5).all()      # on average members agree that deliberation was good\n"""),
        ('mixed = deliberval.compare_processes(post, "deliberative_quality")',
         """assert mixed.n_processes == 3
assert mixed.n == 135
assert mixed.icc < 0.01\n"""),
        ('trust = deliberval.prepost(citizens, "trust_political_institutions", by="process_id")',
         """t = trust.set_index("process_id")
assert abs(t.loc["gentofte_ptc", "estimate"] - 0.4182) < 1e-3
assert abs(t.loc["climate_assembly", "estimate"] - 0.0039) < 1e-3
# no process shows a change in trust distinguishable from zero
assert (t.loc[names, "ci_low"] < 0).all()
assert (t.loc[names, "ci_high"] > 0).all()\n"""),
        ('recommendations = pd.concat([ex.recommendations for ex in examples.values()], ignore_index=True)',
         """recommendations = pd.concat([ex.recommendations for ex in examples.values()], ignore_index=True)
events = pd.concat([ex.response_events for ex in examples.values()], ignore_index=True)
checked = validate_register(recommendations, events)  # quarantines bad rows, raises nothing
assert checked.all_valid
up = deliberval.uptake(checked.register, as_of="2025-12-31")
ind = up.indicators
ind.loc[ind["indicator"].isin(["uptake_rate", "implementation_rate"]),
        ["process_id", "indicator", "estimate", "ci_low", "ci_high", "n", "count"]]\n"""),
        ('up.tests[["test", "outcome", "statistic", "df", "p_value"]]',
         """rate = ind.loc[ind["indicator"] == "uptake_rate"].set_index("process_id")
assert list(rate.loc[names, "n"]) == [12, 20, 81]
assert abs(rate.loc["gentofte_ptc", "estimate"] - 0.75) < 1e-9
assert abs(rate.loc["wallonia_committee", "estimate"] - 0.25) < 1e-9
assert abs(rate.loc["climate_assembly", "estimate"] - 28 / 81) < 1e-9
tests = up.tests.set_index("test")
assert tests.loc["chi_square", "p_value"] < 0.05
med = up.medians.set_index(["process_id", "endpoint"])["estimate"]
assert med[("gentofte_ptc", "first_response")] == 38.5\n"""),
        ('summary = (',
         """assert summary.shape == (3, 6)
assert summary["uptake_rate"].idxmax() == "gentofte_ptc"\n"""),
    ],
}

#: Notebooks that draw figures, and how many images each shows at least.
FIGURES = {
    "academic_climate_assembly": 1,
    "dri_deliberr_forums": 1,
    "evaluator_wallonia_report": 1,
    "practitioner_comparison": 1,
}


def _first_line(cell: Any) -> str:
    return str(cell.source).strip().split("\n")[0]


def _with_checks(nb: Any, stem: str) -> Any:
    """The notebook with its checks inserted after the cells they follow (in memory only)."""
    cells = list(nb.cells)
    for anchor, code in reversed(CHECKS.get(stem, [])):
        where = [i for i, c in enumerate(cells) if c.cell_type == "code" and _first_line(c) == anchor]
        assert len(where) == 1, f"{stem}: the check after {anchor!r} finds {len(where)} cells"
        check = nbformat.v4.new_code_cell(code, metadata={"tags": [CHECK_TAG]})
        cells.insert(where[0] + 1, check)
    nb.cells = cells
    return nb


def test_the_four_notebooks_are_there() -> None:
    names = {p.stem for p in PATHS}
    assert {
        "academic_climate_assembly",
        "evaluator_wallonia_report",
        "practitioner_comparison",
        "dri_deliberr_forums",
    } <= names
    assert set(CHECKS) == names


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_stored_for_reading(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: clear the outputs"
            assert cell.execution_count is None, f"{path.name}: clear the execution counts"
            # checks live in this test, not in the narrative
            assert not any(line.lstrip().startswith("assert ") for line in cell.source.split("\n")), (
                f"{path.name}: move the assert to CHECKS in {Path(__file__).name}")
            assert "tempfile" not in cell.source, f"{path.name}: write into notebooks/output/"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_top_to_bottom(path: Path) -> None:
    nb = _with_checks(nbformat.read(path, as_version=4), path.stem)
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=TIME_LIMIT_S,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        # jupyter_client / zmq internals emit deprecation and resource warnings of their own
        warnings.simplefilter("ignore")
        try:
            client.execute()
        except nbclient.exceptions.CellExecutionError as exc:
            pytest.fail(f"{path.name}: {str(exc)[-2000:]}")
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_LIMIT_S, f"{path.name} took {elapsed:.0f} s"
    code = [c for c in nb.cells if c.cell_type == "code"]
    checks = [c for c in code if CHECK_TAG in c.metadata.get("tags", [])]
    assert len(checks) == len(CHECKS[path.stem])
    outputs = [out for c in code for out in c.outputs]
    assert [out for out in outputs if out.output_type == "error"] == []
    # the analysis code raises no unexpected warnings: nothing was written to stderr
    stderr = [out.text for out in outputs if out.output_type == "stream" and out.name == "stderr"]
    assert stderr == [], f"{path.name} wrote to stderr: {stderr}"
    # figures display inline as images, never as their repr
    shown = [out for c in code if CHECK_TAG not in c.metadata.get("tags", []) for out in c.outputs]
    texts = [str(out.get("data", {}).get("text/plain", "")) + str(out.get("text", "")) for out in shown]
    assert not [t for t in texts if "<Figure size" in t], f"{path.name}: a figure printed as text"
    images = [out for out in shown if "image/png" in out.get("data", {})]
    assert len(images) >= FIGURES[path.stem], f"{path.name}: {len(images)} figure(s) shown"
    if path.stem == "evaluator_wallonia_report":
        written = NOTEBOOKS / "output"
        assert (written / "wallonia_committee.html").is_file()
        assert (written / "wallonia_committee.xlsx").is_file()
