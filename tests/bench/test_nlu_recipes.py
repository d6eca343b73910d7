"""bench.nlu_recipes scores recipes on the slice `shopbot train nlu` holds back, exactly as `eval nlu --queryner`."""

from transformers import AutoTokenizer

from assistant.nlu.model import NluConfig, bio_tags
from bench.nlu_recipes import RAW_SLOTS, gold_log_probs, held_back_rows, score
from retrieval.packaged import minilm_dir
from tests.conftest import shared_dataset
from training.nlu.queryner import read_rows, training_split


def test_held_back_rows_are_the_slice_training_keeps_out():
    folder = shared_dataset("queryner")
    rows = held_back_rows(folder)
    held = training_split(folder, 13).dev
    assert [" ".join(r.tokens) for r in rows] == [ex.text for ex in held]


def _tokenizer():
    return AutoTokenizer.from_pretrained(minilm_dir(), local_files_only=True)


def test_gold_tags_score_near_one_and_no_tags_score_zero():
    """Gold tags lose only where the decoder joins two adjacent same-type spans into one (by design)."""
    rows = read_rows(shared_dataset("queryner") / "dev.jsonl")[:200]
    tags, tokenizer = NluConfig().tags, _tokenizer()
    perfect = score(rows, gold_log_probs(rows, tags, tokenizer), tags, None)
    assert perfect["PRODUCT_TYPE"] >= 0.98 and perfect["core_micro"] >= 0.98
    nothing = score(rows, gold_log_probs(rows, tags, tokenizer, empty=True), tags, None)
    assert nothing == {"PRODUCT_TYPE": 0.0, "core_micro": 0.0}


def test_raw_slot_gold_is_mapped_after_decoding_as_gold_is():
    rows = read_rows(shared_dataset("queryner") / "dev.jsonl")[:200]
    tags = bio_tags(RAW_SLOTS)
    perfect = score(rows, gold_log_probs(rows, tags, _tokenizer(), raw=True), tags, None)
    assert perfect["PRODUCT_TYPE"] >= 0.98 and perfect["core_micro"] >= 0.98
