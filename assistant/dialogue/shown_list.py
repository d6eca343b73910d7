"""Questions about the list on screen, answered from the shown products' own data (never a new search).

``answer(ctx, state, parse)`` returns a FlowResult when the message asks about the shown list, else
``None`` (the router then routes as before). The NLU model has no intent for these, so they are read with
rules over the text and the parse, and only when a list is on screen:

1. superlatives: "what's the cheapest of those?", "which one is best rated?", "the lightest one?",
   "which has the longest battery?" -> the winner (from price / rating / values read from its text);
2. comparisons: "compare the first and third", "difference between 1 and 2" -> each one's facts;
3. filters: "only the noise cancelling ones" -> the shown products that are, shown as the new list;
4. existence: "are any of them wireless?", "which ones come in white?" -> which ones are;
5. one or more named items: "does the second one come in white?", "how much is the first one?", "is the
   Sonique one waterproof?", "show me the second one in white" -> per item, from its record.

Not list questions (``None``): a message naming a product type that is not on screen ("show me the
cheapest tents"), cart requests ("add the second one"), refinements ("cheaper", "in black", "show more").
A single-product answer sets the focus, so "add that one to my cart" next resolves to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.dialogue import list_answers as la
from assistant.dialogue.answers import asked_aspect
from assistant.dialogue.context import FlowContext
from assistant.dialogue.outcome import FlowResult
from assistant.dialogue.products import compare_refs, compare_table, shown_products
from assistant.dialogue.references import resolve
from assistant.dialogue.state import DialogueState
from assistant.events import FocusSet, ProductsShown
from assistant.records import Action, Candidate, Parse, ScoreBreakdown
from retrieval.catalog.colors import FAMILIES
from retrieval.product import Product

_S = la.Superlative
SUPERLATIVES: tuple[tuple[re.Pattern, la.Superlative], ...] = (
    (re.compile(r"\b(cheapest|least expensive|lowest price[ds]?|most affordable|lowest cost)\b", re.I),
     _S("price", False, "the cheapest")),
    (re.compile(r"\b(most expensive|priciest|highest price[ds]?|dearest)\b", re.I),
     _S("price", True, "the most expensive")),
    (re.compile(r"\b(best|highest|top)[- ]rated\b|\b(best|highest|top) (rating|reviews?|stars?)\b|\bmost stars\b", re.I),
     _S("rating", True, "the best rated")),
    (re.compile(r"\bmost (reviews|reviewed|popular)\b", re.I), _S("reviews", True, "the most reviews", "has")),
    (re.compile(r"\b(longest|best|biggest|most|largest)\b[\w\s-]{0,12}\b(battery|playtime|play time|run ?time)\b|"
                r"\bbattery\b[\w\s]{0,15}\b(longest|last(s)? (the )?longest)\b", re.I),
     _S("battery", True, "the longest battery life", "has")),
    (re.compile(r"\b(shortest|worst|least)\b[\w\s-]{0,12}\bbattery\b", re.I),
     _S("battery", False, "the shortest battery life", "has")),
    (re.compile(r"\b(lightest|weighs? (the )?least|least heavy|lowest weight)\b", re.I), _S("weight", False, "the lightest")),
    (re.compile(r"\b(heaviest|weighs? (the )?most)\b", re.I), _S("weight", True, "the heaviest")),
    (re.compile(r"\bwhich\b[\w\s']{0,25}\b(best|recommend|should i (get|buy|pick|choose))\b", re.I),
     _S("rating", True, "the best rated")),
)
_LIST_WORDS = re.compile(r"\b(of (those|these|them|the(se)? (ones|results|options|list))|any of|which( one| ones| of)?|"
                         r"what'?s|what is|those|these|them|they|the (\w+ )?ones?|both|either|all of)\b", re.I)
_COMPARE = re.compile(r"\b(compare|comparison|difference|differ|different from|vs\.?|versus)\b", re.I)
_BETTER = re.compile(r"\bbetter\b", re.I)
_FILTER = re.compile(r"^\s*(?:(?:ok(?:ay)?|so|now|then|please|and)[,\s]+)*(?:(?:show|give|keep)(?: me)?\s+|filter (?:to|by)\s+)?"
                     r"(?:only|just)\s+(?:the\s+|show\s+)?(?P<what>.+?)\s+(?:ones?|of them|of those|of these)\b", re.I)
_EXISTS = re.compile(r"\b(?:(?:are|is|do|does|have|has|can|will)\s+(?:any|either|none|one)(?:\s+of\s+(?:them|those|these|the\s+\w+))?"
                     r"|which\s+(?:ones|of\s+(?:them|those|these)|\w+\s+(?:are|come|have))|any of (?:them|those|these))\b", re.I)
_PLURAL = re.compile(r"\b(and|both|all|each|ones)\b", re.I)
_MEASURE_WORDS = frozenset("battery life playtime weight price rating review reviews stars cost".split())
_CART = re.compile(r"\b(add|cart|basket|buy|purchase|checkout|order it|take it|i'?ll take)\b", re.I)
_VARIANT = re.compile(r"\b(show me|do you have|have|got|is there|available|comes?|in)\b", re.I)
_QUESTION = re.compile(r"\?\s*$|^\s*(is|are|does|do|can|has|have|will|how|what|which|tell me)\b", re.I)
_YES_NO = re.compile(r"^\s*(is|are|does|do|can|has|have|will)\b|\b(is|are|does|do|can|has|have|will) "
                     r"(it|they|this|that|the|one|either|both)\b", re.I)
_FILLER = frozenset("""more details detail info information describe a an the is are it its it's this that these those they them their one ones of any anything do does
have has come comes in with listed as be either both all none which what whats what's how about only just show me
please ok okay so then now got can i you there available for and or to does list shown option options item items
product products first second third fourth fifth last 1st 2nd 3rd 4th 5th number good really also still any
whether tell know if see give keep filter by out which""".split())


def _candidates(shown: Sequence[Product], picks: Sequence[int]) -> tuple[Candidate, ...]:
    return tuple(Candidate(shown[i], 0.0, ScoreBreakdown((), ("on the list you were shown",)), position=k)
                 for k, i in enumerate(picks))


def _result(action: Action, answer: la.Answer, shown: Sequence[Product], intent: str, *,
            show: bool = False, data: tuple[tuple[str, str], ...] = ()) -> FlowResult:
    events: list = []
    if show and answer.about:
        events.append(ProductsShown(tuple(shown[i].id for i in answer.about), new_query=False))
    if len(answer.about) == 1:
        events.append(FocusSet(product_id=shown[answer.about[0]].id))
        data = (("product_id", shown[answer.about[0]].id), *data)
    return FlowResult(action, notes=answer.notes, products=_candidates(shown, answer.about), events=tuple(events),
                      intent=intent, data=data, question=answer.asked, answer=answer.value, verbatim=True)


def _other_type(parse: Parse, shown: Sequence[Product]) -> bool:
    """The message names a product type none of the shown products is ("show me the cheapest tents")."""
    words = {w.rstrip("s") for p in shown for w in re.findall(r"[a-z]+", f"{p.product_type} {p.title}".lower())}
    for value in parse.values("PRODUCT_TYPE"):
        mentioned = [w.rstrip("s") for w in re.findall(r"[a-z]+", value.lower())
                     if w not in _FILLER and w not in _MEASURE_WORDS]
        if mentioned and not all(w in words for w in mentioned):
            return True
    return False


def _colour(parse: Parse) -> str | None:
    for value in parse.values("COLOR"):
        return value.lower()
    for word in re.findall(r"[a-z]+", parse.text.lower()):
        if word in FAMILIES or word == "gray":
            return word
    return None


def _phrase(parse: Parse, shown: Sequence[Product]) -> str:
    """The feature asked about: the parse's FEATURE values, else the message's own content words."""
    feats = [v.lower() for v in parse.values("FEATURE")]
    if feats:
        return " ".join(dict.fromkeys(feats))
    own = {w for p in shown for w in re.findall(r"[a-z]+", f"{p.product_type} {p.brand}".lower())}
    words = [w for w in re.findall(r"[a-z][a-z-]*", parse.text.lower())
             if w not in _FILLER and w not in own and len(w) > 2]
    return " ".join(words)


def _superlative(text: str) -> la.Superlative | None:
    for pattern, sup in SUPERLATIVES:
        if pattern.search(text):
            return sup
    return None


def _refs(text: str, shown: Sequence[Product], focus: str | None, drop: str) -> tuple[int, ...]:
    """Referenced positions, the asked colour / feature removed first ("does it come in white?" is not "the
    white one")."""
    if drop:
        text = re.sub(r"\b" + re.escape(drop) + r"\b", " ", text, flags=re.I)
    return resolve(text, shown, focus)


def answer(ctx: FlowContext, state: DialogueState, parse: Parse) -> FlowResult | None:
    """A reply about the shown list, or None when the message is not a question about it."""
    if not state.shown:
        return None
    text = parse.text
    if _CART.search(text):
        return None
    shown = shown_products(ctx, state)
    if not shown or _other_type(parse, shown):
        return None
    sup = _superlative(text)
    listy = bool(_LIST_WORDS.search(text))
    if sup and (listy or (len(text.split()) <= 5 and not parse.values("PRODUCT_TYPE"))) and not _COMPARE.search(text):
        return _result(Action.ANSWER, la.superlative(shown, sup), shown, "product_question")
    comparing = _COMPARE.search(text) or (_BETTER.search(text) and listy)
    if comparing or (parse.intent == "compare" and not parse.low_confidence and not sup):
        return _compare(text, shown, state.focus_product)
    return _filter_or_exists(parse, shown) or _about_items(parse, shown, state.focus_product)


def _compare(text: str, shown: Sequence[Product], focus: str | None) -> FlowResult | None:
    if len(shown) < 2:
        return None
    picks = compare_refs(text, list(shown), focus)
    if len(picks) < 2:
        return None
    return _result(Action.COMPARE, la.comparison(shown, picks), shown, "compare",
                   data=(("table", compare_table([shown[i] for i in picks])),))


def _filter_or_exists(parse: Parse, shown: Sequence[Product]) -> FlowResult | None:
    text = parse.text
    m = _FILTER.search(text)
    colour = _colour(parse)
    if m:
        phrase = colour or _phrase(parse, shown)
        if phrase:
            found = la.filtered(shown, phrase, colour=bool(colour))
            return _result(Action.SEARCH if found.about else Action.ANSWER, found, shown, "refine_results", show=True)
    if _EXISTS.search(text):
        phrase = colour or _phrase(parse, shown)
        if phrase:
            return _result(Action.ANSWER, la.existence(shown, phrase, colour=bool(colour)), shown, "product_question")
    return None


def _about_items(parse: Parse, shown: Sequence[Product], focus: str | None) -> FlowResult | None:
    """Questions about one or more referenced items (ordinal, brand, "that one")."""
    text, colour = parse.text, _colour(parse)
    sizes = parse.values("SIZE")
    aspect = None if colour else asked_aspect(text)
    phrase = "" if (colour or aspect or sizes) else _phrase(parse, shown)
    if not (colour or aspect or sizes or (phrase and _YES_NO.search(text))):
        return None
    if colour and not (_QUESTION.search(text) or _VARIANT.search(text)):
        return None
    refs = _refs(text, shown, focus, colour or (phrase.split()[0] if phrase else ""))
    if not refs or (len(refs) > 1 and not _PLURAL.search(text)):  # "the Sonique one" matching two: ask
        return None
    if colour:
        notes = tuple(la.colour_of(shown, i, colour) for i in refs)
    elif sizes:
        notes = tuple(la.size_of(shown, i, sizes[0]) for i in refs)
    elif aspect:
        notes = tuple(la.aspect_of(shown, i, aspect) for i in refs)
    else:
        notes = tuple(la.feature_of(shown, i, phrase) for i in refs)
    return _result(Action.ANSWER, la.Answer(notes, refs), shown, "product_question")
