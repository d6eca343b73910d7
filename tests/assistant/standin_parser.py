"""A deterministic keyword parser with the NluParser interface, so conversation tests check the dialogue
logic, not the model's accuracy (the slow tier runs the same flows with the real NLU model)."""

from __future__ import annotations

import re

from assistant.records import Entity, Parse
from retrieval.catalog.vocab import COLORS, TYPE_TO_CATEGORY, all_brands

_INTENTS = (
    ("human_agent", r"\b(human|agent|real person)\b"),
    ("complaint", r"\b(terrible|awful|angry|unacceptable|complain)\b"),
    ("cancel_order", r"\bcancel\b"),
    ("return_item", r"\breturn\b"),
    ("refund_status", r"\brefund\b"),
    ("order_status", r"\b(where is|status|track)\b.*\border\b|\border\b.*\b(status|where)\b"),
    ("shipping_info", r"\b(shipping|deliver(y)?|ship)\b"),
    ("payment_issue", r"\b(payment|pay|card|charged)\b"),
    ("account_help", r"\b(password|account|sign in|log in)\b"),
    ("compare", r"\bcompare\b|\bdifference\b"),
    ("add_to_cart", r"\b(add|put)\b.*\b(cart|basket)\b|\bbuy\b"),
    ("recommend", r"\brecommend|suggest|for me\b"),
    ("product_question", r"^\s*(is|does|what|which|how)\b|\?\s*$"),
    ("greeting", r"^\s*(hi|hello|hey)\b"),
    ("thanks", r"\bthank"),
    ("goodbye", r"\bbye\b"),
    ("refine_results", r"\b(cheaper|more|different|else|in \w+)\b"),
    ("search_products", r"\b(show|find|looking|want|need|search)\b"),
)
_TYPES = sorted(TYPE_TO_CATEGORY, key=len, reverse=True)
_BRANDS = sorted({b.lower() for b in all_brands()} | {"sony", "nike"}, key=len, reverse=True)
_QTY = {"one": "1", "two": "2", "three": "3", "four": "4"}


def _find(words: list[str], low: str, etype: str, out: list[Entity]) -> None:
    taken = [(e.start, e.end) for e in out]
    for w in words:
        for m in re.finditer(r"\b" + re.escape(w) + r"s?\b", low):
            if any(s <= m.start() < e for s, e in taken):
                continue
            out.append(Entity(etype, m.group(0), w, m.start(), m.end()))
            taken.append((m.start(), m.end()))


class StandinParser:
    def parse(self, text: str) -> Parse:
        low = text.lower()
        ents: list[Entity] = []
        _find(_TYPES, low, "PRODUCT_TYPE", ents)
        _find(_BRANDS, low, "BRAND", ents)
        _find(COLORS, low, "COLOR", ents)
        for m in re.finditer(r"\b(under|below|less than)\s+\$?(\d+)", low):
            ents.append(Entity("PRICE_MAX", m.group(0), m.group(2), m.start(), m.end()))
        for m in re.finditer(r"\b(over|above|more than)\s+\$?(\d+)", low):
            ents.append(Entity("PRICE_MIN", m.group(0), m.group(2), m.start(), m.end()))
        for m in re.finditer(r"\b(\d{5})\b", low):
            ents.append(Entity("ORDER_ID", m.group(0), m.group(1), m.start(), m.end()))
        m = re.search(r"\badd (\d|one|two|three|four)\b", low)
        if m:
            ents.append(Entity("QUANTITY", m.group(1), _QTY.get(m.group(1), m.group(1)), m.start(1), m.end(1)))
        intent = next((name for name, pat in _INTENTS if re.search(pat, low)), None)
        if intent is None:
            intent = "search_products" if any(e.type == "PRODUCT_TYPE" for e in ents) else "out_of_scope"
        conf = 0.3 if intent == "out_of_scope" and low.strip() else 0.95
        return Parse(text, intent, conf, tuple(ents), low_confidence=conf < 0.5,
                     intent_scores=((intent, conf), ("search_products", 0.05)))

    def parse_batch(self, texts):
        return [self.parse(t) for t in texts]
