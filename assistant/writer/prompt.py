"""ReplyFacts -> chat messages for the reply writer (the embedded SmolLM2 and any LangChain chat model).

The prompt is deliberately compact (a one-line system message and a short facts block) so that the
fine-tuned 135M model sees short sequences at training and run time. Prices are always written one way,
``$79.99`` (see ``format_price``), and the guard accepts exactly the prices that appear in the facts.
"""

from __future__ import annotations

from assistant.grammar import agree_counts
from assistant.records import OrderFact, ReplyFacts
from retrieval.product import Product

SYSTEM_PROMPT = ("You are ShopBot, a friendly shop assistant. Reply in one to three short sentences, "
                 "using only the facts below.")
MAX_PRODUCTS = 3  # products written into the prompt (the UI shows every card; the reply names the top ones)
MAX_POLICY_CHARS = 360
MAX_USER_CHARS = 200
MAX_NOTE_CHARS = 300
MAX_FEATURE_CHARS = 40  # real catalogs' bullet points run to hundreds of characters; only short ones go in


def format_price(amount: float | None, currency: str = "USD") -> str:
    """The one price format used in prompts, templates and training replies: ``$79.99`` ("price not listed": None)."""
    if amount is None:
        return "price not listed"
    if currency in ("USD", "", None):
        return f"${amount:.2f}"
    return f"{amount:.2f} {currency}"


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def product_line(i: int, p: Product) -> str:
    """"1. <display name> | $79.99 | waterproof, breathable mesh": the short name replies must use, the
    price, and at most two short features."""
    parts = [f"{i}. {p.name}", format_price(p.price, p.currency)]
    short = [f for f in p.features if len(f) <= MAX_FEATURE_CHARS][:2]
    if short:
        parts.append(", ".join(short))
    if not p.in_stock:
        parts.append("out of stock")
    return " | ".join(parts)


def order_line(o: OrderFact) -> str:
    parts = [f"order {o.order_id}", o.status.replace("_", " ")]
    if o.carrier:
        parts.append(o.carrier)
    if o.eta:
        parts.append(f"eta {o.eta[:10]}")
    parts.append(f"total {format_price(o.total, o.currency)}")
    return " | ".join(parts)


def facts_block(facts: ReplyFacts) -> str:
    """The compact, line-oriented facts block (the user message of the chat)."""
    lines = [f"Customer: {_clip(facts.user_text, MAX_USER_CHARS)}",
             f"Intent: {facts.intent} | Action: {facts.action.value}"]
    if facts.notes:
        lines.append("Done: " + _clip(" ".join(agree_counts(n) for n in facts.notes), MAX_NOTE_CHARS))
    if facts.question:
        lines.append(f"Asked: {facts.question} -> {facts.answer or 'not listed'}")
    if facts.products:
        lines.append("Products:")
        lines.extend(product_line(i, p) for i, p in enumerate(facts.products[:MAX_PRODUCTS], 1))
    if facts.orders:
        lines.append("Orders:")
        lines.extend(order_line(o) for o in facts.orders[:3])
    if facts.policies:
        lines.append("Policy: " + _clip(facts.policies[0], MAX_POLICY_CHARS))
    return "\n".join(lines)


def build_messages(facts: ReplyFacts) -> list[dict[str, str]]:
    """Chat messages in the OpenAI/transformers role format."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": facts_block(facts)}]
