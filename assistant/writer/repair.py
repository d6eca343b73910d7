"""Guarded repairs of a rejected reply: a shorter or corrected version of the model's own text.

Before the writer regenerates (or falls back to the template), ``repair(text, facts, guard, passes)``
looks for a version of the rejected text that passes the full guard (``passes`` is the writer's verdict,
which also knows the verbatim tail). Candidates, least change first, all built on the text of step 0:

0. a reply cut off inside a list (at ``max_new_tokens``) ends after its last whole bracketed item
   (``closed``), and a bracketed price right after a fact product's name states that product's own price
   (``prices.py``: the model moved "$14.25" onto a product without a listed price);
1. without its parenthesised prices that are not in the facts ("the X ($19.99)" for a product whose
   price is not listed: the 135M adapter was trained on priced catalogs); right after the exact name of
   an unpriced fact product the price becomes "(price not listed)" (the template's words), else it goes;
2. with each unambiguous near copy of one fact product's name replaced by that product's own words
   ("NewISHOLVER Pro vinyl wraps" -> "NEWISHTOOL Pro vinyl wraps"; ``Guard.fix_near_names``: one
   misspelt word, never a word of another fact product, never a model number);
3. without up to ``MAX_DROPPED`` whole sentences (those that carry an invented name, price or stray brand),
   never keeping a sentence that opens with a pronoun right after a dropped one ("It is waterproof." would
   then describe another product); a sentence cut off at the end is always dropped;
4. its first complete sentences (the earlier repair, kept as the last resort).

Nothing else is added: a repaired text holds only the model's words and the facts' own names and prices (and
"price not listed" for a product the facts list without a price), and it is
accepted only when the guard passes it as a whole (0 unfaithful mentions: a chimera stays rejected).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import combinations

from assistant.records import ReplyFacts
from assistant.writer.guard import Guard, fact_amounts
from assistant.writer.prices import attributed

MAX_DROPPED = 2  # sentences a repair may drop
_UNSUPPORTED_PRICE = re.compile(r"\s?\(\$(\d[\d,]*(?:\.\d{1,2})?)(?: each)?\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<![0-9]\.)\s+")  # not after a list number ("1. ")
_REFERS_BACK = re.compile(r"^(?:it|its|it's|they|their|they're|this|these|that|those|both|he|she)\b", re.IGNORECASE)


def _amount(raw: str) -> float:
    return round(float(raw.replace(",", "")), 2)


def without_unsupported_prices(text: str, facts: ReplyFacts, *, say_unlisted: bool = False) -> str:
    """``text`` without its parenthesised prices that are no amount of the facts; with ``say_unlisted``, one
    that follows the exact name of a fact product without a price becomes "(price not listed)", as the
    template writes it."""
    allowed = fact_amounts(facts)
    names = {n.lower(): p.price is None for p in facts.products for n in (p.name, p.title)}
    priced = {n.lower() for p in facts.products if p.price is not None for n in (p.name, p.title)}
    unpriced = {n for n, none in names.items() if none and n not in priced}  # a name two products share: no claim

    def fix(m: re.Match) -> str:
        if _amount(m.group(1)) in allowed:
            return m.group(0)
        before = text[:m.start()].lower()
        return " (price not listed)" if say_unlisted and any(before.endswith(n) for n in unpriced) else ""

    return _UNSUPPORTED_PRICE.sub(fix, text)


def sentences(text: str) -> list[str]:
    """The complete sentences of ``text`` (a last sentence cut off without . ! or ? is left out)."""
    out = [s for s in _SENTENCE_END.split(text.strip()) if s]
    return out[:-1] if out and not out[-1].endswith((".", "!", "?", ")")) else out


def _dropping(parts: list[str]) -> Iterator[str]:
    """``parts`` joined without 1..MAX_DROPPED of them (fewest first), never leaving a pronoun that
    would refer to a dropped sentence's product."""
    for k in range(1, min(MAX_DROPPED, len(parts) - 1) + 1):
        for dropped in combinations(range(len(parts)), k):
            kept = [i for i in range(len(parts)) if i not in dropped]
            if any(i - 1 in dropped and _REFERS_BACK.match(parts[i]) for i in kept):
                continue
            yield " ".join(parts[i] for i in kept)


def closed(text: str) -> str:
    """A reply cut off inside a list ("... the A ($9.99), the B (price not listed) and the Makita XSS02Z 18V")
    ends after its last whole bracketed item instead: "... the A ($9.99), the B (price not listed).";
    a complete reply, or a cut-off sentence with no bracket in it, is returned as it is."""
    text = text.rstrip()
    if not text or text.endswith((".", "!", "?", ")", '"', "'")):
        return text
    last = max(text.rfind(". "), text.rfind("! "), text.rfind("? "))
    bracket = text.rfind(")")
    if bracket <= last:
        return text
    return text[:bracket + 1].rstrip(" ,") + "."


def candidates(text: str, facts: ReplyFacts, guard: Guard) -> Iterator[str]:
    """Repaired versions of ``text``, least change first (see the module docstring)."""
    text = attributed(closed(text), facts)  # a bracket after a fact name states that product's own price
    yield text
    named = guard.fix_near_names(text, facts)
    yield without_unsupported_prices(text, facts, say_unlisted=True)
    yield without_unsupported_prices(text, facts)
    yield without_unsupported_prices(named, facts, say_unlisted=True)
    fixed = without_unsupported_prices(named, facts)
    yield fixed
    parts = sentences(fixed)
    yield " ".join(parts)
    yield from _dropping(parts)
    original = sentences(text)
    for n in range(len(original), 0, -1):
        yield " ".join(original[:n])


def repair(text: str, facts: ReplyFacts, guard: Guard, passes: Callable[[str], bool]) -> str | None:
    """The first candidate that differs from ``text`` and passes (``passes``: the full guard), else None."""
    tried = {text.strip()}
    for candidate in candidates(text.strip(), facts, guard):
        candidate = candidate.strip()
        if candidate and candidate not in tried:
            tried.add(candidate)
            if passes(candidate):
                return candidate
    return None
