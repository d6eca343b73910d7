"""Load on the widget API over loopback: ``python -m bench.widget_load [--sessions 50] [--turns 2000]
[--gen-sessions 4] [--gen-turns 24] [--catalog-size 500]``.

Runs the real Assistant in a server subprocess (``bench.widget_server``), then, in one run:
  baseline   1 session, sequential turns, generation off (same server)  -> the ratios' reference
  load_off   --sessions concurrent sessions, --turns turns in total, generation off (POST /v1/chat)
  load_on    a smaller run with generation on, streamed (POST /v1/chat/stream; also time to first token)
Half of the sessions are signed-in demo customers (signed tokens), half anonymous; messages rotate through
searches, refinements, recommendations, order and policy questions. Reports throughput, p50/p95/p99
latency, error rate (non-200 or a Turn with ``error``) and the server's RSS; writes bench/out/widget_load.json
and prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from retrieval.atomic import write_text_atomic
from ui.api.tokens import sign_user_token

log = logging.getLogger("bench.widget_load")
OUT = Path(__file__).resolve().parent / "out" / "widget_load.json"
SITE_KEY = "demo-site-key"
SECRET = "bench-secret"
DEMO_USERS = ("alice", "bob", "carol", "dave")
MESSAGES = ("hi", "show me running shoes", "cheaper ones", "recommend something for me", "show me headphones under $200",
            "something different", "where is my order?", "what is your return policy?", "show me a tent", "thanks")


@dataclass
class Phase:
    name: str
    sessions: int
    turns: int
    generate: bool
    stream: bool
    latencies_ms: list[float] = field(default_factory=list)
    first_token_ms: list[float] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0
    rss_mb_after: float = 0.0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_data(data_dir: Path, catalog_size: int) -> None:
    """The catalog and its index (the rest is seeded by build_runtime)."""
    from assistant.settings import Settings
    from ui.cli.build import build_catalog, build_index

    settings = Settings(data_dir=data_dir, catalog_size=catalog_size)
    build_catalog(settings)
    build_index(settings)


class Server:
    def __init__(self, data_dir: Path, generate: bool):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "bench.widget_server", "--data-dir", str(data_dir), "--port", str(self.port),
               "--secret", SECRET] + (["--generate"] if generate else [])
        self.proc = subprocess.Popen(cmd, cwd=Path(__file__).resolve().parents[1], env={**os.environ, "HF_HUB_OFFLINE": "1"})

    def wait(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the bench server exited with code {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/v1/health", headers={"X-Site-Key": SITE_KEY}, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("the bench server did not come up")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _headers(i: int) -> dict:
    h = {"X-Site-Key": SITE_KEY}
    if i % 2 == 0:  # every other session is a signed-in demo customer
        h["X-User-Token"] = sign_user_token(DEMO_USERS[(i // 2) % len(DEMO_USERS)], SECRET, SITE_KEY)
    return h


async def _turn(client: httpx.AsyncClient, phase: Phase, h: dict, sid: str, text: str) -> None:
    body = {"session_id": sid, "text": text}
    start = time.perf_counter()
    ok = False
    try:
        if phase.stream:
            first = None
            async with client.stream("POST", "/v1/chat/stream", headers=h, json=body) as r:
                async for line in r.aiter_lines():
                    if first is None and line.startswith("event: token"):
                        first = time.perf_counter()
                    if line.startswith("event: turn"):
                        ok = r.status_code == 200
                    if line.startswith("event: error"):
                        ok = False
            if first is not None:
                phase.first_token_ms.append((first - start) * 1000)
        else:
            r = await client.post("/v1/chat", headers=h, json=body)
            ok = r.status_code == 200 and r.json().get("error") is None
    except httpx.HTTPError as exc:
        log.warning("request failed: %s", exc)
    phase.latencies_ms.append((time.perf_counter() - start) * 1000)
    phase.errors += 0 if ok else 1


async def run_phase(url: str, phase: Phase) -> None:
    counter = iter(range(phase.turns))
    limits = httpx.Limits(max_connections=phase.sessions + 4, max_keepalive_connections=phase.sessions + 4)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:
        async def worker(i: int) -> None:
            h = _headers(i)
            r = await client.post("/v1/sessions", headers=h)
            if r.status_code != 201:
                phase.errors += 1
                return
            sid = r.json()["session_id"]
            for n in counter:
                await _turn(client, phase, h, sid, MESSAGES[(i + n) % len(MESSAGES)])

        start = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(phase.sessions)))
        phase.wall_s = time.perf_counter() - start


def summary(p: Phase) -> dict:
    done = len(p.latencies_ms)
    return {"phase": p.name, "sessions": p.sessions, "turns": done, "generate": p.generate, "stream": p.stream,
            "wall_s": round(p.wall_s, 2), "turns_per_s": round(done / p.wall_s, 2) if p.wall_s else None,
            "p50_ms": round(pct(p.latencies_ms, 0.5), 1), "p95_ms": round(pct(p.latencies_ms, 0.95), 1),
            "p99_ms": round(pct(p.latencies_ms, 0.99), 1),
            "first_token_p50_ms": round(pct(p.first_token_ms, 0.5), 1) if p.first_token_ms else None,
            "error_rate": round(p.errors / max(1, done), 4), "server_rss_mb": round(p.rss_mb_after, 1)}


def measure(server: Server, phases: list[Phase]) -> dict[str, dict]:
    peak = {"mb": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak["mb"] = max(peak["mb"], rss_mb(server.proc.pid))
            stop.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    results = {}
    try:
        for phase in phases:
            log.info("phase %s: %d sessions, %d turns", phase.name, phase.sessions, phase.turns)
            asyncio.run(run_phase(server.url, phase))
            phase.rss_mb_after = rss_mb(server.proc.pid)
            results[phase.name] = summary(phase) | {"server_peak_rss_mb": round(peak["mb"], 1)}
    finally:
        stop.set()
        sampler.join()
    return results


def table(rows: list[dict], baseline: dict) -> str:
    head = ("| phase | sessions | turns | gen | turns/s | p50 ms | p95 ms | p99 ms | first token p50 ms | errors | "
            "server RSS MB (peak) | p50 vs baseline | turns/s vs baseline |")
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        ftok = f"{r['first_token_p50_ms']:.0f}" if r["first_token_p50_ms"] else "-"
        lines.append(f"| {r['phase']} | {r['sessions']} | {r['turns']} | {'on' if r['generate'] else 'off'} | "
                     f"{r['turns_per_s']:.2f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {ftok} | "
                     f"{r['error_rate']:.2%} | {r['server_rss_mb']:.0f} ({r['server_peak_rss_mb']:.0f}) | "
                     f"{r['p50_ms'] / baseline['p50_ms']:.2f}x | {r['turns_per_s'] / baseline['turns_per_s']:.2f}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--turns", type=int, default=2000)
    ap.add_argument("--baseline-turns", type=int, default=60)
    ap.add_argument("--gen-sessions", type=int, default=4)
    ap.add_argument("--gen-turns", type=int, default=24, help="0 skips the generation-on phase")
    ap.add_argument("--catalog-size", type=int, default=500)
    ap.add_argument("--data-dir", type=Path, help="reuse a data dir (default: a fresh temporary one)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="widget_load_")) / "data"
    build_data(data_dir, args.catalog_size)
    rows, started = [], time.time()
    runs = [(False, [Phase("baseline", 1, args.baseline_turns, False, False),
                     Phase("load_off", args.sessions, args.turns, False, False)])]
    if args.gen_turns:
        runs.append((True, [Phase("load_on", args.gen_sessions, args.gen_turns, True, True)]))
    skipped = []
    for generate, phases in runs:
        server = Server(data_dir, generate)
        try:
            server.wait()
            rows.extend(measure(server, phases).values())
        except RuntimeError as exc:  # e.g. no generator adapter shipped: report the other phases
            log.error("phases %s not measured: %s", [p.name for p in phases], exc)
            skipped.extend(p.name for p in phases)
        finally:
            server.stop()
    if not rows:
        log.error("nothing was measured")
        return 1
    result = {"bench": "widget_load", "started": started, "catalog_size": args.catalog_size,
              "cpus": os.cpu_count(), "command": "python -m bench.widget_load " + " ".join(argv or sys.argv[1:]),
              "rows": rows, "not_measured": skipped}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(OUT, json.dumps(result, indent=2))
    print(table(rows, rows[0]))
    print(f"\ncatalog: {args.catalog_size} products; {os.cpu_count()} CPUs; written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
