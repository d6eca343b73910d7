"""The Gradio chat UI over an AssistantAPI: streamed chat, product cards with feedback controls acting on the
selected card, the cart and an inspector panel (closed by default).

Who is who: in demo mode (``settings.demo_enabled``) a picker lets the visitor act as any demo customer; otherwise
the visitor is the customer named by a signed user token (``?user_token=`` or the ``shopbot_user_token`` cookie,
audience ``UI_AUDIENCE``) or anonymous. The Review and Analytics tabs are a separate app (``build_admin_blocks``)
that ``ui.app`` mounts at /admin behind the admin login, and only when one is configured."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from html import escape

import gradio as gr

from assistant.protocol import AssistantAPI
from assistant.records import Candidate, Turn
from assistant.users import UserRef
from ui.cards import (
    CARDS_CSS,
    card_choices,
    cards_html,
    cart_markdown,
    inspector_view,
    why_text,
)

log = logging.getLogger(__name__)
NEW_VISITOR = "__new__"
UI_AUDIENCE = "shopbot-ui"  # the `aud` of user tokens for this chat UI (the widget's tokens name their site key)
CSS = CARDS_CSS + "\n#sb-controls button{min-width:80px}\n"


def as_text(text: str) -> str:
    """User and model text is shown as text: markup is escaped before the chat's markdown renderer sees it."""
    return escape(text, quote=False)


def anonymous_id() -> str:
    return UserRef.visitor().id


@dataclass(frozen=True)
class UiState:
    session_id: str = ""
    user_id: str = ""
    shown: tuple[Candidate, ...] = ()


class ChatUI:
    """The callbacks of the UI, each a plain method over the assistant (testable without a browser).

    ``identify(request) -> customer id | None`` names the signed-in visitor (outside demo mode);
    ``max_text_chars`` caps a message before anything (redaction included) looks at it."""

    def __init__(self, assistant: AssistantAPI, *, demo: bool = False, max_text_chars: int = 2_000,
                 identify: Callable[[object], str | None] | None = None):
        self.assistant = assistant
        self.demo = demo
        self.max_text_chars = max_text_chars
        self.identify = identify

    def start(self, choice: str | None = None, *, user_id: str | None = None) -> UiState:
        """A new session: in demo mode as the picked demo customer, else as ``user_id`` (from a login) or anonymous."""
        if self.demo and choice and choice != NEW_VISITOR and choice in {u.user_id for u in self.assistant.demo_users()}:
            user_id = choice
        user_id = user_id or anonymous_id()
        return UiState(session_id=self.assistant.new_session(user_id), user_id=user_id)

    def open(self, request: gr.Request) -> UiState:
        """Page load: the customer a valid token names (never in demo mode: the picker decides there)."""
        user_id = None
        if not self.demo and self.identify is not None:
            try:
                user_id = self.identify(request)
            except Exception:  # noqa: BLE001 - a bad token is an anonymous visitor, never a broken page
                log.warning("user token rejected on the chat UI")
        return self.start(user_id=user_id)

    def user_choices(self) -> list[tuple[str, str]]:
        if not self.demo:
            return [("New visitor", NEW_VISITOR)]
        users = [(f"{u.name} ({u.description})", u.user_id) for u in self.assistant.demo_users()]
        return [("New visitor", NEW_VISITOR), *users]

    def switch_user(self, choice: str):
        state = self.start(choice)
        return state, [], cards_html(()), gr.update(choices=[], value=None), "", cart_markdown([]), {}

    def chat(self, text: str, history: list, state: UiState | None):
        state = state if state and state.session_id else self.start()
        text = text or ""
        if len(text) > self.max_text_chars:  # before redaction, parsing or storage see it
            note = f"Messages are limited to {self.max_text_chars} characters; please shorten yours."
            yield [*history, {"role": "assistant", "content": note}], "", gr.skip(), gr.skip(), gr.skip(), state
            return
        text = text.strip()
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


def build_blocks(assistant: AssistantAPI, *, chat_concurrency: int = 4, demo: bool = False, max_text_chars: int = 2_000,
                 identify: Callable[[object], str | None] | None = None) -> gr.Blocks:
    """The public chat app: the Chat tab only (the customer picker only in demo mode)."""
    with gr.Blocks(title="shopbot", fill_width=True) as blocks:
        gr.Markdown("## shopbot: your shopping assistant")
        with gr.Tab("Chat"):
            _chat_tab(blocks, ChatUI(assistant, demo=demo, max_text_chars=max_text_chars, identify=identify),
                      chat_concurrency)
    return blocks


def build_admin_blocks(*, analytics: Callable[[str], str] | None = None, review=None) -> gr.Blocks:
    """The staff app (mounted behind the admin login): an Analytics tab when ``analytics(since) -> html`` is
    given and a Review tab (the misunderstood-turn inbox) when a ``ui.review_ui.ReviewDesk`` is given."""
    with gr.Blocks(title="shopbot admin", fill_width=True) as blocks:
        gr.Markdown("## shopbot: staff")
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


def _chat_tab(blocks: gr.Blocks, ui: ChatUI, chat_concurrency: int) -> None:
    state = gr.State(UiState())
    user = gr.Dropdown(ui.user_choices(), value=NEW_VISITOR, label="Who are you?", elem_id="sb-user") if ui.demo else None
    chatbot = gr.Chatbot(elem_id="sb-chat", height=380, label="Chat", feedback_options=None)
    with gr.Row(equal_height=True):
        msg = gr.Textbox(placeholder="e.g. waterproof running shoes under $80", show_label=False, scale=5,
                         max_length=ui.max_text_chars, elem_id="sb-msg")
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
    if user is not None:
        user.change(ui.switch_user, [user], [state, chatbot, cards, pick, status, cart, inspector])
    else:
        blocks.load(ui.open, None, [state])
