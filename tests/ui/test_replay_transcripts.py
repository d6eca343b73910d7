"""The shipped transcripts (tests/transcripts/*.jsonl): valid, >= 40 conversations, every intent covered,
only demo-store users / orders (or explicit new visitors), and the flows the issue asks for."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.orders.seed import DEMO_CUSTOMERS, DEMO_ORDERS
from assistant.records import INTENTS
from ui.replay.transcripts import load_transcripts

TRANSCRIPTS = sorted((Path(__file__).resolve().parents[1] / "transcripts").glob("*.jsonl"))


def _load():
    loaded = load_transcripts(TRANSCRIPTS)
    assert loaded.problems == (), [str(p) for p in loaded.problems]
    return loaded.conversations


def test_enough_valid_conversations_covering_every_intent():
    convs = _load()
    assert len(convs) >= 40
    expected_intents = {t.expect.intent for c in convs for t in c.turns if t.expect.intent}
    assert set(INTENTS) <= expected_intents, set(INTENTS) - expected_intents


def test_users_and_orders_come_from_the_demo_store():
    users = {u for u, _, _ in DEMO_CUSTOMERS}
    orders = {o.order_id: o.user_id for o in DEMO_ORDERS}
    convs = _load()
    for c in convs:
        assert c.user_id in users or c.user_id.startswith("visitor-"), c.id  # visitors: unknown = new visitor
    mentioned = {m for c in convs for t in c.turns for m in re.findall(r"\b1\d{4}\b", t.user)}
    assert mentioned <= set(orders), mentioned - set(orders)
    cross_user = [c.id for c in convs for t in c.turns
                  for m in re.findall(r"\b1\d{4}\b", t.user) if orders[m] != c.user_id]
    assert len(cross_user) >= 4  # other customers' orders must be refused


def test_flows_the_issue_asks_for_are_there():
    texts = [t.user.lower() for c in _load() for t in c.turns]
    for needle in ("cheaper", "show more", "in black", "the 2nd one", "ignore all previous instructions",
                   "<script>", "talk to a real person"):
        assert any(needle in t for t in texts), needle
    assert any(len(t) > 2000 for t in texts) and any(t.strip() == "" for t in texts)
    assert any(not re.search(r"[a-z0-9]", t) and t.strip() for t in texts)  # emoji only
