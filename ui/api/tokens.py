"""Signed user tokens: a site that knows its logged-in customer names them with an HMAC-signed, expiring token.

Format: ``base64url(json payload) "." base64url(HMAC-SHA256(secret, payload part))``; payload ``{"sub", "exp"}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time


class TokenError(ValueError):
    """The token is malformed, wrongly signed or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), body.encode("ascii"), hashlib.sha256).digest())


def sign_user_token(user_id: str, secret: str, ttl_s: int = 3600, *, now: float | None = None) -> str:
    if not user_id or user_id.startswith("anonymous"):
        raise ValueError("a user token must name a real customer id")
    payload = {"sub": user_id, "exp": int((now if now is not None else time.time()) + ttl_s)}
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_sign(secret, body)}"


def verify_user_token(token: str, secret: str, *, now: float | None = None) -> str:
    """The customer id the token names; raises TokenError when it is not valid now."""
    body, dot, sig = token.partition(".")
    if not dot or not body or not sig:
        raise TokenError("malformed user token")
    if not hmac.compare_digest(sig, _sign(secret, body)):
        raise TokenError("user token signature does not match")
    try:
        payload = json.loads(_unb64(body))
        sub, exp = str(payload["sub"]), float(payload["exp"])
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError("malformed user token") from exc
    if exp < (now if now is not None else time.time()):
        raise TokenError("user token has expired")
    if not sub or sub.startswith("anonymous"):
        raise TokenError("user token names no customer")
    return sub
