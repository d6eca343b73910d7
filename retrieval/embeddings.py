"""Sentence embeddings from the packaged all-MiniLM-L6-v2 (offline, CPU, L2-normalised float32)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.packaged import minilm_dir

log = logging.getLogger(__name__)


class EmbeddingError(RuntimeError):
    """The embedding model could not be loaded."""


class Embedder:
    """Encodes texts to unit-length vectors; cosine similarity is then a dot product."""

    def __init__(self, model_dir: Path | None = None, *, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        self.model_dir = Path(model_dir) if model_dir is not None else minilm_dir()
        if not (self.model_dir / "modules.json").is_file() and not (self.model_dir / "config.json").is_file():
            raise EmbeddingError(f"no sentence-transformers model in {self.model_dir}")
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        log.debug("loaded embedder %s (dim %d)", self.model_dir, self.dim)

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Shape (len(texts), dim), float32, each row of unit L2 norm."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of strings, not a string")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def chroma_function(self) -> "EmbedderFunction":
        """An explicit Chroma embedding function backed by this model (never Chroma's default)."""
        return EmbedderFunction(self)


class EmbedderFunction:
    """Chroma ``EmbeddingFunction`` adapter; pass it explicitly to ``get_or_create_collection``."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002 (Chroma's parameter name)
        return list(self._embedder.encode(list(input)))

    @staticmethod
    def name() -> str:
        return "shopbot-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model_dir": str(self._embedder.model_dir)}

    def is_legacy(self) -> bool:
        return False
