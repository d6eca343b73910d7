"""User profile: a time-decayed embedding profile of the items a user interacted with, plus learned
category and brand preferences. Built from the interaction history and updated online by feedback."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from retrieval.product import Product

# how much each interaction says about taste (negative = away from it); views say nothing
KIND_WEIGHTS: dict[str, float] = {"view": 0.0, "click": 0.5, "like": 1.0, "add_to_cart": 1.2, "purchase": 1.5,
                                  "dislike": -1.5, "return": -1.0}


def parse_ts(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


@dataclass(frozen=True)
class ProfileEvent:
    item_id: str
    category: str
    brand: str
    vector: np.ndarray
    weight: float  # KIND_WEIGHTS of the interaction
    ts: datetime


@dataclass(frozen=True)
class ProfileView:
    """A user's profile at one moment (decay applied)."""

    vector: np.ndarray | None  # L2-normalised taste direction, None without signal
    categories: dict[str, float]  # preference in (-1, 1)
    brands: dict[str, float]
    strength: float  # total absolute decayed weight (0 = cold user)
    items: tuple[str, ...]  # items with positive signal, oldest first (for the sequential model)


class UserProfile:
    def __init__(self, half_life_days: float, max_events: int = 200) -> None:
        self.half_life_days = half_life_days
        self.events: deque[ProfileEvent] = deque(maxlen=max_events)

    def add(self, product: Product, vector: np.ndarray, kind: str, ts: datetime) -> None:
        weight = KIND_WEIGHTS.get(kind, 0.0)
        if weight:
            self.events.append(ProfileEvent(product.id, product.category, product.brand, vector, weight, ts))

    def view(self, now: datetime) -> ProfileView:
        if not self.events:
            return ProfileView(None, {}, {}, 0.0, ())
        vec = np.zeros_like(self.events[0].vector)
        cats: dict[str, float] = {}
        brands: dict[str, float] = {}
        strength = 0.0
        for e in self.events:
            age_days = max(0.0, (now - e.ts).total_seconds() / 86400.0)
            w = e.weight * 0.5 ** (age_days / self.half_life_days)
            vec += w * e.vector
            cats[e.category] = cats.get(e.category, 0.0) + w
            brands[e.brand] = brands.get(e.brand, 0.0) + w
            strength += abs(w)
        norm = float(np.linalg.norm(vec))
        squash = {k: math.tanh(v / 2.0) for k, v in cats.items()}
        squash_b = {k: math.tanh(v / 2.0) for k, v in brands.items()}
        positives = tuple(dict.fromkeys(e.item_id for e in self.events if e.weight > 0))
        return ProfileView(vec / norm if norm > 1e-9 else None, squash, squash_b, strength, positives)


def affinity(view: ProfileView, vectors: np.ndarray, products: list[Product]) -> np.ndarray:
    """Per-candidate affinity in [-1, 1]: 0.6 x embedding similarity + 0.25 x category + 0.15 x brand preference."""
    n = len(products)
    if view.strength == 0.0 or n == 0:
        return np.zeros(n)
    sim = vectors @ view.vector if view.vector is not None else np.zeros(n)
    cat = np.array([view.categories.get(p.category, 0.0) for p in products])
    brand = np.array([view.brands.get(p.brand, 0.0) for p in products])
    confidence = min(1.0, view.strength / 2.0)  # one like is a hint, several are a taste
    return confidence * (0.6 * sim + 0.25 * cat + 0.15 * brand)
