"""Find the products for a search request without ever doing worse than retrieval on the shopper's words.

1. Retrieve a pool for the request's own words (hybrid dense + lexical) under the filters that are
   always hard: in stock, price bounds, excluded ids and brands. A price bound selects among the products
   retrieved for the words, not among the whole catalog (``_search``).
2. Decide per constraint whether it is a hard filter or a boost (``constraints.py``), re-query with the
   hard ones the index can apply (type, brand) and keep the pool products that meet the rest.
3. Re-score: relevance + ``boost`` per soft constraint met - ``penalty`` per contradicted quantity
   ("4 person" for "2 person"); negated words are weighed by the search itself (retrieval/negation.py).
4. When the strict reading finds nothing in stock but finds products sold out, show those (``relaxed`` says
   "stock"). Else relax one hard constraint at a time, the one whose relaxation
   leaves the products that best fit the shopper's words (``_least_needed``), and say which were relaxed;
   a price bound is relaxed last. Nothing is shown only when retrieval
   itself finds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from assistant.dialogue.constraints import Constraint, constraints_of, excluded, quantity_conflicts
from assistant.dialogue.state import Slots
from assistant.records import Hit, SearchFilters
from assistant.settings import SearchTuning

log = logging.getLogger(__name__)

MIN_SIMILARITY = 0.3  # cosine of MiniLM: unrelated text scores ~0.1-0.2 against product descriptions


@dataclass(frozen=True)
class Found:
    hits: tuple[Hit, ...]
    relaxed: tuple[str, ...] = ()  # "colour purple", "under $50", ...
    hard: tuple[str, ...] = ()  # names of the constraints applied as filters
    corrected: tuple[tuple[str, str], ...] = ()  # typos the lexical side corrected
    filters: SearchFilters = SearchFilters()  # the index filters the hits satisfy (the ranker keeps them)


def retrieval_text(slots: Slots) -> str:
    """What retrieval searches for: the shopper's words, else what the slots say."""
    if slots.query.strip():
        return slots.query
    parts = [*slots.features, *slots.colors, slots.material or "", *slots.brands, slots.audience or "",
             slots.product_type or slots.type_phrase]
    return " ".join(p for p in parts if p).strip()


def base_filters(slots: Slots, exclude: tuple[str, ...], *, price: bool = True) -> SearchFilters:
    return SearchFilters(min_price=slots.min_price if price else None, max_price=slots.max_price if price else None,
                         in_stock=True, exclude_ids=exclude)


def _index_filters(base: SearchFilters, hard: list[Constraint], slots: Slots) -> SearchFilters:
    names = {c.name for c in hard}
    return replace(base, product_type=slots.product_type if "type" in names and slots.product_type else None,
                   brands=tuple(b for b in slots.brands) if "brand" in names else ())


def _search(index, slots: Slots, text: str, filters: SearchFilters, k: int):
    """A price bound picks among the ``k`` products retrieval finds for the words, never the nearest of
    whatever is cheap: "dog bowl under $5" with no such bowl relaxes the price (and says so) instead of
    showing a whisk and a card game (4 x ``k`` still let those in on the ESCI catalog)."""
    priced = filters.min_price is not None or filters.max_price is not None
    wide = replace(filters, min_price=None, max_price=None) if priced else filters
    result = index.search_detailed(text, wide, k, negated=slots.negated)
    hits = [h for h in result.hits if filters.matches(h.product)] if priced else list(result.hits)
    return hits, (result.lexical.corrected if result.lexical is not None else ())


def unrelated(index, text: str) -> bool:
    """Nothing in the catalog is about these words: no word of it is a catalog word (typos corrected) and
    its nearest product is far ("zxqv blorp fnarg"). Such a request is answered with a question, not junk."""
    if not text.strip() or index.coverage(text) > 0:
        return False
    nearest = index.dense.search(text, None, k=1)
    return not nearest or nearest[0].relevance < MIN_SIMILARITY


def _score(hits: list[Hit], slots: Slots, soft: list[Constraint], tuning: SearchTuning) -> list[Hit]:
    """Boost what meets the soft constraints; a title that contradicts an asked quantity ("4 Person Tent" for
    "tent for 2 people") is dropped when some title states the asked one, else only penalised."""
    asked = next((c for c in soft if c.name == "quantity"), None)
    drop_conflicts = asked is not None and any(asked.met(h.product) for h in hits)
    out = []
    for h in hits:
        p = h.product
        if excluded(slots, p) or (drop_conflicts and quantity_conflicts(slots, p)):
            continue
        bonus = tuning.boost * sum(1 for c in soft if c.met(p)) - tuning.penalty * quantity_conflicts(slots, p)
        out.append(Hit(p, h.relevance + bonus) if bonus else h)
    out.sort(key=lambda h: (-h.relevance, h.product.id))
    return out


