"""The default-catalog generator: determinism, coverage, attribute consistency, description variety."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from retrieval.catalog import vocab
from retrieval.catalog.generate import NEW_ARRIVAL_DAYS, REFERENCE_DATE, generate_catalog


@pytest.fixture(scope="module")
def products():
    return generate_catalog(2000, seed=7)


def test_same_seed_same_catalog_and_other_seed_differs():
    assert generate_catalog(200, seed=3) == generate_catalog(200, seed=3)
    assert generate_catalog(200, seed=3) != generate_catalog(200, seed=4)


def test_ids_unique_and_formatted(products):
    ids = [p.id for p in products]
    assert ids[0] == "P00001" and ids[-1] == "P02000"
    assert len(set(ids)) == len(ids)
    assert len({p.title for p in products}) == len(products)  # no two products share a title


def test_vocab_size_and_coverage(products):
    assert len(vocab.CATEGORIES) >= 12
    assert len(vocab.all_brands()) >= 60
    for must in ("footwear", "clothing", "bags", "electronics", "kitchen", "home", "furniture", "beauty",
                 "personal care", "sports & outdoors", "toys & games"):
        assert must in vocab.CATEGORIES
    for ptype in ("running shoes", "hiking boots", "jackets", "dresses", "headphones", "coffee makers",
                  "water bottles", "tents", "yoga mats", "sofas", "mattresses", "board games"):
        assert ptype in vocab.TYPE_TO_CATEGORY
    assert set(vocab.PRICE_RANGES) == set(vocab.TYPE_TO_CATEGORY)
    assert {p.product_type for p in products} == set(vocab.TYPE_TO_CATEGORY)  # every type appears
    assert len({p.brand for p in products}) >= 60


def test_attributes_consistent_with_type(products):
    shoe_sizes = set(vocab.SHOE_SIZES_US)
    for p in products:
        lo, hi = vocab.PRICE_RANGES[p.product_type]
        assert lo <= p.price <= hi, p
        assert p.category == vocab.category_of(p.product_type)
        assert p.brand in vocab.BRANDS[p.category]
        assert set(p.sizes) <= set(vocab.sizes_for(p.product_type)), p
        assert set(p.colors) <= set(vocab.COLOR_PALETTES[p.category]) and len(p.colors) <= 4
        assert p.material is None or p.material in vocab.materials_for(p.product_type)
        assert set(p.features) <= set(vocab.features_for(p.product_type))
        assert p.audience is None or p.audience in vocab.audiences_for(p.product_type)
        assert p.consumable == (p.product_type in vocab.CONSUMABLE_TYPES)
        if p.category == "footwear":
            assert p.sizes and set(p.sizes) <= shoe_sizes
        if p.product_type in ("coffee makers", "headphones", "lamps", "tents"):
            assert p.sizes == ()
        if p.category == "clothing" and p.product_type != "socks":
            assert set(p.sizes) <= set(vocab.CLOTHING_SIZES)
        for feat in p.features:
            assert p.material not in vocab.FEATURE_MATERIAL_CONFLICTS.get(feat, ())
        for group in vocab.EXCLUSIVE_FEATURES:
            assert len(group & set(p.features)) <= 1


def test_distributions_are_realistic(products):
    in_stock = sum(p.in_stock for p in products) / len(products)
    assert 0.85 <= in_stock <= 0.95
    rated = [p.rating for p in products if p.review_count]
    assert all(1.0 <= r <= 5.0 for r in rated) and statistics.mean(rated) > 3.8
    counts = sorted(p.review_count for p in products)
    assert counts[-1] > 10 * statistics.median(counts)  # long tail
    cents = {round(p.price % 1, 2) for p in products}
    assert cents <= {0.99, 0.0, 0.95, 0.49}


def test_dates_deterministic_with_new_arrivals(products):
    dates = [datetime.fromisoformat(p.created_at.replace("Z", "+00:00")) for p in products]
    assert all(REFERENCE_DATE - timedelta(days=731) <= d <= REFERENCE_DATE for d in dates)
    new = sum(d >= REFERENCE_DATE - timedelta(days=NEW_ARRIVAL_DAYS) for d in dates) / len(dates)
    assert 0.03 <= new <= 0.15


def test_descriptions_vary_within_a_type(products):
    by_type: dict[str, list[str]] = defaultdict(list)
    for p in products:
        by_type[p.product_type].append(p.description)
    assert len({p.description for p in products}) == len(products)
    for ptype, texts in by_type.items():
        sentences = [s for t in texts for s in re.split(r"(?<=[.!?]) ", t)]
        assert len(set(sentences)) / len(sentences) >= 0.5, ptype
        tokens = [set(re.findall(r"[a-z']+", t.lower())) for t in texts]
        jaccard = [len(a & b) / len(a | b) for a, b in itertools.combinations(tokens, 2)]
        assert statistics.mean(jaccard) < 0.35, ptype
        assert all(3 <= len(re.split(r"(?<=[.!?]) ", t)) <= 5 for t in texts), ptype


def test_small_catalog_still_covers_every_category():
    assert {p.category for p in generate_catalog(300, seed=1)} == set(vocab.CATEGORIES)
    assert generate_catalog(0, seed=1) == []
