"""Product cards, cart and inspector views for the Gradio UI (all user/model text HTML-escaped)."""

from __future__ import annotations

from html import escape

from assistant.protocol import CartLine
from assistant.records import Candidate, Turn
from ui.api.schemas import card_attributes

CARDS_CSS = """
.sb-cards{display:flex;flex-wrap:wrap;gap:10px}
.sb-card{flex:1 1 170px;max-width:100%;border:1px solid #ddd;border-radius:10px;padding:10px;background:#fff;color:#222}
.sb-card .sb-title{font-weight:600;margin-bottom:4px}
.sb-card .sb-meta{font-size:.9em;color:#555}
.sb-card .sb-chip{display:inline-block;font-size:.8em;background:#eef;border-radius:8px;padding:1px 6px;margin:2px 2px 0 0}
.sb-card .sb-out{color:#b00}.sb-card .sb-in{color:#070}
.sb-card .sb-explore{font-size:.8em;color:#a60}
"""


def money(value: float, currency: str = "USD") -> str:
    return f"${value:,.2f}" if currency == "USD" else f"{value:,.2f} {escape(currency)}"


def card_html(c: Candidate) -> str:
    p = c.product
    chips = "".join(f'<span class="sb-chip">{escape(a)}</span>' for a in card_attributes(c))
    stock = '<span class="sb-in">In stock</span>' if p.in_stock else '<span class="sb-out">Out of stock</span>'
    explore = '<div class="sb-explore">new arrival we are exploring</div>' if c.breakdown.exploratory else ""
    return (
        f'<div class="sb-card" data-product-id="{escape(p.id)}" title="{escape("; ".join(c.breakdown.reasons))}">'
        f'<div class="sb-title">{c.position + 1}. {escape(p.title)}</div>'
        f'<div class="sb-meta">{escape(p.brand)} · {money(p.price, p.currency) if p.price is not None else p.price_text} · '
        f'★ {p.rating:.1f} ({p.review_count}) · {stock}</div><div>{chips}</div>{explore}</div>'
    )


def cards_html(candidates: tuple[Candidate, ...]) -> str:
    if not candidates:
        return '<div class="sb-cards sb-empty">No products shown yet.</div>'
    return '<div class="sb-cards">' + "".join(card_html(c) for c in candidates) + "</div>"


def card_choices(candidates: tuple[Candidate, ...]) -> list[tuple[str, str]]:
    return [(f"{c.position + 1}. {c.product.title}", c.product.id) for c in candidates]


def why_text(c: Candidate) -> str:
    reasons = "; ".join(c.breakdown.reasons) or "it matches your request"
    parts = ", ".join(f"{name} {value:+.2f}" for name, value in c.breakdown.parts)
    return f"**Why {c.product.title}?** {reasons}.\n\nScore {c.score:.2f} = {parts}"


def cart_markdown(lines: list[CartLine]) -> str:
    if not lines:
        return "Your cart is empty."
    rows = [f"| {ln.title.replace('|', '/')} | {ln.quantity} | {money(ln.price * ln.quantity)} |" for ln in lines]
    total = sum(ln.price * ln.quantity for ln in lines)
    return "\n".join(["| Item | Qty | Price |", "|---|---|---|", *rows, f"| **Total** | | **{money(total)}** |"])


def inspector_view(turn: Turn) -> dict:
    """A display-only view of the turn's internals for the inspector panel."""
    parse = turn.parse
    return {
        "action": turn.action.value,
        "parse": {"intent": parse.intent, "confidence": round(parse.confidence, 3), "low_confidence": parse.low_confidence,
                  "intent_scores": [[i, round(s, 3)] for i, s in parse.intent_scores]},
        "entities": [{"type": e.type, "text": e.text, "value": e.value} for e in parse.entities],
        "candidates": [{"id": c.product.id, "title": c.product.title, "score": round(c.score, 4),
                        "parts": {k: round(v, 4) for k, v in c.breakdown.parts}, "reasons": list(c.breakdown.reasons),
                        "exploratory": c.breakdown.exploratory, "propensity": round(c.propensity, 4)} for c in turn.products],
        "timings_ms": {t.stage: round(t.ms, 1) for t in turn.timings},
        "guard_passed": turn.guard_passed, "fallback": turn.fallback, "error": turn.error, "data": list(turn.data),
    }
