"""The generator adapter artifact: peft's ``adapter_model.safetensors`` (fp16) + ``adapter_config.json``
with an ``assistant.artifact`` manifest (name ``generator``); read its manifest, merge it into a base model.
Written by ``training/generator/train.py``; loaded by ``embedded.py`` and ``weights_cache.py``."""

from __future__ import annotations

from pathlib import Path

from assistant.artifact import ArtifactError, ArtifactManifest, load_manifest

ARTIFACT_NAME = "generator"
ARTIFACT_VERSION = 1
ADAPTER_FILES = ("adapter_model.safetensors", "adapter_config.json")


def read_manifest(adapter_dir: Path) -> ArtifactManifest:
    return load_manifest(adapter_dir, ARTIFACT_NAME, ARTIFACT_VERSION, hint="run `shopbot train generator`")


def merge_adapter(base_model, adapter_dir: Path):
    """The base model with the LoRA adapter in ``adapter_dir`` merged into its weights."""
    from peft import PeftModel

    try:
        return PeftModel.from_pretrained(base_model, str(adapter_dir)).merge_and_unload()
    except (OSError, ValueError, KeyError) as exc:
        raise ArtifactError(f"cannot load the generator adapter in {adapter_dir}: {exc}") from exc
