"""Issue 16, items 1 and 4, over real HTTP (uvicorn on loopback, configured as `shopbot serve` runs it): tokens
signed with the default secret outside demo mode, expired / NaN / foreign-site / " alice" / non-ASCII tokens, the
open health probe, and rate limits keyed on the real client behind trusted proxies only."""

from __future__ import annotations

import contextlib
import threading
import time

import httpx
import jwt
import pytest
import uvicorn

from assistant.stores import open_stores
from tests.ui.standin import StandInAssistant
from tests.ui.widget_server import OTHER_KEY, SITE_KEY, free_socket, site_settings
from ui.api.ratelimit import client_address, parse_networks
from ui.api.tokens import sign_user_token

pytestmark = pytest.mark.server
SECRET = "test-secret"  # what site_settings configures


@contextlib.contextmanager
def serve_like_shopbot(make_app):
    """uvicorn exactly as `shopbot serve` starts it (proxy_headers=False) on a free loopback port."""
    sock = free_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(make_app(url), log_level="warning", access_log=False, proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "test server did not start"
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def _app(tmp_path, **updates):
    from assistant.settings import Settings
    from ui.app import build_app

    def make(url):
        settings = site_settings(Settings(data_dir=tmp_path), url).model_copy(update=updates)
        return build_app(open_stores(settings), StandInAssistant(), gradio=False)
    return make


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    with serve_like_shopbot(_app(tmp_path_factory.mktemp("sec"))) as url, httpx.Client(base_url=url, timeout=30) as c:
        yield c


def token_with(**claims) -> str:
    now = int(time.time())
    payload = {"sub": "u1", "aud": SITE_KEY, "iat": now, "exp": now + 600, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, SECRET, algorithm="HS256")


def session_with(client, token) -> httpx.Response:
    headers = {"X-Site-Key": SITE_KEY, "X-User-Token": token} if isinstance(token, str) else {"X-Site-Key": SITE_KEY}
    return client.post("/v1/sessions", headers=headers)


def assert_401(r: httpx.Response) -> None:
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "invalid_user_token"


def test_a_good_token_signs_in(api):
    r = session_with(api, token_with())
    assert r.status_code == 201 and r.json()["signed_in"] is True


@pytest.mark.parametrize("claims", [
    {"exp": int(time.time()) - 5}, {"exp": "nan"}, {"exp": float("nan")}, {"exp": None}, {"exp": "99999999999"},
    {"exp": int(time.time()) + 30 * 86_400},  # longer than user_token_ttl_s
    {"aud": OTHER_KEY}, {"aud": None},  # another site's token, an unbound token
    {"sub": " u1"}, {"sub": "u1 "}, {"sub": "u1\n"},  # " alice" is not alice
])
def test_bad_tokens_get_401(api, claims):
    assert_401(session_with(api, token_with(**claims)))


def test_non_ascii_and_garbage_tokens_get_401_not_500(api):
    for raw in ("é".encode("utf-8") * 40, "ü.ö.ä".encode("latin-1"), b"\xff\xfe" * 20, b"x" * 5000):
        r = api.post("/v1/sessions", headers=[(b"X-Site-Key", SITE_KEY.encode()), (b"X-User-Token", raw)])
        assert_401(r)
    r = api.post("/v1/sessions", headers=[(b"X-Site-Key", "clé".encode("utf-8"))])
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_site_key"


def test_health_needs_no_site_key_and_tells_nothing_private(api):
    r = api.get("/v1/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert api.get("/v1/health", headers={"X-Site-Key": "wrong"}).json() == {"status": "ok"}


def test_default_secret_tokens_are_refused_outside_demo_mode(tmp_path):
    from assistant.settings import DEFAULT_USER_TOKEN_SECRET

    forged = sign_user_token("u1", DEFAULT_USER_TOKEN_SECRET, SITE_KEY)
    for demo, expected in ((False, 401), (True, 201)):
        make = _app(tmp_path, user_token_secret=DEFAULT_USER_TOKEN_SECRET, demo_mode=demo)
        with serve_like_shopbot(make) as url, httpx.Client(base_url=url) as client:
            r = client.post("/v1/sessions", headers={"X-Site-Key": SITE_KEY, "X-User-Token": forged})
            assert r.status_code == expected, r.text


def test_default_secret_is_refused_when_the_host_is_public(tmp_path):
    """demo_mode unset: a server configured for 0.0.0.0 is not in demo mode, so default-secret tokens fail."""
    from assistant.settings import DEFAULT_USER_TOKEN_SECRET

    forged = sign_user_token("u1", DEFAULT_USER_TOKEN_SECRET, SITE_KEY)
    make = _app(tmp_path, user_token_secret=DEFAULT_USER_TOKEN_SECRET, host="0.0.0.0")
    with serve_like_shopbot(make) as url, httpx.Client(base_url=url) as client:
        assert_401(client.post("/v1/sessions", headers={"X-Site-Key": SITE_KEY, "X-User-Token": forged}))


# --- rate limits keyed on the real client -------------------------------------------------------------------
def _codes(client, xff_values) -> list[int]:
    return [client.post("/v1/sessions", headers={"X-Site-Key": SITE_KEY, "X-Forwarded-For": xff}).status_code
            for xff in xff_values]


def test_forwarded_for_is_ignored_without_trusted_proxies(tmp_path):
    from assistant.settings import WidgetLimits

    make = _app(tmp_path, widget=WidgetLimits(ip_burst=3, ip_per_second=0.01))
    with serve_like_shopbot(make) as url, httpx.Client(base_url=url) as client:
        codes = _codes(client, [f"203.0.113.{i}" for i in range(6)])  # a spoofed new "client" each time
    assert codes[:3] == [201] * 3 and codes[3:] == [429] * 3


def test_forwarded_for_from_a_trusted_proxy_names_the_client(tmp_path):
    from assistant.settings import WidgetLimits

    make = _app(tmp_path, widget=WidgetLimits(ip_burst=2, ip_per_second=0.01), trusted_proxies=["127.0.0.0/8", "10.0.0.0/8"])
    with serve_like_shopbot(make) as url, httpx.Client(base_url=url) as client:
        a = _codes(client, ["198.51.100.7"] * 3)
        b = _codes(client, ["198.51.100.8, 10.1.2.3"] * 2)  # through two of our proxies: the client is .8
        spoof = _codes(client, [f"1.2.3.{i}, 198.51.100.9" for i in range(4)])  # the left part is the client's lie
    assert a == [201, 201, 429] and b == [201, 201] and spoof == [201, 201, 429, 429]


def test_client_address_takes_the_right_most_untrusted_hop():
    nets = parse_networks(["10.0.0.0/8", "192.168.1.1"])
    assert client_address("10.0.0.5", ["1.1.1.1, 2.2.2.2"], nets) == "2.2.2.2"
    assert client_address("10.0.0.5", ["1.1.1.1, 2.2.2.2, 10.9.9.9"], nets) == "2.2.2.2"
    assert client_address("10.0.0.5", ["1.1.1.1", "2.2.2.2"], nets) == "2.2.2.2"  # several headers
    assert client_address("8.8.8.8", ["1.1.1.1"], nets) == "8.8.8.8"  # untrusted peer: header ignored
    assert client_address("10.0.0.5", [], nets) == "10.0.0.5"
    assert client_address("10.0.0.5", ["garbage, 10.1.1.1"], nets) == "10.1.1.1"
    assert client_address("10.0.0.5", ["2001:db8::1"], nets) == "2001:db8::1"
    assert client_address("127.0.0.1", ["1.1.1.1"], ()) == "127.0.0.1"
    with pytest.raises(ValueError, match="not-a-cidr"):
        parse_networks(["not-a-cidr"])
