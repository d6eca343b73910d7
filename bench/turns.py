"""Per-turn latency by stage over scripted conversations, with and without generation, and peak memory.

``python -m bench.turns [--rounds 3] [--gen-rounds 1] [--data-dir .shopbot]``

Uses the built data dir (run ``shopbot build`` first; missing steps are built) with every model loaded
through ``Assistant(build_runtime(settings))``; order writes go to a throw-away copy of the demo store, so the
real store is untouched. Baseline (same run): the template writer (``generate=False``); the table shows
stage p50/p95 in ms for both and the generate/template ratio. ``total`` is the wall time of a turn, ``cpu`` the
process CPU time it used (all threads): on a shared, overloaded machine ``cpu`` is the better estimate of the
latency on an idle one. With generation the turns are streamed (``Assistant.stream``, as the chat UI runs them) and ``first_token``
is the time from sending the text to the first reply piece. Writes bench/out/turns.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from retrieval.atomic import write_text_atomic

OUT = Path(__file__).resolve().parent / "out" / "turns.json"
STAGES = ("parse", "retrieve", "rank", "orders", "write", "store", "first_token", "total", "cpu")

CONVERSATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dave", ("hi", "show me running shoes under 120", "in black", "something cheaper", "show me more",
              "is the first one waterproof?", "compare the first and the second", "add 2 of the first one to my cart",
              "thanks")),
    ("alice", ("where is my order 10002", "cancel order 10002", "please cancel order 10003",
               "what is your return policy?", "I want to return order 10001", "how long do refunds take?")),
    ("bob", ("what do you recommend?", "something different", "where is order 10001", "this is terrible, my parcel is late",
             "yes please")),
    ("anonymous", ("do you ship internationally?", "which payment methods do you accept", "show me wireless headphones",
                   "what colours does the second one come in?", "where is my order 10001")),
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def run_conversations(assistant, rounds: int, generate: bool) -> tuple[dict[str, list[float]], int]:
    per_stage: dict[str, list[float]] = defaultdict(list)
    errors = 0
    for _ in range(rounds):
        for user, lines in CONVERSATIONS:
            sid = assistant.new_session(user)
            for text in lines:
                start, cpu = time.perf_counter(), time.process_time()
                if generate:  # streamed, as the chat UI runs it: time to the first reply piece too
                    turn, first = _streamed(assistant, sid, user, text, start)
                    per_stage["first_token"].append(first)
                else:
                    turn = assistant.handle(sid, user, text, generate=False)
                per_stage["total"].append((time.perf_counter() - start) * 1000.0)
                per_stage["cpu"].append((time.process_time() - cpu) * 1000.0)
                errors += turn.error is not None
                for t in turn.timings:
                    per_stage[t.stage].append(t.ms)
    return per_stage, errors


def _streamed(assistant, sid: str, user: str, text: str, start: float):
    """(Turn, ms to the first streamed reply piece) of one streamed turn."""
    from assistant.records import Turn

    first = None
    for part in assistant.stream(sid, user, text):
        if isinstance(part, Turn):
            return part, first if first is not None else (time.perf_counter() - start) * 1000.0
        if first is None and part:
            first = (time.perf_counter() - start) * 1000.0
    raise RuntimeError("the stream ended without a Turn")


def summarise(per_stage: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {s: {"p50": round(statistics.median(v), 2), "p95": round(_pct(v, 0.95), 2), "n": len(v)}
            for s, v in per_stage.items() if v}


def table(template: dict, generated: dict | None) -> str:
    rows = ["| stage | template p50 ms | template p95 ms | generate p50 ms | generate p95 ms | p50 ratio gen/template |",
            "|---|---|---|---|---|---|"]
    for s in STAGES:
        a, b = template.get(s), (generated or {}).get(s)
        if not a and not b:
            continue
        ratio = f"{b['p50'] / a['p50']:.1f}x" if a and b and a["p50"] > 0 else "-"
        rows.append(f"| {s} | {a['p50'] if a else '-'} | {a['p95'] if a else '-'} | {b['p50'] if b else '-'} | "
                    f"{b['p95'] if b else '-'} | {ratio} |")
    return "\n".join(rows)


def build_assistant(data_dir: str | None, generate: bool, catalog_size: int | None = None):
    """Build what is missing in a child process (so its models don't count in this process's peak RSS),
    then load the Assistant with every model, over a scratch copy of the order store."""
    import subprocess

    from assistant.assistant import Assistant
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    overrides = {"data_dir": data_dir} if data_dir else {}
    if catalog_size:
        overrides["catalog_size"] = catalog_size
    base = Settings(**overrides)
    env = {**os.environ, "SHOPBOT_CATALOG_SIZE": str(base.catalog_size)}
    cmd = [sys.executable, "-m", "ui.cli.main", "--data-dir", str(base.data_dir), "build",
           "--only", "catalog", "--only", "index", "--only", "policies"]
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    scratch = Path(tempfile.mkdtemp(prefix="shopbot-bench-"))
    settings = base.model_copy(update={"database_url": f"sqlite:///{scratch / 'bench.db'}"})
    return Assistant(build_runtime(settings, generate=generate))


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the conversations without generation")
    parser.add_argument("--gen-rounds", type=int, default=1, help="passes with generation (0: skip)")
    parser.add_argument("--data-dir", help="built data dir (default: the settings' data_dir)")
    parser.add_argument("--catalog-size", type=int, help="catalog size when the data dir still has to be built")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    start = time.perf_counter()
    assistant = build_assistant(args.data_dir, generate=args.gen_rounds > 0, catalog_size=args.catalog_size)
    load_s, rss_loaded = time.perf_counter() - start, peak_rss_mb()
    run_conversations(assistant, 1, generate=False)  # warm-up
    tmpl, tmpl_errors = run_conversations(assistant, args.rounds, generate=False)
    gen, gen_errors = (run_conversations(assistant, args.gen_rounds, generate=True) if args.gen_rounds > 0 and
                       assistant.writer is not None else ({}, 0))
    result = {
        "turns_per_round": sum(len(lines) for _, lines in CONVERSATIONS),
        "template": summarise(tmpl), "generate": summarise(gen) if gen else None,
        "errors": {"template": tmpl_errors, "generate": gen_errors},
        "load_seconds": round(load_s, 1), "peak_rss_mb_after_load": round(rss_loaded, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1), "writer_loaded": assistant.writer is not None,
        "load_average": list(os.getloadavg()), "cpu_count": os.cpu_count(),
        "targets": {"template_total_p50_ms": 60, "generate_total_p50_ms": 2500, "first_token_p50_ms": 300,
                    "peak_rss_mb": 1024},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(OUT, json.dumps(result, indent=2))
    print(table(result["template"], result["generate"]))
    print(f"\npeak RSS {result['peak_rss_mb']:.0f} MB (after loading all models {result['peak_rss_mb_after_load']:.0f} MB), "
          f"load {result['load_seconds']} s, errors {result['errors']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
