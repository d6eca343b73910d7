"""release_free_memory (retrieval/memory.py) gives freed heap back to the OS on glibc."""

from __future__ import annotations

import ctypes.util
from pathlib import Path

import pytest

from retrieval.memory import release_free_memory


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").is_file() or "libc.so" not in str(ctypes.util.find_library("c")),
                    reason="needs Linux with glibc")
def test_freed_heap_between_live_blocks_is_returned():
    import gc

    release_free_memory()
    blocks = [bytes(4000 + i % 7) for i in range(40_000)]  # ~160 MB of malloc'd (not pymalloc) blocks
    keep = blocks[::16]  # live blocks scattered through the heap: a plain free() cannot shrink it
    grown = rss_mb()
    del blocks
    gc.collect()
    assert rss_mb() > grown - 20  # freed, but still resident
    assert release_free_memory() is True
    assert rss_mb() < grown - 80
    assert len(keep) == 2_500
