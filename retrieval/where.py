"""Map SearchFilters to a Chroma ``where`` clause, and products to the flat metadata it filters on.

Metadata scheme (one product = one record):
  category, product_type, brand  lowercased strings (filters are case-insensitive)
  price, rating                  floats; price omitted when the product has none (so it fails every price filter)
  review_count                   int
  in_stock                       bool
  created_at                     ISO 8601 string
  colors                         non-empty list of the product's colour families (retrieval.catalog.colors),
                                 omitted when the product has none; filter colours are mapped to families too
                                 ("any of these colours" = ``$or`` of ``$contains``; chromadb >= 1.5 arrays)
  pid                            the product id (for ``$nin`` exclusions)
  content_hash                   index_hash(p) (scheme version + Product.content_hash()); written in the same upsert as the embedding

The full Product (JSON, ``product_document``) is the Chroma *document* of the record, not metadata: the
bulky text stays out of the metadata that filters and column loads read, while one ``upsert`` still
writes embedding, record, metadata and hash together (retrieval/index.py relies on that). Search filters
run in memory over these fields (retrieval/columns.py); ``where_clause`` is the equivalent Chroma filter.
"""

from __future__ import annotations

import json
from typing import Any

from retrieval.catalog.colors import color_families
from retrieval.product import Product
from retrieval.records import SearchFilters

HASH_KEY = "content_hash"
SCHEMA_VERSION = "3"  # bump when this metadata scheme changes: every product is then re-indexed


def index_hash(p: Product) -> str:
    """What the index records per product: the content hash, tied to this metadata scheme."""
    return f"v{SCHEMA_VERSION}:{p.content_hash()}"


def product_metadata(p: Product) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "pid": p.id,
        "category": p.category.lower(),
        "product_type": p.product_type.lower(),
        "brand": p.brand.lower(),
        "rating": float(p.rating),
        "review_count": int(p.review_count),
        "in_stock": bool(p.in_stock),
        "created_at": p.created_at,
        HASH_KEY: index_hash(p),
    }
    if p.price is not None:  # Chroma metadata holds no None: an unpriced product has no price key
        meta["price"] = float(p.price)
    families = sorted(p.color_families)
    if families:
        meta["colors"] = families
    return meta


def product_document(p: Product) -> str:
    """The stored record of a product (its Chroma document): the full Product as JSON."""
    return json.dumps(p.to_dict(), ensure_ascii=False, sort_keys=True)


LEGACY_JSON_KEY = "product_json"  # schemes 1-2 kept the record in the metadata


def product_from_record(doc: str | None, meta: dict[str, Any] | None) -> Product:
    """The Product of a stored record; records written by schemes 1-2 (record in the metadata, embedding
    text as the document) are still read, so an old store serves until `shopbot index` rewrites it."""
    if meta and LEGACY_JSON_KEY in meta:
        return Product.from_dict(json.loads(meta[LEGACY_JSON_KEY]))
    return Product.from_dict(json.loads(doc or "{}"))


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
    colors = sorted(color_families(filters.colors))
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
