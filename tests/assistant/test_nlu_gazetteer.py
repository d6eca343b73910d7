"""The catalog-brand gazetteer post-pass of the NLU (no model needed)."""

from assistant.nlu.gazetteer import Gazetteer
from assistant.records import Entity, Parse


def _parse(text: str, *ents: tuple[str, str]) -> Parse:
    out = []
    for etype, surface in ents:
        s = text.index(surface)
        out.append(Entity(etype, surface, surface.lower(), s, s + len(surface)))
    return Parse(text=text, intent="search_products", confidence=0.9, entities=tuple(out))


def test_adds_a_catalog_brand_the_model_missed():
    g = Gazetteer.build(["Under Armour", "Levi's", "UGG"])
    p = g.apply(_parse("ua vital under armour pants", ("PRODUCT_TYPE", "pants")))
    assert [(e.type, e.text, e.value) for e in p.entities] == [("BRAND", "under armour", "under armour"), ("PRODUCT_TYPE", "pants", "pants")]
    assert [e.value for e in g.apply(_parse("levis jeans")).entities] == ["levis"]  # punctuation-insensitive
    assert [e.text for e in g.apply(_parse("Ugg slippers")).entities] == ["Ugg"]  # case-insensitive


def test_never_overrides_the_model_or_matches_inside_words():
    g = Gazetteer.build(["Dove", "Apple"])
    p = _parse("dove soap", ("BRAND", "dove"))
    assert g.apply(p) == p
    assert g.apply(_parse("pineapple slicer")).entities == ()
    p = _parse("apple watch band", ("PRODUCT_TYPE", "apple watch band"))
    assert g.apply(p) == p  # overlapping model entity wins (no retag by default)


def test_ambiguous_brand_strings_are_left_out():
    g = Gazetteer.build(["Black", "Home", "The", "Men", "2020", "Navy Blue", "Nike"], stop_words=["navy blue"])
    assert g.brands == frozenset({("nike",)})
    assert g.apply(_parse("black home decor for men")).entities == ()


def test_empty_gazetteer_is_a_no_op():
    p = _parse("red shoes", ("COLOR", "red"))
    assert Gazetteer.build([]).apply(p) is p
