"""MMR re-ranking over category, product type and brand.

Greedy: pick argmax of ``score_i - penalty * max_sim(i, picked)``, with ``penalty = (1 - lambda) / lambda``
(the usual ``lambda * score - (1 - lambda) * sim`` divided by lambda, so the diversity part is in score
units and the breakdown parts still add up). Items to explore away from ("something different")
count as already picked.
"""

from __future__ import annotations

import numpy as np

from retrieval.product import Product

SIM_WEIGHTS = (("category", 0.3), ("product_type", 0.2), ("brand", 0.5))


def similarity_matrix(a: list[Product], b: list[Product]) -> np.ndarray:
    sim = np.zeros((len(a), len(b)))
    for attr, w in SIM_WEIGHTS:
        va = np.array([getattr(p, attr) for p in a], dtype=object)
        vb = np.array([getattr(p, attr) for p in b], dtype=object)
        if len(a) and len(b):
            sim += w * (va[:, None] == vb[None, :])
    return sim


def mmr(scores: np.ndarray, products: list[Product], k: int, lam: float,
        avoid: list[Product] | None = None) -> list[tuple[int, float]]:
    """[(candidate index, diversity part <= 0)] for the ``k`` picks in order."""
    n = len(products)
    k = min(k, n)
    if k <= 0:
        return []
    lam = min(max(lam, 1e-3), 1.0)
    penalty = (1.0 - lam) / lam
    sim = similarity_matrix(products, products)
    max_sim = similarity_matrix(products, avoid).max(axis=1) if avoid else np.zeros(n)
    taken = np.zeros(n, dtype=bool)
    picks: list[tuple[int, float]] = []
    for _ in range(k):
        adjusted = np.where(taken, -np.inf, scores - penalty * max_sim)
        i = int(np.argmax(adjusted))
        picks.append((i, float(-penalty * max_sim[i])))
        taken[i] = True
        max_sim = np.maximum(max_sim, sim[i])
    return picks
