"""The guide "From your export to your report", executed as written on Stanford DDL's Sample.sav.

Every block of docs/guides/from-export-to-report.md runs in order in a temporary copy of the
repository's test data: ``console`` lines as shell commands with the installed ``deliberval``
(``cd`` changes the folder of the next lines, every command must exit 0), ``yaml`` blocks titled
with a file name are written to that file (the ``map.yaml`` shown must be what ``map suggest``
wrote with only its placeholders filled in), the untitled ``yaml`` block must be part of the
instrument file, and ``python`` blocks are executed. Then the report's change table is compared
with ``deliberval.prepost`` on the same validated rows.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guides" / "from-export-to-report.md"
BLOCK = re.compile(r"```(?P<lang>\w+)(?P<attrs>[^\n]*)\n(?P<body>.*?)```", re.S)


def _blocks() -> list[tuple[str, str | None, str]]:
    out = []
    for m in BLOCK.finditer(GUIDE.read_text(encoding="utf-8")):
        title = re.search(r'title="([^"]+)"', m["attrs"])
        out.append((m["lang"], title.group(1) if title else None, m["body"]))
    return out


def _run(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(line, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _filled(suggested: str, shown: str) -> str:
    """The suggested mapping with each placeholder line replaced by the guide's line for that key."""
    lines = []
    for line in suggested.splitlines():
        m = re.match(r"^  (\w+): '<fill in", line)
        if m:
            repl = [s for s in shown.splitlines() if s.startswith(f"  {m.group(1)}: ")]
            assert len(repl) == 1, f"the guide's map.yaml must fill in {m.group(1)}"
            line = repl[0]
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def journey(tmp_path_factory):
    """Run the guide; return the working folder and the namespace of its Python block."""
    clone = tmp_path_factory.mktemp("clone")
    shutil.copytree(ROOT / "tests" / "data" / "deliberative-polling", clone / "tests" / "data" / "deliberative-polling")
    cwd = clone
    namespace: dict[str, object] = {}
    blocks = _blocks()
    assert [b[0] for b in blocks] == ["console", "yaml", "console", "console", "yaml", "console", "yaml",
                                      "console", "python"]
    outputs: dict[str, str] = {}
    for lang, title, body in blocks:
        if lang == "console":
            for line in body.splitlines():
                line = line.split("  #")[0].strip()
                if not line:
                    continue
                if line.startswith("cd "):
                    cwd = (cwd / shlex.split(line)[1]).resolve()
                    continue
                res = _run(line, cwd)
                assert res.returncode == 0, f"{line!r} exited {res.returncode}: {res.stdout}{res.stderr}"
                outputs[line] = res.stdout
                if line.startswith("deliberval map suggest"):
                    # followed as written, the unfilled mapping stops validation with one line
                    early = _run("deliberval validate Sample.sav --instrument ddl_sample --surveys surveys "
                                 "--map map.yaml --out early/", cwd)
                    assert early.returncode == 2
                    assert "map.yaml: constants process_id, role, language still hold the placeholder" in early.stdout + early.stderr
                    assert len((early.stdout + early.stderr).strip().splitlines()) == 1
        elif lang == "yaml" and title is None:
            instrument = (cwd / "surveys" / "ddl_sample.yaml").read_text(encoding="utf-8")
            assert body in instrument
        elif lang == "yaml":
            target = cwd / title
            if title == "map.yaml":
                assert body == _filled(target.read_text(encoding="utf-8"), body)
            target.write_text(body, encoding="utf-8")
        elif lang == "python":
            old = Path.cwd()
            os.chdir(cwd)
            try:
                exec(compile(body, str(GUIDE), "exec"), namespace)
            finally:
                os.chdir(old)
    return cwd, namespace, outputs


def test_validation_quarantines_no_row_of_the_real_export(journey):
    cwd, _, outputs = journey
    printed = next(v for k, v in outputs.items() if k.startswith("deliberval validate"))
    assert re.search(r"rows read\D+30\b", printed)
    valid = pd.read_csv(cwd / "checked" / "valid.csv")
    quarantined = pd.read_csv(cwd / "checked" / "quarantined.csv")
    assert (len(valid), len(quarantined)) == (30, 0)
    summary = pd.read_csv(cwd / "checked" / "summary.csv")
    # the one remark is true of the file: ID 16 (control) answered only at T2
    assert summary[["check", "severity", "column", "n"]].to_dict("records") == [
        {"check": "no_pre", "severity": "warning", "column": "wave", "n": 1}]
    assert valid.loc[valid["respondent_id"] == 16, "wave"].tolist() == ["post"]
    assert set(valid["process_id"]) == {"ddl_sample_poll"}
    assert sorted(valid["education_level"].unique()) == ["bachelor", "graduate", "high_school", "no_high_school"]


def test_report_change_equals_prepost_on_the_same_data(journey):
    cwd, namespace, _ = journey
    html = (cwd / "report.html").read_text(encoding="utf-8")
    assert "How well democracy functions" in html
    sheet = pd.read_excel(cwd / "report.xlsx", sheet_name="change")
    row = sheet.loc[sheet["outcome"].str.startswith("How well democracy functions")]
    assert len(row) == 1
    ref = namespace["change"]
    assert isinstance(ref, pd.DataFrame)
    assert len(ref) == 1
    assert int(row["n"].iloc[0]) == int(ref["n"].iloc[0]) == 7
    for report_col, ref_col in (("mean_pre", "mean_pre"), ("mean_post", "mean_post"), ("change", "estimate"),
                                ("ci_low", "ci_low"), ("ci_high", "ci_high"), ("d_z", "d_z")):
        np.testing.assert_allclose(row[report_col].iloc[0], ref[ref_col].iloc[0], rtol=1e-12, err_msg=report_col)
    # independently of deliberval: the weighted means of the 7 participants' pairs, from the raw file
    # (prepost weights a pair by its post-wave weight, as its docstring says)
    import pyreadstat

    df, _ = pyreadstat.read_sav(str(cwd / "Sample.sav"))
    treat = df[df["Group"] == "Treatment"]
    wide = treat.pivot(index="ID", columns="Time", values=["Question1", "Weight1"]).dropna()
    assert len(wide) == 7
    w = wide[("Weight1", "T2")]
    pre, post = np.average(wide[("Question1", "T1")], weights=w), np.average(wide[("Question1", "T2")], weights=w)
    np.testing.assert_allclose([row["mean_pre"].iloc[0], row["mean_post"].iloc[0], row["change"].iloc[0]],
                               [pre, post, post - pre], rtol=1e-12)
    np.testing.assert_allclose([pre, post], [4.459833795013849, 4.209141274238227], rtol=1e-12)


def test_install_and_offline_docs_say_what_works():
    """Getting-started installs from a clone (the package is not on PyPI); the site works from disk."""
    import yaml

    getting_started = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    assert re.search(r"^pip install deliberval\b", getting_started, flags=re.M) is None
    assert "pip install -e ." in getting_started
    assert re.search(r"^dist: .*## ", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.M)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert config["use_directory_urls"] == "false"  # page.html links, not page/ folders
    guides = next(entry["Guides"] for entry in config["nav"] if isinstance(entry, dict) and "Guides" in entry)
    assert {"From your export to your report": "guides/from-export-to-report.md"} in guides
