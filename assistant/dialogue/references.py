"""Resolve references to the last shown list: "the first one", "option 3", "#2", "the last one",
"the red one", "the sony one", "the cheapest", "both"/"all of them", "it"/"that one" (the focus product).

``resolve`` returns positions (0-based) into the shown list, in the order mentioned; an empty tuple
means "no reference found" (the caller clarifies instead of guessing).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.product import Product

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10}
_ORDINAL_RE = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\b(?:\s+(?:one|item|option|product|pair))?", re.I)
_NUMBERED_RE = re.compile(r"(?:\b(?:option|number|no\.?|item|product|result|choice)\s*#?\s*|#)(\d{1,2}|"
                          + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_LAST_RE = re.compile(r"\b(?:the\s+)?last\s+(?:one|item|option)\b|\bthe\s+last\b", re.I)
_ALL_RE = re.compile(r"\b(?:both|all of them|all three|all 3|these|those|them all)\b", re.I)
_PRONOUN_RE = re.compile(r"\b(?:it|this one|that one|this|that|this item|that item)\b", re.I)
_CHEAPEST_RE = re.compile(r"\b(?:the\s+)?cheapest(?:\s+one)?\b", re.I)
_PRICIEST_RE = re.compile(r"\b(?:the\s+)?(?:most expensive|priciest)(?:\s+one)?\b", re.I)
_BEST_RE = re.compile(r"\b(?:the\s+)?(?:best rated|highest rated|top rated)(?:\s+one)?\b", re.I)


def _positional(text: str, n: int) -> list[tuple[int, int]]:
    """(char offset, index) of ordinal / numbered / last references."""
    found = []
    for m in _ORDINAL_RE.finditer(text):
        found.append((m.start(), _ORDINALS[m.group(1).lower()] - 1))
    for m in _NUMBERED_RE.finditer(text):
        tok = m.group(1).lower()
        found.append((m.start(), (int(tok) if tok.isdigit() else _NUMBER_WORDS[tok]) - 1))
    for m in _LAST_RE.finditer(text):
        found.append((m.start(), n - 1))
    return [(pos, i) for pos, i in found if 0 <= i < n]


def _by_attribute(text: str, shown: Sequence[Product]) -> list[tuple[int, int]]:
    """(char offset, index) for "the red one" / "the sony one" / "the Nike shoes" (attribute words in text)."""
    low = text.lower()
    found = []
    for i, p in enumerate(shown):
        for word in (p.brand, *p.colors, p.material or ""):
            w = word.lower().strip()
            if not w:
                continue
            m = re.search(r"\b" + re.escape(w) + r"\b", low)
            if m:
                found.append((m.start(), i))
                break
    return found


def _extreme(text: str, shown: Sequence[Product]) -> list[int]:
    if not shown:
        return []
    if _CHEAPEST_RE.search(text):
        priced = [i for i in range(len(shown)) if shown[i].price is not None]  # unpriced: neither extreme
        return [min(priced, key=lambda i: shown[i].price)] if priced else []
    if _PRICIEST_RE.search(text):
        priced = [i for i in range(len(shown)) if shown[i].price is not None]
        return [max(priced, key=lambda i: shown[i].price)] if priced else []
    if _BEST_RE.search(text):
        return [max(range(len(shown)), key=lambda i: shown[i].rating)]
    return []


def resolve(text: str, shown: Sequence[Product], focus_id: str | None = None) -> tuple[int, ...]:
    """Positions in ``shown`` the text refers to (0-based, in mention order, no duplicates)."""
    n = len(shown)
    if n == 0:
        return ()
    found = sorted(_positional(text, n)) or sorted(_by_attribute(text, shown))
    if found:
        return tuple(dict.fromkeys(i for _, i in found))
    extreme = _extreme(text, shown)
    if extreme:
        return tuple(extreme)
    if _ALL_RE.search(text):
        return tuple(range(n))
    if _PRONOUN_RE.search(text) or n == 1:
        if focus_id:
            for i, p in enumerate(shown):
                if p.id == focus_id:
                    return (i,)
        if n == 1:
            return (0,)
    return ()
