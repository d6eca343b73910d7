"""The real esci-shop catalog imported with ``--format esci`` and indexed into a real Chroma (skips without the data).

The sample is the first 300 lines of ../shared/data/esci-shop/products.jsonl, read at test time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.catalog.feeds import read_feed
from retrieval.catalog.importers import import_source
from retrieval.chroma_client import open_client
from retrieval.index import ProductIndex
from retrieval.records import SearchFilters
from retrieval.where import where_clause
from tests.conftest import shared_dataset

SAMPLE = 300


@pytest.fixture(scope="module")
def esci_file() -> Path:
    return shared_dataset("esci-shop") / "products.jsonl"


@pytest.fixture(scope="module")
def sample_path(esci_file, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("esci") / "products.jsonl"
    with open(esci_file, encoding="utf-8") as src:
        path.write_text("".join(next(src) for _ in range(SAMPLE)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample(sample_path):
    result = read_feed(sample_path, "esci")
    assert not result.errors
    return result.products


@pytest.fixture(scope="module")
def raw(sample_path) -> dict[str, dict]:
    rows = [json.loads(line) for line in sample_path.read_text(encoding="utf-8").splitlines()]
    return {r["asin"]: r for r in rows}


@pytest.fixture(scope="module")
def esci_index(tmp_path_factory, embedder, sample):
    index = ProductIndex(open_client(tmp_path_factory.mktemp("esci_index") / "chroma"), embedder, collection="products")
    index.upsert(sample)
    return index


def test_sample_imports_every_row_with_the_documented_mapping(sample, raw):
    assert len(sample) == SAMPLE
    unpriced = [p for p in sample if p.price is None]
    assert unpriced and len(unpriced) == sum(r["price"] is None for r in raw.values())  # a missing price is no bad row
    for p in sample:
        r = raw[p.id]
        assert p.title == r["title"].strip() and p.product_type and p.display_name
        if r["category"]:
            assert p.category == r["category"][0]  # the breadcrumb root
        assert "<" not in p.description or "<" in r["bullet_points"]  # HTML stripped (bullets are plain text)
        assert p.colors == ((r["color"].strip(),) if r["color"] else ())  # as written
        first_bullet = r["bullet_points"].split("\n")[0].strip()
        assert not first_bullet or f"- {' '.join(first_bullet.split())}" in p.description  # bullets folded in
    mattress = next(p for p in sample if p.id == "B0777K9RGX")
    assert (mattress.category, mattress.product_type) == ("Home & Kitchen", "mattresses")


def test_whole_file_imports_without_a_bad_row(esci_file):
    result = import_source("esci-shop", data_dir=esci_file.parent.parent)
    assert not result.errors and len(result.products) == len({p.id for p in result.products}) == 6764
    assert sum(p.price is None for p in result.products) == 4774
    assert all(p.product_type for p in result.products)


def test_every_product_is_searchable(esci_index, sample):
    assert esci_index.count() == SAMPLE
    assert {p.id for p in esci_index.get([p.id for p in sample])} == {p.id for p in sample}
    unpriced = [p for p in sample if p.price is None][:5]
    for p in unpriced:
        assert p.id in [h.product.id for h in esci_index.search(p.title, k=10)]
    assert esci_index.get([unpriced[0].id])[0].price is None


@pytest.mark.parametrize("filters", [SearchFilters(max_price=1e9), SearchFilters(min_price=0)], ids=["max", "min"])
def test_price_filters_exclude_unpriced_products(esci_index, sample, filters):
    priced = {p.id for p in sample if p.price is not None}
    stored = esci_index._col.get(where=where_clause(filters), include=[])  # the Chroma clause on its own
    assert set(stored["ids"]) == priced
    hits = esci_index.search("shoes", filters, k=SAMPLE)
    assert hits and all(h.product.price is not None for h in hits)
    assert any(h.product.price is None for h in esci_index.search("shoes", k=SAMPLE))


def test_colour_filter_matches_by_family_in_chroma(esci_index, sample):
    filters = SearchFilters(colors=("navy",))  # blue family
    expected = {p.id for p in sample if "blue" in p.color_families}
    assert len(expected) > 3
    assert any(p.colors[0].lower() != "blue" for p in sample if p.id in expected)  # "Navy", "Royal Blue", ...
    stored = esci_index._col.get(where=where_clause(filters), include=[])
    assert set(stored["ids"]) == expected == {p.id for p in sample if filters.matches(p)}
