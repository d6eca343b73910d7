"""Stand-ins used only when a component is unavailable (e.g. no ranking model built): relevance-only
ranking and a notes-based reply. They keep the assistant answering instead of failing."""

from __future__ import annotations

from assistant.records import Candidate, Hit, ReplyFacts, ScoreBreakdown


class RelevanceRanker:
    """Order by retrieval relevance; ``avoid`` items go last."""

    def rank(self, user_id: str, hits: list[Hit], k: int = 5, *, avoid: tuple[str, ...] = (),
             filters=None, searching: bool = False) -> list[Candidate]:
        ordered = sorted(hits, key=lambda h: (h.product.id in avoid, -h.relevance))[:k]
        return [Candidate(h.product, h.relevance, ScoreBreakdown((("relevance", h.relevance),), ("matches your request",)),
                          position=i) for i, h in enumerate(ordered)]

    def feedback(self, user_id: str, product_id: str, kind: str, *, session_id: str | None = None) -> None:
        return None


def notes_reply(facts: ReplyFacts) -> str:
    lines = list(facts.notes)
    for i, p in enumerate(facts.products, 1):
        lines.append(f"{i}. {p.title} - {p.price_text}")
    lines.extend(facts.policies[:1])
    return "\n".join(lines) or "How can I help?"
