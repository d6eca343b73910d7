"""A turn is all or nothing: flows return effects, the Assistant commits them with the turn's events in one
transaction, streamed turns finish server-side, a killed worker never leaves an order change without events.

The Assistant is real (router, flows, SQLite stores, commit); parser, index and writer are light stand-ins
(tests/assistant/light_assistant.py) so each case runs in seconds. The streaming-disconnect case goes over real
HTTP to a uvicorn server on loopback; the crash cases SIGKILL a real subprocess in the middle of a cancel.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.effects import CancelOrder, EffectConflict
from assistant.events import BotUttered, FocusSet, HandoffCreated, UserUttered
from assistant.orders.repository import OrderRepository
from assistant.records import Action
from assistant.stores import open_stores
from tests.assistant.light_assistant import (
    CANCEL,
    SESSION_FILE,
    SlowWriter,
    light_assistant,
)

ROOT = Path(__file__).resolve().parents[2]


def _kinds(bot, sid) -> list[type]:
    return [type(e.event) for e in bot.events.events(sid)]


def _status(bot, order_id="10003") -> str:
    return bot.orders.get_order("alice", order_id).status


def _wait(predicate, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_flows_decide_and_the_commit_writes(tmp_path):
    """Routing a cancel writes nothing; the turn commits the cancel and its events together."""
    from assistant.dialogue.outcome import Stopwatch
    from assistant.dialogue.router import route
    from assistant.privacy import redact

    bot = light_assistant(tmp_path / "d")
    sid = bot.new_session("alice")
    state = bot.sessions.state(sid, "alice")
    parse = bot.parser.parse(CANCEL)
    result = route(bot.ctx, state, parse, redact(CANCEL), Stopwatch(), lambda: "", 0.5)
    assert result.action is Action.CANCEL and _status(bot) == "placed"  # decided, not done
    assert [type(e) for e in result.effects] == [CancelOrder]
    turn = bot.handle(sid, "alice", CANCEL)
    assert turn.error is None and turn.action is Action.CANCEL and _status(bot) == "cancelled"
    kinds = _kinds(bot, sid)
    assert kinds.index(UserUttered) < kinds.index(FocusSet) < kinds.index(BotUttered)


def test_a_failed_commit_leaves_neither_the_order_change_nor_the_events(tmp_path, monkeypatch):
    bot = light_assistant(tmp_path / "d")
    sid = bot.new_session("alice")
    before = len(bot.events.events(sid))

    def broken(*args, **kwargs):
        if kwargs.get("conn") is not None:  # the turn's transaction: the order update already ran in it
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    original = bot.events.append
    monkeypatch.setattr(bot.events, "append", broken)
    turn = bot.handle(sid, "alice", CANCEL)
    assert turn.error == "internal_error" and "disk full" not in (turn.error or "") and "Sorry" in turn.reply
    assert _status(bot) == "placed", "the cancel must roll back with the turn's events"
    assert bot.orders.refunds("alice", "10003") == []
    events = bot.events.events(sid)[before:]
    assert not any(isinstance(e.event, FocusSet) for e in events)  # only the apology turn is recorded


def test_a_changed_order_between_decision_and_commit_rolls_the_turn_back(tmp_path, monkeypatch):
    bot = light_assistant(tmp_path / "d")
    sid = bot.new_session("alice")
    plan = OrderRepository.plan_cancel

    def plan_then_ship(self, user_id, order_id):
        decided = plan(self, user_id, order_id)
        from sqlalchemy import update

        from assistant.orders import schema as t

        with self.engine.begin() as conn:  # another channel ships the order meanwhile
            conn.execute(update(t.orders).where(t.orders.c.order_id == order_id).values(status="shipped"))
        return decided

    monkeypatch.setattr(OrderRepository, "plan_cancel", plan_then_ship)
    turn = bot.handle(sid, "alice", CANCEL)
    assert turn.error == "internal_error" and turn.action is not Action.CANCEL
    assert _status(bot) == "shipped" and bot.orders.refunds("alice", "10003") == []
    with pytest.raises(EffectConflict):
        with bot.events.engine.begin() as conn:
            bot.orders.apply_cancel(conn, "alice", "10003", "F-X")


def test_a_stream_abandoned_by_its_consumer_still_commits_the_whole_turn(tmp_path):
    bot = light_assistant(tmp_path / "d", writer=SlowWriter(delay_s=0.1))
    sid = bot.new_session("alice")
    parts = bot.stream(sid, "alice", CANCEL)
    first = next(parts)
    assert isinstance(first, str)
    assert _status(bot) == "cancelled"  # committed before the first token was streamed
    parts.close()  # the client went away
    assert _wait(lambda: BotUttered in _kinds(bot, sid)), "the turn must finish server-side"
    kinds = _kinds(bot, sid)
    assert kinds.count(UserUttered) == 1 and FocusSet in kinds and bot.sessions.active_locks() == 0


@pytest.mark.server
def test_a_streaming_client_killed_mid_turn_over_http(tmp_path):
    """Real HTTP: an anonymous visitor asks for a human over /v1/chat/stream and drops the connection after
    the first token; the handoff ticket and the conversation's events must agree (both there)."""
    from tests.ui.widget_server import SITE_KEY, serve, site_settings
    from ui.app import build_app

    bot = light_assistant(tmp_path / "d", writer=SlowWriter(delay_s=0.2))

    def make_app(base_url):
        return build_app(open_stores(site_settings(bot.settings, base_url)), bot, gradio=False)

    with serve(make_app) as url:
        h = {"X-Site-Key": SITE_KEY}
        r = httpx.post(f"{url}/v1/sessions", headers=h, json={}, timeout=30)
        sid = r.json()["session_id"]
        visitor = bot.sessions.owner(sid)
        with httpx.stream("POST", f"{url}/v1/chat/stream", headers=h, timeout=30,
                          json={"session_id": sid, "text": "I want to talk to a human agent"}) as s:
            for line in s.iter_lines():
                if line.startswith("event: token"):
                    break  # leave mid-stream: the connection closes here
        assert _wait(lambda: BotUttered in _kinds(bot, sid)), "the abandoned turn must be finished and stored"
    tickets = bot.orders.tickets(visitor)
    handoffs = [e.event.ticket_id for e in bot.events.events(sid) if isinstance(e.event, HandoffCreated)]
    assert len(tickets) == 1 and handoffs == [tickets[0][0]]


