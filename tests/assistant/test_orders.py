"""The order store: seeding covers every state, authorization, cancel/return rules, one-transaction writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assistant.db import make_engine
from assistant.orders import schema as t
from assistant.orders.repository import OrderRepository, Outcome, utcnow
from assistant.orders.rules import ORDER_STATES, RETURN_WINDOW_DAYS
from assistant.orders.seed import DEMO_ORDERS, seed_demo_store


@pytest.fixture
def repo(tmp_path):
    r = OrderRepository(make_engine(f"sqlite:///{tmp_path / 'shop.db'}"))
    assert seed_demo_store(r)
    return r


def test_seed_is_idempotent_and_covers_every_state(repo):
    assert not seed_demo_store(repo)
    states = {o.status for o in DEMO_ORDERS}
    assert states >= set(ORDER_STATES) - {"return_requested"}
    assert {c.user_id for c in repo.customers()} == {"alice", "bob", "carol", "dave"}
    with repo.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.orders)).scalar() == len(DEMO_ORDERS)


def test_user_sees_only_own_orders(repo):
    assert repo.get_order("alice", "10001").status == "delivered"
    assert repo.get_order("bob", "10001") is None  # alice's order
    assert repo.get_order("bob", "99999") is None  # made up
    assert repo.get_order("", "10001") is None and repo.get_order("anonymous", "10001") is None
    assert repo.get_order("anonymous:w1x2", "10001") is None  # front ends name visitors anonymous:<id>
    assert {o.order_id for o in repo.recent_orders("alice")} == {"10001", "10002", "10003"}
    assert repo.recent_orders("dave") == [] and repo.recent_orders("anonymous") == []
    assert repo.refunds("alice", "10014") is None  # bob's refund is invisible


def test_cancel_only_before_shipping(repo):
    for oid in ("10011",):  # processing
        r = repo.cancel("bob", oid)
        assert r.outcome is Outcome.DONE and r.order.status == "cancelled" and r.reference
        assert repo.refunds("bob", oid)[0].status == "pending"
    for oid in ("10012", "10013", "10014"):  # out for delivery, delivered, already cancelled
        r = repo.cancel("bob", oid)
        assert r.outcome is Outcome.NOT_ALLOWED and repo.get_order("bob", oid).status == r.order.status
    assert repo.cancel("alice", "10011").outcome is Outcome.NOT_FOUND
    assert repo.cancel("alice", "10002").outcome is Outcome.NOT_ALLOWED  # shipped
    assert repo.cancel("alice", "10003").outcome is Outcome.DONE  # placed


def test_return_window_enforced(repo):
    inside = repo.start_return("alice", "10001")
    assert inside.outcome is Outcome.DONE and inside.reference.startswith("R-")
    assert repo.get_order("alice", "10001").status == "return_requested"
    assert repo.start_return("alice", "10001").outcome is Outcome.NOT_ALLOWED  # already started
    outside = repo.start_return("bob", "10013")
    assert outside.outcome is Outcome.NOT_ALLOWED and "return window" in outside.reason
    assert repo.start_return("alice", "10002").outcome is Outcome.NOT_ALLOWED  # not delivered yet
    assert repo.start_return("bob", "10023").outcome is Outcome.NOT_FOUND  # carol's


def test_window_edge_uses_the_clock(repo):
    delivered = repo.get_order("carol", "10023").delivered_at
    from assistant.orders.repository import parse_iso

    late = OrderRepository(repo.engine, clock=lambda: parse_iso(delivered) + timedelta(days=RETURN_WINDOW_DAYS, minutes=1))
    assert late.start_return("carol", "10023").outcome is Outcome.NOT_ALLOWED
    ok = OrderRepository(repo.engine, clock=lambda: parse_iso(delivered) + timedelta(days=RETURN_WINDOW_DAYS - 1))
    assert ok.start_return("carol", "10023").outcome is Outcome.DONE
    assert utcnow().tzinfo is not None


def test_failed_write_leaves_nothing(repo, monkeypatch):
    """The cancel is one transaction: if the refund insert fails the status change is rolled back."""
    import assistant.orders.repository as mod

    monkeypatch.setattr(mod, "new_reference", lambda prefix: "F-10014")  # collides with bob's seeded refund id
    with pytest.raises(Exception):
        repo.cancel("alice", "10003")
    assert repo.get_order("alice", "10003").status == "placed"


def test_tickets_and_forget(repo):
    tid = repo.create_ticket("alice", "s1", "complaint", "user: hi")
    repo.create_ticket("bob", "s2", "complaint", "user: yo")
    assert repo.tickets("alice") == [(tid, "user: hi")]
    assert repo.forget_transcripts("alice") == 1
    assert repo.tickets("alice") == [] and len(repo.tickets("bob")) == 1
    assert repo.get_order("alice", "10001") is not None  # orders are business records: kept
