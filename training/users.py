"""Seeded synthetic shoppers with coherent tastes, and their behaviour histories over a catalog.

Each user has favourite categories, brands and a price band (hidden tastes). A user's history is a
series of sessions: within a favourite category they walk through the category's product types in a
fixed order (so the next item is predictable from the previous ones, which the sequential model can
learn), viewing, clicking, sometimes liking, adding to cart and buying. The demo customers (alice,
bob, carol) get fixed tastes matching their descriptions; dave stays a cold-start user.
"""

from __future__ import annotations

import logging
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from assistant.interactions import Interaction
from retrieval.product import Product

log = logging.getLogger(__name__)

DEMO_TASTES = {"alice": ("footwear", "sports & outdoors"), "bob": ("electronics", "office"), "carol": ("beauty", "home")}
REFERENCE_DATE = datetime(2026, 11, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class SyntheticUser:
    user_id: str
    categories: tuple[str, ...]  # favourite categories, most liked first
    brands: tuple[str, ...]  # favourite brands
    price_band: tuple[float, float]  # relative to each type's price range: 0 = cheapest, 1 = dearest
    activity: float  # expected sessions

    def utility(self, p: Product, quality: float) -> float:
        """Hidden liking of a product (higher = more likely to click and buy)."""
        u = quality
        if p.category in self.categories:
            u += 1.5 if p.category == self.categories[0] else 1.0
        if p.brand in self.brands:
            u += 0.8
        return u

    def click_probability(self, p: Product, quality: float) -> float:
        return 1.0 / (1.0 + math.exp(-(self.utility(p, quality) - 2.0)))


def item_quality(product_id: str, seed: int) -> float:
    """A product's hidden quality (same for every user), N(0, 0.5) seeded by id."""
    return random.Random(f"{seed}:{product_id}").gauss(0.0, 0.5)


def generate_users(catalog: list[Product], n: int, seed: int, demo: bool = True) -> list[SyntheticUser]:
    rng = random.Random(seed)
    cats = sorted({p.category for p in catalog})
    brands_by_cat: dict[str, list[str]] = defaultdict(list)
    for p in catalog:
        if p.brand not in brands_by_cat[p.category]:
            brands_by_cat[p.category].append(p.brand)
    users = []
    specs = [(uid, favs) for uid, favs in DEMO_TASTES.items() if demo and all(c in cats for c in favs)]
    specs += [(f"u{i:04d}", tuple(rng.sample(cats, 2))) for i in range(1, n + 1)]
    for uid, favs in specs:
        brands = tuple(rng.choice(sorted(brands_by_cat[c])) for c in favs)
        lo = rng.uniform(0.0, 0.6)
        users.append(SyntheticUser(uid, favs, brands, (lo, lo + 0.4), rng.uniform(2, 6)))
    return users


def _type_orders(catalog: list[Product]) -> dict[str, list[str]]:
    """Per category, its product types in a fixed order (the 'journey' users walk through)."""
    out: dict[str, list[str]] = defaultdict(list)
    for p in sorted(catalog, key=lambda p: p.product_type):
        if p.product_type not in out[p.category]:
            out[p.category].append(p.product_type)
    return out


def _pick(rng: random.Random, user: SyntheticUser, items: list[Product], seed: int) -> Product:
    weights = [math.exp(user.utility(p, item_quality(p.id, seed))) for p in items]
    return rng.choices(items, weights=weights, k=1)[0]


def simulate_histories(users: list[SyntheticUser], catalog: list[Product], seed: int,
                       end: datetime = REFERENCE_DATE, days: int = 90) -> list[Interaction]:
    """Interactions of every user, in time order per user, ending before ``end``."""
    rng = random.Random(seed + 1)
    by_type: dict[str, list[Product]] = defaultdict(list)
    for p in catalog:
        by_type[p.product_type].append(p)
    orders = _type_orders(catalog)
    out: list[Interaction] = []
    for user in users:
        t = end - timedelta(days=days)
        for _ in range(max(1, round(rng.expovariate(1.0 / user.activity)))):
            t += timedelta(hours=rng.uniform(6, 24 * days / max(user.activity * 2, 1)))
            if t >= end:
                break
            cat = user.categories[0] if rng.random() < 0.6 else (user.categories[1] if rng.random() < 0.8 else rng.choice(sorted(orders)))
            types = orders[cat]
            start = rng.randrange(len(types))
            for step in range(rng.randint(2, 4)):
                product = _pick(rng, user, by_type[types[(start + step) % len(types)]], seed)
                t += timedelta(minutes=rng.uniform(1, 20))
                out.extend(_reactions(rng, user, product, t, seed))
    return out


def _reactions(rng: random.Random, user: SyntheticUser, p: Product, t: datetime, seed: int) -> list[Interaction]:
    ts = t.isoformat(timespec="seconds").replace("+00:00", "Z")
    events = [Interaction(user.user_id, p.id, "view", ts)]
    if rng.random() < user.click_probability(p, item_quality(p.id, seed)) + 0.3:
        events.append(Interaction(user.user_id, p.id, "click", ts))
        if rng.random() < 0.3:
            events.append(Interaction(user.user_id, p.id, "like", ts))
        if rng.random() < 0.35:
            events.append(Interaction(user.user_id, p.id, "add_to_cart", ts))
            if rng.random() < 0.6:
                events.append(Interaction(user.user_id, p.id, "purchase", ts))
    elif rng.random() < 0.1:
        events.append(Interaction(user.user_id, p.id, "dislike", ts))
    return events


def build_users(settings, n_users: int = 300) -> None:
    """Build step "users": synthetic users + histories in the interaction store, unless already there."""
    from assistant.stores import open_stores

    with open_stores(settings) as stores:
        _build_users(stores.interactions, settings, n_users)


def _build_users(store, settings, n_users: int) -> None:
    from retrieval.catalog.io import load_catalog

    if store.count() > 0:
        log.info("users: the interaction store already has %d interactions", store.count())
        return
    if not settings.catalog_path.is_file():
        log.warning("users: no catalog at %s; run the catalog step first", settings.catalog_path)
        return
    catalog = load_catalog(settings.catalog_path)
    users = generate_users(catalog, n_users, settings.seed)
    n = store.log_many(simulate_histories(users, catalog, settings.seed))
    log.info("users: %d synthetic users with %d interactions", len(users), n)
