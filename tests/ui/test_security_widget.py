"""Issue 16, item 3: the widget keeps no raw user text in localStorage (headless Chromium against a real server;
the stand-in assistant redacts with the real ``assistant.privacy.redact`` as the Assistant does)."""

from __future__ import annotations

import pytest

from assistant.stores import open_stores
from tests.ui.browser import chromium  # noqa: F401  (fixture)
from tests.ui.standin import StandInAssistant
from tests.ui.widget_server import SITE_KEY, serve, site_settings

pytestmark = [pytest.mark.browser, pytest.mark.server]
SECRET_TEXT = "my card 4111 1111 1111 1111 and mail john dot doe at gmail dot com"


class RedactingStandIn(StandInAssistant):
    """Stores (and echoes in Turn.text) the redacted text, like the real Assistant."""

    def handle(self, session_id, user_id, text, *, generate=None):
        from assistant.privacy import redact

        return super().handle(session_id, user_id, redact(text).text, generate=generate)


def test_widget_stores_only_server_redacted_text(chromium, tmp_path):  # noqa: F811
    from assistant.settings import Settings
    from ui.app import build_app

    def make(url):
        return build_app(open_stores(site_settings(Settings(data_dir=tmp_path), url)), RedactingStandIn(), gradio=False)

    with serve(make) as url:
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.goto(f"{url}/demo")
            page.locator("#shopbot-widget .bubble").click()
            page.locator("#shopbot-widget input").fill(SECRET_TEXT)
            page.locator("#shopbot-widget form button").click()
            page.wait_for_function("""() => { const r = document.querySelector('#shopbot-widget').shadowRoot;
                                      return r.querySelectorAll('.msg.bot').length > 1 && !r.querySelector('form button').disabled; }""",
                                   timeout=30_000)
            stored = page.evaluate("k => localStorage.getItem(k)", f"shopbot:{SITE_KEY}:anon")
            assert stored and '"session"' in stored
            assert "4111" not in stored and "john" not in stored and "gmail" not in stored
            assert "[CARD]" in stored and "[EMAIL]" in stored  # the server's redacted words are what is kept
            page.reload()  # the restored transcript is the redacted one
            page.locator("#shopbot-widget .bubble").click()
            shown = page.locator("#shopbot-widget .msg.user").first.text_content()
            assert "[CARD]" in shown and "4111" not in shown
        finally:
            context.close()
