"""Shopping flows: search / refine ("cheaper", "show more", "something different") and recommend.

The request's own words drive retrieval; its entities shape the search without emptying it
(``finder.py``): a catalog type named exactly and a brand the catalog sells filter, other attributes
filter only where the catalog carries them cleanly and otherwise boost, negations push down, and
when the strict reading finds nothing the least certain constraint is relaxed and the reply says so.
Brands are resolved against the catalog's brands ("Ugg Dakota" -> UGG; "UGG®" -> UGG); a brand the
catalog does not sell is said so only when none of the shown products names it. Only in-stock
products are shown.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from assistant.dialogue.context import FlowContext
from assistant.dialogue.finder import Found, find, retrieval_text, unrelated
from assistant.dialogue.needs import Needs, product_words, read_needs, strip_recipient
from assistant.dialogue.outcome import FlowResult, Stopwatch
from assistant.dialogue.state import DialogueState, Slots, merge_slots
from assistant.dialogue.suggest import needs_slots, suggest
from assistant.events import ProductsShown, SlotsSet
from assistant.grammar import here_are
from assistant.records import Action, Parse
from retrieval.catalog.brands import brand_key, resolve_brand
from retrieval.negation import split_negations
from retrieval.product import Product

CHEAPER_RE = re.compile(r"\b(cheaper|less expensive|lower price|too expensive|more affordable|budget option)\b", re.I)
MORE_RE = re.compile(r"\b(show (me )?more|more (options|results|like (this|these))|next (page|ones)|any others?|other options)\b", re.I)
OTHER_BRAND_RE = re.compile(r"\b(?:(?:a |any(?:thing)? (?:from )?(?:a )?)?different brands?|other brands?|another brand|"
                            r"not (?:this|that|these|those) brands?)\b", re.I)
DIFFERENT_RE = re.compile(r"\b(something (else|different)|different (ones?|options?|style)|none of (these|those|them)"
                          r"|not (these|those))\b", re.I)


def detect_mode(text: str) -> str:
    """new | cheaper | more | different | other_brand (the refine phrases the NLU does not tell apart)."""
    if CHEAPER_RE.search(text):
        return "cheaper"
    if OTHER_BRAND_RE.search(text):
        return "other_brand"
    if DIFFERENT_RE.search(text):
        return "different"
    if MORE_RE.search(text):
        return "more"
    return "new"


def _price_phrase(s: Slots) -> str:
    if s.max_price is not None and s.min_price is not None:
        return f" between ${s.min_price:g} and ${s.max_price:g}"
    if s.max_price is not None:
        return f" under ${s.max_price:g}"
    if s.min_price is not None:
        return f" over ${s.min_price:g}"
    return ""


def describe(s: Slots, *, words: bool = False) -> str:
    """The request in the shopper's words: "black Nike running shoes for women under $80". ``words``: the
    words searched for when there are any ("iphone 12 case", not the catalog type "case" alone)."""
    if not (words and s.query) and (s.product_type or (s.type_phrase and not s.query)):
        what = s.type_phrase or s.product_type or ""
        text = " ".join(dict.fromkeys(w for w in [*s.colors, *(b.title() for b in s.brands), what] if w))
    else:  # the shopper's own words: a type the catalog does not name exactly is not put in our mouth
        text = s.query or s.type_phrase or "products"
    low = text.lower()
    if s.audience and s.audience not in low and s.audience.rstrip("s") not in low:
        text += f" for {s.audience}"
    return text + _price_phrase(s)


def _brands(ctx: FlowContext, parse: Parse) -> tuple[Parse, list[str]]:
    """BRAND values spelled as the catalog spells them; the ones it does not sell are returned apart."""
    missing: list[str] = []
    ents = []
    negations = split_negations(parse.text or "", ctx.vocabulary.written_negations)[1]
    negated = {brand_key(b) for b in negations.brands}
    for e in parse.entities:
        if e.type in ("COLOR", "MATERIAL", "FEATURE") and negations.covers(e.value):
            continue  # "a yoga mat, not purple": a negated word (slots.negated), not a wanted attribute
        typo = _colour_typo(ctx, e.value) if e.type in ("MATERIAL", "FEATURE", "SIZE", "BRAND") else None
        if typo and (e.type != "BRAND" or resolve_brand(e.value, ctx.catalog_brands) is None):
            ents.append(replace(e, type="COLOR", value=typo))  # "yoga mats in purpel", "blak sneakers"
            continue
        if e.type != "BRAND":
            ents.append(e)
            continue
        if brand_key(e.value) in negated:  # "not from Zenflex": an exclusion (slots.excluded_brands), not a filter
            continue
        brand = resolve_brand(e.value, ctx.catalog_brands)
        if brand is None:
            missing.append(e.value.lower())
        else:
            ents.append(replace(e, value=brand))
    return replace(parse, entities=tuple(ents)), missing


def _colour_typo(ctx: FlowContext, value: str) -> str | None:
    """The catalog colour ``value`` misspells ("purpel" -> "purple"), when it is no catalog word itself."""
    low = value.lower().strip()
    if len(low) < 4 or low in ctx.vocabulary.colors or " " in low or ctx.index.coverage(low, typos=False) > 0:
        return None
    near = process.extractOne(low, [c for c in ctx.vocabulary.colors if " " not in c], scorer=Levenshtein.distance,
                              score_cutoff=1 if len(low) < 6 else 2)
    return near[0] if near else None


def _rank(ctx: FlowContext, state: DialogueState, slots: Slots, found: Found, clock: Stopwatch,
          avoid: tuple[str, ...] = (), searching: bool = True) -> list:
    if not found.hits:
        return []
    with clock.stage("rank"):
        return ctx.ranker.rank(state.user_id, list(found.hits), k=ctx.page_size, avoid=avoid, filters=found.filters,
                               searching=searching and bool(slots.query))


def _find(ctx: FlowContext, slots: Slots, exclude: tuple[str, ...], clock: Stopwatch, relax: bool = True) -> Found:
    with clock.stage("retrieve"):
        return find(ctx.index, slots, ctx.catalog_brands, exclude, ctx.search_tuning, relax=relax)


def _refine_mode(ctx: FlowContext, state: DialogueState, slots: Slots, mode: str, clock: Stopwatch):
    """(slots, exclude, avoid, products shown before) for cheaper / more / different."""
    with clock.stage("retrieve"):
        shown = ctx.index.get(list(state.shown_all)) if mode != "new" and state.shown_all else []
    if mode == "cheaper":
        priced = [p.price for p in shown if p.price is not None]  # unpriced products set no limit
        if priced:
            slots = replace(slots, max_price=round(min(priced) - 0.01, 2), min_price=None)
        return slots, (), (), shown
    if mode == "more":
        return slots, state.shown_all, (), shown
    if mode == "different":
        return slots, state.shown_all, state.shown, shown
    if mode == "other_brand":  # "anything from a different brand?": none of the brands shown
        brands = tuple(dict.fromkeys(p.brand.lower() for p in shown if p.brand))
        slots = replace(slots, brands=(), excluded_brands=tuple(dict.fromkeys(slots.excluded_brands + brands)))
        return slots, state.shown_all, (), shown
    return slots, (), (), shown


def search(ctx: FlowContext, state: DialogueState, parse: Parse, clock: Stopwatch, mode: str = "new") -> FlowResult:
    """Search or refine; ``mode`` from :func:`detect_mode`."""
    parse, missing = _brands(ctx, parse)
    refine = True if mode != "new" and not state.slots.is_empty() else None
    slots = merge_slots(state.slots, parse, ctx.vocabulary, refine=refine)
    needs = _needs(state, parse, mode)
    if needs and not product_words(needs, slots.query):
        slots = needs_slots(needs, _carried_prices(slots, state.slots))
    elif needs.recipient:  # "a tent for my dad": the recipient is not a word of the product nor its audience
        audience = slots.audience if slots.audience and needs.recipient not in slots.audience else None
        slots = replace(slots, audience=audience, query=strip_recipient(slots.query))
    if slots.needs:  # suggestions from stated needs, or a refinement of them ("a different brand", "under $30")
        slots, exclude, avoid, _ = _refine_mode(ctx, state, slots, mode, clock)
        return suggest(ctx, state, Needs.from_json(slots.needs), slots, clock, mode=mode, exclude=exclude, avoid=avoid)
    if replace(slots, audience=None).is_empty() and not missing and (mode == "new" or not state.shown_all):
        return FlowResult(Action.CLARIFY, notes=("What kind of product are you looking for?",), intent="search_products")
    if mode == "new" and not slots.product_type and unrelated(ctx.index, retrieval_text(slots)):
        return FlowResult(Action.CLARIFY, intent="search_products", notes=(
            f"I couldn't find anything matching \"{describe(slots)}\". What kind of product are you looking for?",))
    slots, exclude, avoid, shown = _refine_mode(ctx, state, slots, mode, clock)
    if mode == "cheaper" and shown and all(p.price is None for p in shown):  # nothing to be cheaper than
        return FlowResult(Action.ANSWER, intent="refine_results", notes=(
            "None of the products shown lists a price, so I can't tell what is cheaper. Tell me a budget "
            "(for example \"under $50\") and I'll search within it.",))
    found = _find(ctx, slots, exclude, clock, relax=mode == "new")
    cands = _rank(ctx, state, slots, found, clock, avoid)
    events = [SlotsSet(slots.to_json())]
    notes: list[str] = []
    missing = [b for b in missing if ctx.index.coverage(b, typos=False) < 1.0]  # words a product has: no unknown brand
    if missing and not _named_in(missing, cands):
        notes.append(f"We don't carry {', '.join(b.title() for b in missing)}; here are the closest matches.")
    if found.relaxed:
        notes.append(_relaxed_note(found.relaxed))
    said = _as_found(slots, found.relaxed)
    if cands:
        events.append(ProductsShown(tuple(c.product.id for c in cands), new_query=mode not in ("more", "cheaper")))
        notes.append(_found_note(mode, said, len(cands), shown) if _is_what_was_asked(slots, cands)
                     else _closest_note(len(cands), said))
    else:
        notes.append(_none_note(mode, slots))
    if needs and (needs.recipient or needs.interests or needs.usage):  # "a desk for a small apartment": say why
        notes[-1] = f"{needs.reason()}: {notes[-1][:1].lower()}{notes[-1][1:]}"
    return FlowResult(Action.SEARCH, notes=tuple(notes), products=tuple(cands), events=tuple(events),
                      intent="refine_results" if mode != "new" else "search_products")


def _needs(state: DialogueState, parse: Parse, mode: str) -> Needs:
    """The needs this turn states; interests given after "what is she into?" keep the recipient asked about."""
    needs = read_needs(parse.text) if mode == "new" else Needs()
    before = Needs.from_json(state.slots.needs)
    if needs.interests and not needs.recipient and not needs.own and before.recipient:
        needs = replace(needs, recipient=before.recipient, occasion=needs.occasion or before.occasion,
                        gift=needs.gift or before.gift)
    return needs


def _carried_prices(slots: Slots, before: Slots) -> Slots:
    """A budget given when the bot asked what the recipient is into still holds for the answer."""
    if before.needs and slots.min_price is None and slots.max_price is None:
        return replace(slots, min_price=before.min_price, max_price=before.max_price)
    return slots


def _is_what_was_asked(slots: Slots, cands) -> bool:
    """May the reply call the shown products by the request's name? Only when they are of the type asked for
    (an exact catalog type, or near types that every shown product has); otherwise they are the closest matches."""
    if slots.product_type:
        return all(c.product.product_type.lower() == slots.product_type for c in cands)
    if slots.related_types:
        return all(c.product.product_type.lower() in slots.related_types for c in cands)
    return False


def _named_in(brands: list[str], cands) -> bool:
    titles = " ".join(c.product.title.lower() for c in cands)
    return all(b in titles for b in brands)


def _as_found(slots: Slots, relaxed: tuple[str, ...]) -> Slots:
    """The request as the products found meet it: a relaxed constraint ("colour brown", "price") is not
    claimed in the reply ("Here are 4 hiking boots", not "4 brown hiking boots")."""
    names = {r.split(" ", 1)[0] for r in relaxed}
    cleared = {"price": {"min_price": None, "max_price": None}, "colour": {"colors": ()}, "brand": {"brands": ()},
               "size": {"sizes": ()}, "material": {"material": None}, "audience": {"audience": None},
               "quantity": {"quantities": ()}, "type": {"product_type": None}}
    changes = {k: v for name in names & cleared.keys() for k, v in cleared[name].items()}
    return replace(slots, **changes) if changes else slots


def _closest_note(n: int, slots: Slots) -> str:
    what = describe(slots, words=True)
    if n == 1:
        return f"This is the closest match I found for \"{what}\"."
    return f"These are the {n} closest matches I found for \"{what}\"."


def _relaxed_note(relaxed: tuple[str, ...]) -> str:
    if relaxed == ("stock",):
        return "Everything that matches is out of stock right now."
    what = ", ".join(r if r != "price" else "the price limit" for r in relaxed)
    return f"Nothing matched everything you asked for, so I relaxed: {what}."


def _found_note(mode: str, slots: Slots, n: int, shown: list[Product]) -> str:
    what = describe(slots)
    priced = [p.price for p in shown if p.price is not None]
    if mode == "cheaper" and priced:
        return f"{here_are(n, what)}, all cheaper than the ${min(priced):.2f} ones shown before."
    if mode == "more":
        return f"{here_are(n, what, 'more')}."
    if mode == "different":
        return f"{here_are(n, what, 'different')} from the ones shown before."
    if mode == "other_brand":
        return f"{here_are(n, what)} from other brands than the ones shown before."
    return f"{here_are(n, what)}."


def _none_note(mode: str, slots: Slots) -> str:
    if mode == "cheaper":
        return f"I couldn't find anything cheaper than what I showed for {describe(slots)}."
    if mode in ("more", "different", "other_brand"):
        return f"That's everything I have for {describe(slots)}."
    return f"I couldn't find anything for {describe(slots)}."


def recommend(ctx: FlowContext, state: DialogueState, parse: Parse, clock: Stopwatch) -> FlowResult:
    """History-aware picks (the ranker blends affinity, popularity and exploration); works for new users."""
    parse, _ = _brands(ctx, parse)
    slots = merge_slots(state.slots, parse, ctx.vocabulary) if parse.entities else state.slots
    needs = _needs(state, parse, "new")
    if needs:  # "what should I get my dad for Father's Day? he loves fishing"
        return search(ctx, state, parse, clock, "new")
    found = _find(ctx, slots, (), clock)
    cands = _rank(ctx, state, slots, found, clock, searching=False)
    if not cands:
        return FlowResult(Action.RECOMMEND, notes=("I don't have recommendations right now; tell me what you're looking for.",))
    events = (SlotsSet(slots.to_json()), ProductsShown(tuple(c.product.id for c in cands)))
    what = describe(slots) if not slots.is_empty() else "products"
    return FlowResult(Action.RECOMMEND, notes=(f"{here_are(len(cands), what)} I think you'll like.",),
                      products=tuple(cands), events=events, intent="recommend")


__all__ = ["detect_mode", "search", "recommend", "describe"]
