"""A small deterministic AssistantAPI stand-in for pure HTTP-edge tests (auth, CORS, limits) and development.

The real Assistant is used wherever it exists (see ``real_assistant`` in conftest)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator

from assistant.protocol import CartLine, DemoUser
from assistant.records import Action, Candidate, Entity, Parse, ScoreBreakdown, StageTiming, Turn
from retrieval.product import Product

PRODUCTS = tuple(
    Product(id=f"P{i:03d}", title=f"{brand} {kind} {i}", description=f"A {kind}.", category="footwear",
            product_type=kind, brand=brand, price=40.0 + 7 * i, colors=("black", "blue"), features=("waterproof",),
            rating=3.5 + (i % 3) / 2, review_count=10 * i, in_stock=i % 4 != 3)
    for i, (brand, kind) in enumerate(itertools.product(("Stride", "Peak"), ("running shoes", "hiking boots", "sandals")))
)
ORDERS = {"u1": ("10001", "10002"), "u2": ("20001",)}


class StandInAssistant:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self.liked: dict[str, list[str]] = {}
        self.carts: dict[str, list[CartLine]] = {}
        self.feedback_log: list[tuple[str, str, str, str]] = []

    def forget_cached(self, session_id: str) -> None:
        """Nothing cached: every call reads the shared dicts."""

    def new_session(self, user_id: str) -> str:
        with self._lock:
            return f"s{next(self._counter):05d}"

    def _rank(self, user_id: str) -> tuple[Candidate, ...]:
        liked = self.liked.get(user_id, [])
        order = sorted(PRODUCTS, key=lambda p: (p.id not in liked, p.id))[:4]
        return tuple(
            Candidate(product=p, score=1.0 - i / 10, position=i, breakdown=ScoreBreakdown(
                parts=(("relevance", 0.8 - i / 10), ("affinity", 0.2 if p.id in liked else 0.0)),
                reasons=("similar to items you liked",) if p.id in liked else ("matches your search",)))
            for i, p in enumerate(order))

    def handle(self, session_id: str, user_id: str, text: str, *, generate: bool | None = None) -> Turn:
        if "order" in text.lower():
            if user_id.startswith("anonymous:"):
                reply, data = "Please sign in to see your orders.", ()
            else:
                ids = ORDERS.get(user_id, ())
                reply, data = f"Your orders: {', '.join(ids) or 'none'}.", tuple(("order_id", i) for i in ids)
            return Turn(session_id, user_id, text, reply, Action.ORDER_LOOKUP, Parse(text, "order_status", 0.9), data=data)
        products = self._rank(user_id)
        reply = f"Here are {len(products)} options for: {text}"
        parse = Parse(text, "search_products", 0.93, (Entity("PRODUCT_TYPE", "shoes", "shoes", 0, 5),))
        return Turn(session_id, user_id, text, reply, Action.SEARCH, parse, products=products,
                    timings=(StageTiming("parse", 1.0), StageTiming("retrieve", 2.0), StageTiming("rank", 0.5)))

    def stream(self, session_id: str, user_id: str, text: str) -> Iterator[str | Turn]:
        turn = self.handle(session_id, user_id, text)
        for word in turn.reply.split(" "):
            yield word + " "
        yield turn

    def feedback(self, session_id: str, user_id: str, product_id: str, kind: str) -> None:
        self.feedback_log.append((session_id, user_id, product_id, kind))
        if kind == "like":
            self.liked.setdefault(user_id, []).append(product_id)
        if kind == "add_to_cart":
            p = next(p for p in PRODUCTS if p.id == product_id)
            self.carts.setdefault(session_id, []).append(CartLine(p.id, p.title, p.price, 1))

    def cart(self, session_id: str) -> list[CartLine]:
        return list(self.carts.get(session_id, []))

    def demo_users(self) -> list[DemoUser]:
        return [DemoUser("u1", "Ada", "likes running gear; 2 orders"), DemoUser("u2", "Ben", "hikes; 1 order")]
