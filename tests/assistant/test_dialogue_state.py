"""Slot merge rules and reference resolution (pure, fast)."""

from __future__ import annotations

from assistant.dialogue.references import resolve
from assistant.dialogue.state import Slots, merge_slots
from assistant.records import Entity, Parse
from retrieval.catalog.taxonomy import CatalogVocabulary
from retrieval.product import Product

TYPES = {"running shoes": "footwear", "headphones": "electronics", "jackets": "clothing", "trail running shoes": "footwear"}
VOCAB = CatalogVocabulary(types=TYPES, brands=frozenset({"nike"}), colors=frozenset())


def P(text: str, *ents: tuple[str, str], intent: str = "search_products") -> Parse:
    return Parse(text, intent, 0.9, tuple(Entity(t, v, v, 0, 0) for t, v in ents))


def test_carry_over_and_new_type_resets():
    s = merge_slots(Slots(), P("running shoes under 120", ("PRODUCT_TYPE", "running shoes"), ("PRICE_MAX", "120")), VOCAB)
    assert (s.product_type, s.category, s.max_price, s.type_phrase) == ("running shoes", "footwear", 120.0, "running shoes")
    s = merge_slots(s, P("in black", ("COLOR", "black")), VOCAB)
    assert s.product_type == "running shoes" and s.max_price == 120.0 and s.colors == ("black",)
    assert "black" in s.query
    s = merge_slots(s, P("for women, waterproof", ("AUDIENCE", "women"), ("FEATURE", "waterproof")), VOCAB)
    s = merge_slots(s, P("lightweight red", ("FEATURE", "lightweight"), ("COLOR", "red")), VOCAB)
    assert s.colors == ("red",) and s.features == ("waterproof", "lightweight") and s.audience == "women"
    assert "red" in s.query and "black" not in s.query  # the refined colour replaces the old one in the words too
    s = merge_slots(s, P("headphones", ("PRODUCT_TYPE", "headphone")), VOCAB)  # singular still known
    assert (s.product_type, s.category, s.audience, s.colors, s.features) == ("headphones", "electronics", "women", (), ())
    s = merge_slots(s, P("a kayak", ("PRODUCT_TYPE", "kayak")), VOCAB)  # unknown type: the words only
    assert s.product_type is None and s.type_phrase == "kayak" and s.query == "kayak"


def test_a_turn_with_words_of_its_own_starts_a_new_search():
    s = merge_slots(Slots(), P("running shoes", ("PRODUCT_TYPE", "running shoes")), VOCAB)
    s = merge_slots(s, P("firestick"), VOCAB)
    assert s.query == "firestick" and s.product_type is None
    s = merge_slots(s, P("in black please", ("COLOR", "black")), VOCAB)  # only an attribute: a refinement
    assert s.query.startswith("firestick") and s.colors == ("black",)


def test_related_types_and_negations():
    s = merge_slots(Slots(), P("shoes for trails without laces", ("PRODUCT_TYPE", "shoes")), VOCAB)
    assert s.product_type is None and set(s.related_types) == {"running shoes", "trail running shoes"}
    assert s.negated == ("laces",) and "laces" not in s.query
    s = merge_slots(Slots(), P("running shoes not from Nike", ("PRODUCT_TYPE", "running shoes")), VOCAB)
    assert s.excluded_brands == ("nike",) and s.query == "running shoes"


def test_a_negated_follow_up_undoes_what_the_search_holds():
    s = merge_slots(Slots(), P("nike running shoes thick black", ("BRAND", "nike"), ("PRODUCT_TYPE", "running shoes"),
                               ("FEATURE", "thick"), ("COLOR", "black")), VOCAB)
    assert (s.brands, s.features, s.colors) == (("nike",), ("thick",), ("black",))
    thin = merge_slots(s, P("not too thick", intent="refine_results"), VOCAB)
    assert thin.features == () and "thick" not in thin.query and thin.negated == ("thick",)
    assert (thin.brands, thin.colors, thin.product_type) == (("nike",), ("black",), "running shoes")
    other = merge_slots(thin, P("not nike, something else", intent="refine_results"), VOCAB)
    assert other.brands == () and other.excluded_brands == ("nike",) and "nike" not in other.query.lower()
    assert other.negated == ("thick", "nike")  # still an unwanted word too (titles naming it move down)
    first = merge_slots(Slots(), P("running shoes, not nike", ("PRODUCT_TYPE", "running shoes")), VOCAB)
    assert first.excluded_brands == ("nike",) and first.brands == ()  # a catalog brand, even on the first turn
    straw = merge_slots(Slots(), P("bottle without straw", ("PRODUCT_TYPE", "bottle")), VOCAB)
    assert straw.negated == ("straw",) and straw.excluded_brands == ()  # no brand of that name: a word


