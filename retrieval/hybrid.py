"""Hybrid product search: dense (Chroma) and lexical (BM25) scores fused into one relevance.

``relevance = dense_weight * cosine + (1 - dense_weight) * bm25 / max_bm25 + negation_weight * stance``
over the union of the dense top-``pool`` and the lexical top-``pool`` that pass the filters; a
lexical-only candidate gets the lowest dense similarity of the dense list (it was not among the
nearest). Negated phrases ("without straw") are taken out of the query and weighed by each title's
stance on them (``retrieval/negation.py``). The weights were tuned on the ESCI dev queries
(bench/RESULTS.md, "Search on a real catalog"); ``dense_weight`` 1.0 with no negation handling is
plain dense retrieval.

``HybridIndex`` has the read side of ``ProductIndex`` (``search``, ``get``, ``all_products``, ``count``),
so the flows use either one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from retrieval.lexical import LexicalIndex, LexicalMatch
from retrieval.negation import split_negations, title_stance, written_negations
from retrieval.product import Product
from retrieval.records import Hit, SearchFilters

log = logging.getLogger(__name__)

DENSE_WEIGHT = 0.6
NEGATION_WEIGHT = 0.1
POOL = 100


@dataclass(frozen=True)
class HybridResult:
    """Fused hits, best first, and what the lexical side made of the query (tokens, typo corrections)."""

    hits: tuple[Hit, ...]
    lexical: LexicalMatch | None


class HybridIndex:
    def __init__(self, dense, lexical: LexicalIndex, *, dense_weight: float = DENSE_WEIGHT,
                 negation_weight: float = NEGATION_WEIGHT, pool: int = POOL,
                 names: frozenset[str] = frozenset()) -> None:
        if not 0.0 <= dense_weight <= 1.0:
            raise ValueError(f"dense_weight must be in [0, 1], got {dense_weight}")
        self.dense = dense
        self.lexical = lexical
        self.dense_weight = dense_weight
        self.negation_weight = negation_weight
        self.pool = pool
        self.names = names  # the titles' own "<word> not <word>" (retrieval/negation.py): not negations

    @classmethod
    def build(cls, dense, products: Iterable[Product] | None = None, names: frozenset[str] | None = None,
              **kw) -> "HybridIndex":
        """``names``: the catalog's ``written_negations`` when the caller has them (the runtime's vocabulary)."""
        products = list(products if products is not None else dense.all_products())
        names = names if names is not None else written_negations(p.title for p in products)
        return cls(dense, LexicalIndex.build(products), names=names, **kw)

    # the read side of ProductIndex ---------------------------------------------------------------
    def count(self) -> int:
        return self.dense.count()

    def get(self, ids) -> list[Product]:
        return self.dense.get(ids)

    def all_products(self) -> list[Product]:
        return self.dense.all_products()

    def coverage(self, text: str, *, typos: bool = True) -> float:
        """The largest share of the text's words (stop words aside) one product contains (typos corrected
        unless ``typos=False``)."""
        return self.lexical.best_cover(text, typos=typos)

    # search -----------------------------------------------------------------------------------------
    def search(self, query: str, filters: SearchFilters | None = None, k: int = 50) -> list[Hit]:
        """Search the shopper's words as typed: negated phrases are read out of them first."""
        text, negations = split_negations(query or "", self.names)
        return list(self.search_detailed(text or query, filters, k,
                                         negated=negations.terms + negations.brands).hits)

    def search_detailed(self, query: str, filters: SearchFilters | None = None, k: int = 50, *,
                        negated: tuple[str, ...] = ()) -> HybridResult:
        """``query`` without its negations; ``negated``: the phrases the shopper does not want."""
        if not (query or "").strip() or (self.dense_weight >= 1.0 and not negated):
            return HybridResult(tuple(self.dense.search(query, filters, k=k)), None)
        dense_hits = self.dense.search(query, filters, k=max(k, self.pool))
        match = self.lexical.match(query)
        lexical = self._lexical_hits(match, filters)
        fused = self._fuse(dense_hits, lexical, match)
        if negated:
            fused = self._weigh_negations(fused, negated)
        return HybridResult(tuple(fused[:k]), match)

    def _weigh_negations(self, hits: list[Hit], negated: tuple[str, ...]) -> list[Hit]:
        weighed = [Hit(h.product, h.relevance + self.negation_weight * title_stance(h.product.title, negated))
                   for h in hits]
        return sorted(weighed, key=lambda h: (-h.relevance, h.product.id))

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
