"""One call for front ends (the Gradio Analytics tab): the analytics HTML of the last ``since`` window."""

from __future__ import annotations

import html
from datetime import datetime, timezone

from assistant.analytics.report_html import render_summary_html
from assistant.analytics.source import AnalyticsError, parse_window
from assistant.analytics.summary import compute_summary
from sqlalchemy.engine import Engine


def analytics_page(engine: Engine, settings, since: str = "7d") -> str:
    """HTML fragment (inline CSS and plots) for ``gr.HTML``; a short message instead of a traceback on bad input."""
    try:
        window = parse_window(since)
    except AnalyticsError as exc:
        return f"<p>{html.escape(str(exc))}</p>"
    summary = compute_summary(engine, until=datetime.now(timezone.utc), window=window,
                              confidence_threshold=settings.nlu_confidence_threshold)
    return render_summary_html(summary)