def _run_until_marker(tmp_path: Path, mode: str) -> Path:
    data, marker = tmp_path / "d", tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-m", "tests.assistant.light_assistant", str(data), str(marker), mode],
                            cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not _wait(lambda: marker.exists() or proc.poll() is not None, timeout_s=120):
            pytest.fail("the worker never reached the point to kill it at")
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return data


@pytest.mark.parametrize("mode", ["writing", "commit"])
def test_a_worker_killed_mid_cancel_leaves_store_and_log_in_agreement(tmp_path, mode):
    """SIGKILL while the reply is written (the decision is committed: order cancelled AND its events are in
    the log) or inside the commit transaction (nothing of the turn: order placed, no turn events)."""
    data = _run_until_marker(tmp_path, mode)
    bot = light_assistant(data)  # "restart": a fresh process view of the same database
    sid = (data / SESSION_FILE).read_text()
    kinds = _kinds(bot, sid)
    cancelled = _status(bot) == "cancelled"
    turn_logged = UserUttered in kinds and FocusSet in kinds
    assert cancelled == turn_logged, f"order {'cancelled' if cancelled else 'placed'} but events {kinds}"
    assert cancelled is (mode == "writing")
    assert bool(bot.orders.refunds("alice", "10003")) is cancelled
    turn = bot.handle(sid, "alice", "where is order 10003")  # the conversation goes on after the crash
    assert turn.error is None


def test_clients_get_error_codes_not_exception_text(tmp_path):
    from fastapi.testclient import TestClient

    from tests.assistant.standin_parser import StandinParser
    from tests.ui.widget_server import SITE_KEY, site_settings
    from ui.app import build_app

    class Exploding(StandinParser):
        def parse(self, text):
            raise RuntimeError("secret internals /etc/passwd")

    bot = light_assistant(tmp_path / "d", parser=Exploding())
    client = TestClient(build_app(open_stores(site_settings(bot.settings, "http://testserver")), bot, gradio=False))
    h = {"X-Site-Key": SITE_KEY}
    sid = client.post("/v1/sessions", headers=h, json={}).json()["session_id"]
    body = client.post("/v1/chat", headers=h, json={"session_id": sid, "text": "hello"}).json()
    assert body["error"] == "internal_error" and "secret" not in str(body)
    with client.stream("POST", "/v1/chat/stream", headers=h, json={"session_id": sid, "text": "hello"}) as s:
        text = "".join(s.iter_text())
    assert '"error":"internal_error"' in text.replace(" ", "") and "secret" not in text
