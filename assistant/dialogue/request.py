"""A search request read from one turn: the shopper's own words, the type they named, what they don't want.

``read_request(parse)`` keeps the words that describe the product and drops what retrieval should not
match on: prices ("under $50", "budget around 50 bucks"), politeness and chat lead-ins ("can you show me",
"I'm looking for"), and negated phrases ("without straw", kept apart in ``negations``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.catalog.taxonomy import type_key
from retrieval.negation import Negations, split_negations
from assistant.records import Parse

_LEAD_IN = re.compile(
    r"^\s*(?:(?:hi|hello|hey|ok(?:ay)?|so|well|um+|please)[,!.\s]+)*"
    r"(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|please\s+)?"
    r"(?:show\s+me|find\s+me|find|get\s+me|give\s+me|search\s+for|look(?:ing)?\s+for|i'?\s*a?m\s+looking\s+for|"
    r"i'?\s*a?m\s+after|i\s+(?:would\s+like|want|need)(?:\s+to\s+(?:buy|find|get|see))?|i'?d\s+like(?:\s+to\s+see)?|"
    r"do\s+you\s+(?:have|sell|carry)|have\s+you\s+got|any|some|recommend(?:\s+me)?)?\s*(?:some|any|a|an)?\s+",
    re.I)
# "back to the tents", "ok let's go back to the running shoes": the shopper returns to a search (not a product word)
_BACK = re.compile(r"^\s*(?:(?:ok(?:ay)?|so|and|now|right)[,\s]+)*(?:(?:let'?s\s+|can\s+we\s+)?(?:go(?:ing)?\s+)?"
                   r"back\s+to|return(?:ing)?\s+to)\s+(?:the\s+|those\s+|my\s+)?", re.I)
_PRICE_CUES = re.compile(
    r"\b(?:(?:with\s+a\s+)?budget(?:\s+(?:of|is))?|(?:priced\s+)?(?:under|below|less\s+than|cheaper\s+than|up\s+to|"
    r"at\s+most|max(?:imum)?|no\s+more\s+than|over|above|more\s+than|at\s+least|min(?:imum)?|between|from|around|"
    r"about|roughly)|and|to|-)\s*$", re.I)
_TRAILING = re.compile(r"[\s,;:!?.]+$")
_RELATIVE = re.compile(r"\s+(?:that|which|who)(?:['’]s|\s+is|\s+are)?$", re.I)  # left by "that's not too thick"
_FILLER = frozenset(
    "a an the some any one ones it them those these that this please pls thanks me my i im i'm you show find "
    "what about how with and or in of for to something stuff thing things also instead too maybe just "
    "only really very more again then ok okay yes yeah please kind type".split())
_PRICE_WORDS = re.compile(r"\$?\d[\d,.]*\s*(?:dollars?|bucks|usd|\$)?", re.I)
# "with a hood", "one with a card holder", "that has a lid": what follows is a part of the product searched for
_ATTRIBUTE_LEAD = re.compile(r"^(?:(?:one|ones|something|anything)\s+)?(?:with|w/|that\s+(?:has|have|comes?\s+with)|"
                             r"having|featuring|including)\b", re.I)


@dataclass(frozen=True)
class Request:
    text: str  # the words retrieval searches for
    type_phrase: str  # the PRODUCT_TYPE the parser found ("" when none)
    negations: Negations
    own_words: tuple[str, ...]  # content words not covered by an attribute entity
    quantities: tuple[str, ...] = ()  # "2 person", "12 pack": attributes the product's own text must state
    part_words: tuple[str, ...] = ()  # own words after "with" / "that has": a part of the product ("card holder")

    def refines(self, current_type: str, intent: str) -> bool:
        """Is this turn a refinement of a search about ``current_type`` rather than a new search?"""
        if self.part_words and current_type:  # "with a hood" after "rain jacket": not a search for hoods
            return True
        if self.type_phrase and type_key(self.type_phrase) != type_key(current_type):  # "tents" after "tent": same
            return False
        if intent == "refine_results" or not self.own_words:
            return True
        return bool(self.type_phrase)  # same type named again, with words of its own: still that search


_CURRENCY_BEFORE = re.compile(r"(?:\$|usd|us\$|£|€)\s*$", re.I)
_CURRENCY_AFTER = re.compile(r"^\s*(?:\$|(?:dollars?|bucks|usd|quid)\b)", re.I)


def _strip_cues(head: str) -> str:
    while True:
        shorter = _PRICE_CUES.sub("", _CURRENCY_BEFORE.sub("", head)).rstrip()
        if shorter == head.rstrip():
            return head
        head = shorter


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(_strip_cues(text[last:start]))
        tail = _CURRENCY_AFTER.match(text[end:])
        last = end + (tail.end() if tail else 0)
    out.append(text[last:])
    return " ".join(" ".join(out).split())


def read_request(parse: Parse, names: frozenset[str] = frozenset()) -> Request:
    """``names``: the catalog's titles' own "<word> not <word>" (``written_negations``), never negations."""
    text = parse.text or ""
    priced = [(e.start, e.end) for e in parse.entities
              if e.type in ("PRICE_MIN", "PRICE_MAX", "ORDER_ID") and e.end > e.start]
    text = _cut(text, priced) if priced else text
    if not priced and (parse.values("PRICE_MIN") or parse.values("PRICE_MAX")):
        text = _PRICE_WORDS.sub(" ", text)
    back = _BACK.match(text)
    text = _LEAD_IN.sub("", text[back.end():] if back else text, count=1)
    text, negations = split_negations(text, names)
    text = _TRAILING.sub("", _RELATIVE.sub("", _TRAILING.sub("", _strip_cues(text)))).strip()
    covered = " ".join(e.value.lower() for e in parse.entities if e.type not in ("PRODUCT_TYPE",)).split()
    own = tuple(w for w in re.findall(r"[a-z0-9][a-z0-9'&-]*", text.lower())
                if w not in _FILLER and w not in covered and not w.isdigit())
    types = [e.value for e in parse.entities if e.type == "PRODUCT_TYPE" and not (back and e.end <= back.end())]
    return Request(text=text, type_phrase=(types[0] if types else "").strip(), negations=negations,
                   own_words=own, quantities=quantity_phrases(text),
                   part_words=own if _ATTRIBUTE_LEAD.match(text) else ())


_CHATTY = re.compile(
    r"^\s*(?:what|how|why|when|where|who|which|can|could|would|will|is|are|do|does|did|should|hi|hello|hey|"
    r"thanks?|thank|bye|goodbye|yes|no|ok|okay)\b|\b(?:i|i'm|im|i've|my|me|you|your|we|our|us)\b|\?",
    re.I)
_SERVICE = re.compile(r"\b(?:order|orders|refund|cancel|return|returns|account|password|login|sign|shipping|delivery|"
                      r"deliver|payment|pay|paid|charge|charged|invoice|agent|human|complain|complaint|tracking|track)\b",
                      re.I)
MAX_QUERY_WORDS = 8


def reads_as_query(text: str, catalog_coverage: float) -> bool:
    """Typed the way shoppers type into a search box: short, no chat or service words, and one product of
    the catalog has (nearly) all its words ("keep grinding hat", "ultimate guard french tarot")."""
    words = text.split()
    if not words or len(words) > MAX_QUERY_WORDS or _CHATTY.search(text) or _SERVICE.search(text):
        return False
    return catalog_coverage >= (1.0 if len(words) <= 3 else 0.75)


_UNITS = {
    "person": "person", "people": "person", "persons": "person", "man": "person", "men": "person",
    "pack": "pack", "pk": "pack", "packs": "pack", "count": "count", "ct": "count",
    "piece": "piece", "pieces": "piece", "pc": "piece", "pcs": "piece", "seater": "seat", "seat": "seat",
    "seats": "seat", "player": "player", "players": "player", "pair": "pair", "pairs": "pair",
    "inch": "inch", "inches": "inch", "in": "inch", "quart": "quart", "qt": "quart", "gallon": "gallon", "gal": "gallon",
    "oz": "oz", "ounce": "oz", "ounces": "oz", "tb": "tb", "gb": "gb", "cup": "cup", "cups": "cup", "drawer": "drawer",
    "drawers": "drawer", "tier": "tier", "tiers": "tier", "burner": "burner", "burners": "burner",
}
_QUANTITY = re.compile(r"(?<![\w./])(\d+(?:[./]\d+)?)\s*-?\s*(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b", re.I)


def quantity_phrases(text: str) -> tuple[str, ...]:
    """Quantities that are attributes of the product, normalised: "for 2 people" -> "2 person", "12-pack" -> "12 pack"."""
    return tuple(dict.fromkeys(f"{n} {_UNITS[u.lower()]}" for n, u in _QUANTITY.findall(text or "")))
