"""Candidate passages per recommendation (issue 21): BM25 against its formula, deterministic
ranks, recall / MRR, the pinned figures on the real gold set, and ``deliberval uptake trace``
end to end on PDF, DOCX, HTML and text documents a test writes."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from deliberval.analysis.evidence import (
    embeddings_available,
    rank_passages,
    retrieval_scores,
    tokenize,
)
from deliberval.cli import app
from deliberval.errors import DataInputError

GOLD = Path(__file__).resolve().parents[1] / "data" / "uptake_gold"
runner = CliRunner()


def bm25_by_hand(corpus: list[list[str]], query: list[str], k1: float = 1.5, b: float = 0.75) -> np.ndarray:
    """Lucene BM25 written out from the formula (Notes of rank_passages)."""
    n = len(corpus)
    avgdl = sum(len(d) for d in corpus) / n
    out = np.zeros(n)
    for q in dict.fromkeys(query):
        df = sum(q in d for d in corpus)
        if df == 0:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for j, d in enumerate(corpus):
            f = d.count(q)
            out[j] += idf * f / (f + k1 * (1 - b + b * len(d) / avgdl))
    return out


def test_bm25_scores_equal_the_formula() -> None:
    texts = ["The government will insulate homes and insulate schools.",
             "Home insulation grants are paid to households.",
             "Bus fares are frozen.", "Rail fares rise.", "Insulated homes use less energy than other homes."]
    pool = pd.DataFrame({"text": texts, "language": "en"})
    recs = pd.DataFrame({"rec_id": ["r1", "r2"], "title": ["Insulate homes", "Freeze bus and rail fares fares"]})
    ranked = rank_passages(recs, pool, top=None)
    corpus = [tokenize(t, "en") for t in texts]
    for rec, query in (("r1", "Insulate homes"), ("r2", "Freeze bus and rail fares fares")):
        got = ranked[ranked["rec_id"] == rec].sort_index()
        expected = bm25_by_hand(corpus, tokenize(query, "en"))
        by_text = dict(zip(got["text"], got["bm25_score"], strict=True))
        np.testing.assert_allclose([by_text[t] for t in texts], expected, rtol=1e-6, atol=1e-7)
        assert got["rank"].tolist() == list(range(1, 6))
        assert (np.diff(got["score"].to_numpy()) <= 0).all()
    assert ranked["embedding_score"].isna().all()
    assert set(ranked["method"]) == {"bm25"}


def test_ties_keep_the_passage_order_and_columns_are_carried() -> None:
    pool = pd.DataFrame({"passage_id": ["d#1", "d#2", "d#3", "d#4"],
                         "text": ["Parks.", "Trees in parks.", "Trees in parks.", "Nothing here."],
                         "page": [1, 1, 2, 2], "language": "en"})
    recs = pd.DataFrame({"rec_id": ["a"], "title": ["Plant trees in parks"], "text": [None]})
    out = rank_passages(recs, pool, top=3)
    assert out["passage_id"].tolist() == ["d#2", "d#3", "d#1"]
    assert out["page"].tolist() == [1, 2, 1]
    assert out.columns[:6].tolist() == ["rec_id", "rank", "score", "bm25_score", "embedding_score", "method"]


@pytest.mark.parametrize(("language", "text", "tokens"), [
    ("fr", "Rénover les logements", ["rénov", "log"]),
    ("nl", "De woningen worden geïsoleerd", ["woon", "isoleer"]),
    ("de", "Die Wohnungen werden gedämmt", ["wohnung", "gedammt"]),
    ("da", "Boligerne skal isoleres", ["bol", "isol"]),
    (None, "The homes", ["the", "homes"]),
])
def test_per_language_stemming_and_stop_words(language: str | None, text: str, tokens: list[str]) -> None:
    assert tokenize(text, language) == tokens


def test_bad_input_is_a_clear_error() -> None:
    pool = pd.DataFrame({"text": ["a b c"]})
    recs = pd.DataFrame({"rec_id": ["a"], "title": ["x"]})
    with pytest.raises(DataInputError, match="unknown ranking method"):
        rank_passages(recs, pool, method="tfidf")  # type: ignore[arg-type]
    with pytest.raises(DataInputError, match="top is 0"):
        rank_passages(recs, pool, top=0)
    with pytest.raises(DataInputError, match="no text to search for"):
        rank_passages(pd.DataFrame({"rec_id": ["a"], "title": [" "]}), pool)
    with pytest.raises(DataInputError, match="appears twice"):
        rank_passages(pd.DataFrame({"rec_id": ["a", "a"], "title": ["x", "y"]}), pool)
    with pytest.raises(DataInputError, match="no passages"):
        rank_passages(recs, pool.iloc[:0])
    with pytest.raises(DataInputError, match="unknown language 'es'"):
        rank_passages(recs, pool, language="es")


def test_retrieval_scores_by_hand() -> None:
    ranking = pd.DataFrame({"rec_id": list("aaabbbccc"), "rank": [1, 2, 3] * 3,
                            "passage_id": ["p1", "p2", "p3", "p2", "p3", "p1", "p3", "p2", "p1"]})
    truth = pd.DataFrame({"rec_id": ["a", "b", "b", "c"], "passage_id": ["p2", "p1", "p3", "p4"]})
    out = retrieval_scores(ranking, truth, ks=(1, 2))
    # a: rank 2; b: best of ranks 3 and 2 -> 2; c: not found
    assert out["metric"].tolist() == ["recall@1", "recall@2", "mrr"]
    np.testing.assert_allclose(out["estimate"], [0.0, 2 / 3, (1 / 2 + 1 / 2 + 0) / 3], rtol=1e-15)
    assert out["n"].tolist() == [3, 3, 3]
    assert out["n_passages"].tolist() == [3, 3, 3]


def _gold() -> dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    props = pd.read_csv(GOLD / "ccc_proposals.csv", dtype=str, keep_default_na=False)
    objs = pd.read_csv(GOLD / "ccc_objectives.csv", dtype=str, keep_default_na=False)
    titled = objs[objs["label"] != ""]
    linked = props[props["objective_id"].isin(titled["objective_id"])]
    return {
        "proposal_to_objective": (
            linked[["rec_id", "text"]],
            pd.DataFrame({"passage_id": titled["objective_id"], "text": titled["label"], "language": "fr"}),
            linked.rename(columns={"objective_id": "passage_id"})[["rec_id", "passage_id"]]),
        "objective_to_proposals": (
            titled.rename(columns={"objective_id": "rec_id", "label": "text"})[["rec_id", "text"]],
            pd.DataFrame({"passage_id": props["rec_id"], "text": props["text"], "language": "fr"}),
            linked.rename(columns={"objective_id": "rec_id", "rec_id": "passage_id"})[["rec_id", "passage_id"]]),
    }


def test_gold_set_is_what_the_sources_say() -> None:
    props = pd.read_csv(GOLD / "ccc_proposals.csv", dtype=str, keep_default_na=False)
    objs = pd.read_csv(GOLD / "ccc_objectives.csv", dtype=str, keep_default_na=False)
    assert len(props) == 146
    assert props["rec_id"].is_unique
    assert len(objs) == 44
    assert set(props["objective_id"]) <= set(objs["objective_id"])
    assert (objs["label"] == "").sum() == 1


# BM25's figures on the gold set (deterministic): proposal -> objective title, pool 43, n 142;
# objective title -> proposals, pool 146, n 43 (make bench, case uptake_trace, prints them)
BM25_FIGURES = {
    "proposal_to_objective": (43, 142, {"recall@1": 50 / 142, "recall@5": 89 / 142, "mrr": 0.4765708298932563}),
    "objective_to_proposals": (146, 43, {"recall@1": 26 / 43, "recall@5": 37 / 43, "mrr": 0.7133997785160576}),
}


@pytest.mark.parametrize("task", list(BM25_FIGURES))
def test_bm25_figures_on_the_gold_set(task: str) -> None:
    queries, pool, truth = _gold()[task]
    pool_size, n, figures = BM25_FIGURES[task]
    out = retrieval_scores(rank_passages(queries, pool, text="text", language="fr", top=None), truth)
    assert out["n_passages"].eq(pool_size).all()
    assert out["n"].eq(n).all()
    np.testing.assert_allclose(out["estimate"], [figures[m] for m in out["metric"]], rtol=1e-12)


@pytest.mark.skipif(not embeddings_available(), reason="the embeddings extra (wordllama) is not installed")
def test_embedding_fusion_figures_on_the_gold_set() -> None:
    queries, pool, truth = _gold()["proposal_to_objective"]
    out = retrieval_scores(rank_passages(queries, pool, text="text", language="fr", top=None,
                                         method="bm25+embedding"), truth)
    got = dict(zip(out["metric"], out["estimate"], strict=True))
    assert got["recall@1"] == pytest.approx(40 / 142, abs=1e-12)
    assert got["recall@5"] == pytest.approx(76 / 142, abs=1e-12)
    assert got["mrr"] == pytest.approx(0.4047292517577936, abs=1e-9)


# ---------------------------------------------------------------- the command, end to end

RECS = {
    "Insulate homes": "Fund the insulation of every home with grants for households.",
    "Cycle paths": "Build protected cycle paths between the villages and the town centre.",
    "Energy law": "Pass a law that sets binding energy efficiency targets for public buildings.",
    "Free school meals": "Serve free organic meals in every public school canteen.",
}


@pytest.fixture(scope="module")
def trace_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    from deliberval.datasets.registers import simulate_register
    from deliberval.io.register import write_register
    from support.minimal_pdf import minimal_pdf

    folder = tmp_path_factory.mktemp("trace")
    reg = simulate_register("gentofte_ptc", seed=5)
    recs = reg.recommendations.iloc[:4].copy()
    recs["title"] = list(RECS)
    recs["text"] = list(RECS.values())
    events = reg.events[reg.events["rec_id"].isin(recs["rec_id"])]
    write_register(dataclasses.replace(reg, recommendations=recs.reset_index(drop=True),
                                       events=events.reset_index(drop=True)), folder / "register.xlsx")
    pdf = folder / "budget.pdf"
    pdf.write_bytes(minimal_pdf([
        ["The budget of the region for the coming year.", "", "Chapter one covers the roads."],
        ["Line 12: grants for households that insulate a home,", "paid from the housing fund."],
    ]))
    import docx

    d = docx.Document()
    d.add_paragraph("The government response to the assembly.")
    d.add_paragraph("Protected cycle paths will link the villages to the town centre by 2027.")
    d.add_paragraph("The committee met four times.")
    d.save(str(folder / "response.docx"))
    (folder / "law.html").write_text(
        "<html><body><nav>Home</nav><h1>Energy Act</h1><p>Section 1. Public buildings must meet binding "
        "energy efficiency targets set by this law.</p><p>Section 2. Entry into force.</p></body></html>",
        encoding="utf-8")
    (folder / "minutes.txt").write_text(
        "The council agreed that school canteens serve free organic meals from September.\n\n"
        "Any other business: none.", encoding="utf-8")
    return folder / "register.xlsx", [pdf, folder / "response.docx", folder / "law.html", folder / "minutes.txt"]


def test_trace_end_to_end(trace_inputs: tuple[Path, list[Path]], tmp_path: Path) -> None:
    register, docs = trace_inputs
    out = tmp_path / "candidates.xlsx"
    res = runner.invoke(app, ["uptake", "trace", str(register), *map(str, docs), "-o", str(out), "--top", "3"])
    assert res.exit_code == 0, res.output
    assert "wrote" in res.output
    assert "4 recommendations" in res.output
    table = pd.read_excel(out, sheet_name="candidates")
    assert len(table) == 4 * 3
    assert table.columns.tolist()[:10] == ["rec_id", "title", "rank", "document", "page", "paragraph", "part",
                                          "char_start", "char_end", "text"]
    assert {"sha256", "score", "bm25_score", "method", "confirmed"} <= set(table.columns)
    best = table[table["rank"] == 1].set_index("title")
    assert best.loc["Insulate homes", "document"] == "budget.pdf"
    assert best.loc["Insulate homes", "page"] == 2
    assert best.loc["Cycle paths", "document"] == "response.docx"
    assert best.loc["Energy law", "document"] == "law.html"
    assert best.loc["Free school meals", "document"] == "minutes.txt"
    from deliberval.io.documents import passage_hash

    assert all(passage_hash(t) == h for t, h in zip(table["text"], table["sha256"], strict=True))


@pytest.mark.parametrize(("extra", "message"), [
    ([], "give the register and at least one document"),
    (["missing.pdf"], "does not exist"),
    (["notes.odt"], "save the document as DOCX or PDF"),
    (["--top", "0", "DOC"], "--top is 0"),
    (["--lang", "es", "DOC"], "unknown document language 'es'"),
])
def test_trace_errors_are_one_line_exit_2(trace_inputs: tuple[Path, list[Path]], tmp_path: Path,
                                          extra: list[str], message: str) -> None:
    register, docs = trace_inputs
    (tmp_path / "notes.odt").write_bytes(b"x")
    args = [str(docs[3]) if a == "DOC" else (str(tmp_path / a) if a.endswith((".pdf", ".odt")) else a)
            for a in extra]
    res = runner.invoke(app, ["uptake", "trace", str(register), *args, "-o", str(tmp_path / "c.xlsx")])
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) <= 2  # one message (a long one may wrap once)


def test_trace_needs_an_output(trace_inputs: tuple[Path, list[Path]]) -> None:
    register, docs = trace_inputs
    res = runner.invoke(app, ["uptake", "trace", str(register), str(docs[3])])
    assert res.exit_code == 2
    assert "-o" in res.output


@pytest.mark.skipif(not embeddings_available(), reason="the embeddings extra (wordllama) is not installed")
def test_trace_with_embeddings(trace_inputs: tuple[Path, list[Path]], tmp_path: Path) -> None:
    register, docs = trace_inputs
    out = tmp_path / "candidates.csv"
    res = runner.invoke(app, ["uptake", "trace", str(register), *map(str, docs), "-o", str(out), "--embeddings"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert set(table["method"]) == {"bm25+embedding"}
    assert table["embedding_score"].between(-1, 1).all()
    # the fused score is a sum of two reciprocal ranks
    assert (table["score"] <= 2 / 61 + 1e-15).all()


def test_without_the_embedding_extra_the_message_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from deliberval.analysis import evidence
    from deliberval.errors import DelibervalError

    evidence._embedder.cache_clear()
    monkeypatch.setitem(sys.modules, "wordllama", None)  # import fails as if not installed
    try:
        assert not embeddings_available()
        with pytest.raises(DelibervalError, match=r"pip install 'deliberval\[embeddings\]'"):
            rank_passages(pd.DataFrame({"rec_id": ["a"], "title": ["x"]}), pd.DataFrame({"text": ["x"]}),
                          method="bm25+embedding")
    finally:
        evidence._embedder.cache_clear()
