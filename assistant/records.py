"""Typed records passed between pipeline stages (frozen dataclasses, no string-keyed dicts)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from retrieval.product import Product
from retrieval.records import Hit, SearchFilters  # noqa: F401  (re-exported for the pipeline)

INTENTS: tuple[str, ...] = (
    "greeting", "goodbye", "thanks", "search_products", "recommend", "refine_results",
    "product_question", "compare", "add_to_cart", "order_status", "cancel_order", "return_item",
    "refund_status", "shipping_info", "payment_issue", "account_help", "complaint", "human_agent",
    "out_of_scope",
)
ENTITY_TYPES: tuple[str, ...] = (
    "PRODUCT_TYPE", "BRAND", "COLOR", "SIZE", "MATERIAL", "FEATURE", "AUDIENCE",
    "PRICE_MIN", "PRICE_MAX", "ORDER_ID", "QUANTITY",
)


class Action(str, Enum):
    SEARCH = "search"
    RECOMMEND = "recommend"
    ANSWER = "answer"
    COMPARE = "compare"
    CART_ADD = "cart_add"
    ORDER_LOOKUP = "order_lookup"
    CANCEL = "cancel"
    RETURN_STARTED = "return_started"
    REFUND_LOOKUP = "refund_lookup"
    POLICY_ANSWER = "policy_answer"
    HANDOFF = "handoff"
    REFUSE = "refuse"
    CLARIFY = "clarify"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True)
class Entity:
    type: str  # one of ENTITY_TYPES
    text: str  # surface text as typed
    value: str  # normalised value ("80" for "80 bucks", "black" for "Black")
    start: int  # character span in the (possibly truncated) input
    end: int


@dataclass(frozen=True)
class Parse:
    text: str
    intent: str
    confidence: float
    entities: tuple[Entity, ...] = ()
    low_confidence: bool = False
    intent_scores: tuple[tuple[str, float], ...] = ()  # top intents, best first

    def values(self, etype: str) -> list[str]:
        return [e.value for e in self.entities if e.type == etype]

    def first(self, etype: str) -> str | None:
        vals = self.values(etype)
        return vals[0] if vals else None


@dataclass(frozen=True)
class ScoreBreakdown:
    """Weighted parts of a ranked item's final score; the parts sum to ``total``."""

    parts: tuple[tuple[str, float], ...]  # e.g. (("relevance", 0.41), ("affinity", 0.12), ...)
    reasons: tuple[str, ...] = ()  # plain-words explanations for "why this?"
    exploratory: bool = False

    @property
    def total(self) -> float:
        return sum(v for _, v in self.parts)


@dataclass(frozen=True)
class Candidate:
    """A product as shown to the user, with its position and the ranker's explanation."""

    product: Product
    score: float
    breakdown: ScoreBreakdown
    position: int = 0
    propensity: float = 1.0  # probability the policy gave this item at this position


@dataclass(frozen=True)
class StageTiming:
    stage: str  # parse, retrieve, rank, write, ...
    ms: float


@dataclass(frozen=True)
class Turn:
    session_id: str
    user_id: str
    text: str  # the user's words (already redacted where stored)
    reply: str
    action: Action
    parse: Parse
    products: tuple[Candidate, ...] = ()
    timings: tuple[StageTiming, ...] = ()
    guard_passed: bool = True
    fallback: bool = False  # the reply is the deterministic template
    error: str | None = None
    data: tuple[tuple[str, str], ...] = ()  # extra facts shown (order id, return id, ticket id, table)
    facts: ReplyFacts | None = None  # what the reply writer was given (replay checks faithfulness against it)


@dataclass(frozen=True)
class OrderFact:
    """An order as the reply writer may state it (only the signed-in user's own orders)."""

    order_id: str
    status: str  # placed, processing, shipped, out_for_delivery, delivered, cancelled, returned, ...
    placed_at: str
    total: float
    currency: str = "USD"
    items: tuple[str, ...] = ()  # "2 x TrailRunner 3"
    carrier: str | None = None
    tracking: str | None = None
    eta: str | None = None


@dataclass(frozen=True)
class ReplyFacts:
    """Everything the reply writer may state. The guard checks replies against exactly this."""

    intent: str
    action: Action
    user_text: str
    products: tuple[Product, ...] = ()
    orders: tuple[OrderFact, ...] = ()
    policies: tuple[str, ...] = ()  # retrieved policy passages
    notes: tuple[str, ...] = ()  # true statements of what was done/found ("Return R-1042 was started for order 10023.")
    question: str | None = None  # the attribute asked about, for product questions
    answer: str | None = None  # the attribute's value from the product's own data, when known
    verbatim: bool = False  # computed answers (questions about the shown list): the notes are the reply, as written


@dataclass(frozen=True)
class ForgetReport:
    """What a privacy deletion removed (``assistant.privacy.forget_user``, ``Assistant.forget``)."""

    user_id: str
    interactions: int = 0
    events: int = 0
    tickets: int = 0
    labels: int = 0
    widget_sessions: int = 0
    cached_sessions: int = 0  # dropped from a running server's memory (Assistant.forget / POST /v1/admin/forget)
