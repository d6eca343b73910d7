"""A self-contained HTML analytics page: inline CSS, matplotlib plots inline as base64 PNG
(``assistant.report``: the Jinja2 + figures helper shared with the replay report).

``render_summary_html(summary)`` returns an HTML fragment (a ``<div>`` with its own ``<style>``) that the
Gradio Analytics tab can show with ``gr.HTML``; ``write_report`` wraps it in a full page and writes it atomically.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from assistant.analytics.rows import latency_rows, summary_rows
from assistant.analytics.summary import AnalyticsSummary
from assistant.report import figure_img, page, table
from retrieval.atomic import write_text_atomic

STYLE = """<style>
.sb-analytics{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2937;max-width:980px}
.sb-analytics h2{font-size:1.3em;margin:.6em 0 .3em}.sb-analytics h3{font-size:1.05em;margin:1em 0 .3em}
.sb-analytics table{border-collapse:collapse;margin:.4em 0 1em;font-size:.92em}
.sb-analytics td,.sb-analytics th{border:1px solid #d1d5db;padding:4px 10px;text-align:left}
.sb-analytics th{background:#f3f4f6}.sb-analytics img{max-width:100%;height:auto;border:1px solid #e5e7eb}
.sb-analytics .sb-empty{color:#6b7280;font-style:italic}
</style>"""


def _intents_plot(s: AnalyticsSummary) -> str:
    if not s.intents_by_day:
        return '<p class="sb-empty">No turns in this window.</p>'
    days = [d for d, _ in s.intents_by_day]
    xs = list(range(len(days)))  # positions, not date strings (matplotlib would guess units)
    intents = [k for k, _ in s.intent_totals[:8]]
    fig, ax = plt.subplots(figsize=(8, 3.2))
    bottom = [0] * len(days)
    for intent in intents:
        vals = [dict(counts).get(intent, 0) for _, counts in s.intents_by_day]
        ax.bar(xs, vals, bottom=bottom, label=intent)
        bottom = [b + v for b, v in zip(bottom, vals)]
    other = [sum(c for k, c in counts if k not in intents) for _, counts in s.intents_by_day]
    if any(other):
        ax.bar(xs, other, bottom=bottom, label="other", color="#9ca3af")
    ax.set_xticks(xs, days)
    ax.set_ylabel("turns")
    ax.set_title("Intents per day")
    ax.legend(fontsize=7, ncol=3)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    return figure_img(fig)


def _funnel_plot(s: AnalyticsSummary) -> str:
    if not s.shown:
        return '<p class="sb-empty">No products shown in this window.</p>'
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 2.8))
    a1.bar(["shown", "clicked", "added"], [s.shown, s.clicked, s.added], color=["#60a5fa", "#34d399", "#fbbf24"])
    a1.set_title("Recommendations")
    a2.bar(["exploit", "explore"], [100 * (s.exploit_ctr or 0.0), 100 * (s.explore_ctr or 0.0)], color=["#6366f1", "#f472b6"])
    a2.set_ylim(0, max(5.0, 110 * max(s.exploit_ctr or 0.0, s.explore_ctr or 0.0)))
    a2.set_ylabel("CTR %")
    a2.set_title("Click-through by pick type")
    return figure_img(fig)


def _latency_plot(s: AnalyticsSummary) -> str:
    if not s.latency:
        return '<p class="sb-empty">No stage timings logged in this window.</p>'
    stages = [x.stage for x in s.latency]
    fig, ax = plt.subplots(figsize=(8, 2.8))
    xs = range(len(stages))
    ax.bar([x - 0.2 for x in xs], [x.p50_ms for x in s.latency], width=0.4, label="p50")
    ax.bar([x + 0.2 for x in xs], [x.p95_ms for x in s.latency], width=0.4, label="p95")
    ax.set_xticks(list(xs), stages)
    ax.set_ylabel("ms")
    ax.set_title("Latency per stage")
    ax.legend(fontsize=8)
    return figure_img(fig)


def render_summary_html(summary: AnalyticsSummary, extra_html: str = "") -> str:
    """The analytics page body (self-contained: inline CSS and inline PNG plots)."""
    parts = [STYLE, '<div class="sb-analytics">', "<h2>shopbot analytics</h2>",
             table(("metric", "value"), summary_rows(summary)),
             "<h3>Intents over time</h3>", _intents_plot(summary),
             "<h3>Recommendations and exploration</h3>", _funnel_plot(summary),
             "<h3>Latency per stage</h3>", _latency_plot(summary)]
    if summary.latency:
        parts.append(table(("stage", "turns", "p50 ms", "p95 ms"), latency_rows(summary)))
    parts += [extra_html, "</div>"]
    return "\n".join(parts)


def write_report(summary: AnalyticsSummary, out_dir: Path, extra_html: str = "", name: str = "analytics.html") -> Path:
    path = Path(out_dir) / name
    write_text_atomic(path, page("shopbot analytics", render_summary_html(summary, extra_html)))
    return path
