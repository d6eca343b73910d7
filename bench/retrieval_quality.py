"""Retrieval quality of dense vs BM25 vs hybrid (reciprocal rank fusion) on the labelled query set."""

from __future__ import annotations

from statistics import mean

from bench.retrieval_queries import LabelledQuery
from assistant.metrics import ranking_scores
from bench.bm25 import BM25
from retrieval.product import Product

RRF_K = 60
DEPTH = 100  # candidates taken from each retriever


def query_scores(ranked: list[str], grades: dict[str, int]) -> dict[str, float]:
    """nDCG@10 (exponential gains 2^g - 1: ranx's ``ndcg_burges``) over the graded products and Recall@50
    (relevant = grade >= 2) of one ranked id list (``assistant.metrics``, ranx)."""
    ndcg = ranking_scores({"q": ranked}, {"q": grades}, ["ndcg_burges@10"])["ndcg_burges@10"]
    recall = ranking_scores({"q": ranked}, {"q": {p: 1 for p, g in grades.items() if g >= 2}}, ["recall@50"])["recall@50"]
    return {"ndcg@10": ndcg, "recall@50": recall}


def rrf(*rankings: list[str], k: int = RRF_K) -> list[str]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores, key=lambda pid: (-scores[pid], pid))


def evaluate(index, catalog: list[Product], queries: list[LabelledQuery]) -> dict:
    """nDCG@10 and Recall@50 (relevant = right product type, grade >= 2) per retriever, overall and by style."""
    bm25 = BM25([p.embedding_text() for p in catalog])
    ids = [p.id for p in catalog]
    rows: list[dict] = []
    for q in queries:
        grades = {p.id: q.grade(p) for p in catalog}
        dense = [h.product.id for h in index.search(q.text, k=DEPTH)]
        lexical = [ids[i] for i, _ in bm25.search(q.text, k=DEPTH)]
        runs = {"dense": dense, "bm25": lexical, "hybrid": rrf(dense, lexical)}
        for name, ranked in runs.items():
            rows.append({"retriever": name, "style": q.style, **query_scores(ranked, grades)})
    return summarise(rows, len(queries))


def summarise(rows: list[dict], n_queries: int) -> dict:
    out: dict = {"queries": n_queries, "retrievers": {}}
    for name in ("bm25", "dense", "hybrid"):
        mine = [r for r in rows if r["retriever"] == name]
        entry = {m: mean(r[m] for r in mine) for m in ("ndcg@10", "recall@50")}
        for style in ("need", "synonym"):
            part = [r for r in mine if r["style"] == style]
            if part:
                entry[f"ndcg@10[{style}]"] = mean(r["ndcg@10"] for r in part)
                entry[f"queries[{style}]"] = len(part)
        out["retrievers"][name] = entry
    base = out["retrievers"]["bm25"]
    for name, entry in out["retrievers"].items():
        entry["ndcg@10 vs bm25"] = entry["ndcg@10"] / base["ndcg@10"] if base["ndcg@10"] else float("nan")
        entry["recall@50 vs bm25"] = entry["recall@50"] / base["recall@50"] if base["recall@50"] else float("nan")
    return out


def quality_table(quality: dict) -> str:
    lines = [
        "| retriever | nDCG@10 | Recall@50 | nDCG@10 vs BM25 | Recall@50 vs BM25 | nDCG@10 need-paraphrase | nDCG@10 synonym |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, e in quality["retrievers"].items():
        lines.append(
            f"| {name} | {e['ndcg@10']:.3f} | {e['recall@50']:.3f} | {e['ndcg@10 vs bm25']:.2f}x | "
            f"{e['recall@50 vs bm25']:.2f}x | {e.get('ndcg@10[need]', float('nan')):.3f} | "
            f"{e.get('ndcg@10[synonym]', float('nan')):.3f} |"
        )
    return "\n".join(lines)
