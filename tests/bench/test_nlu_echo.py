"""bench.nlu_echo: the echo tagger reads each word's tag from its second copy, and it can learn."""

import numpy as np
import pytest
import torch

from assistant.nlu.model import NluConfig
from bench.nlu_echo import EchoConfig, EchoTagger, first_token_word_log_probs, train_echo, word_offsets
from bench.nlu_recipes import score
from tests.conftest import shared_dataset
from training.nlu.queryner import QueryNerRow, read_rows


def test_word_offsets_and_first_token_reduction():
    row = QueryNerRow(example_id="x", tokens=["5-50", "lbs"], labels=["O", "O"])
    assert word_offsets(row.tokens) == [(0, 4), (5, 8)]
    lp = np.arange(12.0).reshape(4, 3)  # [CLS] "5" "-50"... "lbs": first tokens are rows 1 and 3
    out = first_token_word_log_probs([(lp, [(0, 0), (0, 1), (1, 4), (5, 8)])], [row])
    assert out[0][0].tolist() == [[3.0, 4.0, 5.0], [9.0, 10.0, 11.0]] and out[0][1] == [(0, 4), (5, 8)]


@pytest.mark.slow  # SmolLM2-135M
def test_echo_tagger_reads_the_second_copy_and_fits_a_few_queries():
    rows = read_rows(shared_dataset("queryner") / "train.jsonl")[:12]
    torch.manual_seed(0)
    tagger = EchoTagger(NluConfig().tags, EchoConfig(epochs=12, lr=3e-3, head_lr=1e-2, batch_size=4))
    enc = tagger.encode(rows[0])
    half = (len(enc.ids) - 1) // 2  # first copy, newline, second copy
    assert enc.ids[:half] == enc.ids[half + 1:] and enc.first[0] == half + 1
    assert len(enc.first) == len(rows[0].tokens) == len(enc.gold)
    before = score(rows, tagger.word_log_probs(rows), tagger.tags, None)
    after = train_echo(tagger, rows, rows, None)[-1]
    assert after["core_micro"] > before["core_micro"] and after["core_micro"] >= 0.8
