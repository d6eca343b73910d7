"""release_free_memory (assistant/memory.py) gives freed heap back to the OS on glibc."""

from __future__ import annotations

import ctypes.util
from pathlib import Path

import pytest

from assistant.memory import release_free_memory


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").is_file() or "libc.so" not in str(ctypes.util.find_library("c")),
                    reason="needs Linux with glibc")
def test_freed_small_objects_are_returned():
    release_free_memory()
    blocks = [bytes(200) + bytes([i % 256]) for i in range(600_000)]  # ~150 MB of small heap objects
    grown = rss_mb()
    del blocks
    assert release_free_memory() is True
    assert rss_mb() < grown - 60
