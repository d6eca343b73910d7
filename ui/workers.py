"""The widget API for several worker processes: ``uvicorn ui.workers:create_app --factory --workers N``.

Each worker builds its own Settings from the environment (``SHOPBOT_*``), its own Assistant and its own
API. What the workers must share lives outside them:

* products and policy passages in a Chroma server (``SHOPBOT_CHROMA_URL``; the embedded client is not
  process-safe),
* sessions/events, orders and interactions in PostgreSQL (``SHOPBOT_DATABASE_URL``); SQLite stays the
  single-process default,
* the widget's session bindings (site + user of each session) in the table ``widget_sessions`` of that
  database (``SqlSessionRegistry``), so a session created by one worker is accepted by every other,
* turns of one session are serialised across workers by the Assistant's ``SharedSessionStore``
  (assistant/sessions.py: ``SessionLocks``, a PostgreSQL advisory lock): under the lock the worker rebuilds the
  dialogue state from the event log, decides, commits the turn (effects + events in one transaction) and
  appends the reply before the lock is released.

Every response carries ``X-Worker-Pid`` (which worker answered). Only the API is served (no Gradio: its
queue lives in one process). Rate limits stay per worker (a client's budget is up to N times larger).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from fastapi import FastAPI
from sqlalchemy import Column, MetaData, String, Table, delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from assistant.assistant import Assistant
from assistant.protocol import CartLine, DemoUser
from assistant.records import Turn
from assistant.runtime import build_runtime
from assistant.stores import Stores
from assistant.session_lock import DEFAULT_TIMEOUT_S, SessionLocks, SessionLockTimeout
from assistant.threaded import iterate_in_thread
from ui.api.errors import ApiError
from ui.api.sessions import SessionBinding

log = logging.getLogger(__name__)
PID_HEADER = "X-Worker-Pid"

SESSIONS_METADATA = MetaData()  # separate from assistant.db.METADATA: only the multi-worker API needs it
sessions_table = Table(
    "widget_sessions", SESSIONS_METADATA,
    Column("session_id", String(64), primary_key=True),
    Column("site_key", String(128), nullable=False),
    Column("user_id", String(128), nullable=False),
    Column("created_at", String(32), nullable=False),
)


class SqlSessionRegistry:
    """The widget's session bindings in SQL (same interface as ``ui.api.sessions.SessionRegistry``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        SESSIONS_METADATA.create_all(engine)

    def add(self, binding: SessionBinding) -> None:
        row = {"session_id": binding.session_id, "site_key": binding.site_key, "user_id": binding.user_id,
               "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(sessions_table), [row])
        except IntegrityError:  # session ids are random uuids: a clash is a replay of the same binding
            log.warning("session %s is already registered", binding.session_id)

    def get(self, session_id: str) -> SessionBinding | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions_table).where(sessions_table.c.session_id == session_id)).first()
        return None if row is None else SessionBinding(row.session_id, row.site_key, row.user_id)

    def forget(self, user_id: str) -> int:
        """Delete every binding of ``user_id`` (privacy deletion); returns how many."""
        with self.engine.begin() as conn:
            return conn.execute(delete(sessions_table).where(sessions_table.c.user_id == user_id)).rowcount

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(sessions_table)).scalar() or 0)


@contextmanager
def _turn_lock(locks: SessionLocks, session_id: str, timeout_s: float):
    """The session lock; waiting too long is a 503 with Retry-After, not an internal error."""
    entered = False
    try:
        with locks.hold(session_id, timeout_s=timeout_s):
            entered = True
            yield
    except SessionLockTimeout as exc:
        if entered:
            raise
        log.warning("%s", exc)
        raise ApiError(503, "session_busy", "This conversation is still busy with an earlier message; please retry.",
                       {"Retry-After": "2"}) from exc


