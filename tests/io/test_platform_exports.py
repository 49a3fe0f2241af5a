"""Real platform exports (tests/data/platform-exports): every data row read, metadata honoured.

Each file was written by Qualtrics, LimeSurvey, ODK Briefcase, IBM SPSS or Stata (see
tests/data/platform-exports/README.md). Data rows are counted independently of deliberval: with
the csv module for text exports and with pyreadstat's own metadata for .sav / .dta files; the
cells SPSS and Stata declare missing are checked against pyreadstat's own reading with
``user_missing=False`` (which sets them to NaN itself).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from deliberval.errors import DataInputError
from deliberval.instruments import load_instrument
from deliberval.io import Mapping, detect_format, read_responses, read_table
from deliberval.io.platforms import EXCLUSION_COLUMN, QUALTRICS_METADATA
from deliberval.validation import validate

EXPORTS = Path(__file__).parents[1] / "data" / "platform-exports"
DEFINITIONS = (".md", ".xml", ".qsf", ".lss")
DATA_FILES = sorted(p for p in EXPORTS.rglob("*") if p.is_file() and not p.name.endswith(DEFINITIONS))
# header rows of each text export, as documented in the folder's README
HEADER_ROWS = {
    "qualtRics__sample.csv": 3, "qualtRics__sample_legacy.csv": 2, "QT2017__many_qtypes__legacy.csv": 2,
    "QT2017__many_qtypes__insights.csv": 3, "QT2021__winter2021__datatable.csv": 3,
}
PLATFORM = {"qualtrics": "qualtrics", "limesurvey": "limesurvey", "odk": "kobo"}


def _readable(path: Path, tmp_path: Path) -> Path:
    """Briefcase's golden files end in .csv.expected: give the copy its real extension."""
    if path.suffix == ".expected":
        target = tmp_path / path.name.removesuffix(".expected")
        shutil.copyfile(path, target)
        return target
    return path


