"""Needs in plain words: who the shopper buys for, the occasion, what they (or the recipient) like, where it goes.

``read_needs(text)`` reads, with rules (the NLU model is not asked: its entities tag "my dad" as an audience and
"grilling" as a product type), four things out of a message:
- recipient: "for my dad", "my sister's birthday", "to my wife" -> "dad" (said back as "your dad");
- occasion: birthday, anniversary, Christmas, Father's Day, housewarming, ... (and whether it is a gift at all);
- interests: "he likes grilling", "who loves coffee", "I'm into hiking and camping", "a big fan of yoga" ->
  ("grilling",), ("coffee",), ("hiking", "camping"), ("yoga",);
- usage: "for a small apartment", "for my home office", "for a dorm room" -> "a small apartment".

``Needs.strip(text)`` removes those phrases from a text (what is left names the product, if any:
"a desk for a small apartment" -> "a desk"); ``Needs.reason()`` is the reason the reply states
("For your dad, who likes grilling"). The interests are matched to the catalog's own products and types in
``assistant/dialogue/suggest.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from assistant.grammar import singular
from retrieval.lexical import STOPWORDS

RECIPIENTS = {  # recipient word -> pronoun ("he likes", "she loves", "they love")
    "dad": "he", "father": "he", "daddy": "he", "papa": "he", "husband": "he", "boyfriend": "he", "brother": "he",
    "son": "he", "grandpa": "he", "grandfather": "he", "uncle": "he", "nephew": "he", "fiance": "he",
    "mom": "she", "mother": "she", "mum": "she", "mommy": "she", "mama": "she", "wife": "she",
    "girlfriend": "she", "sister": "she", "daughter": "she", "grandma": "she", "grandmother": "she", "aunt": "she",
    "niece": "she", "fiancee": "she", "friend": "they", "best friend": "they", "partner": "they", "boss": "they",
    "coworker": "they", "co-worker": "they", "colleague": "they", "teacher": "they", "neighbor": "they",
    "neighbour": "they", "kid": "they", "kids": "they", "parents": "they", "grandparents": "they",
    "in-laws": "they", "roommate": "they", "cousin": "they", "grandson": "he", "granddaughter": "she",
}
_WHO = "|".join(sorted((re.escape(r) for r in RECIPIENTS), key=len, reverse=True))
_RECIPIENT = re.compile(
    rf"\b(?:(?:for|to|get)\s+)?(?:my|our)\s+(?:(?:little|big|older|younger|elder|best|new|dear)\s+)?(?P<who>{_WHO})"
    rf"(?P<own>['’]s)?\b", re.I)
OCCASIONS = ("birthday", "christmas", "xmas", "anniversary", "valentine's day", "valentines day", "valentine's",
             "mother's day", "mothers day", "father's day", "fathers day", "graduation", "housewarming", "wedding",
             "baby shower", "retirement", "hanukkah", "easter", "thanksgiving", "secret santa", "new year")
_OCCASION = re.compile(r"\b(?P<occ>" + "|".join(sorted((o.replace("'", "['’]?").replace(" ", r"\s+")
                                                          for o in OCCASIONS), key=len, reverse=True)) + r")\b", re.I)
_PLURAL_RECIPIENTS = frozenset({"kids", "parents", "grandparents", "in-laws"})
_OWN_OCCASIONS = frozenset({"birthday", "graduation", "retirement", "wedding", "housewarming", "baby shower"})
_GIFT = re.compile(r"\b(?:(?:a|an|some)\s+)?(?:gifts?|presents?|stocking\s+stuffers?)(?:\s+ideas?)?\b", re.I)
_INTEREST = re.compile(
    r"\b(?P<subj>he|she|they|who|i|we|you|(?:i|he|she|they|we|you|who)(?:['’](?:m|s|re))|im|i\s+am|he\s+is|she\s+is|"
    r"they\s+are|we\s+are|who\s+is|who\s+are|(?:my|our)\s+(?:" + _WHO + r"))\s+"
    r"(?:really\s+|just\s+|also\s+|totally\s+|absolutely\s+)?"
    r"(?P<verb>likes?|loves?|enjoys?|adores?|(?:is\s+|are\s+|am\s+)?(?:really\s+|very\s+|super\s+)?"
    r"(?:into|a\s+(?:big\s+|huge\s+)?fan\s+of|crazy\s+about|passionate\s+about|obsessed\s+with|big\s+on))\s+"
    r"(?P<what>[^,.;!?]+)", re.I)
_WHAT_END = re.compile(r"\s+(?:too|as\s+well|also|a\s+lot|very\s+much|so\s+much|"
                       r"(?:with\s+)?(?:a\s+)?budget|under|below|less\s+than|max(?:imum)?|at\s+most|up\s+to|"
                       r"around|about|for\s+(?:under|less|about|around)|so|but|and\s+(?:i|he|she|they|we|my)|"
                       r"(?:can|could|would|what|any)\b|something|anything|any\s+ideas?|\$|\d).*$", re.I)
_ARTICLE = re.compile(r"^(?:the|a|an|his|her|their|my|our|all|any|anything|things|stuff)\s+", re.I)
_REFERENCE = re.compile(r"\b(?:it|its|one|ones|this|that|these|those|them|first|second|third|fourth|fifth|last|"
                        r"idea|color|colour|price|look|style|design|option|options|things?|stuff)\b", re.I)
_SPLIT = re.compile(r"\s*(?:,|\band\b|\bor\b|&|/|\bplus\b)\s*", re.I)
PLACES = ("apartment", "flat", "studio", "dorm room", "dorm", "condo", "house", "home", "home office", "office",
          "kitchen", "bedroom", "living room", "bathroom", "balcony", "patio", "garden", "backyard", "yard", "nursery",
          "rv", "camper", "car", "boat", "cabin", "road trip", "camping trip", "trip", "vacation", "beach", "gym",
          "commute", "desk", "college", "classroom", "studio apartment")
_USAGE = re.compile(
    r"\bfor\s+(?:a|an|my|the|our|his|her)\s+(?P<usage>(?:(?:small|tiny|little|compact|big|large|new|first|cozy|"
    r"shared|cramped|narrow)\s+)*(?:" + "|".join(sorted((p.replace(" ", r"\s+") for p in PLACES), key=len,
                                                          reverse=True)) + r"))\b", re.I)
SMALL_WORDS = frozenset({"small", "tiny", "little", "compact", "cramped", "narrow", "studio", "dorm"})
_OTHER_WORDS = STOPWORDS | frozenset(
    "i'm im need want looking for some something anything get buy find me my our to who what should could would "
    "can you please idea ideas good nice great recommend suggest help with it do does did got there here maybe "
    "ok okay so well hi hello hey thanks".split())


def _pronoun_verb(pronoun: str, verb: str) -> str:
    """("she", "love") -> "loves"; ("they", "loves") -> "love"; "into" -> "is into" / "are into"."""
    verb = " ".join(verb.lower().split())
    verb = re.sub(r"^(?:is|are|am)\s+", "", verb)
    if not re.match(r"^(?:like|love|enjoy|adore)s?$", verb):
        return ("are " if pronoun in ("they", "you") else "is ") + verb
    base = verb.rstrip("s") if verb != "likes" else "like"
    base = {"lov": "love", "lik": "like", "ador": "adore"}.get(base, base)
    return base if pronoun in ("they", "you") else base + "s"


def _interests(what: str) -> tuple[str, ...]:
    what = _WHAT_END.sub("", what).strip()
    out = []
    for part in _SPLIT.split(what):
        part = _ARTICLE.sub("", part.strip(" '\"").lower()).strip()
        words = part.split()
        if words and len(words) <= 3 and not _REFERENCE.search(part):
            out.append(part)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Needs:
    recipient: str = ""  # "dad" (said back as "your dad")
    occasion: str = ""  # "birthday"
    gift: bool = False  # a gift or present was asked for
    interests: tuple[str, ...] = ()  # ("grilling",)
    verb: str = ""  # how the shopper put it: "likes", "loves", "is into"
    subject: str = ""  # the pronoun the shopper used for the recipient ("she likes candles"), if any
    own: bool = False  # the interests are the shopper's own ("I'm into hiking")
    usage: str = ""  # "a small apartment"
    spans: tuple[tuple[int, int], ...] = ()  # where the needs were said in the text read

    def __bool__(self) -> bool:
        return bool(self.recipient or self.occasion or self.gift or self.interests or self.usage)

    @property
    def pronoun(self) -> str:
        if self.own:
            return "you"
        if self.subject in ("he", "she", "they"):
            return self.subject
        return RECIPIENTS.get(self.recipient, "they") if self.recipient else "they"

    @property
    def small_space(self) -> bool:
        return bool(SMALL_WORDS & set(self.usage.lower().split()))

    def interest_phrase(self) -> str:
        items = list(self.interests)
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""

    def reason(self) -> str:
        """"For your dad, who likes grilling", "For your sister's birthday, since she loves coffee",
        "Since you're into hiking and camping", "For a small apartment"; "" when there is nothing to say."""
        likes = self.interest_phrase()
        if self.own and likes:
            verb = _pronoun_verb("you", self.verb or "like")  # "like", "love", "are into"
            lead = f"Since you're {verb[4:]}" if verb.startswith("are ") else f"Since you {verb}"
            return f"{lead} {likes}" + (f", for {self.usage}" if self.usage else "")
        if self.recipient:
            parts = [self._for_recipient(likes)]
        elif self.occasion:
            occasion = self.occasion_name()
            lead = f"For {occasion}" if occasion[:1].isupper() else f"For a {occasion} {'gift' if self.gift else 'present'}"
            parts = [lead + (f", for someone who {self._who_verb()} {likes}" if likes else "")]
        else:
            parts = [f"For someone who {self._who_verb()} {likes}"] if likes else []
        if self.usage:
            parts.append(f"for {self.usage}" if parts else f"For {self.usage}")
        return ", ".join(parts)

    def _who_verb(self) -> str:
        """The verb after "who": "likes" for one person, "like" for "your parents"."""
        plural = self.recipient in _PLURAL_RECIPIENTS
        return _pronoun_verb("they" if plural else "she", self.verb or "like")

    def _for_recipient(self, likes: str) -> str:
        who = f"your {self.recipient}"
        if not self.occasion:
            return f"For {who}" + (f", who {self._who_verb()} {likes}" if likes else "")
        occasion = self.occasion_name()
        if self.occasion in _OWN_OCCASIONS:
            lead = f"For {who}'s {occasion}"
        elif self.occasion == "anniversary":
            lead = f"For {who}, on your anniversary"
        else:
            lead = f"For {who} {'on' if occasion.endswith('Day') else 'for'} {occasion}"
        since = f"{self.pronoun} {_pronoun_verb(self.pronoun, self.verb or 'like')} {likes}" if likes else ""
        return lead + (f", since {since}" if since else "")

    def occasion_name(self) -> str:
        occ = self.occasion.lower()
        names = {"xmas": "Christmas", "christmas": "Christmas", "easter": "Easter", "hanukkah": "Hanukkah",
                 "thanksgiving": "Thanksgiving", "secret santa": "Secret Santa", "new year": "New Year"}
        if occ in names:
            return names[occ]
        if occ.endswith(" day") or occ.startswith("valentine"):
            base = re.sub(r"['’]?s?\s*day$", "", occ).rstrip("'’s")
            return f"{base.title()}'s Day" if base != "valentine" else "Valentine's Day"
        return occ

    def label(self) -> str:
        """What to call the suggestions: "grilling ideas", "gift ideas", "ideas"."""
        if self.interests:
            items = [singular(i) for i in self.interests]
            return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items) + " idea"
        return "gift idea" if self.gift or self.recipient or self.occasion else "idea"

    def strip(self, text: str) -> str:
        """``text`` without the phrases that state the needs (what is left may name a product)."""
        for pattern in (_INTEREST, _USAGE, _OCCASION, _GIFT, _RECIPIENT):
            text = pattern.sub(" ", text)
        return " ".join(text.split())

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("spans")
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Needs":
        if not text:
            return cls()
        data = json.loads(text)
        data["interests"] = tuple(data.get("interests", ()))
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def read_needs(text: str) -> Needs:
    """The needs stated in ``text`` (an empty ``Needs`` when none)."""
    text = text or ""
    spans: list[tuple[int, int]] = []
    recipient = occasion = verb = usage = ""
    interests: tuple[str, ...] = ()
    own = False
    subject = ""
    m = _RECIPIENT.search(text)
    if m:
        recipient = m.group("who").lower()
        spans.append(m.span())
    m = _OCCASION.search(text)
    if m:
        occasion = " ".join(m.group("occ").lower().replace("’", "'").split())
        spans.append(m.span())
    gift = _GIFT.search(text)
    for m in _INTEREST.finditer(text):
        found = _interests(m.group("what"))
        if found:
            interests = tuple(dict.fromkeys(interests + found))
            verb = verb or m.group("verb")
            subj = m.group("subj").lower().replace("’", "'")
            subject = subject or next((p for p in ("he", "she", "they") if re.match(rf"{p}\b", subj)), "")
            own = own or subj in ("i", "we", "im", "i am", "we are", "i'm", "we're")
            who = re.match(r"(?:my|our)\s+(.+)", subj)
            recipient = recipient or (who.group(1) if who else "")
            spans.append(m.span())
    m = _USAGE.search(text)
    if m:
        usage = "a " + " ".join(m.group("usage").lower().split())
        usage = re.sub(r"^a (?=[aeiou])", "an ", usage)
        spans.append(m.span())
    if gift:
        spans.append(gift.span())
    return Needs(recipient=recipient, occasion=occasion, gift=bool(gift), interests=interests, verb=verb,
                 subject=subject, own=own and not recipient, usage=usage, spans=tuple(spans))


def product_words(needs: Needs, text: str) -> tuple[str, ...]:
    """The words of ``text`` that may name a product once the needs are taken out ("a desk for a small
    apartment" -> ("desk",); "a gift for my dad, he likes grilling" -> ())."""
    rest = needs.strip(text)
    return tuple(w for w in re.findall(r"[a-z][a-z'&-]*", rest.lower()) if w not in _OTHER_WORDS)


def strip_recipient(text: str) -> str:
    """``text`` without "for my dad" ("a tent for my dad" -> "a tent")."""
    return " ".join(_RECIPIENT.sub(" ", text).split())
