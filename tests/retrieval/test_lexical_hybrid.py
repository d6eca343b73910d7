"""BM25 (bm25s) over products, typo correction, and the dense + lexical fusion (real Chroma, real MiniLM)."""

from __future__ import annotations

import pytest

from retrieval.hybrid import HybridIndex
from retrieval.lexical import LexicalIndex
from retrieval.product import Product
from retrieval.records import SearchFilters


def _p(pid: str, title: str, brand: str = "Acme", ptype: str = "mats", price: float | None = 20.0, desc: str = "") -> Product:
    return Product(id=pid, title=title, description=desc, category="sports", product_type=ptype, brand=brand, price=price)


PRODUCTS = [
    _p("a", "Purple Yoga Mat, Extra Thick", desc="non slip exercise mat"),
    _p("b", "Travel Yoga Mat 1/16 inch", brand="Gaiam", desc="thin foldable mat"),
    _p("c", "Sony WH-1000XM4 Wireless Headphones", brand="Sony", ptype="headphones", price=None),
    _p("d", "1/2 Inch Binder, 3 Ring", brand="Avery", ptype="binders", desc="office binder"),
    _p("e", "Kitchen Towels, Set of 6", brand="Utopia", ptype="kitchen towels", desc="cotton dish towels"),
]


@pytest.fixture(scope="module")
def lexical():
    return LexicalIndex.build(PRODUCTS)


def test_bm25_ranks_words_model_numbers_and_short_tokens(lexical):
    top = lambda q: max(lexical.scores(q).items(), key=lambda kv: kv[1])[0]
    assert top("yoga mat thick") == "a"
    assert top("wh1000xm4") == "c" and top("wh-1000xm4") == "c"  # model number joined or split
    assert top("1/2 inch binder") == "d"
    assert top("t towels kitchen") == "e"
    assert lexical.scores("zzzz qqqq") == {}


def test_typos_are_corrected_to_catalog_words(lexical):
    match = lexical.match("purpel yoga mta")
    assert ("purpel", "purpl") in match.corrected and "purpl" in match.tokens
    assert max(lexical.scores("purpel yoga mat").items(), key=lambda kv: kv[1])[0] == "a"
    assert lexical.best_cover("purpel yoga mat") == 1.0
    assert lexical.best_cover("purple monkey dishwasher") < 0.5


@pytest.fixture(scope="module")
def hybrid(tmp_path_factory, embedder):
    from retrieval.chroma_client import open_client
    from retrieval.index import ProductIndex

    dense = ProductIndex(open_client(tmp_path_factory.mktemp("hybrid") / "chroma"), embedder, collection="hybrid-test")
    dense.upsert(PRODUCTS)
    return HybridIndex.build(dense, PRODUCTS)


def test_hybrid_fuses_and_keeps_filters(hybrid):
    hits = hybrid.search("sony wh1000xm4", None, k=3)
    assert hits[0].product.id == "c"
    assert all(hits[i].relevance >= hits[i + 1].relevance for i in range(len(hits) - 1))
    priced = hybrid.search("sony wh1000xm4", SearchFilters(max_price=100.0), k=5)
    assert "c" not in {h.product.id for h in priced}  # no listed price: never passes a price filter
    assert all(SearchFilters(max_price=100.0).matches(h.product) for h in priced)


def test_dense_weight_one_is_plain_dense(hybrid):
    dense_only = HybridIndex(hybrid.dense, hybrid.lexical, dense_weight=1.0)
    assert [h.product.id for h in dense_only.search("thin travel mat", None, k=5)] == \
        [h.product.id for h in hybrid.dense.search("thin travel mat", None, k=5)]
    with pytest.raises(ValueError):
        HybridIndex(hybrid.dense, hybrid.lexical, dense_weight=1.5)
