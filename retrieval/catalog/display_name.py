"""Short display names for real catalog products: brand + model + type ("UGG Scuffette II slipper").

Sellers' titles run to 200 characters ("UGG Women's Scuffette II Slipper, Black/Grey, 7 M US"). Replies name
products by a short name derived once, at import, by ``derive_display_name(title, brand, product_type)``:

1. keep the head of the title: cut at the first " - ", "|", ",", ";", ":" or bracket (sizes, colours and
   marketing tails follow these); when the head is only the brand, the next segment is kept too;
2. cut at " for " / " with " / " compatible with ..." (audience and use tails), drop audience words
   ("Women's", "Mens", "Unisex"), pack counts and quantities ("2 Pack", "36ct", "25 oz", "Pack of 6"),
   dimensions ('12"', "70mm", "8x10 inch") and trailing sizes and colours ("XL", "7 M US", "Black/White");
3. keep model numbers ("XR500", "RTH7560E", "C55-12PMB") and at most MAX_WORDS words after the brand
   (cutting after the product type's noun when it is further in);
4. start with the brand (as the title spells it; prepended when the title does not name it);
5. lowercase the product-type noun when it ends the name ("Slipper" -> "slipper").

Pure string work with no catalog state; the result is never empty (the title is the last resort).
"""

from __future__ import annotations

import re
import unicodedata

MAX_WORDS = 6  # words after the brand
MAX_BRAND_WORDS = 3  # longer "brands" (store names, taglines) are not prepended
_NO_BRAND = {"generic", "unknown", "none", "n/a", "na", "unbranded", "no brand"}
_SEGMENT_CUT = re.compile(r"\s[-–—]\s|\s*[|;:•]\s*|,|\s[-–—]$|\s*\(|\s*\[")
_USE_TAIL = re.compile(r"\s(?:for|with|w/|compatible|featuring|includes?|including|designed|perfect|great|made)\b.*$",
                       re.I)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_AUDIENCE = re.compile(r"\b(?:plus[- ]size|women'?s?|womens|men'?s?|mens|ladies'?|boys'?|girls'?|kids'?|unisex(?:-adult)?|"
                       r"adults?|toddlers?|big kids?|little kids?|baby)(?=\s|$)", re.I)
_UNIT = (r"(?:pack|pk|packs|count|ct|pcs?|pieces?|pairs?|sets?|oz|ounces?|fl\.? ?oz|lbs?|pounds?|ml|l|liters?|"
         r"litres?|g|grams?|kg|mm|cm|m|inch(?:es)?|in|ft|feet|quarts?|qt|gallons?|gal|sheets?|rolls?|cups?)")
_QUANTITY = re.compile(r"(?<![\w/.-])(?:pack of \d+|set of \d+|\d+(?:[./]\d+)?\s?-?" + _UNIT + r"\.?"
                       r"|\d+(?:[./]\d+)?\s?(?:\"|''|”|″)|\d+(?:\.\d+)?\s?x\s?\d+(?:\.\d+)?(?:\s?x\s?\d+(?:\.\d+)?)?"
                       r"(?:\s?(?:\"|inch(?:es)?|in|cm|mm|ft))?)(?![\w-])", re.I)
_SIZE_WORDS = {"xs", "s", "m", "l", "xl", "xxl", "xxxl", "2xl", "3xl", "4xl", "5xl", "1x", "2x", "3x", "4x", "small",
               "medium", "large", "x-large", "xx-large", "x-small", "one", "size", "us", "uk", "eu", "w", "wide",
               "narrow", "petite", "plus", "regular", "tall", "short", "long", "big", "little", "women", "men"}
_COLOR_WORDS = {"black", "white", "grey", "gray", "blue", "red", "green", "yellow", "orange", "purple", "pink",
                "brown", "beige", "gold", "silver", "navy", "khaki", "tan", "charcoal", "ivory", "cream", "burgundy",
                "multi", "multicolor", "clear", "natural", "olive", "teal", "taupe", "chestnut", "light", "dark",
                "heather", "camo", "nude", "rose", "mint", "coral", "wine", "matte", "bright"}
