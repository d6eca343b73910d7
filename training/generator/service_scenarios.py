"""Seeded customer-service fact sets: orders, cancels, returns, refunds, policies, complaints, handoffs,
small talk and refusals (shapes copied from assistant/dialogue/service.py and router.py)."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from functools import lru_cache

from assistant.dialogue.service import STATUS_NOTES  # the same sentences the assistant says
from assistant.records import Action, ReplyFacts
from retrieval.product import Product
from training.generator.scenarios import (INJECTIONS, NOT_FOUND, OUT_OF_SCOPE, POLICY_DIR, SIGN_IN, SMALLTALK,
                                          _date, _order, _ref)

POLICY_ASKS = {"shipping": ("how long does shipping take?", "do you ship abroad?", "is shipping free?"),
               "returns": ("what is your return policy?", "how many days do i have to return?", "can i return opened items?"),
               "refunds": ("how long do refunds take?", "when do i get my money back?"),
               "payment": ("which payment methods do you take?", "my card was declined", "can i pay with paypal?"),
               "account": ("how do i reset my password?", "how do i change my email address?", "delete my account"),
               "privacy": ("what do you do with my data?", "do you sell my data?"),
               "orders": ("can i change my order?", "how do i track my order?")}


@lru_cache(maxsize=1)
def policy_passages() -> tuple[tuple[str, str], ...]:
    """(document, passage) pairs from the shipped policy markdown, split at ``##`` headings."""
    out = []
    for path in sorted(POLICY_DIR.glob("*.md")):
        for chunk in re.split(r"^## ", path.read_text(encoding="utf-8"), flags=re.M)[1:]:
            heading, _, body = chunk.partition("\n")
            out.append((path.stem, f"{heading.strip()}: {' '.join(body.split())}"))
    return tuple(out) or (("shipping", "Shipping options: Standard shipping takes 3 to 5 business days."),)


def _status_note(o) -> str:
    return STATUS_NOTES[o.status].format(id=o.order_id, placed=o.placed_at, carrier=o.carrier or "the carrier",
                                         tracking=o.tracking or "-", eta=o.eta or "soon", delivered=_date(random.Random(o.order_id)))


def order_status(rng: random.Random, products: list[Product]) -> ReplyFacts:
    o = _order(rng, rng.choice(sorted(STATUS_NOTES)), products)
    user = rng.choice((f"where is my order {o.order_id}?", f"status of order #{o.order_id}", "where's my package?",
                       f"has {o.order_id} shipped yet"))
    notes = (_status_note(o),) if rng.random() < 0.9 else ()
    return ReplyFacts("order_status", Action.ORDER_LOOKUP, user, orders=(o,), notes=notes)


def cancel(rng: random.Random, products: list[Product]) -> ReplyFacts:
    status = rng.choice(("placed", "processing", "shipped", "out_for_delivery", "delivered", "cancelled"))
    o = _order(rng, status, products)
    user = rng.choice((f"cancel order {o.order_id}", f"please cancel #{o.order_id}", "i want to cancel my order"))
    if status in ("placed", "processing"):
        o = replace(o, status="cancelled")
        notes = (f"Order {o.order_id} is cancelled.",
                 f"A refund of ${o.total:.2f} ({_ref(rng, 'F')}) will go back to your original payment method.")
        return ReplyFacts("cancel_order", Action.CANCEL, user, orders=(o,), notes=notes)
    reason = ("it is already cancelled" if status == "cancelled" else
              f"it has already shipped (it is {status.replace('_', ' ')})" if status in ("shipped", "out_for_delivery")
              else f"it is already {status}")
    extra = " You can return it after delivery instead." if status in ("shipped", "out_for_delivery") else ""
    return ReplyFacts("cancel_order", Action.REFUSE, user, orders=(o,),
                      notes=(f"I can't cancel order {o.order_id} because {reason}.{extra}",))


