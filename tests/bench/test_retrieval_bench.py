"""Metrics and the labelled query set of bench/retrieval.py (no model needed)."""

from __future__ import annotations

import math

import pytest

from bench.retrieval_quality import ndcg_at, recall_at, rrf
from bench.retrieval_queries import build_queries


def test_ndcg_recall_rrf():
    assert ndcg_at([3, 2, 0], [3, 2, 0, 0]) == pytest.approx(1.0)
    assert ndcg_at([0, 3], [3, 0]) == pytest.approx((7 / math.log2(3)) / 7)
    assert ndcg_at([0], [0, 0]) == 0.0
    assert recall_at(["a", "b", "c"], {"a", "c", "d", "e"}, k=2) == 0.25
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
