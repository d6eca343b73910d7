"""The embedded generator: SmolLM2-135M-Instruct + the shipped LoRA adapter, on CPU, with streaming.

Loaded only through the adapter's ``manifest.json``. At load time the LoRA is merged into the base
weights (no adapter overhead per token) and, with ``speed="int8"``, the Linear layers are dynamically
quantised to int8 (see bench/generator.py for the fp32 vs int8 comparison). Attempt 0 decodes greedily;
later attempts sample (temperature 0.7, top-p 0.9) with a fixed seed per attempt, so a regeneration
differs from the first try but stays reproducible.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.records import ReplyFacts
from assistant.speed import SpeedModeError, apply_speed
from assistant.writer.base_model import WriterModelError, load_base_model, load_tokenizer, prompt_text

log = logging.getLogger(__name__)
MANIFEST_TYPE = "shopbot-generator-lora"


@dataclass(frozen=True)
class GenerationConfig:
    max_new_tokens: int = 100  # a 3-product list runs to ~70 tokens; most replies are 25-50
    temperature: float = 0.7  # sampled attempts only (attempt 0 is greedy)
    top_p: float = 0.9
    speed: str = "fp32"  # "fp32" or "int8" (dynamic int8 Linear layers)
    threads: int = 0  # 0: leave torch's default


def read_manifest(adapter_dir: Path) -> dict:
    path = Path(adapter_dir) / "manifest.json"
    if not path.is_file():
        raise WriterModelError(f"no generator adapter at {adapter_dir} (manifest.json missing); run `shopbot train generator`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise WriterModelError(f"{path} is not valid JSON: {exc}") from exc
    if manifest.get("type") != MANIFEST_TYPE:
        raise WriterModelError(f"{path} is not a generator adapter (type {manifest.get('type')!r})")
    return manifest


def _apply_speed(model, speed: str):
    try:
        return apply_speed(model, speed)
    except SpeedModeError as exc:
        raise WriterModelError(str(exc)) from None


class EmbeddedGenerator:
    """Writes reply text for ReplyFacts; ``stream`` yields text pieces as they are generated."""

    def __init__(self, model, tokenizer, config: GenerationConfig = GenerationConfig(), manifest: dict | None = None):
        self.model, self.tok, self.config, self.manifest = model, tokenizer, config, manifest or {}
        self.end_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
        self._lock = threading.Lock()  # one generation at a time on the shared model

    @classmethod
    def load(cls, adapter_dir: Path | None, config: GenerationConfig = GenerationConfig()) -> "EmbeddedGenerator":
        """Base model + adapter (``adapter_dir=None``: the untuned base model, for comparison)."""
        import torch

        if config.threads:
            torch.set_num_threads(config.threads)
        if adapter_dir is not None:
            read_manifest(adapter_dir)  # fail fast (before the slow GGUF load) when the adapter is missing
        return cls.from_base(load_base_model(), load_tokenizer(), adapter_dir, config)

    @classmethod
    def from_base(cls, base_model, tokenizer, adapter_dir: Path | None,
                  config: GenerationConfig = GenerationConfig()) -> "EmbeddedGenerator":
        """Apply the adapter (through its manifest) to an already loaded base model and merge it."""
        manifest = read_manifest(adapter_dir) if adapter_dir is not None else {"type": "untuned"}
        model = base_model
        if adapter_dir is not None:
            from peft import PeftModel

            try:
                model = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
            except (OSError, ValueError, KeyError) as exc:
                raise WriterModelError(f"cannot load the generator adapter in {adapter_dir}: {exc}") from exc
        model = _apply_speed(model.eval(), config.speed)
        return cls(model, tokenizer, config, manifest)

    def _inputs(self, facts: ReplyFacts):
        return self.tok(prompt_text(self.tok, facts), return_tensors="pt", add_special_tokens=False)

    def _kwargs(self, attempt: int) -> dict:
        kw = {"max_new_tokens": self.config.max_new_tokens, "eos_token_id": self.end_id, "pad_token_id": self.end_id}
        if attempt == 0:
            return {**kw, "do_sample": False}
        return {**kw, "do_sample": True, "temperature": self.config.temperature, "top_p": self.config.top_p}

    def generate(self, facts: ReplyFacts, attempt: int = 0) -> str:
        import torch

        inputs = self._inputs(facts)
        with self._lock, torch.inference_mode():
            torch.manual_seed(1000 + attempt)
            out = self.model.generate(**inputs, **self._kwargs(attempt))
        return self.tok.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()

    def stream(self, facts: ReplyFacts, attempt: int = 0) -> Iterator[str]:
        """Text pieces as generated (generation runs in a worker thread; TextIteratorStreamer)."""
        import torch
        from transformers import TextIteratorStreamer

        inputs = self._inputs(facts)
        streamer = TextIteratorStreamer(self.tok, skip_prompt=True, skip_special_tokens=True, timeout=120)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with self._lock, torch.inference_mode():
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
