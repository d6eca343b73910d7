"""RankingPolicy: rules (filters, bought items), feedback direction, exploration of new items, breakdowns."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from assistant.db import make_engine
from assistant.interactions import InteractionStore
from assistant.ranking.policy import RankingPolicy
from assistant.settings import RankerWeights
from retrieval.records import Hit, SearchFilters

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


def make_policy(catalog, store=None, seed=0, **weights):
    pol = RankingPolicy(RankerWeights(**weights), interactions=store, rng=np.random.default_rng(seed), now=lambda: NOW)
    pol.remember(catalog)
    return pol


def hits_for(products, seed=0):
    rng = np.random.default_rng(seed)
    return [Hit(p, float(rng.uniform(0.3, 0.6))) for p in products]


@pytest.fixture
def store(settings):
    return InteractionStore(make_engine(settings.db_url))


def test_breakdown_parts_sum_to_the_score_and_reasons_are_words(catalog, store):
    pol = make_policy(catalog, store)
    liked = catalog[3]
    pol.feedback("ann", liked.id, "like")
    cands = pol.rank("ann", hits_for(catalog[:100]), k=8)
    assert len(cands) == 8 and [c.position for c in cands] == list(range(8))
    for c in cands:
        names = [n for n, _ in c.breakdown.parts]
        assert names == ["relevance", "affinity", "sequential", "popularity", "exploration", "diversity"]
        assert c.score == c.breakdown.total
        assert c.breakdown.reasons and all(isinstance(r, str) and " " in r for r in c.breakdown.reasons)
        assert 0.0 < c.propensity <= 1.0
    assert not [i for i in store.history("ann") if i.kind == "view"]  # ranking itself writes nothing
    pol.record_views("ann", cands)  # what showing them does (the Assistant: a LogViews effect of the turn)
    views = [i for i in store.history("ann") if i.kind == "view"]
    assert [(v.item_id, v.position, v.propensity) for v in views] == [(c.product.id, c.position, c.propensity) for c in cands]


def test_hard_filters_are_always_respected(catalog):
    pol = make_policy(catalog)
    rng = np.random.default_rng(1)
    for trial in range(20):
        p = catalog[int(rng.integers(len(catalog)))]
        f = SearchFilters(category=p.category, max_price=float(p.price) * 1.5, in_stock=True if trial % 2 else None)
        cands = pol.rank(f"u{trial}", hits_for(catalog, seed=trial), k=5, filters=f)
        assert cands and all(f.matches(c.product) for c in cands)
        matching = [h for h in hits_for(catalog, seed=trial) if f.matches(h.product)]  # as the index returns them
        assert all(f.matches(c.product) for c in pol.rank(f"v{trial}", matching, k=5))


@pytest.mark.slow
def test_filters_respected_over_the_real_index(product_index, catalog):
    pol = make_policy(catalog)
    for f in (SearchFilters(category="footwear", max_price=80.0), SearchFilters(brands=(catalog[0].brand,)),
              SearchFilters(colors=("black",), min_price=20.0, in_stock=True)):
        hits = product_index.search("something nice", f, k=50)
        cands = pol.rank("x", hits, k=5)
        assert cands and all(f.matches(c.product) for c in cands)


def test_bought_non_consumable_never_comes_back_but_consumables_may(catalog, store):
    durable = next(p for p in catalog if not p.consumable)
    consumable = next(p for p in catalog if p.consumable)
    pol = make_policy(catalog, store)
    pol.feedback("bo", durable.id, "purchase")
    pol.feedback("bo", consumable.id, "purchase")
    hits = [Hit(durable, 0.99), Hit(consumable, 0.98)] + hits_for(catalog[50:90])
    shown = {c.product.id for _ in range(10) for c in pol.rank("bo", hits, k=5)}
    assert durable.id not in shown and consumable.id in shown
    # a fresh policy over the same store remembers the purchase; a return makes the item eligible again
    pol2 = make_policy(catalog, store)
    assert durable.id not in {c.product.id for c in pol2.rank("bo", hits, k=5)}
    pol2.feedback("bo", durable.id, "return")
    assert durable.id in {c.product.id for c in pol2.rank("bo", hits, k=5)}


def _siblings(catalog):
    for p in catalog:
        sib = [q for q in catalog if q.id != p.id and q.brand == p.brand and q.product_type == p.product_type]
        if sib:
            return p, sib[0]
    raise AssertionError("no two products share brand and type")


@pytest.mark.parametrize("kind,direction", [("like", 1), ("dislike", -1)])
def test_feedback_moves_similar_items_in_the_expected_direction(catalog, store, kind, direction):
    item, sibling = _siblings(catalog)
    pol = make_policy(catalog, store, exploration=0.0, popularity=0.0)
    pol.feedback("cy", catalog[-1].id, "click")  # some unrelated history so the profile exists
    hits = [h for h in hits_for(catalog[:120]) if h.product.id != item.id] + [Hit(sibling, 0.45)]
    hits = list({h.product.id: h for h in hits}.values())

    def sibling_score():
        [c] = [c for c in pol.rank("cy", hits, k=len(hits)) if c.product.id == sibling.id]
        return c.score, c.position

    before, pos_before = sibling_score()
    pol.feedback("cy", item.id, kind)
    after, pos_after = sibling_score()
    assert direction * (after - before) > 0.05
    assert direction * (pos_before - pos_after) > 0


def test_cold_user_gets_popularity_and_exploration_only(catalog):
    pol = make_policy(catalog)
    for c in pol.rank("nobody", hits_for(catalog[:60]), k=5):
        parts = dict(c.breakdown.parts)
        assert parts["affinity"] == 0.0 and parts["sequential"] == 0.0
        assert parts["popularity"] > 0.0 and parts["exploration"] > 0.0


def test_same_seed_same_ranking(catalog):
    a = [c.product.id for c in make_policy(catalog, seed=5).rank("u", hits_for(catalog[:80]), k=6)]
    b = [c.product.id for c in make_policy(catalog, seed=5).rank("u", hits_for(catalog[:80]), k=6)]
    assert a == b


def test_avoid_explores_away_from_the_shown_items(catalog):
    pol = make_policy(catalog, exploration=0.0)
    hits = hits_for([p for p in catalog if p.category == catalog[0].category])
    first = pol.rank("d", hits, k=4)
    avoid = tuple(c.product.id for c in first)
    second = pol.rank("d", hits, k=4, avoid=avoid)
    assert not {c.product.id for c in second} & set(avoid)
    assert any(dict(c.breakdown.parts)["diversity"] < 0 for c in second)


def test_a_brand_new_item_is_shown_within_a_few_recommendations(catalog):
    """Simulation: 40 established items with many views and some clicks, one new arrival with no data."""
    old = catalog[:40]
    new_item = replace(catalog[40], id="NEW1", created_at=(NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       rating=0.0, review_count=0)
    pol = make_policy(catalog + [new_item])
    rng = np.random.default_rng(3)
    for p in old:  # established items: a known, middling click rate
        for _ in range(20):
            pol.bandit.update(p, "view")
        for _ in range(int(rng.integers(2, 6))):
            pol.bandit.update(p, "click")
            pol.popularity.update(p.id, "click")
    hits = [Hit(p, float(rng.uniform(0.40, 0.50))) for p in old] + [Hit(new_item, 0.40)]
    first_shown = next((n for n in range(1, 21) if "NEW1" in {c.product.id for c in pol.rank(f"s{n}", hits, k=5)}), None)
    assert first_shown is not None and first_shown <= 10
    [c] = [c for c in pol.rank("z", hits, k=41) if c.product.id == "NEW1"]
    assert c.breakdown.exploratory and "new arrival we are exploring" in c.breakdown.reasons


def test_bad_feedback_kind_is_a_clear_error(catalog):
    from assistant.interactions import InteractionError

    with pytest.raises(InteractionError, match="unknown interaction kind"):
        make_policy(catalog).feedback("u", catalog[0].id, "stare")


def test_restart_makes_a_ranking_independent_of_what_came_before(catalog, store):
    """Replay restarts the policy before each conversation: the same seed gives the same slate whatever the
    policy learned or drew in between (process pool and Ray then agree however conversations are spread)."""
    hits = hits_for(catalog[:80])
    fresh = make_policy(catalog, store)
    fresh.restart(11)
    expected = [c.product.id for c in fresh.rank("eve", hits, k=6)]
    used = make_policy(catalog, store)
    for n in range(5):  # another conversation: draws, shows, likes
        shown = used.rank(f"u{n}", hits, k=6)
        used.record_views(f"u{n}", shown)
        used.feedback(f"u{n}", shown[0].product.id, "like")
    used.restart(11)
    assert [c.product.id for c in used.rank("eve", hits, k=6)] == expected
    assert used.bandit.observations(shown[0].product.id) == fresh.bandit.observations(shown[0].product.id)
