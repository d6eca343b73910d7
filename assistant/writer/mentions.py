"""Product and brand mentions in a reply, matched span by span against the reply's facts.

A reply may name a product only as one of the products in its facts. Word-level checks are not enough:
"Sonique OrbitFit Camping Stove" is made only of words from the facts ("Sonique OrbitFit USB-C Phone
Charger" and another "... Camping Stove") and names neither. So the guard finds each **mention span**
(a run of name-like words: capitalised words, brand words, model numbers such as "XR500" or "II", and the
connectives inside titles like "of" / "and") and accepts it only when it matches ONE fact product:

- its words, in order, are words of that product's title or display name (the exact title, the display
  name, or an unambiguous part of either: "UGG Scuffette II", "Forerunner 35"); a plural/singular last
  word counts as the same word; the brand may be put in front of a title that names it later;
- a lowercase product-type noun right after the span must be one of that product's words too
  ("Sonique OrbitFit camping stove" fails as well);
- a span that is written word for word in the facts' other text (notes, policies, order items) passes.

A sentence's first word is dropped from a span when it is no product's word ("Try UGG Scuffette II").
Brands are matched against the catalog's brands with their variants: case, accents and punctuation are
ignored ("Ugg", "UGG®", "Levis" for "Levi's", "Crystalware" for "Crystal Ware"), and a brand is found
inside a longer phrase ("ugg dakota"). A reply's lowercase word matches a brand only when the catalog
itself writes the brand in lowercase ("adidas"), so "simple" is not the brand "Simple"; a brand field in
lowercase counts as the product's title writes it (``as_written``: "choice" titled "Choice 2-Ply").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from retrieval.product import Product

_TOKEN = re.compile(r"[A-Za-z0-9À-ÿ][A-Za-z0-9À-ÿ'’®™+/&.-]*")
_CONNECTIVES = frozenset({"of", "and", "the", "&", "de", "n", "for", "with", "by", "in", "a", "to", "on"})
_ROMAN = re.compile(r"^(?:I{1,3}|IV|V|VI{1,3}|IX|X{1,2}|XL)$")
# capitalised words that start sentences or lists without being names
_STARTERS = frozenset({
    "here", "the", "this", "these", "that", "those", "it", "its", "they", "we", "you", "your", "our", "my", "i",
    "yes", "no", "sorry", "sure", "great", "good", "thanks", "thank", "hi", "hello", "try", "check", "have", "look",
    "take", "how", "what", "which", "both", "all", "each", "one", "some", "there", "if", "and", "or", "but", "also",
    "for", "with", "at", "a", "an", "in", "on", "from", "unfortunately", "however", "please", "price", "order",
    "first", "second", "third", "top", "best", "my", "good", "news", "would", "do", "does", "is", "are", "can",
    "welcome", "ok", "okay", "of", "by", "to", "as", "not", "none", "nothing", "another", "other", "more",
    "cheaper", "options", "option", "picks", "pick", "consider", "perhaps", "maybe", "just", "only", "note",
    "currently", "right", "now", "available", "out", "stock", "let", "me", "see", "found", "get", "buy",
})


def fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: "UGG®" -> "ugg", "Levi's" -> "levis", "TRESemmé" -> "tresemme"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class Token:
    text: str
    key: str  # folded
    start: int
    end: int
    breaks: bool  # punctuation (or the start of the text) before it: a span never crosses it
    sentence_start: bool


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    prev_end = 0
    for m in _TOKEN.finditer(text):
        word = m.group(0).rstrip(".'’-/&+")
        if not word:
            continue
        start, end = m.start(), m.start() + len(word)
        gap = text[prev_end:start]
        first = not out
        breaks = first or bool(gap.strip())
        sentence = first or bool(re.search(r"[.!?:;\n]|\d\.\s*$", gap)) or (out and re.fullmatch(r"\d+", out[-1].text)
                                                                            and "." in gap)
        key = fold(word)
        if key:
            out.append(Token(word, key, start, end, breaks, bool(sentence)))
        prev_end = end
    return out


def _stem(key: str) -> str:
    for suffix, repl in (("ies", "y"), ("ses", "s"), ("es", "e"), ("s", "")):
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            return key[: -len(suffix)] + repl
    return key


def _keys(text: str) -> tuple[str, ...]:
    return tuple(t.key for t in tokenize(text))


@dataclass(frozen=True)
class FactProduct:
    """One fact product's name forms as folded word sequences."""

    product: Product
    forms: tuple[tuple[str, ...], ...]  # title, display name
    brand: tuple[str, ...]
    words: frozenset[str] = field(default_factory=frozenset)  # every folded word (and stem) of its names and type

    @classmethod
    def of(cls, p: Product) -> "FactProduct":
        forms = tuple(dict.fromkeys(f for f in (_keys(p.title), _keys(p.name)) if f))
        words = {k for f in forms for k in f} | set(_keys(p.product_type)) | set(_keys(p.category))
        words |= {_stem(w) for w in words}
        return cls(p, forms, _keys(p.brand), frozenset(words))

    def matches(self, keys: tuple[str, ...]) -> bool:
        """The span's words, in order, are words of one of the names (or brand + words of one)."""
        if not keys:
            return False
        if _in_order(keys, self.forms):
            return True
        nb = len(self.brand)
        return bool(nb) and keys[:nb] == self.brand and len(keys) > nb and _in_order(keys[nb:], self.forms)


