"""Reads the event log and the interaction store into typed records for analytics (SQLAlchemy Core reads only).

A turn is the run of events that starts with a ``UserUttered``; the ``ProductsShown``/``HandoffCreated``/
``CartAdded``/``BotUttered``/``TurnMeasured`` events that follow it (before the next user utterance) belong to it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import String, select
from sqlalchemy.engine import Engine

from assistant.analytics.turn_log import KIND as MEASURED, ShownItem, TurnMeasured, decode_measured
from assistant.db import create_tables
from assistant.events import events_table
from assistant.interactions import INTERACTIONS

log = logging.getLogger(__name__)

TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # the event log's timestamp format (sortable as text)


class AnalyticsError(ValueError):
    """Bad analytics input (a window like "7x", an unreadable policy file, ...)."""


def to_datetime(value) -> datetime:
    """A timestamp as stored by any store (ISO text, epoch seconds, datetime) -> aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    text = str(value).strip()
    try:
        return to_datetime(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return to_datetime(float(text))


def parse_window(text: str) -> timedelta:
    """"7d", "12h", "30m", "2w" -> timedelta."""
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    text = (text or "").strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].replace(".", "", 1).isdigit():
        raise AnalyticsError(f"bad time window {text!r}: use a number and a unit, e.g. 7d, 12h, 30m, 2w")
    return timedelta(**{units[text[-1]]: float(text[:-1])})


@dataclass(frozen=True)
class LoggedTurn:
    ref: str  # "<session_id>:<seq of the UserUttered event>", stable
    session_id: str
    user_id: str
    ts: datetime
    text: str  # already redacted by the assistant
    intent: str
    confidence: float
    action: str = ""
    reply: str = ""
    handoff: bool = False
    shown: tuple[ShownItem, ...] = ()
    measured: TurnMeasured | None = None


@dataclass(frozen=True)
class Conversation:
    session_id: str
    user_id: str
    started: datetime
    turns: tuple[LoggedTurn, ...]
    carts: tuple[tuple[str, datetime], ...] = ()  # (product id, when) from CartAdded events

    @property
    def handoff(self) -> bool:
        return any(t.handoff for t in self.turns)

    @property
    def complaint(self) -> bool:
        return any(t.intent == "complaint" for t in self.turns)


@dataclass(frozen=True)
class LoggedInteraction:
    user_id: str
    item_id: str
    kind: str
    ts: datetime
    session_id: str | None = None
    position: int | None = None
    propensity: float | None = None


def belongs_to(i: LoggedInteraction, conv: Conversation) -> bool:
    """An interaction belongs to a conversation by session id; without one (logged outside a chat), by user
    and time (at or after the conversation started)."""
    if i.session_id:
        return i.session_id == conv.session_id
    return i.user_id == conv.user_id and i.ts >= conv.started


class _TurnBuilder:
    def __init__(self, seq: int, session_id: str, user_id: str, ts: datetime, data: dict) -> None:
        self.kw = dict(ref=f"{session_id}:{seq}", session_id=session_id, user_id=user_id, ts=ts,
                       text=str(data.get("text", "")), intent=str(data.get("intent", "")),
                       confidence=float(data.get("confidence") or 0.0))
        self.shown: list[ShownItem] = []

    def add(self, kind: str, data: dict) -> None:
        if kind == "BotUttered":
            self.kw["reply"], self.kw["action"] = str(data.get("text", "")), str(data.get("action", ""))
            self.kw["handoff"] = self.kw.get("handoff", False) or self.kw["action"] == "handoff"
        elif kind == "HandoffCreated":
            self.kw["handoff"] = True
        elif kind == "ProductsShown":
            self.shown = [ShownItem(str(pid), i + 1) for i, pid in enumerate(data.get("product_ids", ()))]
        elif kind == MEASURED:
            self.kw["measured"] = decode_measured(data)

    def build(self) -> LoggedTurn:
        measured = self.kw.get("measured")
        shown = measured.shown if measured is not None and measured.shown else tuple(self.shown)
        return LoggedTurn(shown=shown, **self.kw)


def _conversation(session_id: str, rows: list) -> Conversation | None:
    turns: list[LoggedTurn] = []
    carts: list[tuple[str, datetime]] = []
    current: _TurnBuilder | None = None
    for r in rows:
        try:
            data, ts = json.loads(r.payload), to_datetime(r.ts)
        except (ValueError, TypeError):
            log.warning("skipping unreadable event %s of session %s", r.seq, session_id)
            continue
        if r.kind == "UserUttered":
            if current is not None:
                turns.append(current.build())
            current = _TurnBuilder(r.seq, session_id, r.user_id, ts, data)
        elif r.kind == "CartAdded":
            carts.append((str(data.get("product_id", "")), ts))
        elif current is not None:
            current.add(r.kind, data)
    if current is not None:
        turns.append(current.build())
    if not rows:
        return None
    return Conversation(session_id, rows[0].user_id, to_datetime(rows[0].ts), tuple(turns), tuple(carts))


def load_conversations(engine: Engine, since: datetime | None = None, until: datetime | None = None, *,
                       session_id: str | None = None) -> list[Conversation]:
    """Every session with at least one event in [since, until) (or just ``session_id``), with all of its events."""
    create_tables(engine)
    t = events_table
    window = select(t.c.session_id).distinct()
    if session_id is not None:
        window = window.where(t.c.session_id == session_id)
    if since is not None:
        window = window.where(t.c.ts >= since.astimezone(timezone.utc).strftime(TS_FORMAT))
    if until is not None:
        window = window.where(t.c.ts < until.astimezone(timezone.utc).strftime(TS_FORMAT))
    with engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.session_id.in_(window)).order_by(t.c.session_id, t.c.seq)).all()
    by_session: dict[str, list] = {}
    for r in rows:
        by_session.setdefault(r.session_id, []).append(r)
    convs = [_conversation(sid, rs) for sid, rs in by_session.items()]
    return sorted((c for c in convs if c is not None), key=lambda c: (c.started, c.session_id))


def load_interactions(engine: Engine, since: datetime | None = None,
                      until: datetime | None = None) -> list[LoggedInteraction]:
    """Interactions (views, clicks, likes, dislikes, add-to-carts, ...) in [since, until), oldest first."""
    create_tables(engine)  # a fresh database has no tables yet
    table = INTERACTIONS
    query = select(table)
    if isinstance(table.c.ts.type, String):  # ISO text sorts chronologically: narrow the read in SQL
        if since is not None:
            query = query.where(table.c.ts >= since.astimezone(timezone.utc).strftime(TS_FORMAT))
        if until is not None:
            query = query.where(table.c.ts < until.astimezone(timezone.utc).strftime(TS_FORMAT))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    out = []
    for r in rows:
        ts = to_datetime(r["ts"])
        if (since is not None and ts < since) or (until is not None and ts >= until):
            continue
        out.append(LoggedInteraction(str(r["user_id"]), str(r["item_id"]), str(r["kind"]), ts, r.get("session_id"),
                                     r.get("position"), r.get("propensity")))
    return sorted(out, key=lambda i: i.ts)

