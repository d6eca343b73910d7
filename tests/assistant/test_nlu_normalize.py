"""Units of the NLU value normalisation (no model)."""

import pytest

from assistant.nlu.normalize import (
    normalize_order_id, normalize_price, normalize_quantity, normalize_value, price_cue, words_to_number,
)


@pytest.mark.parametrize("surface,value", [
    ("80", "80"), ("80 bucks", "80"), ("$80", "80"), ("$1,200", "1200"), ("1,200 dollars", "1200"),
    ("79.99", "79.99"), ("$80.00", "80"), ("1.5k", "1500"), ("2k", "2000"), ("fifty", "50"),
    ("fifty bucks", "50"), ("80$", "80"), ("120 usd", "120"), ("twenty five dollars", "25"),
])
def test_price_values(surface, value):
    assert normalize_price(surface) == value


def test_price_without_number_is_none():
    assert normalize_price("cheap") is None


@pytest.mark.parametrize("surface,value", [
    ("2", "2"), ("three", "3"), ("a couple", "2"), ("a dozen", "12"), ("x3", "3"), ("ten", "10"), ("2 pairs", "2"),
])
def test_quantity_values(surface, value):
    assert normalize_quantity(surface) == value


@pytest.mark.parametrize("surface", ["#10023", "10023", "ORD-10023", "ord-10023", "order 10023", "#00010023"])
def test_order_ids_are_canonical_digits(surface):
    assert normalize_order_id(surface) == "10023"


def test_words_to_number():
    assert words_to_number("two hundred") == 200
    assert words_to_number("blue") is None


def test_other_values_lowercased_and_stripped():
    assert normalize_value("BRAND", " Nike ") == "nike"
    assert normalize_value("AUDIENCE", "Women's") == "women"
    assert normalize_value("SIZE", "size 8") == "8"
    assert normalize_value("COLOR", "Navy,") == "navy"
    assert normalize_value("PRICE_MAX", "80 bucks") == "80"


@pytest.mark.parametrize("text,number,expected", [
    ("shoes under 80 bucks", "80", "PRICE_MAX"),
    ("shoes less than $80", "80", "PRICE_MAX"),
    ("max 80", "80", "PRICE_MAX"),
    ("over 60 please", "60", "PRICE_MIN"),
    ("at least 60", "60", "PRICE_MIN"),
    ("between 60 and 120", "60", "PRICE_MIN"),
    ("between 60 and 120", "120", "PRICE_MAX"),
    ("from $60 to 120", "120", "PRICE_MAX"),
    ("30-50 bucks", "50", "PRICE_MAX"),
    ("size 8 shoes", "8", None),
    ("80 or less", "80", "PRICE_MAX"),
    ("shoes for 80", "80", None),
])
def test_price_cue(text, number, expected):
    start = text.index(number)
    assert price_cue(text, start, start + len(number)) == expected
