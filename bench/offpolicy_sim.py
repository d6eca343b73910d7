"""A synthetic ranking log with known propensities and a known click model, to validate the off-policy
estimators (tests, ``python -m bench.offpolicy``): slates of items with random raw score parts, ranked by the
logging weights with a Plackett-Luce draw (so each logged propensity is exact), clicks from a position-biased
logistic model of relevance and affinity; the true per-impression value of any weighting is computed exactly."""

from __future__ import annotations

import numpy as np

from assistant.analytics.target_policy import LoggedSlate, plackett_luce_marginals, rescore
from assistant.analytics.turn_log import ShownItem
from assistant.settings import RankerWeights

SLOT_BIAS = np.array([1.0, 0.45, 0.2, 0.1])
PARTS = ("relevance", "affinity", "popularity", "exploration")


def click_prob(raw: dict[str, float], slot: int) -> float:
    return float(1 / (1 + np.exp(-(3 * raw["relevance"] + 2 * raw["affinity"] - 3.5))) * SLOT_BIAS[slot])


def _items(rng, n: int, weights: RankerWeights):
    raws = [{p: float(rng.uniform()) for p in PARTS} for _ in range(n)]
    items = [ShownItem(f"p{i}", i + 1, 1.0, False, tuple((p, getattr(weights, p) * raw[p]) for p in PARTS))
             for i, raw in enumerate(raws)]
    return raws, items


def true_value(raws, items, policy_weights: RankerWeights, logging: RankerWeights, temperature: float) -> float:
    scores = np.array([rescore(it, policy_weights, logging) for it in items])
    probs = plackett_luce_marginals(scores, temperature)
    n = len(items)
    return float(sum(probs[i, k] * click_prob(raws[i], k) for i in range(n) for k in range(n)) / n)


def simulate(n_slates: int, seed: int, logging: RankerWeights, targets: dict[str, RankerWeights],
             temperature: float = 0.25, n_items: int = 4):
    """Logged slates (drawn from the logging policy) and the true per-impression value of each policy."""
    rng = np.random.default_rng(seed)
    slates, truth = [], {name: 0.0 for name in ("logging", *targets)}
    for j in range(n_slates):
        raws, items = _items(rng, n_items, logging)
        scores = np.array([rescore(it, logging, logging) for it in items])
        probs = plackett_luce_marginals(scores, temperature)
        order = np.argsort(-(scores / temperature + rng.gumbel(size=n_items)))  # one Plackett-Luce draw
        shown, rewards = [], []
        for k, i in enumerate(order):
            it = items[i]
            shown.append(ShownItem(it.item_id, k + 1, float(probs[i, k]), False, it.parts))
            rewards.append(float(rng.uniform() < click_prob(raws[i], k)))
        slates.append(LoggedSlate(f"t{j}", f"u{j % 50}", tuple(shown), tuple(rewards)))
        truth["logging"] += true_value(raws, items, logging, logging, temperature) / n_slates
        for name, w in targets.items():
            truth[name] += true_value(raws, items, w, logging, temperature) / n_slates
    return slates, truth


def write_slates(event_log, slates) -> None:
    """Write simulated slates as real conversations: one session a slate, rewards as CartAdded events."""
    from assistant.analytics.turn_log import TurnMeasured
    from assistant.events import BotUttered, CartAdded, ProductsShown, SessionStarted, UserUttered

    for j, s in enumerate(slates):
        sid = f"sim{j}"
        event_log.append(sid, s.user_id, SessionStarted(), UserUttered("show me something", "search_products", 0.9),
                         ProductsShown(tuple(i.item_id for i in s.items)), BotUttered("Here you go.", "search"),
                         TurnMeasured(shown=s.items))
        added = [CartAdded(i.item_id, i.item_id, 10.0, 1) for i, r in zip(s.items, s.rewards) if r]
        if added:
            event_log.append(sid, s.user_id, *added)
