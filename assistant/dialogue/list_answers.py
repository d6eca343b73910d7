"""Sentences about products on screen, computed from their own records (``attributes.py``).

Each function returns true statements for the reply (notes) and the positions of the products they are
about; the reply never states a value the record does not hold, and says "the listing doesn't say" for
each product whose record is silent. Products are named "the <name> (#<position on screen>)".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.dialogue.answers import attribute_answer
from assistant.dialogue.attributes import (
    MEASURES,
    Says,
    has_color,
    has_feature,
    has_size,
    listed_colors,
    measure,
)
from retrieval.product import Product


@dataclass(frozen=True)
class Superlative:
    measure: str  # key of MEASURES
    highest: bool  # True: the largest value wins
    words: str  # "the cheapest", "the longest battery life"
    verb: str = "is"  # "{name} is the cheapest" / "{name} has the longest battery life"


@dataclass(frozen=True)
class Answer:
    notes: tuple[str, ...]
    about: tuple[int, ...]  # positions (0-based) of the products the answer is about (shown with it)
    asked: str | None = None  # for the writer's prompt ("Asked: longest battery life -> ..."); never an
    value: str | None = None  # aspect name of the product-question template (price, rating, ...)


def named(shown: Sequence[Product], i: int) -> str:
    return f"the {shown[i].name} (#{i + 1})"


def join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def superlative(shown: Sequence[Product], sup: Superlative) -> Answer:
    n, m = len(shown), MEASURES[sup.measure]
    readings = [measure(p, sup.measure) for p in shown]
    known = [i for i, r in enumerate(readings) if r is not None]
    silent = [i for i, r in enumerate(readings) if r is None]
    if not known:
        return _no_readings(shown, sup)
    pick = max if sup.highest else min
    best = pick(readings[i].value for i in known)
    tied = [i for i in known if readings[i].value == best]
    if sup.measure == "rating":  # equal ratings: the one with more reviews leads, the others are "also"
        tied.sort(key=lambda i: -shown[i].review_count)
        winners = tied[:1]
    else:
        winners = tied
    lead = join([named(shown, i) for i in winners])
    verb = sup.verb if len(winners) == 1 else ("are" if sup.verb == "is" else "have")
    notes = [_cap(f"{lead} {verb} {sup.words} of the {n} shown: {readings[winners[0]].text}." if n > 1 else
                  f"{lead} is the only one on the list, so it {sup.verb} {sup.words}: {readings[winners[0]].text}.")]
    if len(tied) > len(winners):
        notes.append(_cap(f"{join([named(shown, i) for i in tied[1:]])} {'is' if len(tied) == 2 else 'are'} "
                          f"also rated {shown[tied[0]].rating:.1f}, from fewer reviews."))
    if m.unit or sup.measure == "weight":  # measures read from text: state the others' values too
        others = [f"{named(shown, i)} {readings[i].text}" for i in known if i not in winners]
        if others:
            notes.append(f"For comparison: {join(others)}.")
    if silent:
        names, many = join([named(shown, i) for i in silent]), len(silent) > 1
        notes.append(_cap(f"{names} {'have' if many else 'has'} no reviews yet." if sup.measure in ("rating", "reviews")
                          else f"The listing{'s' if many else ''} of {names} {'don' if many else 'doesn'}'t say "
                               f"{'their' if many else 'its'} {m.name}."))
    value = f"{shown[winners[0]].name}: {readings[winners[0]].text}" if len(winners) == 1 else None
    return Answer(tuple(notes), tuple(winners), sup.words.removeprefix("the ") if value else None, value)


def _no_readings(shown: Sequence[Product], sup: Superlative) -> Answer:
    m = MEASURES[sup.measure]
    notes = [f"None of the {len(shown)} listings shown states its {m.name}, so I can't tell which has {sup.words}."
             if sup.verb == "has" else
             f"None of the {len(shown)} listings shown states its {m.name}, so I can't tell which is {sup.words}."]
    hinted = [i for i, p in enumerate(shown) if m.hint and has_feature(p, m.hint) is Says.YES]
    if hinted:
        notes.append(_cap(f"{join([named(shown, i) for i in hinted])} "
                          f"{'is' if len(hinted) == 1 else 'are'} {_label(m.hint, False)}."))
    return Answer(tuple(notes), tuple(hinted))


def _says(p: Product, phrase: str, colour: bool) -> Says:
    return has_color(p, phrase) if colour else has_feature(p, phrase)


def which_have(shown: Sequence[Product], phrase: str, *, colour: bool = False) -> tuple[list[int], list[int], list[int]]:
    """Positions whose listing says yes / says no / is silent about ``phrase`` (a feature or a colour)."""
    said = [_says(p, phrase, colour) for p in shown]
    return ([i for i, s in enumerate(said) if s is Says.YES], [i for i, s in enumerate(said) if s is Says.NO],
            [i for i, s in enumerate(said) if s is Says.UNKNOWN])


_ADJECTIVE = re.compile(r"(ing|proof|less|able|ible|ed|ant|ent|ic|ful|ive|free|friendly|fit|weight|dry|[^e]y)$")


def _label(phrase: str, colour: bool) -> str:
    """"available in white", "listed as wireless", "listed with long battery life"."""
    if colour:
        return f"available in {phrase}"
    words = phrase.split()
    if words[0] == "for":
        return f"listed {phrase}"
    adjective = len(words) == 1 or words[0] in ("non", "anti", "extra") or _ADJECTIVE.search(words[-1])
    return f"listed as {phrase}" if adjective else f"listed with {phrase}"


def existence(shown: Sequence[Product], phrase: str, *, colour: bool = False) -> Answer:
    """"Are any of them wireless?": which ones are, and for each silent listing, that it doesn't say."""
    yes, no, silent = which_have(shown, phrase, colour=colour)
    n, label = len(shown), _label(phrase, colour)
    if yes and len(yes) == n:
        notes = [f"All {n} shown are {label}." if n > 1 else f"Yes, {named(shown, 0)} is {label}."]
    elif yes:
        count = "Only one" if len(yes) == 1 else f"{len(yes)}"
        notes = [f"{count} of the {n} shown {'is' if len(yes) == 1 else 'are'} {label}: "
                 f"{join([named(shown, i) for i in yes])}."]
    elif not no:
        what = "gives its colours" if colour else f"mentions {phrase}"
        return Answer((f"None of the {n} listings shown {what}.",), ())
    else:
        notes = [f"None of the {n} shown {'is' if n == 1 else 'are'} {label}."]
    if no and not colour:
        notes.append(_cap(f"{join([named(shown, i) for i in no])} {'is' if len(no) == 1 else 'are'} not."))
    if silent:
        notes.append(_cap(f"The listing{'s' if len(silent) > 1 else ''} of {join([named(shown, i) for i in silent])} "
                          f"{'don' if len(silent) > 1 else 'doesn'}'t say."))
    return Answer(tuple(notes), tuple(yes))


