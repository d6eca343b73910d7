"""Needs in plain words (issue 15 item 2): the rule reader, and real conversations (real NLU, real Chroma + BM25,
real ranker) over the generated test catalog and, when a built ESCI store is given, over the real one.

The ESCI conversations run when ``SHOPBOT_ESCI_STORE`` names a built store of ../shared/data/esci-shop
(``shopbot --data-dir DIR catalog import ... && shopbot --data-dir DIR build``); a copy is used, never the store."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from assistant.dialogue.needs import Needs, product_words, read_needs
from assistant.grammar import agree_counts
from assistant.records import Action


# --- the reader (no models) -----------------------------------------------------------------------
@pytest.mark.parametrize("text, recipient, occasion, interests, usage", [
    ("I need a gift for my dad, he likes grilling, budget around 50 bucks", "dad", "", ("grilling",), ""),
    ("need a birthday present for my sister who loves coffee, max $40", "sister", "birthday", ("coffee",), ""),
    ("I'm into hiking and camping", "", "", ("hiking", "camping"), ""),
    ("a desk for a small apartment", "", "", (), "a small apartment"),
    ("something for a small apartment", "", "", (), "a small apartment"),
    ("what should I get my dad for father's day? he loves fishing", "dad", "father's day", ("fishing",), ""),
    ("my brother is into gaming, something under $60", "brother", "", ("gaming",), ""),
])
def test_reader_finds_each_need(text, recipient, occasion, interests, usage):
    needs = read_needs(text)
    assert (needs.recipient, needs.occasion, needs.interests, needs.usage) == (recipient, occasion, interests, usage)


@pytest.mark.parametrize("text", ["tent for 2 people", "running shoes for women", "i love this one",
                                  "I like the second one better", "case for iphone 12", "yoga mats in purpel",
                                  "looking for a yoga mat that's not too thick", "anything from a different brand?"])
def test_plain_searches_and_references_state_no_needs(text):
    assert not read_needs(text), read_needs(text)


@pytest.mark.parametrize("text, reason", [
    ("I need a gift for my dad, he likes grilling, budget around 50 bucks", "For your dad, who likes grilling"),
    ("need a birthday present for my sister who loves coffee, max $40",
     "For your sister's birthday, since she loves coffee"),
    ("I'm into hiking and camping", "Since you're into hiking and camping"),
    ("a desk for a small apartment", "For a small apartment"),
    ("what should I get my dad for father's day? he loves fishing", "For your dad on Father's Day, since he loves fishing"),
    ("anniversary gift for my wife, she loves cooking", "For your wife, on your anniversary, since she loves cooking"),
    ("my friend is into running", "For your friend, who is into running"),
    ("housewarming gift for my neighbor, she likes candles", "For your neighbor's housewarming, since she likes candles"),
])
def test_reason_is_grammatical(text, reason):
    assert read_needs(text).reason() == reason


def test_labels_are_singular_nouns():
    assert read_needs("I love board games").label() == "board game idea"
    assert read_needs("he likes running too").interests == ("running",)
    assert read_needs("birthday gift ideas").label() == "gift idea"


def test_product_words_are_what_is_left_after_the_needs():
    assert product_words(read_needs("a desk for a small apartment"), "a desk for a small apartment") == ("desk",)
    gift = "I need a gift for my dad, he likes grilling"
    assert product_words(read_needs(gift), gift) == ()


def test_needs_survive_the_slots_round_trip():
    needs = read_needs("need a birthday present for my sister who loves coffee")
    back = Needs.from_json(needs.to_json())
    assert (back.recipient, back.occasion, back.interests, back.reason()) == (
        needs.recipient, needs.occasion, needs.interests, needs.reason())
    assert not Needs.from_json("")


# --- real conversations ---------------------------------------------------------------------------
def _bot(settings, index, parser, embedder, seed_products):
    from assistant.assistant import Assistant
    from assistant.orders.seed import seed_demo_store
    from assistant.policies.store import PolicyStore
    from assistant.stores import open_stores
    from retrieval.chroma_client import open_client
    from tests.assistant.runtime_parts import runtime_of

    stores = open_stores(settings)
    seed_demo_store(stores.orders, seed_products, seed=3)
    policies = PolicyStore(open_client(settings.chroma_path), embedder, settings.policies_collection)
    policies.index()
    return Assistant(runtime_of(settings, parser=parser, index=index, policies=policies, stores=stores))


@pytest.fixture(scope="module")
def bot(tmp_path_factory, hybrid_index, embedder, real_parser):
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("needs_bot") / "data", catalog_size=300)
    return _bot(settings, hybrid_index, real_parser, embedder, hybrid_index.all_products()[:40])


def _talk(bot, *texts):
    sid = bot.new_session("nina")
    return [bot.handle(sid, "nina", t, generate=False) for t in texts]


def _types(turn) -> set[str]:
    return {c.product.product_type for c in turn.products}


def _grammatical(reply: str) -> None:
    assert agree_counts(reply) == reply, reply  # counts agree ("Here is 1 ...", "Here are 3 ...")
    assert not re.search(r"\b(\w+) \1\b", reply, re.I), reply  # no doubled words
    assert "for my " not in reply and "I need" not in reply, reply  # the shopper's words are not parroted


@pytest.mark.slow
def test_gift_for_a_coffee_lover_shows_coffee_under_budget(bot):
    (turn,) = _talk(bot, "need a birthday present for my sister who loves coffee, max $40")
    assert turn.action is Action.SEARCH and turn.products, turn.reply
    assert all(c.product.price is not None and c.product.price <= 40 for c in turn.products)
    assert all("coffee" in f"{c.product.title} {c.product.product_type}".lower() for c in turn.products), turn.reply
    assert "For your sister's birthday, since she loves coffee" in turn.reply
    _grammatical(turn.reply)


@pytest.mark.slow
def test_an_interest_the_catalog_does_not_sell_is_said_so_not_papered_over(bot):
    (turn,) = _talk(bot, "I need a gift for my dad, he likes grilling, budget around 50 bucks")
    # the generated catalog sells nothing for grilling: no cutting boards, chargers or candles in its place
    assert not turn.products and "grilling" in turn.reply and "What else is he into?" in turn.reply, turn.reply
    assert "Here are 5 grilling for my dad" not in turn.reply


@pytest.mark.slow
def test_own_interests_give_products_of_both(bot):
    (turn,) = _talk(bot, "I'm into hiking and camping")
    assert turn.action is Action.SEARCH and len(turn.products) >= 3, turn.reply
    assert turn.reply.startswith("Since you're into hiking and camping: here are"), turn.reply
    assert any("hiking" in t for t in _types(turn)), _types(turn)
    assert _types(turn) <= {"hiking backpacks", "hiking boots", "tents", "sleeping bags", "camping stoves",
                            "trekking poles", "backpacks", "trail running shoes"}, _types(turn)
    _grammatical(turn.reply)


@pytest.mark.slow
def test_usage_with_a_product_keeps_the_product_and_states_the_reason(bot):
    (turn,) = _talk(bot, "a desk for a small apartment")
    assert turn.products and turn.products[0].product.product_type == "desks", turn.reply
    assert all("desk" in c.product.title.lower() for c in turn.products), turn.reply
    assert turn.reply.startswith("For a small apartment: "), turn.reply


@pytest.mark.slow
def test_usage_alone_suggests_from_the_catalog_text(bot):
    (turn,) = _talk(bot, "something for a small apartment")
    assert turn.action is Action.SEARCH and turn.products, turn.reply
    assert turn.reply.startswith("For a small apartment: here are"), turn.reply


@pytest.mark.slow
def test_recipient_alone_asks_what_they_like_and_keeps_the_budget(bot):
    ask, answer = _talk(bot, "gift for my mom, around $30", "she likes yoga")
    assert ask.action is Action.CLARIFY and "What is she into" in ask.reply, ask.reply
    assert answer.products and all(c.product.price <= 30 for c in answer.products), answer.reply
    assert _types(answer) == {"yoga mats"} and answer.reply.startswith("For your mom, who likes yoga:"), answer.reply


def _other_brands(index, shown, keep) -> set[str]:
    return {p.brand for p in index.all_products() if keep(p) and p.in_stock} - {c.product.brand for c in shown.products}


@pytest.mark.slow
def test_different_brand_after_a_gift_list_keeps_the_need_and_drops_the_brands(bot, hybrid_index):
    first, other = _talk(bot, "need a birthday present for my sister who loves coffee, max $40",
                         "anything from a different brand?")
    assert first.products, first.reply
    left = _other_brands(hybrid_index, first, lambda p: "coffee" in p.title.lower() and (p.price or 1e9) <= 40)
    assert bool(other.products) == bool(left), other.reply
    assert not {c.product.brand for c in first.products} & {c.product.brand for c in other.products}
    assert all(c.product.price <= 40 and "coffee" in c.product.title.lower() for c in other.products), other.reply
    if not left:
        assert other.reply == "That's everything I have for coffee ideas."


@pytest.mark.slow
def test_different_brand_after_a_search_excludes_the_shown_brands(bot, hybrid_index):
    first, other = _talk(bot, "show me yoga mats", "anything from a different brand?")
    assert first.products
    left = _other_brands(hybrid_index, first, lambda p: p.product_type == "yoga mats")
    assert bool(other.products) == bool(left), (left, other.reply)
    assert not {c.product.brand for c in first.products} & {c.product.brand for c in other.products}
    assert _types(other) <= {"yoga mats"}


@pytest.mark.slow
def test_not_from_a_brand_excludes_it(bot):
    first, other = _talk(bot, "looking for a yoga mat that's not too thick", "not from Zenflex")
    assert first.products and other.products, other.reply
    assert all(c.product.brand != "Zenflex" and c.product.product_type == "yoga mats" for c in other.products)
    assert "Zenflex yoga mats" not in other.reply


@pytest.mark.slow
def test_not_a_brand_searched_for_drops_it_and_excludes_it(bot):
    first, other = _talk(bot, "zenflex yoga mats", "not zenflex, something else")
    assert first.products and {c.product.brand for c in first.products} == {"Zenflex"}, first.reply
    assert other.products and all(c.product.brand != "Zenflex" for c in other.products), other.reply
    assert _types(other) == {"yoga mats"} and "Zenflex" not in other.reply, other.reply


@pytest.mark.slow
def test_a_relaxed_price_is_not_claimed_in_the_reply(bot):
    (turn,) = _talk(bot, "yoga mats under $1")
    assert turn.products and _types(turn) == {"yoga mats"}, turn.reply
    assert "so I relaxed: the price limit" in turn.reply and "under $1" not in turn.reply, turn.reply


@pytest.mark.slow
def test_with_a_part_refines_the_search(bot):
    first, hood = _talk(bot, "jackets under $150", "with a hood")
    assert first.products and hood.products, hood.reply
    assert _types(hood) == {"jackets"} and all(c.product.price <= 150 for c in hood.products), hood.reply
    assert "hooded" in hood.products[0].product.features, [c.product.title for c in hood.products]


@pytest.mark.slow
def test_quantity_words_match_the_title(bot):
    from assistant.dialogue.request import quantity_phrases

    (turn,) = _talk(bot, "tent for 2 people")
    assert turn.products and "2 person" in quantity_phrases(turn.products[0].product.title), turn.reply
    stated = [quantity_phrases(c.product.title) for c in turn.products]
    assert all(not q or "2 person" in q for q in stated), stated  # no "4 Person Tent" among them


@pytest.mark.slow
def test_colour_typo_is_read_as_the_colour(bot):
    (turn,) = _talk(bot, "yoga mats in purpel")
    assert turn.products and _types(turn) == {"yoga mats"}, turn.reply
    assert "purpel" not in turn.reply and "relaxed: material" not in turn.reply, turn.reply


@pytest.mark.slow
def test_back_to_the_search_after_an_order_question(bot):
    tents, order, back = _talk(bot, "tent for 2 people", "where is my order 10012?", "back to the tents")
    assert order.action is not Action.SEARCH
    assert back.action is Action.SEARCH and [c.product.id for c in back.products] == [c.product.id for c in tents.products]


@pytest.mark.slow
def test_back_to_a_search_after_a_policy_question_keeps_its_filters(bot):
    first, policy, back = _talk(bot, "running shoes under $120", "what's your return policy?", "back to the running shoes")
    assert first.products and policy.action is Action.POLICY_ANSWER
    assert back.products and all(c.product.product_type == "running shoes" and c.product.price <= 120
                                 for c in back.products), back.reply


@pytest.mark.slow
def test_a_negated_colour_is_not_a_wanted_colour(bot):
    (turn,) = _talk(bot, "a yoga mat, not purple")
    assert turn.products and _types(turn) == {"yoga mats"} and "purple yoga mats" not in turn.reply, turn.reply


@pytest.mark.slow
def test_a_misspelt_colour_read_as_a_brand_is_the_colour(bot):
    (turn,) = _talk(bot, "blak sneakers")
    assert turn.products and "don't carry" not in turn.reply, turn.reply
    assert all("black" in [c.lower() for c in t.product.colors] for t in turn.products)


@pytest.mark.slow
def test_a_product_for_someone_keeps_the_product_and_drops_the_recipient_words(bot):
    (turn,) = _talk(bot, "tent for my dad")
    assert turn.products and _types(turn) == {"tents"}, turn.reply
    assert turn.reply.startswith("For your dad: here are") and "for my dad" not in turn.reply, turn.reply


@pytest.mark.slow
def test_interests_answering_the_question_keep_the_recipient_and_budget(bot):
    ask, answer = _talk(bot, "I need a gift for my dad, he likes grilling, budget around 50 bucks", "he also likes camping")
    assert not ask.products
    assert answer.products and "For your dad, who likes camping: here" in answer.reply, answer.reply
    # the budget holds, unless nothing for camping is under it and the reply says it was relaxed
    assert all(c.product.price <= 50 for c in answer.products) or answer.reply.startswith(
        "Nothing for camping is under $50, so I relaxed the price limit."), answer.reply


# --- the real ESCI catalog (../shared/data/esci-shop, imported and indexed here; SHOPBOT_ESCI_STORE: a built copy) --
@pytest.fixture(scope="module")
def esci_bot(tmp_path_factory):
    """The whole real catalog: imported with the esci preset and indexed (bf16, ~3 min on 2 cores), or a copy of
    a store built the same way when SHOPBOT_ESCI_STORE names one. Skips only when the data are absent."""
    from assistant.assistant import Assistant
    from assistant.runtime import build_runtime
    from assistant.settings import Settings
    from tests.conftest import shared_dataset
    from ui.cli.main import main

    copy = tmp_path_factory.mktemp("esci") / "store"
    store = os.environ.get("SHOPBOT_ESCI_STORE")
    if store and (Path(store) / "chroma").is_dir():
        shutil.copytree(store, copy)
    else:
        products = shared_dataset("esci-shop") / "products.jsonl"
        assert main(["--data-dir", str(copy), "catalog", "import", str(products), "--format", "esci"]) == 0
        assert main(["--data-dir", str(copy), "index"]) == 0
    return Assistant(build_runtime(Settings(data_dir=copy), generate=False))


@pytest.mark.slow
def test_esci_grilling_gift_comes_from_grilling_products(esci_bot):
    (turn,) = _talk(esci_bot, "I need a gift for my dad, he likes grilling, budget around 50 bucks")
    assert turn.products and all(c.product.price <= 50 for c in turn.products), turn.reply
    assert turn.reply.startswith("For your dad, who likes grilling: here are"), turn.reply
    assert all(c.product.product_type != "screens" for c in turn.products)  # "Door Grille" is not for grilling


@pytest.mark.slow
def test_esci_coffee_gift(esci_bot):
    (turn,) = _talk(esci_bot, "need a birthday present for my sister who loves coffee, max $40")
    assert turn.action is Action.SEARCH and turn.products and all(c.product.price <= 40 for c in turn.products)
    assert sum("coffee" in f"{c.product.title} {c.product.product_type}".lower() for c in turn.products) >= 3


@pytest.mark.slow
def test_esci_not_the_brand_just_shown(esci_bot):
    first, other = _talk(esci_bot, "ugg slippers women", "not ugg, something else")
    assert first.products and all(c.product.brand.lower() == "ugg" for c in first.products), first.reply
    assert other.products and all(c.product.brand.lower() != "ugg" for c in other.products), other.reply
    assert "Ugg" not in other.reply and "UGG" not in other.reply.split(". ")[0], other.reply


@pytest.mark.slow
def test_esci_a_price_below_every_match_is_relaxed_not_filled_with_cheap_things(esci_bot):
    first, cheap = _talk(esci_bot, "dog bowl", "under $5")
    assert first.products and cheap.products, cheap.reply
    assert all("bowl" in c.product.title.lower() for c in cheap.products), [c.product.title for c in cheap.products]
    assert "relaxed: the price limit" in cheap.reply and "under $5" not in cheap.reply, cheap.reply


@pytest.mark.slow
def test_esci_cheaper_than_unpriced_products_asks_for_a_budget(esci_bot):
    first, cheaper = _talk(esci_bot, "waterproof hiking boots for men size 11", "show me cheaper ones")
    assert first.products and all(c.product.price is None for c in first.products), first.reply
    assert cheaper.action is Action.ANSWER and not cheaper.products, cheaper.reply
    assert "None of the products shown lists a price" in cheaper.reply, cheaper.reply


@pytest.mark.slow
def test_esci_closest_matches_quote_the_shoppers_words(esci_bot):
    (turn,) = _talk(esci_bot, "iphone 12 case")
    assert turn.products and 'closest matches I found for "iphone 12 case"' in turn.reply, turn.reply


@pytest.mark.slow
def test_esci_a_not_inside_a_catalog_name_is_no_negation(esci_bot):
    """"bite not collar" is the BiteNot collar the catalog sells, not "bite" without collars."""
    (turn,) = _talk(esci_bot, "bite not collar")
    titles = [c.product.title.lower() for c in turn.products]
    assert titles and sum("collar" in t for t in titles) >= 3, turn.reply
    assert '"bite"' not in turn.reply, turn.reply
