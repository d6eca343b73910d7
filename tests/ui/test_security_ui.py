"""Issue 16, item 2: who is who in the Gradio UI. The customer picker exists only in demo mode; otherwise the visitor
is the customer a signed token names, or anonymous. The Review / Analytics tabs are only served behind an admin
login, and review text is shown escaped (no Markdown, no HTML, no remote images). The Gradio path caps text length
before the assistant (and its redaction) sees it."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import bcrypt
import httpx
import pytest

from assistant.stores import open_stores
from tests.ui.standin import StandInAssistant
from ui.gradio_ui import NEW_VISITOR, UI_AUDIENCE, ChatUI, build_blocks

ATTACK = "![pwn](http://evil.example/track.png) <img src=http://evil.example/x.png onerror=alert(1)> **bold**"


def _labels_and_ids(blocks) -> tuple[set, set]:
    comps = blocks.config["components"]
    return ({c.get("props", {}).get("label") for c in comps}, {c.get("props", {}).get("elem_id") for c in comps})


def test_picker_is_absent_outside_demo_mode():
    labels, ids = _labels_and_ids(build_blocks(StandInAssistant()))  # demo defaults to off
    assert "Who are you?" not in labels and "sb-user" not in ids
    assert {"Review", "Analytics"}.isdisjoint(labels)  # the public app never carries the staff tabs
    labels, ids = _labels_and_ids(build_blocks(StandInAssistant(), demo=True))
    assert "Who are you?" in labels and "sb-user" in ids


def test_outside_demo_mode_a_visitor_cannot_pick_a_customer():
    ui = ChatUI(StandInAssistant())
    assert ui.start("u1").user_id.startswith("anonymous:")
    assert ui.switch_user("u1")[0].user_id.startswith("anonymous:")
    assert ui.user_choices() == [("New visitor", NEW_VISITOR)]
    demo = ChatUI(StandInAssistant(), demo=True)
    assert demo.start("u1").user_id == "u1"
    assert demo.start("someone-else").user_id.startswith("anonymous:")  # only listed demo customers


def _request(query=None, cookies=None):
    return SimpleNamespace(query_params=query or {}, cookies=cookies or {})


def test_chat_ui_takes_the_customer_from_a_signed_token(tmp_path):
    from assistant.settings import DEFAULT_USER_TOKEN_SECRET, Settings
    from ui.api.tokens import sign_user_token
    from ui.app import token_identity

    secret = "u" * 48
    settings = Settings(data_dir=tmp_path, user_token_secret=secret, demo_mode=False)
    ui = ChatUI(StandInAssistant(), identify=token_identity(settings))
    good = sign_user_token("u1", secret, UI_AUDIENCE)
    assert ui.open(_request({"user_token": good})).user_id == "u1"
    assert ui.open(_request(cookies={"shopbot_user_token": good})).user_id == "u1"
    for bad in (sign_user_token("u1", secret, "some-site"), sign_user_token("u1", "x" * 48, UI_AUDIENCE), "é.garbage"):
        assert ui.open(_request({"user_token": bad})).user_id.startswith("anonymous:")
    assert ui.open(_request()).user_id.startswith("anonymous:")
    # the default secret signs nobody in outside demo mode
    default = Settings(data_dir=tmp_path, demo_mode=False)
    forged = sign_user_token("u1", DEFAULT_USER_TOKEN_SECRET, UI_AUDIENCE)
    ui = ChatUI(StandInAssistant(), identify=token_identity(default))
    assert ui.open(_request({"user_token": forged})).user_id.startswith("anonymous:")


def test_gradio_chat_caps_text_before_the_assistant_sees_it():
    class Recording(StandInAssistant):
        def __init__(self):
            super().__init__()
            self.texts = []

        def stream(self, session_id, user_id, text):
            self.texts.append(text)
            return super().stream(session_id, user_id, text)

    assistant = Recording()
    ui = ChatUI(assistant, max_text_chars=50)
    *_, final = ui.chat("x" * 200_000, [], ui.start())
    assert assistant.texts == [] and "limited to 50 characters" in final[0][-1]["content"]
    *_, final = ui.chat("running shoes", [], ui.start())
    assert assistant.texts == ["running shoes"]


def test_review_text_is_escaped(tmp_path):
    from assistant.db import make_engine
    from assistant.events import BotUttered, EventLog, SessionStarted, UserUttered
    from ui.review_ui import ReviewDesk

    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    EventLog(engine).append("s9", "mallory", SessionStarted(), UserUttered(ATTACK, "out_of_scope", 0.2),
                            BotUttered("<script>alert(2)</script>", "fallback"))
    desk = ReviewDesk(engine)
    ref = next(ref for label, ref in desk.choices() if "evil.example" in label)
    html, _ = desk.show(ref)
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=http://evil.example/x.png onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;" in html and "<strong>" not in html and "<b>bold" not in html
    # the component renders HTML as given (no Markdown pass): the image syntax stays literal text
    assert "![pwn](http://evil.example/track.png)" in html and "<img" not in html


# --- the admin app is only served behind a configured login ---------------------------------------------------
def _serve_app(app):
    import uvicorn

    from tests.ui.widget_server import free_socket

    sock = free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive()
        time.sleep(0.05)
    return server, thread, sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.server
def test_staff_tabs_need_a_configured_admin_login(tmp_path):
    from assistant.settings import Settings
    from ui.app import build_app

    mounts = lambda app: {getattr(r, "path", "") for r in app.routes}  # noqa: E731
    assert "/admin" not in mounts(build_app(open_stores(Settings(data_dir=tmp_path)), StandInAssistant()))
    hashed = bcrypt.hashpw(b"a long staff password", bcrypt.gensalt(rounds=4)).decode()
    app = build_app(open_stores(Settings(data_dir=tmp_path, admin_password_hash=hashed, admin_user="staff")), StandInAssistant())
    assert "/admin" in mounts(app)
    server, thread, sock, url = _serve_app(app)
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            assert client.get("/admin/config").status_code in (401, 403)  # no login, no staff app
            bad = client.post("/admin/login", data={"username": "staff", "password": "wrong"})
            assert bad.status_code in (400, 401)
            assert client.get("/admin/config").status_code in (401, 403)
            ok = client.post("/admin/login", data={"username": "staff", "password": "a long staff password"})
            assert ok.status_code == 200, ok.text
            config = client.get("/admin/config")
            assert config.status_code == 200
            assert "sb-review-turns" in config.text and "sb-analytics" in config.text
            public = client.get("/config")
            assert public.status_code == 200 and "sb-review-turns" not in public.text
            # password guessing is rate limited per client (5 tries, then 429 + Retry-After)
            tries = [client.post("/admin/login", data={"username": "staff", "password": f"guess{i}"}).status_code
                     for i in range(6)]
            assert tries[-1] == 429 and 429 not in tries[:3]
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
