"""In-memory filtering and exact search of ProductIndex against the reference ``SearchFilters.matches``.

Real Chroma; the vectors come from a deterministic stand-in embedder (the filter semantics do not depend
on the model; tests/retrieval/test_search_filters.py covers the real one).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace

import numpy as np
import pytest

from retrieval.catalog.generate import generate_catalog
from retrieval.chroma_client import open_client
from retrieval.columns import AttributeColumns
from retrieval.index import ProductIndex
from retrieval.product import Product
from retrieval.records import SearchFilters
from retrieval.where import product_from_record, product_metadata

QUERIES = ["waterproof hiking boots", "coffee", "gift for a kid", "black leather bag", "yoga mat", "cheap"]
ODD_COLORS = [("Navy Blue/White",), ("Charcoal", "rose gold"), ("Original Version",), ("",), ("BLACK", "Tan")]


class HashEmbedder:
    """Deterministic unit vectors from word hashes: texts sharing words are close (no model needed)."""

    dim = 64
    model_dir = None

    def encode(self, texts, **_) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest()[:8], 16) % self.dim] += 1.0
            seed = int(hashlib.md5(text.encode()).hexdigest()[:8], 16)
            out[row] += 0.05 * np.random.default_rng(seed).standard_normal(self.dim)  # no accidental ties
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def products() -> list[Product]:
    """A generated catalog with the awkward cases of real ones: no price, free-text colours, odd case."""
    rng = random.Random(3)
    base = generate_catalog(400, seed=11)
    out = []
    for i, p in enumerate(base):
        if i % 9 == 0:
            p = replace(p, price=None)
        if i % 7 == 0:
            p = replace(p, colors=rng.choice(ODD_COLORS))
        if i % 11 == 0:
            p = replace(p, brand=p.brand.upper(), category=p.category.title())
        out.append(p)
    return out


@pytest.fixture(scope="module")
def index(tmp_path_factory, products) -> ProductIndex:
    idx = ProductIndex(open_client(tmp_path_factory.mktemp("columns") / "chroma"), HashEmbedder(), batch_size=64)
    idx.upsert(products)
    return idx


def _odd_case(rng: random.Random, text: str) -> str:
    return rng.choice([text, text.upper(), text.title()])


def _filters(rng: random.Random, products: list[Product]) -> SearchFilters:
    """A random combination anchored on real products (so many match something), plus awkward values."""
    anchor, other = rng.choice(products), rng.choice(products)
    price = anchor.price if anchor.price is not None else 50.0
    kw: dict = {}
    if rng.random() < 0.35:
        kw["category"] = _odd_case(rng, anchor.category)
    if rng.random() < 0.3:
        kw["product_type"] = _odd_case(rng, anchor.product_type)
    if rng.random() < 0.35:
        kw["brands"] = tuple(_odd_case(rng, b) for b in {anchor.brand, other.brand})
    if rng.random() < 0.35:
        pool = list(anchor.colors + other.colors) or ["black"]
        kw["colors"] = tuple(_odd_case(rng, c) for c in rng.sample(pool, min(len(pool), rng.randint(1, 2))))
    if rng.random() < 0.4:
        kw["min_price"] = round(price * rng.uniform(0.3, 1.0), 2)
    if rng.random() < 0.4:
        kw["max_price"] = round(price * rng.uniform(1.0, 3.0), 2)
    if rng.random() < 0.3:
        kw["in_stock"] = rng.random() < 0.8
    if rng.random() < 0.3:
        kw["exclude_ids"] = tuple(p.id for p in rng.sample(products, 5)) + (anchor.id, "no-such-id")
    f = SearchFilters(**kw)
    roll = rng.random()
    if roll < 0.1:
        f = replace(f, brands=f.brands + ("no-such-brand",))
    elif roll < 0.2:
        f = replace(f, colors=rng.choice(ODD_COLORS))
    elif roll < 0.25:
        f = replace(f, category="", product_type="")
    elif roll < 0.3:
        f = replace(f, min_price=0.0)  # excludes exactly the unpriced products
    return f


def test_mask_selects_exactly_what_matches_accepts(products):
    columns = AttributeColumns.from_metadata([p.id for p in products], [product_metadata(p) for p in products])
    rng = random.Random(99)
    non_empty = 0
    for _ in range(600):
        filters = _filters(rng, products)
        expected = {p.id for p in products if filters.matches(p)}
        mask = columns.mask(filters)
        got = {p.id for p in products} if mask is None else {products[r].id for r in np.flatnonzero(mask)}
        assert got == expected, f"mask disagrees with matches() for {filters}"
        non_empty += 0 < len(expected) < len(products)
    assert non_empty > 300
    assert columns.mask(None) is None and columns.mask(SearchFilters()) is None


def _brute_force(embedder, products, query, filters, k):
    matching = [p for p in products if filters is None or filters.matches(p)]
    if not matching:
        return []
    vectors = embedder.encode([p.embedding_text() for p in matching])
    sims = vectors @ embedder.encode([query])[0]
    ranked = sorted(zip(matching, sims.tolist()), key=lambda ps: (-ps[1], ps[0].id))
    return ranked[:k]


def test_search_is_the_exact_top_k_of_the_matching_products(index, products):
    rng = random.Random(5)
    for i in range(150):
        filters = None if i % 10 == 0 else _filters(rng, products)
        query = QUERIES[i % len(QUERIES)]
        k = rng.choice([1, 5, 20, 500])
        hits = index.search(query, filters, k=k)
        expected = _brute_force(index.embedder, products, query, filters, k)
        assert [h.product.id for h in hits] == [p.id for p, _ in expected], f"{query!r} {filters} k={k}"
        assert [h.relevance for h in hits] == pytest.approx([s for _, s in expected], abs=1e-5)
        assert all(h.product == p for h, (p, _) in zip(hits, expected))  # real, complete records


def test_browse_without_query_and_dense_scores(index, products):
    filters = SearchFilters(in_stock=True, min_price=10.0)
    hits = index.search("", filters, k=1000)
    expected = sorted((p for p in products if filters.matches(p)), key=lambda p: (-p.rating, -p.review_count, p.id))
    assert [h.product.id for h in hits] == [p.id for p in expected] and all(h.relevance == 0.0 for h in hits)

    scores = index.dense_scores("waterproof hiking boots")
    brute = _brute_force(index.embedder, products, "waterproof hiking boots", None, len(products))
    assert set(scores) == {p.id for p in products}
    assert all(scores[p.id] == pytest.approx(s, abs=1e-5) for p, s in brute)
    assert set(index.dense_scores("boots", filters)) == {p.id for p in expected}


def test_a_write_by_another_instance_is_seen_at_once(tmp_path, products):
    path = tmp_path / "chroma"
    reader = ProductIndex(open_client(path), HashEmbedder())
    writer = ProductIndex(open_client(path), HashEmbedder(), batch_size=16)
    writer.upsert(products[:50])
    assert len(reader.search("boots", k=100)) == 50
    changed = replace(products[0], title="Zebra striped umbrella", price=1.0)
    writer.upsert([changed] + products[1:40])  # one update, ten deletions
    assert reader.count() == 40
    top = reader.search("zebra striped umbrella", SearchFilters(max_price=1.0), k=3)
    assert [h.product for h in top] == [changed]
    assert reader.get([products[45].id]) == [] and reader.get([changed.id]) == [changed]


def test_records_of_the_previous_scheme_are_still_read(products):
    import json

    p = products[1]
    legacy = {**product_metadata(p), "product_json": json.dumps(p.to_dict())}
    assert product_from_record(p.embedding_text(), legacy) == p  # schemes 1-2: the record was metadata
    assert "product_json" not in product_metadata(p)  # now it is the document, out of the metadata


def test_only_a_big_store_serves_its_previous_snapshot_while_a_slow_reload_waits(tmp_path, products, monkeypatch):
    import retrieval.index as index_mod

    path = tmp_path / "chroma"
    reader = ProductIndex(open_client(path), HashEmbedder())
    writer = ProductIndex(open_client(path), HashEmbedder())
    writer.upsert(products[:50])
    reader.search("boots", k=5)
    reader._load_seconds = 5.0  # as if the last load had been slow (a busy machine)
    writer.upsert([replace(products[0], price=1.0)] + products[1:50])
    assert [h.product.id for h in reader.search("boots", SearchFilters(max_price=1.0), k=3)] == [products[0].id]
    monkeypatch.setattr(index_mod, "BIG_STORE", 10)  # the same with a big store: the previous snapshot meanwhile
    reader._load_seconds = 5.0
    writer.upsert([replace(products[0], price=2.0)] + products[1:50])
    assert reader._fresh_snapshot().revision != reader._seen_revision
