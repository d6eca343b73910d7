"""Retrieval benchmark: index build throughput, query latency (5k / 50k products), retrieval quality.

    python -m bench.retrieval [--sizes 5000,50000] [--queries 200] [--real-max 5000]

* Build: products/s of ``ProductIndex.upsert`` into a fresh embedded Chroma. The model's embedding rate
  is measured on a sample (``--embed-sample``); the Chroma side is measured on the full catalog with the
  vectors precomputed; end-to-end = 1 / (1/embed + 1/insert), as upsert runs them one after the other.
* Vectors: the first ``--real-max`` products get real MiniLM embeddings (cached in bench/out/cache);
  products beyond it (the 50k run) get proxy vectors: the real vector of a same-type product plus
  Gaussian noise (cosine ~0.9), renormalised. Embedding 50k products for real takes ~10+ minutes on
  2 cores; pass ``--real-max 50000`` for that.
* Latency: ``ProductIndex.search`` (query vectors precomputed, so it is the store's time) p50/p95 for
  unfiltered and filtered queries, next to an exact numpy brute-force scan over the same vectors.
* Quality: dense vs BM25 vs hybrid (RRF) on 200 held-out synthetic shopper queries (bench/retrieval_queries.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.retrieval_quality import evaluate, quality_table
from bench.retrieval_queries import build_queries
from retrieval.atomic import atomic_path, write_text_atomic
from retrieval.product import Product
from retrieval.records import SearchFilters

log = logging.getLogger("bench.retrieval")
REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
SHARED = REPO.parent / "shared" / "data"


class VectorCache:
    """text -> real embedding, persisted as .npz (keyed by sha1 of model dir + text)."""

    def __init__(self, path: Path, embedder) -> None:
        self.path, self.embedder = path, embedder
        self._salt = str(embedder.model_dir).encode()
        self.vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            data = np.load(path)
            self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))

    def key(self, text: str) -> str:
        return hashlib.sha1(self._salt + text.encode()).hexdigest()

    def get(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self.vectors))
        if missing:
            log.info("embedding %d texts (not cached)", len(missing))
            for t, v in zip(missing, self.embedder.encode(missing, progress=True)):
                self.vectors[self.key(t)] = v
            self.save()
        return np.stack([self.vectors[self.key(t)] for t in texts])

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.path) as tmp:
            np.savez(tmp, keys=np.array(list(self.vectors)), vectors=np.stack(list(self.vectors.values())))


class LookupEmbedder:
    """Serves precomputed vectors to ProductIndex, so timings measure the store, not the model."""

    def __init__(self, table: dict[str, np.ndarray], dim: int) -> None:
        self.table, self.dim = table, dim

    def encode(self, texts: list[str], **_) -> np.ndarray:
        return np.stack([self.table[t] for t in texts]).astype(np.float32)


def product_vectors(products: list[Product], cache: VectorCache, real_max: int, seed: int) -> np.ndarray:
    real = cache.get([p.embedding_text() for p in products[:real_max]])
    if len(products) <= real_max:
        return real
    rng = np.random.default_rng(seed)
    by_type: dict[str, list[int]] = {}
    for i, p in enumerate(products[:real_max]):
        by_type.setdefault(p.product_type, []).append(i)
    rest = products[real_max:]
    src = np.array([rng.choice(by_type.get(p.product_type) or [0]) for p in rest])
    noisy = real[src] + rng.normal(0, 0.5 / np.sqrt(real.shape[1]), size=(len(rest), real.shape[1]))
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return np.vstack([real, noisy.astype(np.float32)])


def percentiles(samples: list[float]) -> dict:
    ms = np.array(samples) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)), "n": len(samples)}


def random_filters(rng: random.Random, catalog: list[Product]) -> SearchFilters:
    p = rng.choice(catalog)
    shape = rng.randrange(4)
    if shape == 0:
        return SearchFilters(category=p.category, max_price=round(p.price * 1.5, 2))
    if shape == 1:
        return SearchFilters(product_type=p.product_type, colors=p.colors[:1] or ("black",))
    if shape == 2:
        return SearchFilters(brands=(p.brand,), in_stock=True)
    return SearchFilters(min_price=round(p.price * 0.5, 2), max_price=round(p.price * 2, 2))


def brute_force(matrix: np.ndarray, products: list[Product], masks: dict, q: np.ndarray, f: SearchFilters | None, k: int):
    """Exact baseline: numpy scan with column masks (brand/colour/type masks precomputed once)."""
    ok = np.ones(len(products), dtype=bool)
    if f is not None:
        if f.category:
            ok &= masks["category"][f.category]
        if f.product_type:
            ok &= masks["product_type"][f.product_type]
        if f.brands:
            ok &= np.logical_or.reduce([masks["brand"].get(b, ~ok) for b in f.brands])
        if f.colors:
            ok &= np.logical_or.reduce([masks["color"].get(c, ~ok) for c in f.colors])
        if f.min_price is not None:
            ok &= masks["price"] >= f.min_price
        if f.max_price is not None:
            ok &= masks["price"] <= f.max_price
        if f.in_stock is not None:
            ok &= masks["in_stock"] == f.in_stock
    scores = np.where(ok, matrix @ q, -np.inf)
    top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
    return [int(i) for i in top[np.argsort(-scores[top])] if np.isfinite(scores[i])]


def column_masks(products: list[Product]) -> dict:
    masks: dict = {"price": np.array([p.price for p in products]), "in_stock": np.array([p.in_stock for p in products])}
    for key in ("category", "product_type", "brand"):
        values = np.array([getattr(p, key) for p in products])
        masks[key] = {v: values == v for v in set(values.tolist())}
    masks["color"] = {c: np.array([c in p.colors for p in products]) for c in {c for p in products for c in p.colors}}
    return masks


def run_size(n: int, catalog: list[Product], vectors: np.ndarray, query_vecs: dict, embed_rate: float, args) -> tuple[dict, object]:
    from retrieval.chroma_client import open_client
    from retrieval.index import ProductIndex

    products, matrix = catalog[:n], vectors[:n]
    table = {p.embedding_text(): v for p, v in zip(products, matrix)} | query_vecs
    index = ProductIndex(open_client(Path(tempfile.mkdtemp(prefix=f"bench-{n}-", dir=args.workdir))), LookupEmbedder(table, matrix.shape[1]))
    stats = index.upsert(products)
    insert_rate = n / stats.seconds
    noop = index.upsert(products)
    build = {"products": n, "insert_per_s": insert_rate, "embed_per_s": embed_rate,
             "end_to_end_per_s": 1 / (1 / embed_rate + 1 / insert_rate), "noop_reindex_s": noop.seconds,
             "real_vectors": min(n, args.real_max)}
    rng = random.Random(args.seed)
    masks = column_masks(products)
    texts = list(query_vecs)[: args.latency_queries]
    lat: dict = {"products": n}
    for label, make in (("unfiltered", lambda: None), ("filtered", lambda: random_filters(rng, products))):
        chroma, brute = [], []
        for i, text in enumerate(texts):
            f = make()
            t0 = time.perf_counter()
            index.search(text, f, k=10)
            t1 = time.perf_counter()
            brute_force(matrix, products, masks, query_vecs[text], f, 10)
            t2 = time.perf_counter()
            if i >= 3:  # warm-up
                chroma.append(t1 - t0)
                brute.append(t2 - t1)
        lat[label] = {"chroma": percentiles(chroma), "numpy_exact": percentiles(brute)}
    return {"build": build, "latency": lat}, index


def markdown(results: dict) -> str:
    lines = ["### Index build (products/s)", "",
             "| products | real vectors | Chroma insert /s | model embed /s | end-to-end /s | no-op re-index s |",
             "|---:|---:|---:|---:|---:|---:|"]
    for r in results["sizes"]:
        b = r["build"]
        lines.append(f"| {b['products']} | {b['real_vectors']} | {b['insert_per_s']:.0f} | {b['embed_per_s']:.1f} | "
                     f"{b['end_to_end_per_s']:.1f} | {b['noop_reindex_s']:.2f} |")
    lines += ["", f"Query encoding (MiniLM, one query): p50 {results['encode']['p50_ms']:.1f} ms, "
              f"p95 {results['encode']['p95_ms']:.1f} ms (add to the search times below).", "",
              "### Search latency, k=10 (ms; query vector given)", "",
              "| products | filters | Chroma p50 | Chroma p95 | numpy exact p50 | numpy exact p95 | Chroma/numpy p50 |",
              "|---:|---|---:|---:|---:|---:|---:|"]
    for r in results["sizes"]:
        for label in ("unfiltered", "filtered"):
            c, e = r["latency"][label]["chroma"], r["latency"][label]["numpy_exact"]
            lines.append(f"| {r['latency']['products']} | {label} | {c['p50_ms']:.1f} | {c['p95_ms']:.1f} | "
                         f"{e['p50_ms']:.2f} | {e['p95_ms']:.2f} | {c['p50_ms'] / e['p50_ms']:.1f}x |")
    if results.get("quality"):
        q = results["quality"]
        lines += ["", f"### Retrieval quality ({q['queries']} held-out synthetic queries, {q['catalog']} products; "
                  "relevant for Recall = right product type)", "", quality_table(q)]
    lines += ["", "### Real judgement sets", ""] + [f"- {note}" for note in results["external"]]
    return "\n".join(lines)


def external_notes() -> list[str]:
    notes = []
    for name, why in (("esci-judgments", "ESCI judgements name ASINs but the product texts are absent (SOURCE.md)"),
                      ("wands-queries", "WANDS ships queries only; products and labels are absent (SOURCE.md)")):
        where = SHARED / name
        state = "present" if where.is_dir() else f"not found at {where}"
        notes.append(f"{name}: {state}; not usable for retrieval metrics: {why}, so no real graded judgement "
                     "can be joined to product text here. Quality above uses the synthetic labelled set instead.")
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--latency-queries", type=int, default=100)
    parser.add_argument("--embed-sample", type=int, default=500)
    parser.add_argument("--real-max", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--workdir", default=None, help="where the temporary Chroma stores go")
    parser.add_argument("--out", type=Path, default=OUT / "retrieval.json")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    from retrieval.catalog.generate import generate_catalog
    from retrieval.embeddings import Embedder

    started = time.perf_counter()
    embedder = Embedder()
    catalog = generate_catalog(max(sizes), seed=args.seed)  # prefix-stable: catalog[:5000] is the 5k catalog
    quality_n = min(sizes)
    queries = build_queries(catalog[:quality_n], n=args.queries)
    cache = VectorCache(OUT / "cache" / "retrieval-vectors.npz", embedder)

    sample = [p.embedding_text() for p in catalog[-args.embed_sample:]]  # not the cached ones
    t0 = time.perf_counter()
    embedder.encode(sample)
    embed_rate = len(sample) / (time.perf_counter() - t0)
    encode_times = []
    for q in queries[:50]:
        t0 = time.perf_counter()
        embedder.encode([q.text])
        encode_times.append(time.perf_counter() - t0)
    query_vecs = dict(zip([q.text for q in queries], cache.get([q.text for q in queries])))
    vectors = product_vectors(catalog, cache, args.real_max, args.seed)

    results: dict = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
                     "encode": percentiles(encode_times), "sizes": [], "external": external_notes()}
    for n in sizes:
        log.info("size %d", n)
        part, index = run_size(n, catalog, vectors, query_vecs, embed_rate, args)
        results["sizes"].append(part)
        if n == quality_n and n <= args.real_max:  # quality only over real embeddings
            results["quality"] = evaluate(index, catalog[:n], queries) | {"catalog": n}
    results["seconds"] = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(args.out, json.dumps(results, indent=2))
    print(markdown(results))
    print(f"\n(total {results['seconds']:.0f}s; figures in {args.out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