def _csv_records(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return [r for r in csv.reader(io.StringIO(text, newline="")) if r]


def test_every_export_of_the_shared_folder_was_copied():
    shared = Path("/work/shared/data/platform-exports")
    if not shared.is_dir():
        pytest.skip("the shared data folder is not mounted here")
    names = {p.relative_to(shared) for p in shared.rglob("*") if p.is_file()}
    assert names <= {p.relative_to(EXPORTS) for p in EXPORTS.rglob("*") if p.is_file()}
    assert (EXPORTS / "LICENSES.md").is_file()
    assert len(DATA_FILES) == 19  # 5 Qualtrics, 1 LimeSurvey, 6 Briefcase, 4 SPSS, 3 Stata


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_rows_read_equal_the_data_rows_of_the_file(path, tmp_path):
    file = _readable(path, tmp_path)
    df = read_responses(file)
    if path.suffix in (".sav", ".dta"):
        reader = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
        _, meta = reader(str(path), metadataonly=True)
        expected = meta.number_rows
        assert detect_format(file) == ("spss" if path.suffix == ".sav" else "stata")
    else:
        expected = len(_csv_records(path)) - HEADER_ROWS.get(path.name, 1)
        assert detect_format(file) == PLATFORM[path.parent.name]
    assert len(df) == expected
    assert df.attrs["sha256"]


@pytest.mark.parametrize("name", sorted(HEADER_ROWS))
def test_qualtrics_header_rows_and_metadata_columns_are_recognised(name):
    path = EXPORTS / "qualtrics" / name
    raw = read_table(path)
    records = _csv_records(path)
    variant = {2: "legacy", 3: "insights" if "insights" in name else "current"}[HEADER_ROWS[name]]
    assert raw.attrs["qualtrics_variant"] == variant
    assert raw.attrs["first_line"] == HEADER_ROWS[name] + 1
    assert len(raw) == len(records) - HEADER_ROWS[name]
    # no header row became a respondent
    assert not raw.apply(lambda s: s.astype(str).str.contains("ImportId")).any().any()
    assert "ResponseID" not in set(raw.iloc[:, 0].astype(str))
    df = read_responses(path)
    leaked = set(QUALTRICS_METADATA) & set(df.columns)
    assert not leaked
    for identifying in ("IPAddress", "RecipientEmail", "EmailAddress", "LocationLatitude", "LocationLongitude", "Name"):
        assert identifying not in df.columns


def test_qualtrics_question_texts_kept_for_mapping_and_duplicate_tags_made_unique():
    raw = read_table(EXPORTS / "qualtrics" / "QT2021__winter2021__datatable.csv")
    assert raw.shape == (150, 141)
    assert raw.columns.is_unique
    assert [c for c in raw.columns if c.startswith("other")][:2] != ["other", "other"]
    legacy = read_table(EXPORTS / "qualtrics" / "qualtRics__sample_legacy.csv")
    assert legacy.attrs["column_labels"]["Q1"] == "This is a multiple choice question."
    assert list(legacy.columns[:3]) == ["ResponseID", "ResponseSet", "Name"]  # V1..V3 named by row 2
    assert legacy.shape == (1, 15)  # the trailing comma's empty column is gone
    current = read_table(EXPORTS / "qualtrics" / "qualtRics__sample.csv")
    assert current.attrs["column_labels"]["Q1"] == "This is a multiple choice question."
    assert current.loc[0, "Q2"] == "Hello World!"


def test_qualtrics_test_responses_are_kept_apart_and_counted():
    # the 150 responses of this export were generated by Qualtrics' test tool: Status 2
    df = read_responses(EXPORTS / "qualtrics" / "QT2021__winter2021__datatable.csv")
    assert df.attrs["excluded"] == 150
    assert set(df[EXCLUSION_COLUMN]) == {"Qualtrics test response (Status 'Survey Test')"}
    real = read_responses(EXPORTS / "qualtrics" / "qualtRics__sample.csv")
    assert real.attrs["excluded"] == 0
    assert EXCLUSION_COLUMN not in real.columns
    m = Mapping(columns={"ResponseID": "respondent_id"}, constants={"wave": "pre", "process_id": "p1"})
    legacy = read_responses(EXPORTS / "qualtrics" / "QT2017__many_qtypes__insights.csv", mapping=m)
    res = validate(legacy, "institutional_trust")
    assert (len(res.valid), len(res.quarantined)) == (0, 5)
    assert set(res.failures["check"]) >= {"excluded_response"}
    info = res.summary.query("check == 'excluded_response' and severity == 'info'")
    assert info[["reason", "n"]].values.tolist() == [["Qualtrics test response (Status 'Survey Test')", 5]]


def _qualtrics_with_line_breaks(line_end: str) -> bytes:
    text = (EXPORTS / "qualtrics" / "qualtRics__sample.csv").read_text(encoding="utf-8")
    text = text.replace("This is a multiple choice question.", '"This is a multiple\nchoice question."')
    text = text.replace("This is a free text question.", '"This is a\nfree text\nquestion."')
    return text.replace("\n", line_end).encode("utf-8")


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR-only"])
def test_qualtrics_question_text_with_line_breaks_is_recognised(tmp_path, line_end):
    path = tmp_path / "export.csv"
    path.write_bytes(_qualtrics_with_line_breaks(line_end))
    assert detect_format(path) == "qualtrics"
    raw = read_table(path)
    assert len(raw) == 1
    assert raw.attrs["first_line"] == 7  # 3 header rows over 6 lines
    assert raw.attrs["column_labels"]["Q2"].split() == ["This", "is", "a", "free", "text", "question."]
    df = read_responses(path)
    assert df.loc[0, "Q2"] == "Hello World!"
    assert "IPAddress" not in df.columns
    assert "LocationLatitude" not in df.columns


def test_qualtrics_previews_spam_and_unfinished_responses_are_flagged(tmp_path):
    records = _csv_records(EXPORTS / "qualtrics" / "qualtRics__sample.csv")
    header, row = records[:3], records[3]
    status, finished, progress = (header[0].index(k) for k in ("Status", "Finished", "Progress"))
    rows = []
    for s, f, pr in (("0", "1", "100"), ("1", "1", "100"), ("8", "1", "100"), ("0", "0", "40"), ("Survey Preview", "True", "100")):
        r = list(row)
        r[status], r[finished], r[progress] = s, f, pr
        rows.append(r)
    buf = io.StringIO()
    csv.writer(buf).writerows(header + rows)
    path = tmp_path / "q.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    df = read_responses(path)
    assert df[EXCLUSION_COLUMN].tolist()[1:] == [
        "Qualtrics preview (Status 'Survey Preview')", "Qualtrics spam (Status 'Spam')",
        "unfinished response (Finished 0; Progress 40%)", "Qualtrics preview (Status 'Survey Preview')",
    ]
    assert pd.isna(df[EXCLUSION_COLUMN][0])
    assert df.attrs["excluded"] == 4


def test_limesurvey_full_answer_export_with_question_text_headings():
    path = EXPORTS / "limesurvey" / "SSI2017__rse_nl_public_data.csv"
    records = _csv_records(path)
    raw = read_table(path)
    assert raw.attrs["format"] == "limesurvey"
    assert len(raw) == len(records) - 1 == 77
    assert raw.shape[1] == len(records[0]) - 1  # pandas' unnamed index column dropped
    assert raw.attrs["dropped_columns"][0]["column"] == ""
    assert "rse3[SQ001]" in raw.columns
    assert "socio1" in raw.columns
    assert raw.attrs["column_labels"]["socio1"] == "In which country do you work?"
    assert raw["socio1"].eq("Netherlands").all()


def test_limesurvey_token_arrays_and_unsubmitted_responses(tmp_path):
    ins = load_instrument("institutional_trust")
    path = tmp_path / "ls.csv"
    path.write_text(
        "id,token,submitdate,lastpage,startlanguage,trust[parliament],trust[police]\n"
        "1,r1,2024-03-01 10:00:00,3,fr,7,Ne sait pas\n"
        "2,r2,,1,fr,5,\n", encoding="utf-8")
    assert detect_format(path) == "limesurvey"
    df = read_responses(path, ins)
    assert df["respondent_id"].tolist() == ["r1", "r2"]
    assert df["trust_parliament"].tolist() == [7.0, 5.0]
    assert df["trust_police"].tolist()[0] == 88.0  # "Ne sait pas" is the instrument's don't know (88)
    assert pd.isna(df[EXCLUSION_COLUMN][0])
    assert df[EXCLUSION_COLUMN][1].startswith("LimeSurvey response not submitted")


@pytest.mark.parametrize("path", sorted((EXPORTS / "odk").glob("*.csv.expected")), ids=lambda p: p.name)
def test_odk_briefcase_metadata_dropped(path, tmp_path):
    file = _readable(path, tmp_path)
    assert detect_format(file) == "kobo"
    df = read_responses(file)
    assert len(df) == len(_csv_records(path)) - 1
    for meta in ("SubmissionDate", "KEY", "PARENT_KEY", "meta-instanceID"):
        assert meta not in df.columns
    assert not [c for c in df.columns if str(c).startswith("SET-OF-")]


def test_odk_briefcase_values_kept_as_written(tmp_path):
    df = read_responses(_readable(EXPORTS / "odk" / "briefcase__simple-form-double-quotes.csv.expected", tmp_path))
    assert df.to_dict("list") == {"some_text": ['some " text']}
    choices = read_responses(_readable(EXPORTS / "odk" / "briefcase__choice-lists.csv.expected", tmp_path))
    assert choices.loc[0, "some_string"] == "CHOICE_1"


@pytest.mark.parametrize("name", ["pyreadstat__sample_missing.sav", "pyreadstat__missing_test.sav",
                                  "pyreadstat__missing_test.dta", "haven__tagged-na-int.dta"])
def test_declared_missing_values_become_missing_like_pyreadstat_says(name):
    path = EXPORTS / "spss_stata" / name
    reader = pyreadstat.read_sav if name.endswith(".sav") else pyreadstat.read_dta
    reference, _ = reader(str(path))  # user_missing=False: pyreadstat sets declared missing to NaN
    reference = reference.mask(reference.eq(""))  # blank text cells are missing in deliberval
    df = read_responses(path)
    assert list(df.columns) == list(reference.columns)
    for col in reference.columns:
        assert df[col].isna().tolist() == reference[col].isna().tolist(), col
    declared = sum(r["n"] for r in df.attrs.get("declared_missing", ()))
    raw = read_table(path)
    raw = raw.mask(raw.eq(""))
    assert declared == int((raw.isna().to_numpy() != reference.isna().to_numpy()).sum()) > 0


def test_spss_user_missing_values_and_ranges_with_their_reasons():
    df = read_responses(EXPORTS / "spss_stata" / "pyreadstat__sample_missing.sav")
    assert df["mynum"].tolist()[:5] == [1.1, 1.2, -1000.3, -1.4, 1000.3]
    assert np.isnan(df["mynum"][5])
    assert np.isnan(df["mynum"][6])
    counts = {(r["column"], r["code"]): (r["label"], r["declared"], r["n"]) for r in df.attrs["declared_missing"]}
    assert counts == {
        ("mynum", "2500"): ("", "user-missing range 2000 to 3000", 1),
        ("mynum", "-1"): ("", "user-missing value", 1),
        ("mylabl", "-1"): ("undetermined", "user-missing value", 1),
        ("myord", "-1"): ("missing", "user-missing value", 1),
        ("myord", "-3"): ("", "user-missing value", 1),
    }
    raw = read_table(EXPORTS / "spss_stata" / "pyreadstat__sample_missing.sav")  # the codes, as written
    assert raw["mynum"].tolist()[5:] == [-1.0, 2500.0]
    assert raw.attrs["user_missing"]["mynum"] == [(2000.0, 3000.0), -1.0]


def test_stata_tagged_missing_values_with_their_labels():
    raw = read_table(EXPORTS / "spss_stata" / "haven__tagged-na-int.dta")
    assert raw["x"].tolist() == [1, 2, 3, 4, 5, ".a", ".h", ".z"]
    assert raw.attrs["value_labels"]["x"] == {".a": "apple", ".z": ".zebra"}
    df = read_responses(EXPORTS / "spss_stata" / "haven__tagged-na-int.dta")
    assert df["x"].tolist()[:5] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert df["x"].isna().sum() == 3
    assert [(r["code"], r["label"], r["n"]) for r in df.attrs["declared_missing"]] == [
        (".a", "apple", 1), (".h", "", 1), (".z", ".zebra", 1)]


@pytest.mark.parametrize("name", ["pyreadstat__sample.sav", "pyreadstat__sample.dta", "haven__labelled-str.sav",
                                  "pyreadstat__sample_missing.sav"])
def test_value_labels_are_available_for_mapping(name):
    path = EXPORTS / "spss_stata" / name
    reader = pyreadstat.read_sav if name.endswith(".sav") else pyreadstat.read_dta
    _, meta = reader(str(path), metadataonly=True)
    raw = read_table(path)
    df = read_responses(path)
    assert raw.attrs["value_labels"] == meta.variable_value_labels == df.attrs["value_labels"]
    if "gender" in raw.columns:
        assert raw.attrs["value_labels"]["gender"] == {"F": "Female", "M": "Male"}
    else:
        assert raw.attrs["value_labels"]["mylabl"][1] == "Male"


def test_a_declared_dont_know_is_never_a_substantive_answer(tmp_path):
    """A 9 declared "don't know" on a 0-10 item becomes NA; the instrument's own 88 stays a code."""
    ins = load_instrument("institutional_trust")
    data = pd.DataFrame({"respondent_id": ["a", "b", "c", "d"], "wave": ["pre"] * 4,
                         "trust_parliament": [3.0, 9.0, 88.0, 10.0]})
    path = tmp_path / "dk.sav"
    pyreadstat.write_sav(data, str(path), missing_ranges={"trust_parliament": [9.0, 88.0]},
                         variable_value_labels={"trust_parliament": {9.0: "don't know", 88.0: "Don't know"}})
    df = read_responses(path, ins)
    assert df["trust_parliament"].tolist()[0] == 3.0
    assert np.isnan(df["trust_parliament"][1])
    assert df["trust_parliament"].tolist()[2:] == [88.0, 10.0]
    actions = {r["code"]: r["action"] for r in df.attrs["declared_missing"]}
    assert actions == {"9": "set to NA", "88": "kept: a missing code of the instrument"}
    res = validate(df, ins)
    assert len(res.valid) == 4
    info = res.summary[res.summary["check"].isin(["declared_missing", "missing_code"])]
    assert sorted(info["reason"]) == ["don't know (9): set to NA", "dont_know (88)"]
    assert res.valid["trust_parliament"].notna().sum() == 2  # 3 and 10 only


def test_label_text_exports_are_decoded_in_five_languages(tmp_path):
    ins = load_instrument("political_efficacy")
    labels = ["Strongly agree", "  plutôt   D'ACCORD ", "Helemaal niet mee eens", "Stimme eher zu", "helt enig",
              "Plutot d’accord", "Weiß nicht", "Agre", "4"]
    path = tmp_path / "labels.csv"
    pd.DataFrame({"respondent_id": [f"r{i}" for i in range(len(labels))], "wave": ["pre"] * len(labels),
                  "efficacy_int_understand": labels}).to_csv(path, index=False)
    df = read_responses(path, ins)
    assert df["efficacy_int_understand"].tolist()[:7] == ["5", "4", "1", "4", "5", "4", "8"]
    assert df["efficacy_int_understand"].tolist()[7:] == ["Agre", "4"]
    assert sum(r["n"] for r in df.attrs["label_decodings"]) == 7
    unknown = df.attrs["unknown_labels"]
    assert [(u["value"], u["n"]) for u in unknown] == [("Agre", 1)]
    assert unknown[0]["suggestions"][0] == "Agree"
    res = validate(df, ins)
    assert res.quarantined["respondent_id"].tolist() == ["r7"]  # the unknown label only
    assert any("closest labels: 'Agree'" in note for note in res.notes)
    message = res.failures.query("check == 'type'")["message"].tolist()
    assert message == ["label 'Agre' matches no answer label of the instrument; did you mean 'Agree' or 'Disagree'? "
                       "Expected one of 1, 2, 3, 4, 5; missing codes 8, 9"]
    assert res.summary.query("check == 'label_decoded'")["n"].sum() == 7


def test_limesurvey_lss_gives_codes_and_labels():
    folder = EXPORTS / "limesurvey"
    df = read_responses(folder / "SSI2017__rse_nl_public_data.csv", lss=folder / "SSI2017__uk_core_survey.lss")
    assert len(df) == 77
    # in the .lss, answer code 157 of question socio1 is "Netherlands" (checked in the XML itself)
    lss_text = (folder / "SSI2017__uk_core_survey.lss").read_text(encoding="utf-8")
    assert "<code><![CDATA[157]]></code>\n    <answer><![CDATA[Netherlands]]></answer>" in lss_text
    assert df["socio1"].tolist() == [157.0] * 77
    assert df.attrs["value_labels"]["socio1"]["157"] == "Netherlands"
    assert df.attrs["column_labels"]["rse1"] == "Do you write code as part of your job?"
    decoded = {(r["column"], r["label"]): (r["code"], r["n"]) for r in df.attrs["label_decodings"]}
    assert decoded[("socio1", "Netherlands")] == ("157", 77)
    assert decoded[("edu2", "Computer Science")] == ("17", 20)
    raw = read_table(folder / "SSI2017__rse_nl_public_data.csv")
    assert int(raw["edu2"].eq("Computer Science").sum()) == 20
    assert df.attrs["lss"]["sha256"].startswith("051d50ef3110851a")  # as in the folder's README


def test_legacy_xls_workbooks_are_read(tmp_path):
    statsmodels = pytest.importorskip("statsmodels")
    path = Path(statsmodels.__file__).parent / "tsa/statespace/tests/results/frbny_nowcast/Nowcasting/test_spec.xls"
    if not path.is_file():
        pytest.skip("statsmodels' test workbook is not installed")
    xlrd = pytest.importorskip("xlrd")
    sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
    df = read_table(path)
    assert df.shape == (sheet.nrows - 1, sheet.ncols)
    assert df.loc[0, "SeriesID"] == "GDPC1"
    assert df.loc[0, "Model"] == "1"  # a whole number without .0
    fake = tmp_path / "not.xls"
    fake.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook")
    with pytest.raises(DataInputError, match=r"not\.xls: cannot be read as a legacy Excel \(\.xls\) workbook") as info:
        read_table(fake)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("path", "platform"), [
    (EXPORTS / "limesurvey" / "SSI2017__rse_nl_public_data.csv", "limesurvey"),
    (EXPORTS / "odk" / "briefcase__nested-repeats-g1-append.csv.expected", "kobo"),
    (EXPORTS / "qualtrics" / "QT2021__winter2021__datatable.csv", "qualtrics"),
], ids=lambda v: getattr(v, "name", v))
def test_cr_only_line_ends_are_sniffed_and_read(path, platform, tmp_path):
    """Excel for Mac's "CSV (Macintosh)": every line ends with CR alone."""
    target = tmp_path / "mac.csv"
    target.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    assert b"\n" not in target.read_bytes()
    assert detect_format(target) == platform
    assert len(read_responses(target)) == len(_csv_records(path)) - HEADER_ROWS.get(path.name, 1)


