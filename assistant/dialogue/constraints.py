"""The constraints of a search request, each either a hard filter or a boost, and how a product meets them.

A constraint is HARD only when the shopper asked for it and the catalog carries that attribute cleanly:
- price bounds: always (a product without a listed price never passes one);
- brand: when the catalog sells that brand; "not from X": always (an exclusion);
- product type: when the shopper named one of the catalog's own types exactly and the catalog files what
  its titles call that under that type: at least ``type_share`` of the retrieved products whose title names
  the type have that type (a generated catalog's t-shirts are all "t-shirts"; a marketplace's
  sandals are spread over "heeled sandals", "flats", "sport sandals & slides", ...);
- colour, size, material, audience: when at least ``clean_share`` of the products retrieved for the
  request carry that attribute (a generated catalog does; a marketplace catalog mostly does not).
Everything else boosts: a product meeting it moves up, one that does not stays in the list.
Negated words ("without straw", "not too thick") are handled by the search itself (retrieval/negation.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.dialogue.request import quantity_phrases
from assistant.dialogue.state import Slots
from retrieval.catalog.colors import color_families
from retrieval.product import Product

AUDIENCE_WORDS = {
    "women": ("women", "womens", "woman", "ladies", "lady", "female", "girls"),
    "men": ("men", "mens", "man", "male", "gentlemen", "boys"),
    "kids": ("kids", "kid", "children", "child", "boys", "girls", "toddler", "toddlers", "youth", "baby", "babies"),
    "girls": ("girls", "girl", "kids", "toddler"),
    "boys": ("boys", "boy", "kids", "toddler"),
    "baby": ("baby", "babies", "infant", "newborn", "toddler"),
}
_WORDS = re.compile(r"[a-z0-9]+")
AUDIENCE_ALIASES = {"womens": "women", "woman": "women", "ladies": "women", "lady": "women", "female": "women",
                    "mens": "men", "man": "men", "male": "men", "gentlemen": "men", "kid": "kids", "children": "kids",
                    "child": "kids", "toddler": "kids", "toddlers": "kids", "youth": "kids", "girl": "girls",
                    "boy": "boys", "babies": "baby", "infant": "baby", "newborn": "baby"}


def audience_key(value: str) -> str:
    """"Women's" -> "women", "mens" -> "men", "toddler" -> "kids"."""
    low = re.sub(r"['’]", "", (value or "").lower()).strip()
    return AUDIENCE_ALIASES.get(low, low)


def words(text: str) -> set[str]:
    return set(_WORDS.findall(text.lower().replace("'", "")))


def _has_phrase(text_words: set[str], phrase: str) -> bool:
    ws = _WORDS.findall(phrase.lower())
    return bool(ws) and all(w in text_words or w.rstrip("s") in text_words or w + "s" in text_words for w in ws)


@dataclass(frozen=True)
class Constraint:
    """One thing the shopper asked for. ``carried`` tells whether a product states the attribute at all
    (for the clean-share rule); ``met`` whether it matches the request."""

    name: str  # "type", "brand", "colour", "size", "material", "audience"
    label: str  # for notes: "purple", "Nike", "slippers"
    met: Callable[[Product], bool]
    carried: Callable[[Product], bool]
    always_hard: bool = False
    never_hard: bool = False

    mentions: Callable[[Product], bool] | None = None  # a type: the product's title names it in words

    def hard_in(self, pool: Sequence[Product], clean_share: float, type_share: float = 0.5) -> bool:
        if self.always_hard or self.never_hard:
            return self.always_hard
        if not pool:
            return False
        if self.mentions is not None:  # a type filters where the catalog files what its titles name under it
            named = [p for p in pool if self.mentions(p)]
            return not named or sum(1 for p in named if self.met(p)) / len(named) >= type_share
        return sum(1 for p in pool if self.carried(p)) / len(pool) >= clean_share


def _colour_met(colours: tuple[str, ...]) -> Callable[[Product], bool]:
    wanted = [c.lower() for c in colours]
    families = set(color_families(colours))

    def met(p: Product) -> bool:
        if families & set(p.color_families):
            return True
        have = words(" ".join(p.colors))
        return any(_has_phrase(have, c) for c in wanted)
    return met


def _audience_met(audience: str) -> Callable[[Product], bool]:
    key = audience_key(audience)
    accepted = set(AUDIENCE_WORDS.get(key, (key,)))

    def met(p: Product) -> bool:
        if p.audience:
            return audience_key(p.audience) in accepted | {key, "unisex"}
        return bool(words(p.title) & accepted)
    return met


def constraints_of(slots: Slots, catalog_brands: frozenset[str]) -> list[Constraint]:
    """The request's constraints, least certain first (the order they are relaxed in)."""
    out: list[Constraint] = []
    if slots.quantities:
        wanted = set(slots.quantities)
        out.append(Constraint("quantity", ", ".join(slots.quantities),
                              lambda p: bool(wanted & set(quantity_phrases(p.title))), lambda p: True, never_hard=True))
    if slots.material:
        m = slots.material
        out.append(Constraint("material", m, lambda p: _has_phrase(words(f"{p.material or ''} {p.title}"), m),
                              lambda p: bool(p.material)))
    if slots.sizes:
        sizes = {s.lower() for s in slots.sizes}
        out.append(Constraint("size", ", ".join(slots.sizes), lambda p: bool({x.lower() for x in p.sizes} & sizes),
                              lambda p: bool(p.sizes)))
    if slots.colors:
        out.append(Constraint("colour", " or ".join(slots.colors), _colour_met(slots.colors), lambda p: bool(p.colors)))
    if slots.audience and audience_key(slots.audience) != "unisex":
        out.append(Constraint("audience", slots.audience, _audience_met(slots.audience), lambda p: bool(p.audience)))
    if slots.product_type:
        t = slots.product_type
        phrase = slots.type_phrase or t
        out.append(Constraint("type", t, lambda p: p.product_type.lower() == t, lambda p: True,
                              mentions=lambda p: _has_phrase(words(p.title), phrase)))
    elif slots.related_types:
        related = set(slots.related_types)
        out.append(Constraint("type", slots.type_phrase, lambda p: p.product_type.lower() in related, lambda p: True,
                              never_hard=True))
    carried = tuple(b for b in slots.brands if b in catalog_brands)
    if carried:
        out.append(Constraint("brand", " or ".join(b.title() for b in carried),
                              lambda p: p.brand.lower() in carried, lambda p: True, always_hard=True))
    return out


def quantity_conflicts(slots: Slots, p: Product) -> int:
    """How many asked quantities the title contradicts ("4 person" when "2 person" was asked)."""
    if not slots.quantities:
        return 0
    have = quantity_phrases(p.title)
    conflicts = 0
    for q in slots.quantities:
        unit = q.split(" ", 1)[1]
        same_unit = [h for h in have if h.split(" ", 1)[1] == unit]
        conflicts += bool(same_unit) and q not in same_unit
    return conflicts


def excluded(slots: Slots, p: Product) -> bool:
    return bool(slots.excluded_brands) and p.brand.lower() in slots.excluded_brands
