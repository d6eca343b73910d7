"""Read attribute values from a product's own record: its fields, title, features and description.

Every reader answers from the record only and says when the record is silent:

- ``measure(p, name)``: a number with a unit read from the text ("40 hour battery", "Up to 10 Hours of
  Battery Life", "weighs 8.2 oz"), or the price / rating fields; ``None`` when the listing gives none.
- ``has_feature(p, phrase)``: ``YES`` when the title, features or description state it ("wireless",
  "noise-cancelling" = "noise canceling"), ``NO`` when they state the opposite ("not waterproof", "wired"
  without "wireless"), else ``UNKNOWN``.
- ``has_color(p, colour)``: ``YES``/``NO`` against the listed colours (by colour family: "gray" is grey),
  ``YES`` when only the title names it, ``UNKNOWN`` when the listing gives no colour at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from retrieval.catalog.colors import color_families, color_families_of
from retrieval.product import Product


class Says(str, Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Measure:
    """A quantity the shopper can rank the shown list by."""

    name: str  # "battery life"
    unit: str  # "hours" ("" for price / rating)
    context: re.Pattern | None  # a text segment must mention this for its numbers to count (None: a field)
    hint: str = ""  # the qualitative feature that stands in when no listing gives a number ("lightweight")


@dataclass(frozen=True)
class Reading:
    value: float
    text: str  # as a reply states it: "$56.99", "40 hours", "4.9 out of 5 (786 reviews)"


_NUM = r"(\d+(?:[.,]\d+)?)"
_HOURS = re.compile(_NUM + r"\s*\+?\s*-?\s*(?:hours?|hrs?|h)(?![a-z])", re.I)
_WEIGHT = re.compile(_NUM + r"\s*-?\s*(kg|kilograms?|grams?|g|ounces?|oz|lbs?|pounds?)\b(?!\s*(?:capacity|bottle))", re.I)
_GRAMS = {"kg": 1000.0, "kilogram": 1000.0, "kilograms": 1000.0, "g": 1.0, "gram": 1.0, "grams": 1.0,
          "oz": 28.35, "ounce": 28.35, "ounces": 28.35, "lb": 453.6, "lbs": 453.6, "pound": 453.6, "pounds": 453.6}
MEASURES: dict[str, Measure] = {
    "price": Measure("price", "", None),
    "rating": Measure("rating", "", None),
    "reviews": Measure("number of reviews", "", None),
    "battery": Measure("battery life", "hours", re.compile(
        r"batter|playtime|play time|playback|run ?time|listening time|talk time|per charge|single charge", re.I),
        hint="long battery life"),
    "weight": Measure("weight", "", re.compile(r"\bweigh|\bweight\b|\blightweight\b", re.I),
                      hint="lightweight"),
}
_NOT_PLAYTIME = re.compile(r"stand-?by|charg(e|ed|ing) time|to (re)?charge|fully charged? in|charges? in", re.I)
_NOT_PLAYTIME_AFTER = re.compile(r"^\W*(?:\w+\s+){0,2}(stand-?by|to (fully )?charge|of charging|charging)", re.I)
_NOT_WEIGHT = re.compile(r"\bfl\.?\s*oz\b|capacity|holds|load|support|max(imum)?\b", re.I)
_NEGATED = re.compile(r"\b(?:not|non|no|isn't|is not|without)\s*-?\s*$", re.I)
_ANTONYMS = {"wireless": "wired", "cordless": "corded", "waterproof": "not waterproof"}
_SPELLINGS = ((re.compile(r"cancel+(?:ing|ation)", re.I), "cancelling"), (re.compile(r"colou?r", re.I), "color"),
              (re.compile(r"[-_/]+"), " "))


def normalise(text: str) -> str:
    """Lower case, one spelling ("noise-canceling" -> "noise cancelling"), single spaces."""
    text = text.lower()
    for pattern, repl in _SPELLINGS:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def _number(raw: str) -> float:
    return float(raw.replace(",", "."))


def _full_text(p: Product) -> str:
    return " | ".join([p.title, *p.features, p.description or ""])


def _near(text: str, start: int, end: int, pattern: re.Pattern, before: int, after: int) -> bool:
    return bool(pattern.search(text[max(0, start - before):start])) or bool(pattern.search(text[end:end + after]))


def _battery_hours(p: Product) -> float | None:
    """The largest battery / playtime figure in hours ("30H Playtime", "Up to 10 Hours of Battery Life");
    standby and charging times do not count."""
    text, context = _full_text(p), MEASURES["battery"].context
    values = [_number(m.group(1)) for m in _HOURS.finditer(text)
              if _near(text, m.start(), m.end(), context, 45, 30)
              and not _near(text, m.start(), m.end(), _NOT_PLAYTIME, 25, 0)
              and not _near(text, m.start(), m.end(), _NOT_PLAYTIME_AFTER, 0, 20)]
    values = [v for v in values if 0 < v <= 1000]
    return max(values) if values else None


def _weight_grams(p: Product) -> float | None:
    """The first weight stated next to "weight" / "weighs" ("Weight: 165g", "weighs only 8.2 oz")."""
    text, context = _full_text(p), MEASURES["weight"].context
    for m in _WEIGHT.finditer(text):
        if _near(text, m.start(), m.end(), context, 30, 12) and not _near(text, m.start(), m.end(), _NOT_WEIGHT, 20, 15):
            return _number(m.group(1)) * _GRAMS[m.group(2).lower()]
    return None


def _weight_text(grams: float) -> str:
    return f"{grams / 1000:.2f} kg" if grams >= 1000 else f"{grams:.0f} g"


def measure(p: Product, name: str) -> Reading | None:
    """The product's value of the measure ``name`` (a key of MEASURES), or None when its listing is silent."""
    if name == "price":
        return None if p.price is None else Reading(p.price, p.price_text)
    if name == "rating":
        return Reading(p.rating, f"{p.rating:.1f} out of 5 ({p.review_count} reviews)") if p.review_count else None
    if name == "reviews":
        return Reading(float(p.review_count), f"{p.review_count} reviews") if p.review_count else None
    if name == "battery":
        hours = _battery_hours(p)
        return None if hours is None else Reading(hours, f"{hours:g} hours")
    if name == "weight":
        grams = _weight_grams(p)
        return None if grams is None else Reading(grams, _weight_text(grams))
    raise ValueError(f"unknown measure {name!r}")


