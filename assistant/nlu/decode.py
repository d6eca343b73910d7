"""Turning per-token BIO predictions into entity spans on the original text, then into Entities
with normalised values (and the price bound corrected by the words around it)."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.nlu.normalize import normalize_price, normalize_value, price_cue
from assistant.records import Entity


def decode_spans(tags: list[str], offsets: list[tuple[int, int]], text: str) -> list[tuple[int, int, str]]:
    """BIO tags (one per token; special tokens have offsets (0, 0)) -> (start, end, TYPE) char spans.
    An I- tag that does not continue a span of its type starts one; spans are widened to whole words
    (a word may contain inner hyphens/apostrophes: "fisher-price", "arc'teryx") and same-type spans
    separated by a space or hyphen are joined."""
    spans: list[list] = []
    current: list | None = None
    for tag, (s, e) in zip(tags, offsets):
        if s == e:
            current = None
            continue
        if tag == "O":
            current = None
            continue
        prefix, etype = tag.split("-", 1)
        if prefix == "I" and current is not None and current[2] == etype:
            current[1] = e
            continue
        if current is not None and current[2] == etype and s == current[1]:  # a B- inside one word
            current[1] = e
            continue
        current = [s, e, etype]
        spans.append(current)
    out: list[tuple[int, int, str]] = []
    for s, e, etype in spans:
        while s > 0 and _inside_word(text, s):
            s -= 1
        while e < len(text) and _inside_word(text, e):
            e += 1
        if out and (s < out[-1][1] or (out[-1][2] == etype and _joinable(text, out[-1][1], s))):
            ps, pe, pt = out[-1]  # overlap after widening, or a same-type piece right after: one span
            out[-1] = (ps, max(pe, e), pt)
            continue
        out.append((s, e, etype))
    return out


def _inside_word(text: str, i: int) -> bool:
    """True when position ``i`` (between text[i-1] and text[i]) is inside a word."""
    a, b = text[i - 1], text[i]
    if a.isalnum() and b.isalnum():
        return True
    if a.isalnum() and b in "-'’" and i + 1 < len(text) and text[i + 1].isalnum():
        return not (b == "-" and a.isdigit() and text[i + 1].isdigit())  # "30-50" is a range
    if a in "-'’" and b.isalnum() and i >= 2 and text[i - 2].isalnum():
        return not (a == "-" and b.isdigit() and text[i - 2].isdigit())
    return False


def _joinable(text: str, end: int, start: int) -> bool:
    """Two same-type spans separated by nothing, one space or a hyphen/apostrophe ("sage green",
    "t-shirts") or a number's separator ("150.99", "2,311") are one entity."""
    gap = text[end:start]
    digits_around = end > 0 and start < len(text) and text[end - 1].isdigit() and text[start].isdigit()
    if gap == "-" and digits_around:
        return False  # "30-50" is a range, not one number
    if gap in ("", " ", "-", "'", "’"):
        return True
    return gap in (".", ",") and end > 0 and start < len(text) and text[end - 1].isdigit() and text[start].isdigit()


def to_entities(text: str, spans: list[tuple[int, int, str]]) -> tuple[Entity, ...]:
    entities: list[Entity] = []
    for s, e, etype in spans:
        surface = text[s:e]
        if etype in ("PRICE_MIN", "PRICE_MAX"):
            if normalize_price(surface) is None:  # a currency word alone ("dollars"): part of the price before it
                prev = entities[-1] if entities else None
                if prev and prev.type in ("PRICE_MIN", "PRICE_MAX") and text[prev.end:s].strip() == "":
                    entities[-1] = Entity(prev.type, text[prev.start:e], prev.value, prev.start, e)
                continue
            etype = price_cue(text, s, e) or etype
        value = normalize_value(etype, surface)
        if not value:
            continue
        entities.append(Entity(type=etype, text=surface, value=value, start=s, end=e))
    return _order_ranges(text, entities)


_RANGE_GAP = re.compile(r"\s*(?:and|to|-|–|through|thru)\s*", re.IGNORECASE)


def _order_ranges(text: str, entities: list[Entity]) -> tuple[Entity, ...]:
    """Two prices joined by "and" / "to" / "-" are a range: the lower is PRICE_MIN, the higher PRICE_MAX,
    whatever the model tagged ("50 to 90", "betwen 50 and 90 bucks")."""
    out = list(entities)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        prices = ("PRICE_MIN", "PRICE_MAX")
        if a.type in prices and b.type in prices and _RANGE_GAP.fullmatch(text[a.end:b.start]):
            try:
                lo, hi = sorted((a, b), key=lambda x: float(x.value))
            except ValueError:
                continue
            if lo.value != hi.value:
                out[i], out[i + 1] = (replace(a, type="PRICE_MIN" if a is lo else "PRICE_MAX"),
                                      replace(b, type="PRICE_MIN" if b is lo else "PRICE_MAX"))
    return tuple(out)