def test_categorical_labels_are_decoded_to_string_codes(tmp_path):
    """A Kobo "labels" export: answers written as labels in several languages."""
    path = tmp_path / "kobo_labels.csv"
    path.write_text("respondent_id;wave;demographics/demo_gender;demographics/demo_age_band;_uuid;_index\n"
                    "a;pre;Femme;16-24;u1;1\nb;pre;Kvinde;25_34;u2;2\nc;pre;man;35-44;u3;3\n"
                    "d;pre;Prefer not to say;45-54;u4;4\n", encoding="utf-8")
    assert detect_format(path) == "kobo"
    df = read_responses(path, load_instrument("demographics"))
    assert df["demo_gender"].tolist() == ["woman", "woman", "man", "refused"]
    assert df["demo_age_band"].tolist() == ["16_24", "25_34", "35_44", "45_54"]
    assert sum(r["n"] for r in df.attrs["label_decodings"]) == 6  # "man" and "25_34" were codes already
    assert "unknown_labels" not in df.attrs


def test_qualtrics_header_rows_longer_than_64_kib_are_recognised(tmp_path):
    n = 600  # 600 questions with long texts: the three header rows take about 120 KB
    tags = ["StartDate", "Status", "Finished", "UserLanguage"] + [f"Q{i}" for i in range(n)]
    texts = ["Start Date", "Response Type", "Finished", "User Language"] + [f"Question {i}: " + "long text " * 15 for i in range(n)]
    ids = ['{"ImportId":"startDate"}', '{"ImportId":"status"}', '{"ImportId":"finished"}',
           '{"ImportId":"userLanguage"}'] + [f'{{"ImportId":"QID{i}"}}' for i in range(n)]
    buf = io.StringIO()
    csv.writer(buf).writerows([tags, texts, ids, ["2024-01-01", "0", "1", "EN-GB"] + ["3"] * n])
    path = tmp_path / "big.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    assert len(buf.getvalue()) > 65536
    assert detect_format(path) == "qualtrics"
    df = read_responses(path)
    assert df.shape == (1, n + 1)
    assert df["language"].tolist() == ["en"]  # Qualtrics' EN-GB


