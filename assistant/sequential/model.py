"""SASRec-style causal transformer with the narrow contract ``loss`` / ``score`` / ``score_all``.

Sequences are left-padded LongTensors (B, L) of item numbers (0 = padding), most recent item last.
Output item vectors are tied to the input item vectors (as in SASRec); training uses full softmax
cross-entropy over all items at every position (much stronger than BCE with one sampled negative).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from assistant.sequential.config import SeqRecConfig


class _Block(nn.Module):
    """Pre-norm self-attention + feed-forward block."""

    def __init__(self, cfg: SeqRecConfig) -> None:
        super().__init__()
        h = cfg.hidden
        self.heads = cfg.heads
        self.p = cfg.dropout
        self.ln1 = nn.LayerNorm(h)
        self.qkv = nn.Linear(h, 3 * h)
        self.out = nn.Linear(h, h)
        self.ln2 = nn.LayerNorm(h)
        self.ff = nn.Sequential(nn.Linear(h, cfg.ff_mult * h), nn.GELU(), nn.Dropout(cfg.dropout), nn.Linear(cfg.ff_mult * h, h))
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, length, h = x.shape
        qkv = self.qkv(self.ln1(x)).view(b, length, 3, self.heads, h // self.heads).permute(2, 0, 3, 1, 4)
        att = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=mask, dropout_p=self.p if self.training else 0.0)
        x = x + self.drop(self.out(att.transpose(1, 2).reshape(b, length, h)))
        return x + self.drop(self.ff(self.ln2(x)))


class SASRec(nn.Module):
    def __init__(self, cfg: SeqRecConfig, item_attributes: torch.Tensor | None = None) -> None:
        super().__init__()
        self.cfg = cfg
        self.item_emb = nn.Embedding(cfg.num_items + 1, cfg.hidden, padding_idx=0)
        self.pos_emb = nn.Embedding(cfg.max_len, cfg.hidden)
        self.emb_drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(_Block(cfg) for _ in range(cfg.layers))
        self.final_ln = nn.LayerNorm(cfg.hidden)
        if cfg.num_attributes:
            if item_attributes is None:
                item_attributes = torch.zeros(cfg.num_items + 1, cfg.max_attributes, dtype=torch.long)
            if tuple(item_attributes.shape) != (cfg.num_items + 1, cfg.max_attributes):
                raise ValueError(f"item_attributes must have shape {(cfg.num_items + 1, cfg.max_attributes)}")
            self.attr_emb = nn.Embedding(cfg.num_attributes + 1, cfg.hidden, padding_idx=0)
            self.register_buffer("item_attrs", item_attributes.long())
            nn.init.normal_(self.attr_emb.weight, std=0.02)
            with torch.no_grad():
                self.attr_emb.weight[0].zero_()
        nn.init.normal_(self.item_emb.weight, std=0.02)
        nn.init.normal_(self.pos_emb.weight, std=0.02)
        with torch.no_grad():
            self.item_emb.weight[0].zero_()

    # item vectors ---------------------------------------------------------------------
    def item_vectors(self, items: torch.Tensor | None = None) -> torch.Tensor:
        """Vectors of the given item numbers (any shape), or of all items (num_items + 1, hidden)."""
        if items is None:
            vec = self.item_emb.weight
            attrs = self.item_attrs if self.cfg.num_attributes else None
        else:
            vec = self.item_emb(items)
            attrs = self.item_attrs[items] if self.cfg.num_attributes else None
        if attrs is not None:
            present = (attrs > 0).float()
            summed = (self.attr_emb(attrs) * present.unsqueeze(-1)).sum(-2)
            vec = vec + summed / present.sum(-1, keepdim=True).clamp(min=1.0)
        return vec

    # encoder ---------------------------------------------------------------------------
    def encode(self, seq: torch.Tensor) -> torch.Tensor:
        """Hidden states (B, L, hidden) for left-padded sequences (B, L); L <= max_len."""
        seq = seq[:, -self.cfg.max_len:]
        b, length = seq.shape
        valid = seq > 0
        pos = torch.arange(length, device=seq.device).unsqueeze(0)
        x = self.item_vectors(seq) * math.sqrt(self.cfg.hidden) + self.pos_emb(pos)
        x = self.emb_drop(x) * valid.unsqueeze(-1)
        causal = torch.ones(length, length, dtype=torch.bool, device=seq.device).tril()
        eye = torch.eye(length, dtype=torch.bool, device=seq.device)
        mask = (causal & valid.unsqueeze(1)) | eye  # attend to earlier real items (and always to self)
        mask = mask.unsqueeze(1)
        for block in self.blocks:
            x = block(x, mask) * valid.unsqueeze(-1)
        return self.final_ln(x)

    # the contract ----------------------------------------------------------------------
    def loss(self, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        """Softmax cross-entropy of the next item at every position with a target (> 0).

        ``batch`` is ``(seq, target)`` for the full softmax over all items, or ``(seq, target, negatives)``
        for a sampled softmax: ``negatives`` (K,) uniformly drawn item numbers shared by the batch, their
        logits shifted by log(N / K) so the loss estimates the full softmax at K / N of its cost.
        """
        seq, target = batch[0], batch[1]
        hidden = self.encode(seq)
        sel = target > 0
        h, tgt = hidden[sel], target[sel]
        if len(batch) < 3:
            logits = h @ self.item_vectors().T
            logits[:, 0] = float("-inf")
            return F.cross_entropy(logits, tgt)
        negatives = batch[2]
        pos = (h * self.item_vectors(tgt)).sum(-1, keepdim=True)
        neg = h @ self.item_vectors(negatives).T + math.log(self.cfg.num_items / negatives.numel())
        neg = neg.masked_fill(negatives.unsqueeze(0) == tgt.unsqueeze(1), float("-inf"))  # accidental hits
        logits = torch.cat([pos, neg], dim=1)
        return F.cross_entropy(logits, torch.zeros(len(tgt), dtype=torch.long))

    def score_all(self, seq: torch.Tensor) -> torch.Tensor:
        """Scores (B, num_items + 1) of every item as the next one; column 0 (padding) is -inf."""
        last = self.encode(seq)[:, -1]
        scores = last @ self.item_vectors().T
        scores[:, 0] = float("-inf")
        return scores

    def score(self, seq: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Scores (B, K) of the given candidate items (B, K) as the next item."""
        last = self.encode(seq)[:, -1]
        return (self.item_vectors(items) * last.unsqueeze(1)).sum(-1)
