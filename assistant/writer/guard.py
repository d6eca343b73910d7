"""The reply guard: a reply may state only what its ReplyFacts state.

``check_reply(text, facts, known_titles=..., known_brands=...)`` returns ``GuardResult(passed, failures)``;
each failure is ``"<kind>: <detail>"`` with kind one of FAILURE_KINDS (log the kind, not the detail).

What counts as "in the facts" (the *grounding text*): product titles/brands/prices/features, order ids,
statuses, carriers, totals and item lines, policy passages, notes, and the question/answer. The user's
own words are NOT grounding (a user cannot make the bot state a price by typing it).

Checks (documented decisions):
- ``empty`` / ``too_long`` (> MAX_CHARS characters) / ``template_marker`` (chat tokens, braces, an echoed
  facts block such as a line starting with "Products:").
- ``unknown_product``: a product the facts do not hold. Checked per **mention span** (``mentions.py``):
  every run of name-like words (capitalised words, brand words, model numbers, CamelCase names) must
  match ONE fact product's title or display name (the exact name or an unambiguous part of it, words in
  order), so the chimera "Sonique OrbitFit Camping Stove" fails although each word is in the facts; a
  lowercase type noun after a name must be that product's too; every catalog brand found (with its
  variants: "Ugg", "UGG®") must be a fact product's brand or written in the facts; and any catalog title
  or display name the writer knows (``known_titles``) must be in the facts.
- ``price``: every money amount ("$79.99", "$80", "79.99 USD") must equal (to the cent) an amount in
  the facts. Replies should use the one format of ``prompt.format_price``; the guard compares numbers.
  A bracketed price right after a fact product's name must be that product's own ("$14.25" after a
  product without a listed price is another product's price: ``prices.py``).
- ``order_id``: every 5-8 digit number and every reference id (R-/T-/F-XXXXXX) must be in the facts.
- ``status``: every order-status word (shipped, delivered, cancelled, ...) must occur in the grounding text.
- ``contact``: URLs, e-mail addresses and phone numbers must occur in the grounding text.
- ``system_prompt``: any 5-word sequence copied from the system prompt (unless the facts contain it too).
- ``repetition``: a degenerate loop (the same 4 words three or more times, e.g. "I'm sorry. I'm sorry. ...").
- ``incomplete``: the reply stops mid-sentence (no closing . ! ? ) or quote), e.g. cut at max_new_tokens.
- ``omits_fact``: the reply leaves out what it must say (``required_mentions``): the top product (by its
  display name, title or an unambiguous part of them) for search/recommend, the order id for order actions, reference ids (return/ticket/refund ids) in the
  notes, and a computed answer the notes state (the winning value of "which has the longest battery?"). A fluent reply that ignores the facts ("I can't help with orders" after a cancel) is as wrong
  as an invented one, so it is rejected too (decision beyond the issue's list).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.records import Action, ReplyFacts
from assistant.writer import prices
from assistant.writer.mentions import BrandIndex, as_written, check_mentions, type_nouns_of
from assistant.writer.near_names import near_name_fixes
from assistant.writer.prompt import SYSTEM_PROMPT, format_price
from retrieval.product import Product

MAX_CHARS = 700
FAILURE_KINDS = ("empty", "too_long", "template_marker", "unknown_product", "price", "order_id", "status", "contact",
                 "system_prompt", "omits_fact", "incomplete", "repetition")
_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)|\b(\d[\d,]*(?:\.\d{1,2})?)\s?(?:USD|dollars|bucks)\b", re.I)
_LONG_NUMBER = re.compile(r"(?<![\w.$-])(\d{5,8})(?![\w.]\d|\d)")
_REFERENCE = re.compile(r"\b[A-Z]-[0-9A-Z]{6}\b")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+|\b[\w-]+\.(?:com|net|org|io|shop|co)\b(?:/\S*)?", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_PHONE = re.compile(r"(?:\+\d{1,3}[\s.-]?)?\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b")
_MARKERS = re.compile(r"<\|[^|]*\|>|<\|?im_(?:start|end)|\{\w*\}|\[\[|\]\]|^(?:Customer|Intent|Done|Products|Orders|Policy|"
                      r"Asked|User|System|Assistant):", re.M | re.I)
STATUS_WORDS = ("shipped", "delivered", "cancelled", "canceled", "processing", "returned", "out for delivery",
                "refunded", "in transit", "placed")


@dataclass(frozen=True)
class GuardResult:
    passed: bool
    failures: tuple[str, ...] = ()

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(f.split(":", 1)[0] for f in self.failures)


def grounding_text(facts: ReplyFacts) -> str:
    """Everything the reply may repeat, as one lowercase string (the user's words excluded)."""
    parts: list[str] = [*facts.notes, *facts.policies, facts.question or "", facts.answer or ""]
    for p in facts.products:
        parts += [p.title, p.name, p.brand, p.product_type,
                  f"${p.price:.2f}" if p.price is not None else "price not listed", *p.features, *p.colors, *p.sizes,
                  p.material or "", p.audience or "", "in stock" if p.in_stock else "out of stock"]
    for o in facts.orders:
        parts += [o.order_id, o.status.replace("_", " "), o.carrier or "", o.tracking or "", o.eta or "",
                  f"${o.total:.2f}", o.placed_at, *o.items]
    return "\n".join(parts).lower()


def _amounts(text: str) -> set[float]:
    out = set()
    for m in _MONEY.finditer(text):
        raw = (m.group(1) or m.group(2) or "").replace(",", "")
        try:
            out.add(round(float(raw), 2))
        except ValueError:
            continue
    return out


def fact_amounts(facts: ReplyFacts) -> set[float]:
    amounts = {round(p.price, 2) for p in facts.products if p.price is not None} | {round(o.total, 2) for o in facts.orders}
    return amounts | _amounts("\n".join([*facts.notes, *facts.policies, facts.answer or ""]))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def _contains(haystack: str, needle: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(needle.lower()) + r"(?![a-z0-9])", haystack) is not None


def _other_text(facts: ReplyFacts) -> str:
    """Fact text other than product names, where a capitalised phrase may be repeated as written."""
    parts: list[str] = [*facts.notes, *facts.policies, facts.question or "", facts.answer or ""]
    for p in facts.products:
        parts += [p.product_type, p.category, *p.features, *p.colors, *p.sizes, p.material or "", p.audience or ""]
    for o in facts.orders:
        parts += [o.carrier or "", o.status.replace("_", " "), *o.items]
    return "\n".join(parts)


def _known_names(text: str, ground: str, titles: Iterable[str]) -> list[str]:
    low = text.lower()
    return [f"unknown_product: {t}" for t in titles if len(t) > 3 and t.lower() in low and t.lower() not in ground]


def _numbers(text: str, facts: ReplyFacts, ground: str) -> list[str]:
    bad = []
    allowed = fact_amounts(facts)
    for amount in sorted(_amounts(text)):
        if amount not in allowed:
            bad.append(f"price: ${amount:.2f}")
    money_spans = [m.span() for m in _MONEY.finditer(text)]
    for m in _LONG_NUMBER.finditer(text):
        inside_money = any(a <= m.start() < b for a, b in money_spans)
        if not inside_money and m.group(1) not in ground:
            bad.append(f"order_id: {m.group(1)}")
    for ref in _REFERENCE.findall(text):
        if ref.lower() not in ground:
            bad.append(f"order_id: {ref}")
    return bad


def _statuses(text: str, ground: str) -> list[str]:
    low = text.lower()
    return [f"status: {w}" for w in STATUS_WORDS if _contains(low, w) and not _contains(ground, w)]


def _contacts(text: str, ground: str) -> list[str]:
    found = [*_URL.findall(text), *_EMAIL.findall(text), *_PHONE.findall(text)]
    return [f"contact: {c}" for c in found if c.lower().rstrip(".,;") not in ground]


def _system_copy(text: str, ground: str, n: int = 5) -> list[str]:
    copied = _ngrams(_words(text), n) & _ngrams(_words(SYSTEM_PROMPT), n)
    copied -= _ngrams(_words(ground), n)
    return [f"system_prompt: {' '.join(sorted(copied)[0])}"] if copied else []


_ORDER_ACTIONS = (Action.ORDER_LOOKUP, Action.CANCEL, Action.RETURN_STARTED, Action.REFUND_LOOKUP, Action.REFUSE)


def required_mentions(facts: ReplyFacts) -> tuple[str, ...]:
    """What a reply to these facts must name (see ``omits_fact``)."""
    need: list[str] = []
    if facts.action in (Action.SEARCH, Action.RECOMMEND) and facts.products:
        need.append(facts.products[0].name)
    if facts.orders and facts.action in _ORDER_ACTIONS:
        need.append(facts.orders[0].order_id)
    for note in facts.notes:
        need.extend(_REFERENCE.findall(note))
    value = _stated_value(facts)
    if value:
        need.append(value)  # "which has the longest battery?" must say the 30 hours, not only names
    return tuple(dict.fromkeys(need))


def _stated_value(facts: ReplyFacts) -> str | None:
    """The measured value of a computed answer ("<name>: 30 hours" -> "30 hours"; "$62.99", "4.7 stars") when
    the notes state it word for word; yes/no phrasings may be said in other words (None)."""
    if facts.action is not Action.ANSWER or not facts.answer:
        return None
    value = facts.answer.rsplit(": ", 1)[-1].strip()
    measured = len(value) <= 30 and re.match(r"[$€£]?\d", value) is not None
    return value if measured and any(value.lower() in n.lower() for n in facts.notes) else None


def _without_names(text: str, facts: ReplyFacts) -> str:
    """The text with the fact products' names and prices blanked: a list of three slippers "(price not
    listed)" repeats words legitimately."""
    out = text
    for p in facts.products:
        for form in sorted({p.title, p.name, f"({format_price(p.price, p.currency)})"}, key=len, reverse=True):
            out = re.sub(re.escape(form), " ", out, flags=re.I)
    return out


def _repetition(text: str, n: int = 4, times: int = 3, ground: str = "") -> list[str]:
    """A 4-gram said three times (five times when the facts hold it: a compare note names a product twice)."""
    words = _words(text)
    in_facts = _ngrams(_words(ground), n)
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - n + 1):
        gram = tuple(words[i:i + n])
        counts[gram] = counts.get(gram, 0) + 1
    loops = [(g, c) for g, c in counts.items() if c >= (times + 2 if g in in_facts else times)]
    worst = max(loops, key=lambda kv: kv[1], default=None)
    return [f"repetition: {' '.join(worst[0])} x{worst[1]}"] if worst else []


