"""Embedding speed modes: index throughput (fast path vs plain fp32 on the same texts) and the quality gate.

    python -m bench.index_speed [--sample 384] [--modes fp32,auto] [--quality] [--cache DIR]

* Throughput: products/s of ``Embedder.encode`` per mode on the same ``--sample`` ESCI product texts,
  the modes interleaved chunk by chunk (so a busy machine slows them alike). ``fp32`` is the plain
  sentence-transformers path the index used before (catalog order, 128 products a call, 256-token cap);
  the fast modes get the texts as ProductIndex now passes them (the run sorted by length: buckets).
* Quality (``--quality``): every ESCI product embedded per mode (cached in ``--cache``), then the
  75 dev queries ranked over the whole catalog by exact cosine, nDCG@10 with ranx (gains E 1.0, S 0.1,
  C 0.01, I 0; retrieval/evaluation.py). The gate: each fast mode within 0.01 of ``fp32``.
  ``--rescore-top K`` (with ``--modes auto,fp32``): only the fast mode embeds the whole catalog; fp32
  re-scores the union of its top-K per query (an approximation for a busy machine).
* Token cap: ``MODE@N`` sets the cap (``--modes fp32,bf16@96,bf16@128``), to choose ``FAST_MAX_TOKENS``.

ESCI text per product (built from the jsonl like the import does): title, brand + leaf category, the
bullet points, the description.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path

import numpy as np

log = logging.getLogger("bench.index_speed")
REPO = Path(__file__).resolve().parents[1]
ESCI = REPO.parent / "shared" / "data" / "esci-shop"
CHUNK = 128  # ProductIndex batch


def esci_text(row: dict) -> str:
    cat = row.get("category") or []
    leaf = cat[-1] if cat else ""
    parts = [row["title"], f"{row.get('brand') or ''} {leaf}".strip(),
             (row.get("bullet_points") or "").replace("\n", ". "), row.get("description") or ""]
    return ". ".join(p for p in parts if p)


def esci_catalog(root: Path = ESCI) -> tuple[list[str], list[str]]:
    rows = [json.loads(line) for line in (root / "products.jsonl").open(encoding="utf-8")]
    return [r["asin"] for r in rows], [esci_text(r) for r in rows]


def _embedder(mode: str):
    from retrieval.embeddings import Embedder

    name, _, cap = mode.partition("@")
    return Embedder(speed=name, max_tokens=int(cap) if cap else None)


def throughput(texts: list[str], modes: list[str]) -> dict[str, dict[str, float]]:
    """products per wall second and per CPU second (this process) for each mode, interleaved by chunk; fast
    modes get length-sorted chunks (as the index does). On a shared machine the CPU figure is the stable one."""
    embedders = {m: _embedder(m) for m in modes}
    by_length = sorted(texts, key=len)
    wall, cpu = dict.fromkeys(modes, 0.0), dict.fromkeys(modes, 0.0)
    for i, start in enumerate(range(0, len(texts), CHUNK)):
        for m in (modes if i % 2 == 0 else modes[::-1]):
            chunk = (texts if m == "fp32" else by_length)[start : start + CHUNK]
            t, c = time.perf_counter(), time.process_time()
            embedders[m].encode(chunk)
            wall[m] += time.perf_counter() - t
            cpu[m] += time.process_time() - c
    return {m: {"per_wall_s": round(len(texts) / wall[m], 2), "per_cpu_s": round(len(texts) / cpu[m], 2)}
            for m in modes}


def catalog_vectors(mode: str, texts: list[str], cache: Path | None) -> np.ndarray:
    path = cache / f"esci-{mode}.npy" if cache else None
    if path is not None and path.is_file():
        return np.load(path)
    emb = _embedder(mode)
    order = np.argsort([len(t) for t in texts], kind="stable")
    t = time.perf_counter()
    vectors = np.zeros((len(texts), emb.dim), dtype=np.float32)
    vectors[order] = emb.encode([texts[i] for i in order], progress=True)
    log.info("%s: %d products in %.0fs", mode, len(texts), time.perf_counter() - t)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def quality(modes: list[str], ids: list[str], texts: list[str], cache: Path | None,
            rescore_top: int | None = None) -> dict[str, dict]:
    """nDCG@10 etc. per mode over the whole catalog. With ``rescore_top`` K only the first mode embeds the
    whole catalog; the others embed and rank the union of its top-K per query (cheaper; an approximation)."""
    from retrieval.evaluation import load_judgments, load_queries, score

    judgments = load_judgments(ESCI / "judgments_dev.csv")
    queries = load_queries(ESCI / "queries_dev.csv")
    out, candidates = {}, None
    for mode in modes:
        qv = _embedder(mode).encode(queries)
        if candidates is None:
            vectors = catalog_vectors(mode, texts, cache)
            sims = qv @ vectors.T
            if rescore_top:
                candidates = np.unique(np.argsort(-sims, axis=1)[:, :rescore_top])
                out["rescored_products"] = int(len(candidates))
        else:
            sims = np.full((len(queries), len(texts)), -np.inf, dtype=np.float32)
            sims[:, candidates] = qv @ catalog_vectors(mode, [texts[i] for i in candidates], None).T
        ranked = {q: [ids[i] for i in np.argsort(-sims[n], kind="stable")[:100]] for n, q in enumerate(queries)}
        out[mode] = score(ranked, judgments, queries).as_dict()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=384, help="texts timed per mode")
    ap.add_argument("--modes", default="fp32,auto", help="Embedder speed modes; MODE@N sets the token cap")
    ap.add_argument("--quality", action="store_true", help="also the ESCI nDCG@10 gate (embeds the whole catalog)")
    ap.add_argument("--rescore-top", type=int, metavar="K",
                    help="quality: modes after the first re-score only the union of the first mode's top-K per query")
    ap.add_argument("--cache", type=Path, help="keep the catalog vectors of each mode here (esci-MODE.npy)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's; 1 on an oversubscribed machine)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from assistant.speed import cpu_has_native_bf16
    from retrieval.embeddings import resolve_index_speed

    modes = args.modes.split(",")
    ids, texts = esci_catalog()
    sample = random.Random(args.seed).sample(texts, min(args.sample, len(texts)))
    result: dict = {"native_bf16": cpu_has_native_bf16(), "auto": resolve_index_speed("auto"),
                    "sample": len(sample), "products_per_s": throughput(sample, modes)}
    base = result["products_per_s"].get("fp32")
    if base:
        result["speedup_vs_fp32"] = {m: {k: round(v[k] / base[k], 2) for k in v}
                                     for m, v in result["products_per_s"].items()}
    if args.quality:
        result["quality"] = quality(modes, ids, texts, args.cache, args.rescore_top)
        ref = result["quality"].get("fp32", {}).get("ndcg@10")
        if ref is not None:
            result["ndcg_delta_vs_fp32"] = {m: round(q["ndcg@10"] - ref, 4) for m, q in result["quality"].items()
                                            if isinstance(q, dict)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
