"""A small hand-computed conversation log for the analytics and inbox tests (written through the real
EventLog API; timestamps then moved to fixed days so per-day counts are known)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import update

from assistant.analytics.turn_log import ShownItem, TurnMeasured
from assistant.interactions import Interaction, InteractionStore, utc_now
from assistant.events import BotUttered, CartAdded, EventLog, HandoffCreated, ProductsShown, SessionStarted, UserUttered, events_table

DAY1 = "2026-01-05T10:00:00.000000Z"
DAY2 = "2026-01-06T15:30:00.000000Z"
T_DAY1 = datetime(2026, 1, 5, 10, tzinfo=timezone.utc)
T_DAY2 = datetime(2026, 1, 6, 15, 30, tzinfo=timezone.utc)


def _m(timings=(), shown=(), guard=True, fallback=False) -> TurnMeasured:
    return TurnMeasured(guard_passed=guard, fallback=fallback, timings=tuple(timings), shown=tuple(shown))


def write_log(engine, *, fixed_days: bool = True) -> None:
    """Writes the events and the interactions (clicks, an add-to-cart, a dislike) through the real stores.
    ``fixed_days``: session s1 on DAY1 and the others on DAY2 (else everything at the time of writing)."""
    log = EventLog(engine)
    # s1 (alice, day 1): greeting, then a search with 3 products (p3 exploratory); guard failed -> template fallback
    log.append("s1", "alice", SessionStarted(), UserUttered("hi", "greeting", 0.95), BotUttered("Hello!", "smalltalk"),
               _m([("parse", 10.0), ("write", 100.0)]))
    log.append("s1", "alice", UserUttered("running shoes under 100", "search_products", 0.9),
               ProductsShown(("p1", "p2", "p3")), BotUttered("Here are 3.", "search"),
               _m([("parse", 20.0), ("retrieve", 30.0), ("rank", 5.0), ("write", 300.0)],
                  [ShownItem("p1", 1, 0.8), ShownItem("p2", 2, 0.6), ShownItem("p3", 3, 0.2, exploratory=True)],
                  guard=False, fallback=True))
    log.append("s1", "alice", CartAdded("p1", "Shoe", 80.0, 1))
    # s2 (bob, day 2): low-confidence order question -> clarify; then a handoff
    log.append("s2", "bob", SessionStarted(), UserUttered("where is it", "order_status", 0.4),
               BotUttered("Which order do you mean?", "clarify"), _m([("parse", 30.0), ("write", 200.0)]))
    log.append("s2", "bob", UserUttered("i want a human", "human_agent", 0.97), HandoffCreated("T-1"),
               BotUttered("A colleague will take over.", "handoff"))
    # s3 (carol, day 2): a complaint, then a search with 2 products (p4 exploratory); she dislikes p4, clicks p1
    log.append("s3", "carol", SessionStarted(), UserUttered("this is terrible", "complaint", 0.8),
               BotUttered("I'm sorry to hear that.", "answer"))
    log.append("s3", "carol", UserUttered("show me socks", "search_products", 0.85), ProductsShown(("p4", "p1")),
               BotUttered("Here are 2.", "search"),
               _m([("parse", 40.0), ("retrieve", 50.0)], [ShownItem("p4", 1, 0.3, exploratory=True), ShownItem("p1", 2, 0.5)]))
    now = utc_now()
    InteractionStore(engine).log_many(
        Interaction(u, item, kind, (day if fixed_days else now), pos, prop, sid)
        for u, item, kind, day, pos, prop, sid in INTERACTIONS)
    if fixed_days:
        _move_to_days(engine)


def _move_to_days(engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(events_table).where(events_table.c.session_id == "s1").values(ts=DAY1))
        conn.execute(update(events_table).where(events_table.c.session_id != "s1").values(ts=DAY2))


# (user, item, kind, ts, 0-based position, propensity, session)
INTERACTIONS = [
    ("alice", "p1", "click", DAY1, 0, 0.8, "s1"),
    ("alice", "p3", "click", DAY1, 2, 0.2, "s1"),
    ("alice", "p1", "add_to_cart", DAY1, 0, 0.8, "s1"),
    ("carol", "p4", "dislike", DAY2, 0, 0.3, "s3"),
    ("carol", "p1", "click", DAY2, 1, 0.5, "s3"),
    ("carol", "p2", "click", DAY2, None, None, "s9"),  # another session: not a click on s3's list
]
