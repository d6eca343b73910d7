"""The installed catalog's own vocabulary: product types (with their category), brands and colours.

Derived from the indexed products when the runtime is built (``assistant/runtime.py``; 2.2 s for the
6,764 ESCI products), so after ``shopbot catalog import`` + ``shopbot build`` the dialogue resolves what a
shopper names against what this store actually sells, not against a built-in list.

Type resolution (``resolve``): the shopper's phrase is matched to the catalog's type names
- exactly (case, plural "s"/"es", hyphens and "&" ignored) -> ``exact``;
- by head noun: catalog types whose last word is the phrase's last word ("towels" -> "kitchen towels",
  "bath towels") -> ``related``;
- by spelling (one or two typos, ``rapidfuzz``) -> ``related``.
An exact type may become a filter; related types only boost.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from retrieval.negation import written_negations
from retrieval.product import Product

_NON_WORD = re.compile(r"[^a-z0-9]+")


def type_key(value: str) -> str:
    """Spelling-insensitive key of a type name: lower case, words only, last word singular."""
    words = _NON_WORD.sub(" ", value.lower()).split()
    if not words:
        return ""
    last = words[-1]
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("s", "")):
        if last.endswith(suffix) and len(last) > len(suffix) + 2 and not last.endswith("ss"):
            last = last[: -len(suffix)] + repl
            break
    return " ".join([*words[:-1], last])


@dataclass(frozen=True)
class TypeMatch:
    """How a shopper's product-type phrase maps onto the catalog's types."""

    phrase: str
    exact: str | None = None  # the catalog's own spelling, when the phrase names a catalog type
    related: tuple[str, ...] = ()  # catalog types that share the head noun or are a near spelling

    @property
    def known(self) -> bool:
        return self.exact is not None or bool(self.related)


@dataclass(frozen=True)
class CatalogVocabulary:
    types: Mapping[str, str]  # product type (lower case) -> category
    brands: frozenset[str]  # lower case
    colors: frozenset[str]  # lower case, as written in the catalog
    type_counts: Mapping[str, int] = field(default_factory=dict)
    written_negations: frozenset[str] = frozenset()  # "bite not collar": a title's own "not" (retrieval/negation.py)
    _keys: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys: dict[str, str] = {}
        for t in sorted(self.types, key=lambda t: -self.type_counts.get(t, 0)):
            keys.setdefault(type_key(t), t)
        object.__setattr__(self, "_keys", keys)

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> "CatalogVocabulary":
        types: dict[str, Counter] = {}
        counts: Counter = Counter()
        brands, colors, titles = set(), set(), []
        for p in products:
            titles.append(p.title)
            t = p.product_type.strip().lower()
            if t:
                types.setdefault(t, Counter())[p.category] += 1
                counts[t] += 1
            if p.brand.strip():
                brands.add(p.brand.strip().lower())
            colors.update(c.strip().lower() for c in p.colors if c.strip())
        return cls(types={t: c.most_common(1)[0][0] for t, c in types.items()}, brands=frozenset(brands),
                   colors=frozenset(colors), type_counts=dict(counts), written_negations=written_negations(titles))

    # resolution --------------------------------------------------------------------------------
    def resolve(self, phrase: str) -> TypeMatch:
        key = type_key(phrase)
        if not key:
            return TypeMatch(phrase)
        exact = self._keys.get(key)
        if exact is not None:
            return TypeMatch(phrase, exact=exact)
        head = key.split()[-1]
        related = [t for k, t in self._keys.items() if k.split()[-1] == head or k == head]
        if not related and len(key) >= 5:
            hits = process.extract(key, list(self._keys), scorer=Levenshtein.distance,
                                   score_cutoff=1 if len(key) < 8 else 2, limit=3)
            related = [self._keys[k] for k, _, _ in hits]
        return TypeMatch(phrase, related=tuple(related[:20]))

    def type_in(self, text: str) -> str | None:
        """The longest catalog type named in ``text`` (a fallback when the parser tagged none)."""
        key = " " + type_key(text) + " "
        words = " " + _NON_WORD.sub(" ", text.lower()) + " "
        best = None
        for k, t in self._keys.items():
            if len(k) < 3:
                continue
            if f" {k} " in key or f" {k} " in words or f" {k}s " in words:
                if best is None or len(k) > len(type_key(best)):
                    best = t
        return best
