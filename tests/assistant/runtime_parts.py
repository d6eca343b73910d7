"""Assemble an Assistant from chosen parts (stand-in parser, shared test index, ...) the way build_runtime does."""

from __future__ import annotations

from assistant.assistant import Assistant
from assistant.ranking.policy import RankingPolicy
from assistant.records import Candidate, Hit, ScoreBreakdown
from assistant.runtime import Runtime
from assistant.stores import Stores, open_stores
from retrieval.catalog.taxonomy import CatalogVocabulary


class RelevanceRanker:
    """A ranker stand-in: order by retrieval relevance; ``avoid`` items go last; learns nothing."""

    def rank(self, user_id: str, hits: list[Hit], k: int = 5, *, avoid: tuple[str, ...] = (),
             filters=None, searching: bool = False) -> list[Candidate]:
        ordered = sorted(hits, key=lambda h: (h.product.id in avoid, -h.relevance))[:k]
        return [Candidate(h.product, h.relevance, ScoreBreakdown((("relevance", h.relevance),), ("matches your request",)),
                          position=i) for i, h in enumerate(ordered)]

    def feedback(self, user_id: str, product_id: str, kind: str, *, session_id: str | None = None) -> None:
        return None

    def forget(self, user_id: str) -> None:
        return None

    def restart(self, seed: int) -> None:
        return None


def runtime_of(settings, *, parser, index, policies=None, ranker="policy", writer=None,
               vocabulary: CatalogVocabulary | None = None, stores: Stores | None = None) -> Runtime:
    """``ranker="policy"``: the real RankingPolicy over the stores' interactions; ``None``: relevance only."""
    stores = stores or open_stores(settings)
    if ranker == "policy":
        ranker = RankingPolicy.from_settings(settings, index=index, interactions=stores.interactions)
    elif ranker is None:
        ranker = RelevanceRanker()
    if vocabulary is None:
        vocabulary = CatalogVocabulary.from_products(index.all_products())
    return Runtime(stores=stores, index=index, vocabulary=vocabulary, policies=policies, parser=parser, ranker=ranker,
                   writer=writer)


def assistant_of(settings, **parts) -> Assistant:
    return Assistant(runtime_of(settings, **parts))
