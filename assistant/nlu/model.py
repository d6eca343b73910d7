"""The joint intent + entity model: the packaged MiniLM encoder with LoRA adapters, a mean-pooled
intent head and a token-classification (BIO) head, one forward pass for both.

The adapters are peft's LoRA layers (``peft.inject_adapter_in_model``: the encoder keeps its module
paths, so the frozen lower layers can still be run and cached on their own). Only the adapters and the
heads are saved (a ~1-2 MB safetensors file) with an ``assistant.artifact`` manifest; the base weights
always come from the installed package (``retrieval.packaged.minilm_dir()``). Load only through the
manifest (:func:`load_model`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from assistant.artifact import ArtifactError, ArtifactManifest, load_manifest, save_manifest
from assistant.records import ENTITY_TYPES, INTENTS

log = logging.getLogger(__name__)

ARTIFACT_NAME = "nlu"
ARTIFACT_VERSION = 2  # 2: peft LoRA layers (state-dict keys ``...lora_A.default.weight``)
WEIGHTS_FILE = "adapter_and_heads.safetensors"
BASE_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


def bio_tags(entity_types: tuple[str, ...] = ENTITY_TYPES) -> tuple[str, ...]:
    return ("O",) + tuple(f"{p}-{t}" for t in entity_types for p in ("B", "I"))


@dataclass(frozen=True)
class NluConfig:
    base_model: str = BASE_MODEL_ID
    lora_r: int = 16
    lora_layers: int = 3  # LoRA in the top N encoder layers; the layers below stay frozen (cacheable)
    lora_alpha: float = 16.0
    lora_dropout: float = 0.05
    lora_targets: tuple[str, ...] = ("query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense")
    head_dropout: float = 0.1
    max_length: int = 64
    intents: tuple[str, ...] = INTENTS
    tags: tuple[str, ...] = field(default_factory=bio_tags)

    @classmethod
    def from_dict(cls, data: dict) -> NluConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in known.items()})


class JointNluModel(nn.Module):
    def __init__(self, encoder: nn.Module, config: NluConfig):
        super().__init__()
        self.config = config
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(config.head_dropout)
        self.intent_head = nn.Linear(hidden, len(config.intents))
        self.tag_head = nn.Linear(hidden, len(config.tags))

    @property
    def frozen_layers(self) -> int:
        return max(0, self.encoder.config.num_hidden_layers - self.config.lora_layers)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self._heads(hidden, attention_mask)

    def _mask(self, hidden: torch.Tensor, attention_mask: torch.Tensor):
        mask, _ = self.encoder._create_attention_masks(attention_mask=attention_mask, encoder_attention_mask=None,
                                                       embedding_output=hidden, encoder_hidden_states=None,
                                                       past_key_values=None)
        return mask

    def lower_states(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Hidden states after the frozen lower layers (training caches these once)."""
        hidden = self.encoder.embeddings(input_ids=input_ids)
        mask = self._mask(hidden, attention_mask)
        for layer in self.encoder.encoder.layer[: self.frozen_layers]:
            hidden = layer(hidden, mask)
        return hidden

    def forward_upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The rest of the forward pass from cached :meth:`lower_states`."""
        mask = self._mask(hidden, attention_mask)
        for layer in self.encoder.encoder.layer[self.frozen_layers:]:
            hidden = layer(hidden, mask)
        return self._heads(hidden, attention_mask)

    def _heads(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.intent_head(self.dropout(pooled)), self.tag_head(self.dropout(hidden))

    def trainable_state(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().clone().contiguous() for k, v in self.named_parameters() if v.requires_grad}

    def merge_adapters(self) -> None:
        """Fold the LoRA updates into the base weights (peft's merge) and drop the LoRA layers, so
        inference costs exactly the plain encoder."""
        from peft.tuners.lora import LoraLayer

        for name, module in list(self.encoder.named_modules()):
            if isinstance(module, LoraLayer):
                module.merge()
                parent_name, _, child = name.rpartition(".")
                setattr(self.encoder.get_submodule(parent_name), child, module.get_base_layer())


def lora_config(config: NluConfig, num_layers: int):
    """peft's LoRA configuration for ``config``: adapters on the target layers of the top ``lora_layers``."""
    from peft import LoraConfig

    first = max(0, num_layers - config.lora_layers)
    return LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=list(config.lora_targets), layers_to_transform=list(range(first, num_layers)),
                      layers_pattern="layer")


