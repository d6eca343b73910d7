"""The widget API over real HTTP against the real Assistant (template writer): turns, SSE order, feedback,
and order privacy between signed-in customers and anonymous visitors."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.ui.frontend_stack import frontend  # noqa: F401  (fixture)
from tests.ui.widget_server import SITE_KEY, decode, sse_events
from ui.api.tokens import sign_user_token

pytestmark = [pytest.mark.server, pytest.mark.slow]  # the real Assistant loads its models
ORDER_ID = re.compile(r"\b\d{5}\b")


@pytest.fixture(scope="module")
def api(frontend):  # noqa: F811
    with httpx.Client(base_url=frontend.url, timeout=60) as client:
        yield client


def headers(frontend, user: str | None = None) -> dict:  # noqa: F811
    h = {"X-Site-Key": SITE_KEY}
    if user:
        h["X-User-Token"] = sign_user_token(user, frontend.settings.user_token_secret, SITE_KEY)
    return h


def session(api, h) -> str:
    r = api.post("/v1/sessions", headers=h)
    assert r.status_code == 201, r.text
    return r.json()["session_id"]


def chat(api, h, sid: str, text: str) -> dict:
    r = api.post("/v1/chat", headers=h, json={"session_id": sid, "text": text})
    assert r.status_code == 200, r.text
    return r.json()


def test_chat_returns_a_turn_with_cards(api, frontend):  # noqa: F811
    h = headers(frontend)
    turn = chat(api, h, session(api, h), "show me running shoes")
    assert turn["reply"].strip() and turn["intent"] and turn["timings"]
    assert turn["products"], turn
    card = turn["products"][0]
    assert {"id", "title", "brand", "price", "rating", "in_stock", "attributes", "reasons"} <= set(card)
    assert card["reasons"], "every shown product explains itself"


def test_sse_tokens_then_turn_then_done(api, frontend):  # noqa: F811
    h = headers(frontend)
    sid = session(api, h)
    with api.stream("POST", "/v1/chat/stream", headers=h, json={"session_id": sid, "text": "find hiking boots"}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = decode(sse_events(r))
    names = [name for name, _ in events]
    assert names[-1] == "done" and names.count("turn") == 1 and names.count("done") == 1
    turn_at = names.index("turn")
    assert names[:turn_at] and set(names[:turn_at]) == {"token"}, names
    turn = events[turn_at][1]
    streamed = "".join(data for name, data in events if name == "token")
    assert turn["session_id"] == sid and (streamed == turn["reply"] or not turn["guard_passed"])


def test_feedback_is_accepted_for_shown_products(api, frontend):  # noqa: F811
    h = headers(frontend)
    sid = session(api, h)
    turn = chat(api, h, sid, "show me running shoes")
    pid = turn["products"][0]["id"]
    for kind in ("click", "like", "add_to_cart"):
        r = api.post("/v1/feedback", headers=h, json={"session_id": sid, "product_id": pid, "kind": kind})
        assert r.status_code == 200 and r.json() == {"ok": True}
    r = api.post("/v1/feedback", headers=h, json={"session_id": sid, "product_id": "no-such-product", "kind": "like"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "product_not_shown"


def _order_ids(turn: dict) -> set[str]:
    text = turn["reply"] + " " + " ".join(v for _, v in turn["data"])
    return set(ORDER_ID.findall(text))


def test_a_customer_never_sees_another_customers_orders(api, frontend):  # noqa: F811
    alice, bob = (u.user_id for u in frontend.assistant.demo_users()[:2])
    ha, hb = headers(frontend, alice), headers(frontend, bob)
    sa, sb = session(api, ha), session(api, hb)
    mine_a = _order_ids(chat(api, ha, sa, "where is my order?"))
    mine_b = _order_ids(chat(api, hb, sb, "where is my order?"))
    assert mine_a and mine_b and not mine_a & mine_b, (mine_a, mine_b)
    made_up = chat(api, ha, session(api, ha), "where is my order 99999?")
    for oid in sorted(mine_b):
        probe = chat(api, ha, session(api, ha), f"where is my order {oid}?")
        assert not (_order_ids(probe) - {oid}) & mine_b
        assert probe["reply"].replace(oid, "#") == made_up["reply"].replace("99999", "#"), "must look like a made-up id"
        assert not [v for _, v in probe["data"] if oid in v]
    # bob's session cannot be borrowed by alice, and an anonymous visitor sees no orders at all
    r = api.post("/v1/chat", headers=ha, json={"session_id": sb, "text": "where is my order?"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "session_forbidden"
    anon = headers(frontend)
    for oid in sorted(mine_a | mine_b)[:3]:
        turn = chat(api, anon, session(api, anon), f"where is my order {oid}?")
        assert not (_order_ids(turn) - {oid}) & (mine_a | mine_b) and not turn["data"]
