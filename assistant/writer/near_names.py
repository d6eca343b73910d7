"""Near copies of a fact product's name, for the guarded repair (``Guard.fix_near_names``, ``repair.py`` step 2).

A mention span that names no fact product but copies ONE fact product's name word for word except for one
word, a misspelling ("NewISHOLVER" for "NEWISHTOOL") or, in a long name, a swapped plain word ("Simply Spinach
Berry Spice Blend" for "... Herb Spice Blend"), is replaced by that product's own words. The different word
must be no word of another fact product and no catalog brand, so a chimera of two products is never "fixed".
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher

from assistant.writer.mentions import (BrandIndex, FactProduct, Span, Token, _keys, _stem, _trim, _written, spans,
                                       tokenize)
from retrieval.product import Product

MISSPELT_RATIO = 0.7  # difflib similarity of a misspelt name word to the fact's word
SWAPPED_MIN_WORDS = 6  # a name this long with one word swapped for another is still that product


def _unmatched_spans(text: str, products: tuple[Product, ...], other_text: str,
                     brands: BrandIndex) -> Iterable[tuple[list[Token], Span]]:
    """(tokens of the reply, trimmed span) for each mention span that matches no fact product."""
    tokens = tokenize(text)
    facts = [FactProduct.of(p) for p in products]
    known = set().union(*(f.words for f in facts)) if facts else set()
    other_keys = " ".join(_keys(other_text))
    brand_tokens = {k for a, b, _ in brands.find(tokens) for k in range(a, b)}
    for raw in spans(text, brand_tokens):
        span = _trim(raw, tokens, known)
        if not all(k in brand_tokens for k in range(span.start, span.end)) \
                and not any(f.matches(span.keys) for f in facts) and not _written(" ".join(span.keys), other_keys):
            yield tokens, span


def _misspelt(word: str, right: str) -> bool:
    """``word`` is a misspelling of ``right``: letters only, 4+ characters, sharing their first two letters
    and mostly the same letters ("NewISHOLVER" for "NEWISHTOOL"; never a model number such as "XR600")."""
    return (word.isalpha() and right.isalpha() and min(len(word), len(right)) >= 4 and word[:2] == right[:2]
            and SequenceMatcher(None, word, right).ratio() >= MISSPELT_RATIO)


def _swapped(keys: tuple[str, ...], at: int, word: str, right: str) -> bool:
    """One word of a long name (``SWAPPED_MIN_WORDS``+, not its first) replaced by another plain word:
    "Jodie's Kitchen Simply Spinach Berry Spice Blend" for "... Spinach Herb Spice Blend"."""
    return len(keys) >= SWAPPED_MIN_WORDS and at > 0 and word.isalpha() and right.isalpha()


def _near_windows(keys: tuple[str, ...], product: Product, taken: set[str]) -> list[tuple[str, int, int]]:
    """(name, first char, end char) of each window of the product's display name or title that ``keys``
    copies word for word but for ONE misspelt (or, in a long name, swapped) word, which is no word of
    another fact product or catalog brand."""
    out = []
    for name in dict.fromkeys((product.name, product.title)):
        form = tokenize(name)
        for a in range(len(form) - len(keys) + 1):
            window = form[a:a + len(keys)]
            diff = [(i, k, t.key) for i, (k, t) in enumerate(zip(keys, window))
                    if k != t.key and _stem(k) != _stem(t.key)]
            if len(diff) != 1 or diff[0][1] in taken:
                continue
            at, word, right = diff[0]
            if _misspelt(word, right) or _swapped(keys, at, word, right):
                out.append((name, window[0].start, window[-1].end))
    return out


def near_name_fixes(text: str, products: tuple[Product, ...], other_text: str,
                    brands: BrandIndex) -> tuple[tuple[int, int, str], ...]:
    """(start, end, replacement) for each mention span that names no fact product but is an unambiguous
    near copy of ONE fact product's name: 2+ words, all of them that product's words in order but for one
    misspelt word (``_misspelt``; in a name of ``SWAPPED_MIN_WORDS``+ words, any plain word but the first:
    ``_swapped``) that is no word of another fact product and no catalog brand. The
    replacement is that product's own words as the facts spell them. A chimera ("Sonique OrbitFit Camping
    Stove": two words of another fact product) and a near copy of two products get no fix."""
    fixes: list[tuple[int, int, str]] = []
    for tokens, span in _unmatched_spans(text, products, other_text, brands):
        if len(span.keys) < 2 or (span.end == len(tokens) and not text.rstrip().endswith((".", "!", "?", ")"))):
            continue
        hits: dict[str, tuple[str, int, int]] = {}
        for p in products:
            taken = set(brands.by_key) | {w for q in products if q.id != p.id for w in FactProduct.of(q).words}
            windows = _near_windows(span.keys, p, taken)
            if windows:
                hits[p.id] = windows[0]
        if len(hits) == 1:
            name, a, b = next(iter(hits.values()))
            fixes.append((tokens[span.start].start, tokens[span.end - 1].end, name[a:b]))
    return tuple(fixes)
