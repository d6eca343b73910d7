"""The composition root (assistant/stores.py, assistant/runtime.py): built once, shared, closed once."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.stores import open_stores


def test_stores_share_one_engine_and_close_once(tmp_path):
    with open_stores(Settings(data_dir=tmp_path)) as stores:
        assert stores.orders.engine is stores.engine is stores.events.engine is stores.interactions.engine
        assert stores.sessions.events is stores.events and stores.sessions.locks is stores.locks
        with stores.locks.hold("s1"):
            assert stores.locks.active() == 1
        with pytest.raises(FrozenInstanceError):
            stores.engine = None
    assert stores.locks.active() == 0


@pytest.mark.slow
def test_build_runtime_serves_a_turn_over_one_set_of_stores(tmp_path, product_index, catalog):
    from assistant.assistant import Assistant
    from assistant.records import Action
    from assistant.runtime import build_runtime

    data_dir = Path(product_index.client.get_settings().persist_directory).parent  # the session's built index
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{tmp_path / 'shop.db'}", generate=False)
    stores = open_stores(settings)
    runtime = build_runtime(settings, stores=stores, generate=False)
    assert runtime.stores is stores and runtime.settings is settings and runtime.writer is None
    assert runtime.index.count() == len(catalog) and stores.orders.has_customers()  # demo store seeded once
    bot = Assistant(runtime)
    assert bot.sessions is stores.sessions and bot.orders is stores.orders and bot.events is stores.events
    sid = bot.new_session("alice")
    turn = bot.handle(sid, "alice", "show me some headphones")
    assert turn.error is None and turn.action is Action.SEARCH and turn.products
    assert stores.interactions.history("alice")  # the turn's views were committed through the same stores
    bot.close()
