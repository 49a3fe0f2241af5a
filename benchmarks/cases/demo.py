"""The full demo: ``deliberval.demo.write_demo`` into a temporary folder (``make demo``).

One size, no reference point; ``checks`` adds the CPU seconds per run (this process and its
children, user + system), steadier than the wall time on a shared machine. Skipped with a message when ``write_demo`` is missing or fails
(the demo is still being extended by the report stage).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.cases._util import best_of

NAME = "demo"
TITLE = "full demo (write_demo)"
SIZE_LABEL = "run"


def sizes(quick: bool) -> list[int]:
    return [1]


def run(size: int, quick: bool, use_r: bool) -> dict[str, Any]:
    if quick:
        return {"size": size, "skipped": "not run with --quick (the demo takes minutes)"}
    try:
        from deliberval.demo import write_demo
    except ImportError as exc:
        return {"size": size, "skipped": f"deliberval.demo.write_demo not importable: {exc}"}
    files: list[Path] = []

    def once() -> list[Path]:
        out = Path(tempfile.mkdtemp(prefix="deliberval-demo-"))
        try:
            return list(write_demo(out))
        finally:
            shutil.rmtree(out, ignore_errors=True)

    import resource

    def cpu() -> float:
        a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

    c0 = cpu()
    try:
        timing, files = best_of(once, repeats=2, budget=120.0)
    except Exception as exc:
        return {"size": size, "skipped": f"write_demo failed: {type(exc).__name__}: {exc}"}
    suffixes: dict[str, int] = {}
    for f in files:
        suffixes[f.suffix or f.name] = suffixes.get(f.suffix or f.name, 0) + 1
    return {
        "size": size,
        "deliberval": timing,
        "references": [],
        "checks": {"files_written": len(files), "by_suffix": dict(sorted(suffixes.items())),
                   "cpu_seconds_per_run": round((cpu() - c0) / timing["repeats"], 2)},
    }
