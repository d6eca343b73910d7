"""Pydantic schemas of the widget API (the HTTP edge only; the pipeline uses frozen dataclasses)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.records import Candidate, Turn

WIDGET_FEEDBACK_KINDS = ("view", "click", "like", "dislike", "add_to_cart")
FeedbackKind = Literal["view", "click", "like", "dislike", "add_to_cart"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionCreate(_Strict):
    """Nothing is required: the site key and the optional user token come in headers."""

    locale: str | None = Field(default=None, max_length=16)


class SessionPublic(BaseModel):
    session_id: str
    signed_in: bool  # False: anonymous visitor (no order access)


class ChatCreate(_Strict):
    session_id: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1, max_length=4000)


class FeedbackCreate(_Strict):
    session_id: str = Field(min_length=1, max_length=128)
    product_id: str = Field(min_length=1, max_length=128)
    kind: FeedbackKind


class FeedbackPublic(BaseModel):
    ok: bool = True


class HealthPublic(BaseModel):
    status: str = "ok"
    version: str | None = None  # only with a valid X-Site-Key
    sessions: int | None = None  # only with a valid X-Site-Key


class EntityPublic(BaseModel):
    type: str
    text: str
    value: str


class CardPublic(BaseModel):
    id: str
    title: str
    brand: str
    price: float | None  # null: the catalog lists no price ("price not listed")
    currency: str
    rating: float
    review_count: int
    in_stock: bool
    attributes: list[str]
    reasons: list[str]
    exploratory: bool
    position: int


class TimingPublic(BaseModel):
    stage: str
    ms: float


class TurnPublic(BaseModel):
    session_id: str
    text: str = ""  # the user's message as stored: personal data redacted (what the widget may keep)
    reply: str
    action: str
    intent: str
    confidence: float
    entities: list[EntityPublic]
    products: list[CardPublic]
    timings: list[TimingPublic]
    guard_passed: bool
    fallback: bool
    error: str | None = None
    data: list[tuple[str, str]]


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorPublic(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict] = {
    status: {"model": ErrorPublic, "description": text}
    for status, text in ((400, "malformed JSON"), (401, "missing/invalid site key or user token"),
                         (403, "origin not allowed, or the session belongs to someone else"),
                         (404, "unknown session"), (413, "request body too large"), (422, "invalid request"),
                         (429, "rate limited (see Retry-After)"))
}


def card_attributes(c: Candidate, limit: int = 4) -> list[str]:
    p = c.product
    attrs: list[str] = []
    if p.colors:
        attrs.append(", ".join(p.colors[:3]))
    if p.material:
        attrs.append(p.material)
    if p.audience:
        attrs.append(f"for {p.audience}")
    attrs.extend(p.features)
    return attrs[:limit]


def card_public(c: Candidate) -> CardPublic:
    p = c.product
    return CardPublic(
        id=p.id, title=p.title, brand=p.brand, price=p.price, currency=p.currency, rating=p.rating,
        review_count=p.review_count, in_stock=p.in_stock, attributes=card_attributes(c),
        reasons=list(c.breakdown.reasons), exploratory=c.breakdown.exploratory, position=c.position,
    )


def turn_public(turn: Turn) -> TurnPublic:
    return TurnPublic(
        session_id=turn.session_id, text=turn.text, reply=turn.reply, action=turn.action.value, intent=turn.parse.intent,
        confidence=turn.parse.confidence,
        entities=[EntityPublic(type=e.type, text=e.text, value=e.value) for e in turn.parse.entities],
        products=[card_public(c) for c in turn.products],
        timings=[TimingPublic(stage=t.stage, ms=t.ms) for t in turn.timings],
        guard_passed=turn.guard_passed, fallback=turn.fallback, error=turn.error, data=list(turn.data),
    )
