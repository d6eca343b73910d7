"""Test helper: an Embedder stand-in that reuses vectors already computed this session (same model)."""

from __future__ import annotations

import numpy as np

from retrieval.where import product_from_record


class MemoEmbedder:
    """Wraps the real session Embedder; texts seen before (e.g. in the session product_index) are not re-encoded."""

    def __init__(self, inner, known: dict[str, np.ndarray] | None = None) -> None:
        self.inner, self.dim, self.model_dir = inner, inner.dim, inner.model_dir
        self.known = dict(known or {})

    @classmethod
    def from_index(cls, inner, index) -> "MemoEmbedder":
        stored = index._col.get(include=["documents", "metadatas", "embeddings"])
        texts = [product_from_record(doc, meta).embedding_text() for doc, meta in zip(stored["documents"], stored["metadatas"])]
        return cls(inner, {text: np.asarray(vec, dtype=np.float32) for text, vec in zip(texts, stored["embeddings"])})

    def encode(self, texts, **kw) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.known]
        if missing:
            self.known.update(zip(missing, self.inner.encode(missing, **kw)))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.known[t] for t in texts]).astype(np.float32)
