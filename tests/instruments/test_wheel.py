"""The built wheel ships the instrument library and an installed copy finds it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import deliberval
from deliberval.instruments import list_instruments, load_questionnaire
from deliberval.instruments.library import shipped_surveys_dir
print(json.dumps({
    "package": deliberval.__file__,
    "surveys": str(shipped_surveys_dir()),
    "ids": sorted(list_instruments()["id"]),
    "control_items": len(load_questionnaire("control_standard").items),
}))
"""


@pytest.mark.slow
def test_wheel_contains_and_finds_the_library(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        check=True, capture_output=True, timeout=120,
    )
    (wheel,) = dist.glob("deliberval-*.whl")
    shipped = sorted(p.name for p in (ROOT / "surveys").glob("*.yaml"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        packaged = sorted(n.split("/")[-1] for n in names if n.startswith("deliberval/surveys/"))
        assert packaged == shipped
        assert "deliberval/py.typed" in names
        site = tmp_path / "site"
        zf.extractall(site)
    # Run from an unrelated folder with the unpacked wheel first on sys.path, as an installed copy.
    env = {k: v for k, v in os.environ.items() if k not in ("DELIBERVAL_SURVEYS", "PYTHONPATH")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(site)],
        check=True, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )
    found = json.loads(out.stdout)
    assert Path(found["package"]).is_relative_to(site)
    assert Path(found["surveys"]) == site / "deliberval" / "surveys"
    assert {"institutional_trust", "participant_standard", "control_standard"} <= set(found["ids"])
    assert found["control_items"] == 24
