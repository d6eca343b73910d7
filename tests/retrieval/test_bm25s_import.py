"""bm25s loaded without numba (retrieval/bm25s_import.py): numba stays out of the process, the scores are
those of bm25s loaded normally, and numba is importable afterwards (ranx needs it)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

SCRIPT = r"""
import json, sys
from retrieval.lexical import LexicalIndex
from retrieval.product import Product
after_lexical = "numba" in sys.modules
fields = dict(brand="Acme", category="shoes", product_type="running shoes", price=50.0, description="light shoe")
products = [Product(id=f"p{i}", title=t, **fields) for i, t in enumerate(
    ["trail running shoe", "road running shoe waterproof", "yoga mat", "hiking boots waterproof leather"])]
index = LexicalIndex.build(products)
scores = [round(float(x), 6) for x in index.match("waterproof running shoes").scores]
import bm25s
print(json.dumps({"numba_loaded": after_lexical, "numba_backend": bool(bm25s.NUMBA_AVAILABLE), "scores": scores}))
"""


def run(preload_numba: bool) -> dict:
    code = ("import numba\n" if preload_numba else "") + SCRIPT
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_bm25s_loads_without_numba_and_scores_the_same():
    light, normal = run(preload_numba=False), run(preload_numba=True)
    assert light["numba_loaded"] is False and light["numba_backend"] is False
    assert normal["numba_loaded"] is True and normal["numba_backend"] is True  # the blocking really changed something
    assert light["scores"] == normal["scores"] and max(light["scores"]) > 0


def test_numba_is_importable_after_bm25s():
    code = "from retrieval.lexical import LexicalIndex\nimport numba, sys\nprint(sys.modules['numba'] is not None)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("True")
