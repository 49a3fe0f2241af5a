"""The full demo as ``make demo`` runs it: a fresh ``deliberval demo -o <tmp>`` process.

One size, no reference point. The wall time is the target's figure (what a user waits for,
imports included); ``checks`` adds the CPU seconds of the command and its worker processes (user
+ system of the children, steadier than the wall time on a shared machine), the worker count, the
machine's load average before and after (the wall time means little at a load above the core
count), the files written by suffix and the progress lines the command printed (one per step),
and each step's own wall and CPU seconds as those lines give them (``steps``: an example's job in
its worker; the comparison's forest figure jobs plus its part in the command's process).
PDFs are opt-in (``deliberval demo --pdf``) and not part of the figure. Skipped with a message
when the command is missing or fails.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

NAME = "demo"
TITLE = "full demo (deliberval demo, fresh process)"
SIZE_LABEL = "run"


def sizes(quick: bool) -> list[int]:
    return [1]


def _command() -> list[str] | None:
    exe = Path(sys.executable).with_name("deliberval")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("deliberval")
    return [found] if found else None


#: A progress line: ``[11/17]  23.8 s  report gentofte_ptc: ... (8 files, 20.9 s, CPU 6.3 s)``.
STEP = re.compile(r"^\[\s*\d+/\d+\]\s+[\d.]+ s\s+(.+?): .*\(\d+ files?, ([\d.]+) s, CPU ([\d.]+) s\)$")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(size: int, quick: bool, use_r: bool) -> dict[str, Any]:
    if quick:
        return {"size": size, "skipped": "not run with --quick (the demo takes minutes on a loaded machine)"}
    command = _command()
    if command is None:
        return {"size": size, "skipped": "the deliberval command is not installed (pip install -e .)"}
    out = Path(tempfile.mkdtemp(prefix="deliberval-demo-"))
    load_before = os.getloadavg()
    c0, t0 = _children_cpu(), time.perf_counter()
    try:
        proc = subprocess.run([*command, "demo", "-o", str(out / "demo")], capture_output=True, text=True,
                              timeout=1800, env={**os.environ, "COLUMNS": "200"})
        seconds, cpu = time.perf_counter() - t0, _children_cpu() - c0
        files = [p for p in (out / "demo").rglob("*") if p.is_file()]
    except subprocess.TimeoutExpired:
        return {"size": size, "skipped": "deliberval demo ran for more than 30 minutes"}
    finally:
        load_after = os.getloadavg()
        shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"]
        return {"size": size, "skipped": f"deliberval demo failed (exit {proc.returncode}): {tail[0]}"}
    suffixes: dict[str, int] = {}
    for f in files:
        suffixes[f.suffix or f.name] = suffixes.get(f.suffix or f.name, 0) + 1
    lines = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    steps = {m.group(1): {"seconds": float(m.group(2)), "cpu_seconds": float(m.group(3))}
             for m in map(STEP.match, lines) if m}
    return {
        "size": size,
        "deliberval": {"seconds": seconds, "seconds_all": [round(seconds, 3)], "repeats": 1},
        "references": [],
        "checks": {"files_written": len(files), "by_suffix": dict(sorted(suffixes.items())),
                   "cpu_seconds_per_run": round(cpu, 2), "workers": min(4, os.cpu_count() or 1),
                   "cpus": os.cpu_count(), "pdf": False, "progress_lines": len(lines), "steps": steps,
                   "load_average_before": [round(x, 2) for x in load_before],
                   "load_average_after": [round(x, 2) for x in load_after]},
    }
