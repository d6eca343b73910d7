"""An in-memory snapshot of a product collection: ids, unit vectors and attribute columns.

Search over it is exact: one matrix-vector product over the stored vectors (or over the filtered rows
only, when the filter keeps few), then the top k. At 100k products x 384 dimensions the vectors take
150 MB of float32 and a query costs a few milliseconds, so no approximate index is needed at this scale
and filtered results are exactly the best matching products (bench/filtered_search.py).

The snapshot is read from Chroma once (``load``) and replaced when the collection's revision marker
changes (retrieval/index.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np

from retrieval.memory import release_free_memory
from retrieval.columns import AttributeColumns

GATHER_SHARE = 0.25  # score only the filtered rows when the filter keeps less than this share


@dataclass(frozen=True)
class IndexSnapshot:
    revision: str
    ids: tuple[str, ...]
    id_rank: np.ndarray  # int64: position of each row's id in sorted id order (the tie-break)
    vectors: np.ndarray  # float32 (n, dim), unit rows
    columns: AttributeColumns

    @property
    def size(self) -> int:
        return len(self.ids)

    @classmethod
    def load(cls, pages: Iterator[dict[str, Any]], revision: str, dim: int) -> "IndexSnapshot":
        """From Chroma ``get`` pages carrying ids, metadatas and embeddings."""
        ids: list[str] = []
        metas: list[dict] = []
        blocks: list[np.ndarray] = []
        for page in pages:
            ids.extend(page["ids"])
            metas.extend(page["metadatas"])
            blocks.append(np.asarray(page["embeddings"], dtype=np.float32).reshape(len(page["ids"]), -1))
        vectors = np.concatenate(blocks) if blocks else np.zeros((0, dim), dtype=np.float32)
        order = np.argsort(np.array(ids, dtype=object)) if ids else np.zeros(0, dtype=np.int64)
        id_rank = np.empty(len(ids), dtype=np.int64)
        id_rank[order] = np.arange(len(ids))
        snapshot = cls(revision, tuple(ids), id_rank, np.ascontiguousarray(vectors), AttributeColumns.from_metadata(ids, metas))
        del metas, blocks, vectors
        release_free_memory()  # the pages and metadata dicts read from Chroma (~100 MB at 5k products)
        return snapshot

    def candidates(self, mask: np.ndarray | None) -> np.ndarray | None:
        """Rows passing the filter mask (None: all rows)."""
        return None if mask is None else np.flatnonzero(mask)

    def scores(self, vector: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cosine similarity of each row to ``vector``); all rows when ``rows`` is None."""
        vector = np.asarray(vector, dtype=np.float32)
        if rows is None:
            return np.arange(self.size), self.vectors @ vector
        if len(rows) < GATHER_SHARE * self.size:
            return rows, self.vectors[rows] @ vector
        return rows, (self.vectors @ vector)[rows]

    def nearest(self, vector: np.ndarray, mask: np.ndarray | None, k: int) -> list[tuple[int, float]]:
        """The top-``k`` (row, similarity) among the rows passing ``mask``; ties broken by id."""
        rows, sims = self.scores(vector, self.candidates(mask))
        return self._top(rows, sims, k, lambda r, s: np.lexsort((self.id_rank[r], -s)))

    def browse(self, mask: np.ndarray | None, k: int) -> list[int]:
        """Rows passing ``mask``, best rated, then most reviewed, then by id; the first ``k``."""
        rows = np.arange(self.size) if mask is None else np.flatnonzero(mask)
        cols = self.columns
        order = np.lexsort((self.id_rank[rows], -cols.review_count[rows], -cols.rating[rows]))
        return [int(r) for r in rows[order[:k]]]

    @staticmethod
    def _top(rows: np.ndarray, sims: np.ndarray, k: int,
             order_of: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> list[tuple[int, float]]:
        if len(rows) > k:
            kth = np.partition(sims, len(sims) - k)[len(sims) - k]
            keep = sims >= kth  # every row tied with the k-th stays in, so the id tie-break is exact
            rows, sims = rows[keep], sims[keep]
        order = order_of(rows, sims)[:k]
        return [(int(rows[i]), float(sims[i])) for i in order]
