"""Tokenised training features: token-level BIO labels aligned from character spans via the fast
tokenizer's offset mapping (every sub-token of an entity is labelled; special tokens are ignored)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from training.nlu.render import Example

IGNORE = -100


@dataclass(frozen=True)
class Features:
    input_ids: list[int]
    intent: int
    tags: list[int]
    lower: torch.Tensor | None = None  # cached hidden states after the frozen layers, (len, hidden)


def token_tags(offsets: list[tuple[int, int]], spans: tuple[tuple[int, int, str], ...]) -> list[str | None]:
    """One BIO tag per token (None for special tokens)."""
    out: list[str | None] = []
    prev_span = None
    for s, e in offsets:
        if s == e:
            out.append(None)
            prev_span = None
            continue
        hit = next((sp for sp in spans if sp[0] <= s < sp[1]), None)
        if hit is None:
            out.append("O")
        else:
            out.append(("I-" if hit is prev_span else "B-") + hit[2])
        prev_span = hit
    return out


def encode(examples: list[Example], tokenizer, intents: tuple[str, ...], tags: tuple[str, ...], max_length: int) -> list[Features]:
    intent_id = {l: i for i, l in enumerate(intents)}
    tag_id = {t: i for i, t in enumerate(tags)}
    enc = tokenizer([ex.text for ex in examples], truncation=True, max_length=max_length, return_offsets_mapping=True)
    feats = []
    for ex, ids, offs in zip(examples, enc["input_ids"], enc["offset_mapping"]):
        labels = [IGNORE if t is None else tag_id[t] for t in token_tags([tuple(o) for o in offs], ex.spans)]
        feats.append(Features(input_ids=list(ids), intent=intent_id[ex.intent], tags=labels))
    return feats


def collate(batch: list[Features], pad_id: int = 0) -> dict[str, torch.Tensor]:
    width = max(len(f.input_ids) for f in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    tags = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    for i, f in enumerate(batch):
        n = len(f.input_ids)
        ids[i, :n] = torch.tensor(f.input_ids)
        mask[i, :n] = 1
        tags[i, :n] = torch.tensor(f.tags)
    out = {"input_ids": ids, "attention_mask": mask, "tags": tags,
           "intent": torch.tensor([f.intent for f in batch], dtype=torch.long)}
    if all(f.lower is not None for f in batch):
        lower = torch.zeros((len(batch), width, batch[0].lower.shape[-1]))
        for i, f in enumerate(batch):
            lower[i, : f.lower.shape[0]] = f.lower
        out["lower"] = lower
    return out


@torch.inference_mode()
def cache_lower_states(model, feats: list[Features], batch_size: int = 64, progress: bool = False) -> list[Features]:
    """Run the frozen lower layers once per example (they never change during training)."""
    from dataclasses import replace

    from tqdm import tqdm

    model.eval()
    order = sorted(range(len(feats)), key=lambda i: len(feats[i].input_ids))
    out: list[Features | None] = [None] * len(feats)
    for start in tqdm(range(0, len(order), batch_size), desc="cache frozen layers", disable=not progress, unit="batch"):
        idx = order[start:start + batch_size]
        batch = collate([feats[i] for i in idx])
        hidden = model.lower_states(batch["input_ids"], batch["attention_mask"])
        for row, i in enumerate(idx):
            out[i] = replace(feats[i], lower=hidden[row, : len(feats[i].input_ids)].clone())
    model.train()
    return [f for f in out if f is not None]
