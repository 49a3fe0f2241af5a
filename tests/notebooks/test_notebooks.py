"""Execute every notebook in notebooks/ top to bottom; each asserts its own key numbers.

Notebooks are stored without outputs. They run with the ``python3`` kernel of the interpreter
that runs pytest (ipykernel in the project venv), from the notebooks/ folder so that relative
paths to the bundled data work. A failing ``assert`` cell fails the test.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
TIME_LIMIT_S = 120

pytestmark = pytest.mark.slow


def test_the_four_notebooks_are_there() -> None:
    names = {p.stem for p in PATHS}
    assert {
        "academic_climate_assembly",
        "evaluator_wallonia_report",
        "practitioner_comparison",
        "dri_deliberr_forums",
    } <= names


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: clear the outputs"
            assert cell.execution_count is None, f"{path.name}: clear the execution counts"
    assert any("assert " in c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_top_to_bottom(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
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
        client.execute()
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_LIMIT_S, f"{path.name} took {elapsed:.0f} s"
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert errors == []
    # the analysis code raises no unexpected warnings: nothing was written to stderr
    stderr = [
        out.text
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "stream" and out.name == "stderr"
    ]
    assert stderr == [], f"{path.name} wrote to stderr: {stderr}"
