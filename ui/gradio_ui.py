"""The Gradio chat UI over an AssistantAPI: streamed chat, product cards with feedback controls acting on the
selected card, a user picker, the cart and an inspector panel (closed by default)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from html import escape

import gradio as gr

from assistant.protocol import AssistantAPI
from assistant.records import Candidate, Turn
from ui.cards import CARDS_CSS, card_choices, cards_html, cart_markdown, inspector_view, why_text

log = logging.getLogger(__name__)
NEW_VISITOR = "__new__"
CSS = CARDS_CSS + "\n#sb-controls button{min-width:80px}\n"


def as_text(text: str) -> str:
    """User and model text is shown as text: markup is escaped before the chat's markdown renderer sees it."""
    return escape(text, quote=False)


@dataclass(frozen=True)
class UiState:
    session_id: str = ""
    user_id: str = ""
    shown: tuple[Candidate, ...] = ()


class ChatUI:
    """The callbacks of the UI, each a plain method over the assistant (testable without a browser)."""

    def __init__(self, assistant: AssistantAPI):
        self.assistant = assistant

    def start(self, choice: str | None) -> UiState:
        user_id = choice if choice and choice != NEW_VISITOR else f"anonymous:{secrets.token_urlsafe(8)}"
        return UiState(session_id=self.assistant.new_session(user_id), user_id=user_id)

    def user_choices(self) -> list[tuple[str, str]]:
        users = [(f"{u.name} ({u.description})", u.user_id) for u in self.assistant.demo_users()]
        return [("New visitor", NEW_VISITOR), *users]

    def switch_user(self, choice: str):
        state = self.start(choice)
        return state, [], cards_html(()), gr.update(choices=[], value=None), "", cart_markdown([]), {}

    def chat(self, text: str, history: list, state: UiState | None):
        state = state if state and state.session_id else self.start(NEW_VISITOR)
        text = (text or "").strip()
        if not text:
            yield history, "", gr.skip(), gr.skip(), gr.skip(), state
            return
        history = [*history, {"role": "user", "content": as_text(text)}, {"role": "assistant", "content": ""}]
        streamed = ""
        for part in self.assistant.stream(state.session_id, state.user_id, text):
            if isinstance(part, Turn):
                yield self._finish(history, part, state)
                return
            streamed += part
            history = [*history[:-1], {"role": "assistant", "content": as_text(streamed)}]
            yield history, "", gr.skip(), gr.skip(), gr.skip(), state

    def _finish(self, history: list, turn: Turn, state: UiState):
        history = [*history[:-1], {"role": "assistant", "content": as_text(turn.reply)}]  # authoritative: replaces the stream
        shown = turn.products or state.shown
        pick = gr.update(choices=card_choices(shown), value=shown[0].product.id if shown else None)
        return history, "", cards_html(shown), pick, inspector_view(turn), replace(state, shown=shown)

    def act(self, kind: str, product_id: str | None, state: UiState | None) -> tuple[str, str]:
        """Like / dislike / add to cart on the selected card: (status line, cart view)."""
        if not state or not state.session_id:
            return "Pick a product card first.", cart_markdown([])
        if not product_id:
            return "Pick a product card first.", cart_markdown(self.assistant.cart(state.session_id))
        try:
            self.assistant.feedback(state.session_id, state.user_id, product_id, kind)
        except ValueError as exc:
            return f"That did not work: {exc}", cart_markdown(self.assistant.cart(state.session_id))
        title = next((c.product.title for c in state.shown if c.product.id == product_id), product_id)
        done = {"like": "You liked {}.", "dislike": "Got it: you don't like {}.", "add_to_cart": "Added {} to your cart."}
        note = done[kind].format(title) + " The next recommendations take this into account."
        return note, cart_markdown(self.assistant.cart(state.session_id))

    def why(self, product_id: str | None, state: UiState | None) -> str:
        shown = state.shown if state else ()
        cand = next((c for c in shown if c.product.id == product_id), None)
        return why_text(cand) if cand else "Pick a product card first."


