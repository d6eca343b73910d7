"""Fine-tuning the joint NLU model: AdamW on the LoRA adapters + heads, linear warm-up/decay,
evaluation on the dev split every ``eval_every`` steps, early stopping, best state kept."""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch.nn import functional as F
from tqdm import tqdm

from assistant.artifact import data_hash
from assistant.metrics import token_f1
from assistant.nlu.model import JointNluModel, NluConfig, create_model, save_model
from training.nlu.dataset import IGNORE, Features, cache_lower_states, collate, encode
from training.nlu.render import Example

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 13
    epochs: int = 5
    max_steps: int | None = None
    batch_size: int = 32
    lr: float = 2e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    eval_every: int = 200
    patience: int = 4
    tag_loss_weight: float = 2.0
    threads: int | None = None  # None: 1 when the machine is busy (load > cores), else all cores
    progress: bool = True


@dataclass(frozen=True)
class TrainResult:
    steps: int
    seconds: float
    best_dev: float
    dev_intent_accuracy: float
    dev_tag_f1: float
    stopped_early: bool


def pick_threads() -> int:
    """Intra-op threads: on a shared, overloaded CPU one thread is several times faster than two."""
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0] > cores
    except OSError:
        busy = False
    return 1 if busy else min(4, cores)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def _batches(feats: list[Features], batch_size: int, rng: random.Random):
    order = list(range(len(feats)))
    rng.shuffle(order)
    # bucket by length inside chunks of 50 batches: less padding, still random
    chunk = batch_size * 50
    for c in range(0, len(order), chunk):
        part = sorted(order[c:c + chunk], key=lambda i: len(feats[i].input_ids))
        batches = [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
        rng.shuffle(batches)
        for b in batches:
            yield collate([feats[i] for i in b])


def _forward(model: JointNluModel, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
    if "lower" in batch:
        return model.forward_upper(batch["lower"], batch["attention_mask"])
    return model(batch["input_ids"], batch["attention_mask"])


def loss_fn(model: JointNluModel, batch: dict, tag_weight: float) -> torch.Tensor:
    intent_logits, tag_logits = _forward(model, batch)
    loss_i = F.cross_entropy(intent_logits, batch["intent"])
    loss_t = F.cross_entropy(tag_logits.reshape(-1, tag_logits.size(-1)), batch["tags"].reshape(-1), ignore_index=IGNORE)
    return loss_i + tag_weight * loss_t


@torch.inference_mode()
def dev_scores(model: JointNluModel, feats: list[Features], batch_size: int = 64) -> tuple[float, float]:
    """(intent accuracy, token-level micro F1 over entity tags) on ``feats``; cheap enough to run often."""
    model.eval()
    correct, gold_tags, pred_tags = 0, [], []
    for i in range(0, len(feats), batch_size):
        batch = collate(feats[i:i + batch_size])
        intent_logits, tag_logits = _forward(model, batch)
        correct += int((intent_logits.argmax(-1) == batch["intent"]).sum())
        pred, gold = tag_logits.argmax(-1), batch["tags"]
        valid = gold != IGNORE
        gold_tags += gold[valid].tolist()
        pred_tags += pred[valid].tolist()
    model.train()
    return correct / max(1, len(feats)), token_f1(gold_tags, pred_tags, outside=0)


def examples_hash(examples: list[Example]) -> str:
    return data_hash(json.dumps(asdict(ex), sort_keys=True, ensure_ascii=False) for ex in examples)


def train(train_ex: list[Example], dev_ex: list[Example], out_dir: Path | None, cfg: TrainConfig,
          model_cfg: NluConfig | None = None, *, extra_manifest: dict | None = None,
          create=create_model) -> tuple[JointNluModel, TrainResult]:
    """Train a fresh model made by ``create(model_cfg)`` (default: LoRA adapters + heads on the packaged
    encoder; a benchmark may pass another, e.g. with every weight trainable)."""
    seed_everything(cfg.seed)
    torch.set_num_threads(cfg.threads or pick_threads())
    model_cfg = model_cfg or NluConfig()
    model, tokenizer = create(model_cfg)
    tr = encode(train_ex, tokenizer, model_cfg.intents, model_cfg.tags, model_cfg.max_length)
    dv = encode(dev_ex, tokenizer, model_cfg.intents, model_cfg.tags, model_cfg.max_length)
    if model.frozen_layers:
        tr = cache_lower_states(model, tr, progress=cfg.progress)
        dv = cache_lower_states(model, dv, progress=cfg.progress)
    steps_per_epoch = math.ceil(len(tr) / cfg.batch_size)
    total = min(cfg.max_steps or 10**9, steps_per_epoch * cfg.epochs)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    warm = max(1, int(total * cfg.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    rng = random.Random(cfg.seed)
    best, best_state, best_pair, bad_evals, step = -1.0, None, (0.0, 0.0), 0, 0
    started, stopped = time.perf_counter(), False
    model.train()
    bar = tqdm(total=total, desc="train nlu", disable=not cfg.progress, unit="step")
    while step < total and not stopped:
        for batch in _batches(tr, cfg.batch_size, rng):
            loss = loss_fn(model, batch, cfg.tag_loss_weight)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
            if step % cfg.eval_every == 0 or step == total:
                acc, f1 = dev_scores(model, dv)
                score = (acc + f1) / 2
                bar.set_postfix(loss=f"{loss.item():.3f}", dev_acc=f"{acc:.3f}", dev_f1=f"{f1:.3f}")
                log.info("step %d: dev intent acc %.4f, tag F1 %.4f", step, acc, f1)
                if score > best:
                    best, best_state, best_pair, bad_evals = score, model.trainable_state(), (acc, f1), 0
                else:
                    bad_evals += 1
                    if bad_evals >= cfg.patience:
                        stopped = True
                        log.info("early stopping at step %d (best dev %.4f)", step, best)
            if step >= total or stopped:
                break
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state, strict=False)
    model.eval()
    result = TrainResult(steps=step, seconds=round(time.perf_counter() - started, 1), best_dev=round(best, 4),
                         dev_intent_accuracy=round(best_pair[0], 4), dev_tag_f1=round(best_pair[1], 4), stopped_early=stopped)
    if out_dir is not None:
        save_model(model, out_dir, metrics={"dev_intent_accuracy": result.dev_intent_accuracy,
                                            "dev_tag_f1": result.dev_tag_f1, "best_dev": result.best_dev},
                   training_data_hash=examples_hash(train_ex),
                   details={"training": {**asdict(cfg), **asdict(result), "n_train": len(tr), "n_dev": len(dv)},
                            **(extra_manifest or {})})
        log.info("saved NLU model to %s", out_dir)
    return model, result
