"""Several API workers sharing PostgreSQL + a Chroma server: turns of one session are never lost or reordered.

Fast tests check ``SessionLocks`` (assistant/session_lock.py) itself (threads on SQLite; separate engines = separate "workers"
on PostgreSQL, with a control run without the lock that does interleave). The ``server``/``slow`` test runs
the real stack: ``shopbot build`` into a Chroma server and PostgreSQL, ``uvicorn ui.workers:create_app
--factory --workers 2``, concurrent turns for the same sessions from threads over real HTTP, then the stored
event log is checked turn by turn.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from assistant.db import make_engine
from assistant.session_lock import SessionLocks
from assistant.stores import open_stores
from tests.assistant.pg_server import pg_engine, pg_server  # noqa: F401
from tests.ui import stack as stack_mod

_md = MetaData()
_log = Table("lock_probe", _md, Column("seq", Integer, primary_key=True, autoincrement=True),
             Column("session_id", String(64)), Column("writer", String(16)), Column("step", Integer))


def _turns(locks: SessionLocks, session_id: str, writer: str, n: int, locked: bool) -> None:
    """n two-step "turns": step 0 written, a pause (the turn runs), step 1 written - each in its own transaction."""
    engine = locks.engine
    for _ in range(n):
        ctx = locks.hold(session_id) if locked else _Null()
        with ctx:
            for step in (0, 1):
                with engine.begin() as conn:
                    conn.execute(insert(_log), [{"session_id": session_id, "writer": writer, "step": step}])
                time.sleep(0.01)


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _interleaved(engine, session_id: str) -> bool:
    with engine.connect() as conn:
        rows = conn.execute(select(_log.c.writer, _log.c.step).where(_log.c.session_id == session_id)
                            .order_by(_log.c.seq)).all()
    pairs = [(rows[i], rows[i + 1]) for i in range(0, len(rows), 2)]
    return any(a.writer != b.writer or (a.step, b.step) != (0, 1) for a, b in pairs)


def _race(workers: list[SessionLocks], session_id: str, locked: bool, n: int = 6) -> None:
    threads = [threading.Thread(target=_turns, args=(w, session_id, f"w{i}", n, locked)) for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)


def test_sqlite_lock_serialises_threads_of_one_process(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'probe.db'}")
    _md.create_all(engine)
    locks = SessionLocks(engine)  # one process: its threads share the runtime's locks
    _race([locks, locks, locks], "s-locked", locked=True)
    assert not _interleaved(engine, "s-locked")
    _race([locks, locks, locks], "s-free", locked=False)
    assert _interleaved(engine, "s-free"), "control: without the lock the turns should interleave"
    assert locks.active() == 0  # per-session locks are dropped when unused


def test_lock_is_per_session_and_times_out(tmp_path):
    from assistant.session_lock import SessionLockTimeout

    locks = SessionLocks(make_engine(f"sqlite:///{tmp_path / 'probe.db'}"))
    with locks.hold("s1"), locks.hold("s2"):  # other sessions are independent
        assert locks.active() == 2
        failed: list[BaseException] = []

        def other_worker_thread():
            try:
                with locks.hold("s1", timeout_s=0.2):
                    pass
            except SessionLockTimeout as exc:
                failed.append(exc)

        t = threading.Thread(target=other_worker_thread)
        t.start()
        t.join()
        assert failed and "busy" in str(failed[0])
    assert locks.active() == 0


@pytest.mark.server
def test_postgres_advisory_lock_serialises_separate_engines(pg_engine):  # noqa: F811
    url = pg_engine.url.render_as_string(hide_password=False)
    _md.create_all(pg_engine)
    # three engines, each with its own locks = three "workers": only the PostgreSQL advisory lock can serialise them
    workers = [SessionLocks(make_engine(url + f"?application_name=worker{i}")) for i in range(3)]
    _race(workers, "pg-locked", locked=True)
    assert not _interleaved(pg_engine, "pg-locked")
    _race(workers, "pg-free", locked=False)
    assert _interleaved(pg_engine, "pg-free"), "control: without the lock the turns should interleave"
    for w in workers:
        w.close()
        w.engine.dispose()


# --- the worker app over a stand-in assistant (in process, fast) ------------------------------------------
def _worker_apps(tmp_path, n=2, **kw):
    from assistant.settings import Settings
    from tests.ui.standin import StandInAssistant
    from ui.workers import build_worker_app

    settings = Settings(data_dir=tmp_path / "data", catalog_size=300)  # both "workers" share the SQLite file
    return [build_worker_app(open_stores(settings), StandInAssistant(), **kw) for _ in range(n)]


def test_a_session_started_on_one_worker_is_served_by_another(tmp_path):
    from fastapi.testclient import TestClient

    a, b = (TestClient(app) for app in _worker_apps(tmp_path))
    h = {"X-Site-Key": stack_mod.SITE_KEY}
    sid = a.post("/v1/sessions", headers=h, json={}).json()["session_id"]
    r = b.post("/v1/chat", headers=h, json={"session_id": sid, "text": "running shoes"})
    assert r.status_code == 200, r.text
    assert r.headers["X-Worker-Pid"].isdigit()
    with b.stream("POST", "/v1/chat/stream", headers=h, json={"session_id": sid, "text": "more"}) as s:
        events = _sse(s.iter_lines())
    assert "turn" in events and "done" in events
    assert b.get("/v1/health", headers=h).json()["sessions"] == 1
    other = b.post("/v1/chat", headers={**h, "X-User-Token": "x"}, json={"session_id": sid, "text": "hi"})
    assert other.status_code == 401  # the usual edge checks still apply
    assert b.post("/v1/chat", headers=h, json={"session_id": "nope", "text": "hi"}).status_code == 404


def test_a_busy_session_is_a_503_not_a_hang(tmp_path):
    from fastapi.testclient import TestClient

    app = _worker_apps(tmp_path, n=1, lock_timeout_s=0.3)[0]
    client = TestClient(app)
    h = {"X-Site-Key": stack_mod.SITE_KEY}
    sid = client.post("/v1/sessions", headers=h, json={}).json()["session_id"]
    locks = app.state.widget.assistant.locks
    with locks.hold(sid):  # another turn of this session is running
        r = client.post("/v1/chat", headers=h, json={"session_id": sid, "text": "hi"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "session_busy"
    assert r.headers["Retry-After"] == "2"
    assert client.post("/v1/chat", headers=h, json={"session_id": sid, "text": "hi"}).status_code == 200


def test_the_real_assistant_locks_its_own_turns_in_a_worker(tmp_path):
    """A worker serves the Assistant itself (its session store holds the lock): a busy session is a 503."""
    from fastapi.testclient import TestClient

    from assistant.assistant import Assistant
    from tests.assistant.light_assistant import light_assistant
    from ui.workers import build_worker_app

    bot = light_assistant(tmp_path / "d")
    bot.sessions.locks.timeout_s = 0.3
    client = TestClient(build_worker_app(open_stores(bot.settings), bot))
    assert isinstance(client.app.state.widget.assistant, Assistant)
    h = {"X-Site-Key": stack_mod.SITE_KEY}
    sid = client.post("/v1/sessions", headers=h, json={}).json()["session_id"]
    with bot.sessions.lock(sid):  # another turn of this session is running
        r = client.post("/v1/chat", headers=h, json={"session_id": sid, "text": "hi"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "session_busy" and r.headers["Retry-After"] == "2"
    assert client.post("/v1/chat", headers=h, json={"session_id": sid, "text": "hi"}).status_code == 200
    assert bot.sessions.active_locks() == 0


# --- the real multi-worker stack ---------------------------------------------------------------------------
WORKERS = 2
SESSIONS = 4  # the first pages through one search, the others search
TURNS_PER_SESSION = 5
PAGER_SEARCH = "show me electronics"  # ~27 of the 300 generated products: 5 pages of 5 without repeats
PAGES = 4
TOPICS = ("running shoes", "headphones", "a tent", "a rain jacket", "a backpack", "a coffee maker")


@pytest.fixture(scope="module")
def worker_stack(tmp_path_factory):
    reason = stack_mod.unavailable()
    if reason:
        pytest.skip(f"multi-worker stack not available: {reason}")
    stack = stack_mod.WorkerStack.start(tmp_path_factory.mktemp("workers"), catalog_size=300)
    try:
        yield stack
    finally:
        stack.stop()


def _new_session(url: str) -> str:
    r = httpx.post(f"{url}/v1/sessions", headers={"X-Site-Key": stack_mod.SITE_KEY}, json={}, timeout=60)
    assert r.status_code == 201, r.text
    return r.json()["session_id"]


def _chat(url: str, session_id: str, text: str, stream: bool) -> tuple[str, str]:
    """(reply, worker pid); a fresh connection per request so the kernel spreads them over the workers."""
    headers = {"X-Site-Key": stack_mod.SITE_KEY}
    body = {"session_id": session_id, "text": text}
    if not stream:
        r = httpx.post(f"{url}/v1/chat", headers=headers, json=body, timeout=180)
        assert r.status_code == 200, r.text
        assert r.json()["error"] is None, r.json()["error"]
        return r.json()["reply"], r.headers["X-Worker-Pid"]
    with httpx.stream("POST", f"{url}/v1/chat/stream", headers=headers, json=body, timeout=180) as r:
        assert r.status_code == 200
        events = _sse(r.iter_lines())
    turn = json.loads(events["turn"])
    assert turn["error"] is None, turn["error"]
    return turn["reply"], r.headers["X-Worker-Pid"]


def _sse(lines) -> dict[str, str]:
    out, event = {}, None
    for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event:
            out[event] = line.removeprefix("data: ")
    return out


def _check_log(events, sent: dict[str, str]) -> None:
    """Every sent text exactly once, each followed by its own bot reply before the next user turn."""
    from assistant.events import BotUttered, SessionStarted, UserUttered

    seqs = [e.seq for e in events]
    assert seqs == sorted(set(seqs)), "seq must be strictly increasing"
    assert isinstance(events[0].event, SessionStarted)
    turns: list[tuple[str, list[str]]] = []
    for e in events[1:]:
        if isinstance(e.event, UserUttered):
            turns.append((e.event.text, []))
        elif isinstance(e.event, BotUttered):
            assert turns, "a bot reply before any user turn"
            turns[-1][1].append(e.event.text)
    texts = Counter(t for t, _ in turns)
    assert texts == Counter(sent.keys()), f"lost or duplicated turns: {texts} vs {sorted(sent)}"
    for text, replies in turns:
        assert replies == [sent[text]], f"turn {text!r} got bot events {replies}, the API answered {sent[text]!r}"


def _check_pages(events) -> None:
    """Each "show me more" page excludes everything shown before: a turn run on a stale state repeats items."""
    from assistant.events import ProductsShown

    pages = [e.event for e in events if isinstance(e.event, ProductsShown)]
    assert pages and pages[0].new_query and not any(p.new_query for p in pages[1:])
    shown = [pid for p in pages for pid in p.product_ids]
    repeated = [pid for pid, n in Counter(shown).items() if n > 1]
    assert not repeated, f"a page was computed from a stale state and repeated {repeated}"
    assert len(pages) == PAGES + 1, f"expected {PAGES} 'more' pages after the search, got {len(pages) - 1}"


def fire_turns(url: str):
    """Sessions, then concurrent turns; returns (sessions, jobs, results) with jobs (session, text, stream)."""
    warm = _new_session(url)
    answered: set[str] = set()
    for _ in range(30):  # a first chat turn on every worker (lazy loading), so the racing turns run evenly
        answered.add(_chat(url, warm, "hi", stream=False)[1])
        if len(answered) >= WORKERS:
            break
    sessions = [_new_session(url) for _ in range(SESSIONS)]
    pager = sessions[0]  # a search, then every "show me more" page requested at once
    first = _chat(url, pager, PAGER_SEARCH, stream=False)
    jobs = [(pager, f"show me more (page {k})", k % 2 == 1) for k in range(PAGES)]
    jobs += [(sid, f"show me {TOPICS[k]} (turn {k})", False) for sid in sessions[1:] for k in range(TURNS_PER_SESSION)]
    with ThreadPoolExecutor(max_workers=12) as pool:  # every turn of a session in flight at once
        results = list(pool.map(lambda job: _chat(url, *job), jobs))
    return sessions, [(pager, PAGER_SEARCH, False), *jobs], [first, *results]


def check_event_log(db_url: str, sessions, jobs, results) -> None:
    from assistant.events import EventLog

    log = EventLog(make_engine(db_url))
    for sid in sessions:
        sent = {text: reply for (s, text, _), (reply, _) in zip(jobs, results) if s == sid}
        events = log.events(sid)
        _check_log(events, sent)
        if sid == sessions[0]:
            _check_pages(events)


@pytest.mark.server
@pytest.mark.slow
def test_two_workers_never_lose_or_reorder_a_turn(worker_stack):
    with worker_stack.api(WORKERS) as url:
        sessions, jobs, results = fire_turns(url)
    pids = Counter(pid for _, pid in results)
    assert len(pids) >= 2, f"all {len(results)} turns were answered by one worker: {pids}"
    check_event_log(worker_stack.db_url, sessions, jobs, results)


@pytest.mark.server
@pytest.mark.slow
def test_forget_reaches_every_worker(worker_stack, monkeypatch, capsys):
    """`shopbot forget VISITOR --server URL --server-workers 2`: rows (events, widget_sessions) gone from
    PostgreSQL and both worker processes dropped their caches (each answered with its pid)."""
    from assistant.events import EventLog
    from ui.cli.main import main

    with worker_stack.api(WORKERS, env={"SHOPBOT_ADMIN_TOKEN": "mw-admin"}) as url:
        sid = _new_session(url)
        _chat(url, sid, "show me a tent", stream=False)
        log = EventLog(make_engine(worker_stack.db_url))
        visitor = log.session_owner(sid)
        monkeypatch.setenv("SHOPBOT_DATABASE_URL", worker_stack.db_url)
        monkeypatch.setenv("SHOPBOT_ADMIN_TOKEN", "mw-admin")
        code = main(["--data-dir", str(worker_stack.root / "data"), "forget", visitor, "--server", url,
                     "--server-workers", str(WORKERS)])
        out = capsys.readouterr().out
        assert code == 0 and out.count("dropped") == WORKERS, out
        assert log.events(sid) == []
        r = httpx.post(f"{url}/v1/chat", headers={"X-Site-Key": stack_mod.SITE_KEY}, json={"session_id": sid, "text": "hi"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_session"
