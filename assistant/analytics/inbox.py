"""The misunderstood-turn inbox: turns worth a human look, and the reviewers' corrected labels.

A turn is collected when its parse confidence was below the threshold, the bot asked a clarification, the
turn failed the reply guard, it led to a handoff, or the user disliked a product it showed (interaction
store, credited to the latest turn that showed the item). Reviewer labels live in ``inbox_labels`` (SQLAlchemy
Core on the shared METADATA): turn ref, the (already redacted) text, the corrected intent and the corrected
entities as a JSON list of ``[TYPE, surface]``. ``export_reviewed`` writes them as NLU training rows
(``{"text", "intent", "entities": [[TYPE, surface], ...]}`` JSONL) for ``shopbot train nlu --with-reviewed``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Column, String, Table, Text, delete, select
from sqlalchemy.engine import Engine

from assistant.analytics.source import (
    AnalyticsError,
    Conversation,
    LoggedInteraction,
    belongs_to,
    load_conversations,
    load_interactions,
)
from assistant.db import METADATA, create_tables
from assistant.records import ENTITY_TYPES, INTENTS
from retrieval.atomic import write_text_atomic

labels_table = Table(
    "inbox_labels", METADATA,
    Column("turn_ref", String(96), primary_key=True),
    Column("session_id", String(64), nullable=False, index=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("predicted_intent", String(48), nullable=False, default=""),
    Column("intent", String(48), nullable=False),
    Column("entities", Text, nullable=False),  # JSON [[TYPE, surface], ...]
    Column("reviewer", String(64), nullable=False, default=""),
    Column("labeled_at", String(32), nullable=False),
)

REASONS = ("low_confidence", "clarification", "guard_failure", "handoff", "dislike")


@dataclass(frozen=True)
class InboxItem:
    ref: str
    session_id: str
    user_id: str
    ts: datetime
    text: str
    intent: str  # what the parser said
    confidence: float
    reply: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ReviewedLabel:
    ref: str
    text: str
    intent: str
    entities: tuple[tuple[str, str], ...]
    predicted_intent: str = ""
    reviewer: str = ""


def _disliked_refs(conv: Conversation, interactions: list[LoggedInteraction]) -> set[str]:
    refs = set()
    for i in interactions:
        if i.kind != "dislike" or not belongs_to(i, conv):
            continue
        showing = [t for t in conv.turns if any(s.item_id == i.item_id for s in t.shown)]
        before = [t for t in showing if t.ts <= i.ts]
        if showing:
            refs.add((before[-1] if before else showing[-1]).ref)
    return refs


def collect(convs: list[Conversation], interactions: list[LoggedInteraction], *,
            confidence_threshold: float = 0.5) -> list[InboxItem]:
    """Every turn with at least one inbox reason, oldest first."""
    items = []
    for conv in convs:
        disliked = _disliked_refs(conv, interactions)
        for t in conv.turns:
            m = t.measured
            flags = {"low_confidence": t.confidence < confidence_threshold or bool(m and m.low_confidence),
                     "clarification": t.action == "clarify", "guard_failure": bool(m and not m.guard_passed),
                     "handoff": t.handoff, "dislike": t.ref in disliked}
            reasons = tuple(r for r in REASONS if flags[r])
            if reasons:
                items.append(InboxItem(t.ref, t.session_id, t.user_id, t.ts, t.text, t.intent, t.confidence, t.reply,
                                       reasons))
    return sorted(items, key=lambda x: (x.ts, x.ref))


def labeled_refs(engine: Engine) -> set[str]:
    create_tables(engine)
    with engine.connect() as conn:
        return set(conn.execute(select(labels_table.c.turn_ref)).scalars())


def pending(engine: Engine, *, since: datetime | None = None, confidence_threshold: float = 0.5,
            limit: int | None = None, interactions: list[LoggedInteraction] | None = None) -> list[InboxItem]:
    """Collected turns that no reviewer has labelled yet (``interactions``: default, read the store)."""
    done = labeled_refs(engine)
    if interactions is None:
        interactions = load_interactions(engine, since)
    items = [i for i in collect(load_conversations(engine, since), interactions,
                                confidence_threshold=confidence_threshold) if i.ref not in done]
    return items[:limit] if limit is not None else items


def find_item(engine: Engine, ref: str, *, confidence_threshold: float = 0.5) -> InboxItem:
    """The inbox item of a turn reference (labelled or not); a clear error when it is not in the inbox."""
    convs = load_conversations(engine, session_id=ref.rsplit(":", 1)[0])
    for item in collect(convs, load_interactions(engine), confidence_threshold=confidence_threshold):
        if item.ref == ref:
            return item
    raise AnalyticsError(f"turn {ref!r} is not in the inbox (list it with: shopbot analytics --inbox 20)")


def _validate(text: str, intent: str, entities) -> tuple[tuple[str, str], ...]:
    if intent not in INTENTS:
        raise AnalyticsError(f"unknown intent {intent!r}; expected one of {', '.join(INTENTS)}")
    out = []
    for ent in entities:
        if not isinstance(ent, (list, tuple)) or len(ent) != 2:
            raise AnalyticsError(f"an entity must be a [TYPE, surface] pair, got {ent!r}")
        etype, surface = str(ent[0]).upper(), str(ent[1])
        if etype not in ENTITY_TYPES:
            raise AnalyticsError(f"unknown entity type {etype!r}; expected one of {', '.join(ENTITY_TYPES)}")
        if not surface.strip() or surface not in text:
            raise AnalyticsError(f"entity surface {surface!r} does not occur in the text {text!r}")
        out.append((etype, surface))
    label_spans(ReviewedLabel("new", text, intent, tuple(out)))  # surfaces must not overlap
    return tuple(out)


def save_label(engine: Engine, item: InboxItem, intent: str, entities=(), *, reviewer: str = "") -> ReviewedLabel:
    """Store (or replace) the reviewer's label of ``item``; one transaction."""
    ents = _validate(item.text, intent, entities)
    row = {"turn_ref": item.ref, "session_id": item.session_id, "user_id": item.user_id, "text": item.text,
           "predicted_intent": item.intent, "intent": intent, "entities": json.dumps([list(e) for e in ents]),
           "reviewer": reviewer, "labeled_at": datetime.now(timezone.utc).isoformat()}
    create_tables(engine)
    with engine.begin() as conn:
        conn.execute(delete(labels_table).where(labels_table.c.turn_ref == item.ref))
        conn.execute(labels_table.insert(), [row])
    return ReviewedLabel(item.ref, item.text, intent, ents, item.intent, reviewer)


