"""Chat turns without generation on a big store: start-up time and per-turn p50/p95, optionally profiled.

    python -m bench.scale_turn --data-dir <data dir> [--conversations 20] [--profile]

The data dir needs ``catalog.jsonl`` and ``chroma/`` (e.g. the 100k proxy store written by
``python -m bench.filtered_search --sizes 100000 --keep DIR``: real generated products, stand-in unit
vectors — the latency of a search does not depend on what the vectors mean; queries are still encoded by
the real MiniLM). Sessions, events and orders go to a throw-away SQLite file; without
``<data dir>/models/sequential`` the ranker runs without the next-item model. The Assistant is built
through ``build_runtime`` with ``generate=False``; then ``--conversations`` conversations of one
first-turn search (a product type, sometimes with a brand or a price bound) and four follow-ups
("in black", "something cheaper", "show me more", "under 40") go through ``Assistant.handle``.
Reports start-up (runtime build, first search = snapshot load) and per-turn wall / CPU p50 and p95 for
first turns, follow-ups and all turns, plus each stage's p50. ``--profile`` adds the top functions by
cumulative time (cProfile over the turns); ``--threads N`` sets torch's intra-op threads (on a busy
machine one thread encodes a single query ~10x faster than two that wait for each other). Writes bench/out/scale_turn.json.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import pstats
import random
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from retrieval.atomic import write_text_atomic

OUT = Path(__file__).resolve().parent / "out" / "scale_turn.json"
FOLLOW_UPS = ("in black", "something cheaper", "show me more", "under 40")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1) if ordered else 0.0


def first_turns(catalog: Path, n: int, seed: int) -> list[str]:
    """``n`` first-turn searches built from the catalog's own product types and brands."""
    rng = random.Random(seed)
    rows = [json.loads(line) for line in catalog.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for _ in range(n):
        p = rng.choice(rows)
        kind = rng.random()
        if kind < 0.3:
            out.append(f"show me {p['brand']} {p['product_type']}")
        elif kind < 0.6 and p.get("price"):
            out.append(f"{p['product_type']} under {int(p['price'] * 1.2) + 1} dollars")
        else:
            out.append(f"I'm looking for {p['product_type']}")
    return out


def run_turns(assistant, openers: list[str]) -> dict[str, list]:
    times: dict[str, list] = defaultdict(list)
    for i, opener in enumerate(openers):
        sid = assistant.new_session(f"shopper{i}")
        for j, text in enumerate((opener,) + FOLLOW_UPS):
            start, cpu = time.perf_counter(), time.process_time()
            turn = assistant.handle(sid, f"shopper{i}", text, generate=False)
            wall_ms, cpu_ms = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
            kind = "first" if j == 0 else "follow_up"
            times[f"{kind}_wall"].append(wall_ms)
            times[f"{kind}_cpu"].append(cpu_ms)
            times["shown"].append(len(turn.products))
            times["errors"].append(turn.error is not None)
            for t in turn.timings:
                times[f"stage:{t.stage}"].append(t.ms)
    return times


def summarise(times: dict[str, list]) -> dict:
    out: dict = {}
    for kind in ("first", "follow_up"):
        for measure in ("wall", "cpu"):
            xs = times[f"{kind}_{measure}"]
            out[f"{kind}_{measure}"] = {"p50_ms": _pct(xs, 0.5), "p95_ms": _pct(xs, 0.95), "n": len(xs)}
    for measure in ("wall", "cpu"):
        xs = times[f"first_{measure}"] + times[f"follow_up_{measure}"]
        out[f"all_{measure}"] = {"p50_ms": _pct(xs, 0.5), "p95_ms": _pct(xs, 0.95), "n": len(xs)}
    out["stages_p50_ms"] = {k.split(":", 1)[1]: _pct(v, 0.5) for k, v in times.items() if k.startswith("stage:")}
    out["products_shown_mean"] = round(statistics.fmean(times["shown"]), 2) if times["shown"] else 0.0
    out["errors"] = int(sum(times["errors"]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--conversations", type=int, default=20)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--profile", action="store_true", help="cProfile the turns; top functions in the output")
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from assistant.assistant import Assistant
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    scratch = Path(tempfile.mkdtemp(prefix="shopbot-scale-turn-"))
    settings = Settings(data_dir=args.data_dir, database_url=f"sqlite:///{scratch / 'scale.db'}")
    t = time.perf_counter()
    runtime = build_runtime(settings, generate=False)
    build_s = time.perf_counter() - t
    assistant = Assistant(runtime)
    t = time.perf_counter()
    assistant.handle(assistant.new_session("warmup"), "warmup", "show me socks", generate=False)
    first_s = time.perf_counter() - t
    openers = first_turns(settings.catalog_path, args.conversations, args.seed)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    times = run_turns(assistant, openers)
    result = {"data_dir": str(args.data_dir), "products": sum(1 for _ in settings.catalog_path.open(encoding="utf-8")),
              "torch_threads": args.threads or "default", "runtime_build_s": round(build_s, 1), "first_turn_s": round(first_s, 2), **summarise(times)}
    if profiler:
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
        result["profile_top"] = text.getvalue().splitlines()[:80]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(args.out, json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "profile_top"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
