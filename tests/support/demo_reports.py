"""The demo examples' reports built once per test process, with the matplotlib figures they drew.

Several report test files inspect the same demo reports (``build_report`` of the evaluation with
``ReportSettings.from_config``): the PDF layout, the criteria sheet, the figures' print layout.
:func:`demo_report` builds each once per process (a session cache, as a session fixture is) and
hands the same :class:`~deliberval.report.build.ProcessReport` to every test; tests only read it.
A conftest is not importable under ``--import-mode=importlib``, hence this module.
"""

from __future__ import annotations

from typing import Any

import pytest

__all__ = ["build_with_figures", "demo_report"]

_BUILT: dict[tuple[str, int], tuple[Any, dict[str, Any]]] = {}


def build_with_figures(evaluation: Any, settings: Any) -> tuple[Any, dict[str, Any]]:
    """``build_report(evaluation, settings)`` and ``{figure key: matplotlib figure}`` it drew."""
    from deliberval.report import build as build_module
    from deliberval.report import build_report

    captured: dict[str, Any] = {}
    original = build_module._figure

    def capture(key: str, title: str, fig: Any, caption: str = "") -> Any:
        captured[key] = fig
        return original(key, title, fig, caption)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build_module, "_figure", capture)
        report = build_report(evaluation, settings)
    return report, captured


def demo_report(name: str, evaluation: Any, cfg: Any) -> tuple[Any, dict[str, Any]]:
    """The report of a demo example as ``deliberval demo`` builds it, and its figures: built on the
    first call, the same objects afterwards (``evaluation``, ``cfg``: the session's
    ``demo_evaluations[name]``). Do not modify them."""
    from deliberval.report import ReportSettings

    key = (name, id(evaluation))
    if key not in _BUILT:
        _BUILT[key] = build_with_figures(evaluation, ReportSettings.from_config(cfg))
    return _BUILT[key]
