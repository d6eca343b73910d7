"""A throwaway PostgreSQL server on loopback for tests (Debian ``postgresql`` package + ``psycopg``).

``PgServer.start()`` runs ``initdb`` (trust auth, user ``shopbot``) in a fresh temp dir and ``pg_ctl start``
on a free 127.0.0.1 port; ``stop()`` stops it and deletes the dir. PostgreSQL refuses to run as root, so when
the tests run as root the binaries run as the ``postgres`` system user via ``runuser`` (the temp dir is
chowned to it). The ``pg_server`` fixture skips cleanly when the binaries, a non-root user or the driver are
missing. Use in a test module with ``from tests.assistant.pg_server import pg_server  # noqa: F401``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

USER = "shopbot"


def find_bin(name: str) -> str | None:
    """A PostgreSQL server binary: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServerUnavailable(RuntimeError):
    pass


class PgServer:
    def __init__(self) -> None:
        self.initdb, self.pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise PgServerUnavailable("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.prefix: list[str] = []
        self.owner: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise PgServerUnavailable("running as root and there is no 'postgres' user to run the server") from None
            self.prefix, self.owner = ["runuser", "-u", "postgres", "--"], "postgres"
        self.dir: Path | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        proc = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            log = (self.dir / "server.log").read_text() if self.dir and (self.dir / "server.log").exists() else ""
            raise PgServerUnavailable(f"{' '.join(args[:1])} failed: {proc.stderr.strip()} {log[-2000:]}")

    def start(self) -> "PgServer":
        self.dir = Path(tempfile.mkdtemp(prefix="shopbot-pg-"))
        if self.owner:
            shutil.chown(self.dir, user=self.owner)
        data = self.dir / "data"
        self._run(self.initdb, "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
        self.port = _free_port()
        opts = f"-p {self.port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run(self.pg_ctl, "-D", str(data), "-o", opts, "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        if self.dir is None:
            return
        data = self.dir / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run([*self.prefix, self.pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


@pytest.fixture(scope="session")
def pg_server():
    """A running throwaway PostgreSQL server (session-scoped); skips when it cannot be started."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
    try:
        server = PgServer().start()
    except PgServerUnavailable as exc:
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_engine(pg_server):
    """An engine on a fresh, empty database of the session server (dropped afterwards)."""
    import uuid

    from sqlalchemy import text

    from assistant.db import make_engine

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(pg_server.url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(pg_server.url.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
