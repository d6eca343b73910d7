"""The append-only event log: sessions are rebuilt by replaying events."""

from __future__ import annotations

from assistant.db import make_engine
from assistant.dialogue.state import Slots, rebuild
from assistant.events import (BotUttered, CartAdded, EventLog, FocusSet, PendingSet, ProductsShown, SessionStarted,
                              SlotsSet, UserUttered)


def test_append_replay_and_forget(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    log = EventLog(engine)
    slots = Slots(product_type="running shoes", colors=("black",), max_price=120.0)
    log.append("s1", "alice", SessionStarted(), UserUttered("running shoes under 120", "search_products", 0.9),
               SlotsSet(slots.to_json()), ProductsShown(("p1", "p2", "p3")), BotUttered("Here are 3", "search"))
    log.append("s1", "alice", UserUttered("show more"), ProductsShown(("p4",), new_query=False),
               CartAdded("p2", "Shoe", 80.0, 2), CartAdded("p2", "Shoe", 80.0, 1), FocusSet(product_id="p2"),
               PendingSet("cancel_order"))
    log.append("s2", "bob", SessionStarted(), UserUttered("hi"))

    # a new log object on the same database (a restart) rebuilds the same state
    events = [e.event for e in EventLog(engine).events("s1")]
    assert isinstance(events[0], SessionStarted) and events[3] == ProductsShown(("p1", "p2", "p3"))
    state = rebuild("s1", "alice", events)
    assert state.slots == slots and state.shown == ("p4",) and state.shown_all == ("p1", "p2", "p3", "p4")
    assert [(c.product_id, c.quantity) for c in state.cart] == [("p2", 3)]
    assert state.focus_product == "p2" and state.pending == "cancel_order" and state.turns == 2
    assert log.transcript("s1").splitlines()[0] == "user: running shoes under 120"
    assert log.session_owner("s1") == "alice" and log.sessions("bob") == ["s2"]

    assert log.forget("alice") == 11
    assert log.events("s1") == [] and log.count("bob") == 2


def test_append_inside_a_caller_transaction_rolls_back_with_it(tmp_path):
    """A turn's events are written in the same transaction as its effects (assistant/turn_commit.py)."""
    import pytest

    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    log = EventLog(engine)
    with pytest.raises(RuntimeError):
        with engine.begin() as conn:
            log.append("s1", "alice", SessionStarted(), UserUttered("cancel 10003"), conn=conn)
            raise RuntimeError("the order update failed")
    assert log.events("s1") == []
    with engine.begin() as conn:
        log.append("s1", "alice", SessionStarted(), conn=conn)
    assert len(log.events("s1")) == 1 and log.session_owner("s1") == "alice"
    log.append("s2", "", SessionStarted())
    assert log.session_owner("s2") == "anonymous"
