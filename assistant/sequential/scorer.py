"""Run-time use of the sequential model: next-item scores for candidate products given a user's history."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch

from assistant.artifact import ArtifactError
from assistant.sequential.store import LoadedModel, load_model

log = logging.getLogger(__name__)


class SequentialScorer:
    def __init__(self, loaded: LoadedModel) -> None:
        self.model = loaded.model
        self.index = loaded.index()

    @classmethod
    def load_if_built(cls, model_dir: Path) -> "SequentialScorer | None":
        """The scorer, or None (logged) when no model was built yet."""
        try:
            return cls(load_model(model_dir))
        except ArtifactError as exc:
            log.info("sequential model not used: %s", exc)
            return None

    def scores(self, history: list[str] | tuple[str, ...], candidates: list[str]) -> np.ndarray:
        """Scores in [0, 1] (min-max over the known candidates); 0 for unknown items or without history."""
        out = np.zeros(len(candidates))
        seq = [self.index[i] for i in history if i in self.index][-self.model.cfg.max_len:]
        known = [(j, self.index[c]) for j, c in enumerate(candidates) if c in self.index]
        if not seq or not known:
            return out
        with torch.no_grad():
            raw = self.model.score(torch.tensor([seq]), torch.tensor([[n for _, n in known]]))[0].numpy()
        span = float(raw.max() - raw.min())
        norm = (raw - raw.min()) / span if span > 1e-9 else np.full(len(raw), 0.5)
        out[[j for j, _ in known]] = norm
        return out
