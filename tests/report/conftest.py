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
