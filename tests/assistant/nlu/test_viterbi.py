"""The decoder's word-level constrained Viterbi and its tag-transition prior (no model; one slow test
loads the shipped artifact)."""

import numpy as np
import pytest

from assistant.nlu.decode import (
    TRANSITIONS_FILE,
    TagTransitions,
    decode_spans,
    load_transitions,
    save_transitions,
    viterbi_tags,
    word_units,
)
from tests.assistant.test_nlu_decode import _offsets  # the same token offsets helper

TAGS = ("O", "B-PRODUCT_TYPE", "I-PRODUCT_TYPE", "B-FEATURE", "I-FEATURE")


def _log_probs(rows):
    """One row of tag probabilities per token (special tokens: uniform)."""
    probs = np.array([[1.0] * len(TAGS)] + rows + [[1.0] * len(TAGS)], dtype=float)
    return np.log(probs / probs.sum(1, keepdims=True))


def _argmax(log_probs):
    return [TAGS[i] for i in log_probs.argmax(-1)]


def test_word_units_follow_the_decoders_words():
    text = "t-shirts, 30-50 arc'teryx"
    offs = _offsets(text, ["t", "-", "shirts", ",", "30", "-", "50", "arc", "'", "teryx"])
    assert word_units(offs, text) == [[1, 2, 3], [4], [5], [6], [7], [8, 9, 10]]


def test_an_orphan_inside_tag_is_repaired_into_a_whole_span():
    # argmax: "cargo" O (barely), "pants" I-PRODUCT_TYPE -> "pants" alone; the best valid path takes both
    text = "mens cargo pants"
    offs = _offsets(text, ["mens", "cargo", "pants"])
    lp = _log_probs([[8, 1, 1, 1, 1], [4, 3.5, 1, 1, 1], [1, 2, 6, 1, 1]])
    assert decode_spans(_argmax(lp), offs, text) == [(11, 16, "PRODUCT_TYPE")]
    tags = viterbi_tags(TAGS, lp, offs, text)
    assert tags == ["O", "O", "B-PRODUCT_TYPE", "I-PRODUCT_TYPE", "O"]
    assert decode_spans(tags, offs, text) == [(5, 16, "PRODUCT_TYPE")]


def test_every_token_of_a_word_gets_one_type():
    # "headphones" = "head" + "##phones": argmax splits the word between two types
    text = "wireless headphones"
    offs = _offsets(text, ["wireless", "head", "phones"])
    lp = _log_probs([[1, 1, 1, 6, 1], [1, 5, 1, 1, 1], [1, 1, 2, 1, 3]])
    assert _argmax(lp)[2:4] == ["B-PRODUCT_TYPE", "I-FEATURE"]
    assert viterbi_tags(TAGS, lp, offs, text) == ["O", "B-FEATURE", "B-PRODUCT_TYPE", "I-PRODUCT_TYPE", "O"]


def test_transitions_tip_a_close_call_and_weight_zero_ignores_them():
    text = "hiking boots"
    offs = _offsets(text, ["hiking", "boots"])
    # "hiking": FEATURE by a hair; "boots": a type, B- by a hair
    lp = _log_probs([[1, 3, 1, 3.2, 1], [1, 4, 3.9, 1, 1]])
    plain = viterbi_tags(TAGS, lp, offs, text)
    assert plain == ["O", "B-FEATURE", "B-PRODUCT_TYPE", "O"]
    matrix = np.log(np.full((5, 5), 0.2))
    matrix[1, 2], matrix[3, 1] = np.log(0.9), np.log(0.01)  # types continue; a feature rarely precedes a type
    prior = TagTransitions(TAGS, start=np.log(np.full(5, 0.2)), matrix=matrix, weight=1.0)
    assert viterbi_tags(TAGS, lp, offs, text, prior) == ["O", "B-PRODUCT_TYPE", "I-PRODUCT_TYPE", "O"]
    assert viterbi_tags(TAGS, lp, offs, text, TagTransitions(TAGS, prior.start, prior.matrix, 0.0)) == plain


def test_no_words_and_special_tokens_only():
    assert viterbi_tags(TAGS, _log_probs([]), [(0, 0), (0, 0)], "") == ["O", "O"]


def test_transitions_round_trip_and_refuse_other_tags(tmp_path):
    prior = TagTransitions(TAGS, start=np.log(np.full(5, 0.2)), matrix=np.log(np.full((5, 5), 0.2)), weight=0.1)
    path = tmp_path / TRANSITIONS_FILE
    save_transitions(prior, path)
    back = load_transitions(path, TAGS)
    assert back.tags == TAGS and back.weight == 0.1 and np.allclose(back.matrix, prior.matrix)
    with pytest.raises(ValueError, match="other tags"):
        load_transitions(path, TAGS[:3])
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not a tag transitions file"):
        load_transitions(path, TAGS)
    with pytest.raises(ValueError, match="other tags"):
        viterbi_tags(TAGS[:3], np.zeros((3, 3)), [(0, 0), (0, 1), (0, 0)], "a", prior)


@pytest.mark.slow
def test_the_shipped_model_decodes_with_its_transitions(real_parser):
    assert TRANSITIONS_FILE in real_parser.manifest.files
    assert real_parser.transitions is not None and real_parser.transitions.tags == real_parser.tags
    p = real_parser.parse("black nike running shoes for women")
    assert {("COLOR", "black"), ("BRAND", "nike"), ("PRODUCT_TYPE", "running shoes"), ("AUDIENCE", "women")} <= {
        (e.type, e.value) for e in p.entities}
