"""Search that never makes retrieval worse: soft attributes, negation, relaxation, request words (real Chroma)."""

from __future__ import annotations

import pytest

from assistant.dialogue.finder import find, unrelated
from retrieval.negation import split_negations
from assistant.dialogue.request import reads_as_query, read_request
from assistant.dialogue.state import Slots
from assistant.records import Entity, Parse
from assistant.settings import SearchTuning
from retrieval.product import Product


def _p(pid, title, ptype="yoga mats", brand="Gaiam", colors=("Black",), price=25.0, audience=None, desc=""):
    return Product(id=pid, title=title, description=desc or title, category="sports", product_type=ptype, brand=brand,
                   price=price, colors=colors, audience=audience)


PRODUCTS = [
    _p("m1", "Extra Thick Yoga Mat", colors=("Purple",)),
    _p("m2", "Thin Travel Yoga Mat", colors=("Navy Blue",)),
    _p("m3", "Classic Yoga Mat", brand="Urbanstep", colors=("Lavender",)),
    _p("m4", "Cork Yoga Mat", colors=("Brown",), price=None),
    _p("m5", "Rubber Yoga Mat for Hot Yoga", colors=("Black",)),
    _p("m6", "Kids Yoga Mat with Animals", colors=("Yellow",)),
    _p("b1", "Kids Water Bottle with Straw", ptype="water bottles", brand="Owala", colors=("Pink",)),
    _p("b2", "Toddler Water Bottle, Spout Lid", ptype="water bottles", brand="Owala", colors=("Blue",)),
    _p("b3", "Insulated Water Bottle with Straw Lid", ptype="water bottles", brand="Hydro", colors=("Black",)),
    _p("t4", "Family Camping Tent, 4 Person, Waterproof", ptype="tents", brand="Coleman", colors=("Green",)),
    _p("t2", "Backpacking Tent for 2 Person", ptype="tents", brand="Kelty", colors=("Orange",)),
]
BRANDS = frozenset(p.brand.lower() for p in PRODUCTS)


@pytest.fixture(scope="module")
def index(tmp_path_factory, embedder):
    from retrieval.chroma_client import open_client
    from retrieval.hybrid import HybridIndex
    from retrieval.index import ProductIndex

    dense = ProductIndex(open_client(tmp_path_factory.mktemp("finder") / "chroma"), embedder, collection="finder-test")
    dense.upsert(PRODUCTS)
    return HybridIndex.build(dense, PRODUCTS)


def ids(found):
    return [h.product.id for h in found.hits]


def test_negation_pushes_down_and_excludes_brands(index):
    thick_first = find(index, Slots(query="yoga mat thick"), BRANDS)
    assert ids(thick_first)[0] == "m1"
    not_thick = find(index, Slots(query="yoga mat", negated=("thick",)), BRANDS)
    assert ids(not_thick)[0] != "m1" and "m1" in ids(not_thick)  # pushed down, still there
    no_straw = find(index, Slots(query="toddler water bottle", negated=("straw",)), BRANDS)
    assert ids(no_straw)[0] == "b2"
    not_urbanstep = find(index, Slots(query="yoga mat", excluded_brands=("urbanstep",)), BRANDS)
    assert "m3" not in ids(not_urbanstep)


def test_colours_match_by_family_and_relax_when_nothing_matches(index):
    purple = find(index, Slots(query="yoga mat purple", product_type="yoga mats", colors=("purple",)), BRANDS)
    assert set(ids(purple)) == {"m1", "m3"} and purple.relaxed == ()  # lavender is purple
    green = find(index, Slots(query="yoga mat green", product_type="yoga mats", colors=("green",)), BRANDS)
    assert green.hits and any(r.startswith("colour") for r in green.relaxed)


def test_the_constraint_relaxed_is_the_one_whose_products_fit_the_words(index):
    """No Owala tent: without the brand the tents fit "owala camping tent"; without the type, Owala's water
    bottles would not (the type is the less certain constraint, so it used to go first)."""
    found = find(index, Slots(query="owala camping tent", product_type="tents", brands=("owala",)), BRANDS)
    assert found.relaxed == ("brand Owala",)
    assert {h.product.product_type for h in found.hits[:2]} == {"tents"}


def test_price_bounds_hold_and_unpriced_products_never_pass(index):
    cheap = find(index, Slots(query="yoga mat", max_price=30.0), BRANDS)
    assert cheap.hits and all(h.product.price is not None and h.product.price <= 30 for h in cheap.hits)
    none = find(index, Slots(query="yoga mat", max_price=5.0), BRANDS)
    assert none.hits and none.relaxed == ("price",)  # nothing that cheap: the limit is relaxed, and said


def test_a_price_bound_picks_among_what_the_words_find(tmp_path, embedder):
    """Only what retrieval finds for the words can pass a price bound: with no tent that cheap among them, the
    price is relaxed (and said), never the nearest cheap thing of any kind shown instead."""
    from retrieval.chroma_client import open_client
    from retrieval.hybrid import HybridIndex
    from retrieval.index import ProductIndex

    cheap = [_p("w1", "Stainless Steel Mini Whisk", ptype="whisks", brand="HIC", price=4.5),
             _p("c1", "Party Card Game Expansion Pack", ptype="games", brand="CAH", price=5.0)]
    products = PRODUCTS + cheap
    dense = ProductIndex(open_client(tmp_path / "chroma"), embedder, collection="finder-price")
    dense.upsert(products)
    index = HybridIndex.build(dense, products)
    tents = find(index, Slots(query="camping tent", max_price=6.0), BRANDS, tuning=SearchTuning(pool=5))
    assert tents.relaxed == ("price",) and {h.product.product_type for h in tents.hits} >= {"tents"}
    assert not {"w1", "c1"} & set(ids(tents))
    whisk = find(index, Slots(query="whisk", max_price=6.0), BRANDS, tuning=SearchTuning(pool=5))
    assert ids(whisk)[0] == "w1" and whisk.relaxed == ()


