"""Incremental re-indexing by content hash, deletions, and interrupted runs (real Chroma, real model)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from retrieval.chroma_client import open_client
from retrieval.index import ProductIndex, ProductIndexError
from retrieval.records import SearchFilters
from tests.retrieval.memo_embedder import MemoEmbedder


class CountingEmbedder:
    """Wraps the real embedder; counts texts embedded and can crash after ``fail_after`` batches."""

    def __init__(self, inner, fail_after: int | None = None):
        self.inner, self.dim = inner, inner.dim
        self.texts = 0
        self.calls = 0
        self.fail_after = fail_after

    def encode(self, texts, **kw):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise KeyboardInterrupt("simulated crash mid-index")
        self.calls += 1
        self.texts += len(texts)
        return self.inner.encode(texts, **kw)


@pytest.fixture
def small(catalog):
    return catalog[:40]


@pytest.fixture(scope="module")
def memo(embedder, product_index):
    """The session model, reusing the vectors it already computed for the session index."""
    return MemoEmbedder.from_index(embedder, product_index)


def _index(tmp_path, embedder, batch_size=8):
    return ProductIndex(open_client(tmp_path / "chroma"), embedder, collection="products", batch_size=batch_size)


def test_reindex_only_changed_products(tmp_path, memo, small):
    counting = CountingEmbedder(memo)
    index = _index(tmp_path, counting)
    first = index.upsert(small)
    assert (first.added, first.updated, first.deleted, first.unchanged) == (40, 0, 0, 0)
    assert counting.texts == 40

    again = index.upsert(small)
    assert not again.changed and again.unchanged == 40 and counting.texts == 40  # nothing re-embedded

    changed = list(small)
    changed[3] = replace(changed[3], price=changed[3].price + 1)
    changed[10] = replace(changed[10], title=changed[10].title + " II")
    changed[20] = replace(changed[20], in_stock=not changed[20].in_stock)
    counting.texts = 0
    stats = index.upsert(changed)
    assert (stats.added, stats.updated, stats.deleted, stats.unchanged) == (0, 3, 0, 37)
    assert counting.texts == 3
    assert index.get([changed[3].id])[0].price == changed[3].price
    assert index.search("", SearchFilters(exclude_ids=()), k=100)  # still serving

    kept = changed[:30] + [replace(changed[35], id="NEW-1")]
    counting.texts = 0
    stats = index.upsert(kept)
    assert (stats.added, stats.updated, stats.deleted, stats.unchanged) == (1, 0, 10, 30)
    assert counting.texts == 1
    assert index.count() == 31
    assert {p.id for p in index.all_products()} == {p.id for p in kept}


def test_reopened_index_keeps_hashes(tmp_path, memo, small):
    _index(tmp_path, memo).upsert(small[:10])
    counting = CountingEmbedder(memo)
    stats = _index(tmp_path, counting).upsert(small[:10])
    assert stats.unchanged == 10 and counting.texts == 0


def test_interrupted_upsert_leaves_previous_index_usable(tmp_path, memo, small):
    index = _index(tmp_path, memo)
    index.upsert(small)
    before = {h.product.id for h in index.search("hiking boots", k=10)}

    new_version = [replace(p, price=round(p.price + 5, 2)) for p in small]
    crashing = CountingEmbedder(memo, fail_after=2)  # crash on the 3rd batch of 8
    with pytest.raises(KeyboardInterrupt):
        _index(tmp_path, crashing).upsert(new_version)

    survivor = _index(tmp_path, memo)
    assert survivor.count() == 40  # nothing lost
    served = {h.product.id for h in survivor.search("hiking boots", k=10)}
    assert served == before  # price-only changes: same ranking
    old_prices = {p.id: p.price for p in small}
    new_prices = {p.id: p.price for p in new_version}
    stored = survivor.all_products()
    assert all(p.price in (old_prices[p.id], new_prices[p.id]) for p in stored)
    assert sum(p.price == new_prices[p.id] for p in stored) == 16  # exactly the two finished batches

    counting = CountingEmbedder(memo)
    stats = _index(tmp_path, counting).upsert(new_version)  # the re-run continues where it stopped
    assert (stats.updated, stats.unchanged) == (24, 16) and counting.texts == 24
    assert sorted(survivor.all_products(), key=lambda p: p.id) == sorted(new_version, key=lambda p: p.id)


def test_duplicate_ids_refused(tmp_path, memo, small):
    index = _index(tmp_path, memo)
    with pytest.raises(ProductIndexError, match="duplicate product ids"):
        index.upsert([small[0], small[1], small[0]])
    assert index.count() == 0
