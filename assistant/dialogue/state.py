"""Dialogue state: search slots merged across turns, the last shown list, the cart, what the bot waits for.

Merge rules (``merge_slots``):
- A PRODUCT_TYPE different from the current one starts a new search: every slot is reset except
  ``audience`` (who the shopper buys for usually stays), then the new entities apply.
- Otherwise entities refine: a new value of brands / colours / sizes / material / audience replaces the
  old one ("in black" then "in red" -> red); features accumulate ("waterproof" + "lightweight");
  PRICE_MAX / PRICE_MIN replace their bound, and a bound contradicting the other one drops the other.
- Product types known to the catalog vocabulary become the ``product_type`` (and ``category``) filter;
  unknown ones only go into the free-text ``query``.
- "cheaper" sets ``max_price`` just below the CHEAPEST product shown so far (see shopping flow), so every
  new product is cheaper than every one shown before.

The state is rebuilt from the session's events (``rebuild``); only events are stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace

from assistant.events import (BotUttered, CartAdded, Event, FocusSet, HandoffCreated, PendingSet, ProductsShown,
                              SessionStarted, SlotsSet, UserUttered)
from assistant.protocol import CartLine
from assistant.records import Parse


@dataclass(frozen=True)
class Slots:
    product_type: str | None = None
    category: str | None = None
    query: str = ""  # free text for product types the catalog does not know
    brands: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    material: str | None = None
    features: tuple[str, ...] = ()
    audience: str | None = None
    min_price: float | None = None
    max_price: float | None = None

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


def resolve_type(value: str, type_to_category: Mapping[str, str]) -> str | None:
    """The catalog's spelling of a product type ("running shoe" -> "running shoes"), or None if unknown."""
    v = " ".join(value.lower().split())
    for cand in (v, v + "s", v + "es", v[:-1] if v.endswith("s") else v, v[:-2] if v.endswith("es") else v):
        if cand in type_to_category:
            return cand
    return None


def _price(values: list[str]) -> float | None:
    for v in values:
        try:
            return float(v.replace(",", "").replace("$", ""))
        except ValueError:
            continue
    return None


def _new_search(old: Slots, ptype_value: str, type_to_category: Mapping[str, str]) -> Slots:
    ptype = resolve_type(ptype_value, type_to_category)
    if ptype:
        return Slots(product_type=ptype, category=type_to_category[ptype], audience=old.audience)
    return Slots(query=ptype_value.lower(), audience=old.audience)


def merge_slots(old: Slots, parse: Parse, type_to_category: Mapping[str, str]) -> Slots:
    """Fold the entities of one parse into the slots (rules in the module docstring)."""
    s = old
    ptype_value = parse.first("PRODUCT_TYPE")
    if ptype_value:
        known = resolve_type(ptype_value, type_to_category)
        if (known or ptype_value.lower()) not in (old.product_type, old.query):
            s = _new_search(old, ptype_value, type_to_category)
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
        changes["features"] = tuple(dict.fromkeys(s.features + feats))
    hi, lo = _price(parse.values("PRICE_MAX")), _price(parse.values("PRICE_MIN"))
    if hi is not None:
        changes["max_price"] = hi
        if s.min_price is not None and s.min_price > hi and lo is None:
            changes["min_price"] = None
    if lo is not None:
        changes["min_price"] = lo
        if s.max_price is not None and s.max_price < lo and hi is None:
            changes["max_price"] = None
    return replace(s, **changes)


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