class SerializedAssistant:
    """An AssistantAPI whose turns (and cart changes) hold the per-session lock; see the module doc.

    The wrapped assistant's per-process state cache is dropped under the lock, so each turn starts from
    the event log as every worker has written it (``Assistant.forget_cached``)."""

    def __init__(self, inner, locks: SessionLocks, *, lock_timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.inner, self.locks, self.lock_timeout_s = inner, locks, lock_timeout_s

    def _fresh(self, session_id: str) -> None:
        self.inner.forget_cached(session_id)

    def new_session(self, user_id: str) -> str:
        return self.inner.new_session(user_id)

    def handle(self, session_id: str, user_id: str, text: str, *, generate: bool | None = None) -> Turn:
        with _turn_lock(self.locks, session_id, self.lock_timeout_s):
            self._fresh(session_id)
            return self.inner.handle(session_id, user_id, text, generate=generate)

    def stream(self, session_id: str, user_id: str, text: str) -> Iterator[str | Turn]:
        """The turn runs in its own thread (which takes and releases the lock), so the consumer may hop threads
        between tokens (Starlette does) and may stop early: the turn still finishes and is stored."""

        def produce() -> Iterator[str | Turn]:
            with self.locks.hold(session_id, timeout_s=self.lock_timeout_s):
                self._fresh(session_id)
                yield from self.inner.stream(session_id, user_id, text)

        return iterate_in_thread(produce, f"turn-{session_id[:8]}")

    def feedback(self, session_id: str, user_id: str, product_id: str, kind: str) -> None:
        with _turn_lock(self.locks, session_id, self.lock_timeout_s):
            self._fresh(session_id)
            self.inner.feedback(session_id, user_id, product_id, kind)

    def cart(self, session_id: str) -> list[CartLine]:
        with _turn_lock(self.locks, session_id, self.lock_timeout_s):
            self._fresh(session_id)
            return self.inner.cart(session_id)

    def demo_users(self) -> list[DemoUser]:
        return self.inner.demo_users()

    def forget_cached(self, session_id: str) -> None:
        self.inner.forget_cached(session_id)

    def forget(self, user_id: str):
        return self.inner.forget(user_id)


def _warn_single_process_stores(settings) -> None:
    if settings.database_url is None or settings.db_url.startswith("sqlite"):
        log.warning("database is SQLite (%s): safe for one worker only; set SHOPBOT_DATABASE_URL to PostgreSQL "
                    "for several", settings.db_url)
    if not settings.chroma_url:
        log.warning("Chroma is embedded (%s): safe for one worker only; set SHOPBOT_CHROMA_URL to a Chroma server "
                    "for several", settings.chroma_path)


def build_worker_app(stores: Stores, assistant, *, lock_timeout_s: float = DEFAULT_TIMEOUT_S) -> FastAPI:
    """The widget API over ``assistant`` with shared sessions, per-session locks and the worker-pid header.

    The real ``Assistant`` locks its own turns through its session store (on PostgreSQL the shared store:
    advisory lock + state rebuilt from the log); any other AssistantAPI (test stand-ins) is wrapped in
    ``SerializedAssistant`` over the stores' locks."""
    from ui.app import build_app

    served = assistant if isinstance(assistant, Assistant) else SerializedAssistant(assistant, stores.locks,
                                                                                   lock_timeout_s=lock_timeout_s)
    app = build_app(stores, served, gradio=False, registry=SqlSessionRegistry(stores.engine))
    pid = str(os.getpid())

    @app.middleware("http")
    async def worker_pid(request, call_next):
        response = await call_next(request)
        response.headers[PID_HEADER] = pid
        return response

    return app


def create_app() -> FastAPI:
    """uvicorn app factory: Settings from the environment, the runtime, the real Assistant, the worker API.
    The runtime lives as long as the worker process (uvicorn ends the process; the pools go with it)."""
    from assistant.settings import Settings

    settings = Settings()
    if settings.demo_mode is None:  # uvicorn owns the bind address here: never assume the loopback demo
        settings = settings.model_copy(update={"demo_mode": False})
    logging.basicConfig(level=logging.INFO,
                        format=f"%(asctime)s {os.getpid()} %(name)s %(levelname)s %(message)s")
    _warn_single_process_stores(settings)
    log.info("worker %d: loading the assistant (db %s, chroma %s)", os.getpid(),
             settings.db_url.split("@")[-1], settings.chroma_url or settings.chroma_path)
    runtime = build_runtime(settings, generate=settings.generate)
    return build_worker_app(runtime.stores, Assistant(runtime))


def settings_env(settings) -> dict[str, str]:
    """``SHOPBOT_*`` variables that rebuild ``settings`` in a worker process (``Settings()`` reads them)."""
    env = {}
    for name, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        env[f"SHOPBOT_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return env


def check_shared_stores(settings) -> str | None:
    """Why ``settings`` cannot be served by several processes, or None."""
    if not settings.database_url or settings.db_url.startswith("sqlite"):
        return "several workers need a shared database: set SHOPBOT_DATABASE_URL (PostgreSQL), SQLite is single-process"
    if not settings.chroma_url:
        return "several workers need a Chroma server: pass --chroma-url or set SHOPBOT_CHROMA_URL (the embedded store is single-process)"
    return None


def run_workers(settings, workers: int) -> int:
    """``shopbot serve --workers N`` (N > 1): the widget API (no Gradio) in N uvicorn worker processes."""
    import uvicorn

    from assistant.errors import UserError

    problem = check_shared_stores(settings)
    if problem:
        raise UserError(problem)
    if not 1 < workers <= 64:
        raise UserError(f"--workers must be between 2 and 64, not {workers}")
    os.environ.update(settings_env(settings))  # inherited by the spawned workers, read by create_app
    log.info("serving the widget API with %d workers on http://%s:%d (docs /docs, demo /demo)", workers,
             settings.host, settings.port)
    uvicorn.run("ui.workers:create_app", factory=True, workers=workers, host=settings.host, port=settings.port,
                log_level="warning", access_log=False, proxy_headers=False)  # XFF: settings.trusted_proxies only
    return 0
