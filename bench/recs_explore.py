"""Exploration benchmark: a seeded simulation of shoppers with hidden tastes over the default catalog.

Pure exploitation, random, and the blended policy (Thompson; also UCB) face the same requests; we report
cumulative reward (clicks + purchases), regret against an oracle that knows the hidden tastes, catalog
coverage, intra-list diversity, novelty, how many requests a brand-new item waits before its first show,
an IPS / SNIPS off-policy estimate of a new weighting from the blend's logged propensities (checked
against running that weighting for real), and the latency of ranking 100 candidates.

    python -m bench.recs_explore [--turns 3000] [--users 200] [--products 5000] [--seed 13]
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import numpy as np

from assistant.ranking.diversity import similarity_matrix
from assistant.ranking.policy import RankingPolicy, topk_probabilities
from assistant.settings import RankerWeights, Settings
from assistant.stores import open_stores
from retrieval.atomic import write_text_atomic
from retrieval.catalog.generate import REFERENCE_DATE, generate_catalog
from retrieval.product import Product
from retrieval.records import Hit
from training.users import (
    SyntheticUser,
    generate_users,
    item_quality,
    simulate_histories,
)

log = logging.getLogger("bench.recs_explore")
OUT = Path(__file__).resolve().parent / "out" / "recs_explore.json"
K = 5
POSITION_BIAS = np.array([0.9 ** j for j in range(K)])
PURCHASE_RATE = 0.25
TARGET = RankerWeights(affinity=1.0, popularity=0.1, exploration=0.2)  # the "new weighting" judged off-policy


@dataclass(frozen=True)
class World:
    catalog: list[Product]
    users: list[SyntheticUser]
    new_ids: frozenset[str]
    warm: list  # Interaction history before the simulation
    requests: list[tuple[int, list[Hit]]]  # (user index, candidates) per turn
    seed: int


def make_world(n_products: int, n_users: int, turns: int, seed: int, n_new: int = 10) -> World:
    catalog = generate_catalog(n_products, seed=seed)
    rng = np.random.default_rng(seed)
    fresh = (REFERENCE_DATE - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    new_idx = rng.choice(len(catalog), size=n_new, replace=False)
    for i in new_idx:
        catalog[i] = replace(catalog[i], created_at=fresh, rating=0.0, review_count=0)
    new_ids = frozenset(catalog[i].id for i in new_idx)
    old = [p for p in catalog if p.id not in new_ids]
    users = generate_users(old, n_users, seed, demo=False)
    warm = simulate_histories(users, old, seed)
    by_type: dict[str, list[Product]] = {}
    for p in catalog:
        by_type.setdefault(p.product_type, []).append(p)
    types_of = {c: sorted({p.product_type for p in catalog if p.category == c}) for c in {p.category for p in catalog}}
    requests = []
    for _ in range(turns):
        u = int(rng.integers(len(users)))
        cat = users[u].categories[0] if rng.random() < 0.5 else (users[u].categories[1] if rng.random() < 0.6 else rng.choice(sorted(types_of)))
        pool = [p for t in types_of[cat] for p in by_type[t]]
        chosen = rng.choice(len(pool), size=min(100, len(pool)), replace=False)
        requests.append((u, [Hit(pool[i], float(rng.uniform(0.40, 0.50))) for i in chosen]))
    return World(catalog, users, new_ids, warm, requests, seed)


def click_prob(world: World, user: SyntheticUser, p: Product) -> float:
    return user.click_probability(p, item_quality(p.id, world.seed))


def new_policy(world: World, weights: RankerWeights, seed: int) -> RankingPolicy:
    store = open_stores(Settings(database_url="sqlite://")).interactions  # in memory, one per simulated policy
    store.log_many(world.warm)
    pol = RankingPolicy(weights, interactions=store, rng=np.random.default_rng(seed), now=lambda: REFERENCE_DATE,
                        log_views=False)
    pol.remember(world.catalog)
    return pol


@dataclass
class Run:
    rewards: list[float]
    regrets: list[float]
    shown: Counter
    ild: list[float]
    novelty: list[float]
    first_show: dict[str, int]  # new item -> requests it was a candidate in before its first show
    logged: list[tuple[list[int], list[float], list[float], np.ndarray]]  # per turn: shown idx, rewards, propensities, target P


def simulate(world: World, ranker, name: str, seed: int, off_policy: bool = False) -> Run:
    rng = np.random.default_rng(seed + 1000)
    pop = Counter(e.item_id for e in world.warm if e.kind in ("click", "purchase"))
    total_pop = sum(pop.values()) + len(world.catalog)
    run = Run([], [], Counter(), [], [], {}, [])
    waits: Counter = Counter()
    for u, hits in world.requests:
        user = world.users[u]
        sig = ranker.signals(user.user_id, hits) if off_policy else None
        slate = ranker.rank(user.user_id, hits, K)
        ranker.record_views(user.user_id, slate)  # the slate is shown (ranking itself changes nothing)
        shown = [c.product for c in slate]
        probs = np.array([click_prob(world, user, p) for p in shown])
        run.regrets.append(_oracle(world, ranker, user, hits) - float((POSITION_BIAS[:len(shown)] * probs).sum() * (1 + PURCHASE_RATE)))
        rewards = _react(ranker, user, shown, probs, rng)
        run.rewards.append(sum(rewards))
        run.shown.update(p.id for p in shown)
        if len(shown) > 1:
            sim = similarity_matrix(shown, shown)
            run.ild.append(float(1.0 - sim[np.triu_indices(len(shown), 1)].mean()))
        run.novelty.extend(-math.log2((pop[p.id] + 1) / total_pop) for p in shown)
        _track_new(world, hits, shown, waits, run.first_show)
        if sig is not None:
            run.logged.append(_log_entry(sig, slate, rewards, rng))
    log.info("%s: reward %.0f", name, sum(run.rewards))
    return run


def _react(ranker, user: SyntheticUser, shown: list[Product], probs: np.ndarray, rng) -> list[float]:
    rewards = []
    for j, (p, cp) in enumerate(zip(shown, probs)):
        r = 0.0
        if rng.random() < POSITION_BIAS[j] * cp:
            ranker.feedback(user.user_id, p.id, "click")
            r = 1.0
            if rng.random() < PURCHASE_RATE:
                ranker.feedback(user.user_id, p.id, "purchase")
                r = 2.0
        rewards.append(r)
    return rewards


def _oracle(world: World, ranker, user: SyntheticUser, hits: list[Hit]) -> float:
    owned = ranker.purchased(user.user_id)
    probs = sorted((click_prob(world, user, h.product) for h in hits if h.product.consumable or h.product.id not in owned), reverse=True)
    return float((POSITION_BIAS[:len(probs[:K])] * np.array(probs[:K])).sum() * (1 + PURCHASE_RATE))


def _track_new(world: World, hits: list[Hit], shown: list[Product], waits: Counter, first: dict[str, int]) -> None:
    shown_ids = {p.id for p in shown}
    for h in hits:
        pid = h.product.id
        if pid in world.new_ids and pid not in first:
            if pid in shown_ids:
                first[pid] = waits[pid]
            else:
                waits[pid] += 1


def _log_entry(sig, slate, rewards, rng):
    index = {p.id: i for i, p in enumerate(sig.products)}
    w = np.array([TARGET.relevance, TARGET.affinity, TARGET.sequential, TARGET.popularity])
    draws = TARGET.exploration * rng.beta(sig.alpha, sig.beta, size=(64, len(sig.products)))
    target = topk_probabilities(sig.values @ w, draws, K)
    idx = [index[c.product.id] for c in slate]
    return idx, rewards, [c.propensity for c in slate], target[idx]


class RandomRanker:
    """Uniformly random k of the eligible candidates (never a bought non-consumable)."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.owned: dict[str, set[str]] = {}

    def purchased(self, user_id: str) -> set[str]:
        return self.owned.setdefault(user_id, set())

    def rank(self, user_id: str, hits: list[Hit], k: int):
        from assistant.records import Candidate, ScoreBreakdown

        pool = [h for h in hits if h.product.consumable or h.product.id not in self.purchased(user_id)]
        pick = self.rng.choice(len(pool), size=min(k, len(pool)), replace=False)
        return [Candidate(pool[i].product, 0.0, ScoreBreakdown((("random", 0.0),)), j, k / len(pool)) for j, i in enumerate(pick)]

    def feedback(self, user_id: str, product_id: str, kind: str) -> None:
        if kind == "purchase":
            self.purchased(user_id).add(product_id)

    def record_views(self, user_id: str, cands) -> None:
        return None


