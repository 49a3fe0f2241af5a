"""Property test of intake: whatever the encoding, delimiter, line ends, quoting and junk, every
data row written is a row read, and validation accounts for it (valid + quarantined == written).

Random tables are written with a random encoding (utf-8, utf-8 with BOM, cp1252, latin-1), a
random delimiter (``, ; TAB |``), random line ends (LF, CRLF, CR alone), minimal or full quoting,
and junk: short rows (fields missing at the end), long rows (a field too many), CR and LF inside
quoted cells, NA-like cells. Hypothesis runs derandomised (the ``ci`` profile of
tests/conftest.py; ``make fuzz`` searches at random).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from deliberval.instruments import load_instrument
from deliberval.io import read_responses
from deliberval.validation import validate

SURVEYS = Path(__file__).parent / "fixtures" / "surveys"
INS = load_instrument("fixture_survey", [SURVEYS])
HEADER = ["respondent_id", "wave", "fx_trust", "fx_comment"]
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1")
DELIMITERS = (",", ";", "\t", "|")
ENDINGS = ("\n", "\r\n", "\r")

# characters every one of the four encodings can write
text_cell = st.text(alphabet=st.sampled_from(list("abcxyzABC019 .-_éüøÆç\"',;|\t\r\n")), max_size=6)
cell = st.one_of(
    st.sampled_from(["", "NA", "N/A", "null", "7", "88", "11", "3.5", "pre", "post", "seven", '"', "\r", "\r\n"]),
    text_cell,
)
respondent = st.one_of(st.integers(1, 30).map(lambda i: f"r{i:02d}"), st.sampled_from(["NA", "007", "x y"]))


@st.composite
def record(draw: st.DrawFn) -> tuple[list[str], str]:
    """One data record and its kind: ``ok``, ``short`` or ``long``."""
    values = [draw(respondent), draw(st.sampled_from(["pre", "post", "NA", "Post"])), draw(cell), draw(cell)]
    kind = draw(st.sampled_from(["ok", "ok", "ok", "short", "long"]))
    if kind == "short":
        values = values[: draw(st.integers(1, len(HEADER) - 1))]
    elif kind == "long":
        values = [*values, draw(cell)]
    return values, kind


def _field(value: str, sep: str, quote_all: bool) -> str:
    if quote_all or any(ch in value for ch in (sep, '"', "\r", "\n")) or value != value.strip(" "):
        return '"' + value.replace('"', '""') + '"'
    return value


def _write(records: list[list[str]], sep: str, ending: str, quote_all: bool, encoding: str) -> bytes:
    lines = [sep.join(_field(v, sep, quote_all) for v in rec) for rec in [HEADER, *records]]
    return (ending.join(lines) + ending).encode(encoding)


@settings(max_examples=75)
@given(
    rows=st.lists(record(), max_size=15),
    sep=st.sampled_from(DELIMITERS),
    ending=st.sampled_from(ENDINGS),
    quote_all=st.booleans(),
    encoding=st.sampled_from(ENCODINGS),
)
@example(rows=[(["r01", "pre", "a\rb", "x"], "ok"), (["r02", "pre"], "short"), (["r03", "post", "7", "c\r\nd"], "ok")],
         sep=",", ending="\r", quote_all=False, encoding="cp1252")
@example(rows=[(["r01", "pre", "\r", "\r"], "ok"), (["r02", "pre", "7", "x", "extra"], "long")],
         sep=";", ending="\r\n", quote_all=True, encoding="utf-8-sig")
def test_every_row_written_is_read_and_accounted_for(rows, sep, ending, quote_all, encoding):
    records = [r for r, _ in rows]
    data = _write(records, sep, ending, quote_all, encoding)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.csv"
        path.write_bytes(data)
        df = read_responses(path, INS)
    assert len(df) == len(records)
    result = validate(df, INS)
    assert len(result.valid) + len(result.quarantined) == result.n_rows == len(records)
    # every short or long record is quarantined as such, and nothing else is
    shape = result.failures[result.failures["check"] == "row_shape"]
    bad = [i for i, (_, kind) in enumerate(rows) if kind != "ok"]
    assert shape["row"].tolist() == bad
    assert set(bad) <= set(result.quarantined.index)
    # lines as written: the header is line 1; without cells spanning lines, row i is line i + 2
    if not any(ch in v for rec in records for v in rec for ch in "\r\n"):
        assert shape["line"].tolist() == [i + 2 for i in bad]
        assert df.attrs.get("lines") is None
    # the ids as written (an NA-like id is read as missing, and said so)
    ids = [rec[0] for rec in records]
    read = df["respondent_id"].tolist()
    for written, got in zip(ids, read, strict=True):
        assert (got is None or got != got) if written == "NA" else got == written
