"""The database side of the runtime: one engine (the only call of ``make_engine``) and the stores over it.

Opened at once by every front end and command that needs the database (no model is loaded here), and by
``build_runtime`` (assistant/runtime.py) under the models; closed once by whoever opened it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from assistant.db import make_engine
from assistant.events import EventLog
from assistant.interactions import InteractionStore
from assistant.orders.repository import OrderRepository
from assistant.session_lock import SessionLocks
from assistant.sessions import LocalSessionStore, session_store_for
from assistant.settings import Settings


@dataclass(frozen=True)
class Stores:
    """The database side of a runtime (no models): opened at once, shared by every front end."""

    settings: Settings
    engine: Engine
    orders: OrderRepository
    events: EventLog
    interactions: InteractionStore
    locks: SessionLocks
    sessions: LocalSessionStore

    def close(self) -> None:
        self.locks.close()
        self.engine.dispose()

    def __enter__(self) -> "Stores":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_stores(settings: Settings) -> Stores:
    engine = make_engine(settings.db_url)
    events = EventLog(engine)
    locks = SessionLocks(engine)
    return Stores(settings=settings, engine=engine, orders=OrderRepository(engine), events=events,
                  interactions=InteractionStore(engine), locks=locks,
                  sessions=session_store_for(events, locks, max_cached=settings.max_cached_sessions))
