"""Redaction of personal data typed by users, applied BEFORE anything is parsed, logged or stored.

Redacted (placeholder): e-mail addresses, plain and obfuscated ("john dot doe at gmail dot com",
"john[at]gmail[dot]com") -> [EMAIL]; payment cards (14-19 digits in groups with any separators, issuer digit 2-6,
Luhn-valid) -> [CARD], with an expiry (-> [EXPIRY]) or security code (-> [CVV]); phone numbers, checked with
``phonenumbers`` (libphonenumber) or by their North-American shape -> [PHONE]; US social security numbers -> [SSN];
street addresses ("221B Baker Street", "1 Infinite Loop", "350 Fifth Ave Apt 5") and PO boxes -> [ADDRESS].

Kept: order ids, prices, quantities, sizes and product specs ("size 10 court shoes", "2 way radio", "3 drive bays",
"55 inch tv", "1/2 inch binder", "isbn 9780132350884").

Linear time: every pattern starts only at the beginning of a run (look-behind) and consumes it, or repeats a
bounded number of times; phonenumbers look-ups per text are capped (``PHONE_LOOKUPS``). Callers still cap the text
length before calling ``redact`` (``widget.max_text_chars``); ``bench/security_redaction.py`` times 200k characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from assistant.records import ForgetReport

PHONE_LOOKUPS = 400  # phonenumbers calls per text; beyond it, 10+ digit numbers count as phones (fail safe)
PHONE_REGIONS = ("US", "GB", "CA", "AU", "IN", "IE", "DE", "FR", "ES", "IT", "NL")  # national formats tried
MAX_WINDOW_GROUPS = 6  # digit groups one phone or card number may span ("+33 1 42 68 53 00")

# --- e-mail -----------------------------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.%+\-])[\w.%+\-]{1,64}@(?:[A-Za-z0-9\-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w\-])")
_W = r"[A-Za-z0-9_%+\-]{1,64}"
_SP = r"[ \t]"
_AT_MARK = rf"{_SP}{{0,3}}(?:\[{_SP}?at{_SP}?\]|\({_SP}?at{_SP}?\)|\{{{_SP}?at{_SP}?\}}|<{_SP}?at{_SP}?>|@){_SP}{{0,3}}"
_AT_WORD = rf"{_SP}{{1,3}}at{_SP}{{1,3}}"
_DOT_MARK = (rf"(?:{_SP}{{0,3}}(?:\[{_SP}?dot{_SP}?\]|\({_SP}?dot{_SP}?\)|\{{{_SP}?dot{_SP}?\}}|<{_SP}?dot{_SP}?>){_SP}{{0,3}}"
             rf"|{_SP}{{1,3}}dot{_SP}{{1,3}})")
_DOT_ANY = rf"(?:{_DOT_MARK}|{_SP}{{0,3}}\.{_SP}{{0,3}})"
_TLD = (r"(?:com|net|org|edu|gov|mil|int|info|biz|io|co|me|tv|app|dev|ai|email|xyz|online|store|shop|mail"
        r"|uk|us|ca|au|nz|ie|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ru|cn|jp|kr|in|br|mx|ar|za)")
_PROVIDER = (r"(?:gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|icloud|me|mac|aol|proton|protonmail|pm"
             r"|gmx|web|mail|yandex|zoho|fastmail|comcast|verizon|att|btinternet|orange|free|qq|163)")
_EMAIL_OBFUSCATED = re.compile(
    rf"(?<![\w.%+\-]){_W}(?:{_DOT_ANY}{_W}){{0,4}}"  # the local part ("john", "john dot doe", "j.doe")
    rf"(?:{_AT_MARK}(?:{_W}{_DOT_ANY}){{1,4}}{_TLD}"  # [at] (at) {at} <at> or a spaced @: any domain
    rf"|{_AT_WORD}(?:{_PROVIDER}(?:{_DOT_ANY}{_W}){{0,3}}{_DOT_ANY}{_TLD}"  # the word "at": a mail provider,
    rf"|(?:{_W}{_DOT_ANY}){{0,3}}{_W}{_DOT_MARK}{_TLD}))(?![\w\-])",  # or a spelled-out "dot" before the TLD
    re.IGNORECASE)

# --- numbers: cards, phones, SSNs -----------------------------------------------------------------------------
_SSN = re.compile(r"(?<![\w\-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w\-])")
_GROUP = r"[+(]?\d[\d().\-]*"
_NUMBER_RUN = re.compile(rf"(?<![\w/$€£#.,]){_GROUP}(?:{_SP}{{1,3}}(?:[\-./]{_SP}{{1,3}})?{_GROUP})*")
_GROUP_RE = re.compile(_GROUP)
_LUHN_DOUBLE = str.maketrans("0123456789", "0246813579")  # 2d, minus 9 when above 9
_NOT_DIGITS = str.maketrans("", "", "+().-")  # a group's other characters
_WORD_RE = re.compile(r"[A-Za-z]+")
_CODE_WORDS = frozenset({"order", "sku", "upc", "ean", "gtin", "isbn", "asin", "mpn", "model", "part", "item", "tracking",
                         "invoice", "ref", "reference", "serial", "product", "style"})
_CODE_FILLERS = frozenset({"number", "num", "nr", "no", "id", "code"})
_NANP_GROUPS = {(10,), (3, 3, 4), (3, 7), (6, 4), (11,), (1, 3, 3, 4), (1, 10), (4, 3, 4)}
_LOCAL_PHONE = re.compile(r"\(?\d{3}\)?[ .\-]\d{4}")
_EXPIRY_WORDS = rf"(?:exp(?:iry|ires|iration)?(?:{_SP}+date)?|valid{_SP}+(?:thru|through|until)|good{_SP}+thru)"
_DATE = rf"(?:0?[1-9]|1[0-2]){_SP}?[/\-]{_SP}?(?:20)?\d{{2}}(?![\d/])"
_EXPIRY_AFTER_CARD = re.compile(rf"(\[CARD\][^\w\[]{{0,4}}(?:{_EXPIRY_WORDS}\.?:?{_SP}{{0,3}})?){_DATE}", re.IGNORECASE)
_EXPIRY = re.compile(rf"(\b{_EXPIRY_WORDS}\b\.?:?{_SP}{{0,3}}(?:is{_SP}{{1,3}})?){_DATE}", re.IGNORECASE)
_CVV = re.compile(rf"(\b(?:cvv2?|cvc2?|csc|cid|security{_SP}+code)\b\.?:?{_SP}{{0,3}}(?:is{_SP}{{1,3}})?)\d{{3,4}}(?!\d)",
                  re.IGNORECASE)

# --- street addresses ------------------------------------------------------------------------------------------
_CLEAR_SUFFIX = (r"(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|terrace|parkway|pkwy|highway|hwy|crescent"
                 r"|lane|ln|alley|freeway|turnpike)")
_AMBIGUOUS_SUFFIX = (r"(?:way|drive|dr|court|ct|place|pl|loop|close|square|sq|circle|cir|trail|trl|row|walk|mews"
                     r"|gardens|grove|plaza|pike|esplanade|causeway|broadway)")
_NOT_A_NAME = (  # units, counts and product words that precede "drive", "way", "court"... in product queries
    r"(?:inch|inches|in|ft|feet|foot|cm|mm|m|meter|metre|yard|yd|pack|pk|count|ct|piece|pieces|pc|pcs|pair|pairs"
    r"|set|sets|way|ways|gb|tb|mb|ghz|mhz|hz|v|volt|volts|w|watt|watts|amp|amps|mah|oz|lb|lbs|kg|g|ml|l|liter|litre"
    r"|gallon|gal|qt|quart|cup|cups|person|people|man|men|seater|seat|seats|door|doors|drawer|drawers|shelf|tier"
    r"|layer|speed|speeds|port|ports|bay|bays|drive|drives|lane|lanes|wheel|wheels|player|players|hour|hours|hr"
    r"|min|minute|minutes|day|days|week|weeks|month|months|year|years|yr|mile|miles|km|car|cars|slot|slots"
    r"|burner|burners|stroke|channel|channels|ch|core|cores|gang|light|lights|bulb|bulbs|x|by|and|or|of|the|a|an"
    r"|for|to|with|on|at|size|sizes|ply|gauge|ga|awg|star|stars|k|p|fps|page|pages|sheet|sheets|tablet|tablets"
    r"|serving|servings|tb|step|steps|foot|level|levels|zone|zones|room|rooms|bed|beds|bedroom|band|bands|button"
    r"|buttons|outlet|outlets|usb|hdmi|bit|bits|tooth|teeth|blade|blades|string|strings|key|keys|row|rows|tube"
    r"|tubes|roll|rolls|box|boxes|bag|bags|bottle|bottles|can|cans|jar|jars|dozen|lumen|lumens|mp|megapixel"
    r"|gallons|ounce|ounces|pound|pounds|quarts|liters|litres|tire|tires|disc|discs|disk|disks|camera|cameras"
    r"|monitor|monitors|screen|screens|tv|tvs|line|lines|handed|hand|hands|color|colors|colour|colours|tone|tones)")
_NUM = r"(?<![\w/.$€£#,\-])\d{1,5}[A-Za-z]?(?:-\d{1,5})?"
_NAME = r"(?:[A-Za-z][A-Za-z'\-]{0,24}\.?|\d{1,3}(?:st|nd|rd|th))"
_TAIL = (rf"(?:{_SP}(?:N|S|E|W|NE|NW|SE|SW)\b\.?)?"  # 1600 Pennsylvania Avenue NW
         rf"(?:,?{_SP}{{0,3}}(?i:apt|apartment|unit|suite|ste|flat|floor|fl|#)\.?{_SP}{{0,3}}[\w\-]{{1,6}}\b)?"
         rf"(?:,{_SP}{{0,3}}[A-Z][a-z]+(?:{_SP}[A-Z][a-z]+){{0,2}},?{_SP}{{1,3}}[A-Z]{{2}}{_SP}{{1,3}}\d{{5}}(?:-\d{{4}})?\b)?")
_ADDRESS = re.compile(  # a candidate; _address() decides (names, suffix, context)
    rf"{_NUM}{_SP}{{1,3}}(?P<street>(?:{_NAME}{_SP}{{1,3}}){{1,4}}(?P<suffix>(?i:{_CLEAR_SUFFIX}|{_AMBIGUOUS_SUFFIX})))"
    rf"\b\.?{_TAIL}")
_CLEAR_SUFFIX_RE = re.compile(_CLEAR_SUFFIX, re.IGNORECASE)
_NOT_A_NAME_RE = re.compile(_NOT_A_NAME, re.IGNORECASE)
_ADDRESS_CONTEXT = re.compile(  # "I live at 1 infinite loop": a lower-case street after an address phrase
    r"(?:(?:live|living|lives|located|reside|resides|staying)\s+at|(?:ship|send|deliver|mail|post)(?:ping|ped|ed)?"
    r"\s+(?:it\s+|them\s+|this\s+)?to|address(?:\s+is)?:?)\s{1,3}$", re.IGNORECASE)
_PO_BOX = re.compile(rf"\b(?i:p\.?{_SP}?o\.?{_SP}?box){_SP}{{0,3}}\d{{1,6}}\b")


@dataclass(frozen=True)
class Redaction:
    text: str
    kinds: tuple[str, ...] = ()  # what was removed: email, card, phone, ssn, address

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def luhn_valid(digits: str) -> bool:
    """The Luhn check: every second digit from the right doubled (digit sums), the total a multiple of 10."""
    plain, doubled = digits[-1::-2], digits[-2::-2].translate(_LUHN_DOUBLE)
    return (sum(map(int, plain)) + sum(map(int, doubled))) % 10 == 0


def is_card_number(digits: str) -> bool:
    """14-19 digits, an issuer's first digit (2 Mastercard ... 6 Discover/UnionPay) and a valid Luhn check digit."""
    return 14 <= len(digits) <= 19 and digits[0] in "23456" and luhn_valid(digits)