def filtered(shown: Sequence[Product], phrase: str, *, colour: bool = False) -> Answer:
    """"Only the noise cancelling ones": the shown products that are (the caller shows ``about``)."""
    yes, _, _ = which_have(shown, phrase, colour=colour)
    n, label = len(shown), _label(phrase, colour)
    if not yes:
        return Answer((f"None of the {n} shown {'is' if n == 1 else 'are'} {label}, so I kept the list as it is. "
                       f"Ask me to search for {phrase} ones to see others.",), ())
    if len(yes) == n:
        return Answer((f"All {n} shown are {label}.",), tuple(yes))
    return Answer((f"{'Only one' if len(yes) == 1 else len(yes)} of the {n} shown "
                   f"{'is' if len(yes) == 1 else 'are'} {label}.",), tuple(yes))


_ASPECT_SENTENCES = {"price": "{name} costs {a}.", "rating": "{name} is rated {a}.", "stock": "{name} is {a}.",
                     "colors": "{name} comes in {a}.", "sizes": "{name} comes in sizes {a}.",
                     "material": "{name} is made of {a}.", "brand": "{name} is made by {a}.",
                     "audience": "{name} is for {a}."}
_ASPECT_NAMES = {"price": "a price", "rating": "any reviews", "colors": "its colours", "sizes": "its sizes",
                 "material": "its material", "brand": "its brand", "audience": "who it is for",
                 "warranty": "a warranty", "stock": "its stock"}


