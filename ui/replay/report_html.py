"""``report.html``: one self-contained page (a Jinja2 template, inline CSS, plots as inline base64 PNG:
``assistant.report``, the helper shared with the analytics page)
with the summary, latency histogram, intent confusion matrix, per-entity F1 bars, input problems and
every failed expectation shown inside its conversation."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from markupsafe import Markup

from assistant.report import figure_img, page, render, table
from retrieval.atomic import write_text_atomic

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


def _fmt(v, pct: bool = False) -> Markup | str:
    if v is None:
        return Markup('<span class="muted">n/a</span>')
    if isinstance(v, float):
        return f"{v:.1%}" if pct else f"{v:,.2f}"
    return str(v)


def latency_plot(records) -> str:
    vals = [r.wall_ms for r in records if r.error is None]
    if not vals:
        return '<p class="muted">no turns</p>'
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.hist(vals, bins=min(40, max(5, len(vals) // 3)), color="#4e79a7")
    ax.set_xlabel("turn latency (ms, wall clock)")
    ax.set_ylabel("turns")
    return figure_img(fig)


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
    return figure_img(fig)


def entity_plot(entities) -> str:
    rows = [e for e in entities if e["f1"] is not None]
    if not rows:
        return '<p class="muted">no entity expectations</p>'
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(rows) + 1))
    ax.barh([e["type"] for e in rows], [e["f1"] for e in rows], color="#59a14f")
    ax.set_xlim(0, 1)
    ax.set_xlabel("F1")
    return figure_img(fig)


CARDS = (("intent accuracy", "intent_accuracy", True), ("action accuracy", "action_accuracy", True),
         ("entity micro F1", "entity_micro_f1", True), ("product constraints", "product_constraint_rate", True),
         ("reply checks", "reply_check_rate", True), ("guard pass", "guard_pass_rate", True),
         ("unfaithful mentions", "unfaithful_mentions", False), ("clarification rate", "clarification_rate", True),
         ("fallback rate", "fallback_rate", True), ("coverage", "coverage", True),
         ("p50 latency ms", "latency_p50_ms", False), ("p95 latency ms", "latency_p95_ms", False))

BODY = """<h1>shopbot replay report</h1><p class="muted">{{ opts }}</p>
<h2>Summary</h2><div class="cards">{% for name, value in cards %}<div class="card">{{ name }}<b{% if name == "unfaithful mentions" and m.unfaithful_mentions %} class="bad"{% endif %}>{{ value }}</b></div>{% endfor %}</div>
<p>{{ m.conversations }} conversations, {{ m.turns }} turns, {{ m.expectations }} expectations checked,
<span class="{{ 'bad' if m.unfaithful_mentions else 'good' }}">{{ m.failed_expectations }} failed</span>, {{ m.error_turns }} turns raised errors.
Diversity: {{ brands }} distinct brands and {{ categories }} categories per list; {{ m.distinct_products_shown }} distinct products shown.</p>
<h3>Latency per stage</h3>{{ latency_table }}<h3>Entities</h3>{{ entity_table }}
<h2>Latency</h2>{{ latency_plot }}<h2>Intent confusion matrix</h2>{{ confusion_plot }}<h2>Entity F1</h2>{{ entity_plot }}
<h2>Skipped input lines</h2>{% if problems %}{{ problems }}{% else %}<p class="good">none</p>{% endif %}
<h2>Failed expectations ({{ m.failed_expectations }})</h2>
{% for f in failures %}<div class="conv"><b>{{ f.file }} · {{ f.conversation_id }}</b> <span class="muted">user {{ f.user_id }}</span>
{% for t in f.conversation %}<div class="turn"><div class="user">#{{ t.turn_index }} user: {{ t.user }}</div><div class="bot">bot [{{ t.action }}, {{ t.intent }}]: {{ t.reply }}</div>
{% for x in f.failed if x.turn_index == t.turn_index %}<div class="fail">{{ x.check }}: expected <b>{{ x.expected }}</b>, got <b>{{ x.actual }}</b></div>{% endfor %}
{% if t.error %}<div class="fail">error: {{ t.error }}</div>{% endif %}</div>
{% endfor %}</div>
{% else %}<p class="good">Every expectation passed.</p>{% endfor %}"""


def render_html(report: dict, records) -> str:
    m = report["metrics"]
    lat = table(("stage", "n", "p50 ms", "p95 ms", "mean ms"),
                [(s["stage"], s["n"], f'{s["p50_ms"]:.1f}', f'{s["p95_ms"]:.1f}', f'{s["mean_ms"]:.1f}') for s in m["latency"]],
                numeric=(1, 2, 3, 4))
    ents = table(("type", "TP", "FP", "FN", "P", "R", "F1"),
                 [(e["type"], e["tp"], e["fp"], e["fn"], _fmt(e["precision"], True), _fmt(e["recall"], True),
                   _fmt(e["f1"], True)) for e in m["entities"]], numeric=(1, 2, 3, 4, 5, 6))
    probs = table(("file", "line", "problem"), [(p["file"], p["line"], p["message"]) for p in report["problems"]],
                  numeric=(1,)) if report["problems"] else ""
    body = render(BODY, m=m, opts=", ".join(f"{k}={v}" for k, v in sorted(report["options"].items())),
                  cards=[(name, _fmt(m[key], pct)) for name, key, pct in CARDS],
                  brands=_fmt(m["mean_distinct_brands"]), categories=_fmt(m["mean_distinct_categories"]),
                  latency_table=lat, entity_table=ents, problems=probs, failures=report["failures"],
                  latency_plot=latency_plot(records), confusion_plot=confusion_plot(m["confusion"]),
                  entity_plot=entity_plot(m["entities"]))
    return page("shopbot replay report", body, CSS)


def write_report_html(out: Path, report: dict, records) -> Path:
    path = Path(out) / "report.html"
    write_text_atomic(path, render_html(report, records))
    return path
