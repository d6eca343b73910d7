"""`shopbot serve` loads the models in the background (ui/lazy_assistant.py): health, the static files and
the chat page answer before the assistant has loaded; chat calls wait for it; a failed load is one clear
error. Real HTTP (uvicorn on loopback) over the stand-in assistant, whose 'load' the test holds back."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import httpx
import pytest

from assistant.stores import open_stores
from tests.ui.standin import StandInAssistant
from tests.ui.widget_server import SITE_KEY, serve, site_settings
from ui.lazy_assistant import AssistantUnavailable, BackgroundAssistant


def _held_back(early_demo_users=None):
    """(BackgroundAssistant whose load blocks until ``release`` is set, release event, load-started event)."""
    release, started = threading.Event(), threading.Event()

    def load():
        started.set()
        assert release.wait(60), "the test never released the load"
        return StandInAssistant()

    return BackgroundAssistant(load, early_demo_users=early_demo_users), release, started


@pytest.mark.parametrize("gradio", [False, True])
def test_health_and_page_answer_while_the_models_load(tmp_path, gradio):
    from assistant.settings import Settings
    from ui.app import build_app

    lazy, release, started = _held_back(early_demo_users=lambda: StandInAssistant().demo_users())
    lazy.start()
    try:
        with serve(lambda url: build_app(open_stores(site_settings(Settings(data_dir=tmp_path), url)), lazy, gradio=gradio)) as url, \
                httpx.Client(base_url=url, timeout=30) as client:
            assert started.wait(10) and not lazy.ready
            assert client.get("/v1/health").json() == {"status": "ok"}
            assert client.get("/" if gradio else "/docs").status_code == 200
            assert client.get("/static/widget.js").status_code == 200
            assert not lazy.ready
            with ThreadPoolExecutor(1) as pool:  # a chat call made while loading waits, then answers
                pending = pool.submit(client.post, "/v1/sessions", headers={"X-Site-Key": SITE_KEY}, json={})
                with pytest.raises(TimeoutError):  # held back: it cannot have answered
                    pending.result(timeout=0.5)
                release.set()
                created = pending.result(timeout=30)
            assert created.status_code == 201 and lazy.ready
            turn = client.post("/v1/chat", headers={"X-Site-Key": SITE_KEY},
                               json={"session_id": created.json()["session_id"], "text": "running shoes"})
            assert turn.status_code == 200 and turn.json()["reply"]
    finally:
        release.set()


def test_a_failed_load_is_reported_to_callers():
    seen = []

    def load():
        raise FileNotFoundError("no NLU model at /nowhere")

    lazy = BackgroundAssistant(load, on_error=seen.append).start()
    lazy.join(10)
    assert not lazy.ready and isinstance(seen[0], FileNotFoundError)
    with pytest.raises(AssistantUnavailable, match="no NLU model"):
        lazy.new_session("u1")


def test_demo_users_answer_early_from_the_store():
    from assistant.protocol import DemoUser

    early = [DemoUser("c1", "Ada", "demo")]
    lazy, release, _ = _held_back(early_demo_users=lambda: early)
    lazy.start()
    assert lazy.demo_users() == early and not lazy.ready
    release.set()
    lazy.join(10)
    assert lazy.demo_users() == StandInAssistant().demo_users()


def test_serve_reports_a_failed_background_load_as_a_usage_error(tmp_path, capsys):
    from ui.cli.main import main

    served = []

    def failing(settings, stores):
        assert served, "the models load only once the server runs"
        raise FileNotFoundError("no product index")

    with mock.patch("ui.cli.serve.load_assistant", side_effect=failing), \
            mock.patch("uvicorn.run", lambda app, **kw: served.append(kw)), mock.patch("os.kill"):
        code = main(["--data-dir", str(tmp_path), "serve", "--no-gradio", "--port", "8124"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("shopbot: error: no product index; run `shopbot build` first")


def test_the_loader_waits_for_the_port():
    import socket

    from ui.cli.serve import wait_until_listening

    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        port = srv.getsockname()[1]
        never = threading.Event()
        done = threading.Thread(target=wait_until_listening, args=("127.0.0.1", port, never, 30.0))
        done.start()
        done.join(0.5)
        assert done.is_alive()  # nothing listens yet
        srv.listen()
        done.join(10)
        assert not done.is_alive()
