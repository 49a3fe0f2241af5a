"""Benchmarks and Monte Carlo validation scripts (not part of the unit tests)."""
