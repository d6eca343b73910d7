"""The multi-worker stack on loopback, for tests and ``bench.workers``: a Chroma server, a throwaway PostgreSQL
(``tests.assistant.pg_server``), ``shopbot build`` against both, and ``uvicorn ui.workers:create_app --factory
--workers N`` serving the widget API.

``WorkerStack.start(tmp, catalog_size)`` starts the shared stores and builds the data once; ``stack.api(n)``
starts an API with ``n`` worker processes (a context manager yielding its base URL). Everything is configured
through ``SHOPBOT_*`` environment variables, exactly as a deployment would be. ``stack.unavailable()`` says why
the stack cannot run here (no PostgreSQL binaries, no ``chroma`` command, no psycopg), or ``None``.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.assistant.pg_server import PgServer, PgServerUnavailable, find_bin

log = logging.getLogger(__name__)
SITE_KEY = "demo-site-key"
BUILD_STEPS = ("catalog", "index", "orders", "policies")  # users/sequential are not needed for the API
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_binary() -> str | None:
    candidate = VENV_BIN / "chroma"
    return str(candidate) if candidate.exists() else shutil.which("chroma")


def unavailable() -> str | None:
    """Why the stack cannot start on this machine, or None."""
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    if not (find_bin("initdb") and find_bin("pg_ctl")):
        return "PostgreSQL server binaries not found (apt-get install postgresql)"
    if chroma_binary() is None:
        return "the `chroma` command is not installed in this environment"
    if importlib.util.find_spec("uvicorn") is None:
        return "uvicorn is not installed"
    return None


class StackError(RuntimeError):
    pass


def _stop(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _tail(path: Path, n: int = 3000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else ""


class ChromaServer:
    def __init__(self, root: Path) -> None:
        self.root, self.port = root, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = root / "chroma.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 60.0) -> "ChromaServer":
        binary = chroma_binary()
        if binary is None:
            raise StackError("the `chroma` command is not installed")
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen([binary, "run", "--path", str(self.root / "chroma-data"), "--host", "127.0.0.1",
                                          "--port", str(self.port)], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise StackError(f"chroma server did not start: {_tail(self.log_path)}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None


class WorkerStack:
    """Shared stores (Chroma server + PostgreSQL) with the data built; start APIs on it with ``api(n)``."""

    def __init__(self, root: Path, catalog_size: int) -> None:
        self.root, self.catalog_size = root, catalog_size
        self.chroma = ChromaServer(root)
        self.pg: PgServer | None = None
        self.db_url = ""

    @classmethod
    def start(cls, root: Path, catalog_size: int = 300) -> "WorkerStack":
        stack = cls(Path(root), catalog_size)
        try:
            stack.chroma.start()
            stack.pg = PgServer().start()
            stack.db_url = stack.pg.url
            stack.build()
        except BaseException:
            stack.stop()
            raise
        return stack

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPBOT_")}
        env.update({
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
            "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1",
            "SHOPBOT_DATA_DIR": str(self.root / "data"), "SHOPBOT_CATALOG_SIZE": str(self.catalog_size),
            "SHOPBOT_DATABASE_URL": self.db_url, "SHOPBOT_CHROMA_URL": self.chroma.url,
            "SHOPBOT_GENERATE": "false", "SHOPBOT_WRITER": "template",
            "SHOPBOT_WIDGET__IP_PER_SECOND": "100000", "SHOPBOT_WIDGET__IP_BURST": "100000",
            "SHOPBOT_WIDGET__SESSION_PER_SECOND": "10000", "SHOPBOT_WIDGET__SESSION_BURST": "100000",
        })
        env.update(extra)
        return env

    def build(self, timeout_s: float = 900.0) -> None:
        """``shopbot build --only ...`` against the servers (catalog, Chroma index, demo orders, policies)."""
        cmd = [str(VENV_BIN / "shopbot"), "build", *[a for s in BUILD_STEPS for a in ("--only", s)]]
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=self.env(), cwd=self.root, capture_output=True, text=True, timeout=timeout_s)
        if proc.returncode != 0:
            raise StackError(f"shopbot build failed ({proc.returncode}): {proc.stdout[-1500:]} {proc.stderr[-3000:]}")
        log.info("stack: built in %.1f s", time.perf_counter() - start)

    @contextmanager
    def api(self, workers: int, *, generate: bool = False, timeout_s: float = 600.0, app: str = "ui.workers:create_app",
            env: dict[str, str] | None = None):
        """``uvicorn ui.workers:create_app --factory --workers N``; yields the base URL once every worker answers.
        ``app`` names another factory (control experiments), ``env`` adds environment variables."""
        port = free_port()
        log_path = self.root / f"uvicorn-{workers}-{port}.log"
        cmd = [sys.executable, "-m", "uvicorn", app, "--factory", "--workers", str(workers),
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
        env = self.env(SHOPBOT_GENERATE=str(generate).lower(), SHOPBOT_WRITER="embedded" if generate else "template",
                       **(env or {}))
        with open(log_path, "wb") as out:
            proc = subprocess.Popen(cmd, env=env, cwd=self.root, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_workers(url, workers, proc, log_path, timeout_s)
            yield url
        finally:
            _stop(proc, timeout=30)

    def stop(self) -> None:
        self.chroma.stop()
        if self.pg is not None:
            self.pg.stop()
            self.pg = None


def wait_for_workers(url: str, workers: int, proc: subprocess.Popen, log_path: Path, timeout_s: float) -> set[str]:
    """Poll /v1/health until ``workers`` distinct worker pids answered (each worker loads its own models)."""
    deadline = time.monotonic() + timeout_s
    pids: set[str] = set()
    while len(pids) < workers:
        if proc.poll() is not None:
            raise StackError(f"uvicorn exited ({proc.returncode}): {_tail(log_path)}")
        if time.monotonic() > deadline:
            raise StackError(f"only {len(pids)} of {workers} workers answered in {timeout_s:.0f} s: {_tail(log_path)}")
        try:
            with httpx.Client(timeout=5) as client:  # a new connection each time: the kernel spreads them
                r = client.get(f"{url}/v1/health", headers={"X-Site-Key": SITE_KEY})
            if r.status_code == 200:
                pids.add(r.headers["X-Worker-Pid"])
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return pids
