"""Round trips: canonical table -> each format -> read_responses -> the same canonical table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from deliberval.io import canonicalise, detect_format, read_responses, write_responses

FORMATS = {
    "csv": "data.csv", "excel": "data.xlsx", "spss": "data.sav", "stata": "data.dta",
    "limesurvey": "limesurvey_export.csv", "qualtrics": "qualtrics_export.csv", "kobo": "kobo_export.csv",
}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip_gives_the_same_canonical_table(fmt, canonical, fixture_instrument, tmp_path):
    expected = canonicalise(canonical, fixture_instrument)
    path = write_responses(expected, tmp_path / FORMATS[fmt], fmt, fixture_instrument)
    assert detect_format(path) == fmt
    back = read_responses(path, fixture_instrument)
    pd.testing.assert_frame_equal(back, expected)


def test_csv_is_written_in_cp1252_and_read_back(canonical, fixture_instrument, tmp_path):
    path = write_responses(canonicalise(canonical, fixture_instrument), tmp_path / "d.csv", "csv", fixture_instrument)
    raw = path.read_bytes()
    assert "Åse".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_limesurvey_uses_codes_without_underscores(canonical, fixture_instrument, tmp_path):
    path = write_responses(canonicalise(canonical, fixture_instrument), tmp_path / "ls.csv", "limesurvey", fixture_instrument)
    header = path.read_text(encoding="utf-8").splitlines()[0].replace('"', "").split(",")
    assert header[:6] == ["id", "submitdate", "lastpage", "startlanguage", "seed", "token"]
    assert "fxEff1" in header
    assert "fxAgeBand" in header
    body = path.read_text(encoding="utf-8")
    assert '"A1"' in body or '"A2"' in body  # categorical answers travel as answer codes


def test_qualtrics_has_three_header_rows(canonical, fixture_instrument, tmp_path):
    path = write_responses(canonicalise(canonical, fixture_instrument), tmp_path / "q.csv", "qualtrics", fixture_instrument)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].split(",")[-1] == '"Anything else?"'
    assert '{""ImportId"":""QID1""}' in lines[2]
    assert len(read_responses(path, fixture_instrument)) == len(canonical)


def test_kobo_prefixes_are_stripped(canonical, fixture_instrument, tmp_path):
    path = write_responses(canonicalise(canonical, fixture_instrument), tmp_path / "k.csv", "kobo", fixture_instrument)
    header = path.read_text().splitlines()[0].split(";")
    assert "fx_efficacy/fx_eff_1" in header
    back = read_responses(path, fixture_instrument)
    assert "fx_eff_1" in back.columns
    assert "_uuid" not in back.columns


def test_spss_file_carries_value_labels_and_user_missing(canonical, fixture_instrument, tmp_path):
    path = write_responses(canonicalise(canonical, fixture_instrument), tmp_path / "d.sav", "spss", fixture_instrument)
    back = read_responses(path, fixture_instrument)
    assert back.attrs["value_labels"]["fx_eff_1"][4.0] == "Agree"
    assert back.attrs["value_labels"]["fx_trust"][88.0] == "Don't know"
    assert sorted(back.attrs["user_missing"]["fx_trust"]) == [77.0, 88.0]
    assert back.attrs["column_labels"]["fx_comment"] == "Anything else?"


def _examples() -> list[str]:
    try:
        from deliberval.datasets import list_examples
    except ImportError:  # pragma: no cover - the simulators ship with deliberval
        return []
    return list(list_examples()["name"])


@pytest.mark.parametrize("name", _examples())
def test_example_datasets_round_trip_through_every_format(name, tmp_path):
    from deliberval.datasets import load_example
    from deliberval.instruments import load_questionnaire

    example = load_example(name)
    ins = load_questionnaire(example.questionnaires["participant"])
    expected = canonicalise(example.responses, ins)
    assert len(expected) == len(example.responses)
    for fmt, filename in FORMATS.items():
        # openpyxl needs ~2 s per 1,000 rows x 45 columns: Excel gets the first 100 rows
        table = expected.head(100) if fmt == "excel" else expected
        path = write_responses(table, tmp_path / filename, fmt, ins)
        pd.testing.assert_frame_equal(read_responses(path, ins), table, obj=f"{name} via {fmt}")


def test_fixture_files_exist():
    assert (Path(__file__).parent / "fixtures" / "surveys" / "fixture_survey.yaml").is_file()


def test_kobo_excel_export_is_recognised(canonical, fixture_instrument, tmp_path):
    expected = canonicalise(canonical, fixture_instrument)
    csv_path = write_responses(expected, tmp_path / "k.csv", "kobo", fixture_instrument)
    kobo = pd.read_csv(csv_path, sep=";", dtype=str, keep_default_na=False)
    xlsx = tmp_path / "kobo.xlsx"
    kobo.to_excel(xlsx, index=False)
    pd.testing.assert_frame_equal(read_responses(xlsx, fixture_instrument), expected)