def _in_order(keys: tuple[str, ...], forms: tuple[tuple[str, ...], ...]) -> bool:
    for form in forms:
        stems = [_stem(k) for k in form]
        i = 0
        for k in keys:
            while i < len(form) and form[i] != k and stems[i] != _stem(k):
                i += 1
            if i == len(form):
                break
            i += 1
        else:
            return True
    return False


class BrandIndex:
    """The catalog's brands, found in text with their variants (see the module docstring)."""

    def __init__(self, brands: Iterable[str]):
        self.by_key: dict[str, str] = {}
        self.lowercase: set[str] = set()
        for b in brands:
            key = fold(b or "")
            if len(key) < 2 or key in {"generic", "unknown", "none", "na", "unbranded"}:
                continue
            self.by_key.setdefault(key, b)
            if b == b.lower():
                self.lowercase.add(key)
        self.max_words = 4

    def _spelled(self, window: list[Token], key: str) -> bool:
        """Written as the brand: as the catalog spells it, capitalised (3+ letters: "Ugg" for "UGG"; not "An"
        for "AN"), or in lowercase when the catalog writes it so; never a sentence's opening "Best"."""
        if len(window) == 1 and window[0].sentence_start and key in _STARTERS:
            return False
        exact = re.sub(r"[^A-Za-z0-9]", "", "".join(t.text for t in window)) == re.sub(r"[^A-Za-z0-9]", "",
                                                                                      self.by_key[key])
        return exact or key in self.lowercase or (len(key) >= 3 and any(c.isupper() for c in window[0].text))

    def find(self, tokens: list[Token]) -> list[tuple[int, int, str]]:
        """(first token, end token, brand) of each brand found; longest match first at each position."""
        found: list[tuple[int, int, str]] = []
        i = 0
        while i < len(tokens):
            hit = None
            for n in range(min(self.max_words, len(tokens) - i), 0, -1):
                window = tokens[i:i + n]
                if n > 1 and any(t.breaks for t in window[1:]):
                    continue
                key = "".join(t.key for t in window)
                if key in self.by_key and self._spelled(window, key):
                    hit = (i, i + n, self.by_key[key])
                    break
            if hit:
                found.append(hit)
                i = hit[1]
            else:
                i += 1
        return found


@dataclass(frozen=True)
class Span:
    start: int  # token indexes
    end: int
    text: str
    keys: tuple[str, ...]


def _model_like(t: Token) -> bool:
    return bool(re.search(r"\d", t.text) and re.search(r"[A-Za-z]", t.text)) or bool(re.search(r"[a-z][A-Z]", t.text))


def _name_like(t: Token, prev_in_run: bool) -> bool:
    if _model_like(t) or (prev_in_run and _ROMAN.match(t.text)):
        return True
    if t.text[:1].isupper():
        return not (t.sentence_start and t.key in _STARTERS) and t.key != "i"
    return t.text[:1].isdigit() and prev_in_run


def spans(text: str, brand_tokens: set[int] | None = None) -> list[Span]:
    """Candidate product-name spans: runs of name-like tokens (with connectives inside) that hold a model
    token, a brand word or at least two name-like words."""
    tokens = tokenize(text)
    brand_tokens = brand_tokens or set()
    out: list[Span] = []
    i = 0
    while i < len(tokens):
        if not (i in brand_tokens or _name_like(tokens[i], False)):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and not tokens[j].breaks:
            if j in brand_tokens or _name_like(tokens[j], True):
                j += 1
            elif (tokens[j].key in _CONNECTIVES and j + 1 < len(tokens) and not tokens[j + 1].breaks
                  and tokens[j + 1].text[:1].isupper() and not tokens[j].text[:1].isupper()):
                j += 2
            else:
                break
        run = tokens[i:j]
        strong = any(_model_like(t) for t in run) or any(k in brand_tokens for k in range(i, j))
        named = sum(1 for t in run if t.text[:1].isupper() or t.text[:1].isdigit())
        if strong or named >= 2:
            out.append(Span(i, j, text[run[0].start:run[-1].end], tuple(t.key for t in run)))
        i = j
    return out


def _trim(span: Span, tokens: list[Token], known: set[str]) -> Span:
    """Drop a sentence's first word when it belongs to no fact product and names nothing ("Try UGG ...")."""
    first = tokens[span.start]
    if (span.end - span.start > 1 and first.sentence_start and not _model_like(first)
            and first.key not in known and _stem(first.key) not in known):
        return Span(span.start + 1, span.end, span.text, span.keys[1:])
    return span


