"""Flows about products already shown: questions, compare, add to cart (references resolve against the
last shown list; without a clear reference the assistant asks which one instead of guessing)."""

from __future__ import annotations

import re

from assistant.dialogue.answers import answer_question
from assistant.dialogue.context import FlowContext
from assistant.dialogue.outcome import FlowResult
from assistant.dialogue.references import resolve
from assistant.dialogue.state import DialogueState
from assistant.effects import RecordFeedback
from assistant.events import CartAdded, FocusSet
from assistant.records import Action, Parse
from retrieval.product import Product

_NUM_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10, "pair": 1, "couple": 2, "dozen": 12}
MAX_QUANTITY = 20


def shown_products(ctx: FlowContext, state: DialogueState) -> list[Product]:
    if not state.shown:
        return []
    by_id = {p.id: p for p in ctx.index.get(list(state.shown))}
    return [by_id[i] for i in state.shown if i in by_id]


def _which(shown: list[Product], refs: tuple[int, ...] = ()) -> str:
    picks = refs or tuple(range(min(5, len(shown))))
    names = "; ".join(f"{i + 1}. {shown[i].title}" for i in picks)
    return f"Which one do you mean? {names}"


def _nothing_shown(intent: str) -> FlowResult:
    return FlowResult(Action.CLARIFY, notes=("Which product do you mean? Tell me what you're looking for first.",),
                      intent=intent)


def question(ctx: FlowContext, state: DialogueState, parse: Parse) -> FlowResult:
    shown = shown_products(ctx, state)
    if not shown:
        return _nothing_shown("product_question")
    refs = resolve(parse.text, shown, state.focus_product)
    if len(refs) != 1:
        return FlowResult(Action.CLARIFY, notes=(_which(shown, refs),), intent="product_question")
    p = shown[refs[0]]
    asked, answer = answer_question(parse.text, p)
    note = (f"{p.title}: {asked} - {answer}." if answer else f"{p.title}: {asked} is not listed for this product.")
    return FlowResult(Action.ANSWER, notes=(note,), question=asked, answer=answer or "not listed",
                      data=(("product_id", p.id),), events=(FocusSet(product_id=p.id),), intent="product_question")


def compare_table(products: list[Product]) -> str:
    head = "| # | product | brand | price | rating | material | colors | features |"
    rows = [head, "|---|---|---|---|---|---|---|---|"]
    for i, p in enumerate(products, 1):
        rating = f"{p.rating:.1f} ({p.review_count})" if p.review_count else "-"
        rows.append(f"| {i} | {p.title} | {p.brand} | {p.price_text} | {rating} | {p.material or '-'} | "
                    f"{', '.join(p.colors[:3]) or '-'} | {', '.join(p.features[:3]) or '-'} |")
    return "\n".join(rows)


_PLURAL = re.compile(r"\b(and|both|all|these|those|them)\b", re.I)
_FIRST_N = re.compile(r"\b(?:first|top)\s+(two|three|four|2|3|4)\b", re.I)
_BARE = re.compile(r"\b(\d)\b")


def compare_refs(text: str, shown: list[Product], focus: str | None) -> tuple[int, ...]:
    m = _FIRST_N.search(text)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else _NUM_WORDS[m.group(1).lower()]
        return tuple(range(min(n, len(shown))))
    refs = resolve(text, shown, None)
    if len(refs) < 2:
        bare = tuple(dict.fromkeys(int(x) - 1 for x in _BARE.findall(text) if 0 < int(x) <= len(shown)))
        refs = bare if len(bare) >= 2 else refs
    if len(refs) < 2 and len(shown) >= 2:
        refs = tuple(range(min(3, len(shown))))  # "compare them": the top of the list
    return refs


def compare(ctx: FlowContext, state: DialogueState, parse: Parse) -> FlowResult:
    shown = shown_products(ctx, state)
    if len(shown) < 2:
        return _nothing_shown("compare") if not shown else FlowResult(
            Action.CLARIFY, notes=("I've only shown one product; what should I compare it with?",), intent="compare")
    chosen = [shown[i] for i in compare_refs(parse.text, shown, state.focus_product)]
    priced = [p for p in chosen if p.price is not None]
    best = max(chosen, key=lambda p: (p.rating, p.review_count))
    notes = [f"Comparing {', '.join(p.title for p in chosen)}."]
    if priced:  # products without a listed price are never "the cheapest"
        cheapest = min(priced, key=lambda p: p.price)
        notes.append(f"{cheapest.title} is the cheapest at {cheapest.price_text}.")
    if best.review_count:
        notes.append(f"{best.title} has the best rating ({best.rating:.1f} from {best.review_count} reviews).")
    return FlowResult(Action.COMPARE, notes=tuple(notes), data=(("table", compare_table(chosen)),), intent="compare")


def quantity_of(parse: Parse) -> int:
    for v in parse.values("QUANTITY"):
        v = v.strip().lower()
        if v.isdigit():
            return max(1, min(int(v), MAX_QUANTITY))
        if v in _NUM_WORDS:
            return _NUM_WORDS[v]
    m = re.search(r"\b(\d{1,2})\s*(?:x\b|of\b|pairs?\b|units?\b|pieces?\b)", parse.text, re.I)
    return max(1, min(int(m.group(1)), MAX_QUANTITY)) if m else 1


def add_to_cart(ctx: FlowContext, state: DialogueState, parse: Parse) -> FlowResult:
    shown = shown_products(ctx, state)
    if not shown:
        return _nothing_shown("add_to_cart")
    refs = resolve(parse.text, shown, state.focus_product)
    if not refs or (len(refs) > 1 and not _PLURAL.search(parse.text)):  # "the red one" matching two: ask
        return FlowResult(Action.CLARIFY, notes=(_which(shown, refs),), intent="add_to_cart")
    qty = quantity_of(parse)
    events, notes, feedback = [], [], []
    for i in refs:
        p = shown[i]
        if not p.in_stock:
            notes.append(f"{p.title} is out of stock, so I didn't add it.")
            continue
        if p.price is None:
            notes.append(f"{p.title} has no listed price, so I can't add it to your cart.")
            continue
        events.append(CartAdded(p.id, p.title, p.price, qty))
        notes.append(f"Added {qty} x {p.title} (${p.price:.2f} each) to your cart.")
        feedback.append(RecordFeedback(state.user_id, p.id, "add_to_cart", state.session_id))
    if events:
        events.append(FocusSet(product_id=events[-1].product_id))
    return FlowResult(Action.CART_ADD if any(isinstance(e, CartAdded) for e in events) else Action.ANSWER,
                      notes=tuple(notes), events=tuple(events), intent="add_to_cart", effects=tuple(feedback),
                      data=tuple(("cart_add", f"{e.product_id}:{e.quantity}") for e in events if isinstance(e, CartAdded)))
