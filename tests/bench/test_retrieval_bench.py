"""Metrics and the labelled query set of bench/retrieval.py (no model needed)."""

from __future__ import annotations

import math

import pytest

from bench.retrieval_quality import query_scores, rrf
from bench.retrieval_queries import build_queries


def test_ndcg_recall_rrf():
    assert query_scores(["a", "b", "c"], {"a": 3, "b": 2, "c": 0, "d": 0})["ndcg@10"] == pytest.approx(1.0)
    assert query_scores(["x", "a"], {"a": 3, "x": 0})["ndcg@10"] == pytest.approx((7 / math.log2(3)) / 7)
    assert query_scores(["a"], {"a": 0, "b": 0}) == {"ndcg@10": 0.0, "recall@50": 0.0}
    assert query_scores(["a", "b", "c"], {"a": 2, "c": 3, "d": 2, "e": 1})["recall@50"] == pytest.approx(2 / 3)
    assert rrf(["a", "b", "c"], ["c", "a"]) == ["a", "c", "b"]


def test_queries_are_graded_and_held_out(catalog):
    queries = build_queries(catalog, n=60, seed=1)
    assert len(queries) == 60 and len({q.text for q in queries}) == 60
    titles = " ".join(p.description.lower() for p in catalog)
    for q in queries:
        assert any(q.grade(p) == 3 for p in catalog), q
        assert q.text.lower() not in titles
    need = [q for q in queries if q.style == "need"]
    assert need and all(q.product_type not in q.text for q in need)  # paraphrases avoid the type word
