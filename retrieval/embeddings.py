"""Sentence embeddings from the packaged all-MiniLM-L6-v2 (offline, CPU, L2-normalised float32).

Speed modes (``Settings.index_speed``; the same embedder encodes products and queries):

- ``fp32``: the reference path, the model as sentence-transformers runs it (float32, its own 256-token cap);
  the packaged layout (transformer + mean pooling) runs through transformers alone (retrieval/sentence_encoder.py).
- ``bf16``: weights and activations in bfloat16 and texts capped at ``FAST_MAX_TOKENS`` tokens. On a CPU
  with native bf16 (AVX512-BF16 / AMX, see assistant/speed.py) this embeds several times faster than
  ``fp32`` at the same retrieval quality (nDCG@10 on the ESCI dev queries within 0.01, bench/index_speed.py);
  without native bf16 it is emulated and slower.
- ``fp32-capped``: float32 with the ``FAST_MAX_TOKENS`` cap (the fast path of CPUs without native bf16).
- ``auto``: ``bf16`` where the CPU has native bf16, else ``fp32-capped``.

Every call sorts its texts by length before batching (sentence-transformers does, per call), so a
batch holds texts of similar length and little padding; callers that embed many texts should pass them
in large calls (ProductIndex sorts a whole indexing run by length first).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.cpu import cpu_has_native_bf16
from retrieval.memory import release_free_memory
from retrieval.packaged import minilm_dir
from retrieval.sentence_encoder import SentenceEncoder, is_supported

log = logging.getLogger(__name__)

INDEX_SPEEDS = ("auto", "fp32", "bf16", "fp32-capped")
FAST_MAX_TOKENS = 128  # chosen by measurement on the ESCI dev queries (bench/index_speed.py, bench/RESULTS.md)


class EmbeddingError(RuntimeError):
    """The embedding model could not be loaded, or the speed mode is unknown."""


def resolve_index_speed(speed: str) -> str:
    """The concrete mode for this CPU (``auto`` resolved); EmbeddingError for an unknown name."""
    if speed not in INDEX_SPEEDS:
        raise EmbeddingError(f"unknown index speed {speed!r}; expected one of {', '.join(INDEX_SPEEDS)}")
    if speed == "auto":
        return "bf16" if cpu_has_native_bf16() else "fp32-capped"
    return speed


class Embedder:
    """Encodes texts to unit-length vectors; cosine similarity is then a dot product."""

    def __init__(self, model_dir: Path | None = None, *, batch_size: int = 64, speed: str = "auto",
                 max_tokens: int | None = None) -> None:
        import torch

        self.model_dir = Path(model_dir) if model_dir is not None else minilm_dir()
        if not (self.model_dir / "modules.json").is_file() and not (self.model_dir / "config.json").is_file():
            raise EmbeddingError(f"no sentence-transformers model in {self.model_dir}")
        self.speed = resolve_index_speed(speed)
        self.batch_size = batch_size
        dtype = torch.bfloat16 if self.speed == "bf16" else torch.float32
        if is_supported(self.model_dir):  # the packaged MiniLM: transformers alone, ~110 MB less resident
            self._model = SentenceEncoder(self.model_dir, dtype=dtype)
            self.dim = self._model.dim
        else:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True).to(dtype)
            get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
            self.dim = int(get_dim())
        if max_tokens is not None:
            self._model.max_seq_length = int(max_tokens)
        elif self.speed != "fp32":
            self._model.max_seq_length = min(FAST_MAX_TOKENS, int(self._model.max_seq_length or FAST_MAX_TOKENS))
        self.max_tokens = int(self._model.max_seq_length)
        release_free_memory()
        log.debug("loaded embedder %s (dim %d, %s, %d tokens)", self.model_dir, self.dim, self.speed, self.max_tokens)

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Shape (len(texts), dim), float32, each row of unit L2 norm."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of strings, not a string")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        with torch.inference_mode():
            if isinstance(self._model, SentenceEncoder):
                vectors = self._model.encode(list(texts), batch_size=self.batch_size)
            else:
                vectors = self._model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=progress,
                                             convert_to_tensor=True, normalize_embeddings=False)
            # normalised in float32 (a bf16 norm is only ~3 digits exact)
            vectors = torch.nn.functional.normalize(vectors.float(), dim=-1)
        return vectors.numpy().astype(np.float32, copy=False)

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
