"""HTTP-edge tests of the widget API over real HTTP (uvicorn on loopback): auth, CORS, rate limits, size
limits, malformed JSON, error bodies, session binding. The assistant behind it is a stand-in here: these
tests are about the edge, not the replies (tests/ui/test_api_real.py covers those with the real Assistant)."""

from __future__ import annotations

import httpx
import pytest

from assistant.stores import open_stores
from tests.ui.standin import StandInAssistant
from tests.ui.widget_server import OTHER_KEY, SITE_KEY, serve, site_settings
from ui.api.tokens import TokenError, sign_user_token, verify_user_token

pytestmark = pytest.mark.server
SECRET = "test-secret"


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    from assistant.settings import Settings
    from ui.app import build_app

    base = Settings(data_dir=tmp_path_factory.mktemp("edge"))

    def make(url):
        settings = site_settings(base, url, session_burst=3, session_per_second=0.05, max_body_bytes=4096)
        return build_app(open_stores(settings), StandInAssistant(), gradio=False)

    with serve(make) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def H(key=SITE_KEY, user=None, **extra):
    h = {"X-Site-Key": key, **extra}
    if user:
        h["X-User-Token"] = sign_user_token(user, SECRET, key)
    return h


def new_session(client, **kw) -> str:
    r = client.post("/v1/sessions", headers=H(**kw))
    assert r.status_code == 201, r.text
    return r.json()["session_id"]


