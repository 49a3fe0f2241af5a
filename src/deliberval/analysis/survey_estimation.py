"""Temporary alias of :mod:`deliberval.analysis.survey` (the module's new name).

Kept only so that ``deliberval/__init__.py`` keeps importing during the redesign; delete it once
the top level imports ``survey_mean`` from ``deliberval.analysis.survey``.
"""

from deliberval.analysis.survey import survey_mean

__all__ = ["survey_mean"]
