"""Colour families: free-text colours ("Navy Blue/White", "Charcoal", "Matte Black") -> basic families.

Catalogs keep colours as their sellers wrote them (``Product.colors``); matching is by family, so a
shopper's "tan" finds a "Chestnut" boot and "blue" finds "Navy Blue/White". ``color_families`` reads
every colour word it knows in the text (split on anything that is not a letter) and returns their
families in order of first appearance ("Black/White" -> black, white). A colour with no known word
("Original Version", "Chicken") is its own family, lowercased, so exact matching still works for it.
"""

from __future__ import annotations

import re
from functools import lru_cache

FAMILIES: tuple[str, ...] = (
    "black", "white", "grey", "blue", "red", "green", "yellow", "orange", "purple", "pink",
    "brown", "beige", "gold", "silver", "multicolor", "clear",
)

# colour word -> its families (the family names themselves are added below)
_WORDS: dict[str, tuple[str, ...]] = {
    "gray": ("grey",), "charcoal": ("grey",), "graphite": ("grey",), "slate": ("grey",), "ash": ("grey",),
    "heather": ("grey",), "smoke": ("grey",), "gunmetal": ("grey",), "pewter": ("grey",),
    "navy": ("blue",), "denim": ("blue",), "indigo": ("blue",), "royal": ("blue",), "cobalt": ("blue",),
    "aqua": ("blue",), "turquoise": ("blue",), "teal": ("blue", "green"), "cyan": ("blue",), "sky": ("blue",),
    "burgundy": ("red",), "maroon": ("red",), "wine": ("red",), "crimson": ("red",), "scarlet": ("red",),
    "cherry": ("red",), "coral": ("orange", "pink"), "rust": ("orange", "brown"),
    "olive": ("green",), "mint": ("green",), "sage": ("green",), "lime": ("green",), "emerald": ("green",),
    "forest": ("green",), "army": ("green",), "camo": ("green",), "camouflage": ("green",),
    "mustard": ("yellow",), "lemon": ("yellow",),
    "violet": ("purple",), "lavender": ("purple",), "lilac": ("purple",), "plum": ("purple",), "mauve": ("purple",),
    "magenta": ("pink",), "fuchsia": ("pink",), "blush": ("pink",), "rose": ("pink",), "nude": ("beige",),
    "tan": ("brown", "beige"), "chestnut": ("brown",), "chocolate": ("brown",), "coffee": ("brown",),
    "espresso": ("brown",), "mocha": ("brown",), "walnut": ("brown",), "mahogany": ("brown",), "oak": ("brown",),
    "bronze": ("brown",), "copper": ("brown", "orange"), "cognac": ("brown",), "camel": ("brown", "beige"),
    "khaki": ("beige",), "cream": ("beige", "white"), "ivory": ("beige", "white"), "sand": ("beige",),
    "taupe": ("beige", "grey"), "natural": ("beige",), "champagne": ("beige", "gold"), "oatmeal": ("beige",),
    "ebony": ("black",), "jet": ("black",), "onyx": ("black",), "snow": ("white",), "pearl": ("white",),
    "brass": ("gold",), "golden": ("gold",), "chrome": ("silver",), "nickel": ("silver",), "stainless": ("silver",),
    "steel": ("silver",), "platinum": ("silver",), "aluminum": ("silver",), "aluminium": ("silver",),
    "multi": ("multicolor",), "multicolored": ("multicolor",), "multicolour": ("multicolor",),
    "rainbow": ("multicolor",), "assorted": ("multicolor",), "rgb": ("multicolor",),
    "transparent": ("clear",),
}
_TABLE: dict[str, tuple[str, ...]] = {**{f: (f,) for f in FAMILIES}, **_WORDS}
# two-word colours whose words alone would mislead ("rose gold" is gold, not pink)
_PHRASES: dict[str, tuple[str, ...]] = {"rose gold": ("gold", "pink"), "multi color": ("multicolor",),
                                        "off white": ("white", "beige")}
_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=8192)
def color_families_of(color: str) -> tuple[str, ...]:
    """The families of one free-text colour; the lowercased text itself when no word is known."""
    raw = color.strip().lower()
    if not raw:
        return ()
    text = " ".join(_WORD.findall(raw))
    for phrase, fams in _PHRASES.items():
        text = text.replace(phrase, " " + " ".join(fams) + " ")
    out: list[str] = []
    for word in _WORD.findall(text):
        for fam in _TABLE.get(word, ()):
            if fam not in out:
                out.append(fam)
    return tuple(out) or (raw,)


def color_families(colors: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The union of the families of several colours, in order of first appearance."""
    out: list[str] = []
    for color in colors:
        for fam in color_families_of(color):
            if fam not in out:
                out.append(fam)
    return tuple(out)
