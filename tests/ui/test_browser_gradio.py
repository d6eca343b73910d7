"""The Gradio chat UI in headless Chromium: a conversation, a like that changes the next turn, phone width."""

from __future__ import annotations

import re

import pytest

from tests.ui.browser import PHONE, chromium  # noqa: F401  (fixture)
from tests.ui.frontend_stack import frontend  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]  # real Assistant + Chromium
QUERY = "recommend something for me"


LIKED_REASON = re.compile(r"items you liked|\byou like\b")


def _card_ids(page) -> list[str]:
    return page.eval_on_selector_all("#sb-cards .sb-card", "els => els.map(e => e.dataset.productId)")


def _card_reasons(page) -> list[str]:
    return page.eval_on_selector_all("#sb-cards .sb-card", "els => els.map(e => e.title)")


def _say(page, text: str) -> None:
    before = page.locator("#sb-chat [data-testid='bot']").count()
    page.locator("#sb-msg textarea").fill(text)
    page.locator("#sb-send").click()
    page.wait_for_function(
        "n => document.querySelectorAll(\"#sb-chat [data-testid='bot']\").length > n", arg=before, timeout=60_000)
    page.wait_for_function("() => !document.querySelector('#sb-send').disabled "
                           "&& !document.querySelector('#sb-chat .pending, #sb-chat .generating')", timeout=60_000)
    page.wait_for_timeout(500)  # the final Turn's outputs (cards, inspector) land with the last update


@pytest.fixture
def ui_page(chromium, frontend):  # noqa: F811
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(frontend.url + "/", wait_until="domcontentloaded")
    page.locator("#sb-msg textarea").wait_for(timeout=30_000)
    yield page
    context.close()


def test_gradio_conversation_and_like_changes_next_turn(ui_page, frontend, artifacts_dir):  # noqa: F811
    page = ui_page
    _say(page, QUERY)
    assert page.locator("#sb-chat [data-testid='user']").last.text_content().strip() == QUERY
    assert page.locator("#sb-chat [data-testid='bot']").last.text_content().strip()
    first = _card_ids(page)
    assert first, "no product cards after a product search"
    assert not any(LIKED_REASON.search(r) for r in _card_reasons(page)), "a new visitor has liked nothing yet"
    page.screenshot(path=str(artifacts_dir / "gradio_turn1.png"), full_page=True)
    page.locator("#sb-pick label").last.click()  # like the lowest-ranked card
    page.locator("#sb-why").click()
    page.wait_for_function("() => document.querySelector('#sb-status').textContent.includes('Why')", timeout=20_000)
    page.locator("#sb-like").click()
    page.wait_for_function("() => document.querySelector('#sb-status').textContent.includes('You liked')", timeout=20_000)
    _say(page, QUERY)
    second = _card_ids(page)
    reasons = _card_reasons(page)
    assert second and any(LIKED_REASON.search(r) for r in reasons), f"the like did not shape the next turn: {reasons}"
    page.screenshot(path=str(artifacts_dir / "gradio_after_like.png"), full_page=True)


def test_gradio_inspector_closed_and_phone_width(ui_page, artifacts_dir):
    page = ui_page
    page.set_viewport_size(PHONE)
    assert page.locator("#sb-inspector").is_hidden()  # the inspector is closed by default
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _say(page, "<img src=x onerror=alert(1)> hello")
    page.wait_for_timeout(300)
    assert dialogs == [], "markup typed into the chat ran as script"
    assert page.locator("#sb-chat img").count() == 0
    assert "<img src=x onerror=alert(1)>" in page.locator("#sb-chat [data-testid='user']").last.text_content()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 2, f"the page scrolls sideways at phone width ({width}px)"
    assert page.locator("#sb-send").is_visible() and page.locator("#sb-msg textarea").is_visible()
    page.screenshot(path=str(artifacts_dir / "gradio_phone.png"), full_page=True)
