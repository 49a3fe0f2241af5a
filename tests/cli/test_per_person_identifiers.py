"""Identifiers at the exits of the per-person outputs (cli/_privacy.protect_rows).

``balance --weights-output``, ``selection`` (``--output``, ``--json``, ``--panels-output``) and
``replicate-weights`` write one row per person: the id column and computed columns only, never
another input column; an id column that looks like a direct identifier stops the command in one
line (exit 2) unless ``--pseudonymise --key-file FILE`` (keyed pseudonyms, the same as
:func:`deliberval.privacy.pseudonymise` and ``validate --pseudonymise`` give with that key) or
``--keep-identifiers`` (kept, said in a warning).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.cli import app
from deliberval.privacy import KEY_ENV_VAR, pseudonymise
from support.cli import fails, run

REF = Path(__file__).resolve().parents[1] / "reference"
KEY = b"a key of more than sixteen bytes, kept apart"

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_key_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "pseudonym.key"
    path.parent.mkdir()
    path.write_bytes(KEY)
    return path


def _pseudonyms(values: pd.Series) -> list[str]:
    return pseudonymise(pd.DataFrame({"id": values}), ["id"], key=KEY, drop=[])["id"].tolist()


# --------------------------------------------------------------------------- balance --weights-output


@pytest.fixture
def people(tmp_path: Path) -> Path:
    """The propensity golden data with an e-mail and a name column per person."""
    data = pd.read_csv(REF / "propensity" / "propensity_data.csv")
    data["contact"] = [f"person{i}@example.org" for i in data["id"]]
    data["full_name"] = [f"Person {i}" for i in data["id"]]
    path = tmp_path / "data" / "people.csv"
    path.parent.mkdir()
    data.to_csv(path, index=False)
    return path


def test_balance_weights_carry_no_input_identifier(tmp_path: Path, people: Path) -> None:
    out = tmp_path / "out" / "w.csv"
    run("balance", people, "age,gender", "--group", "treated", "--respondent", "id", "--weights-output", out)
    got = pd.read_csv(out)
    assert list(got.columns) == ["id", "treated", "propensity", "weight", "included"]
    assert got["id"].tolist() == pd.read_csv(people)["id"].tolist()
    assert out.read_text().splitlines()[1].startswith("1,")  # whole-number ids as written (1, not 1.0)


def test_balance_refuses_an_identifier_as_id_column(tmp_path: Path, people: Path, key_file: Path) -> None:
    out = tmp_path / "out" / "w.csv"
    args = ["balance", people, "age,gender", "--group", "treated", "--respondent", "contact", "--weights-output", out]
    line = fails(*args)
    assert "the id column(s) 'contact' (e-mail, by content) look like direct identifiers;" in line
    assert "--pseudonymise --key-file FILE" in line
    assert "--keep-identifiers" in line
    assert not out.exists()
    # pseudonymised: the keyed pseudonyms of deliberval.privacy.pseudonymise, nothing else changed
    printed = run(*args, "--pseudonymise", "--key-file", key_file)
    got = pd.read_csv(out)
    emails = pd.read_csv(people)["contact"]
    assert got["contact"].tolist() == _pseudonyms(emails)
    assert not got["contact"].str.contains("@").any()
    plain = tmp_path / "plain.csv"
    run("balance", people, "age,gender", "--group", "treated", "--respondent", "id", "--weights-output", plain)
    np.testing.assert_array_equal(got["weight"], pd.read_csv(plain)["weight"])
    assert "contact replaced by keyed pseudonyms" in printed
    # kept on request, with a warning
    printed = run(*args, "--keep-identifiers")
    assert pd.read_csv(out)["contact"].tolist() == emails.tolist()
    assert "keeping 'contact' (e-mail, by content)" in printed
    assert "personal data" in printed


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--pseudonymise"], "--pseudonymise apply to the per-person output; add --weights-output FILE"),
        (["--keep-identifiers"], "--keep-identifiers apply to the per-person output"),
        (["--weights-output", "w.csv", "--key-file", "k.key"], "--key-file k.key is used only with --pseudonymise"),
        (["--weights-output", "w.csv", "--pseudonymise", "--keep-identifiers"], "contradict each other"),
        (["--weights-output", "w.csv", "--respondent", "contact", "--pseudonymise"], "--pseudonymise needs a key"),
    ],
)
def test_balance_protection_flags_bad_input_is_one_line(people: Path, extra: list[str], message: str) -> None:
    assert message in fails("balance", people, "age", "--group", "treated", *extra)


# --------------------------------------------------------------------------- selection


@pytest.fixture
def email_panels(tmp_path: Path) -> Path:
    panels = pd.read_csv(REF / "representativeness" / "selection_panels.csv")
    panels["respondent_id"] = panels["respondent_id"] + "@example.org"
    path = tmp_path / "data" / "panels.csv"
    path.parent.mkdir()
    panels.to_csv(path, index=False)
    return path


def test_selection_refuses_e_mail_ids_in_its_per_person_outputs(tmp_path: Path, email_panels: Path,
                                                               key_file: Path) -> None:
    out = tmp_path / "out" / "p.csv"
    base = ["selection", email_panels, "--probability", "probability"]
    run(*base)  # nothing per person written or printed: no refusal
    for extra in (["-o", out], ["--json"]):
        line = fails(*base, *extra)
        assert "the id column(s) 'respondent_id' (e-mail, by content) look like direct identifiers;" in line
    assert not out.exists()
    run(*base, "-o", out, "--pseudonymise", "--key-file", key_file)
    got = pd.read_csv(out)
    plain = tmp_path / "plain.csv"
    run("selection", REF / "representativeness" / "selection_panels.csv", "--probability", "probability", "-o", plain)
    expected = pd.read_csv(plain)
    assert got["respondent_id"].tolist() == _pseudonyms(expected["respondent_id"] + "@example.org")
    np.testing.assert_array_equal(got["estimate"], expected["estimate"])
    res = runner.invoke(app, [str(a) for a in (*base, "--json", "--keep-identifiers")])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [r["respondent_id"] for r in doc["probabilities"]] == (expected["respondent_id"] + "@example.org").tolist()


def test_selection_panels_output_is_protected(tmp_path: Path, key_file: Path) -> None:
    pytest.importorskip("sortition_algorithms")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "representativeness"))
    try:
        from test_run_selection import POOL, QUOTAS
    finally:
        sys.path.pop(0)
    pool = POOL.assign(respondent_id=POOL["respondent_id"].astype(str) + "@example.org")
    pool_path, quotas_path = tmp_path / "pool.csv", tmp_path / "quotas.csv"
    pool.to_csv(pool_path, index=False)
    QUOTAS.to_csv(quotas_path, index=False)
    panels = tmp_path / "out" / "panels.csv"
    base = ["selection", "--pool", pool_path, "--quotas", quotas_path, "--panel-size", 10, "--algorithm", "legacy",
            "--runs", 20, "--seed", 4, "--panels-output", panels]
    line = fails(*base)
    assert "'respondent_id' (e-mail, by content)" in line
    assert "selection --panels-output" in line
    run(*base, "--pseudonymise", "--key-file", key_file)
    got = pd.read_csv(panels)
    assert list(got.columns) == ["panel", "respondent_id", "panel_probability", "method"]
    assert set(got["respondent_id"]) <= set(_pseudonyms(pool["respondent_id"]))


def test_selection_protection_flags_without_output_is_one_line() -> None:
    line = fails("selection", REF / "representativeness" / "selection_panels.csv", "--probability", "probability",
                  "--keep-identifiers")
    assert "--keep-identifiers apply to the per-person output; add --output FILE" in line


# --------------------------------------------------------------------------- replicate-weights


def test_replicate_weights_carry_only_the_id(tmp_path: Path, key_file: Path) -> None:
    data = pd.read_csv(REF / "survey_estimates" / "apiclus1_missing.csv")
    data.insert(0, "respondent_id", [f"r{i:03d}" for i in range(len(data))])
    data["email"] = [f"school{s}@example.org" for s in data["snum"]]
    path = tmp_path / "data" / "api.csv"
    path.parent.mkdir()
    data.to_csv(path, index=False)
    out = tmp_path / "out" / "rw.csv"
    run("replicate-weights", path, "--cluster", "dnum", "--weight", "pw", "-o", out)
    got = pd.read_csv(out)
    assert list(got.columns) == ["respondent_id", *[f"repw{j}" for j in range(1, 16)]]
    assert got["respondent_id"].tolist() == data["respondent_id"].tolist()
    line = fails("replicate-weights", path, "--cluster", "dnum", "--respondent", "email", "-o", out)
    assert "the id column(s) 'email' (e-mail, by name) look like direct identifiers;" in line
    run("replicate-weights", path, "--cluster", "dnum", "--weight", "pw", "-o", out, "--pseudonymise",
         "--key-file", key_file)
    pseudo = pd.read_csv(out)
    assert pseudo["respondent_id"].tolist() == _pseudonyms(data["respondent_id"])
    np.testing.assert_array_equal(pseudo.iloc[:, 1:].to_numpy(), got.iloc[:, 1:].to_numpy())
