"""In-memory attribute columns of the indexed products, and the filter mask over them.

Built once from the small typed Chroma metadata fields (retrieval/where.py) and held as numpy arrays,
so a filtered search selects its candidate rows in well under a millisecond per filter instead of asking
Chroma's metadata filter (which scanned the stored records: 0.5-1.5 s at 50k products).

``AttributeColumns.mask(filters)`` must select exactly the products for which
``SearchFilters.matches`` holds (the reference semantics); tests/retrieval/test_index_columns.py
checks it over many random filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from retrieval.catalog.colors import color_families
from retrieval.records import SearchFilters


@dataclass(frozen=True)
class CodedColumn:
    """A string column as integer codes (value -> code in ``vocab``)."""

    codes: np.ndarray  # int32, one per row
    vocab: Mapping[str, int]

    @classmethod
    def build(cls, values: Sequence[str]) -> "CodedColumn":
        vocab: dict[str, int] = {}
        codes = np.fromiter((vocab.setdefault(v, len(vocab)) for v in values), dtype=np.int32, count=len(values))
        return cls(codes, vocab)

    def any_of(self, values: set[str]) -> np.ndarray:
        wanted = [self.vocab[v] for v in values if v in self.vocab]
        if not wanted:
            return np.zeros(len(self.codes), dtype=bool)
        return self.codes == wanted[0] if len(wanted) == 1 else np.isin(self.codes, wanted)


@dataclass(frozen=True)
class AttributeColumns:
    """Row-aligned filter columns; ``row_of`` maps a product id to its row."""

    row_of: Mapping[str, int]
    category: CodedColumn
    product_type: CodedColumn
    brand: CodedColumn
    price: np.ndarray  # float64, NaN when the product has no price (fails every price bound)
    in_stock: np.ndarray  # bool
    rating: np.ndarray  # float64
    review_count: np.ndarray  # int64
    color_rows: Mapping[str, np.ndarray]  # colour family -> rows of the products that have it

    @property
    def size(self) -> int:
        return len(self.price)

    @classmethod
    def from_metadata(cls, ids: Sequence[str], metas: Sequence[Mapping[str, Any]]) -> "AttributeColumns":
        """Columns from the Chroma metadata written by ``retrieval.where.product_metadata``."""
        colors: dict[str, list[int]] = {}
        for row, meta in enumerate(metas):
            for family in meta.get("colors") or ():
                colors.setdefault(str(family), []).append(row)
        price = [meta.get("price") for meta in metas]
        return cls(
            row_of={pid: row for row, pid in enumerate(ids)},
            category=CodedColumn.build([str(m.get("category", "")) for m in metas]),
            product_type=CodedColumn.build([str(m.get("product_type", "")) for m in metas]),
            brand=CodedColumn.build([str(m.get("brand", "")) for m in metas]),
            price=np.array([np.nan if p is None else float(p) for p in price], dtype=np.float64),
            in_stock=np.array([bool(m.get("in_stock", True)) for m in metas], dtype=bool),
            rating=np.array([float(m.get("rating", 0.0)) for m in metas], dtype=np.float64),
            review_count=np.array([int(m.get("review_count", 0)) for m in metas], dtype=np.int64),
            color_rows={family: np.array(rows, dtype=np.int64) for family, rows in colors.items()},
        )

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Rows satisfying every filter (None: nothing is filtered). Mirrors ``SearchFilters.matches``."""
        if filters is None:
            return None
        parts: list[np.ndarray] = []
        if filters.category:
            parts.append(self.category.any_of({filters.category.lower()}))
        if filters.product_type:
            parts.append(self.product_type.any_of({filters.product_type.lower()}))
        if filters.brands:
            parts.append(self.brand.any_of({b.lower() for b in filters.brands}))
        if filters.colors:
            parts.append(self._colors(set(color_families(filters.colors))))
        with np.errstate(invalid="ignore"):
            if filters.min_price is not None:
                parts.append(self.price >= filters.min_price)
            if filters.max_price is not None:
                parts.append(self.price <= filters.max_price)
        if filters.in_stock is not None:
            parts.append(self.in_stock == bool(filters.in_stock))
        if filters.exclude_ids:
            parts.append(self._excluded(filters.exclude_ids))
        if not parts:
            return None
        mask = parts[0].copy()
        for part in parts[1:]:
            mask &= part
        return mask

    def _colors(self, families: set[str]) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        for family in families:
            rows = self.color_rows.get(family)
            if rows is not None:
                mask[rows] = True
        return mask

    def _excluded(self, ids: Sequence[str]) -> np.ndarray:
        keep = np.ones(self.size, dtype=bool)
        rows = [self.row_of[i] for i in set(ids) if i in self.row_of]
        keep[rows] = False
        return keep
