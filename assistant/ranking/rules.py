"""Hard rules: never a bought non-consumable (it may come back once returned), never an item that breaks
the request's hard filters, never an item the user asked to get away from."""

from __future__ import annotations

from retrieval.records import Hit, SearchFilters


def eligible(hits: list[Hit], purchased: set[str], avoid: tuple[str, ...] = (),
             filters: SearchFilters | None = None) -> list[Hit]:
    """The hits that may be shown, in their original order, one per product id."""
    avoid_set = set(avoid)
    seen: set[str] = set()
    out = []
    for h in hits:
        p = h.product
        if p.id in seen or p.id in avoid_set:
            continue
        if p.id in purchased and not p.consumable:
            continue
        if filters is not None and not filters.matches(p):
            continue
        seen.add(p.id)
        out.append(h)
    return out
