"""`shopbot forget USER` deletes that user's sessions, events, transcripts and interactions, nothing else."""

from __future__ import annotations

import os

from assistant.db import make_engine
from assistant.events import EventLog, SessionStarted, UserUttered
from assistant.orders.repository import OrderRepository
from assistant.orders.seed import seed_demo_store
from assistant.stores import open_stores
from ui.cli.main import main


def test_forget_cli(settings, capsys):
    engine = make_engine(settings.db_url)
    log, repo = EventLog(engine), OrderRepository(engine)
    seed_demo_store(repo)
    log.append("sa", "alice", SessionStarted(), UserUttered("hi"))
    log.append("sb", "bob", SessionStarted(), UserUttered("hello"))
    repo.create_ticket("alice", "sa", "help", "user: hi")
    repo.create_ticket("bob", "sb", "help", "user: hello")
    interactions = None
    try:
        from assistant.interactions import Interaction, InteractionStore

        interactions = InteractionStore(engine)
        for user in ("alice", "bob"):
            interactions.log(Interaction(user_id=user, item_id="P00001", kind="click", ts=1.0, position=0,
                                         propensity=1.0, session_id="s"))
    except ImportError:
        pass

    assert main(["--data-dir", str(settings.data_dir), "forget", "alice"]) == 0
    assert "forgot alice" in capsys.readouterr().out
    assert log.events("sa") == [] and repo.tickets("alice") == []
    assert len(log.events("sb")) == 2 and len(repo.tickets("bob")) == 1
    assert repo.get_order("alice", "10001") is not None and len(repo.customers()) == 4
    if interactions is not None:
        assert interactions.history("alice") == [] and len(interactions.history("bob")) == 1


def test_forget_cli_needs_a_user(settings, capsys):
    assert main(["--data-dir", str(settings.data_dir), "forget", "  "]) == 2
    assert "user id" in capsys.readouterr().err


def test_forget_cli_removes_widget_sessions_too(settings, capsys):
    from ui.api.sessions import SessionBinding
    from ui.workers import SqlSessionRegistry

    engine = make_engine(settings.db_url)
    registry = SqlSessionRegistry(engine)
    registry.add(SessionBinding("sa", "k", "alice"))
    registry.add(SessionBinding("sb", "k", "bob"))
    assert main(["--data-dir", str(settings.data_dir), "forget", "alice"]) == 0
    assert "1 widget sessions" in capsys.readouterr().out
    assert registry.get("sa") is None and registry.get("sb") is not None


def _admin_client(tmp_path, **extra):
    from fastapi.testclient import TestClient

    from tests.assistant.light_assistant import light_assistant
    from tests.ui.widget_server import site_settings
    from ui.app import build_app

    bot = light_assistant(tmp_path / "d")
    settings = site_settings(bot.settings, "http://testserver").model_copy(update=extra)
    return bot, TestClient(build_app(open_stores(settings), bot, gradio=False))


def test_admin_forget_drops_the_running_servers_caches(tmp_path):
    from tests.ui.widget_server import SITE_KEY

    bot, client = _admin_client(tmp_path, admin_token="s3cret-admin")
    h = {"X-Site-Key": SITE_KEY}
    sid = client.post("/v1/sessions", headers=h, json={}).json()["session_id"]
    visitor = bot.sessions.owner(sid)
    assert client.post("/v1/chat", headers=h, json={"session_id": sid, "text": "hello"}).status_code == 200
    assert bot.sessions.forget_user(visitor) == 1  # cached ...
    client.post("/v1/chat", headers=h, json={"session_id": sid, "text": "hello again"})  # ... and cached again
    assert client.post("/v1/admin/forget", json={"user_id": visitor}).status_code == 401
    bad = client.post("/v1/admin/forget", json={"user_id": visitor}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_admin_token"
    r = client.post("/v1/admin/forget", json={"user_id": visitor}, headers={"Authorization": "Bearer s3cret-admin"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["cached_sessions"] == 1 and body["events"] >= 5 and body["widget_sessions"] == 1
    assert bot.events.events(sid) == [] and len(bot.sessions) == 0
    gone = client.post("/v1/chat", headers=h, json={"session_id": sid, "text": "hi"})
    assert gone.status_code == 404  # the widget forgot the session binding too


def test_admin_forget_is_disabled_without_a_token(tmp_path):
    _, client = _admin_client(tmp_path)
    r = client.post("/v1/admin/forget", json={"user_id": "alice"}, headers={"Authorization": "Bearer "})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_forget_cli_notifies_a_running_server(tmp_path, settings, capsys):
    from tests.assistant.light_assistant import light_assistant
    from tests.ui.widget_server import serve, site_settings
    from ui.app import build_app

    bot = light_assistant(settings.data_dir)
    sid = bot.new_session("alice")
    bot.handle(sid, "alice", "hello")
    with serve(lambda url: build_app(open_stores(site_settings(bot.settings, url).model_copy(update={"admin_token": "tok"})),
                                     bot, gradio=False)) as url:
        base = ["--data-dir", str(settings.data_dir), "forget", "alice", "--server", url]
        assert main(base) == 2 and "admin_token" in capsys.readouterr().err  # the CLI has no token
        os.environ["SHOPBOT_ADMIN_TOKEN"] = "wrong"
        try:
            assert main(base) == 2 and "invalid_admin_token" in capsys.readouterr().err
            os.environ["SHOPBOT_ADMIN_TOKEN"] = "tok"
            assert main(base) == 0
        finally:
            del os.environ["SHOPBOT_ADMIN_TOKEN"]
    out = capsys.readouterr().out
    assert "forgot alice" in out and f"worker {os.getpid()} dropped 1 cached sessions" in out
    assert len(bot.sessions) == 0 and bot.events.events(sid) == []
