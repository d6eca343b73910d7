"""A sentence-transformers model folder run with transformers alone (no ``sentence_transformers`` import).

Importing ``sentence_transformers`` also imports pandas, scikit-learn, scipy.stats and its cross-encoder and
sparse-encoder stacks: ~110 MB of resident memory in every serving process, for a model that is only a
transformer and a mean pooling (bench/memory.py, bench/RESULTS.md). This module runs the common layouts —
``Transformer`` then ``Pooling`` (mean or CLS token) then optionally ``Normalize`` — as sentence-transformers
does: texts stripped (lower-cased when the folder says so), tokenised with padding and truncation at the
folder's ``max_seq_length``, encoded longest first in batches, pooled over the attention mask. Pooling is
done in float32 whatever the model's dtype. Other layouts are not handled here (``is_supported``).

The weights load straight into the requested dtype (no transient float32 copy for bf16).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TRANSFORMER = "sentence_transformers.models.Transformer"
POOLING = "sentence_transformers.models.Pooling"
NORMALIZE = "sentence_transformers.models.Normalize"


@dataclass(frozen=True)
class Layout:
    """What a sentence-transformers folder asks for, read from its json files."""

    max_seq_length: int
    lower_case: bool
    pooling: str  # "mean" or "cls"
    normalize: bool


def read_layout(folder: Path) -> Layout | None:
    """The folder's layout when it is one this module runs, else None."""
    folder = Path(folder)
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        types = [m["type"] for m in modules]
        if types[:2] != [TRANSFORMER, POOLING] or types[2:] not in ([], [NORMALIZE]) or modules[0].get("path"):
            return None
        pool = json.loads((folder / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
        st_config_file = folder / "sentence_bert_config.json"
        st_config = json.loads(st_config_file.read_text(encoding="utf-8")) if st_config_file.is_file() else {}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    modes = [k for k, v in pool.items() if k.startswith("pooling_mode_") and v is True]
    if modes not in (["pooling_mode_mean_tokens"], ["pooling_mode_cls_token"]):
        return None
    return Layout(max_seq_length=int(st_config.get("max_seq_length") or 512),
                  lower_case=bool(st_config.get("do_lower_case", False)),
                  pooling="mean" if modes == ["pooling_mode_mean_tokens"] else "cls",
                  normalize=types[2:] == [NORMALIZE])


def is_supported(folder: Path) -> bool:
    return read_layout(folder) is not None


class SentenceEncoder:
    """``encode(texts) -> float32 (n, dim)`` like ``SentenceTransformer.encode`` for the supported layouts."""

    def __init__(self, folder: Path, *, dtype=None) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        layout = read_layout(folder)
        if layout is None:
            raise ValueError(f"{folder}: not a Transformer + mean/CLS Pooling sentence-transformers folder")
        self.layout = layout
        self.max_seq_length = layout.max_seq_length
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self.model = AutoModel.from_pretrained(str(folder), local_files_only=True,
                                               dtype=dtype or torch.float32).eval()
        self.dim = int(self.model.config.hidden_size)

    def _texts(self, texts: list[str]) -> list[str]:
        stripped = [str(t).strip() for t in texts]
        return [t.lower() for t in stripped] if self.layout.lower_case else stripped

    def encode(self, texts: list[str], *, batch_size: int = 64):
        """A float32 torch tensor (len(texts), dim), in the order given (normalised when the layout says so)."""
        import torch

        texts = self._texts(list(texts))
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = torch.empty((len(texts), self.dim), dtype=torch.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                rows = order[start:start + batch_size]
                out[torch.as_tensor(rows)] = self._batch([texts[i] for i in rows])
        return torch.nn.functional.normalize(out, dim=-1) if self.layout.normalize else out

    def _batch(self, texts: list[str]):
        enc = self.tokenizer(texts, padding=True, truncation="longest_first", max_length=self.max_seq_length,
                             return_tensors="pt")
        hidden = self.model(**enc).last_hidden_state.float()
        if self.layout.pooling == "cls":
            return hidden[:, 0]
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