def load_base_encoder(base_dir: Path | None = None):
    """(encoder, tokenizer) of the packaged MiniLM; never downloads."""
    from transformers import AutoModel, AutoTokenizer

    from retrieval.packaged import minilm_dir

    folder = base_dir or minilm_dir()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    encoder = AutoModel.from_pretrained(folder, local_files_only=True)
    return encoder, tokenizer


def create_model(config: NluConfig, base_dir: Path | None = None):
    """A fresh (untrained adapters and heads) model and its tokenizer."""
    from peft import inject_adapter_in_model

    encoder, tokenizer = load_base_encoder(base_dir)
    for p in encoder.parameters():
        p.requires_grad_(False)
    try:
        encoder = inject_adapter_in_model(lora_config(config, encoder.config.num_hidden_layers), encoder)
    except ValueError as exc:
        raise ArtifactError(f"no LoRA target modules {config.lora_targets} found in the encoder: {exc}") from exc
    return JointNluModel(encoder, config), tokenizer


def save_model(model: JointNluModel, out_dir: Path, *, metrics: Mapping[str, float] | None = None,
               training_data_hash: str = "", details: Mapping | None = None) -> Path:
    """Write the adapters + heads, then the manifest (atomically, last) into ``out_dir``."""
    from safetensors.torch import save

    from retrieval.atomic import write_bytes_atomic

    cfg = model.config
    write_bytes_atomic(Path(out_dir) / WEIGHTS_FILE, save(model.trainable_state()))
    save_manifest(out_dir, ArtifactManifest(
        name=ARTIFACT_NAME, version=ARTIFACT_VERSION, base_model=cfg.base_model, files=(WEIGHTS_FILE,),
        training_data_hash=training_data_hash, metrics=dict(metrics or {}), config=asdict(cfg),
        details=dict(details or {})))
    return Path(out_dir)


def read_manifest(model_dir: Path) -> ArtifactManifest:
    return load_manifest(model_dir, ARTIFACT_NAME, ARTIFACT_VERSION, hint="run `shopbot train nlu`")


def load_model(model_dir: Path, *, merge: bool = True, base_dir: Path | None = None, speed: str = "fp32"):
    """(model in eval mode, tokenizer, manifest) from a directory written by :func:`save_model`.

    Any ``speed`` but ``fp32`` (``assistant.speed``: ``bf16``, ``int8``, ``auto``) merges the adapters first,
    then converts the model (speed and accuracy of each mode compared in bench/nlu.py)."""
    from safetensors.torch import load_file

    from assistant.speed import SpeedModeError, apply_speed

    manifest = read_manifest(model_dir)
    model, tokenizer = create_model(NluConfig.from_dict(dict(manifest.config)), base_dir)
    state = load_file(str(Path(model_dir) / WEIGHTS_FILE))
    expected = set(model.trainable_state())
    if expected != set(state):
        raise ArtifactError(f"{model_dir}: weights do not match the model (missing {sorted(expected - set(state))[:3]}, "
                            f"unexpected {sorted(set(state) - expected)[:3]})")
    model.load_state_dict(state, strict=False)
    model.eval()
    if merge or speed != "fp32":
        model.merge_adapters()
    for p in model.parameters():
        p.requires_grad_(False)
    try:
        model = apply_speed(model, speed)
    except SpeedModeError as exc:
        raise ArtifactError(str(exc)) from None
    return model, tokenizer, manifest
