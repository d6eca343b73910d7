"""Per-turn replay records (what one replayed turn produced, plus its expectation verdicts).

Records are frozen dataclasses in memory and one JSON object per conversation in the ``turns.jsonl``
checkpoint; ``to_dict``/``from_dict`` round-trip exactly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from assistant.records import Turn

VERDICT_KINDS = ("intent", "entities", "products", "action", "reply")


@dataclass(frozen=True)
class ShownProduct:
    id: str
    title: str
    price: float | None  # None: price not listed
    brand: str
    category: str
    product_type: str
    colors: tuple[str, ...]
    in_stock: bool


@dataclass(frozen=True)
class Verdict:
    kind: str  # one of VERDICT_KINDS
    check: str  # "intent", "entity PRICE_MAX", "products.max_price", "reply_contains 'x'", ...
    expected: str
    actual: str
    passed: bool


@dataclass(frozen=True)
class TurnRecord:
    key: str  # conversation key (file::id::content-hash)
    file: str
    conversation_id: str
    user_id: str
    session_id: str
    turn_index: int
    user_text: str
    reply: str = ""
    action: str = ""
    intent: str = ""
    confidence: float = 0.0
    entities: tuple[tuple[str, str, str], ...] = ()  # (type, value, surface text)
    products: tuple[ShownProduct, ...] = ()
    timings: tuple[tuple[str, float], ...] = ()  # (stage, ms) as reported by the assistant
    wall_ms: float = 0.0  # measured by the runner around handle()
    guard_passed: bool = True
    fallback: bool = False
    error: str | None = None
    data: tuple[tuple[str, str], ...] = ()
    unfaithful: tuple[str, ...] = ()  # prices/products in the reply that are not in the shown facts
    facts_checked: bool = False  # the Turn carried the writer's ReplyFacts (full faithfulness check)
    verdicts: tuple[Verdict, ...] = ()
    expected_intent: str | None = None
    expected_entities: tuple[tuple[str, tuple[str, ...]], ...] | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TurnRecord":
        d = dict(d)
        d["entities"] = tuple(tuple(e) for e in d.get("entities", ()))
        d["products"] = tuple(ShownProduct(**{**p, "colors": tuple(p["colors"])}) for p in d.get("products", ()))
        d["timings"] = tuple((s, float(ms)) for s, ms in d.get("timings", ()))
        d["data"] = tuple(tuple(x) for x in d.get("data", ()))
        d["unfaithful"] = tuple(d.get("unfaithful", ()))
        d["verdicts"] = tuple(Verdict(**v) for v in d.get("verdicts", ()))
        ee = d.get("expected_entities")
        d["expected_entities"] = None if ee is None else tuple((t, tuple(v)) for t, v in ee)
        return cls(**d)


def shown_products_of(products) -> tuple[ShownProduct, ...]:
    return tuple(
        ShownProduct(id=p.id, title=p.title, price=None if p.price is None else float(p.price), brand=p.brand,
                     category=p.category, product_type=p.product_type, colors=tuple(p.colors), in_stock=bool(p.in_stock))
        for p in products
    )


def shown_products(turn: Turn) -> tuple[ShownProduct, ...]:
    return shown_products_of(c.product for c in turn.products)


def action_name(action: object) -> str:
    return str(getattr(action, "value", action))
