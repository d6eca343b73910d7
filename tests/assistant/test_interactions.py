"""InteractionStore: round trip, history order, purchased (returns undo), validation, one transaction per write."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from assistant.db import make_engine
from assistant.interactions import Interaction, InteractionError, InteractionStore


@pytest.fixture
def store(settings):
    return InteractionStore(make_engine(settings.db_url))


def test_round_trip_keeps_every_field(store):
    i = Interaction("alice", "P00001", "view", "2026-11-01T10:00:00.000000Z", position=2, propensity=0.25, session_id="s1")
    store.log(i)
    assert store.history("alice") == [i]
    assert store.history("bob") == []
    assert store.count() == 1 and store.users() == ["alice"]


def test_history_is_oldest_first_and_limit_keeps_the_latest(store):
    store.log_many(Interaction("u", f"P{i}", "click", f"2026-11-01T10:00:{i:02d}Z") for i in (3, 1, 2))
    assert [i.item_id for i in store.history("u")] == ["P1", "P2", "P3"]
    assert [i.item_id for i in store.history("u", limit=2)] == ["P2", "P3"]


def test_purchased_ignores_returned_items(store):
    ts = "2026-11-01T10:00:0{}Z"
    store.log_many([Interaction("u", "shoe", "purchase", ts.format(1)), Interaction("u", "mug", "purchase", ts.format(2)),
                    Interaction("u", "mug", "return", ts.format(3)), Interaction("u", "hat", "click", ts.format(4))])
    assert store.purchased("u") == {"shoe"}
    assert store.item_counts() == {"shoe": 1, "mug": 1, "hat": 1}


@pytest.mark.parametrize("kwargs", [{"kind": "stare"}, {"user_id": ""}, {"propensity": 1.5}])
def test_bad_interactions_get_a_clear_error(kwargs):
    base = {"user_id": "u", "item_id": "P1", "kind": "click", "ts": "2026-11-01T10:00:00Z"}
    with pytest.raises(InteractionError):
        Interaction(**{**base, **kwargs})


def test_log_many_is_all_or_nothing(store):
    good = Interaction("u", "P1", "click", "2026-11-01T10:00:00Z")
    bad = Interaction("u", "P2", "click", "2026-11-01T10:00:01Z")
    object.__setattr__(bad, "item_id", None)  # slips past validation; the database refuses it
    with pytest.raises(IntegrityError):
        store.log_many([good, bad])
    assert store.count() == 0
    assert store.forget("u") == 0
