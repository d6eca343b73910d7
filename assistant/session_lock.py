"""Per-session serialisation of turns: ``with session_lock(engine, session_id): read state, run, append events``.

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


_guard = threading.Lock()
_entries: dict[tuple[str, str], _Entry] = {}  # (engine url, session id) -> lock; dropped when unused
_warned: set[str] = set()
_lock_engines: dict[str, Engine] = {}  # engine url -> pool for lock connections (see _lock_engine)


def _engine_key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


@contextmanager
def _local_lock(key: tuple[str, str], timeout_s: float) -> Iterator[None]:
    with _guard:
        entry = _entries.get(key)
        if entry is None:
            entry = _entries[key] = _Entry()
        entry.users += 1
    try:
        if not entry.lock.acquire(timeout=timeout_s):
            raise SessionLockTimeout(f"session {key[1]!r} is busy (waited {timeout_s:.0f} s in this process)")
        try:
            yield
        finally:
            entry.lock.release()
    finally:
        with _guard:
            entry.users -= 1
            if entry.users == 0:
                _entries.pop(key, None)


def _lock_engine(engine: Engine) -> Engine:
    """A separate pool for lock connections: a turn holds one while its stores take others from the main
    pool, so sharing one bounded pool could leave every connection held by a waiting lock."""
    key = _engine_key(engine)
    with _guard:
        lock_engine = _lock_engines.get(key)
        if lock_engine is None:
            lock_engine = _lock_engines[key] = create_engine(engine.url, pool_size=4, max_overflow=-1, pool_pre_ping=True)
        return lock_engine


@contextmanager
def _pg_lock(engine: Engine, session_id: str, timeout_s: float) -> Iterator[None]:
    with _lock_engine(engine).connect() as conn:
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


@contextmanager
def session_lock(engine: Engine, session_id: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Iterator[None]:
    """Hold the per-session lock of ``session_id`` for the duration of the block (see the module doc)."""
    key = (_engine_key(engine), str(session_id))
    start = time.perf_counter()
    with _local_lock(key, timeout_s):
        dialect = engine.dialect.name
        if dialect == "postgresql":
            remaining = max(timeout_s - (time.perf_counter() - start), 1.0)
            with _pg_lock(engine, key[1], remaining):
                yield
        else:
            if dialect != "sqlite" and dialect not in _warned:
                _warned.add(dialect)
                log.warning("session_lock: no cross-process lock for %s; only threads of one process are serialised",
                            dialect)
            yield


def active_local_locks() -> int:
    """How many per-session locks this process holds or waits for (for tests and health checks)."""
    with _guard:
        return len(_entries)
