"""psychometrics_report() and the ``deliberval psychometrics`` command on political_efficacy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.analysis.psychometrics import psychometrics_report, reliability
from deliberval.cli import app
from deliberval.instruments import load_instrument
from deliberval.scoring import score

INT = ["efficacy_int_understand", "efficacy_int_confidence", "efficacy_int_complicated"]
EXT = ["efficacy_ext_care", "efficacy_ext_contact", "efficacy_ext_no_say"]


def _efficacy_responses(n: int = 400, seed: int = 4, weak: str | None = None) -> pd.DataFrame:
    """Raw agree_5 codes: reverse-worded items stored as answered, some 8/9 missing codes."""
    gen = np.random.default_rng(seed)
    internal, external = gen.normal(size=(2, n))
    out = {
        "respondent_id": [f"r{i:04d}" for i in range(n)],
        "process_id": "p1",
        "wave": np.where(np.arange(n) < n // 2, "pre", "post"),
        "group": "participant",
        "role": "citizen",
        "language": "en",
    }
    for items, f in ((INT, internal), (EXT, external)):
        for j, it in enumerate(items):
            lam = 0.25 if it == weak else 0.8
            z = lam * f + np.sqrt(1 - lam**2) * gen.normal(size=n)
            code = np.digitize(z, [-1.2, -0.4, 0.4, 1.2]) + 1
            out[it] = 6 - code if j == 2 else code  # third item of each scale is reverse-worded
    df = pd.DataFrame(out)
    df.loc[gen.random(n) < 0.03, "efficacy_int_confidence"] = 8
    df.loc[gen.random(n) < 0.02, "efficacy_ext_care"] = 9
    return df


def test_report_scores_reverse_keys_and_notes() -> None:
    ins = load_instrument("political_efficacy")
    df = _efficacy_responses()
    rep = psychometrics_report(df, ins)
    assert rep["scale"].tolist() == ["internal_efficacy", "external_efficacy"]
    items = score(df, ins).items
    expected = reliability(items, INT, n_boot=0)
    alpha = expected.loc[expected["method"] == "feldt", "estimate"].iloc[0]
    row = rep.iloc[0]
    assert row["cronbach_alpha"] == pytest.approx(alpha, abs=1e-12)
    assert row["cronbach_alpha"] > 0.7  # reverse keying applied from the instrument
    assert row["n"] == items[INT].dropna().shape[0]
    assert row["cfa_df"] == 0
    assert (
        row["flags"]
        == "note: three items, the one-factor model is just identified (fit not testable)"
    )
    assert row["status"] == "ok"


def test_report_not_keying_would_show_low_alpha() -> None:
    ins = load_instrument("political_efficacy")
    items = score(_efficacy_responses(), ins).items
    items["efficacy_int_complicated"] = 6 - items["efficacy_int_complicated"]  # undo the keying
    res = reliability(items, INT, n_boot=0)
    assert res["estimate"].iloc[0] < 0.3


def test_report_by_wave_and_invariance() -> None:
    ins = load_instrument("political_efficacy")
    rep = psychometrics_report(_efficacy_responses(), ins, by="wave", invariance_by="wave")
    assert rep[["scale", "subgroup"]].values.tolist() == [
        ["internal_efficacy", "pre"],
        ["internal_efficacy", "post"],
        ["external_efficacy", "pre"],
        ["external_efficacy", "post"],
    ]
    assert rep["invariance"].str.contains("invariance holds").all()


def test_unestimable_scale_does_not_stop_the_report() -> None:
    ins = load_instrument("political_efficacy")
    df = _efficacy_responses().drop(columns=EXT[1:])
    df["efficacy_int_understand"] = 3
    rep = psychometrics_report(df, ins)
    assert rep["status"].tolist() == ["not_estimated", "not_estimated"]
    assert "constant" in rep["flags"].iloc[0]
    assert rep["flags"].iloc[1] == "only 1 of the scale's items are in the data"


def test_cli_psychometrics(tmp_path: Path) -> None:
    data = tmp_path / "responses.csv"
    _efficacy_responses().to_csv(data, index=False)
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "psychometrics",
            str(data),
            "--instrument",
            "political_efficacy",
            "--json",
            "--output",
            str(tmp_path / "out.csv"),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert [d["scale"] for d in doc] == ["internal_efficacy", "external_efficacy"]
    assert pd.read_csv(tmp_path / "out.csv").shape[0] == 2
    res = runner.invoke(
        app, ["psychometrics", str(data), "-i", "political_efficacy", "--invariance-by", "wave"]
    )
    assert res.exit_code == 0, res.output
    assert "internal_efficacy" in res.output


def test_cli_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    data = tmp_path / "responses.csv"
    _efficacy_responses().to_csv(data, index=False)
    runner = CliRunner()
    res = runner.invoke(
        app, ["psychometrics", str(data), "-i", "political_efficacy", "--by", "nope"]
    )
    assert res.exit_code == 2
    assert "no column(s) 'nope'" in res.output


def test_report_flags_weak_scale() -> None:
    ins = load_instrument("political_efficacy")
    rep = psychometrics_report(_efficacy_responses(weak="efficacy_ext_contact"), ins)
    row = rep.set_index("scale").loc["external_efficacy"]
    assert row["status"] == "check"
    assert row["cronbach_alpha"] < 0.7
    assert row["flags"].startswith(f"alpha {row['cronbach_alpha']:.2f} < 0.70")
    assert "loading < 0.40: efficacy_ext_contact" in row["flags"]
    assert row["min_std_loading"] < 0.4


def test_report_flags_cfa_that_does_not_converge() -> None:
    ins = load_instrument("political_efficacy")
    df = _efficacy_responses()
    df["efficacy_ext_contact"] = np.random.default_rng(9).integers(1, 6, len(df))  # pure noise
    row = psychometrics_report(df, ins).set_index("scale").loc["external_efficacy"]
    assert row["status"] == "check"
    assert "CFA did not converge" in row["flags"]
    assert np.isnan(row["cfi"])


def test_report_flags_forgotten_reverse_keying() -> None:
    ins = load_instrument("political_efficacy")
    df = _efficacy_responses()
    df["efficacy_int_complicated"] = 6 - df["efficacy_int_complicated"]  # stored pre-reversed
    row = psychometrics_report(df, ins).set_index("scale").loc["internal_efficacy"]
    assert row["status"] == "check"
    negative = row["flags"].split("negative item-rest correlation: ")[1].split(" (")[0]
    assert "efficacy_int_complicated" in negative.split(", ")
    assert row["cronbach_alpha"] < 0  # what psych::alpha would give without keys
