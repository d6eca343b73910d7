"""Import ``bm25s`` without numba.

``bm25s`` imports numba (and with it llvmlite and its LLVM library, ~60 MB resident) whenever numba is
installed — here it is, for ranx — although the search uses only ``BM25.get_scores``, which is plain numpy
and scipy. Blocking the numba import while bm25s loads makes bm25s take its numpy backend; the scores are
the same (tests/retrieval/test_bm25s_import.py) and a serving process stays ~60 MB smaller
(bench/memory.py). numba stays importable afterwards for whatever else needs it (ranx in evaluation).
"""

from __future__ import annotations

import sys
from types import ModuleType


def import_bm25s() -> ModuleType:
    """The ``bm25s`` module, loaded with numba blocked unless numba (or bm25s) is already loaded."""
    if "bm25s" in sys.modules or "numba" in sys.modules:
        import bm25s

        return bm25s
    sys.modules["numba"] = None  # type: ignore[assignment]  # `import numba` fails meanwhile
    try:
        import bm25s
    finally:
        del sys.modules["numba"]
    return bm25s
