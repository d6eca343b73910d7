"""Soak: many concurrent chat sessions against one server on loopback for a fixed time, with the server's
resident memory sampled throughout (it must stay flat: per-session caches are bounded, see
assistant/sessions.py). Not part of `make test`.

    python -m bench.soak --data-dir D [--sessions 200] [--seconds 300] [--turns-per-session 6]
                         [--max-cached-sessions 100] [--out soak.json]

The server is ``bench.widget_server`` (the real Assistant, template replies, rate limits lifted) in its own
process. Each of ``--sessions`` concurrent clients loops until the time is up: start a session, send
``--turns-per-session`` turns (searches, "show more", questions, a like on a shown product) with a short
pause, then start a new session, so far more sessions pass through than the cache holds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil

from bench.fuzz_api import SITE_KEY, _free_port, _wait_up

log = logging.getLogger("bench.soak")
TEXTS = ("show me running shoes", "show me more", "something cheaper", "hi", "a tent for camping",
         "headphones under 100", "which one is the cheapest?", "thanks", "what is your return policy?")


def _rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    return round(sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20, 1)


async def _client(client: httpx.AsyncClient, url: str, deadline: float, turns: int, rng: random.Random,
                  stats: Counter) -> None:
    while time.monotonic() < deadline:
        try:
            await _conversation(client, url, deadline, turns, rng, stats)
        except httpx.HTTPError as exc:  # counted, and the client starts over
            stats[f"client error {type(exc).__name__}"] += 1
            await asyncio.sleep(1)


async def _conversation(client: httpx.AsyncClient, url: str, deadline: float, turns: int, rng: random.Random,
                        stats: Counter) -> None:
    h = {"X-Site-Key": SITE_KEY}
    r = await client.post(f"{url}/v1/sessions", headers=h, json={})
    stats[f"sessions {r.status_code}"] += 1
    if r.status_code != 201:
        await asyncio.sleep(1)
        return
    sid = r.json()["session_id"]
    for _ in range(turns):
        if time.monotonic() >= deadline:
            return
        r = await client.post(f"{url}/v1/chat", headers=h, json={"session_id": sid, "text": rng.choice(TEXTS)})
        stats[f"chat {r.status_code}"] += 1
        if r.status_code == 200 and r.json()["products"] and rng.random() < 0.3:
            pid = r.json()["products"][0]["id"]
            f = await client.post(f"{url}/v1/feedback", headers=h,
                                  json={"session_id": sid, "product_id": pid, "kind": "like"})
            stats[f"feedback {f.status_code}"] += 1
        await asyncio.sleep(rng.uniform(0.2, 1.0))


async def _soak(url: str, pid: int, sessions: int, seconds: float, turns: int, seed: int) -> dict:
    stats: Counter = Counter()
    samples: list[tuple[float, float]] = []
    start = time.monotonic()
    deadline = start + seconds
    limits = httpx.Limits(max_connections=sessions, max_keepalive_connections=sessions)
    async with httpx.AsyncClient(timeout=300, limits=limits) as client:
        tasks = [asyncio.create_task(_client(client, url, deadline, turns, random.Random(seed + i), stats))
                 for i in range(sessions)]
        while not all(t.done() for t in tasks):
            samples.append((round(time.monotonic() - start, 1), _rss_mb(pid)))
            await asyncio.wait(tasks, timeout=10)
        for t in tasks:
            if t.exception() is not None:
                stats[f"client error {type(t.exception()).__name__}"] += 1
    return {"stats": dict(sorted(stats.items())), "rss_samples_mb": samples, "seconds": round(time.monotonic() - start, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--turns-per-session", type=int, default=6)
    ap.add_argument("--max-cached-sessions", type=int, default=100)
    ap.add_argument("--warmup-turns", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "SHOPBOT_MAX_CACHED_SESSIONS": str(args.max_cached_sessions),
           "SHOPBOT_MAX_CACHED_PROFILES": str(args.max_cached_sessions)}
    proc = subprocess.Popen([sys.executable, "-m", "bench.widget_server", "--data-dir", str(args.data_dir),
                             "--port", str(port)], env=env)
    try:
        _wait_up(url, proc)
        asyncio.run(_warm(url, args.warmup_turns))
        before = _rss_mb(proc.pid)
        log.info("warm: RSS %.1f MB; soaking %d sessions for %.0f s", before, args.sessions, args.seconds)
        result = asyncio.run(_soak(url, proc.pid, args.sessions, args.seconds, args.turns_per_session, args.seed))
        after = _rss_mb(proc.pid)
        health = httpx.get(f"{url}/v1/health", headers={"X-Site-Key": SITE_KEY}, timeout=30).json()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    report = {"sessions": args.sessions, "seconds": args.seconds, "max_cached_sessions": args.max_cached_sessions,
              "rss_before_mb": before, "rss_after_mb": after, "health": health, **result}
    out = json.dumps(report, indent=1)
    if args.out:
        args.out.write_text(out + "\n")
    print(out)


async def _warm(url: str, turns: int) -> None:
    """Load every lazy part (models, caches) before the first RSS reading."""
    h = {"X-Site-Key": SITE_KEY}
    async with httpx.AsyncClient(timeout=300) as client:
        sid = (await client.post(f"{url}/v1/sessions", headers=h, json={})).json()["session_id"]
        for i in range(turns):
            if i % 10 == 0:
                sid = (await client.post(f"{url}/v1/sessions", headers=h, json={})).json()["session_id"]
            await client.post(f"{url}/v1/chat", headers=h, json={"session_id": sid, "text": TEXTS[i % len(TEXTS)]})


if __name__ == "__main__":
    main()