def summarize(world: World, run: Run, turns: int) -> dict:
    waits = [run.first_show.get(i) for i in sorted(world.new_ids)]
    shown_waits = [w for w in waits if w is not None]
    return {
        "reward": float(sum(run.rewards)), "reward_per_turn": float(np.mean(run.rewards)),
        "regret": float(sum(run.regrets)), "coverage": len(run.shown) / len(world.catalog),
        "ild": float(np.mean(run.ild)), "novelty_bits": float(np.mean(run.novelty)),
        "new_items_shown": f"{len(shown_waits)}/{len(waits)}",
        "new_item_wait_median": float(np.median(shown_waits)) if shown_waits else None,
        "new_item_wait_max": max(shown_waits) if shown_waits else None, "turns": turns,
    }


def off_policy(run: Run) -> dict:
    """Item-level IPS and SNIPS of TARGET from the blend's logs (reward per slate)."""
    num, weights, n = 0.0, 0.0, 0
    for _, rewards, p_log, p_target in run.logged:
        w = np.asarray(p_target) / np.asarray(p_log)
        num += float((np.asarray(rewards) * w).sum())
        weights += float(w.sum())
        n += 1
    return {"ips": num / n, "snips": K * num / weights if weights else 0.0, "slates": n}


def latency(world: World, reps: int = 300) -> dict:
    pol = new_policy(world, RankerWeights(), seed=1)
    user = world.users[0].user_id
    hits = world.requests[0][1][:100]
    pol.rank(user, hits, K)  # warm caches
    ours, base = [], []
    for _ in range(reps):
        t = time.perf_counter()
        pol.rank(user, hits, K)
        ours.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        sorted(hits, key=lambda h: -h.relevance)[:K]
        base.append((time.perf_counter() - t) * 1000)
    return {"candidates": len(hits), "p50_ms": float(np.median(ours)), "p95_ms": float(np.percentile(ours, 95)),
            "baseline_sort_p50_ms": float(np.median(base)), "ratio_p50": float(np.median(ours) / np.median(base))}


