"""What a turn intends to change outside its own event log, as data (flows return these, nothing is written
while routing). ``assistant/turn_commit.py`` applies them together with the turn's events in one database
transaction, then updates the in-memory ranking statistics; a failure rolls back every one of them.

Reference ids (refund, return, ticket) are chosen when the flow decides, so the reply can name them before
anything is written and the commit writes exactly what the reply says.
"""

from __future__ import annotations

from dataclasses import dataclass


class EffectConflict(RuntimeError):
    """The world changed between the decision and the commit (e.g. the order shipped meanwhile)."""


@dataclass(frozen=True)
class CancelOrder:
    user_id: str
    order_id: str
    refund_id: str


@dataclass(frozen=True)
class StartReturn:
    user_id: str
    order_id: str
    return_id: str
    reason: str = ""


@dataclass(frozen=True)
class CreateTicket:
    user_id: str
    session_id: str
    ticket_id: str
    reason: str
    transcript: str  # redacted


@dataclass(frozen=True)
class RecordFeedback:
    user_id: str
    product_id: str
    kind: str  # one of protocol.FEEDBACK_KINDS
    session_id: str | None = None


@dataclass(frozen=True)
class ShownItem:
    product_id: str
    position: int
    propensity: float | None


@dataclass(frozen=True)
class LogViews:
    """The products a turn showed, with the position and propensity the policy gave each (off-policy logs)."""

    user_id: str
    session_id: str
    items: tuple[ShownItem, ...]


Effect = CancelOrder | StartReturn | CreateTicket | RecordFeedback | LogViews
