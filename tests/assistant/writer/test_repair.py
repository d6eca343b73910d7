"""Guarded repairs of rejected replies (assistant/writer/repair.py): a repaired reply passes the whole guard,
and no repair ever lets an unfaithful product mention through."""

from __future__ import annotations

import pytest

from assistant.records import Action, ReplyFacts
from assistant.writer.guard import Guard
from assistant.writer.repair import (
    candidates,
    repair,
    sentences,
    without_unsupported_prices,
)
from assistant.writer.template import template_reply
from assistant.writer.writer import ReplyWriter
from bench.esci_generation import Catalog, unfaithful
from retrieval.product import Product

CHARGER = Product(id="C1", title="Sonique OrbitFit USB-C Phone Charger", description="", category="electronics",
                  product_type="phone chargers", brand="Sonique", price=24.99)
STOVE = Product(id="S1", title="Emberline TrailFlame Camping Stove", description="", category="outdoors",
                product_type="camping stoves", brand="Emberline", price=49.0)
WRAPS = Product(id="W1", title="Pro Vinyl Wraps Applicator Tool Kit Window Tint Film Car Wrapping Tools",
                description="", category="Tools", product_type="vinyl wraps", brand="NEWISHTOOL", price=None,
                display_name="NEWISHTOOL Pro vinyl wraps")
GRIP = Product(id="G1", title="Silicone Rubber Grip Wrap for Tool Handles, Black 1.7mm", description="",
               category="Tools", product_type="grip wraps", brand="Tommy Tape", price=9.99,
               display_name="Tommy Tape Silicone Rubber Grip wrap")
ROUTER = Product(id="R1", title="Netgear Nighthawk XR500 Gaming Router", description="", category="electronics",
                 product_type="routers", brand="Netgear", price=199.99, display_name="Netgear Nighthawk XR500 router")
OTHER = Product(id="O1", title="Lumbra Night Lamp", description="", category="home", product_type="lamps",
                brand="Lumbra", price=15.0)
CATALOG = [CHARGER, STOVE, WRAPS, GRIP, ROUTER, OTHER]
GUARD = Guard.for_catalog(CATALOG)
GIFTS = ReplyFacts("recommend", Action.RECOMMEND, "gift for dad", products=(CHARGER, STOVE),
                   notes=("Here are 2 gift ideas.",))
TOOLS = ReplyFacts("search_products", Action.SEARCH, "tool wrap", products=(WRAPS, GRIP),
                   notes=('These are the 2 closest matches I found for "tool wrap".',))
ROUTERS = ReplyFacts("search_products", Action.SEARCH, "gaming router", products=(ROUTER,),
                     notes=("Here is 1 router.",))


class Scripted:
    def __init__(self, *replies: str):
        self.replies = list(replies)

    def generate(self, facts: ReplyFacts, attempt: int = 0) -> str:
        return self.replies[min(attempt, len(self.replies) - 1)]

    def stream(self, facts: ReplyFacts, attempt: int = 0):
        yield self.generate(facts, attempt)


def _write(facts: ReplyFacts, *replies: str):
    return ReplyWriter(Scripted(*replies), GUARD).write(facts)


def test_a_misspelt_copy_of_one_fact_name_is_replaced_by_that_name():
    text = ("My top picks: the NewISHOLVER PRO vinyl wraps ($49.99) and the Tommy Tape Silicone Rubber Grip wrap "
            "($9.99).")
    assert "unknown_product" in GUARD.check(text, TOOLS).kinds
    written = _write(TOOLS, text)
    assert written.text == ("My top picks: the NEWISHTOOL Pro vinyl wraps (price not listed) and the Tommy Tape "
                            "Silicone Rubber Grip wrap ($9.99).")
    assert not written.fallback and written.attempts == 1 and GUARD.check(written.text, TOOLS).passed


def test_an_invented_price_after_an_unpriced_name_says_price_not_listed_else_goes():
    text = "Try the NEWISHTOOL Pro vinyl wraps ($19.99). Also the Tommy Tape grip ($8.00) is handy."
    assert without_unsupported_prices(text, TOOLS, say_unlisted=True) == (
        "Try the NEWISHTOOL Pro vinyl wraps (price not listed). Also the Tommy Tape grip is handy.")
    assert without_unsupported_prices(text, TOOLS) == "Try the NEWISHTOOL Pro vinyl wraps. Also the Tommy Tape grip is handy."


def test_a_price_moved_onto_another_product_is_put_back():
    text = ("These are the 2 closest matches I found for \"tool wrap\". The NEWISHTOOL Pro vinyl wraps ($9.99) and "
            "the Tommy Tape Silicone Rubber Grip wrap (price not listed).")
    assert GUARD.check(text, TOOLS).kinds == ("price", "price")
    written = _write(TOOLS, text)
    assert written.text == ("These are the 2 closest matches I found for \"tool wrap\". The NEWISHTOOL Pro vinyl wraps "
                            "(price not listed) and the Tommy Tape Silicone Rubber Grip wrap ($9.99).")
    assert not written.fallback and GUARD.check(written.text, TOOLS).passed


