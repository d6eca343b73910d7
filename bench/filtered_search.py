"""Search latency at scale: ``ProductIndex.search`` unfiltered and filtered, p50/p95, vs an exact numpy scan.

    python -m bench.filtered_search [--sizes 5000,50000,100000] [--queries 300] [--store 100000=DIR]

Per size: a generated catalog (seeded) in a fresh embedded Chroma with proxy unit vectors (latency does
not depend on what the vectors mean; ``--keep DIR`` keeps it as a data dir DIR/N for bench.turns), or an already indexed store (``--store N=DATA_DIR``, e.g. the
100k store built by ``shopbot index``: real vectors). Query vectors are precomputed, so the times are
the index's: the revision check, the filter mask over the attribute columns, the exact scoring, the
top k, and reading the k hit records from Chroma ("records cached": again after ``all_products()``, as
the assistant runs: it reads every record at start-up). The floor next to it is a bare numpy scan
(``vectors @ q`` and ``argpartition``, no filter, no records).

Filters are what a chat turn sends: a category or product type, often a price bound, sometimes a brand,
colour or in-stock flag, and the products already shown excluded.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from retrieval.records import SearchFilters

log = logging.getLogger("bench.filtered_search")
K = 50


class QueryVectors:
    """An Embedder stand-in serving precomputed query vectors (and proxy vectors for indexing)."""

    def __init__(self, dim: int, seed: int) -> None:
        self.dim, self.rng, self.table = dim, np.random.default_rng(seed), {}

    def encode(self, texts, **_) -> np.ndarray:
        out = []
        for t in texts:
            if t not in self.table:
                v = self.rng.standard_normal(self.dim).astype(np.float32)
                self.table[t] = v / np.linalg.norm(v)
            out.append(self.table[t])
        return np.stack(out) if out else np.zeros((0, self.dim), dtype=np.float32)


def chat_filters(rng: random.Random, products) -> SearchFilters:
    anchor = rng.choice(products)
    kw: dict = {"category": anchor.category} if rng.random() < 0.6 else {"product_type": anchor.product_type}
    price = anchor.price or 50.0
    if rng.random() < 0.5:
        kw["max_price"] = round(price * rng.uniform(1.0, 2.0), 2)
    if rng.random() < 0.2:
        kw["brands"] = (anchor.brand,)
    if rng.random() < 0.2 and anchor.colors:
        kw["colors"] = (anchor.colors[0],)
    if rng.random() < 0.3:
        kw["in_stock"] = True
    if rng.random() < 0.5:
        kw["exclude_ids"] = tuple(p.id for p in rng.sample(products, 5))
    return SearchFilters(**kw)


def _pct(xs: list[float]) -> dict[str, float]:
    return {"p50_ms": round(float(np.percentile(xs, 50)), 2), "p95_ms": round(float(np.percentile(xs, 95)), 2)}


def open_index(n: int, stores: dict[int, Path], workdir: Path, seed: int, keep: Path | None = None):
    """(index, products) of size ``n``: an indexed store, a kept proxy store (``keep/N``), or a fresh one."""
    from retrieval.catalog.generate import generate_catalog
    from retrieval.catalog.io import save_catalog
    from retrieval.chroma_client import open_client
    from retrieval.index import ProductIndex

    if n in stores:
        from assistant.settings import Settings
        from retrieval.embeddings import Embedder

        settings = Settings(data_dir=stores[n])
        index = ProductIndex(open_client(settings.chroma_path), Embedder(speed=settings.index_speed),
                             collection=settings.products_collection)
        return index, index.all_products()
    products = generate_catalog(n, seed=seed)
    if keep is not None:  # a data dir (catalog.jsonl + chroma/) that `shopbot` and bench.turns can open
        (keep / str(n)).mkdir(parents=True, exist_ok=True)
        save_catalog(products, keep / str(n) / "catalog.jsonl")
        path = keep / str(n) / "chroma"
    else:
        path = Path(tempfile.mkdtemp(prefix=f"fs-{n}-", dir=workdir))
    index = ProductIndex(open_client(path), QueryVectors(384, seed), batch_size=2000)
    if index.count() == n:
        return index, products
    t = time.perf_counter()
    index.upsert(products)
    log.info("%d products stored (proxy vectors) in %.0fs", n, time.perf_counter() - t)
    return index, products


def measure(index, products, queries: int, seed: int) -> dict:
    rng = random.Random(seed)
    vecs = QueryVectors(index.embedder.dim, seed + 1)
    index.embedder = vecs  # query vectors precomputed: the store's time only
    t = time.perf_counter()
    index.search("warm up", k=K)  # loads the snapshot
    load_s = time.perf_counter() - t
    snap = index._fresh_snapshot()
    texts = [f"query {i}" for i in range(queries)]
    vecs.encode(texts)
    plain, filtered, floor, sizes = [], [], [], []
    for i, text in enumerate(texts):
        f = chat_filters(rng, products)
        t = time.perf_counter()
        index.search(text, k=K)
        plain.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        hits = index.search(text, f, k=K)
        filtered.append((time.perf_counter() - t) * 1000)
        sizes.append(len(hits))
        t = time.perf_counter()
        sims = snap.vectors @ vecs.table[text]
        np.argpartition(-sims, K)[:K]
        floor.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    index.all_products()  # as the assistant does at start-up (assistant/runtime.py): every record cached
    records_s = time.perf_counter() - t
    warm_plain, warm_filtered = [], []
    rng = random.Random(seed)
    for text in texts:
        f = chat_filters(rng, products)
        t = time.perf_counter()
        index.search(text, k=K)
        warm_plain.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        index.search(text, f, k=K)
        warm_filtered.append((time.perf_counter() - t) * 1000)
    return {"products": snap.size, "snapshot_load_s": round(load_s, 2), "records_load_s": round(records_s, 2),
            "unfiltered": _pct(plain), "filtered": _pct(filtered), "numpy_scan": _pct(floor),
            "unfiltered_records_cached": _pct(warm_plain), "filtered_records_cached": _pct(warm_filtered),
            "mean_filtered_hits": round(float(np.mean(sizes)), 1)}


TURN_QUERIES = ("running shoes under 120", "wireless headphones", "something warm for winter", "black leather bag",
                "a gift for my dad who likes coffee", "waterproof hiking boots size 10", "yoga mat", "cheap desk lamp")


def measure_hybrid(index, products, queries: int, seed: int) -> dict:
    """The retrieval stage of a chat turn: HybridIndex (dense + BM25, retrieval/hybrid.py) with chat filters."""
    from retrieval.hybrid import HybridIndex

    t = time.perf_counter()
    hybrid = HybridIndex.build(index, products)
    build_s = time.perf_counter() - t
    rng = random.Random(seed)
    times = []
    for i in range(queries):
        f = chat_filters(rng, products) if i % 2 else None
        t = time.perf_counter()
        hybrid.search(TURN_QUERIES[i % len(TURN_QUERIES)], f, k=10)
        times.append((time.perf_counter() - t) * 1000)
    return {"lexical_build_s": round(build_s, 1), "hybrid_search": _pct(times)}


def query_encoding(speeds: tuple[str, ...] = ("fp32", "auto"), n: int = 100) -> dict:
    """p50/p95 of encoding one chat query per embedder speed mode (what the precomputed vectors leave out)."""
    from retrieval.embeddings import Embedder

    out = {}
    for speed in speeds:
        emb = Embedder(speed=speed)
        emb.encode(["warm up"])
        times = []
        for i in range(n):
            t = time.perf_counter()
            emb.encode([f"{TURN_QUERIES[i % len(TURN_QUERIES)]} {i}"])
            times.append((time.perf_counter() - t) * 1000)
        out[speed] = _pct(times)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="5000,50000,100000")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--store", action="append", default=[], metavar="N=DATA_DIR", help="use an indexed store for size N")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--hybrid", action="store_true", help="also the hybrid (dense + BM25) search of a chat turn")
    ap.add_argument("--encode", action="store_true", help="also the query encoding latency per speed mode")
    ap.add_argument("--keep", type=Path, help="keep each generated proxy store as a data dir KEEP/N (reused if there)")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    stores = {int(k): Path(v) for k, v in (s.split("=", 1) for s in args.store)}
    out = {}
    for n in (int(s) for s in args.sizes.split(",")):
        index, products = open_index(n, stores, args.workdir, args.seed, args.keep)
        out[n] = measure(index, products, args.queries, args.seed)
        if args.hybrid:
            out[n].update(measure_hybrid(index, products, args.queries, args.seed))
        log.info("%d: %s", n, out[n])
    if args.encode:
        out["query_encoding"] = query_encoding()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
