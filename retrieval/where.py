"""Map SearchFilters to a Chroma ``where`` clause, and products to the flat metadata it filters on.

Metadata scheme (one product = one record):
  category, product_type, brand  lowercased strings (filters are case-insensitive)
  price, rating                  floats
  review_count                   int
  in_stock                       bool
  created_at                     ISO 8601 string
  colors                         non-empty list of lowercased colours, omitted when the product has none
                                 ("any of these colours" = ``$or`` of ``$contains``; chromadb >= 1.5 arrays)
  pid                            the product id (for ``$nin`` exclusions)
  content_hash                   index_hash(p) (scheme version + Product.content_hash()); written in the same upsert as the embedding
  product_json                   the full Product as JSON, so hits are real Products
"""

from __future__ import annotations

import json
from typing import Any

from retrieval.product import Product
from retrieval.records import SearchFilters

HASH_KEY = "content_hash"
JSON_KEY = "product_json"
SCHEMA_VERSION = "1"  # bump when this metadata scheme changes: every product is then re-indexed


def index_hash(p: Product) -> str:
    """What the index records per product: the content hash, tied to this metadata scheme."""
    return f"v{SCHEMA_VERSION}:{p.content_hash()}"


def product_metadata(p: Product) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "pid": p.id,
        "category": p.category.lower(),
        "product_type": p.product_type.lower(),
        "brand": p.brand.lower(),
        "price": float(p.price),
        "rating": float(p.rating),
        "review_count": int(p.review_count),
        "in_stock": bool(p.in_stock),
        "created_at": p.created_at,
        HASH_KEY: index_hash(p),
        JSON_KEY: json.dumps(p.to_dict(), ensure_ascii=False, sort_keys=True),
    }
    colors = sorted({c.lower() for c in p.colors if c})
    if colors:
        meta["colors"] = colors
    return meta


def product_from_metadata(meta: dict[str, Any]) -> Product:
    return Product.from_dict(json.loads(meta[JSON_KEY]))


def _any_of(key: str, values: list[str], op: str) -> dict[str, Any]:
    if op == "$contains":
        clauses = [{key: {"$contains": v}} for v in values]
        return clauses[0] if len(clauses) == 1 else {"$or": clauses}
    return {key: {"$eq": values[0]}} if len(values) == 1 else {key: {"$in": values}}


def _lowered(values: tuple[str, ...]) -> list[str]:
    return sorted({v.lower() for v in values if v})


def where_clause(filters: SearchFilters | None) -> dict[str, Any] | None:
    """The Chroma ``where`` equivalent of ``filters.matches`` (None when nothing is filtered)."""
    if filters is None:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.category:
        clauses.append({"category": {"$eq": filters.category.lower()}})
    if filters.product_type:
        clauses.append({"product_type": {"$eq": filters.product_type.lower()}})
    brands = _lowered(filters.brands)
    if brands:
        clauses.append(_any_of("brand", brands, "$in"))
    colors = _lowered(filters.colors)
    if colors:
        clauses.append(_any_of("colors", colors, "$contains"))
    if filters.min_price is not None:
        clauses.append({"price": {"$gte": float(filters.min_price)}})
    if filters.max_price is not None:
        clauses.append({"price": {"$lte": float(filters.max_price)}})
    if filters.in_stock is not None:
        clauses.append({"in_stock": {"$eq": bool(filters.in_stock)}})
    if filters.exclude_ids:
        clauses.append({"pid": {"$nin": sorted(set(filters.exclude_ids))}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
