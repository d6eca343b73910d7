"""Customer-service flows on the order store: status, cancel, return, refund, policies, complaints, handoff.

Authorization: the store only ever answers for the signed-in user's own orders; a made-up id and
another customer's id both get exactly :data:`NOT_FOUND` (same action, same words, no data).
Anonymous visitors are asked to sign in. Flows only read the store: a cancel, return or ticket is returned
as an effect (assistant/effects.py) and committed with the turn's events by the Assistant. A missing order id gets "which order?" with the user's
recent orders, and the intent is remembered (``PendingSet``) so the next message can be just the id.
"""

from __future__ import annotations

import re

from assistant.dialogue.context import FlowContext
from assistant.dialogue.outcome import FlowResult
from assistant.dialogue.state import DialogueState
from assistant.effects import CancelOrder, CreateTicket, Effect, StartReturn
from assistant.events import FocusSet, HandoffCreated, PendingSet
from assistant.orders.repository import OrderView, Outcome, new_reference
from assistant.orders.rules import RETURN_WINDOW_DAYS
from assistant.records import Action, Parse
from assistant.users import is_anonymous_id

NOT_FOUND = "I can't find that order on your account."
SIGN_IN = "Please sign in so I can look up your orders; I can only show orders on your own account."
ORDER_INTENTS = ("order_status", "cancel_order", "return_item", "refund_status")
POLICY_INTENTS = ("shipping_info", "payment_issue", "account_help")
ORDER_ID_RE = re.compile(r"#?\b(\d{5,8})\b")
_PRONOUN_RE = re.compile(r"\b(it|that order|this order|the order|that one|same order)\b", re.I)
_POLICY_Q_RE = re.compile(r"\b(policy|policies|how long|how many days|how do(es)? (i|you|it)|usually|typically"
                          r"|can i|what is your|what's your|window)\b", re.I)

STATUS_NOTES = {
    "placed": "Order {id} was placed on {placed} and is waiting to be processed.",
    "processing": "Order {id} is being processed and has not shipped yet.",
    "shipped": "Order {id} has shipped with {carrier} (tracking {tracking}) and should arrive by {eta}.",
    "out_for_delivery": "Order {id} is out for delivery with {carrier} (tracking {tracking}) and arrives today.",
    "delivered": "Order {id} was delivered on {delivered}.",
    "cancelled": "Order {id} was cancelled.",
    "return_requested": "A return was started for order {id}; we'll refund it once the return arrives.",
    "returned": "Order {id} was returned.",
}


def order_id_in(parse: Parse) -> str | None:
    oid = parse.first("ORDER_ID")
    if oid:
        digits = re.sub(r"\D", "", oid)
        return digits.lstrip("0") or digits or oid
    m = ORDER_ID_RE.search(parse.text)
    return m.group(1) if m else None


def status_note(o: OrderView) -> str:
    return STATUS_NOTES.get(o.status, "Order {id} is {status}.").format(
        id=o.order_id, placed=o.placed_at[:10], carrier=o.carrier or "the carrier", tracking=o.tracking or "-",
        eta=(o.eta or "")[:10] or "soon", delivered=(o.delivered_at or "")[:10], status=o.status.replace("_", " "))


def _which_order(ctx: FlowContext, state: DialogueState, intent: str) -> FlowResult:
    recent = ctx.orders.recent_orders(state.user_id)
    if not recent:
        return FlowResult(Action.CLARIFY, notes=("Which order do you mean? I don't see any orders on your account.",),
                          intent=intent)
    listing = ", ".join(f"{o.order_id} ({o.status.replace('_', ' ')})" for o in recent)
    return FlowResult(Action.CLARIFY, notes=(f"Which order do you mean? Your recent orders: {listing}.",),
                      orders=tuple(o.fact() for o in recent), events=(PendingSet(intent),), intent=intent)


def _not_found(intent: str) -> FlowResult:
    return FlowResult(Action.REFUSE, notes=(NOT_FOUND,), events=(PendingSet(""),), intent=intent)


def order_flow(ctx: FlowContext, state: DialogueState, parse: Parse, intent: str) -> FlowResult:
    """order_status / cancel_order / return_item / refund_status for the signed-in user."""
    if is_anonymous_id(state.user_id):
        return FlowResult(Action.REFUSE, notes=(SIGN_IN,), intent=intent)
    oid = order_id_in(parse)
    if oid is None and state.focus_order and _PRONOUN_RE.search(parse.text):
        oid = state.focus_order
    if oid is None:
        return _which_order(ctx, state, intent)
    handler = {"order_status": _status, "cancel_order": _cancel, "return_item": _return, "refund_status": _refund}[intent]
    return handler(ctx, state, oid)


def _done(action: Action, notes: list[str], order: OrderView | None, data: list[tuple[str, str]], intent: str,
          effects: tuple[Effect, ...] = ()) -> FlowResult:
    events = (PendingSet(""), FocusSet(order_id=order.order_id)) if order else (PendingSet(""),)
    return FlowResult(action, notes=tuple(notes), orders=(order.fact(),) if order else (), data=tuple(data),
                      events=events, intent=intent, effects=effects)


