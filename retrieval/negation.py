"""What the shopper does NOT want: "without straw", "not from Urbanstep", "not too thick", "no lids".

Search handles a negation in two steps (measured on the ESCI dev queries, bench/RESULTS.md): the negated
phrase is taken out of the query text (dense and lexical retrieval match words, not their negation),
then a product whose title says it is free of the term ("without handles", "stemless", "BPA-free")
moves up and one whose title names it ("with handles") moves down (``title_stance``).

``split_negations(text)`` returns the text without the negated phrases and the phrases themselves.
A negated phrase runs from the cue to the next connective (and, for, with, in, under, ...), punctuation
or the end, at most three words. "from X" / "by X" after the cue names a brand to exclude.
Hyphenated or fixed product words are not negations: "non-stick", "non slip", "no-show", "nonstick"; nor
is a "not" the catalog's titles glue into a name between the same two words ("bite not collar" for "BiteNot
Collar", "forget me not flower seeds" for "Forget-Me-Not Flower Seeds": ``written_negations``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_CUE = r"(?:without|w/o|w/out|minus|excluding|except(?:\s+for)?|free\s+of|but\s+not|not|no)"
_STOP = (r"(?:and|or|but|for|with|in|under|over|below|above|less|more|than|that|which|please|size|"
         r"who|to|on|at|from|by|[,.;!?]|$)")
_NEG_RE = re.compile(rf"(?<![\w-])(?P<cue>{_CUE})\s+(?:too\s+|very\s+|so\s+|any\s+|a\s+|an\s+|the\s+)?"
                     rf"(?:(?P<brandcue>from|by|made\s+by)\s+)?"
                     rf"(?P<phrase>(?:(?!{_STOP}\b)[\w'&/.-]+\s*){{1,3}}?)(?=\s*(?:\b{_STOP}|$))", re.I)
# product words that start like a negation but are a wanted feature
_KEEP = re.compile(r"\b(?:no[\s-]show|no[\s-]slip|non[\s-]\w+|no[\s-]iron|no[\s-]spill|no[\s-]tie|no[\s-]pull|"
                   r"no[\s-]scratch|not\s+applicable)\b", re.I)
_LEADING = re.compile(r"^(?:too|very|so|any|a|an|the)\s+", re.I)
_WORD = re.compile(r"[a-z0-9]+")
_GLUED_NOT = re.compile(r"([A-Za-z0-9]+)(?:-[Nn]ot|Not|NOT)\b[\s,.-]+([A-Za-z0-9]+)")


@dataclass(frozen=True)
class Negations:
    terms: tuple[str, ...] = ()  # unwanted words/phrases ("straw", "glass beads", "thick")
    brands: tuple[str, ...] = ()  # brands named after "not from" / "not by"

    def __bool__(self) -> bool:
        return bool(self.terms or self.brands)

    def covers(self, value: str) -> bool:
        """Whether ``value`` ("too thick", "Purple") is one of the negated terms ("thick", "purple")."""
        return _LEADING.sub("", " ".join(value.lower().split())) in self.terms


def written_negations(titles: Iterable[str]) -> frozenset[str]:
    """"<word> not <word>" where a title glues the "not" to the word before it, as names do ("BiteNot Collar",
    "Forget-Me-Not Flower Seeds" -> "bite not collar", "me not flower"): in a query those words name a product.
    A spaced "not" / "no" in a title ("Batteries Not Included", "Belt No Buckle") describes, and stays a negation."""
    out: set[str] = set()
    for title in titles:
        for m in _GLUED_NOT.finditer(title or ""):
            out.add(f"{m.group(1).lower()} not {m.group(2).lower()}")
    return frozenset(out)


def _written(text: str, m: re.Match, names: frozenset[str]) -> bool:
    """The cue and the words around it are a catalog title's own words ("bite not collar"), not a negation."""
    cue = m.group("cue").lower()
    before = _WORD.findall(text[:m.start()].lower())
    after = _WORD.findall(m.group("phrase").lower())
    return cue == "not" and bool(before and after) and f"{before[-1]} not {after[0]}" in names


def split_negations(text: str, names: frozenset[str] = frozenset()) -> tuple[str, Negations]:
    """(text without the negated phrases, what was negated); ``names``: ``written_negations`` of the catalog."""
    protected = {m.span() for m in _KEEP.finditer(text)}
    terms: list[str] = []
    brands: list[str] = []
    kept: list[str] = []
    last = 0
    for m in _NEG_RE.finditer(text):
        if any(a <= m.start() < b for a, b in protected) or (names and _written(text, m, names)):
            continue
        words = _LEADING.sub("", " ".join(m.group("phrase").split())).strip(" '.-").split()
        end = m.end()
        if m.group("cue").lower() == "no" and len(words) > 1:  # "no straw water bottle": only "straw" is negated
            end = m.start("phrase") + m.group("phrase").lower().index(words[0].lower()) + len(words[0])
            words = words[:1]
        if not words:
            continue
        (brands if m.group("brandcue") else terms).append(" ".join(words).lower())
        kept.append(text[last:m.start()])
        last = end
    kept.append(text[last:])
    rest = " ".join(" ".join(kept).split())
    return rest, Negations(tuple(dict.fromkeys(terms)), tuple(dict.fromkeys(brands)))


def _term_res(term: str) -> tuple[re.Pattern, re.Pattern]:
    stem = re.escape(term.lower().rstrip("s"))
    free = re.compile(rf"\b(?:without|no|non|free\s+of)[\s-]+(?:\w+\s+)?{stem}\w*|\b{stem}\w*[\s-]?(?:free|less)\b")
    return free, re.compile(rf"\b{stem}")


def title_stance(title: str, terms: tuple[str, ...]) -> int:
    """+1 for each unwanted term the title says it is free of ("stemless", "no lid", "BPA-free"), -1 for each
    it names otherwise ("with straw"); 0 when it says nothing about them."""
    low = (title or "").lower()
    stance = 0
    for term in terms:
        free, has = _term_res(term)
        stance += 1 if free.search(low) else (-1 if has.search(low) else 0)
    return stance
