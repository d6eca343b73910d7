"""The Gradio "Review" tab: a reviewer labels misunderstood turns (the analytics inbox) with the right intent
and entities; `shopbot train nlu --with-reviewed` folds the labels into training.

The tab lives in the admin app (behind the admin login, see ui.app). Turn text is user-written: it is shown as
escaped HTML text (no Markdown, no HTML, so no remote image ever loads in the reviewer's browser)."""

from __future__ import annotations

from html import escape

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
        """(what the bot understood, as escaped HTML; a pre-selected intent) for the chosen turn."""
        if not ref:
            return _text_html(("", "Pick a turn to review."),), INTENTS[0]
        try:
            item = inbox.find_item(self.engine, ref, confidence_threshold=self.threshold)
        except AnalyticsError as exc:
            return _text_html(("", str(exc)),), INTENTS[0]
        rows = (("User", item.text), ("Parsed as", f"{item.intent} ({item.confidence:.2f})"), ("Bot", item.reply),
                ("Why here", ", ".join(item.reasons)))
        return _text_html(*rows), item.intent

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


def _text_html(*rows: tuple[str, str]) -> str:
    """Label/value rows as HTML in which every value is escaped text (white space kept)."""
    return "".join(f'<p style="white-space:pre-wrap">{f"<b>{escape(label)}:</b> " if label else ""}'
                   f'<span class="sb-review-value">{escape(value or "")}</span></p>' for label, value in rows)


def review_tab(desk: ReviewDesk) -> None:
    turns = gr.Dropdown(desk.choices(), label="Misunderstood turns (not yet labelled)", elem_id="sb-review-turns")
    refresh = gr.Button("Refresh list", elem_id="sb-review-refresh")
    shown = gr.HTML(_text_html(("", "Pick a turn to review.")), elem_id="sb-review-turn")
    intent = gr.Dropdown(list(INTENTS), value=INTENTS[0], label="Right intent", elem_id="sb-review-intent")
    entities = gr.Textbox(label="Right entities (TYPE=surface; ...)", placeholder="PRODUCT_TYPE=running shoes; COLOR=black",
                          elem_id="sb-review-entities")
    reviewer = gr.Textbox(label="Reviewer", elem_id="sb-review-reviewer")
    save = gr.Button("Save label", variant="primary", elem_id="sb-review-save")
    status = gr.Markdown("", elem_id="sb-review-status")
    refresh.click(lambda: gr.update(choices=desk.choices(), value=None), [], [turns])
    turns.change(desk.show, [turns], [shown, intent])
    save.click(desk.save, [turns, intent, entities, reviewer], [status, turns], concurrency_limit=1)