_TOKEN_EDGE = re.compile(r"^[^\w#]+|[^\w+#.'”\"]+$")


def _fold(text: str) -> str:
    """Lowercase, accents off, letters and digits only (for comparing brand spellings)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _clean(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text).replace("®", "").replace("™", "").replace("©", "").replace("\u200b", "")
    return " ".join(text.split())


def _segments(title: str) -> list[str]:
    parts = [p.strip(" -–—.") for p in _SEGMENT_CUT.split(title)]
    return [p for p in parts if p and not p.endswith(")")] or [title]


def _model_like(word: str) -> bool:
    """A model number or code: letters and digits mixed ("XR500", "C55-12PMB", "II" is handled as a word)."""
    return bool(re.search(r"\d", word) and re.search(r"[A-Za-z]", word)) or bool(re.fullmatch(r"\d{3,}(-\d+)*", word))


def _is_size_or_color(word: str) -> bool:
    low = word.lower().strip(".'\"")
    parts = [p for p in re.split(r"[/+&]", low) if p]
    if parts and all(p in _COLOR_WORDS for p in parts):
        return True
    return low in _SIZE_WORDS or bool(re.fullmatch(r"\d{1,2}(\.5)?", low))


def _strippable(words: list[str]) -> bool:
    last = words[-1]
    if last.lower() in {"and", "&", "+", "in", "of", "-", "by", "the", "a"}:
        return True
    if re.fullmatch(r"\d{1,2}(\.5)?", last):  # a bare size ("Slides Black 11") but not a model ("Forerunner 35")
        return len(words) > 1 and (_is_size_or_color(words[-2]) or words[-2][:1].isdigit())
    return _is_size_or_color(last)


def _strip_tail(words: list[str], keep: int) -> list[str]:
    """Drop trailing sizes, colours and stray connectives, keeping at least ``keep`` words."""
    while len(words) > keep and _strippable(words):
        words = words[:-1]
    return words


def _type_nouns(product_type: str) -> list[str]:
    """Lowercase forms of the type's nouns: the whole type and each &/,-separated part, singular and plural."""
    out: list[str] = []
    low = product_type.lower()
    split = r"\s*(?:&|,|/|\band\b)\s*"
    parts = [p.strip() for p in re.split(split, low)]
    heads = [p.split()[-1] for p in parts if " " in p]
    for part in parts + heads + [p.replace("-", " ") for p in parts if "-" in p]:
        if len(part) < 3:
            continue
        out.append(part)
        out.append(part[:-3] + "y" if part.endswith("ies") else part[:-2] if part.endswith(("ches", "shes", "sses", "xes"))
                   else part[:-1] if part.endswith("s") and not part.endswith("ss") else part + "s")
    return sorted(set(out), key=len, reverse=True)


def _type_span(words: list[str], nouns: list[str], start: int) -> tuple[int, int] | None:
    """(start, end) word indexes of the first product-type noun phrase at or after ``start``."""
    low = [w.lower().strip(".,") for w in words]
    for i in range(start, len(words)):
        for noun in nouns:
            n = noun.split()
            if low[i:i + len(n)] == n:
                return i, i + len(n)
    return None


_FUNCTION_WORDS = {"the", "a", "an", "of", "and", "&", "on", "in", "to", "off", "up", "by"}


def _limit(words: list[str], nouns: list[str]) -> list[str]:
    """At most MAX_WORDS (+2 when that ends on the type noun); a type noun further in is kept after the
    first two words ("Non Iron ... Dress Shirt" -> "Non Iron Dress Shirt")."""
    if len(words) <= MAX_WORDS:
        return words
    span = _type_span(words, nouns, 1)
    if span is None:
        return words[:MAX_WORDS]
    start, end = span
    if end <= MAX_WORDS + 2:
        return words[:end]
    lead = words[:2] if not _FUNCTION_WORDS & {w.lower() for w in words[:2]} else words[start - 2:start]
    return lead + words[start:end]


