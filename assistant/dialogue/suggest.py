"""Suggestions from stated needs ("a gift for my dad, he likes grilling", "I'm into hiking and camping",
"something for a small apartment"), taken from the installed catalog's own products and types.

An interest is matched by retrieval on its own words, never by a built-in list:
1. nothing is suggested for an interest none of the catalog's words covers (typos corrected): a store that
   sells nothing for grilling says so instead of offering cutting boards;
2. otherwise the products nearest the interest (dense search, under the price bounds) are kept when their
   title, type or category name it ("grill lights", a "Grills & Outdoor Cooking" fork) or when they are as near
   as the nearest ones (``NEAR_TOP``: sleeping bags for "camping");
3. the kept products are interleaved across the interests and across their catalog types (a beans, a maker,
   a mug rather than five bags of beans), then ranked as any search.
A usage ("for a small apartment") with no product named takes the products nearest the place (for a small
space: nearest "space saving furniture and home goods for a small apartment"). A recipient or occasion alone asks what they are into.
The reply states the reason: "For your dad, who likes grilling: here are 3 grilling ideas under $50."
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from assistant.dialogue.context import FlowContext
from assistant.dialogue.needs import Needs
from assistant.dialogue.outcome import FlowResult, Stopwatch
from assistant.dialogue.state import DialogueState, Slots
from assistant.events import ProductsShown, SlotsSet
from assistant.grammar import here_are
from assistant.records import Action, Hit, SearchFilters
from retrieval.product import Product

POOL = 100  # products retrieved per interest
NEAR_TOP = 0.05  # a product this close (cosine) to the nearest one is about the interest too
NAMED_WITHIN = 0.15  # a product naming the interest, this close to the nearest ("Door Grille" is not)
USAGE_WITHIN = 0.12  # products for a place: this close (cosine) to the nearest one
MIN_SIMILARITY = 0.25  # below this cosine a product is not about the interest whatever its words
_WORD = re.compile(r"[a-z0-9]+")


def _root(word: str) -> str:
    """A prefix every form of the word starts with: "grilling" -> "gril", "hiking" -> "hik", "games" -> "gam"."""
    w = word.lower()
    for suffix in ("ing", "ers", "er", "es", "s", "e"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    return w[:-1] if len(w) >= 4 and w[-1] == w[-2] else w


def _named_by(p: Product, roots: list[str]) -> bool:
    """The product's title (without its brand), type or category names every root."""
    title = p.title.lower().replace(p.brand.lower(), " ") if p.brand else p.title.lower()
    words = _WORD.findall(f"{title} {p.product_type} {p.category}".lower())
    return all(any(w.startswith(r) for w in words) for r in roots)


def interest_hits(ctx: FlowContext, interest: str, filters: SearchFilters) -> list[Hit]:
    """The catalog's products about ``interest`` under ``filters``, nearest first ([] when none is)."""
    if ctx.index.coverage(interest) <= 0:
        return []
    near = ctx.index.dense.search(interest, filters, k=POOL)
    if not near:
        return []
    roots = [_root(w) for w in _WORD.findall(interest.lower()) if len(w) >= 3] or [interest.lower()]
    nearest = ctx.index.dense.search(interest, replace(filters, min_price=None, max_price=None), k=1)
    top = max(near[0].relevance, nearest[0].relevance if nearest else 0.0)  # what "near" means ignores the budget
    named = [h for h in near if _named_by(h.product, roots) and h.relevance >= max(MIN_SIMILARITY, top - NAMED_WITHIN)]
    close = [h for h in near if h.relevance >= max(MIN_SIMILARITY, top - NEAR_TOP)]
    per_type = Counter(h.product.product_type.lower() for h in close)
    kept = {h.product.id for h in named} | {h.product.id for h in close if per_type[h.product.product_type.lower()] > 1
                                            or h is near[0]}
    return [h for h in near if h.product.id in kept]


def usage_hits(ctx: FlowContext, needs: Needs, filters: SearchFilters) -> list[Hit]:
    """Products for a place or use, nearest the place ("home office": desks, planners); for a small space the
    space-saving furniture and home goods nearest it (a Murphy bed, a bookshelf), never what merely says "compact"."""
    place = needs.usage.split(" ", 1)[-1]
    if ctx.index.coverage(place) <= 0:
        return []
    query = f"space saving furniture and home goods for {needs.usage}" if needs.small_space else place
    near = ctx.index.dense.search(query, filters, k=POOL)
    if not near:
        return []
    floor = max(MIN_SIMILARITY, near[0].relevance - USAGE_WITHIN)
    return [h for h in near if h.relevance >= floor]


def _by_type(hits: list[Hit]) -> list[Hit]:
    """Round-robin over the hits' product types, each type in order of its best hit."""
    queues: dict[str, list[Hit]] = {}
    for h in hits:
        queues.setdefault(h.product.product_type.lower(), []).append(h)
    out: list[Hit] = []
    while any(queues.values()):
        for q in queues.values():
            if q:
                out.append(q.pop(0))
    return out


def _interleave(lists: list[list[Hit]]) -> list[Hit]:
    seen: set[str] = set()
    out: list[Hit] = []
    for i in range(max((len(x) for x in lists), default=0)):
        for hits in lists:
            if i < len(hits) and hits[i].product.id not in seen:
                seen.add(hits[i].product.id)
                out.append(hits[i])
    return out


