"""Give freed heap memory back to the operating system after a big load.

Loading a model or a catalog snapshot leaves many megabytes of freed but still resident heap (parsed JSON,
float32 copies converted to bf16, Chroma's result pages): glibc keeps it for reuse, so the process's
resident size, and the peak that follows once the next model is paged in, stays that much higher.
``release_free_memory`` collects garbage and asks glibc to return free pages (``malloc_trim``); on other C
libraries it only collects. It costs a few milliseconds (bench/memory.py measures the effect).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging

log = logging.getLogger(__name__)


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim") if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None


def release_free_memory() -> bool:
    """Collect garbage and return free heap pages to the OS; True when the C library could trim."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
