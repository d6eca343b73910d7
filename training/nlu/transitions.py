"""The tag-bigram prior of the NLU decoder: word-level BIO tag transitions counted on the training
examples, written beside the model as ``tag_transitions.json`` and listed in its manifest, so the parser's
constrained Viterbi (``assistant.nlu.decode.viterbi_tags``) can weigh them against the model's scores.

Attach it to an existing model directory (the model's own training examples are rebuilt from the seed):

    python -m training.nlu.transitions assistant/artifacts/nlu

``shopbot train nlu`` writes it at the end of every run.
"""

from __future__ import annotations

import argparse
import itertools
import logging
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.artifact import save_manifest
from assistant.nlu.decode import (
    TRANSITIONS_FILE,
    TagTransitions,
    save_transitions,
    word_units,
)
from assistant.nlu.model import NluConfig, read_manifest
from training.nlu.dataset import token_tags
from training.nlu.render import Example

log = logging.getLogger(__name__)

# weight of the transition log-probabilities against the model's word scores: chosen on the held-back
# 10% slice of QueryNER train (bench/RESULTS.md, issue 14 NLU); 0 would be the BIO constraints alone
TRANSITION_WEIGHT = 0.1
SMOOTHING = 0.5  # added to every count (a transition never seen stays possible)


def word_tags(example: Example, tokenizer) -> list[str]:
    """The gold tag of each word of ``example`` (the tag of its first token), words as the decoder sees them."""
    enc = tokenizer(example.text, return_offsets_mapping=True, add_special_tokens=False)
    offsets = [tuple(o) for o in enc["offset_mapping"]]
    tags = token_tags(offsets, example.spans)
    return [tags[unit[0]] or "O" for unit in word_units(offsets, example.text)]


def count_transitions(examples: Iterable[Example], tokenizer, tags: tuple[str, ...],
                      weight: float = TRANSITION_WEIGHT) -> TagTransitions:
    index = {t: i for i, t in enumerate(tags)}
    start = np.full(len(tags), SMOOTHING)
    matrix = np.full((len(tags), len(tags)), SMOOTHING)
    for example in examples:
        seq = [index[t] for t in word_tags(example, tokenizer)]
        if not seq:
            continue
        start[seq[0]] += 1
        for a, b in itertools.pairwise(seq):
            matrix[a, b] += 1
    return TagTransitions(tags=tags, start=np.log(start / start.sum()),
                          matrix=np.log(matrix / matrix.sum(1, keepdims=True)), weight=weight)


def attach(model_dir: Path, examples: list[Example], weight: float = TRANSITION_WEIGHT) -> TagTransitions:
    """Count the transitions on ``examples``, write them into ``model_dir`` and list the file in its
    manifest (rewritten last, atomically)."""
    from transformers import AutoTokenizer

    from retrieval.packaged import minilm_dir

    manifest = read_manifest(model_dir)
    tags = NluConfig.from_dict(dict(manifest.config)).tags
    tokenizer = AutoTokenizer.from_pretrained(minilm_dir(), local_files_only=True)
    transitions = count_transitions(examples, tokenizer, tags, weight)
    save_transitions(transitions, Path(model_dir) / TRANSITIONS_FILE)
    files = manifest.files if TRANSITIONS_FILE in manifest.files else manifest.files + (TRANSITIONS_FILE,)
    save_manifest(model_dir, replace(manifest, files=files))
    log.info("tag transitions of %d examples written to %s", len(examples), model_dir)
    return transitions


def training_examples(seed: int = 13, n_train: int = 12000, queryner: Path | None = None) -> list[Example]:
    """The training split of ``shopbot train nlu`` with its defaults (generated + Bitext + QueryNER train
    minus its held-back slice), rebuilt from the seed."""
    from training.nlu.data import build_dataset, shared_data_dir
    from training.nlu.queryner import training_split

    data = build_dataset(seed=seed, n_train=n_train, n_dev=0, n_test=0)
    real = training_split(queryner or shared_data_dir() / "queryner", seed)
    return data.train + real.train


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="attach the decoder's tag transitions to an NLU model directory")
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--weight", type=float, default=TRANSITION_WEIGHT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    attach(args.model_dir, training_examples(args.seed), args.weight)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