def suggestions(ctx: FlowContext, needs: Needs, slots: Slots, exclude: tuple[str, ...], *,
                price: bool = True) -> tuple[list[Hit], SearchFilters]:
    filters = SearchFilters(min_price=slots.min_price if price else None, max_price=slots.max_price if price else None,
                            in_stock=True, exclude_ids=exclude)
    if needs.interests:
        lists = [_by_type(interest_hits(ctx, i, filters)) for i in needs.interests]
    else:
        lists = [_by_type(usage_hits(ctx, needs, filters))]
    hits = [h for h in _interleave(lists) if h.product.brand.lower() not in slots.excluded_brands]
    # relevance is re-stated in suggestion order so the ranker keeps the interleaving
    return [Hit(h.product, 1.0 - i / (len(hits) + 1)) for i, h in enumerate(hits)], filters


def needs_slots(needs: Needs, slots: Slots) -> Slots:
    """The search slots of a suggestion: the interests (or usage) are what is searched, prices stay."""
    query = " ".join(needs.interests) or needs.usage
    return Slots(query=query, min_price=slots.min_price, max_price=slots.max_price, needs=needs.to_json(),
                 excluded_brands=slots.excluded_brands)


def _price(slots: Slots) -> str:
    if slots.max_price is not None and slots.min_price is not None:
        return f" between ${slots.min_price:g} and ${slots.max_price:g}"
    if slots.max_price is not None:
        return f" under ${slots.max_price:g}"
    return f" over ${slots.min_price:g}" if slots.min_price is not None else ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def ask_interests(needs: Needs, slots: Slots) -> FlowResult:
    """A recipient or occasion alone: ask what they are into (the budget and recipient are kept)."""
    they = needs.pronoun
    verb = "is" if they in ("he", "she") else "are"
    what = f"a {needs.occasion_name()} gift" if needs.occasion and not needs.occasion_name()[:1].isupper() else "a gift"
    whom = f" for your {needs.recipient}" if needs.recipient else ""
    note = f"Happy to help you find {what}{whom}. What {verb} {they} into, or what kind of product do you have in mind?"
    return FlowResult(Action.CLARIFY, notes=(note,), events=(SlotsSet(needs_slots(needs, slots).to_json()),),
                      intent="search_products")


def none_note(needs: Needs, slots: Slots) -> str:
    what = needs.interest_phrase() or needs.usage
    ask = (f" What else {'is' if needs.pronoun in ('he', 'she') else 'are'} {needs.pronoun} into?"
           if needs.interests and not needs.own else " What else are you into?" if needs.interests else "")
    return f"I couldn't find anything for {what}{_price(slots)} in this store.{ask}"


def found_note(needs: Needs, slots: Slots, n: int, mode: str = "new") -> str:
    extra = {"more": "more", "different": "different"}.get(mode, "")
    listed = here_are(n, needs.label(), extra) + _price(slots)
    if mode == "other_brand":
        listed += " from other brands than the ones shown before"
    elif mode == "cheaper":
        listed += ", cheaper than the ones shown before"
    reason = needs.reason()
    return f"{reason}: {_lower_first(listed)}." if reason and mode == "new" else f"{listed}."


def suggest(ctx: FlowContext, state: DialogueState, needs: Needs, slots: Slots, clock: Stopwatch, *,
            mode: str = "new", exclude: tuple[str, ...] = (), avoid: tuple[str, ...] = ()) -> FlowResult:
    """Suggestions for ``needs`` under ``slots`` (prices, excluded brands); ``mode`` as in the shopping flow."""
    if not needs.interests and not needs.usage:
        return ask_interests(needs, slots)
    slots = replace(needs_slots(needs, slots), excluded_brands=slots.excluded_brands)
    notes: list[str] = []
    with clock.stage("retrieve"):
        hits, filters = suggestions(ctx, needs, slots, exclude)
        if not hits and mode == "new" and (slots.max_price is not None or slots.min_price is not None):
            hits, filters = suggestions(ctx, needs, slots, exclude, price=False)
            if hits:
                notes.append(f"Nothing for {needs.interest_phrase() or needs.usage} is{_price(slots)}, "
                             "so I relaxed the price limit.")
    if not hits:
        note = none_note(needs, slots) if mode == "new" else f"That's everything I have for {needs.label()}s."
        return FlowResult(Action.SEARCH if mode != "new" else Action.CLARIFY, notes=(note,),
                          events=(SlotsSet(slots.to_json()),), intent="search_products")
    with clock.stage("rank"):
        cands = ctx.ranker.rank(state.user_id, hits, k=ctx.page_size, avoid=avoid, filters=filters, searching=True)
    notes.append(found_note(needs, slots if not notes else replace(slots, min_price=None, max_price=None),
                            len(cands), mode))
    events = (SlotsSet(slots.to_json()),
              ProductsShown(tuple(c.product.id for c in cands), new_query=mode not in ("more", "cheaper")))
    return FlowResult(Action.SEARCH, notes=tuple(notes), products=tuple(cands), events=events,
                      intent="search_products" if mode == "new" else "refine_results")


__all__ = ["suggest", "suggestions", "interest_hits", "needs_slots", "found_note"]
