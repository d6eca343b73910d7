"""The Gradio UI's callbacks (ui.gradio_ui.ChatUI) over the assistant, without a browser; the app mounts."""

from __future__ import annotations

import pytest

from assistant.records import Turn
from tests.ui.frontend_stack import frontend  # noqa: F401  (fixture)
from ui.cards import cards_html, cart_markdown
from ui.gradio_ui import NEW_VISITOR, ChatUI, UiState



def _run(ui: ChatUI, text: str, history: list, state: UiState):
    outputs = list(ui.chat(text, history, state))
    assert outputs, "the chat callback yielded nothing"
    return outputs


@pytest.mark.slow  # the real Assistant
def test_chat_streams_then_shows_the_final_turn(frontend):  # noqa: F811
    ui = ChatUI(frontend.assistant)
    state = ui.start(NEW_VISITOR)
    assert state.user_id.startswith("anonymous:") and state.session_id
    outputs = _run(ui, "running shoes", [], state)
    history, cleared, cards, pick, inspector, new_state = outputs[-1]
    assert cleared == "" and history[0] == {"role": "user", "content": "running shoes"}
    assert history[-1]["role"] == "assistant" and history[-1]["content"].strip()
    assert set(inspector) >= {"parse", "entities", "candidates", "timings_ms"}
    assert inspector["parse"]["intent"]
    if new_state.shown:
        assert new_state.shown[0].product.id in cards and pick["choices"]
        assert ui.why(new_state.shown[0].product.id, new_state).startswith("**Why ")


def test_chat_shows_markup_as_text():
    from tests.ui.standin import StandInAssistant

    ui = ChatUI(StandInAssistant())
    *_, final = ui.chat("<b>hi</b>", [], ui.start(NEW_VISITOR))
    assert final[0][0]["content"] == "&lt;b&gt;hi&lt;/b&gt;" and "<b>" not in final[0][1]["content"]


def test_final_turn_replaces_streamed_text():
    class Rewriting:  # streams a draft, then the guard's authoritative reply
        def stream(self, session_id, user_id, text):
            from assistant.records import Action, Parse

            yield "draft that the guard rejected"
            yield Turn(session_id, user_id, text, "the checked reply", Action.SMALLTALK, Parse(text, "greeting", 0.9))

    outputs = list(ChatUI(Rewriting()).chat("hi", [], UiState("s1", "anonymous:x")))
    assert outputs[0][0][-1]["content"] == "draft that the guard rejected"
    assert outputs[-1][0][-1]["content"] == "the checked reply"


@pytest.mark.slow  # the real Assistant
def test_feedback_buttons_reach_the_assistant_and_cart(frontend):  # noqa: F811
    ui = ChatUI(frontend.assistant)
    state = ui.start(NEW_VISITOR)
    *_, final = _run(ui, "show me headphones", [], state)
    state = final[-1]
    assert ui.act("like", None, state)[0].startswith("Pick a product")
    if not state.shown:
        pytest.skip("the assistant showed no products for this query")
    pid = state.shown[0].product.id
    note, cart = ui.act("add_to_cart", pid, state)
    assert "cart" in note
    assert state.shown[0].product.title.replace("|", "/") in cart and "Total" in cart
    assert "You liked" in ui.act("like", pid, state)[0]


@pytest.mark.slow  # the real Assistant
def test_user_picker_lists_demo_users_and_new_visitor(frontend):  # noqa: F811
    ui = ChatUI(frontend.assistant, demo=True)  # the picker exists in demo mode only
    choices = ui.user_choices()
    assert choices[0] == ("New visitor", NEW_VISITOR) and len(choices) > 1
    user_id = choices[1][1]
    state, history, *_ = ui.switch_user(user_id)
    assert state.user_id == user_id and history == []


def test_cards_escape_markup_and_cart_renders():
    from assistant.protocol import CartLine
    from tests.ui.standin import StandInAssistant

    cand = StandInAssistant()._rank("u")[0]
    evil = cand.product.__class__(**{**cand.product.to_dict(), "title": "<img src=x onerror=alert(1)>",
                                     "colors": ("<b>red</b>",), "sizes": (), "features": ()})
    html = cards_html((cand.__class__(product=evil, score=1.0, breakdown=cand.breakdown),))
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html and "<b>" not in html
    assert "Total" in cart_markdown([CartLine("p1", "Tee", 10.0, 2)]) and "$20.00" in cart_markdown([CartLine("p1", "Tee", 10.0, 2)])


def test_analytics_tab_renders_the_analytics_page(settings):
    """The app's Analytics tab calls analytics_page over the same store the assistant writes."""
    from assistant.analytics.page import analytics_page
    from assistant.runtime import open_stores
    from ui.gradio_ui import build_admin_blocks

    calls = []
    stores = open_stores(settings)

    def page(since: str) -> str:
        calls.append(since)
        return analytics_page(stores.engine, settings, since)

    blocks = build_admin_blocks(analytics=page)  # the staff app (served behind the admin login)
    labels = [c.get("props", {}).get("label") for c in blocks.config["components"]]
    assert "Analytics" in labels
    refresh = next(fn for fn in blocks.fns.values() if fn.fn is page)
    assert "<" in refresh.fn("7d") and calls == ["7d"]


def test_review_tab_labels_a_misunderstood_turn(tmp_path):
    """A reviewer picks an inbox turn in the Review tab and saves the right intent and entities."""
    from assistant.analytics.inbox import reviewed
    from assistant.db import make_engine
    from tests.assistant.analytics_log import write_log
    from ui.review_ui import ReviewDesk, parse_entities

    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    write_log(engine)
    desk = ReviewDesk(engine)
    choices = dict((ref, label) for label, ref in desk.choices())
    socks = next(ref for ref, label in choices.items() if label.startswith("show me socks"))
    text, intent = desk.show(socks)
    assert "show me socks" in text and intent in {"search_products", "recommend"}
    status, update = desk.save(socks, "search_products", "PRODUCT_TYPE=socks", "ann")
    assert status.startswith("Saved") and socks not in [ref for _, ref in update["choices"]]
    assert [(lb.intent, lb.entities) for lb in reviewed(engine)] == [("search_products", (("PRODUCT_TYPE", "socks"),))]
    bad, _ = desk.save(socks, "search_products", "socks", "ann")
    assert bad.startswith("Not saved") and parse_entities("COLOR=black; SIZE=8") == [["COLOR", "black"], ["SIZE", "8"]]
