"""The stores' SQLAlchemy schemas (events, interactions, orders, inbox labels) create and round-trip on a real
PostgreSQL server, and the analytics numbers there equal the SQLite ones."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from assistant.analytics.inbox import export_reviewed, pending, reviewed, save_label
from assistant.analytics.source import load_conversations, load_interactions
from assistant.analytics.summary import summarize
from assistant.db import create_tables, make_engine
from assistant.events import EventLog, ProductsShown, SessionStarted, UserUttered
from assistant.interactions import Interaction, InteractionStore, utc_now
from assistant.orders.repository import OrderRepository
from assistant.orders.seed import seed_demo_store
from tests.assistant.analytics_log import write_log
from tests.assistant.pg_server import pg_engine, pg_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.server


def test_store_schemas_round_trip_on_postgres(pg_engine, tmp_path):
    log = EventLog(pg_engine)
    log.append("x1", "zoe", SessionStarted(), UserUttered("hi ünïcode", "greeting", 0.9), ProductsShown(("a", "b")))
    assert [type(e.event).__name__ for e in log.events("x1")] == ["SessionStarted", "UserUttered", "ProductsShown"]
    assert log.events("x1")[2].event == ProductsShown(("a", "b")) and log.session_owner("x1") == "zoe"

    repo = OrderRepository(pg_engine)
    assert seed_demo_store(repo) and not seed_demo_store(repo)
    assert repo.get_order("alice", "10001").status == "delivered" and repo.get_order("bob", "10001") is None
    ticket = repo.create_ticket("alice", "x1", "wants a human", "user: hi")
    assert ticket in {t for t, _ in repo.tickets("alice")}

    store = InteractionStore(pg_engine)
    store.log(Interaction("alice", "p1", "click", utc_now(), 0, 0.5, "x1"))
    [got] = store.history("alice")
    assert (got.item_id, got.kind, got.position, got.propensity, got.session_id) == ("p1", "click", 0, 0.5, "x1")
    assert store.forget("alice") == 1
    create_tables(pg_engine)
    tables = set(inspect(pg_engine).get_table_names())
    assert {"dialogue_events", "interactions", "orders", "customers", "inbox_labels"} <= tables
    assert log.forget("zoe") == 3


def test_analytics_and_inbox_agree_between_postgres_and_sqlite(pg_engine, tmp_path):
    sqlite = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    write_log(sqlite)
    write_log(pg_engine)
    on_pg = summarize(load_conversations(pg_engine), load_interactions(pg_engine))
    on_sqlite = summarize(load_conversations(sqlite), load_interactions(sqlite))
    assert on_pg == on_sqlite and (on_pg.conversations, on_pg.clicked) == (3, 3)
    item = next(i for i in pending(pg_engine) if i.text == "show me socks")
    save_label(pg_engine, item, "search_products", [["PRODUCT_TYPE", "socks"]])
    assert [lb.intent for lb in reviewed(pg_engine)] == ["search_products"]
    assert export_reviewed(pg_engine, tmp_path / "r.jsonl") == 1
