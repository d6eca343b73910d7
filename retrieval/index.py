"""The product index: a Chroma collection of product embeddings with filterable metadata.

Re-indexing is incremental: a product is re-embedded only when its content hash changed, and
products no longer in the catalog are deleted.

Interruption safety (documented choice): the live collection is updated in place, in batches. Each
batch is one Chroma ``upsert`` carrying the embedding, the document and the metadata (including the
content hash) together, so a product's hash is only recorded once its new embedding is stored.
Deletions run after all upserts. A run interrupted at any point therefore leaves a usable index
(every product either in its old or its new version, nothing missing), and the next run re-embeds
only what is still stale.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from retrieval.product import Product
from retrieval.records import Hit, SearchFilters
from retrieval.where import HASH_KEY, index_hash, product_from_metadata, product_metadata, where_clause

log = logging.getLogger(__name__)

PAGE = 2000  # rows per Chroma get() page
FINGERPRINT_KEY = "catalog_fingerprint"


class ProductIndexError(ValueError):
    """Bad input to the index (duplicate ids, bad k, ...)."""


@dataclass(frozen=True)
class IndexStats:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    seconds: float = 0.0

    @property
    def embedded(self) -> int:
        return self.added + self.updated

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ProductIndex:
    def __init__(self, client, embedder, collection: str = "products", *, batch_size: int = 128) -> None:
        self.client = client
        self.embedder = embedder
        self.name = collection
        self.batch_size = max(1, min(batch_size, int(client.get_max_batch_size())))
        # embedding_function=None: we always pass explicit embeddings (Chroma's default would download a model)
        self._col = client.get_or_create_collection(
            name=collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )

    @classmethod
    def open(cls, *, path=None, url: str | None = None, collection: str = "products", embedder=None, model_dir=None):
        """Open (or create) the index at an embedded path or a Chroma server URL, e.g. from Settings:
        ``ProductIndex.open(path=s.chroma_path, url=s.chroma_url, collection=s.products_collection,
        model_dir=s.embedding_model)``."""
        from retrieval.chroma_client import open_client
        from retrieval.embeddings import Embedder

        client = open_client(path=path, url=url)
        return cls(client, embedder if embedder is not None else Embedder(model_dir), collection=collection)

    # ------------------------------------------------------------------ reading
    def count(self) -> int:
        return int(self._col.count())

    def _pages(self, include: list[str], where: dict | None = None) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            page = self._col.get(where=where, include=include, limit=PAGE, offset=offset)
            if not page["ids"]:
                return
            yield page
            if len(page["ids"]) < PAGE:
                return
            offset += PAGE

    def hashes(self) -> dict[str, str]:
        """id -> content hash of every indexed product (reads metadata only)."""
        out: dict[str, str] = {}
        for page in self._pages(["metadatas"]):
            for pid, meta in zip(page["ids"], page["metadatas"]):
                out[pid] = str(meta.get(HASH_KEY, ""))
        return out

    def get(self, ids: Iterable[str]) -> list[Product]:
        """Products by id, in the requested order; unknown ids are skipped."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Product] = {}
        for chunk in _chunks(wanted, PAGE):
            res = self._col.get(ids=chunk, include=["metadatas"])
            for pid, meta in zip(res["ids"], res["metadatas"]):
                found[pid] = product_from_metadata(meta)
        return [found[i] for i in wanted if i in found]

    def all_products(self) -> list[Product]:
        products = [product_from_metadata(m) for page in self._pages(["metadatas"]) for m in page["metadatas"]]
        return sorted(products, key=lambda p: p.id)

    # ------------------------------------------------------------------ writing
    def upsert(
        self,
        products: list[Product],
        *,
        progress: bool = False,
        delete_missing: bool = True,
        on_batch: Callable[[int], None] | None = None,
    ) -> IndexStats:
        """Make the index hold exactly ``products`` (re-embedding only changed ones)."""
        start = time.perf_counter()
        ids = [p.id for p in products]
        if len(set(ids)) != len(ids):
            dupes = sorted({i for i in ids if ids.count(i) > 1})[:5]
            raise ProductIndexError(f"duplicate product ids: {', '.join(dupes)}")
        existing = self.hashes()
        todo = [p for p in products if existing.get(p.id) != index_hash(p)]
        added = sum(1 for p in todo if p.id not in existing)
        self._embed_and_store(todo, progress=progress, on_batch=on_batch)
        stale = sorted(set(existing) - set(ids)) if delete_missing else []
        for chunk in _chunks(stale, self.batch_size):
            self._col.delete(ids=chunk)
        stats = IndexStats(
            added=added,
            updated=len(todo) - added,
            deleted=len(stale),
            unchanged=len(products) - len(todo),
            seconds=time.perf_counter() - start,
        )
        log.debug("index %s: %s", self.name, stats)
        return stats

    def _embed_and_store(self, todo: list[Product], *, progress: bool, on_batch) -> None:
        from tqdm.auto import tqdm

        with tqdm(total=len(todo), desc="embedding", unit="product", disable=not progress or not todo) as bar:
            for batch in _chunks(todo, self.batch_size):
                vectors = self.embedder.encode([p.embedding_text() for p in batch])
                # one upsert = embedding + document + metadata (with the hash) together: idempotent per batch
                self._col.upsert(
                    ids=[p.id for p in batch],
                    embeddings=vectors,
                    documents=[p.embedding_text() for p in batch],
                    metadatas=[product_metadata(p) for p in batch],
                )
                bar.update(len(batch))
                if on_batch is not None:
                    on_batch(len(batch))

    def delete(self, ids: Iterable[str]) -> None:
        for chunk in _chunks(list(ids), self.batch_size):
            self._col.delete(ids=chunk)

    # ------------------------------------------------------------------ catalog fingerprint
    @property
    def fingerprint(self) -> str | None:
        """An opaque marker of the catalog last fully indexed (set by callers such as `shopbot build`)."""
        meta = self._col.metadata or {}
        value = meta.get(FINGERPRINT_KEY)
        return str(value) if value else None

    def set_fingerprint(self, value: str) -> None:
        meta = dict(self._col.metadata or {})
        meta[FINGERPRINT_KEY] = value
        self._col.modify(metadata=meta)

    # ------------------------------------------------------------------ searching
    def search(self, query: str, filters: SearchFilters | None = None, k: int = 50) -> list[Hit]:
        """Top-``k`` products for ``query`` satisfying every filter; an empty query ranks by filters only."""
        if not isinstance(k, int) or k <= 0:
            raise ProductIndexError(f"k must be a positive integer, got {k!r}")
        total = self.count()
        if total == 0:
            return []
        where = where_clause(filters)
        if not (query or "").strip():
            hits = self._browse(where, filters)
        else:
            hits = self._nearest(query, where, filters, min(k, total))
        return hits[:k]

    def _browse(self, where: dict | None, filters: SearchFilters | None) -> list[Hit]:
        """No query text: every matching product, best rated (then most reviewed) first, relevance 0."""
        products = [product_from_metadata(m) for page in self._pages(["metadatas"], where) for m in page["metadatas"]]
        if filters is not None:
            products = [p for p in products if filters.matches(p)]
        products.sort(key=lambda p: (-p.rating, -p.review_count, p.id))
        return [Hit(product=p, relevance=0.0) for p in products]

    def _nearest(self, query: str, where: dict | None, filters: SearchFilters | None, n: int) -> list[Hit]:
        vector = self.embedder.encode([query])[0]
        res = self._col.query(query_embeddings=[vector], n_results=n, where=where, include=["metadatas", "distances"])
        pairs = list(zip(res["metadatas"][0], res["distances"][0]))
        if where is not None and len(pairs) < n:
            # Filtered approximate search may return fewer than n although more products match;
            # fewer than n results means the filter is selective, so an exact scan is cheap.
            pairs = self._exact(vector, where)
        hits = []
        for meta, distance in pairs:
            product = product_from_metadata(meta)
            if filters is None or filters.matches(product):  # a hit violating a filter is impossible
                hits.append(Hit(product=product, relevance=float(1.0 - distance)))
        hits.sort(key=lambda h: (-h.relevance, h.product.id))
        return hits

    def _exact(self, vector: np.ndarray, where: dict) -> list[tuple[dict, float]]:
        pairs: list[tuple[dict, float]] = []
        for page in self._pages(["metadatas", "embeddings"], where):
            sims = np.asarray(page["embeddings"], dtype=np.float32) @ vector
            pairs.extend((meta, float(1.0 - s)) for meta, s in zip(page["metadatas"], sims))
        return pairs
