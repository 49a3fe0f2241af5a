"""Shared fixtures of the report tests: the demo's example processes, evaluated once per session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def demo_evaluations(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Any]]:
    """``{example: (evaluation, config)}`` of every demo example, built as ``deliberval demo`` builds them."""
    from deliberval.demo import DEMO_EXAMPLES, write_example_data
    from deliberval.indicators import EvaluationSettings, evaluate_process
    from deliberval.io.config import load_config
    from deliberval.validation.process import load_process

    root = Path(tmp_path_factory.mktemp("demo_data"))
    out = {}
    for name in DEMO_EXAMPLES:
        cfg = load_config(write_example_data(name, root / name))
        out[name] = (evaluate_process(load_process(cfg), EvaluationSettings.from_config(cfg)), cfg)
    return out


#: The examples of the shared demo runs (:func:`demo_runs`): two, so that two workers share them.
DEMO_RUN_EXAMPLES = ("ostbelgien_dialogue", "gentofte_ptc")


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two runs of the demo with :data:`DEMO_RUN_EXAMPLES`, 2.1 s apart: ``one`` in this process
    (``workers=1``), then ``fork`` by two forked workers with its progress ``messages``; each
    ``(root, files written)``. Shared by the demo's parallel and reproducibility tests."""
    import time

    import deliberval.demo
    from deliberval.demo import write_demo

    root = Path(tmp_path_factory.mktemp("demo_runs"))
    messages: list[tuple[int, int, str]] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(deliberval.demo, "DEMO_EXAMPLES", DEMO_RUN_EXAMPLES)
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        one = write_demo(root / "one", workers=1)
        time.sleep(2.1)  # past the two-second resolution of zip times and the second of font stamps
        fork = write_demo(root / "fork", workers=2, start_method="fork",
                          progress=lambda done, total, message: messages.append((done, total, message)))
    return {"one": (root / "one", one), "fork": (root / "fork", fork), "messages": messages,
            "examples": DEMO_RUN_EXAMPLES}
