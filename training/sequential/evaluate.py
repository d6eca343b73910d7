"""Full-ranking next-item metrics (HR@K, NDCG@K) with the user's history items excluded."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

ScoreFn = Callable[[list[tuple[int, ...]]], torch.Tensor]  # inputs -> (B, num_items + 1) scores


def target_ranks(score_fn: ScoreFn, inputs, targets, batch_size: int = 512) -> np.ndarray:
    """0-based rank of each target among all items not in its input history (ties count half)."""
    ranks = np.empty(len(targets), dtype=np.float64)
    for start in range(0, len(targets), batch_size):
        seqs = list(inputs[start:start + batch_size])
        tgt = torch.tensor(targets[start:start + batch_size], dtype=torch.long)
        with torch.no_grad():
            scores = score_fn(seqs).float().clone()
        rows = torch.cat([torch.full((len(s),), i, dtype=torch.long) for i, s in enumerate(seqs)])
        cols = torch.cat([torch.tensor(s, dtype=torch.long) for s in seqs])
        t_scores = scores.gather(1, tgt.unsqueeze(1))
        scores[rows, cols] = float("-inf")  # history items are excluded (as in the S3-Rec code)
        scores[:, 0] = float("-inf")
        greater = (scores > t_scores).sum(1).double()
        ties = (scores == t_scores).sum(1).double() - 1.0
        ranks[start:start + len(seqs)] = (greater + ties.clamp(min=0) / 2).numpy()
    return ranks


def metrics_from_ranks(ranks: np.ndarray, ks: tuple[int, ...] = (5, 10, 20)) -> dict[str, float]:
    out: dict[str, float] = {}
    for k in ks:
        hit = ranks < k
        out[f"HR@{k}"] = float(hit.mean())
        out[f"NDCG@{k}"] = float(np.where(hit, 1.0 / np.log2(np.floor(ranks) + 2.0), 0.0).mean())
    return out


def full_rank_metrics(score_fn: ScoreFn, inputs, targets, ks=(5, 10, 20), batch_size: int = 512) -> dict[str, float]:
    return metrics_from_ranks(target_ranks(score_fn, inputs, targets, batch_size), ks)
