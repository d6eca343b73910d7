"""Interaction store: every view, click, like/dislike, add-to-cart, purchase and return, with the position
shown and the propensity the policy gave the item. SQLAlchemy Core on ``assistant.db`` (SQLite WAL by
default, PostgreSQL by URL); each write is one transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, Float, Index, Integer, String, Table, func, insert, select
from sqlalchemy.engine import Engine

from assistant.db import METADATA, create_tables
from assistant.protocol import FEEDBACK_KINDS

log = logging.getLogger(__name__)

INTERACTIONS = Table(
    "interactions",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(128), nullable=False),
    Column("item_id", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("ts", String(40), nullable=False),  # ISO 8601 UTC; sorts chronologically as text
    Column("position", Integer, nullable=True),
    Column("propensity", Float, nullable=True),
    Column("session_id", String(128), nullable=True),
    Index("ix_interactions_user_ts", "user_id", "ts"),
    Index("ix_interactions_item", "item_id"),
)


class InteractionError(ValueError):
    """An interaction that cannot be stored (unknown kind, empty ids, bad propensity)."""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Interaction:
    user_id: str
    item_id: str
    kind: str  # one of protocol.FEEDBACK_KINDS
    ts: str  # ISO 8601 UTC
    position: int | None = None  # 0-based rank at which the item was shown
    propensity: float | None = None  # probability the policy gave this item at that position
    session_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FEEDBACK_KINDS:
            raise InteractionError(f"unknown interaction kind {self.kind!r}; expected one of {', '.join(FEEDBACK_KINDS)}")
        if not self.user_id or not self.item_id:
            raise InteractionError("user_id and item_id must be non-empty")
        if self.propensity is not None and not 0.0 <= self.propensity <= 1.0:
            raise InteractionError(f"propensity must be in [0, 1], got {self.propensity}")


def _row(i: Interaction) -> dict:
    return {"user_id": i.user_id, "item_id": i.item_id, "kind": i.kind, "ts": i.ts,
            "position": i.position, "propensity": i.propensity, "session_id": i.session_id}


def _record(row) -> Interaction:
    return Interaction(user_id=row.user_id, item_id=row.item_id, kind=row.kind, ts=row.ts,
                       position=row.position, propensity=row.propensity, session_id=row.session_id)


class InteractionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(engine)

    def log(self, interaction: Interaction) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(INTERACTIONS), [_row(interaction)])

    def log_many(self, interactions: Iterable[Interaction]) -> int:
        """Insert many interactions in one transaction (all or none)."""
        rows = [_row(i) for i in interactions]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(INTERACTIONS), rows)
        return len(rows)

    def history(self, user_id: str, limit: int | None = None) -> list[Interaction]:
        """The user's interactions, oldest first (the most recent ``limit`` when given)."""
        q = select(INTERACTIONS).where(INTERACTIONS.c.user_id == user_id).order_by(INTERACTIONS.c.ts.desc(), INTERACTIONS.c.id.desc())
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [_record(r) for r in reversed(rows)]

    def purchased(self, user_id: str) -> set[str]:
        """Items the user bought and did not return afterwards."""
        owned: dict[str, int] = {}
        for i in self.history(user_id):
            if i.kind == "purchase":
                owned[i.item_id] = owned.get(i.item_id, 0) + 1
            elif i.kind == "return" and owned.get(i.item_id, 0) > 0:
                owned[i.item_id] -= 1
        return {item for item, n in owned.items() if n > 0}

    def users(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(select(INTERACTIONS.c.user_id).distinct().order_by(INTERACTIONS.c.user_id))]

    def all(self) -> list[Interaction]:
        """Every interaction in time order (for training and off-policy evaluation)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(INTERACTIONS).order_by(INTERACTIONS.c.ts, INTERACTIONS.c.id)).all()
        return [_record(r) for r in rows]

    def item_counts(self, kinds: tuple[str, ...] = ("click", "add_to_cart", "purchase", "like")) -> dict[str, int]:
        """Per-item count of positive interactions (popularity)."""
        q = (select(INTERACTIONS.c.item_id, func.count()).where(INTERACTIONS.c.kind.in_(kinds))
             .group_by(INTERACTIONS.c.item_id))
        with self.engine.connect() as conn:
            return {item: int(n) for item, n in conn.execute(q)}

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(INTERACTIONS)).scalar_one())

    def forget(self, user_id: str) -> int:
        """Delete every interaction of a user (privacy); returns how many were removed."""
        with self.engine.begin() as conn:
            return conn.execute(INTERACTIONS.delete().where(INTERACTIONS.c.user_id == user_id)).rowcount