@dataclass(frozen=True)
class _Attempt:
    hits: list[Hit]
    hard: list[Constraint]
    corrected: tuple
    filters: SearchFilters
    fit: float = 0.0  # retrieval relevance of the best product kept, before boosts (how well it fits the words)


def _attempt(index, slots: Slots, text: str, base: SearchFilters, constraints: list[Constraint],
             tuning: SearchTuning) -> _Attempt:
    pool, corrected = _search(index, slots, text, base, tuning.pool)
    products = [h.product for h in pool]
    hard = [c for c in constraints if c.hard_in(products, tuning.clean_share, tuning.type_share)]
    filters = base
    if any(c.name in ("type", "brand") for c in hard):
        filters = _index_filters(base, hard, slots)
        pool, corrected = _search(index, slots, text, filters, tuning.pool)
    kept = [h for h in pool if all(c.met(h.product) for c in hard)]
    soft = [c for c in constraints if c not in hard]
    fit = max((h.relevance for h in kept), default=0.0)
    return _Attempt(_score(kept, slots, soft, tuning), hard, corrected, filters, fit)


def _relaxing(constraints: list[Constraint], dropped: Constraint) -> list[Constraint]:
    return [replace(c, always_hard=False, never_hard=True) if c is dropped else c for c in constraints]


def _least_needed(index, slots: Slots, text: str, base: SearchFilters, constraints: list[Constraint],
                  hard: list[Constraint], tuning: SearchTuning) -> tuple[Constraint, _Attempt | None]:
    """The hard constraint to relax, and the search without it when it was already run: of those whose
    relaxation finds products, the one that leaves the products that fit the shopper's words best ("disney
    wired ribbon": without the brand, wired ribbons; without the type, Disney costumes); else the least
    certain (constraints are ordered least certain first)."""
    if len(hard) < 2:
        return hard[0], None
    tried = {id(c): _attempt(index, slots, text, base, _relaxing(constraints, c), tuning) for c in hard}
    found = [c for c in hard if tried[id(c)].hits]
    best = max(found, key=lambda c: tried[id(c)].fit) if found else hard[0]
    return best, tried[id(best)]


def _sold_out(index, slots: Slots, text: str, base: SearchFilters, constraints: list[Constraint],
              tuning: SearchTuning) -> Found | None:
    """What meets the whole request when none of it is in stock ("action figures" when the one the store sells
    is sold out): shown, marked out of stock, rather than other products in stock."""
    tried = _attempt(index, slots, text, replace(base, in_stock=None), constraints, tuning)
    if not tried.hits:
        return None
    return Found(tuple(tried.hits), ("stock",), tuple(c.name for c in tried.hard), tried.corrected, tried.filters)


def find(index, slots: Slots, catalog_brands: frozenset[str], exclude: tuple[str, ...] = (),
         tuning: SearchTuning = SearchTuning(), *, relax: bool = True) -> Found:
    """``relax=False`` for refinements ("cheaper", "more"): an empty answer is the answer there."""
    text = retrieval_text(slots)
    constraints = constraints_of(slots, catalog_brands)
    if not relax:  # a refinement of a search already shown: its type stays what it was
        constraints = [replace(c, always_hard=True) if c.name == "type" and slots.product_type else c
                       for c in constraints]
    base = base_filters(slots, exclude)
    relaxed: list[str] = []
    ahead: _Attempt | None = None  # the next search, when choosing what to relax already ran it
    while True:
        tried = ahead if ahead is not None else _attempt(index, slots, text, base, constraints, tuning)
        ahead = None
        if tried.hits:
            return Found(tuple(tried.hits), tuple(relaxed), tuple(c.name for c in tried.hard), tried.corrected,
                         tried.filters)
        if not relax:
            return Found((), (), tuple(c.name for c in tried.hard), tried.corrected, tried.filters)
        if not relaxed:
            sold_out = _sold_out(index, slots, text, base, constraints, tuning)
            if sold_out is not None:
                return sold_out
        if tried.hard:
            dropped, ahead = _least_needed(index, slots, text, base, constraints, tried.hard, tuning)
            constraints = _relaxing(constraints, dropped)
            relaxed.append(f"{dropped.name} {dropped.label}")
            continue
        if base.min_price is not None or base.max_price is not None:
            relaxed.append("price")
            base = base_filters(slots, exclude, price=False)
            continue
        return Found((), tuple(relaxed), (), tried.corrected, base)
