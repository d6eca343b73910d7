"""Slow tier: conversations against the real NLU model, real ranker and (one turn) the real writer, over
the shared product index. Skips cleanly when a shipped model is not there yet."""

from __future__ import annotations

import pytest

from assistant.records import Action

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def real_bot(tmp_path_factory, product_index, hybrid_index, embedder, real_parser):
    from assistant.assistant import Assistant
    from assistant.db import make_engine
    from assistant.orders.repository import OrderRepository
    from assistant.orders.seed import seed_demo_store
    from assistant.policies.store import PolicyStore
    from assistant.settings import Settings
    from tests.assistant.runtime_parts import runtime_of
    from retrieval.chroma_client import open_client

    settings = Settings(data_dir=tmp_path_factory.mktemp("real_bot") / "data", catalog_size=300)
    engine = make_engine(settings.db_url)
    orders = OrderRepository(engine)
    seed_demo_store(orders, product_index.all_products()[:40], seed=3)
    policies = PolicyStore(open_client(settings.chroma_path), embedder, settings.policies_collection)
    policies.index()
    return Assistant(runtime_of(settings, parser=real_parser, index=hybrid_index, policies=policies))


def test_shopping_conversation_real_models(real_bot):
    sid = real_bot.new_session("dave")
    t1 = real_bot.handle(sid, "dave", "show me running shoes under 150", generate=False)
    assert t1.action is Action.SEARCH and t1.error is None and t1.products, t1.reply
    assert all(c.product.product_type == "running shoes" and c.product.price <= 150 for c in t1.products)
    t2 = real_bot.handle(sid, "dave", "something cheaper", generate=False)
    floor = min(c.product.price for c in t1.products)
    assert all(c.product.price < floor and c.product.product_type == "running shoes" for c in t2.products)
    t3 = real_bot.handle(sid, "dave", "show me headphones", generate=False)
    assert len(t3.products) >= 2, t3.reply
    add = real_bot.handle(sid, "dave", "add the second one to my cart", generate=False)
    assert add.action is Action.CART_ADD
    assert real_bot.cart(sid)[-1].product_id == t3.products[1].product.id
    assert {"parse", "write", "store"} <= {t.stage for t in t3.timings}


def test_service_conversation_real_models(real_bot):
    sid = real_bot.new_session("bob")
    status = real_bot.handle(sid, "bob", "where is my order 10012?", generate=False)
    assert status.action is Action.ORDER_LOOKUP and dict(status.data)["status"] == "out_for_delivery"
    refused = real_bot.handle(sid, "bob", "please cancel order 10012", generate=False)
    assert refused.action is Action.REFUSE and real_bot.orders.get_order("bob", "10012").status == "out_for_delivery"
    other = real_bot.handle(sid, "bob", "where is my order 10001?", generate=False)
    fake = real_bot.handle(sid, "bob", "where is my order 98765?", generate=False)
    assert other.reply == fake.reply and other.action is fake.action and other.data == fake.data == ()
    late = real_bot.handle(sid, "bob", "I want to return order 10013", generate=False)
    assert late.action is Action.REFUSE


def test_generated_conversation_is_grounded(real_bot):
    """A multi-turn conversation written by the shipped writer (loaded only here: it is the slowest model):
    every reply is guard-checked against its own facts, cheaper is cheaper, the order answer names the order."""
    from assistant.writer.factory import writer_from_settings

    writer = writer_from_settings(real_bot.settings)
    real_bot.writer = writer
    try:
        sid = real_bot.new_session("alice")
        found = real_bot.handle(sid, "alice", "show me headphones under 300", generate=True)
        cheaper = real_bot.handle(sid, "alice", "anything cheaper?", generate=True)
        status = real_bot.handle(sid, "alice", "where is my order 10002?", generate=True)
    finally:
        real_bot.writer = None
    for turn in (found, cheaper, status):
        assert turn.error is None and turn.reply and (turn.guard_passed or turn.fallback), turn
        assert "write" in {t.stage for t in turn.timings}
    assert found.action is Action.SEARCH and found.products
    assert found.products[0].product.title in found.reply  # the reply names the top product it was given
    assert all(c.product.price < min(p.product.price for p in found.products) for c in cheaper.products)
    assert status.action is Action.ORDER_LOOKUP and "10002" in status.reply


def test_refinement_references_and_restart_real_models(real_bot):
    """Slot carry-over, a colour refinement, a reference, the cart and a restart, all parsed by the real model."""
    from assistant.assistant import Assistant

    sid = real_bot.new_session("dave")
    first = real_bot.handle(sid, "dave", "i need headphones under 400 bucks", generate=False)
    assert first.action is Action.SEARCH and first.products, first.reply
    assert all(c.product.product_type == "headphones" and c.product.price <= 400 for c in first.products)
    colours = [col for c in first.products for col in c.product.colors]
    colour = max(set(colours), key=colours.count)
    refined = real_bot.handle(sid, "dave", f"in {colour}", generate=False)
    assert refined.products, refined.reply
    for c in refined.products:  # type and price kept, colour added
        assert c.product.product_type == "headphones" and c.product.price <= 400 and colour in c.product.colors
    added = real_bot.handle(sid, "dave", "add the first one to my cart", generate=False)
    assert added.action is Action.CART_ADD
    assert [line.product_id for line in real_bot.cart(sid)] == [refined.products[0].product.id]
    from dataclasses import replace

    from assistant.stores import open_stores

    restarted = Assistant(replace(real_bot.runtime, stores=open_stores(real_bot.settings)))  # a new process
    assert [line.product_id for line in restarted.cart(sid)] == [refined.products[0].product.id]
