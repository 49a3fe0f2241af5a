"""scale_diagnostics() and the ``deliberval psychometrics`` command on political_efficacy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.analysis.psychometrics import reliability
from deliberval.cli import app
from deliberval.errors import AnalysisInputError
from deliberval.indicators.scales import scale_diagnostics
from deliberval.instruments import load_instrument

INT = ["efficacy_int_understand", "efficacy_int_confidence", "efficacy_int_complicated"]
EXT = ["efficacy_ext_care", "efficacy_ext_contact", "efficacy_ext_no_say"]
COLUMNS = [
    "n_items",
    "n",
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "confidence_level",
    "omega_total",
    "cfa_df",
    "cfi",
    "tli",
    "rmsea",
    "srmr",
    "min_std_loading",
    "invariance",
    "status",
    "flags",
    "method",
]


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


def _scored(df: pd.DataFrame) -> pd.DataFrame:
    """Scored responses: missing codes 8 and 9 as NA, reverse-worded items still as answered."""
    out = df.copy()
    for it in INT + EXT:
        if it in out.columns:
            out[it] = out[it].astype(float).where(~out[it].isin([8, 9]))
    return out


def _keyed(scored: pd.DataFrame) -> pd.DataFrame:
    """The reverse-worded items reversed by hand (agree_5: 1 + 5 - x)."""
    return scored.assign(**{c: 6 - scored[c] for c in (INT[2], EXT[2]) if c in scored.columns})


def test_diagnostics_reverse_key_from_the_instrument_and_note_just_identified() -> None:
    ins = load_instrument("political_efficacy")
    scored = _scored(_efficacy_responses())
    diag = scale_diagnostics(scored, ins)
    assert list(diag.columns) == ["scale", *COLUMNS]
    assert diag["scale"].tolist() == ["internal_efficacy", "external_efficacy"]
    keyed = _keyed(scored)
    expected = reliability(keyed, INT, n_resamples=0)
    feldt = expected[expected["method"] == "feldt"].iloc[0]
    row = diag.iloc[0]
    assert row["alpha"] == pytest.approx(feldt["estimate"], abs=1e-12)
    assert (row["alpha_ci_low"], row["alpha_ci_high"]) == pytest.approx(
        (feldt["ci_low"], feldt["ci_high"]), abs=1e-12
    )
    assert row["confidence_level"] == 0.95
    assert row["alpha"] > 0.7  # reverse keying applied from the instrument
    assert row["n"] == keyed[INT].dropna().shape[0]
    assert row["cfa_df"] == 0
    assert row["flags"] == (
        "note: fit not testable (three items: the one-factor model is just identified, "
        "df = 0; CFI, TLI, RMSEA and SRMR left empty)"
    )
    # not "CFI 1.000, RMSEA 0.000": a just-identified model fits any data perfectly
    assert row[["cfi", "tli", "rmsea", "srmr"]].isna().all()
    assert row["min_std_loading"] > 0.4  # the loadings are estimated
    assert row["status"] == "ok"
    assert "Feldt" in row["method"]
    # the input is not modified (reversal happens on a copy)
    pd.testing.assert_frame_equal(scored, _scored(_efficacy_responses()))


def test_not_keying_would_show_low_alpha() -> None:
    scored = _scored(_efficacy_responses())
    res = reliability(scored, INT, n_resamples=0)  # reverse-worded item as answered
    assert res["estimate"].iloc[0] < 0.3


def test_raw_codes_are_refused() -> None:
    ins = load_instrument("political_efficacy")
    with pytest.raises(
        AnalysisInputError, match=r"'efficacy_int_confidence' holds its missing code"
    ):
        scale_diagnostics(_efficacy_responses(), ins)


def test_by_wave_keeps_the_column_name_and_invariance_across_wave() -> None:
    ins = load_instrument("political_efficacy")
    scored = _scored(_efficacy_responses())
    diag = scale_diagnostics(scored, ins, by="wave", invariance_across="wave", confidence_level=0.9)
    assert list(diag.columns) == ["scale", "wave", *COLUMNS]
    assert diag[["scale", "wave"]].values.tolist() == [
        ["internal_efficacy", "pre"],
        ["internal_efficacy", "post"],
        ["external_efficacy", "pre"],
        ["external_efficacy", "post"],
    ]
    assert diag["wave"].dtype == scored["wave"].dtype
    assert diag["invariance"].str.contains("invariance holds").all()
    assert (diag["confidence_level"] == 0.9).all()
    assert diag["method"].str.contains("invariance").all()
    pre = _keyed(scored)[lambda d: d["wave"] == "pre"]
    expected = reliability(pre, EXT, n_resamples=0, confidence_level=0.9).iloc[0]
    row = diag[(diag["scale"] == "external_efficacy") & (diag["wave"] == "pre")].iloc[0]
    assert row["alpha"] == pytest.approx(expected["estimate"], abs=1e-12)
    assert row["alpha_ci_low"] == pytest.approx(expected["ci_low"], abs=1e-12)


def test_by_two_columns_and_missing_levels() -> None:
    ins = load_instrument("political_efficacy")
    scored = _scored(_efficacy_responses(n=800))
    scored["language"] = np.where(np.arange(800) % 2 == 0, "en", "fr")
    scored.loc[:9, "language"] = None  # rows without a level are left out
    diag = scale_diagnostics(scored, ins, by=["wave", "language"])
    assert list(diag.columns[:3]) == ["scale", "wave", "language"]
    assert len(diag) == 2 * 4
    assert set(map(tuple, diag[["wave", "language"]].values.tolist())) == {
        ("pre", "en"),
        ("pre", "fr"),
        ("post", "en"),
        ("post", "fr"),
    }
    first = diag[(diag["wave"] == "pre") & (diag["language"] == "en")].iloc[0]
    part = _keyed(scored)[lambda d: (d["wave"] == "pre") & (d["language"] == "en")]
    assert first["n"] == part[INT].dropna().shape[0]


def test_bad_arguments_are_clear_errors() -> None:
    ins = load_instrument("political_efficacy")
    scored = _scored(_efficacy_responses())
    with pytest.raises(AnalysisInputError, match="no column"):
        scale_diagnostics(scored, ins, by="nope")
    with pytest.raises(AnalysisInputError, match="no column"):
        scale_diagnostics(scored, ins, invariance_across="nope")
    with pytest.raises(AnalysisInputError, match="clash"):
        scale_diagnostics(scored.assign(status="x"), ins, by="status")
    with pytest.raises(AnalysisInputError, match="confidence_level"):
        scale_diagnostics(scored, ins, confidence_level=95)


def test_unestimable_scale_does_not_stop_the_diagnostics() -> None:
    ins = load_instrument("political_efficacy")
    scored = _scored(_efficacy_responses()).drop(columns=EXT[1:])
    scored["efficacy_int_understand"] = 3.0
    diag = scale_diagnostics(scored, ins)
    assert diag["status"].tolist() == ["not_estimated", "not_estimated"]
    assert "constant" in diag["flags"].iloc[0]
    assert diag["flags"].iloc[1] == "only 1 of the scale's items are in the data"
    assert diag["n"].isna().all()
    assert (diag["confidence_level"] == 0.95).all()


def test_invariance_that_cannot_be_estimated_is_reported() -> None:
    ins = load_instrument("political_efficacy")
    scored = _scored(_efficacy_responses()).assign(wave="pre")
    diag = scale_diagnostics(scored, ins, invariance_across="wave")
    assert diag["invariance"].str.contains(
        ": not estimated: across column 'wave' has 1 level", regex=False
    ).all()
    assert (diag["status"] == "ok").all()


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
    assert list(doc[0]) == ["scale", *COLUMNS]
    # the command scores the raw codes first: same alpha as on the scored frame
    ins = load_instrument("political_efficacy")
    expected = scale_diagnostics(_scored(_efficacy_responses()), ins)
    # (JSON carries 10 decimals)
    assert doc[0]["alpha"] == pytest.approx(expected["alpha"].iloc[0], abs=1e-9)
    assert pd.read_csv(tmp_path / "out.csv").shape[0] == 2
    res = runner.invoke(
        app,
        [
            "psychometrics",
            str(data),
            "-i",
            "political_efficacy",
            "--by",
            "wave",
            "--invariance-across",
            "wave",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "internal_efficacy" in res.output
    assert "invariance holds" in res.output


def test_cli_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    data = tmp_path / "responses.csv"
    _efficacy_responses().to_csv(data, index=False)
    runner = CliRunner()
    res = runner.invoke(
        app, ["psychometrics", str(data), "-i", "political_efficacy", "--by", "nope"]
    )
    assert res.exit_code == 2
    assert "no column(s) 'nope'" in res.output


def test_diagnostics_flag_weak_scale() -> None:
    ins = load_instrument("political_efficacy")
    diag = scale_diagnostics(_scored(_efficacy_responses(weak="efficacy_ext_contact")), ins)
    row = diag.set_index("scale").loc["external_efficacy"]
    assert row["status"] == "check"
    assert row["alpha"] < 0.7
    assert row["flags"].startswith(f"alpha {row['alpha']:.2f} < 0.70")
    assert "loading < 0.40: efficacy_ext_contact" in row["flags"]
    assert row["min_std_loading"] < 0.4


def test_diagnostics_flag_cfa_that_does_not_converge() -> None:
    ins = load_instrument("political_efficacy")
    scored = _scored(_efficacy_responses())
    scored["efficacy_ext_contact"] = np.random.default_rng(9).integers(1, 6, len(scored)) * 1.0
    row = scale_diagnostics(scored, ins).set_index("scale").loc["external_efficacy"]
    assert row["status"] == "check"
    assert "CFA did not converge" in row["flags"]
    assert np.isnan(row["cfi"])


def test_diagnostics_flag_forgotten_reverse_keying() -> None:
    ins = load_instrument("political_efficacy")
    scored = _scored(_efficacy_responses())
    scored["efficacy_int_complicated"] = 6 - scored["efficacy_int_complicated"]  # pre-reversed
    row = scale_diagnostics(scored, ins).set_index("scale").loc["internal_efficacy"]
    assert row["status"] == "check"
    negative = row["flags"].split("negative item-rest correlation: ")[1].split(" (")[0]
    assert "efficacy_int_complicated" in negative.split(", ")
    assert row["alpha"] < 0  # what psych::alpha would give without keys