def test_what_matches_but_is_sold_out_is_shown_before_anything_is_relaxed(tmp_path, embedder):
    """The one kayak is sold out: it is shown (marked by ``relaxed == ("stock",)``), not yoga mats in stock."""
    from dataclasses import replace

    from retrieval.chroma_client import open_client
    from retrieval.hybrid import HybridIndex
    from retrieval.index import ProductIndex

    kayak = replace(_p("k1", "Inflatable Kayak for Two", ptype="kayaks", brand="Intex"), in_stock=False)
    products = PRODUCTS + [kayak]
    dense = ProductIndex(open_client(tmp_path / "chroma"), embedder, collection="finder-stock")
    dense.upsert(products)
    index = HybridIndex.build(dense, products)
    found = find(index, Slots(query="kayak", product_type="kayaks"), BRANDS)
    assert ids(found) == ["k1"] and found.relaxed == ("stock",)
    assert find(index, Slots(query="yoga mat", product_type="yoga mats"), BRANDS).relaxed == ()


def test_typos_and_unrelated_words(index):
    typo = find(index, Slots(query="yoga mats in purpel"), BRANDS)
    assert ids(typo)[0] in ("m1", "m3") and ("purpel", "purpl") in typo.corrected
    assert unrelated(index, "zxqv blorp fnarg") and not unrelated(index, "yoga mat")


def test_a_not_the_catalog_writes_inside_a_name_is_no_negation():
    from retrieval.negation import written_negations

    names = written_negations(["BiteNot Collar, 6\" W x 27\" L", "Forget-Me-Not Flower Seeds", "Clear Silicone Sealant",
                               "Leather Belt No Buckle", "Watch Band (Watch Not Included)"])
    assert names == {"bite not collar", "me not flower"}  # a spaced "not" / "no" describes the product
    assert split_negations("bite not collar", names) == ("bite not collar", split_negations("")[1])
    assert split_negations("forget me not flower seeds", names)[1].terms == ()
    assert split_negations("bite not collar")[1].terms == ("collar",)  # without the catalog: a negation
    assert split_negations("silicone sealant not clear", names)[1].terms == ("clear",)
    assert split_negations("leather belt no buckle", names)[1].terms == ("buckle",)


def test_requests_keep_the_shoppers_words():
    text, neg = split_negations("looking for a yoga mat that's not too thick")
    assert neg.terms == ("thick",) and "thick" not in text
    assert split_negations("non-stick pan, no show socks")[1].terms == ()
    assert split_negations("shoes not from Urbanstep")[1].brands == ("urbanstep",)
    parse = Parse("show me headphones under $200", "search_products", 0.9,
                  (Entity("PRODUCT_TYPE", "headphones", "headphones", 8, 18), Entity("PRICE_MAX", "200", "200", 26, 29)))
    assert read_request(parse).text == "headphones"
    assert reads_as_query("keep grinding hat", 1.0) and not reads_as_query("where is my order", 1.0)
    assert not reads_as_query("purple monkey dishwasher", 0.67)


def test_defaults_are_the_settings_defaults():
    assert SearchTuning().dense_weight == pytest.approx(0.6)


def test_quantities_are_attributes(index):
    two = find(index, Slots(query="tent for 2 people", quantities=("2 person",)), BRANDS)
    assert ids(two)[0] == "t2"


def test_different_brand_excludes_the_brands_shown(index):
    from assistant.dialogue.context import FlowContext
    from tests.assistant.runtime_parts import RelevanceRanker
    from assistant.dialogue.outcome import Stopwatch
    from assistant.dialogue.shopping import search
    from assistant.dialogue.state import DialogueState
    from retrieval.catalog.taxonomy import CatalogVocabulary

    ctx = FlowContext(index=index, ranker=RelevanceRanker(), orders=None, policies=None,
                      vocabulary=CatalogVocabulary.from_products(PRODUCTS))
    first = search(ctx, DialogueState("s", "u"), Parse("water bottle", "search_products", 0.9), Stopwatch())
    state = DialogueState("s", "u", slots=Slots.from_json(first.events[0].slots),
                          shown=tuple(c.product.id for c in first.products), shown_all=tuple(c.product.id for c in first.products))
    shown_brands = {c.product.brand for c in first.products if c.product.product_type == "water bottles"}
    other = search(ctx, state, Parse("anything from a different brand?", "refine_results", 0.9), Stopwatch(), "other_brand")
    assert other.products and not shown_brands & {c.product.brand for c in other.products}


def test_a_contradicting_quantity_is_dropped_when_the_asked_one_exists(index):
    """The ranker blends history in after the finder: a "4 person" tent must not be there to move up."""
    two = find(index, Slots(query="tent for 2 people", quantities=("2 person",)), BRANDS)
    assert not any("4 person" in h.product.title.lower() for h in two.hits)
    none = find(index, Slots(query="tent for 9 people", quantities=("9 person",)), BRANDS)
    assert none.hits  # nothing states 9 people: conflicting titles are only penalised, never all dropped