def _incomplete(text: str, facts: ReplyFacts) -> bool:
    """No closing punctuation, unless the reply ends exactly as one of the notes ends (notes such as
    "Which one do you mean? 1. A; 2. B" have none)."""
    if text.endswith((".", "!", "?", ")", '"', "'")):
        return False
    tail = text[-15:].lower()
    return not any(n.strip().lower().endswith(tail) for n in facts.notes)


def _omissions(text: str, facts: ReplyFacts, named: frozenset[str]) -> list[str]:
    """Required mentions missing; the top product counts as named through any matched mention span."""
    low = text.lower()
    top = facts.products[0] if facts.products and facts.action in (Action.SEARCH, Action.RECOMMEND) else None
    out = []
    for m in required_mentions(facts):
        if top is not None and m == top.name and (top.id in named or top.title.lower() in low):
            continue
        if m.lower() not in low:
            out.append(f"omits_fact: {m}")
    return out


def check_reply(text: str, facts: ReplyFacts, *, known_titles: Iterable[str] = (), known_brands: Iterable[str] = (),
                max_chars: int = MAX_CHARS, brands: BrandIndex | None = None,
                type_nouns: set[str] | None = None) -> GuardResult:
    """Check one reply against its facts; see the module docstring for each failure kind."""
    stripped = (text or "").strip()
    if not stripped:
        return GuardResult(False, ("empty: no text",))
    failures: list[str] = []
    if len(stripped) > max_chars:
        failures.append(f"too_long: {len(stripped)} chars")
    if _incomplete(stripped, facts):
        failures.append("incomplete: no sentence end")
    if _MARKERS.search(stripped):
        failures.append(f"template_marker: {_MARKERS.search(stripped).group(0)}")
    ground = grounding_text(facts)
    brands = brands if brands is not None else BrandIndex(known_brands)
    mentions = check_mentions(stripped, facts.products, _other_text(facts), brands,
                              type_nouns if type_nouns is not None else type_nouns_of(facts.products))
    failures += _known_names(stripped, ground, known_titles)
    failures += mentions.failures
    failures += _numbers(stripped, facts, ground)
    failures += prices.failures(stripped, facts)
    failures += _statuses(stripped, ground)
    failures += _contacts(stripped, ground)
    failures += _system_copy(stripped, ground)
    failures += _omissions(stripped, facts, mentions.named)
    failures += _repetition(_without_names(stripped, facts), ground=ground)
    return GuardResult(not failures, tuple(dict.fromkeys(failures)))


