"""The issue-16 attacks (items 1, 2 and rate limits), tried over real HTTP against whatever code is importable:

    python -m bench.security                                   # this tree
    git archive 382005f | tar -x -C /tmp/before                # the code before issue 16
    PYTHONPATH=/tmp/before python -m bench.security            # (run from /tmp/before)

Prints one JSON line per attack: {"attack", "outcome"}. The assistant is the HTTP-edge stand-in
(tests/ui/standin.py); the server is uvicorn configured exactly as `shopbot serve` configures it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

import httpx
import uvicorn

from assistant.stores import open_stores

log = logging.getLogger("bench.security")
SECRET = "test-secret"
ATTACK_TEXT = "![pwn](http://evil.example/track.png) <img src=http://evil.example/x.png>"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(secret: str, site: str, **claims) -> str:
    """A token in the format the code under test reads (PyJWT after issue 16, the hand-made HMAC format before)."""
    from ui.api import tokens

    now = int(time.time())
    payload = {"sub": "u1", "aud": site, "iat": now, "exp": now + 600, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    if hasattr(tokens, "valid_user_id"):
        import jwt
        return jwt.encode(payload, secret, algorithm="HS256")
    body = _b64(json.dumps(payload).encode())
    return f"{body}.{_b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())}"


def serve_kwargs(data_dir: str, *args: str) -> tuple[int, dict, str]:
    """`shopbot serve --no-gradio ARGS` with the assistant and uvicorn.run mocked: (exit code, uvicorn kwargs, stderr)."""
    import io

    from tests.ui.standin import StandInAssistant
    from ui.cli.main import main

    seen: dict = {}
    err = io.StringIO()
    with mock.patch("ui.cli.serve.load_assistant", return_value=StandInAssistant()), \
            mock.patch("uvicorn.run", lambda app, **kw: seen.update(kw)), contextlib.redirect_stderr(err):
        code = main(["--data-dir", data_dir, "serve", "--no-gradio", *args])
    return code, seen, err.getvalue().strip()


@contextlib.contextmanager
def server(make_app, proxy_headers: bool):
    from tests.ui.widget_server import free_socket

    sock = free_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    srv = uvicorn.Server(uvicorn.Config(make_app(url), log_level="error", access_log=False, proxy_headers=proxy_headers))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            yield client
    finally:
        srv.should_exit = True
        thread.join(timeout=15)
        sock.close()


def app_factory(data_dir: Path, gradio: bool = False, **updates):
    from assistant.settings import Settings, WidgetLimits
    from tests.ui.standin import StandInAssistant
    from tests.ui.widget_server import site_settings
    from ui.app import build_app

    def make(url):
        settings = site_settings(Settings(data_dir=data_dir), url)
        limits = updates.pop("widget", None) or WidgetLimits(ip_burst=10_000, ip_per_second=1000.0)
        settings = settings.model_copy(update={"widget": limits, **updates})
        return build_app(open_stores(settings), StandInAssistant(), gradio=gradio)
    return make


def _signed_in(r: httpx.Response) -> str:
    if r.status_code == 201:
        return "201 signed in" if r.json().get("signed_in") else "201 anonymous"
    return str(r.status_code)


def token_attacks(client, site: str, other_site: str) -> list[tuple[str, str]]:
    now = int(time.time())
    cases = [
        ("token with exp \"nan\"", forge(SECRET, site, exp="nan").encode()),
        ("token valid for 10 years (TTL not enforced)", forge(SECRET, site, exp=now + 10 * 365 * 86400).encode()),
        ("token issued for another site", forge(SECRET, other_site).encode()),
        ("token for \" u1\" (u1 with a space)", forge(SECRET, site, sub=" u1").encode()),
        ("expired token", forge(SECRET, site, exp=now - 10).encode()),
        ("non-ASCII token", "ü.ö".encode("latin-1")),
    ]
    out = []
    for name, token in cases:
        try:
            r = client.post("/v1/sessions", headers=[(b"X-Site-Key", site.encode()), (b"X-User-Token", token)])
            out.append((name, _signed_in(r)))
        except httpx.HTTPError as exc:
            out.append((name, f"connection failed ({type(exc).__name__})"))
    return out


def run(tmp: Path) -> list[tuple[str, str]]:
    from assistant.settings import Settings, WidgetLimits
    from tests.ui.widget_server import OTHER_KEY, SITE_KEY

    out: list[tuple[str, str]] = []
    code, kw, err = serve_kwargs(str(tmp / "a"), "--host", "0.0.0.0")
    out.append(("`shopbot serve --host 0.0.0.0` with the default secret and demo site key",
                f"refused, exit {code}: {err}" if code else "starts"))
    default_secret = Settings.model_fields["user_token_secret"].default
    with server(app_factory(tmp / "b", user_token_secret=default_secret, host="0.0.0.0"), False) as client:
        r = client.post("/v1/sessions", headers={"X-Site-Key": SITE_KEY, "X-User-Token": forge(default_secret, SITE_KEY)})
        out.append(("token signed with the default secret, public-host config", _signed_in(r)))
    with server(app_factory(tmp / "c"), False) as client:
        out += token_attacks(client, SITE_KEY, OTHER_KEY)
        r = client.get("/v1/health")
        out.append(("GET /v1/health without a site key (load balancer)", f"{r.status_code} {r.text[:60]}"))
    _, kw, _ = serve_kwargs(str(tmp / "d"))
    proxy_headers = kw.get("proxy_headers", True)
    with server(app_factory(tmp / "e", widget=WidgetLimits(ip_burst=3, ip_per_second=0.01)), proxy_headers) as client:
        codes = [client.post("/v1/sessions", headers={"X-Site-Key": SITE_KEY, "X-Forwarded-For": f"203.0.113.{i}"}).status_code
                 for i in range(10)]
        out.append(("10 requests, spoofed X-Forwarded-For, per-IP burst 3",
                    f"{codes.count(201)} served, {codes.count(429)} rate-limited"))
    out += gradio_attacks(tmp)
    return out


def gradio_attacks(tmp: Path) -> list[tuple[str, str]]:
    out = []
    with server(app_factory(tmp / "f", gradio=True, host="0.0.0.0"), False) as client:
        config = client.get("/config").text
        out.append(("Gradio on a public-host config: \"Who are you?\" customer picker",
                    "shown" if "sb-user" in config else "absent"))
        out.append(("Gradio: Review / Analytics tabs without a login",
                    "served to anyone" if "sb-review-turns" in config or "sb-analytics" in config else
                    f"not served (/admin: {client.get('/admin/config').status_code})"))
    out.append(review_rendering(tmp / "g"))
    out.append(gradio_length(tmp))
    return out


def review_rendering(tmp: Path) -> tuple[str, str]:
    import gradio as gr

    from assistant.events import BotUttered, SessionStarted, UserUttered
    from assistant.settings import Settings
    from assistant.stores import open_stores
    from ui.review_ui import ReviewDesk, review_tab

    tmp.mkdir(parents=True, exist_ok=True)
    stores = open_stores(Settings(data_dir=tmp))
    engine = stores.engine
    stores.events.append("s9", "mallory", SessionStarted(), UserUttered(ATTACK_TEXT, "out_of_scope", 0.2),
                            BotUttered("ok", "fallback"))
    desk = ReviewDesk(engine)
    with gr.Blocks() as blocks:
        review_tab(desk)
    kind = next(c["type"] for c in blocks.config["components"] if c.get("props", {}).get("elem_id") == "sb-review-turn")
    shown, _ = desk.show(next(ref for label, ref in desk.choices() if "evil" in label))
    image = "remote image loads" if kind == "markdown" and "![pwn](http" in shown else "no image"
    return ("Review tab shows user text \"![pwn](http://evil...) <img ...>\"", f"{kind} component, {image}")


def gradio_length(tmp: Path) -> tuple[str, str]:
    from tests.ui.standin import StandInAssistant
    from ui.gradio_ui import ChatUI

    seen = []

    class Recording(StandInAssistant):
        def stream(self, session_id, user_id, text):
            seen.append(len(text))
            yield from super().stream(session_id, user_id, text[:50])

    ui = ChatUI(Recording())
    list(ui.chat("x" * 200_000, [], ui.start("__new__")))
    return ("200,000-character Gradio message", f"{seen[0] if seen else 0} characters reach the assistant")


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        for attack, outcome in run(Path(tmp)):
            sys.stdout.write(json.dumps({"attack": attack, "outcome": outcome}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
