"""Dialogue state: search slots merged across turns, the last shown list, the cart, what the bot waits for.

Merge rules (``merge_slots``):
- A turn starts a new search when nothing is being searched, when it names a product type different from
  the current one, or when it brings words of its own beyond attributes ("firestick" after "kindle");
  every slot is then reset except ``audience`` (who the shopper buys for usually stays). Otherwise it
  refines ("in black", "under $50", "waterproof ones"): a new value of brands / colours / sizes / material /
  audience replaces the old one in the slots and in the query words ("in black" then "in red" -> red);
  features accumulate; PRICE_MAX / PRICE_MIN replace their bound, and a bound contradicting the other one
  drops the other. Negations accumulate over refinements, and a negated word undoes what the search holds:
  a brand it names is excluded ("not ugg"), a wanted colour / feature / material it names is dropped
  ("not too thick" after "thick"). A turn that starts "with" / "that has" names a part of the product
  searched for ("with a hood", "with card holder"): a refinement whose words join the query, even when the
  parser read them as a product type.
- The type is resolved against the installed catalog's own types (``CatalogVocabulary``): an exact
  catalog type becomes ``product_type``; near ones (same head noun, a typo) are ``related_types``.
- ``query`` keeps the shopper's own words (without prices, politeness and negated phrases): that is what
  retrieval searches for, so a real catalog's types and attributes only shape the search.
- "cheaper" sets ``max_price`` just below the CHEAPEST product shown so far (see shopping flow), so every
  new product is cheaper than every one shown before.

The state is rebuilt from the session's events (``rebuild``); only events are stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace

from assistant.events import (BotUttered, CartAdded, Event, FocusSet, HandoffCreated, PendingSet, ProductsShown,
                              SessionStarted, SlotsSet, UserUttered)
from assistant.protocol import CartLine
from assistant.dialogue.request import Request, read_request
from assistant.records import Parse
from retrieval.catalog.brands import brand_key
from retrieval.catalog.taxonomy import CatalogVocabulary
from retrieval.negation import Negations


@dataclass(frozen=True)
class Slots:
    product_type: str | None = None  # the catalog's own type, when the shopper named one exactly
    category: str | None = None
    query: str = ""  # the request's own words (what retrieval searches for), negations removed
    type_phrase: str = ""  # the product type as the shopper said it ("towels")
    related_types: tuple[str, ...] = ()  # catalog types near type_phrase (boost, never a filter)
    brands: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    material: str | None = None
    features: tuple[str, ...] = ()
    audience: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    negated: tuple[str, ...] = ()  # words the shopper does not want ("straw")
    excluded_brands: tuple[str, ...] = ()  # "not from Urbanstep"
    quantities: tuple[str, ...] = ()  # "2 person", "12 pack" (normalised; the product's title must state them)
    needs: str = ""  # Needs.to_json() when the search suggests from stated needs (assistant/dialogue/needs.py)

    def is_empty(self) -> bool:
        return self == Slots()

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Slots":
        data = json.loads(text)
        kw = {f.name: (tuple(data[f.name]) if isinstance(data.get(f.name), list) else data[f.name])
              for f in fields(cls) if f.name in data}
        return cls(**kw)


def _price(values: list[str]) -> float | None:
    for v in values:
        try:
            return float(v.replace(",", "").replace("$", ""))
        except ValueError:
            continue
    return None


def _new_search(old: Slots, request: Request, vocabulary: CatalogVocabulary) -> Slots:
    phrase = request.type_phrase
    match = vocabulary.resolve(phrase) if phrase else None
    exact = match.exact if match else None
    return Slots(product_type=exact, category=vocabulary.types.get(exact) if exact else None, query=request.text,
                 type_phrase=phrase.lower(), related_types=match.related if match and not exact else (),
                 audience=old.audience, negated=request.negations.terms, excluded_brands=request.negations.brands,
                 quantities=request.quantities)


def _swap_words(query: str, old: tuple[str, ...], new: tuple[str, ...]) -> str:
    """The query with the old values of a refined attribute replaced by the new ones."""
    for value in old:
        query = re.sub(rf"\b{re.escape(value)}\b", " ", query, flags=re.I)
    return " ".join([*query.split(), *(v for v in new if v.lower() not in query.lower())])


def merge_slots(old: Slots, parse: Parse, vocabulary: CatalogVocabulary, *, refine: bool | None = None) -> Slots:
    """Fold one parse into the slots (rules in the module docstring). ``refine``: force (True) or forbid
    (False) reading the turn as a refinement of the current search; None decides from the words."""
    request = read_request(parse, vocabulary.written_negations)
    if refine is None:
        refine = not old.is_empty() and request.refines(old.type_phrase, parse.intent)
    s = old if refine else _new_search(old, request, vocabulary)
    if refine:
        s = replace(s, negated=tuple(dict.fromkeys(s.negated + request.negations.terms)),
                    excluded_brands=tuple(dict.fromkeys(s.excluded_brands + request.negations.brands)),
                    quantities=request.quantities or s.quantities)
    changes: dict = {}
    for etype, name in (("BRAND", "brands"), ("COLOR", "colors"), ("SIZE", "sizes")):
        vals = tuple(dict.fromkeys(v.lower() for v in parse.values(etype)))
        if vals:
            changes[name] = vals
    for etype, name in (("MATERIAL", "material"), ("AUDIENCE", "audience")):
        if parse.first(etype):
            changes[name] = parse.first(etype).lower()
    feats = tuple(v.lower() for v in parse.values("FEATURE"))
    if feats:
        changes["features"] = tuple(dict.fromkeys((s.features if refine else ()) + feats))
    if refine:
        query = s.query
        for name in ("brands", "colors", "sizes", "material", "audience", "features"):
            if name in changes:
                new, before = changes[name], getattr(s, name)
                as_tuple = (lambda v: v if isinstance(v, tuple) else ((v,) if v else ()))
                query = _swap_words(query, as_tuple(before), as_tuple(new))
        changes["query"] = " ".join([query, *(w for w in request.part_words if w not in query.lower().split())])
    changes.update(_price_changes(s, parse))
    return _drop_negated(replace(s, **changes), request.negations, vocabulary.brands)


def _drop_negated(s: Slots, negations: Negations, catalog_brands: frozenset[str]) -> Slots:
    """This turn's negated words undo what the search holds: "not ugg" excludes the brand UGG (one searched
    for, or any the catalog sells) instead of only pushing down titles that say "ugg"; "not too thick" /
    "not black" take "thick" / "black" out of the wanted features / colours and out of the query words."""
    if not negations.terms:
        return s
    keys = {brand_key(b): b for b in (*catalog_brands, *s.brands)}
    brands = tuple(keys[brand_key(t)] for t in negations.terms if brand_key(t) in keys)
    gone = {brand_key(b) for b in brands}

    def undone(value: str) -> bool:
        return negations.covers(value) or brand_key(value) in gone

    def keep(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v for v in values if not undone(v))

    dropped = tuple(v for v in (*s.brands, *s.colors, *s.features, s.material or "") if v and undone(v))
    return replace(s, brands=keep(s.brands), colors=keep(s.colors), features=keep(s.features),
                   material=None if s.material and undone(s.material) else s.material,
                   excluded_brands=tuple(dict.fromkeys(s.excluded_brands + brands)),
                   query=_swap_words(s.query, dropped, ()) if dropped else s.query)


def _price_changes(s: Slots, parse: Parse) -> dict:
    changes: dict = {}
    hi, lo = _price(parse.values("PRICE_MAX")), _price(parse.values("PRICE_MIN"))
    if hi is not None:
        changes["max_price"] = hi
        if s.min_price is not None and s.min_price > hi and lo is None:
            changes["min_price"] = None
    if lo is not None:
        changes["min_price"] = lo
        if s.max_price is not None and s.max_price < lo and hi is None:
            changes["max_price"] = None
    return changes


@dataclass(frozen=True)
class DialogueState:
    session_id: str
    user_id: str
    slots: Slots = Slots()
    shown: tuple[str, ...] = ()  # the last shown list, in order (references resolve against it)
    shown_all: tuple[str, ...] = ()  # everything shown for the current search (paging excludes these)
    cart: tuple[CartLine, ...] = ()
    focus_product: str | None = None
    focus_order: str | None = None
    pending: str = ""  # the intent waiting for an answer (e.g. "cancel_order" waiting for an order id)
    turns: int = 0
    handoffs: tuple[str, ...] = ()


def apply(state: DialogueState, event: Event) -> DialogueState:
    """The state after one event (the only way state changes)."""
    if isinstance(event, SlotsSet):
        return replace(state, slots=Slots.from_json(event.slots))
    if isinstance(event, ProductsShown):
        shown_all = state.shown_all + event.product_ids if not event.new_query else event.product_ids
        return replace(state, shown=event.product_ids, shown_all=tuple(dict.fromkeys(shown_all)))
    if isinstance(event, CartAdded):
        return replace(state, cart=_add_line(state.cart, event))
    if isinstance(event, FocusSet):
        return replace(state, focus_product=event.product_id or state.focus_product,
                       focus_order=event.order_id or state.focus_order)
    if isinstance(event, PendingSet):
        return replace(state, pending=event.intent)
    if isinstance(event, UserUttered):
        return replace(state, turns=state.turns + 1)
    if isinstance(event, HandoffCreated):
        return replace(state, handoffs=state.handoffs + (event.ticket_id,))
    if isinstance(event, (SessionStarted, BotUttered)):
        return state
    return state


def _add_line(cart: tuple[CartLine, ...], e: CartAdded) -> tuple[CartLine, ...]:
    lines = list(cart)
    for i, line in enumerate(lines):
        if line.product_id == e.product_id:
            lines[i] = replace(line, quantity=line.quantity + e.quantity)
            return tuple(lines)
    return tuple(lines) + (CartLine(e.product_id, e.title, e.price, e.quantity),)


def rebuild(session_id: str, user_id: str, events: Iterable[Event]) -> DialogueState:
    state = DialogueState(session_id=session_id, user_id=user_id)
    for e in events:
        state = apply(state, e)
    return state