def tables(res: dict) -> str:
    rows = res["policies"]
    base = rows["exploit"]["reward"]
    out = ["| Policy | Reward (clicks+purchases) | vs exploit | Regret | Coverage | Intra-list diversity | Novelty (bits) | New items shown | Wait to first show (median / max requests) |",
           "|---|---|---|---|---|---|---|---|---|"]
    for name, m in rows.items():
        wait = f"{m['new_item_wait_median']:.0f} / {m['new_item_wait_max']}" if m["new_item_wait_median"] is not None else "never"
        out.append(f"| {name} | {m['reward']:.0f} | {m['reward'] / base:.2f}x | {m['regret']:.0f} | {m['coverage']:.3f} | "
                   f"{m['ild']:.3f} | {m['novelty_bits']:.2f} | {m['new_items_shown']} | {wait} |")
    o = res["off_policy"]
    out += ["", "| Off-policy estimate of the new weighting (affinity 1.0, popularity 0.1, exploration 0.2) | reward / slate |",
            "|---|---|", f"| logging policy (blend), observed | {o['logging_observed']:.4f} |",
            f"| IPS estimate | {o['ips']:.4f} |", f"| SNIPS estimate | {o['snips']:.4f} |",
            f"| new weighting run online (ground truth) | {o['target_observed']:.4f} |"]
    lat = res["latency"]
    out += ["", "| Ranking latency | p50 ms | p95 ms | relevance-sort baseline p50 ms | ratio |", "|---|---|---|---|---|",
            f"| {lat['candidates']} candidates, k={K} | {lat['p50_ms']:.2f} | {lat['p95_ms']:.2f} | {lat['baseline_sort_p50_ms']:.3f} | {lat['ratio_p50']:.0f}x |"]
    return "\n".join(out)


def write_json(payload: dict) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(OUT, json.dumps(payload, indent=2))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", type=int, default=2000)
    ap.add_argument("--users", type=int, default=150)
    ap.add_argument("--products", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    t0 = time.perf_counter()
    world = make_world(args.products, args.users, args.turns, args.seed)
    policies = {
        "exploit": lambda: new_policy(world, RankerWeights(exploration=0.0, diversity_lambda=1.0), args.seed),
        "random": lambda: RandomRanker(args.seed),
        "blend (Thompson)": lambda: new_policy(world, RankerWeights(), args.seed),
        "blend (UCB)": lambda: new_policy(world, RankerWeights(exploration_mode="ucb"), args.seed),
        "blend (Thompson, prior 12)": lambda: new_policy(world, RankerWeights(prior_strength=12.0), args.seed),
    }
    res: dict = {"command": "python -m bench.recs_explore " + " ".join(argv if argv is not None else sys.argv[1:]),
                 "config": vars(args), "policies": {}}
    runs = {}
    for name, make in policies.items():
        runs[name] = simulate(world, make(), name, args.seed, off_policy=name == "blend (Thompson)")
        res["policies"][name] = summarize(world, runs[name], args.turns)
    target = simulate(world, new_policy(world, TARGET, args.seed), "target", args.seed)
    res["off_policy"] = {**off_policy(runs["blend (Thompson)"]), "logging_observed": float(np.mean(runs["blend (Thompson)"].rewards)),
                         "target_observed": float(np.mean(target.rewards)), "target_weights": TARGET.model_dump()}
    res["latency"] = latency(world)
    res["seconds"] = time.perf_counter() - t0
    write_json(res)
    print(tables(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