def aspect_of(shown: Sequence[Product], i: int, aspect: str) -> str:
    """"the X (#1) costs $97.99." or "the X (#1) listing doesn't give a price." for one field."""
    value = attribute_answer(aspect, shown[i])
    if value:
        return _cap(_ASPECT_SENTENCES[aspect].format(name=named(shown, i), a=value))
    return _cap(f"The listing of {named(shown, i)} doesn't give {_ASPECT_NAMES.get(aspect, aspect)}.")


def colour_of(shown: Sequence[Product], i: int, colour: str) -> str:
    p, name = shown[i], named(shown, i)
    said, colours = has_color(p, colour), join(list(listed_colors(p)))
    if said is Says.YES:
        return _cap(f"Yes, {name} comes in {colour}" + (f" (listed colours: {colours})." if colours else "."))
    if said is Says.NO:
        return _cap(f"No, {name} is listed in {colours}, not {colour}.")
    return _cap(f"The listing of {name} doesn't say which colours it comes in, so I can't confirm {colour}.")


def size_of(shown: Sequence[Product], i: int, size: str) -> str:
    p, name = shown[i], named(shown, i)
    said = has_size(p, size)
    if said is Says.YES:
        return _cap(f"Yes, {name} comes in size {size}.")
    if said is Says.NO:
        return _cap(f"No, {name} comes in sizes {join(list(p.sizes))}, not {size}.")
    return _cap(f"The listing of {name} doesn't list sizes, so I can't confirm {size}.")


def feature_of(shown: Sequence[Product], i: int, phrase: str) -> str:
    said, name = has_feature(shown[i], phrase), named(shown, i)
    if said is Says.YES:
        return _cap(f"Yes, {name} is {_label(phrase, False)}.")
    if said is Says.NO:
        return _cap(f"No, the listing of {name} says it is not {phrase}.")
    return _cap(f"The listing of {name} doesn't say whether it is {phrase}.")


def _summary(shown: Sequence[Product], i: int) -> str:
    p = shown[i]
    parts = [p.price_text]
    parts.append(f"rated {p.rating:.1f} out of 5 ({p.review_count} reviews)" if p.review_count else "no reviews yet")
    short = [f for f in p.features if len(f) <= 30][:3]
    if short:
        parts.append(join(short))
    return f"{_cap(named(shown, i))}: {', '.join(parts)}."


def comparison(shown: Sequence[Product], picks: Sequence[int]) -> Answer:
    """"Compare the first and third": each one's price, rating and features, then what sets them apart."""
    notes = [_summary(shown, i) for i in picks]
    priced = [i for i in picks if shown[i].price is not None]
    if len(priced) >= 2:
        cheapest = min(priced, key=lambda i: shown[i].price)
        notes.append(f"{_cap(named(shown, cheapest))} is the cheaper one." if len(picks) == 2 else
                     f"{_cap(named(shown, cheapest))} is the cheapest.")
    rated = [i for i in picks if shown[i].review_count]
    if len(rated) >= 2:
        best = max(rated, key=lambda i: (shown[i].rating, shown[i].review_count))
        notes.append(f"{_cap(named(shown, best))} has the best rating.")
    for i in picks:  # features only this one lists
        own = [f for f in shown[i].features if len(f) <= 30
               and all(has_feature(shown[j], f) is not Says.YES for j in picks if j != i)][:2]
        for feature in own:
            notes.append(f"Only {named(shown, i)} is {_label(feature, False)}.")
    return Answer(tuple(notes), tuple(picks))
