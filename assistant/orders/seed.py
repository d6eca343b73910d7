"""Demo customers whose orders cover every state (idempotent: seeds only an empty store).

Dates are relative to the seeding time, so right after seeding: 10001 and 10023 are inside the
return window, 10013 is outside it.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert

import assistant.orders.schema as t
from assistant.orders.repository import OrderRepository, iso, utcnow
from retrieval.product import Product

log = logging.getLogger(__name__)

DEMO_CUSTOMERS: tuple[tuple[str, str, str], ...] = (
    ("alice", "Alice", "runner; 3 orders: one delivered last week, one in transit, one just placed"),
    ("bob", "Bob", "4 orders: processing, out for delivery, delivered two months ago, cancelled"),
    ("carol", "Carol", "3 orders: returned and refunded, returned with refund pending, delivered recently"),
    ("dave", "Dave", "new customer, no orders yet"),
)


@dataclass(frozen=True)
class DemoOrder:
    order_id: str
    user_id: str
    status: str
    placed_days_ago: int
    delivered_days_ago: int | None = None
    shipped: bool = False
    refund: str | None = None  # refund status: pending / issued
    returned: bool = False


DEMO_ORDERS: tuple[DemoOrder, ...] = (
    DemoOrder("10001", "alice", "delivered", 9, delivered_days_ago=5, shipped=True),
    DemoOrder("10002", "alice", "shipped", 3, shipped=True),
    DemoOrder("10003", "alice", "placed", 0),
    DemoOrder("10011", "bob", "processing", 1),
    DemoOrder("10012", "bob", "out_for_delivery", 4, shipped=True),
    DemoOrder("10013", "bob", "delivered", 66, delivered_days_ago=60, shipped=True),
    DemoOrder("10014", "bob", "cancelled", 20, refund="issued"),
    DemoOrder("10021", "carol", "returned", 50, delivered_days_ago=45, shipped=True, refund="issued", returned=True),
    DemoOrder("10022", "carol", "returned", 30, delivered_days_ago=25, shipped=True, refund="pending", returned=True),
    DemoOrder("10023", "carol", "delivered", 15, delivered_days_ago=12, shipped=True),
)

_FALLBACK_ITEMS = (("demo-1", "TrailRunner 3 Running Shoes", 89.0), ("demo-2", "AeroSound Wireless Headphones", 129.0),
                   ("demo-3", "Everyday Cotton T-Shirt", 19.0), ("demo-4", "Glow Daily Moisturizer", 24.0))


def _items(rng: random.Random, products: list[Product]) -> list[tuple[str, str, float, int]]:
    pool = [(p.id, p.title, p.price) for p in products if p.price is not None] or list(_FALLBACK_ITEMS)
    picked = rng.sample(pool, k=min(len(pool), rng.randint(1, 2)))
    return [(pid, title, float(price), rng.randint(1, 2)) for pid, title, price in picked]


def seed_demo_store(repo: OrderRepository, products: list[Product] | None = None, seed: int = 13,
                    now: datetime | None = None) -> bool:
    """Seed demo customers and orders into an empty store. Returns False when already seeded."""
    if repo.has_customers():
        return False
    now = now or utcnow()
    rng = random.Random(seed)
    with repo.engine.begin() as conn:  # one transaction: all or nothing
        conn.execute(insert(t.customers), [{"user_id": u, "name": n, "description": d} for u, n, d in DEMO_CUSTOMERS])
        for o in DEMO_ORDERS:
            _insert_order(conn, o, _items(rng, products or []), now)
    log.info("seeded %d demo customers and %d orders", len(DEMO_CUSTOMERS), len(DEMO_ORDERS))
    return True


def _insert_order(conn, o: DemoOrder, items, now: datetime) -> None:
    total = round(sum(price * qty for _, _, price, qty in items), 2)
    placed = now - timedelta(days=o.placed_days_ago, hours=2)
    delivered = now - timedelta(days=o.delivered_days_ago) if o.delivered_days_ago is not None else None
    conn.execute(insert(t.orders).values(order_id=o.order_id, user_id=o.user_id, status=o.status, placed_at=iso(placed),
                                         delivered_at=iso(delivered) if delivered else None, total=total, currency="USD"))
    conn.execute(insert(t.order_items), [{"order_id": o.order_id, "product_id": pid, "title": title, "price": price,
                                          "quantity": qty} for pid, title, price, qty in items])
    if o.shipped:
        shipped = placed + timedelta(days=1)
        conn.execute(insert(t.shipments).values(order_id=o.order_id, carrier="UPS", tracking=f"1Z{o.order_id}9{o.user_id[:2].upper()}",
                                                shipped_at=iso(shipped), eta=iso(now + timedelta(days=2))))
    if o.returned:
        conn.execute(insert(t.returns).values(return_id=f"R-{o.order_id}", order_id=o.order_id, user_id=o.user_id,
                                              status="received", created_at=iso(delivered or now), reason="demo"))
    if o.refund:
        issued = iso(now - timedelta(days=3)) if o.refund == "issued" else None
        conn.execute(insert(t.refunds).values(refund_id=f"F-{o.order_id}", order_id=o.order_id, user_id=o.user_id,
                                              amount=total, status=o.refund, created_at=iso(now - timedelta(days=8)),
                                              issued_at=issued))


def build_demo_orders(settings) -> None:
    """Build step "orders": seed the demo store at ``settings.db_url`` if it has no customers yet."""
    from assistant.stores import open_stores

    with open_stores(settings) as stores:
        _seed_if_empty(stores.orders, settings)


def _seed_if_empty(repo: OrderRepository, settings) -> None:
    if repo.has_customers():
        log.info("orders: demo store present")
        return
    products: list[Product] = []
    if settings.catalog_path.is_file():
        from retrieval.catalog.io import load_catalog

        products = load_catalog(settings.catalog_path)
    seed_demo_store(repo, products, seed=settings.seed)