def local_theme() -> gr.themes.Base:
    """The default look with system fonts only (no web-font downloads: the UI must work offline)."""
    return gr.themes.Default(font=["system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
                             font_mono=["ui-monospace", "Consolas", "monospace"])


def build_blocks(assistant: AssistantAPI, *, chat_concurrency: int = 4,
                 analytics: Callable[[str], str] | None = None, review=None) -> gr.Blocks:
    """The chat tab, plus an Analytics tab when ``analytics(since) -> html`` is given and a Review tab
    (the misunderstood-turn inbox) when a ``ui.review_ui.ReviewDesk`` is given."""
    with gr.Blocks(title="shopbot", fill_width=True) as blocks:
        gr.Markdown("## shopbot: your shopping assistant")
        with gr.Tab("Chat"):
            _chat_tab(ChatUI(assistant), chat_concurrency)
        if analytics is not None:
            with gr.Tab("Analytics"):
                _analytics_tab(analytics)
        if review is not None:
            from ui.review_ui import review_tab

            with gr.Tab("Review"):
                review_tab(review)
    return blocks


def _analytics_tab(analytics: Callable[[str], str]) -> None:
    with gr.Row(equal_height=True):
        since = gr.Textbox("7d", label="Window (e.g. 24h, 7d, 30d)", scale=3, elem_id="sb-analytics-since")
        refresh = gr.Button("Refresh", scale=1, elem_id="sb-analytics-refresh")
    page = gr.HTML("<p>Press Refresh to compute the analytics.</p>", elem_id="sb-analytics")
    refresh.click(analytics, [since], [page], concurrency_limit=1)


def _chat_tab(ui: ChatUI, chat_concurrency: int) -> None:
    state = gr.State(UiState())
    user = gr.Dropdown(ui.user_choices(), value=NEW_VISITOR, label="Who are you?", elem_id="sb-user")
    chatbot = gr.Chatbot(elem_id="sb-chat", height=380, label="Chat", feedback_options=None)
    with gr.Row(equal_height=True):
        msg = gr.Textbox(placeholder="e.g. waterproof running shoes under $80", show_label=False, scale=5, elem_id="sb-msg")
        send = gr.Button("Send", variant="primary", scale=1, min_width=70, elem_id="sb-send")
    cards = gr.HTML(cards_html(()), elem_id="sb-cards")
    pick = gr.Radio([], label="Selected product", elem_id="sb-pick")
    with gr.Row(elem_id="sb-controls"):
        like, dislike = gr.Button("Like", elem_id="sb-like"), gr.Button("Dislike", elem_id="sb-dislike")
        cart_btn, why = gr.Button("Add to cart", elem_id="sb-cart-add"), gr.Button("Why this?", elem_id="sb-why")
    status = gr.Markdown("", elem_id="sb-status")
    with gr.Accordion("Cart", open=True):
        cart = gr.Markdown(cart_markdown([]), elem_id="sb-cart")
    with gr.Accordion("Inspector", open=False, elem_id="sb-inspector-panel"):
        inspector = gr.JSON(label="parse, entities, candidates, timings", elem_id="sb-inspector")
    outputs = [chatbot, msg, cards, pick, inspector, state]
    for trigger in (msg.submit, send.click):
        trigger(ui.chat, [msg, chatbot, state], outputs, concurrency_limit=chat_concurrency, concurrency_id="chat")
    for button, kind in ((like, "like"), (dislike, "dislike"), (cart_btn, "add_to_cart")):
        button.click(lambda pid, st, k=kind: ui.act(k, pid, st), [pick, state], [status, cart], concurrency_limit=8)
    why.click(ui.why, [pick, state], [status])
    user.change(ui.switch_user, [user], [state, chatbot, cards, pick, status, cart, inspector])
