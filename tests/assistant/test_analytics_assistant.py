"""Analytics and the inbox read the log the real Assistant writes (real Chroma index, real SQLite stores;
the deterministic stand-in parser keeps the conversation predictable)."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.analytics.inbox import pending
from assistant.analytics.source import load_conversations
from assistant.analytics.summary import compute_summary
from assistant.db import make_engine
from assistant.orders.repository import OrderRepository
from assistant.orders.seed import seed_demo_store
from assistant.records import Action
from assistant.settings import Settings
from tests.assistant.runtime_parts import assistant_of
from tests.assistant.standin_parser import StandinParser


@pytest.fixture
def bot_and_engine(tmp_path, product_index, hybrid_index):
    settings = Settings(data_dir=tmp_path / "data", catalog_size=300)
    engine = make_engine(settings.db_url)
    seed_demo_store(OrderRepository(engine), product_index.all_products()[:40], seed=3)
    bot = assistant_of(settings, parser=StandinParser(), index=hybrid_index, ranker=None)
    return bot, engine


def test_summary_of_real_assistant_conversations(bot_and_engine, catalog):
    bot, engine = bot_and_engine
    ptype = Counter(p.product_type for p in catalog).most_common(1)[0][0]
    s1 = bot.new_session("dave")
    assert bot.handle(s1, "dave", "hi").error is None
    search = bot.handle(s1, "dave", f"show me {ptype}")
    assert search.action is Action.SEARCH and search.products
    bot.feedback(s1, "dave", search.products[0].product.id, "add_to_cart")
    s2 = bot.new_session("alice")
    handoff = bot.handle(s2, "alice", "I want to talk to a human agent")
    assert handoff.action is Action.HANDOFF

    s = compute_summary(engine)
    assert (s.conversations, s.turns, s.handoffs, s.resolved) == (2, 3, 1, 1)
    assert dict(s.intent_totals) == {"greeting": 1, "search_products": 1, "human_agent": 1}
    assert s.shown == len(search.products) and s.added == 1
    # the assistant appends a TurnMeasured per turn: guard/fallback flags, stage timings, shown items
    assert s.measured_turns == 3 and {x.stage for x in s.latency} >= {"parse", "write"}
    assert {x.stage: x.n for x in s.latency}["parse"] == 3
    [turn] = [t for c in load_conversations(engine) for t in c.turns if t.shown and t.measured]
    assert [x.item_id for x in turn.shown] == [c.product.id for c in search.products]
    assert [i.text for i in pending(engine)] == ["I want to talk to a human agent"]


def test_offpolicy_on_the_real_ranking_policy_log(tmp_path, product_index, hybrid_index, catalog):
    import numpy as np

    from assistant.analytics.offpolicy import estimate
    from assistant.analytics.offpolicy_log import slates_from_log
    from assistant.analytics.source import load_interactions
    from assistant.analytics.target_policy import ReweightedPolicy
    from assistant.ranking.policy import RankingPolicy
    from assistant.settings import RankerWeights

    from assistant.stores import open_stores

    settings = Settings(data_dir=tmp_path / "data", catalog_size=300)
    stores = open_stores(settings)
    engine, store = stores.engine, stores.interactions
    ranker = RankingPolicy(settings.ranker, interactions=store, lookup=product_index.get, rng=np.random.default_rng(0))
    bot = assistant_of(settings, parser=StandinParser(), index=hybrid_index, ranker=ranker, stores=stores)
    types = [t for t, _ in Counter(p.product_type for p in catalog).most_common(4)]
    clicks = 0
    for n, ptype in enumerate(types * 2):
        sid = bot.new_session(f"u{n % 3}")
        turn = bot.handle(sid, f"u{n % 3}", f"show me {ptype}")
        assert turn.products and turn.error is None
        bot.feedback(sid, f"u{n % 3}", turn.products[n % len(turn.products)].product.id, "click")
        clicks += 1
    convs = load_conversations(engine)
    interactions = load_interactions(engine)
    s = compute_summary(engine)
    assert s.clicked == clicks and s.shown >= clicks and 0 <= s.exploration_share <= 1
    slates = slates_from_log(convs, interactions)
    assert len(slates) == len(types) * 2 and sum(sum(sl.rewards) for sl in slates) == clicks
    assert all(dict(i.parts).keys() >= {"relevance", "exploration", "diversity"} for sl in slates for i in sl.items)
    w = settings.ranker
    same = estimate(slates, ReweightedPolicy(w, w), w, behaviour=ReweightedPolicy(w, w), n_boot=100)
    assert same.ips.value == pytest.approx(same.observed.value) and same.max_weight == pytest.approx(1.0)
    other = RankerWeights(relevance=2.0, exploration=0.0)
    report = estimate(slates, ReweightedPolicy(other, w), w, behaviour=ReweightedPolicy(w, w), n_boot=100)
    assert 0.0 <= report.snips.low <= report.snips.value <= report.snips.high <= 1.0
