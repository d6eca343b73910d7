"""Catalog generation and loading throughput: ``python -m bench.catalog [--sizes 5000 50000] [--repeats 3]``.

Baseline (same run): a bare JSONL read (``json.loads`` + ``Product.from_dict``, no validation), so the
ratio shows what the validating loader (line numbers, type checks, duplicate ids) costs.
Writes bench/out/catalog.json and prints a markdown table of medians and p95 (products/s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from retrieval.atomic import write_text_atomic
from retrieval.catalog.generate import generate_catalog
from retrieval.catalog.io import load_catalog, save_catalog
from retrieval.product import Product

OUT = Path(__file__).resolve().parent / "out" / "catalog.json"


def _timed(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _baseline_load(path: Path) -> list[Product]:
    with open(path, encoding="utf-8") as fh:
        return [Product.from_dict(json.loads(line)) for line in fh if line.strip()]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure(n: int, repeats: int, tmp: Path) -> dict:
    products = generate_catalog(n, seed=13)
    jsonl, csv_path = tmp / f"c{n}.jsonl", tmp / f"c{n}.csv"
    save_catalog(products, jsonl)
    save_catalog(products, csv_path)
    steps = {
        "generate": lambda: generate_catalog(n, seed=13),
        "save_jsonl": lambda: save_catalog(products, jsonl),
        "load_jsonl_baseline": lambda: _baseline_load(jsonl),
        "load_jsonl": lambda: load_catalog(jsonl),
        "load_csv": lambda: load_catalog(csv_path),
    }
    row = {"n": n, "repeats": repeats}
    for name, fn in steps.items():
        times = _timed(fn, repeats)
        row[name] = {"median_s": statistics.median(times), "p95_s": _p95(times), "products_per_s": n / statistics.median(times)}
    row["load_jsonl_vs_baseline"] = row["load_jsonl"]["median_s"] / row["load_jsonl_baseline"]["median_s"]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(n, args.repeats, Path(tmp)) for n in args.sizes]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(OUT, json.dumps({"cpu_count": os.cpu_count(), "rows": rows}, indent=2))
    steps = ["generate", "save_jsonl", "load_jsonl_baseline", "load_jsonl", "load_csv"]
    print("| products | " + " | ".join(f"{s} median s (p95)" for s in steps) + " | load_jsonl / baseline |")
    print("|---" * (len(steps) + 2) + "|")
    for r in rows:
        cells = [f"{r[s]['median_s']:.2f} ({r[s]['p95_s']:.2f})" for s in steps]
        print(f"| {r['n']} | " + " | ".join(cells) + f" | {r['load_jsonl_vs_baseline']:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
