"""The joint intent + entity model: the packaged MiniLM encoder with LoRA adapters, a mean-pooled
intent head and a token-classification (BIO) head, one forward pass for both.

Only the adapters and the heads are saved (a ~1-2 MB safetensors file) beside a ``manifest.json``;
the base weights always come from the installed package (``retrieval.packaged.minilm_dir()``).
Load only through the manifest (:func:`load_model`).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from assistant.records import ENTITY_TYPES, INTENTS

log = logging.getLogger(__name__)

MODEL_TYPE = "shopbot-joint-nlu"
FORMAT_VERSION = 1
WEIGHTS_FILE = "adapter_and_heads.safetensors"
MANIFEST_FILE = "manifest.json"
BASE_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


class ManifestError(RuntimeError):
    """The model directory has no valid manifest (or weights that do not match it)."""


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


class LoRALinear(nn.Module):
    """A frozen linear layer plus a trainable low-rank update ``B @ A * alpha / r``."""

    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float):
        super().__init__()
        self.base = base
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.lora_A, a=5 ** 0.5)
        self.scaling = alpha / r
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (self.dropout(x) @ self.lora_A.T @ self.lora_B.T) * self.scaling

    def merged(self) -> nn.Linear:
        with torch.no_grad():
            self.base.weight += (self.lora_B @ self.lora_A) * self.scaling
        return self.base


def _layer_index(name: str) -> int | None:
    parts = name.split(".")
    for a, b in zip(parts, parts[1:]):
        if a == "layer" and b.isdigit():
            return int(b)
    return None


def _replace_modules(root: nn.Module, suffixes: tuple[str, ...], make, first_layer: int = 0) -> int:
    count = 0
    for name, module in list(root.named_modules()):
        layer = _layer_index(name)
        if isinstance(module, nn.Linear) and any(name.endswith(s) for s in suffixes) and layer is not None and layer >= first_layer:
            parent_name, _, child = name.rpartition(".")
            setattr(root.get_submodule(parent_name), child, make(module))
            count += 1
    return count


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
        """Fold the LoRA updates into the base weights (inference speed = the plain encoder)."""
        _replace_modules_lora(self.encoder)


def _replace_modules_lora(root: nn.Module) -> None:
    for name, module in list(root.named_modules()):
        if isinstance(module, LoRALinear):
            parent_name, _, child = name.rpartition(".")
            setattr(root.get_submodule(parent_name) if parent_name else root, child, module.merged())


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
    encoder, tokenizer = load_base_encoder(base_dir)
    for p in encoder.parameters():
        p.requires_grad_(False)
    first = max(0, encoder.config.num_hidden_layers - config.lora_layers)
    n = _replace_modules(encoder, config.lora_targets,
                         lambda m: LoRALinear(m, config.lora_r, config.lora_alpha, config.lora_dropout), first)
    if n == 0:
        raise ManifestError(f"no LoRA target modules {config.lora_targets} found in the encoder")
    return JointNluModel(encoder, config), tokenizer


def save_model(model: JointNluModel, out_dir: Path, *, extra: dict | None = None) -> Path:
    """Write weights + manifest atomically into ``out_dir`` (files replaced one by one, manifest last)."""
    from safetensors.torch import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    cfg = model.config
    fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".tmp")
    os.close(fd)
    save_file(model.trainable_state(), tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out_dir / WEIGHTS_FILE)
    manifest = {
        "type": MODEL_TYPE, "version": FORMAT_VERSION, "base_model": cfg.base_model, "weights": WEIGHTS_FILE,
        "config": asdict(cfg),
        "label2id": {"intent": {l: i for i, l in enumerate(cfg.intents)}, "tag": {t: i for i, t in enumerate(cfg.tags)}},
        "id2label": {"intent": dict(enumerate(cfg.intents)), "tag": dict(enumerate(cfg.tags))},
        **(extra or {}),
    }
    fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=2)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out_dir / MANIFEST_FILE)
    return out_dir


def read_manifest(model_dir: Path) -> dict:
    path = Path(model_dir) / MANIFEST_FILE
    if not path.is_file():
        raise ManifestError(f"no NLU model at {model_dir} (missing {MANIFEST_FILE}); run `shopbot train nlu`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path} is not valid JSON: {exc}") from exc
    if manifest.get("type") != MODEL_TYPE or manifest.get("version") != FORMAT_VERSION:
        raise ManifestError(f"{path}: expected type {MODEL_TYPE!r} version {FORMAT_VERSION}, got "
                            f"{manifest.get('type')!r} version {manifest.get('version')!r}")
    return manifest


def load_model(model_dir: Path, *, merge: bool = True, base_dir: Path | None = None, speed: str = "fp32"):
    """(model in eval mode, tokenizer, manifest) from a directory written by :func:`save_model`.

    Any ``speed`` but ``fp32`` (``assistant.speed``: ``bf16``, ``int8``, ``auto``) merges the adapters first,
    then converts the model (speed and accuracy of each mode compared in bench/nlu.py)."""
    from assistant.speed import SpeedModeError, apply_speed

    from safetensors.torch import load_file

    manifest = read_manifest(model_dir)
    config = NluConfig.from_dict(manifest["config"])
    model, tokenizer = create_model(config, base_dir)
    state = load_file(str(Path(model_dir) / manifest["weights"]))
    missing = set(model.trainable_state()) - set(state)
    if missing:
        raise ManifestError(f"{model_dir}: weights lack {sorted(missing)[:3]}...")
    model.load_state_dict(state, strict=False)
    model.eval()
    if merge or speed != "fp32":
        model.merge_adapters()
    for p in model.parameters():
        p.requires_grad_(False)
    try:
        model = apply_speed(model, speed)
    except SpeedModeError as exc:
        raise ManifestError(str(exc)) from None
    return model, tokenizer, manifest
