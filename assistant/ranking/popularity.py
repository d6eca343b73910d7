"""Popularity in [0, 1]: positive interactions across all users (log-scaled), with the catalog's own
rating and review count as the prior, so a fresh store still has a sensible popularity order.

A new arrival has had no time to become popular: it gets at least the mean popularity of the candidates
of its own category (a content-based estimate), so the exploration prior decides whether it is shown."""

from __future__ import annotations

import math

import numpy as np

from retrieval.product import Product

POSITIVE = frozenset({"click", "like", "add_to_cart", "purchase"})


class Popularity:
    def __init__(self, counts: dict[str, int] | None = None, behaviour_share: float = 0.7) -> None:
        self.counts: dict[str, float] = dict(counts or {})
        self.max_count = max(self.counts.values(), default=0.0)
        self.behaviour_share = behaviour_share

    def update(self, item_id: str, kind: str) -> None:
        if kind in POSITIVE:
            c = self.counts.get(item_id, 0.0) + 1.0
            self.counts[item_id] = c
            self.max_count = max(self.max_count, c)

    @staticmethod
    def catalog_prior(p: Product) -> float:
        return (p.rating / 5.0) * min(1.0, math.log1p(p.review_count) / math.log1p(1000.0))

    def scores(self, products: list[Product], new: np.ndarray | None = None) -> np.ndarray:
        prior = np.array([self.catalog_prior(p) for p in products])
        if self.max_count <= 0:
            out = prior
        else:
            denom = math.log1p(self.max_count)
            behaviour = np.array([math.log1p(self.counts.get(p.id, 0.0)) / denom for p in products])
            out = self.behaviour_share * behaviour + (1.0 - self.behaviour_share) * prior
        if new is not None and new.any() and not new.all():
            cats = np.array([p.category for p in products], dtype=object)
            for i in np.flatnonzero(new):
                peers = (cats == cats[i]) & ~new
                if peers.any():
                    out[i] = max(out[i], float(out[peers].mean()))
        return out
