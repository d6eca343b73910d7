"""Tables of the order store on the shared ``METADATA`` (SQLAlchemy Core; SQLite or PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Integer, String, Table, Text

from assistant.db import METADATA

customers = Table(
    "customers", METADATA,
    Column("user_id", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("description", Text, nullable=False, default=""),
)

orders = Table(
    "orders", METADATA,
    Column("order_id", String(32), primary_key=True),
    Column("user_id", String(64), ForeignKey("customers.user_id"), nullable=False, index=True),
    Column("status", String(32), nullable=False),
    Column("placed_at", String(32), nullable=False),  # ISO 8601 UTC
    Column("delivered_at", String(32), nullable=True),
    Column("total", Float, nullable=False),
    Column("currency", String(8), nullable=False, default="USD"),
)

order_items = Table(
    "order_items", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(32), ForeignKey("orders.order_id"), nullable=False, index=True),
    Column("product_id", String(64), nullable=False),
    Column("title", String(256), nullable=False),
    Column("price", Float, nullable=False),
    Column("quantity", Integer, nullable=False),
)

shipments = Table(
    "shipments", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(32), ForeignKey("orders.order_id"), nullable=False, index=True),
    Column("carrier", String(64), nullable=False),
    Column("tracking", String(64), nullable=False),
    Column("shipped_at", String(32), nullable=False),
    Column("eta", String(32), nullable=True),
)

returns = Table(
    "returns", METADATA,
    Column("return_id", String(32), primary_key=True),
    Column("order_id", String(32), ForeignKey("orders.order_id"), nullable=False, index=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("status", String(32), nullable=False),  # requested, received
    Column("created_at", String(32), nullable=False),
    Column("reason", Text, nullable=False, default=""),
)

refunds = Table(
    "refunds", METADATA,
    Column("refund_id", String(32), primary_key=True),
    Column("order_id", String(32), ForeignKey("orders.order_id"), nullable=False, index=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("amount", Float, nullable=False),
    Column("status", String(32), nullable=False),  # pending, issued
    Column("created_at", String(32), nullable=False),
    Column("issued_at", String(32), nullable=True),
)

handoff_tickets = Table(
    "handoff_tickets", METADATA,
    Column("ticket_id", String(32), primary_key=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("session_id", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("transcript", Text, nullable=False),  # already redacted
)
