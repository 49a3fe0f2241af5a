"""Candidate evidence for recommendation uptake: rank document passages per recommendation.

Tracing each recommendation into the authority's response, laws and budgets is the most
labour-intensive step of an impact evaluation. :func:`rank_passages` proposes, for every
recommendation, the passages most likely to speak of it, for a coder to confirm or reject: it
never codes anything itself. :func:`retrieval_scores` measures such a ranking against known
links (recall@k, mean reciprocal rank).

Ranking: BM25 (Robertson & Zaragoza 2009) by default, computed with ``bm25s`` on words
lower-cased, stripped of the language's stop words and stemmed with its Snowball stemmer
(PyStemmer) for English, French, Dutch, German and Danish. Optionally, the passages are also
ranked by cosine similarity of static word embeddings of a model shipped inside the
``wordllama`` wheel (no download at run time) and the two rankings fused by reciprocal rank
(Cormack, Clarke & Büttcher 2009).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from deliberval.errors import DataInputError, DelibervalError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "EMBEDDING_MODEL",
    "RANKING_METHODS",
    "embeddings_available",
    "rank_passages",
    "retrieval_scores",
    "tokenize",
]

RANKING_METHODS: tuple[str, ...] = ("bm25", "bm25+embedding")

#: the embedding model of the optional extra: wordllama's bundled l2_supercat, 256 dimensions
EMBEDDING_MODEL = "wordllama l2_supercat 256"

_STEMMERS = {"en": "english", "fr": "french", "nl": "dutch", "de": "german", "da": "danish"}
_STOPWORDS = {"en": "STOPWORDS_EN", "fr": "STOPWORDS_FRENCH", "nl": "STOPWORDS_DUTCH",
              "de": "STOPWORDS_GERMAN", "da": "STOPWORDS_DANISH"}
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

#: BM25 settings (bm25s' Lucene variant)
BM25_K1 = 1.5
BM25_B = 0.75
#: the constant of reciprocal rank fusion (Cormack et al. 2009)
RRF_K = 60


@lru_cache(maxsize=8)
def _language_tools(language: str | None) -> tuple[frozenset[str], Callable[[list[str]], list[str]]]:
    import bm25s.stopwords
    import Stemmer

    if language is None:
        return frozenset(), lambda words: words
    if language not in _STEMMERS:
        raise DataInputError(f"unknown language {language!r}; give one of {', '.join(_STEMMERS)}")
    stop = frozenset(getattr(bm25s.stopwords, _STOPWORDS[language]))
    stemmer = Stemmer.Stemmer(_STEMMERS[language])
    return stop, stemmer.stemWords


def tokenize(text: str, language: str | None) -> list[str]:
    """Lower-cased words of ``text`` without the language's stop words, stemmed.

    Parameters
    ----------
    text : str
        Any text.
    language : {"en", "fr", "nl", "de", "da"} or None
        Selects the stop words (bm25s' lists) and the Snowball stemmer (PyStemmer); None keeps
        every word unstemmed.

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("The Government will insulate homes", "en")
    ['govern', 'insul', 'home']
    >>> tokenize("Rénover les logements des ménages", "fr")
    ['rénov', 'log', 'ménag']
    """
    stop, stem = _language_tools(language)
    words = [w for w in (m.group(0).lower() for m in _TOKEN.finditer(text)) if w not in stop]
    return stem(words)


def embeddings_available() -> bool:
    """Whether the optional embedding extra (``wordllama`` with its bundled weights) can be loaded."""
    try:
        _embedder()
    except DelibervalError:
        return False
    return True


@lru_cache(maxsize=1)
def _embedder() -> Callable[[list[str]], np.ndarray]:
    """wordllama's bundled model, loaded from the installed package only (nothing downloaded)."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError:
        raise DelibervalError("ranking with embeddings needs the 'embeddings' extra: "
                              "pip install 'deliberval[embeddings]'") from None
    finally:  # wordllama calls logging.basicConfig(INFO) on import: undo it
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    from pathlib import Path

    package = Path(wordllama.__file__).parent
    try:
        # the weights and tokenizer sit in the wheel; cache_dir pointed at the package and
        # disable_download make sure nothing is fetched from the network
        model = WordLlama.load(config="l2_supercat", dim=256, cache_dir=package, disable_download=True)
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise DelibervalError(f"the embedding model bundled with wordllama could not be loaded ({exc})") from None
    return lambda texts: model.embed(texts, norm=True)


def _ranks(scores: np.ndarray) -> np.ndarray:
    """1-based ranks by descending score, ties broken by passage order (stable)."""
    import numpy as np

    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


def rank_passages(
    recommendations: pd.DataFrame,
    passages: pd.DataFrame,
    *,
    id: str = "rec_id",
    text: Sequence[str] | str = ("title", "text"),
    passage_text: str = "text",
    language: str | None = None,
    top: int | None = 5,
    method: Literal["bm25", "bm25+embedding"] = "bm25",
) -> pd.DataFrame:
    """Rank the passages of the documents for every recommendation.

    Parameters
    ----------
    recommendations : pandas.DataFrame
        One row per recommendation.
    passages : pandas.DataFrame
        The pool of passages, e.g. :func:`deliberval.io.documents.read_documents`; every
        column is carried to the result. A ``language`` column (en, fr, nl, de, da or missing)
        selects each passage's stop words and stemmer.
    id : str, default "rec_id"
        The recommendations' id column (kept in the result).
    text : str or sequence of str, default ("title", "text")
        The recommendation's columns whose text forms the query (those present, joined).
    passage_text : str, default "text"
        The passages' text column.
    language : {"en", "fr", "nl", "de", "da"}, optional
        The language of the recommendations' text and of passages without one; None: the
        passages' most frequent language (none: no stemming, no stop words).
    top : int or None, default 5
        Passages kept per recommendation; None keeps the whole ranking.
    method : {"bm25", "bm25+embedding"}, default "bm25"
        ``"bm25"``: BM25 scores. ``"bm25+embedding"``: BM25 and the cosine similarity of
        wordllama embeddings (:data:`EMBEDDING_MODEL`, needs the ``embeddings`` extra) fused
        by reciprocal rank.

    Returns
    -------
    pandas.DataFrame
        One row per recommendation and kept passage, ordered by recommendation (input order)
        then ``rank``: ``<id>``, ``rank`` (1 = best), ``score`` (the ranking's score: BM25, or
        the fused reciprocal-rank score), ``bm25_score``, ``embedding_score`` (cosine; NaN with
        ``"bm25"``), ``method``, then every column of ``passages``. Ties in ``score`` keep the
        passages' order, so the ranking is deterministic.

    Raises
    ------
    DataInputError
        Missing columns, an empty pool, duplicate recommendation ids, a recommendation
        without text, an unknown language or method, ``top`` below 1.
    DelibervalError
        ``"bm25+embedding"`` without the embedding extra.

    Notes
    -----
    BM25 (Lucene variant, as bm25s computes it) of passage :math:`d` for query words
    :math:`q_1..q_m` (stemmed, stop words removed, each distinct word counted once;
    repeats in the query do not add):

    .. math:: \\mathrm{BM25}(d) = \\sum_i \\mathrm{idf}(q_i)
              \\frac{f(q_i, d)}{f(q_i, d) + k_1 (1 - b + b |d| / \\overline{|d|})},\\quad
              \\mathrm{idf}(q) = \\ln\\left(1 + \\frac{N - n(q) + 0.5}{n(q) + 0.5}\\right)

    with :math:`k_1 = 1.5`, :math:`b = 0.75`, :math:`N` passages, :math:`n(q)` of them
    containing :math:`q`. Reciprocal rank fusion: :math:`\\sum_r 1 / (60 + \\mathrm{rank}_r(d))`
    over the BM25 and embedding rankings. Validated against a direct numpy computation of
    the formula above (tests/uptake/test_trace.py); there is no R reference for BM25.

    Examples
    --------
    >>> import pandas as pd
    >>> recs = pd.DataFrame({"rec_id": ["r1"], "title": ["Insulate homes"], "text": [""]})
    >>> pool = pd.DataFrame({"text": ["Bus fares are frozen.", "Grants to insulate homes.",
    ...                               "Homes are counted."], "language": "en"})
    >>> rank_passages(recs, pool, top=2)[["rec_id", "rank", "text"]].values.tolist()
    [['r1', 1, 'Grants to insulate homes.'], ['r1', 2, 'Homes are counted.']]
    """
    import numpy as np
    import pandas as pd

    if method not in RANKING_METHODS:
        raise DataInputError(f"unknown ranking method {method!r}; give one of {', '.join(RANKING_METHODS)}")
    if top is not None and top < 1:
        raise DataInputError(f"top is {top}; keep at least 1 passage per recommendation")
    columns = [text] if isinstance(text, str) else list(text)
    present = [c for c in columns if c in recommendations.columns]
    if id not in recommendations.columns or not present:
        raise DataInputError(f"the recommendations need an {id!r} column and one of {columns}")
    if passage_text not in passages.columns:
        raise DataInputError(f"the passages have no {passage_text!r} column")
    if len(passages) == 0:
        raise DataInputError("there are no passages to rank")
    ids = recommendations[id].astype(str)
    if ids.duplicated().any():
        raise DataInputError(f"recommendation {ids[ids.duplicated()].iloc[0]!r} appears twice")
    parts = recommendations[present].fillna("").astype(str).to_numpy().tolist()
    queries = pd.Series([" ".join(v for v in row if v.strip()) for row in parts],
                        index=recommendations.index, dtype=object)
    empty = queries.str.strip() == ""
    if empty.any():
        raise DataInputError(f"recommendation {ids[empty].iloc[0]!r} has no text to search for")
    if language is not None and language not in _STEMMERS:
        raise DataInputError(f"unknown language {language!r}; give one of {', '.join(_STEMMERS)}")

    if "language" in passages.columns:
        langs = passages["language"].where(passages["language"].notna(), None).tolist()
    else:
        langs = [None] * len(passages)
    if language is None:
        known = pd.Series([lang for lang in langs if lang is not None], dtype="object")
        query_lang = (str(known.value_counts().sort_index().idxmax()) if len(known) else None)
    else:
        query_lang = language
    langs = [lang if lang in _STEMMERS else query_lang for lang in langs]
    texts = passages[passage_text].fillna("").astype(str).tolist()
    corpus = [tokenize(t, lang) for t, lang in zip(texts, langs, strict=True)]
    bm25 = _bm25_scores(corpus, [tokenize(q, query_lang) for q in queries])

    emb: np.ndarray | None = None
    if method == "bm25+embedding":
        embed = _embedder()
        p_vec = np.asarray(embed(texts), dtype=float)
        q_vec = np.asarray(embed(queries.tolist()), dtype=float)
        emb = q_vec @ p_vec.T

    rows: list[np.ndarray] = []
    cols: dict[str, list[np.ndarray]] = {"rank": [], "score": [], "bm25_score": [], "embedding_score": []}
    rec_ids: list[str] = []
    for i, rec in enumerate(ids):
        b = bm25[i]
        if emb is None:
            score = b
            e = np.full(len(b), np.nan)
        else:
            e = emb[i]
            score = 1.0 / (RRF_K + _ranks(b)) + 1.0 / (RRF_K + _ranks(e))
        # deterministic ties: by score, then BM25, then passage order
        order = np.lexsort((np.arange(len(score)), -b, -score))
        keep = order if top is None else order[:top]
        rows.append(keep)
        rec_ids += [rec] * len(keep)
        cols["rank"].append(np.arange(1, len(keep) + 1, dtype=np.int64))
        cols["score"].append(score[keep])
        cols["bm25_score"].append(b[keep])
        cols["embedding_score"].append(e[keep])
    out = passages.reset_index(drop=True).iloc[np.concatenate(rows)].reset_index(drop=True)
    out.insert(0, id, rec_ids)
    for j, name in enumerate(("rank", "score", "bm25_score", "embedding_score"), start=1):
        out.insert(j, name, np.concatenate(cols[name]))
    out.insert(5, "method", method)
    return out


def _bm25_scores(corpus: list[list[str]], queries: list[list[str]]) -> np.ndarray:
    """BM25 score of every passage (columns) for every query (rows), with bm25s."""
    import bm25s
    import numpy as np

    vocab: dict[str, int] = {}
    for doc in corpus:
        for word in doc:
            vocab.setdefault(word, len(vocab))
    out = np.zeros((len(queries), len(corpus)))
    if not vocab:  # no passage has a searchable word
        return out
    ids = [[vocab[w] for w in doc] for doc in corpus]
    retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B, method="lucene")
    retriever.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
    for i, query in enumerate(queries):
        words = [w for w in dict.fromkeys(query) if w in vocab]
        if words:
            out[i] = retriever.get_scores(words)
    return out