def test_qualtrics_qsf_gives_value_labels_and_decodes_choice_text(tmp_path):
    folder = EXPORTS / "qualtrics"
    numeric = read_table(folder / "QT2021__winter2021__datatable.csv", qsf=folder / "QT2021__winter2021.qsf")
    labels = numeric.attrs["value_labels"]
    assert labels["mcsa"] == {"1": "Soccer", "2": "Softball", "3": "Crew", "4": "Track"}
    # a Likert matrix: recode values 4..1 of "Very satisfied".."Very dissatisfied", one column per statement
    assert labels["program_sat_staff"] == {"4": "Very satisfied", "3": "Satisfied", "2": "Dissatisfied", "1": "Very dissatisfied"}
    assert "label_decodings" not in numeric.attrs  # a numeric export: nothing to decode
    assert numeric.attrs["qsf"]["sha256"].startswith("c8f090a68e0678eb")  # as in the folder's README
    # the same export as Qualtrics writes it with "choice text": labels instead of recode values
    records = _csv_records(folder / "QT2021__winter2021__datatable.csv")
    header = records[0]
    for col in ("mcsa", "program_sat_staff"):
        j = header.index(col)
        for r in records[3:]:
            r[j] = labels[col].get(r[j], r[j])
    buf = io.StringIO()
    csv.writer(buf).writerows(records)
    path = tmp_path / "choice_text.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    text = read_table(path, qsf=folder / "QT2021__winter2021.qsf")
    assert text["mcsa"].tolist() == numeric["mcsa"].tolist()
    assert text["program_sat_staff"].tolist() == numeric["program_sat_staff"].tolist()
    assert sum(r["n"] for r in text.attrs["label_decodings"]) == 300  # 150 responses x 2 columns
    legacy = read_table(folder / "QT2017__many_qtypes__legacy.csv", qsf=folder / "QT2017__many_qtypes.qsf")
    assert legacy.attrs["value_labels"]["fruits"] == {"1": "Oranges", "2": "Blueberries", "3": "Strawberries"}
    assert legacy.attrs["value_labels"]["Q3_1"] == {"1": "Like", "2": "Neither like nor dislike", "3": "Dislike"}


