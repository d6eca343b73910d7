"""The product index: product embeddings, records and filterable metadata in a Chroma collection,
searched exactly in memory.

Storage (one Chroma record per product, retrieval/where.py): the embedding, the full Product as the
record's document (JSON), and small typed metadata fields (category, brand, price, colours, the content
hash ...). Search does not use Chroma's query or metadata filter: the ids, vectors and metadata columns
are read once into an ``IndexSnapshot`` (retrieval/snapshot.py), filters become a numpy mask over the
columns (retrieval/columns.py, the same results as ``SearchFilters.matches``) and the scoring is an exact
dot product. The snapshot is reloaded when the collection's revision marker changed (every write batch,
from any process, sets a new one; each read checks it; a snapshot that takes seconds to load is reloaded
at most every ``RELOAD_FACTOR`` x its load time). An embedded store keeps a copy of the snapshot beside the
collection (retrieval/snapshot_file.py), used at the next start-up while the revision is unchanged. Records of hits come from Chroma by id and are cached
until the revision changes; a hit whose current record no longer passes the filters is dropped.

Re-indexing is incremental: a product is re-embedded only when its content hash changed, and
products no longer in the catalog are deleted.

Interruption safety (documented choice): the live collection is updated in place, in batches. Each
batch is one Chroma ``upsert`` carrying the embedding, the document and the metadata (including the
content hash) together, so a product's hash is only recorded once its new embedding is stored.
Deletions run after all upserts. A run interrupted at any point therefore leaves a usable index
(every product either in its old or its new version, nothing missing), and the next run re-embeds
only what is still stale. Products are embedded shortest text first (length-bucketed batches).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from retrieval.product import Product
from retrieval.records import Hit, SearchFilters
from retrieval.snapshot import IndexSnapshot
from retrieval.snapshot_file import read_snapshot, save_snapshot, snapshot_file_path
from retrieval.where import HASH_KEY, index_hash, product_document, product_from_record, product_metadata

log = logging.getLogger(__name__)

PAGE = 2000  # rows per Chroma get() page
LOAD_PAGE = 20_000  # rows per page when loading a snapshot (Chroma's offset paging rescans: few, big pages)
RELOAD_FACTOR = 10.0  # a slow-loading snapshot is reloaded at most every RELOAD_FACTOR x its load time
BIG_STORE = 20_000  # products: only a store this big may serve its previous snapshot while the new one waits
FINGERPRINT_KEY = "catalog_fingerprint"
REVISION_KEY = "revision"  # changes with every write batch; readers reload their snapshot when it does


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
        self._snapshot: IndexSnapshot | None = None
        self._seen_revision: str | None = None
        self._load_seconds = 0.0
        self._loaded_at = 0.0
        self._records: dict[str, Product] = {}  # records read since the snapshot was loaded
        self.snapshot_path = snapshot_file_path(client, collection)  # None: no on-disk copy (a Chroma server)

    @classmethod
    def open(cls, *, path=None, url: str | None = None, collection: str = "products", embedder=None, model_dir=None,
             speed: str = "auto"):
        """Open (or create) the index at an embedded path or a Chroma server URL, e.g. from Settings:
        ``ProductIndex.open(path=s.chroma_path, url=s.chroma_url, collection=s.products_collection,
        model_dir=s.embedding_model, speed=s.index_speed)``."""
        from retrieval.chroma_client import open_client
        from retrieval.embeddings import Embedder

        client = open_client(path=path, url=url)
        return cls(client, embedder if embedder is not None else Embedder(model_dir, speed=speed), collection=collection)

    # ------------------------------------------------------------------ reading
    def count(self) -> int:
        return int(self._col.count())

    def _pages(self, include: list[str], where: dict | None = None, page: int = PAGE) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            rows = self._col.get(where=where, include=include, limit=page, offset=offset)
            if not rows["ids"]:
                return
            yield rows
            if len(rows["ids"]) < page:
                return
            offset += page

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
        self._check_revision()
        missing = [i for i in wanted if i not in self._records]
        for chunk in _chunks(missing, PAGE):
            res = self._col.get(ids=chunk, include=["documents"])
            legacy = [pid for pid, doc in zip(res["ids"], res["documents"]) if not (doc or "").startswith("{")]
            metas = self._col.get(ids=legacy, include=["metadatas"]) if legacy else {"ids": [], "metadatas": []}
            old = dict(zip(metas["ids"], metas["metadatas"]))
            for pid, doc in zip(res["ids"], res["documents"]):
                self._records[pid] = product_from_record(doc, old.get(pid))
        return [self._records[i] for i in wanted if i in self._records]

    def all_products(self) -> list[Product]:
        self._check_revision()
        products = []
        for page in self._pages(["documents", "metadatas"], page=LOAD_PAGE):
            for pid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                product = product_from_record(doc, meta)  # read anyway: the freshest record
                self._records[pid] = product
                products.append(product)
        return sorted(products, key=lambda p: p.id)

    # ------------------------------------------------------------------ snapshot
    def _revision(self) -> str:
        meta = self.client.get_collection(self.name, embedding_function=None).metadata or {}
        return str(meta.get(REVISION_KEY, ""))

    def _check_revision(self) -> None:
        """Drop the cached records (and mark the snapshot stale) when the collection's revision changed."""
        revision = self._revision()  # one small catalog read (0.15 ms embedded)
        if revision != self._seen_revision:
            self._seen_revision = revision
            self._records.clear()

    def _fresh_snapshot(self) -> IndexSnapshot:
        """The in-memory snapshot, (re)loaded when missing or stale. A store that takes long to load is
        reloaded at most every ``RELOAD_FACTOR`` x its load time (a live server while a big catalog is being
        re-indexed serves the previous snapshot meanwhile; hits are still checked against their records)."""
        self._check_revision()
        snap = self._snapshot
        if snap is not None and snap.revision == self._seen_revision:
            return snap
        if snap is not None and snap.size >= BIG_STORE and self._load_seconds > 1.0:  # never for a small store,
            # however slow a busy machine made its last load: its writes are seen at once
            if time.monotonic() - self._loaded_at < RELOAD_FACTOR * self._load_seconds:
                return snap
        start = time.perf_counter()
        self._snapshot = self._stored_snapshot() or self._read_snapshot()
        self._load_seconds = time.perf_counter() - start
        self._loaded_at = time.monotonic()
        log.debug("loaded %d products of %s into memory in %.2fs", self._snapshot.size, self.name, self._load_seconds)
        return self._snapshot

    def _stored_snapshot(self) -> IndexSnapshot | None:
        """The on-disk copy of the snapshot when it is of the collection's current revision."""
        return read_snapshot(self.snapshot_path, self._seen_revision or "") if self.snapshot_path else None

    def _read_snapshot(self) -> IndexSnapshot:
        """The snapshot read from Chroma (paged), saved beside the collection for the next start-up."""
        snap = IndexSnapshot.load(self._pages(["metadatas", "embeddings"], page=LOAD_PAGE),
                                  self._seen_revision or "", self.embedder.dim)
        if self.snapshot_path and snap.revision:
            try:
                save_snapshot(snap, self.snapshot_path)
            except OSError as exc:  # a read-only store still serves, it only starts slower next time
                log.warning("could not save the snapshot to %s (%s)", self.snapshot_path, exc)
        return snap

    def _changed(self) -> None:
        """After a write: a new revision marker for other readers, and a reload for this one."""
        meta = dict(self.client.get_collection(self.name, embedding_function=None).metadata or {})
        meta[REVISION_KEY] = uuid.uuid4().hex
        self._col.modify(metadata=meta)
        self._seen_revision = meta[REVISION_KEY]
        self._records.clear()
        self._loaded_at = float("-inf")  # this object's own writes are seen at its next read

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
            seen: set[str] = set()
            dupes = sorted({i for i in ids if i in seen or seen.add(i)})[:5]
            raise ProductIndexError(f"duplicate product ids: {', '.join(dupes)}")
        existing = self.hashes()
        todo = [p for p in products if existing.get(p.id) != index_hash(p)]
        added = sum(1 for p in todo if p.id not in existing)
        self._embed_and_store(todo, progress=progress, on_batch=on_batch)
        stale = sorted(set(existing) - set(ids)) if delete_missing else []
        self.delete(stale)
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

        texts = {p.id: p.embedding_text() for p in todo}
        todo = sorted(todo, key=lambda p: (len(texts[p.id]), p.id))  # length buckets: little padding per batch
        with tqdm(total=len(todo), desc="embedding", unit="product", disable=not progress or not todo) as bar:
            for batch in _chunks(todo, self.batch_size):
                vectors = self.embedder.encode([texts[p.id] for p in batch])
                # one upsert = embedding + record + metadata (with the hash) together: idempotent per batch
                self._col.upsert(
                    ids=[p.id for p in batch],
                    embeddings=vectors,
                    documents=[product_document(p) for p in batch],
                    metadatas=[product_metadata(p) for p in batch],
                )
                self._changed()
                bar.update(len(batch))
                if on_batch is not None:
                    on_batch(len(batch))

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        for chunk in _chunks(ids, self.batch_size):
            self._col.delete(ids=chunk)
        if ids:
            self._changed()

    # ------------------------------------------------------------------ catalog fingerprint
    @property
    def fingerprint(self) -> str | None:
        """An opaque marker of the catalog last fully indexed (set by callers such as `shopbot build`)."""
        meta = self.client.get_collection(self.name, embedding_function=None).metadata or {}
        value = meta.get(FINGERPRINT_KEY)
        return str(value) if value else None

    def set_fingerprint(self, value: str) -> None:
        meta = dict(self.client.get_collection(self.name, embedding_function=None).metadata or {})
        meta[FINGERPRINT_KEY] = value
        self._col.modify(metadata=meta)

    # ------------------------------------------------------------------ searching
    def search(self, query: str, filters: SearchFilters | None = None, k: int = 50) -> list[Hit]:
        """Top-``k`` products for ``query`` satisfying every filter (exact cosine, ties by id); an empty query
        ranks the matching products by rating, then review count, then id (relevance 0)."""
        if not isinstance(k, int) or isinstance(k, bool) or k <= 0:
            raise ProductIndexError(f"k must be a positive integer, got {k!r}")
        snap = self._fresh_snapshot()
        if snap.size == 0:
            return []
        mask = snap.columns.mask(filters)
        if not (query or "").strip():
            scored = [(row, 0.0) for row in snap.browse(mask, k)]
        else:
            scored = snap.nearest(self.embedder.encode([query])[0], mask, k)
        products = {p.id: p for p in self.get(snap.ids[row] for row, _ in scored)}
        hits = []
        for row, relevance in scored:
            product = products.get(snap.ids[row])
            # a record changed by another process since the snapshot may no longer match: never show it
            if product is not None and (filters is None or filters.matches(product)):
                hits.append(Hit(product=product, relevance=relevance))
        return hits

    def dense_scores(self, query: str, filters: SearchFilters | None = None) -> dict[str, float]:
        """Cosine similarity of ``query`` to every indexed product (passing ``filters``), by id: the raw
        dense side for score fusion (exact; a few ms at 100k products)."""
        snap = self._fresh_snapshot()
        if snap.size == 0 or not (query or "").strip():
            return {}
        rows, sims = snap.scores(self.embedder.encode([query])[0], snap.candidates(snap.columns.mask(filters)))
        return dict(zip((snap.ids[r] for r in rows.tolist()), sims.tolist()))
