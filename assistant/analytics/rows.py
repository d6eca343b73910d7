"""The summary as (metric, value) rows: shared by the CLI's markdown table and the HTML page."""

from __future__ import annotations

from assistant.analytics.summary import AnalyticsSummary


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _count_rate(n: int, rate: float | None) -> str:
    return f"{n} ({pct(rate)})"


def _window(s: AnalyticsSummary) -> str:
    fmt = "%Y-%m-%d %H:%M"
    start = s.since.strftime(fmt) if s.since else "beginning"
    end = s.until.strftime(fmt) if s.until else "now"
    return f"{start} .. {end} UTC"


def summary_rows(s: AnalyticsSummary) -> list[tuple[str, str]]:
    rows = [
        ("window", _window(s)),
        ("conversations", str(s.conversations)),
        ("turns", str(s.turns)),
        ("resolved (no handoff, no complaint)", _count_rate(s.resolved, s.resolution_rate)),
        ("handoffs", _count_rate(s.handoffs, s.handoff_rate)),
        ("conversations with a complaint", str(s.complaints)),
        ("clarifications asked", str(s.clarifications)),
        ("low-confidence parses", str(s.low_confidence)),
        ("guard failures (of measured turns)", f"{s.guard_failures} / {s.measured_turns} ({pct(s.guard_failure_rate)})"),
        ("template fallbacks (of measured turns)", f"{s.fallbacks} / {s.measured_turns} ({pct(s.fallback_rate)})"),
        ("turns that failed with an error", str(s.errors)),
        ("products shown (distinct per session)", str(s.shown)),
        ("click-through rate", _count_rate(s.clicked, s.ctr)),
        ("add-to-cart rate", _count_rate(s.added, s.add_to_cart_rate)),
        ("exploration share of shown", _count_rate(s.exploratory_shown, s.exploration_share)),
        ("CTR exploratory / exploit picks", f"{pct(s.explore_ctr)} / {pct(s.exploit_ctr)}"),
    ]
    top = ", ".join(f"{k} {v}" for k, v in s.intent_totals[:5])
    rows.append(("top intents", top or "-"))
    return rows


def latency_rows(s: AnalyticsSummary) -> list[tuple[str, str, str, str]]:
    return [(x.stage, str(x.n), f"{x.p50_ms:.1f}", f"{x.p95_ms:.1f}") for x in s.latency]


def markdown_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def summary_markdown(s: AnalyticsSummary) -> str:
    out = markdown_table(("metric", "value"), summary_rows(s))
    if s.latency:
        out += "\n\n" + markdown_table(("stage", "turns", "p50 ms", "p95 ms"), latency_rows(s))
    return out


OFFPOLICY_HEADER = ("policy", "slates", "impressions", "observed CTR", "IPS [95% CI]", "SNIPS [95% CI]",
                    "DR [95% CI]", "ESS", "max w")


def _ci(e) -> str:
    return f"{e.value:.4f} [{e.low:.4f}, {e.high:.4f}]"


def offpolicy_rows(reports) -> list[tuple[str, ...]]:
    """One row per OffPolicyReport (``assistant.analytics.offpolicy``)."""
    return [(r.target, str(r.slates), str(r.impressions), _ci(r.observed), _ci(r.ips), _ci(r.snips), _ci(r.dr),
             f"{r.effective_sample_size:.0f}", f"{r.max_weight:.2f}") for r in reports]
