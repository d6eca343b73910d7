"""bench.nlu_recipes scores recipes on the slice `shopbot train nlu` holds back, exactly as `eval nlu --queryner`."""

import numpy as np
from transformers import AutoTokenizer

from assistant.nlu.model import NluConfig, bio_tags
from bench.nlu_recipes import RAW_SLOTS, held_back_rows, raw_example, score
from retrieval.packaged import minilm_dir
from tests.conftest import shared_dataset
from training.nlu.dataset import token_tags
from training.nlu.queryner import read_rows, to_example, training_split


def test_held_back_rows_are_the_slice_training_keeps_out():
    folder = shared_dataset("queryner")
    rows = held_back_rows(folder)
    held = training_split(folder, 13).dev
    assert [" ".join(r.tokens) for r in rows] == [ex.text for ex in held]


def _log_probs(rows, tags, tokenizer, *, gold: bool):
    out = []
    for row in rows:
        ex = to_example(row.tokens, row.labels)
        enc = tokenizer(ex.text, return_offsets_mapping=True)
        offsets = [tuple(o) for o in enc["offset_mapping"]]
        lp = np.full((len(offsets), len(tags)), -20.0)
        for i, tag in enumerate(token_tags(offsets, ex.spans)):
            lp[i, tags.index(tag if gold and tag else "O")] = 0.0
        out.append((lp, offsets))
    return out


def test_gold_tags_score_near_one_and_no_tags_score_zero():
    """Gold tags lose only where the decoder joins two adjacent same-type spans into one (by design)."""
    rows = read_rows(shared_dataset("queryner") / "dev.jsonl")[:200]
    tags = list(NluConfig().tags)
    tokenizer = AutoTokenizer.from_pretrained(minilm_dir(), local_files_only=True)
    perfect = score(rows, _log_probs(rows, tags, tokenizer, gold=True), tags, None)
    assert perfect["PRODUCT_TYPE"] >= 0.98 and perfect["core_micro"] >= 0.98
    assert score(rows, _log_probs(rows, tags, tokenizer, gold=False), tags, None) == {"PRODUCT_TYPE": 0.0, "core_micro": 0.0}


def test_raw_slot_gold_is_mapped_after_decoding_as_gold_is():
    rows = read_rows(shared_dataset("queryner") / "dev.jsonl")[:200]
    tags = list(bio_tags(RAW_SLOTS))
    tokenizer = AutoTokenizer.from_pretrained(minilm_dir(), local_files_only=True)
    lps = []
    for row in rows:
        ex = raw_example(row)
        enc = tokenizer(ex.text, return_offsets_mapping=True)
        offsets = [tuple(o) for o in enc["offset_mapping"]]
        lp = np.full((len(offsets), len(tags)), -20.0)
        for i, tag in enumerate(token_tags(offsets, ex.spans)):
            lp[i, tags.index(tag or "O")] = 0.0
        lps.append((lp, offsets))
    perfect = score(rows, lps, tags, None)
    assert perfect["PRODUCT_TYPE"] >= 0.98 and perfect["core_micro"] >= 0.98
