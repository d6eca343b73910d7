"""A catalog gazetteer post-pass for the NLU: a brand the installed catalog carries, written inside the
query, becomes a BRAND entity when the model tagged nothing there.

The brand list comes from the installed catalog (``<data_dir>/vocabulary.json`` written by
``shopbot build``, see ``retrieval.catalog.taxonomy``), never from a built-in list. Brand strings that are
also ordinary words of a query (English stop words, the catalog's own colours and product types,
audience words, pure numbers) are left out: "black", "home" or "men" as a brand would tag half the
queries. Matching is by whole words, case- and punctuation-insensitive ("levis" = "Levi's",
"dr martens" = "Dr. Martens"), longest brand first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from assistant.nlu.normalize import normalize_value
from assistant.records import Entity, Parse

_WORD = re.compile(r"[^\W_]+(?:['’.&\-][^\W_]+)*")
MAX_BRAND_WORDS = 5
MIN_BRAND_CHARS = 2
EXTRA_STOP = frozenset("""
men mens women womens kids kid boys girls baby toddler unisex adult adults ladies new set pack kit case cover
black white red blue green pink gold silver gray grey brown large small mini big home generic unknown
""".split())


def _norm(word: str) -> str:
    return re.sub(r"['’.]", "", word.lower())


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(_norm(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(text)]


@dataclass(frozen=True)
class Gazetteer:
    """Brand word sequences (normalised) of the installed catalog."""

    brands: frozenset[tuple[str, ...]]

    @classmethod
    def build(cls, brands: Iterable[str], *, stop_words: Iterable[str] = ()) -> Gazetteer:
        """From the catalog's brand strings, leaving out ambiguous ones (see the module docstring)."""
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        stop = {_norm(w) for w in stop_words} | set(ENGLISH_STOP_WORDS) | EXTRA_STOP
        keep = set()
        for brand in brands:
            words = tuple(w for w, _, _ in _words(brand))
            if not words or len(words) > MAX_BRAND_WORDS or len("".join(words)) < MIN_BRAND_CHARS:
                continue
            if " ".join(words) in stop or all(w.isdigit() for w in words):
                continue
            keep.add(words)
        return cls(frozenset(keep))

    def matches(self, text: str) -> list[tuple[int, int]]:
        """Character spans of catalog brands in ``text`` (longest first, non-overlapping)."""
        words = _words(text)
        out: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_BRAND_WORDS, len(words) - i), 0, -1):
                if tuple(w for w, _, _ in words[i:i + n]) in self.brands:
                    out.append((words[i][1], words[i + n - 1][2]))
                    i += n
                    break
            else:
                i += 1
        return out

    def apply(self, parse: Parse, *, retag: bool = False) -> Parse:
        """``parse`` with a BRAND entity added for every catalog brand no entity overlaps; with ``retag``,
        an entity of another type covering exactly a catalog brand becomes BRAND as well."""
        if not self.brands:
            return parse
        ents = list(parse.entities)
        added = False
        for s, e in self.matches(parse.text):
            same = next((i for i, x in enumerate(ents) if x.start == s and x.end == e), None)
            if retag and same is not None and ents[same].type != "BRAND":
                ents[same] = replace(ents[same], type="BRAND", value=normalize_value("BRAND", ents[same].text))
                added = True
                continue
            if any(x.start < e and s < x.end for x in ents):
                continue
            surface = parse.text[s:e]
            ents.append(Entity(type="BRAND", text=surface, value=normalize_value("BRAND", surface), start=s, end=e))
            added = True
        if not added:
            return parse
        return replace(parse, entities=tuple(sorted(ents, key=lambda x: x.start)))
