"""The components the flows use, as narrow protocols (the Assistant wires the real ones in)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.orders.repository import OrderRepository
from assistant.records import Candidate, Hit, SearchFilters
from assistant.settings import SearchTuning
from retrieval.catalog.taxonomy import CatalogVocabulary
from retrieval.hybrid import HybridResult
from retrieval.product import Product


class ProductSearch(Protocol):
    def search(self, query: str, filters: SearchFilters | None = None, k: int = 50) -> list[Hit]: ...

    def get(self, ids: Sequence[str]) -> list[Product]: ...

    def search_detailed(self, query: str, filters: SearchFilters | None = None, k: int = 50, *,
                        negated: tuple[str, ...] = ()) -> HybridResult: ...

    def coverage(self, text: str, *, typos: bool = True) -> float: ...

    @property
    def dense(self) -> "ProductSearch": ...


class Ranker(Protocol):
    def rank(self, user_id: str, hits: list[Hit], k: int = 5, *, avoid: tuple[str, ...] = (),
             filters: SearchFilters | None = None, searching: bool = False) -> list[Candidate]: ...

    def feedback(self, user_id: str, product_id: str, kind: str, *, session_id: str | None = None) -> None: ...


class PolicySearch(Protocol):
    def search(self, question: str, k: int = 2, intent: str | None = None) -> list: ...


@dataclass(frozen=True)
class FlowContext:
    index: ProductSearch
    ranker: Ranker
    orders: OrderRepository
    policies: PolicySearch
    vocabulary: CatalogVocabulary  # the installed catalog's types, brands and colours
    page_size: int = 5
    search_tuning: SearchTuning = SearchTuning()

    @property
    def type_to_category(self) -> Mapping[str, str]:
        return self.vocabulary.types

    @property
    def catalog_brands(self) -> frozenset[str]:
        return self.vocabulary.brands