def assert_error(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()["error"]
    assert body["code"] == code and body["message"]


@pytest.mark.parametrize("path,method", [("/v1/sessions", "POST"), ("/v1/chat", "POST"),
                                         ("/v1/chat/stream", "POST"), ("/v1/feedback", "POST")])
def test_every_call_needs_a_valid_site_key(edge, path, method):
    assert_error(edge.request(method, path, json={}), 401, "missing_site_key")
    assert_error(edge.request(method, path, json={}, headers={"X-Site-Key": "nope"}), 401, "invalid_site_key")


def test_health_and_docs(edge):
    assert edge.get("/v1/health").json() == {"status": "ok"}  # load balancers need no key; nothing private
    assert set(edge.get("/v1/health", headers=H()).json()) == {"status", "version", "sessions"}
    assert "/v1/chat/stream" in edge.get("/openapi.json").json()["paths"]
    assert edge.get("/docs").status_code == 200


def test_cors_reflects_only_the_sites_origins(edge):
    pre = edge.options("/v1/chat", headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST",
                                            "Access-Control-Request-Headers": "content-type,x-site-key"})
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "https://shop.example"
    assert "x-site-key" in pre.headers["access-control-allow-headers"].lower()
    ok = edge.post("/v1/sessions", headers=H(Origin="https://shop.example"))
    assert ok.status_code == 201 and ok.headers["access-control-allow-origin"] == "https://shop.example"
    denied = edge.post("/v1/sessions", headers={"Origin": "https://shop.example"})  # errors carry CORS headers too
    assert_error(denied, 401, "missing_site_key")
    assert denied.headers["access-control-allow-origin"] == "https://shop.example"
    bad_pre = edge.options("/v1/chat", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert bad_pre.status_code == 403 and "access-control-allow-origin" not in bad_pre.headers
    bad = edge.post("/v1/sessions", headers=H(Origin="https://evil.example"))
    assert_error(bad, 403, "origin_not_allowed")
    assert "access-control-allow-origin" not in bad.headers
    # an origin of another site may not use our key
    assert_error(edge.post("/v1/sessions", headers=H(Origin="https://other.example")), 403, "origin_not_allowed")
    assert edge.post("/v1/sessions", headers=H(OTHER_KEY, Origin="https://other.example")).status_code == 201


def test_session_rate_limit_gives_429_with_retry_after(edge):
    sid = new_session(edge)
    codes = [edge.post("/v1/chat", headers=H(), json={"session_id": sid, "text": "shoes"}) for _ in range(5)]
    assert [r.status_code for r in codes[:3]] == [200, 200, 200]
    assert_error(codes[3], 429, "rate_limited")
    assert int(codes[3].headers["Retry-After"]) >= 1
    # another session is not affected
    assert edge.post("/v1/chat", headers=H(), json={"session_id": new_session(edge), "text": "hi"}).status_code == 200


def test_ip_rate_limit(tmp_path):
    from assistant.settings import Settings
    from ui.app import build_app

    def make(url):
        settings = site_settings(Settings(data_dir=tmp_path), url, ip_burst=4, ip_per_second=0.01)
        return build_app(open_stores(settings), StandInAssistant(), gradio=False)

    with serve(make) as url, httpx.Client(base_url=url) as client:
        codes = [client.post("/v1/sessions", headers=H()).status_code for _ in range(6)]
        assert codes[:4] == [201] * 4 and codes[4:] == [429, 429]
        assert int(client.post("/v1/sessions", headers=H()).headers["Retry-After"]) >= 1
        assert client.get("/v1/health").status_code == 200  # health is never rate limited


def test_oversize_bodies_are_rejected_with_413(edge):
    sid = new_session(edge)
    r = edge.post("/v1/chat", headers=H(), json={"session_id": sid, "text": "x" * 5000})
    assert_error(r, 413, "payload_too_large")

    def chunks():  # no Content-Length: the limit holds for streamed bodies too
        for _ in range(10):
            yield b" " * 1000
    assert_error(edge.post("/v1/chat", headers=H(**{"Content-Type": "application/json"}), content=chunks()), 413, "payload_too_large")


def test_malformed_and_invalid_requests_get_json_errors(edge):
    sid = new_session(edge)
    json_h = H(**{"Content-Type": "application/json"})
    assert_error(edge.post("/v1/chat", headers=json_h, content=b'{"session_id": "x", "text": '), 400, "malformed_json")
    assert_error(edge.post("/v1/chat", headers=H(), json={"session_id": sid}), 422, "invalid_request")
    assert_error(edge.post("/v1/chat", headers=H(), json={"session_id": sid, "text": "hi", "admin": True}), 422, "invalid_request")
    assert_error(edge.post("/v1/chat", headers=H(), json={"session_id": sid, "text": "   "}), 422, "empty_message")
    assert_error(edge.post("/v1/chat", headers=H(), json={"session_id": sid, "text": "y" * 2500}), 422, "message_too_long")
    assert_error(edge.post("/v1/feedback", headers=H(), json={"session_id": sid, "product_id": "P001", "kind": "purchase"}), 422, "invalid_request")
    assert_error(edge.post("/v1/chat", headers=H(), json={"session_id": "nope", "text": "hi"}), 404, "unknown_session")
    assert_error(edge.get("/v1/nothing-here", headers=H()), 404, "not_found")
    assert_error(edge.get("/v1/chat", headers=H()), 405, "method_not_allowed")


def test_sessions_are_bound_to_their_user_and_site(edge):
    mine = new_session(edge, user="u1")
    anon = new_session(edge)
    body = {"session_id": mine, "text": "where is my order"}
    assert edge.post("/v1/chat", headers=H(user="u1"), json=body).status_code == 200
    assert_error(edge.post("/v1/chat", headers=H(user="u2"), json=body), 403, "session_forbidden")
    assert_error(edge.post("/v1/chat", headers=H(), json=body), 403, "session_forbidden")
    assert_error(edge.post("/v1/chat", headers=H(OTHER_KEY, user="u1"), json=body), 403, "session_forbidden")
    assert_error(edge.post("/v1/chat", headers=H(user="u1"), json={"session_id": anon, "text": "hi"}), 403, "session_forbidden")
    fb = {"session_id": mine, "product_id": "P001", "kind": "like"}
    assert_error(edge.post("/v1/feedback", headers=H(user="u2"), json=fb), 403, "session_forbidden")


def test_bad_user_tokens_are_rejected(edge):
    good = sign_user_token("u1", SECRET, SITE_KEY)
    forged = sign_user_token("u1", "another-secret", SITE_KEY)
    expired = sign_user_token("u1", SECRET, SITE_KEY, ttl_s=-5)
    other_site = sign_user_token("u1", SECRET, OTHER_KEY)
    for token in (forged, expired, other_site, good[:-2] + "xx", "garbage", good.replace(".", "")):
        assert_error(edge.post("/v1/sessions", headers={"X-Site-Key": SITE_KEY, "X-User-Token": token}), 401, "invalid_user_token")


def test_token_round_trip_and_expiry():
    token = sign_user_token("u7", "s3cret", "site-a", ttl_s=60, now=1000.0)
    assert verify_user_token(token, "s3cret", "site-a", now=1059.0) == "u7"
    with pytest.raises(TokenError, match="expired"):
        verify_user_token(token, "s3cret", "site-a", now=1061.0)
    with pytest.raises(TokenError, match="signature"):
        verify_user_token(token, "other", "site-a", now=1000.0)
    with pytest.raises(ValueError):
        sign_user_token("anonymous:abc", "s3cret", "site-a")
