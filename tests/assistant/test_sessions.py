"""Bounded per-session state (SessionStore), bounded per-visitor ranker profiles, UserRef, and feedback that
only counts for products shown in the session (anonymous visitors never move the global statistics)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from assistant.assistant import FeedbackRejected
from assistant.events import EventLog, PendingSet, ProductsShown, SessionStarted
from assistant.interactions import InteractionStore
from assistant.ranking.policy import RankingPolicy
from assistant.records import Action, Hit
from assistant.sessions import LocalSessionStore, SharedSessionStore, session_store_for
from assistant.users import UserRef
from tests.assistant.light_assistant import light_assistant


def test_user_ref():
    assert UserRef.of(None).anonymous and UserRef.of("  ").id == "anonymous"
    assert UserRef.of(" alice ").id == "alice" and UserRef.of("alice").signed_in
    v = UserRef.visitor()
    assert v.anonymous and v.id.startswith("anonymous:") and v != UserRef.visitor()
    assert UserRef.of("Anonymous:xyz").anonymous and not UserRef.of("anonymously").anonymous


def test_the_cache_is_bounded_and_eviction_never_breaks_a_live_conversation(tmp_path):
    bot = light_assistant(tmp_path / "d", max_cached_sessions=3)
    live = bot.new_session("alice")
    asked = bot.handle(live, "alice", "cancel my order")  # "which order?" -> pending cancel
    assert asked.action is Action.CLARIFY and bot.sessions.state(live, "alice").pending == "cancel_order"
    for i in range(40):  # a flood of new visitors
        bot.handle(bot.new_session(f"anonymous:v{i}"), f"anonymous:v{i}", "hello")
    assert len(bot.sessions) <= 3
    done = bot.handle(live, "alice", "10003")  # rebuilt from the event log: the pending intent survived
    assert done.action is Action.CANCEL and done.error is None
    assert bot.orders.get_order("alice", "10003").status == "cancelled"
    assert bot.sessions.active_locks() == 0
    other = bot.handle(live, "bob", "hello")  # the owner is rebuilt too
    assert other.error == "session_forbidden"


def test_store_lock_is_per_session_and_released(tmp_path):
    from assistant.db import make_engine

    from assistant.session_lock import SessionLocks, SessionLockTimeout

    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    store = LocalSessionStore(EventLog(engine), SessionLocks(engine, timeout_s=0.2), max_cached=2)

    with store.lock("a"), store.lock("b"):
        assert store.active_locks() == 2
        failed = []

        def other():
            try:
                with store.lock("a"):
                    pass
            except SessionLockTimeout as exc:
                failed.append(exc)

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert failed
    assert store.active_locks() == 0
    assert isinstance(session_store_for(store.events, store.locks), LocalSessionStore)
    assert not isinstance(session_store_for(store.events, store.locks), SharedSessionStore)  # SQLite: one process


def test_ranker_profiles_are_bounded(catalog):
    pol = RankingPolicy(max_profiles=5, rng=np.random.default_rng(0))
    hits = [Hit(p, 0.5) for p in catalog[:30]]
    for i in range(50):
        pol.feedback(f"anonymous:v{i}", catalog[i].id, "like") if i % 2 else pol.rank(f"u{i}", hits, k=3)
    assert len(pol._profiles) <= 5 and len(pol._purchased) <= 5


def test_anonymous_feedback_never_moves_global_statistics(catalog):
    pol = RankingPolicy(rng=np.random.default_rng(0))
    p = catalog[0]
    pol.remember([p])
    before = (pol.bandit.observations(p.id), dict(pol.popularity.counts) if hasattr(pol.popularity, "counts") else None)
    for _ in range(20):
        pol.feedback("anonymous:mallory", p.id, "purchase")
    assert (pol.bandit.observations(p.id), dict(pol.popularity.counts) if hasattr(pol.popularity, "counts") else None) == before
    assert pol._profile("anonymous:mallory").view(pol.now()).strength > 0  # their own profile still learns
    pol.feedback("alice", p.id, "purchase")
    assert pol.bandit.observations(p.id) > before[0]


def test_warm_start_ignores_anonymous_interactions(tmp_path, catalog):
    from assistant.db import make_engine
    from assistant.interactions import Interaction

    store = InteractionStore(make_engine(f"sqlite:///{tmp_path / 'i.db'}"))
    p = catalog[0]
    store.log_many(Interaction("anonymous:x", p.id, "purchase", f"2026-01-01T00:00:{i:02d}Z") for i in range(30))
    pol = RankingPolicy(interactions=store, lookup=lambda ids: [q for q in catalog if q.id in ids])
    assert pol.bandit.observations(p.id) == 0


@pytest.fixture
def shop(tmp_path, hybrid_index):
    """A light assistant over the real product index (so searches show real products)."""
    from assistant.db import make_engine
    from assistant.orders.repository import OrderRepository
    from assistant.orders.seed import seed_demo_store
    from assistant.settings import Settings
    from tests.assistant.runtime_parts import assistant_of
    from tests.assistant.light_assistant import NoPolicies
    from tests.assistant.standin_parser import StandinParser

    settings = Settings(data_dir=tmp_path / "data", catalog_size=300)
    engine = make_engine(settings.db_url)
    seed_demo_store(OrderRepository(engine))
    return assistant_of(settings, parser=StandinParser(), index=hybrid_index, policies=NoPolicies())


def test_feedback_only_for_products_shown_in_that_session(shop, catalog):
    sid = shop.new_session("anonymous:v1")
    turn = shop.handle(sid, "anonymous:v1", f"show me {catalog[0].product_type}")
    shown = [c.product.id for c in turn.products]
    assert shown
    never = next(p.id for p in catalog if p.id not in shown)
    with pytest.raises(FeedbackRejected):
        shop.feedback(sid, "anonymous:v1", never, "like")
    other = shop.new_session("anonymous:v2")  # shown in another session does not count either
    with pytest.raises(FeedbackRejected):
        shop.feedback(other, "anonymous:v2", shown[0], "like")
    before = shop.runtime.stores.interactions.count()
    shop.feedback(sid, "anonymous:v1", shown[0], "add_to_cart")
    assert shop.runtime.stores.interactions.count() == before + 1
    assert [line.product_id for line in shop.cart(sid)] == [shown[0]]
    row = shop.runtime.stores.interactions.history("anonymous:v1")[-1]
    assert row.kind == "add_to_cart" and row.position == 0 and row.session_id == sid  # logged with its show


def test_views_are_logged_with_the_turn(shop, catalog):
    sid = shop.new_session("dave")
    turn = shop.handle(sid, "dave", f"show me {catalog[0].product_type}")
    views = [i for i in shop.runtime.stores.interactions.history("dave") if i.kind == "view"]
    assert [v.item_id for v in views] == [c.product.id for c in turn.products]
    assert all(v.session_id == sid and v.propensity is not None for v in views)
    shown = [e.event for e in shop.events.events(sid) if isinstance(e.event, ProductsShown)]
    assert list(shown[-1].product_ids) == [v.item_id for v in views]


@pytest.mark.server
def test_shared_store_rebuilds_state_written_by_another_worker(tmp_path, pg_engine):  # noqa: F811
    """Two "workers" (two Assistants, separate engines) on one PostgreSQL: a pending question asked by one is
    answered through the other."""
    from assistant.db import make_engine

    url = pg_engine.url.render_as_string(hide_password=False)
    a = light_assistant(tmp_path / "a", database_url=url + "?application_name=w1")
    b = light_assistant(tmp_path / "b", database_url=url + "?application_name=w2")
    assert isinstance(a.sessions, SharedSessionStore)
    sid = a.new_session("alice")
    assert a.handle(sid, "alice", "cancel my order").action is Action.CLARIFY
    assert b.handle(sid, "alice", "10003").action is Action.CANCEL
    events = EventLog(make_engine(url)).events(sid)
    assert isinstance(events[0].event, SessionStarted) and any(isinstance(e.event, PendingSet) for e in events)


from tests.assistant.pg_server import pg_engine, pg_server  # noqa: E402,F401
