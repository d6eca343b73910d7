"""CPU speed modes shared by the models that run at inference time (the NLU encoder, the reply writer).

- ``fp32``: the weights as trained.
- ``bf16``: weights and activations in bfloat16. On a CPU with native bf16 instructions (AVX512-BF16 or
  AMX) the NLU encoder runs ~1.5x faster at the same held-out accuracy (bench/nlu.py) and the reply writer
  decodes ~2x faster with half the memory at the same guard pass (bench/generator.py); without them it
  is emulated and slower, which is why ``auto`` checks first.
- ``int8``: every ``nn.Linear`` replaced by a dynamically quantized one (weights int8, activations
  quantized per batch): the fastest, but it costs accuracy (measured in bench/nlu.py and bench/generator.py).
- ``auto``: ``bf16`` where the CPU has native bf16, else ``fp32``.

A model in ``bf16`` returns bf16 tensors; callers cast what they post-process (``.float()``).
"""

from __future__ import annotations

import logging
import warnings

from retrieval.cpu import cpu_has_native_bf16

log = logging.getLogger(__name__)

SPEEDS = ("fp32", "bf16", "int8", "auto")


class SpeedModeError(ValueError):
    """An unknown speed mode name."""


def resolve_speed(speed: str) -> str:
    """The concrete mode (``auto`` resolved for this CPU); raises SpeedModeError for an unknown name."""
    if speed not in SPEEDS:
        raise SpeedModeError(f"unknown speed mode {speed!r}; expected one of {', '.join(SPEEDS)}")
    if speed == "auto":
        return "bf16" if cpu_has_native_bf16() else "fp32"
    return speed


def apply_speed(model, speed: str):
    """``model`` in the given speed mode (a new module for int8; the same one, converted, otherwise)."""
    import torch

    mode = resolve_speed(speed)
    if mode == "bf16":
        return model.to(torch.bfloat16)
    if mode == "int8":
        with warnings.catch_warnings():  # torch marks the quantized-tensor API deprecated; it still works in 2.13
            warnings.simplefilter("ignore")
            return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return model
