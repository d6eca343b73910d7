"""Hybrid product search: dense (Chroma) and lexical (BM25) scores fused into one relevance.

``relevance = dense_weight * cosine + (1 - dense_weight) * bm25 / max_bm25`` over the union of the dense
top-``pool`` and the lexical top-``pool`` that pass the filters; a lexical-only candidate gets the
lowest dense similarity of the dense list (it was not among the nearest). The weight was tuned on the
ESCI dev queries (bench/RESULTS.md, "Search on a real catalog"); 1.0 is plain dense retrieval.

``HybridIndex`` has the read side of ``ProductIndex`` (``search``, ``get``, ``all_products``, ``count``),
so the flows use either one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from retrieval.lexical import LexicalIndex, LexicalMatch
from retrieval.product import Product
from retrieval.records import Hit, SearchFilters

log = logging.getLogger(__name__)

DENSE_WEIGHT = 0.6
POOL = 100


@dataclass(frozen=True)
class HybridResult:
    """Fused hits, best first, and what the lexical side made of the query (tokens, typo corrections)."""

    hits: tuple[Hit, ...]
    lexical: LexicalMatch | None


class HybridIndex:
    def __init__(self, dense, lexical: LexicalIndex, *, dense_weight: float = DENSE_WEIGHT, pool: int = POOL) -> None:
        if not 0.0 <= dense_weight <= 1.0:
            raise ValueError(f"dense_weight must be in [0, 1], got {dense_weight}")
        self.dense = dense
        self.lexical = lexical
        self.dense_weight = dense_weight
        self.pool = pool

    @classmethod
    def build(cls, dense, products: Iterable[Product] | None = None, **kw) -> "HybridIndex":
        products = products if products is not None else dense.all_products()
        return cls(dense, LexicalIndex.build(products), **kw)

    # the read side of ProductIndex ---------------------------------------------------------------
    def count(self) -> int:
        return self.dense.count()

    def get(self, ids) -> list[Product]:
        return self.dense.get(ids)

    def all_products(self) -> list[Product]:
        return self.dense.all_products()

    def coverage(self, text: str) -> float:
        """The largest share of the text's words (stop words aside) one product contains, typos corrected."""
        return self.lexical.best_cover(text)

    # search -----------------------------------------------------------------------------------------
    def search(self, query: str, filters: SearchFilters | None = None, k: int = 50) -> list[Hit]:
        return list(self.search_detailed(query, filters, k).hits)

    def search_detailed(self, query: str, filters: SearchFilters | None = None, k: int = 50) -> HybridResult:
        if not (query or "").strip() or self.dense_weight >= 1.0:
            return HybridResult(tuple(self.dense.search(query, filters, k=k)), None)
        dense_hits = self.dense.search(query, filters, k=max(k, self.pool))
        match = self.lexical.match(query)
        lexical = self._lexical_hits(match, filters)
        return HybridResult(tuple(self._fuse(dense_hits, lexical, match)[:k]), match)

    def _lexical_hits(self, match: LexicalMatch, filters: SearchFilters | None) -> list[tuple[Product, float]]:
        scores = match.scores
        if not scores.size or float(scores.max()) <= 0.0:
            return []
        order = np.argsort(-scores, kind="stable")[: 2 * self.pool]
        by_id = {self.lexical.ids[i]: float(scores[i]) for i in order if scores[i] > 0.0}
        products = [p for p in self.dense.get(list(by_id)) if filters is None or filters.matches(p)]
        return [(p, by_id[p.id]) for p in products[: self.pool]]

    def _fuse(self, dense_hits: list[Hit], lexical: list[tuple[Product, float]], match: LexicalMatch) -> list[Hit]:
        top = float(match.scores.max()) if match.scores.size else 0.0
        lex = {p.id: s / top for p, s in lexical} if top > 0 else {}
        floor = min((h.relevance for h in dense_hits), default=0.0)
        w = self.dense_weight
        fused: dict[str, Hit] = {}
        for h in dense_hits:
            fused[h.product.id] = Hit(h.product, w * h.relevance + (1 - w) * lex.get(h.product.id, 0.0))
        for p, _ in lexical:
            if p.id not in fused:
                fused[p.id] = Hit(p, w * floor + (1 - w) * lex[p.id])
        return sorted(fused.values(), key=lambda h: (-h.relevance, h.product.id))
