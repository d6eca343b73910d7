"""Signed user tokens (ui.api.tokens, PyJWT): every malformed, stretched, foreign or expired token is a TokenError."""

from __future__ import annotations

import jwt
import pytest

from ui.api.tokens import TokenError, sign_user_token, valid_user_id, verify_user_token

SECRET = "k" * 48
SITE = "site-a"
NOW = 1_800_000_000


def forge(secret: str = SECRET, **claims) -> str:
    """A token signed with ``secret`` carrying exactly ``claims`` (None drops a claim)."""
    payload = {"sub": "alice", "aud": SITE, "iat": NOW, "exp": NOW + 600, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, secret, algorithm="HS256")


def test_round_trip():
    token = sign_user_token("alice", SECRET, SITE, ttl_s=600, now=NOW)
    assert verify_user_token(token, SECRET, SITE, 600, now=NOW + 10) == "alice"
    assert verify_user_token(forge(), SECRET, SITE, 600, now=NOW) == "alice"


@pytest.mark.parametrize("claims,why", [
    ({"exp": "nan"}, "malformed"), ({"exp": float("nan")}, "malformed"), ({"exp": None}, "malformed"),
    ({"exp": "9999999999"}, "malformed"), ({"exp": float(NOW + 60)}, "malformed"), ({"exp": True}, "malformed"),
    ({"exp": 1e300}, "malformed"), ({"iat": None}, "malformed"), ({"iat": "x"}, "malformed"),
    ({"exp": NOW - 1}, "expired"),
    ({"exp": NOW + 10 * 86_400}, "longer"),  # a lifetime the server does not allow (user_token_ttl_s)
    ({"iat": NOW + 3_600, "exp": NOW + 3_700}, "longer"),  # issued in the future
    ({"aud": "site-b"}, "another site"), ({"aud": None}, "malformed"), ({"aud": [SITE, "site-b"]}, None),
    ({"sub": " alice"}, "no valid customer"), ({"sub": "alice "}, "no valid customer"),
    ({"sub": "al\tice"}, "no valid customer"), ({"sub": "ali\x00ce"}, "no valid customer"),
    ({"sub": "anonymous:x"}, "no valid customer"), ({"sub": ""}, "no valid customer"), ({"sub": 42}, "malformed"),
    ({"sub": None}, "malformed"),
])
def test_bad_claims_are_rejected(claims, why):
    token = forge(**claims)
    if why is None:  # a list audience containing this site is valid JWT; still bound to the site
        assert verify_user_token(token, SECRET, SITE, 600, now=NOW) == "alice"
        return
    with pytest.raises(TokenError, match=why):
        verify_user_token(token, SECRET, SITE, 600, now=NOW)


@pytest.mark.parametrize("token", ["", "garbage", "a.b", "a.b.c", "é.é.é", "ey" * 3000, forge() + "é",
                                   forge().replace(".", "", 1), forge()[:-3] + "abc", "\x00" * 10])
def test_malformed_tokens_are_token_errors(token):
    with pytest.raises(TokenError):
        verify_user_token(token, SECRET, SITE, 600, now=NOW)


def test_wrong_secret_and_alg_none_are_rejected():
    with pytest.raises(TokenError, match="signature"):
        verify_user_token(forge("another-secret-" + "x" * 32), SECRET, SITE, 600, now=NOW)
    unsigned = jwt.encode({"sub": "alice", "aud": SITE, "iat": NOW, "exp": NOW + 60}, None, algorithm="none")
    with pytest.raises(TokenError):
        verify_user_token(unsigned, SECRET, SITE, 600, now=NOW)


def test_user_ids_are_exact():
    assert valid_user_id("alice") and valid_user_id("cust-0042@shop")
    for bad in (" alice", "alice ", "al ice", "alice\n", "", "anonymous:1", "x" * 129, 7, None, "\u200balice"):
        assert not valid_user_id(bad), bad
    with pytest.raises(ValueError):
        sign_user_token(" alice", SECRET, SITE)
    with pytest.raises(ValueError):
        sign_user_token("alice", SECRET, "")
