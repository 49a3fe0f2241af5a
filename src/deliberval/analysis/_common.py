"""Small checks and helpers shared by every analysis."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from deliberval.errors import AnalysisInputError

__all__ = ["check_confidence_level", "normal_quantile", "require_columns", "rng"]


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, what: str = "data") -> None:
    """Raise :class:`AnalysisInputError` naming every column of ``columns`` missing from ``df``."""
    if not isinstance(df, pd.DataFrame):
        raise AnalysisInputError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        shown = ", ".join(map(repr, list(df.columns)[:20]))
        raise AnalysisInputError(
            f"{what} has no column(s) {', '.join(map(repr, missing))}; columns present: {shown}"
        )


def check_confidence_level(confidence_level: float) -> float:
    """Return ``confidence_level`` if it lies strictly between 0 and 1, else raise."""
    if not 0 < float(confidence_level) < 1:
        raise AnalysisInputError(
            f"confidence_level must lie strictly between 0 and 1 (e.g. 0.95), got {confidence_level!r}"
        )
    return float(confidence_level)


def normal_quantile(confidence_level: float) -> float:
    """Two-sided standard normal critical value, e.g. 1.959964 for 0.95."""
    return float(stats.norm.ppf(0.5 + check_confidence_level(confidence_level) / 2))


def rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A numpy Generator from a seed (int), an existing Generator, or fresh entropy (None)."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