def _status(ctx: FlowContext, state: DialogueState, oid: str) -> FlowResult:
    o = ctx.orders.get_order(state.user_id, oid)
    if o is None:
        return _not_found("order_status")
    return _done(Action.ORDER_LOOKUP, [status_note(o)], o, [("order_id", o.order_id), ("status", o.status)], "order_status")


def _cancel(ctx: FlowContext, state: DialogueState, oid: str) -> FlowResult:
    r = ctx.orders.plan_cancel(state.user_id, oid)
    if r.outcome is Outcome.NOT_FOUND:
        return _not_found("cancel_order")
    if r.outcome is Outcome.NOT_ALLOWED:
        extra = " You can return it after delivery instead." if r.order and r.order.status in ("shipped", "out_for_delivery") else ""
        return _done(Action.REFUSE, [f"I can't cancel order {oid} because {r.reason}.{extra}"], r.order,
                     [("order_id", oid), ("status", r.order.status if r.order else "")], "cancel_order")
    notes = [f"Order {oid} is cancelled.",
             f"A refund of ${r.order.total:.2f} ({r.reference}) will go back to your original payment method."]
    return _done(Action.CANCEL, notes, r.order, [("order_id", oid), ("status", "cancelled"), ("refund_id", r.reference or "")],
                 "cancel_order", (CancelOrder(state.user_id, oid, r.reference or ""),))


def _return(ctx: FlowContext, state: DialogueState, oid: str) -> FlowResult:
    r = ctx.orders.plan_return(state.user_id, oid)
    if r.outcome is Outcome.NOT_FOUND:
        return _not_found("return_item")
    if r.outcome is Outcome.NOT_ALLOWED:
        return _done(Action.REFUSE, [f"I can't start a return for order {oid} because {r.reason}."], r.order,
                     [("order_id", oid), ("status", r.order.status if r.order else "")], "return_item")
    notes = [f"Return {r.reference} was started for order {oid}.",
             "You'll get a prepaid UPS label by e-mail; the refund is issued within 5 business days after the parcel arrives."]
    return _done(Action.RETURN_STARTED, notes, r.order, [("order_id", oid), ("return_id", r.reference or "")], "return_item",
                 (StartReturn(state.user_id, oid, r.reference or ""),))


def _refund(ctx: FlowContext, state: DialogueState, oid: str) -> FlowResult:
    refunds = ctx.orders.refunds(state.user_id, oid)
    if refunds is None:
        return _not_found("refund_status")
    o = ctx.orders.get_order(state.user_id, oid)
    if not refunds:
        notes = [f"There is no refund on order {oid}; it is {o.status.replace('_', ' ')}." if o else NOT_FOUND]
        return _done(Action.REFUND_LOOKUP, notes, o, [("order_id", oid)], "refund_status")
    notes = []
    for f in refunds:
        if f.status == "issued":
            notes.append(f"The refund of ${f.amount:.2f} for order {oid} was issued on {(f.issued_at or '')[:10]}.")
        else:
            notes.append(f"The refund of ${f.amount:.2f} for order {oid} is pending; it is usually issued within 5 business days.")
    return _done(Action.REFUND_LOOKUP, notes, o, [("order_id", oid), ("refund_status", refunds[-1].status)], "refund_status")


def is_policy_question(parse: Parse) -> bool:
    return order_id_in(parse) is None and bool(_POLICY_Q_RE.search(parse.text))


def policy_answer(ctx: FlowContext, parse: Parse, intent: str, redacted: tuple[str, ...] = ()) -> FlowResult:
    passages = ctx.policies.search(parse.text, k=2, intent=intent)
    notes = []
    if redacted:
        notes.append("For your safety I removed the personal details you typed; please don't share them in chat.")
    if not passages:
        notes.append(f"I don't have a policy on that; returns are accepted within {RETURN_WINDOW_DAYS} days of delivery.")
    return FlowResult(Action.POLICY_ANSWER, notes=tuple(notes), policies=tuple(p.text for p in passages),
                      data=tuple(("policy", p.id) for p in passages), intent=intent)


def complaint(parse: Parse) -> FlowResult:
    notes = ("I'm really sorry about this experience, and I understand how frustrating it is.",
             "Would you like me to connect you with a human agent who can sort it out?")
    return FlowResult(Action.ANSWER, notes=notes, events=(PendingSet("offer_handoff"),), intent="complaint")


def handoff(ctx: FlowContext, state: DialogueState, transcript: str, reason: str) -> FlowResult:
    ticket = new_reference("T")
    notes = (f"I've created ticket {ticket} and passed our conversation to a human agent; they'll get back to you shortly.",)
    return FlowResult(Action.HANDOFF, notes=notes, data=(("ticket_id", ticket),),
                      events=(HandoffCreated(ticket), PendingSet("")), intent="human_agent",
                      effects=(CreateTicket(state.user_id, state.session_id, ticket, reason, transcript),))
