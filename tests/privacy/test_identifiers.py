"""Direct identifiers: detection by name (en / fr / nl / de / da) and by content, and the CLI's exits.

Real platform exports (tests/data/platform-exports/, see tests/data/SOURCES.md) give the names
the platforms really write: Qualtrics' English export tags and German column labels, its legacy
export whose second header row lands in the data, 131 question-text headings of a LimeSurvey
export and ODK Briefcase exports (none of which are identifiers).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.cli import app
from deliberval.privacy import (
    DIRECT_IDENTIFIERS,
    KEY_ENV_VAR,
    find_identifiers,
    identifier_category,
    identifier_columns,
    pseudonymise,
)

EXPORTS = Path(__file__).parents[1] / "data" / "platform-exports"
SURVEYS = Path(__file__).parents[1] / "io" / "fixtures" / "surveys"
KEY = "a-key-of-the-evaluation-team-2026"
runner = CliRunner()


def _hmac16(value: str, key: str = KEY) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:16]


def _header_rows(path: Path, n: int) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[:n]


# --- names ---------------------------------------------------------------------------------------

NAMES = [
    # English
    ("Email Address", "e-mail"), ("E-mail", "e-mail"), ("email", "e-mail"), ("Name", "name"),
    ("Name of respondent", "name"), ("first_name", "name"), ("LastName", "name"), ("Surname", "name"),
    ("mobile_phone", "phone"), ("Phone number", "phone"), ("Home address", "address"),
    ("Street", "address"), ("Postcode", "postcode"), ("ZIP code", "postcode"),
    ("IPAddress", "ip_address"), ("IP", "ip_address"), ("LocationLatitude", "geolocation"),
    ("longitude", "geolocation"), ("GPS", "geolocation"), ("Date of birth", "birth_date"),
    ("What is your e-mail address?", "e-mail"), ("username_hash", "account"),
    # platform token attributes
    ("RecipientEmail", "e-mail"), ("RecipientFirstName", "name"), ("RecipientLastName", "name"),
    ("firstname", "name"), ("ipaddr", "ip_address"), ("deviceid", "device"),
    ("phonenumber", "phone"), ("subscriberid", "device"), ("simserial", "device"),
    # French
    ("nom", "name"), ("Prénom", "name"), ("Nom de famille", "name"), ("courriel", "e-mail"),
    ("Adresse e-mail", "e-mail"), ("Téléphone", "phone"), ("GSM", "phone"),
    ("adresse", "address"), ("Code postal", "postcode"), ("Adresse IP", "ip_address"),
    ("Date de naissance", "birth_date"), ("Quel est votre numéro de téléphone ?", "phone"),
    # Dutch
    ("naam", "name"), ("Voornaam", "name"), ("Achternaam", "name"), ("telefoonnummer", "phone"),
    ("Mobiel nummer", "phone"), ("E-mailadres", "e-mail"), ("Adres", "address"),
    ("woonadres", "address"), ("Straatnaam", "address"), ("Geboortedatum", "birth_date"),
    ("BSN", "national_id"),
    # German
    ("Vorname", "name"), ("Nachname des Empfängers", "name"), ("E-Mail des Empfängers", "e-mail"),
    ("Telefon", "phone"), ("Handynummer", "phone"), ("Straße", "address"),
    ("Postleitzahl", "postcode"), ("IP-Adresse", "ip_address"), ("Breitengrad des Standorts", "geolocation"),
    ("Längengrad des Standorts", "geolocation"), ("Geburtsdatum", "birth_date"),
    # Danish
    ("navn", "name"), ("Fornavn", "name"), ("Efternavn", "name"), ("telefon", "phone"),
    ("mobilnummer", "phone"), ("tlf", "phone"), ("hjemmeadresse", "address"), ("Postnummer", "postcode"),
    ("CPR-nummer", "national_id"), ("Fødselsdato", "birth_date"), ("Længdegrad", "geolocation"),
    ("Hvad er dit navn?", "name"),
]

NOT_IDENTIFIERS = [
    # canonical columns and instrument-like items
    "respondent_id", "process_id", "person_id", "wave", "group", "role", "language", "weight",
    "duration_seconds", "trust_parliament", "fx_eff_1", "demo_gender", "demo_age_band",
    "demo_postcode",  # a declared demographic may stratify by postcode (published only in suppressed counts)
    # things that have names, and the verb "name"
    "process name", "Nom du fichier", "naam van het project", "Name of the assembly", "kommune navn",
    "Please name three issues you care about", "Name your top priority",
    # long question texts that mention a word without asking for it
    "Did you read the e-mail invitation we sent before the first session?",
    "How did you feel about the address by the mayor at the opening session?",
    # look-alikes
    "addressed", "concerns_addressed", "nombre", "Q2_1", "stage", "funnel_stage", "latency",
    "mobility", "telemetry_ok", "ExternalReference", "ResponseId", "Status", "UserLanguage",
]


@pytest.mark.parametrize(("name", "category"), NAMES)
def test_identifier_names_in_five_languages(name, category):
    assert identifier_category(name) == category


@pytest.mark.parametrize("name", NOT_IDENTIFIERS)
def test_not_identifier_names(name):
    assert identifier_category(name) is None


def test_postcode_outside_demographics_and_legacy_list():
    assert identifier_category("demo_postcode", demographic_ok=False) == "postcode"
    assert identifier_category("demo_email") == "e-mail"  # only a postcode is a demographic
    # every name of the old exact English list is still recognised
    assert [c for c in DIRECT_IDENTIFIERS if identifier_category(c) is None] == []


# --- real exports ---------------------------------------------------------------------------------

QUALTRICS_FLAGS = ["ip_address", "name", "name", "e-mail", "geolocation", "geolocation"]


def test_qualtrics_export_tags_and_german_labels():
    tags, labels = _header_rows(EXPORTS / "qualtrics" / "qualtRics__sample.csv", 2)
    flagged = [(c, identifier_category(c)) for c in tags if identifier_category(c)]
    assert flagged == [("IPAddress", "ip_address"), ("RecipientLastName", "name"),
                       ("RecipientFirstName", "name"), ("RecipientEmail", "e-mail"),
                       ("LocationLatitude", "geolocation"), ("LocationLongitude", "geolocation")]
    # the same columns labelled in German by Qualtrics (survey language DE)
    flagged = [(c, identifier_category(c)) for c in labels if identifier_category(c)]
    assert flagged == [("IP-Adresse", "ip_address"), ("Nachname des Empfängers", "name"),
                       ("Vorname des Empfängers", "name"), ("E-Mail des Empfängers", "e-mail"),
                       ("Breitengrad des Standorts", "geolocation"), ("Längengrad des Standorts", "geolocation")]


def test_qualtrics_2021_question_texts_flag_only_the_metadata():
    tags, texts = _header_rows(EXPORTS / "qualtrics" / "QT2021__winter2021__datatable.csv", 2)
    assert len(texts) == 141
    flagged = [c for c in texts if identifier_category(c)]
    assert flagged == ["IP Address", "Recipient Last Name", "Recipient First Name", "Recipient Email",
                       "Location Latitude", "Location Longitude"]
    assert [identifier_category(c) for c in tags if identifier_category(c)] == QUALTRICS_FLAGS


def test_limesurvey_question_headings_and_odk_exports_hold_no_identifier():
    headings = _header_rows(EXPORTS / "limesurvey" / "SSI2017__rse_nl_public_data.csv", 1)[0]
    assert len(headings) == 131
    assert [c for c in headings if identifier_category(c)] == []
    data = pd.read_csv(EXPORTS / "limesurvey" / "SSI2017__rse_nl_public_data.csv", dtype=str)
    assert find_identifiers(data).empty  # 77 real answers: nothing shaped like an identifier
    for f in sorted((EXPORTS / "odk").glob("*.csv.expected")):
        assert find_identifiers(pd.read_csv(f, dtype=str)).empty, f.name


def test_legacy_qualtrics_ip_found_by_content():
    # the legacy export's second header row lands in the data: column V6 holds "IPAddress" and
    # the respondent's IP address; half the non-empty cells are enough
    data = pd.read_csv(EXPORTS / "qualtrics" / "qualtRics__sample_legacy.csv", dtype=str, encoding="utf-8-sig")
    found = find_identifiers(data)
    assert found[["column", "category", "evidence"]].values.tolist() == [
        ["V6", "ip_address", "content"], ["LocationLatitude", "geolocation", "name"],
        ["LocationLongitude", "geolocation", "name"]]
    assert found["reason"].iloc[0] == "1 of 2 non-empty cells look like IP addresses"


# --- content --------------------------------------------------------------------------------------

def test_content_shapes():
    df = pd.DataFrame({
        "respondent_id": ["anna@gentofte.dk", "bo@gentofte.dk", "carl@gentofte.dk", None],
        "contact": ["+45 20 12 34 56", "01 42 68 53 00", "06-12345678", "+32 (0)470 12.34.56"],
        "kontakt": ["jean.dupont@mairie-liege.be", "n/a", "", "x@y.de"],
        "where": ["55.6761 12.5683 0 5", "55.6800 12.5700 0 4", None, None],
        "machine": ["130.92.34.66", "2001:db8::1", "10.0.0.1", "-"],
        "cpr": ["010203-1234", "311299-4321", None, None],  # named cpr: found by its name first
        "nr": ["010203-1234", "311299-4321", None, None],
    })
    found = find_identifiers(df)
    assert found[["column", "category", "evidence"]].values.tolist() == [
        ["respondent_id", "e-mail", "content"], ["contact", "phone", "content"],
        ["kontakt", "e-mail", "content"], ["where", "geolocation", "content"],
        ["machine", "ip_address", "content"], ["cpr", "national_id", "name"],
        ["nr", "national_id", "content"]]
    assert found["reason"].iloc[0] == "3 of 3 non-empty cells look like e-mail addresses"
    assert found["reason"].iloc[2] == "2 of 3 non-empty cells look like e-mail addresses"


def test_content_negatives():
    df = pd.DataFrame({
        "respondent_id": ["001", "002", "003", "004"],
        "started": ["2024-03-12", "12/03/2024", "2024-03-13 10:00:00", "13/03/2024"],
        "score": ["3.14159265", "2.5", "10", "-99"],
        "population": ["100 000 000", "5 800 000", "1,234,567", "12 000"],
        "code": ["20123456", "20123457", "20123458", "20123459"],  # plain digits: ids, not phones
        "ResponseId": ["R_2YPOQ602ER1jkf1", "R_1", "R_2", "R_3"],
        "KEY": ["uuid:39f3dd36-161e-45cb-a1a4-395831d253a7"] * 4,
        "q9": ["a@b.dk", "no", "no", "no"],  # 1 of 4: below half
        "numbers": [20123456.0, 1.0, 2.0, 3.0],
    })
    assert find_identifiers(df).empty
    assert identifier_columns(df, by_content=False) == []


def test_instrument_items_and_exempt_columns(fixture_instrument):
    df = pd.DataFrame({"fx_trust": [1.0], "name": ["Climate assembly"], "navn": ["Ann"]})
    assert identifier_columns(df, fixture_instrument, exempt=["name"]) == ["navn"]
    with pytest.raises(Exception, match="min_share"):
        find_identifiers(df, min_share=0)


def test_pseudonymise_drops_identifiers_in_any_language(fixture_instrument):
    df = pd.DataFrame({"respondent_id": ["1", "2"], "wave": ["pre", "pre"], "fx_trust": [3.0, 4.0],
                       "Email Address": ["a@x.dk", "b@x.dk"], "navn": ["Ann", "Bo"], "prénom": ["Anne", "Bob"],
                       "courriel": ["a@x.fr", "b@x.fr"], "telefon": ["20 12 34 56", "20 12 34 57"],
                       "Name of respondent": ["Ann", "Bo"], "mobile_phone": ["+45 1", "+45 2"],
                       "contact": ["+45 20 12 34 56", "+45 20 12 34 58"]})
    out = pseudonymise(df, key=KEY, instrument=fixture_instrument)
    assert out.columns.tolist() == ["respondent_id", "wave", "fx_trust"]
    assert out.attrs["dropped_columns"] == ["Email Address", "navn", "prénom", "courriel", "telefon",
                                            "Name of respondent", "mobile_phone", "contact"]
    assert out["respondent_id"].tolist() == [_hmac16("1"), _hmac16("2")]


# --- the command line -----------------------------------------------------------------------------

BODY = ("respondent_id,wave,fx_trust,Email Address,navn,remarks\n"
        "1,pre,3,ann@gentofte.dk,Ann,I think Mette from the council rigged this thing\n"
        "2,pre,4,bo@gentofte.dk,Bo,The experts were all very biased said Ann Hansen\n")
IDENTIFYING = ("gentofte.dk", "Ann", "Mette", "Email Address", "navn", "remarks")


def _data(folder: Path, body: str = BODY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / "data.csv"
    p.write_text(body, encoding="utf-8")
    return p


def _key(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    k = folder / "key.txt"
    k.write_text(KEY + "\n")
    return k


def _validate(data: Path, out: Path, *flags: str):
    return runner.invoke(app, ["validate", str(data), "-i", "fixture_survey", "-o", str(out),
                               "--surveys", str(SURVEYS), *flags])


def _written(out: Path) -> str:
    """Every byte written to the output folder, as text (Parquet columns and values included)."""
    parts = []
    for f in sorted(out.iterdir()):
        if f.suffix == ".parquet":
            t = pd.read_parquet(f)
            parts.append(",".join(map(str, t.columns)) + "\n" + t.to_csv(index=False))
        else:
            parts.append(f.read_text(encoding="utf-8"))
    return "\n".join(parts)


def test_validate_refuses_identifiers_and_free_text_in_one_line(tmp_path):
    out = tmp_path / "out"
    res = _validate(_data(tmp_path / "data"), out)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "'Email Address' (e-mail, by name), 'navn' (name, by name), 'remarks' (free text)" in lines[0]
    assert "--pseudonymise --key-file FILE" in lines[0]
    assert "--keep-identifiers" in lines[0]
    assert "Traceback" not in res.output
    assert not out.exists()  # nothing written


def test_validate_refuses_email_ids_by_content(tmp_path):
    body = "respondent_id,wave,fx_trust\nann@gentofte.dk,pre,3\nbo@gentofte.dk,pre,4\n"
    res = _validate(_data(tmp_path / "data", body), tmp_path / "out")
    assert res.exit_code == 2, res.output
    assert "'respondent_id' (e-mail, by content)" in res.output


def test_validate_pseudonymise_writes_no_identifier(tmp_path):
    out = tmp_path / "out"
    key = _key(tmp_path / "keys")
    res = _validate(_data(tmp_path / "data"), out, "--pseudonymise", "--key-file", str(key))
    assert res.exit_code == 0, res.output
    assert "respondent_id replaced by keyed pseudonyms; left out 'Email Address', 'navn', 'remarks'" in res.output
    assert "warning" not in res.output  # the key is kept apart from the data
    valid = pd.read_csv(out / "valid.csv", dtype=str)
    assert valid.columns.tolist() == ["respondent_id", "wave", "fx_trust"]
    assert valid["respondent_id"].tolist() == [_hmac16("1"), _hmac16("2")]
    assert pd.read_parquet(out / "valid.parquet").columns.tolist() == ["respondent_id", "wave", "fx_trust"]
    written = _written(out)
    assert [w for w in IDENTIFYING if w in written] == []
    assert KEY not in written


def test_validate_pseudonymise_email_ids_and_failures(tmp_path):
    body = "respondent_id,wave,fx_trust\nann@gentofte.dk,pre,3\nbo@gentofte.dk,later,4\n"
    out = tmp_path / "out"
    res = _validate(_data(tmp_path / "data", body), out, "--pseudonymise", "--key-file", str(_key(tmp_path / "k")))
    assert res.exit_code == 1, res.output  # one row quarantined (wave "later")
    failures = pd.read_csv(out / "failures.csv", dtype=str)
    assert failures["id"].tolist() == [_hmac16("bo@gentofte.dk")]
    assert "gentofte.dk" not in _written(out)


def test_validate_keep_identifiers_keeps_them_with_a_warning(tmp_path):
    out = tmp_path / "out"
    res = _validate(_data(tmp_path / "data"), out, "--keep-identifiers")
    assert res.exit_code == 0, res.output
    assert "warning: " in res.output
    assert "as asked (--keep-identifiers)" in res.output
    assert pd.read_csv(out / "valid.csv").columns.tolist() == [
        "respondent_id", "wave", "fx_trust", "Email Address", "navn", "remarks"]


def test_key_file_in_the_data_folder_warns(tmp_path):
    data = _data(tmp_path / "data")
    res = _validate(data, tmp_path / "out", "--pseudonymise", "--key-file", str(_key(tmp_path / "data" / "secret")))
    assert res.exit_code == 0, res.output
    warnings = [ln for ln in res.output.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1
    assert "sits in the data folder" in warnings[0]
    assert "keep the key elsewhere" in warnings[0]


def test_flag_errors_are_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    data = _data(tmp_path / "data")
    key = _key(tmp_path / "k")
    cases = [
        (["--pseudonymise", "--key-file", str(key), "--keep-identifiers"], "contradict each other"),
        (["--key-file", str(key)], "is used only with --pseudonymise"),
        (["--pseudonymise"], "--pseudonymise needs a key"),
        (["--pseudonymise", "--key-file", str(tmp_path / "none.txt")], "cannot read the pseudonymisation key file"),
    ]
    for flags, text in cases:
        res = _validate(data, tmp_path / "out", *flags)
        assert res.exit_code == 2, (flags, res.output)
        assert text in res.output
        assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1, res.output
    short = tmp_path / "short.txt"
    short.write_text("abc")
    res = _validate(data, tmp_path / "out", "--pseudonymise", "--key-file", str(short))
    assert res.exit_code == 2
    assert "expected at least 16" in res.output
    monkeypatch.setenv(KEY_ENV_VAR, KEY)  # the environment variable serves too
    res = _validate(data, tmp_path / "out", "--pseudonymise")
    assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "out" / "valid.csv", dtype=str)["respondent_id"].tolist() == [_hmac16("1"), _hmac16("2")]


def test_validate_real_legacy_qualtrics_export(tmp_path):
    from deliberval.io import read_responses

    src = EXPORTS / "qualtrics" / "qualtRics__sample_legacy.csv"
    # recognised as Qualtrics, its metadata (IP address, coordinates, name, e-mail) never gets in
    assert find_identifiers(read_responses(src)).empty
    # read as a plain CSV (--format csv), they do: V6 holds the IP address
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  V1: respondent_id\n  Q1: fx_trust\nconstants:\n  wave: pre\n")
    args = ["validate", str(src), "-i", "fixture_survey", "--format", "csv", "--map", str(mapping),
            "--surveys", str(SURVEYS)]
    res = runner.invoke(app, [*args, "-o", str(tmp_path / "refused")])
    assert res.exit_code == 2, res.output
    assert ("'V6' (ip address, by content), 'LocationLatitude' (geolocation, by name), "
            "'LocationLongitude' (geolocation, by name)") in res.output
    assert not (tmp_path / "refused").exists()
    out = tmp_path / "out"
    res = runner.invoke(app, [*args, "-o", str(out), "--pseudonymise", "--key-file", str(_key(tmp_path / "k"))])
    assert res.exit_code == 1, res.output  # the second header row is quarantined (fx_trust is text)
    written = _written(out)
    # the respondent's IP address and coordinates are in the export; none reaches the output
    assert [w for w in ("130.92.34.66", "47.115097045898", "7.2315979003906", "Latitude", "Longitude")
            if w in written] == []
    assert "R_2YPOQ602ER1jkf1" not in written  # the response id was pseudonymised
    assert _hmac16("R_2YPOQ602ER1jkf1") in pd.read_csv(out / "valid.csv", dtype=str)["respondent_id"].tolist()


def test_psychometrics_refuses_and_pseudonymises(tmp_path):
    rows = ["respondent_id,wave,fx_eff_1,fx_eff_2,fx_eff_3,fx_eff_4,fx_eff_5,telefon,fx_comment"]
    pattern = [(4, 4, 2, 4, 5), (2, 1, 4, 2, 2), (3, 3, 3, 3, 4), (5, 4, 1, 5, 5), (1, 2, 5, 1, 2), (3, 4, 2, 3, 3)]
    for i in range(30):
        a = pattern[i % 6]
        rows.append(f"{i},pre,{a[0]},{a[1]},{a[2]},{a[3]},{a[4]},+45 20 12 {i:02d} 00,"
                    f"\"Respondent {i} wrote a long and personal comment here\"")
    data = tmp_path / "data" / "resp.csv"
    data.parent.mkdir()
    data.write_text("\n".join(rows) + "\n")
    args = ["psychometrics", str(data), "-i", "fixture_survey", "--surveys", str(SURVEYS), "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert "'telefon' (phone, by name)" in res.output
    assert "fx_comment" not in res.output
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1, res.output
    res = runner.invoke(app, [*args, "--pseudonymise", "--key-file", str(_key(tmp_path / "k"))])
    assert res.exit_code == 0, res.output
    assert "left out 'telefon'" in res.output
    assert "free-text column(s) 'fx_comment' left out" in res.output
    kept = runner.invoke(app, [*args, "--keep-identifiers"])
    assert kept.exit_code == 0, kept.output
    # the statistics do not depend on the flag
    assert res.output[res.output.index("["):] == kept.output[kept.output.index("["):]


@pytest.fixture(scope="module")
def process_folder(tmp_path_factory):
    from deliberval.datasets import load_example

    folder = tmp_path_factory.mktemp("process")
    ex = load_example("gentofte_ptc")
    ex.responses.to_csv(folder / "responses.csv", index=False)
    members = ex.members.copy()
    members["E-mail"] = [f"person{i}@gentofte.dk" for i in range(len(members))]
    members["Fornavn"] = "Anna"
    members.to_csv(folder / "members.csv", index=False)
    ex.process.to_csv(folder / "process.csv", index=False)  # its "name" is the process's name
    (folder / "process.yaml").write_text(
        "process_id: gentofte_ptc\ninstrument: participant_standard\n"
        "data:\n  responses: responses.csv\n  members: members.csv\n  process: process.csv\n")
    return folder


def test_report_refuses_identifiers_in_members(process_folder, tmp_path):
    res = runner.invoke(app, ["report", str(process_folder / "process.yaml"), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines == ["error: members.csv: 'E-mail' (e-mail, by name), 'Fornavn' (name, by name) look like "
                     "direct identifiers, which deliberval report does not keep unless told: pass "
                     "--pseudonymise --key-file FILE (leave them out and replace respondent_id / person_id "
                     "by keyed pseudonyms), --keep-identifiers, or remove them from the files"]
    assert not (tmp_path / "r.html").exists()


def test_report_pseudonymised_and_kept_data_give_the_same_report(process_folder, tmp_path):
    from deliberval.cli._privacy import Protection, protect_process
    from deliberval.cli.report import load_process_data
    from deliberval.io.config import load_config

    cfg = load_config(process_folder / "process.yaml")
    data = load_process_data(cfg)
    kept = protect_process(data, cfg, Protection(keep=True))
    assert kept is data
    key = _key(tmp_path / "k")
    safe = protect_process(data, cfg, Protection(pseudonymise=True, key_file=key))
    assert "E-mail" not in safe.members.valid.columns
    assert "Fornavn" not in safe.members.valid.columns
    assert safe.members.valid["person_id"].iloc[0] == _hmac16(str(data.members.valid["person_id"].iloc[0]))
    assert safe.responses.valid["respondent_id"].tolist() == [
        _hmac16(str(v)) for v in data.responses.valid["respondent_id"]]
    assert len(safe.members.valid) + len(safe.members.quarantined) == data.members.n_rows

    html = tmp_path / "r.html"
    res = runner.invoke(app, ["report", str(process_folder / "process.yaml"), "-o", str(html),
                              "--pseudonymise", "--key-file", str(key)])
    assert res.exit_code == 0, res.output
    assert "members.csv: left out 'E-mail', 'Fornavn'" in res.output
    text = html.read_text(encoding="utf-8")
    assert "gentofte.dk" not in text
    assert "Anna" not in text


def test_compare_refuses_identifiers_in_one_line(process_folder, tmp_path):
    other = tmp_path / "example.yaml"
    other.write_text("process_id: wallonia_committee\nexample: wallonia_committee\n")
    res = runner.invoke(app, ["compare", str(process_folder / "process.yaml"), str(other),
                              "-o", str(tmp_path / "c.html")])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: members.csv: 'E-mail' (e-mail, by name), 'Fornavn' (name, by name)")
    assert "deliberval compare does not keep unless told" in lines[0]


def test_labels_are_read_too():
    # SPSS / Stata variable labels and question texts travel in attrs["column_labels"]
    df = pd.DataFrame({"V12": ["x"], "V13": ["y"], "Q1": [1]})
    df.attrs["column_labels"] = {"V12": "What is your e-mail address?", "V13": "How satisfied are you?",
                                 "Q1": "Fornavn"}
    found = find_identifiers(df)
    assert found[["column", "category", "evidence"]].values.tolist() == [
        ["V12", "e-mail", "label"], ["Q1", "name", "label"]]
    assert found["reason"].iloc[0] == "its label 'What is your e-mail address?' reads as e-mail"


def test_validate_leaves_out_empty_identifier_columns_without_refusing(tmp_path):
    # an anonymous-link export has its e-mail and name columns, empty: nothing to protect
    body = "respondent_id,wave,fx_trust,RecipientEmail,Navn\n1,pre,3,,\n2,pre,4,, \n"
    out = tmp_path / "out"
    res = _validate(_data(tmp_path / "data", body), out)
    assert res.exit_code == 0, res.output
    assert "empty column(s) 'RecipientEmail', 'Navn' left out" in res.output
    assert pd.read_csv(out / "valid.csv").columns.tolist() == ["respondent_id", "wave", "fx_trust"]


def test_report_data_with_empty_identifier_columns_go_on():
    from deliberval.cli._privacy import Protection, protect_process
    from deliberval.datasets import load_example
    from deliberval.instruments import load_instrument
    from deliberval.io.config import ProcessConfig
    from deliberval.validation.process import process_data

    ex = load_example("gentofte_ptc")
    members = ex.members.assign(telefon=None, email="")
    data = process_data(load_instrument("participant_standard"), responses=ex.responses, members=members)
    out = protect_process(data, ProcessConfig(process_id="gentofte_ptc", example="gentofte_ptc"), Protection())
    assert "telefon" not in out.members.valid.columns
    assert "email" not in out.members.valid.columns
    assert out.members.valid["person_id"].tolist() == data.members.valid["person_id"].tolist()  # not pseudonymised
    filled = process_data(load_instrument("participant_standard"), responses=ex.responses,
                          members=members.assign(telefon="+45 20 12 34 56"))
    with pytest.raises(Exception, match="'telefon' \\(phone, by name\\)"):
        protect_process(filled, ProcessConfig(process_id="gentofte_ptc", example="gentofte_ptc"), Protection())


def test_a_long_list_of_columns_stays_one_line(tmp_path):
    names = ["navn", "fornavn", "efternavn", "email", "telefon", "adresse", "postnummer", "cpr",
             "fødselsdato", "ip", "latitude"]
    header = "respondent_id,wave,fx_trust," + ",".join(names)
    row = "1,pre,3," + ",".join("x" for _ in names)
    res = _validate(_data(tmp_path / "data", header + "\n" + row + "\n"), tmp_path / "out")
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1
    assert "'cpr' (national id, by name) and 3 more look like direct identifiers" in lines[0]
