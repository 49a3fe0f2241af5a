"""The README's Python tour is executed, so the front page never shows code that fails."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_tour_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "README has no ```python block"
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    table = namespace["table"]  # the tour ends on the indicator table
    assert set(table["status"]) <= {"measured", "not_measured", "suppressed"}  # type: ignore[index]
    assert (table["status"] == "measured").sum() >= 10  # type: ignore[index]
