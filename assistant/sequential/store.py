"""Save/load the sequential model: ``manifest.json`` (type, version, config, item ids) + safetensors weights.

The model is loaded only through its manifest. Item ids map external ids (product ids, or Amazon item
numbers as strings) to the model's item numbers 1..N in manifest order.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from assistant.sequential.config import SeqRecConfig
from assistant.sequential.model import SASRec

MODEL_TYPE = "sasrec"
VERSION = 1
MANIFEST = "manifest.json"
WEIGHTS = "model.safetensors"


class SequentialModelError(RuntimeError):
    """The model directory is missing or not a sequential model."""


@dataclass(frozen=True)
class LoadedModel:
    model: SASRec
    item_ids: tuple[str, ...]  # item number i (1-based) is item_ids[i - 1]
    meta: dict

    def index(self) -> dict[str, int]:
        return {item: i + 1 for i, item in enumerate(self.item_ids)}


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_model(model: SASRec, model_dir: Path, item_ids: list[str] | tuple[str, ...], meta: dict | None = None) -> Path:
    """Write weights then manifest (the manifest last, so a half-written directory never loads)."""
    if len(item_ids) != model.cfg.num_items:
        raise ValueError(f"{len(item_ids)} item ids for a model of {model.cfg.num_items} items")
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    tmp_weights = model_dir / f".{WEIGHTS}.tmp"
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(tmp_weights))
    os.replace(tmp_weights, model_dir / WEIGHTS)
    manifest = {"type": MODEL_TYPE, "version": VERSION, "config": model.cfg.to_dict(),
                "item_ids": [str(i) for i in item_ids], "meta": meta or {}}
    _atomic_write_bytes(model_dir / MANIFEST, json.dumps(manifest).encode())
    return model_dir


def load_model(model_dir: Path) -> LoadedModel:
    model_dir = Path(model_dir)
    path = model_dir / MANIFEST
    if not path.is_file():
        raise SequentialModelError(f"no sequential model at {model_dir} (missing {MANIFEST}); run `shopbot train sequential`")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise SequentialModelError(f"{path} is not valid JSON: {exc}") from exc
    if manifest.get("type") != MODEL_TYPE or manifest.get("version") != VERSION:
        raise SequentialModelError(f"{path}: expected type {MODEL_TYPE!r} version {VERSION}, got {manifest.get('type')!r} {manifest.get('version')!r}")
    cfg = SeqRecConfig.from_dict(manifest["config"])
    model = SASRec(cfg)
    model.load_state_dict(load_file(str(model_dir / WEIGHTS)))
    model.eval()
    return LoadedModel(model=model, item_ids=tuple(manifest["item_ids"]), meta=manifest.get("meta", {}))


def item_attribute_table(attrs_per_item: list[list[int]], max_attributes: int) -> torch.Tensor:
    """Padded (N + 1, max_attributes) LongTensor from per-item attribute numbers (1-based), row 0 empty."""
    table = torch.zeros(len(attrs_per_item) + 1, max_attributes, dtype=torch.long)
    for i, attrs in enumerate(attrs_per_item, start=1):
        kept = attrs[:max_attributes]
        if kept:
            table[i, : len(kept)] = torch.tensor(kept, dtype=torch.long)
    return table
