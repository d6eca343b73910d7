"""Normalising entity surface text to values: prices to plain numbers, quantities to digits,
order ids to their canonical form (the digits, leading zeros dropped), everything else lowercased.

Pure functions, no model: used by the parser after decoding spans, by the data generator and by
the evaluation (entities are matched on normalised values).
"""

from __future__ import annotations

import re

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "couple": 2, "pair": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "dozen": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "thousand": 1000, "grand": 1000,
}

_NUM_RE = re.compile(r"\d[\d,]*(?:\.\d+)?")
_K_RE = re.compile(r"(\d+(?:\.\d+)?)\s*k\b", re.IGNORECASE)


def _format_number(x: float) -> str:
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.2f}".rstrip("0").rstrip(".")


def words_to_number(text: str) -> int | None:
    """"three" -> 3, "twenty five" -> 25, "a couple" -> 2, "two hundred" -> 200; None if not a number."""
    words = [w for w in re.split(r"[\s-]+", text.lower().strip()) if w and w not in ("and", "of")]
    if not words or any(w not in NUMBER_WORDS for w in words):
        return None
    total, current = 0, 0
    for w in words:
        n = NUMBER_WORDS[w]
        if n in (100,):
            current = max(current, 1) * n
        elif n in (1000,):
            total += max(current, 1) * n
            current = 0
        elif w in ("a", "an") and len(words) > 1:
            continue
        else:
            current += n
    return total + current


def normalize_price(text: str) -> str | None:
    """"$1,200" -> "1200", "80 bucks" -> "80", "79.99" -> "79.99", "1.5k" -> "1500", "fifty" -> "50"."""
    t = text.strip().lower()
    m = _K_RE.search(t)
    if m:
        return _format_number(float(m.group(1)) * 1000)
    m = _NUM_RE.search(t)
    if m:
        raw = m.group(0).rstrip(",")
        try:
            return _format_number(float(raw.replace(",", "")))
        except ValueError:
            return None
    cleaned = re.sub(r"\b(bucks?|dollars?|usd|euros?|eur|pounds?|gbp|quid)\b|[$€£]", " ", t)
    n = words_to_number(cleaned)
    return None if n is None else str(n)


def normalize_quantity(text: str) -> str | None:
    """"2" -> "2", "three" -> "3", "a couple" -> "2", "x3" -> "3", "a dozen" -> "12"."""
    t = text.strip().lower()
    m = re.search(r"\d+", t)
    if m:
        return str(int(m.group(0)))
    n = words_to_number(re.sub(r"\b(of|pairs?|pcs|pieces?|units?|items?)\b", " ", t))
    return None if n is None else str(n)


def normalize_order_id(text: str) -> str:
    """Canonical order id: its digits with leading zeros dropped ("#10023", "ORD-10023", "order 010023"
    -> "10023"). Ids without digits are uppercased alphanumerics."""
    t = text.strip()
    runs = re.findall(r"\d+", t)
    if runs:
        digits = max(runs, key=len)
        return digits.lstrip("0") or "0"
    return re.sub(r"[^A-Za-z0-9]", "", t).upper()


def normalize_text(text: str) -> str:
    """Lowercase, strip surrounding punctuation and collapse whitespace; drop a possessive "'s"."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    t = t.strip(" \t.,;:!?\"()[]{}")
    t = re.sub(r"(\w)['’]s$", r"\1", t)
    return t


def normalize_size(text: str) -> str:
    t = normalize_text(text)
    return re.sub(r"^(size|sz|us|eu|uk)\s+", "", t)


def normalize_value(etype: str, text: str) -> str:
    """The normalised value of an entity of type ``etype`` with surface ``text``."""
    if etype in ("PRICE_MIN", "PRICE_MAX"):
        return normalize_price(text) or normalize_text(text)
    if etype == "QUANTITY":
        return normalize_quantity(text) or normalize_text(text)
    if etype == "ORDER_ID":
        return normalize_order_id(text)
    if etype == "SIZE":
        return normalize_size(text)
    return normalize_text(text)


def price_cue(text: str, start: int, end: int | None = None) -> str | None:
    """PRICE_MAX / PRICE_MIN when the words right before (or after) a price at ``start`` state the bound
    ("under 80", "at least $50", "80 or less"), else None (the model's tag stands)."""
    before = re.sub(r"\s+", " ", text[max(0, start - 24):start].lower()).rstrip(" $")
    after = re.sub(r"\s+", " ", text[end:end + 16].lower()).lstrip() if end is not None else ""
    if re.match(r"(or|and) (less|under|below|lower)\b", after):
        return "PRICE_MAX"
    if re.match(r"(or|and) (more|up|over|above|higher)\b|\+", after):
        return "PRICE_MIN"
    strong_max = ("under", "below", "less than", "max", "maximum", "up to", "upto", "no more than", "at most",
                  "cheaper than", "lower than", "not more than", "max of", "budget of", "budget is", "within")
    strong_min = ("over", "above", "at least", "more than", "min", "minimum", "starting at", "higher than",
                  "upwards of", "no less than", "not less than", "between", "from")
    for cue in sorted(strong_max + strong_min, key=len, reverse=True):
        if re.search(rf"(^|\W){re.escape(cue)}$", before):
            return "PRICE_MAX" if cue in strong_max else "PRICE_MIN"
    if re.search(r"\d(?:[\d,.]*)\s*(?:k|bucks|dollars|usd|\$)?\s*(?:and|to|-|–)$", before):
        return "PRICE_MAX"  # the upper end of a range: "between 60 and 120", "from 60 to 120", "60-120"
    return None