class _PhoneCheck:
    """Whether a run of digit groups is a phone number; at most ``PHONE_LOOKUPS`` phonenumbers calls a text."""

    def __init__(self) -> None:
        self.budget = PHONE_LOOKUPS

    def _lookup(self, raw: str, region: str | None, *, possible: bool = False) -> bool:
        self.budget -= 1
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            return False
        return phonenumbers.is_possible_number(number) if possible else phonenumbers.is_valid_number(number)

    def __call__(self, raw: str, groups: list[str]) -> bool:
        digits = "".join(groups)
        if not 7 <= len(digits) <= 15:
            return False
        if self.budget <= 0:
            return len(digits) >= 10
        if raw.startswith("+") or (raw.startswith("00") and len(digits) >= 10):
            return len(digits) >= 8 and self._lookup("+" + digits[2:] if raw.startswith("00") else raw, None, possible=True)
        shape = tuple(len(g) for g in groups)
        if shape in _NANP_GROUPS and (digits[0] in "23456789" or (len(digits) == 11 and digits[0] == "1"
                                                                   and digits[1] in "23456789")):
            return True  # North-American shape (fictional 555 numbers included)
        if len(digits) <= 8:
            return bool(_LOCAL_PHONE.fullmatch(raw))
        if digits[0] != "0" and (len(digits) > 10 or sum(len(g) <= 2 for g in groups) >= 3):
            return False  # without a trunk 0: lists of sizes / years / EAN codes, not national numbers
        return len(digits) >= 9 and any(self._lookup(raw, region) for region in PHONE_REGIONS if self.budget > 0)


