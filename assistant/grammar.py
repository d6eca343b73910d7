"""Small English helpers for replies and notes: counts with agreeing nouns and verbs, tidy phrases.

Built on ``inflect`` (plural/singular nouns, a/an). A request phrase such as "black running shoes for
women under $80" is inflected on its head noun (the words before " for ", " under ", ...), so
``here_are(1, "running shoes for women")`` is "Here is 1 running shoe for women" and
``here_are(3, "yoga mat")`` is "Here are 3 yoga mats". Nouns that only exist as pairs ("jeans",
"sunglasses", "leggings") are counted in pairs: "1 pair of jeans".

Used by the template writer and by the dialogue notes (assistant/dialogue/shopping.py):
``count_phrase(n, phrase)``, ``here_are(n, phrase, extra="")``, ``tidy_phrase(phrase)``, ``plural(phrase)``,
``singular(phrase)``, ``with_article(phrase)``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import inflect

PAIRS = frozenset({"jeans", "pants", "trousers", "leggings", "shorts", "sunglasses", "eyeglasses", "tights",
                   "pajamas", "pyjamas", "scissors", "headphones", "earbuds", "binoculars", "sweatpants", "joggers",
                   "overalls", "goggles", "briefs", "boxers", "panties", "slacks", "chinos", "khakis", "earphones",
                   "tongs", "pliers", "socks"})
_UNCOUNTABLE = frozenset({"stuff", "gear", "equipment", "furniture", "jewelry",
                          "clothing", "bedding", "luggage", "footwear", "apparel", "coffee", "tea", "software"})
_TAIL = re.compile(r"\s(?:for|under|over|between|from|with|without|in|by|that|which|to|at|on|not)\s", re.I)


@lru_cache(maxsize=1)
def _engine() -> inflect.engine:
    return inflect.engine()


def _split(phrase: str) -> tuple[str, str]:
    """(head words, qualifier tail) of a request phrase: "running shoes" / " for women under $80"."""
    phrase = " ".join(phrase.split())
    m = _TAIL.search(phrase)
    return (phrase[: m.start()], phrase[m.start():]) if m else (phrase, "")


def _last_word(head: str) -> tuple[str, str]:
    words = head.rsplit(" ", 1)
    return ("", words[0]) if len(words) == 1 else (words[0] + " ", words[1])


def _singular_word(word: str) -> str:
    low = word.lower()
    if low in PAIRS or low in _UNCOUNTABLE or not low.isascii() or not low[-1:].isalpha():
        return word
    single = _engine().singular_noun(word)
    return single if isinstance(single, str) and single else word


def _plural_word(word: str) -> str:
    low = word.lower()
    if low in PAIRS or low in _UNCOUNTABLE or not low[-1:].isalpha():
        return word
    if _engine().singular_noun(word):  # already plural
        return word
    return _engine().plural_noun(word)


def _inflect_head(phrase: str, inflect_word) -> str:
    head, tail = _split(phrase)
    if not head:
        return phrase
    lead, last = _last_word(head)
    return f"{lead}{inflect_word(last)}{tail}"


def singular(phrase: str) -> str:
    """The phrase with its head noun singular ("running shoes for women" -> "running shoe for women")."""
    return _inflect_head(phrase, _singular_word)


def plural(phrase: str) -> str:
    """The phrase with its head noun plural ("yoga mat in purple" -> "yoga mats in purple")."""
    return _inflect_head(phrase, _plural_word)


def _is_pair(phrase: str) -> bool:
    head, _ = _split(phrase)
    return bool(head) and _last_word(head)[1].lower() in PAIRS


def count_phrase(n: int, phrase: str) -> str:
    """"1 running shoe", "3 running shoes", "1 pair of jeans", "2 pairs of jeans"; empty -> "N products"."""
    phrase = tidy_phrase(phrase) or "products"
    if _is_pair(phrase):
        return f"{n} {'pair' if n == 1 else 'pairs'} of {phrase}"
    return f"{n} {singular(phrase) if n == 1 else plural(phrase)}"


def here_are(n: int, phrase: str, extra: str = "") -> str:
    """"Here is 1 running shoe." / "Here are 3 running shoes." (``extra`` goes before the noun: "more")."""
    counted = count_phrase(n, phrase)
    if extra:
        num, rest = counted.split(" ", 1)
        counted = f"{num} {extra} {rest}"
    return f"Here {'is' if n == 1 else 'are'} {counted}"


def with_article(phrase: str) -> str:
    """"a running shoe", "an umbrella", "a pair of jeans" (the phrase is made singular)."""
    phrase = tidy_phrase(phrase)
    if _is_pair(phrase):
        return f"a pair of {phrase}"
    return _engine().a(singular(phrase))


def tidy_phrase(phrase: str) -> str:
    """Collapse spaces, drop a word repeated next to itself and a qualifier that repeats the head
    ("tan women for women" -> "tan women", "shoes shoes" -> "shoes")."""
    words = phrase.split()
    out: list[str] = []
    for w in words:
        if not out or w.lower() != out[-1].lower():
            out.append(w)
    text = " ".join(out)
    m = re.search(r"\s(?:for|in|by)\s(\w+)$", text)
    if m and re.search(r"\b" + re.escape(m.group(1)) + r"\b", text[: m.start()], re.I):
        text = text[: m.start()]
    return text.strip()


_COUNTED = re.compile(r"\b(Here|There)\s+(?:are|is)\s+(\d+)\s+((?:more|other|different|new)\s+)?"
                      r"([A-Za-z][\w'’-]*(?:\s+[A-Za-z][\w'’-]*)*?)"
                      r"(?=\s+(?:I think|I found|that|which|for|under|over|between|from|with|without|in|by|all)\b|[.,;:!?]|$)")
_DOUBLED_AUDIENCE = re.compile(r"\b([A-Za-z]{3,})((?:\s+[A-Za-z]+)?)\s+for\s+\1\b", re.I)


def agree_counts(text: str) -> str:
    """Fix count agreement (singular counts) and doubled audience words in a sentence written elsewhere (a dialogue note):
    "Here are 1 running shoes" -> "Here is 1 running shoe", "tan women for women" -> "tan women"."""
    def fix(m: re.Match) -> str:
        n = int(m.group(2))
        if n != 1:  # plural counts are left as written ("Here are 5 grilling ideas" is not ours to re-inflect)
            return m.group(0)
        extra = (m.group(3) or "").strip()
        body = here_are(n, m.group(4), extra)
        return m.group(1) + body[len("Here"):]

    text = _COUNTED.sub(fix, text)
    return _DOUBLED_AUDIENCE.sub(lambda m: m.group(1) + m.group(2) if m.group(2) else m.group(1), text)
