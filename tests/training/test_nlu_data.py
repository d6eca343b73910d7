"""The NLU data generator: every intent and entity type, aligned BIO labels, held-out splits, Bitext mapping."""

from collections import Counter

import pytest

from assistant.nlu.decode import decode_spans
from assistant.records import ENTITY_TYPES, INTENTS
from tests.conftest import shared_dataset
from training.nlu.data import BITEXT_MAP, build_dataset, check_example, generate, load_bitext, stratified_split
from training.nlu.dataset import token_tags
from training.nlu.fillers import load_fillers


@pytest.fixture(scope="module")
def generated():
    return generate(3000, seed=5)


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from retrieval.packaged import minilm_dir

    return AutoTokenizer.from_pretrained(minilm_dir(), local_files_only=True)


def test_all_intents_and_entity_types_present(generated):
    intents = Counter(ex.intent for ex in generated)
    types = Counter(t for ex in generated for _, _, t in ex.spans)
    assert set(intents) == set(INTENTS)
    assert set(types) == set(ENTITY_TYPES)
    assert all(c >= 20 for c in types.values()), types


def test_examples_are_well_formed(generated):
    for ex in generated:
        check_example(ex)


def test_generation_is_deterministic():
    assert generate(200, seed=3) == generate(200, seed=3)
    assert generate(200, seed=3) != generate(200, seed=4)


def test_bio_labels_round_trip_through_tokenizer(generated, tokenizer):
    """Token BIO labels from character spans decode back to the same spans."""
    checked = 0
    for ex in generated[:600]:
        enc = tokenizer(ex.text, return_offsets_mapping=True)
        offsets = [tuple(o) for o in enc["offset_mapping"]]
        tags = [t or "O" for t in token_tags(offsets, ex.spans)]
        assert all(t == "O" or t.split("-", 1)[1] in ENTITY_TYPES for t in tags)
        # a span starts with B- at its first token
        for s, _, etype in ex.spans:
            first = next(i for i, (a, b) in enumerate(offsets) if a <= s < b or a >= s and a != b)
            assert tags[first] == f"B-{etype}", (ex.text, ex.spans, tags)
        if all((s == 0 or not ex.text[s - 1].isalnum()) and (e == len(ex.text) or not ex.text[e].isalnum()) for s, e, _ in ex.spans):
            assert decode_spans(tags, offsets, ex.text) == list(ex.spans), ex.text
            checked += 1
    assert checked > 400


def test_held_out_fillers_only_in_test():
    fillers = load_fillers()
    held_brands = set(fillers.brands.test) - set(fillers.brands.train)
    assert held_brands
    data = build_dataset(seed=7, n_train=3000, n_dev=300, n_test=1000, bitext_dir=None)
    train_brands = {ex.text[s:e].lower() for ex in data.train + data.dev for s, e, t in ex.spans if t == "BRAND"}
    test_brands = {ex.text[s:e].lower() for ex in data.test for s, e, t in ex.spans if t == "BRAND"}
    assert not (train_brands & held_brands)
    assert test_brands & held_brands
    assert not {ex.text for ex in data.test} <= {ex.text for ex in data.train}


def test_bitext_mapping_and_split():
    folder = shared_dataset("bitext-cs")
    rows = load_bitext(folder)
    assert len(rows) > 3000
    assert {ex.intent for ex in rows} <= set(INTENTS)
    assert set(BITEXT_MAP.values()) - {None} == {ex.intent for ex in rows}
    ids = [ex.text[s:e] for ex in rows for s, e, t in ex.spans]
    assert len(ids) > 300 and all(any(c.isdigit() for c in i) for i in ids)
    parts = stratified_split(rows, seed=13)
    assert not ({ex.text for ex in parts["test"]} & {ex.text for ex in parts["train"]})
    assert {ex.intent for ex in parts["test"]} == {ex.intent for ex in rows}


def test_train_only_variety_never_leaks_a_held_out_value():
    from training.nlu.fillers import Pool, pseudo_brands

    fillers = load_fillers()
    for pool in (fillers.brands, fillers.colors, fillers.materials, fillers.features):
        assert pool.test != pool.train and not set(pool.test) & set(pool.train)
    assert len(fillers.invented_brands) == 150 and not set(fillers.invented_brands) & set(fillers.brands.test)
    assert set(fillers.invented_brands) <= set(pseudo_brands())
    assert {"nike", "sony"} <= set(fillers.famous_brands) and not set(fillers.famous_brands) & set(fillers.brands.test)
    pool = Pool(train=("red",), test=("coral",)).with_train(["Coral", "dark red", "red"])
    assert pool == Pool(train=("red", "dark red"), test=("coral",))


def test_price_ranges_are_ordered():
    import random

    from assistant.nlu.normalize import normalize_price
    from training.nlu.render import Renderer

    r = Renderer(load_fillers(), random.Random(3))
    for _ in range(300):
        ex = r.finish(r.fill("between {pmin} and {pmax}"), "refine_results")
        (s1, e1, t1), (s2, e2, t2) = ex.spans
        lo, hi = float(normalize_price(ex.text[s1:e1])), float(normalize_price(ex.text[s2:e2]))
        assert (t1, t2) == ("PRICE_MIN", "PRICE_MAX") and lo < hi, ex.text
