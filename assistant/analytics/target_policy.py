"""Target ranking policies for off-policy evaluation, evaluated on a logged slate.

A logged slate is the list of products shown in one turn, each with its position, the logging policy's
propensity (probability of that item at that position) and its ``ScoreBreakdown.parts``. Parts are weighted
contributions (``weight * raw``), so a different ``RankerWeights`` re-scores an item as
``sum(raw_part * new_weight)``; parts that are not a RankerWeights field (penalties, rules) are kept as they are.

The target policy is a Plackett-Luce (softmax without replacement) ranking of the slate's items by their
re-scored values at ``temperature``; its probability of putting item i at slot k is computed exactly by
enumerating permutations (slates up to 7 items) or by seeded Gumbel sampling (larger slates).
Limitation: only the shown items are logged, not the full candidate set, so a target can only re-order
what was shown; it cannot bring in items the logging policy never showed.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.analytics.turn_log import ShownItem
from assistant.settings import RankerWeights

WEIGHT_PARTS = ("relevance", "affinity", "sequential", "popularity", "exploration")
EXACT_MAX_ITEMS = 7
MC_SAMPLES = 4000


@dataclass(frozen=True)
class LoggedSlate:
    context_id: str  # the turn reference
    user_id: str
    items: tuple[ShownItem, ...]  # in slot order (slot k = k-th smallest logged position)
    rewards: tuple[float, ...]  # one per item

    @property
    def propensities(self) -> np.ndarray:
        return np.array([i.propensity for i in self.items], dtype=float)


class TargetPolicy(Protocol):
    def slot_probabilities(self, slate: LoggedSlate) -> np.ndarray:
        """Matrix P[i, k]: probability that the policy puts slate item i in slot k."""


@functools.lru_cache(maxsize=EXACT_MAX_ITEMS + 1)
def _permutations(n: int) -> np.ndarray:
    return np.array(list(itertools.permutations(range(n))), dtype=np.int64).reshape(-1, n)


def plackett_luce_marginals(scores: np.ndarray, temperature: float, seed: int = 0) -> np.ndarray:
    """P[i, k] = probability item i lands in slot k when ranking by softmax(scores / T) without replacement."""
    n = len(scores)
    logits = np.asarray(scores, dtype=float) / max(temperature, 1e-9)
    logits = logits - logits.max()
    if n <= EXACT_MAX_ITEMS:
        perms = _permutations(n)
        w = np.exp(logits)[perms]  # (P, n): weight of the item in each slot
        left = w.sum(axis=1, keepdims=True) - np.concatenate([np.zeros((len(perms), 1)), np.cumsum(w, axis=1)[:, :-1]], axis=1)
        p = np.prod(w / left, axis=1)
        return np.stack([np.bincount(perms[:, k], weights=p, minlength=n) for k in range(n)], axis=1)
    rng = np.random.default_rng(seed)
    order = np.argsort(-(logits[None, :] + rng.gumbel(size=(MC_SAMPLES, n))), axis=1)
    probs = np.zeros((n, n))
    for k in range(n):
        probs[:, k] = np.bincount(order[:, k], minlength=n) / MC_SAMPLES
    return probs


def raw_features(item: ShownItem, logging: RankerWeights) -> dict[str, float]:
    """Unweighted parts (value / logging weight); fixed parts under their own names."""
    out: dict[str, float] = {}
    for name, value in item.parts:
        w = getattr(logging, name, None) if name in WEIGHT_PARTS else None
        out[name] = out.get(name, 0.0) + (value / w if w else (0.0 if w is not None else value))
    return out


def rescore(item: ShownItem, target: RankerWeights, logging: RankerWeights) -> float:
    total = 0.0
    for name, value in raw_features(item, logging).items():
        total += value * getattr(target, name) if name in WEIGHT_PARTS else value
    return total


@dataclass(frozen=True)
class ReweightedPolicy:
    """The ranker with ``target`` weights, re-scoring logged parts that were made with ``logging`` weights."""

    target: RankerWeights
    logging: RankerWeights
    temperature: float = 0.25

    def slot_probabilities(self, slate: LoggedSlate) -> np.ndarray:
        scores = np.array([rescore(i, self.target, self.logging) for i in slate.items])
        return plackett_luce_marginals(scores, self.temperature)
