"""The embedded generator: SmolLM2-135M-Instruct + the shipped LoRA adapter, on CPU, with streaming.

Loaded only through the adapter's manifest (``assistant/writer/adapter.py``). The LoRA is merged into the base weights (no
adapter overhead per token): ``shopbot build`` caches the merged model (``weights_cache.py``) so that
start-up skips the GGUF de-quantisation; without the cache it is merged at load time. ``speed`` picks the
CPU path (``assistant/speed.py``: bf16 on CPUs with native bf16, dynamic int8 Linear layers, fp32).
Attempt 0 decodes greedily; later attempts sample (temperature 0.7, top-p 0.9) with a fixed seed per
attempt, so a regeneration differs from the first try but stays reproducible.

The system message is the same in every prompt: its key/value cache is computed once and a copy of it
seeds every generation (``PrefixCache``), so only the facts block is prefilled per turn.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.artifact import ArtifactManifest
from assistant.records import ReplyFacts
from assistant.speed import SpeedModeError, apply_speed, resolve_speed
from assistant.writer.adapter import merge_adapter, read_manifest
from assistant.writer.base_model import WriterModelError, load_base_model, load_tokenizer, prompt_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationConfig:
    max_new_tokens: int = 100  # a 3-product list runs to ~70 tokens; most replies are 25-50
    temperature: float = 0.7  # sampled attempts only (attempt 0 is greedy)
    top_p: float = 0.9
    speed: str = "fp32"  # assistant/speed.py: "fp32", "bf16", "int8" or "auto"
    threads: int = 0  # 0: leave torch's default
    reuse_prefix: bool = True  # seed each generation with the system message's cached keys/values


def _apply_speed(model, speed: str):
    try:
        return apply_speed(model, speed)
    except SpeedModeError as exc:
        raise WriterModelError(str(exc)) from None


class PrefixCache:
    """The key/value cache of the fixed prompt prefix (everything before the first user turn), computed
    once per distinct prefix; ``seed(prompt, ids)`` returns a private copy when ``ids`` starts with it."""

    USER_TURN = "<|im_start|>user"

    def __init__(self, model, tok):
        self.model, self.tok = model, tok
        self._ids: list[int] | None = None
        self._cache = None

    def _prefix_ids(self, prompt: str) -> list[int]:
        cut = prompt.find(self.USER_TURN)
        return self.tok(prompt[:cut], add_special_tokens=False)["input_ids"] if cut > 0 else []

    def seed(self, prompt: str, ids: list[int]):
        """A fresh copy of the prefix cache for a prompt (caller holds the model lock), or None."""
        import torch
        from transformers import DynamicCache

        prefix = self._prefix_ids(prompt)
        if not prefix or ids[: len(prefix)] != prefix or len(ids) <= len(prefix):
            return None
        if prefix != self._ids:
            cache = DynamicCache(config=self.model.config)
            with torch.inference_mode():
                self.model(input_ids=torch.tensor([prefix]), past_key_values=cache, use_cache=True)
            self._ids, self._cache = prefix, cache
        return copy.deepcopy(self._cache)


class EmbeddedGenerator:
    """Writes reply text for ReplyFacts; ``stream`` yields text pieces as they are generated."""

    def __init__(self, model, tokenizer, config: GenerationConfig = GenerationConfig(),
                 manifest: ArtifactManifest | None = None):
        self.model, self.tok, self.config = model, tokenizer, config
        self.manifest = manifest  # None: the untuned base model
        self.end_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
        self._lock = threading.Lock()  # one generation at a time on the shared model
        self._prefix = PrefixCache(model, tokenizer) if config.reuse_prefix else None

    @classmethod
    def load(cls, adapter_dir: Path | None, config: GenerationConfig = GenerationConfig(),
             models_dir: Path | None = None) -> "EmbeddedGenerator":
        """Base model + adapter (``adapter_dir=None``: the untuned base model, for comparison). With
        ``models_dir``, the merged weights cached there by ``shopbot build`` are used when fresh."""
        import torch

        if config.threads:
            torch.set_num_threads(config.threads)
        if adapter_dir is not None:
            manifest = read_manifest(adapter_dir)  # fail fast (before the slow GGUF load) when the adapter is missing
            cached = cls._from_cache(adapter_dir, config, models_dir, manifest) if models_dir is not None else None
            if cached is not None:
                return cached
        return cls.from_base(load_base_model(), load_tokenizer(), adapter_dir, config)

    @classmethod
    def _from_cache(cls, adapter_dir: Path, config: GenerationConfig, models_dir: Path,
                    manifest: ArtifactManifest) -> "EmbeddedGenerator | None":
        from assistant.writer.weights_cache import cache_dir, is_fresh, load_merged

        path = cache_dir(models_dir, _resolved(config.speed))
        if not is_fresh(path, adapter_dir, config.speed):
            log.warning("no up-to-date merged writer weights at %s: de-quantising the GGUF (slow); "
                        "run `shopbot build --only writer`", path)
            return None
        model, tok = load_merged(path, config.speed)
        return cls(_apply_speed(model, config.speed), tok, config, manifest)

    @classmethod
    def from_base(cls, base_model, tokenizer, adapter_dir: Path | None,
                  config: GenerationConfig = GenerationConfig()) -> "EmbeddedGenerator":
        """Apply the adapter (through its manifest) to an already loaded base model and merge it."""
        manifest = read_manifest(adapter_dir) if adapter_dir is not None else None
        model = merge_adapter(base_model, adapter_dir) if adapter_dir is not None else base_model
        model = _apply_speed(model.eval(), config.speed)
        return cls(model, tokenizer, config, manifest)

    def _inputs(self, facts: ReplyFacts) -> dict:
        """generate() keyword arguments for the prompt: ids, mask and (when reusable) the prefix cache.
        Call with the model lock held (the prefix cache is computed on first use)."""
        import torch

        prompt = prompt_text(self.tok, facts)
        ids = self.tok(prompt, add_special_tokens=False)["input_ids"]
        inputs = {"input_ids": torch.tensor([ids]), "attention_mask": torch.ones(1, len(ids), dtype=torch.long)}
        seeded = self._prefix.seed(prompt, ids) if self._prefix is not None else None
        if seeded is not None:
            inputs["past_key_values"] = seeded
        return inputs

    def _kwargs(self, attempt: int) -> dict:
        kw = {"max_new_tokens": self.config.max_new_tokens, "eos_token_id": self.end_id, "pad_token_id": self.end_id}
        if attempt == 0:
            return {**kw, "do_sample": False}
        return {**kw, "do_sample": True, "temperature": self.config.temperature, "top_p": self.config.top_p}

    def generate(self, facts: ReplyFacts, attempt: int = 0) -> str:
        import torch

        with self._lock, torch.inference_mode():
            inputs = self._inputs(facts)
            torch.manual_seed(1000 + attempt)
            out = self.model.generate(**inputs, **self._kwargs(attempt))
        return self.tok.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()

    def stream(self, facts: ReplyFacts, attempt: int = 0) -> Iterator[str]:
        """Text pieces as generated (generation runs in a worker thread; TextIteratorStreamer)."""
        import torch
        from transformers import TextIteratorStreamer

        streamer = TextIteratorStreamer(self.tok, skip_prompt=True, skip_special_tokens=True, timeout=120)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with self._lock, torch.inference_mode():
                    inputs = self._inputs(facts)
                    torch.manual_seed(1000 + attempt)
                    self.model.generate(**inputs, **self._kwargs(attempt), streamer=streamer)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                errors.append(exc)
                streamer.end()

        worker = threading.Thread(target=run, name="writer-generate", daemon=True)
        worker.start()
        for piece in streamer:
            if piece:
                yield piece
        worker.join()
        if errors:
            raise errors[0]


def _resolved(speed: str) -> str:
    try:
        return resolve_speed(speed)
    except SpeedModeError as exc:
        raise WriterModelError(str(exc)) from None
