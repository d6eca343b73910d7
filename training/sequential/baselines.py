"""Next-item baselines on the same leave-one-out split: popularity and item-kNN (cosine co-occurrence)."""

from __future__ import annotations

import numpy as np
import torch
from scipy import sparse


def popularity_scorer(train: tuple[tuple[int, ...], ...], num_items: int):
    counts = np.bincount(np.fromiter((i for s in train for i in s), dtype=np.int64), minlength=num_items + 1)
    row = torch.from_numpy(counts.astype(np.float32))

    def score(seqs):
        return row.unsqueeze(0).expand(len(seqs), -1).clone()
    return score


def item_knn_scorer(train: tuple[tuple[int, ...], ...], num_items: int, neighbours: int = 100, recent: int = 10):
    """Score = sum over the user's ``recent`` last items of the cosine similarity (top ``neighbours`` kept)."""
    rows = np.fromiter((u for u, s in enumerate(train) for _ in s), dtype=np.int64)
    cols = np.fromiter((i for s in train for i in s), dtype=np.int64)
    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(train), num_items + 1))
    x.data[:] = 1.0
    co = (x.T @ x).tocsr().astype(np.float32)
    co.setdiag(0.0)
    co.eliminate_zeros()
    deg = np.sqrt(np.asarray(x.sum(axis=0)).ravel()) + 1e-9
    sim = sparse.diags(1.0 / deg) @ co @ sparse.diags(1.0 / deg)
    sim = _top_k_rows(sim.tocsr(), neighbours)

    def score(seqs):
        r = np.fromiter((b for b, s in enumerate(seqs) for _ in s[-recent:]), dtype=np.int64)
        c = np.fromiter((i for s in seqs for i in s[-recent:]), dtype=np.int64)
        h = sparse.csr_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(len(seqs), num_items + 1))
        return torch.from_numpy(np.asarray((h @ sim).todense(), dtype=np.float32))
    return score


def _top_k_rows(m: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    data, indices, indptr = [], [], [0]
    for r in range(m.shape[0]):
        lo, hi = m.indptr[r], m.indptr[r + 1]
        vals, idx = m.data[lo:hi], m.indices[lo:hi]
        if len(vals) > k:
            keep = np.argpartition(-vals, k - 1)[:k]
            vals, idx = vals[keep], idx[keep]
        data.append(vals)
        indices.append(idx)
        indptr.append(indptr[-1] + len(vals))
    return sparse.csr_matrix((np.concatenate(data), np.concatenate(indices), np.array(indptr)), shape=m.shape)
