"""Count phrases and tidy request phrases (assistant/grammar.py)."""

from __future__ import annotations

import pytest

from assistant.grammar import agree_counts, count_phrase, here_are, plural, singular, tidy_phrase, with_article


@pytest.mark.parametrize("n,phrase,expected", [
    (1, "running shoes", "Here is 1 running shoe"), (3, "running shoes", "Here are 3 running shoes"),
    (4, "yoga mat", "Here are 4 yoga mats"), (1, "black running shoes for women under $80",
                                             "Here is 1 black running shoe for women under $80"),
    (1, "jeans", "Here is 1 pair of jeans"), (2, "sunglasses", "Here are 2 pairs of sunglasses"),
    (1, "", "Here is 1 product"), (2, "mattresses", "Here are 2 mattresses"), (1, "knives", "Here is 1 knife"),
])
def test_here_are_agrees_with_the_count(n, phrase, expected):
    assert here_are(n, phrase) == expected


def test_extra_word_goes_before_the_noun():
    assert here_are(1, "running shoes", "more") == "Here is 1 more running shoe"


def test_singular_plural_and_article():
    assert singular("coffee makers under $50") == "coffee maker under $50"
    assert plural("tent for 2 people") == "tents for 2 people"
    assert with_article("umbrellas") == "an umbrella" and with_article("leggings") == "a pair of leggings"
    assert count_phrase(1, "t-shirts") == "1 t-shirt"


@pytest.mark.parametrize("raw,expected", [("tan women for women", "tan women"), ("shoes  shoes", "shoes"),
                                          ("running shoes for men", "running shoes for men")])
def test_tidy_phrase(raw, expected):
    assert tidy_phrase(raw) == expected


@pytest.mark.parametrize("note,expected", [
    ("Here are 1 running shoes.", "Here is 1 running shoe."),
    ("Here are 1 products I think you'll like.", "Here is 1 product I think you'll like."),
    ("Here are 1 more yoga mats under $30.", "Here is 1 more yoga mat under $30."),
    ("Here are 3 running shoes.", "Here are 3 running shoes."),
    ("I couldn't find any tan women for women.", "I couldn't find any tan women."),
])
def test_agree_counts_fixes_notes_written_elsewhere(note, expected):
    assert agree_counts(note) == expected