def reviewed(engine: Engine) -> list[ReviewedLabel]:
    create_tables(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(labels_table).order_by(labels_table.c.labeled_at, labels_table.c.turn_ref)).all()
    return [ReviewedLabel(r.turn_ref, r.text, r.intent, tuple((str(t), str(s)) for t, s in json.loads(r.entities)),
                          r.predicted_intent, r.reviewer) for r in rows]


def label_spans(label: ReviewedLabel) -> tuple[tuple[int, int, str], ...]:
    """Character spans ``(start, end, TYPE)`` of the label's entities: each surface's first occurrence at or
    after the previous entity's end (so repeated surfaces map to successive occurrences), sorted."""
    spans, cursor = [], 0
    for etype, surface in label.entities:
        start = label.text.find(surface, cursor)
        if start < 0:
            start = label.text.find(surface)
        if start < 0 or any(s < start + len(surface) and start < e for s, e, _ in spans):
            raise AnalyticsError(f"entity {surface!r} of {label.ref} has no free occurrence in its text")
        spans.append((start, start + len(surface), etype))
        cursor = start + len(surface)
    return tuple(sorted(spans))


def training_row(label: ReviewedLabel) -> dict:
    """The NLU training row of a label (the JSONL schema of the NLU training data)."""
    return {"text": label.text, "intent": label.intent, "entities": [[t, s] for t, s in label.entities]}


def export_reviewed(engine: Engine, path: Path) -> int:
    """Write every reviewed label as NLU training JSONL (atomically); returns the row count."""
    labels = reviewed(engine)
    write_text_atomic(Path(path), "".join(json.dumps(training_row(lb), ensure_ascii=False) + "\n" for lb in labels))
    return len(labels)


def forget_user(engine: Engine, user_id: str) -> int:
    """Delete a user's reviewed labels (for ``shopbot forget``)."""
    create_tables(engine)
    with engine.begin() as conn:
        return conn.execute(delete(labels_table).where(labels_table.c.user_id == user_id)).rowcount
