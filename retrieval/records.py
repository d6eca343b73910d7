"""Records of the retrieval layer: the hard filters of a request and a retrieval hit."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.catalog.colors import color_families
from retrieval.product import Product


@dataclass(frozen=True)
class SearchFilters:
    """Hard filters of a product request; every shown product must satisfy all of them.

    ``brands`` match if the product has any one of the listed values (case-insensitive); ``colors`` match
    by colour family (``retrieval.catalog.colors``: "navy" finds "Navy Blue/White" and "Royal Blue").
    A product without a price fails any price bound.
    """

    category: str | None = None
    product_type: str | None = None
    brands: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    min_price: float | None = None
    max_price: float | None = None
    in_stock: bool | None = None
    exclude_ids: tuple[str, ...] = ()

    def matches(self, p: Product) -> bool:
        """The reference semantics; the Chroma ``where`` clause must agree with it."""
        if self.category and p.category.lower() != self.category.lower():
            return False
        if self.product_type and p.product_type.lower() != self.product_type.lower():
            return False
        if self.brands and p.brand.lower() not in {b.lower() for b in self.brands}:
            return False
        if self.colors and not set(p.color_families) & set(color_families(self.colors)):
            return False
        if (self.min_price is not None or self.max_price is not None) and p.price is None:
            return False  # a product without a price never passes a price filter
        if self.min_price is not None and p.price < self.min_price:
            return False
        if self.max_price is not None and p.price > self.max_price:
            return False
        if self.in_stock is not None and p.in_stock != self.in_stock:
            return False
        return p.id not in self.exclude_ids


@dataclass(frozen=True)
class Hit:
    """A retrieval result: a product and its request relevance (cosine similarity, higher is better)."""

    product: Product
    relevance: float
