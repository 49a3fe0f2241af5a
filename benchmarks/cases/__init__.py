"""One module per benchmark case of ``make bench`` (see ``benchmarks/README.md``).

Every case module defines ``NAME``, ``TITLE``, ``SIZE_LABEL``, ``sizes(quick)`` and
``run(size, quick, use_r)``; :mod:`benchmarks.run` calls them in a fresh subprocess per case.
"""

CASES = (
    "validation_scoring",
    "reliability_bootstrap",
    "prepost",
    "prepost_a1r",
    "raking",
    "dri_permutation",
    "demo",
    "report",
    "cli_startup",
    "uptake_trace",
)