def test_odk_xform_gives_choice_labels_and_decodes_a_labels_export(tmp_path):
    folder = EXPORTS / "odk"
    codes = read_table(_readable(folder / "briefcase__choice-lists.csv.expected", tmp_path), xform=folder / "briefcase__choice-lists.xml")
    expected = {"CHOICE_1": "CHOICE 1", "CHOICE_2": "CHOICE 2"}
    assert codes.attrs["value_labels"] == dict.fromkeys(("some_string", "another_string", "some_group-yet_another_string"), expected)
    assert "label_decodings" not in codes.attrs
    labels_export = tmp_path / "labels.csv"
    text = (folder / "briefcase__choice-lists.csv.expected").read_text(encoding="utf-8")
    labels_export.write_text(text.replace(",CHOICE_1,", ",CHOICE 1,").replace(",CHOICE_2,", ",CHOICE 2,"), encoding="utf-8")
    decoded = read_table(labels_export, xform=folder / "briefcase__choice-lists.xml")
    assert decoded.loc[0, ["some_string", "another_string", "some_group-yet_another_string"]].tolist() == [
        "CHOICE_1", "CHOICE_2", "CHOICE_1"]
    assert sum(r["n"] for r in decoded.attrs["label_decodings"]) == 3
    nested = read_table(_readable(folder / "briefcase__nested-repeats-g1-append.csv.expected", tmp_path),
                        xform=folder / "briefcase__nested-repeats.xml")
    assert len(nested) == 6
    assert nested.attrs["xform"]["sha256"].startswith("83ebbfcaa4208487")  # as in the folder's README


@pytest.mark.parametrize("name", ["qualtRics__sample.csv", "qualtRics__sample_legacy.csv"])
def test_qualtrics_export_saved_as_excel_is_recognised(name, tmp_path):
    records = _csv_records(EXPORTS / "qualtrics" / name)
    path = tmp_path / "export.xlsx"
    pd.DataFrame(records[1:], columns=[c or f"blank{i}" for i, c in enumerate(records[0])]).to_excel(path, index=False)
    df = read_responses(path)
    assert len(df) == len(records) - HEADER_ROWS[name] == 1
    assert df.attrs["first_line"] == HEADER_ROWS[name] + 1
    assert df.attrs["qualtrics_variant"] == ("legacy" if "legacy" in name else "current")
    assert df.loc[0, "Q2"] == "Hello World!"
    assert not {"IPAddress", "ResponseID", "ResponseId", "LocationLatitude"} & set(df.columns)
