"""The components the flows use, as narrow protocols (the Assistant wires the real ones in)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.orders.repository import OrderRepository
from assistant.records import Candidate, Hit, SearchFilters
from retrieval.product import Product


class ProductSearch(Protocol):
    def search(self, query: str, filters: SearchFilters | None = None, k: int = 50) -> list[Hit]: ...

    def get(self, ids: Sequence[str]) -> list[Product]: ...


class Ranker(Protocol):
    def rank(self, user_id: str, hits: list[Hit], k: int = 5, *, avoid: tuple[str, ...] = (),
             filters: SearchFilters | None = None) -> list[Candidate]: ...

    def feedback(self, user_id: str, product_id: str, kind: str, *, session_id: str | None = None) -> None: ...


class PolicySearch(Protocol):
    def search(self, question: str, k: int = 2, intent: str | None = None) -> list: ...


@dataclass(frozen=True)
class FlowContext:
    index: ProductSearch
    ranker: Ranker
    orders: OrderRepository
    policies: PolicySearch
    type_to_category: Mapping[str, str]
    catalog_brands: frozenset[str]  # lowercase brand names present in the catalog
    page_size: int = 5
    retrieve_k: int = 60
