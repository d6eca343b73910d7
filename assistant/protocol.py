"""The narrow contract every front end (Gradio, widget API, replay) uses. ``assistant.assistant.Assistant``
implements it; front ends depend only on this."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from assistant.records import ForgetReport, Turn

FEEDBACK_KINDS = ("view", "click", "like", "dislike", "add_to_cart", "purchase", "return")


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    name: str
    description: str  # "likes running gear; 4 orders (one in transit)"


@dataclass(frozen=True)
class CartLine:
    product_id: str
    title: str
    price: float
    quantity: int


class AssistantAPI(Protocol):
    def new_session(self, user_id: str) -> str: ...

    def handle(self, session_id: str, user_id: str, text: str, *, generate: bool | None = None) -> Turn:
        """One chat turn. ``generate=False`` uses the deterministic template writer."""

    def stream(self, session_id: str, user_id: str, text: str) -> Iterator[str | Turn]:
        """Reply tokens as they are written, then the final Turn (whose ``reply`` is authoritative:
        if the guard rejected the streamed text the front end replaces it with ``turn.reply``)."""

    def feedback(self, session_id: str, user_id: str, product_id: str, kind: str) -> None:
        """Record like/dislike/click/add_to_cart...; the next turn's ranking reflects it."""

    def cart(self, session_id: str) -> list[CartLine]: ...

    def forget_cached(self, session_id: str) -> None:
        """Drop any per-process cache of the session (another worker may have extended its event log)."""

    def demo_users(self) -> list[DemoUser]: ...

    def forget(self, user_id: str) -> ForgetReport:
        """Delete the user's data (privacy) and drop every in-memory trace of them in this process."""
