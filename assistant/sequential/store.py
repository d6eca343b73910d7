"""Save/load the sequential model: safetensors weights + the ``assistant.artifact`` manifest (name
``sequential``: config, item ids, training figures).

The model is loaded only through its manifest. Item ids map external ids (product ids, or Amazon item
numbers as strings) to the model's item numbers 1..N in manifest order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save

from assistant.artifact import ArtifactError, ArtifactManifest, load_manifest, save_manifest
from assistant.sequential.config import SeqRecConfig
from assistant.sequential.model import SASRec
from retrieval.atomic import write_bytes_atomic

ARTIFACT_NAME = "sequential"
ARTIFACT_VERSION = 1
WEIGHTS = "model.safetensors"


@dataclass(frozen=True)
class LoadedModel:
    model: SASRec
    item_ids: tuple[str, ...]  # item number i (1-based) is item_ids[i - 1]
    manifest: ArtifactManifest

    def index(self) -> dict[str, int]:
        return {item: i + 1 for i, item in enumerate(self.item_ids)}


def save_model(model: SASRec, model_dir: Path, item_ids: list[str] | tuple[str, ...], *,
               metrics: Mapping[str, float] | None = None, training_data_hash: str = "",
               details: Mapping | None = None) -> Path:
    """Write weights then manifest (the manifest last, so a half-written directory never loads)."""
    if len(item_ids) != model.cfg.num_items:
        raise ValueError(f"{len(item_ids)} item ids for a model of {model.cfg.num_items} items")
    model_dir = Path(model_dir)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    write_bytes_atomic(model_dir / WEIGHTS, save(state))
    save_manifest(model_dir, ArtifactManifest(
        name=ARTIFACT_NAME, version=ARTIFACT_VERSION, base_model="", files=(WEIGHTS,),
        training_data_hash=training_data_hash, metrics=dict(metrics or {}), config=model.cfg.to_dict(),
        details={**dict(details or {}), "item_ids": [str(i) for i in item_ids]}))
    return model_dir


def load_model(model_dir: Path) -> LoadedModel:
    manifest = load_manifest(model_dir, ARTIFACT_NAME, ARTIFACT_VERSION, hint="run `shopbot train sequential`")
    try:
        cfg = SeqRecConfig.from_dict(dict(manifest.config))
        model = SASRec(cfg)
        model.load_state_dict(load_file(str(Path(model_dir) / WEIGHTS)))
    except (TypeError, ValueError, RuntimeError) as exc:
        raise ArtifactError(f"{model_dir}: the weights do not fit the manifest's config: {exc}") from exc
    model.eval()
    item_ids = tuple(manifest.details.get("item_ids", ()))
    if len(item_ids) != cfg.num_items:
        raise ArtifactError(f"{model_dir}: {len(item_ids)} item ids for a model of {cfg.num_items} items")
    return LoadedModel(model=model, item_ids=item_ids, manifest=manifest)


def item_attribute_table(attrs_per_item: list[list[int]], max_attributes: int) -> torch.Tensor:
    """Padded (N + 1, max_attributes) LongTensor from per-item attribute numbers (1-based), row 0 empty."""
    table = torch.zeros(len(attrs_per_item) + 1, max_attributes, dtype=torch.long)
    for i, attrs in enumerate(attrs_per_item, start=1):
        kept = attrs[:max_attributes]
        if kept:
            table[i, : len(kept)] = torch.tensor(kept, dtype=torch.long)
    return table