def _groups(run: str, offset: int) -> tuple[list[int], list[int], list[str]]:
    """Digit groups of a number run: starts, ends (after the last digit) and digits, offsets in the whole text."""
    starts, ends, digits = [], [], []
    for g in _GROUP_RE.finditer(run):
        text = g.group()
        starts.append(offset + g.start())
        ends.append(offset + g.start() + len(text.rstrip("().-")))
        digits.append(text.translate(_NOT_DIGITS))
    return starts, ends, digits


def _redact_numbers(text: str, kinds: list[str]) -> str:
    """Cards and phones: each number run is split into digit groups; the longest window of consecutive groups
    (from the left) that is a card, else a phone, is replaced, then the scan goes on after it."""
    phone = _PhoneCheck()
    pieces, pos = [], 0
    for m in _NUMBER_RUN.finditer(text):
        if m.end() - m.start() < 7:  # too short to hold 7 digits
            continue
        starts, ends, digits = _groups(m.group(), m.start())
        sums = [0]
        for d in digits:
            sums.append(sums[-1] + len(d))
        n, i = len(digits), 0
        while i < n:
            last = min(n, i + MAX_WINDOW_GROUPS) - 1
            if sums[last + 1] - sums[i] >= 7:  # else too few digits for any phone or card
                for j in range(last, i - 1, -1):
                    if 7 <= sums[j + 1] - sums[i] <= 19:
                        kind = _number_kind(text, starts[i], ends[j], digits[i:j + 1], phone)
                        if kind:
                            pieces += [text[pos:starts[i]], f"[{kind.upper()}]"]
                            pos, i = ends[j], j
                            if kind not in kinds:
                                kinds.append(kind)
                            break
            i += 1
    return "".join(pieces) + text[pos:] if pieces else text


