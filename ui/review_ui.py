"""The Gradio "Review" tab: a reviewer labels misunderstood turns (the analytics inbox) with the right intent
and entities; `shopbot train nlu --with-reviewed` folds the labels into training."""

from __future__ import annotations

import gradio as gr
from sqlalchemy.engine import Engine

from assistant.analytics import inbox
from assistant.analytics.source import AnalyticsError
from assistant.records import INTENTS


def parse_entities(text: str) -> list[list[str]]:
    """``"PRODUCT_TYPE=running shoes; COLOR=black"`` -> ``[["PRODUCT_TYPE", "running shoes"], ["COLOR", "black"]]``."""
    out = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        etype, sep, surface = part.partition("=")
        if not sep or not surface.strip():
            raise AnalyticsError(f"bad entity {part.strip()!r}: use TYPE=surface, e.g. COLOR=black")
        out.append([etype.strip().upper(), surface.strip()])
    return out


class ReviewDesk:
    """Callbacks of the Review tab over the inbox store (testable without a browser)."""

    def __init__(self, engine: Engine, confidence_threshold: float = 0.5):
        self.engine, self.threshold = engine, confidence_threshold

    def choices(self) -> list[tuple[str, str]]:
        items = inbox.pending(self.engine, confidence_threshold=self.threshold, limit=200)
        return [(f"{i.text[:60]}  [{i.intent} {i.confidence:.2f}; {', '.join(i.reasons)}]", i.ref) for i in items]

    def show(self, ref: str | None) -> tuple[str, str]:
        """(what the bot understood, a pre-selected intent) for the chosen turn."""
        if not ref:
            return "Pick a turn to review.", INTENTS[0]
        item = inbox.find_item(self.engine, ref, confidence_threshold=self.threshold)
        return (f"**User:** {item.text}\n\n**Parsed as:** {item.intent} ({item.confidence:.2f})\n\n"
                f"**Bot:** {item.reply}\n\n**Why here:** {', '.join(item.reasons)}"), item.intent

    def save(self, ref: str | None, intent: str, entities: str, reviewer: str):
        """Store the label; returns (status line, refreshed turn list)."""
        try:
            if not ref:
                raise AnalyticsError("pick a turn to review first")
            item = inbox.find_item(self.engine, ref, confidence_threshold=self.threshold)
            label = inbox.save_label(self.engine, item, intent, parse_entities(entities), reviewer=reviewer)
            status = f"Saved: {label.intent} {[list(e) for e in label.entities]}"
        except AnalyticsError as exc:
            status = f"Not saved: {exc}"
        return status, gr.update(choices=self.choices(), value=None)


def review_tab(desk: ReviewDesk) -> None:
    turns = gr.Dropdown(desk.choices(), label="Misunderstood turns (not yet labelled)", elem_id="sb-review-turns")
    refresh = gr.Button("Refresh list", elem_id="sb-review-refresh")
    shown = gr.Markdown("Pick a turn to review.", elem_id="sb-review-turn")
    intent = gr.Dropdown(list(INTENTS), value=INTENTS[0], label="Right intent", elem_id="sb-review-intent")
    entities = gr.Textbox(label="Right entities (TYPE=surface; ...)", placeholder="PRODUCT_TYPE=running shoes; COLOR=black",
                          elem_id="sb-review-entities")
    reviewer = gr.Textbox(label="Reviewer", elem_id="sb-review-reviewer")
    save = gr.Button("Save label", variant="primary", elem_id="sb-review-save")
    status = gr.Markdown("", elem_id="sb-review-status")
    refresh.click(lambda: gr.update(choices=desk.choices(), value=None), [], [turns])
    turns.change(desk.show, [turns], [shown, intent])
    save.click(desk.save, [turns, intent, entities, reviewer], [status, turns], concurrency_limit=1)
