"""One report build reads each input file once, validates and scores once, runs each analysis once.

Counted, not timed: the analysis functions, ``score`` and the validators are wrapped to record
their calls during ``load_process`` -> ``evaluate_process`` -> ``build_report`` -> ``render_html``
of a real report (the climate_assembly example written to files), and an audit hook records
every file the process opens.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from deliberval.demo import write_example_data
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.io.config import load_config
from deliberval.report import ReportSettings, build_report, render_html
from deliberval.validation.process import load_process

#: (module, function name) wrapped and counted
COUNTED = [
    ("deliberval.analysis.change", "prepost"),
    ("deliberval.analysis.change", "group_means"),
    ("deliberval.analysis.change", "likert_shares"),
    ("deliberval.analysis.did", "did"),
    ("deliberval.analysis.event_study", "event_study"),
    ("deliberval.analysis.propensity", "propensity_weights"),
    ("deliberval.analysis.funnel", "funnel"),
    ("deliberval.analysis.funnel", "r_indicator"),
    ("deliberval.analysis.representativeness", "representativeness"),
    ("deliberval.analysis.uptake", "uptake"),
    ("deliberval.indicators.scales", "scale_diagnostics"),
    ("deliberval.scoring", "score"),
    ("deliberval.validation.process", "validate"),
    ("deliberval.validation.process", "validate_members"),
    ("deliberval.validation.process", "validate_targets"),
    ("deliberval.validation.process", "validate_process"),
]

_OPENED: list[str] = []
_WATCH: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _WATCH and isinstance(args[0], (str, Path)):
        path = str(args[0])
        if path.startswith(_WATCH[0]):
            _OPENED.append(path)


sys.addaudithook(_audit)  # audit hooks cannot be removed; it records only while _WATCH is set


def _key(value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        h = hashlib.sha256(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
        h.update(repr(list(value.columns)).encode())
        return f"DataFrame:{h.hexdigest()}"
    if isinstance(value, pd.Series):
        return f"Series:{hashlib.sha256(pd.util.hash_pandas_object(value).to_numpy().tobytes()).hexdigest()}"
    if isinstance(value, (list, tuple)):
        return repr([_key(v) for v in value])
    return repr(value)


@pytest.mark.slow
def test_one_report_build_does_everything_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    cfg = load_config(write_example_data("climate_assembly", tmp_path / "data"))
    calls: Counter[str] = Counter()
    by_name: Counter[str] = Counter()

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            calls[name + _key(args) + _key(sorted(kwargs.items()))] += 1
            by_name[name] += 1
            return fn(*args, **kwargs)
        return counted

    for module, name in COUNTED:
        mod = importlib.import_module(module)
        monkeypatch.setattr(mod, name, wrap(f"{module}.{name}", getattr(mod, name)))
    _OPENED.clear()
    _WATCH[:] = [str(tmp_path / "data")]
    try:
        evaluation = evaluate_process(load_process(cfg), EvaluationSettings.from_config(cfg))
        html = render_html(build_report(evaluation, ReportSettings.from_config(cfg)), timestamp="t")
    finally:
        _WATCH.clear()
    assert html.startswith("<!DOCTYPE html>")
    repeated = {k: v for k, v in calls.items() if v > 1}
    assert not repeated, f"analyses called twice with the same arguments: {list(repeated)[:3]}"
    assert by_name["deliberval.scoring.score"] == 1
    assert by_name["deliberval.validation.process.validate"] == 1
    for table in ("members", "targets", "process"):
        assert by_name[f"deliberval.validation.process.validate_{table}"] == 1
    assert by_name["deliberval.analysis.representativeness.representativeness"] == 1
    assert by_name["deliberval.analysis.uptake.uptake"] == 1
    # the demo configuration compares the control group on covariates: one propensity model, one
    # adjusted DiD per citizens' outcome (estimated, or with its reason)
    assert by_name["deliberval.analysis.propensity.propensity_weights"] == 1
    tried = len(evaluation.did_adjusted) + sum(key.startswith("did_adjusted:") for key in evaluation.reasons)
    assert by_name["deliberval.analysis.event_study.event_study"] == tried >= len(evaluation.did_adjusted) > 0
    opened = Counter(Path(p).name for p in _OPENED)
    data_files = {p.name for p in (tmp_path / "data").iterdir() if p.suffix != ".yaml"}
    assert set(opened) == data_files, opened
    assert all(v == 1 for v in opened.values()), opened