def _type_tail(tokens: list[Token], end: int, type_nouns: set[str]) -> str | None:
    """A lowercase product-type noun (one or two words) right after a span, e.g. "camping stove"."""
    for n in (2, 1):
        window = tokens[end:end + n]
        if len(window) < n or any(t.breaks for t in window) or any(not t.text.islower() for t in window):
            continue
        phrase = " ".join(t.key for t in window)
        if phrase in type_nouns or _stem(phrase) in type_nouns:
            return phrase
    return None


@dataclass(frozen=True)
class MentionCheck:
    """The outcome for one reply: failures ("unknown_product: ...") and which fact products were named."""

    failures: tuple[str, ...]
    named: frozenset[str]  # ids of fact products mentioned (unambiguously or not)


def check_mentions(text: str, products: tuple[Product, ...], other_text: str, brands: BrandIndex,
                   type_nouns: set[str]) -> MentionCheck:
    """Every product-name span of ``text`` must match one of ``products`` (see the module docstring);
    every brand found must be a fact product's brand or written in ``other_text``."""
    tokens = tokenize(text)
    facts = [FactProduct.of(p) for p in products]
    known = set().union(*(f.words for f in facts)) if facts else set()
    other_keys = " ".join(_keys(other_text))
    other_compact = other_keys.replace(" ", "")
    fact_brands = {"".join(f.brand) for f in facts}
    failures: list[str] = []
    found_brands = brands.find(tokens)
    brand_tokens = {k for a, b, _ in found_brands for k in range(a, b)}
    for a, b, brand in found_brands:
        key = "".join(t.key for t in tokens[a:b])
        if key not in fact_brands and key not in other_compact and not any(key in "".join(f.forms[0]) for f in facts):
            failures.append(f"unknown_product: brand {brand}")
    named: set[str] = set()
    prev: tuple[Span, str, list[FactProduct]] | None = None  # the last matched span, its type tail, its products
    for raw in spans(text, brand_tokens):
        span = _trim(raw, tokens, known)
        if all(k in brand_tokens for k in range(span.start, span.end)):
            continue  # a brand alone: checked above
        keys = span.keys
        if span.end == len(tokens) and len(keys) > 1 and not text.rstrip().endswith((".", "!", "?", ")")):
            keys = keys[:-1]  # a reply cut inside its last word (reported as ``incomplete``)
        hits = [f for f in facts if f.matches(keys)]
        if not hits:
            if not _written(" ".join(span.keys), other_keys):
                failures.append(f"unknown_product: {raw.text}")
            prev = None
            continue
        named |= {f.product.id for f in hits}
        if prev is not None and _glued(prev, span, hits):
            failures.append(f"unknown_product: {prev[0].text} {prev[1]} {raw.text}")
        tail = _type_tail(tokens, span.end, type_nouns)
        if tail and not any(set(tail.split()) <= f.words or _stem(tail.split()[-1]) in f.words for f in hits):
            failures.append(f"unknown_product: {raw.text} {tail}")
        prev = (span, tail or "", hits)
    return MentionCheck(tuple(dict.fromkeys(failures)), frozenset(named))


def _glued(prev: tuple[Span, str, list[FactProduct]], span: Span, hits: list[FactProduct]) -> bool:
    """Two names joined by nothing but the first one's type noun, each another product's: one chimera
    ("the SPANX High Waisted Look at Me Now leggings Black SM 24" = one product's name + another's size)."""
    before, tail, before_hits = prev
    if not tail or span.start != before.end + len(tail.split()):
        return False
    if {f.product.id for f in before_hits} & {f.product.id for f in hits}:
        return False
    joined = (*before.keys, *tail.split(), *span.keys)
    return not any(f.matches(joined) for f in (*before_hits, *hits))


def _written(keys: str, other: str) -> bool:
    return bool(keys) and re.search(r"(?<![a-z0-9])" + re.escape(keys) + r"(?![a-z0-9])", other) is not None


def as_written(p: Product) -> str:
    """The product's brand as its own title writes it: a feed's lowercase brand field ("choice") whose title
    capitalises it ("Silver Dinner Napkin, Choice 2-Ply") is no lowercase brand, so "Great choice." names
    nothing; "adidas" stays lowercase where the titles write it so."""
    brand = p.brand or ""
    if brand != brand.lower():
        return brand
    m = re.search(r"(?<![A-Za-z0-9])" + re.escape(brand) + r"(?![A-Za-z0-9])", p.title, re.IGNORECASE)
    return m.group(0) if m else brand


def type_nouns_of(products: Iterable[Product]) -> set[str]:
    """Folded product-type nouns of a catalog: each type, its last word, and the last word of each display
    name, in singular and plural ("camping stoves", "stove", "slipper")."""
    out: set[str] = set()
    for p in products:
        for phrase in re.split(r"\s*(?:&|,|/)\s*", p.product_type.lower()):
            keys = _keys(phrase)
            if keys:
                out.add(" ".join(keys))
                out.add(keys[-1])
        last = _keys(p.name)[-1:] if p.display_name else ()
        out.update(k for k in last if k.isalpha() and len(k) > 2)
    out |= {_stem(k) for k in out}
    return {k for k in out if len(k) > 2}