def return_item(rng: random.Random, products: list[Product]) -> ReplyFacts:
    status = rng.choice(("delivered", "delivered", "shipped", "processing", "returned", "return_requested"))
    o = _order(rng, status, products)
    user = rng.choice((f"i want to return order {o.order_id}", f"return #{o.order_id} please", "how do i send this back?"))
    if status == "delivered" and rng.random() < 0.7:
        rid = _ref(rng, "R")
        notes = (f"Return {rid} was started for order {o.order_id}.",
                 "You'll get a prepaid UPS label by e-mail; the refund is issued within 5 business days after the parcel arrives.")
        return ReplyFacts("return_item", Action.RETURN_STARTED, user, orders=(o,), notes=notes)
    reason = {"delivered": f"it was delivered on {_date(rng, 9)}, more than 30 days ago, so it is outside the return window",
              "returned": "it has already been returned", "return_requested": "a return was already started for it"}.get(
        status, f"it has not been delivered yet (it is {status.replace('_', ' ')})")
    return ReplyFacts("return_item", Action.REFUSE, user, orders=(o,),
                      notes=(f"I can't start a return for order {o.order_id} because {reason}.",))


def refund(rng: random.Random, products: list[Product]) -> ReplyFacts:
    o = _order(rng, rng.choice(("cancelled", "returned", "delivered", "shipped")), products)
    user = rng.choice((f"where is my refund for {o.order_id}?", f"refund status order {o.order_id}", "did you refund me?"))
    r = rng.random()
    if o.status in ("delivered", "shipped") or r < 0.15:
        note = f"There is no refund on order {o.order_id}; it is {o.status.replace('_', ' ')}."
    elif r < 0.6:
        note = f"The refund of ${o.total:.2f} for order {o.order_id} was issued on {_date(rng)}."
    else:
        note = f"The refund of ${o.total:.2f} for order {o.order_id} is pending; it is usually issued within 5 business days."
    return ReplyFacts("refund_status", Action.REFUND_LOOKUP, user, orders=(o,), notes=(note,))


def order_refused(rng: random.Random, products: list[Product]) -> ReplyFacts:
    intent = rng.choice(("order_status", "cancel_order", "return_item", "refund_status"))
    note = SIGN_IN if rng.random() < 0.4 else NOT_FOUND
    return ReplyFacts(intent, Action.REFUSE, rng.choice(("where is order 55512?", "cancel 90210", "my refund for 12345")),
                      notes=(note,))


def policy(rng: random.Random, products: list[Product]) -> ReplyFacts:
    doc, passage = rng.choice(policy_passages())
    asks = POLICY_ASKS.get(doc, ("what is your policy?",))
    intent = {"shipping": "shipping_info", "payment": "payment_issue", "account": "account_help"}.get(doc, "shipping_info")
    notes = ()
    if rng.random() < 0.08:
        notes = ("For your safety I removed the personal details you typed; please don't share them in chat.",)
    return ReplyFacts(intent, Action.POLICY_ANSWER, rng.choice(asks), policies=(passage,), notes=notes)


def complaint(rng: random.Random, products: list[Product]) -> ReplyFacts:
    notes = ("I'm really sorry about this experience, and I understand how frustrating it is.",
             "Would you like me to connect you with a human agent who can sort it out?")
    user = rng.choice(("this is the worst service ever", "my item arrived broken!!", "i'm very unhappy with my order",
                       "the package was damaged and nobody helps"))
    return ReplyFacts("complaint", Action.ANSWER, user, notes=notes)


def handoff(rng: random.Random, products: list[Product]) -> ReplyFacts:
    ticket = _ref(rng, "T")
    note = f"I've created ticket {ticket} and passed our conversation to a human agent; they'll get back to you shortly."
    return ReplyFacts("human_agent", Action.HANDOFF, rng.choice(("i want to talk to a human", "yes please", "agent!")),
                      notes=(note,))


def smalltalk(rng: random.Random, products: list[Product]) -> ReplyFacts:
    intent = rng.choice(sorted(SMALLTALK))
    note, asks = SMALLTALK[intent]
    return ReplyFacts(intent, Action.SMALLTALK, rng.choice(asks), notes=(note,))


def refuse(rng: random.Random, products: list[Product]) -> ReplyFacts:
    return ReplyFacts("out_of_scope", Action.REFUSE, rng.choice(INJECTIONS), notes=(OUT_OF_SCOPE,))
