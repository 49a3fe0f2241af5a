"""scale_diagnostics(invariance_across=) chooses the invariance form; scale_invariance() (issue 19).

The verdicts are compared with :func:`deliberval.analysis.cfa.invariance` called directly and
with lavaan's figures in tests/reference/invariance (generate_invariance.R,
generate_invariance_ordinal.R): the longitudinal panel, the four-language Likert scale (ML and
MLR) and the three-group ordinal scale with and without planted DIF (WLSMV, Wu-Estabrook).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.analysis.cfa import invariance
from deliberval.cli import app
from deliberval.errors import AnalysisInputError
from deliberval.indicators.scales import (
    INVARIANCE_COLUMNS,
    MIN_PER_LANGUAGE,
    scale_diagnostics,
    scale_invariance,
)
from deliberval.instruments.model import Instrument

REF = Path(__file__).resolve().parents[2] / "tests" / "reference" / "invariance"
FIT = pd.read_csv(REF / "invariance_fit.csv")
ROBUST = pd.read_csv(REF / "invariance_robust_fit.csv")
ORDINAL = pd.read_csv(REF / "ordinal_groups_fit.csv")
PANEL = pd.read_csv(REF / "panel_long.csv")
LANG = pd.read_csv(REF / "languages.csv")
LANG_MISSING = pd.read_csv(REF / "languages_missing.csv")
ONE = pd.read_csv(REF / "ordinal_groups_one.csv")
DIF = pd.read_csv(REF / "ordinal_groups_dif.csv")
Y = [f"y{i}" for i in range(1, 6)]


def _instrument(items: list[str]) -> Instrument:
    return Instrument.model_validate(
        {
            "id": "demo",
            "version": "1.0.0",
            "title": {"en": "Demo"},
            "languages": {"en": {"status": "source"}},
            "licence": "CC-BY-4.0",
            "response_scales": [{"id": "agree_5", "type": "likert", "min": 1, "max": 5}],
            "items": [
                {
                    "id": i,
                    "construct": "c",
                    "text": {"en": i},
                    "scale": "agree_5",
                    "waves": ["pre", "post"],
                    "respondents": ["citizen"],
                    "source": {"citation": "x", "wording": "new"},
                }
                for i in items
            ],
            "scales": [
                {
                    "id": "c",
                    "construct": "c",
                    "items": items,
                    "scoring": {"method": "mean", "min_valid": 3},
                }
            ],
        }
    )


def _figures(gold: pd.DataFrame, step: str, cfi: str = "cfi") -> str:
    """The verdict's figures from lavaan's fit rows: delta CFI and the difference p."""
    i = gold["model"].tolist().index(step)
    dc = float(gold[cfi].iloc[i] - gold[cfi].iloc[i - 1])
    p = float(gold["diff_p_value"].iloc[i])
    p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    return f"delta CFI {round(dc, 3) + 0.0:+.3f}, chi-square difference {p_text}"


def test_same_people_across_waves_get_the_longitudinal_model() -> None:
    diag = scale_diagnostics(PANEL, _instrument(Y), invariance_across="wave")
    text = diag["invariance"].iloc[0]
    assert text.startswith("longitudinal ML across wave (same respondents")
    direct = invariance(PANEL, Y, wave="wave", respondent="respondent_id")
    assert text.endswith(": " + direct["verdict"].iloc[2])  # scalar holds: the strongest step
    gold = FIT[FIT["dataset"] == "panel_longitudinal"]
    assert _figures(gold, "scalar") in text
    assert "longitudinal ML" in diag["method"].iloc[0]


def test_groups_without_repeated_people_stay_multi_group() -> None:
    diag = scale_diagnostics(LANG, _instrument(list("abcd")), invariance_across="language")
    text = diag["invariance"].iloc[0]
    # lavaan: metric holds (delta CFI 0, p = 0.905); scalar fails (delta CFI -0.033, p < 0.001)
    gold = FIT[FIT["dataset"] == "languages"]
    assert text == (
        "multi-group ML across language: metric invariance holds: loadings equal across "
        f"language, so relations with other variables are comparable ({_figures(gold, 'metric')}); "
        f"scalar invariance does not hold ({_figures(gold, 'scalar')}): do not compare means "
        "across language"
    )


def test_estimator_mlr_passes_through() -> None:
    diag = scale_diagnostics(
        LANG_MISSING, _instrument(list("abcd")), invariance_across="language", estimator="MLR"
    )
    text = diag["invariance"].iloc[0]
    assert text.startswith("multi-group MLR across language: scalar invariance holds")
    # lavaan's scaled figures: delta CFI -0.024 (size) but p = 0.026 > 0.025, so scalar holds
    gold = ROBUST[ROBUST["dataset"] == "languages_mlr_listwise"]
    assert _figures(gold, "scalar", cfi="cfi_scaled") in text
    assert "MLR" in diag["method"].iloc[0]


@pytest.mark.parametrize(("data", "name", "holds"), [(ONE, "one", True), (DIF, "dif", False)])
def test_ordered_passes_through(data: pd.DataFrame, name: str, holds: bool) -> None:
    diag = scale_diagnostics(data, _instrument(Y), invariance_across="language", ordered=True)
    text = diag["invariance"].iloc[0]
    assert text.startswith("multi-group ordinal WLSMV across language: ")
    direct = invariance(data, Y, across="language", ordered=True)
    gold = ORDINAL[ORDINAL["dataset"] == f"{name}_wu_estabrook"]
    assert _figures(gold, "thresholds_loadings", cfi="cfi_scaled") in text
    assert ("does not hold" not in text) is holds
    assert text.endswith(direct["verdict"].iloc[2])
    # all hold: the strongest only; DIF: thresholds hold, then loadings and intercepts fail
    assert (direct["verdict"].iloc[1] in text) is not holds


def test_waves_without_repeats_are_independent_groups_and_say_so() -> None:
    df = LANG.assign(wave=np.where(LANG["language"].isin(["da", "de"]), "pre", "post"))
    df["respondent_id"] = np.arange(len(df))
    diag = scale_diagnostics(df, _instrument(list("abcd")), invariance_across="wave")
    text = diag["invariance"].iloc[0]
    assert text.startswith("multi-group ML across wave (no respondent repeats across waves")
    direct = invariance(df, list("abcd"), across="wave")
    assert direct["verdict"].iloc[1] in text or direct["verdict"].iloc[2] in text


def test_ordered_longitudinal_is_not_estimated_with_the_reason() -> None:
    diag = scale_diagnostics(PANEL.round(), _instrument(Y), invariance_across="wave", ordered=True)
    assert (
        diag["invariance"]
        .iloc[0]
        .startswith(
            "longitudinal ML across wave (same respondents, residuals of an item correlated across "
            "wave): not estimated: longitudinal invariance of ordinal items is not implemented"
        )
    )
    assert diag["status"].iloc[0] == "ok"


def test_bad_estimator_arguments() -> None:
    with pytest.raises(AnalysisInputError, match="estimator must be 'ML' or 'MLR'"):
        scale_diagnostics(
            LANG, _instrument(list("abcd")), invariance_across="language", estimator="WLS"
        )
    with pytest.raises(AnalysisInputError, match="cannot be combined"):
        scale_diagnostics(
            LANG,
            _instrument(list("abcd")),
            invariance_across="language",
            ordered=True,
            estimator="MLR",
        )


# ------------------------------------------------------------------------- scale_invariance


def _panel_with_languages() -> pd.DataFrame:
    """The two-wave panel with a language per person (two languages x 100 or so)."""
    out = PANEL.copy()
    out["language"] = np.where(out["respondent_id"] % 2 == 0, "fr", "nl")
    return out


def test_scale_invariance_languages_and_waves() -> None:
    df = _panel_with_languages()
    res = scale_invariance(df, _instrument(Y))
    assert list(res.columns) == INVARIANCE_COLUMNS
    assert res["comparison"].tolist() == ["languages", "waves"]
    lang, waves = res.iloc[0], res.iloc[1]
    # continuous answers: not Likert-type, so ML with the reason
    assert (lang["estimator"], lang["note"], lang["levels"]) == ("ML", "categories", "fr, nl")
    pre = df[df["wave"] == "pre"]
    direct = invariance(pre, Y, across="language")
    assert lang["n"] == direct["n"].iloc[0]
    assert lang["step"] == "scalar"
    assert bool(lang["holds"]) is True
    assert lang["delta_cfi"] == pytest.approx(direct["delta_cfi"].iloc[2], abs=1e-12)
    assert lang["diff_p_value"] == pytest.approx(direct["diff_p_value"].iloc[2], abs=1e-12)
    # waves: lavaan's longitudinal figures (the same people pre and post)
    gold = FIT[FIT["dataset"] == "panel_longitudinal"].reset_index()
    assert (waves["estimator"], waves["levels"], waves["step"]) == ("ML", "pre, post", "scalar")
    assert waves["n"] == gold["n"].iloc[0]
    assert waves["delta_cfi"] == pytest.approx(gold["cfi"].iloc[2] - gold["cfi"].iloc[1], abs=1e-6)
    assert waves["diff_p_value"] == pytest.approx(gold["diff_p_value"].iloc[2], abs=1e-6)


def test_scale_invariance_ordinal_when_every_category_is_used() -> None:
    res = scale_invariance(DIF, _instrument(Y))
    row = res.iloc[0]
    assert (row["comparison"], row["estimator"], row["note"]) == ("languages", "WLSMV", "")
    gold = ORDINAL[ORDINAL["dataset"] == "dif_wu_estabrook"].reset_index()
    assert row["step"] == "thresholds_loadings"
    assert bool(row["holds"]) is False
    assert row["n"] == gold["ntotal"].iloc[0]
    assert row["delta_cfi"] == pytest.approx(
        gold["cfi_scaled"].iloc[2] - gold["cfi_scaled"].iloc[1], abs=1e-6
    )
    assert row["diff_p_value"] == pytest.approx(gold["diff_p_value"].iloc[2], abs=1e-6)
    assert len(res) == 1  # no wave column: no wave comparison


def test_scale_invariance_unused_category_falls_back_to_ml() -> None:
    df = ONE.copy()
    first = df["language"].iloc[0]
    df.loc[(df["language"] == first) & (df["y2"] == 1), "y2"] = 2
    row = scale_invariance(df, _instrument(Y)).iloc[0]
    assert (row["estimator"], row["note"]) == ("ML", "unused_category")
    direct = invariance(df, Y, across="language")
    assert row["diff_p_value"] == pytest.approx(direct["diff_p_value"].iloc[2], abs=1e-12)


def test_scale_invariance_minimum_per_language() -> None:
    small = DIF["language"].iloc[0]
    df = DIF.drop(DIF.index[DIF["language"] == small][:100])  # 120 left in that language
    # below the minimum a language is left out; with one language left nothing is tested
    res = scale_invariance(df, _instrument(Y), min_n=121)
    assert res["levels"].iloc[0].split(", ") == sorted(set(DIF["language"]) - {small})
    assert res["n"].iloc[0] == 2 * 220
    assert scale_invariance(df, _instrument(Y), min_n=221).empty
    assert MIN_PER_LANGUAGE == 50


def test_cli_ordered_estimator_and_form(tmp_path: Path) -> None:
    from deliberval.cli import psychometrics as cli_psy

    assert cli_psy is not None
    runner = CliRunner()
    data = tmp_path / "r.csv"
    PANEL.to_csv(data, index=False)
    # an estimator that does not exist, --ordered without --invariance-across: one line, exit 2
    res = runner.invoke(
        app,
        [
            "psychometrics",
            str(data),
            "-i",
            "political_efficacy",
            "--invariance-across",
            "wave",
            "--estimator",
            "WLS",
        ],
    )
    assert res.exit_code == 2
    assert "--estimator must be ML or MLR" in res.output
    res = runner.invoke(app, ["psychometrics", str(data), "-i", "political_efficacy", "--ordered"])
    assert res.exit_code == 2
    assert "need --invariance-across" in res.output
    res = runner.invoke(app, ["psychometrics", "--help"])
    assert "--ordered" in res.output
    assert "--estimator" in res.output


def _efficacy_panel(n: int = 300, seed: int = 9) -> pd.DataFrame:
    """political_efficacy answers of the same n people pre and post (five-point codes)."""
    gen = np.random.default_rng(seed)
    items = [
        "efficacy_int_understand",
        "efficacy_int_confidence",
        "efficacy_int_complicated",
        "efficacy_ext_care",
        "efficacy_ext_contact",
        "efficacy_ext_no_say",
    ]
    f = gen.normal(size=(n, 2))
    rows = []
    for w, shift in (("pre", 0.0), ("post", 0.3)):
        out = {
            "respondent_id": [f"r{i:04d}" for i in range(n)],
            "process_id": "p1",
            "wave": w,
            "group": "participant",
            "role": "citizen",
            "language": "en",
        }
        for j, it in enumerate(items):
            z = 0.8 * (f[:, j // 3] + shift) + 0.6 * gen.normal(size=n)
            code = np.digitize(z, [-1.2, -0.4, 0.4, 1.2]) + 1
            out[it] = 6 - code if j % 3 == 2 else code
        rows.append(pd.DataFrame(out))
    return pd.concat(rows, ignore_index=True)


def test_cli_psychometrics_longitudinal_and_mlr(tmp_path: Path) -> None:
    import json

    from deliberval.instruments import load_instrument
    from deliberval.scoring import score

    df = _efficacy_panel()
    data = tmp_path / "panel.csv"
    df.to_csv(data, index=False)
    runner = CliRunner()
    base = ["psychometrics", str(data), "-i", "political_efficacy", "--invariance-across", "wave"]
    res = runner.invoke(app, [*base, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    ins = load_instrument("political_efficacy")
    expected = scale_diagnostics(score(df, ins).data, ins, invariance_across="wave")
    assert [d["invariance"] for d in doc] == expected["invariance"].tolist()
    assert all(d["invariance"].startswith("longitudinal ML across wave") for d in doc)
    res = runner.invoke(app, [*base, "--estimator", "mlr"])
    assert res.exit_code == 0, res.output
    assert "longitudinal MLR across wave" in " ".join(res.output.split())
    res = runner.invoke(app, [*base, "--ordered"])
    assert res.exit_code == 0, res.output
    assert "longitudinal invariance of ordinal items is not implemented" in " ".join(
        res.output.split()
    )