class Guard:
    """``check_reply`` bound to a catalog: its titles and display names (any catalog product named is
    detected), its brands with their variants, and its product-type nouns."""

    def __init__(self, known_titles: Iterable[str] = (), known_brands: Iterable[str] = (), max_chars: int = MAX_CHARS,
                 type_nouns: Iterable[str] = ()):
        self.known_titles = tuple(sorted({t for t in known_titles if t}, key=len, reverse=True))
        self.known_brands = tuple(sorted({b for b in known_brands if b}))
        self.brands = BrandIndex(self.known_brands)
        self.type_nouns = set(type_nouns)
        self.max_chars = max_chars

    @classmethod
    def for_catalog(cls, products: Iterable[Product], extra_brands: Iterable[str] = (),
                    max_chars: int = MAX_CHARS) -> "Guard":
        """A guard for a catalog: every title, every display name of 2+ words, every brand and type noun."""
        products = list(products)
        names = [p.title for p in products] + [p.display_name for p in products if len(p.display_name.split()) > 1]
        return cls(names, [*extra_brands, *(as_written(p) for p in products)], max_chars, type_nouns_of(products))

    def fix_near_names(self, text: str, facts: ReplyFacts) -> str:
        """``text`` with each unambiguous near copy of one fact product's name (one misspelt word, see
        ``near_names.near_name_fixes``) replaced by that product's own words; the result must still be checked."""
        for start, end, name in sorted(near_name_fixes(text, facts.products, _other_text(facts), self.brands),
                                       reverse=True):
            text = text[:start] + name + text[end:]
        return text

    def check(self, text: str, facts: ReplyFacts) -> GuardResult:
        nouns = self.type_nouns | type_nouns_of(facts.products)
        return check_reply(text, facts, known_titles=self.known_titles, max_chars=self.max_chars,
                           brands=self.brands, type_nouns=nouns)
