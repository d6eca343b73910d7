"""Expectation checks (one :class:`Verdict` per checked thing) and the faithfulness scan of a reply.

Definitions (documented in ui/replay/README.md):

* ``intent`` / ``action``: exact match of the label / Action value.
* ``entities``: one verdict per expected type; passes when every expected value of that type is among
  the predicted values of that type (case-insensitive, whitespace-collapsed; prices as numbers).
  Extra predicted entities do not fail a verdict (they do count as false positives in entity P/R/F1).
  ``"entities": {}`` expects no entities at all.
* ``products``: one verdict per constraint; it must hold for every product shown in the turn
  (``min_count``/``max_count`` bound the number shown; ``title_contains``: the title or type contains one of
  the "|"-separated words; ``brand_not``: not of that brand). No products shown satisfies the per-product ones.
* ``reply_contains`` / ``reply_not_contains``: one verdict per string, case-insensitive substring.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ui.replay.record import ShownProduct, TurnRecord, Verdict
from assistant.nlu.normalize import normalize_value
from ui.replay.transcripts import Expect, ProductConstraints

_PRICE = re.compile(r"(?:\$|usd\s?)\s?(\d[\d,]*(?:\.\d{1,2})?)|(\d[\d,]*(?:\.\d{1,2})?)\s?(?:usd|dollars)\b", re.I)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_EPS = 0.005


def _fmt(values: Iterable[str]) -> str:
    vals = sorted(values)
    return ", ".join(vals) if vals else "(none)"


def _product_check(name: str, value: object, products: tuple[ShownProduct, ...]) -> tuple[bool, str]:
    """(passed, actual-as-text) for one constraint over every shown product."""
    if name == "min_count":
        return len(products) >= value, f"{len(products)} shown"
    if name == "max_count":
        return len(products) <= value, f"{len(products)} shown"
    getters = {
        "max_price": lambda p: p.price <= value + _EPS,
        "min_price": lambda p: p.price >= value - _EPS,
        "color": lambda p: value in {c.lower() for c in p.colors},
        "brand": lambda p: p.brand.lower() == value,
        "category": lambda p: p.category.lower() == value,
        "product_type": lambda p: p.product_type.lower() == value,
        "in_stock": lambda p: p.in_stock == value,
        "title_contains": lambda p: any(w.strip() in f"{p.title} {p.product_type}".lower() for w in value.split("|")),
        "brand_not": lambda p: p.brand.lower() != value,
    }
    bad = [p for p in products if not getters[name](p)]
    if not bad:
        return True, f"all {len(products)} shown satisfy it"
    shown = {"max_price": lambda p: f"${p.price:.2f}", "min_price": lambda p: f"${p.price:.2f}",
             "color": lambda p: "/".join(p.colors) or "no colour", "brand": lambda p: p.brand,
             "category": lambda p: p.category, "product_type": lambda p: p.product_type,
             "in_stock": lambda p: "in stock" if p.in_stock else "out of stock",
             "title_contains": lambda p: p.title, "brand_not": lambda p: p.brand}[name]
    return False, "; ".join(f"{p.id} ({shown(p)})" for p in bad[:5]) + (" ..." if len(bad) > 5 else "")


def product_verdicts(cons: ProductConstraints, products: tuple[ShownProduct, ...]) -> list[Verdict]:
    out = []
    for name, value in cons.items():
        ok, actual = _product_check(name, value, products)
        out.append(Verdict("products", f"products.{name}", str(value).lower(), actual, ok))
    return out


def entity_verdicts(expect: Expect, predicted: tuple[tuple[str, str, str], ...]) -> list[Verdict]:
    by_type: dict[str, list[str]] = {}
    for etype, value, _text in predicted:
        by_type.setdefault(etype, []).append(normalize_value(etype, value))
    if expect.has_entities and not expect.entities:
        actual = _fmt(f"{t}={v}" for t, vs in by_type.items() for v in vs)
        return [Verdict("entities", "entities (none)", "(none)", actual, not by_type)]
    out = []
    for etype, values in expect.entities:
        pool = list(by_type.get(etype, []))
        ok = True
        for v in values:
            if v in pool:
                pool.remove(v)
            else:
                ok = False
        out.append(Verdict("entities", f"entity {etype}", _fmt(values), _fmt(by_type.get(etype, [])), ok))
    return out


def reply_verdicts(expect: Expect, reply: str) -> list[Verdict]:
    low = reply.lower()
    out = [Verdict("reply", f"reply_contains {s!r}", s, "found" if s.lower() in low else "missing", s.lower() in low)
           for s in expect.reply_contains]
    out += [Verdict("reply", f"reply_not_contains {s!r}", f"not {s}", "found" if s.lower() in low else "absent",
                    s.lower() not in low) for s in expect.reply_not_contains]
    return out


def evaluate(expect: Expect, rec: TurnRecord) -> tuple[Verdict, ...]:
    """Every verdict for one turn, in a fixed order."""
    out: list[Verdict] = []
    if expect.intent is not None:
        out.append(Verdict("intent", "intent", expect.intent, rec.intent, rec.intent == expect.intent))
    if expect.has_entities:
        out += entity_verdicts(expect, rec.entities)
    if expect.products is not None:
        out += product_verdicts(expect.products, rec.products)
    if expect.action is not None:
        out.append(Verdict("action", "action", expect.action, rec.action, rec.action == expect.action))
    out += reply_verdicts(expect, rec.reply)
    return tuple(out)


def _numbers(texts: Iterable[str]) -> set[float]:
    out = set()
    for t in texts:
        for m in _NUMBER.finditer(t):
            try:
                out.add(round(float(m.group(0).replace(",", "")), 2))
            except ValueError:
                continue
    return out


def facts_texts(facts) -> list[str]:
    """Every statement in a ``ReplyFacts`` (notes, policies, orders, products, answer) as text."""
    if facts is None:
        return []
    out = [*facts.notes, *facts.policies, facts.answer or "", facts.user_text]
    for o in facts.orders:
        out += [o.order_id, f"{o.total:.2f}", *o.items, o.eta or "", o.tracking or ""]
    out += [f"{p.price:.2f}" for p in facts.products if p.price is not None]
    return out


def unfaithful_mentions(reply: str, products: Iterable[ShownProduct], facts_text: Iterable[str],
                        catalog_titles: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Prices and product titles in ``reply`` that are not in the facts.

    ``products`` are the products the user has been shown in this conversation so far (this turn's and
    earlier ones, which references like "the 2nd one" point at). A price-like token ("$12.99",
    "12.99 USD") must equal one of their prices or a number in ``facts_text`` (the turn's data, the
    user's own words so far, and the writer's ``ReplyFacts`` when the Turn carries them). A catalog title in
    the reply must be one of those products' titles.
    """
    products = tuple(products)
    allowed = {round(p.price, 2) for p in products if p.price is not None} | _numbers(facts_text)
    bad = []
    for m in _PRICE.finditer(reply):
        raw = (m.group(1) or m.group(2)).replace(",", "")
        try:
            value = round(float(raw), 2)
        except ValueError:
            continue
        if not any(abs(value - a) < _EPS for a in allowed):
            bad.append(f"price {m.group(0).strip()}")
    if catalog_titles:
        low = reply.lower()
        for t in sorted({p.title.lower() for p in products}, key=len, reverse=True):
            low = low.replace(t, " ")
        for title in catalog_titles:
            if len(title) >= 6 and title in low:
                bad.append(f"product {title!r}")
    return tuple(bad)
