"""The merged, de-quantised writer weights, cached on disk at ``<data_dir>/models/writer-<dtype>/``.

Loading the packaged Q4_1 GGUF means parsing it, de-quantising its 272 tensors to float32 and converting
its vocabulary into a fast tokenizer (~30 s on a 2-core machine, with a transient peak of ~1.2 GB), and the
LoRA adapter still has to be merged after that. ``shopbot build`` (step ``writer``) does all of it once
and saves the merged model as safetensors, in the dtype the writer runs in (bf16 on CPUs with native
bf16, else fp32; int8 is quantised at load time from the fp32 copy), with its tokenizer. Start-up then
loads those in about a second. The cache carries a fingerprint of the GGUF file, the adapter files and
the dtype; a missing or stale cache is ignored (the GGUF path is used and the log says how to rebuild).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from retrieval.memory import release_free_memory
from assistant.speed import resolve_speed
from assistant.writer.adapter import ADAPTER_FILES, merge_adapter, read_manifest
from retrieval.atomic import atomic_dir

log = logging.getLogger(__name__)
STAMP = "shopbot-writer-cache.json"


def storage_dtype(speed: str) -> str:
    """The dtype the merged weights are stored in for a writer speed mode: "bf16" or "fp32"."""
    return "bf16" if resolve_speed(speed) == "bf16" else "fp32"


def cache_dir(models_dir: Path, speed: str) -> Path:
    return Path(models_dir) / f"writer-{storage_dtype(speed)}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(adapter_dir: Path, speed: str) -> dict:
    """What the cached weights were made from: the GGUF file (name, size), the adapter files and the dtype."""
    from retrieval.packaged import smollm2_gguf

    folder, name = smollm2_gguf()
    adapter = {f: _sha256(Path(adapter_dir) / f) for f in ADAPTER_FILES if (Path(adapter_dir) / f).is_file()}
    return {"gguf": name, "gguf_bytes": (folder / name).stat().st_size, "adapter": adapter,
            "dtype": storage_dtype(speed), "format": 1}


def is_fresh(path: Path, adapter_dir: Path, speed: str) -> bool:
    stamp = Path(path) / STAMP
    if not stamp.is_file():
        return False
    try:
        return json.loads(stamp.read_text(encoding="utf-8")) == fingerprint(adapter_dir, speed)
    except (json.JSONDecodeError, OSError):
        return False


def save_merged(model, tok, path: Path, stamp: dict) -> None:
    """Write the model (safetensors) and tokenizer to ``path`` atomically: a temporary folder renamed
    into place, the fingerprint written last."""
    _drop_gguf_marker(model)
    with atomic_dir(Path(path)) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tok.save_pretrained(tmp)
        (tmp / STAMP).write_text(json.dumps(stamp, indent=2), encoding="utf-8")


def _drop_gguf_marker(model) -> None:
    """A model loaded with ``gguf_file=`` keeps its GGUF quantizer object although every weight is already
    de-quantised into plain tensors; transformers then refuses to save it. Drop the marker (only then)."""
    import torch

    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is None:
        return
    odd = {type(m).__name__ for m in model.modules() if "Linear" in type(m).__name__ and type(m) is not torch.nn.Linear}
    if odd:
        raise ValueError(f"the writer model still has quantised layers ({', '.join(sorted(odd))}); cannot cache it")
    quantizer.remove_quantization_config(model)


def load_merged(path: Path, speed: str):
    """(model in eval mode, tokenizer) from a cache folder written by ``save_merged``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = torch.bfloat16 if storage_dtype(speed) == "bf16" else torch.float32
    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, low_cpu_mem_usage=True)
    tok = AutoTokenizer.from_pretrained(path)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    release_free_memory()  # the tokenizer's parsed json and the loader's buffers
    return model.eval(), tok


def build_writer_cache(settings) -> None:
    """`shopbot build` step: cache the merged writer weights for ``settings.writer_speed`` (skipped when
    the writer is not the embedded model or the cache is up to date)."""
    from assistant.writer.base_model import load_base_model, load_tokenizer

    if settings.writer != "embedded":
        log.info("writer: %s writer, nothing to cache", settings.writer)
        return
    adapter, speed = Path(settings.generator_adapter_dir), settings.writer_speed
    read_manifest(adapter)
    path = cache_dir(settings.models_dir, speed)
    if is_fresh(path, adapter, speed):
        log.info("writer: merged weights up to date at %s", path)
        return
    log.info("writer: de-quantising the GGUF and merging the adapter into %s", path)
    import torch

    model = merge_adapter(load_base_model(), adapter)
    if storage_dtype(speed) == "bf16":
        model = model.to(torch.bfloat16)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_merged(model, load_tokenizer(), path, fingerprint(adapter, speed))
