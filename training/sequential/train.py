"""Training loop of the sequential model: Adam, full-softmax cross-entropy, early stopping on validation NDCG@10."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from assistant.sequential.config import SeqRecConfig
from assistant.sequential.model import SASRec
from assistant.sequential.store import item_attribute_table
from training.sequential.data import SeqDataset, Split, leave_one_out, left_pad, training_batches
from training.sequential.evaluate import full_rank_metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 30
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 0.0
    seed: int = 0
    eval_every: int = 2  # epochs between validation runs (0: never; keep the last epoch)
    patience: int = 3  # validation runs without improvement before stopping
    max_minutes: float | None = None  # wall-clock budget for the loop
    negatives: int = 0  # 0: full softmax over all items; K: sampled softmax with K shared negatives
    use_attributes: bool = True
    max_attributes: int = 6


@dataclass
class TrainResult:
    model: SASRec
    best_epoch: int
    epochs_run: int
    seconds: float
    history: list[dict] = field(default_factory=list)  # per validation: epoch, loss, NDCG@10, HR@10


def build_model(data: SeqDataset, cfg_kwargs: dict, tcfg: TrainConfig) -> SASRec:
    use_attrs = tcfg.use_attributes and data.num_attributes > 0
    cfg = SeqRecConfig(num_items=data.num_items, num_attributes=data.num_attributes if use_attrs else 0,
                       max_attributes=tcfg.max_attributes if use_attrs else 0, **cfg_kwargs)
    table = item_attribute_table([list(a) for a in data.item_attributes], cfg.max_attributes) if use_attrs else None
    return SASRec(cfg, table)


def scorer(model: SASRec) -> Callable:
    def score(seqs):
        return model.score_all(left_pad(seqs, model.cfg.max_len))
    return score


def train(data: SeqDataset, tcfg: TrainConfig, cfg_kwargs: dict | None = None, split: Split | None = None) -> TrainResult:
    """Train on the leave-one-out training part; keep the weights of the best validation NDCG@10."""
    torch.manual_seed(tcfg.seed)
    rng = np.random.default_rng(tcfg.seed)
    split = split or leave_one_out(data.sequences)
    model = build_model(data, cfg_kwargs or {}, tcfg)
    opt = torch.optim.Adam(model.parameters(), lr=tcfg.lr, weight_decay=tcfg.weight_decay)
    best, best_state, best_epoch, stale = -1.0, None, 0, 0
    history: list[dict] = []
    t0 = time.perf_counter()
    epoch = 0
    for epoch in range(1, tcfg.epochs + 1):
        loss = _run_epoch(model, opt, split, tcfg, rng)
        if tcfg.eval_every and (epoch % tcfg.eval_every == 0 or epoch == tcfg.epochs):
            model.eval()
            m = full_rank_metrics(scorer(model), split.valid_inputs, split.valid_targets, ks=(10,))
            history.append({"epoch": epoch, "loss": loss, **m, "seconds": time.perf_counter() - t0})
            log.info("epoch %d loss %.4f valid NDCG@10 %.4f HR@10 %.4f (%.0fs)", epoch, loss, m["NDCG@10"], m["HR@10"], time.perf_counter() - t0)
            if m["NDCG@10"] > best:
                best, best_state, best_epoch, stale = m["NDCG@10"], copy.deepcopy(model.state_dict()), epoch, 0
            else:
                stale += 1
                if stale >= tcfg.patience:
                    log.info("early stop at epoch %d (best %d)", epoch, best_epoch)
                    break
        else:
            log.info("epoch %d loss %.4f (%.0fs)", epoch, loss, time.perf_counter() - t0)
        if tcfg.max_minutes is not None and time.perf_counter() - t0 > tcfg.max_minutes * 60:
            log.info("time budget of %.1f min reached at epoch %d", tcfg.max_minutes, epoch)
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        best_epoch = epoch
    model.eval()
    return TrainResult(model, best_epoch, epoch, time.perf_counter() - t0, history)


def _run_epoch(model: SASRec, opt: torch.optim.Optimizer, split: Split, tcfg: TrainConfig, rng: np.random.Generator) -> float:
    model.train()
    total, n = 0.0, 0
    num_items = model.cfg.num_items
    for batch in training_batches(split.train, model.cfg.max_len, tcfg.batch_size, rng):
        if 0 < tcfg.negatives < num_items:
            negs = torch.from_numpy(rng.choice(num_items, size=tcfg.negatives, replace=False) + 1)
            batch = (*batch, negs)
        opt.zero_grad()
        loss = model.loss(batch)
        loss.backward()
        opt.step()
        total += float(loss.detach())
        n += 1
    return total / max(n, 1)
