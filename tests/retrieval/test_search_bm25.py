"""The SearchFilters -> Chroma `where` mapping (no model needed)."""

from __future__ import annotations

from retrieval.product import Product
from retrieval.records import SearchFilters
from retrieval.where import index_hash, product_document, product_from_record, product_metadata, where_clause

def test_where_clause_shapes():
    assert where_clause(None) is None and where_clause(SearchFilters()) is None
    assert where_clause(SearchFilters(category="Footwear")) == {"category": {"$eq": "footwear"}}
    clause = where_clause(SearchFilters(brands=("A", "b"), colors=("Black", "RED"), max_price=50, exclude_ids=("x",)))
    assert clause == {"$and": [
        {"brand": {"$in": ["a", "b"]}},
        {"$or": [{"colors": {"$contains": "black"}}, {"colors": {"$contains": "red"}}]},
        {"price": {"$lte": 50.0}},
        {"pid": {"$nin": ["x"]}},
    ]}


def test_metadata_round_trip_and_hash():
    p = Product("p1", "T", "D", "Footwear", "Hiking Boots", "TrailMax", 99.5, colors=("Black", "brown"), features=("waterproof",))
    meta = product_metadata(p)
    assert meta["brand"] == "trailmax" and meta["colors"] == ["black", "brown"] and meta["price"] == 99.5
    assert product_from_record(product_document(p), meta) == p  # the record is the document, not metadata
    assert "colors" not in product_metadata(Product("p2", "T", "D", "c", "t", "b", 1.0))  # Chroma refuses empty lists
    assert index_hash(p) != index_hash(Product("p1", "T", "D", "Footwear", "Hiking Boots", "TrailMax", 99.0))