def _code_before(text: str, start: int) -> bool:
    """The number follows a product/order code word ("order no. 5551234567", "isbn 0132350882"): not a phone."""
    words = [w.lower() for w in _WORD_RE.findall(text, max(0, start - 32), start)[-3:]]
    words = [w for w in words if w not in _CODE_FILLERS]
    return bool(words) and words[-1] in _CODE_WORDS


def _number_kind(text: str, start: int, end: int, parts: list[str], phone: _PhoneCheck) -> str | None:
    first, count = parts[0][0], sum(map(len, parts))
    if count >= 14 and first in "23456" and is_card_number("".join(parts)):
        return "card"
    if count > 11 and first != "0" and text[start] != "+":  # no national number is that long (cheap pre-check)
        return None
    if 7 <= count <= 15 and phone(text[start:end], parts) and not _code_before(text, start):
        return "phone"
    return None


def _address(m: re.Match) -> str:
    """A street address unless a "name" is a unit or product word ("3 drive bays", "12 pack road flares"); an
    ambiguous suffix (way, drive, court...) needs capitalised names ("1 Infinite Loop") or an address phrase before."""
    names = [w.rstrip(".") for w in m.group("street").split()[:-1]]
    if any(_NOT_A_NAME_RE.fullmatch(w) and not (len(w) == 1 and w.isupper()) for w in names):  # "55 W 44th St"
        return m.group(0)
    if _CLEAR_SUFFIX_RE.fullmatch(m.group("suffix")):
        return "[ADDRESS]"
    if all(w[0].isupper() or w[0].isdigit() for w in names):
        return "[ADDRESS]"
    if _ADDRESS_CONTEXT.search(m.string, max(0, m.start() - 40), m.start()):
        return "[ADDRESS]"
    return m.group(0)


