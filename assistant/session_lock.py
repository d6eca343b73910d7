"""Per-session serialisation of turns: ``with locks.hold(session_id): read state, run, append events``.

Two requests for the same session must never interleave, or a turn is computed from stale state and the
events of two turns can interleave in the log. The lock has two layers:

* a process-local lock per session (always): threads of one worker queue up without touching the database;
* on PostgreSQL, a transaction-scoped advisory lock ``pg_advisory_xact_lock(NAMESPACE, hashtext(session_id))``
  on a dedicated connection, held until the ``with`` block ends (the transaction then commits and PostgreSQL
  releases it, also when the worker dies mid-turn). Workers in other processes or on other hosts wait there.

SQLite is the single-process default: the process-local lock is enough there (a ``BEGIN IMMEDIATE`` held for
the whole turn would block the stores' own write connections, so it is not taken). Other dialects get the
process-local lock only, with a warning.

The lock is not re-entrant (taking it again for the same session inside the block waits until the timeout
and raises ``SessionLockTimeout``): a thread-bound re-entrancy would be wrong for streamed turns, whose
generator may be resumed by another thread. It may be released by a different thread than the one that took
it. Hash collisions only ever serialise two unrelated sessions; they never let two turns of one session run
together.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

NAMESPACE = 0x5B07  # first key of the two-key advisory lock: shopbot sessions (other users pick other numbers)
DEFAULT_TIMEOUT_S = 60.0


class SessionLockTimeout(TimeoutError):
    """The session stayed locked by another turn for longer than the timeout."""


class _Entry:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0


class SessionLocks:
    """The per-session locks over one database (see the module doc). The runtime owns one (built with the
    engine, closed with it); it keeps only locks that are held or waited for, and on PostgreSQL a small
    separate pool for lock connections (a turn holds one while its stores take others from the main pool, so
    sharing one bounded pool could leave every connection held by a waiting lock)."""

    def __init__(self, engine: Engine, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.engine, self.timeout_s = engine, timeout_s
        self._guard = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._lock_engine: Engine | None = None
        dialect = engine.dialect.name
        if dialect not in ("postgresql", "sqlite"):
            log.warning("no cross-process session lock for %s; only threads of one process are serialised", dialect)

    @contextmanager
    def hold(self, session_id: str, *, timeout_s: float | None = None) -> Iterator[None]:
        """Hold the lock of ``session_id`` for the block; ``SessionLockTimeout`` after ``timeout_s``."""
        timeout_s = self.timeout_s if timeout_s is None else timeout_s
        start = time.perf_counter()
        with self._local(str(session_id), timeout_s):
            if self.engine.dialect.name == "postgresql":
                with self._pg(str(session_id), max(timeout_s - (time.perf_counter() - start), 1.0)):
                    yield
            else:
                yield

    def active(self) -> int:
        """How many per-session locks this process holds or waits for (tests and health checks)."""
        with self._guard:
            return len(self._entries)

    def close(self) -> None:
        with self._guard:
            if self._lock_engine is not None:
                self._lock_engine.dispose()
                self._lock_engine = None

    @contextmanager
    def _local(self, session_id: str, timeout_s: float) -> Iterator[None]:
        with self._guard:
            entry = self._entries.get(session_id) or self._entries.setdefault(session_id, _Entry())
            entry.users += 1
        try:
            if not entry.lock.acquire(timeout=timeout_s):
                raise SessionLockTimeout(f"session {session_id!r} is busy (waited {timeout_s:.0f} s in this process)")
            try:
                yield
            finally:
                entry.lock.release()
        finally:
            with self._guard:
                entry.users -= 1
                if entry.users == 0:
                    self._entries.pop(session_id, None)

    def _pool(self) -> Engine:
        with self._guard:
            if self._lock_engine is None:
                self._lock_engine = create_engine(self.engine.url, pool_size=4, max_overflow=-1, pool_pre_ping=True)
            return self._lock_engine

    @contextmanager
    def _pg(self, session_id: str, timeout_s: float) -> Iterator[None]:
        with self._pool().connect() as conn:
            with conn.begin():
                conn.execute(text(f"SET LOCAL lock_timeout = '{int(timeout_s * 1000)}ms'"))
                try:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:ns, hashtext(:sid))"),
                                 {"ns": NAMESPACE, "sid": session_id})
                except Exception as exc:  # lock_timeout: "canceling statement due to lock timeout"
                    if "lock timeout" in str(exc):
                        raise SessionLockTimeout(f"session {session_id!r} is busy (waited {timeout_s:.0f} s)") from exc
                    raise
                yield  # committed (and unlocked) when the block ends, rolled back (and unlocked) on error
