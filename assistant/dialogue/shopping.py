"""Shopping flows: search / refine ("cheaper", "show more", "something different") and recommend.

Entity -> filter mapping: a known product type becomes the ``product_type`` filter; an unknown one only
goes into the query text (and the reply says these are the closest matches, not that kind of product);
colours and prices are hard filters; a brand becomes the ``brands`` filter
only when the catalog carries it (otherwise the reply says none were found and shows the other
brands); sizes, material and audience are hard post-filters on the retrieved hits ("unisex" matches
any audience); features are soft (in the query text). Only in-stock products are shown.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.dialogue.context import FlowContext
from assistant.dialogue.outcome import FlowResult, Stopwatch
from assistant.dialogue.state import DialogueState, Slots, merge_slots, resolve_type
from assistant.events import ProductsShown, SlotsSet
from assistant.records import Action, Entity, Hit, Parse, SearchFilters
from retrieval.product import Product

CHEAPER_RE = re.compile(r"\b(cheaper|less expensive|lower price|too expensive|more affordable|budget option)\b", re.I)
MORE_RE = re.compile(r"\b(show (me )?more|more (options|results|like (this|these))|next (page|ones)|any others?|other options)\b", re.I)
DIFFERENT_RE = re.compile(r"\b(something (else|different)|different (ones?|options?|style)|none of (these|those|them)"
                          r"|not (these|those))\b", re.I)


def detect_mode(text: str) -> str:
    """new | cheaper | more | different (the refine phrases the NLU does not tell apart)."""
    if CHEAPER_RE.search(text):
        return "cheaper"
    if DIFFERENT_RE.search(text):
        return "different"
    if MORE_RE.search(text):
        return "more"
    return "new"


def vocab_type_in(text: str, type_to_category) -> str | None:
    """The longest known product type named in the text (a fallback when the NLU tagged none)."""
    low = text.lower()
    best = None
    for t in type_to_category:
        for form in (t, t[:-1] if t.endswith("s") else t):
            if re.search(r"\b" + re.escape(form) + r"\b", low) and (best is None or len(t) > len(best)):
                best = t
    return best


def query_text(s: Slots) -> str:
    parts = [*s.features, *s.colors, s.material or "", *s.brands, s.audience or "", s.product_type or "", s.query]
    return " ".join(p for p in parts if p).strip()


def to_filters(s: Slots, exclude: tuple[str, ...] = ()) -> SearchFilters:
    return SearchFilters(product_type=s.product_type, category=s.category if not s.product_type else None,
                         brands=s.brands, colors=s.colors, min_price=s.min_price, max_price=s.max_price,
                         in_stock=True, exclude_ids=exclude)


def post_filter(s: Slots, p: Product) -> bool:
    if s.sizes and not {x.lower() for x in p.sizes} & set(s.sizes):
        return False
    if s.material and (p.material or "").lower() != s.material:
        return False
    if s.audience and (p.audience or "unisex").lower() not in (s.audience, "unisex"):
        return False
    return True


def describe(s: Slots) -> str:
    what = s.product_type or s.query or "products"
    bits = [*s.colors, *s.brands, what]
    text = " ".join(bits)
    if s.audience:
        text += f" for {s.audience}"
    if s.max_price is not None and s.min_price is not None:
        text += f" between ${s.min_price:g} and ${s.max_price:g}"
    elif s.max_price is not None:
        text += f" under ${s.max_price:g}"
    elif s.min_price is not None:
        text += f" over ${s.min_price:g}"
    return text


def normalise_types(ctx: FlowContext, parse: Parse) -> Parse:
    """One product type per request: the catalog type named in the text wins over the model's span when the
    span is unknown or part of it ("shoes" -> "running shoes"); other unknown PRODUCT_TYPE spans (a brand we
    don't carry, "wireless") become soft FEATURE words for the query text."""
    values = parse.values("PRODUCT_TYPE")
    known = [t for t in (resolve_type(v, ctx.type_to_category) for v in values) if t]
    scanned = vocab_type_in(parse.text, ctx.type_to_category)
    chosen = scanned if scanned and (not known or known[0] in scanned) else (known[0] if known else None)
    if chosen is None and not values:
        return parse
    chosen = chosen or values[0]
    extras = [v for v in values if resolve_type(v, ctx.type_to_category) is None and v.lower() not in chosen]
    ents = tuple(e for e in parse.entities if e.type != "PRODUCT_TYPE")
    ents += (Entity("PRODUCT_TYPE", chosen, chosen, 0, 0),)
    ents += tuple(Entity("FEATURE", v, v.lower(), 0, 0) for v in extras)
    return replace(parse, entities=ents)


def _retrieve(ctx: FlowContext, slots: Slots, exclude: tuple[str, ...], clock: Stopwatch) -> list[Hit]:
    with clock.stage("retrieve"):
        hits = ctx.index.search(query_text(slots), to_filters(slots, exclude), k=ctx.retrieve_k)
        return [h for h in hits if post_filter(slots, h.product)]


def _rank(ctx: FlowContext, state: DialogueState, slots: Slots, hits: list[Hit], clock: Stopwatch,
          avoid: tuple[str, ...] = ()) -> list:
    """The ranker's page; it gets the filters too, so its reasons can say "matches your price limit"."""
    if not hits:
        return []
    with clock.stage("rank"):
        return ctx.ranker.rank(state.user_id, hits, k=ctx.page_size, avoid=avoid, filters=to_filters(slots))


def search(ctx: FlowContext, state: DialogueState, parse: Parse, clock: Stopwatch, mode: str = "new") -> FlowResult:
    """Search or refine; ``mode`` from :func:`detect_mode`."""
    parse = normalise_types(ctx, parse)
    slots = merge_slots(state.slots, parse, ctx.type_to_category)
    notes: list[str] = []
    missing = [b for b in slots.brands if b not in ctx.catalog_brands]
    if missing:
        notes.append(f"We don't carry {', '.join(b.title() for b in missing)}; none found, so here are other brands.")
        slots = replace(slots, brands=tuple(b for b in slots.brands if b in ctx.catalog_brands))
    has_content = not replace(slots, audience=None).is_empty()
    if not has_content and (mode == "new" or not state.shown_all):
        return FlowResult(Action.CLARIFY, notes=("What kind of product are you looking for?",), intent="search_products")
    exclude: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    with clock.stage("retrieve"):
        shown = ctx.index.get(list(state.shown_all)) if mode != "new" and state.shown_all else []
    if mode == "cheaper":
        if shown:
            slots = replace(slots, max_price=round(min(p.price for p in shown) - 0.01, 2), min_price=None)
    elif mode == "more":
        exclude = state.shown_all
    elif mode == "different":
        exclude, avoid = state.shown_all, state.shown
    hits = _retrieve(ctx, slots, exclude, clock)
    cands = _rank(ctx, state, slots, hits, clock, avoid)
    events = [SlotsSet(slots.to_json())]
    if cands:
        events.append(ProductsShown(tuple(c.product.id for c in cands), new_query=mode not in ("more", "cheaper")))
        unknown_type = parse.first("PRODUCT_TYPE") is not None and not slots.product_type
        notes.append(_found_note(mode, slots, len(cands), shown, unknown_type=unknown_type))
    else:
        notes.append(_none_note(mode, slots))
    return FlowResult(Action.SEARCH, notes=tuple(notes), products=tuple(cands), events=tuple(events),
                      intent="refine_results" if mode != "new" else "search_products")


def _found_note(mode: str, slots: Slots, n: int, shown: list[Product], *, unknown_type: bool = False) -> str:
    if mode == "new" and unknown_type and slots.query:  # never claim these are the kind of product asked for
        return f"I don't have a \"{slots.query}\" category; here are the {n} closest matches I found."
    if mode == "cheaper" and shown:
        return f"Here are {n} {describe(slots)}, all cheaper than the ${min(p.price for p in shown):.2f} ones shown before."
    if mode == "more":
        return f"Here are {n} more {describe(slots)}."
    if mode == "different":
        return f"Here are {n} different {describe(slots)} from the ones shown before."
    return f"Here are {n} {describe(slots)}."


def _none_note(mode: str, slots: Slots) -> str:
    if mode == "cheaper":
        return f"I couldn't find anything cheaper: there are no {describe(slots)}."
    if mode in ("more", "different"):
        return f"That's everything I have for {describe(slots)}."
    return f"I couldn't find any {describe(slots)}. Try removing a filter, for example the price limit or colour."


def recommend(ctx: FlowContext, state: DialogueState, parse: Parse, clock: Stopwatch) -> FlowResult:
    """History-aware picks (the ranker blends affinity, popularity and exploration); works for new users."""
    parse = normalise_types(ctx, parse)
    slots = merge_slots(state.slots, parse, ctx.type_to_category) if parse.entities else state.slots
    hits = _retrieve(ctx, slots, (), clock)
    cands = _rank(ctx, state, slots, hits, clock)
    if not cands:
        return FlowResult(Action.RECOMMEND, notes=("I don't have recommendations right now; tell me what you're looking for.",))
    events = (SlotsSet(slots.to_json()), ProductsShown(tuple(c.product.id for c in cands)))
    what = describe(slots) if not slots.is_empty() else "products"
    return FlowResult(Action.RECOMMEND, notes=(f"Here are {len(cands)} {what} I think you'll like.",),
                      products=tuple(cands), events=events, intent="recommend")


__all__ = ["detect_mode", "search", "recommend", "query_text", "to_filters", "resolve_type"]