def _lower_type(words: list[str], nouns: list[str]) -> list[str]:
    """Lowercase a product-type noun phrase that ends the name ("Scuffette II Slipper" -> "... slipper")."""
    low = [w.lower() for w in words]
    for noun in nouns:
        n = noun.split()
        tail = words[-len(n):]
        if (len(words) > len(n) and low[-len(n):] == n and all(len(w) > 2 for w in tail)
                and all(w[:1].isupper() and not w.isupper() or w.islower() for w in tail)):
            return words[:-len(n)] + n
    return words


def _brand_words(head_words: list[str], brand: str) -> int:
    """How many leading words of the head spell the brand (0: the head does not start with it)."""
    key, best = _fold(brand), 0
    for n in range(1, min(len(head_words), len(brand.split()) + 2) + 1):
        folded = _fold("".join(head_words[:n]))
        if folded.endswith(key):
            return n
        if key.startswith(folded) and len(folded) >= 4:
            best = n  # the title spells the brand's first words ("Hunter Fan" for "Hunter Fan Company")
    return best


def _names_brand(words: list[str], brand: str) -> bool:
    """The name already carries the brand, or starts with its first word ("Peak Performance ..." for
    "Peak Performance Coffee")."""
    folded = _fold(" ".join(words))
    first = _fold(brand.split()[0])
    return _fold(brand) in folded or (len(first) >= 3 and bool(words) and _fold(words[0]) == first)


def _words(head: str, cut_tail: bool) -> list[str]:
    head = _USE_TAIL.sub("", head) if cut_tail else re.sub(r"\b(?:compatible with|compatible|for|with)\b", " ", head, flags=re.I)
    head = _QUANTITY.sub(" ", _AUDIENCE.sub(" ", _BRACKETS.sub(" ", head)))
    words = [w for w in (_TOKEN_EDGE.sub("", w) for w in head.split()) if w]
    out: list[str] = []
    for i, w in enumerate(words):  # colour combinations anywhere ("Black/Dark Grey Suede" -> "Suede")
        combo = "/" in w and _is_size_or_color(w.rsplit("/", 1)[0])
        after_combo = i > 0 and "/" in words[i - 1] and _is_size_or_color(words[i - 1].rsplit("/", 1)[0])
        if not (combo or after_combo and _is_size_or_color(w)):
            out.append(w)
    return out


def _split_brand(title: str, brand: str) -> tuple[list[str], list[str]]:
    """(brand words as the title spells them, the other name words) from the title's first segment; the
    next segments are added while the name is only the brand or one word ("Duracell - CopperTop AA ..."),
    and the use tail is kept when cutting it leaves nothing ("Hamile Compatible with AirPods Case")."""
    segs = _segments(title)
    words: list[str] = []
    nb = 0
    for n in range(1, min(len(segs), 3) + 1):
        head = " ".join(segs[:n])
        for cut_tail in (True, False):
            words = _words(head, cut_tail)
            nb = _brand_words(words, brand) if brand else 0
            if len(words) > nb:
                break
        if len(words) - nb >= 1 and len(words) >= 2:
            break
    return words[:nb], words[nb:]


def derive_display_name(title: str, brand: str, product_type: str) -> str:
    """A short reply name for one product (see the module docstring); never empty."""
    title, brand = _clean(title or ""), _clean(brand or "")
    brand = "" if brand.lower() in _NO_BRAND else brand
    if not title:
        return brand or product_type or ""
    brand_part, rest = _split_brand(title, brand)
    nouns = _type_nouns(product_type or "")
    rest = _strip_tail(_limit(_strip_tail(rest, 1), nouns), 1)
    if not brand_part and brand and len(brand.split()) <= MAX_BRAND_WORDS and not _names_brand(rest, brand):
        brand_part = brand.split()
    name = " ".join(_lower_type(brand_part + rest, nouns)).strip(" -,")
    name = name[:-1] if name.endswith(".") and not name.endswith(("Co.", "Inc.", "Jr.")) else name
    return name if len(name) >= 3 else title
