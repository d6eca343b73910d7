"""Widget API throughput and latency with 1, 2 and 4 uvicorn workers sharing one Chroma server and PostgreSQL:
``python -m bench.workers [--workers 1,2,4] [--sessions 20] [--turns 300] [--gen-sessions 4] [--gen-turns 12]
[--catalog-size 300]``.

One run starts the shared stores (``tests.ui.stack``: a Chroma server, a throwaway PostgreSQL, ``shopbot build``)
once, then for each worker count starts ``uvicorn ui.workers:create_app --factory --workers N`` and drives it
over loopback: ``--sessions`` concurrent sessions, each sending its turns one after another (``POST /v1/chat``,
a new connection per request so the kernel can spread them), ``--turns`` turns in total, generation off.
With ``--gen-turns`` > 0 a smaller run with generation on (embedded SmolLM2 writer) follows for each worker
count. Ratios are against 1 worker measured in the same run. Writes bench/out/workers.json and prints a
markdown table. The load generator shares the machine's cores with the workers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.widget_load import MESSAGES, pct
from retrieval.atomic import write_text_atomic

log = logging.getLogger("bench.workers")
OUT = Path(__file__).resolve().parent / "out" / "workers.json"


@dataclass
class Run:
    workers: int
    generate: bool
    sessions: int
    turns: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0
    startup_s: float = 0.0
    pids: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict:
        done = len(self.latencies_ms)
        return {"workers": self.workers, "generate": self.generate, "sessions": self.sessions, "turns": self.turns,
                "ok_turns": done, "errors": self.errors, "wall_s": round(self.wall_s, 2),
                "throughput_tps": round(done / self.wall_s, 3) if self.wall_s else 0.0,
                "p50_ms": round(pct(self.latencies_ms, 0.5), 1), "p95_ms": round(pct(self.latencies_ms, 0.95), 1),
                "startup_s": round(self.startup_s, 1), "turns_per_worker": sorted(self.pids.values(), reverse=True)}


async def _session(url: str, run: Run, index: int, turns: int, site_key: str) -> None:
    headers = {"X-Site-Key": site_key, "Connection": "close"}
    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        r = await client.post("/v1/sessions", headers=headers, json={})
        if r.status_code != 201:
            run.errors += turns
            return
        sid = r.json()["session_id"]
        for k in range(turns):
            text = MESSAGES[(index + k) % len(MESSAGES)]
            start = time.perf_counter()
            try:
                r = await client.post("/v1/chat", headers=headers, json={"session_id": sid, "text": text})
                ok = r.status_code == 200 and r.json().get("error") is None
            except httpx.HTTPError:
                ok, r = False, None
            if ok:
                run.latencies_ms.append((time.perf_counter() - start) * 1000)
                pid = r.headers.get("X-Worker-Pid", "?")
                run.pids[pid] = run.pids.get(pid, 0) + 1
            else:
                run.errors += 1


async def _drive(url: str, run: Run, site_key: str) -> None:
    per = [run.turns // run.sessions + (1 if i < run.turns % run.sessions else 0) for i in range(run.sessions)]
    start = time.perf_counter()
    await asyncio.gather(*(_session(url, run, i, n, site_key) for i, n in enumerate(per) if n))
    run.wall_s = time.perf_counter() - start


def measure(stack, workers: int, sessions: int, turns: int, generate: bool) -> Run:
    from tests.ui.stack import SITE_KEY

    run = Run(workers, generate, sessions, turns)
    start = time.perf_counter()
    with stack.api(workers, generate=generate) as url:
        run.startup_s = time.perf_counter() - start
        warm = Run(workers, generate, workers, workers * 2)
        asyncio.run(_drive(url, warm, SITE_KEY))  # each worker's first turns load lazily-built parts
        log.info("%d worker(s), generate=%s: warm-up %d turns, %d errors", workers, generate, warm.turns, warm.errors)
        asyncio.run(_drive(url, run, SITE_KEY))
    log.info("%d worker(s), generate=%s: %s", workers, generate, run.summary())
    return run


def table(rows: list[dict]) -> str:
    lines = ["| generation | workers | sessions | turns ok/sent | throughput (turns/s) | x vs 1 worker | p50 ms | p95 ms "
             "| p95 x vs 1 | turns per worker | startup s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {'on' if r['generate'] else 'off'} | {r['workers']} | {r['sessions']} | {r['ok_turns']}/{r['turns']} "
                     f"| {r['throughput_tps']:.2f} | {r['throughput_ratio']:.2f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} "
                     f"| {r['p95_ratio']:.2f} | {', '.join(map(str, r['turns_per_worker']))} | {r['startup_s']:.0f} |")
    return "\n".join(lines)


def with_ratios(rows: list[dict]) -> list[dict]:
    for gen in (False, True):
        group = [r for r in rows if r["generate"] == gen]
        base = next((r for r in group if r["workers"] == 1), group[0] if group else None)
        for r in group:
            r["throughput_ratio"] = r["throughput_tps"] / base["throughput_tps"] if base["throughput_tps"] else float("nan")
            r["p95_ratio"] = r["p95_ms"] / base["p95_ms"] if base["p95_ms"] else float("nan")
    return rows


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", default="1,2,4", help="comma-separated worker counts (the first should be 1)")
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--turns", type=int, default=300)
    p.add_argument("--gen-sessions", type=int, default=4)
    p.add_argument("--gen-turns", type=int, default=12, help="turns per worker count with generation on (0: skip)")
    p.add_argument("--catalog-size", type=int, default=300)
    return p.parse_args(argv)


def main(argv=None) -> int:
    from tests.ui.stack import WorkerStack, unavailable

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args = parse_args(argv)
    reason = unavailable()
    if reason:
        log.error("cannot run: %s", reason)
        return 2
    counts = [int(c) for c in args.workers.split(",") if c.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="shopbot-bench-workers-") as tmp:
        start = time.perf_counter()
        stack = WorkerStack.start(Path(tmp), catalog_size=args.catalog_size)
        log.info("stack built in %.0f s", time.perf_counter() - start)
        try:
            for n in counts:
                rows.append(measure(stack, n, args.sessions, args.turns, generate=False).summary())
            if args.gen_turns > 0:
                for n in counts:
                    rows.append(measure(stack, n, args.gen_sessions, args.gen_turns, generate=True).summary())
        finally:
            stack.stop()
    rows = with_ratios(rows)
    result = {"command": "python -m bench.workers " + " ".join(sys.argv[1:] if argv is None else argv), "cpus": os.cpu_count(),
              "catalog_size": args.catalog_size, "runs": rows}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(OUT, json.dumps(result, indent=2))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