def _occurrences(phrase: str, text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\b" + re.escape(phrase) + r"s?\b", text)]


def _feature_in(phrase: str, text: str) -> Says:
    """YES / NO / UNKNOWN for one normalised phrase in one normalised text."""
    found = _occurrences(phrase, text)
    if not found:
        return Says.UNKNOWN
    if all(_NEGATED.search(text[:i]) for i in found):
        return Says.NO
    return Says.YES


def has_feature(p: Product, phrase: str) -> Says:
    """Does the listing state the feature ``phrase``? (see the module docstring)."""
    phrase = normalise(phrase)
    if not phrase:
        return Says.UNKNOWN
    for text in (" | ".join(normalise(f) for f in p.features), normalise(p.title), normalise(p.description or "")):
        said = _feature_in(phrase, text)
        if said is not Says.UNKNOWN:
            return said
    opposite = _ANTONYMS.get(phrase)
    if opposite and _feature_in(opposite, normalise(" ".join((p.title, *p.features, p.description or "")))) is Says.YES:
        return Says.NO
    return Says.UNKNOWN


def listed_colors(p: Product) -> tuple[str, ...]:
    return tuple(c for c in p.colors if c.strip())


def has_color(p: Product, colour: str) -> Says:
    """Is ``colour`` one of the product's listed colours (by family), per its own record?"""
    wanted = set(color_families_of(colour))
    if not wanted:
        return Says.UNKNOWN
    if listed_colors(p):
        named = any(colour.lower() in c.lower() for c in p.colors)
        return Says.YES if named or wanted & set(color_families(p.colors)) else Says.NO
    if re.search(r"\b" + re.escape(colour.lower()) + r"\b", p.title.lower()):
        return Says.YES
    return Says.UNKNOWN


def has_size(p: Product, size: str) -> Says:
    if not p.sizes:
        return Says.UNKNOWN
    return Says.YES if any(size.lower() == s.lower() for s in p.sizes) else Says.NO
