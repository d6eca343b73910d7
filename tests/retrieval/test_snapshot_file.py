"""The on-disk snapshot (retrieval/snapshot_file.py): saved on the first load, read back at the next start
instead of Chroma while the collection's revision is unchanged (same search results), ignored once the
collection changed, and an unreadable or foreign file is never used."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from retrieval.catalog.generate import generate_catalog
from retrieval.chroma_client import open_client
from retrieval.index import ProductIndex
from retrieval.records import SearchFilters
from retrieval.snapshot_file import read_snapshot
from tests.retrieval.test_index_columns import HashEmbedder

FILTERS = [None, SearchFilters(category="shoes"), SearchFilters(max_price=40.0, in_stock=True),
           SearchFilters(colors=("black",)), SearchFilters(brands=("Northpeak",), min_price=10.0)]


def searches(index: ProductIndex) -> list[list[str]]:
    return [[h.product.id for h in index.search(q, f, k=8)] for q in ("running shoes", "mug", "warm socks")
            for f in FILTERS]


@pytest.fixture()
def store(tmp_path):
    products = generate_catalog(300, seed=5)
    products = [replace(p, price=None) if i % 13 == 0 else p for i, p in enumerate(products)]
    index = ProductIndex(open_client(tmp_path / "chroma"), HashEmbedder())
    index.upsert(products)
    return tmp_path / "chroma", products, index


def no_chroma_reads(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("read from Chroma although the snapshot file is current")

    monkeypatch.setattr(ProductIndex, "_pages", refuse)


def test_the_next_start_reads_the_file_and_searches_the_same(store, monkeypatch):
    path, _, first = store
    expected = searches(first)
    assert first.snapshot_path == path / "shopbot-snapshot-products.npz" and first.snapshot_path.is_file()
    again = ProductIndex(open_client(path), HashEmbedder())
    with monkeypatch.context() as m:
        no_chroma_reads(m)
        snap = again._fresh_snapshot()
    old = first._fresh_snapshot()
    assert snap.ids == old.ids and np.array_equal(snap.vectors, old.vectors) and np.array_equal(snap.id_rank, old.id_rank)
    assert {k: v.tolist() for k, v in snap.columns.color_rows.items()} == \
        {k: v.tolist() for k, v in old.columns.color_rows.items()}
    assert np.array_equal(snap.columns.price, old.columns.price, equal_nan=True)
    assert searches(again) == expected


def test_a_changed_collection_ignores_the_old_file(store):
    path, products, first = store
    first.search("mug", k=3)
    old_revision = first._fresh_snapshot().revision
    writer = ProductIndex(open_client(path), HashEmbedder())
    writer.upsert([replace(products[0], title="a brand new enamel camping mug")])
    assert read_snapshot(writer.snapshot_path, old_revision) is not None  # the file is still the old one
    reader = ProductIndex(open_client(path), HashEmbedder())
    hits = reader.search("brand new enamel camping mug", k=1)
    assert hits[0].product.id == products[0].id  # read from Chroma, not the stale file
    assert read_snapshot(reader.snapshot_path, old_revision) is None  # and the file rewritten for the new revision
    assert read_snapshot(reader.snapshot_path, reader._fresh_snapshot().revision) is not None


def test_unreadable_or_foreign_files_are_ignored(tmp_path):
    assert read_snapshot(tmp_path / "missing.npz", "r1") is None
    (tmp_path / "bad.npz").write_bytes(b"not a zip file")
    assert read_snapshot(tmp_path / "bad.npz", "r1") is None
    assert read_snapshot(tmp_path / "bad.npz", "") is None
    rng = random.Random(0)
    np.savez(tmp_path / "other.npz", x=np.arange(rng.randint(1, 9)))
    assert read_snapshot(tmp_path / "other.npz", "r1") is None
