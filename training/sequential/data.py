"""Behaviour sequences: loading (Amazon S3-Rec format, or the interaction store), leave-one-out splits, batches."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

log = logging.getLogger(__name__)


class SequenceDataError(ValueError):
    """A sequences file that cannot be read."""


@dataclass(frozen=True)
class SeqDataset:
    sequences: tuple[tuple[int, ...], ...]  # one per user, item numbers 1..num_items, oldest first
    item_ids: tuple[str, ...]  # external id of item number i is item_ids[i - 1]
    item_attributes: tuple[tuple[int, ...], ...] = ()  # per item (0-based list), attribute numbers 1..A
    num_attributes: int = 0

    @property
    def num_items(self) -> int:
        return len(self.item_ids)


def load_amazon(txt: Path, attributes_json: Path | None = None) -> SeqDataset:
    """``user item item ...`` lines (items numbered from 1) plus optional ``{item: [attr, ...]}``."""
    seqs: list[tuple[int, ...]] = []
    with open(txt) as fh:
        for lineno, line in enumerate(fh, start=1):
            parts = line.split()
            if not parts:
                continue
            try:
                seqs.append(tuple(int(p) for p in parts[1:]))
            except ValueError as exc:
                raise SequenceDataError(f"{txt}:{lineno}: not a list of item numbers ({exc})") from None
    num_items = max(max(s) for s in seqs if s)
    attrs: tuple[tuple[int, ...], ...] = ()
    num_attrs = 0
    if attributes_json is not None and Path(attributes_json).is_file():
        raw = json.loads(Path(attributes_json).read_text())
        attrs = tuple(tuple(raw.get(str(i), ())) for i in range(1, num_items + 1))
        num_attrs = max((max(a) for a in attrs if a), default=0)
    log.info("loaded %d sequences over %d items from %s", len(seqs), num_items, txt)
    return SeqDataset(tuple(seqs), tuple(str(i) for i in range(1, num_items + 1)), attrs, num_attrs)


@dataclass(frozen=True)
class Split:
    """Leave-one-out: train on s[:-2]; validate s[-2] given s[:-2]; test s[-1] given s[:-1]."""

    train: tuple[tuple[int, ...], ...]
    valid_inputs: tuple[tuple[int, ...], ...]
    valid_targets: tuple[int, ...]
    test_inputs: tuple[tuple[int, ...], ...]
    test_targets: tuple[int, ...]


def leave_one_out(sequences: tuple[tuple[int, ...], ...]) -> Split:
    usable = [s for s in sequences if len(s) >= 3]
    return Split(
        train=tuple(s[:-2] for s in usable),
        valid_inputs=tuple(s[:-2] for s in usable),
        valid_targets=tuple(s[-2] for s in usable),
        test_inputs=tuple(s[:-1] for s in usable),
        test_targets=tuple(s[-1] for s in usable),
    )


def left_pad(seqs: list[tuple[int, ...]] | tuple[tuple[int, ...], ...], max_len: int) -> torch.Tensor:
    """(B, L) LongTensor of the last ``max_len`` items, left-padded with 0; L = longest kept length."""
    width = max(1, min(max_len, max((len(s) for s in seqs), default=1)))
    out = np.zeros((len(seqs), width), dtype=np.int64)
    for row, s in enumerate(seqs):
        kept = s[-width:]
        if kept:
            out[row, width - len(kept):] = kept
    return torch.from_numpy(out)


def training_batches(train: tuple[tuple[int, ...], ...], max_len: int, batch_size: int,
                     rng: np.random.Generator) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Shuffled (input, target) batches: input = s[:-1], target = s[1:] (next item at every position).

    Sequences are bucketed by length (shuffled, then sorted within windows of 50 batches) so a batch
    pads to about its own length instead of ``max_len``; batch order is shuffled again.
    """
    usable = [s[-(max_len + 1):] for s in train if len(s) >= 2]
    order = rng.permutation(len(usable))
    window = batch_size * 50
    batches = []
    for w in range(0, len(order), window):
        chunk = sorted(order[w:w + window], key=lambda i: len(usable[i]))
        batches.extend(chunk[b:b + batch_size] for b in range(0, len(chunk), batch_size))
    for bi in rng.permutation(len(batches)):
        seqs = [usable[i] for i in batches[bi]]
        yield left_pad([s[:-1] for s in seqs], max_len), left_pad([s[1:] for s in seqs], max_len)
