"""The installed catalog's vocabulary (types, brands) and brand resolution."""

from __future__ import annotations

from retrieval.catalog.brands import brand_key, resolve_brand
from retrieval.catalog.taxonomy import CatalogVocabulary, type_key
from retrieval.product import Product


def _p(ptype: str, brand: str, category: str = "home") -> Product:
    return Product(id=f"{ptype}-{brand}", title=ptype, description="", category=category, product_type=ptype,
                   brand=brand, price=None, colors=("Navy Blue",))


VOCAB = CatalogVocabulary.from_products([_p("Kitchen Towels", "Utopia"), _p("Bath Towels", "Amazon Basics"),
                                         _p("Slippers", "UGG", "shoes"), _p("Yoga Mats", "Gaiam", "sports")])


def test_types_resolve_exactly_by_head_noun_or_by_spelling():
    assert type_key("Slippers") == type_key("slipper") == "slipper"
    assert VOCAB.resolve("slipper").exact == "slippers"
    assert set(VOCAB.resolve("towels").related) == {"kitchen towels", "bath towels"}
    assert VOCAB.resolve("yoga mat").exact == "yoga mats"
    assert VOCAB.resolve("yoga mtas").related == ("yoga mats",)  # a typo
    assert not VOCAB.resolve("kayak").known
    assert VOCAB.type_in("ugg slippers women") == "slippers"
    assert VOCAB.types["slippers"] == "shoes" and "ugg" in VOCAB.brands and "navy blue" in VOCAB.colors


def test_brands_resolve_with_their_variants():
    brands = {"ugg", "levi's", "dr. martens", "the north face", "black & decker"}
    assert brand_key("UGG®") == "ugg" and brand_key("Levi's") == "levis"
    assert resolve_brand("Ugg Dakota", brands) == "ugg"
    assert resolve_brand("levis", brands) == "levi's"
    assert resolve_brand("dr martens", brands) == "dr. martens"
    assert resolve_brand("the north face jacket", brands) == "the north face"
    assert resolve_brand("black and decker", brands) == "black & decker"
    assert resolve_brand("urbanstep", brands) is None
