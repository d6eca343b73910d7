"""What this CPU can do fast: native bfloat16 (AVX512-BF16 or AMX), read from /proc/cpuinfo.

Used by the embedder's ``auto`` index speed (retrieval/embeddings.py) and the models' ``auto`` speed
mode (assistant/speed.py).
"""

from __future__ import annotations

import functools
from pathlib import Path

_BF16_FLAGS = ("avx512_bf16", "amx_bf16")


@functools.cache
def cpu_has_native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    try:
        flags = next((line for line in cpuinfo.read_text().splitlines() if line.startswith("flags")), "")
    except OSError:
        return False
    return any(f in flags.split() for f in _BF16_FLAGS)
