"""Append-only event log of conversations. Sessions are rebuilt by replaying their events; nothing else
about a session is stored. Texts in events are already redacted (see assistant/privacy.py).

Table ``dialogue_events`` on the shared METADATA (SQLAlchemy Core): one row an event, ordered by ``seq``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone

from sqlalchemy import Column, Integer, String, Table, Text, delete, func, insert, select
from sqlalchemy.engine import Connection, Engine

from assistant.db import METADATA, create_tables
from assistant.users import ANONYMOUS

events_table = Table(
    "dialogue_events", METADATA,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), nullable=False, index=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("ts", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload", Text, nullable=False),
)


@dataclass(frozen=True)
class SessionStarted:
    pass


@dataclass(frozen=True)
class UserUttered:
    text: str  # redacted
    intent: str = ""
    confidence: float = 0.0


@dataclass(frozen=True)
class BotUttered:
    text: str
    action: str = ""


@dataclass(frozen=True)
class SlotsSet:
    slots: str  # JSON of assistant.dialogue.state.Slots (kept as text: the log does not know the shape)


@dataclass(frozen=True)
class ProductsShown:
    product_ids: tuple[str, ...]
    new_query: bool = True  # False when paging on ("show more"): the shown history accumulates


@dataclass(frozen=True)
class CartAdded:
    product_id: str
    title: str
    price: float
    quantity: int


@dataclass(frozen=True)
class FocusSet:
    """The product or order the conversation is about ("it", "that order")."""

    product_id: str | None = None
    order_id: str | None = None


@dataclass(frozen=True)
class PendingSet:
    """What the bot asked and is waiting for (e.g. an order id for a cancel); ``""`` clears it."""

    intent: str = ""


@dataclass(frozen=True)
class HandoffCreated:
    ticket_id: str


Event = SessionStarted | UserUttered | BotUttered | SlotsSet | ProductsShown | CartAdded | FocusSet | PendingSet | HandoffCreated
EVENT_TYPES: dict[str, type] = {cls.__name__: cls for cls in (
    SessionStarted, UserUttered, BotUttered, SlotsSet, ProductsShown, CartAdded, FocusSet, PendingSet, HandoffCreated)}


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    session_id: str
    user_id: str
    ts: str
    event: Event


def _decode(kind: str, payload: str) -> Event:
    cls = EVENT_TYPES[kind]
    data = json.loads(payload)
    kw = {}
    for f in fields(cls):
        if f.name in data:
            v = data[f.name]
            kw[f.name] = tuple(v) if isinstance(v, list) else v
    return cls(**kw)


class EventLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(engine)

    def append(self, session_id: str, user_id: str, *events: Event, conn: Connection | None = None) -> None:
        """Append events of one turn in one transaction (``conn``: inside the caller's transaction)."""
        if not events:
            return
        ts = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        rows = [{"session_id": session_id, "user_id": user_id or ANONYMOUS, "ts": ts,
                 "kind": type(e).__name__, "payload": json.dumps(asdict(e))} for e in events]
        if conn is not None:
            conn.execute(insert(events_table), rows)
            return
        with self.engine.begin() as own:
            own.execute(insert(events_table), rows)

    def events(self, session_id: str) -> list[StoredEvent]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(events_table).where(events_table.c.session_id == session_id)
                                .order_by(events_table.c.seq)).all()
        return [StoredEvent(r.seq, r.session_id, r.user_id, r.ts, _decode(r.kind, r.payload))
                for r in rows if r.kind in EVENT_TYPES]

    def session_owner(self, session_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(events_table.c.user_id).where(events_table.c.session_id == session_id)
                                .order_by(events_table.c.seq).limit(1)).scalar()

    def sessions(self, user_id: str) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(events_table.c.session_id).where(events_table.c.user_id == user_id)
                                     .distinct()).scalars())

    def count(self, user_id: str | None = None) -> int:
        q = select(func.count()).select_from(events_table)
        if user_id is not None:
            q = q.where(events_table.c.user_id == user_id)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar() or 0)

    def transcript(self, session_id: str) -> str:
        """The (redacted) conversation as plain text lines."""
        lines = []
        for e in self.events(session_id):
            if isinstance(e.event, UserUttered):
                lines.append(f"user: {e.event.text}")
            elif isinstance(e.event, BotUttered):
                lines.append(f"bot: {e.event.text}")
        return "\n".join(lines)

    def forget(self, user_id: str) -> int:
        """Delete every event of every session of ``user_id`` (one transaction)."""
        with self.engine.begin() as conn:
            sessions = select(events_table.c.session_id).where(events_table.c.user_id == user_id).distinct()
            return conn.execute(delete(events_table).where(events_table.c.session_id.in_(sessions))).rowcount
