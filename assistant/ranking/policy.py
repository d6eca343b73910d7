"""RankingPolicy: blends retrieval relevance, history affinity, the sequential model, popularity and a
Thompson/UCB exploration draw, re-ranks with MMR for diversity and applies the hard rules.

Final score of a shown item = relevance + affinity + sequential + popularity + exploration + diversity
(each already weighted by ``Settings.ranker``); the breakdown keeps exactly these parts.

Propensity: the policy is stochastic only through the Thompson draws. For each shown item we record
the probability that it lands in the top-k under the policy's own score distribution, estimated by
Monte-Carlo over ``propensity_draws`` independent Thompson draws of the blended score (the MMR step is
left out of this estimate); clipped below at 1 / (2 x draws). Under UCB the policy is deterministic and
every shown item has propensity 1.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from assistant.interactions import Interaction, InteractionStore
from assistant.ranking.bandit import BanditConfig, BetaPosteriors
from assistant.ranking.diversity import mmr
from assistant.ranking.explain import reasons
from assistant.ranking.popularity import Popularity
from assistant.ranking.profile import ProfileView, UserProfile, affinity, parse_ts
from assistant.ranking.rules import eligible
from assistant.ranking.vectors import AttributeVectors, ItemVectors
from assistant.records import Candidate, ScoreBreakdown
from assistant.settings import RankerWeights
from assistant.users import is_anonymous_id
from retrieval.product import Product
from retrieval.records import Hit, SearchFilters

log = logging.getLogger(__name__)

PARTS = ("relevance", "affinity", "sequential", "popularity", "exploration")
Lookup = Callable[[list[str]], list[Product]]
MAX_REMEMBERED_SHOWS = 100_000


@dataclass(frozen=True)
class Signals:
    """Unweighted per-candidate signals: ``values`` (n, 4) = relevance, affinity, sequential, popularity;
    the Beta posterior (alpha, beta) of each candidate; the new-arrival mask."""

    products: tuple[Product, ...]
    values: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    new: np.ndarray


def topk_probabilities(fixed: np.ndarray, draw_parts: np.ndarray, k: int, mode: str = "thompson") -> np.ndarray:
    """P(candidate in the top-k) of ``fixed + draw`` over the rows of ``draw_parts`` (Monte-Carlo over
    Thompson draws; see the module docstring). Deterministic (UCB) rankings give 1 for the top-k, else 0."""
    n = len(fixed)
    if k >= n:
        return np.ones(n)
    if mode != "thompson" or len(draw_parts) == 0:
        out = np.zeros(n)
        total = fixed + (draw_parts[0] if len(draw_parts) else 0.0)
        out[np.argsort(-total, kind="stable")[:k]] = 1.0
        return out
    totals = fixed[None, :] + draw_parts
    top = np.argpartition(-totals, k - 1, axis=1)[:, :k]
    counts = np.bincount(top.ravel(), minlength=n).astype(float)
    return np.clip(counts / len(draw_parts), 1.0 / (2.0 * len(draw_parts)), 1.0)


class RankingPolicy:
    def __init__(self, weights: RankerWeights | None = None, *, interactions: InteractionStore | None = None,
                 lookup: Lookup | None = None, vectors: ItemVectors | None = None, sequential=None,
                 rng: np.random.Generator | None = None, now: Callable[[], datetime] | None = None,
                 log_views: bool = True, max_profiles: int = 10_000) -> None:
        self.w = weights or RankerWeights()
        self.store = interactions
        self.lookup = lookup
        self.vectors = vectors or AttributeVectors()
        self.sequential = sequential
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.log_views = log_views
        self.bandit = BetaPosteriors(BanditConfig(mode=self.w.exploration_mode, prior_strength=self.w.prior_strength,
                                                  new_item_bonus=self.w.new_item_bonus))
        self.popularity = Popularity()
        self.max_profiles = max(1, max_profiles)
        self._profiles: OrderedDict[str, UserProfile] = OrderedDict()  # per-user LRU, rebuilt from the store
        self._purchased: dict[str, set[str]] = {}
        self._products: dict[str, Product] = {}
        # (user, item) -> (position, propensity) of the latest show, so feedback can log them; bounded
        self._shown: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()
        self._lock = threading.RLock()
        if self.store is not None:
            self._warm_from_store()
        self._started = (copy.deepcopy(self.bandit), copy.deepcopy(self.popularity))

    def restart(self, seed: int) -> None:
        """Back to the state right after start-up (the posteriors and popularity warmed from the store, no
        profiles or shows in memory) with the exploration draws reseeded. Replay calls it before every
        conversation, so a conversation's rankings never depend on which worker replayed what before it."""
        with self._lock:
            self.rng = np.random.default_rng(seed)
            self.bandit, self.popularity = (copy.deepcopy(x) for x in self._started)
            self._profiles.clear()
            self._purchased.clear()
            self._shown.clear()

    @classmethod
    def from_settings(cls, settings, *, engine=None, index=None, interactions=None) -> "RankingPolicy":
        from assistant.sequential.scorer import SequentialScorer

        if interactions is None and engine is not None:
            interactions = InteractionStore(engine)
        lookup = index.get if index is not None else None
        seq = SequentialScorer.load_if_built(settings.models_dir / "sequential")
        return cls(settings.ranker, interactions=interactions, lookup=lookup, sequential=seq,
                   rng=np.random.default_rng(settings.seed), max_profiles=settings.max_cached_profiles)

    # state --------------------------------------------------------------------------------
    def forget(self, user_id: str) -> None:
        """Drop a user's in-memory profile, purchases and shown-item records (privacy deletion)."""
        with self._lock:
            self._profiles.pop(user_id, None)
            self._purchased.pop(user_id, None)
            for key in [k for k in self._shown if k[0] == user_id]:
                del self._shown[key]

    def remember(self, products: list[Product]) -> None:
        """Make products known to the policy (for histories and feedback) without a lookup."""
        for p in products:
            self._products[p.id] = p

    def _resolve(self, ids: list[str]) -> dict[str, Product]:
        missing = [i for i in dict.fromkeys(ids) if i not in self._products]
        if missing and self.lookup is not None:
            self.remember(self.lookup(missing))
        return {i: self._products[i] for i in ids if i in self._products}

    def _warm_from_store(self) -> None:
        """Global posteriors and popularity from every logged interaction (once, at start)."""
        events = self.store.all()
        known = self._resolve([e.item_id for e in events])
        for e in events:
            if is_anonymous_id(e.user_id):  # visitors only ever move their own session's profile
                continue
            p = known.get(e.item_id)
            if p is not None:
                self.bandit.update(p, e.kind)
            self.popularity.update(e.item_id, e.kind)
        log.info("ranking policy warmed from %d interactions", len(events))

    def _profile(self, user_id: str) -> UserProfile:
        prof = self._profiles.get(user_id)
        if prof is not None:
            self._profiles.move_to_end(user_id)
        else:
            prof = self._profiles[user_id] = UserProfile(self.w.recency_half_life_days)
            while len(self._profiles) > self.max_profiles:  # least recently used first; rebuilt on return
                old, _ = self._profiles.popitem(last=False)
                self._purchased.pop(old, None)
            if self.store is not None:
                history = self.store.history(user_id, limit=200)
                known = self._resolve([i.item_id for i in history])
                vecs = self._vectors_by_id(list(known.values()))
                for i in history:
                    if i.item_id in known:
                        prof.add(known[i.item_id], vecs[i.item_id], i.kind, parse_ts(i.ts))
                self._purchased[user_id] = self.store.purchased(user_id)
        return prof

    def _vectors_by_id(self, products: list[Product]) -> dict[str, np.ndarray]:
        return dict(zip((p.id for p in products), self.vectors.vectors(products))) if products else {}

    def purchased(self, user_id: str) -> set[str]:
        self._profile(user_id)
        return self._purchased.setdefault(user_id, set())

    # ranking ------------------------------------------------------------------------------
    def rank(self, user_id: str, hits: list[Hit], k: int = 5, *, avoid: tuple[str, ...] = (),
             filters: SearchFilters | None = None, searching: bool = False) -> list[Candidate]:
        """The ``k`` items to show, best first, each with its score breakdown and propensity. Ranking changes
        nothing: what was shown is applied by whoever shows it (the Assistant commits a ``LogViews`` effect with
        the turn, then ``remember_views``; a simulation calls ``record_views``).
        ``searching``: the shopper asked for something in words, so exploration and diversity use the
        gentler ``search_exploration`` / ``search_diversity_lambda`` and cannot bury what was asked for."""
        with self._lock:  # front ends call from several threads; the posteriors and rng are shared
            return self._rank(user_id, hits, k, avoid, filters, searching)

    def _rank(self, user_id: str, hits: list[Hit], k: int, avoid: tuple[str, ...],
              filters: SearchFilters | None, searching: bool = False) -> list[Candidate]:
        explore = self.w.search_exploration if searching else self.w.exploration
        diversity = self.w.search_diversity_lambda if searching else self.w.diversity_lambda
        if k <= 0:
            return []
        pool = eligible(hits, self.purchased(user_id), avoid, filters)
        if not pool:
            return []
        products = [h.product for h in pool]
        self.remember(products)
        view = self._profile(user_id).view(self.now())
        sig = self._signals(view, pool)
        draws = self.bandit.draw(sig.alpha, sig.beta, self.rng, size=self.w.propensity_draws + 1)
        fixed = sig.values @ self._weight_vector(self.w)
        parts = np.column_stack([sig.values * self._weight_vector(self.w), explore * draws[0]])
        avoid_products = list(self._resolve(list(avoid)).values())
        picks = mmr(parts.sum(axis=1), products, k, diversity, avoid_products)
        propensity = (topk_probabilities(fixed, explore * draws[1:], k) if self.w.exploration_mode == "thompson"
                      else np.ones(len(products)))  # UCB is deterministic: every shown item had probability 1
        exploit = fixed + explore * sig.alpha / (sig.alpha + sig.beta)  # without the exploration draw
        exploit_top = set(np.argsort(-exploit, kind="stable")[:k].tolist())
        cands = [self._candidate(products[i], parts[i], div, pos, propensity[i], view,
                                 (bool(sig.new[i]), i not in exploit_top), filters)
                 for pos, (i, div) in enumerate(picks)]
        return cands

    @staticmethod
    def _weight_vector(w: RankerWeights) -> np.ndarray:
        return np.array([w.relevance, w.affinity, w.sequential, w.popularity])

    def signals(self, user_id: str, hits: list[Hit], *, avoid: tuple[str, ...] = (),
                filters: SearchFilters | None = None) -> Signals:
        """The unweighted signals the policy would blend for these hits (for off-policy evaluation)."""
        pool = eligible(hits, self.purchased(user_id), avoid, filters)
        self.remember([h.product for h in pool])
        return self._signals(self._profile(user_id).view(self.now()), pool)

    def _signals(self, view: ProfileView, pool: list[Hit]) -> Signals:
        products = [h.product for h in pool]
        n = len(products)
        rel = np.array([h.relevance for h in pool], dtype=float)
        aff = affinity(view, self.vectors.vectors(products), products) if view.strength else np.zeros(n)
        seq = (self.sequential.scores(view.items, [p.id for p in products])
               if self.sequential is not None and view.items else np.zeros(n))
        new = self._new_mask(products)
        pop = self.popularity.scores(products, new)
        alpha, beta = self.bandit.params(products, new)
        return Signals(tuple(products), np.column_stack([rel, aff, seq, pop]), alpha, beta, new)

    def _new_mask(self, products: list[Product]) -> np.ndarray:
        cutoff = self.now() - timedelta(days=self.w.new_item_days)
        out = np.zeros(len(products), dtype=bool)
        for i, p in enumerate(products):
            try:
                out[i] = parse_ts(p.created_at) >= cutoff
            except ValueError:
                out[i] = False
        return out

    def _candidate(self, p: Product, parts: np.ndarray, diversity: float, position: int, propensity: float,
                   view: ProfileView, flags: tuple[bool, bool], filters: SearchFilters | None) -> Candidate:
        """``flags``: (new arrival, shown only thanks to the exploration draw)."""
        named = dict(zip(PARTS, (float(v) for v in parts)))
        named["diversity"] = float(diversity)
        items = tuple(named.items())
        total = sum(v for _, v in items)  # the exact sum the breakdown reports
        new, lucky = flags
        exploratory = lucky or (new and self.bandit.observations(p.id) < self.bandit.config.min_observations)
        why = reasons(p, named, new_arrival=new, exploratory=exploratory,
                      category_pref=view.categories.get(p.category, 0.0), brand_pref=view.brands.get(p.brand, 0.0),
                      filters=filters)
        return Candidate(product=p, score=total, breakdown=ScoreBreakdown(items, why, exploratory),
                         position=position, propensity=float(propensity))

    def record_views(self, user_id: str, cands: list[Candidate]) -> None:
        """Apply a show outside a turn (simulations, benches): views remembered and, if enabled, logged."""
        items = [(c.product.id, c.position, c.propensity) for c in cands]
        self.remember_views(user_id, items)
        if self.log_views and self.store is not None:
            self.store.log_many(self.view_interactions(user_id, None, items))

    def view_interactions(self, user_id: str, session_id: str | None,
                          items: list[tuple[str, int, float | None]]) -> list[Interaction]:
        """The "view" rows of shown items (empty when view logging is off)."""
        if not self.log_views:
            return []
        ts = self.now().isoformat(timespec="microseconds").replace("+00:00", "Z")
        return [Interaction(user_id, pid, "view", ts, pos, prop, session_id) for pid, pos, prop in items]

    def remember_views(self, user_id: str, items: list[tuple[str, int, float | None]]) -> None:
        """In-memory effect of a committed show: positions/propensities for later feedback, view counts."""
        with self._lock:
            known = self._resolve([pid for pid, _, _ in items])
            for pid, pos, prop in items:
                self._shown.pop((user_id, pid), None)
                self._shown[(user_id, pid)] = (pos, prop)
                if pid in known and not is_anonymous_id(user_id):
                    self.bandit.update(known[pid], "view")
            while len(self._shown) > MAX_REMEMBERED_SHOWS:
                self._shown.popitem(last=False)

    # feedback -----------------------------------------------------------------------------
    def feedback(self, user_id: str, product_id: str, kind: str, *, session_id: str | None = None) -> None:
        """Record the interaction and update posteriors, popularity and the user's profile at once."""
        event = self.feedback_interaction(user_id, product_id, kind, session_id=session_id)
        if self.store is not None:
            self.store.log(event)
        self.learn(event)

    def feedback_interaction(self, user_id: str, product_id: str, kind: str, *,
                             session_id: str | None = None) -> Interaction:
        """The interaction row of a feedback, with the position and propensity of the latest show."""
        with self._lock:
            position, propensity = self._shown.get((user_id, product_id), (None, None))
        ts = self.now().isoformat(timespec="microseconds").replace("+00:00", "Z")
        return Interaction(user_id, product_id, kind, ts, position, propensity, session_id)  # validates kind and ids

    def learn(self, event: Interaction) -> None:
        """In-memory effect of a committed feedback. Anonymous visitors change only their own (per-visitor,
        bounded) profile: they cannot move the global posteriors or popularity."""
        with self._lock:
            product = self._resolve([event.item_id]).get(event.item_id)
            if product is None:
                log.warning("feedback on unknown product %s: logged, not learned from", event.item_id)
                return
            if not is_anonymous_id(event.user_id):
                self.bandit.update(product, event.kind)
                self.popularity.update(event.item_id, event.kind)
            prof = self._profile(event.user_id)
            prof.add(product, self.vectors.vectors([product])[0], event.kind, parse_ts(event.ts))
            owned = self._purchased.setdefault(event.user_id, set())
            if event.kind == "purchase":
                owned.add(event.item_id)
            elif event.kind == "return":
                owned.discard(event.item_id)
