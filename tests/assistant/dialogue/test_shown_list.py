"""Questions about the list on screen (issue 15 item 1), answered from the shown products' own data.

Fast tier: the attribute readers and the answer sentences over hand-written records (real ESCI-style text),
and the detector over hand-built parses. Slow tier: whole conversations through the real Assistant (real
NLU model, real Chroma + BM25 index over the generated catalog); expected answers are computed from the
products the turn actually showed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from assistant.dialogue import list_answers as la
from assistant.dialogue.attributes import Says, has_color, has_feature, measure
from assistant.dialogue.context import FlowContext
from assistant.dialogue.shown_list import SUPERLATIVES, answer
from assistant.dialogue.state import DialogueState
from assistant.events import FocusSet, ProductsShown
from assistant.records import Action, Entity, Parse
from retrieval.catalog.taxonomy import CatalogVocabulary
from retrieval.product import Product


def _p(pid: str, title: str, price: float | None = 50.0, **kw) -> Product:
    base = {"description": "", "category": "electronics", "product_type": "headphones", "brand": title.split()[0]}
    base.update(kw)
    return Product(pid, title, price=price, **base)


ESCI_BUDS = _p("B1", "Wireless Earbuds, HSPRO Bluetooth 5.0 Headphones with Charging Case, 30H Playtime, White", None,
               description="Charging Time: 2.5hours. Standby 185 hours. Weight: 4.4 oz")
ESCI_OVER = _p("B2", "PowerLocus Wireless Bluetooth Over-Ear Headphones", 22.99, colors=("Rose Gold",),
               description="More than 10 Hours Music Playtime and more than 185 hours standby time!"
                           "Music Playback Time: 15-16 hours11. Charging Time:2.5hours 15. Weight: 165g/0,32lb")
PLAIN = _p("B3", "Sonique PulsePro Headphones", 119.99, colors=("gray", "white"), features=("noise cancelling", "foldable"),
           rating=4.4, review_count=50)
WIRED = _p("B4", "Sonique Studio Wired Headphones", 39.99, colors=("black",), description="Not waterproof.",
           rating=4.4, review_count=900)
SHOWN = (ESCI_BUDS, ESCI_OVER, PLAIN, WIRED)


# --- attribute readers ------------------------------------------------------------------------------
def test_battery_reads_playtime_not_standby_or_charging():
    assert measure(ESCI_BUDS, "battery").value == 30
    assert measure(ESCI_OVER, "battery").value == 16  # "15-16 hours" of playback; 185 h standby does not count
    assert measure(PLAIN, "battery") is None


def test_weight_in_grams_from_any_unit():
    assert measure(ESCI_OVER, "weight").text == "165 g"
    assert round(measure(ESCI_BUDS, "weight").value) == 125  # 4.4 oz
    assert measure(PLAIN, "weight") is None


def test_feature_spellings_negation_and_opposites():
    nc = _p("X", "Voltix Noise-Canceling Headphones")
    assert has_feature(nc, "noise cancelling") is Says.YES
    assert has_feature(_p("Y", "Y", description="Active Noise Cancellation"), "noise cancelling") is Says.YES
    assert has_feature(WIRED, "waterproof") is Says.NO
    assert has_feature(WIRED, "wireless") is Says.NO  # "wired" and never "wireless"
    assert has_feature(PLAIN, "wireless") is Says.UNKNOWN


def test_colour_by_family_listed_or_unknown():
    assert has_color(PLAIN, "grey") is Says.YES and has_color(PLAIN, "white") is Says.YES
    assert has_color(ESCI_OVER, "white") is Says.NO
    assert has_color(ESCI_BUDS, "white") is Says.YES  # only the title says it
    assert has_color(ESCI_BUDS, "red") is Says.UNKNOWN


# --- answer sentences -------------------------------------------------------------------------------
def _sup(words: str) -> la.Superlative:
    return next(s for p, s in SUPERLATIVES if p.search(words))


def test_superlative_names_the_winner_and_each_silent_listing():
    got = la.superlative(SHOWN, _sup("longest battery"))
    assert got.about == (0,)
    text = " ".join(got.notes)
    assert "HSPRO" in text.upper() and "30 hours" in text and "16 hours" in text
    assert "Sonique PulsePro Headphones (#3)" in text and "Sonique Studio Wired Headphones (#4)" in text
    assert "don't say their battery life" in text


def test_cheapest_skips_unpriced_and_says_so():
    got = la.superlative(SHOWN, _sup("cheapest"))
    assert got.about == (1,) and "$22.99" in got.notes[0]
    assert "doesn't say its price" in " ".join(got.notes)


def test_best_rated_tie_goes_to_more_reviews():
    got = la.superlative(SHOWN, _sup("best rated"))
    assert got.about == (3,) and "also rated 4.4" in " ".join(got.notes)


def test_no_reading_at_all_is_said_not_guessed():
    got = la.superlative((PLAIN, WIRED), _sup("lightest"))
    assert got.about == () and "None of the 2 listings" in got.notes[0]


def test_existence_filter_and_per_item_answers():
    ex = la.existence(SHOWN, "wireless")
    assert ex.about == (0, 1) and "2 of the 4 shown are listed as wireless" in ex.notes[0]
    assert "Sonique Studio Wired Headphones (#4) is not" in " ".join(ex.notes)
    assert "doesn't say" in " ".join(ex.notes)  # PLAIN is silent
    assert la.existence(SHOWN, "waterproof").notes[0].startswith("None of the 4 shown")
    assert la.filtered(SHOWN, "noise cancelling").about == (2,)
    assert la.filtered(SHOWN, "bluetooth").about == (0, 1)
    assert la.filtered(SHOWN, "solar powered").about == ()
    assert la.colour_of(SHOWN, 1, "white").startswith("No, the PowerLocus")
    assert "doesn't say which colours" in la.colour_of((PLAIN, _p("Z", "Zed Headphones")), 1, "white")


# --- the detector, over hand-built parses -----------------------------------------------------------
@dataclass
class ListIndex:
    products: tuple[Product, ...]

    def get(self, ids):
        return [p for p in self.products if p.id in ids]


def _ctx() -> FlowContext:
    return FlowContext(index=ListIndex(SHOWN), ranker=None, orders=None, policies=None,
                       vocabulary=CatalogVocabulary.from_products(SHOWN))


def _state() -> DialogueState:
    return DialogueState("s", "u", shown=tuple(p.id for p in SHOWN), shown_all=tuple(p.id for p in SHOWN))


def _parse(text: str, intent: str = "product_question", *entities: tuple[str, str]) -> Parse:
    ents = tuple(Entity(t, v, v, text.lower().find(v), text.lower().find(v) + len(v)) for t, v in entities)
    return Parse(text, intent, 0.9, ents)


@pytest.mark.parametrize("text,intent,entities", [
    ("show me tents", "search_products", (("PRODUCT_TYPE", "tents"),)),
    ("show me the cheapest tents", "search_products", (("PRODUCT_TYPE", "tents"),)),
    ("add the second one to my cart", "add_to_cart", ()),
    ("any cheaper ones?", "refine_results", ()),
    ("in black", "refine_results", (("COLOR", "black"),)),
    ("show more", "refine_results", ()),
    ("tell me about the first one", "product_question", ()),
    ("tell me more about the second one", "product_question", ()),
    ("cheapest headphones", "search_products", (("PRODUCT_TYPE", "headphones"),)),
    ("anything better?", "refine_results", ()),
    ("show me something different", "refine_results", ()),
])
def test_not_a_list_question(text, intent, entities):
    assert answer(_ctx(), _state(), _parse(text, intent, *entities)) is None


def test_list_questions_route_by_kind():
    ctx, state = _ctx(), _state()
    cheapest = answer(ctx, state, _parse("what's the cheapest of those?", "refine_results"))
    assert cheapest.action is Action.ANSWER and [c.product.id for c in cheapest.products] == ["B2"]
    assert FocusSet(product_id="B2") in cheapest.events and not any(isinstance(e, ProductsShown) for e in cheapest.events)
    only = answer(ctx, state, _parse("only the noise cancelling ones", "refine_results", ("FEATURE", "noise cancelling")))
    assert only.action is Action.SEARCH and ProductsShown(("B3",), new_query=False) in only.events
    anyw = answer(ctx, state, _parse("are any of them wireless?", "product_question", ("FEATURE", "wireless")))
    assert anyw.action is Action.ANSWER and {c.product.id for c in anyw.products} == {"B1", "B2"}
    white = answer(ctx, state, _parse("show me the second one in white", "add_to_cart", ("COLOR", "white")))
    assert white.notes[0].startswith("No, the PowerLocus") and [c.product.id for c in white.products] == ["B2"]
    both = answer(ctx, state, _parse("are the Sonique ones waterproof?", "product_question", ("FEATURE", "waterproof")))
    assert [c.product.id for c in both.products] == ["B3", "B4"] and len(both.notes) == 2
    assert both.notes[1].startswith("No, the listing of the Sonique Studio Wired Headphones (#4) says")
    # one of two Sonique products: the router's product-question flow asks which one
    assert answer(ctx, state, _parse("is the Sonique one waterproof?", "product_question", ("FEATURE", "waterproof"))) is None
    anyone = answer(ctx, state, _parse("is the PowerLocus one waterproof?", "product_question", ("FEATURE", "waterproof")))
    assert dict(anyone.data)["product_id"] == "B2" and "doesn't say whether" in anyone.notes[0]
    cmp = answer(ctx, state, _parse("compare the first and third", "compare"))
    assert cmp.action is Action.COMPARE and [c.product.id for c in cmp.products] == ["B1", "B3"]
    assert ESCI_BUDS.title in dict(cmp.data)["table"] and ESCI_OVER.title not in dict(cmp.data)["table"]
    better = answer(ctx, state, _parse("which is better, 1 or 2?", "compare"))
    assert better.action is Action.COMPARE and [c.product.id for c in better.products] == ["B1", "B2"]
    diff = answer(ctx, state, _parse("what's the difference between 1 and 2", "compare"))
    assert [c.product.id for c in diff.products] == ["B1", "B2"]
    price = answer(ctx, state, _parse("how much is the first one?"))
    assert "doesn't give a price" in price.notes[0]


# --- slow tier: the real Assistant (real NLU, real index over the generated catalog) ------------------
@pytest.fixture(scope="module")
def bot(tmp_path_factory, hybrid_index, real_parser):
    from assistant.assistant import Assistant
    from assistant.settings import Settings
    from tests.assistant.runtime_parts import runtime_of

    settings = Settings(data_dir=tmp_path_factory.mktemp("shown_list") / "data", catalog_size=300)
    runtime = runtime_of(settings, parser=real_parser, index=hybrid_index, ranker=None)
    yield Assistant(runtime)
    runtime.close()


def _chat(bot, *texts):
    sid = bot.new_session("alice")
    return sid, [bot.handle(sid, "alice", t, generate=False) for t in texts]


def _ids(turn):
    return [c.product.id for c in turn.products]


@pytest.mark.slow
def test_superlatives_answer_from_the_shown_list(bot):
    _, (found, cheapest, rated, battery, lightest) = _chat(
        bot, "show me headphones", "what's the cheapest of those?", "which one is best rated?",
        "which one has the longest battery?", "the lightest one?")
    shown = [c.product for c in found.products]
    assert len(shown) >= 3, found.reply
    low = min(shown, key=lambda p: p.price)
    assert cheapest.action is Action.ANSWER and _ids(cheapest) == [low.id], cheapest.reply
    assert low.name in cheapest.reply and f"${low.price:.2f}" in cheapest.reply
    best = max(shown, key=lambda p: (p.rating, p.review_count))
    assert _ids(rated) == [best.id] and f"{best.rating:.1f}" in rated.reply
    for turn in (battery, lightest):  # answered about the list, the list itself unchanged
        assert turn.action is Action.ANSWER and set(_ids(turn)) <= {p.id for p in shown}, turn.reply
    hours = [measure(p, "battery") for p in shown]
    if any(hours):
        top = max((h.value, i) for i, h in enumerate(hours) if h)[1]
        assert _ids(battery) == [shown[top].id]
    else:
        assert "None of the" in battery.reply
    assert "weight" in lightest.reply  # the generated catalog states no weights: said, not guessed


@pytest.mark.slow
def test_that_one_after_a_single_answer_goes_to_the_cart(bot):
    sid, (_, cheapest, added) = _chat(bot, "show me headphones", "what's the cheapest of those?",
                                          "ok add that one to my cart")
    assert added.action is Action.CART_ADD, added.reply
    assert [line.product_id for line in bot.cart(sid)] == _ids(cheapest)


@pytest.mark.slow
def test_existence_and_filter_over_the_shown_list(bot):
    _, (found, anyw, only, first) = _chat(bot, "show me headphones", "are any of them wireless?",
                                          "only the noise cancelling ones", "how much is the first one?")
    shown = [c.product for c in found.products]
    wireless = [p.id for p in shown if has_feature(p, "wireless") is Says.YES]
    assert anyw.action is Action.ANSWER and _ids(anyw) == wireless, anyw.reply
    assert ("None of the" in anyw.reply) if not wireless else all(p.name in anyw.reply for p in shown if p.id in wireless)
    nc = [p for p in shown if has_feature(p, "noise cancelling") is Says.YES]
    assert _ids(only) == [p.id for p in nc], only.reply
    if nc:  # the filtered list is now the list on screen: "the first one" is its first product
        assert only.action is Action.SEARCH and f"${nc[0].price:.2f}" in first.reply and nc[0].name in first.reply


@pytest.mark.slow
def test_attribute_questions_about_named_items(bot):
    _, (found, white, variant, brand) = _chat(
        bot, "show me headphones", "does the second one come in white?", "show me the second one in white",
        "is the Sonique one waterproof?")
    second = found.products[1].product
    for turn in (white, variant):
        assert turn.action is Action.ANSWER and _ids(turn) == [second.id], turn.reply
        said = has_color(second, "white")
        assert turn.reply.startswith("Yes" if said is Says.YES else "No" if said is Says.NO else "The listing")
    sonique = [c.product.id for c in found.products if c.product.brand == "Sonique"]
    if len(sonique) == 1:
        assert _ids(brand) == sonique and "waterproof" in brand.reply, brand.reply
    elif sonique:  # two Sonique products: which one?
        assert brand.action is Action.CLARIFY


@pytest.mark.slow
def test_comparisons_of_two_items(bot):
    _, (found, cmp13, cmp12) = _chat(bot, "show me headphones", "compare the first and third",
                                     "what's the difference between 1 and 2")
    p = [c.product for c in found.products]
    assert cmp13.action is Action.COMPARE and _ids(cmp13) == [p[0].id, p[2].id], cmp13.reply
    assert _ids(cmp12) == [p[0].id, p[1].id]
    assert f"${p[0].price:.2f}" in cmp13.reply and f"${p[2].price:.2f}" in cmp13.reply


@pytest.mark.slow
def test_a_new_search_still_searches(bot):
    _, (_, tents) = _chat(bot, "show me headphones", "show me tents")
    assert tents.action is Action.SEARCH and tents.products
    assert all(c.product.product_type == "tents" for c in tents.products), tents.reply


def test_template_reply_states_the_answer_without_generation():
    from assistant.records import ReplyFacts
    from assistant.writer.template import template_reply

    for words in ("cheapest", "best rated", "longest battery", "lightest", "most reviews"):
        got = la.superlative(SHOWN, _sup(words))
        facts = ReplyFacts(intent="product_question", action=Action.ANSWER, user_text=f"which is the {words}?",
                           products=tuple(SHOWN[i] for i in got.about), notes=got.notes, question=got.asked,
                           answer=got.value)
        reply = template_reply(facts)
        assert reply.startswith(got.notes[0]) and "Here are" not in reply, reply
    white = la.colour_of(SHOWN, 2, "white")
    assert white == "Yes, the Sonique PulsePro Headphones (#3) comes in white (listed colours: gray and white)."