def _sub(pattern: re.Pattern, repl, text: str, kind: str, kinds: list[str]) -> str:
    new = pattern.sub(repl, text)
    if new != text and kind not in kinds:
        kinds.append(kind)
    return new


def redact(text: str) -> Redaction:
    """Replace personal data in ``text`` with placeholders; report which kinds were found."""
    kinds: list[str] = []
    out = text or ""
    low = out.lower()  # cheap keyword checks skip the passes that cannot match
    if "@" in low or "at" in low:
        out = _sub(_EMAIL, "[EMAIL]", out, "email", kinds) if "@" in low else out
        out = _sub(_EMAIL_OBFUSCATED, "[EMAIL]", out, "email", kinds)
    if not any(ch.isdigit() for ch in out):
        return Redaction(out, tuple(kinds))
    out = _sub(_SSN, "[SSN]", out, "ssn", kinds) if "-" in out else out
    out = _redact_numbers(out, kinds)
    if "[CARD]" in out:
        out = _sub(_EXPIRY_AFTER_CARD, r"\1[EXPIRY]", out, "card", kinds)
    if any(word in low for word in ("exp", "valid", "good")):
        out = _sub(_EXPIRY, r"\1[EXPIRY]", out, "card", kinds)
    if any(word in low for word in ("cvv", "cvc", "csc", "cid", "security")):
        out = _sub(_CVV, r"\1[CVV]", out, "card", kinds)
    out = _sub(_ADDRESS, _address, out, "address", kinds)
    out = _sub(_PO_BOX, "[ADDRESS]", out, "address", kinds) if "box" in low else out
    return Redaction(out, tuple(kinds))


WIDGET_SESSIONS = "widget_sessions"  # the multi-worker API's session bindings (ui/workers.py)


def _forget_widget_sessions(engine, user_id: str) -> int:
    """Delete the user's widget session bindings, when the multi-worker API created that table here."""
    from sqlalchemy import MetaData, Table, delete, inspect

    if not inspect(engine).has_table(WIDGET_SESSIONS):
        return 0
    table = Table(WIDGET_SESSIONS, MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        return conn.execute(delete(table).where(table.c.user_id == user_id)).rowcount


def forget_user(engine, user_id: str) -> ForgetReport:
    """Delete a user's interaction history, sessions (events, hence transcripts and carts), handoff
    transcripts, reviewed inbox labels and widget session bindings. Orders, other users' data and the catalog
    are kept. In-memory caches of a running server are dropped by ``Assistant.forget`` (the admin endpoint)."""
    from assistant.analytics import inbox
    from assistant.events import EventLog
    from assistant.interactions import InteractionStore
    from assistant.orders.repository import OrderRepository

    if not isinstance(user_id, str) or not user_id.strip():
        raise ValueError("forget needs a user id")
    interactions = InteractionStore(engine).forget(user_id)
    events = EventLog(engine).forget(user_id)
    tickets = OrderRepository(engine).forget_transcripts(user_id)
    labels = inbox.forget_user(engine, user_id)
    return ForgetReport(user_id, interactions, events, tickets, labels, _forget_widget_sessions(engine, user_id))
