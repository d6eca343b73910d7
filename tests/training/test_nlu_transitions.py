"""The decoder's tag-transition prior: counted on training examples, attached to a model directory and
listed in its manifest."""

import json

import numpy as np
import pytest

from assistant.artifact import ArtifactManifest, save_manifest
from assistant.nlu.decode import TRANSITIONS_FILE, load_transitions
from assistant.nlu.model import (
    ARTIFACT_NAME,
    ARTIFACT_VERSION,
    WEIGHTS_FILE,
    NluConfig,
    read_manifest,
)
from training.nlu.render import Example
from training.nlu.transitions import attach, count_transitions, word_tags

EXAMPLES = [
    Example("mens cargo pants", "search_products", ((0, 4, "AUDIENCE"), (5, 16, "PRODUCT_TYPE"))),
    Example("wireless headphones", "search_products", ((0, 8, "FEATURE"), (9, 19, "PRODUCT_TYPE"))),
    Example("running shoes under $80", "search_products", ((0, 13, "PRODUCT_TYPE"), (21, 23, "PRICE_MAX"))),
]


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from retrieval.packaged import minilm_dir

    return AutoTokenizer.from_pretrained(minilm_dir(), local_files_only=True)


def test_word_tags_one_per_decoder_word(tokenizer):
    assert word_tags(EXAMPLES[1], tokenizer) == ["B-FEATURE", "B-PRODUCT_TYPE"]
    assert word_tags(EXAMPLES[2], tokenizer) == ["B-PRODUCT_TYPE", "I-PRODUCT_TYPE", "O", "O", "B-PRICE_MAX"]


def test_counted_transitions_are_log_probabilities_of_what_the_data_does(tokenizer):
    tags = NluConfig().tags
    tr = count_transitions(EXAMPLES, tokenizer, tags, weight=0.3)
    i = {t: k for k, t in enumerate(tags)}
    assert tr.weight == 0.3 and tr.tags == tags
    assert np.allclose(np.exp(tr.matrix).sum(1), 1.0) and np.isclose(np.exp(tr.start).sum(), 1.0)
    assert tr.matrix[i["B-PRODUCT_TYPE"], i["I-PRODUCT_TYPE"]] > tr.matrix[i["B-PRODUCT_TYPE"], i["B-BRAND"]]
    assert tr.start[i["B-AUDIENCE"]] > tr.start[i["B-BRAND"]]


def test_attach_writes_the_file_and_lists_it_in_the_manifest(tmp_path):
    (tmp_path / WEIGHTS_FILE).write_bytes(b"weights")
    save_manifest(tmp_path, ArtifactManifest(name=ARTIFACT_NAME, version=ARTIFACT_VERSION, base_model="m",
                                             files=(WEIGHTS_FILE,), config={"tags": list(NluConfig().tags)},
                                             details={"training": {"steps": 3}}))
    attach(tmp_path, EXAMPLES, weight=0.1)
    attach(tmp_path, EXAMPLES, weight=0.1)  # again: listed once
    manifest = read_manifest(tmp_path)
    assert manifest.files == (WEIGHTS_FILE, TRANSITIONS_FILE) and manifest.details == {"training": {"steps": 3}}
    assert load_transitions(tmp_path / TRANSITIONS_FILE, NluConfig().tags).weight == 0.1
    assert json.loads((tmp_path / TRANSITIONS_FILE).read_text())["tags"][0] == "O"


@pytest.mark.slow
def test_train_nlu_ships_the_transitions_and_the_parser_loads_them(tmp_path):
    from assistant.nlu.parser import NluParser
    from ui.cli.main import main

    out = tmp_path / "nlu"
    assert main(["train", "nlu", "--tiny", "--max-steps", "4", "--out", str(out), "--no-progress", "--no-bitext"]) == 0
    assert TRANSITIONS_FILE in read_manifest(out).files
    parser = NluParser.load(out)
    assert parser.transitions is not None and parser.transitions.tags == parser.tags
    assert parser.parse("red running shoes").intent
