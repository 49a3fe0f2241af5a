"""Analyses: DataFrame plus column names in, tidy DataFrame out.

Analyses never read or write files, never print and never round; they never import
``deliberval.io``, ``deliberval.report`` or ``deliberval.cli``.
"""

__all__: list[str] = []
