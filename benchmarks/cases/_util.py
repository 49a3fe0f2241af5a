"""Timing, peak-memory and Rscript helpers shared by the benchmark cases."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Stop repeating a timed call once this many seconds were spent on it (best of fewer then).
TIME_BUDGET = 40.0
#: Set by ``benchmarks.run --quick``: every timed call runs once.
QUICK = False


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux ``clear_refs`` 5)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


class Peak:
    """Peak resident memory (MB) of this process while a ``with memory() as peak`` block ran."""

    start_mb: float | None = None
    peak_mb: float | None = None
    method: str = ""


@contextmanager
def memory() -> Iterator[Peak]:
    """Measure the process's peak RSS inside the block.

    On Linux the peak mark is reset on entry (``/proc/self/clear_refs``), so the value is the
    high-water mark of this block alone (input data that is already resident counts, because
    it is resident). Elsewhere the lifetime ``ru_maxrss`` is reported and says so.
    """
    p = Peak()
    p.start_mb = _status_mb("VmRSS")
    reset = _reset_peak()
    try:
        yield p
    finally:
        hwm = _status_mb("VmHWM") if reset else None
        if hwm is not None:
            p.peak_mb, p.method = hwm, "VmHWM reset at block start"
        else:
            p.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
            p.method = "ru_maxrss (process lifetime; not reset)"


def best_of(fn: Callable[[], Any], repeats: int, budget: float = TIME_BUDGET) -> tuple[dict[str, Any], Any]:
    """Run ``fn`` up to ``repeats`` times (fewer when ``budget`` seconds are used up).

    Returns ``({"seconds": best, "seconds_all": [...], "repeats": k, "peak_rss_mb": ...,
    "start_rss_mb": ...}, last result)``; memory is the peak over the repeats.
    """
    times: list[float] = []
    result: Any = None
    with memory() as peak:
        spent = 0.0
        while len(times) < (1 if QUICK else max(1, repeats)):
            t0 = time.perf_counter()
            result = fn()
            dt = time.perf_counter() - t0
            times.append(dt)
            spent += dt
            if spent + dt > budget:
                break
    return (
        {
            "seconds": min(times),
            "seconds_all": [round(t, 6) for t in times],
            "repeats": len(times),
            "start_rss_mb": _round(peak.start_mb),
            "peak_rss_mb": _round(peak.peak_mb),
            "memory_method": peak.method,
        },
        result,
    )


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def reference(
    name: str,
    kind: str,
    timing: dict[str, Any] | None,
    *,
    scale: float = 1.0,
    note: str = "",
    skipped: str | None = None,
) -> dict[str, Any]:
    """A reference point; its time is ``timing["seconds"] * scale`` (work scaled linearly)."""
    if timing is None:
        return {"name": name, "kind": kind, "seconds": None, "skipped": skipped or "not run", "note": note}
    out = dict(timing)
    out["measured_seconds"] = timing["seconds"]
    out["seconds"] = timing["seconds"] * scale
    out.update({"name": name, "kind": kind, "scale": scale, "note": note, "skipped": None})
    return out


def r_available() -> str | None:
    """Path of Rscript, or None."""
    return shutil.which("Rscript")


def rscript(code: str, workdir: Path, timeout: float = 600.0) -> dict[str, Any]:
    """Run R code that prints one JSON object on its last stdout line (``jsonlite`` not needed).

    Returns the parsed object, or ``{"skipped": reason}``.
    """
    exe = r_available()
    if exe is None:
        return {"skipped": "Rscript not installed"}
    script = workdir / "bench.R"
    script.write_text(code, encoding="utf-8")
    try:
        proc = subprocess.run(
            [exe, "--vanilla", str(script)], capture_output=True, text=True, timeout=timeout, cwd=workdir
        )
    except subprocess.TimeoutExpired:
        return {"skipped": f"Rscript timed out after {timeout:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        return {"skipped": f"Rscript failed (exit {proc.returncode}): {tail}"}
    parsed: dict[str, Any] = json.loads(lines[-1])
    return parsed


def r_reference(name: str, res: dict[str, Any], *, scale: float = 1.0, note: str = "") -> dict[str, Any]:
    """Turn ``rscript`` output with ``seconds`` (list of repeat times) into a reference entry."""
    if "skipped" in res:
        return reference(name, "R", None, note=note, skipped=str(res["skipped"]))
    secs = [float(s) for s in res["seconds"]]
    timing = {"seconds": min(secs), "seconds_all": [round(s, 6) for s in secs], "repeats": len(secs),
              "peak_rss_mb": None, "start_rss_mb": None, "memory_method": "not measured (separate R process)"}
    out = reference(name, "R", timing, scale=scale, note=note)
    out["r_output"] = {k: v for k, v in res.items() if k != "seconds"}
    return out
