"""Rendering one labelled utterance: fill a template's slots, keep character spans of the entities,
and add the noise real shoppers bring (lowercase, typos, slang, dropped punctuation)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from training.nlu.fillers import Fillers, Pool
from training.nlu.templates import REFS

SLOT_RE = re.compile(r"(\{\w+\})")
SLOT_TYPES = {
    "ptype": "PRODUCT_TYPE", "brand": "BRAND", "color": "COLOR", "size": "SIZE", "material": "MATERIAL",
    "feature": "FEATURE", "aud": "AUDIENCE", "aud_pre": "AUDIENCE", "pmin": "PRICE_MIN", "pmax": "PRICE_MAX",
    "order": "ORDER_ID", "qty": "QUANTITY",
}
SLANG = {"you": ["u", "ya"], "your": ["ur"], "please": ["pls", "plz"], "thanks": ["thx"], "want to": ["wanna"],
         "going to": ["gonna"], "i'm": ["im", "i am"], "do you": ["do u", "d'you"], "what's": ["whats"],
         "don't": ["dont"], "something": ["smth", "somethin"], "are": ["r"]}
INVENTED_BRAND_SHARE = 0.15  # of brand slots filled with a made-up name (Fillers.invented_brands)
FAMOUS_BRAND_SHARE = 0.15  # of brand slots filled with a household name (Fillers.famous_brands)
QTY_WORDS = ["one", "two", "three", "four", "five", "six", "a couple", "a dozen", "ten"]


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    spans: tuple[tuple[int, int, str], ...] = ()  # (start, end, ENTITY_TYPE), sorted, non-overlapping
    source: str = "generated"


Piece = tuple[str, str | None]  # (surface text, entity type or None)


class Renderer:
    """Fills templates from ``fillers``; ``test=True`` mixes in the held-out filler values."""

    def __init__(self, fillers: Fillers, rng: random.Random, *, test: bool = False):
        self.f, self.rng, self.test = fillers, rng, test

    # -- fillers ---------------------------------------------------------------------------
    def pick(self, pool: Pool) -> str:
        if self.test and self.rng.random() < 0.5:
            return self.rng.choice(pool.test)
        return self.rng.choice(pool.train)

    def ptype(self) -> str:
        t = self.pick(self.f.types)
        if t.endswith("s") and not t.endswith("ss") and self.rng.random() < 0.35:
            t = t[:-1]  # "running shoe", "backpack"
        return t

    def brand(self) -> str:
        r = self.rng.random()
        if r < INVENTED_BRAND_SHARE and self.f.invented_brands:
            b = self.rng.choice(self.f.invented_brands)
        elif r < INVENTED_BRAND_SHARE + FAMOUS_BRAND_SHARE and self.f.famous_brands:
            b = self.rng.choice(self.f.famous_brands)
        else:
            b = self.pick(self.f.brands)
        r = self.rng.random()
        return b.title() if r < 0.25 else (b.upper() if r < 0.28 and len(b) <= 4 else b)

    def price_value(self) -> int:
        base = self.rng.choice([10, 15, 20, 25, 30, 40, 50, 60, 70, 75, 80, 100, 120, 150, 200, 250, 300, 500, 800])
        if self.rng.random() < 0.5:
            base = self.rng.choice([base, self.rng.randint(5, 400), self.rng.randint(500, 3000)])
        return base

    def price(self, base: int | None = None) -> str:
        base = self.price_value() if base is None else base
        cents = ".99" if self.rng.random() < 0.08 else ""
        num = f"{base:,}" if base >= 1000 and self.rng.random() < 0.5 else str(base)
        form = self.rng.random()
        if form < 0.3:
            return num + cents
        if form < 0.55:
            return f"${num}{cents}"
        if form < 0.7:
            return f"{num} bucks"
        if form < 0.82:
            return f"{num} dollars"
        if form < 0.86:
            return f"{num}$"
        if form < 0.9:
            return f"{num} usd"
        if form < 0.94 and base >= 1000 and base % 100 == 0:
            return f"{base / 1000:g}k"
        return f"${num}"

    def price_range(self) -> tuple[str, str]:
        """(low, high) texts of a range a shopper would type: low below high, the low end mostly bare ("50-80 bucks")."""
        lo, hi = self.price_value(), self.price_value()
        while hi == lo:
            hi = self.price_value()
        lo, hi = min(lo, hi), max(lo, hi)
        low = str(lo) if self.rng.random() < 0.5 else self.price(lo)
        return low, self.price(hi)

    def order_id(self) -> str:
        digits = str(self.rng.randint(10000, 99999)) if self.rng.random() < 0.7 else str(self.rng.randint(10**6, 10**12))
        r = self.rng.random()
        if r < 0.35:
            return digits
        if r < 0.65:
            return f"#{digits}"
        if r < 0.85:
            return f"ORD-{digits}" if self.rng.random() < 0.7 else f"ord-{digits}"
        return f"#{digits.zfill(8)}" if self.rng.random() < 0.5 else digits.zfill(10)

    def qty(self) -> str:
        return str(self.rng.randint(1, 6)) if self.rng.random() < 0.55 else self.rng.choice(QTY_WORDS)

    def slot(self, name: str) -> list[Piece]:
        """Pieces for one slot (a {ref} may itself contain entities)."""
        if name == "ref":
            return self.fill(self.rng.choice(REFS))
        value = {
            "ptype": self.ptype, "brand": self.brand, "color": lambda: self.pick(self.f.colors),
            "size": lambda: self.pick(self.f.sizes), "material": lambda: self.pick(self.f.materials),
            "feature": lambda: self.pick(self.f.features), "aud": lambda: self.pick(self.f.audiences),
            "aud_pre": lambda: self.pick(self.f.audience_pre), "pmin": self.price, "pmax": self.price,
            "order": self.order_id, "qty": self.qty,
        }[name]()
        return [(value, SLOT_TYPES[name])]

    def fill(self, template: str) -> list[Piece]:
        pieces: list[Piece] = []
        bounds = dict(zip(("pmin", "pmax"), self.price_range())) if "{pmin}" in template and "{pmax}" in template else {}
        for part in SLOT_RE.split(template):
            if not part:
                continue
            if part[1:-1] in bounds:
                pieces.append((bounds[part[1:-1]], SLOT_TYPES[part[1:-1]]))
            elif part.startswith("{") and part.endswith("}"):
                pieces.extend(self.slot(part[1:-1]))
            else:
                pieces.append((part, None))
        return pieces

    # -- noise -----------------------------------------------------------------------------
    def typo(self, word: str) -> str:
        if len(word) < 4 or not word.isalpha():
            return word
        i = self.rng.randrange(1, len(word) - 1)
        op = self.rng.random()
        if op < 0.33:
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if op < 0.66:
            return word[:i] + word[i + 1:]
        return word[:i] + word[i] + word[i:]

    def noisy_plain(self, text: str, typo_rate: float) -> str:
        for src, outs in SLANG.items():
            if self.rng.random() < 0.3:
                text = re.sub(rf"\b{re.escape(src)}\b", self.rng.choice(outs), text)
        if self.rng.random() < 0.3:
            text = text.replace("'", "").replace(",", "")
        if typo_rate:
            text = re.sub(r"[A-Za-z]+", lambda m: self.typo(m.group(0)) if self.rng.random() < typo_rate else m.group(0), text)
        return text

    def finish(self, pieces: list[Piece], intent: str) -> Example:
        """Join pieces into text + spans, with casing/typo/punctuation noise."""
        case = self.rng.random()
        typo_rate = 0.05 if self.rng.random() < 0.4 else 0.0
        text, spans = "", []
        for surface, etype in pieces:
            if etype is None:
                surface = self.noisy_plain(surface, typo_rate)
            elif typo_rate and etype in ("PRODUCT_TYPE", "BRAND", "FEATURE") and self.rng.random() < 0.05:
                surface = " ".join(self.typo(w) for w in surface.split(" "))
            if case < 0.65:
                surface = surface.lower()
            elif case < 0.68:
                surface = surface.upper()
            if etype is not None:
                spans.append((len(text), len(text) + len(surface), etype))
            text += surface
        text, spans = _tidy(text, spans)
        if case >= 0.68 and text[:1].isalpha() and (not spans or spans[0][0] > 0):
            text = text[0].upper() + text[1:]
        r = self.rng.random()
        if text and text[-1].isalnum():
            text += "?" if r < 0.12 else ("." if r < 0.18 else ("!" if r < 0.2 else ""))
        return Example(text=text, intent=intent, spans=tuple(spans))


def _tidy(text: str, spans: list[tuple[int, int, str]]) -> tuple[str, list[tuple[int, int, str]]]:
    """Collapse repeated spaces and strip, keeping spans aligned."""
    out, mapping = [], []
    prev_space = True
    for i, ch in enumerate(text):
        if ch.isspace():
            if prev_space:
                mapping.append(len(out))
                continue
            prev_space = True
            ch = " "
        else:
            prev_space = False
        mapping.append(len(out))
        out.append(ch)
    mapping.append(len(out))
    new = "".join(out)
    new_spans = []
    for s, e, t in spans:
        ns, ne = mapping[s], mapping[e]
        while ne > ns and new[ne - 1] == " ":
            ne -= 1
        while ns < ne and new[ns] == " ":
            ns += 1
        if ne > ns:
            new_spans.append((ns, ne, t))
    stripped = new.rstrip()
    lead = len(new) - len(new.lstrip())
    return stripped[lead:], [(s - lead, e - lead, t) for s, e, t in new_spans]
