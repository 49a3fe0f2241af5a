"""Candidate passages for uptake tracing: recall@1, recall@5 and MRR on a gold set of real texts.

The gold set (``tests/data/uptake_gold/``, see ``tests/data/SOURCES.md``) is the Convention
Citoyenne pour le Climat's proposals (146 of the 149, as published in a public repository) and
the 43 titled objectives under which its final report files them. No government response is
stored whole in a public repository, so the truth is the report's own structure: two tasks.

* ``proposal_to_objective``: every proposal is a query; the pool is the 43 objective titles;
  the hit is the proposal's own objective (one true passage per query; 142 proposals, the 4
  proposals of the constitution objective have no title to find).
* ``objective_to_proposals``: every objective title is a query; the pool is the 146 proposals;
  a hit is any proposal filed under it (several true passages per query).

Reported per task and ranking (BM25, and BM25 fused with wordllama embeddings when the
``embeddings`` extra is installed): recall@1, recall@5, MRR, the pool size, and the time of one
ranking (best of k). Quality is deterministic; only the times vary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.cases._util import best_of
from deliberval.analysis.evidence import embeddings_available, rank_passages, retrieval_scores

NAME = "uptake_trace"
TITLE = "uptake trace: BM25 candidate passages on the CCC gold set (recall@1, recall@5, MRR)"
SIZE_LABEL = "queries"
GOLD = Path(__file__).resolve().parents[2] / "tests" / "data" / "uptake_gold"
#: aim of issue 21
RECALL_AT_5_AIM = 0.8


def gold_tasks() -> dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """``{task: (queries, pool, truth)}`` from the committed gold files."""
    props = pd.read_csv(GOLD / "ccc_proposals.csv", dtype=str, keep_default_na=False)
    objs = pd.read_csv(GOLD / "ccc_objectives.csv", dtype=str, keep_default_na=False)
    titled = objs[objs["label"] != ""]
    q1 = props[props["objective_id"].isin(titled["objective_id"])][["rec_id", "text"]]
    pool1 = pd.DataFrame({"passage_id": titled["objective_id"], "text": titled["label"], "language": "fr"})
    truth1 = props[props["objective_id"].isin(titled["objective_id"])][["rec_id", "objective_id"]] \
        .rename(columns={"objective_id": "passage_id"})
    q2 = titled.rename(columns={"objective_id": "rec_id", "label": "text"})[["rec_id", "text"]]
    pool2 = pd.DataFrame({"passage_id": props["rec_id"], "text": props["text"], "language": "fr"})
    truth2 = props[props["objective_id"].isin(titled["objective_id"])] \
        .rename(columns={"objective_id": "rec_id", "rec_id": "passage_id"})[["rec_id", "passage_id"]]
    return {"proposal_to_objective": (q1.reset_index(drop=True), pool1.reset_index(drop=True), truth1),
            "objective_to_proposals": (q2.reset_index(drop=True), pool2.reset_index(drop=True), truth2)}


def scores(method: str = "bm25") -> pd.DataFrame:
    """recall@1, recall@5, MRR of ``method`` on both tasks (one row per task and metric)."""
    frames = []
    for task, (queries, pool, truth) in gold_tasks().items():
        ranking = rank_passages(queries, pool, text="text", language="fr", top=None, method=method)  # type: ignore[arg-type]
        out = retrieval_scores(ranking, truth)
        out.insert(0, "task", task)
        frames.append(out)
    return pd.concat(frames, ignore_index=True)


def sizes(quick: bool) -> list[int]:
    return [len(gold_tasks()["proposal_to_objective"][0])]


def run(size: int, quick: bool, use_r: bool) -> dict[str, Any]:
    queries, pool, _ = gold_tasks()["proposal_to_objective"]
    timing, _ = best_of(lambda: rank_passages(queries, pool, text="text", language="fr", top=5),
                        3 if quick else 7)
    methods = ["bm25"] + (["bm25+embedding"] if embeddings_available() else [])
    checks: dict[str, Any] = {"gold_set": "CCC proposals and objectives (tests/data/uptake_gold)",
                              "embedding_extra_installed": len(methods) == 2}
    for method in methods:
        for r in scores(method).itertuples():
            checks[f"{method} {r.task} {r.metric}"] = round(float(r.estimate), 4)
            checks[f"{method} {r.task} pool"] = int(r.n_passages)
            checks[f"{method} {r.task} n"] = int(r.n)
    checks["recall@5_aim"] = RECALL_AT_5_AIM
    checks["bm25 recall@5 aim met (proposal_to_objective)"] = \
        checks["bm25 proposal_to_objective recall@5"] >= RECALL_AT_5_AIM
    return {"size": size, "deliberval": timing, "references": [], "checks": checks}
