"""Whose price is it: a parenthesised price right after a fact product's name must be that product's price.

The writer (template, prompt and training replies) puts a product's price in brackets right after its name:
"the Spears Series PVC pipe fitting (price not listed), the NIBCO U4801 HXH coupling ($4.74)". Checking only
that each amount is *some* fact's amount let the 135M model move prices between products ("the Spears
Series PVC pipe fitting ($14.25)": $14.25 is another product's). Here a "($X)" or "(price not listed)" that
directly follows the exact display name or title of fact products (case-insensitive, the longest name that
fits) must state one of *those* products' prices; anything else is left to the amount check
(``guard._numbers``). ``attributed`` is the guarded repair: the bracket then states the named product's own
price ("(price not listed)" when it has none), and when products sharing that name have different prices the
bracket goes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.records import ReplyFacts
from assistant.writer.prompt import format_price

_BRACKET = re.compile(r"\s?\((?:\$(\d[\d,]*(?:\.\d{1,2})?)(?: each)?|(price not listed))\)", re.I)


@dataclass(frozen=True)
class Misattributed:
    start: int  # the bracket's span in the text (with its leading space)
    end: int
    name: str  # the fact name it follows (lower case)
    said: float | None  # the amount written (None: "price not listed")
    prices: frozenset[tuple[float | None, str]]  # (price, currency) of the products with that name


def _prices_by_name(facts: ReplyFacts) -> dict[str, set[tuple[float | None, str]]]:
    out: dict[str, set[tuple[float | None, str]]] = {}
    for p in facts.products:
        price = round(p.price, 2) if p.price is not None else None
        for name in {p.name, p.title}:
            if name and len(name) > 3:
                out.setdefault(name.lower(), set()).add((price, p.currency))
    return out


def misattributed(text: str, facts: ReplyFacts) -> Iterator[Misattributed]:
    """Each bracketed price in ``text`` that follows a fact name but is none of its products' prices."""
    table = _prices_by_name(facts)
    names = sorted(table, key=len, reverse=True)
    for m in _BRACKET.finditer(text):
        before = text[:m.start()].rstrip().lower()
        name = next((n for n in names if before.endswith(n) and not before[:-len(n)][-1:].isalnum()), None)
        if name is None:
            continue
        said = None if m.group(2) else round(float(m.group(1).replace(",", "")), 2)
        if said not in {price for price, _ in table[name]}:
            yield Misattributed(m.start(), m.end(), name, said, frozenset(table[name]))


def failures(text: str, facts: ReplyFacts) -> list[str]:
    """Guard failures (kind ``price``) for brackets stating another product's price."""
    return [f"price: {format_price(m.said)} is not the price of {m.name}" for m in misattributed(text, facts)]


def attributed(text: str, facts: ReplyFacts) -> str:
    """``text`` with each misattributed bracket stating the named product's own price (or removed when
    products sharing the name differ in price)."""
    for m in sorted(misattributed(text, facts), key=lambda m: m.start, reverse=True):
        right = f" ({format_price(*next(iter(m.prices)))})" if len(m.prices) == 1 else ""
        text = text[:m.start] + right + text[m.end:]
    return text
