"""Example evaluations with the default settings, evaluated once per test process.

Many report tests read ``evaluate_process(load_example(name).process_data())`` of the same few
examples; :func:`example_evaluation` evaluates each once per process (a session cache) and hands
the same :class:`~deliberval.indicators.ProcessEvaluation` to every test. Tests only read it (a
variant is made with ``dataclasses.replace`` or evaluated anew). A conftest is not importable under
``--import-mode=importlib``, hence this module.
"""

from __future__ import annotations

from typing import Any

__all__ = ["example_evaluation"]

_EVALUATED: dict[str, Any] = {}


def example_evaluation(name: str) -> Any:
    """``evaluate_process(load_example(name).process_data())``, the same object on every call."""
    if name not in _EVALUATED:
        from deliberval.datasets import load_example
        from deliberval.indicators import evaluate_process

        _EVALUATED[name] = evaluate_process(load_example(name).process_data())
    return _EVALUATED[name]
