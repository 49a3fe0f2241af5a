"""Test-wide settings: hypothesis profiles, a non-interactive matplotlib backend, the data location.

Hypothesis runs deterministically unless asked otherwise. Two profiles, chosen by the environment
variable ``HYPOTHESIS_PROFILE`` (default ``ci``):

- ``ci`` (``make test``, a bare ``pytest``, CI): ``derandomize=True`` (the examples are a function of
  the test's source, the same on every run and every machine), no example database (nothing
  replayed from earlier runs), no deadline and no too-slow health check (both depend on the
  machine's load), at most 100 examples unless a test pins fewer;
- ``fuzz`` (``make fuzz``, for developers): a random search, ``HYPOTHESIS_FUZZ_EXAMPLES`` examples
  (default 1000) for every hypothesis test, overriding the tests' own ``max_examples``, failures
  saved in ``.hypothesis/`` and replayed on the next fuzz run. Turn every failure it finds into an
  explicit ``@example(...)`` on the test, so that ``make test`` checks it from then on.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
FUZZ_EXAMPLES = int(os.environ.get("HYPOTHESIS_FUZZ_EXAMPLES", "1000"))
settings.register_profile(
    "fuzz",
    derandomize=False,
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_report_header() -> str:
    current = settings.get_profile(HYPOTHESIS_PROFILE)
    return (
        f"hypothesis profile {HYPOTHESIS_PROFILE!r}: derandomize={current.derandomize}, "
        f"max_examples={current.max_examples}"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``fuzz``, every hypothesis test searches ``FUZZ_EXAMPLES`` random examples, also the
    tests that pin a smaller ``max_examples`` for ``make test``."""
    if HYPOTHESIS_PROFILE != "fuzz":
        return
    for item in items:
        test = getattr(item, "obj", None)
        pinned = getattr(test, "_hypothesis_internal_use_settings", None)
        if pinned is None or not hasattr(test, "hypothesis"):
            continue
        test._hypothesis_internal_use_settings = settings(  # type: ignore[union-attr]
            pinned, max_examples=FUZZ_EXAMPLES, derandomize=False
        )

TESTS = Path(__file__).parent
DATA = TESTS / "data"
REFERENCE = TESTS / "reference"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Folder of the real, licensed data copied for tests (see tests/data/SOURCES.md)."""
    return DATA


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Folder of golden values and the scripts that produced them."""
    return REFERENCE


@pytest.fixture(scope="session")
def has_rscript() -> bool:
    return shutil.which("Rscript") is not None
