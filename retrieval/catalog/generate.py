"""The seeded generator of the default catalog.

``generate_catalog(n, seed)`` is a pure function of its arguments: no wall clock, no global random
state. Dates are spread over the two years before ``REFERENCE_DATE`` with about 8% "new arrivals"
in its last ``NEW_ARRIVAL_DAYS`` days.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

from retrieval.catalog import vocab
from retrieval.catalog.describe import DescriptionFacts, describe
from retrieval.product import Product

REFERENCE_DATE = datetime(2026, 11, 1, tzinfo=timezone.utc)  # "today" of the default catalog
NEW_ARRIVAL_DAYS = 30
DEFAULT_SIZE = 5000

MODEL_PREFIXES = ["Aero", "Trail", "Cloud", "Swift", "Terra", "Nova", "Flex", "Pulse", "Zen", "Summit",
                  "Urban", "Echo", "Vista", "Core", "Luxe", "Alpine", "Drift", "Halo", "Orbit", "Ember"]
MODEL_SUFFIXES = ["Runner", "Max", "Pro", "Lite", "Flow", "Glide", "Ridge", "Wave", "Fit", "Edge",
                  "Air", "Line", "Form", "Peak", "Sense"]
ACRONYMS = {"rc": "RC", "usb-c": "USB-C", "4k": "4K", "gps": "GPS", "led": "LED", "mips": "MIPS", "tsa": "TSA",
            "bpa": "BPA", "spf": "SPF", "16gb": "16GB", "ssd": "SSD", "pfas": "PFAS", "tpe": "TPE", "pvc": "PVC"}
PRICE_ENDINGS = (0.99, 0.99, 0.99, 0.00, 0.95, 0.49)


def title_case(text: str) -> str:
    return " ".join(ACRONYMS.get(w, w[:1].upper() + w[1:]) for w in text.split())


def _price(rng: random.Random, lo: float, hi: float) -> float:
    """Right-skewed within [lo, hi] (most items mid-low, a few premium), with a retail ending."""
    raw = lo + (hi - lo) * rng.betavariate(1.6, 3.2)
    price = math.floor(raw) + rng.choice(PRICE_ENDINGS)
    if price > hi:
        price = math.floor(hi) - 0.01 if math.floor(hi) - 0.01 >= lo else hi
    if price < lo:
        price = math.ceil(lo) + 0.99 if math.ceil(lo) + 0.99 <= hi else lo
    return round(price, 2)


def _features(rng: random.Random, product_type: str, material: str | None) -> tuple[str, ...]:
    specific = [f for f in vocab.FEATURES.get(product_type, [])]
    general = [f for f in vocab.FEATURES.get(vocab.category_of(product_type), []) if f not in specific]
    pool = rng.sample(specific, len(specific)) + rng.sample(general, len(general))
    want = rng.choice((1, 2, 2, 3, 3, 4))
    chosen: list[str] = []
    for feat in pool:
        if len(chosen) >= want:
            break
        if any(feat in grp and grp & set(chosen) for grp in vocab.EXCLUSIVE_FEATURES):
            continue
        if material in vocab.FEATURE_MATERIAL_CONFLICTS.get(feat, ()):
            continue
        if specific and not chosen and feat not in specific:
            continue
        chosen.append(feat)
    return tuple(chosen)


def _colors(rng: random.Random, product_type: str) -> tuple[str, ...]:
    if product_type in vocab.NO_COLOR_TYPES:
        return ()
    palette = vocab.colors_for(product_type)
    k = rng.choices((1, 2, 3, 4), weights=(35, 30, 20, 15))[0]
    return tuple(rng.sample(palette, min(k, len(palette))))


def _sizes(rng: random.Random, product_type: str) -> tuple[str, ...]:
    """A contiguous run of the type's sizes (a shoe in 7-11, a jacket in S-XL)."""
    values = vocab.sizes_for(product_type)
    if not values:
        return ()
    length = rng.randint(max(1, len(values) // 2), len(values))
    start = rng.randint(0, len(values) - length)
    return tuple(values[start:start + length])


def _title(rng: random.Random, brand: str, product_type: str, features: tuple[str, ...]) -> str:
    noun = title_case(vocab.singular(product_type))
    model = rng.choice(MODEL_PREFIXES) + rng.choice(MODEL_SUFFIXES)
    specific = vocab.FEATURES.get(product_type, [])
    feat = title_case(features[0]) if features and features[0] in specific else ""
    style = rng.randrange(4)
    if style == 0 and feat:
        return f"{brand} {feat} {noun}"
    if style == 1:
        return f"{brand} {model} {rng.randint(2, 9)} {noun}"
    if style == 2 and feat:
        return f"{brand} {model} {feat} {noun}"
    return f"{brand} {model} {noun}"


def _unique_title(rng: random.Random, brand: str, product_type: str, features: tuple[str, ...], taken: set[str]) -> str:
    """A title no earlier product has (a few fresh draws, then a model number)."""
    for _ in range(6):
        title = _title(rng, brand, product_type, features)
        if title not in taken:
            break
    base, number = title, 2
    while title in taken:
        title = f"{base} {number}"
        number += 1
    taken.add(title)
    return title


def _rating(rng: random.Random) -> tuple[float, int]:
    reviews = int(rng.lognormvariate(3.2, 1.6)) if rng.random() > 0.05 else 0
    if reviews == 0:
        return 0.0, 0
    rating = 5.0 - rng.gammavariate(1.3, 0.45)
    return round(min(5.0, max(1.0, rating)), 1), reviews


def _created_at(rng: random.Random) -> str:
    if rng.random() < 0.08:
        age = rng.uniform(0, NEW_ARRIVAL_DAYS)
    else:
        age = rng.uniform(NEW_ARRIVAL_DAYS, 730)
    when = REFERENCE_DATE - timedelta(days=age)
    return when.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _audience(rng: random.Random, product_type: str) -> str | None:
    options = vocab.audiences_for(product_type)
    return rng.choice(options) if options else None


def make_product(rng: random.Random, index: int, product_type: str, taken: set[str] | None = None) -> Product:
    """One consistent product of ``product_type`` (id ``P%05d`` of ``index``), titled apart from ``taken``."""
    category = vocab.category_of(product_type)
    brand = rng.choice(vocab.brands_for(product_type))
    materials = vocab.materials_for(product_type)
    material = rng.choice(materials) if materials else None
    features = _features(rng, product_type, material)
    colors = _colors(rng, product_type)
    audience = _audience(rng, product_type)
    title = _unique_title(rng, brand, product_type, features, set() if taken is None else taken)
    facts = DescriptionFacts(title, brand, category, vocab.singular(product_type), features, material, colors, audience,
                             product_type)
    rating, reviews = _rating(rng)
    lo, hi = vocab.PRICE_RANGES[product_type]
    return Product(
        id=f"P{index:05d}", title=title, description=describe(rng, facts), category=category,
        product_type=product_type, brand=brand, price=_price(rng, lo, hi), colors=colors,
        sizes=_sizes(rng, product_type), material=material, audience=audience, features=features,
        rating=rating, review_count=reviews, in_stock=rng.random() < 0.9, created_at=_created_at(rng),
        consumable=product_type in vocab.CONSUMABLE_TYPES,
    )


def generate_catalog(n: int = DEFAULT_SIZE, seed: int = 13) -> list[Product]:
    """``n`` products, ids P00001..; the same (n, seed) always gives the same catalog.

    Every product type appears (round-robin over a shuffled type list) before any repeats, so even a
    small catalog covers all categories.
    """
    if n < 0:
        raise ValueError(f"catalog size must be >= 0, got {n}")
    rng = random.Random(seed)
    types = sorted(vocab.TYPE_TO_CATEGORY)
    products: list[Product] = []
    order: list[str] = []
    taken: set[str] = set()
    for i in range(1, n + 1):
        if not order:
            order = rng.sample(types, len(types))
        products.append(make_product(rng, i, order.pop(), taken))
    return products
