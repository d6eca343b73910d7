"""`shopbot serve` start-up: seconds from the process start to its first 200 on loopback.

    python -m bench.serve_start --data-dir <built data dir> [--code-dir <other checkout>] [--runs 2] [--no-gradio]

For each run a fresh ``shopbot serve`` process is started on a free loopback port and polled every 50 ms:
``health`` = first 200 from GET /v1/health, ``page`` = first 200 from GET / (the chat page; /docs with
``--no-gradio``), ``first_chat`` = the first POST /v1/chat answered 200 (a session is created as soon as
the server answers, then one chat turn with generation: it includes loading every model); ``*_cpu_s`` is the
server's CPU time (user + system) at that moment, a start-up cost that does not depend on the machine's
load. ``--code-dir``
runs another checkout (e.g. the previous commit from ``git archive``) on the same data dir, interleaved run
by run with this one, so the before/after ratio comes from one run on one machine load. The server is then
stopped (SIGINT to the process this bench started). Writes bench/out/serve_start.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "serve_start.json"
REPO = Path(__file__).resolve().parent.parent
SITE_KEY = "demo-site-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, body: dict | None = None, timeout: float = 2.0) -> tuple[int, dict | None]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                 headers={"X-Site-Key": SITE_KEY, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            is_json = resp.headers.get_content_type() == "application/json"
            return resp.status, json.loads(raw) if is_json and raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
        return 0, None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds the process has used (Linux /proc): start-up cost independent of machine load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, IndexError, ValueError):
        return None


def poll(url: str, start: float, deadline: float, proc) -> tuple[float | None, float | None]:
    """(wall seconds, server CPU seconds) at the first 200 from ``url``."""
    while time.perf_counter() < deadline and proc.poll() is None:
        if _request(url)[0] == 200:
            return round(time.perf_counter() - start, 2), cpu_seconds(proc.pid)
        time.sleep(0.05)
    return None, None


def one_run(code_dir: Path, data_dir: str, gradio: bool, timeout: float) -> dict:
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(code_dir)}
    cmd = [sys.executable, "-m", "ui.cli.main", "--data-dir", data_dir, "serve", "--port", str(port)]
    if not gradio:
        cmd.append("--no-gradio")
    base = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=code_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = start + timeout
    try:
        health, health_cpu = poll(f"{base}/v1/health", start, deadline, proc)
        page, _ = poll(f"{base}/" if gradio else f"{base}/docs", start, deadline, proc)
        first_chat = None
        status, session = _request(f"{base}/v1/sessions", {}, timeout=timeout)
        if status == 201 and session:
            status, _ = _request(f"{base}/v1/chat", {"session_id": session["session_id"], "text": "show me running shoes"},
                                 timeout=max(1.0, deadline - time.perf_counter()))
            first_chat = round(time.perf_counter() - start, 2) if status == 200 else None
        return {"health_s": health, "health_cpu_s": health_cpu, "page_s": page, "first_chat_s": first_chat,
                "first_chat_cpu_s": cpu_seconds(proc.pid), "exit": proc.poll()}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _p50(values: list) -> float | None:
    vals = [v for v in values if v is not None]
    return round(statistics.median(vals), 2) if vals else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--code-dir", type=Path, help="another checkout to start too (the 'before'), interleaved")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--no-gradio", action="store_true")
    ap.add_argument("--timeout", type=float, default=600.0)
    args = ap.parse_args(argv)
    checkouts = {"after": REPO, **({"before": args.code_dir.resolve()} if args.code_dir else {})}
    runs: dict[str, list[dict]] = {name: [] for name in checkouts}
    for i in range(args.runs):
        for name, code in checkouts.items():
            r = one_run(code, args.data_dir, not args.no_gradio, args.timeout)
            runs[name].append(r)
            print(f"run {i + 1} {name}: {r}", flush=True)
    keys = ("health_s", "health_cpu_s", "page_s", "first_chat_s", "first_chat_cpu_s")
    summary = {name: {k: _p50([r[k] for r in rs]) for k in keys}
               for name, rs in runs.items()}
    result = {"runs": runs, "p50": summary, "load_average": os.getloadavg()[0], "cpu_count": os.cpu_count()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
