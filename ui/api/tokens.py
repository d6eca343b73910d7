"""Signed user tokens: a site that knows its logged-in customer names them with a short-lived JWT (PyJWT, HS256).

Claims, all required: ``sub`` (the customer id, compared exactly), ``aud`` (the site key the token is for),
``iat`` and ``exp`` (integers, seconds since the epoch; ``exp - iat`` and ``exp - now`` at most the TTL).
Anything else (garbage, non-ASCII, a string or NaN ``exp``, another site, a stretched lifetime) is a TokenError,
which the API turns into a 401.
"""

from __future__ import annotations

import time

import jwt

ALGORITHM = "HS256"
MAX_TOKEN_CHARS = 4096
MAX_USER_ID_CHARS = 128
LEEWAY_S = 30  # clock skew allowed between the signing site and this server


class TokenError(ValueError):
    """The token is malformed, wrongly signed, for another site or not valid now (the message is client-safe)."""


def valid_user_id(user_id: object) -> bool:
    """A customer id is a printable string without whitespace or control characters, not an anonymous id."""
    return (isinstance(user_id, str) and 0 < len(user_id) <= MAX_USER_ID_CHARS and user_id.isprintable()
            and not any(ch.isspace() for ch in user_id) and not user_id.startswith("anonymous"))


def sign_user_token(user_id: str, secret: str, site: str, ttl_s: int = 3600, *, now: float | None = None) -> str:
    """A token naming ``user_id`` for the site whose key is ``site``, valid for ``ttl_s`` seconds."""
    if not valid_user_id(user_id):
        raise ValueError("a user token must name a real customer id (no spaces or control characters)")
    if not site:
        raise ValueError("a user token must be bound to a site key")
    issued = int(now if now is not None else time.time())
    payload = {"sub": user_id, "aud": site, "iat": issued, "exp": issued + int(ttl_s)}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def _decode(token: str, secret: str, site: str, now: float) -> dict:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS or not token.isascii():
        raise TokenError("malformed user token")
    try:
        return jwt.decode(token, secret, algorithms=[ALGORITHM], audience=site, leeway=LEEWAY_S,
                          options={"require": ["sub", "aud", "iat", "exp"], "verify_exp": False, "verify_iat": False})
    except jwt.InvalidAudienceError as exc:
        raise TokenError("user token is for another site") from exc
    except jwt.InvalidSignatureError as exc:
        raise TokenError("user token signature does not match") from exc
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise TokenError("malformed user token") from exc


def verify_user_token(token: str, secret: str, site: str, ttl_s: int = 3600, *, now: float | None = None) -> str:
    """The customer id the token names; raises TokenError when it is not valid for ``site`` now."""
    now = now if now is not None else time.time()
    payload = _decode(token, secret, site, now)
    exp, iat, sub = payload["exp"], payload["iat"], payload["sub"]
    if type(exp) is not int or type(iat) is not int:  # noqa: E721 - bool, float, "nan", "9999" are all refused
        raise TokenError("malformed user token")
    if exp <= now:
        raise TokenError("user token has expired")
    if iat > now + LEEWAY_S or exp - iat > ttl_s or exp - now > ttl_s + LEEWAY_S:
        raise TokenError("user token lives longer than this server allows")
    if not valid_user_id(sub):
        raise TokenError("user token names no valid customer")
    return sub
