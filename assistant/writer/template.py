"""Deterministic template replies built only from ReplyFacts.

``template_reply(facts)`` is what ``--no-generate`` shows and what the writer falls back to when a
generated reply fails the guard twice. ``template_reply(facts, variant=k)`` picks other phrasings; the
training data generator uses the variants as target replies, so the fine-tuned model learns the same
grounded style (notes restated, products named exactly by title with the price as ``$79.99``).
"""

from __future__ import annotations

from assistant.grammar import agree_counts
from assistant.records import Action, OrderFact, ReplyFacts
from assistant.writer.prompt import MAX_PRODUCTS, format_price
from retrieval.product import Product

_PRODUCT_LEADS = ("{list}.", "My top picks: {list}.", "You might like {list}.", "Have a look at {list}.")
_ONE_PRODUCT_LEADS = ("{list}.", "My top pick: {list}.", "You might like {list}.", "Have a look at {list}.")
_ANSWER_YES = ("Yes, the {title} is {q}.", "Good news: the {title} is {q}.", "Yes! The {title} is {q}.")
_ANSWER_UNKNOWN = ("The listing for the {title} doesn't say anything about {q}, so I can't confirm it.",
                   "I'm not sure: the {title} listing doesn't mention {q}.",
                   "Sorry, the {title} listing doesn't say anything about {q}.")
_POLICY_LEADS = ("", "Here's our policy: ", "Good question! ", "")
_EMPATHY = ("", "", "Thanks for your patience. ", "")
_NOTHING = ("Sorry, I couldn't find anything matching that. Try removing a filter, for example the price limit or colour.",
            "I couldn't find a match for that. Loosening a filter, such as the price limit, may help.")
_STATUS = {"shipped": "has shipped", "out_for_delivery": "is out for delivery", "delivered": "was delivered",
           "processing": "is being processed", "placed": "was placed and is waiting to be processed",
           "cancelled": "was cancelled", "returned": "was returned", "return_requested": "has a return in progress"}
_ASPECT_PHRASES = {"price": "The {title} costs {a}.", "rating": "The {title} is rated {a}.",
                   "stock": "The {title} is {a}.", "colors": "The {title} comes in {a}.",
                   "sizes": "The {title} comes in sizes {a}.", "material": "The {title} is made of {a}.",
                   "brand": "The {title} is made by {a}.", "audience": "The {title} is for {a}."}
_FALLBACK = "How can I help you today? I can find products, check your orders and answer store policy questions."


def _pick(options: tuple[str, ...], variant: int) -> str:
    return options[variant % len(options)]


def _named(p: Product) -> str:
    """"the UGG Scuffette II slipper ($89.95)" (display name; "price not listed" when there is none); a name
    that starts with "The" ("The Boy from the Woods") gets no second article."""
    article = "" if p.name.lower().startswith("the ") else "the "
    return f"{article}{p.name} ({format_price(p.price, p.currency)})"


def product_list(products: tuple[Product, ...], variant: int = 0) -> str:
    shown = [_named(p) for p in products[:MAX_PRODUCTS]]
    joined = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    text = _pick(_ONE_PRODUCT_LEADS if len(shown) == 1 else _PRODUCT_LEADS, variant).format(list=joined)
    return text[0].upper() + text[1:]


def order_sentence(o: OrderFact) -> str:
    what = _STATUS.get(o.status, f"is {o.status.replace('_', ' ')}")
    text = f"Order {o.order_id} {what}"
    if o.carrier and o.status in ("shipped", "out_for_delivery"):
        text += f" with {o.carrier}"
    if o.eta and o.status == "shipped":
        text += f" and should arrive by {o.eta[:10]}"
    return text + "."


def first_sentences(text: str, n: int = 2) -> str:
    out, rest = [], " ".join(text.replace("#", " ").split())
    while rest and len(out) < n:
        cut = min((i for i in (rest.find(". "), rest.find("! "), rest.find("? ")) if i >= 0), default=-1)
        sentence, rest = (rest, "") if cut < 0 else (rest[: cut + 1], rest[cut + 2:])
        out.append(sentence.strip())
    return " ".join(out)


def _answer(facts: ReplyFacts, variant: int) -> str | None:
    if facts.question is None or not facts.notes or ":" not in facts.notes[0]:
        return None
    title = facts.notes[0].split(":", 1)[0].strip()
    q, a = facts.question, (facts.answer or "not listed")
    if a == "not listed":
        return _pick(_ANSWER_UNKNOWN, variant).format(title=title, q=q)
    if a.startswith("yes") and q not in ("details",):
        return _pick(_ANSWER_YES, variant).format(title=title, q=q)
    if a.startswith("the description says: "):
        return f"The {title} listing says: {a.removeprefix('the description says: ')}"
    if q in _ASPECT_PHRASES:
        return _ASPECT_PHRASES[q].format(title=title, a=a)
    return None  # anything else: the note already states it


def _body(facts: ReplyFacts, variant: int) -> list[str]:
    parts: list[str] = []
    answer = _answer(facts, variant) if facts.action is Action.ANSWER else None
    if answer:
        parts.append(answer)
    else:
        parts.extend(agree_counts(n.strip()) for n in facts.notes if n.strip())
    if facts.products and facts.action in (Action.SEARCH, Action.RECOMMEND):
        parts.append(product_list(facts.products, variant))
    elif facts.action is Action.SEARCH and not facts.notes:
        parts.append(_pick(_NOTHING, variant))
    if facts.orders and not facts.notes and facts.action in (Action.ORDER_LOOKUP, Action.REFUND_LOOKUP):
        parts.append(order_sentence(facts.orders[0]))
    if facts.policies and facts.action is Action.POLICY_ANSWER:
        parts.append(_pick(_POLICY_LEADS, variant) + first_sentences(facts.policies[0]))
    return parts


def template_reply(facts: ReplyFacts, variant: int = 0) -> str:
    """A short, correct reply from the facts alone (variant 0 is the canonical one)."""
    parts = _body(facts, variant)
    if not parts:
        return _FALLBACK
    text = " ".join(parts)
    if facts.action in (Action.ORDER_LOOKUP, Action.REFUND_LOOKUP, Action.CANCEL, Action.RETURN_STARTED):
        text = _pick(_EMPATHY, variant) + text
    return text