def retrieval_scores(
    ranking: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    id: str = "rec_id",
    passage: str = "passage_id",
    ks: Sequence[int] = (1, 5),
) -> pd.DataFrame:
    """Recall@k and mean reciprocal rank of a passage ranking against known links.

    Parameters
    ----------
    ranking : pandas.DataFrame
        :func:`rank_passages` output with ``top=None`` (the whole ranking; with a cut ranking a
        true passage below the cut counts as not found, reciprocal rank 0).
    truth : pandas.DataFrame
        The true links: one row per recommendation and true passage (``id``, ``passage``);
        several true passages per recommendation allowed (the best-ranked one counts).
    id, passage : str
        Column names in both tables.
    ks : sequence of int, default (1, 5)
        The cut-offs of recall@k.

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``metric`` (``recall@<k>`` ..., ``mrr``), ``estimate`` (a share in
        0-1), ``n`` (recommendations with a true link), ``n_passages`` (the pool size: passages
        ranked per recommendation), ``method``.

    Notes
    -----
    For recommendation :math:`i` let :math:`r_i` be the best rank of a true passage.
    recall@k :math:`= \\frac{1}{n}\\sum_i [r_i \\le k]`, MRR :math:`= \\frac{1}{n}\\sum_i 1/r_i`.

    Examples
    --------
    >>> import pandas as pd
    >>> ranking = pd.DataFrame({"rec_id": ["a", "a", "b", "b"], "rank": [1, 2, 1, 2],
    ...                         "passage_id": ["p1", "p2", "p1", "p2"], "method": "bm25"})
    >>> truth = pd.DataFrame({"rec_id": ["a", "b"], "passage_id": ["p1", "p2"]})
    >>> retrieval_scores(ranking, truth, ks=(1,))[["metric", "estimate"]].values.tolist()
    [['recall@1', 0.5], ['mrr', 0.75]]
    """
    import numpy as np
    import pandas as pd

    for col in (id, passage):
        if col not in truth.columns or col not in ranking.columns:
            raise DataInputError(f"both tables need a {col!r} column")
    if "rank" not in ranking.columns:
        raise DataInputError("the ranking has no 'rank' column")
    if len(truth) == 0:
        raise DataInputError("there are no true links to score against")
    hits = ranking.merge(truth[[id, passage]].drop_duplicates(), on=[id, passage])
    best = hits.groupby(id)["rank"].min()
    recs = truth[id].drop_duplicates()
    r = best.reindex(recs.to_numpy()).to_numpy(dtype=float)  # NaN: not found
    n = len(recs)
    pool = int(ranking.groupby(id).size().max())
    method = str(ranking["method"].iloc[0]) if "method" in ranking.columns else ""
    rows = [{"metric": f"recall@{k}", "estimate": float(np.mean(np.nan_to_num(r, nan=np.inf) <= k))}
            for k in ks]
    rows.append({"metric": "mrr", "estimate": float(np.mean(np.where(np.isnan(r), 0.0, 1.0 / r)))})
    out = pd.DataFrame(rows)
    out["n"] = n
    out["n_passages"] = pool
    out["method"] = method
    return out
