"""Versioned coding schemes for qualitative registers (recommendation uptake).

A coding scheme is a YAML file, like the survey instruments: users copy the shipped
``uptake_v1.yaml``, adapt labels, definitions or fidelity weights, bump the version and load
their copy with :func:`load_scheme`.
"""

from __future__ import annotations

from deliberval.coding.scheme import (
    Code,
    CodingScheme,
    Dimension,
    load_scheme,
    shipped_scheme_path,
)

__all__ = ["Code", "CodingScheme", "Dimension", "load_scheme", "shipped_scheme_path"]