def test_the_bench_checker_finds_a_moved_price_independently_of_the_guard():
    from bench.esci_generation import wrong_prices

    moved = "The NEWISHTOOL Pro vinyl wraps ($9.99) and the Tommy Tape Silicone Rubber Grip wrap (price not listed)."
    assert set(wrong_prices(moved, TOOLS)) == {"price: NEWISHTOOL Pro vinyl wraps ($9.99)",
                                               "price: Tommy Tape Silicone Rubber Grip wrap (price not listed)"}
    assert wrong_prices(_write(TOOLS, moved).text, TOOLS) == []


def test_a_name_shared_by_a_priced_product_never_gets_price_not_listed():
    twin = Product(id="W2", title="NEWISHTOOL Pro Vinyl Wraps Kit", description="", category="Tools",
                   product_type="vinyl wraps", brand="NEWISHTOOL", price=29.99, display_name=WRAPS.display_name)
    facts = ReplyFacts("search_products", Action.SEARCH, "wraps", products=(WRAPS, twin), notes=())
    text = "Try the NEWISHTOOL Pro vinyl wraps ($19.99)."
    assert without_unsupported_prices(text, facts, say_unlisted=True) == "Try the NEWISHTOOL Pro vinyl wraps."


def test_the_chimera_is_never_repaired_into_a_reply():
    text = "Your dad might like the Sonique OrbitFit Camping Stove ($24.99)."
    assert GUARD.fix_near_names(text, GIFTS) == text
    written = _write(GIFTS, text)
    assert written.fallback and "OrbitFit Camping Stove" not in written.text
    assert written.text == template_reply(GIFTS)


def test_a_near_copy_of_two_fact_products_is_not_fixed():
    twin = Product(id="C2", title="Sonique OrbitFit USB-A Phone Charger", description="", category="electronics",
                   product_type="phone chargers", brand="Sonique", price=19.99)
    facts = ReplyFacts("recommend", Action.RECOMMEND, "charger", products=(CHARGER, twin), notes=("Here are 2.",))
    text = "Try the Sonique OrbitFlt ($24.99)."
    assert GUARD.fix_near_names(text, facts) == text


SPICE = Product(id="J1", title="Jodie's Kitchen Simply Spinach Herb & Spice Blend, 1.6 oz", description="",
               category="Grocery", product_type="spice blends", brand="Jodie's Kitchen", price=4.99,
               display_name="Jodie's Kitchen Simply Spinach Herb Spice Blend")
ONION = Product(id="J2", title="Tastefully Simple Onion Onion Seasoning, 4 Ounce", description="", category="Grocery",
                product_type="seasonings", brand="Tastefully Simple", price=None,
                display_name="Tastefully Simple Onion Onion Seasoning")
SPICES = ReplyFacts("search_products", Action.SEARCH, "spinach dip mix", products=(SPICE, ONION),
                    notes=('These are the 2 closest matches I found for "spinach dip mix".',))


def test_a_long_name_with_one_word_swapped_is_replaced_by_that_name():
    guard = Guard.for_catalog([*CATALOG, SPICE, ONION])
    text = "Try the Jodie's Kitchen Simply Spinach Berry Spice Blend ($4.99)."
    assert "unknown_product" in guard.check(text, SPICES).kinds
    assert guard.fix_near_names(text, SPICES) == "Try the Jodie's Kitchen Simply Spinach Herb Spice Blend ($4.99)."
    written = ReplyWriter(Scripted(text), guard).write(SPICES)
    assert written.text == "Try the Jodie's Kitchen Simply Spinach Herb Spice Blend ($4.99)." and not written.fallback


@pytest.mark.parametrize("text", [
    "Try the Jodie's Kitchen Simply Spinach Onion Spice Blend ($4.99).",  # a word of another fact product
    "Try the Simply Spinach Berry Spice Blend ($4.99).",  # too short a name to swap a word in
])
def test_a_swapped_word_from_another_product_or_in_a_short_name_is_not_fixed(text):
    guard = Guard.for_catalog([*CATALOG, SPICE, ONION])
    assert guard.fix_near_names(text, SPICES) == text


@pytest.mark.parametrize("text", [
    "Try the Netgear Nighthawk XR600 router ($199.99).",  # another model number: maybe another real product
    "Try the Netgear Lumbra XR500 router ($199.99).",  # a word that is another catalog brand
    "Try the Netgear Nightlight XR500 router ($199.99).",  # too different to be a misspelling
])
def test_model_numbers_brands_and_other_words_are_never_substituted(text):
    assert GUARD.fix_near_names(text, ROUTERS) == text
    assert _write(ROUTERS, text).fallback


