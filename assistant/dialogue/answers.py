"""Answer a product question from the product's own attributes and description only.

``answer_question`` returns (question, answer): the attribute asked about and its value from the
product's data, or ``None`` as the answer when the product does not say ("not listed").
"""

from __future__ import annotations

import re

from retrieval.product import Product

NOT_LISTED = None

_ASPECTS: tuple[tuple[str, re.Pattern], ...] = (
    ("price", re.compile(r"\b(price|cost|how much|expensive|cheap)\b", re.I)),
    ("rating", re.compile(r"\b(rating|rated|reviews?|stars?|good is it|any good)\b", re.I)),
    ("stock", re.compile(r"\b(in stock|available|availability|sold out)\b", re.I)),
    ("colors", re.compile(r"\b(colou?rs?|shades?)\b", re.I)),
    ("sizes", re.compile(r"\b(sizes?|fit)\b", re.I)),
    ("material", re.compile(r"\b(material|made of|made from|fabric)\b", re.I)),
    ("brand", re.compile(r"\b(brand|who makes|made by)\b", re.I)),
    ("audience", re.compile(r"\b(for men|for women|for kids|unisex|gender|who is it for)\b", re.I)),
    ("warranty", re.compile(r"\b(warranty|guarantee)\b", re.I)),
)
_STOP = frozenset("""a an the is it this that does do have has with of for and or to in on be can i my me you
your one first second third last item product option number about tell more what which how are its there
any will would could should please it's they them these those than very really good""".split())
_BOOL_Q = re.compile(r"^\s*(is|are|does|do|can|has|have|will)\b", re.I)


def asked_aspect(text: str) -> str | None:
    for name, pattern in _ASPECTS:
        if pattern.search(text):
            return name
    return None


def attribute_answer(aspect: str, p: Product) -> str | None:
    if aspect == "price":  # no listed price: answered as "not listed"
        return None if p.price is None else f"${p.price:.2f}"
    if aspect == "rating":
        return f"{p.rating:.1f} out of 5 from {p.review_count} reviews" if p.review_count else None
    if aspect == "stock":
        return "in stock" if p.in_stock else "out of stock"
    if aspect == "colors":
        return ", ".join(p.colors) or None
    if aspect == "sizes":
        return ", ".join(p.sizes) or None
    if aspect == "material":
        return p.material
    if aspect == "brand":
        return p.brand
    if aspect == "audience":
        return p.audience
    return None  # warranty and anything else the catalog has no field for


def _feature_words(text: str) -> list[str]:
    words = re.findall(r"[a-z][a-z\-]+", text.lower())
    return [w for w in words if w not in _STOP and len(w) > 2]


def _search_text(text: str, p: Product) -> tuple[str, str | None]:
    """Yes/no questions about a feature ("is it waterproof?"): look in features, then description."""
    words = _feature_words(text)
    if not words:
        return "details", NOT_LISTED
    feats = [f.lower() for f in p.features]
    for w in words:
        for f in feats:
            if w in f.split() or w in f:
                return w, f"yes, it is listed as {f}"
    desc = p.description.lower()
    for w in words:
        if re.search(r"\b" + re.escape(w) + r"\b", desc):
            sentence = next((s.strip() for s in re.split(r"(?<=[.!?])\s+", p.description) if w in s.lower()), "")
            return w, f"the description says: {sentence}" if sentence else "yes"
    return " ".join(words[:3]), NOT_LISTED


def answer_question(text: str, p: Product) -> tuple[str, str | None]:
    aspect = asked_aspect(text)
    if aspect:
        return aspect, attribute_answer(aspect, p)
    if _BOOL_Q.search(text) or _feature_words(text):
        return _search_text(text, p)
    return "details", p.description or NOT_LISTED
