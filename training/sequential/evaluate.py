"""Full-ranking next-item metrics (HR@K, NDCG@K) with the user's history items excluded, scored by ranx
through ``assistant.metrics.ranking_scores``."""

from __future__ import annotations

from collections.abc import Callable

import torch

from assistant.metrics import ranking_scores

ScoreFn = Callable[[list[tuple[int, ...]]], torch.Tensor]  # inputs -> (B, num_items + 1) scores


def top_items(score_fn: ScoreFn, inputs, targets, k: int, batch_size: int = 512) -> list[list[int]]:
    """The ``k`` best item numbers per input, its history items (but not its target) and the padding item
    excluded. Among items with the target's score the target takes the middle place (its expected rank
    under random tie-breaking, so a baseline with many equal scores is not flattered or punished)."""
    out: list[list[int]] = []
    for start in range(0, len(targets), batch_size):
        seqs = list(inputs[start:start + batch_size])
        tgt = torch.tensor(targets[start:start + batch_size], dtype=torch.long)
        with torch.no_grad():
            scores = score_fn(seqs).float().clone()
        t_scores = scores.gather(1, tgt.unsqueeze(1))
        rows = torch.cat([torch.full((len(s),), i, dtype=torch.long) for i, s in enumerate(seqs)])
        cols = torch.cat([torch.tensor(s, dtype=torch.long) for s in seqs])
        scores[rows, cols] = float("-inf")  # history items are excluded (as in the S3-Rec code)
        scores.scatter_(1, tgt.unsqueeze(1), t_scores)
        scores[:, 0] = float("-inf")
        greater = (scores > t_scores).sum(1)
        ties = (scores == t_scores).sum(1) - 1
        order = torch.sort(scores, dim=1, descending=True, stable=True).indices[:, :k + 1]
        for row, target, place in zip(order.tolist(), tgt.tolist(), (greater + ties // 2).tolist()):
            row = [i for i in row if i != target][:k]
            if place < k:
                row.insert(place, target)
            out.append(row[:k])
    return out


def full_rank_metrics(score_fn: ScoreFn, inputs, targets, ks=(5, 10, 20), batch_size: int = 512) -> dict[str, float]:
    tops = top_items(score_fn, inputs, targets, max(ks), batch_size)
    ranked = {str(i): [str(x) for x in top] for i, top in enumerate(tops)}
    relevance = {str(i): {str(t): 1} for i, t in enumerate(targets)}
    m = ranking_scores(ranked, relevance, [f"{name}@{k}" for k in ks for name in ("hit_rate", "ndcg")])
    return {key: m[f"{name}@{k}"] for k in ks for key, name in ((f"HR@{k}", "hit_rate"), (f"NDCG@{k}", "ndcg"))}
