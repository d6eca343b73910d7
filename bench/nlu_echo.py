"""SmolLM2-135M as a slot tagger for real queries (QueryNER), scored beside the shipped MiniLM NLU.

    python -m bench.nlu_echo [--epochs 4] [--lr 1e-3] [--threads 2] [--prompt ""]

A causal model sees only the words before each position, so the query is read twice ("echo"): the tag
of each word is read from the hidden state of the first sub-token of its *second* copy, which has seen
the whole query. LoRA (rank 16) in every projection of all 30 layers and a linear tag head are trained
on the QueryNER train rows ``shopbot train nlu`` trains on (mapped onto shopbot's tags) under bf16
autocast; the held-back slice selects, QueryNER dev is reported only. Also scored: the shipped model
and the average of its and the echo tagger's word-level tag log-probs (an ensemble no artifact ships).
Writes bench/out/nlu_echo.json (``--out``).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from assistant.nlu.model import NluConfig
from assistant.nlu.parser import NluParser
from assistant.writer.base_model import load_base_model, load_tokenizer
from bench.nlu_recipes import _token_starts, score, tag_log_probs
from retrieval.atomic import write_text_atomic
from training.nlu.data import shared_data_dir
from training.nlu.queryner import QueryNerRow, mapped_bio, read_rows, split_rows

log = logging.getLogger("bench.nlu_echo")
OUT = Path(__file__).resolve().parent / "out" / "nlu_echo.json"
SEED = 13
_PROJECTIONS = ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")


@dataclass(frozen=True)
class EchoConfig:
    epochs: int = 4
    lr: float = 1e-3
    head_lr: float = 2e-3
    lora_r: int = 16
    batch_size: int = 32
    prompt: str = ""  # text before the first copy


@dataclass(frozen=True)
class Encoded:
    ids: list[int]
    first: list[int]  # position of each word's first sub-token in its second copy
    gold: list[int] | None


class EchoTagger:
    """SmolLM2 + LoRA + a tag head; ``word_log_probs`` gives one row of tag log-probs per whitespace word."""

    def __init__(self, tags: tuple[str, ...], config: EchoConfig):
        from peft import LoraConfig, inject_adapter_in_model

        self.tags, self.config = tags, config
        self._tag_index = {t: k for k, t in enumerate(tags)}
        self.tokenizer = load_tokenizer()
        lm = load_base_model().model
        for p in lm.parameters():
            p.requires_grad_(False)
        targets = [f"layers.{i}.{m}" for i in range(lm.config.num_hidden_layers) for m in _PROJECTIONS]
        self.lm = inject_adapter_in_model(LoraConfig(r=config.lora_r, lora_alpha=config.lora_r, target_modules=targets), lm)
        self.head = torch.nn.Linear(lm.config.hidden_size, len(tags))
        self._ids: dict[str, list[int]] = {}
        self._prompt = self.tokenizer(config.prompt, add_special_tokens=False)["input_ids"] if config.prompt else []
        self._newline = self.tokenizer("\n", add_special_tokens=False)["input_ids"]

    def _word_ids(self, word: str) -> list[int]:
        if word not in self._ids:
            self._ids[word] = self.tokenizer(" " + word, add_special_tokens=False)["input_ids"]
        return self._ids[word]

    def encode(self, row: QueryNerRow, with_gold: bool = True) -> Encoded:
        ids = self._prompt + [i for w in row.tokens for i in self._word_ids(w)] + self._newline
        first = []
        for w in row.tokens:
            first.append(len(ids))
            ids = ids + self._word_ids(w)
        gold = [self._tag_index[t] for t in mapped_bio(row.tokens, row.labels)] if with_gold else None
        return Encoded(ids, first, gold)

    def logits(self, batch: list[Encoded]) -> torch.Tensor:
        width = max(len(e.ids) for e in batch)
        ids = torch.full((len(batch), width), self.tokenizer.pad_token_id)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for k, e in enumerate(batch):
            ids[k, :len(e.ids)], mask[k, :len(e.ids)] = torch.tensor(e.ids), 1
        with torch.autocast("cpu", dtype=torch.bfloat16):
            hidden = self.lm(input_ids=ids, attention_mask=mask).last_hidden_state
            return self.head(hidden).float()

    def parameters(self) -> list[torch.nn.Parameter]:
        return [p for p in self.lm.parameters() if p.requires_grad] + list(self.head.parameters())

    @torch.inference_mode()
    def word_log_probs(self, rows: list[QueryNerRow]) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        self.lm.eval()
        out = []
        for i in range(0, len(rows), 64):
            batch = [self.encode(r, with_gold=False) for r in rows[i:i + 64]]
            lp = self.logits(batch).log_softmax(-1).numpy()
            for k, (e, row) in enumerate(zip(batch, rows[i:i + 64])):
                out.append((lp[k, e.first], word_offsets(row.tokens)))
        return out


def word_offsets(tokens: list[str]) -> list[tuple[int, int]]:
    return [(s, s + len(w)) for s, w in zip(_token_starts(tokens), tokens)]


def train_echo(tagger: EchoTagger, rows: list[QueryNerRow], held: list[QueryNerRow], transitions) -> list[dict]:
    """Trains in place; returns the held-back score after each epoch."""
    cfg = tagger.config
    data = [tagger.encode(r) for r in rows]
    lora = [p for p in tagger.lm.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": lora, "lr": cfg.lr}, {"params": tagger.head.parameters(), "lr": cfg.head_lr}],
                            weight_decay=0.01)
    steps = cfg.epochs * math.ceil(len(data) / cfg.batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 30) * max(0.0, 1 - s / steps))
    rng, curve, started = random.Random(SEED), [], time.perf_counter()
    for epoch in range(cfg.epochs):
        tagger.lm.train()
        order = list(range(len(data)))
        rng.shuffle(order)
        for b in range(0, len(order), cfg.batch_size):
            batch = [data[i] for i in order[b:b + cfg.batch_size]]
            logits = tagger.logits(batch)
            rows_i = [k for k, e in enumerate(batch) for _ in e.first]
            pos = [p for e in batch for p in e.first]
            loss = torch.nn.functional.cross_entropy(logits[rows_i, pos], torch.tensor([g for e in batch for g in e.gold]))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(tagger.parameters(), 1.0)
            opt.step()
            sched.step()
        curve.append(score(held, tagger.word_log_probs(held), tagger.tags, transitions))
        log.info("epoch %d (%.0f s): held-back %s", epoch + 1, time.perf_counter() - started, curve[-1])
    return curve


def first_token_word_log_probs(lps, rows: list[QueryNerRow]):
    """Token-level log-probs of the shipped model reduced to each whitespace word's first token."""
    out = []
    for (lp, offsets), row in zip(lps, rows):
        first = [next(i for i, (s, e) in enumerate(offsets) if s == start and e > s) for start in _token_starts(row.tokens)]
        out.append((lp[first], word_offsets(row.tokens)))
    return out


