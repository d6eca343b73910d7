"""Order store queries with authorization built in: every method takes the signed-in ``user_id``.

An order that does not exist and an order of another customer are indistinguishable to callers: both
come back as ``None`` / ``Outcome.NOT_FOUND``. Writes are split in a read-only ``plan_*`` (the decision, with
the new reference id) and an ``apply_*`` run inside the caller's transaction (assistant/turn_commit.py), so an
order change commits together with the turn that made it; ``cancel``/``start_return``/``create_ticket`` do both.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from enum import Enum

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Engine

import assistant.orders.schema as t
from assistant.db import create_tables
from assistant.effects import EffectConflict
from assistant.orders.rules import CANCELLABLE, RETURN_WINDOW_DAYS
from assistant.records import OrderFact
from assistant.users import ANONYMOUS, is_anonymous_id


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


class Outcome(str, Enum):
    DONE = "done"
    NOT_FOUND = "not_found"  # no such order on this account (also: another customer's order)
    NOT_ALLOWED = "not_allowed"  # the order's state does not allow it (shipped, outside window, ...)


@dataclass(frozen=True)
class Customer:
    user_id: str
    name: str
    description: str


@dataclass(frozen=True)
class OrderView:
    order_id: str
    status: str
    placed_at: str
    delivered_at: str | None
    total: float
    currency: str
    items: tuple[str, ...]
    carrier: str | None = None
    tracking: str | None = None
    eta: str | None = None

    def fact(self) -> OrderFact:
        return OrderFact(order_id=self.order_id, status=self.status, placed_at=self.placed_at[:10],
                         total=round(self.total, 2), currency=self.currency, items=self.items,
                         carrier=self.carrier, tracking=self.tracking, eta=(self.eta or "")[:10] or None)


@dataclass(frozen=True)
class RefundView:
    refund_id: str
    order_id: str
    amount: float
    status: str
    created_at: str
    issued_at: str | None


@dataclass(frozen=True)
class ActionResult:
    outcome: Outcome
    order: OrderView | None = None
    reference: str | None = None  # return id / refund id created
    reason: str = ""  # why NOT_ALLOWED, in plain words


def new_reference(prefix: str) -> str:
    """A new refund (F-), return (R-) or ticket (T-) id."""
    return f"{prefix}-{uuid.uuid4().hex[:6].upper()}"


class OrderRepository:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        create_tables(engine)

    # reads ---------------------------------------------------------------------------------
    def customers(self) -> list[Customer]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.customers).order_by(t.customers.c.user_id)).all()
        return [Customer(r.user_id, r.name, r.description) for r in rows]

    def has_customers(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(t.customers.c.user_id).limit(1)).first() is not None

    def get_order(self, user_id: str, order_id: str) -> OrderView | None:
        """The order if it belongs to ``user_id``; ``None`` otherwise (never says which)."""
        if is_anonymous_id(user_id) or not order_id:
            return None
        with self.engine.connect() as conn:
            return self._load(conn, user_id, order_id)

    def recent_orders(self, user_id: str, limit: int = 5) -> list[OrderView]:
        if is_anonymous_id(user_id):
            return []
        with self.engine.connect() as conn:
            ids = conn.execute(select(t.orders.c.order_id).where(t.orders.c.user_id == user_id)
                               .order_by(t.orders.c.placed_at.desc()).limit(limit)).scalars().all()
            return [o for o in (self._load(conn, user_id, i) for i in ids) if o is not None]

    def refunds(self, user_id: str, order_id: str) -> list[RefundView] | None:
        """Refunds of the user's order; ``None`` when the order is not on this account."""
        if self.get_order(user_id, order_id) is None:
            return None
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.refunds).where(and_(
                t.refunds.c.order_id == order_id, t.refunds.c.user_id == user_id))).all()
        return [RefundView(r.refund_id, r.order_id, r.amount, r.status, r.created_at, r.issued_at) for r in rows]

    def open_return(self, user_id: str, order_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(t.returns.c.return_id).where(and_(
                t.returns.c.order_id == order_id, t.returns.c.user_id == user_id))).scalar()

    def _load(self, conn, user_id: str, order_id: str) -> OrderView | None:
        o = conn.execute(select(t.orders).where(and_(
            t.orders.c.order_id == order_id, t.orders.c.user_id == user_id))).first()
        if o is None:
            return None
        items = conn.execute(select(t.order_items).where(t.order_items.c.order_id == order_id)
                             .order_by(t.order_items.c.id)).all()
        ship = conn.execute(select(t.shipments).where(t.shipments.c.order_id == order_id)).first()
        return OrderView(
            order_id=o.order_id, status=o.status, placed_at=o.placed_at, delivered_at=o.delivered_at,
            total=o.total, currency=o.currency, items=tuple(f"{i.quantity} x {i.title}" for i in items),
            carrier=ship.carrier if ship else None, tracking=ship.tracking if ship else None,
            eta=ship.eta if ship and o.status in ("shipped", "out_for_delivery") else None)

    # writes: plan (read-only decision) + apply (inside the caller's transaction) -------------------------
    def plan_cancel(self, user_id: str, order_id: str) -> ActionResult:
        """Whether the order can be cancelled; DONE carries the order as it will be and the new refund id."""
        order = self.get_order(user_id, order_id)
        if order is None:
            return ActionResult(Outcome.NOT_FOUND)
        if order.status not in CANCELLABLE:
            return ActionResult(Outcome.NOT_ALLOWED, order, reason=_cancel_refusal(order.status))
        return ActionResult(Outcome.DONE, replace(order, status="cancelled", eta=None), reference=new_reference("F"))

    def apply_cancel(self, conn, user_id: str, order_id: str, refund_id: str) -> None:
        """Cancel and create the pending refund on ``conn``; ``EffectConflict`` when it is no longer cancellable."""
        order = self._load(conn, user_id, order_id)
        changed = conn.execute(update(t.orders).where(and_(
            t.orders.c.order_id == order_id, t.orders.c.user_id == user_id,
            t.orders.c.status.in_(CANCELLABLE))).values(status="cancelled")).rowcount
        if order is None or changed != 1:  # raced with a state change: the whole turn rolls back
            raise EffectConflict(f"order {order_id} is no longer cancellable")
        conn.execute(insert(t.refunds).values(refund_id=refund_id, order_id=order_id, user_id=user_id,
                                              amount=order.total, status="pending", created_at=iso(self.clock())))

    def plan_return(self, user_id: str, order_id: str) -> ActionResult:
        order = self.get_order(user_id, order_id)
        if order is None:
            return ActionResult(Outcome.NOT_FOUND)
        refusal = self._return_refusal(order)
        if refusal:
            return ActionResult(Outcome.NOT_ALLOWED, order, reason=refusal)
        return ActionResult(Outcome.DONE, replace(order, status="return_requested"), reference=new_reference("R"))

    def apply_return(self, conn, user_id: str, order_id: str, return_id: str, reason: str = "") -> None:
        order = self._load(conn, user_id, order_id)
        if order is None or self._return_refusal(order):
            raise EffectConflict(f"a return can no longer be started for order {order_id}")
        conn.execute(insert(t.returns).values(return_id=return_id, order_id=order_id, user_id=user_id,
                                              status="requested", created_at=iso(self.clock()), reason=reason))
        conn.execute(update(t.orders).where(and_(t.orders.c.order_id == order_id, t.orders.c.user_id == user_id))
                     .values(status="return_requested"))

    def apply_ticket(self, conn, user_id: str, session_id: str, ticket_id: str, reason: str, transcript: str) -> None:
        conn.execute(insert(t.handoff_tickets).values(
            ticket_id=ticket_id, user_id=user_id or ANONYMOUS, session_id=session_id,
            created_at=iso(self.clock()), reason=reason, transcript=transcript))

    # one-shot writes (one transaction each; the Assistant plans and applies instead) ----------------
    def cancel(self, user_id: str, order_id: str) -> ActionResult:
        plan = self.plan_cancel(user_id, order_id)
        if plan.outcome is Outcome.DONE:
            try:
                with self.engine.begin() as conn:
                    self.apply_cancel(conn, user_id, order_id, plan.reference)
            except EffectConflict:
                return ActionResult(Outcome.NOT_ALLOWED, plan.order, reason="it is no longer cancellable")
            return replace(plan, order=self.get_order(user_id, order_id))
        return plan

    def start_return(self, user_id: str, order_id: str, reason: str = "") -> ActionResult:
        plan = self.plan_return(user_id, order_id)
        if plan.outcome is Outcome.DONE:
            with self.engine.begin() as conn:
                self.apply_return(conn, user_id, order_id, plan.reference, reason)
            return replace(plan, order=self.get_order(user_id, order_id))
        return plan

    def _return_refusal(self, order: OrderView) -> str:
        if order.status == "return_requested":
            return "a return was already started for it"
        if order.status == "returned":
            return "it has already been returned"
        if order.status != "delivered" or not order.delivered_at:
            return f"it has not been delivered yet (it is {order.status.replace('_', ' ')})"
        deadline = parse_iso(order.delivered_at) + timedelta(days=RETURN_WINDOW_DAYS)
        if self.clock() > deadline:
            return (f"it was delivered on {order.delivered_at[:10]}, more than {RETURN_WINDOW_DAYS} days ago, "
                    "so it is outside the return window")
        return ""

    def create_ticket(self, user_id: str, session_id: str, reason: str, transcript: str) -> str:
        ticket_id = new_reference("T")
        with self.engine.begin() as conn:
            self.apply_ticket(conn, user_id, session_id, ticket_id, reason, transcript)
        return ticket_id

    def tickets(self, user_id: str) -> list[tuple[str, str]]:
        """(ticket_id, transcript) of the user's handoff tickets."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.handoff_tickets).where(t.handoff_tickets.c.user_id == user_id)).all()
        return [(r.ticket_id, r.transcript) for r in rows]

    def forget_transcripts(self, user_id: str) -> int:
        """Delete the user's handoff tickets (they hold transcripts). Orders stay (they are business records)."""
        with self.engine.begin() as conn:
            return conn.execute(delete(t.handoff_tickets).where(t.handoff_tickets.c.user_id == user_id)).rowcount


def _cancel_refusal(status: str) -> str:
    if status == "cancelled":
        return "it is already cancelled"
    if status in ("shipped", "out_for_delivery"):
        return f"it has already shipped (it is {status.replace('_', ' ')})"
    return f"it is already {status.replace('_', ' ')}"
