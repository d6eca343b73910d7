"""A tiny deterministic AssistantAPI stand-in for the replay tests (rules, no models), so report numbers
can be computed by hand. Built through the replay factory hook: ``tests.ui.replay_standin:build``."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from pathlib import Path

from assistant.records import Action, Candidate, Entity, Parse, ReplyFacts, ScoreBreakdown, StageTiming, Turn
from retrieval.product import Product

PRODUCTS = (
    Product("P1", "Swift Runner", "light road shoe", "footwear", "running shoes", "Acme", 80.0, colors=("black",)),
    Product("P2", "Cloud Jogger", "soft shoe", "footwear", "running shoes", "Zoom", 150.0, colors=("white",)),
    Product("P3", "Trail Beast", "grippy trail shoe", "footwear", "running shoes", "Acme", 110.0, colors=("black",),
            in_stock=False),
    Product("P4", "Quiet Mug", "a mug", "kitchen", "mugs", "Homey", 12.0, colors=("blue",)),
)


def write_catalog(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(p.to_dict()) + "\n" for p in PRODUCTS), encoding="utf-8")


class StandInAssistant:
    """Keeps per-user cart counts in the SQLite database of ``settings`` (state that outlives a session,
    so the replay's fresh-state restore is what keeps conversations apart)."""

    def __init__(self, db_path: Path, generate: bool) -> None:
        self.generate = generate
        self._ids = itertools.count(1)
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(db_path, check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS cart (user_id TEXT PRIMARY KEY, n INTEGER)")
        self.db.commit()

    def _add_to_cart(self, user_id: str) -> int:
        self.db.execute("INSERT INTO cart VALUES (?, 1) ON CONFLICT(user_id) DO UPDATE SET n = n + 1", (user_id,))
        self.db.commit()
        return self.db.execute("SELECT n FROM cart WHERE user_id = ?", (user_id,)).fetchone()[0]

    def new_session(self, user_id: str) -> str:
        return f"s{next(self._ids)}"

    def _turn(self, sid, uid, text, intent, action, reply, ents=(), products=(), **kw) -> Turn:
        parse = Parse(text=text, intent=intent, confidence=0.9, entities=tuple(ents))
        cands = tuple(Candidate(p, 1.0, ScoreBreakdown((("relevance", 1.0),)), position=i) for i, p in enumerate(products))
        return Turn(sid, uid, text, reply, action, parse, cands,
                    timings=(StageTiming("parse", 1.0), StageTiming("retrieve", 2.0)), **kw)

    def handle(self, session_id: str, user_id: str, text: str, *, generate: bool | None = None) -> Turn:
        low = text.lower()
        if low.startswith(("hi", "hello")):
            return self._turn(session_id, user_id, text, "greeting", Action.SMALLTALK, "Hello! What are you shopping for?")
        if "boom" in low:
            raise RuntimeError("stand-in failure")
        if "cart" in low:
            n = self._add_to_cart(user_id)
            return self._turn(session_id, user_id, text, "add_to_cart", Action.CART_ADD,
                              f"Added. Your cart has {n} item(s).")
        m = re.search(r"order\s*#?(\d+)", low)
        if m:
            e = Entity("ORDER_ID", m.group(1), m.group(1), m.start(1), m.end(1))
            return self._turn(session_id, user_id, text, "order_status", Action.ORDER_LOOKUP,
                              f"Order {m.group(1)} is on its way.", [e], data=(("order_id", m.group(1)),))
        if "shoes" in low:
            return self._search(session_id, user_id, text, low)
        if "shipping" in low:
            note = "Standard shipping is free on orders over $50."
            facts = ReplyFacts("shipping_info", Action.POLICY_ANSWER, text, notes=(note,))
            return self._turn(session_id, user_id, text, "shipping_info", Action.POLICY_ANSWER,
                              "Shipping is free over $50; the Swift Runner you saw costs $80.00.", facts=facts)
        if "lie" in low:
            return self._turn(session_id, user_id, text, "out_of_scope", Action.REFUSE,
                              "The Quiet Mug is only $999 today.", guard_passed=False)
        return self._turn(session_id, user_id, text, "out_of_scope", Action.CLARIFY, "Sorry, could you rephrase?",
                          fallback=True)

    def _search(self, sid, uid, text, low) -> Turn:
        ents = []
        i = low.find("running shoes") if "running shoes" in low else low.find("shoes")
        ptype = "running shoes" if "running shoes" in low else "shoes"
        ents.append(Entity("PRODUCT_TYPE", ptype, ptype, i, i + len(ptype)))
        limit = None
        m = re.search(r"under \$?(\d+)", low)
        if m:
            limit = float(m.group(1))
            ents.append(Entity("PRICE_MAX", m.group(1), m.group(0), m.start(), m.end()))
        shown = [p for p in PRODUCTS if p.category == "footwear" and (limit is None or p.price <= limit)]
        reply = "Here are some options: " + ", ".join(f"{p.title} (${p.price:.2f})" for p in shown) + "."
        return self._turn(sid, uid, text, "search_products", Action.SEARCH, reply, ents, shown)


def build(settings, generate: bool = True) -> StandInAssistant:
    if not settings.catalog_path.exists():
        write_catalog(settings.catalog_path)
    return StandInAssistant(Path(settings.db_url.removeprefix("sqlite:///")), generate)