def test_with_a_part_refines_the_search_even_when_read_as_a_type():
    s = merge_slots(Slots(), P("rain jackets", ("PRODUCT_TYPE", "jackets")), VOCAB)
    hood = merge_slots(s, P("with a hood", ("PRODUCT_TYPE", "hood"), intent="refine_results"), VOCAB)
    assert (hood.product_type, hood.query) == ("jackets", "rain jackets hood")
    holder = merge_slots(hood, P("one with a card holder please", ("PRODUCT_TYPE", "card holder")), VOCAB)
    assert holder.product_type == "jackets" and holder.query == "rain jackets hood card holder"
    hoods = merge_slots(s, P("hoods", ("PRODUCT_TYPE", "hoods")), VOCAB)  # a type of its own: a new search
    assert hoods.query == "hoods" and hoods.product_type is None


def test_price_bounds():
    s = merge_slots(Slots(min_price=100.0), P("under 50", ("PRICE_MAX", "50"), intent="refine_results"), VOCAB)
    assert s.max_price == 50.0 and s.min_price is None
    s = merge_slots(Slots(max_price=50.0), P("over 80", ("PRICE_MIN", "80"), intent="refine_results"), VOCAB)
    assert s.min_price == 80.0 and s.max_price is None
    assert Slots.from_json(s.to_json()) == s
    assert VOCAB.resolve("Running Shoe").exact == "running shoes" and not VOCAB.resolve("canoe").known


def _products():
    rows = [("Sonique Studio", "Sonique", 120.0, ("black",), 4.1), ("Voltix Air", "Voltix", 80.0, ("red", "white"), 4.7),
            ("Arcwave Mini", "Arcwave", 60.0, ("blue",), 3.9)]
    return [Product(id=f"p{i}", title=t, description="", category="electronics", product_type="headphones", brand=b,
                    price=pr, colors=c, rating=r) for i, (t, b, pr, c, r) in enumerate(rows)]


def test_references():
    ps = _products()
    cases = {"the first one": (0,), "option 3": (2,), "#2": (1,), "number two": (1,), "the red one": (1,),
             "the sonique one": (0,), "the last one": (2,), "the cheapest": (2,), "the best rated one": (1,),
             "compare the second and the first": (1, 0), "both": (0, 1, 2), "add it": ()}
    for text, expected in cases.items():
        assert resolve(text, ps) == expected, text
    assert resolve("add it to my cart", ps, focus_id="p1") == (1,)
    assert resolve("is it waterproof?", ps[:1]) == (0,)  # a single shown product needs no pointer
    assert resolve("the first one", []) == ()


def test_refine_phrases_are_told_apart():
    from assistant.dialogue.shopping import detect_mode

    assert [detect_mode(t) for t in ("anything cheaper?", "show me more", "something different", "in black")] == \
        ["cheaper", "more", "different", "new"]


def test_ambiguous_cart_reference_asks_which():
    from assistant.dialogue.context import FlowContext
    from assistant.dialogue.products import add_to_cart
    from assistant.dialogue.state import DialogueState
    from assistant.records import Action

    ps = _products()
    ps[0] = Product(**{**ps[0].__dict__, "colors": ("red",)})

    class Index:
        def get(self, ids):
            return [p for p in ps if p.id in ids]

    class Ranker:
        def feedback(self, *a, **k):
            pass

    ctx = FlowContext(index=Index(), ranker=Ranker(), orders=None, policies=None, vocabulary=VOCAB)
    state = DialogueState("s", "u", shown=tuple(p.id for p in ps))
    ask = add_to_cart(ctx, state, P("add the red one to my cart", intent="add_to_cart"))
    assert ask.action is Action.CLARIFY and ps[0].title in ask.notes[0] and ps[2].title not in ask.notes[0]
    both = add_to_cart(ctx, state, P("add both red ones to my cart", intent="add_to_cart"))
    assert both.action is Action.CART_ADD and len([e for e in both.events if type(e).__name__ == "CartAdded"]) == 2
    two = add_to_cart(ctx, state, P("add two of the third one", ("QUANTITY", "two"), intent="add_to_cart"))
    assert [(e.product_id, e.quantity) for e in two.events if type(e).__name__ == "CartAdded"] == [(ps[2].id, 2)]


def test_the_reply_claims_only_what_the_products_found_meet():
    from assistant.dialogue.shopping import _as_found, describe

    s = Slots(query="waterproof hiking boots brown", product_type="hiking boots", type_phrase="hiking boots",
              colors=("brown",), audience="men", max_price=50.0)
    assert describe(s) == "brown hiking boots for men under $50"
    assert describe(_as_found(s, ("colour brown",))) == "hiking boots for men under $50"
    assert describe(_as_found(s, ("colour brown", "price"))) == "hiking boots for men"
    assert describe(s, words=True) == "waterproof hiking boots brown for men under $50"  # the words searched for
    assert _as_found(s, ()) is s
