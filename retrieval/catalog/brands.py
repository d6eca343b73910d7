"""Brand names as shoppers type them, resolved to the catalog's own brands.

``brand_key`` folds the variants a shopper or a seller writes: case, punctuation and marks ("UGG®",
"Levi's", "Dr. Martens", "TRP" / "trp"), "&" vs "and". ``resolve_brand`` maps a typed brand to the
catalog brand it names: the same key, or a catalog brand written inside a longer phrase ("ugg dakota"
-> "ugg", "the north face jacket" -> "the north face"), longest first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_MARKS = re.compile(r"[®™©]")
_APOS = re.compile(r"['’`.]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def brand_key(text: str) -> str:
    """'UGG®' -> 'ugg'; "Levi's" -> 'levis'; 'Dr. Martens' -> 'dr martens'; 'Black & Decker' -> 'black and decker'."""
    low = _APOS.sub("", _MARKS.sub("", text or "").lower()).replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", low).split())


def resolve_brand(value: str, catalog_brands: Iterable[str]) -> str | None:
    """The catalog brand (as given, lower case) that ``value`` names, or None."""
    by_key = {brand_key(b): b for b in catalog_brands if brand_key(b)}
    key = brand_key(value)
    if not key:
        return None
    if key in by_key:
        return by_key[key]
    words = key.split()
    for n in range(len(words) - 1, 0, -1):  # a catalog brand inside the phrase, longest first
        for i in range(len(words) - n + 1):
            part = " ".join(words[i:i + n])
            if part in by_key and len(part) >= 2:
                return by_key[part]
    return None
