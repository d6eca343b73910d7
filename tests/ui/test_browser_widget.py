"""The embeddable widget on the demo shop page, in headless Chromium against the real server."""

from __future__ import annotations

import pytest

from tests.ui.browser import PHONE, chromium  # noqa: F401  (fixture)
from tests.ui.frontend_stack import frontend  # noqa: F401  (fixture)
from tests.ui.widget_server import SITE_KEY

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]  # real Assistant + Chromium
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def demo_page(chromium, frontend):  # noqa: F811
    context = chromium.new_context(viewport={"width": 1200, "height": 850})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(f"{frontend.url}/demo")
    yield page
    context.close()


def _send(page, text: str, replies_before: int) -> None:
    page.locator("#shopbot-widget input").fill(text)
    page.locator("#shopbot-widget form button").click()
    page.wait_for_function(
        """n => { const root = document.querySelector('#shopbot-widget').shadowRoot;
                  const bots = root.querySelectorAll('.msg.bot, .msg.err');
                  return bots.length > n && !root.querySelector('form button').disabled; }""",
        arg=replies_before, timeout=60_000)


def _bot_count(page) -> int:
    return page.locator("#shopbot-widget .msg.bot, #shopbot-widget .msg.err").count()


def test_widget_chats_streams_and_renders_cards(demo_page, frontend, artifacts_dir):  # noqa: F811
    page = demo_page
    assert page.locator("#shopbot-widget .panel").is_hidden()
    page.locator("#shopbot-widget .bubble").click()
    assert page.locator("#shopbot-widget .panel").is_visible()
    streams = []
    page.on("response", lambda r: streams.append(r) if r.url.endswith("/v1/chat/stream") else None)
    _send(page, "show me running shoes under $150", _bot_count(page))
    assert streams and streams[-1].status == 200, page.locator("#shopbot-widget .log").text_content()
    assert streams[-1].headers["content-type"].startswith("text/event-stream")
    reply = page.locator("#shopbot-widget .msg.bot").last.text_content()
    assert reply and reply != "…"
    cards = page.locator("#shopbot-widget .card")
    cards.first.wait_for(timeout=10_000)
    assert cards.count() >= 1
    first = cards.first
    assert first.locator(".title").text_content().strip()
    assert "$" in first.locator(".meta").text_content() and "★" in first.locator(".meta").text_content()
    first.locator(".act-like").click()
    page.wait_for_function("() => document.querySelector('#shopbot-widget').shadowRoot"
                           ".querySelector('.card .act-like').textContent.includes('✓')", timeout=10_000)
    page.screenshot(path=str(artifacts_dir / "widget_demo_desktop.png"))


def test_widget_renders_markup_as_text(demo_page, artifacts_dir):
    page = demo_page
    page.locator("#shopbot-widget .bubble").click()
    _send(page, XSS, _bot_count(page))
    user_msg = page.locator("#shopbot-widget .msg.user").last
    assert user_msg.text_content() == XSS
    assert page.locator("#shopbot-widget img").count() == 0 and page.locator("img").count() == 0
    page.wait_for_timeout(300)
    assert page.dialogs == []
    page.screenshot(path=str(artifacts_dir / "widget_xss_as_text.png"))


def test_widget_keeps_its_session_across_page_loads(demo_page, chromium, artifacts_dir):  # noqa: F811
    page = demo_page
    page.locator("#shopbot-widget .bubble").click()
    _send(page, "hello", _bot_count(page))
    key = f"shopbot:{SITE_KEY}:anon"
    stored = page.evaluate("k => JSON.parse(localStorage.getItem(k)).session", key)
    assert stored
    page.reload()
    page.locator("#shopbot-widget .bubble").click()
    assert page.locator("#shopbot-widget .msg.user").first.text_content() == "hello"  # transcript restored
    _send(page, "thanks", _bot_count(page))
    assert page.evaluate("k => JSON.parse(localStorage.getItem(k)).session", key) == stored
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(artifacts_dir / "widget_demo_phone.png"))


def test_signed_in_widget_uses_the_customer_token(chromium, frontend, artifacts_dir):  # noqa: F811
    import re

    from ui.api.tokens import sign_user_token

    user = frontend.assistant.demo_users()[0].user_id
    token = sign_user_token(user, frontend.settings.user_token_secret, SITE_KEY)
    html = ("<!doctype html><html><head><meta charset='utf-8'></head><body><h1>Your account</h1>"
            f"<script src='/static/widget.js' data-site-key='{SITE_KEY}' data-user-token='{token}'></script></body></html>")
    context = chromium.new_context(viewport={"width": 1000, "height": 800})
    try:
        page = context.new_page()
        page.route(f"{frontend.url}/account", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
        page.goto(f"{frontend.url}/account")
        page.locator("#shopbot-widget .bubble").click()
        _send(page, "where is my order?", _bot_count(page))
        reply = page.locator("#shopbot-widget .msg.bot").last.text_content()
        assert re.search(r"\b\d{5}\b", reply), reply  # the customer's own orders are listed
        assert page.evaluate("k => !!localStorage.getItem(k)", f"shopbot:{SITE_KEY}:user:{user}")
        page.screenshot(path=str(artifacts_dir / "widget_signed_in.png"))
    finally:
        context.close()
