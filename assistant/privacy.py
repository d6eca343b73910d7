"""Redaction of personal data typed by users, applied BEFORE anything is parsed, logged or stored.

Redacted: e-mail addresses -> [EMAIL], card numbers (13-19 digits, spaces/dashes allowed, Luhn-valid)
-> [CARD], phone numbers (10+ digits, or 7+ digits written with a leading + or phone-style
separators) -> [PHONE], street addresses ("221B Baker Street", "12 Main St. Apt 4") -> [ADDRESS].
Short numbers (order ids such as 10023, prices, quantities) are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<![\d])(?:\d[ \-]?){12,18}\d(?![\d])")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{2,4}\)[\s.\-]?)?\d{2,4}(?:[\s.\-]\d{2,4}){1,4}(?![\w])")
_STREET_SUFFIX = (r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|way|terrace"
                  r"|parkway|pkwy|highway|hwy|square|sq|close|crescent")
_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][\w'\-]*\.?\s+){{0,3}}(?:{_STREET_SUFFIX})\b\.?"
    r"(?:,?\s*(?:apt|apartment|unit|suite|#)\.?\s*\w+)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Redaction:
    text: str
    kinds: tuple[str, ...] = ()  # what was removed: email, card, phone, address

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return "[CARD]" if 13 <= len(digits) <= 19 and luhn_valid(digits) else m.group(0)


def _phone(m: re.Match) -> str:
    raw = m.group(0)
    digits = re.sub(r"\D", "", raw)
    if len(digits) >= 10 or (len(digits) >= 7 and (raw.startswith("+") or "(" in raw)):
        return "[PHONE]"
    if len(digits) >= 7 and re.fullmatch(r"\d{3}[\s.\-]\d{4}", raw):
        return "[PHONE]"
    return raw


def redact(text: str) -> Redaction:
    """Replace personal data in ``text`` with placeholders; report which kinds were found."""
    kinds: list[str] = []
    out = text or ""
    for kind, pattern, repl in (("email", _EMAIL, "[EMAIL]"), ("card", _CARD, _card),
                                ("address", _ADDRESS, "[ADDRESS]"), ("phone", _PHONE, _phone)):
        new = pattern.sub(repl, out)
        if new != out:
            kinds.append(kind)
            out = new
    return Redaction(out, tuple(kinds))


@dataclass(frozen=True)
class ForgetReport:
    user_id: str
    interactions: int = 0
    events: int = 0
    tickets: int = 0
    labels: int = 0


def forget_user(engine, user_id: str) -> ForgetReport:
    """Delete a user's interaction history, sessions (events, hence transcripts and carts), handoff
    transcripts and reviewed inbox labels. Orders, other users' data and the catalog are kept."""
    from assistant.analytics import inbox
    from assistant.events import EventLog
    from assistant.interactions import InteractionStore
    from assistant.orders.repository import OrderRepository

    if not user_id or not user_id.strip():
        raise ValueError("forget needs a user id")
    interactions = InteractionStore(engine).forget(user_id)
    events = EventLog(engine).forget(user_id)
    tickets = OrderRepository(engine).forget_transcripts(user_id)
    labels = inbox.forget_user(engine, user_id)
    return ForgetReport(user_id, interactions, events, tickets, labels)