def per_query_ms(tag, rows: list[QueryNerRow]) -> float:
    """Median wall time of tagging one query at a time (batch 1), as a chat turn does."""
    times = []
    for row in rows:
        started = time.perf_counter()
        tag([row])
        times.append((time.perf_counter() - started) * 1000)
    return round(float(np.median(times)), 1)


def run(config: EchoConfig, shipped: Path) -> dict:
    folder = shared_data_dir() / "queryner"
    kept, held = split_rows(read_rows(folder / "train.jsonl"), SEED)  # held = bench.nlu_recipes.held_back_rows
    sets = {"held_back_train": held, "dev": read_rows(folder / "dev.jsonl")}
    base = NluParser.load(shipped, speed="fp32")
    tagger = EchoTagger(NluConfig().tags, config)
    curve = train_echo(tagger, kept, held, base.transitions)
    results: dict = {"echo held-back curve": curve, "shipped": {}, "echo (SmolLM2-135M)": {}, "ensemble shipped + echo": {}}
    for name, rows in sets.items():
        shipped_lps = tag_log_probs(base.model, base.tokenizer, [" ".join(r.tokens) for r in rows])
        echo_lps = tagger.word_log_probs(rows)
        mean = [((a[0] + b[0]) / 2, a[1]) for a, b in zip(first_token_word_log_probs(shipped_lps, rows), echo_lps)]
        results["shipped"][name] = score(rows, shipped_lps, base.tags, base.transitions)
        results["echo (SmolLM2-135M)"][name] = score(rows, echo_lps, base.tags, base.transitions)
        results["ensemble shipped + echo"][name] = score(rows, mean, base.tags, base.transitions)
    sample = sets["dev"][:100]
    results["ms per query (batch 1, median of 100 dev queries)"] = {
        "shipped": per_query_ms(lambda rs: tag_log_probs(base.model, base.tokenizer, [" ".join(r.tokens) for r in rs]), sample),
        "echo": per_query_ms(tagger.word_log_probs, sample)}
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=EchoConfig.epochs)
    ap.add_argument("--lr", type=float, default=EchoConfig.lr)
    ap.add_argument("--prompt", default=EchoConfig.prompt)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model", type=Path, default=Path(__file__).resolve().parents[1] / "assistant" / "artifacts" / "nlu")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if not (shared_data_dir() / "queryner" / "dev.jsonl").is_file():
        ap.error(f"QueryNER not found at {shared_data_dir() / 'queryner'}")
    if args.epochs < 1 or args.lr <= 0:
        ap.error("--epochs must be >= 1 and --lr > 0")
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    results = run(EchoConfig(epochs=args.epochs, lr=args.lr, prompt=args.prompt), args.model)
    write_text_atomic(args.out, json.dumps(results, indent=2))
    print("| model | held-back train slice PT / core-4 | QueryNER dev PT / core-4 |\n|---|---|---|")
    for name, r in results.items():
        if "held_back_train" in r:
            h, d = r["held_back_train"], r["dev"]
            print(f"| {name} | {h['PRODUCT_TYPE']:.3f} / {h['core_micro']:.3f} | {d['PRODUCT_TYPE']:.3f} / {d['core_micro']:.3f} |")
    print("ms per query (batch 1):", results["ms per query (batch 1, median of 100 dev queries)"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
