"""Exploration: per-item and per-category Beta posteriors of "a shown item gets a positive reaction",
updated online from feedback; Thompson sampling (default) or a UCB bonus.

An item's prior is its category's posterior mean with ``prior_strength`` pseudo-observations, so a
new item starts from what its category earns; a new arrival gets ``new_item_bonus`` extra
pseudo-successes (the exploration prior) until it has ``min_observations`` observations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.product import Product

POSITIVE = frozenset({"click", "like", "add_to_cart", "purchase"})
NEGATIVE_WEIGHT = {"dislike": 2.0, "return": 2.0, "view": 1.0}


@dataclass(frozen=True)
class BanditConfig:
    mode: str = "thompson"  # or "ucb"
    prior_strength: float = 4.0
    new_item_bonus: float = 4.0
    min_observations: float = 5.0
    ucb_c: float = 1.0


class BetaPosteriors:
    def __init__(self, config: BanditConfig | None = None) -> None:
        self.config = config or BanditConfig()
        if self.config.mode not in ("thompson", "ucb"):
            raise ValueError(f"exploration mode must be 'thompson' or 'ucb', got {self.config.mode!r}")
        self.items: dict[str, list[float]] = {}  # id -> [successes, failures]
        self.categories: dict[str, list[float]] = {}
        self.total = [1.0, 4.0]  # global prior: about one positive in five impressions

    def update(self, product: Product, kind: str) -> None:
        if kind in POSITIVE:
            idx, w = 0, 1.0
        elif kind in NEGATIVE_WEIGHT:
            idx, w = 1, NEGATIVE_WEIGHT[kind]
        else:
            return
        for table, key in ((self.items, product.id), (self.categories, product.category)):
            table.setdefault(key, [0.0, 0.0])[idx] += w
        self.total[idx] += w

    def observations(self, item_id: str) -> float:
        s = self.items.get(item_id)
        return s[0] + s[1] if s else 0.0

    def _category_mean(self, category: str) -> float:
        g = self.total[0] / (self.total[0] + self.total[1])
        s = self.categories.get(category, (0.0, 0.0))
        m = self.config.prior_strength
        return (s[0] + m * g) / (s[0] + s[1] + m)

    def params(self, products: list[Product], new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior (alpha, beta) per product; ``new`` marks new arrivals still being explored."""
        m = self.config.prior_strength
        alpha = np.empty(len(products))
        beta = np.empty(len(products))
        cat_means: dict[str, float] = {}
        for i, p in enumerate(products):
            mu = cat_means.get(p.category)
            if mu is None:
                mu = cat_means[p.category] = self._category_mean(p.category)
            s = self.items.get(p.id, (0.0, 0.0))
            alpha[i] = m * mu + s[0]
            beta[i] = m * (1.0 - mu) + s[1]
            if new[i] and s[0] + s[1] < self.config.min_observations:
                alpha[i] += self.config.new_item_bonus
        return alpha, beta

    def draw(self, alpha: np.ndarray, beta: np.ndarray, rng: np.random.Generator, size: int | None = None) -> np.ndarray:
        """Thompson draws (shape (n,) or (size, n)); UCB is deterministic: mean + c * std."""
        if self.config.mode == "ucb":
            mean = alpha / (alpha + beta)
            std = np.sqrt(alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1.0)))
            bonus = mean + self.config.ucb_c * std
            return bonus if size is None else np.broadcast_to(bonus, (size, len(alpha)))
        shape = alpha.shape if size is None else (size, len(alpha))
        return rng.beta(alpha, beta, size=shape)

    def means(self, alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
        return alpha / (alpha + beta)
