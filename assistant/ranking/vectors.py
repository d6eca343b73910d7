"""Item vectors for the affinity profile: hashed attributes (instant, no model) or sentence embeddings.

``AttributeVectors`` hashes category, product type, brand, material, audience, features and colours into
a fixed-size L2-normalised vector, so two products are similar when they share attributes.
``EmbeddingVectors`` uses the retrieval ``Embedder`` (MiniLM) on ``Product.embedding_text()``, cached per
product version; both implement ``vectors(products) -> (n, dim) float32``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from retrieval.product import Product


class ItemVectors(Protocol):
    dim: int

    def vectors(self, products: Sequence[Product]) -> np.ndarray: ...


def _bucket(token: str, dim: int) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little") % dim


class AttributeVectors:
    WEIGHTS = {"category": 1.0, "type": 1.5, "brand": 1.0, "material": 0.5, "audience": 0.5, "feature": 0.4, "color": 0.3}

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self._cache: dict[str, np.ndarray] = {}

    def _tokens(self, p: Product) -> list[tuple[str, float]]:
        w = self.WEIGHTS
        toks = [(f"c:{p.category}", w["category"]), (f"t:{p.product_type}", w["type"]), (f"b:{p.brand}", w["brand"])]
        if p.material:
            toks.append((f"m:{p.material}", w["material"]))
        if p.audience:
            toks.append((f"a:{p.audience}", w["audience"]))
        toks += [(f"f:{f}", w["feature"]) for f in p.features]
        toks += [(f"k:{c}", w["color"]) for c in p.colors]
        return toks

    def _one(self, p: Product) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for token, weight in self._tokens(p):
            v[_bucket(token.lower(), self.dim)] += weight
        return v / max(float(np.linalg.norm(v)), 1e-9)

    def vectors(self, products: Sequence[Product]) -> np.ndarray:
        out = np.empty((len(products), self.dim), dtype=np.float32)
        for row, p in enumerate(products):
            v = self._cache.get(p.id)
            if v is None:
                v = self._cache[p.id] = self._one(p)
            out[row] = v
        return out


class EmbeddingVectors:
    """MiniLM embeddings of the product text, computed once per product version (cached by content hash)."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.dim = int(getattr(embedder, "dim", 384))
        self._cache: dict[str, tuple[Product, np.ndarray]] = {}  # id -> (product version, vector)

    def _fresh(self, p: Product) -> bool:
        hit = self._cache.get(p.id)
        return hit is not None and hit[0] == p

    def warm(self, products: Sequence[Product]) -> None:
        todo = [p for p in products if not self._fresh(p)]
        if todo:
            enc = np.asarray(self.embedder.encode([p.embedding_text() for p in todo]), dtype=np.float32)
            for p, v in zip(todo, enc):
                self._cache[p.id] = (p, v)

    def vectors(self, products: Sequence[Product]) -> np.ndarray:
        self.warm(products)
        if not products:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[p.id][1] for p in products])
