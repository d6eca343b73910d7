"""Redaction of personal data before anything is stored."""

from __future__ import annotations

import pytest

from assistant.privacy import luhn_valid, redact


@pytest.mark.parametrize("text,kind,leak", [
    ("my email is john.doe+shop@example.co.uk thanks", "email", "john.doe"),
    ("card 4111 1111 1111 1111 was declined", "card", "4111 1111"),
    ("my card is 5500-0000-0000-0004", "card", "5500"),
    ("call me at +1 (415) 555-0134", "phone", "555-0134"),
    ("phone 415-555-0134 please", "phone", "555-0134"),
    ("ship it to 221B Baker Street, London", "address", "Baker"),
    ("I live at 12 Main St. Apt 4", "address", "Main St"),
    ("1600 Pennsylvania Avenue NW", "address", "Pennsylvania"),
])
def test_personal_data_is_removed(text, kind, leak):
    r = redact(text)
    assert kind in r.kinds and leak not in r.text and "[" in r.text


@pytest.mark.parametrize("text", [
    "where is order 10023", "running shoes under 120", "2 pairs size 10.5", "show me option 3",
    "order #10001 and 10002", "headphones between 50 and 150 dollars", "",
])
def test_shopping_text_is_kept(text):
    r = redact(text)
    assert r.text == text and not r.changed


def test_luhn():
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
