"""Who a turn is for: a signed-in customer, or an anonymous visitor (``anonymous:<visitor id>``).

``UserRef`` replaces the bare ``"anonymous"`` strings: front ends and the Assistant turn whatever they were
given (``None``, ``""``, ``" alice"``) into one with :meth:`UserRef.of`; the event log, the order store and
the ranker keep the plain ``id`` string. Anonymous visitors never reach orders and never move the global
ranking statistics (see ``assistant/ranking/policy.py``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

ANONYMOUS = "anonymous"  # a visitor without a visitor id (library callers, old logs)
_PREFIX = ANONYMOUS + ":"


@dataclass(frozen=True)
class UserRef:
    id: str

    @classmethod
    def of(cls, raw: object) -> "UserRef":
        """The user a front end named: the trimmed id, or the bare anonymous visitor for None/""/non-strings."""
        text = raw.strip() if isinstance(raw, str) else ""
        return cls(text or ANONYMOUS)

    @classmethod
    def visitor(cls) -> "UserRef":
        """A new anonymous visitor with a random, unguessable id."""
        return cls(_PREFIX + secrets.token_urlsafe(12))

    @property
    def anonymous(self) -> bool:
        return is_anonymous_id(self.id)

    @property
    def signed_in(self) -> bool:
        return not self.anonymous

    def __str__(self) -> str:
        return self.id


def is_anonymous_id(user_id: str | None) -> bool:
    """True for "", "anonymous" and "anonymous:<visitor>" (any case)."""
    uid = (user_id or "").strip().lower()
    return uid in ("", ANONYMOUS) or uid.startswith(_PREFIX)
