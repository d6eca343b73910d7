"""Plain-words reasons for a ranked item, from its score parts."""

from __future__ import annotations

from retrieval.product import Product
from retrieval.records import SearchFilters


def reasons(product: Product, parts: dict[str, float], *, new_arrival: bool, exploratory: bool,
            category_pref: float, brand_pref: float, filters: SearchFilters | None = None) -> tuple[str, ...]:
    out: list[str] = []
    if parts.get("relevance", 0.0) > 0.0:
        out.append("matches your request")
    if filters is not None and filters.max_price is not None:
        out.append("matches your price limit")
    if parts.get("affinity", 0.0) > 0.05:
        out.append("similar to items you liked")
    if brand_pref > 0.3:
        out.append(f"you like {product.brand}")
    elif category_pref > 0.3:
        out.append(f"you often shop {product.category}")
    if parts.get("sequential", 0.0) > 0.1:
        out.append("often chosen next by shoppers with a history like yours")
    if parts.get("popularity", 0.0) > 0.1:
        out.append("popular with other shoppers")
    if exploratory:
        out.append("new arrival we are exploring" if new_arrival else "something new we think you might like")
    if parts.get("diversity", 0.0) < 0.0 and not out:
        out.append("adds variety to the list")
    return tuple(out) or ("a good match for your request",)
