"""Synthetic users: seeded, coherent tastes (their positive interactions lean to their favourite categories),
and the idempotent "users" build step."""

from __future__ import annotations

from assistant.db import make_engine
from assistant.interactions import InteractionStore
from training.users import build_users, generate_users, simulate_histories


def test_users_are_seeded_and_coherent(catalog):
    users = generate_users(catalog, 30, seed=4)
    assert users == generate_users(catalog, 30, seed=4)
    assert [u.user_id for u in users[:3]] == ["alice", "bob", "carol"]
    events = simulate_histories(users, catalog, seed=4)
    assert events == simulate_histories(users, catalog, seed=4)
    by_id = {p.id: p for p in catalog}
    fav = {u.user_id: set(u.categories) for u in users}
    positive = [e for e in events if e.kind in ("click", "purchase")]
    share = sum(by_id[e.item_id].category in fav[e.user_id] for e in positive) / len(positive)
    assert share > 0.6  # two of ~17 categories would give ~0.12 by chance


def test_build_step_is_idempotent(settings):
    from retrieval.catalog.generate import generate_catalog
    from retrieval.catalog.io import save_catalog

    save_catalog(generate_catalog(200, seed=settings.seed), settings.catalog_path)
    build_users(settings, n_users=20)
    store = InteractionStore(make_engine(settings.db_url))
    n = store.count()
    assert n > 100 and "alice" in store.users() and "dave" not in store.users()
    build_users(settings, n_users=20)
    assert store.count() == n
