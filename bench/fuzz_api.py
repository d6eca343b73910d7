"""Fuzz the widget API with schemathesis against its own OpenAPI schema on a loopback server; count the
generated requests and the 5xx responses (must be 0).

    python -m bench.fuzz_api --data-dir D [--examples 60] [--out fuzz.json]   # the real Assistant (built D)

Every operation of ``/openapi.json`` gets ``--examples`` schema-valid (positive) and as many schema-violating
(negative) generated requests. A third of them are sent as generated (mostly refused at the edge: no or a
wrong site key); the rest get the demo site key, and bodies naming a ``session_id`` get a live session, so the
generated texts, product ids and feedback kinds reach the Assistant itself. Rate limits are lifted (the
limiter is not what is fuzzed). ``fuzz(base_url, ...)`` is also used by tests/ui/test_api_fuzz.py.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

log = logging.getLogger("bench.fuzz_api")
SITE_KEY = "demo-site-key"


@dataclass
class FuzzReport:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[dict] = field(default_factory=list)  # first few 5xx: method, path, status, request
    operations: int = 0
    skipped: list[str] = field(default_factory=list)  # operation + mode with nothing to generate
    seconds: float = 0.0

    @property
    def count_5xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def to_json(self) -> dict:
        return {**asdict(self), "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "count_5xx": self.count_5xx}


class _Sessions:
    """Live sessions for generated bodies (a new one every few uses)."""

    def __init__(self, base_url: str, every: int = 20) -> None:
        self.base_url, self.every, self.used, self.current = base_url, every, 0, None

    def get(self) -> str:
        if self.current is None or self.used >= self.every:
            r = httpx.post(f"{self.base_url}/v1/sessions", headers={"X-Site-Key": SITE_KEY}, json={}, timeout=60)
            r.raise_for_status()
            self.current, self.used = r.json()["session_id"], 0
        self.used += 1
        return self.current


def _send(case, base_url: str, variant: int, sessions: _Sessions):
    headers = None
    if variant:  # authenticated variants: a valid site key; a live session in the body
        headers = {**(case.headers or {}), "X-Site-Key": SITE_KEY}
        headers.pop("X-User-Token", None) if variant == 2 else None
        if isinstance(case.body, dict) and "session_id" in case.body:
            case.body["session_id"] = sessions.get()
    return case.call(base_url=base_url, headers=headers, timeout=120)


def fuzz(base_url: str, *, examples: int = 60, seed: int = 0, keep: int = 10) -> FuzzReport:
    """Run the fuzz against a server at ``base_url``; returns the counts (see the module doc)."""
    import hypothesis
    import hypothesis.errors
    from hypothesis import HealthCheck, Phase
    from schemathesis import GenerationMode
    from schemathesis.openapi import from_url

    schema = from_url(f"{base_url}/openapi.json")
    report, sessions, start = FuzzReport(), _Sessions(base_url), time.perf_counter()
    for result in schema.get_all_operations():
        op = result.ok()
        report.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            counter = iter(range(10**9))

            @hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                                 phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            @hypothesis.seed(seed)
            @hypothesis.given(case=op.as_strategy(generation_mode=mode))
            def one(case) -> None:
                response = _send(case, base_url, next(counter) % 3, sessions)
                report.requests += 1
                report.statuses[response.status_code] += 1
                if response.status_code >= 500 and len(report.server_errors) < keep:
                    report.server_errors.append({"method": case.method, "path": case.formatted_path,
                                                 "status": response.status_code, "curl": case.as_curl_command(),
                                                 "response": response.text[:300]})

            try:
                one()
            except hypothesis.errors.Unsatisfiable:  # e.g. no way to violate the schema of a parameterless GET
                report.skipped.append(f"{op.method.upper()} {op.path} {mode.value}")
    report.seconds = round(time.perf_counter() - start, 1)
    return report


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(url: str, proc: subprocess.Popen, timeout_s: float = 600.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/openapi.json", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit("the server did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True, help="a built data dir (shopbot build)")
    ap.add_argument("--examples", type=int, default=60, help="generated requests per operation and mode")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, help="write the JSON report here")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "bench.widget_server", "--data-dir", str(args.data_dir),
                             "--port", str(port)], env=env)
    try:
        _wait_up(url, proc)
        report = fuzz(url, examples=args.examples, seed=args.seed)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    out = json.dumps(report.to_json(), indent=2)
    if args.out:
        args.out.write_text(out + "\n")
    print(out)
    sys.exit(1 if report.count_5xx else 0)


if __name__ == "__main__":
    main()
