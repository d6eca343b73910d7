"""``report.html``: one self-contained page (inline CSS, plots as inline base64 PNG via matplotlib Agg)
with the summary, latency histogram, intent confusion matrix, per-entity F1 bars, input problems and
every failed expectation shown inside its conversation."""

from __future__ import annotations

import base64
import io
from html import escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ui.replay.checkpoint import write_atomic  # noqa: E402

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;padding-bottom:.3rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}
th{background:#f5f5f5}.num{text-align:right;font-variant-numeric:tabular-nums}
.good{color:#137333}.bad{color:#b3261e;font-weight:600}.muted{color:#777}
.cards{display:flex;flex-wrap:wrap;gap:.6rem}.card{border:1px solid #ddd;border-radius:8px;padding:.6rem .9rem;min-width:150px}
.card b{display:block;font-size:1.3rem}.conv{border:1px solid #ddd;border-radius:8px;padding:.6rem 1rem;margin:1rem 0}
.turn{margin:.4rem 0}.user{color:#0b57d0}.bot{color:#333;white-space:pre-wrap}.fail{background:#fdecea;border-left:4px solid #b3261e;padding:.2rem .5rem;margin:.2rem 0}
img{max-width:100%}
"""


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="plot" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _fmt(v, pct: bool = False) -> str:
    if v is None:
        return '<span class="muted">n/a</span>'
    if isinstance(v, float):
        return f"{v:.1%}" if pct else f"{v:,.2f}"
    return escape(str(v))


def latency_plot(records) -> str:
    vals = [r.wall_ms for r in records if r.error is None]
    if not vals:
        return '<p class="muted">no turns</p>'
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.hist(vals, bins=min(40, max(5, len(vals) // 3)), color="#4e79a7")
    ax.set_xlabel("turn latency (ms, wall clock)")
    ax.set_ylabel("turns")
    return _png(fig)


def confusion_plot(confusion) -> str:
    if not confusion:
        return '<p class="muted">no intent expectations</p>'
    labels = sorted({e for e, _, _ in confusion} | {p for _, p, _ in confusion})
    idx = {lab: i for i, lab in enumerate(labels)}
    grid = [[0] * len(labels) for _ in labels]
    for e, p, n in confusion:
        grid[idx[e]][idx[p]] = n
    size = max(4, 0.45 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(grid, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    for i, row in enumerate(grid):
        for j, n in enumerate(row):
            if n:
                ax.text(j, i, str(n), ha="center", va="center", fontsize=7, color="black")
    return _png(fig)


def entity_plot(entities) -> str:
    rows = [e for e in entities if e["f1"] is not None]
    if not rows:
        return '<p class="muted">no entity expectations</p>'
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(rows) + 1))
    ax.barh([e["type"] for e in rows], [e["f1"] for e in rows], color="#59a14f")
    ax.set_xlim(0, 1)
    ax.set_xlabel("F1")
    return _png(fig)


def _alarm(name: str, value) -> str:
    return ' class="bad"' if name == "unfaithful mentions" and value else ""


def _summary(m: dict) -> str:
    cards = [("intent accuracy", m["intent_accuracy"], True), ("action accuracy", m["action_accuracy"], True),
             ("entity micro F1", m["entity_micro_f1"], True), ("product constraints", m["product_constraint_rate"], True),
             ("reply checks", m["reply_check_rate"], True), ("guard pass", m["guard_pass_rate"], True),
             ("unfaithful mentions", m["unfaithful_mentions"], False), ("clarification rate", m["clarification_rate"], True),
             ("fallback rate", m["fallback_rate"], True), ("coverage", m["coverage"], True),
             ("p50 latency ms", m["latency_p50_ms"], False), ("p95 latency ms", m["latency_p95_ms"], False)]
    html = "".join(f'<div class="card">{escape(n)}<b{_alarm(n, v)}>{_fmt(v, pct)}</b></div>' for n, v, pct in cards)
    bad = ' class="bad"' if m["unfaithful_mentions"] else ' class="good"'
    return (f'<div class="cards">{html}</div><p>{m["conversations"]} conversations, {m["turns"]} turns, '
            f'{m["expectations"]} expectations checked, <span{bad}>{m["failed_expectations"]} failed</span>, '
            f'{m["error_turns"]} turns raised errors. Diversity: {_fmt(m["mean_distinct_brands"])} distinct brands and '
            f'{_fmt(m["mean_distinct_categories"])} categories per list; {m["distinct_products_shown"]} distinct products shown.</p>')


def _tables(m: dict) -> str:
    lat = "".join(f'<tr><td>{escape(s["stage"])}</td><td class="num">{s["n"]}</td><td class="num">{s["p50_ms"]:.1f}</td>'
                  f'<td class="num">{s["p95_ms"]:.1f}</td><td class="num">{s["mean_ms"]:.1f}</td></tr>' for s in m["latency"])
    ent = "".join(f'<tr><td>{escape(e["type"])}</td><td class="num">{e["tp"]}</td><td class="num">{e["fp"]}</td>'
                  f'<td class="num">{e["fn"]}</td><td class="num">{_fmt(e["precision"], True)}</td>'
                  f'<td class="num">{_fmt(e["recall"], True)}</td><td class="num">{_fmt(e["f1"], True)}</td></tr>'
                  for e in m["entities"])
    return (f'<h3>Latency per stage</h3><table><tr><th>stage</th><th>n</th><th>p50 ms</th><th>p95 ms</th><th>mean ms</th></tr>{lat}</table>'
            f'<h3>Entities</h3><table><tr><th>type</th><th>TP</th><th>FP</th><th>FN</th><th>P</th><th>R</th><th>F1</th></tr>{ent}</table>')


def _failures(fails: list[dict]) -> str:
    if not fails:
        return '<p class="good">Every expectation passed.</p>'
    parts = []
    for f in fails:
        by_turn: dict[int, list[dict]] = {}
        for x in f["failed"]:
            by_turn.setdefault(x["turn_index"], []).append(x)
        turns = []
        for t in f["conversation"]:
            fl = "".join(f'<div class="fail">{escape(x["check"])}: expected <b>{escape(x["expected"])}</b>, got <b>{escape(x["actual"])}</b></div>'
                         for x in by_turn.get(t["turn_index"], []))
            err = f'<div class="fail">error: {escape(t["error"])}</div>' if t["error"] else ""
            turns.append(f'<div class="turn"><div class="user">#{t["turn_index"]} user: {escape(t["user"])}</div>'
                         f'<div class="bot">bot [{escape(t["action"])}, {escape(t["intent"])}]: {escape(t["reply"])}</div>{fl}{err}</div>')
        parts.append(f'<div class="conv"><b>{escape(f["file"])} · {escape(f["conversation_id"])}</b> '
                     f'<span class="muted">user {escape(f["user_id"])}</span>{"".join(turns)}</div>')
    return "".join(parts)


def render_html(report: dict, records) -> str:
    m = report["metrics"]
    probs = "".join(f'<tr><td>{escape(p["file"])}</td><td class="num">{p["line"]}</td><td>{escape(p["message"])}</td></tr>'
                    for p in report["problems"])
    probs_html = f'<table><tr><th>file</th><th>line</th><th>problem</th></tr>{probs}</table>' if probs else '<p class="good">none</p>'
    opts = escape(", ".join(f"{k}={v}" for k, v in sorted(report["options"].items())))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>shopbot replay report</title>'
            f'<style>{CSS}</style></head><body><h1>shopbot replay report</h1><p class="muted">{opts}</p>'
            f'<h2>Summary</h2>{_summary(m)}{_tables(m)}'
            f'<h2>Latency</h2>{latency_plot(records)}<h2>Intent confusion matrix</h2>{confusion_plot(m["confusion"])}'
            f'<h2>Entity F1</h2>{entity_plot(m["entities"])}<h2>Skipped input lines</h2>{probs_html}'
            f'<h2>Failed expectations ({m["failed_expectations"]})</h2>{_failures(report["failures"])}</body></html>')


def write_report_html(out: Path, report: dict, records) -> Path:
    path = Path(out) / "report.html"
    write_atomic(path, render_html(report, records))
    return path