def test_a_sentence_with_a_stray_brand_is_dropped_and_the_rest_kept():
    text = ("Here are 2 gift ideas. We also love Lumbra lamps. The Sonique OrbitFit USB-C Phone Charger ($24.99) "
            "and the Emberline TrailFlame Camping Stove ($49.00).")
    written = _write(GIFTS, text)
    assert written.text == ("Here are 2 gift ideas. The Sonique OrbitFit USB-C Phone Charger ($24.99) and the "
                            "Emberline TrailFlame Camping Stove ($49.00).")
    assert not written.fallback and "unknown_product" in written.failures


def test_a_pronoun_is_not_left_pointing_at_a_dropped_product():
    text = ("Try the Sonique OrbitFit USB-C Phone Charger ($24.99). The Lumbra Night Lamp is nice. "
            "It is waterproof.")
    written = _write(GIFTS, text)
    assert "It is waterproof" not in written.text and "Lumbra" not in written.text
    assert written.text == "Try the Sonique OrbitFit USB-C Phone Charger ($24.99)."


def test_the_top_product_sentence_is_never_dropped():
    text = "Here are 2 gift ideas. The Sonique OrbitFit Camping Stove ($24.99) is great."
    assert _write(GIFTS, text).fallback


def test_sentences_leave_out_a_sentence_cut_off_at_the_end():
    assert sentences("One. Two! Three is cut") == ["One.", "Two!"]
    assert sentences("Pick 1. Sonique is best (really).") == ["Pick 1. Sonique is best (really)."]


BAD_REPLIES = [
    "Your dad might like the Sonique OrbitFit Camping Stove ($24.99).",
    "Your dad might like the Sonique OrbitFit camping stove ($24.99).",
    "Here are 2 gift ideas. The Emberline TrailFlame Phone Charger ($49.00) and the Sonique OrbitFit ($24.99).",
    "Try the Sonique OrbitFlame Camping Stove ($24.99) or the Lumbra Night Lamp ($15.00).",
    "Try the Sonique OrbitFit USB-C Phone Charger ($24.99). We also have the Netgear Nighthawk XR500 router.",
    "Try the Sonique OrbitFit USB-C Phone Charger ($24.99) and the Emberline TrailFlame Camping Stov ($59.00).",
    "Try the Sonique OrbitFit USB-C Phone Charger ($19.99). It is made by Lumbra.",
    "Try the Sonique OrbitFit USB-C Phone Charger ($24.99), the Emberline Nighthawk Stove and the Lumbra Lamp.",
    "Try the Sonik OrbitFit USB-C Phone Charger ($24.99). The Emberlite TrailFlame Camping Stove is $49.00.",
]


@pytest.mark.parametrize("bad", BAD_REPLIES)
def test_no_repair_accepts_an_unfaithful_mention(bad):
    """Whatever the model writes, the shown reply (repaired or the template) names only fact products: the
    guard passes it and the bench's independent checker finds no unfaithful mention."""
    catalog = Catalog.of(CATALOG)
    for candidate in candidates(bad, GIFTS, GUARD):
        if GUARD.check(candidate, GIFTS).passed:
            assert not unfaithful(candidate, GIFTS, catalog), candidate
    written = _write(GIFTS, bad, bad)
    assert GUARD.check(written.text, GIFTS).passed or written.fallback
    assert not unfaithful(written.text, GIFTS, catalog), written.text
    assert "Camping Stove ($24.99)" not in written.text and "Lumbra" not in written.text
    assert "Nighthawk" not in written.text


def test_repair_returns_none_when_nothing_passes():
    assert repair("The Sonique OrbitFit Camping Stove.", GIFTS, GUARD, lambda t: GUARD.check(t, GIFTS).passed) is None


def test_a_reply_cut_off_inside_a_list_ends_after_its_last_whole_item():
    from assistant.writer.repair import closed

    cut = ("Here are 2 gift ideas. My top picks: the Sonique OrbitFit USB-C Phone Charger ($100), the Emberline "
           "TrailFlame Camping Stove ($49.00) and the Lumbra Night")
    assert closed(cut) == ("Here are 2 gift ideas. My top picks: the Sonique OrbitFit USB-C Phone Charger ($100), "
                           "the Emberline TrailFlame Camping Stove ($49.00).")
    assert closed("Here are 2 gift ideas. The Sonique is") == "Here are 2 gift ideas. The Sonique is"
    written = _write(GIFTS, cut)
    assert written.text == ("Here are 2 gift ideas. My top picks: the Sonique OrbitFit USB-C Phone Charger ($24.99), "
                            "the Emberline TrailFlame Camping Stove ($49.00).")
    assert not written.fallback and "incomplete" in written.failures
