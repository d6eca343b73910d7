"""The typed Product record shared by every stage."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields

from retrieval.catalog.colors import color_families


@dataclass(frozen=True)
class Product:
    id: str
    title: str
    description: str
    category: str
    product_type: str
    brand: str
    price: float | None  # None: the catalog lists no price (shown as "price not listed", never passes a price filter)
    currency: str = "USD"
    colors: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    material: str | None = None
    audience: str | None = None  # men, women, kids, unisex, ...
    features: tuple[str, ...] = ()
    rating: float = 0.0
    review_count: int = 0
    in_stock: bool = True
    created_at: str = "2026-01-01T00:00:00Z"  # ISO 8601 UTC
    consumable: bool = False
    display_name: str = ""  # short name for replies ("UGG Scuffette II slipper"); derived at import, "" = title

    @property
    def name(self) -> str:
        """What replies call the product: the derived display name, else the title."""
        return self.display_name or self.title

    @property
    def color_families(self) -> tuple[str, ...]:
        """Basic colour families of ``colors`` ("Navy Blue/White" -> blue, white); colour filters match on these."""
        return color_families(self.colors)

    @property
    def price_text(self) -> str:
        """The price for a reply or a table: "$19.99" (or "19.99 EUR"), or "price not listed"."""
        return format_price(self.price, self.currency)

    def to_dict(self) -> dict:
        d = asdict(self)
        for k in ("colors", "sizes", "features"):
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Product":
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        for k in ("colors", "sizes", "features"):
            if k in kw and kw[k] is not None:
                kw[k] = tuple(kw[k])
        return cls(**kw)

    def content_hash(self) -> str:
        """Hash of everything that goes into the index (text and metadata)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]

    def embedding_text(self) -> str:
        parts = [self.title, f"{self.brand} {self.product_type}", self.description]
        if self.features:
            parts.append("Features: " + ", ".join(self.features))
        if self.colors:
            parts.append("Colors: " + ", ".join(self.colors))
        if self.material:
            parts.append(f"Material: {self.material}")
        if self.audience:
            parts.append(f"For: {self.audience}")
        return ". ".join(parts)


def format_price(price: float | None, currency: str = "USD") -> str:
    """"$19.99" for USD, "19.99 EUR" otherwise, "price not listed" when there is no price."""
    if price is None:
        return PRICE_NOT_LISTED
    return f"${price:.2f}" if currency.upper() == "USD" else f"{price:.2f} {currency.upper()}"


PRICE_NOT_LISTED = "price not listed"
