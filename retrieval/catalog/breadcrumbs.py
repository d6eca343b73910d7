"""Category breadcrumbs ("Home > Kitchen > Towels", or a root->leaf list) -> category, product type, audience.

The mapping used by every feed preset:
  category      the root node, as written ("Clothing, Shoes & Jewelry", "Home & Kitchen").
  product_type  the leaf, lowercased ("Slippers" -> "slippers"). A leaf that names no kind of product
                (an audience node "Women", or "Casual", "Programmable", "Accessories") gives way to
                its parent ("Dresses > Casual" -> "dresses"; "Headphones > Accessories" ->
                "headphones accessories").
  audience      the first audience node of the path (Women -> women, Men -> men, Boys/Girls/Baby ->
                kids, Dogs -> dogs, Cats -> cats), else None.
Without a breadcrumb the type comes from the title (``type_from_title``): the longest of the
catalog's own types found in the title's first segment, else the segment's last word, else "other".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OTHER = "other"
AUDIENCE_NODES = {"women": "women", "men": "men", "boys": "kids", "girls": "kids", "baby": "kids",
                  "kids": "kids", "dogs": "dogs", "cats": "cats", "unisex": "unisex"}
# leaves that qualify their parent instead of naming a product kind
QUALIFIER_LEAVES = frozenset({"casual", "programmable", "novelty & more", "more", "other", "general",
                              "standard", "basic", "traditional", "classic", "everyday", "fashion"})
SUFFIX_LEAVES = frozenset({"accessories", "parts", "parts & accessories", "replacement parts", "sets", "kits"})
_SPLIT = re.compile(r"\s*>\s*")
_SEGMENT_END = re.compile(r",|\s[-–—|]\s|\s[(\[]|\|")
_HEAD_END = re.compile(r"\s(?:for|with|by|in)\s", re.I)
_WORD = re.compile(r"[a-z][a-z'&-]*")
_NOT_A_TYPE = frozenset({"with", "for", "and", "the", "of", "in", "pack", "pcs", "set", "new", "model",
                         "version", "edition", "release", "inch", "inches", "oz", "gb", "tb", "count", "size"})


@dataclass(frozen=True)
class Placement:
    category: str
    product_type: str
    audience: str | None


def split_path(value) -> list[str]:
    """A breadcrumb as a list of nodes, from a list or a "A > B > C" string."""
    if value is None:
        return []
    nodes = value if isinstance(value, (list, tuple)) else _SPLIT.split(str(value))
    return [str(n).strip() for n in nodes if str(n).strip()]


def leaf_type(nodes: list[str]) -> str:
    """The product type of a non-empty path (its leaf, or the parent a qualifying leaf refines)."""
    kinds = [n for n in nodes[1:] if n.lower() not in AUDIENCE_NODES] or nodes[-1:]
    leaf = kinds[-1].lower()
    parent = kinds[-2].lower() if len(kinds) > 1 else ""
    if leaf in QUALIFIER_LEAVES and parent:
        return parent
    if leaf in SUFFIX_LEAVES and parent:
        return f"{parent} {leaf}"
    return leaf


def place(path, title: str = "", known_types: frozenset[str] = frozenset()) -> Placement:
    """Category, type and audience of a product from its breadcrumb (and its title when there is none)."""
    nodes = split_path(path)
    audience = next((AUDIENCE_NODES[n.lower()] for n in nodes[1:] if n.lower() in AUDIENCE_NODES), None)
    if not nodes:
        return Placement("", type_from_title(title, known_types), audience)
    return Placement(nodes[0], leaf_type(nodes), audience)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_singular(w) for w in _WORD.findall(text.lower())]


def type_from_title(title: str, known_types: frozenset[str] = frozenset()) -> str:
    """A product type for a title with no breadcrumb: the known type (singular/plural-blind) that starts
    earliest in the title's head (its first segment, before " for "/" with "; the longer one on a tie),
    else the head's last plain word, else "other"."""
    head = _SEGMENT_END.split(title, maxsplit=1)[0]
    head = _HEAD_END.split(head, maxsplit=1)[0] or head
    words = _words(head)
    text = " " + " ".join(words) + " "
    best: tuple[int, int, str] | None = None
    for kind in known_types - AUDIENCE_NODES.keys():
        kind_words = " ".join(_words(kind))
        at = text.find(f" {kind_words} ") if kind_words else -1
        if at >= 0 and (best is None or (at, -len(kind_words)) < best[:2]):
            best = (at, -len(kind_words), kind)
    if best:
        return best[2]
    plain = [w for w in _WORD.findall(head.lower()) if len(w) > 2 and _singular(w) not in _NOT_A_TYPE]
    return plain[-1] if plain else OTHER
