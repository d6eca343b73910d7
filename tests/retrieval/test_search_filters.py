"""Filters are honoured over many random filter combinations (real Chroma, real embeddings)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from retrieval.index import ProductIndex
from retrieval.records import SearchFilters
from retrieval.where import where_clause
from tests.retrieval.memo_embedder import MemoEmbedder

QUERIES = ["waterproof hiking boots", "something to keep my coffee hot", "gift for a kid", "comfortable office chair",
           "noise cancelling headphones", "black leather bag", "yoga", "cheap", "red dress for a party", ""]


def _odd_case(rng: random.Random, text: str) -> str:
    return rng.choice([text, text.upper(), text.title()])


def random_filters(rng: random.Random, catalog) -> SearchFilters:
    """A random combination anchored on real products, so many combinations match something."""
    anchor = rng.choice(catalog)
    other = rng.choice(catalog)
    kw = {}
    if rng.random() < 0.35:
        kw["category"] = _odd_case(rng, anchor.category)
    if rng.random() < 0.3:
        kw["product_type"] = _odd_case(rng, anchor.product_type)
    if rng.random() < 0.35:
        kw["brands"] = tuple(_odd_case(rng, b) for b in {anchor.brand, other.brand} if rng.random() < 0.8) or (anchor.brand,)
    if rng.random() < 0.35:
        pool = list(anchor.colors + other.colors) or ["black"]
        kw["colors"] = tuple(_odd_case(rng, c) for c in rng.sample(pool, min(len(pool), rng.randint(1, 2))))
    if rng.random() < 0.4:
        kw["min_price"] = round(anchor.price * rng.uniform(0.3, 1.0), 2)
    if rng.random() < 0.4:
        kw["max_price"] = round(anchor.price * rng.uniform(1.0, 3.0), 2)
    if rng.random() < 0.3:
        kw["in_stock"] = rng.random() < 0.8
    if rng.random() < 0.3:
        kw["exclude_ids"] = tuple(p.id for p in rng.sample(catalog, 5)) + (anchor.id,)
    return SearchFilters(**kw)


def test_where_clause_agrees_with_matches_for_random_filters(product_index, catalog):
    """The Chroma ``where`` clause alone (no Python post-filter) selects exactly the reference set."""
    rng = random.Random(2024)
    non_empty = 0
    for _ in range(200):
        filters = random_filters(rng, catalog)
        expected = {p.id for p in catalog if filters.matches(p)}
        where = where_clause(filters)
        got = set(product_index._col.get(where=where, include=[])["ids"]) if where else {p.id for p in catalog}
        assert got == expected, f"where clause disagrees with matches() for {filters}: {where}"
        non_empty += bool(expected)
    assert non_empty > 100  # the loop really exercised matching filters, not just empty sets


def test_search_results_satisfy_filters_and_equal_brute_force(product_index, catalog, embedder):
    # same collection; query vectors memoised (10 distinct queries), so the loop times Chroma, not the model
    product_index = ProductIndex(product_index.client, MemoEmbedder(embedder), collection=product_index.name)
    rng = random.Random(7)
    for i in range(200):
        filters = random_filters(rng, catalog)
        query = QUERIES[i % len(QUERIES)]
        expected = [p for p in catalog if filters.matches(p)]
        k = rng.choice([5, 20]) if i % 4 else len(catalog)  # every 4th: k large enough for the whole set
        hits = product_index.search(query, filters, k=k)
        assert all(filters.matches(h.product) for h in hits), f"a hit violates {filters}"
        assert len(hits) == min(k, len(expected)), f"{len(hits)} hits for {len(expected)} matches (k={k}), {filters}"
        if k >= len(catalog):
            assert {h.product.id for h in hits} == {p.id for p in expected}


def test_ranking_matches_brute_force_cosine(product_index, catalog, embedder):
    stored = product_index._col.get(ids=[p.id for p in catalog], include=["embeddings"])
    by_id = dict(zip(stored["ids"], np.asarray(stored["embeddings"], dtype=np.float32)))
    vectors = np.stack([by_id[p.id] for p in catalog])
    sample = embedder.encode([p.embedding_text() for p in catalog[:4]])  # stored vectors are the model's
    assert np.allclose(sample, vectors[:4], atol=5e-3)  # bf16 (index_speed auto): ~3 digits, batch-dependent
    for query in ["waterproof hiking boots", "something to keep my coffee hot", "wireless earbuds for running"]:
        q = embedder.encode([query])[0]
        order = np.argsort(-(vectors @ q))[:10]
        expected = [catalog[i].id for i in order]
        hits = product_index.search(query, k=10)
        assert len(set(expected[:5]) & {h.product.id for h in hits}) >= 4
        assert hits[0].relevance == pytest.approx(float(vectors[order[0]] @ q), abs=1e-3)
        assert [h.relevance for h in hits] == sorted((h.relevance for h in hits), reverse=True)


def test_empty_query_ranks_by_filters_only(product_index, catalog):
    filters = SearchFilters(category=catalog[0].category, in_stock=True)
    hits = product_index.search("", filters, k=1000)
    expected = sorted((p for p in catalog if filters.matches(p)), key=lambda p: (-p.rating, -p.review_count, p.id))
    assert [h.product.id for h in hits] == [p.id for p in expected]
    assert all(h.relevance == 0.0 for h in hits)


def test_hits_are_real_products(product_index, catalog):
    by_id = {p.id: p for p in catalog}
    hits = product_index.search("hiking boots", k=5)
    assert hits and all(h.product == by_id[h.product.id] for h in hits)
    assert product_index.get([catalog[3].id, "no-such-id", catalog[1].id]) == [catalog[3], catalog[1]]
    assert product_index.all_products() == sorted(catalog, key=lambda p: p.id)
    assert product_index.count() == len(catalog)


def test_bad_k_is_a_clear_error(product_index):
    from retrieval.index import ProductIndexError

    with pytest.raises(ProductIndexError, match="k must be"):
        product_index.search("boots", k=0)
